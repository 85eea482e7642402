"""The processing log (GDPR art. 30, LGPD art. 37): who did what with the personal data,
kept in the store beside it.

Every command that reads or writes personal data appends one row to ``processing_log``:
when, which command, the names of the options it was given (``--output``, ``--mask``;
never their values, which may be a person's e-mail or a file name naming them), and how
many rows it read, exported or erased. No personal value is ever written to it.

Commands that write the store append their row as they finish. Commands that only read it
(``export``, ``customer``, ``explain``, ``subject-access``, ``audit``, ``review export``)
open it for writing for that one row once their work is done; when it cannot be opened for
writing (another process holds it, a read-only copy or medium) the row is skipped and the
command still succeeds: reading must not depend on the log. A failed command appends
nothing (it leaves the store exactly as it was).

Example:
    >>> log_processing("custfocus.duckdb", Processing("export master", ["--output"],
    ...                                               rows_exported=2154))  # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from custfocus.store import Store

__all__ = ["Processing", "append_processing", "log_processing", "processing_entries"]


@dataclass
class Processing:
    """One command's use of personal data: its name, the options given (names only) and
    its counts (None: not applicable)."""

    command: str
    options: list[str] = field(default_factory=list)
    rows_read: int | None = None
    rows_exported: int | None = None
    rows_erased: int | None = None


def append_processing(store: Store, entry: Processing) -> None:
    """Append ``entry`` to the log of an open, writable ``store``."""
    entry_id = store.next_ids("processing_seq", 1)
    store.execute(
        "INSERT INTO processing_log VALUES (?, now(), ?, ?, ?, ?, ?)",
        [entry_id, entry.command, sorted(set(entry.options)), entry.rows_read,
         entry.rows_exported, entry.rows_erased])


def log_processing(path: str | os.PathLike[str], entry: Processing) -> bool:
    """Open the store at ``path`` for writing, append ``entry`` and close it; False (and
    nothing written) when it cannot be opened for writing (see the module)."""
    import duckdb

    from custfocus.errors import CustfocusError

    if str(path) == ":memory:":
        return False
    try:
        # A log line is no change to serve, and is not worth waiting for a lock.
        with Store(path, publish=False, lock_wait=0) as store, store.transaction():
            append_processing(store, entry)
    except (CustfocusError, duckdb.Error, OSError):
        return False
    return True


def processing_entries(store: Store) -> list[dict[str, object]]:
    """The log, oldest first."""
    return store.query_dicts("SELECT * FROM processing_log ORDER BY entry_id")
