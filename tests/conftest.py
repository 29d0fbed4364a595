"""Root test configuration: the ``--update-golden`` switch for golden-file tests."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files from the current output instead of comparing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


# Hypothesis: a modest default so the suite stays fast; `--hypothesis-profile=thorough` for a long run.
try:
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("default", max_examples=40, deadline=None)
    _hypothesis_settings.register_profile("thorough", max_examples=1000, deadline=None)
    _hypothesis_settings.load_profile("default")
except ImportError:  # pragma: no cover - hypothesis is in the test extras
    pass
