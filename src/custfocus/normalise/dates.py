"""Dates: detect a column's day/month order, then parse each cell.

"03/04/2021" means March in one file and April in another, and guessing per
cell silently mixes both. The order is therefore decided once per column from
the values that disambiguate it (a first field above 12 can only be a day);
when none do, the result says so and callers flag the column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from custfocus.normalise.text import fold

__all__ = ["DATE_ORDERS", "DateOrder", "detect_date_order", "parse_date", "parse_datetime"]

DATE_ORDERS: tuple[str, ...] = ("dmy", "mdy", "ymd", "iso")

_MAX_LENGTH = 80
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_TIME = r"(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(?:([ap])\.?\s*m\.?)?)?"
_ZONE = r"\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?\s*$"
_ISO = re.compile(r"^\s*(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME + _ZONE, re.IGNORECASE)
_NUMERIC = re.compile(
    r"^\s*(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})" + _TIME + _ZONE, re.IGNORECASE
)
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_SERIAL = re.compile(r"^\s*(\d{5})(?:\.(\d+))?\s*$")
_TIME_ANYWHERE = re.compile(
    r"(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(?:([ap])\.?\s*m\.?)?(?![\d:])",
    re.IGNORECASE,
)
_TEXT_NUMBER = re.compile(r"^(\d{1,4})(?:st|nd|rd|th|o|a|er)?$")

_MONTH_WORDS = {
    1: "enero ene january jan janeiro",
    2: "febrero feb february fevereiro fev",
    3: "marzo mar march marco",
    4: "abril abr april apr",
    5: "mayo may maio mai",
    6: "junio jun june junho",
    7: "julio jul july julho",
    8: "agosto ago august aug",
    9: "septiembre setiembre sep sept set september setembro",
    10: "octubre oct october outubro out",
    11: "noviembre nov november novembro",
    12: "diciembre dic december dec dezembro dez",
}
_MONTHS: dict[str, int] = {w: m for m, words in _MONTH_WORDS.items() for w in words.split()}
_IGNORED_WORDS = frozenset(
    [
        "de",
        "del",
        "of",
        "the",
        "el",
        "em",
        "a",
        "las",
        "lunes",
        "martes",
        "miercoles",
        "jueves",
        "viernes",
        "sabado",
        "domingo",
        "segunda",
        "terca",
        "quarta",
        "quinta",
        "sexta",
        "feira",
        "seg",
        "ter",
        "qua",
        "qui",
        "sex",
        "sab",
        "dom",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        # the hour mark after a time: "15:35 hs." (Argentina), "15h", "15:35 hrs"
        "hs",
        "hrs",
        "h",
    ]
)


@dataclass(frozen=True)
class DateOrder:
    """The field order of a date column and how sure the guess is."""

    order: str
    ambiguous: bool
    evidence: str


def _year(value: str) -> int:
    year = int(value)
    if len(value) <= 2:
        year += 2000 if year < 30 else 1900
    return year


def _build(
    year: int, month: int, day: int, time: tuple[str | None, ...] = ()
) -> dt.datetime | None:
    if not 1900 <= year <= 2100:
        return None
    hour = minute = second = 0
    if time and time[0] is not None:
        hour, minute, second = int(time[0]), int(time[1] or 0), int(time[2] or 0)
        meridiem = (time[3] or "").lower()
        if meridiem and not 1 <= hour <= 12:
            return None
        if meridiem == "p" and hour != 12:
            hour += 12
        elif meridiem == "a" and hour == 12:
            hour = 0
    try:
        return dt.datetime(year, month, day, hour, minute, second)
    except ValueError:  # 31/02, month 13, hour 25 …
        return None


def _parse_words(text: str) -> dt.datetime | None:
    time_match = _TIME_ANYWHERE.search(text)
    time: tuple[str | None, ...] = time_match.groups() if time_match else ()
    if time_match:
        text = text[: time_match.start()] + " " + text[time_match.end() :]
    month = None
    numbers: list[str] = []
    for token in fold(text).split():
        if token in _IGNORED_WORDS:
            continue
        if token in _MONTHS and month is None:
            month = _MONTHS[token]
            continue
        number = _TEXT_NUMBER.match(token)
        if not number:
            return None
        numbers.append(number.group(1))
    if month is None or len(numbers) != 2:
        return None
    if len(numbers[0]) == 4:  # "2021 mar 5"
        year, day = numbers
    else:  # "5 mar 2021", "March 5, 2021", "5-mar-21"
        day, year = numbers
    if len(day) > 2 or len(year) == 3:
        return None
    return _build(_year(year), month, int(day), time)


@lru_cache(maxsize=131_072)
def _parse_cached(text: str, order: str) -> dt.datetime | None:
    match = _ISO.match(text)
    if match:
        year, _, month, day, *time = match.groups()
        return _build(int(year), int(month), int(day), tuple(time))
    match = _NUMERIC.match(text)
    if match:
        first, _, second, year, *time = match.groups()
        day, month = (second, first) if order == "mdy" else (first, second)
        return _build(_year(year), int(month), int(day), tuple(time))
    match = _SERIAL.match(text)
    if match:
        serial = int(match.group(1))
        if not 20_000 < serial < 80_000:
            return None
        fraction = float("0." + match.group(2)) if match.group(2) else 0.0
        moment = _EXCEL_EPOCH + dt.timedelta(days=serial, seconds=round(fraction * 86_400))
        return moment.replace(microsecond=0)
    match = _COMPACT.match(text)
    if match:
        return _build(*(int(g) for g in match.groups()))
    if any(ch.isalpha() for ch in text):
        return _parse_words(text)
    return None


def parse_datetime(text: str | None, order: str = "dmy") -> dt.datetime | None:
    """Parse a date or date-time cell, keeping the time when present.

    Args:
        text: "05/03/2021", "2021-03-05 13:22:11", "45123.5", "5 de marzo de 2021"…
        order: Field order for all-numeric dates: ``"dmy"`` or ``"mdy"``
            (see :func:`detect_date_order`). ISO dates parse under any order.

    Returns:
        A naive :class:`datetime.datetime` (midnight for dates without a time),
        or ``None`` when the value is not a plausible date between 1900 and 2100.

    Example:
        >>> parse_datetime("2023-04-05T13:22:11")
        datetime.datetime(2023, 4, 5, 13, 22, 11)
    """
    if not text or not isinstance(text, str) or len(text) > _MAX_LENGTH:
        return None
    return _parse_cached(text, order if order in DATE_ORDERS else "dmy")


def parse_date(text: str | None, order: str = "dmy") -> dt.date | None:
    """Parse a date cell; see :func:`parse_datetime` for the accepted forms.

    Example:
        >>> parse_date("5 de marzo de 2021"), parse_date("31/02/2020")
        (datetime.date(2021, 3, 5), None)
    """
    moment = parse_datetime(text, order)
    return moment.date() if moment else None


_FIELDS = re.compile(r"^\s*(\d{1,4})([-/.])(\d{1,2})\2(\d{2,4})(?!\d)")


def detect_date_order(values: Iterable[str | None]) -> DateOrder:
    """Decide a date column's field order from its values.

    A first field above 12 is evidence for day-first, a second field above 12
    for month-first; a four-digit first field means year-first. Without any
    deciding value the order defaults to ``"dmy"`` (usual in es/pt) and
    ``ambiguous`` is set; with conflicting evidence the majority wins, also
    flagged ambiguous.

    Args:
        values: The raw cells of one column.

    Returns:
        A :class:`DateOrder`.

    Example:
        >>> detect_date_order(["03/04/2021", "25/12/2020"]).order
        'dmy'
    """
    dmy = mdy = ymd = iso = undecided = 0
    for value in values:
        if not isinstance(value, str):
            continue
        match = _FIELDS.match(value)
        if not match:
            continue
        first, separator, second, _ = match.groups()
        if len(first) == 4:
            if separator == "-":
                iso += 1
            else:
                ymd += 1
        elif len(first) == 3:
            continue
        elif int(first) > 12 and int(second) <= 12:
            dmy += 1
        elif int(second) > 12 and int(first) <= 12:
            mdy += 1
        else:
            undecided += 1
    evidence = (
        f"{dmy} day-first, {mdy} month-first, {iso + ymd} year-first, {undecided} undecided values"
    )
    if dmy and mdy:
        return DateOrder("mdy" if mdy > dmy else "dmy", True, evidence)
    if dmy:
        return DateOrder("dmy", False, evidence)
    if mdy:
        return DateOrder("mdy", False, evidence)
    if (iso or ymd) and not undecided:
        return DateOrder("iso" if iso >= ymd else "ymd", False, evidence)
    return DateOrder("dmy", True, evidence)
