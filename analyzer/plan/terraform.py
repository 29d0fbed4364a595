"""An HCL snippet for a plan's target state.

Reused NAT addresses are adopted with an ``import`` block into an ``aws_eip``
with ``prevent_destroy``: they are what the partner allow-lists, and code that
manages them beside its ``aws_nat_gateway`` would release them for good when
the NAT code is deleted. New ones are plain ``aws_eip`` resources. The ENI ids come
in as variables: Lambda creates and replaces its Hyperplane ENIs itself, so
Terraform can neither create nor track them. Every string from the scanned
account goes through ``hcl_string`` and every label through ``label``, so a
hostile name cannot end a string or a comment early.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable

from analyzer.plan.commands import comment
from analyzer.plan.layout import Layout, Move


def _escape_invisible(text: str) -> str:
    """Control, format (bidi overrides, zero-width) and separator characters as ``\\uNNNN`` escapes."""
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) in INVISIBLE and ord(c) <= 0xFFFF else c
                   for c in text)


INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def hcl_string(value: str) -> str:
    """A quoted HCL string: ``${`` and ``%{`` escaped so nothing is interpolated, invisible characters as escapes."""
    text = json.dumps(value, ensure_ascii=False).replace("${", "$${").replace("%{", "%%{")
    return text if text.isprintable() else _escape_invisible(text)


def hcl_list(values: Iterable[str]) -> str:
    """A list of quoted HCL strings: every value is data, never an expression."""
    return "[" + ", ".join(hcl_string(v) for v in values) + "]"


def hcl_exprs(exprs: Iterable[str]) -> str:
    """A list of HCL expressions the caller built itself (quoted strings or tool-generated variable refs)."""
    return "[" + ", ".join(exprs) + "]"


def label(name: str) -> str:
    """A Terraform resource name: ``[a-z0-9_]``, starting with a letter or underscore."""
    text = re.sub(r"[^a-z0-9_]", "_", name.lower())
    return text if re.match(r"[a-z_]", text) else f"fn_{text}"


class _Labels:
    """Unique labels: two names that sanitise alike get _2, _3, ..."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.last: dict[str, int] = {}  # per base, the suffix tried last: every lower one is taken

    def __call__(self, name: str) -> str:
        base = label(name)
        n = self.last.get(base, 1)
        out = base if n == 1 else f"{base}_{n}"
        while out in self.seen:
            n += 1
            out = f"{base}_{n}"
        self.last[base] = n
        self.seen.add(out)
        return out


KEEP_ADDRESS = (
    "Terraform adopts this NAT address (import) and never destroys it (prevent_destroy): the partner allow-lists",
    "it. If your code already manages it (an aws_eip next to your aws_nat_gateway), do not import it twice: add",
    "lifecycle { prevent_destroy = true } to that resource instead, and when you delete the NAT code drop the",
    "aws_eip with a `removed { from = <its address> lifecycle { destroy = false } }` block, never by deleting it.",
)


def _eips(layout: Layout, prefix: str) -> tuple[list[str], dict[str, str]]:
    lines: list[str] = []
    refs: dict[str, str] = {}
    for i, alloc in enumerate(layout.reused, 1):
        name = f"{prefix}_reused_{i}"
        lines += [
            comment(f"The NAT's address {layout.address_of(alloc)}, kept for the partner allow-list."),
            *(comment(text) for text in KEEP_ADDRESS),
            "import {",
            f"  to = aws_eip.{name}",
            f"  id = {hcl_string(alloc)}",
            "}",
            "",
            f'resource "aws_eip" "{name}" {{',
            '  domain = "vpc"',
            "  lifecycle {",
            "    prevent_destroy = true",
            "  }",
            "}",
            "",
        ]
        refs[alloc] = f"aws_eip.{name}.id"
    for n, alloc in enumerate(layout.new_allocations, 1):
        name = f"{prefix}_new_{n}"
        lines += [
            f'resource "aws_eip" "{name}" {{',
            '  domain = "vpc"',
            f"  tags   = {{ Name = {hcl_string(f'lambda-egress-{layout.plan_id}-{n}')} }}",
            "  lifecycle {",
            "    prevent_destroy = true # once allow-listed, releasing it breaks the partner integration",
            "  }",
            "}",
            "",
        ]
        refs[alloc] = f"aws_eip.{name}.id"
    return lines, refs


def _associations(layout: Layout, prefix: str, refs: dict[str, str]) -> list[str]:
    lines = [
        comment("Lambda owns its Hyperplane ENIs: Terraform cannot create or track them, and Lambda may"),
        comment("replace one at any time (the new ENI has no Elastic IP). Pass the current ENI ids in;"),
        comment("the guard (scheduled lambda-egress verify + the EventBridge rule) re-associates between applies."),
        "",
    ]
    k = 0
    for target in layout.targets:
        for alloc in (a.allocation_id for a in target.to_associate):
            k += 1
            var = f"{prefix}_eni_{k}"
            where = f"Lambda ENI in {target.subnet_id} with security groups {','.join(target.security_group_ids)}"
            lines += [
                f'variable "{var}" {{',
                "  type        = string",
                f"  description = {hcl_string(where)}",
                "}",
                "",
                f'resource "aws_eip_association" "{var}" {{',
                f"  allocation_id        = {refs[alloc]}",
                f"  network_interface_id = var.{var}",
                "}",
                "",
            ]
    return lines


def _subnet_var(placeholder: str, prefix: str) -> str:
    """The variable name for a subnet the plan creates (a placeholder the tool generated)."""
    return f"{prefix}_{label(placeholder.strip('<>'))}"


def _subnet_ref(subnet_id: str, prefix: str, placeholders: set[str]) -> str:
    """An HCL expression: a tool-generated variable for a subnet the plan creates, else a quoted id."""
    if subnet_id in placeholders:
        return f"var.{_subnet_var(subnet_id, prefix)}"
    return hcl_string(subnet_id)


def _functions(layout: Layout, prefix: str, moves: Iterable[Move]) -> list[str]:
    lines: list[str] = []
    placeholders = {s.placeholder for s in layout.new_subnets}
    for sid in (s.placeholder for s in layout.new_subnets):
        lines += [
            f'variable "{_subnet_var(sid, prefix)}" {{',
            "  type        = string",
            f"  description = {hcl_string('The public subnet created in the prerequisites: ' + sid)}",
            "}",
            "",
        ]
    labels = _Labels()
    for move in moves:
        subnets = [_subnet_ref(s, prefix, placeholders) for s in move.target_subnet_ids]
        lines += [
            comment(f"Merge into your existing resource for {move.name} ({move.arn})."),
            f'resource "aws_lambda_function" "{labels(move.name)}" {{',
            "  # ... your existing arguments ...",
            "  vpc_config {",
            f"    subnet_ids         = {hcl_exprs(subnets)}",
            f"    security_group_ids = {hcl_list(move.security_group_ids)}",
            *(["    ipv6_allowed_for_dual_stack = true"] if move.ipv6_dual_stack else []),
            "  }",
            "}",
            "",
        ]
    return lines


def terraform(layout: Layout) -> str:
    prefix = label(layout.plan_id)
    eip_lines, refs = _eips(layout, prefix)
    head = [
        comment(
            f"lambda-egress target state for {', '.join(layout.nat_ids)} "
            f"(account {layout.account_id}, {layout.region}, {layout.vpc_id}): one Elastic IP per Lambda ENI."
        ),
        comment("Change the functions' vpc_config only after the plan's warm and associate steps: applied in one"),
        comment("go, a function can run in the public subnet before its ENI has the Elastic IP."),
        "",
    ]
    body = head + eip_lines + _associations(layout, prefix, refs) + _functions(layout, prefix, layout.moves)
    return "\n".join(body).rstrip() + "\n"
