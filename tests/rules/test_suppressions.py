"""Suppression file loading (every malformed input is a one-line ConfigError) and application."""

from __future__ import annotations

from datetime import date

import pytest

from analyzer.errors import ConfigError
from analyzer.models import Finding, Suppression
from analyzer.suppressions import apply_suppressions, load_suppressions

TODAY = date(2026, 9, 1)


def _finding(rule_id: str = "shared-eni", ids: tuple[str, ...] = ("subnet-0ab", "eni-a")) -> Finding:
    return Finding(
        rule_id=rule_id,
        severity="medium",
        title="t",
        account_id="111122223333",
        region="eu-west-1",
        resource_ids=ids,
        message="m",
        remediation="r",
    )


def _write(tmp_path, text: str):
    path = tmp_path / "suppressions.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_valid_file(tmp_path):
    path = _write(
        tmp_path,
        """
suppressions:
  - rule_id: shared-eni
    resource_id: subnet-0ab
    reason: one partner, one address by design
    expires: 2026-12-31
  - rule_id: idle-nat
    resource_id: nat-01
    reason: "kept warm for DR"
    expires: "2027-01-15"
  - rule_id: cross-az-nat
    resource_id: nat-02
    reason: accepted
""",
    )
    assert load_suppressions(path) == (
        Suppression(
            rule_id="shared-eni",
            resource_id="subnet-0ab",
            reason="one partner, one address by design",
            expires=date(2026, 12, 31),
        ),
        Suppression(
            rule_id="idle-nat", resource_id="nat-01", reason="kept warm for DR", expires=date(2027, 1, 15)
        ),
        Suppression(rule_id="cross-az-nat", resource_id="nat-02", reason="accepted"),
    )


def test_empty_list_is_allowed(tmp_path):
    assert load_suppressions(_write(tmp_path, "suppressions: []\n")) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("suppressions: [\n  - bad", "bad YAML at line"),
        ("- rule_id: shared-eni\n", "expected a top-level 'suppressions:' list"),
        ("", "expected a top-level 'suppressions:' list"),
        ("suppressions: {rule_id: shared-eni}\n", "'suppressions' must be a list"),
        ("suppressions:\n  - just-a-string\n", "suppressions[0]: expected a mapping"),
        (
            "suppressions:\n  - {rule_id: shared-eni, resource_id: s, reason: ok}\n"
            "  - {rule_id: shared-eni, resource_id: s}\n",
            "suppressions[1]: missing or empty field 'reason'",
        ),
        (
            "suppressions:\n  - {rule_id: no-such-rule, resource_id: s, reason: r}\n",
            "suppressions[0]: unknown rule_id 'no-such-rule'",
        ),
        (
            "suppressions:\n  - {rule_id: shared-eni, resource_id: s, reason: r, expires: 2026-13-01}\n",
            "suppressions[0]: 'expires' must be a date",
        ),
        (
            "suppressions:\n  - {rule_id: shared-eni, resource_id: s, reason: r, expires: soon}\n",
            "suppressions[0]: 'expires' must be a date",
        ),
        (
            "suppressions:\n  - {rule_id: shared-eni, resource_id: s, reason: r, expires: '2026-01-01T1'}\n",
            "suppressions[0]: 'expires' must be a date",
        ),
        (
            "suppressions:\n  - {rule_id: shared-eni, resource_id: s, reason: r, expiry: 2026-01-01}\n",
            "suppressions[0]: unknown field(s) expiry",
        ),
        (
            "suppressions:\n  - {rule_id: shared-eni, resource_id: 42, reason: r}\n",
            "suppressions[0]: missing or empty field 'resource_id'",
        ),
    ],
)
def test_malformed_file_is_one_line_config_error(tmp_path, text, expected):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_suppressions(path)
    message = str(exc.value)
    assert expected in message
    assert str(path) in message
    assert "\n" not in message


def test_missing_file_is_config_error(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match=r"nope\.yaml: no such file"):
        load_suppressions(path)


def test_apply_marks_matching_finding_on_any_resource_id():
    f = _finding(ids=("subnet-0ab", "eni-a"))
    s = Suppression(rule_id="shared-eni", resource_id="eni-a", reason="accepted risk", expires=TODAY)
    [out], notes = apply_suppressions([f], [s], TODAY)  # expires == today still holds
    assert out.suppressed is True
    assert out.suppression_reason == "accepted risk"
    assert out.resource_ids == f.resource_ids
    assert notes == ()


def test_apply_leaves_other_rules_and_resources_alone():
    findings = [_finding("shared-eni", ("subnet-x",)), _finding("idle-nat", ("subnet-0ab",))]
    s = Suppression(rule_id="shared-eni", resource_id="subnet-0ab", reason="r")
    out, notes = apply_suppressions(findings, [s], TODAY)
    assert [f.suppressed for f in out] == [False, False]
    assert notes == (
        "suppression shared-eni / subnet-0ab matched no finding (resource fixed or gone?): "
        "consider removing it",
    )


def test_apply_expired_suppression_no_longer_hides():
    f = _finding()
    s = Suppression(rule_id="shared-eni", resource_id="subnet-0ab", reason="r", expires=date(2026, 8, 31))
    [out], notes = apply_suppressions([f], [s], TODAY)
    assert out.suppressed is False
    assert out.suppression_reason is None
    assert notes == (
        "suppression shared-eni / subnet-0ab expired on 2026-08-31; 1 matching finding(s) are reported again",
    )


def test_apply_first_live_suppression_wins_and_order_is_kept():
    findings = [_finding(ids=("a",)), _finding(ids=("b",))]
    sups = [
        Suppression(rule_id="shared-eni", resource_id="b", reason="old", expires=date(2026, 1, 1)),
        Suppression(rule_id="shared-eni", resource_id="b", reason="new"),
    ]
    out, notes = apply_suppressions(findings, sups, TODAY)
    assert [(f.resource_ids, f.suppressed, f.suppression_reason) for f in out] == [
        (("a",), False, None),
        (("b",), True, "new"),
    ]
    assert len(notes) == 1 and "expired on 2026-01-01" in notes[0]
