"""nat-shared: the NAT also serves non-Lambda consumers.

A NAT gateway that carries traffic for instances, containers or endpoints
stays after the Lambda functions leave it: only the Lambda share of its bytes
is saved, not its hours or its addresses.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.models import Finding, Settings, Topology, Usage
from analyzer.rules.base import NAT_PRICING_DOC, Rule, candidate_nats, ids_text, num, percent, plural


def _check(rule: Rule, topology: Topology, usage: Usage, settings: Settings) -> Iterator[Finding]:
    for nat in candidate_nats(topology):
        if nat.removable:
            continue
        nu = usage.nats.get(nat.nat_gateway_id)
        others = nat.other_consumer_eni_ids
        share = (
            f"the Lambda share of its bytes ({percent(nu.lambda_share)}, {nu.attribution}, "
            f"{nu.confidence} confidence)"
            if nu is not None
            else "the Lambda share of its bytes (unknown: no usage data)"
        )
        yield rule.finding(
            account_id=nat.account_id,
            region=nat.region,
            resource_ids=[nat.nat_gateway_id, *others],
            message=(
                f"{nat.nat_gateway_id} also serves {plural(len(others), 'non-Lambda ENI')} "
                f"({ids_text(others)}): it stays after the migration, so only {share} is saved; "
                "its hourly charge and public IPs remain."
            ),
            evidence={
                "nat_gateway_id": nat.nat_gateway_id,
                "other_consumer_eni_ids": list(others),
                "lambda_eni_ids": list(nat.lambda_eni_ids),
                "lambda_share": num(nu.lambda_share) if nu else None,
                "attribution": nu.attribution if nu else None,
                "confidence": nu.confidence if nu else None,
            },
        )


RULE = Rule(
    id="nat-shared",
    severity="medium",
    title="NAT gateway also serves non-Lambda consumers",
    rationale=(
        "A NAT gateway is billed per hour and per GB processed. When other ENIs route through it, it cannot "
        "be deleted after the Lambda functions move: the saving is only the processing fee on the Lambda "
        "bytes, while the new EIPs add cost."
    ),
    remediation=(
        "Check the saving in the cost table uses the Lambda share, not the whole NAT. Where the share is "
        "estimated from ENI counts (eni-share), enable VPC Flow Logs on the NAT's ENI with pkt-srcaddr and "
        "re-run with them to attribute bytes exactly before deciding."
    ),
    references=(NAT_PRICING_DOC,),
    check=_check,
)
