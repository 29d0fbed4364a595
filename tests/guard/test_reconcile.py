"""reconcile.py, pure: the allow-list, one ENI's status, and the guard's decisions without AWS."""

from __future__ import annotations

import pytest

from analyzer.guard.runtime import reconcile as rc

SGS = ("sg-0app",)


def eni(eni_id: str, ip: str | None = None, *, subnet: str = "subnet-0pub", sgs=SGS, kind: str = "lambda",
        alloc: str | None = None) -> rc.Eni:
    return rc.Eni(eni_id=eni_id, subnet_id=subnet, security_group_ids=sgs, interface_type=kind, public_ip=ip,
                  allocation_id=alloc)


def address(alloc: str, ip: str, on: str | None = None) -> rc.Address:
    return rc.Address(allocation_id=alloc, public_ip=ip, association_id=f"eipassoc-{alloc}" if on else None,
                      network_interface_id=on)


TARGET = rc.Target(subnet_id="subnet-0pub", security_group_ids=SGS, allocation_ids=("eipalloc-1", "eipalloc-2"),
                   held_by={"eipalloc-1": ("nat-0aaa",)})


def test_allow_list_takes_addresses_cidrs_and_comments_and_names_a_bad_entry() -> None:
    allowed = rc.parse_allow_list(["198.51.100.7", "  203.0.113.0/28  # partner range", "", "# only a comment",
                                   "2001:db8::/32"])
    assert [str(n) for n in allowed] == ["198.51.100.7/32", "203.0.113.0/28", "2001:db8::/32"]
    assert rc.ip_allowed("203.0.113.15", allowed) and not rc.ip_allowed("203.0.113.16", allowed)
    assert not rc.ip_allowed("not-an-ip", allowed)
    with pytest.raises(ValueError, match=r"'203\.0\.113\.300' is not an IP address or CIDR"):
        rc.parse_allow_list(["203.0.113.300"])


def test_eni_status_without_and_with_an_allow_list() -> None:
    allowed = rc.parse_allow_list(["198.51.100.7"])
    assert rc.eni_status(eni("e", None), None) == rc.NO_PUBLIC_IP
    assert rc.eni_status(eni("e", "203.0.113.9"), None) == rc.OK  # no list: any public IP passes (verify's default)
    assert rc.eni_status(eni("e", "203.0.113.9"), allowed) == rc.IP_NOT_ALLOWED
    assert rc.eni_status(eni("e", "198.51.100.7"), allowed) == rc.OK


def test_bare_enis_get_free_allocations_in_order_and_waiting_beats_drift() -> None:
    decisions = rc.reconcile(
        [TARGET], [eni("eni-b"), eni("eni-a"), eni("eni-c")],
        {"eipalloc-1": address("eipalloc-1", "203.0.113.1", on="eni-nat"), "eipalloc-2": address("eipalloc-2",
                                                                                                 "203.0.113.2")},
        nat_holdings={"eipalloc-1": "nat-0aaa"})
    assert [(d.action, d.reason, d.eni_id, d.allocation_id) for d in decisions] == [
        ("wait", "held-by-nat-until-window", None, "eipalloc-1"),
        ("associate", "bare-lambda-eni", "eni-a", "eipalloc-2"),
        ("wait", "allocation-held-by-nat", "eni-b", "eipalloc-1"),
        ("drift", "no-free-allocation", "eni-c", None),
    ]
    assert decisions[-1].detail == "3 Lambda ENIs, 2 allocations mapped, 1 ENI(s) without an address"


def test_an_allocation_on_an_own_eni_is_ok_and_other_enis_get_no_decision() -> None:
    decisions = rc.reconcile(
        [TARGET], [eni("eni-a", "203.0.113.1", alloc="eipalloc-1"), eni("eni-x", subnet="subnet-other"),
                   eni("eni-ec2", kind="interface")],
        {"eipalloc-1": address("eipalloc-1", "203.0.113.1", on="eni-a"), "eipalloc-2": address("eipalloc-2",
                                                                                               "203.0.113.2")})
    assert [(d.action, d.eni_id) for d in decisions] == [("ok", "eni-a")]
    assert not any(d.drift for d in decisions)


def test_unguarded_says_why() -> None:
    assert rc.unguarded(eni("e", kind="interface"), [TARGET]).reason == "not-a-lambda-eni (interface)"
    assert rc.unguarded(eni("e", subnet="subnet-x"), [TARGET]).reason == "unguarded-subnet"
    assert rc.unguarded(eni("e", sgs=("sg-0web",)), [TARGET]).reason == "unguarded-security-groups"
    assert rc.unguarded(eni("e"), [TARGET]) is None
