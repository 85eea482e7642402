"""The workspace lock: one ``custfocus run`` at a time, and no stale lock after a crash.

Why an OS-level lock (``fcntl.flock``) and not a pid file: the kernel releases it when the
process ends for any reason, SIGKILL and power loss included, so cron never finds a lock
left behind by a dead run. The file itself stays; holding it is what counts.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from custfocus.errors import LockedError

LOCK_FILE = "custfocus.lock"


def lock_path(db: str | os.PathLike[str]) -> Path:
    """``custfocus.lock`` in the folder of the store."""
    return Path(db).resolve().parent / LOCK_FILE


@contextlib.contextmanager
def workspace_lock(db: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the lock of the workspace of ``db`` or raise :class:`LockedError` at once.

    Example:
        >>> with workspace_lock("custfocus.duckdb"):  # doctest: +SKIP
        ...     run_pipeline(...)
    """
    path = lock_path(db)
    try:
        import fcntl
    except ModuleNotFoundError:  # Windows: DuckDB's own file lock still refuses a second writer
        yield path
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            who = f" (process {holder})" if holder.isdigit() else ""
            raise LockedError(
                f"another custfocus run is active in this workspace{who}; it holds {path}. "
                "This run did nothing; try again when it finishes"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield path
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
