"""The audit workbook read back with openpyxl, in each language: sheet names, headers, words,
column widths, number and date formats."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from custfocus.audit._labels import LABELS
from custfocus.cli import app
from custfocus.i18n import LANGS
from test_audit import audited  # noqa: F401  (the session store, shared)

INTERNAL_KEY = re.compile(r"[a-z]+(_[a-z0-9]+)+")  # amount_net, rank_in_currency...


@pytest.fixture(scope="session")
def workbooks(request, tmp_path_factory):
    """``{lang: openpyxl workbook}`` of ``custfocus audit -o audit.xlsx``."""
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    db, planted = request.getfixturevalue("audited")
    out = tmp_path_factory.mktemp("xlsx")
    books = {}
    for lang in LANGS:
        path = out / f"audit_{lang}.xlsx"
        result = CliRunner().invoke(app, ["audit", "--db", str(db), "--as-of", planted["as_of"],
                                          "--lang", lang, "-o", str(path)])
        assert result.exit_code == 0, result.output
        books[lang] = load_workbook(path)
    return books


def _labels(lang: str) -> set[str]:
    return {options[LANGS.index(lang)] for options in LABELS.values()}


@pytest.mark.parametrize("lang", LANGS)
def test_sheet_names_are_whole_words_unique_and_fit(workbooks, lang):
    book = workbooks[lang]
    names = book.sheetnames
    assert len({n.casefold() for n in names}) == len(names)
    labels = _labels(lang)
    assert names[0] in labels  # "Resumen", "Resumo", "Summary"
    for name in names:
        assert len(name) <= 31, name
        title = re.sub(r"^Q\d ", "", name)
        if title.endswith("…"):  # shortened between two words, never inside one
            stem = title[:-1]
            assert any(lbl.lower().startswith(stem.lower() + " ") for lbl in labels), name
        else:
            assert title.lower() in {lbl.lower() for lbl in labels}, name


@pytest.mark.parametrize("lang", LANGS)
def test_headers_and_words_are_in_the_language(workbooks, lang):
    labels = _labels(lang)
    english_only = _labels("en") - labels
    for ws in workbooks[lang].worksheets:
        headers = [c.value for c in ws[1]]
        assert all(h in labels for h in headers), (ws.title, headers)
        for row in ws.iter_rows(min_row=2, values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert not INTERNAL_KEY.fullmatch(value), (ws.title, value)
                    assert "amount_net" not in value and "account_code" not in value
                    assert not value.startswith("'"), (ws.title, value)  # no visible escape
                    if lang != "en":
                        assert value not in english_only or value in labels, (ws.title, value)
    units = workbooks[lang]["Q5 " + LABELS["units"][LANGS.index(lang)].capitalize()]
    fields = [c.value for c in units[1]].index(LABELS["fields:column"][LANGS.index(lang)])
    listed = ", ".join(str(r[fields]) for r in units.iter_rows(min_row=2, values_only=True))
    assert LABELS["email"][LANGS.index(lang)] in listed


@pytest.mark.parametrize("lang", LANGS)
def test_widths_numbers_and_dates(workbooks, lang):
    from openpyxl.utils import get_column_letter

    dates = shares = 0
    for ws in workbooks[lang].worksheets:
        for i, cell in enumerate(ws[1], start=1):
            width = ws.column_dimensions[get_column_letter(i)].width
            assert width >= min(len(str(cell.value)), 58), (ws.title, cell.value, width)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, (datetime, date)):
                    dates += 1
                    assert "h" not in cell.number_format, (ws.title, cell.number_format)
                    assert cell.number_format == ("yyyy-mm-dd" if lang == "en" else "dd/mm/yyyy")
                elif isinstance(cell.value, bool):
                    pytest.fail(f"a bare boolean in {ws.title}")
                elif isinstance(cell.value, float) and 0 <= cell.value <= 1:
                    shares += cell.number_format == "0.0%"
                if isinstance(cell.value, (int, float)):  # never General: 1,461 and 0.0%
                    assert cell.number_format in ("#,##0", "#,##0.0", "#,##0.00", "0.0%"), (
                        ws.title, cell.value, cell.number_format)
    assert dates > 0 and shares > 20


def test_summary_sentences_wrap_in_their_column(workbooks):
    summary = workbooks["es"].worksheets[0]
    answers = [row[2] for row in summary.iter_rows(min_row=2)]
    assert all(c.alignment.wrap_text for c in answers if len(str(c.value)) > 60)


def test_data_exports_get_widths_and_dates_but_keep_one_line_per_row(tmp_path):
    import pandas as pd
    from openpyxl import load_workbook

    from custfocus.export import write_frame

    frame = pd.DataFrame({
        "customer_id": ["C000001", "C000002"],
        "first_seen": pd.to_datetime(["2024-06-30", "2023-01-02"]),
        "seen_at": pd.to_datetime(["2024-06-30 10:15", None]),
        "provenance": ['{"name": {"source": "ventas.xlsx#Clientes", "row": 12}}' * 3, None],
    })
    out = tmp_path / "master.xlsx"
    write_frame(frame, out, "xlsx")
    ws = load_workbook(out).active
    first, seen, prov = ws["B2"], ws["C2"], ws["D2"]
    assert first.number_format == "yyyy-mm-dd" and first.value.date() == date(2024, 6, 30)
    assert "h" in seen.number_format  # a real time of day is kept
    assert ws["C3"].value is None
    assert not prov.alignment.wrap_text
    assert ws.column_dimensions["A"].width >= len("customer_id")
    assert ws.column_dimensions["D"].width == 60  # capped


def test_sheet_name_cuts_between_words_and_stays_unique():
    from custfocus.report.audit import sheet_name

    taken: set[str] = set()
    first = sheet_name("Q8 Clientes a los que preguntar en su próximo contacto", taken)
    assert first == "Q8 Clientes a los que…" and len(first) <= 31
    taken.add(first)
    second = sheet_name("Q8 Clientes a los que preguntar en su próximo contacto", taken)
    assert second != first and second.endswith("(2)") and len(second) <= 31
    assert sheet_name("Ventas: 2024/06 [final]?", set()) == "Ventas  2024 06  final"
    assert len(sheet_name("Q1 " + "x" * 40, set())) <= 31
