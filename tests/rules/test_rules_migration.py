"""Rules about what a migration needs: eip-quota, allowlist-change, no-gateway-endpoint."""

from __future__ import annotations

from analyzer.models import Settings


def _estate(allocated: int = 0, quota_value: int | None = None, nat_ips=("203.0.113.1",)):
    """nat-01 (removable): three functions with three SG sets in subnet-a -> three target ENIs.
    nat-02 (stays for an EC2 ENI): two functions with two SG sets in subnet-b -> two target ENIs.
    nat-03: no functions (not a candidate). Built through the real topology and design."""
    from builders import ACCOUNT, REGION, eni, function, nat, snapshot, subnet, table

    from analyzer.models import EipQuota, ElasticIp

    quotas = (EipQuota(account_id=ACCOUNT, region=REGION, value=quota_value),) if quota_value is not None else ()
    return snapshot(
        subnets=(subnet("subnet-a"), subnet("subnet-b", az="us-east-1b"), subnet("subnet-c"),
                 subnet("subnet-pub-a"), subnet("subnet-pub-b", az="us-east-1b")),
        route_tables=(table("rtb-a", subnets=("subnet-a",), nat="nat-01"),
                      table("rtb-b", subnets=("subnet-b",), nat="nat-02"),
                      table("rtb-c", subnets=("subnet-c",), nat="nat-03"),
                      table("rtb-pub", subnets=("subnet-pub-a", "subnet-pub-b"), igw="igw-1")),
        nat_gateways=(nat("nat-01", ips=nat_ips), nat("nat-02", ips=("203.0.113.2",)),
                      nat("nat-03", ips=("203.0.113.3",))),
        functions=(*(function(f"f{i}", ("subnet-a",), sgs=(f"sg-{i}",)) for i in (1, 2, 3)),
                   *(function(f"g{i}", ("subnet-b",), sgs=(f"sg-{i}",)) for i in (1, 2))),
        network_interfaces=(eni("eni-ec2", "subnet-b", ("sg-9",), kind="interface", az="us-east-1b"),),
        elastic_ips=tuple(ElasticIp(account_id=ACCOUNT, region=REGION, allocation_id=f"eipalloc-{i}",
                                    public_ip=f"192.0.2.{i}") for i in range(allocated)),
        eip_quotas=quotas,
    )  # fmt: skip


def _run(mk, rule_id, snap, settings=None):
    from analyzer.topology import build_topology

    settings = settings or Settings()
    return mk.run(rule_id, build_topology(snap, settings), settings=settings)


REUSE = Settings(reuse_nat_addresses=True)


def test_eip_quota_exactly_at_quota_is_silent(mk):
    # needed = 1 allocated + 3 (nat-01: no address lent without a window) + 2 (nat-02 stays) = 6 == quota 6
    assert _run(mk, "eip-quota", _estate(allocated=1, quota_value=6)) == []


def test_eip_quota_one_over_fires(mk):
    # needed = 2 allocated + 3 + 2 = 7 > quota 6
    [f] = _run(mk, "eip-quota", _estate(allocated=2, quota_value=6))
    assert f.severity == "high"
    assert f.resource_ids == ("nat-01", "nat-02")
    assert (f.evidence["allocated"], f.evidence["additional"], f.evidence["needed"]) == (2, 5, 7)
    assert f.evidence["additional_by_nat"] == {"nat-01": 3, "nat-02": 2}
    assert (f.evidence["quota"], f.evidence["quota_source"]) == (6, "service-quotas")
    assert "at least 7" in f.remediation


def test_eip_quota_counts_the_reused_nat_address_with_a_window(mk):
    # With --reuse-nat-addresses nat-01's one address goes to a target ENI: 2 + 2 + 2 = 6, silent at 6.
    assert _run(mk, "eip-quota", _estate(allocated=2, quota_value=6), REUSE) == []


def test_eip_quota_falls_back_to_default(mk):
    # needed = 1 + 3 + 2 = 6 > default 5
    [f] = _run(mk, "eip-quota", _estate(allocated=1))
    assert (f.evidence["quota"], f.evidence["quota_source"]) == (5, "default")
    assert _run(mk, "eip-quota", _estate(allocated=1), Settings(default_eip_quota=6)) == []


def test_allowlist_change_removable_and_shared(mk):
    found = _run(mk, "allowlist-change", _estate())
    assert [(f.resource_ids[0], f.evidence["new_addresses"]) for f in found] == [("nat-01", 3), ("nat-02", 2)]
    first = found[0]
    assert first.severity == "medium" and first.evidence["nat_public_ips"] == ["203.0.113.1"]
    assert first.evidence["addresses_to_remove"] == ["203.0.113.1"]  # released after the NAT is deleted
    assert "allow-list 3 new addresses" in first.message and "--reuse-nat-addresses" in first.message
    assert found[1].evidence["addresses_to_remove"] == []  # nat-02 stays and keeps its address
    reuse = _run(mk, "allowlist-change", _estate(), REUSE)
    assert [(f.resource_ids[0], f.evidence["new_addresses"], f.evidence["reused_nat_addresses"]) for f in reuse] == [
        ("nat-01", 2, ["203.0.113.1"]), ("nat-02", 2, [])]


def test_allowlist_change_silent_when_nat_ips_cover_the_targets(mk):
    snap = _estate(nat_ips=("203.0.113.1", "203.0.113.4", "203.0.113.5"))
    found = _run(mk, "allowlist-change", snap, REUSE)
    assert [f.resource_ids[0] for f in found] == ["nat-02"]  # nat-01's three addresses cover its three ENIs


def test_no_gateway_endpoint_lists_missing_services(mk):
    key = f"{mk.ACCT}/{mk.REGION}/vpc-1"
    topo = mk.topology(
        nats=(mk.nat("nat-02"), mk.nat("nat-01"), mk.nat("nat-9", vpc_id="vpc-2")),
        vpc_gateway_endpoints={key: ("s3",), f"{mk.ACCT}/{mk.REGION}/vpc-2": ()},
    )
    found = mk.run("no-gateway-endpoint", topo)
    assert [(f.resource_ids, f.evidence["missing_services"]) for f in found] == [
        (("vpc-1", "nat-01", "nat-02"), ["dynamodb"]),
        (("vpc-2", "nat-9"), ["s3", "dynamodb"]),
    ]
    assert found[0].severity == "low"
    assert found[0].evidence["present_services"] == ["s3"]
    assert (found[0].account_id, found[0].region) == (mk.ACCT, mk.REGION)


def test_no_gateway_endpoint_silent_when_both_present(mk):
    key = f"{mk.ACCT}/{mk.REGION}/vpc-1"
    topo = mk.topology(nats=(mk.nat(),), vpc_gateway_endpoints={key: ("dynamodb", "s3")})
    assert mk.run("no-gateway-endpoint", topo) == []
