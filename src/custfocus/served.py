"""The served copy: how ``custfocus serve`` lives beside the nightly ``custfocus run``.

DuckDB lets one process write a database file only while no other process holds it open,
even read-only. A server that read the store itself would either block the nightly run
(while it holds the file) or be refused by it (while the run writes). So the server never
opens the store to read; it reads a copy, ``<store>.served`` in the same folder:

1. A writer publishes the copy when it closes a store after a committed change, and only
   when a served copy already exists (a workspace that never served pays nothing): it
   checkpoints (every committed change is then in the file and the write-ahead log is
   empty), copies the file to a temporary file in the same folder (owner-only), fsyncs it
   and renames it over the copy (``os.replace``: atomic), all while still holding the
   store's lock, so the copy is never of a half-written file.
2. The server opens the copy read-only and, before each request, compares the copy's
   inode, size and modification time with the one it holds; a new copy is opened once the
   requests in flight on the old one are answered. Requests during a run are answered from
   the last committed state (200, not 503), and from the new one as soon as it is published.
3. A review decision is the server's only write: it opens the store itself for the few
   milliseconds of one transaction (writers wait :data:`custfocus.store.LOCK_WAIT_SECONDS`
   for a lock, so the nightly run is not refused), then publishes as any writer does. During
   a run the decision waits, then gets 503 with Retry-After.

Example:
    >>> prepare_served_copy("custfocus.duckdb")  # doctest: +SKIP
    >>> with ServedCopy("custfocus.duckdb").reading() as store:  # doctest: +SKIP
    ...     store.query_value("SELECT count(*) FROM customers")
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from custfocus.errors import LockedError, StoreError

if TYPE_CHECKING:
    from custfocus.store import Store

__all__ = ["KEYS_TABLE", "MATCH_RECORDS_TABLE", "NAMES_TABLE", "PAIRS_TABLE", "ServedCopy",
           "forget_published_state", "has_read_tables", "prepare_served_copy",
           "publish_served_copy", "served_memo", "served_path"]

SUFFIX = ".served"
STATE_KEY = "served_state"  # meta key: the mark of the state last published

# What only the served copy has: the store stays lean for writing (its tables carry no
# index, see store.py v6/v7), the copy is read-optimised. ``served_keys`` holds every
# identifier of every record with its customer (one indexed lookup, no join over millions
# of records); ``served_names`` every word of every customer's name and ``served_name_pairs``
# every two words of one (the name search ranks only the customers sharing words with the
# query, not all of them); ART indexes serve a customer's card. At a million customers they
# take about half a minute to build.
KEYS_TABLE, NAMES_TABLE, PAIRS_TABLE = "served_keys", "served_names", "served_name_pairs"
MATCH_RECORDS_TABLE = "served_match_records"
INDEX_SCAN_ROWS = 64  # a lookup expecting more rows scans instead (see ServedCopy.reading)
NAME_TEXT = ("coalesce(c.full_name, nullif(trim(concat_ws(' ', c.given_name, c.family_name)), ''),"
             " c.company)")
READ_TABLES = [
    f"""CREATE TABLE {KEYS_TABLE} AS SELECT * FROM (
        SELECT 'email' AS kind, r.email_key AS key, rc.customer_id FROM records r
            JOIN record_customer rc USING (record_id) WHERE r.email_key IS NOT NULL
        UNION ALL SELECT 'phone', r.phone_e164, rc.customer_id FROM records r
            JOIN record_customer rc USING (record_id) WHERE r.phone_e164 IS NOT NULL
        UNION ALL SELECT 'phone', r.phone2_e164, rc.customer_id FROM records r
            JOIN record_customer rc USING (record_id) WHERE r.phone2_e164 IS NOT NULL
        UNION ALL SELECT 'national_id', upper(regexp_replace(r.national_id, '[\\s.\\-/]', '', 'g')),
            rc.customer_id FROM records r JOIN record_customer rc USING (record_id)
            WHERE r.national_id IS NOT NULL
        UNION ALL SELECT 'account_code', r.account_code, rc.customer_id FROM records r
            JOIN record_customer rc USING (record_id) WHERE r.account_code IS NOT NULL
        ) ORDER BY key""",
    f"CREATE INDEX {KEYS_TABLE}_key ON {KEYS_TABLE} (key)",
    f"""CREATE TABLE {NAMES_TABLE} AS SELECT DISTINCT
            unnest(regexp_split_to_array(lower(strip_accents({NAME_TEXT})), '[^a-z0-9]+'))
            AS token, c.customer_id, {NAME_TEXT} AS name FROM customers c
        WHERE {NAME_TEXT} IS NOT NULL ORDER BY token""",
    f"DELETE FROM {NAMES_TABLE} WHERE token = ''",
    # Every two words of a name ("garcia maria"): a query of common words ("María García")
    # ranks the few thousand customers who have two of its words, not the hundred thousand
    # who have one. Both tables are read into memory by the server (privacy.NameIndex).
    f"""CREATE TABLE {PAIRS_TABLE} AS SELECT a.token || ' ' || b.token AS pair, a.customer_id
        FROM {NAMES_TABLE} a JOIN {NAMES_TABLE} b
        ON a.customer_id = b.customer_id AND a.token < b.token""",
    # The live match reads the kept model's value counts one comparison at a time.
    "CREATE TABLE served_match_tf AS SELECT * FROM match_tf ORDER BY comparison, value",
    "DROP TABLE match_tf",
    "ALTER TABLE served_match_tf RENAME TO match_tf",
    "CREATE INDEX served_match_tf_value ON match_tf (value)",
    # A live match compares a record with the records of a few customers, as matching
    # reads them (dedupe.prepare.RECORD_COLUMNS): stored by customer, one lookup. Stored
    # uncompressed: the index fetches its rows one value at a time, and a compressed text
    # value (FSST) costs about twice as much to fetch (at a million customers, the
    # records of a match: 6.0 -> 3.5 ms; the table: about 170 -> 670 MB).
    "SET force_compression = 'uncompressed'",
    f"""CREATE TABLE {MATCH_RECORDS_TABLE} AS SELECT rc.customer_id, m.*
        FROM (SELECT {{RECORD_COLUMNS}} FROM records) m
        JOIN record_customer rc ON rc.record_id = m.record_id ORDER BY rc.customer_id""",
    "RESET force_compression",
    f"CREATE INDEX {MATCH_RECORDS_TABLE}_customer ON {MATCH_RECORDS_TABLE} (customer_id)",
    "CREATE INDEX served_customers_id ON customers (customer_id)",
    "CREATE INDEX served_record_customer_customer ON record_customer (customer_id)",
    "CREATE INDEX served_record_customer_record ON record_customer (record_id)",
    "CREATE INDEX served_records_id ON records (record_id)",
    "CREATE INDEX served_facts_record ON facts (record_id)",
    "CREATE INDEX served_segments_customer ON customer_segments (customer_id)",
]


def served_path(db: str | os.PathLike[str]) -> Path:
    """The served copy of the store at ``db``: ``custfocus.duckdb.served`` beside it."""
    path = Path(db)
    return path.with_name(path.name + SUFFIX)


def publish_served_copy(store: Store, *, create: bool = False) -> bool:
    """Copy the open, writable ``store`` to its served copy, atomically (see the module).

    Only when a served copy exists, unless ``create``; True when one was written."""
    target = served_path(store.path)
    if not (create or target.exists()):
        return False
    # A mark of this state in both files: a server starting later republishes only when
    # the store's mark differs (a review decision clears it; the processing log does not).
    store.execute(f"INSERT OR REPLACE INTO meta VALUES ('{STATE_KEY}', ?)",
                  [secrets.token_hex(8)])
    store.execute("CHECKPOINT")
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                     suffix=".tmp")  # mode 0600
    try:
        os.close(fd)
        shutil.copyfile(store.path, temporary)  # sendfile: no Python buffer
        _add_read_tables(temporary)
        with open(temporary, "rb+") as copy:
            os.fsync(copy.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # the rename itself reaches the disk
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    return True


def _state(store: Store) -> str | None:
    return store.query_value(f"SELECT value FROM meta WHERE key = '{STATE_KEY}'")


def forget_published_state(store: Store) -> None:
    """Mark the open, writable ``store`` as changed since its served copy was published
    (a change written without publishing, such as a review decision)."""
    store.execute(f"DELETE FROM meta WHERE key = '{STATE_KEY}'")


def _add_read_tables(path: str) -> None:
    """Build :data:`READ_TABLES` in a fresh copy (nobody reads it yet)."""
    import duckdb

    con = duckdb.connect(path)
    try:
        con.execute("SET enable_progress_bar = false")
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        if {"records", "record_customer", "customers", "facts", "customer_segments",
                "match_tf"} <= tables:
            from custfocus.dedupe.prepare import RECORD_COLUMNS

            for statement in READ_TABLES:
                con.execute(statement.replace("{RECORD_COLUMNS}", RECORD_COLUMNS))
        con.execute("CHECKPOINT")
    finally:
        con.close()


def has_read_tables(store: Store) -> bool:
    """Whether ``store`` is a served copy with its lookup tables (see :data:`READ_TABLES`);
    asked once per open store (its connections for other threads inherit the answer)."""
    known = store.__dict__.get("read_tables")
    if known is None:
        known = store.__dict__["read_tables"] = bool(store.query_value(
            "SELECT count(*) = 4 FROM duckdb_tables() WHERE table_name IN (?, ?, ?, ?)",
            [KEYS_TABLE, NAMES_TABLE, PAIRS_TABLE, MATCH_RECORDS_TABLE]))
    return known


def served_memo(store: Store) -> dict[str, Any] | None:
    """A dict shared by every request on the same served copy (a copy never changes, so
    what is read from it once, such as its fitted model, holds until the next copy); None
    for a store that is not a served copy."""
    return store.__dict__.get("served_memo")


def prepare_served_copy(db: str | os.PathLike[str]) -> Path:
    """The served copy of ``db``, published now when missing or when the store changed
    since (its mark of the published state differs from the copy's).

    A store being written by another process (a run) keeps its existing copy, which that
    writer publishes anew when it commits; with no copy yet, :class:`LockedError`."""
    from custfocus.store import LOCK_WAIT_SECONDS, Store

    store_file, target = Path(db), served_path(db)
    if not store_file.exists():
        raise StoreError(f"no store at {db}; import files first (custfocus import)")
    try:
        # With a copy to fall back on, do not wait for a writer's lock.
        wait = 0.0 if target.exists() else LOCK_WAIT_SECONDS
        with Store(store_file, publish=False, lock_wait=wait) as store:
            if target.exists() and _state(store) is not None:
                with Store(target, read_only=True) as copy:
                    # (A copy of an older version, without today's lookup tables, is
                    # published anew.)
                    if _state(copy) == _state(store) and has_read_tables(copy):
                        return target  # nothing served has changed since it was published
            publish_served_copy(store, create=True)
    except LockedError:
        if target.exists():
            return target
        raise LockedError(f"the store {db} is being written by another custfocus process; "
                          "start the server when it finishes") from None
    return target


class ServedCopy:
    """The server's read-only view of the last published state of ``db``."""

    def __init__(self, db: str | os.PathLike[str]):
        self.path = served_path(db)
        self._store: Store | None = None
        self._signature: tuple[int, int, int] | None = None
        self._changed = threading.Condition()
        self._readers = 0

    @contextlib.contextmanager
    def reading(self) -> Iterator[Store]:
        """A connection of its own (DuckDB connections are one thread's) to the current
        copy, for one request."""
        from custfocus.store import Store

        with self._changed:
            signature = self._stat()
            if signature != self._signature:
                while self._readers:  # answer the requests on the old copy first
                    self._changed.wait()
                if signature != self._signature:
                    if self._store is not None:
                        self._store.close()
                        self._store = None
                    self._store = Store(self.path, read_only=True)
                    # Many small queries at once: one thread each beats two fighting over
                    # two cores (and the progress bar would write to the server's terminal).
                    self._store.execute("SET enable_progress_bar = false")
                    self._store.execute("SET threads = 1")
                    # An ART index fetches rows one by one (some 40 us each here): past a few
                    # dozen rows, the scan of the one or two row groups that the sorted
                    # table's zone maps leave is faster (2,888 rows of a name word: 125 ms
                    # by the index, 5 ms by the scan, at a million customers).
                    self._store.execute(f"SET index_scan_max_count = {INDEX_SCAN_ROWS}")
                    self._store.execute("SET index_scan_percentage = 0")
                    has_read_tables(self._store)  # asked once; the cursors inherit it
                    # What a request learns of this copy (it never changes) and the next
                    # may reuse: the cursors share this one dict.
                    self._store.__dict__["served_memo"] = {}
                    self._signature = signature
                    self._warm()
            assert self._store is not None
            own = self._store.cursor()
            self._readers += 1
        try:
            yield own
        finally:
            own.close()
            with self._changed:
                self._readers -= 1
                self._changed.notify_all()

    def _warm(self) -> None:
        """Read the new copy's name index (:class:`~custfocus.privacy.NameIndex`, seconds at
        a million customers) in the background, as a reader of the copy: the first name
        search waits for it rather than building its own."""
        from custfocus.privacy import NameIndex

        def build() -> None:
            with contextlib.suppress(Exception), self.reading() as store:
                if has_read_tables(store):
                    NameIndex.of(store)

        threading.Thread(target=build, name="custfocus-name-index", daemon=True).start()

    def close(self) -> None:
        with self._changed:
            while self._readers:  # a request (or the name index's reading) in flight
                self._changed.wait(timeout=30)
            if self._store is not None:
                self._store.close()
                self._store = None
                self._signature = None

    def _stat(self) -> tuple[int, int, int]:
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            raise StoreError(f"the served copy {self.path} is gone; restart custfocus serve") \
                from None
        return (found.st_ino, found.st_size, found.st_mtime_ns)
