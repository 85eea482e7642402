"""The Arrow CSV fast path hands out exactly the rows and row numbers of the Python reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custfocus.ingest.readers import open_source
from custfocus.ingest.readers.table import ColumnChunk


def _rows_of(chunks) -> list[tuple[int, list[str]]]:
    out = []
    for chunk in chunks:
        if isinstance(chunk, ColumnChunk):
            out.extend((int(chunk.rows[i]), chunk.cells(i)) for i in range(len(chunk)))
        else:
            out.extend(chunk)
    return out


def _table(path: Path):
    (table,) = open_source(path).tables
    return table


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_well_formed_file_is_read_column_wise(tmp_path):
    lines = ["Nombre;Email;Teléfono"] + [f"Ana {i};ana{i}@x.es;6{i:08d}" for i in range(10)]
    table = _table(_write(tmp_path / "a.csv", "\r\n".join(lines) + "\r\n", "cp1252"))
    chunks = list(table.import_chunks(4))
    assert [type(c) for c in chunks] == [ColumnChunk] * 3
    assert _rows_of(chunks) == list(table.rows())
    assert _rows_of(chunks)[0] == (2, ["Ana 0", "ana0@x.es", "600000000"])


def test_ragged_row_hands_over_to_the_python_reader_without_losing_rows(tmp_path):
    lines = ["name,email,phone"] + [f"n{i},e{i}@x.com,{i}" for i in range(9)]
    lines.insert(7, "short,row")  # row 8 has two cells
    lines.insert(3, '"multi\nline",m@x.com,1')  # a quoted line break before it
    table = _table(_write(tmp_path / "b.csv", "\n".join(lines) + "\n"))
    assert _rows_of(table.import_chunks(2)) == list(table.rows())
    assert (9, ["short", "row"]) in list(table.rows())


def test_title_block_and_blank_lines_keep_row_numbers(tmp_path):
    text = 'Informe de clientes\n\n"Generado\nel lunes"\nNombre,Ciudad\nAna,Madrid\n\n,\nLuis,Vigo\n'
    table = _table(_write(tmp_path / "c.csv", text))
    assert _rows_of(table.import_chunks(10)) == list(table.rows()) == [
        (5, ["Ana", "Madrid"]), (8, ["Luis", "Vigo"])]


def test_values_beyond_dropped_trailing_columns_are_kept_ragged(tmp_path):
    text = "a;b;;\n1;2;;\n3;4;;\n5;6;x;\n"
    table = _table(_write(tmp_path / "d.csv", text))
    assert _rows_of(table.import_chunks(1)) == list(table.rows())


_CELL = st.text(alphabet=st.sampled_from(list('ab ñ"\r\n,;\t|éÇ1-')), max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.lists(st.text(alphabet="abcxyz", min_size=1, max_size=4), min_size=1, max_size=4,
                    unique=True),
    body=st.lists(st.lists(_CELL, min_size=0, max_size=5), max_size=12),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    title=st.booleans(),
    size=st.integers(1, 5),
)
def test_fast_path_matches_python_reader_on_messy_files(tmp_path, header, body, delimiter,
                                                        newline, encoding, title, size):
    def line(cells):
        out = []
        for cell in cells:
            if any(ch in cell for ch in f'"{delimiter}\r\n') or cell.startswith(" "):
                cell = '"' + cell.replace('"', '""') + '"'
            out.append(cell)
        return delimiter.join(out)

    text = ("Listado" + newline + newline if title else "") + newline.join(
        [line(header), *map(line, body)]) + newline
    path = _write(tmp_path / "m.csv", text, encoding)
    try:
        table = _table(path)
    except Exception:  # noqa: BLE001 - files the reader refuses are not this test's subject
        return
    expected = list(table.rows())
    assert _rows_of(table.import_chunks(size)) == expected


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_import_of_a_column_wise_file_keeps_raw_rows_and_rejects(tmp_path, monkeypatch,
                                                                  encoding):
    from custfocus.ingest.importer import ImportOptions, import_paths
    from custfocus.ingest.readers import arrow_csv
    from custfocus.store import Store

    monkeypatch.setattr(arrow_csv, "_BLOCK_BYTES", 64 * 1024)  # several blocks, small file
    lines = ["Nombre;Apellidos;Email;Teléfono;Importe"] + [
        f"José {i};Núñez;jose{i}@x.es;+34 6{i:08d};{i},50" for i in range(3000)]
    lines[5] = "Ana;" + "x" * 40_000 + ";ana@x.es;612345678;3,20"  # too long: a reject
    lines[2500] = "Eva;Gil;eva@x.es;612345679;1,00;extra"  # ragged, in a later block
    path = _write(tmp_path / "clientes.csv", "\n".join(lines) + "\n", encoding)
    kinds = [type(c) for c in _table(path).import_chunks(1000)]
    assert kinds[0] is ColumnChunk and kinds[-1] is list
    with Store(tmp_path / "s.duckdb") as store:
        result = import_paths(store, [path], ImportOptions(chunk_size=1000))
        raw = store.execute("SELECT row, cells FROM raw_rows ORDER BY row").fetchall()
        rejects = store.execute("SELECT row, reason, cells FROM rejects ORDER BY row").fetchall()
        names = dict(store.execute("SELECT row, given_name FROM records").fetchall())
    assert result.total("rows_read") == 3000 and result.total("records") == 2998
    assert [r for r, _ in raw] == list(range(2, 3002))
    assert raw[0][1] == ["José 0", "Núñez", "jose0@x.es", "+34 600000000", "0,50"]
    assert raw[3][1] == ["José 3", "Núñez", "jose3@x.es", "+34 600000003", "3,50"]
    assert raw[2499][1] == ["Eva", "Gil", "eva@x.es", "612345679", "1,00", "extra"]
    assert [(r, reason[:24]) for r, reason, _ in rejects] == [
        (6, "cell is 40,000 character"), (2501, "row has 6 cells but the ")]
    assert rejects[0][2][0] == "Ana" and len(rejects[0][2][1]) == 40_000
    assert (names[2], names[7], names[2502]) == ("José 0", "José 5", "José 2500")
    assert 6 not in names and 2501 not in names and len(names) == 2998


def test_worker_processes_give_the_same_store_as_one_process(tmp_path, monkeypatch):
    from custfocus.ingest import convert
    from custfocus.ingest.importer import ImportOptions, import_paths
    from custfocus.ingest.readers import arrow_csv
    from custfocus.store import Store

    monkeypatch.setattr(arrow_csv, "_BLOCK_BYTES", 32 * 1024)  # column-wise, then rows
    monkeypatch.setattr(convert, "PROCESS_SECONDS_PER_ROW", 0.0)  # always worth processes
    monkeypatch.setattr(convert, "PROCESS_MIN_SECONDS", 0.0)
    spawned = []
    real_pool = convert.ChunkConverter._pool
    monkeypatch.setattr(convert.ChunkConverter, "_pool",
                        lambda self: spawned.append(1) or real_pool(self))
    letters = "TRWAGMYFPDXBNJZSQVHLCKE"
    lines = ["APELLIDOS, Nombre;NIF;Email;Teléfono;Domicilio;CP"] + [
        f'"García {"López" if i % 3 else "Núñez"}, Ana {i % 50}";'
        f"{10_000_000 + i}{letters[(10_000_000 + i) % 23]};a{i}@x.es;6{i:08d};"
        f"C/ Mayor nº {i % 90};{28000 + i % 50}" for i in range(2500)]
    lines[1200] = "Ruiz, Eva;1;e@x.es;1;C/ Sol;28001;extra"  # ragged: handed to Python
    path = _write(tmp_path / "soporte.csv", "\n".join(lines) + "\n", "cp1252")
    kinds = {type(c) for c in _table(path).import_chunks(500)}
    assert kinds == {ColumnChunk, list}
    stored = {}
    for workers in (1, 2):
        with Store(tmp_path / f"s{workers}.duckdb") as store:
            import_paths(store, [path], ImportOptions(chunk_size=500, workers=workers))
            stored[workers] = [store.execute(
                f"SELECT * EXCLUDE (import_id) FROM {name} ORDER BY row").fetchall()
                for name in ("records", "raw_rows", "rejects")]
            first = store.execute("SELECT given_name, family_name, national_id_valid, "
                                  "address_key FROM records ORDER BY row LIMIT 1").fetchall()
    assert stored[1] == stored[2] and spawned
    assert len(stored[1][0]) == 2499 and len(stored[1][2]) == 1
    assert first[0][:3] == ("Ana 0", "García Núñez", True)
