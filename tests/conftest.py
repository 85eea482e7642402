"""Shared fixtures: a fresh in-memory store, the bundled examples, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from custfocus.store import Store

# Property tests draw the same examples on every run (a seed fixed per test), so the suite
# is deterministic: a failure found once is found again, and CI cannot fail by chance.
settings.register_profile("deterministic", derandomize=True)
settings.load_profile("deterministic")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def store():
    s = Store(":memory:")
    yield s
    s.close()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "custfocus.duckdb"


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES
