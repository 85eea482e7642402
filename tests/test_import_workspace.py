"""``custfocus import .`` inside a workspace reads the exports only: not the outputs a run
wrote (whatever the folder is called), not a Python build left in a checkout, not the store."""

from __future__ import annotations

import shutil
from pathlib import Path

from custfocus.cli import app
from custfocus.ingest.readers import OUTPUTS_MARKER
from custfocus.store import Store


def test_import_dot_skips_outputs_builds_and_the_store(tmp_path: Path, runner, examples_dir):
    ws = tmp_path / "ws"
    (ws / "exports").mkdir(parents=True)
    shutil.copy(examples_dir / "soporte.csv", ws / "exports" / "soporte.csv")
    # a run's outputs under the default name, and under a name set in custfocus.toml
    for folder in ("custfocus-out", "salidas"):
        (ws / folder).mkdir()
        (ws / folder / "master.csv").write_text("customer_id,email\nC1,a@example.com\n")
        (ws / folder / "audit.json").write_text('{"questions": []}')
    (ws / "salidas" / OUTPUTS_MARKER).write_text("")
    # what `pip install .` with setuptools leaves behind
    data = ws / "build" / "lib" / "custfocus" / "data"
    data.mkdir(parents=True)
    (data / "nicknames.csv").write_text("name,nickname\nFrancisco,Paco\n")
    (ws / "custfocus.egg-info").mkdir()
    (ws / "custfocus.egg-info" / "SOURCES.txt").write_text("src/custfocus/cli.py\n")
    db = ws / "custfocus.duckdb"
    result = runner.invoke(app, ["import", str(ws), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    with Store(db, read_only=True) as store:
        sources = [s for (s,) in store.execute("SELECT source FROM imports").fetchall()]
    assert sources == ["soporte.csv"]
    # the store itself was there on the second pass, and is not read as a source either
    again = runner.invoke(app, ["import", str(ws), "--db", str(db), "-q"])
    assert again.exit_code == 0, again.output


def test_a_folder_named_build_with_exports_is_still_read(tmp_path: Path, runner, examples_dir):
    """Only a Python build is skipped: a department's folder called build/ is data."""
    (tmp_path / "build").mkdir()
    shutil.copy(examples_dir / "marketing.csv", tmp_path / "build" / "marketing.csv")
    db = tmp_path / "store.duckdb"
    assert runner.invoke(app, ["import", str(tmp_path), "--db", str(db), "-q"]).exit_code == 0
    with Store(db, read_only=True) as store:
        assert store.query_value("SELECT count(*) FROM imports") == 1


def test_a_run_marks_its_outputs_folder(tmp_path: Path, runner, examples_dir, monkeypatch):
    shutil.copy(examples_dir / "soporte.csv", tmp_path / "soporte.csv")
    (tmp_path / "custfocus.toml").write_text('[run]\npaths = ["."]\n[outputs]\ndir = "salidas"\n')
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "salidas" / OUTPUTS_MARKER).exists()
    assert (tmp_path / "salidas" / "master.csv").exists()
