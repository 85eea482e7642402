"""The workspace store: one embedded DuckDB file that every command reads and writes.

Why one class: schema, migrations, privacy of the file and transactions live in one
place, so a failed command can always leave the store exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from custfocus.errors import LockedError, StoreError

if TYPE_CHECKING:
    import duckdb

DEFAULT_DB = "custfocus.duckdb"
# A writer that finds the store locked waits this long before giving up: another process's
# short write (a review decision from ``custfocus serve``, the processing log) must not make
# the nightly run fail. Readers are refused at once, as before.
LOCK_WAIT_SECONDS = 15.0
# DuckDB's file starts with a main header and two database headers of 4 KiB each, then
# holds its blocks (PRAGMA database_size counts them).
_HEADER_BYTES = 3 * 4096

# Each entry migrates from version i to i+1. Never edit a released entry: append one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
    CREATE SEQUENCE import_seq START 1;
    CREATE SEQUENCE record_seq START 1;
    CREATE SEQUENCE fact_seq START 1;
    CREATE TABLE sources (
        name VARCHAR PRIMARY KEY, unit VARCHAR, system VARCHAR, region VARCHAR,
        mapping JSON, created_at TIMESTAMP, updated_at TIMESTAMP
    );
    CREATE TABLE imports (
        import_id INTEGER PRIMARY KEY, source VARCHAR NOT NULL, file VARCHAR, path VARCHAR,
        sheet VARCHAR, kind VARCHAR, content_hash VARCHAR, imported_at TIMESTAMP,
        encoding VARCHAR, delimiter VARCHAR, header_row INTEGER, headers VARCHAR[],
        mapping JSON, region VARCHAR, date_order VARCHAR, decimal_separator VARCHAR,
        mode VARCHAR, status VARCHAR, unit VARCHAR, system VARCHAR,
        rows_read INTEGER, records INTEGER, facts INTEGER, rejects INTEGER, notes VARCHAR[]
    );
    CREATE TABLE hidden_sheets (import_file VARCHAR, path VARCHAR, sheet VARCHAR, seen_at TIMESTAMP);
    CREATE TABLE raw_rows (import_id INTEGER NOT NULL, row INTEGER NOT NULL, cells VARCHAR[]);
    CREATE TABLE records (
        record_id BIGINT PRIMARY KEY, import_id INTEGER NOT NULL, source VARCHAR NOT NULL,
        row INTEGER NOT NULL, unit VARCHAR, system VARCHAR, record_hash VARCHAR,
        account_code VARCHAR,
        given_name VARCHAR, family_name VARCHAR, full_name VARCHAR, name_key VARCHAR,
        name_placeholder BOOLEAN, company VARCHAR,
        email VARCHAR, email_key VARCHAR, email_valid BOOLEAN, email_role BOOLEAN,
        email_placeholder BOOLEAN,
        phone VARCHAR, phone_e164 VARCHAR, phone_valid BOOLEAN,
        phone2 VARCHAR, phone2_e164 VARCHAR, phone2_valid BOOLEAN,
        national_id VARCHAR, national_id_kind VARCHAR, national_id_valid BOOLEAN,
        street VARCHAR, house_number VARCHAR, address_key VARCHAR, postal_code VARCHAR,
        city VARCHAR, region VARCHAR, country VARCHAR,
        birth_date DATE, gender VARCHAR, created_date DATE, updated_date DATE,
        last_contact_date DATE, opt_in BOOLEAN, invalid_fields VARCHAR[]
    );
    CREATE TABLE facts (
        fact_id BIGINT PRIMARY KEY, import_id INTEGER NOT NULL, source VARCHAR NOT NULL,
        row INTEGER NOT NULL, unit VARCHAR, system VARCHAR, record_id BIGINT,
        account_code VARCHAR, kind VARCHAR, document_id VARCHAR, fact_date DATE,
        amount DOUBLE, amount_net DOUBLE, currency VARCHAR, quantity DOUBLE,
        product_line VARCHAR, business_unit VARCHAR, category VARCHAR, status VARCHAR,
        satisfaction DOUBLE, channel VARCHAR
    );
    CREATE TABLE rejects (
        import_id INTEGER NOT NULL, source VARCHAR, row INTEGER, "column" VARCHAR,
        reason VARCHAR, cells VARCHAR[]
    );
    """,
    # v2: matching results. customer ids are stable labels; links keep the evidence.
    """
    CREATE SEQUENCE customer_seq START 1;
    CREATE SEQUENCE dedupe_run_seq START 1;
    CREATE TABLE dedupe_runs (
        run_id INTEGER PRIMARY KEY, started_at TIMESTAMP, finished_at TIMESTAMP,
        mode VARCHAR, records INTEGER, customers INTEGER, candidate_pairs BIGINT,
        merged_pairs BIGINT, review_pairs BIGINT, stats JSON
    );
    CREATE TABLE record_customer (
        record_id BIGINT PRIMARY KEY, customer_id VARCHAR NOT NULL, record_hash VARCHAR,
        run_id INTEGER
    );
    CREATE TABLE customers (
        customer_id VARCHAR PRIMARY KEY, records INTEGER, sources INTEGER, units INTEGER,
        given_name VARCHAR, family_name VARCHAR, full_name VARCHAR, company VARCHAR,
        email VARCHAR, phone VARCHAR, phone2 VARCHAR, national_id VARCHAR,
        national_id_kind VARCHAR, street VARCHAR, house_number VARCHAR, postal_code VARCHAR,
        city VARCHAR, region VARCHAR, country VARCHAR, birth_date DATE, account_code VARCHAR,
        opt_in BOOLEAN, first_seen DATE, last_seen DATE,
        provenance JSON, alternates JSON, updated_run INTEGER
    );
    CREATE TABLE match_links (
        run_id INTEGER, record_a BIGINT, record_b BIGINT, probability DOUBLE,
        match_weight DOUBLE, levels TINYINT[], bits FLOAT[], name_similarity FLOAT,
        decision VARCHAR
    );
    CREATE TABLE customer_events (
        event_time TIMESTAMP, run_id INTEGER, kind VARCHAR, customer_id VARCHAR,
        other_ids VARCHAR[], records INTEGER, reason VARCHAR
    );
    CREATE TABLE match_pairs (
        key_a VARCHAR, key_b VARCHAR, levels TINYINT[], name_similarity FLOAT
    );
    CREATE TABLE match_nodes (node_key VARCHAR PRIMARY KEY);
    CREATE TABLE match_constraints (
        source_a VARCHAR, row_a INTEGER, source_b VARCHAR, row_b INTEGER, decision VARCHAR,
        origin VARCHAR, created_at TIMESTAMP
    );
    """,
    # v3: segmentation runs and the segment of every customer per run (history).
    """
    CREATE SEQUENCE segment_run_seq START 1;
    CREATE TABLE segment_runs (
        run_id INTEGER PRIMARY KEY, computed_at TIMESTAMP, as_of DATE, mode VARCHAR,
        customers BIGINT, main_currency VARCHAR, summary JSON
    );
    CREATE TABLE customer_segments (
        run_id INTEGER NOT NULL, computed_at TIMESTAMP, as_of DATE, customer_id VARCHAR NOT NULL,
        currency VARCHAR, revenue DOUBLE, orders BIGINT, first_purchase DATE,
        last_purchase DATE, recency_days INTEGER, frequency INTEGER, monetary DOUBLE,
        product_lines VARCHAR, business_units VARCHAR, r_score TINYINT, f_score TINYINT,
        m_score TINYINT, rfm_code VARCHAR, rfm_segment VARCHAR, p_alive DOUBLE,
        expected_purchases DOUBLE, clv DOUBLE, value_score DOUBLE, value_tier VARCHAR,
        need_score DOUBLE, need_tier VARCHAR, need_signals VARCHAR, segment VARCHAR,
        action VARCHAR, cross_sell VARCHAR
    );
    """,
    # v4: `custfocus run` snapshots: the KPIs of every pipeline run and each customer's segment,
    # so trends and segment migrations can be shown against a baseline (meta 'baseline_run').
    """
    CREATE SEQUENCE pipeline_run_seq START 1;
    CREATE TABLE pipeline_runs (
        run_id INTEGER PRIMARY KEY, started_at TIMESTAMP, finished_at TIMESTAMP, as_of DATE,
        imported VARCHAR[], unchanged VARCHAR[], dedupe_run INTEGER, segment_run INTEGER,
        settings_hash VARCHAR, kpis JSON, segment_sizes JSON, summary JSON
    );
    CREATE TABLE snapshot_segments (
        run_id INTEGER NOT NULL, customer_id VARCHAR NOT NULL, segment VARCHAR
    );
    """,
    # v5: what an incremental dedupe reuses: every node (distinct identity) by index with its
    # derived match columns, size and cluster (its smallest node index), every candidate
    # pair by node index with its comparison levels packed in one number, the blocks over
    # their cap, and the strong pairs with their probability and clustering decision.
    """
    DROP TABLE match_pairs;
    CREATE TABLE match_pairs (
        node_a INTEGER, node_b INTEGER, pattern BIGINT, name_similarity FLOAT
    );
    DROP TABLE match_nodes;
    CREATE TABLE match_nodes (
        node INTEGER, node_key VARCHAR, size INTEGER, cluster INTEGER,
        given_fold VARCHAR, given_canon VARCHAR, given_first VARCHAR, family_fold VARCHAR,
        family1 VARCHAR, family1_sound VARCHAR, name_fold VARCHAR, company_fold VARCHAR,
        email_local VARCHAR, phone_tail VARCHAR
    );
    CREATE TABLE match_blocks (rule VARCHAR, key VARCHAR);
    CREATE TABLE match_strong (
        node_a INTEGER, node_b INTEGER, probability DOUBLE, decision VARCHAR
    );
    """,
    # v6: records and facts without a primary-key index. Their ids come from sequences, so
    # they are unique by construction, and keeping the index cost the import of a million
    # rows more time than storing the rows themselves.
    """
    CREATE TABLE records_v6 AS SELECT * FROM records;
    DROP TABLE records;
    ALTER TABLE records_v6 RENAME TO records;
    ALTER TABLE records ALTER COLUMN record_id SET NOT NULL;
    ALTER TABLE records ALTER COLUMN import_id SET NOT NULL;
    ALTER TABLE records ALTER COLUMN source SET NOT NULL;
    ALTER TABLE records ALTER COLUMN row SET NOT NULL;
    CREATE TABLE facts_v6 AS SELECT * FROM facts;
    DROP TABLE facts;
    ALTER TABLE facts_v6 RENAME TO facts;
    ALTER TABLE facts ALTER COLUMN fact_id SET NOT NULL;
    ALTER TABLE facts ALTER COLUMN import_id SET NOT NULL;
    ALTER TABLE facts ALTER COLUMN source SET NOT NULL;
    ALTER TABLE facts ALTER COLUMN row SET NOT NULL;
    """,
    # v7: customers and record_customer without a primary-key index. Every dedupe rewrites
    # them (in full, or the changed customers) and writes each id once; at a million
    # customers committing the rewrite of the indexed tables took 28 s more than the rows.
    """
    CREATE TABLE customers_v7 AS SELECT * FROM customers;
    DROP TABLE customers;
    ALTER TABLE customers_v7 RENAME TO customers;
    ALTER TABLE customers ALTER COLUMN customer_id SET NOT NULL;
    CREATE TABLE record_customer_v7 AS SELECT * FROM record_customer;
    DROP TABLE record_customer;
    ALTER TABLE record_customer_v7 RENAME TO record_customer;
    ALTER TABLE record_customer ALTER COLUMN record_id SET NOT NULL;
    ALTER TABLE record_customer ALTER COLUMN customer_id SET NOT NULL;
    """,
    # v8: what an incremental dedupe needs to leave the earlier pairs alone: the value counts
    # kept with the trained model; per pair the model's probability (after the contacts-only
    # cap), whether it agrees on more than a name, whether both sides carry one name, and
    # whether the name-only cap held it back; per node its first record and the group of
    # nodes linked to it by more than a name; and every node's blocking keys (hashed), to
    # find the old nodes that share a block with new ones.
    """
    CREATE TABLE match_tf (comparison VARCHAR, value VARCHAR, count INTEGER);
    CREATE TABLE match_keys (rule TINYINT, key_hash UBIGINT, node INTEGER);
    ALTER TABLE match_pairs ADD COLUMN probability DOUBLE;
    ALTER TABLE match_pairs ADD COLUMN corroborated BOOLEAN;
    ALTER TABLE match_pairs ADD COLUMN same_name BOOLEAN;
    ALTER TABLE match_pairs ADD COLUMN capped BOOLEAN;
    ALTER TABLE match_nodes ADD COLUMN rep BIGINT;
    ALTER TABLE match_nodes ADD COLUMN identity INTEGER;
    """,
    # v9: the name-only and contacts-only rules are gone (the model weighs a common name or
    # a shared contact point as what it is), and with them the flags kept for them.
    """
    ALTER TABLE match_pairs DROP COLUMN corroborated;
    ALTER TABLE match_pairs DROP COLUMN same_name;
    ALTER TABLE match_pairs DROP COLUMN capped;
    ALTER TABLE match_nodes DROP COLUMN identity;
    """,
    # v10: the suppression list of forgotten people: keyed hashes of their identifiers,
    # never the identifiers (custfocus.privacy).
    """
    CREATE TABLE suppressed (key_hash VARCHAR PRIMARY KEY, created_at TIMESTAMP);
    """,
    # v11: the processing log (GDPR art. 30, LGPD art. 37): one row per command that read or
    # wrote personal data, with the names of the options given, never their values, and
    # counts; no personal value (custfocus.processing_log).
    """
    CREATE SEQUENCE processing_seq START 1;
    CREATE TABLE processing_log (
        entry_id BIGINT PRIMARY KEY, logged_at TIMESTAMP, command VARCHAR, options VARCHAR[],
        rows_read BIGINT, rows_exported BIGINT, rows_erased BIGINT
    );
    """,
    # v12: customer-level totals ("Total Spent", "Total Orders", "Importe anual") are
    # attributes of the record, with the amount's currency, never undated orders.
    """
    ALTER TABLE records ADD COLUMN total_spent DOUBLE;
    ALTER TABLE records ADD COLUMN total_currency VARCHAR;
    ALTER TABLE records ADD COLUMN order_count BIGINT;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


class Store:
    """Owns the DuckDB connection, the schema and transactions.

    Example:
        >>> store = Store(":memory:")
        >>> store.query_value("SELECT count(*) FROM records")
        0
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_DB, *, read_only: bool = False,
                 publish: bool = True, lock_wait: float = LOCK_WAIT_SECONDS,
                 must_exist: bool = False):
        """Open (or, unless ``read_only`` or ``must_exist``, create) the store at ``path``.

        ``publish``: on a clean close after a change, refresh the served copy that
        ``custfocus serve`` reads, if there is one (:mod:`custfocus.served`); ``lock_wait``:
        seconds a writer waits for another process to release the file; ``must_exist``: a
        command that writes but has nothing to do on an empty store (dedupe, segment, forget,
        review import) fails without leaving a new file behind."""
        import time

        import duckdb

        self.path = str(path)
        self.in_memory = self.path == ":memory:"
        if not self.in_memory:
            parent = Path(self.path).parent
            if not parent.exists():
                raise StoreError(f"folder for the store does not exist: {parent}")
            if (read_only or must_exist) and not Path(self.path).exists():
                raise StoreError(
                    f"no store at {self.path}; run 'custfocus import FILES' first "
                    "or point --db / CUSTFOCUS_DB at the workspace store"
                )
        self._creating = not self.in_memory and not Path(self.path).exists()
        self.read_only = read_only
        self._publish = publish and not read_only and not self.in_memory
        self._committed = False
        old_umask = os.umask(0o077)  # the store holds personal data: owner-only from birth
        give_up = time.monotonic() + (0 if read_only or self.in_memory else lock_wait)
        try:
            while True:
                try:
                    self.con = duckdb.connect(self.path, read_only=read_only)
                    break
                except duckdb.IOException as exc:
                    if "lock" not in str(exc).lower() or time.monotonic() >= give_up:
                        raise
                    time.sleep(0.1)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise LockedError(
                    f"the store {self.path} is in use by another custfocus process; "
                    "try again when it finishes"
                ) from None
            raise StoreError(f"cannot open the store {self.path}: {_first_line(exc)}") from None
        except duckdb.Error as exc:
            raise StoreError(
                f"{self.path} is not a custfocus store or is damaged: {_first_line(exc)}"
            ) from None
        finally:
            os.umask(old_umask)
        if not self.in_memory:
            with contextlib.suppress(OSError):
                os.chmod(self.path, 0o600)
            if not self._creating:
                self._check_complete()
        self._in_transaction = False
        # The processing-log entry of the command using this store (custfocus.processing_log):
        # written inside every transaction it commits, never apart from its writes.
        self.processing: Any = None
        if not read_only:
            self._migrate()
        else:
            self._check_version()

    @classmethod
    @contextlib.contextmanager
    def scratch_copy(cls, path: str | os.PathLike[str]) -> Iterator[Store]:
        """A throwaway store to write to without touching the one at ``path`` (dry runs).

        An empty in-memory store when ``path`` does not exist, so a dry run creates no file;
        otherwise a copy in a private temporary folder (owner-only, removed on exit), so the
        real file is never opened for writing and stays byte-identical, sequences included.
        The real store is opened read-only first: a damaged, newer or locked store is
        reported under its own name, as any other command would.

        Example:
            >>> with Store.scratch_copy("missing.duckdb") as store:  # doctest: +SKIP
            ...     import_paths(store, [Path("examples")], ImportOptions(dry_run=True))
        """
        import shutil
        import tempfile

        if not Path(path).exists():
            with cls(":memory:") as store:
                yield store
            return
        cls(path, read_only=True).close()
        with tempfile.TemporaryDirectory(prefix="custfocus-dry-run-") as folder:
            copy = Path(folder) / Path(path).name
            shutil.copyfile(path, copy)
            wal = Path(f"{os.fspath(path)}.wal")  # changes not yet checkpointed into the file
            if wal.exists():
                shutil.copyfile(wal, Path(f"{copy}.wal"))
            with cls(copy) as store:
                yield store

    def _check_complete(self) -> None:
        """Refuse a store file shorter than the blocks in use need (cut by a copy).

        Why: DuckDB opens a truncated file without complaint and fails only when a query
        reaches a missing block, so ``sources`` reported it as fine and ``export`` and
        ``audit`` failed as internal errors. Blocks in use, not all blocks: a checkpoint
        cuts free blocks off the end of the file while the header still counts them, so
        counting every block called a healthy store damaged (two ``segment`` runs in a row
        on the examples did it).
        """
        import duckdb

        try:
            _, _, block_size, _, used_blocks, *_ = self.con.execute(
                "PRAGMA database_size").fetchone() or (None, None, 0, 0, 0)
            size = os.path.getsize(self.path)
        except (duckdb.Error, OSError) as exc:
            self.con.close()
            raise StoreError(f"cannot read the store {self.path}: {_first_line(exc)}") from None
        # Used blocks, not total: a checkpoint cuts free blocks off the end of the file but
        # keeps counting them in total_blocks (24 counted, 22 in the file after a small
        # write that followed a dedupe), so a sound store was called damaged.
        expected = _HEADER_BYTES + int(used_blocks) * int(block_size)
        if size < expected:
            self.con.close()
            raise StoreError(
                f"the store {self.path} is damaged: the file is cut short ({size:,} of "
                f"{expected:,} bytes); restore it from a backup or import again into a new store"
            )

    # -- schema -----------------------------------------------------------------
    def schema_version(self) -> int:
        exists = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
        ).fetchall()
        if not exists or not exists[0][0]:
            return 0
        row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        return int(row[0][0]) if row else 0

    def _check_version(self) -> int:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the store {self.path} was written by a newer custfocus "
                f"(schema {version} > {SCHEMA_VERSION}); upgrade custfocus"
            )
        return version

    def _migrate(self) -> None:
        version = self._check_version()
        if version == SCHEMA_VERSION:
            return
        with self.transaction():
            for script in MIGRATIONS[version:]:
                self.con.execute(script)
            self.con.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
            )

    # -- transactions -------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All writes of one command in one transaction: commit all or nothing.

        Nested calls join the outer transaction.
        """
        if self._in_transaction:
            yield self.con
            return
        self.con.execute("BEGIN TRANSACTION")
        self._in_transaction = True
        try:
            yield self.con
            if self.processing is not None:
                from custfocus.processing_log import write_with_commit

                write_with_commit(self, self.processing)
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            try:
                self.con.execute("COMMIT")
            except Exception as exc:
                raise StoreError(f"could not save to {self.path}: {_first_line(exc)}") from None
            self._committed = True
        finally:
            self._in_transaction = False

    def note_processing(self, *, rows_read: int = 0, rows_exported: int = 0,
                        rows_erased: int = 0) -> None:
        """Count rows for the command's processing-log entry, if it has one; call inside
        the transaction that writes what was counted."""
        if self.processing is not None:
            self.processing.count(rows_read=rows_read, rows_exported=rows_exported,
                                  rows_erased=rows_erased)

    @property
    def in_transaction(self) -> bool:
        return self._in_transaction

    # -- small helpers ---------------------------------------------------------------
    def execute(self, sql: str, params: list[Any] | None = None) -> duckdb.DuckDBPyConnection:
        return self.con.execute(sql, params or [])

    def query_value(self, sql: str, params: list[Any] | None = None) -> Any:
        rows = self.con.execute(sql, params or []).fetchall()
        return rows[0][0] if rows else None

    def query_dicts(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def insert_arrow(self, table: str, data: Any) -> None:
        """Bulk insert an Arrow table or pandas frame whose columns match ``table`` by name.

        An Arrow table goes in as a stream of its batches. Why: DuckDB keeps an object
        registered for a query alive until the transaction ends, so every table inserted
        stayed in memory until the commit (a dedupe of 1M customers peaked 2 GB higher
        while saving its pairs and links); a stream lets go of each batch once read.
        """
        import pyarrow as pa

        if isinstance(data, pa.Table):
            names = data.column_names
            source: Any = pa.RecordBatchReader.from_batches(data.schema, _batches(data))
        else:
            names, source = list(data.columns), data
        cols = ", ".join(f'"{c}"' for c in names)
        self.con.register("_cf_insert", source)
        try:
            self.con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _cf_insert")
        finally:
            with contextlib.suppress(Exception):  # never mask the insert's own error
                self.con.unregister("_cf_insert")

    def next_ids(self, sequence: str, count: int) -> int:
        """Reserve ``count`` consecutive ids from ``sequence``; returns the first."""
        if count <= 0:
            return 0
        first = self.query_value(f"SELECT nextval('{sequence}')")
        if count > 1:
            # DuckDB has no setval; burn the range in one vectorised call.
            self.con.execute(f"SELECT max(nextval('{sequence}')) FROM range(?)", [count - 1]).fetchall()
        return int(first)

    def latest_data_date(self) -> Any:
        """The reference date every command defaults to: the latest day in the data.

        The latest order, invoice or credit note up to today; else the latest fact of any
        kind up to today; else today. Why one function: ``audit`` used to default to today
        and ``segment`` to the data, so the same store showed everyone inactive in one and
        not in the other.
        """
        from datetime import date

        today = date.today()
        latest = self.query_value(
            "SELECT max(fact_date) FROM facts WHERE fact_date <= current_date "
            "AND kind IN ('order', 'invoice', 'credit_note')"
        ) or self.query_value("SELECT max(fact_date) FROM facts WHERE fact_date <= current_date")
        return min(latest, today) if latest else today

    def table_exists(self, name: str) -> bool:
        return bool(
            self.query_value(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
            )
        )

    def cursor(self) -> Store:
        """Another connection to this open database, for one thread (a DuckDB connection
        must not be used by two threads at once); closing it leaves this one open."""
        twin = object.__new__(Store)
        twin.__dict__.update(self.__dict__)
        twin.con = self.con.cursor()
        twin._in_transaction = twin._committed = twin._publish = False
        return twin

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        """Close; after a clean run (or a failure past a commit) publish the served copy
        first, while this process still holds the file (:mod:`custfocus.served`)."""
        try:
            if self._publish and (exc_type is None or self._committed):
                from custfocus.served import publish_served_copy

                try:
                    publish_served_copy(self)
                except Exception as error:
                    if exc_type is None:
                        raise StoreError(f"could not refresh the served copy of {self.path}: "
                                         f"{_first_line(error)}") from None
        finally:
            self.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__


def _batches(data: Any) -> Iterator[Any]:
    """The record batches of an Arrow table; the table is released once they are read."""
    yield from data.to_batches()
