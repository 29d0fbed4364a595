"""Fixtures for the guard tests: the collector tests' moto fixtures, and report.json in the plan-target shape.

The moto fixtures (fake credentials, ``aws``, ``moto_server``) are the ones in
tests/collect/conftest.py, loaded from there rather than copied.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

COLLECT = Path(__file__).resolve().parents[1] / "collect"
sys.path.insert(0, str(COLLECT))
_spec = importlib.util.spec_from_file_location("collect_conftest", COLLECT / "conftest.py")
assert _spec and _spec.loader
_collect = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_collect)

aws_env = _collect.aws_env
aws = _collect.aws
moto_server = _collect.moto_server
