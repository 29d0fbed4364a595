"""The README's pandas line, run as written on a report whose account id starts with a zero."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from analyzer.cli import app

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "sample_data" / "demo_snapshot.json"
ZERO = "012345678901"


def _readme_line() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    (line,) = [m for m in re.findall(r"^df = pd\.read_csv\(.*\)$", readme, flags=re.M)]
    assert "dtype=" in line
    return line


def test_the_readme_pandas_line_keeps_a_leading_zero(tmp_path, monkeypatch):
    text = DEMO.read_text().replace('"482913650127"', f'"{ZERO}"').replace(":482913650127:", f":{ZERO}:")
    snap = tmp_path / "snapshot.json"
    snap.write_text(text)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", str(snap), "--out", str(out), "--format", "csv,json"])
    assert result.exit_code == 0, result.output
    raw = (out / "findings.csv").read_text()
    assert f'"{ZERO}"' in raw  # written as text

    monkeypatch.chdir(out)
    scope: dict = {"pd": pd}
    exec(_readme_line(), scope)  # the line as the README shows it
    df = scope["df"]
    assert ZERO in set(df.account_id) and df.account_id.map(type).eq(str).all()
    report = json.loads((out / "report.json").read_text())
    assert list(df.finding_id) == [f["id"] for f in report["findings"]]
    assert not pd.read_csv("findings.csv").account_id.astype(str).eq(ZERO).any()  # what dtype= prevents

