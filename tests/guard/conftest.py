"""Fixtures for the guard tests: the collector tests' moto fixtures and call recorder, loaded, not copied.

``aws_env`` (fake credentials), ``aws`` (``mock_aws``) and ``moto_server`` come
from tests/collect/conftest.py; ``recorded`` (every API call, through a botocore
``before-call`` hook) from tests/collect/test_policy.py.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

COLLECT = Path(__file__).resolve().parents[1] / "collect"
sys.path.insert(0, str(COLLECT))


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"collect_{name}", COLLECT / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_collect = _load("conftest")
aws_env = _collect.aws_env
aws = _collect.aws
moto_server = _collect.moto_server
recorded = _load("test_policy").recorded
