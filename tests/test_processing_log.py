"""The processing log's row is committed with the writes it describes (#16): a command that
writes the store leaves its row if and only if its writes were saved."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from custfocus.cli import app
from custfocus.errors import ExitCode
from custfocus.store import Store

GOOD = "Nombre;Email\nAna Ruiz;ana@example.com\nLuis Gil;luis@example.com\n"


def _log(db: Path) -> list[dict]:
    with Store(db, read_only=True) as store:
        return store.query_dicts("SELECT * FROM processing_log ORDER BY entry_id")


def test_each_writing_command_leaves_one_row_with_its_counts(runner, tmp_path: Path) -> None:
    db = tmp_path / "custfocus.duckdb"
    (tmp_path / "in").mkdir()
    for name in ("a.csv", "b.csv"):
        (tmp_path / "in" / name).write_text(GOOD, encoding="utf-8")
    (tmp_path / "in" / "c.csv").write_text("Nombre;Email\n", encoding="utf-8")  # refused
    res = runner.invoke(app, ["import", str(tmp_path / "in"), "--keep-going", "--db", str(db),
                              "-q"])
    assert res.exit_code == ExitCode.BAD_INPUT, res.output  # c.csv failed, a and b saved
    for args in (["dedupe"], ["segment"], ["forget", "ana@example.com", "--yes"]):
        res = runner.invoke(app, [*args, "--db", str(db), "-q"])
        assert res.exit_code == 0, res.output
    log = _log(db)
    assert [(e["command"], e["rows_read"], e["rows_erased"]) for e in log] == [
        ("import", 4, None),  # one row for two commits, the failed file's rows not counted
        ("dedupe", 4, None), ("segment", log[2]["rows_read"], None),
        ("forget", None, log[3]["rows_erased"])]
    assert log[3]["rows_erased"] >= 2  # two records and their raw rows at least
    assert sorted(log[0]["options"]) == ["--db", "--keep-going", "--quiet"]


def test_when_the_log_cannot_be_written_nothing_is_saved(runner, tmp_path: Path) -> None:
    db = tmp_path / "custfocus.duckdb"
    with Store(db):
        pass  # an empty store of the current schema
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE processing_log")  # a store whose log cannot take a row
    con.close()
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    source = tmp_path / "clientes.csv"
    source.write_text(GOOD, encoding="utf-8")
    res = runner.invoke(app, ["import", str(source), "--db", str(db)])
    assert res.exit_code == ExitCode.STORE, res.output
    assert "cannot write the processing log" in res.stderr and "nothing was saved" in res.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    with Store(db, read_only=True) as store:
        assert store.query_value("SELECT count(*) FROM records") == 0


def test_a_dry_run_leaves_no_row(runner, tmp_path: Path) -> None:
    db = tmp_path / "custfocus.duckdb"
    source = tmp_path / "clientes.csv"
    source.write_text(GOOD, encoding="utf-8")
    assert runner.invoke(app, ["import", str(source), "--db", str(db), "-q"]).exit_code == 0
    res = runner.invoke(app, ["import", str(source), "--dry-run", "--db", str(db), "-q"])
    assert res.exit_code == 0, res.output
    assert [e["command"] for e in _log(db)] == ["import"]
