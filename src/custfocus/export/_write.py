"""Atomic file writes: a reader never sees half a file, a crash leaves the old one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from custfocus.errors import UsageError


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    path = Path(path)
    if not path.parent.exists():
        raise UsageError(f"folder does not exist: {path.parent}")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
