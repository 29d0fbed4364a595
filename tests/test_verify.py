"""verify.py: public-subnet Lambda ENI groups must keep a public IP (pure, hand-built snapshots)."""

from __future__ import annotations

import json

import pytest
from builders import ACCOUNT, eni, function, snapshot, subnet, table

from analyzer.errors import ConfigError
from analyzer.models import Coverage, CoverageError
from analyzer.verify import check, load_allow_list, render_json, render_text

PUBLIC_TABLES = (
    table("rtb-pub", subnets=("subnet-pub",), igw="igw-1"),
    table("rtb-priv", subnets=("subnet-priv",), nat="nat-1"),
)
SUBNETS = (subnet("subnet-pub"), subnet("subnet-priv"))
GAP = CoverageError(account_id=ACCOUNT, region="eu-west-1", operation="DescribeNetworkInterfaces",
                    error_code="UnauthorizedOperation", message="You are not authorized to perform this operation.")


def estate(*, webhook_ip: str | None = "198.51.100.7", poller_ip: str | None = None, errors=()):
    return snapshot(
        subnets=SUBNETS,
        route_tables=PUBLIC_TABLES,
        functions=(
            function("webhook", ("subnet-pub",), ("sg-web",)),
            function("poller", ("subnet-pub",), ("sg-app",)),
            function("cron", ("subnet-pub",), ("sg-app",)),  # shares poller's ENI group
            function("orders", ("subnet-priv",), ("sg-app",)),  # behind the NAT: not verify's business
        ),
        network_interfaces=(
            eni("eni-web", "subnet-pub", ("sg-web",), public_ip=webhook_ip),
            eni("eni-poll", "subnet-pub", ("sg-app",), public_ip=poller_ip),
            eni("eni-priv", "subnet-priv", ("sg-app",)),
        ),
        coverage=Coverage(accounts=(ACCOUNT,), regions=("us-east-1",), errors=errors),
    )


def test_drift_lists_the_bare_enis_their_subnet_and_functions() -> None:
    result = check(estate())

    assert (result.status, result.exit_code) == ("drift", 1)
    assert [(g.subnet_id, g.security_group_ids, g.drift) for g in result.groups] == [
        ("subnet-pub", ("sg-app",), True), ("subnet-pub", ("sg-web",), False)]  # drift first
    (drifted,) = result.drifted
    assert drifted.eni_ids_without_public_ip == ("eni-poll",)
    assert drifted.function_names == ("cron", "poller")
    ok = result.groups[1]
    assert (ok.eni_ids, ok.public_ips, ok.function_names) == (("eni-web",), ("198.51.100.7",), ("webhook",))
    assert "eni-priv" not in render_text(result)  # NAT-routed groups are not checked

    text = render_text(result)
    assert "DRIFT  123456789012 us-east-1 subnet-pub [sg-app] no public IP on eni-poll (1 of 1 ENIs); " \
           "functions: cron, poller" in text
    assert "OK     123456789012 us-east-1 subnet-pub [sg-web] ENIs eni-web -> 198.51.100.7; functions: webhook" \
           in text
    assert text.splitlines()[-1].startswith("DRIFT: 1 of 2 public-subnet ENI group(s) lack a public IP")


def test_all_enis_with_public_ips_is_ok_and_exit_0() -> None:
    result = check(estate(poller_ip="198.51.100.8"))

    assert (result.status, result.exit_code, result.drifted) == ("ok", 0, ())
    assert len(result.groups) == 2
    assert render_text(result).splitlines()[-1] == "OK: all 2 public-subnet ENI group(s) have a public IP on every ENI"


def test_one_bare_eni_in_a_scaled_out_group_is_drift() -> None:
    snap = estate(poller_ip="198.51.100.8")
    extra = eni("eni-poll-2", "subnet-pub", ("sg-app",))  # Lambda added an ENI: it came up without the EIP
    result = check(snap.model_copy(update={"network_interfaces": (*snap.network_interfaces, extra)}))

    (drifted,) = result.drifted
    assert drifted.eni_ids == ("eni-poll", "eni-poll-2")
    assert drifted.eni_ids_without_public_ip == ("eni-poll-2",)
    assert "no public IP on eni-poll-2 (1 of 2 ENIs)" in render_text(result)


def test_reclaimed_eni_is_drift_with_no_eni_ids() -> None:
    snap = estate(poller_ip="198.51.100.8")
    result = check(snap.model_copy(update={
        "network_interfaces": tuple(e for e in snap.network_interfaces if e.network_interface_id != "eni-poll")}))

    (drifted,) = result.drifted
    assert (drifted.eni_ids, drifted.function_names) == ((), ("cron", "poller"))
    assert "no Lambda ENI now (reclaimed or not yet created)" in render_text(result)


def test_coverage_errors_without_drift_exit_3_and_drift_outranks_them() -> None:
    incomplete = check(estate(poller_ip="198.51.100.8", errors=(GAP,)))
    assert (incomplete.status, incomplete.exit_code) == ("incomplete", 3)
    text = render_text(incomplete)
    assert ("  123456789012 eu-west-1 DescribeNetworkInterfaces: UnauthorizedOperation: "
            "You are not authorized to perform this operation.") in text
    assert text.splitlines()[-1] == "INCOMPLETE: no drift found in what was scanned"

    both = check(estate(errors=(GAP,)))
    assert (both.status, both.exit_code) == ("drift", 1)


def test_nothing_in_public_subnets_is_ok() -> None:
    snap = snapshot(subnets=SUBNETS, route_tables=PUBLIC_TABLES,
                    functions=(function("orders", ("subnet-priv",), ("sg-app",)),),
                    network_interfaces=(eni("eni-priv", "subnet-priv", ("sg-app",)),))
    result = check(snap)
    assert (result.groups, result.exit_code) == ((), 0)
    assert "nothing to verify" in render_text(result)


def test_json_carries_status_exit_code_and_the_drifted_enis() -> None:
    data = json.loads(render_json(check(estate(errors=(GAP,)))))

    assert (data["schema_version"], data["status"], data["exit_code"], data["drift_count"]) == ("1", "drift", 1, 1)
    assert data["collected_at"] == "2026-11-01T06:00:00Z"
    assert [g["eni_ids_without_public_ip"] for g in data["groups"]] == [["eni-poll"], []]
    assert data["groups"][0]["function_names"] == ["cron", "poller"]
    assert data["coverage_errors"][0]["error_code"] == "UnauthorizedOperation"
    assert (data["accounts"], data["regions"]) == ([ACCOUNT], ["us-east-1"])


# --------------------------------------------------------------------------- allow-list (issue 7, item 6)


def test_an_ip_not_on_the_allow_list_is_drift_named_with_eni_functions_and_ip() -> None:
    snap = estate(poller_ip="203.0.113.99")  # a stray EIP: the partner allow-listed only 198.51.100.7
    assert check(snap).exit_code == 0  # without a list, any public IP passes, as before

    result = check(snap, load_allow_list(("198.51.100.7",), None))

    assert (result.status, result.exit_code) == ("drift", 1)
    (drifted,) = result.drifted
    assert (drifted.eni_ids_not_allowed, drifted.public_ips_not_allowed) == (("eni-poll",), ("203.0.113.99",))
    assert drifted.eni_ids_without_public_ip == ()
    text = render_text(result)
    assert ("DRIFT  123456789012 us-east-1 subnet-pub [sg-app] public IP not on the allow-list: eni-poll "
            "203.0.113.99; functions: cron, poller") in text
    assert "OK     123456789012 us-east-1 subnet-pub [sg-web] ENIs eni-web -> 198.51.100.7" in text
    assert text.splitlines()[-1].startswith("DRIFT: 1 of 2 public-subnet ENI group(s) lack an allowed public IP")


def test_allow_list_file_takes_cidrs_and_comments(tmp_path) -> None:
    listed = tmp_path / "partner.txt"
    listed.write_text("# partner allow-list\n198.51.100.0/29\n\n203.0.113.99  # the poller's new EIP\n")
    allowed = load_allow_list((), listed)

    result = check(estate(poller_ip="203.0.113.99"), allowed)

    assert (result.status, result.allowed_ips) == ("ok", ("198.51.100.0/29", "203.0.113.99/32"))
    assert render_text(result).splitlines()[-1] == \
        "OK: all 2 public-subnet ENI group(s) have an allowed public IP on every ENI"
    data = json.loads(render_json(result))
    assert data["allowed_ips"] == ["198.51.100.0/29", "203.0.113.99/32"]
    assert data["groups"][0]["eni_ids_not_allowed"] == []


def test_a_bare_eni_and_a_stray_ip_in_one_group_are_both_named() -> None:
    snap = estate(poller_ip="203.0.113.99")
    extra = eni("eni-poll-2", "subnet-pub", ("sg-app",))
    snap = snap.model_copy(update={"network_interfaces": (*snap.network_interfaces, extra)})

    (drifted,) = check(snap, load_allow_list(("198.51.100.7",), None)).drifted

    assert "no public IP on eni-poll-2 (1 of 2 ENIs); public IP not on the allow-list: eni-poll 203.0.113.99" \
        in render_text(check(snap, load_allow_list(("198.51.100.7",), None)))
    assert (drifted.eni_ids_without_public_ip, drifted.eni_ids_not_allowed) == (("eni-poll-2",), ("eni-poll",))


def test_bad_allow_lists_are_config_errors(tmp_path) -> None:
    with pytest.raises(ConfigError, match="allow-list: 'partner' is not an IP address or CIDR"):
        load_allow_list(("partner",), None)
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n")
    with pytest.raises(ConfigError, match="no address or CIDR in it"):
        load_allow_list((), empty)
    with pytest.raises(ConfigError, match="cannot read it"):
        load_allow_list((), tmp_path / "missing.txt")
    assert load_allow_list((), None) is None
