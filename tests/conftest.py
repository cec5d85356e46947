"""Shared fixtures: the bundled knowledge base, loaded once per test session."""

from __future__ import annotations

import pytest

import kbsolver
from kbsolver.knowledge import Knowledge


@pytest.fixture(scope="session")
def kb() -> Knowledge:
    return kbsolver.load()
