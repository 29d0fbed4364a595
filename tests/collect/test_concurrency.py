"""How much a scan overlaps, seen from the proxy: a unit's calls at once, the scan's total capped by --workers.

Counts, not times (timing targets live in tests/perf/bench_org.py): the proxy
adds latency, so calls that overlap are seen in flight together.
"""

from __future__ import annotations

from moto_seed import seed_estate
from moto_server import MotoServer

from analyzer.collect.scan import ScanRequest, run_scan

REGIONS = ("us-east-1", "eu-west-1", "us-west-2")


def peak_in_flight(server: MotoServer, workers: int) -> int:
    assert server.layer is not None
    server.layer.reset_peak()
    snapshot = run_scan(ScanRequest(regions=REGIONS, workers=workers))
    assert snapshot.coverage.errors == ()
    assert {f.region for f in snapshot.functions} == set(REGIONS)
    return server.layer.peak


def test_workers_caps_the_calls_in_flight_and_a_units_calls_overlap(slow_aws: MotoServer) -> None:
    for region in REGIONS:
        seed_estate(region, slow_aws.moto_url)
    assert peak_in_flight(slow_aws, workers=1) == 1  # --workers 1: one call at a time, nothing else
    capped = peak_in_flight(slow_aws, workers=5)
    assert capped == 5  # never more than the cap, and the cap is reached (3 units x 8 describes to overlap)
    assert peak_in_flight(slow_aws, workers=64) > 8  # by default: several units' calls at once
