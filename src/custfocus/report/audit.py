"""Render an :class:`AuditReport`: terminal (Rich), JSON, Markdown and XLSX.

Every word comes from ``audit._texts`` in the report's language; the HTML page lives in
``report.html``. Renderers show the same figures and tables, only the layout differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from custfocus.audit._texts import fmt_value, label
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
        table.add_column(label(col, lang), justify="right" if numeric else "left", overflow="fold")
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
        out += [f"## {label('thresholds', lang)}", "", "| rule | value | |", "|---|---:|---|"]
        out += [
            f"| `{t.threshold.text}` | {fmt_value(t.threshold.metric, t.actual, lang)} | "
            f"{label('breached' if t.breached else 'ok', lang)} |"
            for t in thresholds
        ]
    return "\n".join(out).rstrip() + "\n"


def _md_table(rows: list[dict[str, Any]], lang: str, limit: int = 50) -> list[str]:
    cols = list(rows[0].keys())
    lines = [
        "| " + " | ".join(label(c, lang) for c in cols) + " |",
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
def write_audit_xlsx(
    report: AuditReport, path: Path, thresholds: Sequence[ThresholdResult] = ()
) -> None:
    """One sheet per question (its figures), then one per breakdown and detail list."""
    import pandas as pd

    from custfocus.export import write_xlsx
    from custfocus.export._write import write_atomic

    lang = report.lang
    sheets: dict[str, Any] = {
        label("audit_title", lang)[:31]: pd.DataFrame(
            [
                {
                    "id": q.id,
                    label("status", lang): label(q.status, lang),
                    "title": q.title,
                    label("answer", lang): q.answer,
                    label("recommendation", lang): q.recommendation,
                }
                for q in report.questions
            ]
        )
    }
    for q in report.questions:
        flat = list(_flatten(q.figures))
        sheets[q.id.upper()] = pd.DataFrame(
            [{"figure": k, "label": label(k.split(".")[0], lang), "value": v} for k, v in flat]
        )
    for q in report.questions:
        for name, rows in {**q.tables, **q.details}.items():
            if rows:
                title = f"{q.id.upper()} {label(name, lang)}"[:31]
                frame = pd.DataFrame(rows)
                frame.columns = [label(c, lang) for c in frame.columns]
                sheets[_unique(title, sheets)] = frame
    if thresholds:
        sheets[label("thresholds", lang)[:31]] = pd.DataFrame(
            [
                {"rule": t.threshold.text, "actual": t.actual, "breached": t.breached}
                for t in thresholds
            ]
        )
    write_atomic(Path(path), lambda tmp: write_xlsx(sheets, tmp))


def _flatten(data: Any, prefix: str = ""):
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        for i, v in enumerate(data):
            yield from _flatten(v, f"{prefix}[{i}]")
    elif isinstance(data, list):
        yield prefix, ", ".join(str(x) for x in data)
    else:
        yield prefix, data


def _unique(name: str, taken: dict[str, Any]) -> str:
    candidate, i = name, 2
    while candidate in taken:
        candidate = f"{name[:28]} {i}"
        i += 1
    return candidate
