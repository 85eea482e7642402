"""``custfocus import --dry-run`` touches nothing (#17): no file created, an existing store
byte-identical (record ids included), and no pointer to ``custfocus rejects``, which would
show nothing since nothing was kept."""

from __future__ import annotations

import hashlib
from pathlib import Path

from typer.testing import CliRunner

from custfocus.cli import app
from custfocus.store import Store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_dry_run_on_a_missing_store_creates_no_file(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "custfocus.duckdb"
    result = runner.invoke(app, ["import", str(EXAMPLES), "--dry-run", "--db", str(db)],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output
    assert list(tmp_path.iterdir()) == []
    assert "custfocus rejects" not in result.output or "Nothing was saved" in result.output


def test_a_dry_run_leaves_an_existing_store_byte_identical(runner: CliRunner,
                                                          tmp_path: Path) -> None:
    db = tmp_path / "custfocus.duckdb"
    first = runner.invoke(app, ["import", str(EXAMPLES / "marketing.csv"), "--db", str(db)])
    assert first.exit_code == 0, first.output
    before, files = _digest(db), sorted(p.name for p in tmp_path.iterdir())
    result = runner.invoke(app, ["import", str(EXAMPLES), "--dry-run", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert _digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == files
    # No record id used up: the next real import numbers on from where the first stopped.
    with Store(db, read_only=True) as store:
        last = store.query_value("SELECT max(record_id) FROM records")
    real = runner.invoke(app, ["import", str(EXAMPLES / "soporte.csv"), "--db", str(db)])
    assert real.exit_code == 0, real.output
    with Store(db, read_only=True) as store:
        assert store.query_value(
            "SELECT min(record_id) FROM records WHERE source = 'soporte.csv'") == last + 1


def test_a_dry_run_with_rejects_does_not_point_to_an_empty_rejects_list(
        runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "ventas.csv"
    bad.write_text("Nombre,Email,Importe,Fecha\n"
                   "Ana Ruiz,ana@x.es,10,2024-01-01\n"
                   "Eva Sol,eva@x.es,abc,2024-01-04\n", encoding="utf-8")
    db = tmp_path / "custfocus.duckdb"
    result = runner.invoke(app, ["import", str(bad), "--dry-run", "--db", str(db)],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert not db.exists()
    assert "rejected" in result.output  # the reasons are shown here, in the dry run itself
    assert "See the rejected rows with" not in result.output
    assert "Nothing was saved: import without --dry-run" in result.output
