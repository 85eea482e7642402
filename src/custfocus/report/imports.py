"""Render an :class:`ImportResult` for people (Rich) and machines (JSON)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.table import Table

from custfocus.ingest.importer import ImportResult

_DELIMITER_NAMES = {";": "semicolon", ",": "comma", "\t": "tab", "|": "pipe"}


def import_as_dict(result: ImportResult) -> dict[str, Any]:
    return {
        "dry_run": result.dry_run,
        "totals": {
            "tables": len(result.tables),
            "rows_read": result.total("rows_read"),
            "records": result.total("records"),
            "facts": result.total("facts"),
            "rejects": result.total("rejects"),
            "suppressed": result.total("suppressed"),
            "unlinked_facts": result.unlinked_facts,
        },
        "tables": [asdict(t) for t in result.tables],
        "hidden_sheets": result.hidden_sheets,
        "failures": result.failures,
    }


def render_import(result: ImportResult, console: Console, *, show_mapping: bool = False) -> None:
    """Summary table per file/sheet, then the column mapping when asked (or on a dry run)."""
    title = "Import (dry run: nothing saved)" if result.dry_run else "Import"
    table = Table(title=title, title_justify="left")
    table.add_column("Source", no_wrap=True)  # "file.xlsx#Sheet" must stay readable
    for name, justify in [("Status", "left"), ("Rows", "right"),
                          ("Records", "right"), ("Facts", "right"), ("Rejects", "right"),
                          ("Read as", "left")]:
        table.add_column(name, justify=justify, no_wrap=name != "Read as",  # type: ignore[arg-type]
                         min_width=len(name))
    for t in result.tables:
        how = []
        if t.encoding:
            how.append(t.encoding)
        if t.delimiter:
            how.append(_DELIMITER_NAMES.get(t.delimiter, repr(t.delimiter)))
        if t.header_row:
            how.append(f"header row {t.header_row}")
        if t.region:
            how.append(t.region)
        if t.fact_kind:
            how.append(f"{t.fact_kind}s")
        table.add_row(t.source, t.status, f"{t.rows_read:,}", f"{t.records:,}", f"{t.facts:,}",
                      f"{t.rejects:,}", ", ".join(how))
    table.add_section()
    table.add_row("[bold]Total", "", f"{result.total('rows_read'):,}",
                  f"{result.total('records'):,}", f"{result.total('facts'):,}",
                  f"{result.total('rejects'):,}", "")
    console.print(table)
    if show_mapping or result.dry_run:
        for t in result.tables:
            render_mapping(t.source, t.mapping, console)
    for t in result.tables:
        for reason, count in t.reject_reasons.items():
            console.print(f"[yellow]{t.source}[/]: {count:,} row(s) rejected: {reason}")
        for note in t.notes:
            console.print(f"[dim]{t.source}: {note}[/]")
    if result.hidden_sheets:
        console.print("Hidden sheets listed, not imported: " + ", ".join(result.hidden_sheets))
    if result.unlinked_facts:
        console.print(f"[yellow]{result.unlinked_facts:,} fact(s) name a customer code that no "
                      "customer sheet of the same file holds[/]")
    for failure in result.failures:
        console.print(f"[red]failed:[/] {failure}")
    if result.total("rejects"):
        console.print("See the rejected rows with: custfocus rejects")


def render_mapping(source: str, mapping: list[dict[str, object]], console: Console) -> None:
    table = Table(title=f"Columns of {source}", title_justify="left")
    table.add_column("Column")
    table.add_column("Role")
    table.add_column("Confidence", justify="right")
    table.add_column("Why")
    for col in mapping:
        role = col["role"] or "[dim](kept raw)[/]"
        table.add_row(str(col["column"]), str(role), f"{float(col['confidence']):.0%}",  # type: ignore[arg-type]
                      str(col["reason"]))
    console.print(table)
