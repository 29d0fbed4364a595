"""mapping.json: what one account and region's guard enforces, and the allow-list it audits against.

The handler reads this file (packaged next to its code); people review it.

```json
{"schema_version": "1", "generated_by": "lambda-egress 0.1.0", "account_id": "...", "region": "...",
 "source": {"report_collected_at": "...", "plan_ids": ["..."]},
 "targets": [{"plan_id": "...", "vpc_id": "...", "subnet_id": "subnet-...", "availability_zone": "...",
              "security_group_ids": ["sg-..."], "function_arns": ["..."], "nat_gateway_ids": ["nat-..."],
              "in_window": false,
              "allocations": [{"allocation_id": "eipalloc-...", "public_ip": "198.51.100.7" | null,
                               "held_by_nat_gateway_ids": ["nat-..."]}]}],
 "allowed_ips": ["198.51.100.7"]}
```

``allowed_ips`` lists the addresses known when the guard was generated; the
handler adds the live address of every mapped allocation, so a new allocation
passed with ``--allocation`` is allowed without its address being known here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from analyzer import __version__
from analyzer.guard.source import GuardTarget

MAPPING_SCHEMA_VERSION = "1"


def _target(t: GuardTarget) -> dict[str, Any]:
    return {
        "plan_id": t.plan_id,
        "vpc_id": t.vpc_id,
        "subnet_id": t.subnet_id,
        "availability_zone": t.availability_zone,
        "security_group_ids": list(t.security_group_ids),
        "function_arns": list(t.function_arns),
        "nat_gateway_ids": list(t.nat_gateway_ids),
        "in_window": t.in_window,
        "allocations": [
            {"allocation_id": a.allocation_id, "public_ip": a.public_ip,
             "held_by_nat_gateway_ids": list(a.held_by_nat_gateway_ids)}
            for a in t.allocations
        ],
    }


def mapping_document(account_id: str, region: str, targets: Sequence[GuardTarget],
                     collected_at: str | None = None) -> dict[str, Any]:
    ips = sorted({a.public_ip for t in targets for a in t.allocations if a.public_ip})
    return {
        "schema_version": MAPPING_SCHEMA_VERSION,
        "generated_by": f"lambda-egress {__version__}",
        "account_id": account_id,
        "region": region,
        "source": {"report_collected_at": collected_at, "plan_ids": sorted({t.plan_id for t in targets})},
        "targets": [_target(t) for t in sorted(targets, key=lambda t: (t.subnet_id, t.security_group_ids))],
        "allowed_ips": ips,
    }


def dump_mapping(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2) + "\n"


def allocation_ids(document: dict[str, Any]) -> list[str]:
    return [a["allocation_id"] for t in document["targets"] for a in t["allocations"]]


def subnet_ids(document: dict[str, Any]) -> list[str]:
    return sorted({t["subnet_id"] for t in document["targets"]})
