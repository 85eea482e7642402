"""Render an :class:`AuditReport`: terminal (Rich), JSON, Markdown and XLSX.

Every word comes from ``audit._texts`` in the report's language; the HTML page lives in
``report.html``. Renderers show the same figures and tables, only the layout differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from custfocus.audit._texts import column_label, fmt_value, is_share, label
from custfocus.audit.model import AuditReport, Question
from custfocus.audit.thresholds import ThresholdResult
from custfocus.i18n import fmt_date

SCHEMA_ID = "https://custfocus.example/schemas/audit-1.json"
SCHEMA_VERSION = 1
STATUS_COLOURS = {"green": "green", "amber": "yellow", "red": "red"}
STATUS_DOTS = {"green": "🟢", "amber": "🟠", "red": "🔴"}
# Terminal: the readable subset of each wide table (all columns go to Markdown/HTML/XLSX).
TERMINAL_COLUMNS: dict[str, dict[str, Sequence[str]]] = {
    "q1": {
        "per_source": ("source", "rows", "records", "customers", "duplicate_rate", "no_identifier")
    },
    "q2": {"fields": ("field", "customers_with", "share_with", "customers_valid", "share_valid")},
    "q3": {
        "activity_age": ("age_months", "customers"),
        "per_source": (
            "source",
            "stale_12m",
            "stale_24m",
            "invalid_emails",
            "invalid_phones",
            "failed_id_checks",
        ),
    },
    "q4": {"per_source": ("source", "records", "completeness", "with_facts")},
    "q5": {"units": ("unit", "records", "facts", "customers", "first_date", "last_date")},
    "q6": {
        "pairs": (
            "source_a",
            "source_b",
            "shared_customers",
            "jaccard",
            "by_any_key",
            "direct_share",
        )
    },
    "q7": {
        "gap_fills": ("holder", "lacker", "field", "customers"),
        "columns": ("source", "column", "read_as", "filled", "looks_like"),
        "hidden_sheets": ("file", "sheet"),
    },
    "q8": {
        "enrichment": ("field", "customers", "records", "still_missing"),
        "ask_list": ("customer_id", "missing", "currency", "value_24m", "last_activity"),
    },
}
TERMINAL_ROWS = 10


# -- JSON --------------------------------------------------------------------------------
def audit_as_dict(
    report: AuditReport, thresholds: Sequence[ThresholdResult] = ()
) -> dict[str, Any]:
    """The ``--json`` document; its schema is ``docs/audit-json-schema.json``."""
    return {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "generated_at": datetime.now().isoformat(timespec="seconds"),
        "as_of": report.as_of.isoformat(),
        "lang": report.lang,
        "matched": report.matched,
        "status": report.status,
        "questions": [q.as_dict() for q in report.questions],
        "thresholds": [
            {
                "rule": t.threshold.text,
                "metric": t.threshold.metric,
                "op": t.threshold.op,
                "value": t.threshold.value,
                "actual": t.actual,
                "breached": t.breached,
            }
            for t in thresholds
        ],
    }


# -- terminal ----------------------------------------------------------------------------
def render_audit(
    report: AuditReport, console: Console, thresholds: Sequence[ThresholdResult] = ()
) -> None:
    lang = report.lang
    console.print(
        Text(
            f"{label('audit_title', lang)} — {label('as_of', lang)} {fmt_date(report.as_of, lang)}",
            style="bold",
        )
    )
    if not report.matched:
        console.print(Text(label("not_matched", lang), style="yellow"))
    for q in report.questions:
        colour = STATUS_COLOURS[q.status]
        console.print()
        console.rule(Text(f"{q.id.upper()}  {q.title}", style=f"bold {colour}"), align="left")
        console.print(Text.assemble((f"● {label(q.status, lang)}  ", colour), q.answer))
        console.print(_figures_table(q, lang))
        for name, columns in TERMINAL_COLUMNS.get(q.id, {}).items():
            rows = q.tables.get(name) or q.details.get(name) or []
            if rows:
                console.print(_rows_table(label(name, lang), rows, columns, lang))
        console.print(
            Text.assemble((f"→ {label('recommendation', lang)}: ", "bold"), q.recommendation)
        )
    if thresholds:
        console.print()
        render_thresholds(thresholds, console, lang)


def audit_text(
    report: AuditReport, thresholds: Sequence[ThresholdResult] = (), width: int = 110
) -> str:
    """The terminal layout as plain text (for ``-o audit.txt`` and tests)."""
    from io import StringIO

    buffer = StringIO()
    render_audit(report, Console(file=buffer, width=width, color_system=None), thresholds)
    return buffer.getvalue()


def render_thresholds(results: Sequence[ThresholdResult], console: Console, lang: str) -> None:
    table = Table(title=label("thresholds", lang), title_justify="left")
    for col in ("rule", "value", "status"):
        table.add_column(label(col, lang), justify="right" if col == "value" else "left")
    for r in results:
        mark = (
            f"[red]{label('breached', lang)}[/]" if r.breached else f"[green]{label('ok', lang)}[/]"
        )
        table.add_row(r.threshold.text, fmt_value(r.threshold.metric, r.actual, lang), mark)
    console.print(table)


def _figures_table(q: Question, lang: str) -> Table:
    table = Table(show_header=False, box=None, padding=(0, 2, 0, 2))
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key in q.headline:
        table.add_row(label(key, lang), fmt_value(key, q.figures.get(key), lang))
    return table


def _rows_table(
    title: str,
    rows: list[dict[str, Any]],
    columns: Sequence[str] | None,
    lang: str,
    limit: int | None = TERMINAL_ROWS,
) -> Table:
    columns = list(columns or rows[0].keys())
    table = Table(title=title, title_justify="left")
    for col in columns:
        numeric = isinstance(rows[0].get(col), (int, float))
        table.add_column(column_label(col, lang), justify="right" if numeric else "left",
                         overflow="fold")
    for row in rows[:limit]:
        table.add_row(*(fmt_value(c, row.get(c), lang) for c in columns))
    if limit and len(rows) > limit:
        table.caption = label("more_rows", lang).format(n=len(rows) - limit)
    return table


# -- Markdown ----------------------------------------------------------------------------
def audit_markdown(report: AuditReport, thresholds: Sequence[ThresholdResult] = ()) -> str:
    lang = report.lang
    out = [
        f"# {label('audit_title', lang)}",
        "",
        f"*{label('as_of', lang)} {fmt_date(report.as_of, lang)}*",
        "",
    ]
    if not report.matched:
        out += [f"> {label('not_matched', lang)}", ""]
    for q in report.questions:
        out += [
            f"## {q.id.upper()}. {q.title}",
            "",
            f"{STATUS_DOTS[q.status]} **{label(q.status, lang)}** — {q.answer}",
            "",
            f"| {label('figures', lang)} | |",
            "|---|---:|",
        ]
        out += [
            f"| {label(k, lang)} | {fmt_value(k, q.figures.get(k), lang)} |" for k in q.headline
        ]
        out.append("")
        for name, rows in {**q.tables, **q.details}.items():
            if rows:
                out += [f"### {label(name, lang)}", "", *_md_table(rows, lang), ""]
        out += [f"**{label('recommendation', lang)}:** {q.recommendation}", ""]
    if thresholds:
        out += [f"## {label('thresholds', lang)}", "",
                f"| {label('rule', lang)} | {label('value', lang)} | |", "|---|---:|---|"]
        out += [
            f"| `{t.threshold.text}` | {fmt_value(t.threshold.metric, t.actual, lang)} | "
            f"{label('breached' if t.breached else 'ok', lang)} |"
            for t in thresholds
        ]
    return "\n".join(out).rstrip() + "\n"


def _md_table(rows: list[dict[str, Any]], lang: str, limit: int = 50) -> list[str]:
    cols = list(rows[0].keys())
    lines = [
        "| " + " | ".join(column_label(c, lang) for c in cols) + " |",
        "|"
        + "|".join("---:" if isinstance(rows[0][c], (int, float)) else "---" for c in cols)
        + "|",
    ]
    for row in rows[:limit]:
        cells = (fmt_value(c, row.get(c), lang).replace("|", "\\|") for c in cols)
        lines.append("| " + " | ".join(cells) + " |")
    if len(rows) > limit:
        lines.append("")
        lines.append("*" + label("more_rows", lang).format(n=len(rows) - limit) + "*")
    return lines


# -- XLSX --------------------------------------------------------------------------------
SHEET_NAME_MAX = 31  # Excel's limit
PERCENT, INTEGER, DECIMAL, MONEY = "0.0%", "#,##0", "#,##0.0", "#,##0.00"


def write_audit_xlsx(
    report: AuditReport, path: Path, thresholds: Sequence[ThresholdResult] = ()
) -> None:
    """A summary sheet, one sheet of figures per question, then one per breakdown and list.

    Headers, sheet names and words (field names, statuses) are in the report's language;
    numbers stay numbers with an Excel format (percentages as ``0.0%``), dates are dates.
    """
    from custfocus.export import write_xlsx
    from custfocus.export._write import write_atomic

    sheets, formats = audit_sheets(report, thresholds)
    write_atomic(Path(path), lambda tmp: write_xlsx(sheets, tmp, formats, wrap=True))


def audit_sheets(
    report: AuditReport, thresholds: Sequence[ThresholdResult] = ()
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The workbook as ``{sheet name: frame}`` and ``{sheet name: {header: number format}}``."""
    import pandas as pd

    lang = report.lang
    sheets: dict[str, Any] = {}
    formats: dict[str, dict[str, Any]] = {}

    def add(title: str, rows: list[dict[str, Any]], keys: dict[str, str]) -> None:
        name = sheet_name(title, sheets)
        frame = pd.DataFrame(rows, columns=list(keys))
        sheets[name] = frame.rename(columns=keys)
        formats[name] = {
            keys[k]: fmt for k in keys if (fmt := _number_format(k, frame[k], lang)) is not None
        }

    add(
        label("summary", lang),
        [
            {
                "question": f"{q.id.upper()}. {q.title}",
                "status": label(q.status, lang),
                "answer": q.answer,
                "recommendation": q.recommendation,
            }
            for q in report.questions
        ],
        {k: label(k, lang) for k in ("question", "status", "answer", "recommendation")},
    )
    for q in report.questions:
        figures = list(_scalar_figures(q.figures, lang))
        name = sheet_name(f"{q.id.upper()} {label('figures', lang)}", sheets)
        sheets[name] = pd.DataFrame(
            [(text, _cell(key, value, lang)) for key, text, value in figures],
            columns=[label("figure", lang), label("value", lang)],
        )
        # One column of mixed figures: a format per cell.
        formats[name] = {
            label("value", lang): [_number_format(key, [value], lang) for key, _, value in figures]
        }
    for q in report.questions:
        for table, rows in {**q.tables, **q.details}.items():
            if rows:
                keys = {k: column_label(k, lang) for k in rows[0]}
                title = label(table, lang)
                add(f"{q.id.upper()} {title[:1].upper()}{title[1:]}",
                    [{k: _cell(k, row.get(k), lang) for k in keys}
                     for row in rows], keys)
    if thresholds:
        add(
            label("thresholds", lang),
            [{"rule": t.threshold.text, "value": t.actual,
              "status": label("breached" if t.breached else "ok", lang)} for t in thresholds],
            {k: label(k, lang) for k in ("rule", "value", "status")},
        )
    return sheets, formats


def sheet_name(title: str, taken: dict[str, Any] | set[str]) -> str:
    """``title`` as an Excel sheet name: at most 31 characters, cut between words (with
    ``…``), without the characters Excel refuses, and unique among ``taken``."""
    text = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    name = _shorten(text, SHEET_NAME_MAX)
    i = 2
    while name.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({i})"
        name = _shorten(text, SHEET_NAME_MAX - len(suffix)) + suffix
        i += 1
    return name


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;.-(") + "…"


def _number_format(key: str, column: Any, lang: str = "en") -> str | None:
    values = [v for v in column if v is not None and v == v and not isinstance(v, (str, bool))]
    if values and all(isinstance(v, date) for v in values):
        return "yyyy-mm-dd" if lang == "en" else "dd/mm/yyyy"
    if not values or not all(isinstance(v, (int, float)) for v in values):
        return None
    if is_share(key) and any(isinstance(v, float) for v in values):
        return PERCENT
    if all(float(v).is_integer() for v in values):
        return INTEGER
    return MONEY if key == "value_24m" else DECIMAL


def _cell(key: str, value: Any, lang: str) -> Any:
    """A value for the workbook: words in ``lang``, numbers as numbers, dates as dates."""
    if value is None or value == "-":
        return None
    if isinstance(value, bool):
        return label("yes" if value else "no", lang)
    if isinstance(value, (int, float, date)):
        return value
    return fmt_value(key, value, lang)


def _scalar_figures(figures: dict[str, Any], lang: str):
    """(key, label, value) of every single-valued figure; the breakdowns (dicts, lists of
    rows) are sheets of their own already."""
    for key, value in figures.items():
        if isinstance(value, dict) or key == "prioritised_by":
            continue  # (the ask list's sheet is in that order already)
        if isinstance(value, list):
            if value and isinstance(value[0], dict):
                continue
            words = key in ("profile_fields", "common_keys")
            value = ", ".join(label(str(v), lang) if words else str(v) for v in value)
        yield key, label(key, lang), value
