"""report.json by hand, in the plan-target shape (analyzer.models.PlanTarget / MigrationPlan, schema "2")."""

from __future__ import annotations

from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"


def target(subnet_id: str, sgs: tuple[str, ...], allocations: tuple[str, ...], *,
           ips: tuple[str | None, ...] | None = None, nat_ids: tuple[str, ...] = ("nat-0aaa1111",),
           in_window: bool = False, account: str = ACCOUNT, region: str = REGION,
           functions: tuple[str, ...] = ("orders",)) -> dict[str, Any]:
    """One report.json plan target, shaped as analyzer.models.PlanTarget dumps it."""
    return {
        "account_id": account, "region": region, "vpc_id": "vpc-0aaa1111",
        "subnet_id": subnet_id, "availability_zone": f"{region}a",
        "security_group_ids": sorted(sgs), "allocation_ids": list(allocations),
        "public_ips": list(ips if ips is not None else (None,) * len(allocations)),
        "function_arns": [f"arn:aws:lambda:{region}:{account}:function:{f}" for f in functions],
        "source_subnet_ids": ["subnet-0priv1111"], "nat_gateway_ids": list(nat_ids), "in_window": in_window,
    }


def plan(nat_id: str, targets: list[dict[str, Any]], *, reused: tuple[str, ...] = (), account: str = ACCOUNT,
         region: str = REGION) -> dict[str, Any]:
    return {
        "plan_id": f"{account}/{region}/vpc-0aaa1111", "nat_gateway_id": nat_id, "nat_gateway_ids": [nat_id],
        "account_id": account, "region": region, "vpc_id": "vpc-0aaa1111", "targets": targets,
        "reused_allocation_ids": list(reused), "steps": [],
    }


def report(*plans: dict[str, Any], schema: str = "2") -> dict[str, Any]:
    return {"schema_version": schema, "tool_version": "test", "collected_at": "2026-11-01T06:00:00Z",
            "plans": list(plans)}
