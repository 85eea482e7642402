"""Readers: every supported format to raw text tables with the row numbers users see."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from custfocus.errors import BadInputError
from custfocus.ingest.readers import (
    SUPPORTED_SUFFIXES,
    RawTable,
    discover_files,
    find_header_row,
    open_source,
)
from custfocus.ingest.readers.csv_reader import sniff_delimiter


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _only_table(path: Path, **options: str) -> RawTable:
    source = open_source(path, **options)
    assert len(source.tables) == 1
    return source.tables[0]


# --- CSV: encodings --------------------------------------------------------------------


def test_cp1252_is_detected_and_decoded(tmp_path: Path) -> None:
    text = "Nombre;Apellido;Importe\nMaría;Núñez;12,50 €\nJoão;Araújo;3\n"
    table = _only_table(_write(tmp_path / "ventas.csv", text.encode("cp1252")))
    assert table.encoding == "cp1252"
    assert table.delimiter == ";"
    assert list(table.rows()) == [(2, ["María", "Núñez", "12,50 €"]), (3, ["João", "Araújo", "3"])]


def test_utf8_sig_bom_is_not_part_of_the_first_header(tmp_path: Path) -> None:
    data = "\ufeffNombre,Ciudad\nJosé,São Paulo\n".encode()
    table = _only_table(_write(tmp_path / "a.csv", data))
    assert table.encoding == "utf-8-sig"
    assert table.headers == ["Nombre", "Ciudad"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le"])
def test_utf16_with_and_without_bom(tmp_path: Path, codec: str) -> None:
    data = "Nombre\tCiudad\nJosé\tSão Paulo\n".encode(codec)
    table = _only_table(_write(tmp_path / "a.tsv", data))
    assert table.encoding == codec
    assert list(table.rows()) == [(2, ["José", "São Paulo"])]


def test_plain_utf8_and_explicit_encoding_override(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "Nombre,Ciudad\nÑoño,Cádiz\n".encode())
    assert _only_table(path).encoding == "utf-8"
    forced = _only_table(path, encoding="latin-1")
    assert forced.encoding == "latin-1"
    assert next(forced.rows())[1][0] != "Ñoño"


def test_undefined_cp1252_bytes_fall_back_without_failing(tmp_path: Path) -> None:
    # 0x81 is undefined in cp1252 and invalid UTF-8: some codec must still decode it.
    path = _write(tmp_path / "a.csv", b"Nombre,Ciudad\nAn\x81a,Vigo\n" * 50)
    table = _only_table(path)
    assert table.encoding not in ("utf-8", "cp1252")
    assert len(list(table.rows())) == 99  # the header line repeats, so it is a data row too


# --- CSV: dialect, structure -----------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_delimiters_are_sniffed(tmp_path: Path, delimiter: str) -> None:
    rows = [["Nombre", "Ciudad", "Notas"], ["Ana", "Madrid", "1,5"], ["Luis", "Vigo", "a;b"]]
    lines = [delimiter.join(f'"{c}"' if delimiter in c else c for c in row) for row in rows]
    table = _only_table(_write(tmp_path / "a.txt", ("\n".join(lines) + "\n").encode()))
    assert table.delimiter == delimiter
    assert [cells for _, cells in table.rows()] == rows[1:]


def test_sniffer_prefers_semicolon_over_commas_inside_values() -> None:
    sample = "Nombre;Apellidos;Importe\nAna;Núñez, Ana;1,5\nLuis;Pérez;2,75\nEva;Gil, E;3\n"
    assert sniff_delimiter(sample, truncated=False) == ";"


def test_multiline_quoted_fields_count_as_one_row(tmp_path: Path) -> None:
    data = 'Nombre,Direccion\nAna,"Calle Mayor 1\n2º B\n28001"\nLuis,"Rua\r\nAugusta"\nEva,Lugo\n'
    table = _only_table(_write(tmp_path / "a.csv", data.encode()))
    rows = list(table.rows())
    assert [number for number, _ in rows] == [2, 3, 4]
    assert rows[0][1][1] == "Calle Mayor 1\n2º B\n28001"
    assert rows[1][1][1] == "Rua\r\nAugusta"


def test_title_rows_above_header_are_skipped_with_right_numbers(tmp_path: Path) -> None:
    data = "Listado de clientes;;\nExportado 2024-01-02;;\n\nNombre;Ciudad;Tel\nAna;Madrid;612\n\nLuis;Vigo;613\n"
    table = _only_table(_write(tmp_path / "a.csv", data.encode()))
    assert table.header_row == 4
    assert table.headers == ["Nombre", "Ciudad", "Tel"]
    assert list(table.rows()) == [(5, ["Ana", "Madrid", "612"]), (7, ["Luis", "Vigo", "613"])]
    assert "title rows above header skipped: 2" in table.notes


def test_ragged_rows_are_preserved(tmp_path: Path) -> None:
    data = "a,b,c\n1,2\n1,2,3,4\n1,2,3\n"
    table = _only_table(_write(tmp_path / "a.csv", data.encode()))
    assert [cells for _, cells in table.rows()] == [
        ["1", "2"],
        ["1", "2", "3", "4"],
        ["1", "2", "3"],
    ]


def test_trailing_delimiters_drop_empty_columns_without_losing_values(tmp_path: Path) -> None:
    # A value beyond the sampled rows in a dropped column is kept (the row becomes ragged).
    data = "Nombre;Ciudad;;\n" + "Ana;Madrid;;\n" * 40 + "Eva;Gil;;tarde\n"
    table = _only_table(_write(tmp_path / "a.csv", data.encode()))
    assert table.headers == ["Nombre", "Ciudad"]
    assert "2 empty columns dropped" in table.notes
    rows = list(table.rows())
    assert rows[0] == (2, ["Ana", "Madrid"])
    assert rows[-1] == (42, ["Eva", "Gil", "", "tarde"])


def test_headers_are_cleaned_only_around_the_text(tmp_path: Path) -> None:
    data = ' Nombre ,"Fecha\nalta" ,,Tel\r\nAna,2020,x,1\r\n'
    table = _only_table(_write(tmp_path / "a.csv", data.encode()))
    assert table.headers == ["Nombre", "Fecha\nalta", "", "Tel"]


def test_one_megabyte_cell(tmp_path: Path) -> None:
    big = "x" * 1_500_000
    table = _only_table(_write(tmp_path / "a.csv", f'id,notes\n1,"{big}"\n2,ok\n'.encode()))
    rows = list(table.rows())
    assert len(rows[0][1][1]) == 1_500_000
    assert rows[1] == (3, ["2", "ok"])


def test_stray_nul_bytes_are_stripped_and_noted(tmp_path: Path) -> None:
    table = _only_table(_write(tmp_path / "a.csv", b"Nombre,Ciudad\nAn\x00a,Madrid\x00\n"))
    assert list(table.rows()) == [(2, ["Ana", "Madrid"])]
    assert any("NUL" in note for note in table.notes)


def test_rows_are_reiterable_and_chunked(tmp_path: Path) -> None:
    data = "n\n" + "".join(f"{i}\n" for i in range(25))
    table = _only_table(_write(tmp_path / "a.csv", data.encode()))
    assert list(table.rows()) == list(table.rows())
    chunks = list(table.chunks(10))
    assert [len(chunk) for chunk in chunks] == [10, 10, 5]
    assert chunks[0][0] == (2, ["0"])


# --- CSV: errors -----------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \r\n\n \t\n"])
def test_empty_file_is_an_error(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(BadInputError, match="file is empty"):
        open_source(_write(tmp_path / "a.csv", data))


def test_renamed_workbook_is_not_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "real.xlsx"
    openpyxl.Workbook().save(path)
    renamed = _write(tmp_path / "clientes.csv", path.read_bytes())
    with pytest.raises(BadInputError, match="not a text file"):
        open_source(renamed)


def test_binary_with_many_nuls_is_not_a_text_file(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="not a text file"):
        open_source(_write(tmp_path / "a.csv", b"abc\x00\x01\x02" * 200))


# --- Workbooks -------------------------------------------------------------------------


@pytest.fixture
def workbook_path(tmp_path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Clientes"
    ws["B1"] = "Informe de clientes"
    ws["B3"], ws["C3"], ws["D3"], ws["E3"], ws["F3"] = "Nombre", "Ciudad", "Tel", "Alta", "Total"
    ws.append([None, "Ana", "Madrid", 612345678, dt.datetime(2023, 4, 5, 13, 22), "=D4*2"])
    ws.append([None, "Luis", None, 1.5, dt.date(2023, 4, 5), True])
    ws.append([None, "Eva", None, None, dt.time(9, 5), None])
    ws.merge_cells("C4:C6")
    hidden = wb.create_sheet("Oculta")
    hidden["A1"], hidden["B1"], hidden["A2"], hidden["B2"] = "a", "b", "1", "2"
    hidden.sheet_state = "hidden"
    very = wb.create_sheet("Interna")
    very["A1"] = "x"
    very.sheet_state = "veryHidden"
    wb.create_sheet("Vacia")
    path = tmp_path / "ventas.xlsx"
    wb.save(path)
    return path


def test_xlsx_title_row_header_and_row_numbers(workbook_path: Path) -> None:
    source = open_source(workbook_path)
    assert source.kind == "xlsx"
    (table,) = source.tables
    assert table.label == "ventas.xlsx#Clientes"
    assert table.sheet == "Clientes"
    assert table.header_row == 3
    assert table.headers == ["Nombre", "Ciudad", "Tel", "Alta", "Total"]
    assert [number for number, _ in table.rows()] == [4, 5, 6]


def test_xlsx_values_render_as_text(workbook_path: Path) -> None:
    rows = [cells for _, cells in open_source(workbook_path).tables[0].rows()]
    assert rows[0][2:4] == ["612345678", "2023-04-05 13:22:00"]
    assert rows[1][2:] == ["1.5", "2023-04-05", "TRUE"]
    assert rows[2][3] == "09:05:00"
    # openpyxl cannot compute formulas, so the file has no cached value: it reads as "".
    # (A workbook saved by Excel would give the cached result instead.)
    assert rows[0][4] == ""


def test_xlsx_vertical_merge_filled_down(workbook_path: Path) -> None:
    table = open_source(workbook_path).tables[0]
    assert [cells[1] for _, cells in table.rows()] == ["Madrid"] * 3
    assert any("merged cells filled down" in note and "Ciudad" in note for note in table.notes)


def test_hidden_sheets_listed_not_imported(workbook_path: Path) -> None:
    source = open_source(workbook_path)
    assert source.hidden_sheets == ["Oculta", "Interna"]
    assert source.empty_sheets == ["Vacia"]
    assert [t.sheet for t in source.tables] == ["Clientes"]
    asked = open_source(workbook_path, sheet="Oculta")
    assert [t.sheet for t in asked.tables] == ["Oculta"]
    with pytest.raises(BadInputError, match='no sheet named "Nope"'):
        open_source(workbook_path, sheet="Nope")


def test_hash_and_size(workbook_path: Path) -> None:
    import hashlib

    source = open_source(workbook_path)
    data = workbook_path.read_bytes()
    assert source.size == len(data)
    assert source.content_hash == hashlib.sha256(data).hexdigest()


def test_corrupt_xlsx_is_an_error(tmp_path: Path, workbook_path: Path) -> None:
    truncated = _write(tmp_path / "roto.xlsx", workbook_path.read_bytes()[:2000])
    with pytest.raises(BadInputError, match="not a valid .xlsx workbook"):
        open_source(truncated)
    html = _write(tmp_path / "export.xlsx", b"<html><table><tr><td>a</td></tr></table></html>")
    with pytest.raises(BadInputError, match="not a valid .xlsx workbook"):
        open_source(html)


def test_encrypted_xlsx_is_an_error(tmp_path: Path) -> None:
    fake = _write(tmp_path / "secreto.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048))
    with pytest.raises(BadInputError, match="password-protected or encrypted"):
        open_source(fake)


def test_ods_via_pandas(tmp_path: Path) -> None:
    path = tmp_path / "soporte.ods"
    frame = pd.DataFrame({"Nombre": ["Ana", "Luis"], "Tel": [612345678, 613000000]})
    frame.to_excel(path, engine="odf", index=False, sheet_name="Tickets")
    source = open_source(path)
    assert source.kind == "ods"
    (table,) = source.tables
    assert table.label == "soporte.ods#Tickets"
    assert table.header_row == 1
    assert list(table.rows()) == [(2, ["Ana", "612345678"]), (3, ["Luis", "613000000"])]


def test_leading_empty_column_and_gap_rows_keep_sheet_numbers(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "Título"
    ws["C5"], ws["D5"] = "Nombre", "Email"
    ws["C6"], ws["D6"] = "Ana", "a@x.es"
    ws["C9"], ws["D9"] = "Luis", "l@x.es"
    path = tmp_path / "a.xlsx"
    wb.save(path)
    table = _only_table(path)
    assert table.headers == ["Nombre", "Email"]
    assert table.header_row == 5
    assert list(table.rows()) == [(6, ["Ana", "a@x.es"]), (9, ["Luis", "l@x.es"])]
    assert "2 empty columns dropped" in table.notes  # columns A and B


# --- Columnar --------------------------------------------------------------------------


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "crm.parquet"
    arrow = pa.table({"id": [1, 2], "nombre": ["Ana", None], "saldo": [1.0, 2.5]})
    pq.write_table(arrow, path)
    table = _only_table(path)
    assert (table.headers, table.header_row, table.sheet) == (["id", "nombre", "saldo"], 0, None)
    assert list(table.rows()) == [(1, ["1", "Ana", "1"]), (2, ["2", "", "2.5"])]


def test_jsonl_keys_union_and_line_numbers(tmp_path: Path) -> None:
    lines = [{"id": 1, "nombre": "Ana"}, {}, {"id": 2, "tags": ["a", "b"], "vip": True}]
    text = "\n".join(json.dumps(r) if r else "" for r in lines) + "\n"
    table = _only_table(_write(tmp_path / "web.jsonl", text.encode()))
    assert table.headers == ["id", "nombre", "tags", "vip"]
    assert list(table.rows()) == [(1, ["1", "Ana", "", ""]), (3, ["2", "", '["a", "b"]', "TRUE"])]


def test_jsonl_bad_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = _write(tmp_path / "web.ndjson", b'{"id": 1}\n{"id": \n')
    with pytest.raises(BadInputError) as info:
        open_source(path)
    assert info.value.row == 2


def test_json_array(tmp_path: Path) -> None:
    records = [{"id": 1, "email": "a@x.es"}, {"id": 2, "email": None}]
    table = _only_table(_write(tmp_path / "a.json", json.dumps(records).encode()))
    assert list(table.rows()) == [(1, ["1", "a@x.es"]), (2, ["2", ""])]


# --- Header detection and discovery ----------------------------------------------------


def test_find_header_row() -> None:
    rows = [
        ["Informe", "2023"],
        [],
        ["Nombre", "Ciudad", "Tel", "Email"],
        ["Ana", "", "612", "a@x"],
    ]
    assert find_header_row(rows) == 2
    assert find_header_row([["1", "2"], ["3", "4"]]) == 0
    assert find_header_row([]) == 0


def test_discover_files_skips_lock_hidden_and_temp_files(tmp_path: Path) -> None:
    for name in ["b.csv", "a.xlsx", "~$a.xlsx", ".oculto.csv", "notas.docx", "c.csv.tmp", "d.csv~"]:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.parquet").write_bytes(b"x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "e.csv").write_bytes(b"x")
    found = discover_files([tmp_path])
    assert found == [tmp_path / "a.xlsx", tmp_path / "b.csv", tmp_path / "sub" / "c.parquet"]
    assert discover_files([tmp_path / "b.csv", tmp_path]) == [
        tmp_path / "b.csv",
        tmp_path / "a.xlsx",
        tmp_path / "sub" / "c.parquet",
    ]


def test_discover_files_errors(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="not found"):
        discover_files([tmp_path / "missing.csv"])
    (tmp_path / "notas.docx").write_bytes(b"x")
    with pytest.raises(BadInputError, match="unsupported file type"):
        discover_files([tmp_path / "notas.docx"])
    assert ".ndjson" in SUPPORTED_SUFFIXES
