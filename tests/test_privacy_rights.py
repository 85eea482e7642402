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


def test_masking_rules() -> None:
    from custfocus.masking import mask_email, mask_name, mask_phone, mask_tax_id

    assert mask_email("juan.perez@gmail.com") == "j***@gmail.com"
    assert mask_phone("+34612345678") == "+34 6** *** 678"
    assert mask_phone("+5531998006469").startswith("+55 3") and mask_phone(
        "+5531998006469").endswith(" 469")
    assert mask_tax_id("12345678Z") == "******78Z" and mask_tax_id("063.435.725-06") == "********506"
    assert mask_name("María García") == "M*** G***"
    assert mask_email(None) is None and mask_phone("") == ""


def _values(person: dict) -> list[str]:
    return [person["email"], person["phone"], person["phone"][3:], person["name"]]


@pytest.mark.parametrize("what", ["master", "clusters", "segments"])
def test_export_mask_hides_every_personal_value(runner, db: Path, person: dict, what: str
                                                ) -> None:
    plain = runner.invoke(app, ["export", what, "--db", str(db)])
    masked = runner.invoke(app, ["export", what, "--mask", "--db", str(db)])
    assert plain.exit_code == 0 and masked.exit_code == 0, masked.output
    assert person["email"] in plain.stdout
    for value in _values(person):
        assert value not in masked.stdout, value
    assert f"{person['email'][0]}***@{person['email'].split('@')[1]}" in masked.stdout
    assert len(masked.stdout.splitlines()) == len(plain.stdout.splitlines())


def test_explain_and_customer_mask(runner, db: Path, person: dict) -> None:
    for args in (["explain", person["id"], "--mask", "--json"],
                 ["customer", person["id"], "--mask", "--json"],
                 ["explain", person["id"], "--mask"]):
        res = runner.invoke(app, [*args, "--db", str(db)])
        assert res.exit_code == 0, res.output
        for value in _values(person):
            assert value not in res.stdout, (args, value)
        assert "***" in res.stdout
    res = runner.invoke(app, ["customer", person["id"], "--json", "--db", str(db)])
    assert person["email"] in res.stdout  # unmasked without the flag


def _ask_list_names(db: Path) -> list[str]:
    from custfocus.audit import run_audit

    with Store(db, read_only=True) as store:
        report = run_audit(store)
    names = [row["name"] for row in report.question("q8").details["ask_list"] if row["name"]]
    assert len(names) >= 5
    return names


@pytest.mark.parametrize("output", ["audit.html", "audit.xlsx", "audit.json", "audit.md",
                                    "report.html", None])
def test_audit_and_report_mask_the_customers_they_list(runner, db: Path, tmp_path: Path,
                                                       output: str | None) -> None:
    # The audit's Q8 lists customers to ask by name; every format and the report page show
    # them, so --mask must reach all of them (and without it the names are there).
    from openpyxl import load_workbook

    from custfocus.masking import mask_name

    names = _ask_list_names(db)

    def shown(mask: bool) -> str:
        command = ["report"] if output == "report.html" else ["audit"]
        target = tmp_path / f"{mask}-{output}" if output else None
        args = [*command, "--db", str(db), *(["-o", str(target)] if target else []),
                *(["--mask"] if mask else []), "-q"]
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
        if target is None:
            return res.stdout
        if target.suffix == ".xlsx":
            book = load_workbook(target, read_only=True)
            return "\n".join(str(c) for sheet in book.worksheets
                             for row in sheet.iter_rows(values_only=True) for c in row)
        return target.read_text(encoding="utf-8")

    masked, plain = shown(True), shown(False)
    if output is not None:  # the terminal table leaves names out anyway
        assert any(name in plain for name in names)
        assert any(mask_name(name) in masked for name in names)
    for name in names:
        assert name not in masked, name


def test_run_outputs_mask_setting_masks_every_file(db: Path, person: dict,
                                                    tmp_path: Path) -> None:
    from custfocus.audit import run_audit
    from custfocus.config import resolve_settings
    from custfocus.pipeline.outputs import write_outputs

    settings = resolve_settings({"outputs": {
        "mask": True, "audit": ["json", "html", "xlsx"], "formats": ["csv", "xlsx"],
        "exports": ["master", "clusters", "segments"]}}, {})
    names = _ask_list_names(db)
    with Store(db, read_only=True) as store:
        audit = run_audit(store, mask=settings["outputs.mask"])
        written = write_outputs(store, settings, tmp_path, audit, [])
    assert len(written) == 10
    text = "\n".join(p.read_text(encoding="utf-8") for p in written if p.suffix != ".xlsx")
    for value in [person["email"], person["name"], *names]:
        assert value not in text, value
    assert f"{person['email'][0]}***@" in text


def test_review_export_mask(runner, db: Path) -> None:
    import csv
    import io

    plain = runner.invoke(app, ["review", "export", "--db", str(db)])
    masked = runner.invoke(app, ["review", "export", "--mask", "--db", str(db)])
    assert plain.exit_code == 0 and masked.exit_code == 0, masked.output
    rows = list(csv.DictReader(io.StringIO(plain.stdout)))
    hidden = list(csv.DictReader(io.StringIO(masked.stdout)))
    assert len(rows) == len(hidden) > 5
    for row, shown in zip(rows, hidden):
        for column in ("name_a", "name_b", "email_a", "email_b", "phone_a", "phone_b"):
            if row[column]:
                assert shown[column] != row[column] and "*" in shown[column], column
        assert (shown["source_a"], shown["row_a"]) == (row["source_a"], row["row_a"])


def test_pseudonymised_exports_join_with_the_same_key_and_reveal_nothing(
        runner, db: Path, person: dict, tmp_path: Path, monkeypatch) -> None:
    import pandas as pd

    monkeypatch.delenv("CUSTFOCUS_SECRET", raising=False)
    res = runner.invoke(app, ["export", "master", "--pseudonymise", "--db", str(db)])
    assert res.exit_code == 2 and "CUSTFOCUS_SECRET" in res.output
    key = tmp_path / "pseudonym.key"
    key.write_text("a long random secret\n", encoding="utf-8")
    for name, what, extra in (("master.csv", "master", ["--key-file", str(key)]),
                              ("clusters.csv", "clusters", ["--key-file", str(key)]),
                              ("other.csv", "master", ["--key-file", str(tmp_path / "k2")])):
        if name == "other.csv":
            (tmp_path / "k2").write_text("another key", encoding="utf-8")
        res = runner.invoke(app, ["export", what, "--pseudonymise", *extra, "-o",
                                  str(tmp_path / name), "--db", str(db)])
        assert res.exit_code == 0, res.output
    # The same key from the environment gives the same tokens.
    monkeypatch.setenv("CUSTFOCUS_SECRET", "a long random secret")
    res = runner.invoke(app, ["export", "segments", "--pseudonymise", "-o",
                              str(tmp_path / "segments.csv"), "--db", str(db)])
    assert res.exit_code == 0, res.output
    master = pd.read_csv(tmp_path / "master.csv", dtype=str)
    clusters = pd.read_csv(tmp_path / "clusters.csv", dtype=str)
    segments = pd.read_csv(tmp_path / "segments.csv", dtype=str)
    other = pd.read_csv(tmp_path / "other.csv", dtype=str)
    text = "".join((tmp_path / n).read_text(encoding="utf-8")
                   for n in ("master.csv", "clusters.csv", "segments.csv"))
    for value in _values(person) + [person["id"]]:
        assert value not in text, value
    # Joins: every cluster row's customer is in the master, and so is every segment row;
    # e-mail tokens agree between the master and the clusters.
    assert set(clusters["customer_id"]) <= set(master["customer_id"])
    assert set(segments["customer_id"]) <= set(master["customer_id"])
    assert (set(master["email"].dropna()) & set(clusters["email"].dropna()))
    assert master["customer_id"].str.fullmatch(r"[0-9a-f]{32}").all()
    # Another key: no token in common.
    assert not set(other["customer_id"]) & set(master["customer_id"])
    # Neither flag goes with the other; the key is written nowhere in the store.
    res = runner.invoke(app, ["export", "master", "--pseudonymise", "--mask", "--db", str(db)])
    assert res.exit_code == 2
    assert b"a long random secret" not in db.read_bytes()


def test_the_processing_log_names_commands_options_and_counts_never_values(
        runner, db: Path, person: dict, tmp_path: Path) -> None:
    """Runs last in this module: every command above left its row."""
    res = runner.invoke(app, ["export", "master", "--mask", "-o", str(tmp_path / "m.csv"),
                              "--db", str(db), "-q"])
    assert res.exit_code == 0, res.output
    failed = runner.invoke(app, ["subject-access", "nobody@nowhere.example", "-o",
                                 str(tmp_path / "x.json"), "--db", str(db)])
    assert failed.exit_code == 2
    with Store(db, read_only=True) as store:
        log = store.query_dicts("SELECT * FROM processing_log ORDER BY entry_id")
        customers = store.query_value("SELECT count(*) FROM customers")
        dump = json.dumps(store.execute("SELECT * FROM processing_log").fetchall(), default=str)
    commands = [e["command"] for e in log]
    assert commands[:3] == ["import", "dedupe", "segment"]
    assert {"subject-access", "export", "explain", "customer"} <= set(commands)
    last = log[-1]  # the masked export; the failed subject access left no row
    assert last["command"] == "export" and last["rows_exported"] == customers
    assert sorted(last["options"]) == ["--db", "--mask", "--output", "--quiet"]
    assert log[0]["rows_read"] > 0 and log[0]["rows_exported"] is None
    for value in _values(person) + [str(tmp_path)]:
        assert value not in dump, value


def test_a_read_only_command_skips_its_row_when_the_store_cannot_be_written(
        runner, db: Path, tmp_path: Path) -> None:
    import duckdb

    from custfocus.processing_log import Processing, log_processing

    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(db, copy)
    reader = duckdb.connect(str(copy), read_only=True)  # holds the file read-only
    try:
        assert log_processing(copy, Processing("export master")) is False
    finally:
        reader.close()
    assert log_processing(copy, Processing("export master", ["--output"], rows_exported=3))
    with Store(copy, read_only=True) as store:
        assert store.query_value("SELECT max(rows_exported) FILTER (WHERE entry_id = "
                                 "(SELECT max(entry_id) FROM processing_log)) "
                                 "FROM processing_log") == 3
