"""The data subject's rights beyond erasure (#16): access and portability
(``subject-access``), masking (``--mask``), pseudonyms (``export --pseudonymise``) and the
processing log. One store of the examples, imported and deduped once for the module."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from custfocus.cli import app
from custfocus.store import Store


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path) -> Path:
    root = tmp_path_factory.mktemp("rights")
    shutil.copytree(examples_dir, root / "data", ignore=shutil.ignore_patterns(".truth"))
    path = root / "custfocus.duckdb"
    runner = CliRunner()
    for args in (["import", str(root / "data")], ["dedupe"], ["segment"]):
        res = runner.invoke(app, [*args, "--db", str(path), "-q"])
        assert res.exit_code == 0, res.output
    return path


@pytest.fixture(scope="module")
def person(db: Path) -> dict:
    """A customer with several records, an e-mail, a phone and orders."""
    with Store(db, read_only=True) as store:
        (cid, email, phone, name, records), = store.execute(
            "SELECT c.customer_id, c.email, c.phone, c.full_name, c.records FROM customers c "
            "WHERE records >= 3 AND email IS NOT NULL AND phone IS NOT NULL AND EXISTS ("
            "SELECT 1 FROM facts f JOIN record_customer rc USING (record_id) "
            "WHERE rc.customer_id = c.customer_id) ORDER BY customer_id LIMIT 1").fetchall()
    return {"id": cid, "email": email, "phone": phone, "name": name, "records": records}


def test_subject_access_writes_everything_about_one_person_as_json(
        runner, db: Path, person: dict, tmp_path: Path) -> None:
    out = tmp_path / "access.json"
    res = runner.invoke(app, ["subject-access", person["email"], "-o", str(out),
                              "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # owner-only, as the store
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["customer_id"] == person["id"]
    parts = data["sections"]
    assert set(parts) >= {"golden_record", "records", "raw_rows", "facts", "segments",
                          "segment_history", "events"}
    assert parts["golden_record"][0]["email"] == person["email"]
    assert len(parts["records"]) == person["records"]
    assert all(r["source"] and r["row"] >= 2 for r in parts["records"])  # provenance
    # The raw rows of every record (and of their facts), each cell under its header.
    raw = {(r["source"], r["row"]) for r in parts["raw_rows"]}
    assert {(r["source"], r["row"]) for r in parts["records"]} <= raw
    assert any(person["email"].lower() in json.dumps(r["cells"]).lower()
               for r in parts["raw_rows"])
    assert parts["facts"] and parts["segments"]
    # Nobody else's records.
    with Store(db, read_only=True) as store:
        theirs = {r[0] for r in store.execute(
            "SELECT record_id FROM record_customer WHERE customer_id = ?", [person["id"]]
        ).fetchall()}
    assert {r["record_id"] for r in parts["records"]} == theirs


def test_subject_access_as_xlsx_is_formula_safe_and_names_exactly_one(
        runner, db: Path, person: dict, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "access.xlsx"
    res = runner.invoke(app, ["subject-access", person["id"], "-o", str(out), "--db", str(db)])
    assert res.exit_code == 0, res.output
    book = load_workbook(out)
    assert {"about", "golden_record", "records", "raw_rows", "facts"} <= set(book.sheetnames)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                assert not (isinstance(cell.value, str) and cell.value[:1] in "=+-@")
    # No one, or several (a common first name): exit 2 listing the candidates, no file.
    for query in ("nobody@nowhere.example", "Maria"):
        res = runner.invoke(app, ["subject-access", query, "-o", str(tmp_path / "x.json"),
                                  "--db", str(db)])
        assert res.exit_code == 2, res.output
        assert "exactly one customer" in res.output
    assert not (tmp_path / "x.json").exists()
    res = runner.invoke(app, ["subject-access", person["id"], "-o", str(tmp_path / "x.txt"),
                              "--db", str(db)])
    assert res.exit_code == 2 and ".json or .xlsx" in res.output
