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


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session, driven by Playwright.

    The browser is Debian's `chromium` package (`.ci/run` installs it); Playwright is only the
    driver, so nothing is downloaded at run time. Without either, the page tests skip with
    the reason."""
    import shutil

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("chromium is not installed (Debian package `chromium`)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser page 1280 px wide (the width the pages are checked at)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def serve_store(tmp_path_factory) -> Path:
    """The examples plus a sign-up whose first name is a script, imported and deduplicated
    once per session through the CLI (tests/_live.py); modules copy it before writing."""
    from _live import examples_store

    return examples_store(tmp_path_factory.mktemp("serve-store"), EXAMPLES)
