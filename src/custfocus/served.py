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
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from custfocus.errors import LockedError, StoreError

if TYPE_CHECKING:
    from custfocus.store import Store

__all__ = ["ServedCopy", "prepare_served_copy", "publish_served_copy", "served_path"]

SUFFIX = ".served"


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
    store.execute("CHECKPOINT")
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                     suffix=".tmp")  # mode 0600
    try:
        os.close(fd)
        shutil.copyfile(store.path, temporary)  # sendfile: no Python buffer
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


def prepare_served_copy(db: str | os.PathLike[str]) -> Path:
    """The served copy of ``db``, published now when missing or older than the store.

    A store being written by another process (a run) keeps its existing copy, which that
    writer publishes anew when it commits; with no copy yet, :class:`LockedError`."""
    from custfocus.store import LOCK_WAIT_SECONDS, Store

    store_file, target = Path(db), served_path(db)
    if not store_file.exists():
        raise StoreError(f"no store at {db}; import files first (custfocus import)")
    if target.exists() and target.stat().st_mtime_ns >= store_file.stat().st_mtime_ns:
        return target
    try:
        # With a copy to fall back on, do not wait for a writer's lock.
        wait = 0.0 if target.exists() else LOCK_WAIT_SECONDS
        with Store(store_file, publish=False, lock_wait=wait) as store:
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
                    self._signature = signature
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

    def close(self) -> None:
        with self._changed:
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
