"""Lambda-side commands and steps: the ENI warmer, published versions and aliases.

Lambda shares one Hyperplane ENI per (subnet, security-group set). A
placeholder "warmer" function with a target's exact subnet and security
groups makes Lambda create that ENI before any real function moves, so the
Elastic IP is on it first and no production function ever runs in the
public subnet without it. The real functions then land on the same ENI.

UpdateFunctionConfiguration changes only ``$LATEST``: published versions keep
the VPC config they were published with, so the aliases that point at them
move only once a new version is published and each alias is updated.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable

from analyzer.models import PlanStep
from analyzer.plan.commands import cmd, comment, describe_lambda_enis, safe_file_name, vpc_config
from analyzer.plan.layout import Layout, Target

WARMER_ROLE = "<warmer-role-arn>"
WARMER_CODE = "fileb://<warmer-code.zip>"
ALIAS = "<alias-name>"
NEW_VERSION = "<version-from-publish-version>"
OLD_VERSION = "<alias-version-saved-in-the-prerequisites>"


def _file(prefix: str, name: str) -> str:
    return prefix + safe_file_name(name) + ".json"


def config_file(name: str) -> str:
    return _file("vpc-config-", name)


def aliases_file(name: str) -> str:
    return _file("aliases-", name)


# --------------------------------------------------------------------------- commands


def create_warmer(name: str, subnet_id: str, sg_ids: Iterable[str], region: str) -> str:
    return cmd(
        "aws", "lambda", "create-function", "--function-name", name, "--runtime", "python3.12",
        "--handler", "index.handler", "--role", WARMER_ROLE, "--zip-file", WARMER_CODE,
        "--vpc-config", vpc_config([subnet_id], sg_ids), "--description", "lambda-egress ENI warmer",
        "--region", region,
    )


def wait_active(name: str, region: str) -> str:
    return cmd("aws", "lambda", "wait", "function-active-v2", "--function-name", name, "--region", region)


def delete_function(name: str, region: str) -> str:
    return cmd("aws", "lambda", "delete-function", "--function-name", name, "--region", region)


def list_aliases(name: str, region: str) -> str:
    fetch = cmd(
        "aws", "lambda", "list-aliases", "--function-name", name,
        "--query", "Aliases[].{Name:Name,FunctionVersion:FunctionVersion}", "--output", "json", "--region", region,
    )
    return f"{fetch} > {shlex.quote(aliases_file(name))}"


def list_versions(name: str, region: str) -> str:
    return cmd(
        "aws", "lambda", "list-versions-by-function", "--function-name", name,
        "--query", "Versions[].[Version,VpcConfig.SubnetIds]", "--output", "text", "--region", region,
    )


def publish(name: str, region: str) -> tuple[str, ...]:
    return (
        cmd("aws", "lambda", "publish-version", "--function-name", name, "--description",
            "lambda-egress: Elastic IP egress", "--query", "Version", "--output", "text", "--region", region),
        cmd("aws", "lambda", "wait", "published-version-active", "--function-name", name,
            "--qualifier", NEW_VERSION, "--region", region),
    )  # fmt: skip


def update_alias(name: str, version: str, region: str) -> str:
    return cmd(
        "aws", "lambda", "update-alias", "--function-name", name, "--name", ALIAS,
        "--function-version", version, "--region", region,
    )


# --------------------------------------------------------------------------- text


VERSIONS_NOTE = (
    "Published versions and aliases keep their own VPC config: update-function-configuration changes only "
    "$LATEST. The aliases saved here ({files}) are what the move step re-points and its rollback restores; "
    "anything that invokes a version number directly (event source mappings, API Gateway integrations, other "
    "callers) keeps leaving through the NAT until it is re-pointed, and has no egress once the NAT is deleted."
)


def versions_commands(names: Iterable[str], region: str) -> list[str]:
    out: list[str] = []
    for name in names:
        out += [list_aliases(name, region), list_versions(name, region)]
    return out


def alias_commands(name: str, region: str) -> tuple[str, ...]:
    """After the move: publish $LATEST as a version and point each alias at it."""
    return (*publish(name, region), update_alias(name, NEW_VERSION, region))


def alias_rollback(name: str, region: str) -> str:
    return update_alias(name, OLD_VERSION, region)


def warmer_commands(name: str, subnet_id: str, sg_ids: tuple[str, ...], region: str) -> tuple[str, ...]:
    return (
        create_warmer(name, subnet_id, sg_ids, region),
        wait_active(name, region),
        describe_lambda_enis(subnet_id, sg_ids, region),
    )


# --------------------------------------------------------------------------- steps


def warm_step(layout: Layout, target: Target, when: str) -> PlanStep:
    """Create the target's ENI with a placeholder function, before any real function lands on it."""
    region, sgs = layout.region, ", ".join(target.security_group_ids)
    return PlanStep(
        stage="warm",
        title=f"Create the ENI of {target.subnet_id} ({sgs}) with {target.warmer}",
        detail=(
            f"{target.warmer} is a placeholder function with exactly these subnet and security groups, so Lambda "
            "creates the ENI the moved functions will share before any of them moves; the Elastic IP goes on it "
            "next. Give it a role with AWSLambdaVPCAccessExecutionRole and any small zip (a no-op index.handler); "
            f"it is never invoked. Note the ENI id(s) the describe prints. {when} If an ENI there already has a "
            "public IP, another function already shares this subnet and security groups: the moved functions "
            "would use that address, so stop and reconcile first."
        ),
        commands=warmer_commands(target.warmer, target.subnet_id, target.security_group_ids, region),
        rollback=(delete_function(target.warmer, region),),
    )


def cleanup_step(layout: Layout, targets: list[Target]) -> PlanStep:
    """The real functions hold the ENIs now: the warmers can go (the shared ENI stays while they use it)."""
    region = layout.region
    targets = [t for t in targets if t.warmer]
    return PlanStep(
        stage="cleanup",
        title=f"Delete {len(targets)} ENI warmer(s)",
        detail=(
            "The moved functions use the warmed ENIs now, so deleting the placeholder functions leaves them in "
            f"place: {', '.join(t.warmer for t in targets)}. Delete their role and zip too if nothing else uses them."
        ),
        commands=tuple(delete_function(t.warmer, region) for t in targets),
        rollback=(
            comment("Nothing to undo: the warmers only created the ENIs. To warm again, re-run the warm step."),
        ),
    )
