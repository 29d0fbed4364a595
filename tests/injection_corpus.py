"""A corpus of injected text, pushed through every AWS-sourced string of the demo snapshot.

``injected_snapshot`` appends the whole corpus to every string a tampered snapshot could carry (names,
tags and their keys, ids, descriptions, ARNs, AZs, addresses, coverage errors and notes) and leaves alone
only AWS's own vocabularies that the analysis branches on (states, metric names, CIDRs, times) and the
account ids and regions whose form is checked on read.
The same string always gets the same suffix, so every id still joins: the report keeps its whole shape,
and every format can be compared with the clean one, element for element.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from analyzer.cli import app

ROOT = Path(__file__).resolve().parent.parent
DEMO = json.loads((ROOT / "sample_data/demo_snapshot.json").read_text())

CORPUS = {
    "html": "<img src=x onerror=alert(1)><script>alert(2)</script>\"'><svg onload=alert(3)>",
    "markdown": " [md](http://evil.example/md) ![i](http://evil.example/i.png) **b** _i_ | td | # h `t` ",
    "autolink": " http://evil.example/bare www.evil.example victim@evil.example <http://evil.example/angle> ",
    "csv": "=HYPERLINK(\"http://evil.example/csv\",\"x\")",
    "hcl": "\"}\nresource \"null_resource\" \"pwn\" {\n  provisioner \"local-exec\" { command = \"touch /tmp/pwned\" }"
    "\n}\n# ${file(\"/etc/passwd\")} $${x} %{ if true }x%{ endif } var.pwn",
    "shell": "; touch /tmp/pwned; $(id) `id` && echo",
    "ansi": "\x1b]0;PWNED\x07\x1b[31;1;5mPWN\x1b[0m\x9b2J\r",
    "bidi": "\u202eevil\u202c\u2066x\u2069",
    "nul": "a\x00b",
}
PAYLOAD = "".join(CORPUS.values())
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# AWS vocabularies the analysis branches on (a tampered value there changes the analysis, not the output),
# and account ids and regions, whose form the snapshot check enforces (12 digits; a region name).
KEEP = frozenset({
    "account_id", "accounts",
    "timestamps", "collected_at", "last_modified", "schema_version", "region", "regions", "state", "status",
    "namespace", "metric_name", "dimension_name", "stat", "interface_type", "availability_mode",
    "connectivity_type", "source", "service_name", "endpoint_type", "destination_cidr_block",
    "destination_ipv6_cidr_block", "cidr_block", "ipv6_cidr_blocks", "address_family", "cidrs",
    "last_update_status", "gateway_id", "auto_provision_zones", "auto_scaling_ips",
})  # fmt: skip


def _inject(value: Any, key: str | None, suffix: str) -> Any:
    if isinstance(value, dict):
        tags = key == "tags"
        return {(k + suffix if tags else k): _inject(v, k, suffix) for k, v in value.items()}
    if isinstance(value, list):
        return [_inject(v, key, suffix) for v in value]
    if isinstance(value, str) and key not in KEEP:
        return value + suffix
    return value


def injected_snapshot(suffix: str = PAYLOAD) -> dict:
    doc = _inject(copy.deepcopy(DEMO), None, suffix)
    account, region = doc["nat_gateways"][0]["account_id"], doc["nat_gateways"][0]["region"]
    doc["coverage"]["errors"] = [{
        "account_id": account, "region": region, "operation": "DescribeVpcEndpoints" + suffix,
        "error_code": "UnauthorizedOperation" + suffix, "message": "You are not authorized" + suffix,
    }]  # fmt: skip
    doc["coverage"]["notes"].append("note" + suffix)
    return doc


def with_nat_prefix(prefix: str) -> dict:
    """NAT gateway ids that start with ``prefix`` (they lead rows of both CSVs); all else as in the demo."""
    text = json.dumps(DEMO)
    for nat in DEMO["nat_gateways"]:
        text = text.replace(json.dumps(nat["nat_gateway_id"]), json.dumps(prefix + nat["nat_gateway_id"]))
    return json.loads(text)


ALL_FORMATS = "html,md,md-summary,json,csv,runbooks"


def run_report(tmp: Path, doc: dict, *extra: str, formats: str = ALL_FORMATS) -> tuple[Path, Any]:
    """Write ``doc`` as a snapshot, run ``lambda-egress report`` on it in process, return (out dir, result)."""
    tmp.mkdir(parents=True, exist_ok=True)
    snap = tmp / "snapshot.json"
    snap.write_text(json.dumps(doc))
    out = tmp / "out"
    result = CliRunner().invoke(app, ["report", str(snap), "--out", str(out), "--format", formats, *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 3), result.output
    return out, result
