"""``custfocus import`` end to end: real files in, store contents and exit codes out."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from openpyxl import Workbook

from custfocus.cli import app
from custfocus.errors import ExitCode
from custfocus.ingest.importer import ImportOptions, import_paths, parse_mapping
from custfocus.store import Store

SUPPORT_CSV = (
    "Cliente;Email;Teléfono;Fecha ticket;Categoría;Satisfacción;Tiempo (h)\r\n"
    "GARCÍA LÓPEZ, María;maria.garcia@gmail.com;612 34 56 78;13/02/2024;Reclamación;2;12,5\r\n"
    "GARCÍA LÓPEZ, María;maria.garcia@gmail.com;612 34 56 78;20/03/2024;Consulta;4;1,5\r\n"
    "NÚÑEZ PÉREZ, José;jose@hotmail.com;+34 699 11 22 33;31/02/2024;Incidencia;;3\r\n"
)


def write_support(folder: Path) -> Path:
    path = folder / "soporte.csv"
    path.write_bytes(SUPPORT_CSV.encode("cp1252"))
    return path


def write_sales(folder: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "Clientes"
    ws.append(["Listado de clientes – Ventas 2024"])
    ws.append([])
    ws.append(["Código cliente", "Nombre", "Apellidos", "Correo electrónico", "Tel. móvil", "CP"])
    ws.append(["V001", "María", "García López", "maria.garcia@gmail.com", 612345678, 8001])
    ws.append(["V002", "Pedro", "Sanz", "pedro.sanz@yahoo.es", 655443322, 28001])
    orders = book.create_sheet("Pedidos")
    orders.append(["Nº pedido", "Código cliente", "Fecha", "Importe"])
    orders.append(["P1", "V001", "2024-01-05", 120.5])
    orders.append(["P2", "V002", "2024-02-07", 80])
    orders.append(["P3", "V999", "2024-02-08", 10])
    hidden = book.create_sheet("Config")
    hidden.append(["secret", "x"])
    hidden.sheet_state = "hidden"
    path = folder / "ventas.xlsx"
    book.save(path)
    return path


def run(runner, *args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_import_folder_reads_every_visible_sheet_and_links_orders(tmp_path, runner, db_path):
    write_support(tmp_path)
    write_sales(tmp_path)
    result = run(runner, "import", str(tmp_path), "--db", str(db_path), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    by_source = {t["source"]: t for t in data["tables"]}
    assert set(by_source) == {"soporte.csv", "ventas.xlsx#Clientes", "ventas.xlsx#Pedidos"}
    assert data["hidden_sheets"] == ["ventas.xlsx#Config"]
    support = by_source["soporte.csv"]
    assert support["encoding"] == "cp1252" and support["delimiter"] == ";"
    assert (support["rows_read"], support["records"], support["facts"]) == (3, 3, 2)
    assert support["rejects"] == 1  # 31/02 is not a date: ticket rejected, customer kept
    clientes = by_source["ventas.xlsx#Clientes"]
    assert clientes["header_row"] == 3
    assert data["totals"]["unlinked_facts"] == 1  # V999 names no customer
    with Store(db_path, read_only=True) as store:
        rows = store.query_dicts(
            "SELECT row, given_name, family_name, email_key, phone_e164, postal_code "
            "FROM records WHERE source = 'ventas.xlsx#Clientes' ORDER BY row")
        assert rows[0] == {"row": 4, "given_name": "María", "family_name": "García López",
                           "email_key": "mariagarcia@gmail.com", "phone_e164": "+34612345678",
                           "postal_code": "08001"}
        support_names = store.query_dicts(
            "SELECT given_name, family_name FROM records WHERE source = 'soporte.csv' "
            "ORDER BY row LIMIT 1")
        assert support_names == [{"given_name": "María", "family_name": "García López"}]
        linked = store.query_value(
            "SELECT count(*) FROM facts f JOIN records r USING (record_id) "
            "WHERE f.source = 'ventas.xlsx#Pedidos' AND r.account_code = f.account_code")
        assert linked == 2
        amounts = store.query_dicts("SELECT amount FROM facts WHERE source = 'ventas.xlsx#Pedidos'"
                                    " ORDER BY row")
        assert [a["amount"] for a in amounts] == [120.5, 80.0, 10.0]
        raw = store.query_value("SELECT cells FROM raw_rows r JOIN imports i USING (import_id) "
                                "WHERE i.source = 'soporte.csv' AND r.row = 2")
        assert raw[0] == "GARCÍA LÓPEZ, María" and raw[6] == "12,5"  # lossless


def test_store_file_is_private(tmp_path, runner, db_path):
    write_support(tmp_path)
    assert run(runner, "import", str(tmp_path), "--db", str(db_path), "-q").exit_code == 0
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600


def test_reimport_of_same_content_changes_nothing(tmp_path, runner, db_path):
    write_support(tmp_path)
    run(runner, "import", str(tmp_path), "--db", str(db_path), "-q")
    with Store(db_path, read_only=True) as store:
        before = store.query_value("SELECT count(*) FROM records"), store.query_value(
            "SELECT max(record_id) FROM records")
    result = run(runner, "import", str(tmp_path), "--db", str(db_path), "--json")
    assert json.loads(result.stdout)["tables"][0]["status"] == "unchanged"
    with Store(db_path, read_only=True) as store:
        assert (store.query_value("SELECT count(*) FROM records"),
                store.query_value("SELECT max(record_id) FROM records")) == before


def test_new_full_export_replaces_the_source_and_keeps_history(tmp_path, runner, db_path):
    path = write_support(tmp_path)
    run(runner, "import", str(path), "--db", str(db_path), "-q")
    path.write_bytes(SUPPORT_CSV.encode("cp1252")[: SUPPORT_CSV.index("NÚÑEZ")])
    result = run(runner, "import", str(path), "--db", str(db_path), "--json")
    assert json.loads(result.stdout)["tables"][0]["status"] == "replaced"
    with Store(db_path, read_only=True) as store:
        assert store.query_value("SELECT count(*) FROM records") == 2
        assert store.query_value("SELECT count(*) FROM imports") == 2


def test_map_override_is_remembered_for_the_source(tmp_path, runner, db_path):
    path = tmp_path / "lista.csv"
    path.write_text("Nombre,Campo X\nAna Ruiz,600111222\nLuis Gil,600333444\n", encoding="utf-8")
    run(runner, "import", str(path), "--db", str(db_path), "--map", "Campo X=phone", "-q")
    path.write_text("Nombre,Campo X\nAna Ruiz,600111222\nLuis Gil,600333445\n", encoding="utf-8")
    result = run(runner, "import", str(path), "--db", str(db_path), "--json")
    mapping = json.loads(result.stdout)["tables"][0]["mapping"]
    assert {"column": "Campo X", "role": "phone", "confidence": 1.0,
            "reason": "set by user"} in mapping


def test_dry_run_saves_nothing_and_shows_the_mapping(tmp_path, runner, db_path):
    write_support(tmp_path)
    result = run(runner, "import", str(tmp_path), "--db", str(db_path), "--dry-run")
    assert result.exit_code == 0
    assert "dry run" in result.stdout and "Columns of soporte.csv" in result.stdout
    assert not db_path.exists()  # not even an empty store (tests/test_dry_run.py)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("binary.csv", bytes(range(256)) * 40, "not a text file"),
        ("corrupt.xlsx", b"PK\x03\x04 this is not a zip", "xlsx"),
        ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "password"),
        ("nothing.csv", "Color;Tamaño\nrojo;XL\nazul;M\n".encode(), "no column looks like customer data"),
    ],
    ids=["empty", "binary", "corrupt-xlsx", "encrypted-xlsx", "no-customer-columns"],
)
def test_bad_file_fails_clearly_and_leaves_store_unchanged(tmp_path, runner, db_path, name,
                                                           content, message):
    good = write_support(tmp_path)
    run(runner, "import", str(good), "--db", str(db_path), "-q")
    bad = tmp_path / name
    bad.write_bytes(content)
    result = runner.invoke(app, ["import", str(tmp_path), "--db", str(db_path)])
    assert result.exit_code == ExitCode.BAD_INPUT
    assert name in result.stderr and message in result.stderr.lower()
    assert len(result.stderr.strip().splitlines()) <= 2
    assert "Traceback" not in result.output
    with Store(db_path, read_only=True) as store:
        assert store.query_value("SELECT count(*) FROM imports") == 1


def test_keep_going_imports_good_files_and_reports_bad_ones(tmp_path, runner, db_path):
    write_support(tmp_path)
    (tmp_path / "empty.csv").write_bytes(b"")
    result = runner.invoke(app, ["import", str(tmp_path), "--db", str(db_path), "--keep-going"])
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "empty.csv" in result.stdout
    with Store(db_path, read_only=True) as store:
        assert store.query_value("SELECT count(*) FROM records") == 3


def test_unreadable_path_and_unknown_role(tmp_path, runner, db_path):
    missing = runner.invoke(app, ["import", str(tmp_path / "nope.csv"), "--db", str(db_path)])
    assert missing.exit_code == ExitCode.BAD_INPUT and "nope.csv" in missing.stderr
    bad_map = runner.invoke(app, ["import", str(tmp_path), "--db", str(db_path), "--map", "X=zzz"])
    assert bad_map.exit_code == ExitCode.USAGE and "unknown role" in bad_map.stderr


def test_bad_rows_are_rejected_with_reasons(tmp_path, store):
    path = tmp_path / "ragged.csv"
    big = "x" * 1_000_000
    path.write_text(
        "Nombre,Email,Importe,Fecha\n"
        "Ana Ruiz,ana@x.es,10,2024-01-01\n"
        "Luis Gil,luis@x.es,12,2024-01-02,EXTRA,MORE\n"
        f"{big},big@x.es,1,2024-01-03\n"
        "Eva Sol,eva@x.es,abc,2024-01-04\n", encoding="utf-8")
    result = import_paths(store, [path])
    table = result.tables[0]
    assert (table.rows_read, table.records, table.rejects) == (4, 2, 3)
    reasons = store.query_dicts("SELECT row, \"column\", reason FROM rejects ORDER BY row")
    assert [r["row"] for r in reasons] == [3, 4, 5]
    assert "cells but the header has 4" in reasons[0]["reason"]
    assert reasons[1]["column"] == "Nombre" and "characters long" in reasons[1]["reason"]
    assert reasons[2]["column"] == "Importe"
    # Nothing is lost: every row is kept raw.
    assert store.query_value("SELECT count(*) FROM raw_rows") == 4


def test_duplicate_and_empty_headers_get_names(tmp_path, store):
    path = tmp_path / "dup.csv"
    path.write_text("Email,Email,,Nombre\na@x.es,b@x.es,z,Ana\n", encoding="utf-8")
    result = import_paths(store, [path], ImportOptions())
    columns = [m["column"] for m in result.tables[0].mapping]
    assert columns == ["Email", "Email (2)", "Column C", "Nombre"]


def test_parse_mapping_rejects_malformed_items():
    assert parse_mapping(["Tel. fijo=phone2"]) == {"Tel. fijo": "phone2"}
    with pytest.raises(Exception, match="HEADER=ROLE"):
        parse_mapping(["phone"])


def test_custfocus_toml_sets_unit_region_and_mapping(tmp_path, runner, db_path, monkeypatch):
    path = tmp_path / "lista.csv"
    path.write_text("Nombre,Campo X\nAna Ruiz,11987654321\n", encoding="utf-8")
    (tmp_path / "custfocus.toml").write_text(
        '[sources."lista.csv"]\nunit = "comercial"\nregion = "BR"\nmap = { "Campo X" = "phone" }\n',
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run(runner, "import", "lista.csv", "--db", str(db_path), "--json")
    assert result.exit_code == 0, result.output
    with Store(db_path, read_only=True) as store:
        assert store.query_dicts("SELECT unit, phone_e164 FROM records") == [
            {"unit": "comercial", "phone_e164": "+5511987654321"}]
    (tmp_path / "custfocus.toml").write_text('[sources."lista.csv"]\ncolor = 1\n', encoding="utf-8")
    bad = runner.invoke(app, ["import", "lista.csv", "--db", str(db_path)])
    assert bad.exit_code == ExitCode.USAGE and "unknown setting" in bad.stderr


def test_person_named_in_a_company_column_with_a_dni_is_a_person(tmp_path, store):
    path = tmp_path / "crm.csv"
    path.write_text(
        "NIF/CIF;Razón social;Persona de contacto;Email\n"
        "12345678Z;GARCÍA LÓPEZ, María;María;maria@x.es\n"  # a DNI: María García López
        "X1234567L;CASTILLO, MARISELA;;m@x.es\n"  # a NIE, no contact
        "B12345674;Fuentes, Consulting SL;Pedro Ruiz;info@fuentes.es\n"  # a CIF: a company
        "A58818501;ROCA, Jaume;Jaume;jr@x.es\n"  # a company's CIF: not moved
        "00000001R;PÉREZ GIL, Ana;Luis Martín;ana@x.es\n", encoding="utf-8")  # another contact
    import_paths(store, [path])
    rows = store.query_dicts(
        "SELECT full_name, given_name, family_name, company FROM records ORDER BY row")
    assert rows[0] == {"full_name": "María García López", "given_name": "María",
                       "family_name": "García López", "company": None}
    assert rows[1]["given_name"] == "Marisela" and rows[1]["company"] is None
    assert rows[2]["company"] == "Fuentes, Consulting SL"
    assert rows[3]["company"] == "ROCA, Jaume"
    assert rows[4]["company"] == "PÉREZ GIL, Ana" and rows[4]["full_name"] == "Luis Martín"


def test_json_nested_too_deeply_is_bad_input_not_a_crash(tmp_path, runner, db_path):
    # 100k levels made json.load raise RecursionError: exit 70 (issue 16).
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    lines = tmp_path / "deep.jsonl"
    lines.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}\n", encoding="utf-8")
    for path in (deep, lines):
        result = runner.invoke(app, ["import", str(path), "--db", str(db_path), "-q"])
        assert result.exit_code == ExitCode.BAD_INPUT, result.output
        assert "nested too deeply" in result.output and path.name in result.output


def test_a_file_name_that_is_not_utf8_is_bad_input(tmp_path, runner, db_path):
    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsdecode(b"cli\xe9ntes.csv")
    (folder / name).write_text("Nombre,Email\nAna,ana@x.es\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(folder), "--db", str(db_path), "-q"])
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert "not valid UTF-8" in result.output


def test_a_header_only_csv_is_an_empty_file(tmp_path, runner, db_path):
    # It was stored as an active source of 0 rows (and would replace a source's records).
    path = tmp_path / "clientes.csv"
    path.write_text("Nombre,Email\nAna,ana@x.es\n", encoding="utf-8")
    assert runner.invoke(app, ["import", str(path), "--db", str(db_path), "-q"]).exit_code == 0
    path.write_text("Nombre,Email\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(path), "--db", str(db_path), "-q"])
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert "no data rows" in result.output
    with Store(db_path, read_only=True) as store:  # the earlier export is still there
        assert store.query_value("SELECT count(*) FROM records") == 1


def test_a_company_column_of_peoples_names_gives_their_names(tmp_path, store):
    """A billing workbook's "Razón social" holds mostly the self-employed customers' own
    names, with no id or comma to say so (multidept-3k's billing.xlsx: 98 % of them): a
    value that reads as a person's name is the record's name; an organisation stays one."""
    path = tmp_path / "facturacion.csv"
    path.write_text(
        "Razón social;Persona de contacto;Email\n"
        "VICTOR RODRIGUEZ SANCHEZ;Victor;v@x.es\n"  # a contact named within it
        "ROBERTO MORENO GÓMEZ;;r@x.es\n"  # nothing but the column says so
        "CASTRO LAGO CONCEPCION;;c@x.es\n"  # surnames first
        "Talleres Ruiz SL;Pedro Ruiz;t@x.es\n"  # a company with its contact person
        "LUISA PEREZ GIL;Marta Sanz;l@x.es\n", encoding="utf-8")  # another person: kept
    import_paths(store, [path])
    rows = store.query_dicts("SELECT full_name, company FROM records ORDER BY row")
    assert rows[0] == {"full_name": "Victor Rodriguez Sanchez", "company": None}
    assert rows[1] == {"full_name": "Roberto Moreno Gómez", "company": None}
    assert rows[2]["full_name"] in ("Castro Lago Concepcion", "Concepcion Castro Lago") and rows[2]["company"] is None
    assert rows[3] == {"full_name": "Pedro Ruiz", "company": "Talleres Ruiz SL"}
    assert rows[4] == {"full_name": "Marta Sanz", "company": "LUISA PEREZ GIL"}


def test_a_column_of_organisations_keeps_a_name_that_reads_as_a_person(tmp_path, store):
    # Chicago's early-childhood sites: "Jane Addams Hull House" is a site, not a person.
    path = tmp_path / "sites.csv"
    path.write_text(
        "Company,Phone\n"
        "Jane Addams Hull House,312 555 0101\n"
        "Marcy Newberry Association,312 555 0102\n"
        "Salvation Army - Temple,312 555 0103\n"
        "Chicago Child Care Society,312 555 0104\n", encoding="utf-8")
    import_paths(store, [path])
    rows = store.query_dicts("SELECT full_name, company FROM records ORDER BY row")
    assert rows[0] == {"full_name": None, "company": "Jane Addams Hull House"}
