"""no-gateway-endpoint: a VPC with a NAT gateway but no S3 / DynamoDB gateway endpoint.

Gateway endpoints are free and take S3 and DynamoDB traffic off the NAT's
per-GB processing fee.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from analyzer.models import Finding, Settings, Topology, Usage, vpc_key
from analyzer.rules.base import GATEWAY_ENDPOINT_DOC, NAT_PRICING_DOC, Rule, ids_text

SERVICES = ("s3", "dynamodb")


def _check(rule: Rule, topology: Topology, usage: Usage, settings: Settings) -> Iterator[Finding]:
    nats_by_vpc: dict[str, list[str]] = defaultdict(list)  # one pass, not one per VPC
    for n in topology.nats:
        if n.connectivity_type == "public":
            nats_by_vpc[vpc_key(n.account_id, n.region, n.vpc_id)].append(n.nat_gateway_id)
    for key, present in sorted(topology.vpc_gateway_endpoints.items()):
        missing = [s for s in SERVICES if s not in present]
        if not missing:
            continue
        account_id, region, vpc_id = key.split("/", 2)
        nat_ids = sorted(nats_by_vpc.get(key, []))
        yield rule.finding(
            account_id=account_id,
            region=region,
            resource_ids=[vpc_id, *nat_ids],
            message=(
                f"VPC {vpc_id} has NAT gateway(s) {ids_text(nat_ids)} but no gateway endpoint for "
                f"{' or '.join(missing)}: that traffic pays the NAT processing fee per GB."
            ),
            evidence={
                "vpc_id": vpc_id,
                "missing_services": missing,
                "present_services": sorted(present),
                "nat_gateway_ids": nat_ids,
            },
        )


RULE = Rule(
    id="no-gateway-endpoint",
    severity="low",
    title="VPC with a NAT gateway but no S3/DynamoDB gateway endpoint",
    rationale=(
        "Traffic to S3 and DynamoDB through a NAT gateway pays the per-GB processing fee. Gateway "
        "endpoints for both services are free and keep that traffic off the NAT."
    ),
    remediation=(
        "Create the missing gateway endpoints (aws ec2 create-vpc-endpoint --vpc-endpoint-type Gateway "
        "--service-name com.amazonaws.<region>.s3 --vpc-id <vpc> --route-table-ids <private tables>) and "
        "associate them with the route tables of the subnets that route to the NAT."
    ),
    references=(GATEWAY_ENDPOINT_DOC, NAT_PRICING_DOC),
    check=_check,
)
