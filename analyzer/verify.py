"""The drift guard after a migration: Lambda ENIs in public subnets must keep a public IP.

Lambda recreates Hyperplane ENIs when it likes (scaling past 65,000
connections, balancing, reclaiming an idle function's ENI), and a new ENI never
gets the Elastic IP the old one had: the functions behind it silently lose
internet egress. ``lambda-egress verify`` runs this check on a cheap scan (no
metrics, no per-function calls) from cron or CI and exits non-zero on drift.

The check reads the topology, not raw ENIs, so "public subnet" means exactly
what the report means: the subnet's 0.0.0.0/0 route goes to an internet
gateway. A group whose ENI was reclaimed (no ENI now) is drift too: the ENI
Lambda creates next comes up bare. ENIs no listed function uses are left out
(a deleted function's ENI lingers for minutes); if ListFunctions failed, the
coverage error says the check is incomplete.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from analyzer.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK
from analyzer.models import CoverageError, EniGroup, Frozen, Snapshot
from analyzer.topology import build_topology

VERIFY_SCHEMA_VERSION = "1"
Status = Literal["ok", "drift", "incomplete"]


class GroupCheck(Frozen):
    """One Lambda ENI group (subnet + security groups) in a public subnet."""

    account_id: str
    region: str
    vpc_id: str | None = None
    subnet_id: str
    security_group_ids: tuple[str, ...]
    eni_ids: tuple[str, ...]
    public_ips: tuple[str, ...]
    eni_ids_without_public_ip: tuple[str, ...]
    function_names: tuple[str, ...]
    drift: bool


class VerifyResult(Frozen):
    schema_version: str = VERIFY_SCHEMA_VERSION
    collected_at: datetime
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    groups: tuple[GroupCheck, ...] = ()
    coverage_errors: tuple[CoverageError, ...] = ()

    @property
    def drifted(self) -> tuple[GroupCheck, ...]:
        return tuple(g for g in self.groups if g.drift)

    @property
    def status(self) -> Status:
        if self.drifted:
            return "drift"
        return "incomplete" if self.coverage_errors else "ok"

    @property
    def exit_code(self) -> int:
        """1 on drift (it outranks a gap: it is a known outage), 3 if the scan was incomplete, else 0."""
        return {"drift": EXIT_FINDINGS, "incomplete": EXIT_INCOMPLETE, "ok": EXIT_OK}[self.status]


def _group_check(group: EniGroup, names: dict[str, str]) -> GroupCheck:
    return GroupCheck(
        account_id=group.account_id,
        region=group.region,
        vpc_id=group.vpc_id,
        subnet_id=group.subnet_id,
        security_group_ids=group.security_group_ids,
        eni_ids=group.eni_ids,
        public_ips=group.public_ips,
        eni_ids_without_public_ip=group.eni_ids_without_public_ip,
        function_names=tuple(sorted(names.get(arn, arn) for arn in group.function_arns)),
        drift=group.egress == "igw-no-public-ip",
    )


def check(snapshot: Snapshot) -> VerifyResult:
    """Every ENI group routed to an internet gateway: OK with public IPs on all ENIs, else drift."""
    topology = build_topology(snapshot)
    names = {f.arn: f.name for f in topology.functions}
    groups = [
        _group_check(g, names) for g in topology.eni_groups if g.egress in ("igw-eip", "igw-no-public-ip")
    ]
    return VerifyResult(
        collected_at=snapshot.collected_at,
        accounts=snapshot.coverage.accounts,
        regions=snapshot.coverage.regions,
        # drift first, so the lines that need action lead
        groups=tuple(sorted(groups, key=lambda g: (not g.drift, g.account_id, g.region, g.subnet_id,
                                                   g.security_group_ids))),
        coverage_errors=snapshot.coverage.errors,
    )


def _group_line(group: GroupCheck) -> str:
    where = f"{group.account_id} {group.region} {group.subnet_id} [{','.join(group.security_group_ids)}]"
    functions = f"functions: {', '.join(group.function_names) or '-'}"
    if not group.drift:
        return f"OK     {where} ENIs {', '.join(group.eni_ids)} -> {', '.join(group.public_ips)}; {functions}"
    if not group.eni_ids:
        return (f"DRIFT  {where} no Lambda ENI now (reclaimed or not yet created); the next one comes up "
                f"without a public IP; {functions}")
    return (f"DRIFT  {where} no public IP on {', '.join(group.eni_ids_without_public_ip)} "
            f"({len(group.eni_ids_without_public_ip)} of {len(group.eni_ids)} ENIs); {functions}")


def render_text(result: VerifyResult) -> str:
    """Human-readable lines: drift first, then OK groups, coverage gaps, and a verdict."""
    scope = f"accounts {', '.join(result.accounts) or '-'}; regions {', '.join(result.regions) or '-'}"
    lines = [f"lambda-egress verify: {scope}; collected {result.collected_at.isoformat()}"]
    if not result.groups:
        lines.append("No Lambda ENI groups in public subnets (0.0.0.0/0 -> internet gateway): nothing to verify.")
    lines += [_group_line(g) for g in result.groups]
    if result.coverage_errors:
        lines.append(f"Incomplete: {len(result.coverage_errors)} call(s) failed, so drift there cannot be ruled out:")
        lines += [f"  {e.account_id} {e.region} {e.operation}: {e.error_code}: {e.message}"
                  for e in result.coverage_errors]
    drifted = len(result.drifted)
    verdict = {
        "drift": f"DRIFT: {drifted} of {len(result.groups)} public-subnet ENI group(s) lack a public IP; "
                 "re-associate their Elastic IPs",
        "incomplete": "INCOMPLETE: no drift found in what was scanned",
        "ok": f"OK: all {len(result.groups)} public-subnet ENI group(s) have a public IP on every ENI"
        if result.groups else "OK: nothing to verify",
    }[result.status]
    lines.append(verdict)
    return "\n".join(lines)


def render_json(result: VerifyResult) -> str:
    """The result as JSON for scripts: the model's fields plus status and exit_code."""
    data = result.model_dump(mode="json")
    data.update(status=result.status, exit_code=result.exit_code, drift_count=len(result.drifted))
    return json.dumps(data, indent=2)
