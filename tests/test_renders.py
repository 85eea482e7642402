"""Golden renders: what a person reads, byte for byte, on the bundled examples.

Each file under ``tests/cases/renders/`` is the output of one command at a fixed width (100
columns, no colour) and a fixed as-of date, in one language: the audit as terminal text,
Markdown and (in Spanish) its HTML page, and the segments. A change to wording, number
format or layout shows up here as a diff to review. When the change is intended, write the
files again and commit them with the change:

    CUSTFOCUS_UPDATE_GOLDEN=1 python -m pytest tests/test_renders.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from custfocus.cli import app
from custfocus.i18n import LANGS

RENDERS = Path(__file__).resolve().parent / "cases" / "renders"
UPDATE = os.environ.get("CUSTFOCUS_UPDATE_GOLDEN") == "1"
AS_OF = "2024-06-30"  # the examples' last date, fixed so that the renders do not move
WIDTH = "100"
# (file name, command), run in this order on one store: the audit before the segments that
# `segment` stores, so every render sees the same state whatever -k picks.
CASES = [(f"audit.{lang}.txt", ["audit", "--as-of", AS_OF, "--lang", lang]) for lang in LANGS]
CASES += [(f"audit.{lang}.md", ["audit", "--as-of", AS_OF, "--lang", lang, "--format",
                                "markdown"]) for lang in LANGS]
# The page, in one language (the words are the Markdown's; this keeps its markup and charts).
CASES += [("audit.es.html", ["audit", "--as-of", AS_OF, "--lang", "es", "--format", "html"])]
CASES += [(f"segment.{lang}.txt", ["segment", "--as-of", AS_OF, "--lang", lang])
          for lang in LANGS]


@pytest.fixture(scope="module")
def renders(tmp_path_factory, examples_dir) -> dict[str, str]:
    """Every case's output, from one store holding the examples imported and matched."""
    from custfocus.dedupe.run import dedupe
    from custfocus.ingest.importer import import_paths
    from custfocus.store import Store

    db = tmp_path_factory.mktemp("renders") / "custfocus.duckdb"
    with Store(db) as store:
        import_paths(store, [examples_dir])
        dedupe(store)
    runner = CliRunner()
    env = {"COLUMNS": WIDTH, "NO_COLOR": "1", "TERM": "dumb", "CUSTFOCUS_LANG": None}
    out = {}
    for name, args in CASES:
        result = runner.invoke(app, [*args, "--db", str(db)], env=env)
        assert result.exit_code == 0, (name, result.output)
        out[name] = result.stdout.replace(str(db), "<db>")
    return out


@pytest.mark.parametrize("name", [name for name, _ in CASES])
def test_render_matches_its_golden_file(renders, name):
    golden = RENDERS / name
    text = renders[name]
    if UPDATE:
        RENDERS.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}: run with CUSTFOCUS_UPDATE_GOLDEN=1"
    expected = golden.read_text(encoding="utf-8")
    assert text == expected, f"{name} changed; review the diff, then update the golden files"


def test_renders_hold_no_run_specific_detail(renders):
    for name, text in renders.items():
        assert "<db>" not in text and "/tmp" not in text, name
        if name.endswith(".txt"):  # the terminal layout keeps to its width
            assert max(len(line) for line in text.splitlines()) <= int(WIDTH), name
