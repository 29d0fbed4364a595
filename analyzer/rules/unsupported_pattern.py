"""unsupported-pattern: EIP-on-ENI egress rests on behaviour AWS does not document or support.

No Lambda guide documents an Elastic IP on a Hyperplane ENI; AWS's own sample
that does it calls the approach suited to non-production; and a newer
revision of the EC2 user guide lists associating or disassociating Elastic IPs
among the actions not allowed on requester-managed network interfaces. Lambda
ENIs have been seen reporting ``RequesterManaged`` both ways: where they say
``true``, the association may be refused (or undone) by AWS.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.models import Finding, Settings, Topology, Usage
from analyzer.rules.base import NETWORKING_DOC, Rule, candidate_nats, ids_text, plural

REQUESTER_MANAGED_DOC = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/requester-managed-eni.html"
AWS_SAMPLE = "https://github.com/aws-samples/serverless-patterns/tree/main/lambda-elastic-ip-no-nat-gateway-cdk"


def _check(rule: Rule, topology: Topology, usage: Usage, settings: Settings) -> Iterator[Finding]:
    for nat in candidate_nats(topology):
        flagged = nat.requester_managed_eni_ids
        known = (
            f" {len(flagged)} of its Lambda ENIs ({ids_text(flagged)}) report "
            "RequesterManaged: true, the case the EC2 guide forbids."
            if flagged
            else " None of its Lambda ENIs reports RequesterManaged: true in this scan; the flag has been seen both "
            "ways, so that is no guarantee."
        )
        yield rule.finding(
            account_id=nat.account_id,
            region=nat.region,
            severity="high" if flagged else None,
            resource_ids=[nat.nat_gateway_id, *nat.lambda_eni_ids],
            message=(
                f"Moving the {plural(len(nat.function_arns), 'function')} behind {nat.nat_gateway_id} to an Elastic "
                "IP on their Lambda ENIs relies on an undocumented pattern: AWS's own sample calls it suited to "
                "non-production, and the EC2 user guide lists associating Elastic IPs among the actions not "
                f"allowed on requester-managed interfaces.{known}"
            ),
            evidence={
                "nat_gateway_id": nat.nat_gateway_id,
                "lambda_eni_ids": list(nat.lambda_eni_ids),
                "requester_managed_eni_ids": list(flagged),
            },
        )


RULE = Rule(
    id="unsupported-pattern",
    severity="medium",
    title="EIP-on-Lambda-ENI egress is undocumented and may not be supported",
    rationale=(
        "The Lambda developer guide never documents an Elastic IP on a Hyperplane ENI and advises against relying "
        "on ENI persistence; AWS's sample lambda-elastic-ip-no-nat-gateway-cdk says the approach suits "
        "non-production; the EC2 guide's requester-managed interfaces page (newer revisions) lists associating or "
        "disassociating Elastic IPs among the actions not allowed. A change on AWS's side can break the egress "
        "address without notice."
    ),
    remediation=(
        "Decide it as a risk acceptance, not a cost tweak: keep the NAT gateway for traffic that cannot lose its "
        "fixed address, pilot on a non-critical function, deploy the guard (`lambda-egress guard`) and the "
        "scheduled `lambda-egress verify --allowed-ips FILE`, and re-check the RequesterManaged flag of the Lambda "
        "ENIs (describe-network-interfaces) before each rollout."
    ),
    references=(NETWORKING_DOC, REQUESTER_MANAGED_DOC, AWS_SAMPLE),
    check=_check,
)
