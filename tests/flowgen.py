"""Flow-log records as AWS writes them on a NAT gateway's ENI, for tests (and the benchmark's shapes)."""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path


def _fields(text: str) -> tuple[str, ...]:
    return tuple(text.split())


V2 = _fields("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
             "log-status")
V5 = (*V2, *_fields("vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id "
                    "sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction "
                    "traffic-path"))
CUSTOM = _fields("interface-id pkt-dstaddr action start bytes dstaddr srcaddr pkt-srcaddr end log-status")

IN_WINDOW = int(datetime(2026, 10, 15, 12, tzinfo=UTC).timestamp())  # the builders' window: Oct 2 - Nov 1
BEFORE_WINDOW = int(datetime(2026, 9, 20, tzinfo=UTC).timestamp())


def record(interface: str, src: str, dst: str, pkt_src: str, pkt_dst: str, nbytes: int, *, start: int = IN_WINDOW,
           action: str = "ACCEPT", status: str = "OK") -> dict[str, str]:
    values = {
        "version": "5", "account-id": "123456789012", "interface-id": interface, "srcaddr": src, "dstaddr": dst,
        "srcport": "443", "dstport": "51515", "protocol": "6", "packets": "10", "bytes": str(nbytes),
        "start": str(start), "end": str(start + 60), "action": action, "log-status": status, "vpc-id": "vpc-0aaa",
        "subnet-id": "subnet-pub-a", "instance-id": "-", "tcp-flags": "3", "type": "IPv4", "pkt-srcaddr": pkt_src,
        "pkt-dstaddr": pkt_dst, "region": "us-east-1", "az-id": "use1-az1", "sublocation-type": "-",
        "sublocation-id": "-", "pkt-src-aws-service": "-", "pkt-dst-aws-service": "-", "flow-direction": "ingress",
        "traffic-path": "-",
    }
    if status != "OK":
        values.update({k: "-" for k in ("srcaddr", "dstaddr", "pkt-srcaddr", "pkt-dstaddr", "bytes", "action",
                                         "packets", "srcport", "dstport", "protocol")})
    return values


def flow(interface: str, nat_ip: str, source: str, remote: str, out_bytes: int, back_bytes: int,
         **kw) -> list[dict[str, str]]:
    """The four records one flow leaves on the NAT's ENI (AWS VPC guide, NAT gateway example)."""
    return [
        record(interface, source, nat_ip, source, remote, out_bytes, **kw),  # source -> NAT
        record(interface, nat_ip, remote, nat_ip, remote, out_bytes, **kw),  # NAT -> destination
        record(interface, remote, nat_ip, remote, nat_ip, back_bytes, **kw),  # destination -> NAT
        record(interface, nat_ip, source, remote, source, back_bytes, **kw),  # NAT -> source
    ]


def write_text(path: Path, records: Iterable[dict[str, str]], fields: Sequence[str] = V5) -> Path:
    lines = [" ".join(fields)] + [" ".join(r[f] for f in fields) for r in records]
    data = ("\n".join(lines) + "\n").encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def text_to_parquet(text: Path, parquet: Path) -> Path:
    """The same records as a Parquet file with the S3 delivery's column names and types."""
    import duckdb

    parquet.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    cols = ", ".join(
        f'TRY_CAST("{f}" AS BIGINT) AS "{f.replace("-", "_")}"' if f in ("bytes", "start", "end", "packets")
        else f'"{f}" AS "{f.replace("-", "_")}"' for f in V5)
    con.execute(f"COPY (SELECT {cols} FROM read_csv('{text}', delim=' ', header=true, all_varchar=true)) "
                f"TO '{parquet}' (FORMAT parquet)")
    con.close()
    return parquet
