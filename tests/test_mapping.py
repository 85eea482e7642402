"""Fixing a wrong guess after the import: ``custfocus mapping`` and ``import --map`` on a
file already imported derive the source's records again from the stored raw rows."""

from __future__ import annotations

import json

from custfocus.cli import app
from custfocus.store import Store

CRM = ("Nº Cuenta,Razón social,Email\n"
       "4300001,Talleres Ruiz,maria.garcia@example.es\n"
       "4300002,Ferretería Gil,ana.ruiz@example.es\n")


def _records(db_path) -> list[tuple]:
    with Store(db_path, read_only=True) as store:
        return store.execute(
            "SELECT r.company, r.full_name, r.email FROM records r JOIN imports i "
            "USING (import_id) WHERE i.status = 'active' ORDER BY r.email").fetchall()


def test_a_role_fixed_after_the_import_derives_the_records_again(runner, db_path, tmp_path):
    crm = tmp_path / "crm.csv"
    crm.write_text(CRM, encoding="utf-8")
    assert runner.invoke(app, ["import", str(crm), "--db", str(db_path), "-q"]).exit_code == 0
    before = _records(db_path)
    assert all(company and not name for company, name, _ in before)  # the guess: company
    crm.unlink()  # the file is not needed again
    res = runner.invoke(app, ["mapping", "crm.csv", "--set", "Razón social=full_name",
                              "--db", str(db_path), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    (source,) = data["sources"]
    assert source["set_by_user"] == {"Razón social": "full_name"}
    assert {c["column"]: c["role"] for c in source["columns"]}["Razón social"] == "full_name"
    after = _records(db_path)
    assert [e for _, _, e in after] == [e for _, _, e in before]  # same rows, nothing lost
    assert all(name and not company for company, name, _ in after)
    # Remembered: the same file imported again reads the column as fixed, and changes nothing.
    crm.write_text(CRM, encoding="utf-8")
    res = runner.invoke(app, ["import", str(crm), "--db", str(db_path), "--json"])
    assert json.loads(res.stdout)["tables"][0]["status"] == "unchanged"
    # A role given with --map on the same file applies at once.
    res = runner.invoke(app, ["import", str(crm), "--db", str(db_path), "--json",
                              "--map", "Razón social=company"])
    assert json.loads(res.stdout)["tables"][0]["status"] == "replaced"
    assert all(company for company, _, _ in _records(db_path))
    # Cleared: back to the guess.
    res = runner.invoke(app, ["mapping", "crm.csv", "--clear", "Razón social",
                              "--db", str(db_path), "--json"])
    assert json.loads(res.stdout)["sources"][0]["set_by_user"] == {}


def test_unknown_source_column_or_role_exits_2_with_the_valid_ones(runner, db_path, tmp_path):
    crm = tmp_path / "crm.csv"
    crm.write_text(CRM, encoding="utf-8")
    assert runner.invoke(app, ["import", str(crm), "--db", str(db_path), "-q"]).exit_code == 0
    size = db_path.stat().st_size
    cases = [(["mapping", "nope.csv"], "crm.csv"),
             (["mapping", "crm.csv", "--set", "Teléfono=phone"], "Razón social"),
             (["mapping", "crm.csv", "--set", "Email=mail"], "full_name")]
    for args, listed in cases:
        res = runner.invoke(app, [*args, "--db", str(db_path)])
        assert res.exit_code == 2, res.output
        assert listed in res.output and len(res.output.strip().splitlines()) <= 2
    assert db_path.stat().st_size == size
    assert all(company for company, _, _ in _records(db_path))
