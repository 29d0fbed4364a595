"""What a risk rule is, and the small helpers every rule shares.

A rule is metadata (id, severity, title, rationale, remediation, references)
kept beside a pure check function, in the style of Prowler checks: the
metadata is what reports and suppression files refer to, the check only
turns a topology and usage into findings. Checks never do I/O and never read
a clock, so the same snapshot always yields the same findings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from analyzer.models import EniGroup, Finding, NatView, Settings, Severity, TargetEni, Topology, Usage

# Lambda's own pages on the behaviour most rules rest on.
VPC_DOC = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html"
NETWORKING_DOC = "https://docs.aws.amazon.com/lambda/latest/dg/foundation-networking.html"
STATES_DOC = "https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html"
NAT_PRICING_DOC = "https://aws.amazon.com/vpc/pricing/"
EIP_QUOTA_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html"
GATEWAY_ENDPOINT_DOC = "https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html"

# Egress paths where Lambda's ENI lifecycle matters: the function reaches the
# internet (or is meant to) through its own ENI or a NAT it could leave.
EXPOSED_EGRESS = frozenset({"nat", "igw-eip", "igw-no-public-ip"})

CheckFn = Callable[["Rule", Topology, Usage, Settings], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """One risk rule: contract metadata plus a pure check."""

    id: str
    severity: Severity
    title: str
    rationale: str
    remediation: str
    references: tuple[str, ...]
    check: CheckFn = field(repr=False, compare=False)

    def evaluate(self, topology: Topology, usage: Usage, settings: Settings) -> Iterable[Finding]:
        """Run the check; findings carry this rule's metadata."""
        return self.check(self, topology, usage, settings)

    def finding(
        self,
        *,
        account_id: str,
        region: str,
        resource_ids: Iterable[str],
        message: str,
        evidence: dict[str, Any],
        severity: Severity | None = None,
        remediation: str | None = None,
    ) -> Finding:
        """Build a finding from this rule's metadata and one resource's facts.

        ``severity`` overrides the default for rules with graded severities;
        ``remediation`` replaces the generic text when the real ids make it
        more actionable.
        """
        return Finding(
            rule_id=self.id,
            severity=severity or self.severity,
            title=self.title,
            account_id=account_id,
            region=region,
            resource_ids=unique(resource_ids),
            message=message,
            evidence=evidence,
            remediation=remediation or self.remediation,
            references=self.references,
        )


def unique(ids: Iterable[str]) -> tuple[str, ...]:
    """Ids in first-seen order without repeats (the first id stays the primary resource)."""
    return tuple(dict.fromkeys(i for i in ids if i))


def group_resources(group: EniGroup) -> list[str]:
    """resource_ids of a finding about one ENI group: the subnet first, then its ENIs and functions."""
    return [group.subnet_id, *group.eni_ids, *group.function_arns]


def group_evidence(group: EniGroup, **extra: Any) -> dict[str, Any]:
    """The evidence every ENI-group finding carries, plus the rule's own numbers."""
    return {
        "subnet_id": group.subnet_id,
        "security_group_ids": list(group.security_group_ids),
        "eni_ids": list(group.eni_ids),
        "function_arns": list(group.function_arns),
        **extra,
    }


def targets_by_nat(topology: Topology, owner: bool = False) -> dict[tuple[str, str, str], list[TargetEni]]:
    """(account, region, NAT id) -> the target ENIs its functions land on (``owner``: only those it owns).

    Built once per rule run, so a rule over every NAT stays linear in the estate.
    """
    out: dict[tuple[str, str, str], list[TargetEni]] = defaultdict(list)
    for t in topology.targets:
        for nat_id in (t.owner_nat_gateway_id,) if owner else t.nat_gateway_ids:
            out[(t.account_id, t.region, nat_id)].append(t)
    return out


def candidate_nats(topology: Topology) -> tuple[NatView, ...]:
    """NAT gateways that carry at least one Lambda function: the migration candidates."""
    return tuple(n for n in topology.nats if n.function_arns)


def new_addresses(nat: NatView) -> int:
    """Elastic IPs a migration off ``nat`` allocates (``analyzer.design`` decided which addresses are reused)."""
    return nat.new_eips


def function_name(arn: str) -> str:
    """The function name in a Lambda ARN (arn:aws:lambda:r:acct:function:NAME[:qualifier])."""
    parts = arn.split(":")
    if len(parts) >= 7 and parts[5] == "function":
        return parts[6]
    return arn


def ids_text(ids: Iterable[str], limit: int = 5) -> str:
    """A short, readable list of ids for a message: 'a, b, c and 2 more'."""
    items = list(ids)
    if not items:
        return "none"
    if len(items) <= limit:
        return ", ".join(items)
    return f"{', '.join(items[:limit])} and {len(items) - limit} more"


def names_text(arns: Iterable[str], limit: int = 5) -> str:
    """Function names (not full ARNs) for a message; the ARNs go in evidence."""
    return ids_text((function_name(a) for a in arns), limit)


def plural(count: int, word: str, suffix: str = "s") -> str:
    """'1 function', '3 functions'."""
    return f"{count} {word}{'' if count == 1 else suffix}"


def num(value: Decimal | float | int | None, places: int = 4) -> float | None:
    """A JSON-friendly number for evidence (Decimal is not JSON-serialisable)."""
    if value is None:
        return None
    return round(float(value), places)


def percent(value: Decimal | float) -> str:
    """0.625 -> '62.5%' for messages."""
    return f"{float(value) * 100:.1f}%".replace(".0%", "%")
