"""Charts as inline SVG, drawn with matplotlib's SVG backend.

The HTML report inlines each ``Chart.svg`` verbatim, so the SVG must be a bare
``<svg>`` element (no XML prolog), scale with its container, carry ids that
cannot collide with another chart on the same page, and never reference
anything outside itself. Text stays text (``svg.fonttype: none``) so the
files stay small, print sharply and can be searched; AWS strings reach the
SVG only through matplotlib's XML writer, which escapes them.

Everything here is built on ``Figure`` + ``FigureCanvasSVG`` directly: no
pyplot, no global state. Series differ by hatch pattern, line style and
direct value labels as well as colour, so the charts read in grayscale print.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analyzer.models import AnalysisResult
from reports.filters import unit_price


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    caption: str
    svg: str  # a complete <svg> element, safe to inline


MAX_NATS = 15
MIN_ACCOUNTS = 3  # two accounts are two numbers: the decision table states them, no chart
LABEL_CHARS = 40
FONT = 10  # tick labels, value labels
FONT_AXIS = 11  # axis titles
# Dark vs light fill plus different hatches: distinct in colour, in grayscale and for colour-blind readers.
CURRENT_STYLE = {"color": "#4d4d4d", "hatch": "////", "edgecolor": "black", "linewidth": 0.6}
PROPOSED_STYLE = {"color": "#d9d9d9", "hatch": "---", "edgecolor": "black", "linewidth": 0.6}
STAYS_STYLE = {"color": "#f0f0f0", "hatch": "...", "edgecolor": "black", "linewidth": 0.6}
SAVES_STYLE = {"color": "#bdbdbd", "hatch": "xx", "edgecolor": "black", "linewidth": 0.6}
COSTS_STYLE = {"color": "#525252", "hatch": "\\\\\\\\", "edgecolor": "black", "linewidth": 0.6}
# Unicode minus: matplotlib would swap it in for axis ticks, so value labels match.
MINUS = "\N{MINUS SIGN}"
CURRENT_LABEL = "Today: the NAT gateway"
PROPOSED_LABEL = "Proposed: Elastic IPs on Lambda ENIs (the NAT is removed)"
STAYS_LABEL = "Proposed: Elastic IPs, and the NAT, which stays for other traffic"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAG = re.compile(r"<[^<>]+>")
_SVG_OPEN = re.compile(r"<svg\b[^<>]*>")


def build_charts(result: AnalysisResult) -> list[Chart]:
    """Every chart the result's data allows, in report order; [] when there are no scenarios.

    The numbers come from the analysis (scenarios and ``result.figures``); nothing is summed or solved here.
    """
    if not result.scenarios:
        return []
    builders = (_cost_per_nat, _savings_by_account, _break_even)
    return [chart for build in builders if (chart := build(result)) is not None]


# --------------------------------------------------------------------------- SVG plumbing


def _render(chart_id: str, fig: Figure) -> str:
    """Figure -> bare, scalable <svg> whose ids are all prefixed with the chart id."""
    buf = io.StringIO()
    FigureCanvasSVG(fig).print_svg(buf, metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return _inlineable(buf.getvalue(), chart_id)


def _inlineable(svg: str, chart_id: str) -> str:
    """Strip prolog and comments, make ids page-unique, let the width follow the container.

    Several charts share one HTML page, and matplotlib numbers its ids the same
    way in each (``patch_1``, clip paths), so an unprefixed ``url(#...)`` could
    resolve to another chart's element.
    """
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    # Text content has <, > escaped, so every <...> here is a real tag.
    svg = _TAG.sub(lambda m: _prefix_ids(m.group(0), chart_id), svg)
    opening = _SVG_OPEN.search(svg)
    if opening is None:
        raise ValueError("matplotlib wrote no <svg> element")
    tag = re.sub(r'\s(width|height)="[^"]*"', "", opening.group(0))
    tag = tag.replace("<svg", f'<svg id="{chart_id}-svg" width="100%" role="img"', 1)
    svg = svg[: opening.start()] + tag + svg[opening.end() :]
    # matplotlib's default stroke style is a bare "*" rule: inline, it would reach the whole page.
    svg = svg.replace('<style type="text/css">*{', f'<style type="text/css">#{chart_id}-svg *{{', 1)
    return svg.strip() + "\n"


def _prefix_ids(tag: str, prefix: str) -> str:
    tag = re.sub(r'(\sid=")([^"]+")', rf"\g<1>{prefix}-\g<2>", tag)
    tag = re.sub(r"url\(#", f"url(#{prefix}-", tag)
    return re.sub(r'(href=")#', rf"\g<1>#{prefix}-", tag)


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=FONT)
    return fig, ax


def _draw(chart_id: str, title: str, caption: str, paint: Callable[[], Figure]) -> Chart:
    """Build and render inside one rc_context, so no global matplotlib state leaks in or out."""
    rc = {
        "svg.fonttype": "none",
        "svg.hashsalt": "lambda-egress",
        "svg.id": None,
        "text.parse_math": False,  # "$" in an AWS name is a dollar sign, not TeX
        "hatch.linewidth": 0.8,
    }
    with matplotlib.rc_context(rc):
        svg = _render(chart_id, paint())
    return Chart(id=chart_id, title=title, caption=caption, svg=svg)


# --------------------------------------------------------------------------- labels and numbers


def _clean(text: str, limit: int = LABEL_CHARS) -> str:
    """AWS strings as plain, short, printable text (control characters are not valid XML)."""
    text = _CONTROL.sub("", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"


def _usd(value: float) -> str:
    digits = f"{abs(value):,.0f}" if abs(value) >= 100 else f"{abs(value):,.2f}"
    return f"{MINUS if value < 0 else ''}${digits}"


def _account_names(result: AnalysisResult) -> dict[str, str]:
    return {a.account_id: a.name for a in result.accounts if a.name}


def _account_label(account_id: str, names: dict[str, str]) -> str:
    return _clean(names.get(account_id, account_id), 28)


def _legend_above(ax: Axes, handles: list | None = None, ncols: int = 3) -> None:
    """Legend in its own row above the plot (layout makes room), where it can never cover data."""
    handles = handles or ax.get_legend_handles_labels()[0]
    ax.figure.legend(handles=handles, loc="outside upper center", ncols=ncols, fontsize=FONT, frameon=False)


def _bar_labels(ax: Axes, bars, values: Iterable[float], **kwargs) -> None:
    ax.bar_label(bars, labels=[_usd(v) for v in values], padding=3, fontsize=FONT, **kwargs)


# --------------------------------------------------------------------------- cost per NAT


def _nat_names(result: AnalysisResult) -> dict[str, str]:
    return {n.nat_gateway_id: n.name for n in result.nat_gateways if n.name}


def _cost_per_nat(result: AnalysisResult) -> Chart:
    ranked = sorted(result.scenarios, key=lambda s: (-s.monthly_savings_usd, s.nat_gateway_id))
    shown = ranked[:MAX_NATS]
    names, nats = _account_names(result), _nat_names(result)
    labels = [
        (f"{_clean(nats[s.nat_gateway_id])}\n" if s.nat_gateway_id in nats else "")
        + f"{_clean(s.nat_gateway_id)} · {_account_label(s.account_id, names)}"
        for s in shown
    ]
    current = [float(s.current_monthly_usd) for s in shown]
    proposed = [float(s.proposed_monthly_usd) for s in shown]

    def paint() -> Figure:
        fig, ax = _figure(8, 1.3 + 0.55 * len(shown))
        rows = range(len(shown))
        height = 0.38
        cur = ax.barh([r - height / 2 for r in rows], current, height, label=CURRENT_LABEL, **CURRENT_STYLE)
        pro = ax.barh([r + height / 2 for r in rows], proposed, height, **PROPOSED_STYLE)
        for i, (a, b, s) in enumerate(zip(cur, pro, shown, strict=True)):
            a.set_gid(f"current-{i}")
            b.set_gid(f"proposed-{i}")
            if not s.nat_removable:
                b.set_facecolor(STAYS_STYLE["color"])
                b.set_hatch(STAYS_STYLE["hatch"])
        _bar_labels(ax, cur, current)
        _bar_labels(ax, pro, proposed)
        ax.set_yticks(list(rows), labels)
        ax.invert_yaxis()  # biggest saving on top
        ax.set_xlabel("Monthly cost ($/month)", fontsize=FONT_AXIS)
        ax.set_xlim(0, max([*current, *proposed, 1.0]) * 1.18)
        legend = [Patch(label=CURRENT_LABEL, facecolor=CURRENT_STYLE["color"], hatch=CURRENT_STYLE["hatch"])]
        if any(s.nat_removable for s in shown):
            legend.append(Patch(label=PROPOSED_LABEL, facecolor=PROPOSED_STYLE["color"],
                                hatch=PROPOSED_STYLE["hatch"]))
        if not all(s.nat_removable for s in shown):
            legend.append(Patch(label=STAYS_LABEL, facecolor=STAYS_STYLE["color"], hatch=STAYS_STYLE["hatch"]))
        _legend_above(ax, handles=legend, ncols=1)
        return fig

    more = f" Top {len(shown)} of {len(ranked)} candidates by monthly savings." if len(ranked) > len(shown) else ""
    caption = (
        "Monthly cost of each candidate NAT gateway today (NAT hours, data processing, public IPv4, cross-AZ "
        "transfer) next to the cost after its Lambda functions move to Elastic IPs, biggest saving on top; where "
        f"the NAT stays for other traffic, the proposed bar still carries it.{more} Internet transfer-out is the "
        "same in both designs and not included."
    )
    return _draw("cost-per-nat", "Today vs proposed monthly cost per NAT gateway", caption, paint)


# --------------------------------------------------------------------------- savings by account


def _savings_by_account(result: AnalysisResult) -> Chart | None:
    rows = result.figures.savings_by_account
    if len(rows) < MIN_ACCOUNTS:
        return None
    labels = [_clean(r.name or r.account_id, 28) for r in rows]
    values = [float(r.monthly_savings_usd) for r in rows]

    def paint() -> Figure:
        fig, ax = _figure(max(8.0, 1.6 + 0.8 * len(values)), 4.2)
        cols = range(len(values))
        bars = ax.bar(list(cols), values, 0.6, **SAVES_STYLE)
        for i, (bar, value) in enumerate(zip(bars, values, strict=True)):
            bar.set_gid(f"account-{i}")
            if value < 0:
                bar.set_facecolor(COSTS_STYLE["color"])
                bar.set_hatch(COSTS_STYLE["hatch"])
        _bar_labels(ax, bars, values)
        ax.axhline(0, color="black", linewidth=0.9)
        tilt = len(values) > 5
        ax.set_xticks(list(cols), labels, rotation=30 if tilt else 0, ha="right" if tilt else "center")
        ax.set_ylabel("Monthly savings ($/month)", fontsize=FONT_AXIS)
        low, high = min([*values, 0.0]), max([*values, 0.0])
        pad = max(high - low, 1.0) * 0.15
        ax.set_ylim(low - (pad if low < 0 else 0), high + pad)
        legend = [Patch(label="Saves money", facecolor=SAVES_STYLE["color"], hatch=SAVES_STYLE["hatch"])]
        if min(values) < 0:
            legend.append(Patch(label="Costs more", facecolor=COSTS_STYLE["color"], hatch=COSTS_STYLE["hatch"]))
        _legend_above(ax, handles=legend)
        return fig

    caption = (
        "Monthly savings per AWS account if every candidate NAT gateway's Lambda functions moved to "
        "Elastic IPs on their ENIs (report.json figures.savings_by_account). Below zero, the move costs more."
    )
    return _draw("savings-by-account", "Monthly savings by account", caption, paint)


# --------------------------------------------------------------------------- break-even


def _break_even(result: AnalysisResult) -> Chart | None:
    """The removable NAT with the biggest saving (``figures.break_even``): where a NAT that stays still pays
    its hours and non-Lambda bytes, "NAT vs Elastic IPs alone" would not be the comparison."""
    p = result.figures.break_even
    if p is None:
        return None
    fixed, per_gb, eip = float(p.nat_fixed_monthly_usd), float(p.nat_usd_per_gb), float(p.eip_monthly_usd)
    observed, x_max = float(p.observed_gb), float(p.range_gb)
    even = float(p.break_even_gb) if p.break_even_gb is not None else None
    label = _clean(p.name or p.nat_gateway_id)

    def paint() -> Figure:
        fig, ax = _figure(8, 4.4)
        xs = [0.0, x_max]
        nat = [fixed, fixed + per_gb * x_max]
        ax.plot(xs, nat, color="black", linestyle="-", linewidth=2, label=f"NAT gateway {label}", gid="line-nat")
        ax.plot(xs, [eip] * 2, color="#555555", linestyle="--", linewidth=2,
                label=f"Elastic IPs on Lambda ENIs ({p.eips})", gid="line-eip")
        for y, text in ((nat[1], _usd(nat[1])), (eip, _usd(eip))):
            ax.annotate(text, (x_max, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=FONT)
        ax.axvline(observed, color="black", linestyle=":", linewidth=1.2, label=f"Observed: {observed:,.0f} GB/month")
        ax.plot([observed], [fixed + per_gb * observed], marker="o", color="black")
        if even is not None:
            ax.plot([even], [eip], marker="D", color="black", linestyle="none",
                    label=f"Break-even: {even:,.0f} GB/month")
        else:
            ax.annotate("The lines do not cross: the Elastic IPs cost less at every volume", (0.02, 0.04),
                        xycoords="axes fraction", fontsize=FONT, gid="no-crossing")
        ax.set_xlim(0, x_max)
        ax.set_ylim(0, max(nat[1], eip) * 1.15)
        ax.set_xlabel("NAT data processed (GB/month)", fontsize=FONT_AXIS)
        ax.set_ylabel("Monthly cost ($/month)", fontsize=FONT_AXIS)
        _legend_above(ax, ncols=2)
        return fig

    verdict = (f"The lines cross at {even:,.0f} GB/month." if even is not None
               else "The lines do not cross: the Elastic IPs cost less at every volume.")
    caption = (
        f"Monthly cost of {label} ({_clean(p.nat_gateway_id)}, the biggest saving among removable NATs) as its "
        f"traffic varies, at {_clean(p.region, 20)} prices. NAT line: gateway hours and its public IPv4 "
        f"({_usd(fixed)}), plus {unit_price(p.nat_usd_per_gb)} per GB processed. Elastic IP line: {p.eips} public "
        f"IPv4 address(es), flat ({_usd(eip)}). {verdict} Cross-AZ and internet transfer are left out."
    )
    return _draw("break-even", f"Break-even: {label} vs Elastic IPs", caption, paint)
