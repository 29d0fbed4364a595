"""``lambda-egress guard``: report.json -> one deployable guard per account and region, on disk.

Everything is computed and checked before the first file is written, so bad
input (a schema-1 report, an unknown ``--nat``, an unresolved placeholder)
leaves the output folder as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import ConfigError
from analyzer.files import atomic_write_bytes
from analyzer.guard.mapping import mapping_document
from analyzer.guard.render import FORMATS, guard_files
from analyzer.guard.resources import FUNCTION_NAME, guard_names
from analyzer.guard.source import guard_targets, load_report, parse_resolutions, select_plans

# Files a format owns: removed when a later run leaves that format out, so no stale policy stays behind.
FORMAT_FILES = {
    "cloudformation": ("cloudformation.yaml", "cloudformation.packaged.yaml"),
    "terraform": ("terraform/versions.tf", "terraform/variables.tf", "terraform/main.tf", "terraform/outputs.tf",
                  "terraform/policy.json", "terraform/event_pattern.json"),
}


@dataclass(frozen=True)
class GuardRequest:
    report: Path
    out_dir: Path
    nat_ids: tuple[str, ...] = ()
    allocations: tuple[str, ...] = ()  # "[ACCOUNT/REGION/]<placeholder>=eipalloc-..."
    subnets: tuple[str, ...] = ()  # "[ACCOUNT/REGION/]<placeholder>=subnet-..."
    formats: tuple[str, ...] = FORMATS
    name: str = FUNCTION_NAME  # the guard's name: its function, stack, role, rules, topic and alarms


@dataclass(frozen=True)
class GuardOutput:
    account_id: str
    region: str
    folder: Path
    targets: int
    allocations: int
    in_window_targets: int
    files: tuple[Path, ...]


def parse_formats(value: str) -> tuple[str, ...]:
    wanted = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise ConfigError(f"--format {value!r}: use a comma-separated list of {', '.join(FORMATS)}")
    return wanted


def plan_guards(request: GuardRequest) -> list[tuple[GuardOutput, dict[str, bytes]]]:
    """What ``write_guards`` would write, checked, without touching the disk."""
    try:
        guard_names(request.name)
    except ValueError as exc:
        raise ConfigError(f"--name: {exc}") from None
    report = load_report(request.report)
    plans = select_plans(report, request.nat_ids)
    grouped = guard_targets(plans, parse_resolutions(request.allocations, "allocation", "--allocation"),
                            parse_resolutions(request.subnets, "subnet", "--subnet"))
    planned = []
    for (account, region), targets in grouped.items():
        document = mapping_document(account, region, targets, report.get("collected_at"))
        files = guard_files(document, request.formats, request.name)
        folder = request.out_dir / account / region
        output = GuardOutput(
            account_id=account, region=region, folder=folder, targets=len(targets),
            allocations=sum(len(t.allocations) for t in targets),
            in_window_targets=sum(t.in_window for t in targets),
            files=tuple(folder / name for name in sorted(files)),
        )
        planned.append((output, files))
    return planned


def write_guards(request: GuardRequest) -> tuple[GuardOutput, ...]:
    planned = plan_guards(request)
    for output, files in planned:
        for name, data in sorted(files.items()):
            atomic_write_bytes(output.folder / name, data)
        for fmt in FORMATS:
            if fmt not in request.formats:
                for name in FORMAT_FILES[fmt]:
                    (output.folder / name).unlink(missing_ok=True)
    return tuple(output for output, _ in planned)


def guard_summary(outputs: Sequence[GuardOutput]) -> list[str]:
    return [f"Wrote {o.folder} ({o.targets} target(s), {o.allocations} allocation(s)"
            + (f", {o.in_window_targets} waiting for the maintenance window" if o.in_window_targets else "") + ")"
            for o in outputs]
