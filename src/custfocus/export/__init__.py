"""Exports of the master and its cross-references to CSV, XLSX, Parquet and JSON.

Why sanitise here: exported sheets are opened in Excel, where a cell starting with ``=``,
``+``, ``-``, ``@`` (or their full-width forms), tab, a line break or NUL is run as a formula
(CSV/formula injection). Text cells that start so are prefixed with an apostrophe in CSV and
XLSX (headers included); Parquet and JSON keep raw values.
One exception in XLSX: a phone number in international form (``+5581969076671``) is written
as a text cell (formatted ``@``), which Excel shows as typed and never evaluates, instead of
with an apostrophe that Excel would show (a CSV has no cell types: it keeps the apostrophe).
"""

from __future__ import annotations

import re
import sys
from datetime import datetime, time
from pathlib import Path
from typing import Any

from custfocus.errors import UsageError
from custfocus.store import Store

FORMATS = ("csv", "xlsx", "parquet", "json")
EXCEL_MAX_ROWS = 1_048_575

QUERIES: dict[str, str] = {
    # One row per imported source row (DESIGN.md contract: source,row,customer_id).
    "xref": """
        SELECT i.source, rr.row, coalesce(rc.customer_id, rcf.customer_id) AS customer_id,
               CASE WHEN r.record_id IS NOT NULL THEN 'customer'
                    WHEN f.fact_id IS NOT NULL THEN f.kind ELSE 'rejected' END AS row_kind,
               r.record_id, i.unit
        FROM raw_rows rr
        JOIN imports i ON i.import_id = rr.import_id AND i.status = 'active'
        LEFT JOIN records r ON r.import_id = rr.import_id AND r.row = rr.row
        LEFT JOIN record_customer rc ON rc.record_id = r.record_id
        LEFT JOIN facts f ON f.import_id = rr.import_id AND f.row = rr.row
        LEFT JOIN record_customer rcf ON rcf.record_id = f.record_id
        ORDER BY i.source, rr.row
    """,
    "master": """
        SELECT customer_id, full_name, given_name, family_name, company, email, phone, phone2,
               national_id, national_id_kind, street, house_number, postal_code, city, region,
               country, birth_date, account_code, opt_in, records, sources, units, first_seen,
               last_seen, CAST(provenance AS VARCHAR) AS provenance,
               CAST(alternates AS VARCHAR) AS alternates
        FROM customers ORDER BY customer_id
    """,
    "clusters": """
        SELECT rc.customer_id, r.source, r.row, r.full_name, r.email, r.phone_e164 AS phone,
               r.national_id, r.postal_code, r.city, r.birth_date
        FROM record_customer rc JOIN records r USING (record_id)
        ORDER BY rc.customer_id, r.source, r.row
    """,
    "pairs": """
        SELECT ra.source AS source_a, ra.row AS row_a, rb.source AS source_b, rb.row AS row_b,
               ca.customer_id AS customer_a, cb.customer_id AS customer_b,
               round(l.probability, 4) AS probability, round(l.match_weight, 2) AS match_weight,
               l.decision, array_to_string(l.levels, ' ') AS levels,
               array_to_string(l.bits, ' ') AS bits
        FROM match_links l
        JOIN records ra ON ra.record_id = l.record_a JOIN records rb ON rb.record_id = l.record_b
        JOIN record_customer ca ON ca.record_id = l.record_a
        JOIN record_customer cb ON cb.record_id = l.record_b
        ORDER BY l.probability DESC
    """,
}


def export_query(store: Store, what: str) -> str:
    if what not in QUERIES:
        raise UsageError(f"unknown export '{what}'; choose one of {', '.join(QUERIES)}")
    if what != "xref" and not store.query_value("SELECT count(*) FROM record_customer"):
        raise UsageError(f"no customers yet: run 'custfocus dedupe' before exporting {what}")
    return QUERIES[what]


def format_from_path(path: Path | None, fmt: str | None) -> str:
    if fmt:
        fmt = fmt.lower()
    elif path is not None and path.suffix.lower().lstrip(".") in FORMATS:
        fmt = path.suffix.lower().lstrip(".")
    else:
        fmt = "csv"
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")
    return fmt


# What a spreadsheet may run as a formula when a cell starts with it: the four operators,
# their full-width forms (Excel and LibreOffice in CJK locales read them as the half-width
# ones), tab, the line breaks and NUL (some readers drop it and see what follows).
_FORMULA_START = frozenset("=+-@\t\r\n\x00＝＋－＠")
# Blanks a spreadsheet skips before a formula: space, no-break space, ideographic space.
_LEADING_BLANKS = " \u00a0\u3000"
# "+" then a digit, and only digits and phone punctuation after it: a phone, not a formula.
_PHONE_TEXT = re.compile(r"\+\d[\d ().-]*")


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula: one starting with ``=``,
    ``+``, ``-``, ``@`` (or their full-width forms), a tab, a line break or NUL, or with
    those after leading blanks, gets an apostrophe in front (Excel's own way of saying
    "text"; the value reads as it was)."""
    if isinstance(value, str) and (value[:1] in _FORMULA_START
                                   or value.lstrip(_LEADING_BLANKS)[:1] in _FORMULA_START):
        return "'" + value
    return value


def neutralise_formulas(frame: Any) -> Any:
    """Every text column of ``frame`` through :func:`safe_cell`, in place, with carriage
    returns written as line feeds.

    Text columns are found by pandas' own test, so ``object``, ``string`` and pandas 3's
    default ``str`` dtype are all covered (checking the dtype's name missed ``str``). Why
    the carriage returns: pandas' CSV writer does not quote a field holding a bare CR, so
    a spreadsheet reads the rest of the cell ("\r=1+1") as a new line starting with a
    formula; a line feed gets the field quoted.
    """
    from pandas.api.types import is_object_dtype, is_string_dtype

    def clean(value: Any) -> Any:
        if isinstance(value, str) and "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return safe_cell(value)

    for col in frame.columns:
        if is_object_dtype(frame[col].dtype) or is_string_dtype(frame[col].dtype):
            frame[col] = frame[col].map(clean).astype(object)
    return frame


def write_frame(frame: Any, path: Path | None, fmt: str, sheet: str = "data") -> int:
    """Write a DataFrame atomically (temp file + rename); stdout when ``path`` is None."""
    from custfocus.export._write import write_atomic

    if fmt == "csv":  # (write_xlsx neutralises every cell it writes)
        neutralise_formulas(frame)
    if path is None:
        if fmt == "csv":
            frame.to_csv(sys.stdout, index=False)
        elif fmt == "json":
            sys.stdout.write(frame.to_json(orient="records", force_ascii=False, date_format="iso"))
            sys.stdout.write("\n")
        else:
            raise UsageError(f"{fmt} output needs a file: add -o FILE")
        return len(frame)
    if fmt == "xlsx" and len(frame) > EXCEL_MAX_ROWS:
        raise UsageError(f"{len(frame):,} rows do not fit in one Excel sheet; use csv or parquet")
    write_atomic(path, lambda tmp: _write_to(frame, tmp, fmt, sheet))
    return len(frame)


def _write_to(frame: Any, path: Path, fmt: str, sheet: str) -> None:
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "parquet":
        frame.to_parquet(path, index=False)
    elif fmt == "json":
        frame.to_json(path, orient="records", force_ascii=False, date_format="iso")
    else:
        write_xlsx({sheet: frame}, path)


def write_xlsx(sheets: dict[str, Any], path: Path,
               formats: dict[str, dict[str, Any]] | None = None, wrap: bool = False) -> None:
    """Several frames as sheets of one workbook (openpyxl, streaming write).

    Every text cell is formula-safe (:func:`safe_cell`), phone numbers as text cells, so
    callers need not neutralise frames first (an already neutralised cell is left as is).
    Columns are as wide as their content (header and first rows), dates without a time of
    day are dates (no ``0:00:00``); with ``wrap``, texts longer than a column wrap (for
    sentences; a data export keeps one line per row). ``formats`` gives Excel number formats
    per sheet and column header, one for the column or a list with one per row
    (``{"Q2": {"share": "0.0%", "value": ["#,##0", "0.0%"]}}``).
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for name, frame in sheets.items():
        ws = book.create_sheet(title=name[:31])
        # Widths must be set before the first row of a streamed sheet.
        for i, width in enumerate(column_widths(frame), start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.append([_xlsx_value(str(c)) for c in frame.columns])
        by_column = (formats or {}).get(name, {})
        column_formats = [by_column.get(str(c)) for c in frame.columns]
        for i, row in enumerate(frame.itertuples(index=False, name=None)):
            ws.append([_xlsx_cell(ws, v, f[i] if isinstance(f, list) else f, wrap)
                       for v, f in zip(row, column_formats, strict=True)])
    book.save(path)


XLSX_MIN_WIDTH, XLSX_MAX_WIDTH, XLSX_WIDTH_SAMPLE = 6, 60, 500


def column_widths(frame: Any) -> list[float]:
    """Excel column widths (in characters) that fit the header and the first rows."""
    widths = []
    head = frame.head(XLSX_WIDTH_SAMPLE)
    for i, col in enumerate(frame.columns):
        longest = len(str(col))
        for value in head.iloc[:, i]:
            if isinstance(value, float):
                text = f"{value:,.2f}"
            elif hasattr(value, "strftime"):
                text = "2024-06-30"
            else:
                text = "" if value is None else str(value)
            longest = max(longest, max((len(line) for line in text.split("\n")), default=0))
        widths.append(float(min(max(longest + 2, XLSX_MIN_WIDTH), XLSX_MAX_WIDTH)))
    return widths


def _xlsx_cell(ws: Any, value: Any, number_format: str | None = None,
               wrap: bool = False) -> Any:
    """A value for ``ws.append``: a text cell for a phone number, a wrapped cell for a long
    text, a formatted cell when ``number_format`` is given, else the safe value."""
    if isinstance(value, str) and _PHONE_TEXT.fullmatch(value):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"  # text, whatever it looks like
        cell.number_format = "@"  # and still text after a person edits it
        return cell
    value = _xlsx_value(value)
    long_text = wrap and isinstance(value, str) and len(value) > XLSX_MAX_WIDTH
    if value is not None and (number_format or long_text):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment

        cell = WriteOnlyCell(ws, value)
        if number_format and not isinstance(value, str):
            cell.number_format = number_format
        if long_text:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell
    return value


def _xlsx_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if value is not None and type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, datetime) and value.tzinfo is None and value.time() == time(0):
        return value.date()  # a date, shown as one (openpyxl gives datetimes a time of day)
    if isinstance(value, str):
        # XML cannot hold NUL and most other control characters (openpyxl refuses the
        # cell): they are dropped after neutralising, so "\x00=1+1" stays text.
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value))
    return value


def protect(frame: Any, *, mask: bool = False, pseudonym_key: bytes | None = None) -> Any:
    """``frame`` with its personal values masked (:mod:`custfocus.masking`) or its
    identifiers pseudonymised (:mod:`custfocus.pseudonyms`), in place; one or the other."""
    if mask and pseudonym_key is not None:
        raise UsageError("choose --mask or --pseudonymise, not both")
    if pseudonym_key is not None:
        from custfocus.pseudonyms import pseudonymise_frame

        pseudonymise_frame(frame, pseudonym_key)
    elif mask:
        from custfocus.masking import mask_frame

        mask_frame(frame)
    return frame


def export(store: Store, what: str, path: Path | None = None, fmt: str | None = None, *,
           mask: bool = False, pseudonym_key: bytes | None = None) -> int:
    """Export ``master``, ``xref``, ``clusters`` or ``pairs``; returns rows written.

    ``mask``: personal values masked; ``pseudonym_key``: identifiers as keyed tokens (see
    :func:`protect`).
    """
    fmt = format_from_path(path, fmt)
    frame = store.execute(export_query(store, what)).df()
    protect(frame, mask=mask, pseudonym_key=pseudonym_key)
    return write_frame(frame, path, fmt, sheet=what)


__all__ = ["FORMATS", "column_widths", "export", "neutralise_formulas", "protect", "safe_cell", "write_frame",
           "write_xlsx"]
