"""report.json plan targets -> the guard's targets per account and region, with every placeholder resolved.

The report is read as plain JSON, not through the pydantic models: the guard
needs a handful of fields and must keep working when report.json gains others.
Every id that reaches a template, a policy or a command is checked against
its AWS shape here, so nothing from the scanned account can be read as YAML,
HCL or shell.

Plans name resources that do not exist yet (``<new-allocation-id-1>``,
``<new-public-subnet-vpc-0abc-us-east-1a>``). A least-privilege policy cannot hold
them, so the user passes the real ids: ``--allocation PLACEHOLDER=eipalloc-...``
and ``--subnet PLACEHOLDER=subnet-...``, optionally scoped
``ACCOUNT/REGION/PLACEHOLDER=...`` when the same placeholder appears in two
regions. One line names every placeholder still open.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.errors import ConfigError, SnapshotError

PATTERNS = {
    "account": re.compile(r"^\d{12}$"),
    "region": re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$"),
    "subnet": re.compile(r"^subnet-[0-9a-z][0-9a-z-]*$"),
    "sg": re.compile(r"^sg-[0-9a-z][0-9a-z-]*$"),
    "allocation": re.compile(r"^eipalloc-[0-9a-z][0-9a-z-]*$"),
    "nat": re.compile(r"^nat-[0-9a-z][0-9a-z-]*$"),
    "vpc": re.compile(r"^vpc-[0-9a-z][0-9a-z-]*$"),
}
PLACEHOLDER = re.compile(r"^<[a-z0-9][a-z0-9-]*>$")
IP = re.compile(r"^[0-9a-fA-F.:]+$")


@dataclass(frozen=True)
class GuardAllocation:
    allocation_id: str
    public_ip: str | None = None
    held_by_nat_gateway_ids: tuple[str, ...] = ()  # the NATs that hold it until the plan frees it


@dataclass(frozen=True)
class GuardTarget:
    plan_id: str
    account_id: str
    region: str
    vpc_id: str
    subnet_id: str
    availability_zone: str | None
    security_group_ids: tuple[str, ...]
    allocations: tuple[GuardAllocation, ...]
    function_arns: tuple[str, ...]
    nat_gateway_ids: tuple[str, ...]
    in_window: bool


def load_report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SnapshotError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SnapshotError(f"{path}: not a readable report.json ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("plans"), list):
        raise SnapshotError(f"{path}: not a lambda-egress report.json (no plans list)")
    plans = data["plans"]
    if str(data.get("schema_version")) == "1" or any("targets" not in p for p in plans if isinstance(p, dict)):
        raise SnapshotError(
            f"{path}: report.json schema {data.get('schema_version')!r} has no plan targets; re-run "
            "`lambda-egress report SNAPSHOT` with this version of lambda-egress and pass its report.json")
    return data


def select_plans(report: dict[str, Any], nat_ids: Sequence[str]) -> list[dict[str, Any]]:
    plans = [p for p in report["plans"] if isinstance(p, dict)]
    if not plans:
        raise ConfigError("the report has no migration plans: nothing to guard")
    if not nat_ids:
        return plans
    known = {n for p in plans for n in (p.get("nat_gateway_ids") or [p.get("nat_gateway_id")])}
    unknown = [n for n in nat_ids if n not in known]
    if unknown:
        raise ConfigError(f"--nat {', '.join(unknown)}: no plan in the report migrates it "
                          f"(plans cover: {', '.join(sorted(str(k) for k in known)) or 'none'})")
    wanted = set(nat_ids)
    return [p for p in plans if wanted & set(p.get("nat_gateway_ids") or [p.get("nat_gateway_id")])]


def checked(kind: str, value: Any, where: str) -> str:
    if not isinstance(value, str) or not PATTERNS[kind].match(value):
        raise SnapshotError(f"{where}: {value!r} is not a valid {kind} id")
    return value


# --------------------------------------------------------------------------- placeholders


Resolutions = dict[tuple[str | None, str], str]  # (scope "account/region" or None, placeholder) -> real id


def parse_resolutions(values: Iterable[str], kind: str, option: str) -> Resolutions:
    """``[ACCOUNT/REGION/]<placeholder>=real-id`` options, checked."""
    out: Resolutions = {}
    for value in values:
        key, sep, real = value.partition("=")
        scope, _, placeholder = key.rpartition("/")
        if not sep or not PLACEHOLDER.match(placeholder) or not PATTERNS[kind].match(real):
            prefix = "eipalloc" if kind == "allocation" else kind
            raise ConfigError(f"{option} {value!r}: expected '<placeholder>={prefix}-...' "
                              "(optionally 'ACCOUNT/REGION/<placeholder>=...')")
        if scope and not re.match(r"^\d{12}/[a-z]{2}(-[a-z]+)+-\d+$", scope):
            raise ConfigError(f"{option} {value!r}: the scope must be ACCOUNT/REGION")
        out[(scope or None, placeholder)] = real
    return out


class Resolver:
    """Looks placeholders up in the user's options; records what is missing and what went unused."""

    def __init__(self, allocations: Resolutions, subnets: Resolutions) -> None:
        self.given = {"allocation": allocations, "subnet": subnets}
        self.used: set[tuple[str, tuple[str | None, str]]] = set()
        self.missing: dict[str, set[str]] = {}  # placeholder -> the places it appears unresolved

    def resolve(self, kind: str, value: str, scope: str, where: str) -> str:
        if not isinstance(value, str) or not PLACEHOLDER.match(value):
            return checked(kind, value, where)
        given = self.given[kind]
        for key in ((scope, value), (None, value)):
            if key in given:
                self.used.add((kind, key))
                return given[key]
        self.missing.setdefault(value, set()).add(scope)
        return value

    def raise_for_gaps(self, scopes_of: dict[str, set[str]]) -> None:
        if self.missing:
            named = "; ".join(f"{p} ({', '.join(sorted(s))})" for p, s in sorted(self.missing.items()))
            raise ConfigError(
                f"unresolved placeholders: {named}; create them first, then pass "
                "--allocation '<new-allocation-id-N>=eipalloc-...' / --subnet '<new-public-subnet-VPC-AZ>=subnet-...'")
        for kind, given in self.given.items():
            for scope, placeholder in given:
                if (kind, (scope, placeholder)) not in self.used:
                    raise ConfigError(f"--{kind} {placeholder}: no such placeholder in the selected plans"
                                      + (f" for {scope}" if scope else ""))
                if scope is None and len(scopes_of.get(placeholder, ())) > 1:
                    places = ", ".join(sorted(scopes_of[placeholder]))
                    raise ConfigError(f"--{kind} {placeholder} is ambiguous: it appears in {places}; "
                                      f"write ACCOUNT/REGION/{placeholder}=...")


# --------------------------------------------------------------------------- targets


def _allocations(target: dict, plan: dict, resolver: Resolver, scope: str, where: str) -> tuple[GuardAllocation, ...]:
    ids = target.get("allocation_ids") or []
    ips = list(target.get("public_ips") or [None] * len(ids))
    if len(ips) != len(ids):
        raise SnapshotError(f"{where}: {len(ids)} allocation_ids but {len(ips)} public_ips")
    reused = set(plan.get("reused_allocation_ids") or [])
    nats = tuple(checked("nat", n, where) for n in plan.get("nat_gateway_ids") or [plan.get("nat_gateway_id")])
    out = []
    for raw, ip in zip(ids, ips, strict=True):
        if ip is not None and not (isinstance(ip, str) and IP.match(ip)):
            raise SnapshotError(f"{where}: {ip!r} is not an IP address")
        real = resolver.resolve("allocation", raw, scope, where)
        # A reused NAT address (and any real one of a target moved in the window) stays on the NAT until
        # the plan frees it: the guard waits for those NATs instead of raising drift.
        held = nats if raw in reused or (target.get("in_window") and not PLACEHOLDER.match(raw)) else ()
        out.append(GuardAllocation(allocation_id=real, public_ip=ip, held_by_nat_gateway_ids=held))
    return tuple(out)


def _target(target: dict, plan: dict, resolver: Resolver) -> GuardTarget:
    where = f"plan {plan.get('plan_id') or plan.get('nat_gateway_id')}"
    account = checked("account", target.get("account_id", plan.get("account_id")), where)
    region = checked("region", target.get("region", plan.get("region")), where)
    scope = f"{account}/{region}"
    return GuardTarget(
        plan_id=str(plan.get("plan_id") or plan.get("nat_gateway_id")),
        account_id=account,
        region=region,
        vpc_id=checked("vpc", target.get("vpc_id", plan.get("vpc_id")), where),
        subnet_id=resolver.resolve("subnet", target.get("subnet_id"), scope, where),
        availability_zone=target.get("availability_zone"),
        security_group_ids=tuple(sorted(checked("sg", s, where) for s in target.get("security_group_ids") or [])),
        allocations=_allocations(target, plan, resolver, scope, where),
        function_arns=tuple(str(a) for a in target.get("function_arns") or []),
        nat_gateway_ids=tuple(checked("nat", n, where) for n in target.get("nat_gateway_ids") or []),
        in_window=bool(target.get("in_window")),
    )


def _placeholder_scopes(plans: Iterable[dict]) -> dict[str, set[str]]:
    scopes: dict[str, set[str]] = {}
    for plan in plans:
        for t in plan.get("targets") or []:
            scope = f"{t.get('account_id', plan.get('account_id'))}/{t.get('region', plan.get('region'))}"
            for value in [t.get("subnet_id"), *(t.get("allocation_ids") or [])]:
                if isinstance(value, str) and PLACEHOLDER.match(value):
                    scopes.setdefault(value, set()).add(scope)
    return scopes


def guard_targets(plans: Sequence[dict], allocations: Resolutions, subnets: Resolutions
                  ) -> dict[tuple[str, str], tuple[GuardTarget, ...]]:
    """Targets per (account, region), placeholders resolved; one ConfigError naming every gap."""
    resolver = Resolver(allocations, subnets)
    targets = [_target(t, p, resolver) for p in plans for t in p.get("targets") or []]
    resolver.raise_for_gaps(_placeholder_scopes(plans))
    grouped: dict[tuple[str, str], list[GuardTarget]] = {}
    for target in targets:
        grouped.setdefault((target.account_id, target.region), []).append(target)
    for (account, region), group in grouped.items():
        _check_unique(account, region, group)
    if not grouped:
        raise ConfigError("the selected plans have no targets: nothing to guard")
    return {key: tuple(group) for key, group in sorted(grouped.items())}


def _check_unique(account: str, region: str, targets: Sequence[GuardTarget]) -> None:
    keys: set[tuple[str, tuple[str, ...]]] = set()
    owner: dict[str, str] = {}
    for t in targets:
        key = (t.subnet_id, t.security_group_ids)
        if key in keys:
            raise SnapshotError(f"{account} {region}: two targets for {t.subnet_id} [{','.join(t.security_group_ids)}]")
        keys.add(key)
        for a in t.allocations:
            if a.allocation_id in owner:
                raise ConfigError(f"{account} {region}: {a.allocation_id} is mapped to two targets "
                                  f"({owner[a.allocation_id]} and {t.subnet_id}); one allocation serves one ENI")
            owner[a.allocation_id] = t.subnet_id
