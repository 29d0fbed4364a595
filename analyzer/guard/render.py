"""One account and region's guard as files: mapping, handler package, CloudFormation, Terraform.

Layout under ``DIR/<account_id>/<region>/`` (the runbooks and
:mod:`analyzer.guard.commands` rely on it):

```
mapping.json                       what the guard enforces (reviewed by people)
handler/lambda_egress_guard/       the function's code (runtime/*.py) + a copy of mapping.json
cloudformation.yaml                `aws cloudformation package` uploads handler/, then deploy
terraform/                         root module: versions.tf, variables.tf, main.tf, outputs.tf,
                                   policy.json, event_pattern.json
```

Templates only lay out values computed here; every value that reaches one
is a constant of :mod:`analyzer.guard.resources` or an id checked in
:mod:`analyzer.guard.source`, and ``q`` refuses anything HCL or YAML could
interpret.
"""

from __future__ import annotations

import json
import re
from importlib import resources as package_files
from typing import Any

import jinja2

from analyzer.guard import resources as res
from analyzer.guard.mapping import allocation_ids, dump_mapping, subnet_ids

RUNTIME_FILES = ("__init__.py", "handler.py", "reconcile.py")
TERRAFORM_FILES = ("versions.tf", "variables.tf", "main.tf", "outputs.tf")
FORMATS = ("cloudformation", "terraform")
_INERT = re.compile(r"^[A-Za-z0-9 ._:/()*,;+=@'<>\-]*$")


def quote(value: object) -> str:
    """A double-quoted string valid in YAML and HCL alike; refuses text either could interpret."""
    text = str(value)
    if not _INERT.match(text) or "${" in text or "%{" in text:
        raise ValueError(f"refusing to render {text!r} into a template")
    return json.dumps(text)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("analyzer.guard", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # YAML/HCL, not HTML: values go through `q` / `j`
    )
    env.filters["q"] = quote
    env.filters["j"] = res.compact
    return env


def context(document: dict[str, Any], name: str = res.FUNCTION_NAME) -> dict[str, Any]:
    account, region = document["account_id"], document["region"]
    names = res.guard_names(name)
    return {
        "account_id": account,
        "region": region,
        "generated_by": document["generated_by"],
        "description": f"lambda-egress guard: keeps the mapped Elastic IPs on Lambda ENIs ({account} {region})",
        "function_name": names.function,
        "role_name": names.role(region),
        "topic_name": names.topic,
        "log_group": names.log_group,
        "log_retention_days": res.LOG_RETENTION_DAYS,
        "handler": res.HANDLER,
        "runtime": res.RUNTIME,
        "memory_mb": res.MEMORY_MB,
        "timeout_seconds": res.TIMEOUT_SECONDS,
        "schedule": res.SCHEDULE,
        "metric_namespace": res.METRIC_NAMESPACE,
        "drift_alarm_period": res.DRIFT_ALARM_PERIOD,
        "drift_alarm_description": (
            "Drift the guard cannot fix (an ENI without its address, an allocation used elsewhere, an address "
            "not on the allow-list), or no guard run reported in the period"),
        "policy": policy(document, name),
        "event_pattern": res.event_pattern(subnet_ids(document)),
    }


def policy(document: dict[str, Any], name: str = res.FUNCTION_NAME) -> dict[str, Any]:
    return res.policy_document(document["account_id"], document["region"], allocation_ids(document),
                               subnet_ids(document), name)


def runtime_sources() -> dict[str, bytes]:
    folder = package_files.files("analyzer.guard.runtime")
    return {name: folder.joinpath(name).read_bytes() for name in RUNTIME_FILES}


def guard_files(document: dict[str, Any], formats: tuple[str, ...] = FORMATS,
                name: str = res.FUNCTION_NAME) -> dict[str, bytes]:
    """Relative path -> content for one account and region."""
    env, ctx = _env(), context(document, name)
    mapping_text = dump_mapping(document).encode()
    files = {"mapping.json": mapping_text, f"handler/{res.PACKAGE}/mapping.json": mapping_text}
    files.update({f"handler/{res.PACKAGE}/{name}": data for name, data in runtime_sources().items()})
    if "cloudformation" in formats:
        files["cloudformation.yaml"] = env.get_template("cloudformation.yaml.j2").render(ctx).encode()
    if "terraform" in formats:
        for name in TERRAFORM_FILES:
            files[f"terraform/{name}"] = env.get_template(f"terraform/{name}.j2").render(ctx).encode()
        files["terraform/policy.json"] = (json.dumps(ctx["policy"], indent=2) + "\n").encode()
        files["terraform/event_pattern.json"] = (json.dumps(ctx["event_pattern"], indent=2) + "\n").encode()
    return files
