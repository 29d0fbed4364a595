"""eip-quota: the migration needs more Elastic IPs than the region allows.

Each Lambda ENI group needs its own EIP. Together with the EIPs already
allocated in the region, that can pass the Elastic IP quota (5 by default),
and the migration stalls at the allocate step.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from analyzer.models import Finding, NatView, Settings, Topology, Usage, region_key
from analyzer.rules.base import EIP_QUOTA_DOC, Rule, candidate_nats, new_addresses, plural


def _by_region(topology: Topology) -> dict[str, list[NatView]]:
    regions: dict[str, list[NatView]] = defaultdict(list)
    for nat in candidate_nats(topology):
        regions[region_key(nat.account_id, nat.region)].append(nat)
    return regions


def _quota(topology: Topology, key: str, settings: Settings) -> tuple[int, str]:
    quota = topology.eip_quotas.get(key)
    if quota is None:
        return settings.default_eip_quota, "default"
    return quota.value, quota.source


def _check(rule: Rule, topology: Topology, usage: Usage, settings: Settings) -> Iterator[Finding]:
    for key, nats in sorted(_by_region(topology).items()):
        allocated = topology.eips_allocated.get(key, 0)
        per_nat = {n.nat_gateway_id: new_addresses(n) for n in nats}
        additional = sum(per_nat.values())
        needed = allocated + additional
        quota, source = _quota(topology, key, settings)
        if needed <= quota:
            continue
        account_id, region = nats[0].account_id, nats[0].region
        yield rule.finding(
            account_id=account_id,
            region=region,
            resource_ids=sorted(per_nat),
            message=(
                f"Account {account_id} in {region} has {allocated} Elastic IPs allocated; moving the "
                f"functions behind {plural(len(nats), 'NAT gateway')} to EIP-on-ENI egress adds "
                f"{additional}, {needed} in all, over the quota of {quota} ({source})."
            ),
            evidence={
                "allocated": allocated,
                "additional": additional,
                "additional_by_nat": per_nat,
                "needed": needed,
                "quota": quota,
                "quota_source": source,
            },
            remediation=(
                f"Request an Elastic IP quota of at least {needed} for account {account_id} in {region} "
                "(Service Quotas, code L-0263D0A3) before allocating, or release unused EIPs, or migrate "
                "fewer NAT gateways."
            ),
        )


RULE = Rule(
    id="eip-quota",
    severity="high",
    title="Migration needs more Elastic IPs than the region's quota",
    rationale=(
        "EIP-on-ENI egress needs one Elastic IP per Lambda ENI. Accounts start with a quota of 5 Elastic "
        "IPs per region; allocation fails past the quota, halfway through a migration."
    ),
    remediation=(
        "Request a higher Elastic IP quota (Service Quotas, code L-0263D0A3) before allocating, or release "
        "unused EIPs, or migrate fewer NAT gateways."
    ),
    references=(EIP_QUOTA_DOC,),
    check=_check,
)
