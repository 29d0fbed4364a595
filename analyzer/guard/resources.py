"""The guard's AWS resources as data: names, the IAM policy, the event pattern, the schedule.

Both templates (CloudFormation and Terraform) render these same values, so the
two formats cannot grant or match different things, and the policy test checks
this one document against the calls the handler makes on moto.

Least privilege, statement by statement:

* ``ReadNetworkState``: ``ec2:DescribeNetworkInterfaces``, ``ec2:DescribeAddresses``,
  ``ec2:DescribeNatGateways``. EC2 Describe calls support no resource-level
  permissions, so their resource is ``*``; they only read.
* ``AssociateOnlyTheMappedAllocations``: ``ec2:AssociateAddress`` on the
  ``elastic-ip`` ARNs of the mapped allocations, and nothing else.
* ``AssociateOnlyWithEnisInGuardedSubnets``: the same call also authorizes the
  ``network-interface`` it targets; this statement allows only interfaces whose
  ``ec2:Subnet`` is a guarded subnet. The allocation ARNs and the subnet condition
  sit in separate statements because a condition key that a resource type does not
  have (``ec2:Subnet`` on an Elastic IP) makes its statement fail for that resource.
* ``WriteOwnLogs``: the function's own log group, which the template creates with
  a retention (so the role needs no ``logs:CreateLogGroup``).

No ``ec2:DisassociateAddress``: the guard never takes an address from anything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

# The default guard name: one guard per account and region. A runbook deploys one guard per plan
# (``--name lambda-egress-guard-<first NAT id>``), so plans never overwrite each other's mapping.
FUNCTION_NAME = "lambda-egress-guard"
STACK_NAME = FUNCTION_NAME
TOPIC_NAME = f"{FUNCTION_NAME}-alerts"
LOG_GROUP = f"/aws/lambda/{FUNCTION_NAME}"
# Letters, digits and hyphens, short enough that "<name>-<region>" (the IAM role) and "<name>-eni-created"
# (the EventBridge rule) stay within AWS's 64-character limits.
NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,40}$")
HANDLER = "lambda_egress_guard.handler.handler"
PACKAGE = "lambda_egress_guard"  # the runtime package's name inside the deployment zip
RUNTIME = "python3.13"
MEMORY_MB = 128
TIMEOUT_SECONDS = 60
SCHEDULE_MINUTES = 5
SCHEDULE = f"rate({SCHEDULE_MINUTES} minutes)"
LOG_RETENTION_DAYS = 30
METRIC_NAMESPACE = "LambdaEgressGuard"  # the handler's EMF summary line (runtime/handler.py says the same)
DRIFT_ALARM_PERIOD = 3 * SCHEDULE_MINUTES * 60  # three schedule runs: no datapoint in it means the guard is not running

HANDLER_READS = ("ec2:DescribeAddresses", "ec2:DescribeNatGateways", "ec2:DescribeNetworkInterfaces")
HANDLER_WRITES = ("ec2:AssociateAddress",)


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


@dataclass(frozen=True)
class GuardNames:
    """Every name one guard's resources carry, derived from the guard's name."""

    name: str

    @property
    def function(self) -> str:
        return self.name

    @property
    def stack(self) -> str:
        return self.name

    @property
    def topic(self) -> str:
        return f"{self.name}-alerts"

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.name}"

    def role(self, region: str) -> str:
        """IAM names are global to the account: one guard role per region."""
        return f"{self.name}-{region}"


def guard_names(name: str = FUNCTION_NAME) -> GuardNames:
    """The names of one guard; ValueError when ``name`` does not fit AWS's name rules and limits."""
    if not NAME_PATTERN.match(name):
        raise ValueError(f"guard name {name!r}: use letters, digits and hyphens, starting with a letter, "
                         "at most 41 characters")
    return GuardNames(name)


def role_name(region: str, name: str = FUNCTION_NAME) -> str:
    return guard_names(name).role(region)


def ec2_arn(account_id: str, region: str, kind: str, resource_id: str) -> str:
    return f"arn:{partition(region)}:ec2:{region}:{account_id}:{kind}/{resource_id}"


def policy_document(account_id: str, region: str, allocation_ids: Iterable[str], subnet_ids: Iterable[str],
                    name: str = FUNCTION_NAME) -> dict:
    """The guard role's only policy (see the module docstring for why each statement is there)."""
    log_group = f"arn:{partition(region)}:logs:{region}:{account_id}:log-group:{guard_names(name).log_group}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ReadNetworkState", "Effect": "Allow", "Action": list(HANDLER_READS), "Resource": "*"},
            {"Sid": "AssociateOnlyTheMappedAllocations", "Effect": "Allow", "Action": "ec2:AssociateAddress",
             "Resource": [ec2_arn(account_id, region, "elastic-ip", a) for a in sorted(set(allocation_ids))]},
            {"Sid": "AssociateOnlyWithEnisInGuardedSubnets", "Effect": "Allow", "Action": "ec2:AssociateAddress",
             "Resource": ec2_arn(account_id, region, "network-interface", "*"),
             "Condition": {"StringEquals": {
                 "ec2:Subnet": [ec2_arn(account_id, region, "subnet", s) for s in sorted(set(subnet_ids))]}}},
            {"Sid": "WriteOwnLogs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": [f"{log_group}:*"]},
        ],
    }


def event_pattern(subnet_ids: Iterable[str]) -> dict:
    """CloudTrail CreateNetworkInterface calls Lambda makes in the guarded subnets.

    Both service markers are accepted ($or): CloudTrail records calls a service makes on your
    behalf with the service in ``sourceIPAddress`` or in ``userIdentity.invokedBy``.
    """
    return {
        "source": ["aws.ec2"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": ["ec2.amazonaws.com"],
            "eventName": ["CreateNetworkInterface"],
            "requestParameters": {"subnetId": sorted(set(subnet_ids))},
            "$or": [
                {"sourceIPAddress": ["lambda.amazonaws.com"]},
                {"userIdentity": {"invokedBy": ["lambda.amazonaws.com"]}},
            ],
        },
    }


def compact(data: dict) -> str:
    return json.dumps(data, separators=(",", ":"), sort_keys=False)
