"""Aggregated flow-log rows -> bytes per (NAT gateway, source ENI) and the counts of what was not attributed.

Pure, and the same for both engines (DuckDB rows are typed, Athena rows are
strings). A private source address is matched to an ENI of the NAT's own VPC
(private addresses repeat across VPCs); an address of another VPC's ENI or of
no known ENI is counted, and its bytes count as non-Lambda bytes of the NAT.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analyzer.models import FlowLogBytes, FlowLogNat, FlowLogStats, NatGateway, Snapshot

Row = Sequence[Any]  # (nat_interface_id, leg, source_address, records, bytes)
SKIPPED_LEGS = {"no-data": "no_data", "outside-window": "outside_window", "rejected": "rejected",
                "untranslated": "nat_side"}


@dataclass(frozen=True)
class FlowLogRead:
    """What a flow-log read adds to a snapshot."""

    flow_log_bytes: tuple[FlowLogBytes, ...]
    stats: FlowLogStats


def _int(value: Any) -> int:
    return int(value) if value not in (None, "") else 0


class _AddressBook:
    """(account, region, vpc, private ip) -> ENI id, and every NAT gateway's own addresses."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.eni: dict[tuple[str, str, str | None, str], str] = {}
        self.anywhere: set[tuple[str, str, str]] = set()
        for e in snapshot.network_interfaces:
            if e.private_ip:
                self.eni[(e.account_id, e.region, e.vpc_id, e.private_ip)] = e.network_interface_id
                self.anywhere.add((e.account_id, e.region, e.private_ip))
        self.nat_enis = {eni for n in snapshot.nat_gateways for eni in n.network_interface_ids}
        self.nat_own = {n.nat_gateway_id: {*n.private_ips, *(a.private_ip for a in n.addresses if a.private_ip)}
                        for n in snapshot.nat_gateways}

    def classify(self, nat: NatGateway, address: str | None) -> tuple[str, str | None]:
        """("attributed", eni id) | ("nat_side", None) | ("other_vpc", None) | ("unknown_address", None)."""
        if not address:
            return "unknown_address", None
        if address in self.nat_own.get(nat.nat_gateway_id, ()):
            return "nat_side", None
        eni = self.eni.get((nat.account_id, nat.region, nat.vpc_id, address))
        if eni is not None:
            return ("nat_side", None) if eni in self.nat_enis else ("attributed", eni)
        if (nat.account_id, nat.region, address) in self.anywhere:
            return "other_vpc", None
        return "unknown_address", None


def nat_interfaces(snapshot: Snapshot) -> dict[str, NatGateway]:
    """Each NAT gateway's own ENI id -> the gateway."""
    return {eni: n for n in snapshot.nat_gateways for eni in n.network_interface_ids}


def attribute(rows: Iterable[Row], snapshot: Snapshot, *, source: str, engine: str, query: str,
              window: tuple[datetime, datetime]) -> FlowLogRead:
    by_interface = nat_interfaces(snapshot)
    book = _AddressBook(snapshot)
    counts: dict[str, int] = defaultdict(int)
    per_eni: dict[tuple[str, str], int] = defaultdict(int)
    per_nat: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for interface, leg, address, records, nbytes in rows:
        records, nbytes = _int(records), _int(nbytes)
        counts["records"] += records
        nat = by_interface.get(interface) if interface else None
        if nat is None:
            counts["other_interfaces"] += records
            continue
        per_nat[nat.nat_gateway_id]["records"] += records
        if leg in SKIPPED_LEGS:
            counts[SKIPPED_LEGS[leg]] += records
            continue
        kind, eni = book.classify(nat, address)
        counts[kind if kind != "attributed" else "attributed_records"] += records
        if eni is not None:
            per_eni[(nat.nat_gateway_id, eni)] += nbytes
            per_nat[nat.nat_gateway_id]["attributed"] += nbytes
        elif kind != "nat_side":
            per_nat[nat.nat_gateway_id]["unattributed"] += nbytes
    nats = {n.nat_gateway_id: n for n in snapshot.nat_gateways}
    rows_out = tuple(
        FlowLogBytes(account_id=nats[nat_id].account_id, region=nats[nat_id].region, nat_gateway_id=nat_id,
                     source_eni_id=eni, bytes=float(b))
        for (nat_id, eni), b in sorted(per_eni.items())
    )
    stats = FlowLogStats(
        source=source, engine=engine, query=query, window_start=window[0], window_end=window[1],
        nats=tuple(FlowLogNat(nat_gateway_id=nat_id, records=c["records"], attributed_bytes=c["attributed"],
                              unattributed_bytes=c["unattributed"])
                   for nat_id, c in sorted(per_nat.items()) if c["attributed"] or c["unattributed"]),
        **counts,
    )
    return FlowLogRead(flow_log_bytes=rows_out, stats=stats)
