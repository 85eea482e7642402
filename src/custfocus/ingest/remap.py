"""Fixing a column's role after the import: ``custfocus mapping``.

A wrong guess is fixed where it was made. The role set here is remembered for the source
(``sources.mapping``, as ``import --map`` remembers it), and the source's records and facts
are derived again from the raw rows the store kept, so the file is not needed again: the
same conversion as an import, into a new import of the source that replaces the active one
(records whose content did not change keep their ids). Everything in one transaction.

Example:
    >>> remap_source(store, "crm.csv", {"Razón social": "full_name"})  # doctest: +SKIP
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from custfocus.errors import UsageError
from custfocus.ingest.importer import (
    ImportOptions,
    ImportResult,
    _Importer,
    link_facts,
)
from custfocus.ingest.readers.table import RawTable, SourceFile
from custfocus.ingest.roles import ROLES, fold_header
from custfocus.store import Store

__all__ = ["SourceMapping", "remap_source", "source_mappings"]


@dataclass
class SourceMapping:
    """Every column of a source's active import: its role, confidence and why."""

    source: str
    columns: list[dict[str, Any]] = field(default_factory=list)
    overrides: dict[str, str] = field(default_factory=dict)  # roles set by the user


def source_mappings(store: Store, source: str | None = None) -> list[SourceMapping]:
    """The mapping of every source (or of ``source``) as its last import read it."""
    names = _source_names(store)
    if source is not None:
        _check_source(source, names)
        names = [source]
    out = []
    for name in names:
        row = store.execute(
            "SELECT mapping FROM imports WHERE source = ? AND status = 'active' "
            "ORDER BY import_id DESC LIMIT 1", [name]).fetchone()
        stored = store.query_value("SELECT mapping FROM sources WHERE name = ?", [name])
        out.append(SourceMapping(name, json.loads(row[0]) if row and row[0] else [],
                                 json.loads(stored) if stored else {}))
    return out


def remap_source(store: Store, source: str, set_roles: dict[str, str] | None = None,
                 clear: list[str] | None = None, options: ImportOptions | None = None
                 ) -> ImportResult:
    """Set (``set_roles``: header -> role, or "ignore") or clear (back to the guess) the
    role of columns of ``source``, remember it, and derive the source's records again from
    its stored raw rows.

    Raises:
        UsageError: an unknown source, column or role (the message lists the valid ones).
    """
    set_roles, clear = dict(set_roles or {}), list(clear or [])
    _check_source(source, _source_names(store))
    imports = store.execute(
        "SELECT import_id, file, path, sheet, kind, content_hash, encoding, delimiter, "
        "header_row, headers, mode FROM imports WHERE source = ? AND status = 'active' "
        "ORDER BY import_id", [source]).fetchall()
    if not imports:
        raise UsageError(f"source '{source}' has no active import to derive records from")
    headers = {fold_header(h): h for imp in imports for h in imp[9]}
    for header in [*set_roles, *clear]:
        if fold_header(header) not in headers:
            raise UsageError(f"source '{source}' has no column '{header}'; its columns: "
                             + ", ".join(sorted(set(headers.values()))))
    for role in set_roles.values():
        if role not in ROLES:
            raise UsageError(f"unknown role '{role}'; roles: " + ", ".join(sorted(ROLES)))
    unit, system = store.execute("SELECT unit, system FROM sources WHERE name = ?",
                                 [source]).fetchone()
    with store.transaction():
        stored = json.loads(store.query_value(
            "SELECT mapping FROM sources WHERE name = ?", [source]) or "{}")
        for header in clear:
            stored = {h: r for h, r in stored.items() if fold_header(h) != fold_header(header)}
        stored.update({headers[fold_header(h)]: r for h, r in set_roles.items()})
        store.execute("UPDATE sources SET mapping = ?, updated_at = now() WHERE name = ?",
                      [json.dumps(stored, ensure_ascii=False), source])
        # Every active import's rows first: the first re-derived import retires them all.
        tables = [(imp, _stored_rows(store, imp[0])) for imp in imports]
        result = ImportResult()
        from custfocus.ingest.convert import ChunkConverter

        with ChunkConverter(1) as converter:
            for i, (imp, rows) in enumerate(tables):
                base = options or ImportOptions()
                opts = ImportOptions(
                    source=system if system != imp[1] else None, unit=unit,
                    region=base.region, append=i > 0 or imp[10] == "append",
                    config=base.config, chunk_size=base.chunk_size)
                importer = _Importer(store, opts, result, None, converter)
                table = _table(imp, rows)
                source_file = SourceFile(Path(imp[2] or imp[1]), imp[4], imp[5], 0, [table])
                plan = importer._plan(table, source_file)
                importer._import_table(source_file, table, plan, rederive=True)
        result.unlinked_facts = link_facts(store)
        store.note_processing(rows_read=result.total("rows_read"))
    return result


def _stored_rows(store: Store, import_id: int) -> list[tuple[int, list[str]]]:
    return [(int(r), list(c or [])) for r, c in store.execute(
        "SELECT row, cells FROM raw_rows WHERE import_id = ? ORDER BY row",
        [import_id]).fetchall()]


def _table(imp: tuple[Any, ...], rows: list[tuple[int, list[str]]]) -> RawTable:
    _, file, path, sheet, _, _, encoding, delimiter, header_row, headers, _ = imp
    name = Path(path or file)
    return RawTable(file=name, sheet=sheet, label=f"{file}#{sheet}" if sheet else file,
                    headers=list(headers), header_row=int(header_row or 1),
                    encoding=encoding, delimiter=delimiter, row_estimate=len(rows),
                    _row_factory=lambda: iter(rows))


def _source_names(store: Store) -> list[str]:
    return [r[0] for r in store.execute("SELECT name FROM sources ORDER BY name").fetchall()]


def _check_source(source: str, names: list[str]) -> None:
    if source not in names:
        raise UsageError(f"no source '{source}'; sources: "
                         + (", ".join(names) if names else "none (import a file first)"))

