"""``import``: read files, understand them, and store raw rows, records, facts and rejects.

Why one transaction per run (or per file with ``keep_going``): a bad file must leave the
store exactly as it was, and a re-import of the same content must change nothing.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from custfocus.errors import BadInputError, CustfocusError, MissingColumnError, UsageError
from custfocus.ingest.convert import ChunkConverter
from custfocus.ingest.plan import TablePlan, plan_table
from custfocus.ingest.readers import RawTable, SourceFile, discover_files, open_source
from custfocus.ingest.roles import ROLES, fold_header
from custfocus.ingest.rows import Batch, RowConverter
from custfocus.ingest.sources import imports_summary  # noqa: F401  (its former home)
from custfocus.store import Store

ProgressCallback = Callable[[str, int], None]


@dataclass
class ImportOptions:
    """What the user asked for; defaults import everything with no configuration."""

    source: str | None = None
    unit: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    region: str | None = None
    append: bool = False
    dry_run: bool = False
    keep_going: bool = False
    # Exit 3 (BadInputError, the transaction rolled back) when a file has rejected rows or
    # nothing in it names a customer or an amount (the ``import.strict`` setting).
    strict: bool = False
    chunk_size: int = 50_000
    # Worker processes converting big tables. The library default stays in-process: worker
    # processes re-import the caller's main module, which must then guard its top level
    # with ``if __name__ == "__main__"``. The CLI uses one per core.
    workers: int = 1
    config: dict[str, Any] = field(default_factory=dict)  # parsed custfocus.toml


@dataclass
class TableResult:
    """What happened to one file or sheet."""

    source: str
    file: str
    sheet: str | None
    status: str  # imported | replaced | unchanged | skipped | dry-run
    rows_read: int = 0
    records: int = 0
    facts: int = 0
    rejects: int = 0
    suppressed: int = 0  # rows of forgotten people left out (custfocus.privacy)
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = None
    region: str | None = None
    fact_kind: str | None = None
    mapping: list[dict[str, object]] = field(default_factory=list)
    reject_reasons: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # No value in it named a customer (name, identifier) or an amount: the file was read,
    # yet gives nothing to know a customer by; said in the summary, never silent.
    nothing_found: bool = False


@dataclass
class ImportResult:
    """Everything ``import`` did, for the renderer and for callers."""

    tables: list[TableResult] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    hidden_sheets: list[str] = field(default_factory=list)
    unlinked_facts: int = 0
    dry_run: bool = False

    def total(self, name: str) -> int:
        return sum(getattr(t, name) for t in self.tables)


def parse_mapping(items: Iterable[str]) -> dict[str, str]:
    """Parse ``--map "Header=role"`` options, checking each role exists."""
    mapping: dict[str, str] = {}
    for item in items:
        header, sep, role = item.rpartition("=")
        role = role.strip().lower().replace("-", "_")
        if not sep or not header.strip():
            raise UsageError(f"--map expects HEADER=ROLE, got '{item}'")
        if role not in ROLES:
            raise UsageError(
                f"unknown role '{role}' in --map; known roles: {', '.join(sorted(ROLES))}"
            )
        mapping[header.strip()] = role
    return mapping


def import_paths(
    store: Store,
    paths: Sequence[Path],
    options: ImportOptions | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import every supported file under ``paths`` into ``store``.

    All files in one transaction by default: one bad file and nothing is stored. With
    ``options.keep_going`` each file commits on its own and failures are listed.

    Example:
        >>> result = import_paths(Store(":memory:"), [Path("examples")])  # doctest: +SKIP
    """
    options = options or ImportOptions()
    files = discover_files(paths)
    if not files:
        shown = ", ".join(str(p) for p in paths)
        raise BadInputError(f"no supported files (csv, xlsx, xls, ods, parquet, json) in {shown}")
    if store.in_transaction and options.dry_run:
        raise UsageError("a dry run cannot join a transaction that is already open")
    result = ImportResult(dry_run=options.dry_run)
    with ChunkConverter(options.workers) as chunk_converter:
        importer = _Importer(store, options, result, progress, chunk_converter)
        _import_all(store, importer, files, options, result)
    return result


def _import_all(store: Store, importer: _Importer, files: list[Path], options: ImportOptions,
                result: ImportResult) -> None:
    try:
        # Inside a caller's transaction (custfocus run) a failed file cannot be undone
        # on its own, so keep-going only applies when the import owns its transactions.
        if options.keep_going and not options.dry_run and not store.in_transaction:
            for path in files:
                try:
                    with store.transaction():
                        before = result.total("rows_read")
                        importer.import_file(path)
                        result.unlinked_facts = link_facts(store)
                        store.note_processing(rows_read=result.total("rows_read") - before)
                except CustfocusError as exc:
                    result.failures.append(str(exc))
        else:
            with store.transaction():
                for path in files:
                    importer.import_file(path)
                result.unlinked_facts = link_facts(store)
                store.note_processing(rows_read=result.total("rows_read"))
                if options.dry_run:
                    raise _DryRunDone
    except _DryRunDone:
        pass


class _DryRunDone(Exception):
    """Unwinds the transaction after a dry run has counted everything."""


class _Importer:
    def __init__(self, store: Store, options: ImportOptions, result: ImportResult,
                 progress: ProgressCallback | None, chunk_converter: ChunkConverter):
        self.store, self.options, self.result, self.progress = store, options, result, progress
        self.chunk_converter = chunk_converter

    def import_file(self, path: Path) -> None:
        try:  # the name is the record's provenance, stored as text
            str(path).encode("utf-8")
        except UnicodeEncodeError:
            shown = str(path.name).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise BadInputError("the file name is not valid UTF-8 text: rename the file",
                                file=shown) from None
        source_file = open_source(path)
        for sheet in source_file.hidden_sheets:
            self.result.hidden_sheets.append(f"{path.name}#{sheet}")
            self.store.execute(
                "INSERT INTO hidden_sheets VALUES (?, ?, ?, now())", [path.name, str(path), sheet]
            )
        if not source_file.tables:
            raise BadInputError("file has no data rows", file=path.name)
        planned = [(table, self._plan(table, source_file)) for table in source_file.tables]
        _share_currency(planned)
        usable = [(t, p) for t, p in planned if p.has_identity or p.fact_kind]
        if not usable:
            table = planned[0][0]
            raise MissingColumnError(
                "no column looks like customer data (name, e-mail, phone, id, customer code, "
                "order...); map one with --map 'HEADER=ROLE'",
                file=path.name, sheet=table.sheet,
            )
        usable_ids = {id(plan) for _, plan in usable}
        for table, plan in planned:
            if id(plan) in usable_ids:
                self._import_table(source_file, table, plan)
            else:
                self.result.tables.append(TableResult(
                    source=self._source_name(table), file=path.name, sheet=table.sheet,
                    status="skipped", header_row=table.header_row, mapping=plan.mapping,
                    notes=["no column looks like customer data; sheet not imported"],
                ))

    # -- naming -------------------------------------------------------------------
    def _source_name(self, table: RawTable) -> str:
        base = self.options.source or table.file.name
        return f"{base}#{table.sheet}" if table.sheet else base

    def _system(self, table: RawTable) -> str:
        return self.options.source or table.file.name

    def _settings(self, table: RawTable) -> dict[str, Any]:
        from custfocus.config import source_settings

        return source_settings(self.options.config, table.file.name, table.sheet)

    def _unit(self, table: RawTable) -> str:
        if self.options.unit:
            return self.options.unit
        if unit := self._settings(table).get("unit"):
            return str(unit)
        stem = Path(self.options.source or table.file.name).stem
        return stem.split("__")[0].split("_")[0].lower() or stem

    def _plan(self, table: RawTable, source_file: SourceFile) -> TablePlan:
        original = list(table.headers)
        table.headers = unique_headers(original)
        source = self._source_name(table)
        settings = self._settings(table)
        overrides = self._stored_mapping(source)
        overrides.update(parse_mapping(f"{h}={r}" for h, r in settings.get("map", {}).items()))
        overrides.update(self.options.mapping)
        region = self.options.region or settings.get("region")
        plan = plan_table(table, overrides=overrides, region=region)
        plan.original_headers = original  # type: ignore[attr-defined]
        if original != table.headers:
            plan.notes.append("empty or repeated headers were given names: "
                              + ", ".join(h for h, o in zip(table.headers, original) if h != o))
        return plan

    def _stored_mapping(self, source: str) -> dict[str, str]:
        row = self.store.query_value("SELECT mapping FROM sources WHERE name = ?", [source])
        return json.loads(row) if row else {}

    # -- one table ------------------------------------------------------------------
    def _import_table(self, source_file: SourceFile, table: RawTable, plan: TablePlan,
                      rederive: bool = False) -> None:
        """Import one table as a new import of its source (replacing the active one unless
        appending). The same content read with the same roles changes nothing;
        ``rederive``: the table is the source's stored raw rows, read again
        (:mod:`custfocus.ingest.remap`)."""
        store, opts = self.store, self.options
        source = self._source_name(table)
        res = TableResult(
            source=source, file=table.file.name, sheet=table.sheet, status="imported",
            encoding=table.encoding, delimiter=table.delimiter, header_row=table.header_row,
            region=plan.region, fact_kind=plan.fact_kind, mapping=plan.mapping,
            notes=list(table.notes) + plan.notes,
        )
        self.result.tables.append(res)
        # The same file read with the same roles changes nothing; with a role fixed since
        # (--map, custfocus.toml) its records are derived again.
        same = [json.loads(m or "[]") for (m,) in store.execute(
            "SELECT mapping FROM imports WHERE source = ? AND content_hash = ? "
            "AND status = 'active'", [source, source_file.content_hash]).fetchall()]
        if not rederive and same and all(_roles(m) == _roles(plan.mapping) for m in same):
            res.status = "unchanged"
            return
        previous = [r[0] for r in store.execute(
            "SELECT import_id FROM imports WHERE source = ? AND status = 'active'", [source]
        ).fetchall()]
        reuse: dict[str, list[int]] = {}
        if previous and not opts.append:
            reuse = self._record_ids_by_content(previous)
            self._retire(previous)
            res.status = "replaced"
        if opts.dry_run:
            res.status = "dry-run"
        import_id = int(store.query_value("SELECT nextval('import_seq')"))
        unit, system = self._unit(table), self._system(table)
        self._remember_source(source, unit, system, plan)
        converter = RowConverter(plan)
        reasons: Counter[str] = Counter()
        first_reject: tuple[int, str | None, str] | None = None
        found = False
        first_reject_row: int | None = None
        for batch in self.chunk_converter.converted(
                converter, table.import_chunks(opts.chunk_size), opts.chunk_size,
                table.row_estimate):
            res.rows_read += len(batch.rows)
            batch = self._without_suppressed(batch, system, res)
            found = found or _names_a_customer_or_amount(batch)
            if batch.rejects and first_reject is None:
                first_reject = batch.rejects[0][:3]
            self._write_batch(import_id, source, unit, system, batch, reuse)
            res.records += batch.record_count
            res.facts += batch.fact_count
            res.rejects += len(batch.rejects)
            reasons.update(reason for _, _, reason, _ in batch.rejects)
            if first_reject_row is None and batch.rejects:
                first_reject_row = min(row for row, _, _, _ in batch.rejects)
            if self.progress:
                self.progress(source, len(batch.rows))
        res.reject_reasons = dict(reasons.most_common())
        if res.suppressed:
            res.notes.append(f"{res.suppressed:,} row(s) of people who asked to be forgotten "
                             "left out (suppression list)")
        if res.rows_read == 0 and len(source_file.tables) == 1:
            # A header and nothing else is an empty export, not a source of no customers
            # (it would replace the source's records with none).
            raise BadInputError("file has a header but no data rows", file=table.file.name)
        if (res.rows_read and not res.records and not res.facts and reasons
                and all(" cells but the header has " in r for r in reasons)):
            # Every row wider than the header: a header missing names or a delimiter that
            # changes in the file, not a source of no customers.
            other = (f", or the rows use another delimiter than "
                     f"{_delimiter_name(table.delimiter)}" if table.delimiter else "")
            raise BadInputError(
                f"every row has more cells than the header ({len(table.headers)}): the header "
                f"is missing column names{other}", file=table.file.name, sheet=table.sheet,
                row=first_reject_row)
        res.nothing_found = bool(res.rows_read) and not found
        self._check_strict(res, table, first_reject)
        store.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, now(), ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "'active', ?, ?, ?, ?, ?, ?, ?)",
            [import_id, source, table.file.name, str(source_file.path), table.sheet,
             source_file.kind, source_file.content_hash, table.encoding, table.delimiter,
             table.header_row, getattr(plan, "original_headers", table.headers),
             json.dumps(plan.mapping, ensure_ascii=False), plan.region,
             json.dumps({plan.table.headers[i]: o for i, o in plan.date_orders.items()}),
             json.dumps({plan.table.headers[i]: s for i, s in plan.decimal_separators.items()}),
             "append" if opts.append else "full", unit, system, res.rows_read, res.records,
             res.facts, res.rejects, res.notes],
        )

    def _check_strict(self, res: TableResult, table: RawTable,
                      first_reject: tuple[int, str | None, str] | None) -> None:
        """Under ``strict``, a file with rejected rows or nothing found fails (exit 3): the
        transaction it is in is rolled back, so the store stays as it was."""
        if not self.options.strict:
            return
        if res.nothing_found:
            raise BadInputError(
                "--strict: no name, identifier or amount found in any row; map a column "
                "with --map 'HEADER=ROLE'", file=table.file.name, sheet=table.sheet)
        if first_reject is not None:
            row, column, reason = first_reject
            raise BadInputError(
                f"--strict: {res.rejects:,} row(s) rejected, the first: {reason}",
                file=table.file.name, sheet=table.sheet, row=row, column=column)

    def _record_ids_by_content(self, import_ids: list[int]) -> dict[str, list[int]]:
        """The ids of the records a replaced import held, by their content.

        Why: a new full export repeats most rows unchanged; a row whose matching fields are
        the same keeps its record id, so ``dedupe`` sees only the rows that are new or
        changed (an incremental run) instead of a whole source removed and added again.
        """
        placeholders = ", ".join("?" for _ in import_ids)
        rows = self.store.execute(
            f"SELECT {_CONTENT_KEY_SQL} AS content, list(record_id ORDER BY record_id) "
            f"FROM records WHERE import_id IN ({placeholders}) GROUP BY content",
            import_ids).fetchall()
        return {content: ids[::-1] for content, ids in rows}  # popped from the end

    def _retire(self, import_ids: list[int]) -> None:
        placeholders = ", ".join("?" for _ in import_ids)
        for table in ("records", "facts", "raw_rows", "rejects"):
            self.store.execute(f"DELETE FROM {table} WHERE import_id IN ({placeholders})",
                               import_ids)
        self.store.execute(
            f"UPDATE imports SET status = 'replaced' WHERE import_id IN ({placeholders})",
            import_ids,
        )

    def _remember_source(self, source: str, unit: str, system: str, plan: TablePlan) -> None:
        user_set = {c.header: c.role or "ignore" for c in plan.columns if c.confidence == 1.0}
        self.store.execute(
            "INSERT INTO sources VALUES (?, ?, ?, ?, ?, now(), now()) ON CONFLICT (name) DO "
            "UPDATE SET unit = excluded.unit, system = excluded.system, region = excluded.region,"
            " mapping = excluded.mapping, updated_at = now()",
            [source, unit, system, plan.region, json.dumps(user_set, ensure_ascii=False)],
        )

    def _without_suppressed(self, batch: Batch, system: str, res: TableResult) -> Batch:
        """The batch less the rows of people who asked to be forgotten (their identifiers
        are on the suppression list: :mod:`custfocus.privacy`), counted as suppressed."""
        from custfocus.privacy import suppressed_mask

        if batch.records is None or not batch.record_count:
            return batch
        mask = suppressed_mask(self.store, batch.records, system)
        if not mask or not any(mask):
            return batch
        rows = set(np.asarray(batch.records.column("row"))[np.asarray(mask)].tolist())
        res.suppressed += len(rows)
        keep_rows = [i for i, r in enumerate(batch.rows) if r not in rows]
        raw = batch.raw.take(pa.array(keep_rows, pa.int64())) if isinstance(
            batch.raw, pa.Array) else [batch.raw[i] for i in keep_rows]

        def kept(table: pa.Table | None) -> pa.Table | None:
            if table is None:
                return None
            rows_of = pa.array(sorted(rows), pa.int32())
            return table.filter(pc.invert(pc.is_in(table.column("row").cast(pa.int32()),
                                                   value_set=rows_of)))

        return Batch(rows=[batch.rows[i] for i in keep_rows], raw=raw,
                     records=kept(batch.records), facts=kept(batch.facts),
                     rejects=[r for r in batch.rejects if r[0] not in rows])

    def _write_batch(self, import_id: int, source: str, unit: str, system: str,
                     batch: Batch, reuse: dict[str, list[int]] | None = None) -> None:
        store = self.store
        n = len(batch.rows)
        store.insert_arrow("raw_rows", pa.table({
            "import_id": pa.array([import_id] * n, pa.int32()),
            "row": pa.array(batch.rows, pa.int32()),
            "cells": batch.raw if isinstance(batch.raw, pa.Array) else pa.array(
                batch.raw, pa.list_(pa.string())),
        }))
        record_ids = None
        if batch.records is not None:
            record_ids = np.full(batch.record_count, -1, dtype=np.int64)
            if reuse:
                for i, content in enumerate(_content_keys(batch.records)):
                    kept = reuse.get(content)
                    if kept:
                        record_ids[i] = kept.pop()
            fresh = np.flatnonzero(record_ids < 0)
            if len(fresh):
                first = store.next_ids("record_seq", len(fresh))
                record_ids[fresh] = np.arange(first, first + len(fresh), dtype=np.int64)
            store.insert_arrow("records", _with_common_columns(
                batch.records, "record_id", record_ids, import_id, source, unit, system))
        if batch.facts is not None:
            facts = batch.facts
            first = store.next_ids("fact_seq", batch.fact_count)
            fact_ids = np.arange(first, first + batch.fact_count, dtype=np.int64)
            facts = facts.append_column("record_id", _record_ids_of_facts(
                batch.records, record_ids, facts))
            store.insert_arrow("facts", _with_common_columns(
                facts, "fact_id", fact_ids, import_id, source, unit, system))
        if batch.rejects:
            store.insert_arrow("rejects", pa.table({
                "import_id": pa.array([import_id] * len(batch.rejects), pa.int32()),
                "source": pa.array([source] * len(batch.rejects), pa.string()),
                "row": pa.array([r[0] for r in batch.rejects], pa.int32()),
                "column": pa.array([r[1] for r in batch.rejects], pa.string()),
                "reason": pa.array([r[2] for r in batch.rejects], pa.string()),
                "cells": pa.array([r[3] for r in batch.rejects], pa.list_(pa.string())),
            }))


# Columns whose values name a customer or an amount: a file with none of them found
# anywhere was read, yet tells nothing (see TableResult.nothing_found).
_RECORD_FINDS = ("company", "email", "phone", "phone2", "national_id", "account_code",
                 "total_spent")
_FACT_FINDS = ("amount", "amount_net", "account_code")


def _names_a_customer_or_amount(batch: Batch) -> bool:
    """Whether any record of ``batch`` has a name or identifier, or any fact an amount or a
    customer code. A placeholder name ("-", "n/a", "Test") names no one."""
    records = batch.records
    if records is not None and records.num_rows and pc.any(pc.and_(
            pc.is_valid(records.column("full_name")),
            pc.invert(pc.fill_null(records.column("name_placeholder"), False)))).as_py():
        return True
    for table, names in ((records, _RECORD_FINDS), (batch.facts, _FACT_FINDS)):
        if table is not None and table.num_rows:
            for name in names:
                if name in table.column_names and table.column(name).null_count < table.num_rows:
                    return True
    return False


# What identifies a record's content for matching: its identity hash and the name as split.
_CONTENT_FIELDS = ("record_hash", "given_name", "family_name", "full_name")
_CONTENT_KEY_SQL = " || chr(31) || ".join(f"coalesce(CAST({c} AS VARCHAR), '')"
                                          for c in _CONTENT_FIELDS)


def _share_currency(planned: list[tuple[RawTable, TablePlan]]) -> None:
    """A sheet whose amounts' currency is unknown takes the country another sheet of the
    same workbook shows (an orders sheet beside its customers sheet)."""
    from custfocus.ingest.plan import CURRENCY_BY_REGION, UNKNOWN_CURRENCY

    shown = [p for _, p in planned if p.region_reason != "language of the headers"]
    if not shown:
        return
    for _, plan in planned:
        if plan.default_currency == UNKNOWN_CURRENCY:
            plan.region, plan.region_reason = shown[0].region, "another sheet of the file"
            plan.default_currency = CURRENCY_BY_REGION.get(plan.region, UNKNOWN_CURRENCY)
            plan.notes = [n for n in plan.notes if not n.startswith("currency of ")]


def _roles(mapping: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
    """(header, role) of every column of a stored or planned mapping."""
    return [(c.get("column"), c.get("role")) for c in mapping]


def _content_keys(records: pa.Table) -> list[str]:
    """:data:`_CONTENT_KEY_SQL` of every record of a batch."""
    import pyarrow.compute as pc

    parts = [pc.fill_null(pc.cast(records[c], pa.string()), "") if c in records.column_names
             else pa.repeat(pa.scalar("", pa.string()), records.num_rows)
             for c in _CONTENT_FIELDS]
    return pc.binary_join_element_wise(*parts, "\x1f").to_pylist()


def _with_common_columns(table: pa.Table, id_name: str, ids: np.ndarray, import_id: int,
                        source: str, unit: str, system: str) -> pa.Table:
    """The batch's table with its ids and the columns every row of this import shares."""
    n = table.num_rows
    columns = {
        id_name: pa.array(ids, pa.int64()),
        "import_id": pa.array(np.full(n, import_id, dtype=np.int32)),
        "source": pa.repeat(pa.scalar(source, pa.string()), n),
        "row": table["row"],
        "unit": pa.repeat(pa.scalar(unit, pa.string()), n),
        "system": pa.repeat(pa.scalar(system, pa.string()), n),
    }
    for name in table.column_names:
        if name not in columns and name != "has_record":
            columns[name] = table[name]
    return pa.table(columns)


def _record_ids_of_facts(records: pa.Table | None, record_ids: np.ndarray | None,
                         facts: pa.Table) -> pa.Array:
    """The record on the same row as each fact, when the row also held a customer."""
    if records is None or record_ids is None:
        return pa.nulls(facts.num_rows, pa.int64())
    record_rows = records["row"].to_numpy()
    fact_rows = facts["row"].to_numpy()
    where = np.searchsorted(record_rows, fact_rows)
    where = np.minimum(where, len(record_rows) - 1)
    found = (record_rows[where] == fact_rows) & facts["has_record"].to_numpy(
        zero_copy_only=False)
    return pa.array(record_ids[where], pa.int64(), mask=~found)


def link_facts(store: Store) -> int:
    """Attach facts that name their customer only by a local code to that customer's record.

    The code is meaningful inside one source system (an orders sheet and the customer sheet
    of the same workbook); a file of facts alone may use the codes of another file, when
    exactly one system holds the code. Returns how many facts remain without a customer.
    """
    store.execute(
        "UPDATE facts SET record_id = NULL WHERE record_id IS NOT NULL "
        "AND record_id NOT IN (SELECT record_id FROM records)"
    )
    store.execute(
        """
        UPDATE facts SET record_id = codes.record_id
        FROM (SELECT system, account_code, min(record_id) AS record_id FROM records
              WHERE account_code IS NOT NULL GROUP BY system, account_code) AS codes
        WHERE facts.record_id IS NULL AND facts.account_code IS NOT NULL
          AND facts.system = codes.system AND facts.account_code = codes.account_code
        """
    )
    # A file of facts alone (orders.csv beside customers.csv, exported apart) names its
    # customers by a code of another file: linked where exactly one system holds that code.
    store.execute(
        """
        UPDATE facts SET record_id = codes.record_id
        FROM (SELECT account_code, min(record_id) AS record_id FROM records
              WHERE account_code IS NOT NULL GROUP BY account_code
              HAVING count(DISTINCT system) = 1) AS codes
        WHERE facts.record_id IS NULL AND facts.account_code = codes.account_code
          AND facts.system NOT IN (SELECT DISTINCT system FROM records)
        """
    )
    _currency_of_customers(store)
    return int(store.query_value("SELECT count(*) FROM facts WHERE record_id IS NULL"))


def _currency_of_customers(store: Store) -> None:
    """Facts of an unknown currency (``XXX``: no symbol, currency column or country in their
    file) take the currency of their customer record's country, or of its source's."""
    from custfocus.ingest.plan import CURRENCY_BY_REGION, UNKNOWN_CURRENCY

    cases = " ".join(f"WHEN '{region}' THEN '{currency}'"
                     for region, currency in CURRENCY_BY_REGION.items())
    store.execute(f"""
        UPDATE facts SET currency = known.currency
        FROM (SELECT r.record_id, CASE upper(coalesce(r.country, s.region)) {cases} END
                     AS currency
              FROM records r LEFT JOIN sources s ON s.name = r.source) AS known
        WHERE facts.currency = '{UNKNOWN_CURRENCY}' AND facts.record_id = known.record_id
          AND known.currency IS NOT NULL""")


def unique_headers(headers: Sequence[str]) -> list[str]:
    """Give empty headers a name and repeated headers a suffix, so every column is addressable."""
    from openpyxl.utils import get_column_letter

    seen: Counter[str] = Counter()
    names: list[str] = []
    for i, header in enumerate(headers):
        name = header.strip() or f"Column {get_column_letter(i + 1)}"
        key = fold_header(name)
        seen[key] += 1
        names.append(name if seen[key] == 1 else f"{name} ({seen[key]})")
    return names


def _delimiter_name(delimiter: str) -> str:
    names = {";": "';'", ",": "','", "\t": "tab", "|": "'|'"}
    return names.get(delimiter, repr(delimiter))
