"""The guard's Lambda function: keep the mapped Elastic IPs on Lambda's Hyperplane ENIs.

Runs on two triggers with the same code path: an EventBridge rule on Lambda's
``CreateNetworkInterface`` CloudTrail events in the guarded subnets (fast), and
a schedule every few minutes (the safety net: CloudTrail events reach
EventBridge only where a trail logs management events, and can be late).
Every run reads the whole mapping's state, decides with ``reconcile`` (the
module ``lambda-egress verify`` uses too), associates free allocations with
bare ENIs, and logs one JSON line per decision plus a summary line in
CloudWatch Embedded Metric Format: the metric ``LambdaEgressGuard/Drift`` (one
custom metric, dimension ``Guard``) that the template's alarm watches; no
``cloudwatch:PutMetricData`` permission is needed for it.

Dependency-free: the standard library and the boto3 of the Lambda runtime.
``mapping.json`` sits next to this file in the deployment package.

Races: the function runs with reserved concurrency 1 where the account allows
it, and every association is made with ``AllowReassociation=False`` after a
fresh look at the ENI, so an allocation on anything else is never taken and a
run that lost a race to another one re-reads the state and decides again.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from . import reconcile as rc

MAPPING_FILE = Path(__file__).with_name("mapping.json")
METRIC_NAMESPACE = "LambdaEgressGuard"
FILTER_CHUNK = 200  # values per Describe filter
PASSES = 3  # decide-act rounds when a run loses a race
HOLDING_STATES = ("pending", "available", "deleting")  # a NAT gateway in these still holds its addresses


# --------------------------------------------------------------------------- mapping


class Mapping:
    """mapping.json, read into reconcile's plain types."""

    def __init__(self, data: dict[str, Any]) -> None:
        if str(data.get("schema_version")) != "1":
            raise ValueError(f"mapping.json schema_version {data.get('schema_version')!r} is not 1")
        self.account_id: str = data["account_id"]
        self.region: str = data["region"]
        self.targets = tuple(
            rc.Target(
                subnet_id=t["subnet_id"],
                security_group_ids=tuple(sorted(t["security_group_ids"])),
                allocation_ids=tuple(a["allocation_id"] for a in t["allocations"]),
                held_by={a["allocation_id"]: tuple(a.get("held_by_nat_gateway_ids") or ())
                         for a in t["allocations"]},
                function_arns=tuple(t.get("function_arns", ())),
            )
            for t in data["targets"]
        )
        self.extra_allowed = rc.parse_allow_list(data.get("allowed_ips", ()))

    @property
    def subnet_ids(self) -> list[str]:
        return sorted({t.subnet_id for t in self.targets})

    @property
    def allocation_ids(self) -> list[str]:
        return [a for t in self.targets for a in t.allocation_ids]

    @classmethod
    def load(cls, path: Path = MAPPING_FILE) -> Mapping:
        return cls(json.loads(path.read_text(encoding="utf-8")))


# --------------------------------------------------------------------------- reading AWS


def _chunks(values: list[str]) -> list[list[str]]:
    return [values[i : i + FILTER_CHUNK] for i in range(0, len(values), FILTER_CHUNK)]


def _eni(raw: dict[str, Any]) -> rc.Eni:
    association = raw.get("Association") or {}
    return rc.Eni(
        eni_id=raw["NetworkInterfaceId"],
        subnet_id=raw.get("SubnetId", ""),
        security_group_ids=tuple(sorted(g["GroupId"] for g in raw.get("Groups", []))),
        interface_type=raw.get("InterfaceType", "interface"),
        public_ip=association.get("PublicIp"),
        allocation_id=association.get("AllocationId"),
    )


def _managed(ec2: Any) -> dict[str, bool]:
    """IncludeManagedResources=True where this botocore knows it: Lambda ENIs can be hidden without it."""
    shape = ec2.meta.service_model.operation_model("DescribeNetworkInterfaces").input_shape
    return {"IncludeManagedResources": True} if "IncludeManagedResources" in shape.members else {}


def describe_enis(ec2: Any, subnet_ids: list[str]) -> list[rc.Eni]:
    enis: list[rc.Eni] = []
    pages = ec2.get_paginator("describe_network_interfaces")
    for chunk in _chunks(subnet_ids):
        for page in pages.paginate(Filters=[{"Name": "subnet-id", "Values": chunk}], **_managed(ec2)):
            enis += [_eni(raw) for raw in page["NetworkInterfaces"]]
    return enis


def describe_eni(ec2: Any, eni_id: str) -> rc.Eni | None:
    try:
        found = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id], **_managed(ec2))["NetworkInterfaces"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "InvalidNetworkInterfaceID.NotFound":
            return None
        raise
    return _eni(found[0]) if found else None


def describe_addresses(ec2: Any, allocation_ids: list[str]) -> dict[str, rc.Address]:
    """The mapped allocations that exist (a filter, not AllocationIds=: one released id fails no call)."""
    found: dict[str, rc.Address] = {}
    for chunk in _chunks(allocation_ids):
        for raw in ec2.describe_addresses(Filters=[{"Name": "allocation-id", "Values": chunk}])["Addresses"]:
            found[raw["AllocationId"]] = rc.Address(
                allocation_id=raw["AllocationId"], public_ip=raw.get("PublicIp"),
                association_id=raw.get("AssociationId") or None,
                network_interface_id=raw.get("NetworkInterfaceId") or None,
            )
    return found


def nat_holdings(ec2: Any, mapping: Mapping, addresses: dict[str, rc.Address]) -> dict[str, str]:
    """allocation id -> the NAT gateway holding it, for associated allocations the mapping says a NAT may hold."""
    wanted = {alloc: nats for t in mapping.targets for alloc, nats in t.held_by.items()
              if nats and alloc in addresses and addresses[alloc].associated}
    nat_ids = sorted({n for nats in wanted.values() for n in nats})
    holdings: dict[str, str] = {}
    for chunk in _chunks(nat_ids):
        pages = ec2.get_paginator("describe_nat_gateways").paginate(
            Filters=[{"Name": "nat-gateway-id", "Values": chunk}])
        for page in pages:
            for nat in page["NatGateways"]:
                if nat.get("State") not in HOLDING_STATES:
                    continue
                for address in nat.get("NatGatewayAddresses", []):
                    if address.get("AllocationId") in wanted:
                        holdings[address["AllocationId"]] = nat["NatGatewayId"]
    return holdings


def decide(ec2: Any, mapping: Mapping) -> tuple[rc.Decision, ...]:
    addresses = describe_addresses(ec2, mapping.allocation_ids)
    enis = describe_enis(ec2, mapping.subnet_ids)
    return rc.reconcile(mapping.targets, enis, addresses, extra_allowed=mapping.extra_allowed,
                        nat_holdings=nat_holdings(ec2, mapping, addresses))


# --------------------------------------------------------------------------- acting


def _with(decision: rc.Decision, action: str, reason: str, detail: str = "", **extra: Any) -> rc.Decision:
    fields = {**decision.__dict__, "action": action, "reason": reason, "detail": detail, **extra}
    return rc.Decision(**fields)


def associate(ec2: Any, decision: rc.Decision) -> tuple[rc.Decision, bool]:
    """Carry out one ASSOCIATE decision; (what happened, whether the run lost a race and must decide again)."""
    assert decision.eni_id and decision.allocation_id
    fresh = describe_eni(ec2, decision.eni_id)
    if fresh is None:
        return _with(decision, rc.IGNORE, "eni-gone", "the ENI was deleted before the association"), False
    if fresh.public_ip:
        return _with(decision, rc.OK, "already-has-public-ip", "another run associated it first",
                     public_ip=fresh.public_ip, allocation_id=fresh.allocation_id), True
    try:
        ec2.associate_address(AllocationId=decision.allocation_id, NetworkInterfaceId=decision.eni_id,
                              AllowReassociation=False)
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code == "Resource.AlreadyAssociated":
            return _with(decision, rc.WAIT, "lost-race", "the allocation was associated meanwhile; decide again"), True
        return _with(decision, rc.DRIFT, "associate-failed",
                     f"{code}: {exc.response['Error'].get('Message', '')}".strip()), False
    return _with(decision, rc.ASSOCIATE, "associated", "the free allocation of this target"), False


def run(ec2: Any, mapping: Mapping) -> list[rc.Decision]:
    """Decide and act until no race changed the state under the run (at most PASSES rounds).

    Returns the associations made in earlier rounds followed by every decision of the last one.
    """
    done: list[rc.Decision] = []
    for round_ in range(PASSES):
        current, again = [], False
        for decision in decide(ec2, mapping):
            if decision.action == rc.ASSOCIATE:
                decision, lost = associate(ec2, decision)
                again = again or lost
            current.append(decision)
        if not again or round_ == PASSES - 1:
            return done + current
        done += [d for d in current if d.action == rc.ASSOCIATE]
    return done


# --------------------------------------------------------------------------- the entry point


def _event_eni_id(event: dict[str, Any]) -> str | None:
    detail = event.get("detail") or {}
    interface = (detail.get("responseElements") or {}).get("networkInterface") or {}
    return interface.get("networkInterfaceId")


def _trigger(event: dict[str, Any]) -> str:
    if event.get("detail-type") == "Scheduled Event":
        return "schedule"
    return "event" if _event_eni_id(event) else "manual"


def _await_event_eni(ec2: Any, eni_id: str, mapping: Mapping) -> rc.Decision | None:
    """The event's ENI, once Describe shows it: a decision when the guard leaves it alone, else None."""
    attempts, delay = int(os.environ.get("EVENT_ENI_ATTEMPTS", "3")), float(os.environ.get("EVENT_ENI_DELAY", "5"))
    for attempt in range(attempts):
        eni = describe_eni(ec2, eni_id)
        if eni is not None:
            return rc.unguarded(eni, mapping.targets)
        if attempt + 1 < attempts:
            time.sleep(delay)
    return rc.Decision(action=rc.IGNORE, reason="eni-not-visible", subnet_id="", security_group_ids=(),
                       eni_id=eni_id, detail="not visible yet; the schedule picks it up")


def log_line(decision: rc.Decision, guard: str, trigger: str) -> str:
    return json.dumps({
        "guard": guard, "trigger": trigger, "action": decision.action, "reason": decision.reason,
        "eni_id": decision.eni_id, "subnet_id": decision.subnet_id,
        "security_group_ids": list(decision.security_group_ids), "allocation_id": decision.allocation_id,
        "public_ip": decision.public_ip, "detail": decision.detail,
    }, sort_keys=True)


def summary_line(decisions: list[rc.Decision], guard: str, trigger: str) -> dict[str, Any]:
    counts = {action: sum(d.action == action for d in decisions) for action in (rc.ASSOCIATE, rc.OK, rc.DRIFT,
                                                                                 rc.WAIT, rc.IDLE, rc.IGNORE)}
    return {
        "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [{
            "Namespace": METRIC_NAMESPACE, "Dimensions": [["Guard"]],
            "Metrics": [{"Name": "Drift", "Unit": "Count"}]}]},
        "Guard": guard, "Drift": counts[rc.DRIFT], "Associated": counts[rc.ASSOCIATE],
        "guard": guard, "trigger": trigger, "action": "summary", "counts": counts,
    }


def check_place(mapping: Mapping, context: Any) -> None:
    """Refuse to run with another account's or region's mapping (the alarm on errors fires)."""
    region = os.environ.get("AWS_REGION", mapping.region)
    arn = getattr(context, "invoked_function_arn", "") or ""
    account = arn.split(":")[4] if arn.count(":") >= 5 else mapping.account_id
    if (account, region) != (mapping.account_id, mapping.region):
        raise RuntimeError(f"mapping.json is for {mapping.account_id} {mapping.region}, running in {account} {region}")


def handler(event: dict[str, Any], context: Any, ec2: Any = None, mapping: Mapping | None = None) -> dict[str, Any]:
    mapping = mapping or Mapping.load()
    check_place(mapping, context)
    ec2 = ec2 or boto3.client("ec2", region_name=mapping.region)
    guard = getattr(context, "function_name", None) or os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "lambda-egress-guard")
    trigger = _trigger(event)
    decisions: list[rc.Decision] = []
    event_eni = _event_eni_id(event)
    if event_eni:
        left_alone = _await_event_eni(ec2, event_eni, mapping)
        decisions += [left_alone] if left_alone else []
    decisions += run(ec2, mapping)
    for decision in decisions:
        print(log_line(decision, guard, trigger))
    summary = summary_line(decisions, guard, trigger)
    print(json.dumps(summary, sort_keys=True))
    return {"drift": summary["Drift"], "associated": summary["Associated"], "counts": summary["counts"]}
