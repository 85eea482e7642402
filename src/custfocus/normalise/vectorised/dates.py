"""Whole-column :func:`custfocus.normalise.parse_date`.

Why: a million-row date column must not cost a Python call per row. Two layers:

* Fixed-width shapes are read straight from the UTF-8 bytes with NumPy: ``yyyy-mm-dd``,
  ``dd/mm/yyyy`` and ``dd/mm/yy`` (separator any of ``-/.``, the same twice; day and month
  swapped for ``order="mdy"``), each optionally followed by ``[T ]hh:mm`` or
  ``[T ]hh:mm:ss``, plus ``yyyymmdd`` and whole five-digit Excel serials. This also covers
  near-unique date-time columns.
* The remaining rows are dictionary-encoded; their distinct values go through a wider
  regex (one-digit fields and hours) and then the per-value function.

Validation follows the per-value function: years 1900-2100 (two-digit years below 30 are
20xx) except for Excel serials (20000-80000 exclusive), real calendar days, hours below 24,
minutes and seconds below 60. Anything else (spaces, time zones, am/pm, month names,
fractional serials…) goes to the per-value function.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from custfocus.normalise.dates import _EXCEL_EPOCH, DATE_ORDERS, parse_date
from custfocus.normalise.vectorised._common import by_width, gather, string_array, string_bytes

__all__ = ["parse_date_column"]

_EPOCH_DAYS = (_EXCEL_EPOCH.date() - dt.date(1970, 1, 1)).days
_DATE32 = {"date": pa.date32()}
_FEW = 256  # below this many distinct leftovers, per-value calls beat compiling a regex

# Fixed-width templates. Letters are digits of a field (Y year, M month, D day, A/B the
# first/second field of a numeric date, H hour, I minute, S second, N Excel serial);
# "s" is a date separator (-/.), the same at each place; "t" is "T" or " ".
_DATES = ("YYYYsMMsDD", "AAsBBsYYYY", "AAsBBsYY")
_TEMPLATES = (
    *_DATES,
    *(d + time for d in _DATES for time in ("tHH:II", "tHH:II:SS")),
    "YYYYMMDD",
    "NNNNN",
)
_FIELDS = "YMDABHISN"


def _time(tag: str) -> str:
    """An optional ``[T ]hh:mm[:ss]``; RE2 wants distinct group names per branch."""
    return rf"(?:[T ](?P<H{tag}>[0-9]{{1,2}}):(?P<M{tag}>[0-9]{{2}})(?::(?P<S{tag}>[0-9]{{2}}))?)?"


# Dates with one-digit fields or hours, for the distinct values no template took.
_WIDER = (
    r"^(?:"
    r"(?P<iy>[0-9]{4})(?P<is1>[-/.])(?P<im>[0-9]{1,2})(?P<is2>[-/.])(?P<id>[0-9]{1,2})"
    + _time("i")
    + r"|(?P<na>[0-9]{1,2})(?P<ns1>[-/.])(?P<nb>[0-9]{1,2})(?P<ns2>[-/.])(?P<ny>[0-9]{4}|[0-9]{2})"
    + _time("n")
    + r")$"
)


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    year = year - (month <= 2)
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def _real_day(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    length = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)]
    length = length + ((month == 2) & leap)
    return (month >= 1) & (month <= 12) & (day >= 1) & (day <= length)


def _dates(
    year: np.ndarray, month: np.ndarray, day: np.ndarray,
    hour: np.ndarray, minute: np.ndarray, second: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers, and which are dates for the per-value ``_build`` (others: None)."""
    ok = (year >= 1900) & (year <= 2100) & _real_day(year, month, day)
    ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
    return _days_from_civil(year, np.clip(month, 1, 12), day), ok


def _two_digit_year(year: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """The per-value ``_year``: "21" is 2021, "30" is 1930; four digits stay as written."""
    return np.where(digits <= 2, year + np.where(year < 30, 2000, 1900), year)


@dataclass(frozen=True)
class _Template:
    """One fixed-width shape: the bytes allowed at each place, where its fields are."""

    text: str
    allowed: np.ndarray  # (width, 256) bool
    separators: tuple[int, ...]
    fields: dict[str, tuple[int, ...]]


def _compile(text: str) -> _Template:
    allowed = np.zeros((len(text), 256), bool)
    for i, c in enumerate(text):
        accepted = {"s": b"-/.", "t": b"T "}.get(c, b"0123456789" if c in _FIELDS else c.encode())
        allowed[i, np.frombuffer(accepted, np.uint8)] = True
    fields = {f: tuple(i for i, c in enumerate(text) if c == f) for f in _FIELDS if f in text}
    separators = tuple(i for i, c in enumerate(text) if c == "s")
    return _Template(text, allowed, separators, fields)


_COMPILED = tuple(_compile(t) for t in _TEMPLATES)
_LONGEST = max(len(t) for t in _TEMPLATES)


def _template(matrix: np.ndarray, template: _Template, order: str) -> tuple[np.ndarray, ...]:
    """Rows of ``matrix`` (all ``len(template)`` bytes) that match, their days and validity."""
    ok = template.allowed[0][matrix[:, 0]]
    for i in range(1, len(template.text)):
        ok &= template.allowed[i][matrix[:, i]]
    if template.separators:  # the per-value regexes use a back-reference
        first, second = template.separators
        ok &= matrix[:, first] == matrix[:, second]
    zero = np.zeros(len(matrix), np.int64)

    def field(name: str) -> np.ndarray:
        places = template.fields.get(name)
        if not places:
            return zero
        powers = 10 ** np.arange(len(places) - 1, -1, -1)
        return (matrix[:, places].astype(np.int64) - ord("0")) @ powers

    if "N" in template.fields:
        serial = field("N")
        return ok, serial + _EPOCH_DAYS, (serial > 20_000) & (serial < 80_000)
    if "A" in template.fields:
        year = _two_digit_year(field("Y"), np.full(len(matrix), len(template.fields["Y"])))
        day, month = (field("B"), field("A")) if order == "mdy" else (field("A"), field("B"))
    else:
        year, month, day = field("Y"), field("M"), field("D")
    days, valid = _dates(year, month, day, field("H"), field("I"), field("S"))
    return ok, days, valid


def _fixed_width(values: pa.Array, order: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows matched by a template, their day numbers and validity."""
    offsets, data = string_bytes(values)
    lengths = np.diff(offsets)
    candidates = np.isin(lengths, [len(t.text) for t in _COMPILED])
    if values.null_count:
        candidates &= values.is_valid().to_numpy(zero_copy_only=False)
    found_rows, found_days, found_ok = [], [], []
    for rows, matrix, size in by_width(offsets, data, np.flatnonzero(candidates), (_LONGEST,)):
        for width in np.unique(size):
            mine = np.flatnonzero(size == width)
            sub = matrix[mine, :width]
            for template in (t for t in _COMPILED if len(t.text) == width):
                hit, days, ok = _template(sub, template, order)
                found_rows.append(rows[mine[hit]])
                found_days.append(days[hit])
                found_ok.append(ok[hit])
    if not found_rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool)
    return np.concatenate(found_rows), np.concatenate(found_days), np.concatenate(found_ok)


def _int(strings: pa.Array) -> np.ndarray:
    """Integers written with at most four ASCII digits ("" is 0)."""
    padded = pc.utf8_lpad(strings, width=4, padding="0")
    offsets, data = string_bytes(padded)
    matrix = data.reshape(len(strings), 4).astype(np.int64) - ord("0")
    return matrix @ np.array([1000, 100, 10, 1])


def _wider(values: pa.Array, order: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct values matched by the wider regex, their day numbers and validity."""
    parts = pc.extract_regex(values, _WIDER)
    rows = np.flatnonzero(pc.is_valid(parts).to_numpy(zero_copy_only=False))
    if not len(rows):
        return rows, np.zeros(0, np.int64), np.zeros(0, bool)
    parts = parts.take(pa.array(rows))

    def text(name: str) -> pa.Array:
        return pc.struct_field(parts, name)

    def number(name: str) -> np.ndarray:
        return _int(text(name))

    iso = pc.not_equal(text("iy"), "").to_numpy(zero_copy_only=False)
    # the per-value regexes use a back-reference: "05/03-2021" is not this shape
    same = np.where(iso, pc.equal(text("is1"), text("is2")).to_numpy(zero_copy_only=False),
                    pc.equal(text("ns1"), text("ns2")).to_numpy(zero_copy_only=False))
    first, second = number("na"), number("nb")
    day_first = order != "mdy"
    numeric_year = _two_digit_year(number("ny"), pc.binary_length(text("ny")).to_numpy())
    year = np.where(iso, number("iy"), numeric_year)
    month = np.where(iso, number("im"), second if day_first else first)
    day = np.where(iso, number("id"), first if day_first else second)
    hour = np.where(iso, number("Hi"), number("Hn"))  # no time reads as 00:00:00
    minute = np.where(iso, number("Mi"), number("Mn"))
    seconds = np.where(iso, number("Si"), number("Sn"))
    days, ok = _dates(year, month, day, hour, minute, seconds)
    return rows[same], days[same], ok[same]


def _distinct(values: pa.Array, order: str) -> pa.Array:
    """:func:`parse_date_column` for a column of (mostly) repeated values."""
    encoded = pc.dictionary_encode(values)
    distinct = encoded.dictionary
    if len(distinct) <= _FEW:  # compiling the regex would cost more than the calls
        return pa.array([parse_date(v, order) for v in distinct.to_pylist()],
                        pa.date32()).take(encoded.indices)
    rows, days, ok = _wider(distinct, order)
    rest = np.ones(len(distinct), bool)
    rest[rows] = False
    rest_rows = np.flatnonzero(rest)
    slow = [parse_date(v, order) for v in distinct.take(pa.array(rest_rows)).to_pylist()]
    parsed = gather(len(distinct), [
        (rows, {"date": pa.array(days.astype(np.int32), pa.date32(), mask=~ok)}),
        (rest_rows, {"date": pa.array(slow, pa.date32())}),
    ], _DATE32)["date"]
    return parsed.take(encoded.indices)


def parse_date_column(values: pa.Array, order: str) -> pa.Array:
    """Parse every date cell of a column.

    Args:
        values: A string column (nulls allowed).
        order: The column's field order, as for :func:`custfocus.normalise.parse_date`.

    Returns:
        A ``date32`` column; row ``i`` is ``parse_date(values[i], order)`` (null for None).
    """
    values = string_array(values)
    order = order if order in DATE_ORDERS else "dmy"
    n = len(values)
    rows, days, ok = _fixed_width(values, order)
    fast = pa.array(days.astype(np.int32), pa.date32(), mask=~ok)
    if len(rows) == n:
        return gather(n, [(rows, {"date": fast})], _DATE32)["date"]
    rest = np.ones(n, bool)
    rest[rows] = False
    rest_rows = np.flatnonzero(rest)
    slow = _distinct(values.take(pa.array(rest_rows)), order)
    return gather(n, [(rows, {"date": fast}), (rest_rows, {"date": slow})], _DATE32)["date"]
