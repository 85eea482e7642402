"""Space-aligned and fixed-width text files are read column by column; one-column files
are not split at their spaces.

``tests/cases/text_layouts`` holds one folder per case: the file and ``expected.json`` (how
it is read: layout, header, row count, first and last rows with their line numbers).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from custfocus.cli import app
from custfocus.ingest.readers import open_source
from custfocus.ingest.readers.fixed_width import infer_layout

CASES = Path(__file__).parent / "cases" / "text_layouts"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "expected.json").exists())


def _file(case: str) -> Path:
    (path,) = [p for p in (CASES / case).iterdir() if p.name != "expected.json"]
    return path


@pytest.mark.parametrize("case", CASE_NAMES)
def test_text_layout_case(case):
    expected = json.loads((CASES / case / "expected.json").read_text(encoding="utf-8"))
    table = open_source(_file(case)).tables[0]
    rows = [[number, cells] for number, cells in table.rows()]
    assert table.delimiter == expected["delimiter"]
    assert (table.headers, table.header_row) == (expected["headers"], expected["header_row"])
    assert len(rows) == expected["rows"]
    assert rows[:3] == expected["first_rows"] and rows[-1] == expected["last_row"]


def test_the_cdnow_log_imports_with_no_flags_as_dated_orders_in_dollars(tmp_path, runner):
    db = str(tmp_path / "cf.duckdb")
    result = runner.invoke(app, ["import", str(_file("cdnow_master_spaces")), "--db", db,
                                 "--json"])
    assert result.exit_code == 0, result.output
    (table,) = json.loads(result.stdout)["tables"]
    roles = {m["column"]: m["role"] for m in table["mapping"]}
    assert roles["customer_id"] == "account_code" and roles["date"] == "event_date"
    assert roles["dollar_value"] == "amount"
    assert (table["facts"], table["rejects"], table["delimiter"]) == (40, 0, "fixed-width")
    # every amount read, in dollars: the 40 lines' dollar_value column adds up to this
    lines = _file("cdnow_master_spaces").read_text().splitlines()[1:]
    total = round(sum(float(line.split()[3]) for line in lines), 2)
    from custfocus.store import Store

    with Store(db, read_only=True) as store:
        assert store.query_value("SELECT round(sum(amount), 2) FROM facts") == total
        assert store.query_value("SELECT min(fact_date) FROM facts").isoformat() == "1997-01-01"
        assert store.query_value("SELECT list(DISTINCT currency) FROM facts") == ["USD"]


@pytest.mark.parametrize("lines", [
    ["Nombre completo", "Ana Ruiz", "Luis Gil", "Eva Paz", "Leo Rey"],  # single spaces
    ["Ana Ruiz", "Eva Paz", "Leo Rey", "Ana Gil"],  # a word break shared by every line
    ["email", "a@x.es", "b@y.es", "c@z.es"],
    ["id  amount", "1   10", "2   20"],  # too few lines to tell
])
def test_one_column_files_and_short_samples_are_no_layout(lines):
    assert infer_layout(lines) is None


def test_the_fixed_width_erp_listing_imports_its_people(tmp_path, runner):
    db = str(tmp_path / "cf.duckdb")
    result = runner.invoke(app, ["import", str(_file("erp_fixed_width")), "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    (table,) = json.loads(result.stdout)["tables"]
    roles = {m["column"]: m["role"] for m in table["mapping"]}
    assert roles == {"Código": "account_code", "Nombre": "given_name",
                     "Apellidos": "family_name", "Teléfono": "phone", "Ciudad": "city",
                     "Importe anual": "total_spent"}
    assert (table["records"], table["rejects"]) == (5, 0)
