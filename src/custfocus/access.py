"""The right of access and portability (GDPR arts. 15 and 20, LGPD art. 18): everything the
store holds about one person, in a file they can read and take elsewhere.

:func:`subject_access` gathers, for one customer, the golden record, every source record
with its provenance (source, row, business unit), the raw rows those records and their
facts came from (headers and cells as the file had them), the facts (orders, invoices,
tickets), the segment rows of every segmentation run, the per-run snapshot rows and the
events of matching (merges, splits). :func:`write_subject_access` writes it as JSON or as a
workbook (one sheet per part), through the project's atomic, owner-only, formula-safe
writer.

Example:
    >>> data = subject_access(store, "C000123")  # doctest: +SKIP
    >>> write_subject_access(data, Path("maria.json"))  # doctest: +SKIP
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from custfocus.errors import UsageError
from custfocus.store import Store

__all__ = ["ACCESS_FORMATS", "SECTIONS", "subject_access", "write_subject_access"]

ACCESS_FORMATS = ("json", "xlsx")

# Part of the answer -> the query that lists its rows for one customer (``?``: the id).
_THEIRS = "(SELECT record_id FROM record_customer WHERE customer_id = ?)"
SECTIONS: dict[str, str] = {
    "golden_record": "SELECT * FROM customers WHERE customer_id = ?",
    "records": f"SELECT * EXCLUDE (name_key) FROM records WHERE record_id IN {_THEIRS} "
               "ORDER BY source, row",
    "raw_rows": f"""
        SELECT i.source, rr.row, i.file, i.sheet, i.imported_at, i.headers, rr.cells
        FROM raw_rows rr JOIN imports i USING (import_id)
        WHERE (rr.import_id, rr.row) IN (
            SELECT import_id, row FROM records WHERE record_id IN {_THEIRS}
            UNION SELECT import_id, row FROM facts WHERE record_id IN {_THEIRS})
        ORDER BY i.source, rr.row""",
    "facts": f"SELECT * FROM facts WHERE record_id IN {_THEIRS} ORDER BY fact_date, fact_id",
    "segments": "SELECT * FROM customer_segments WHERE customer_id = ? ORDER BY run_id",
    "segment_history": "SELECT * FROM snapshot_segments WHERE customer_id = ? ORDER BY run_id",
    "events": "SELECT * FROM customer_events WHERE customer_id = ? OR "
              "list_contains(other_ids, ?) ORDER BY event_time",
}


def subject_access(store: Store, customer_id: str) -> dict[str, Any]:
    """Everything the store holds about ``customer_id``: ``{"customer_id", "generated_at",
    "sections": {name: [row, ...]}}``, rows as plain JSON-ready dicts."""
    if not store.query_value("SELECT count(*) FROM customers WHERE customer_id = ?",
                             [customer_id]):
        raise UsageError(f"no customer {customer_id}; find one with custfocus customer QUERY")
    sections: dict[str, list[dict[str, Any]]] = {}
    for name, sql in SECTIONS.items():
        params = [customer_id] * sql.count("?")
        rows = store.query_dicts(sql, params)
        if name == "raw_rows":  # each cell under its header, as the file had it
            rows = [{**{k: v for k, v in r.items() if k not in ("headers", "cells")},
                     "cells": dict(zip(_headers(r["headers"], r["cells"]), r["cells"]))}
                    for r in rows]
        sections[name] = [{k: _plain(v) for k, v in r.items()} for r in rows]
    return {"customer_id": customer_id,
            "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "sections": sections}


def _headers(headers: list[str] | None, cells: list[Any] | None) -> list[str]:
    """Headers for every cell (a cell past the header row gets its column number)."""
    names = list(headers or [])
    return names + [f"column_{i + 1}" for i in range(len(names), len(cells or []))]


def _plain(value: Any) -> Any:
    """A value JSON holds: dates as ISO text, JSON text parsed, NaN as null."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def write_subject_access(data: dict[str, Any], path: Path) -> int:
    """Write ``data`` as JSON or XLSX (by the file's suffix), atomically and owner-only;
    returns the rows written. XLSX: one sheet per part, nested values as JSON text, every
    cell formula-safe."""
    from custfocus.export._write import write_atomic

    fmt = path.suffix.lower().lstrip(".") or "json"
    if fmt not in ACCESS_FORMATS:
        raise UsageError(f"unknown format '{fmt}' for {path.name}; use a .json or .xlsx file")
    rows = sum(len(v) for v in data["sections"].values())
    if fmt == "json":
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
        write_atomic(path, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))
        return rows
    import pandas as pd

    from custfocus.export import neutralise_formulas, write_xlsx

    sheets = {"about": neutralise_formulas(pd.DataFrame(
        [{"customer_id": data["customer_id"], "generated_at": data["generated_at"]}]))}
    for name, items in data["sections"].items():
        flat = [{k: json.dumps(v, ensure_ascii=False, default=str)
                 if isinstance(v, (dict, list)) else v for k, v in r.items()} for r in items]
        frame = pd.DataFrame(flat) if flat else pd.DataFrame({"(none)": []})
        sheets[name] = neutralise_formulas(frame)
    write_atomic(path, lambda tmp: write_xlsx(sheets, tmp))
    return rows
