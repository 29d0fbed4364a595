"""Fixtures for the traffic and billing input tests."""

from __future__ import annotations

import pytest
from traffic_case import shared_nat_snapshot


@pytest.fixture
def shared_nat():
    return shared_nat_snapshot()
