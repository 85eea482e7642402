"""The run log: one JSON line per step, flushed as it happens, with no personal data.

Only step names, counts, durations, file names and error classes are written: never cell
values, names, e-mails or customer ids, so the log can be shipped to any monitoring system.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any


class StepLog:
    """Appends ``{"time", "run", "step", "status", "seconds", "elapsed", ...}`` lines to
    ``path``: ``seconds`` is how long this step took (since the previous line), ``elapsed``
    the time since the run started; the final ``run`` line's ``seconds`` is the whole run."""

    def __init__(self, path: Path | None, run: str):
        self.path, self.run = path, run
        self._started = self._last = time.perf_counter()

    def step(self, step: str, status: str = "ok", **fields: Any) -> None:
        now = time.perf_counter()
        took, self._last = now - self._last, now
        if self.path is None:
            return
        whole = step == "run"  # the closing line: the run's own duration
        line = {"time": datetime.now().isoformat(timespec="seconds"), "run": self.run,
                "step": step, "status": status,
                "seconds": round(now - self._started if whole else took, 3),
                "elapsed": round(now - self._started, 3), **fields}
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (json.dumps(line, default=str) + "\n").encode("utf-8"))
        finally:
            os.close(fd)
