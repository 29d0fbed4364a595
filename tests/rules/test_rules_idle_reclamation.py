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
