"""Consoles: results to stdout, progress and diagnostics to stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


def stdout_console(width: int | None = None) -> Console:
    return Console(width=width, highlight=False, soft_wrap=False)


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False)


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, set):
        return sorted(value)
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(value)
    return str(value)


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


def print_json(data: Any) -> None:
    sys.stdout.write(dumps(data) + "\n")


@contextmanager
def row_progress(enabled: bool, description: str = "Reading") -> Iterator[Any]:
    """A rows-read counter on stderr; yields a callback ``(label, rows)`` (no-op if disabled)."""
    if not enabled:
        yield None
        return
    progress = Progress(
        SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
        TextColumn("{task.completed:,} rows"), TimeElapsedColumn(),
        console=stderr_console(), transient=True,
    )
    tasks: dict[str, Any] = {}

    def advance(label: str, rows: int) -> None:
        if label not in tasks:
            tasks[label] = progress.add_task(f"{description} {label}", total=None)
        progress.advance(tasks[label], rows)

    with progress:
        yield advance
