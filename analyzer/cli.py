"""The ``lambda-egress`` command line: options -> pipeline -> outputs -> exit code.

Each command is thin; the work lives in ``analyzer.pipeline`` and the modules
it calls. Inside the app (``OneLineErrors``), a :class:`~analyzer.errors.UserError`
anywhere becomes one line on stderr and its exit code (2); Ctrl-C is exit 130.
Nothing else is caught: a bug stays a bug. Everything the CLI prints goes
through ``analyzer.inert`` (``err``, ``echo``).
"""

from __future__ import annotations

import gc
import io
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

try:  # newer Typer vendors Click as typer._click; older ones use the click package
    from typer._click.exceptions import NoSuchOption, UsageError
except ImportError:  # pragma: no cover - depends on the installed Typer
    from click.exceptions import NoSuchOption, UsageError

from analyzer import __version__
from analyzer.errors import UserError
from analyzer.inert import InertConsole, reveal
from reports.formats import NAMES as FORMAT_NAMES
from reports.formats import format_help

# The one stderr console: progress, summaries and errors, with AWS-sourced text made inert.
err = InertConsole(stderr=True, highlight=False)


def echo(text: str) -> None:
    """A line of command output on stdout, made inert like everything on ``err``.

    A closed pipe (``| head -1``) or a full disk (``> /dev/full``) is one error line and exit 2.
    """
    try:
        typer.echo(reveal(text))
    except OSError as exc:
        _stdout_gone()
        raise UserError(f"cannot write to standard output: {exc.strerror or exc}") from None


def _stdout_gone() -> None:
    """Point stdout at /dev/null, so Python's flush at exit cannot fail a second time with a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file (tests): nothing will flush it at exit


class OneLineErrors(TyperGroup):
    """The root command: a UserError anywhere (a subcommand's parsing included) is one stderr line and its
    exit code, inside the app, so ``CliRunner`` sees what the console script does. Typer turns
    KeyboardInterrupt into exit 130 and prints its own usage errors (exit 2).
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            err.print(f"error: {exc.message}", markup=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except UsageError as exc:  # a subcommand's bad option or argument: one line, not a usage block
            raise typer.Exit(_usage_line(exc)) from None

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except UsageError as exc:
            if isinstance(exc, NoSuchOption) or args:
                raise typer.Exit(_usage_line(exc)) from None
            raise


def _usage_line(exc: UsageError) -> int:
    """Print a usage error as one line that names the command to ask for help, and return its exit code (2)."""
    command = exc.ctx.command_path if exc.ctx is not None else "lambda-egress"
    err.print(f"error: {exc.format_message()} (see `{command} --help`)", markup=False, soft_wrap=True)
    return exc.exit_code


app = typer.Typer(
    cls=OneLineErrors,
    name="lambda-egress",
    help="Find Lambda functions behind NAT gateways, price NAT vs an Elastic IP on each Lambda ENI, "
    "and flag the risks of moving.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
prices_app = typer.Typer(help="Show or refresh the price book the cost model uses.", no_args_is_help=True,
                         context_settings={"help_option_names": ["-h", "--help"]})
app.add_typer(prices_app, name="prices")

# ---------------------------------------------------------------- shared options

OutOpt = Annotated[
    Path,
    typer.Option(
        "--out", metavar="DIR", help="Folder for the review report (report.html, report.md, summary.md), "
        "report.json, the CSVs and runbooks/ (the files of --format)."
    ),
]
ScanOutOpt = Annotated[
    Path,
    typer.Option(
        "--out", metavar="DIR", help="Folder for the scan's snapshot.json and the reports made from it "
        "(report.html, report.md, summary.md, report.json, the CSVs, runbooks/)."
    ),
]
FormatOpt = Annotated[str, typer.Option("--format", metavar="FORMATS", help=format_help())]
PreviousOpt = Annotated[
    Path | None,
    typer.Option(
        "--previous", metavar="OLD", help="An earlier report.json or snapshot: page 1 and report.json (changes) "
        "show what changed since (money, NAT gateways, findings, egress). Read before anything else."
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
DestinationOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--destination",
        metavar="CIDR",
        help="Partner address or CIDR to resolve egress for (longest prefix match); repeat for several "
        "(default: 0.0.0.0/0).",
    ),
]
ReuseOpt = Annotated[
    bool,
    typer.Option(
        "--reuse-nat-addresses",
        help="Plan to reuse each removed NAT gateway's primary address (the partner's allow-list keeps it) at the "
        "cost of a maintenance window; default: new addresses allow-listed ahead, no window.",
    ),
]
MinSavingsOpt = Annotated[
    float | None,
    typer.Option("--min-savings", metavar="USD", help="A candidate saving less per month is 'not worth it' "
                                                       "(default: 10)."),
]
ALL_FORMATS = ",".join(FORMAT_NAMES)

# ---------------------------------------------------------------- traffic and billing inputs (scan, report)

FlowLogsOpt = Annotated[
    list[Path] | None,
    typer.Option("--flow-logs", metavar="PATH", help="VPC Flow Logs of the NAT gateways' ENIs (text with its header, "
                 ".gz or plain, or Parquet; a file or a folder, searched recursively); repeat for several."),
]
FlowLogsAthenaOpt = Annotated[
    str | None,
    typer.Option("--flow-logs-athena", metavar="DB.TABLE", help="Run the flow-log aggregation in Athena over this "
                 "table instead (needs the optional Athena statement of the IAM policy)."),
]
CurOpt = Annotated[
    list[Path] | None,
    typer.Option("--cur", metavar="PATH", help="Cost and Usage Report files (CUR 2.0 / Data Exports Parquet or CSV, "
                 "or legacy CUR CSV; a file or a folder) to compare the model with the bill; repeat for several."),
]
CurAthenaOpt = Annotated[
    str | None,
    typer.Option("--cur-athena", metavar="DB.TABLE", help="Read the NAT gateway lines of this CUR table in Athena "
                 "instead."),
]
AthenaWorkgroupOpt = Annotated[
    str | None, typer.Option("--athena-workgroup", metavar="NAME", help="Athena workgroup for the Athena queries.")
]
AthenaOutputOpt = Annotated[
    str | None,
    typer.Option("--athena-output", metavar="S3URI", help="s3://bucket/prefix/ for the Athena query results "
                 "(unless the workgroup sets one)."),
]


def _traffic(flow_logs, flow_logs_athena, cur, cur_athena, workgroup, output, profile):
    from analyzer.inputs.attach import TrafficOptions, check

    options = TrafficOptions(flow_logs=tuple(flow_logs or ()), flow_logs_athena=flow_logs_athena,
                             cur=tuple(cur or ()), cur_athena=cur_athena, athena_workgroup=workgroup,
                             athena_output=output, profile=profile)
    check(options)  # bad paths, fields or option pairs fail now, before any scan or query
    return options


def _with_traffic(snapshot, options):
    from analyzer.inputs.attach import attach

    if not options.given:
        return snapshot
    with err.status("Reading flow logs / CUR…"):
        return attach(snapshot, options)


def _version(value: bool) -> None:
    if value:
        echo(f"lambda-egress {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Lambda egress cost and risk analyzer."""


def _report_options(out: Path, fmt: str, prices: Path | None, suppressions: Path | None, fail_on: str | None,
                    destinations: list[str] | None = None, reuse_nat_addresses: bool = False,
                    min_savings: float | None = None, previous: Path | None = None):
    from analyzer.pipeline import ReportOptions, analysis_settings, check_fail_on
    from reports.render import parse_formats

    return ReportOptions(
        out_dir=out,
        formats=parse_formats(fmt),
        prices=prices,
        suppressions=suppressions,
        fail_on=check_fail_on(fail_on),
        settings=analysis_settings(destinations or (), reuse_nat_addresses, min_savings),
        previous=previous,
    )


def _finish(outcome) -> None:
    from analyzer.pipeline import summary_lines

    for line in summary_lines(outcome):
        err.print(line, markup=False, soft_wrap=True)
    raise typer.Exit(outcome.exit_code)


def _run_report(snapshot_loader, options, inputs) -> None:
    from analyzer.pipeline import analyze_and_write

    with err.status("Analyzing and rendering…"):
        snapshot = snapshot_loader()
        # The snapshot lives until exit: keep the cyclic GC from rescanning it
        # (about a third of analysis time at 10,000 functions).
        gc.freeze()
        outcome = analyze_and_write(snapshot, options, inputs)
    _finish(outcome)


def _scan_with_progress(request):
    """run_scan with a live status on stderr when it is a terminal (stdout stays clean for data)."""
    from rich.markup import escape
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
            progress.update(task, description=f"Scanned {escape(status.last)}" if status.last else "Scanning",
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
    suppressions: SuppressOpt = None,
    fail_on: FailOnOpt = None,
    destination: DestinationOpt = None,
    reuse_nat_addresses: ReuseOpt = False,
    min_savings: MinSavingsOpt = None,
    previous: PreviousOpt = None,
) -> None:
    """Analyze the bundled sample snapshot (no AWS account needed) and write the reports."""
    from analyzer.pipeline import demo_snapshot, load_inputs

    options = _report_options(out, fmt, None, suppressions, fail_on, destination, reuse_nat_addresses, min_savings,
                              previous)
    _run_report(demo_snapshot, options, load_inputs(options))


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
    destination: DestinationOpt = None,
    reuse_nat_addresses: ReuseOpt = False,
    min_savings: MinSavingsOpt = None,
    flow_logs: FlowLogsOpt = None,
    flow_logs_athena: FlowLogsAthenaOpt = None,
    cur: CurOpt = None,
    cur_athena: CurAthenaOpt = None,
    athena_workgroup: AthenaWorkgroupOpt = None,
    athena_output: AthenaOutputOpt = None,
    profile: ProfileOpt = None,
    previous: PreviousOpt = None,
) -> None:
    """Re-analyze a saved snapshot offline and write the reports (Athena inputs need AWS credentials)."""
    from analyzer.pipeline import load_inputs
    from analyzer.snapshot import read_snapshot

    options = _report_options(out, fmt, prices, suppressions, fail_on, destination, reuse_nat_addresses, min_savings,
                              previous)
    traffic = _traffic(flow_logs, flow_logs_athena, cur, cur_athena, athena_workgroup, athena_output, profile)
    loaded = read_snapshot(snapshot)
    inputs = load_inputs(options)  # prices, suppressions and --previous, before any Athena query runs
    with_inputs = _with_traffic(loaded, traffic)
    _run_report(lambda: with_inputs, options, inputs)


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
    out: ScanOutOpt = Path("lambda-egress-report"),
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
    processes: Annotated[
        int | None,
        typer.Option(
            "--processes", metavar="N", min=1, max=64,
            help="Processes to spread an --org or --accounts-file scan's accounts over (1: one process; "
                 "default: the cores this process may use; Linux only, elsewhere always 1).",
        ),
    ] = None,
    gzip_snapshot: Annotated[
        bool, typer.Option("--gzip", help="Write snapshot.json.gz instead of snapshot.json.")
    ] = False,
    destination: DestinationOpt = None,
    reuse_nat_addresses: ReuseOpt = False,
    min_savings: MinSavingsOpt = None,
    flow_logs: FlowLogsOpt = None,
    flow_logs_athena: FlowLogsAthenaOpt = None,
    cur: CurOpt = None,
    cur_athena: CurAthenaOpt = None,
    athena_workgroup: AthenaWorkgroupOpt = None,
    athena_output: AthenaOutputOpt = None,
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
    previous: PreviousOpt = None,
) -> None:
    """Scan live AWS accounts (read-only), save DIR/snapshot.json, and write the reports."""
    from analyzer.collect.scan import ScanRequest, discard_checkpoints
    from analyzer.collect.shards import usable_cores
    from analyzer.pipeline import load_inputs, write_scan

    if (org or accounts_file) and not role_name:
        raise UserError("--org and --accounts-file need --role-name (the role to assume in each account)")
    if org and accounts_file:
        raise UserError("use either --org or --accounts-file, not both")
    out = _resume_folder(ctx, resume, out)
    options = _report_options(out, fmt, prices, suppressions, fail_on, destination, reuse_nat_addresses, min_savings,
                              previous)
    inputs = load_inputs(options)  # a bad --prices, --suppressions or --previous fails now, not after the scan
    traffic = _traffic(flow_logs, flow_logs_athena, cur, cur_athena, athena_workgroup, athena_output, profile)
    request = ScanRequest(
        profile=profile,
        regions=tuple(region or ()),
        org=org,
        role_name=role_name,
        accounts_file=accounts_file,
        days=days,
        workers=workers,
        processes=processes or usable_cores(),
        unit_timeout=unit_timeout,
        checkpoints=out,
        resume=resume is not None,
    )
    snapshot = _with_traffic(_scan_with_progress(request), traffic)
    # The snapshot goes into the same staged set as the reports, moved in last.
    with err.status("Analyzing and rendering…"):
        outcome = write_scan(snapshot, options, inputs, "snapshot.json.gz" if gzip_snapshot else "snapshot.json")
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
    from analyzer.diff import diff_results, load_run, render_diff_text

    if fmt not in ("text", "json"):
        raise UserError(f"--format {fmt!r} is not valid for diff; use text or json")
    change = diff_results(load_run("OLD", old, prices), load_run("NEW", new, prices))
    for warning in change["warnings"]:
        err.print(f"warning: {warning}", markup=False, soft_wrap=True)
    echo(json.dumps(change, indent=2) if fmt == "json" else render_diff_text(change))


@app.command("iam-policy")
def iam_policy() -> None:
    """Print the least-privilege, read-only IAM policy the scan needs."""
    from analyzer.collect.policy import load_policy

    echo(json.dumps(load_policy(), indent=2))


@app.command()
def verify(
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help="Output format: text or json.")] = "text",
    allowed_ip: Annotated[
        list[str] | None,
        typer.Option("--allowed-ip", metavar="IP",
                     help="Address or CIDR the partner allow-lists; repeat for several. With it, any other public "
                          "IP on a public-subnet Lambda ENI is drift."),
    ] = None,
    allowed_ips: Annotated[
        Path | None,
        typer.Option("--allowed-ips", metavar="FILE",
                     help="File of allow-listed addresses or CIDRs, one a line (# comments allowed)."),
    ] = None,
) -> None:
    """Check that every Lambda ENI in a public subnet still has its Elastic IP (drift guard).

    Exit 1 on drift (an ENI without a public IP, or with one not on --allowed-ip/--allowed-ips),
    3 if some call failed (drift there cannot be ruled out), else 0.
    """
    from analyzer.collect.scan import ScanRequest
    from analyzer.verify import check, load_allow_list, render_json, render_text

    if fmt not in ("text", "json"):
        raise UserError(f"--format {fmt!r} is not valid for verify; use text or json")
    allowed = load_allow_list(tuple(allowed_ip or ()), allowed_ips)  # a bad list fails before the scan
    # Topology and public IPs only: no CloudWatch, no per-function or quota calls.
    request = ScanRequest(
        profile=profile, regions=tuple(region or ()), include_metrics=False, include_function_state=False
    )
    snapshot = _scan_with_progress(request)
    result = check(snapshot, allowed)
    echo(render_json(result) if fmt == "json" else render_text(result))
    raise typer.Exit(result.exit_code)


@app.command()
def guard(
    report_json: Annotated[
        Path, typer.Argument(metavar="REPORT_JSON", help="A report.json (schema 2 or later) written by report/scan.")
    ],
    nat: Annotated[
        list[str] | None,
        typer.Option("--nat", metavar="NAT_ID", help="Guard only the plans that migrate this NAT; repeat for several "
                                                      "(default: every plan)."),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="Folder to write DIR/<account>/<region>/ guards into.")
    ] = Path("lambda-egress-guard"),
    fmt: Annotated[
        str, typer.Option("--format", metavar="FORMATS", help="Comma-separated: cloudformation, terraform.")
    ] = "cloudformation,terraform",
    allocation: Annotated[
        list[str] | None,
        typer.Option("--allocation", metavar="PLACEHOLDER=ID",
                     help="The real id of a planned allocation, e.g. '<new-allocation-id-1>=eipalloc-0abc'; "
                          "prefix ACCOUNT/REGION/ when the placeholder appears in several. Repeatable."),
    ] = None,
    subnet: Annotated[
        list[str] | None,
        typer.Option("--subnet", metavar="PLACEHOLDER=ID",
                     help="The real id of a subnet the plan creates, e.g. "
                          "'<new-public-subnet-vpc-0abc-us-east-1a>=subnet-0def'. Repeatable."),
    ] = None,
    name: Annotated[
        str, typer.Option("--name", metavar="NAME", help="The guard's name (its function, stack, role, rules and "
                                                          "alarms); one guard per name, account and region.")
    ] = "lambda-egress-guard",
    prices: PricesOpt = None,
) -> None:
    """Write the re-association guard (function, role, event rule, schedule, alarm) for the plans in a report.

    Per account and region: mapping.json, handler/, cloudformation.yaml and terraform/; prints the
    deploy and remove commands and the guard's monthly cost.
    """
    from analyzer.guard.build import GuardRequest, guard_summary, parse_formats, write_guards
    from analyzer.guard.commands import deploy_commands, remove_commands
    from analyzer.guard.cost import cost_lines
    from analyzer.pricing import load_price_book

    book = load_price_book(prices)  # a bad price book is exit 2 before anything is written
    request = GuardRequest(report=report_json, out_dir=out, nat_ids=tuple(nat or ()),
                           allocations=tuple(allocation or ()), subnets=tuple(subnet or ()),
                           formats=parse_formats(fmt), name=name)
    outputs = write_guards(request)
    for line in guard_summary(outputs):
        err.print(line, markup=False, soft_wrap=True)
    for o in outputs:
        for form in request.formats:
            echo(f"# {o.account_id} {o.region}: deploy ({form}) with credentials for {o.account_id}")
            echo("\n".join(deploy_commands(o.account_id, o.region, form, out, name=name)))
            echo(f"# {o.account_id} {o.region}: remove ({form})")
            echo("\n".join(remove_commands(o.account_id, o.region, form, out, name=name)))
        echo("\n".join("# " + line for line in cost_lines(o.allocations, o.region, book)))


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
        echo(row)


@prices_app.command("refresh")
def prices_refresh(
    region: BookRegionOpt = None,
    out: Annotated[
        Path, typer.Option("--out", metavar="FILE", help="Where to write the refreshed price book JSON.")
    ] = Path("price_book.json"),
    profile: ProfileOpt = None,
    all_regions: Annotated[
        bool, typer.Option("--all-regions", help="Refresh every commercial AWS region: a whole price book.")
    ] = False,
) -> None:
    """Fetch current prices from the AWS Price List API into a price book file (use it with --prices)."""
    from analyzer.collect.prices import refresh_price_book
    from analyzer.files import atomic_write_text
    from analyzer.pricing import dump_price_book, load_price_book

    if all_regions and region:
        raise UserError("use either --region or --all-regions, not both")
    with err.status("Reading the Price List API…") as status:
        book = refresh_price_book(
            profile, tuple(region or ()), load_price_book(), all_regions=all_regions,
            on_region=lambda r, done, total: status.update(f"Reading the Price List API… {r} ({done}/{total})"))
    atomic_write_text(out, dump_price_book(book))
    err.print(f"Wrote {out} ({len(book.regions)} regions, as of {book.as_of})", markup=False)


def main() -> None:
    """Console-script entry point. Errors are handled inside the app (``OneLineErrors``), so ``CliRunner``
    sees the same exit codes; this only covers a Ctrl-C outside Typer's own handler."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
