"""The steps a command runs, as plain functions (the CLI only parses options and calls these).

Loading inputs, analyzing, writing outputs and choosing the exit code live
here so they can be tested without Typer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path

from analyzer.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, ConfigError
from analyzer.models import SEVERITIES, SEVERITY_RANK, AnalysisResult, PriceBook, Settings, Snapshot, Suppression
from analyzer.pricing import load_price_book
from analyzer.result import analyze
from analyzer.snapshot import parse_snapshot
from analyzer.suppressions import load_suppressions

DEMO_SNAPSHOT = "demo_snapshot.json"
MAX_PATHS_LISTED = 12  # past this, "Wrote N files into DIR" (runbooks are two files per plan)


@dataclass(frozen=True)
class ReportOptions:
    out_dir: Path
    formats: tuple[str, ...]
    prices: Path | None = None
    suppressions: Path | None = None
    fail_on: str | None = None
    today: date | None = None
    settings: Settings = field(default_factory=Settings)
    previous: Path | None = None  # --previous: an earlier report.json or snapshot to compare with


@dataclass(frozen=True)
class Outcome:
    result: AnalysisResult
    paths: tuple[Path, ...]
    exit_code: int
    fail_on: str | None = None


def demo_snapshot() -> Snapshot:
    """The bundled sample snapshot (shipped in the wheel as ``analyzer.sample_data``)."""
    import json

    text = resources.files("analyzer.sample_data").joinpath(DEMO_SNAPSHOT).read_text("utf-8")
    return parse_snapshot(json.loads(text), source=f"bundled {DEMO_SNAPSHOT}")


def check_fail_on(value: str | None) -> str | None:
    if value is None:
        return None
    severity = value.strip().lower()
    if severity not in SEVERITIES:
        raise ConfigError(f"--fail-on {value!r} is not a severity; use one of: {', '.join(SEVERITIES)}")
    return severity


def analysis_settings(destinations: Sequence[str] = (), reuse_nat_addresses: bool = False,
                      min_savings: float | None = None) -> Settings:
    """Settings from the analysis options; a ``--destination`` that is not an address or CIDR is a usage error."""
    from analyzer.routing import parse_destination

    parsed = []
    for text in destinations:
        try:
            parsed.append(str(parse_destination(text)))
        except ValueError as exc:
            raise ConfigError(f"--destination {exc}") from None
    extra = {}
    if min_savings is not None:
        if not 0 <= min_savings < 1e9:
            raise ConfigError(f"--min-savings must be a dollar amount of 0 or more, got {min_savings}")
        extra["min_savings_usd"] = Decimal(str(min_savings))
    return Settings(destinations=tuple(dict.fromkeys(parsed)), reuse_nat_addresses=reuse_nat_addresses, **extra)


def tripped(result: AnalysisResult, fail_on: str | None) -> list:
    """The unsuppressed findings at or above ``fail_on`` (none without a gate)."""
    if fail_on is None:
        return []
    threshold = SEVERITY_RANK[fail_on]
    return [f for f in result.findings if not f.suppressed and SEVERITY_RANK[f.severity] >= threshold]


def fail_on_line(result: AnalysisResult, fail_on: str | None) -> str | None:
    """Why --fail-on exits 1: the count per severity at or above the gate, with the rules behind each."""
    hits = tripped(result, fail_on)
    if not hits:
        return None
    parts = []
    for severity in SEVERITIES:
        rules = Counter(f.rule_id for f in hits if f.severity == severity)
        if rules:
            named = ", ".join(f"{r} x{n}" if n > 1 else r for r, n in sorted(rules.items()))
            parts.append(f"{sum(rules.values())} {severity} ({named})")
    return (f"--fail-on {fail_on}: {len(hits)} unsuppressed finding(s) at or above {fail_on}: "
            f"{'; '.join(parts)}. Exit 1.")


def exit_code_for(result: AnalysisResult, fail_on: str | None) -> int:
    """1 when an unsuppressed finding is at or above ``fail_on``; else 3 when coverage has gaps or a NAT
    gateway is unpriced; else 0."""
    if tripped(result, fail_on):
        return EXIT_FINDINGS
    if result.coverage.errors or result.unpriced:
        return EXIT_INCOMPLETE
    return EXIT_OK


@dataclass(frozen=True)
class Inputs:
    """What a report needs besides the snapshot, loaded (and so checked) up front."""

    prices: PriceBook
    suppressions: tuple[Suppression, ...]
    previous: dict | None = None  # the --previous run in report.json shape


def load_inputs(options: ReportOptions) -> Inputs:
    """Prices, suppressions and the --previous run, read and checked before anything is scanned or analyzed."""
    from analyzer.diff import load_run

    previous = None
    if options.previous is not None:
        previous = load_run("--previous", options.previous, options.prices, options.settings)
    return Inputs(
        prices=load_price_book(options.prices),
        suppressions=load_suppressions(options.suppressions) if options.suppressions else (),
        previous=previous,
    )


def analyze_and_write(
    snapshot: Snapshot,
    options: ReportOptions,
    inputs: Inputs | None = None,
    also: Mapping[str, bytes] | None = None,
) -> Outcome:
    """Analyze with the prices and suppressions, write the selected reports, pick the exit code.

    The reports and ``also`` (a scan's snapshot file) are written as one staged set, ``also`` moved in
    last: a failure anywhere leaves the previous set in ``options.out_dir`` as it was.
    """
    from analyzer.diff import with_changes
    from reports.render import write_reports

    fail_on = check_fail_on(options.fail_on)
    inputs = inputs or load_inputs(options)
    result = analyze(snapshot, inputs.prices, settings=options.settings, suppressions=inputs.suppressions,
                     today=options.today or date.today())
    result = with_changes(result, inputs.previous)
    paths = write_reports(result, options.out_dir, options.formats, also)
    return Outcome(result=result, paths=tuple(paths), exit_code=exit_code_for(result, fail_on), fail_on=fail_on)


def unreported_name(snapshot_name: str) -> str:
    """Where a scan whose analysis failed keeps its snapshot: not named like a member of the report set."""
    stem, _, ext = snapshot_name.partition(".")
    return f"{stem}.unreported.{ext}"


def write_scan(snapshot: Snapshot, options: ReportOptions, inputs: Inputs, snapshot_name: str) -> Outcome:
    """A scan's reports and snapshot as one set; if analysis or writing fails, the scan is kept aside.

    Active routes to a NAT gateway the scan did not return (deleted between two calls) become coverage
    gaps here, so the snapshot a scan writes always reads back.
    """
    from analyzer.errors import UserError
    from analyzer.files import atomic_write_bytes
    from analyzer.snapshot import check_snapshot, encode_snapshot, record_route_gaps

    snapshot = record_route_gaps(snapshot)
    data = encode_snapshot(snapshot, compress=snapshot_name.endswith(".gz"))
    try:
        check_snapshot(snapshot, "the scanned data")
        return analyze_and_write(snapshot, options, inputs, also={snapshot_name: data})
    except BaseException as exc:  # a bug or Ctrl-C must not lose a scan that took an hour either
        aside = options.out_dir / unreported_name(snapshot_name)
        try:
            atomic_write_bytes(aside, data)
            kept = f"the scan is kept in {aside}: run `lambda-egress report {aside}` once fixed"
        except UserError:
            kept = "the scan could not be kept either"
        if isinstance(exc, UserError):
            raise type(exc)(f"{exc.message}; {kept}") from None
        exc.add_note(kept)
        raise


def summary_lines(outcome: Outcome) -> Sequence[str]:
    s = outcome.result.summary
    sev = ", ".join(f"{n} {k}" for k, n in s.findings_by_severity.items() if n)
    lines = [
        f"{s.functions_behind_nat} of {s.functions_in_vpc} VPC functions egress through "
        f"{s.candidate_nat_gateways} NAT gateway(s).",
        f"Current ${s.current_monthly_usd:,.2f}/month, proposed ${s.proposed_monthly_usd:,.2f}/month: "
        f"saves ${s.monthly_savings_usd:,.2f}/month (${s.annual_savings_usd:,.2f}/year) with {s.eips_needed} EIP(s).",
        f"Findings: {sev or 'none'}.",
    ]
    errors = outcome.result.coverage.errors
    if errors:
        lines.append(f"Scan incomplete: {len(errors)} call(s) failed; see the Coverage section.")
    for u in outcome.result.unpriced:
        lines.append(f"Unpriced: {u.nat_gateway_id} ({u.region}) is left out of the totals; fix: {u.fix}")
    changes = outcome.result.changes
    if changes is not None:
        lines += [f"warning: {w}" for w in changes.warnings]
    if len(outcome.paths) > MAX_PATHS_LISTED:
        folders = sorted({str(p.parent) for p in outcome.paths})
        lines.append(f"Wrote {len(outcome.paths)} files into {', '.join(folders)}")
    else:
        lines += [f"Wrote {p}" for p in outcome.paths]
    failing = fail_on_line(outcome.result, outcome.fail_on)
    if failing:
        lines.append(failing)
    return lines
