"""Rules about what a migration needs: eip-quota, allowlist-change, no-gateway-endpoint."""

from __future__ import annotations

from analyzer.models import Settings


def _quota_topology(mk, allocated: int, quota_value: int | None):
    # nat-01: removable, needs 3 EIPs, owns 1 IP -> 3 - 1 = 2 new.
    # nat-02: shared (stays), needs 2 EIPs -> 2 new.
    # nat-03: not a candidate (no functions) -> 0.
    nats = (
        mk.nat("nat-01", eips_needed=3, public_ips=("203.0.113.1",)),
        mk.nat("nat-02", eips_needed=2, others=("eni-ec2",)),
        mk.nat("nat-03", fns=(), lambda_enis=(), eips_needed=0),
    )
    key = f"{mk.ACCT}/{mk.REGION}"
    quotas = {key: mk.quota(quota_value)} if quota_value is not None else {}
    return mk.topology(nats=nats, eips_allocated={key: allocated}, eip_quotas=quotas)


def test_eip_quota_exactly_at_quota_is_silent(mk):
    # needed = 2 allocated + 2 + 2 = 6 == quota 6
    assert mk.run("eip-quota", _quota_topology(mk, allocated=2, quota_value=6)) == []


def test_eip_quota_one_over_fires(mk):
    # needed = 3 allocated + 2 + 2 = 7 > quota 6
    [f] = mk.run("eip-quota", _quota_topology(mk, allocated=3, quota_value=6))
    assert f.severity == "high"
    assert f.resource_ids == ("nat-01", "nat-02")
    assert f.evidence["allocated"] == 3
    assert f.evidence["additional"] == 4
    assert f.evidence["additional_by_nat"] == {"nat-01": 2, "nat-02": 2}
    assert f.evidence["needed"] == 7
    assert f.evidence["quota"] == 6
    assert f.evidence["quota_source"] == "service-quotas"
    assert "at least 7" in f.remediation


def test_eip_quota_falls_back_to_default(mk):
    # needed = 2 + 2 + 2 = 6 > default 5
    [f] = mk.run("eip-quota", _quota_topology(mk, allocated=2, quota_value=None))
    assert (f.evidence["quota"], f.evidence["quota_source"]) == (5, "default")
    settings = Settings(default_eip_quota=6)
    assert mk.run("eip-quota", _quota_topology(mk, allocated=2, quota_value=None), settings=settings) == []


def test_eip_quota_floors_each_nat_at_zero(mk):
    # removable NAT with 3 IPs needing 1 EIP adds max(0, 1 - 3) = 0, not -2:
    # needed = 5 allocated + 0 + 1 = 6 > 5
    nats = (
        mk.nat("nat-01", eips_needed=1, public_ips=("a", "b", "c")),
        mk.nat("nat-02", eips_needed=1, public_ips=()),
    )
    key = f"{mk.ACCT}/{mk.REGION}"
    topo = mk.topology(nats=nats, eips_allocated={key: 5})
    [f] = mk.run("eip-quota", topo)
    assert f.evidence["additional_by_nat"] == {"nat-01": 0, "nat-02": 1}
    assert f.evidence["needed"] == 6


def test_allowlist_change_removable_and_shared(mk):
    removable = mk.nat("nat-01", eips_needed=3, public_ips=("203.0.113.1",))
    shared = mk.nat("nat-02", fns=("batch",), eips_needed=2, others=("eni-ec2",))
    found = mk.run("allowlist-change", mk.topology(nats=(removable, shared)))
    assert [(f.resource_ids, f.evidence["new_addresses"]) for f in found] == [
        (("nat-01", mk.arn("pay")), 2),  # 3 needed - 1 reused
        (("nat-02", mk.arn("batch")), 2),  # NAT stays: all 2 are new
    ]
    assert found[0].severity == "medium"
    assert found[0].evidence["nat_public_ips"] == ["203.0.113.1"]
    assert "allow-list 2 new addresses" in found[0].message


def test_allowlist_change_silent_when_nat_ips_cover_the_groups(mk):
    exact = mk.nat("nat-01", eips_needed=1, public_ips=("203.0.113.1",))
    more = mk.nat("nat-02", eips_needed=1, public_ips=("203.0.113.2", "203.0.113.3"))
    not_candidate = mk.nat("nat-03", fns=(), lambda_enis=(), eips_needed=0, others=("eni-x",))
    assert mk.run("allowlist-change", mk.topology(nats=(exact, more, not_candidate))) == []


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
