"""The exact shell commands that generate, deploy and remove a guard (pure; the runbooks print these).

Every argument goes through ``shlex.quote``. Paths follow the layout of
:mod:`analyzer.guard.render`: ``OUT/<account_id>/<region>/``.

CloudFormation cannot take the handler inline (an inline ``ZipFile`` is capped
at 4096 characters; the handler and its reconciliation module are larger and
ship as real files), so its deploy packages ``handler/`` into an S3 bucket you
own in that region first. Terraform zips ``handler/`` itself (``archive_file``)
and needs no bucket.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from pathlib import PurePath

from analyzer.guard.resources import FUNCTION_NAME, guard_names

BUCKET_PLACEHOLDER = "<artifact-bucket-in-{region}>"
FIRST_RUN_FILE = "first-run.json"


def _cmd(*parts: str | PurePath) -> str:
    return shlex.join(str(p) for p in parts)


def guard_dir(out_dir: str | PurePath, account_id: str, region: str) -> PurePath:
    return PurePath(out_dir) / account_id / region


def generate_command(report_json: str | PurePath, nat_ids: Iterable[str] = (), *,
                     allocations: Mapping[str, str] | None = None, subnets: Mapping[str, str] | None = None,
                     out_dir: str | PurePath = "lambda-egress-guard", formats: str | None = None,
                     name: str = FUNCTION_NAME) -> str:
    """``lambda-egress guard REPORT [--nat N]... [--allocation P=ID]... [--subnet P=ID]... --out DIR``."""
    parts: list[str | PurePath] = ["lambda-egress", "guard", report_json]
    if name != FUNCTION_NAME:
        parts += ["--name", guard_names(name).name]
    for nat in nat_ids:
        parts += ["--nat", nat]
    for placeholder, real in (allocations or {}).items():
        parts += ["--allocation", f"{placeholder}={real}"]
    for placeholder, real in (subnets or {}).items():
        parts += ["--subnet", f"{placeholder}={real}"]
    parts += ["--out", out_dir]
    if formats:
        parts += ["--format", formats]
    return _cmd(*parts)


def _first_run(folder: PurePath, region: str, name: str = FUNCTION_NAME) -> str:
    """One run right after the deploy: its summary (drift and associated counts) lands in first-run.json."""
    return _cmd("aws", "lambda", "invoke", "--function-name", guard_names(name).function, "--cli-binary-format",
                "raw-in-base64-out", "--payload", "{}", "--region", region, folder / FIRST_RUN_FILE)


def deploy_commands(account_id: str, region: str, fmt: str, out_dir: str | PurePath,
                    artifact_bucket: str | None = None, name: str = FUNCTION_NAME) -> tuple[str, ...]:
    """Deploy the guard that ``lambda-egress guard --out OUT_DIR`` wrote for ``account_id``/``region``.

    Run them with credentials for ``account_id`` (Terraform refuses any other account; the
    function refuses to run with another account's mapping).
    """
    folder = guard_dir(out_dir, account_id, region)
    if fmt == "cloudformation":
        bucket = artifact_bucket or BUCKET_PLACEHOLDER.format(region=region)
        packaged = folder / "cloudformation.packaged.yaml"
        return (
            _cmd("aws", "cloudformation", "package", "--template-file", folder / "cloudformation.yaml",
                 "--s3-bucket", bucket, "--output-template-file", packaged, "--region", region),
            _cmd("aws", "cloudformation", "deploy", "--template-file", packaged, "--stack-name",
                 guard_names(name).stack, "--capabilities", "CAPABILITY_NAMED_IAM", "--region", region),
            _first_run(folder, region, name),
        )
    if fmt == "terraform":
        tf = folder / "terraform"
        return (
            _cmd("terraform", f"-chdir={tf}", "init"),
            _cmd("terraform", f"-chdir={tf}", "apply"),
            _first_run(folder, region, name),
        )
    raise ValueError(f"unknown guard format {fmt!r}")


def remove_commands(account_id: str, region: str, fmt: str, out_dir: str | PurePath,
                    name: str = FUNCTION_NAME) -> tuple[str, ...]:
    """Remove everything ``deploy_commands`` created (the Elastic IPs and ENIs are not the guard's: they stay)."""
    folder = guard_dir(out_dir, account_id, region)
    stack = guard_names(name).stack
    if fmt == "cloudformation":
        return (
            _cmd("aws", "cloudformation", "delete-stack", "--stack-name", stack, "--region", region),
            _cmd("aws", "cloudformation", "wait", "stack-delete-complete", "--stack-name", stack, "--region", region),
        )
    if fmt == "terraform":
        return (_cmd("terraform", f"-chdir={folder / 'terraform'}", "destroy"),)
    raise ValueError(f"unknown guard format {fmt!r}")
