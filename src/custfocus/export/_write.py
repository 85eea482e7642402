"""Atomic file writes: a reader never sees half a file, a crash leaves the old one.

Only a regular file is replaced (a temporary file beside it, renamed over it). A symbolic
link is followed on purpose: the file it points to is replaced and the link stays. A
character device or a pipe (``/dev/stdout``, a FIFO another program reads) is written
through, never renamed over: running as root, renaming over ``/dev/full`` had replaced the
device node with a file of customer data. Anything else (a folder, a socket, a block
device) is refused.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from custfocus.errors import StoreError, UsageError


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    path = Path(path)
    kind = _kind(path)  # (of what a link points to)
    if kind == "file" and path.is_symlink():
        path = Path(os.path.realpath(path))  # the file the link points to; the link stays
    if kind == "other":
        raise UsageError(f"{path} is not a regular file: choose a file name to write to")
    folder = path.parent if kind != "stream" else Path(tempfile.gettempdir())
    if not folder.exists():
        raise UsageError(f"folder does not exist: {path.parent}")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        if kind == "stream":
            _write_through(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _kind(path: Path) -> str:
    """"file" (absent or regular), "stream" (character device or pipe) or "other"."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "file"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return "stream"
    return "other"


def _write_through(tmp: Path, path: Path) -> None:
    try:
        with tmp.open("rb") as source, path.open("wb") as target:
            shutil.copyfileobj(source, target)
    except OSError as exc:
        raise StoreError(f"could not write to {path}: {exc.strerror or exc}") from None
