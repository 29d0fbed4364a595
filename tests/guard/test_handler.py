"""The guard's handler against moto (issue 12, item 2): one test per behaviour.

Lambda ENIs are seeded into moto's backend (moto never creates them; see guard_estate.py).
"""

from __future__ import annotations

import json

import pytest
from guard_estate import (
    CONTEXT,
    SCHEDULED,
    decisions,
    eni_event,
    mapping_for,
    run,
    seed,
    simple_mapping,
)
from guard_report import plan, target

from analyzer.guard.runtime import handler
from analyzer.guard.runtime import reconcile as rc

pytestmark = pytest.mark.usefixtures("aws")


def test_a_bare_lambda_eni_gets_the_free_allocation_and_a_second_run_changes_nothing(capsys) -> None:
    estate = seed()
    (alloc,) = estate.allocate(1)
    eni = estate.lambda_eni()

    result, lines = run(estate, simple_mapping(estate, [alloc]), capsys, eni_event(eni, estate.public))

    assert estate.public_ip(eni) == estate.ips[alloc]
    assert decisions(lines) == [("associate", "associated", eni, alloc)]
    assert (result["drift"], result["associated"]) == (0, 1)

    again, lines = run(estate, simple_mapping(estate, [alloc]), capsys)  # the schedule, right after

    assert decisions(lines) == [("ok", "public-ip-allowed", eni, alloc)]
    assert (again["drift"], again["associated"]) == (0, 0)
    assert estate.allocation_of(alloc) == eni


def test_event_and_schedule_racing_never_double_associate_or_steal(capsys) -> None:
    """Two runs decided on the same state; one acts first. The other must neither re-map nor alarm."""
    estate = seed()
    first, second = estate.allocate(2)
    eni_a, eni_b = sorted([estate.lambda_eni(ip="10.0.0.30"), estate.lambda_eni(ip="10.0.0.31")])
    mapping = simple_mapping(estate, [first, second])
    stale = handler.decide(estate.ec2, mapping)  # the event's run reads the state ...
    assert [(d.action, d.eni_id, d.allocation_id) for d in stale] == [
        ("associate", eni_a, first), ("associate", eni_b, second)]

    run(estate, mapping, capsys)  # ... the schedule's run reads the same state and acts first

    late = [handler.associate(estate.ec2, d) for d in stale]  # then the event's run acts on what it read
    assert [(d.action, d.reason, lost) for d, lost in late] == [
        ("ok", "already-has-public-ip", True), ("ok", "already-has-public-ip", True)]
    assert (estate.allocation_of(first), estate.allocation_of(second)) == (eni_a, eni_b)


def test_a_run_that_loses_the_allocation_meanwhile_decides_again(capsys) -> None:
    """The other run took ``first`` for ENI b between this run's read and its AssociateAddress."""
    estate = seed()
    first, second = estate.allocate(2)
    eni_a, eni_b = sorted([estate.lambda_eni(ip="10.0.0.30"), estate.lambda_eni(ip="10.0.0.31")])
    real = estate.ec2.associate_address
    calls: list[dict] = []

    def racing_associate(**kwargs):
        if not calls:  # the other run wins the first allocation, for the other ENI
            real(AllocationId=first, NetworkInterfaceId=eni_b, AllowReassociation=False)
        calls.append(kwargs)
        return real(**kwargs)

    estate.ec2.associate_address = racing_associate
    result, lines = run(estate, simple_mapping(estate, [first, second]), capsys)

    assert all(c["AllowReassociation"] is False for c in calls)
    assert (estate.allocation_of(first), estate.allocation_of(second)) == (eni_b, eni_a)
    assert result["drift"] == 0
    assert ("associate", "associated", eni_a, second) in decisions(lines)


def test_unguarded_subnet_security_groups_or_non_lambda_enis_are_left_alone(capsys) -> None:
    estate = seed()
    (alloc,) = estate.allocate(1)
    mapping = simple_mapping(estate, [alloc])
    other_subnet = estate.lambda_eni(subnet=estate.other, ip="10.0.1.30")
    other_sgs = estate.lambda_eni(sgs=[estate.sg_web], ip="10.0.0.40")
    ec2_eni = estate.ec2.create_network_interface(SubnetId=estate.public, Groups=[estate.sg_app])[
        "NetworkInterface"]["NetworkInterfaceId"]

    for eni, reason in ((other_subnet, "unguarded-subnet"), (other_sgs, "unguarded-security-groups"),
                        (ec2_eni, "not-a-lambda-eni (interface)")):
        _, lines = run(estate, mapping, capsys, eni_event(eni, estate.public))
        assert decisions(lines)[0] == ("ignore", reason, eni, None)
        assert estate.public_ip(eni) is None

    assert estate.allocation_of(alloc) is None  # still free: the next Lambda ENI of the target gets it
    assert decisions(lines)[1:] == [("idle", "no-lambda-eni", None, None)]


def test_an_allocation_associated_elsewhere_is_never_stolen_and_raises_drift(capsys) -> None:
    estate = seed()
    (alloc,) = estate.allocate(1)
    squatter = estate.ec2.create_network_interface(SubnetId=estate.other, Groups=[estate.sg_app])[
        "NetworkInterface"]["NetworkInterfaceId"]
    estate.ec2.associate_address(AllocationId=alloc, NetworkInterfaceId=squatter)
    eni = estate.lambda_eni()

    result, lines = run(estate, simple_mapping(estate, [alloc]), capsys)

    assert estate.allocation_of(alloc) == squatter and estate.public_ip(eni) is None
    assert decisions(lines) == [
        ("drift", "allocation-associated-elsewhere", squatter, alloc),
        ("drift", "no-free-allocation", eni, None),
    ]
    assert result["drift"] == 2
    summary = lines[-1]
    assert (summary["Drift"], summary["_aws"]["CloudWatchMetrics"][0]["Namespace"]) == (2, "LambdaEgressGuard")


def test_more_enis_than_allocations_names_the_bare_eni_with_the_count(capsys) -> None:
    estate = seed()
    first, second = estate.allocate(2)
    enis = sorted(estate.lambda_eni(ip=f"10.0.0.{n}") for n in (30, 31, 32))

    result, lines = run(estate, simple_mapping(estate, [first, second]), capsys)

    drift = [d for d in lines if d["action"] == "drift"]
    assert [(d["eni_id"], d["reason"]) for d in drift] == [(enis[2], "no-free-allocation")]
    assert drift[0]["detail"] == "3 Lambda ENIs, 2 allocations mapped, 1 ENI(s) without an address"
    assert (estate.allocation_of(first), estate.allocation_of(second)) == (enis[0], enis[1])
    assert (result["drift"], result["associated"]) == (1, 2)


def test_a_public_ip_not_on_the_allow_list_is_drift(capsys) -> None:
    estate = seed()
    mapped, stray = estate.allocate(2)
    eni = estate.lambda_eni()
    estate.ec2.associate_address(AllocationId=stray, NetworkInterfaceId=eni)  # someone put the wrong EIP on it

    result, lines = run(estate, simple_mapping(estate, [mapped]), capsys)

    assert result["drift"] == 1
    assert decisions(lines) == [("drift", "public-ip-not-allowed", eni, stray)]
    assert lines[0]["public_ip"] == estate.ips[stray]
    assert estate.allocation_of(stray) == eni and estate.allocation_of(mapped) is None  # nothing swapped

    listed = mapping_for(plan("nat-0aaa1111", [target(estate.public, (estate.sg_app,), (mapped,))]),
                         allowed=(f"{estate.ips[stray]}/32",))
    ok, lines = run(estate, listed, capsys)
    assert (ok["drift"], decisions(lines)) == (0, [("ok", "public-ip-allowed", eni, stray)])


def test_every_decision_is_one_json_line_with_the_fields_logs_insights_needs(capsys) -> None:
    estate = seed()
    (alloc,) = estate.allocate(1)
    eni = estate.lambda_eni()

    _, lines = run(estate, simple_mapping(estate, [alloc]), capsys, eni_event(eni, estate.public))

    decision, summary = lines
    assert decision == {
        "guard": "lambda-egress-guard", "trigger": "event", "action": "associate", "reason": "associated",
        "eni_id": eni, "subnet_id": estate.public, "security_group_ids": [estate.sg_app],
        "allocation_id": alloc, "public_ip": None, "detail": "the free allocation of this target",
    }
    assert summary["counts"] == {"associate": 1, "ok": 0, "drift": 0, "wait": 0, "idle": 0, "ignore": 0}
    metric = summary["_aws"]["CloudWatchMetrics"][0]
    assert (metric["Dimensions"], metric["Metrics"], summary["Guard"]) == (
        [["Guard"]], [{"Name": "Drift", "Unit": "Count"}], "lambda-egress-guard")


def test_the_nat_address_waits_for_the_window_then_is_associated(capsys) -> None:
    """In-window target: the NAT holds its primary address until it is deleted. No alarm meanwhile."""
    estate = seed()
    nat_alloc, = estate.allocate(1)
    nat_id = estate.ec2.create_nat_gateway(SubnetId=estate.other, AllocationId=nat_alloc)["NatGateway"][
        "NatGatewayId"]
    eni = estate.lambda_eni()
    mapping = simple_mapping(estate, [nat_alloc], nat=nat_id, reused=(nat_alloc,), in_window=True)

    result, lines = run(estate, mapping, capsys)

    assert result["drift"] == 0 and estate.public_ip(eni) is None
    assert decisions(lines) == [("wait", "held-by-nat-until-window", None, nat_alloc),
                                ("wait", "allocation-held-by-nat", eni, nat_alloc)]

    estate.ec2.delete_nat_gateway(NatGatewayId=nat_id)  # the maintenance window
    estate.ec2.disassociate_address(AssociationId=estate.ec2.describe_addresses(AllocationIds=[nat_alloc])[
        "Addresses"][0]["AssociationId"])  # moto keeps the association of a deleted NAT; AWS drops it

    result, lines = run(estate, mapping, capsys)
    assert decisions(lines) == [("associate", "associated", eni, nat_alloc)]
    assert estate.public_ip(eni) == estate.ips[nat_alloc]


def test_an_address_held_by_another_nat_is_drift_not_waiting(capsys) -> None:
    estate = seed()
    nat_alloc, = estate.allocate(1)
    nat = estate.ec2.create_nat_gateway(SubnetId=estate.other, AllocationId=nat_alloc)["NatGateway"]
    nat_eni = nat["NatGatewayAddresses"][0]["NetworkInterfaceId"]
    estate.lambda_eni()
    mapping = simple_mapping(estate, [nat_alloc], nat="nat-0bbb2222", reused=(nat_alloc,), in_window=True)

    result, lines = run(estate, mapping, capsys)

    assert result["drift"] == 2
    assert (lines[0]["reason"], lines[0]["eni_id"]) == ("allocation-associated-elsewhere", nat_eni)
    assert lines[0]["detail"] == f"associated with {nat_eni}, not with an ENI of this target; not taken from it"


def test_a_released_allocation_is_drift(capsys) -> None:
    estate = seed()
    (alloc,) = estate.allocate(1)
    estate.ec2.release_address(AllocationId=alloc)
    estate.lambda_eni()

    result, lines = run(estate, simple_mapping(estate, [alloc]), capsys)

    assert [d[:2] for d in decisions(lines)] == [("drift", "allocation-not-found"), ("drift", "no-free-allocation")]
    assert result["drift"] == 2


def test_an_event_eni_not_visible_yet_is_left_to_the_schedule(capsys, monkeypatch) -> None:
    monkeypatch.setenv("EVENT_ENI_DELAY", "0")
    estate = seed()
    (alloc,) = estate.allocate(1)

    _, lines = run(estate, simple_mapping(estate, [alloc]), capsys, eni_event("eni-0123456789abcdef0", estate.public))

    assert decisions(lines)[0] == ("ignore", "eni-not-visible", "eni-0123456789abcdef0", None)


def test_managed_enis_are_asked_for_and_the_mapping_must_match_the_account_and_region(monkeypatch) -> None:
    estate = seed()
    seen: list[dict] = []
    estate.ec2.meta.events.register("provide-client-params.ec2.DescribeNetworkInterfaces",
                                    lambda params, **_: seen.append(dict(params)))
    (alloc,) = estate.allocate(1)
    handler.decide(estate.ec2, simple_mapping(estate, [alloc]))
    assert seen and all(p.get("IncludeManagedResources") is True for p in seen)

    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    with pytest.raises(RuntimeError, match=r"mapping\.json is for 123456789012 us-east-1, running in "
                                           r"123456789012 eu-west-1"):
        handler.handler(SCHEDULED, CONTEXT, ec2=estate.ec2, mapping=simple_mapping(estate, [alloc]))


def test_the_packaged_mapping_file_loads(tmp_path) -> None:
    document = {"schema_version": "1", "account_id": "123456789012", "region": "us-east-1", "allowed_ips": [],
                "targets": [{"subnet_id": "subnet-0aaa", "security_group_ids": ["sg-2", "sg-1"],
                             "allocations": [{"allocation_id": "eipalloc-0a", "held_by_nat_gateway_ids": []}]}]}
    (tmp_path / "mapping.json").write_text(json.dumps(document))

    mapping = handler.Mapping.load(tmp_path / "mapping.json")

    assert mapping.targets == (rc.Target(subnet_id="subnet-0aaa", security_group_ids=("sg-1", "sg-2"),
                                         allocation_ids=("eipalloc-0a",), held_by={"eipalloc-0a": ()}),)
    with pytest.raises(ValueError, match="schema_version '9' is not 1"):
        handler.Mapping({**document, "schema_version": "9"})
