"""The audit page and the report page in a real browser (headless Chromium, 1280 px), in each
language: no table overflows its card, no label is cut; and what the report's trend charts,
sparklines and migration heading say."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from _layout import clipped
from custfocus.cli import app
from custfocus.i18n import LANGS
from custfocus.pipeline import KPIS
from custfocus.report.history import sparkline
from custfocus.store import Store
from test_audit import audited  # noqa: F401  (the session store, shared)

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def inside(folder: Path):
    old = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(old)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """Three runs over the examples: the shop's file arrives with the second one."""
    root = tmp_path_factory.mktemp("report")
    for path in (ROOT / "examples").iterdir():
        if path.is_file() and path.name != "loja_online.csv":
            shutil.copy(path, root / path.name)
    runner = CliRunner()
    with inside(root):
        assert runner.invoke(app, ["init", ".", "-q"]).exit_code == 0
        assert runner.invoke(app, ["run", "-q"]).exit_code == 0
        shutil.copy(ROOT / "examples" / "loja_online.csv", root / "loja_online.csv")
        assert runner.invoke(app, ["run", "-q"]).exit_code == 0
        assert runner.invoke(app, ["run", "-q"]).exit_code == 0
    return root


@pytest.mark.parametrize("lang", LANGS)
def test_audit_page_has_nothing_clipped(page, request, tmp_path, lang):
    db, planted = request.getfixturevalue("audited")
    html = tmp_path / f"audit_{lang}.html"
    result = CliRunner().invoke(app, ["audit", "--db", str(db), "--as-of", planted["as_of"],
                                      "--lang", lang, "-o", str(html)])
    assert result.exit_code == 0, result.output
    assert clipped(page, html, tmp_path / f"audit_{lang}.png") == []
    # The heat map names every source in full (none shortened to fit).
    with Store(db, read_only=True) as store:
        sources = [s for (s,) in store.execute(
            "SELECT DISTINCT source FROM imports WHERE status = 'active'").fetchall()]
    labels = page.evaluate("() => [...document.querySelectorAll('svg text')].map(t => t.textContent)")
    customer_sources = [s for s in sources if s in labels]
    assert customer_sources and all(labels.count(s) == 2 for s in customer_sources)


@pytest.mark.parametrize("lang", LANGS)
def test_audit_page_names_fields_in_the_language(page, request, tmp_path, lang):
    from custfocus.audit._labels import LABELS

    db, planted = request.getfixturevalue("audited")
    html = tmp_path / "audit.html"
    CliRunner().invoke(app, ["audit", "--db", str(db), "--as-of", planted["as_of"],
                             "--lang", lang, "-o", str(html)])
    page.goto(html.as_uri())
    text = page.inner_text("body")
    for role in ("account_code", "amount_net", "full_name", "national_id", "postal_code"):
        assert role not in text
    # Q5's column of fields has its own heading, not the "Per field" of the tables.
    q5 = page.inner_text("#q5")
    assert LABELS["fields:column"][LANGS.index(lang)] in q5
    # A field no source holds gets no bar (it is named under the chart instead).
    bars = page.evaluate("() => [...document.querySelectorAll('.chart')[0]"
                         ".querySelectorAll('svg text')].map(t => t.textContent)")
    assert not any(re.fullmatch(r"0[,.]0 ?%", b) for b in bars), bars


@pytest.mark.parametrize("lang", LANGS)
def test_report_page_has_nothing_clipped_and_dated_trends(page, workspace, tmp_path, lang):
    html = tmp_path / f"report_{lang}.html"
    with inside(workspace):
        result = CliRunner().invoke(app, ["report", "--lang", lang, "-o", str(html)])
    assert result.exit_code == 0, result.output
    assert clipped(page, html, tmp_path / f"report_{lang}.png") == []
    cards = page.locator(".chart.kpi")
    assert cards.count() == len(KPIS)
    date = r"\d{4}-\d{2}-\d{2}" if lang == "en" else r"\d{2}/\d{2}/\d{4}"
    for i in range(cards.count()):
        labels = cards.nth(i).locator("svg text").all_text_contents()
        # an axis with its low and high value, and the first and last run with their dates
        assert re.fullmatch(rf"#1 · {date}", labels[-2]) and re.fullmatch(rf"#3 · {date}", labels[-1])
        assert len(labels) == 4 and labels[0] != labels[1]
        assert cards.nth(i).locator("svg line").count() == 2


def test_migration_counts_new_customers_apart(workspace):
    from custfocus.pipeline.snapshot import NEW, segment_migration
    from custfocus.report.history import migration_title

    with Store(workspace / "custfocus.duckdb", read_only=True) as store:
        arrived = segment_migration(store, 1, 2)  # the shop's customers arrive
        same = segment_migration(store, 2, 3)  # nothing changed
    new = sum(arrived["matrix"][NEW].values())
    assert arrived["new"] == new > 0
    moved = sum(n for a, row in arrived["matrix"].items() for b, n in row.items()
                if a != b and a != NEW and b != "(gone)")
    assert arrived["moved"] == moved
    assert f"{new} nuevos" in migration_title(arrived, "es").replace(".", "")
    assert same["moved"] == same["new"] == same["gone"] == 0
    assert "0 clientes cambiaron de segmento" in migration_title(same, "es")
    assert migration_title({**same, "moved": 1}, "pt").endswith("1 cliente mudou de segmento")


def test_sparklines_draw_an_invisible_change_flat():
    assert len(set(sparkline([0.5, 0.50004, 0.5], "share"))) == 1  # prints as 0.0 pp
    assert len(set(sparkline([2074.0, 2074.4], "count"))) == 1
    assert sparkline([0.1, 0.9], "share") == "▁█"
    assert sparkline([0.5, None, 0.6], "share")[1] == " "


@pytest.mark.parametrize("lang", LANGS)
def test_history_fits_80_columns_without_cutting_a_word(workspace, lang):
    from io import StringIO

    from rich.console import Console

    from custfocus.pipeline.snapshot import load_history
    from custfocus.report.history import render_history, text

    with Store(workspace / "custfocus.duckdb", read_only=True) as store:
        history = load_history(store)
    out = StringIO()
    render_history(history, Console(file=out, width=80, color_system=None), lang)
    shown = out.getvalue()
    assert max(len(line) for line in shown.splitlines()) <= 80
    assert "…" not in shown
    words = " ".join(shown.split())
    for key in ("trend", "previous", "latest"):
        assert text(key, lang) in words
