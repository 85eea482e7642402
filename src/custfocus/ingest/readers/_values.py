"""Typed cell values (from workbooks, Parquet, JSON) to the text a user would have typed.

Everything downstream works on text, so each reader renders values the same way: a phone
number stored as the float 612345678.0 must come out as ``612345678``, not ``612345678.0``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from typing import Any

__all__ = ["row_to_text", "to_text"]


def _float_text(value: float) -> str:
    if math.isfinite(value) and value.is_integer():
        return str(int(value))
    # repr is the shortest text that round-trips, so 0.1 stays "0.1".
    return repr(value)


def _datetime_text(value: dt.datetime) -> str:
    # Spreadsheets store plain dates as midnight datetimes; show them as dates.
    if value.time() == dt.time(0) and value.tzinfo is None:
        return value.date().isoformat()
    return value.isoformat(sep=" ", timespec="seconds")


def _timedelta_text(value: dt.timedelta) -> str:
    seconds = round(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def to_text(value: Any) -> str:
    """Render one typed value; ``None`` is the empty string."""
    kind = type(value)
    if kind is str:
        return value
    if value is None:
        return ""
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is int:
        return str(value)
    if kind is float:
        return _float_text(value)
    if isinstance(value, dt.datetime):
        return _datetime_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, dt.timedelta):
        return _timedelta_text(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def row_to_text(values: list[Any]) -> list[str]:
    """Render a row; strings (the common case) pass through without a function call."""
    return [value if type(value) is str else to_text(value) for value in values]
