"""Rules over ENI groups: public-subnet-no-eip, shared-eni, eni-not-persistent."""

from __future__ import annotations


def test_public_subnet_no_eip_fires_for_group_without_public_ip(mk):
    g = mk.group(enis=("eni-a", "eni-b"), fns=("pay", "refund"), egress="igw-no-public-ip")
    [f] = mk.run("public-subnet-no-eip", mk.topology(eni_groups=(g,)))
    assert f.severity == "high"
    assert f.resource_ids == ("subnet-0ab", "eni-a", "eni-b", mk.arn("pay"), mk.arn("refund"))
    assert f.evidence["eni_ids_without_public_ip"] == ["eni-a", "eni-b"]
    assert f.evidence["enis_without_public_ip"] == 2  # 2 ENIs - 0 public IPs
    assert f.evidence["security_group_ids"] == ["sg-1", "sg-2"]
    assert "2 of 2 Lambda ENIs" in f.message
    assert "pay, refund" in f.message


def test_public_subnet_no_eip_counts_partial_public_ips(mk):
    g = mk.group(enis=("eni-a", "eni-b", "eni-c"), public_ips=("198.51.100.7",), egress="igw-no-public-ip")
    [f] = mk.run("public-subnet-no-eip", mk.topology(eni_groups=(g,)))
    assert f.evidence["enis_without_public_ip"] == 2  # 3 ENIs - 1 public IP
    assert f.evidence["eni_ids_without_public_ip"] == ["eni-b", "eni-c"]  # eni-a holds the IP
    assert f.resource_ids[:3] == ("subnet-0ab", "eni-b", "eni-c")
    assert "2 of 3 Lambda ENIs" in f.message


def test_public_subnet_no_eip_group_without_any_eni(mk):
    g = mk.group(enis=(), egress="igw-no-public-ip")
    [f] = mk.run("public-subnet-no-eip", mk.topology(eni_groups=(g,)))
    assert f.resource_ids == ("subnet-0ab", mk.arn("pay"))
    assert "has no Lambda ENI now" in f.message


def test_public_subnet_no_eip_silent_for_other_egress(mk):
    groups = tuple(
        mk.group(subnet=f"subnet-{e}", egress=e, public_ips=("198.51.100.7",))
        for e in ("igw-eip", "nat", "none", "unknown")
    )
    assert mk.run("public-subnet-no-eip", mk.topology(eni_groups=groups)) == []


def test_shared_eni_fires_for_two_functions(mk):
    g = mk.group(enis=("eni-a",), fns=("pay", "refund", "notify"), egress="igw-eip", public_ips=("1.2.3.4",))
    [f] = mk.run("shared-eni", mk.topology(eni_groups=(g,)))
    assert f.severity == "medium"
    assert f.resource_ids == ("subnet-0ab", "eni-a", mk.arn("pay"), mk.arn("refund"), mk.arn("notify"))
    assert f.evidence["function_count"] == 3
    assert f.evidence["security_group_ids"] == ["sg-1", "sg-2"]
    assert f.message.startswith("3 functions share ENI group subnet-0ab / sg-1,sg-2")


def test_shared_eni_silent_for_single_function_or_no_egress(mk):
    single = mk.group(subnet="subnet-1", fns=("pay",))
    no_egress = mk.group(subnet="subnet-2", fns=("a", "b"), egress="none")
    unknown = mk.group(subnet="subnet-3", fns=("a", "b"), egress="unknown")
    assert mk.run("shared-eni", mk.topology(eni_groups=(single, no_egress, unknown))) == []


def test_shared_eni_fires_for_nat_and_bare_igw_groups(mk):
    behind_nat = mk.group(subnet="subnet-1", fns=("a", "b"), egress="nat")
    bare = mk.group(subnet="subnet-2", fns=("c", "d"), egress="igw-no-public-ip")
    found = mk.run("shared-eni", mk.topology(eni_groups=(behind_nat, bare)))
    assert [f.resource_ids[0] for f in found] == ["subnet-1", "subnet-2"]


def test_eni_not_persistent_medium_for_eip_group_info_for_candidate_nat(mk):
    g = mk.group(subnet="subnet-pub", enis=("eni-p",), egress="igw-eip", public_ips=("198.51.100.7",))
    n = mk.nat(fns=("pay",), lambda_enis=("eni-a",), eips_needed=2)
    idle = mk.nat(nat_id="nat-empty", fns=(), lambda_enis=())
    found = mk.run("eni-not-persistent", mk.topology(eni_groups=(g,), nats=(n, idle)))
    assert [(f.severity, f.resource_ids) for f in found] == [
        ("medium", ("subnet-pub", "eni-p", mk.arn("pay"))),
        ("info", ("nat-01", "eni-a", mk.arn("pay"))),
    ]
    assert "198.51.100.7" in found[0].message
    assert found[1].evidence["eips_needed"] == 2
    assert "2 EIPs" in found[1].message


def test_eni_not_persistent_silent_for_nat_group_and_no_candidates(mk):
    g = mk.group(egress="nat")
    bare = mk.group(subnet="subnet-2", egress="igw-no-public-ip")
    n = mk.nat(fns=(), lambda_enis=())
    assert mk.run("eni-not-persistent", mk.topology(eni_groups=(g, bare), nats=(n,))) == []
