"""verify.py: public-subnet Lambda ENI groups must keep a public IP (pure, hand-built snapshots)."""

from __future__ import annotations

import json

from builders import ACCOUNT, eni, function, snapshot, subnet, table

from analyzer.models import Coverage, CoverageError
from analyzer.verify import check, render_json, render_text

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
