"""``custfocus forget``: a person's values leave every table and the file's bytes, and the
next import of an export that still holds them leaves them out."""

from __future__ import annotations

import json
import shutil

from custfocus.cli import app
from custfocus.store import Store


def _person(db_path) -> dict:
    """A customer with several records, and the values that identify them."""
    with Store(db_path, read_only=True) as store:
        (cid, email, phone, name), = store.execute(
            "SELECT customer_id, email, phone, full_name FROM customers WHERE records >= 4 "
            "AND email IS NOT NULL AND phone IS NOT NULL AND full_name IS NOT NULL "
            "ORDER BY customer_id LIMIT 1").fetchall()
        customers = store.query_value("SELECT count(*) FROM customers")
    return {"id": cid, "email": email, "phone": phone, "name": name, "customers": customers}


def _found_anywhere(db_path, value: str) -> list[str]:
    """The tables holding ``value`` in any text or text-list column."""
    hits = []
    with Store(db_path, read_only=True) as store:
        columns = store.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE data_type IN ('VARCHAR', 'VARCHAR[]', 'JSON')").fetchall()
        for table, column, kind in columns:
            text = f'CAST("{column}" AS VARCHAR)' if kind != "VARCHAR" else f'"{column}"'
            if store.query_value(f'SELECT count(*) FROM "{table}" WHERE {text} LIKE ?',
                                 [f"%{value}%"]):
                hits.append(f"{table}.{column}")
    return hits


def test_forget_erases_every_value_and_keeps_the_person_out_of_later_imports(
        runner, db_path, tmp_path, examples_dir):
    data = tmp_path / "exports"
    shutil.copytree(examples_dir, data, ignore=shutil.ignore_patterns(".truth"))
    assert runner.invoke(app, ["import", str(data), "--db", str(db_path), "-q"]).exit_code == 0
    assert runner.invoke(app, ["dedupe", "--db", str(db_path), "-q"]).exit_code == 0
    person = _person(db_path)
    assert _found_anywhere(db_path, person["email"])
    res = runner.invoke(app, ["forget", person["email"], "--yes", "--json", "--db", str(db_path)])
    assert res.exit_code == 0, res.output
    done = json.loads(res.stdout)
    assert done["customer_id"] == person["id"] and done["erased"]["records"] >= 4
    assert done["suppressed_identifiers"] >= 2
    for value in (person["email"], person["phone"], person["name"]):
        assert _found_anywhere(db_path, value) == [], value
        assert value.encode("utf-8") not in db_path.read_bytes(), value
    # The next dedupe rebuilds the matches (a model fitted again) without them.
    assert runner.invoke(app, ["dedupe", "--db", str(db_path), "-q"]).exit_code == 0
    with Store(db_path, read_only=True) as store:
        # One customer fewer, give or take a record that was equally like the forgotten
        # person and another customer (ambiguous): with one of the two gone it joins the other.
        after = store.query_value("SELECT count(*) FROM customers")
        assert person["customers"] - 3 <= after <= person["customers"] - 1
    # A department exports its list again, the person still in it (one more row elsewhere
    # makes it a new export): their rows are left out and counted.
    target = next(p for p in sorted(data.glob("*.csv"))
                  if person["email"] in p.read_text(encoding="utf-8"))
    text = target.read_text(encoding="utf-8")
    target.write_text(text + text.splitlines()[1] + "\n", encoding="utf-8")
    res = runner.invoke(app, ["import", str(target), "--db", str(db_path), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["totals"]["suppressed"] >= 1
    assert _found_anywhere(db_path, person["email"]) == []


def test_forget_asks_or_refuses_and_names_exactly_one_customer(runner, db_path, examples_dir):
    assert runner.invoke(app, ["import", str(examples_dir), "--db", str(db_path), "-q"]).exit_code == 0
    assert runner.invoke(app, ["dedupe", "--db", str(db_path), "-q"]).exit_code == 0
    person = _person(db_path)
    before = db_path.read_bytes()
    # No terminal to ask and no --yes: refused, nothing touched.
    res = runner.invoke(app, ["forget", person["id"], "--db", str(db_path)])
    assert res.exit_code == 2 and "--yes" in res.output
    # A query naming no customer, or several: refused with what it found.
    res = runner.invoke(app, ["forget", "nobody@nowhere.example", "--yes", "--db", str(db_path)])
    assert res.exit_code == 2 and "none" in res.output
    assert db_path.read_bytes() == before
