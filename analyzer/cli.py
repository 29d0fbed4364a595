"""The ``lambda-egress`` command line: options -> pipeline -> outputs -> exit code.

Each command is thin; the work lives in ``analyzer.pipeline`` and the modules
it calls. A :class:`~analyzer.errors.UserError` anywhere becomes one line on
stderr and exit code 2; nothing else is caught.
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from analyzer import __version__
from analyzer.errors import UserError

app = typer.Typer(
    name="lambda-egress",
    help="Find Lambda functions behind NAT gateways, price NAT vs an Elastic IP on each Lambda ENI, "
    "and flag the risks of moving.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
prices_app = typer.Typer(help="Show or refresh the price book the cost model uses.", no_args_is_help=True)
app.add_typer(prices_app, name="prices")

err = Console(stderr=True, highlight=False)

# ---------------------------------------------------------------- shared options

OutOpt = Annotated[
    Path,
    typer.Option(
        "--out", metavar="DIR", help="Folder to write the reports into (scan also writes snapshot.json there)."
    ),
]
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format", metavar="FORMATS", help="Comma-separated outputs: html, md, json, csv (csv = findings + costs)."
    ),
]
PricesOpt = Annotated[
    Path | None, typer.Option("--prices", metavar="FILE", help="Price book JSON to use instead of the bundled one.")
]
SuppressOpt = Annotated[
    Path | None,
    typer.Option(
        "--suppressions", metavar="FILE", help="YAML file of accepted findings (rule_id, resource_id, reason, expires)."
    ),
]
FailOnOpt = Annotated[
    str | None,
    typer.Option(
        "--fail-on",
        metavar="SEVERITY",
        help="Exit 1 if an unsuppressed finding is at or above this severity (critical, high, medium, low, info).",
    ),
]
ProfileOpt = Annotated[
    str | None, typer.Option("--profile", metavar="PROFILE", help="AWS named profile (default: boto3's chain).")
]
RegionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--region", metavar="REGION", help="Region to scan; repeat for several (default: every enabled region)."
    ),
]
ALL_FORMATS = "html,md,json,csv"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lambda-egress {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Lambda egress cost and risk analyzer."""


def _report_options(out: Path, fmt: str, prices: Path | None, suppressions: Path | None, fail_on: str | None):
    from analyzer.pipeline import ReportOptions, check_fail_on
    from reports.render import parse_formats

    return ReportOptions(
        out_dir=out,
        formats=parse_formats(fmt),
        prices=prices,
        suppressions=suppressions,
        fail_on=check_fail_on(fail_on),
    )


def _finish(outcome) -> None:
    from analyzer.pipeline import summary_lines

    for line in summary_lines(outcome):
        err.print(line, markup=False, soft_wrap=True)
    raise typer.Exit(outcome.exit_code)


def _run_report(snapshot_loader, options) -> None:
    from analyzer.pipeline import analyze_and_write

    with err.status("Analyzing and rendering…"):
        snapshot = snapshot_loader()
        # The snapshot lives until exit: keep the cyclic GC from rescanning it
        # (about a third of analysis time at 10,000 functions).
        gc.freeze()
        outcome = analyze_and_write(snapshot, options)
    _finish(outcome)


def _scan_with_progress(request):
    """run_scan with a live status on stderr when it is a terminal (stdout stays clean for data)."""
    from rich.progress import BarColumn, Progress, TextColumn

    from analyzer.collect.scan import run_scan

    def clock(seconds: float | None) -> str:
        return "?" if seconds is None else f"{int(seconds) // 60}:{int(seconds) % 60:02d}"

    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[stats]}"))
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("Scanning", total=None, stats="")

        def on_progress(status) -> None:
            stats = (f"{status.units_done}/{status.units_expected} regions, accounts {status.accounts_entered}/"
                     f"{status.accounts_total} ({status.accounts_failed} failed), {status.api_calls} API calls "
                     f"({status.throttles} throttled), {clock(status.elapsed)} elapsed, {clock(status.eta)} left")
            progress.update(task, description=f"Scanned {status.last}" if status.last else "Scanning",
                            completed=status.units_done, total=status.units_expected or None, stats=stats)

        return run_scan(request, on_progress)


def _resume_folder(ctx: typer.Context, resume: Path | None, out: Path) -> Path:
    """The output folder: --resume DIR's own; the scan it continues is defined there, not by options."""
    def typed(name: str) -> bool:  # given on the command line, not defaulted
        source = ctx.get_parameter_source(name)
        return getattr(source, "name", "") == "COMMANDLINE"

    if resume is None:
        return out
    given = [f"--{name.replace('_', '-')}" for name in ("region", "org", "role_name", "accounts_file", "days")
             if typed(name)]
    if given:
        raise UserError(f"--resume continues the scan saved in {resume}: drop {', '.join(given)}")
    if typed("out") and out != resume:
        raise UserError(f"--resume writes into the folder it continues ({resume}): drop --out {out}")
    return resume


# ---------------------------------------------------------------- commands


@app.command()
def demo(
    out: OutOpt = Path("lambda-egress-demo"),
    fmt: FormatOpt = ALL_FORMATS,
) -> None:
    """Analyze the bundled sample snapshot (no AWS account needed) and write the reports."""
    from analyzer.pipeline import demo_snapshot

    _run_report(demo_snapshot, _report_options(out, fmt, None, None, None))


@app.command()
def report(
    snapshot: Annotated[
        Path, typer.Argument(metavar="SNAPSHOT", help="A snapshot.json or snapshot.json.gz written by `scan`.")
    ],
    out: OutOpt = Path("lambda-egress-report"),
    fmt: FormatOpt = ALL_FORMATS,
    prices: PricesOpt = None,
    suppressions: SuppressOpt = None,
    fail_on: FailOnOpt = None,
) -> None:
    """Re-analyze a saved snapshot offline and write the reports."""
    from analyzer.snapshot import read_snapshot

    options = _report_options(out, fmt, prices, suppressions, fail_on)
    _run_report(lambda: read_snapshot(snapshot), options)


@app.command()
def scan(
    ctx: typer.Context,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    org: Annotated[bool, typer.Option("--org", help="Scan every active account of the AWS Organization.")] = False,
    role_name: Annotated[
        str | None,
        typer.Option(
            "--role-name", metavar="ROLE", help="Role to assume in each account (with --org or --accounts-file)."
        ),
    ] = None,
    accounts_file: Annotated[
        Path | None,
        typer.Option(
            "--accounts-file", metavar="FILE", help="File of account ids to scan (one per line, or YAML list)."
        ),
    ] = None,
    days: Annotated[int, typer.Option("--days", metavar="DAYS", min=1, max=455, help="Metric window in days.")] = 30,
    out: OutOpt = Path("lambda-egress-report"),
    fmt: FormatOpt = ALL_FORMATS,
    prices: PricesOpt = None,
    suppressions: SuppressOpt = None,
    fail_on: FailOnOpt = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", metavar="N", min=1, max=256,
            help="API calls in flight at once, across accounts and regions (1: one call at a time).",
        ),
    ] = 32,
    gzip_snapshot: Annotated[
        bool, typer.Option("--gzip", help="Write snapshot.json.gz instead of snapshot.json.")
    ] = False,
    unit_timeout: Annotated[
        float,
        typer.Option(
            "--unit-timeout", metavar="SECONDS", min=1,
            help="Give up on one account x region after this long (a coverage error; the scan goes on).",
        ),
    ] = 300.0,
    resume: Annotated[
        Path | None,
        typer.Option(
            "--resume", metavar="DIR",
            help="Continue the interrupted scan checkpointed in DIR: only what is missing is scanned.",
        ),
    ] = None,
) -> None:
    """Scan live AWS accounts (read-only), save DIR/snapshot.json, and write the reports."""
    from analyzer.collect.scan import ScanRequest, discard_checkpoints
    from analyzer.pipeline import analyze_and_write, load_inputs
    from analyzer.snapshot import write_snapshot

    if (org or accounts_file) and not role_name:
        raise UserError("--org and --accounts-file need --role-name (the role to assume in each account)")
    if org and accounts_file:
        raise UserError("use either --org or --accounts-file, not both")
    out = _resume_folder(ctx, resume, out)
    options = _report_options(out, fmt, prices, suppressions, fail_on)
    inputs = load_inputs(options)  # a bad --prices or --suppressions fails now, not after the scan
    request = ScanRequest(
        profile=profile,
        regions=tuple(region or ()),
        org=org,
        role_name=role_name,
        accounts_file=accounts_file,
        days=days,
        workers=workers,
        unit_timeout=unit_timeout,
        checkpoints=out,
        resume=resume is not None,
    )
    snapshot = _scan_with_progress(request)
    path = write_snapshot(snapshot, out / ("snapshot.json.gz" if gzip_snapshot else "snapshot.json"))
    err.print(f"Wrote {path}", markup=False)
    with err.status("Analyzing and rendering…"):
        outcome = analyze_and_write(snapshot, options, inputs)
    discard_checkpoints(out)  # the run's outputs are written: nothing left to resume
    _finish(outcome)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(metavar="OLD", help="The earlier report.json or snapshot file.")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="The later report.json or snapshot file.")],
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help="Output format: text or json.")] = "text",
    prices: PricesOpt = None,
) -> None:
    """Compare two runs (report.json or snapshot files): money, NAT gateways, findings, egress."""
    from analyzer.diff import diff_results, load_result, render_diff_text

    if fmt not in ("text", "json"):
        raise UserError(f"--format {fmt!r} is not valid for diff; use text or json")
    change = diff_results(load_result(old, prices), load_result(new, prices))
    if fmt == "json":
        typer.echo(json.dumps(change, indent=2))
    else:
        typer.echo(render_diff_text(change))


@app.command("iam-policy")
def iam_policy() -> None:
    """Print the least-privilege, read-only IAM policy the scan needs."""
    from analyzer.collect.policy import load_policy

    typer.echo(json.dumps(load_policy(), indent=2))


@app.command()
def verify(
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help="Output format: text or json.")] = "text",
) -> None:
    """Check that every Lambda ENI in a public subnet still has its Elastic IP (drift guard).

    Exit 1 on drift, 3 if some call failed (drift there cannot be ruled out), else 0.
    """
    from analyzer.collect.scan import ScanRequest
    from analyzer.verify import check, render_json, render_text

    if fmt not in ("text", "json"):
        raise UserError(f"--format {fmt!r} is not valid for verify; use text or json")
    # Topology and public IPs only: no CloudWatch, no per-function or quota calls.
    request = ScanRequest(
        profile=profile, regions=tuple(region or ()), include_metrics=False, include_function_state=False
    )
    snapshot = _scan_with_progress(request)
    result = check(snapshot)
    typer.echo(render_json(result) if fmt == "json" else render_text(result))
    raise typer.Exit(result.exit_code)


BookRegionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--region",
        metavar="REGION",
        help="Region to include; repeat for several (default: every region in the bundled price book).",
    ),
]


@prices_app.command("show")
def prices_show(
    region: BookRegionOpt = None,
    prices: PricesOpt = None,
) -> None:
    """Print the unit prices the cost model uses, with their date and source."""
    from analyzer.pricing import load_price_book, price_rows

    book = load_price_book(prices)
    for row in price_rows(book, tuple(region or ())):
        typer.echo(row)


@prices_app.command("refresh")
def prices_refresh(
    region: BookRegionOpt = None,
    out: Annotated[
        Path, typer.Option("--out", metavar="FILE", help="Where to write the refreshed price book JSON.")
    ] = Path("price_book.json"),
    profile: ProfileOpt = None,
) -> None:
    """Fetch current prices from the AWS Price List API into a price book file (use it with --prices)."""
    from analyzer.collect.prices import refresh_price_book
    from analyzer.files import atomic_write_text
    from analyzer.pricing import dump_price_book, load_price_book

    book = refresh_price_book(profile, tuple(region or ()), load_price_book())
    atomic_write_text(out, dump_price_book(book))
    err.print(f"Wrote {out} ({len(book.regions)} regions, as of {book.as_of})", markup=False)


def main() -> None:
    """Console-script entry point: user errors become one line and exit code 2.

    Typer runs in standalone mode (usage errors already print one message and
    exit 2); only our own UserError needs catching here.
    """
    try:
        app()
    except UserError as exc:
        err.print(f"error: {exc.message}", markup=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
