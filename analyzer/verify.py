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

With an allow-list (``--allowed-ip`` / ``--allowed-ips``), an ENI whose public
IP is not on it is drift too: a stray EIP the partner never allow-listed is an
outage as surely as no EIP. What counts as drift for one ENI is decided by
``analyzer.guard.runtime.reconcile.eni_status``, the function the deployed
guard runs, so the two never disagree.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

from analyzer.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, ConfigError
from analyzer.guard.runtime import reconcile as rc
from analyzer.models import CoverageError, EniGroup, Frozen, NetworkInterface, Snapshot
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
    # With an allow-list: the ENIs whose public IP is not on it, and those IPs (same order).
    eni_ids_not_allowed: tuple[str, ...] = ()
    public_ips_not_allowed: tuple[str, ...] = ()


class VerifyResult(Frozen):
    schema_version: str = VERIFY_SCHEMA_VERSION
    collected_at: datetime
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    groups: tuple[GroupCheck, ...] = ()
    coverage_errors: tuple[CoverageError, ...] = ()
    allowed_ips: tuple[str, ...] | None = None  # the allow-list checked against, None when none was given

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


def load_allow_list(ips: Sequence[str], path: Path | None) -> tuple[rc.Network, ...] | None:
    """--allowed-ip values and --allowed-ips FILE lines; None when neither was given."""
    if not ips and path is None:
        return None
    entries = list(ips)
    if path is not None:
        try:
            entries += Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise ConfigError(f"--allowed-ips {path}: cannot read it ({reason})") from None
    try:
        allowed = rc.parse_allow_list(entries)
    except ValueError as exc:
        raise ConfigError(f"allow-list: {exc}") from None
    if not allowed:
        raise ConfigError(f"--allowed-ips {path}: no address or CIDR in it")
    return allowed


def _plain(eni: NetworkInterface) -> rc.Eni:
    return rc.Eni(eni_id=eni.network_interface_id, subnet_id=eni.subnet_id or "",
                  security_group_ids=tuple(sorted(eni.security_group_ids)), interface_type=eni.interface_type,
                  public_ip=eni.public_ip, allocation_id=eni.allocation_id)


def _group_check(group: EniGroup, names: dict[str, str], enis: dict[str, rc.Eni],
                 allowed: Sequence[rc.Network] | None) -> GroupCheck:
    statuses = [(e, rc.eni_status(enis[e], allowed)) for e in group.eni_ids if e in enis]
    bare = tuple(e for e, status in statuses if status == rc.NO_PUBLIC_IP)
    stray = [e for e, status in statuses if status == rc.IP_NOT_ALLOWED]
    return GroupCheck(
        account_id=group.account_id,
        region=group.region,
        vpc_id=group.vpc_id,
        subnet_id=group.subnet_id,
        security_group_ids=group.security_group_ids,
        eni_ids=group.eni_ids,
        public_ips=group.public_ips,
        eni_ids_without_public_ip=bare,
        function_names=tuple(sorted(names.get(arn, arn) for arn in group.function_arns)),
        # no ENI at all is drift too: nothing gives the next one an address (unless a guard runs)
        drift=not group.eni_ids or bool(bare or stray),
        eni_ids_not_allowed=tuple(stray),
        public_ips_not_allowed=tuple(str(enis[e].public_ip) for e in stray),
    )


def check(snapshot: Snapshot, allowed: Sequence[rc.Network] | None = None) -> VerifyResult:
    """Every ENI group routed to an internet gateway: OK with an allowed public IP on all ENIs, else drift."""
    topology = build_topology(snapshot)
    names = {f.arn: f.name for f in topology.functions}
    enis = {e.network_interface_id: _plain(e) for e in snapshot.network_interfaces}
    groups = [
        _group_check(g, names, enis, allowed)
        for g in topology.eni_groups if g.egress in ("igw-eip", "igw-no-public-ip")
    ]
    return VerifyResult(
        collected_at=snapshot.collected_at,
        accounts=snapshot.coverage.accounts,
        regions=snapshot.coverage.regions,
        # drift first, so the lines that need action lead
        groups=tuple(sorted(groups, key=lambda g: (not g.drift, g.account_id, g.region, g.subnet_id,
                                                   g.security_group_ids))),
        coverage_errors=snapshot.coverage.errors,
        allowed_ips=None if allowed is None else tuple(str(n) for n in allowed),
    )


def _group_line(group: GroupCheck) -> str:
    where = f"{group.account_id} {group.region} {group.subnet_id} [{','.join(group.security_group_ids)}]"
    functions = f"functions: {', '.join(group.function_names) or '-'}"
    if not group.drift:
        return f"OK     {where} ENIs {', '.join(group.eni_ids)} -> {', '.join(group.public_ips)}; {functions}"
    if not group.eni_ids:
        return (f"DRIFT  {where} no Lambda ENI now (reclaimed or not yet created); the next one comes up "
                f"without a public IP; {functions}")
    problems = []
    if group.eni_ids_without_public_ip:
        problems.append(f"no public IP on {', '.join(group.eni_ids_without_public_ip)} "
                        f"({len(group.eni_ids_without_public_ip)} of {len(group.eni_ids)} ENIs)")
    if group.eni_ids_not_allowed:
        pairs = ", ".join(f"{e} {ip}" for e, ip in zip(group.eni_ids_not_allowed, group.public_ips_not_allowed,
                                                        strict=True))
        problems.append(f"public IP not on the allow-list: {pairs}")
    return f"DRIFT  {where} {'; '.join(problems)}; {functions}"


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
    lacking = "lack an allowed public IP" if result.allowed_ips is not None else "lack a public IP"
    verdict = {
        "drift": f"DRIFT: {drifted} of {len(result.groups)} public-subnet ENI group(s) {lacking}; "
                 "re-associate their Elastic IPs",
        "incomplete": "INCOMPLETE: no drift found in what was scanned",
        "ok": f"OK: all {len(result.groups)} public-subnet ENI group(s) have "
              f"{'an allowed' if result.allowed_ips is not None else 'a'} public IP on every ENI"
        if result.groups else "OK: nothing to verify",
    }[result.status]
    lines.append(verdict)
    return "\n".join(lines)


def render_json(result: VerifyResult) -> str:
    """The result as JSON for scripts: the model's fields plus status and exit_code."""
    data = result.model_dump(mode="json")
    data.update(status=result.status, exit_code=result.exit_code, drift_count=len(result.drifted))
    return json.dumps(data, indent=2)
