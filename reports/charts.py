"""Charts as inline SVG (matplotlib's SVG backend). Placeholder until charts land."""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.models import AnalysisResult


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    caption: str
    svg: str  # a complete <svg> element, safe to inline


def build_charts(result: AnalysisResult) -> list[Chart]:
    return []
