"""idle-reclamation: Inactive functions and idle-day thresholds (7 warn, 14 reclaim)."""

from __future__ import annotations

from datetime import date

import pytest

from analyzer.models import Settings


@pytest.mark.parametrize(
    ("idle_days", "severity"),
    [(6, None), (7, "medium"), (13, "medium"), (14, "high"), (40, "high")],
)
def test_idle_days_thresholds(mk, idle_days, severity):
    fn = mk.function(enis=("eni-a", "eni-b"))
    use = mk.usage(fns=(mk.fn_usage(idle_days=idle_days, last_active=date(2026, 8, 1)),))
    found = mk.run("idle-reclamation", mk.topology(functions=(fn,)), use)
    assert [f.severity for f in found] == ([severity] if severity else [])
    if severity:
        assert found[0].resource_ids == (mk.arn("pay"), "eni-a", "eni-b")
        assert found[0].evidence["idle_days"] == idle_days
        assert found[0].evidence["last_active"] == "2026-08-01"
        assert f"not been invoked for {idle_days} days" in found[0].message


def test_inactive_state_is_high_even_without_usage(mk):
    fn = mk.function(egress="igw-eip", state="Inactive", state_reason_code="Idle")
    [f] = mk.run("idle-reclamation", mk.topology(functions=(fn,)))
    assert f.severity == "high"
    assert f.evidence["state"] == "Inactive"
    assert f.evidence["state_reason_code"] == "Idle"
    assert f.evidence["idle_days"] is None
    assert "is Inactive (Idle)" in f.message


def test_unknown_usage_and_active_state_is_silent(mk):
    fn = mk.function()
    use = mk.usage(fns=(mk.fn_usage(has_metrics=False, idle_days=None),))
    assert mk.run("idle-reclamation", mk.topology(functions=(fn,)), use) == []
    assert mk.run("idle-reclamation", mk.topology(functions=(fn,))) == []


@pytest.mark.parametrize("egress", ["none", "unknown"])
def test_functions_without_exposed_egress_are_skipped(mk, egress):
    fn = mk.function(egress=egress, state="Inactive")
    use = mk.usage(fns=(mk.fn_usage(idle_days=30),))
    assert mk.run("idle-reclamation", mk.topology(functions=(fn,)), use) == []


def test_thresholds_come_from_settings(mk):
    fn = mk.function()
    use = mk.usage(fns=(mk.fn_usage(idle_days=10),))
    [f] = mk.run("idle-reclamation", mk.topology(functions=(fn,)), use, Settings(idle_reclaim_days=10))
    assert f.severity == "high"
    assert f.evidence["reclaim_days"] == 10


# --------------------------------------------------------------------------- shared ENI groups
# Lambda reclaims only unused ENIs: a group that also serves an active function keeps its ENI.


def _shared(mk, fns, usages, states=None, groups=None):
    """Functions "pay" + others, one ENI group (subnet-0ab / sg-1) unless ``groups`` says otherwise."""
    states = states or {}
    functions = tuple(mk.function(name, state=states.get(name, "Active")) for name in fns)
    groups = groups or (mk.group(sgs=("sg-1",), enis=("eni-a",), fns=fns),)
    use = mk.usage(fns=tuple(mk.fn_usage(name, idle_days=days) for name, days in usages.items()))
    found = mk.run("idle-reclamation", mk.topology(functions=functions, eni_groups=groups), use)
    return {f.evidence["function_arn"]: f for f in found}


def test_idle_function_sharing_with_an_active_one_is_medium(mk):
    # pay idle 20 days (>= 14) but report ran 2 days ago in the same group: the ENI stays in use.
    found = _shared(mk, ("pay", "report"), {"pay": 20, "report": 2})
    f = found[mk.arn("pay")]
    assert f.severity == "medium"
    assert f.evidence["idle_days"] == 20
    assert f.evidence["shared_with_active"] == [mk.arn("report")]
    assert "also used by recently active report" in f.message
    assert "may still be set Inactive" in f.message
    assert mk.arn("report") not in found  # 2 days idle: no finding of its own


def test_idle_function_whose_sharers_are_idle_too_is_high(mk):
    # Both idle past 14 days: nothing keeps the ENI in use.
    found = _shared(mk, ("pay", "report"), {"pay": 20, "report": 15})
    assert [(found[mk.arn(n)].severity, found[mk.arn(n)].evidence["shared_with_active"]) for n in ("pay", "report")] \
        == [("high", []), ("high", [])]
    assert "reclaims the unused ENI" in found[mk.arn("pay")].message


def test_sharer_exactly_at_reclaim_age_is_not_active(mk):
    # 14 >= 14: report counts as idle, so pay stays high; at 13 it counts as active.
    assert _shared(mk, ("pay", "report"), {"pay": 20, "report": 14})[mk.arn("pay")].severity == "high"
    assert _shared(mk, ("pay", "report"), {"pay": 20, "report": 13})[mk.arn("pay")].severity == "medium"


def test_unknown_or_inactive_sharers_do_not_keep_the_eni(mk):
    # report has no usage data, audit is Inactive (though its metrics look recent): neither proves use.
    found = _shared(mk, ("pay", "report", "audit"), {"pay": 20, "audit": 1}, states={"audit": "Inactive"})
    f = found[mk.arn("pay")]
    assert (f.severity, f.evidence["shared_with_active"]) == ("high", [])


def test_warning_age_stays_medium_and_lists_active_sharers(mk):
    found = _shared(mk, ("pay", "report"), {"pay": 9, "report": 0})
    f = found[mk.arn("pay")]
    assert (f.severity, f.evidence["shared_with_active"]) == ("medium", [mk.arn("report")])
    assert "reclaims the unused ENI of a function idle for 14 days" in f.message


def test_inactive_function_stays_high_even_when_its_eni_is_shared(mk):
    found = _shared(mk, ("pay", "report"), {"pay": 30, "report": 1}, states={"pay": "Inactive"})
    f = found[mk.arn("pay")]
    assert f.severity == "high"
    assert f.evidence["shared_with_active"] == [mk.arn("report")]
    assert "next invoke fails" in f.message and "still used by report" in f.message


def test_one_unused_group_is_enough_for_high(mk):
    # pay sits in two groups: subnet-a shared with active report, subnet-b alone. The subnet-b ENI is unused.
    groups = (
        mk.group("subnet-a", sgs=("sg-1",), enis=("eni-a",), fns=("pay", "report")),
        mk.group("subnet-b", sgs=("sg-1",), enis=("eni-b",), fns=("pay",)),
    )
    f = _shared(mk, ("pay", "report"), {"pay": 20, "report": 2}, groups=groups)[mk.arn("pay")]
    assert (f.severity, f.evidence["shared_with_active"]) == ("high", [mk.arn("report")])
    # Both groups served by report: medium.
    groups = (
        mk.group("subnet-a", sgs=("sg-1",), enis=("eni-a",), fns=("pay", "report")),
        mk.group("subnet-b", sgs=("sg-1",), enis=("eni-b",), fns=("pay", "report")),
    )
    f = _shared(mk, ("pay", "report"), {"pay": 20, "report": 2}, groups=groups)[mk.arn("pay")]
    assert f.severity == "medium"
