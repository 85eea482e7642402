"""A newcomer's first hour on the examples (#17): one default date, dates as people write
them, ids as people type them, counts that agree, exports and rankings that read right.

One store of the bundled examples (imported and deduped once for the module); every check
goes through the CLI as a person would type it.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from custfocus.cli import app
from custfocus.config import reference_date
from custfocus.errors import ExitCode, UsageError
from custfocus.store import Store

ROOT = Path(__file__).resolve().parent.parent
WIDTH = {"COLUMNS": "120", "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Any]:
    """(store path, the dedupe result) of the examples, imported and deduped in one session."""
    from custfocus.dedupe.run import dedupe
    from custfocus.ingest.importer import import_paths

    folder = tmp_path_factory.mktemp("newcomer")
    for path in (ROOT / "examples").iterdir():
        if path.is_file():
            shutil.copy(path, folder / path.name)
    db = folder / "custfocus.duckdb"
    with Store(db) as store:
        import_paths(store, [folder])
        result = dedupe(store)
    return str(db), result


@pytest.fixture(scope="module")
def db(built: tuple[str, Any]) -> str:
    return built[0]


def _cli(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args), env=WIDTH)
    assert result.exit_code == code, (args, result.output)
    return result.stdout


# -- 5. one default date, dates as the user writes them, ids as the user types them ----------
def test_audit_and_segment_default_to_the_latest_date_in_the_data(db: str) -> None:
    with Store(db, read_only=True) as store:
        latest = store.latest_data_date()
    assert latest < date.today()  # the examples end in the past: today would differ
    audit = json.loads(_cli("audit", "--db", db, "--json"))
    segment = json.loads(_cli("segment", "--db", db, "--json"))
    assert audit["as_of"] == segment["as_of"] == latest.isoformat()
    # ... and each says so in its header.
    shown = latest.strftime("%d/%m/%Y")
    assert f"a fecha de {shown}" in _cli("audit", "--db", db, "--lang", "es").splitlines()[0]
    assert latest.isoformat() in _cli("audit", "--db", db, "--lang", "en").splitlines()[0]


@pytest.mark.parametrize("lang,written", [("es", "30/06/2024"), ("pt", "30/06/2024"),
                                          ("es", "30-06-2024"), ("en", "30/06/2024"),
                                          ("en", "06/30/2024"), ("en", "2024-06-30"),
                                          ("pt", "2024-06-30")])
def test_as_of_as_the_user_writes_it(db: str, lang: str, written: str) -> None:
    doc = json.loads(_cli("audit", "--db", db, "--lang", lang, "--as-of", written, "--json"))
    assert doc["as_of"] == "2024-06-30"


def test_as_of_that_reads_both_ways_in_english_is_refused(db: str) -> None:
    result = CliRunner().invoke(app, ["audit", "--db", db, "--lang", "en", "--as-of",
                                      "03/04/2024"], env=WIDTH)
    assert result.exit_code == ExitCode.USAGE
    assert "YYYY-MM-DD" in result.output
    assert reference_date("03/04/2024", "es") == date(2024, 4, 3)
    for bad in ("31/02/2024", "2024-13-01", "yesterday"):
        with pytest.raises(UsageError):
            reference_date(bad, "es")


def test_explain_finds_an_id_typed_in_lower_case(db: str) -> None:
    with Store(db, read_only=True) as store:
        some = store.query_value("SELECT min(customer_id) FROM customers WHERE records > 1")
    shown = _cli("explain", some.lower(), "--db", db)
    assert shown.startswith(f"{some}:")


# -- 6. counts that agree ----------------------------------------------------------------
def test_dedupe_counts_the_pairs_review_export_writes(built: tuple[str, Any]) -> None:
    import csv
    import io

    db, result = built
    exported = list(csv.reader(io.StringIO(_cli("review", "export", "--db", db))))[1:]
    assert result.review_pairs == len(exported) > 0
    with Store(db, read_only=True) as store:
        saved = store.query_value("SELECT review_pairs FROM dedupe_runs ORDER BY run_id DESC")
    assert saved == len(exported)


def test_the_size_histogram_counts_every_customer(built: tuple[str, Any]) -> None:
    from io import StringIO

    from rich.console import Console

    from custfocus.report.dedupe import render_dedupe, size_rows

    _, result = built
    assert result.largest_cluster > 12  # the examples have a customer of 23 records
    rows = size_rows(result.cluster_sizes)
    assert rows[-1][0] == "13+"
    assert sum(number for _, number in rows) == result.customers
    console = Console(file=StringIO(), width=100, color_system=None)
    render_dedupe(result, console)
    assert "13+" in console.file.getvalue()


# -- 7. phones in XLSX read as typed ---------------------------------------------------------
def test_xlsx_exports_write_phones_as_text_cells(db: str, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "master.xlsx"
    _cli("export", "master", "--db", db, "-o", str(out))
    sheet = load_workbook(out).active
    header = [c.value for c in sheet[1]]
    phones = [row[header.index("phone")] for row in sheet.iter_rows(min_row=2)]
    typed = [c for c in phones if isinstance(c.value, str) and c.value.startswith("+")]
    assert typed, "the examples hold international phone numbers"
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in phones)
    assert all(c.data_type == "s" and c.number_format == "@" for c in typed)


def test_xlsx_still_neutralises_formula_triggers(tmp_path: Path) -> None:
    import pandas as pd
    from openpyxl import load_workbook

    from custfocus.export import write_frame

    values = ["=HYPERLINK(\"http://x\",\"y\")", "+SUM(A1)", "-2+3", "@SUM(1)", "\t=1",
              "\r=1+1", "+34 600 123 123", "+5581969076671", "ok"]
    out = tmp_path / "x.xlsx"
    write_frame(pd.DataFrame({"value": values}), out, "xlsx")
    cells = [row[0] for row in load_workbook(out).active.iter_rows(min_row=2)]
    # (XML reads a carriage return back as a line feed.)
    assert [c.value for c in cells] == ["'" + v.replace("\r", "\n") for v in values[:6]] + values[6:]
    assert all(c.data_type == "s" for c in cells)


# -- 8. value ranked within a currency, never across -------------------------------------------
def test_audit_ranks_whom_to_ask_within_each_currency(db: str) -> None:
    doc = json.loads(_cli("audit", "--db", db, "--json"))
    asks = doc["questions"][7]["details"]["ask_list"]
    currencies = [c for c in dict.fromkeys(a["currency"] for a in asks) if c]
    assert len(currencies) > 1  # the examples sell in EUR, BRL and MXN
    for currency in currencies:
        ranked = [a for a in asks if a["currency"] == currency]
        assert [a["value_24m"] for a in ranked] == sorted((a["value_24m"] for a in ranked),
                                                          reverse=True)
        assert [a["rank_in_currency"] for a in ranked] == list(range(1, len(ranked) + 1))
    # The first rows (what a terminal shows) name the top customer of every currency.
    assert [a["currency"] for a in asks[:len(currencies)]] == currencies
    assert all(a["rank_in_currency"] == 1 for a in asks[:len(currencies)])
    shown = _cli("audit", "--db", db, "--lang", "en")
    assert "currency" in shown.split("Customers to ask")[1].splitlines()[2]
