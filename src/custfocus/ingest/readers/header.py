"""Find the header row of a table that may have title lines, blank lines or notes above it.

Departmental files rarely start at A1: a report title, an export date and a blank line
above the real header are common. The header is the first row that looks like column
names (several short, mostly non-numeric texts) and is about as wide as the rows below it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["HEADER_SAMPLE_ROWS", "HEADERLESS_NOTE", "find_header_row", "generated_headers",
           "is_blank", "is_data_row", "looks_like_header"]

#: How many rows from the top the header may be looked for in.
HEADER_SAMPLE_ROWS = 30

# Numbers, amounts, percentages, dates and times: values, not column names.
_VALUE_LIKE = re.compile(r"^[\s+\-−(]*[€$£%]?[\d\s.,:/\-−'’()%€$£]*\d[\d\s.,:/\-−'’()%€$£]*$")
_MAX_HEADER_LENGTH = 80
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_DATE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T].*)?$")
#: The note a table read without a header carries.
HEADERLESS_NOTE = ("no header row: the first row holds customer data (e-mails, phones or ids "
                   "where column names would be), so it was imported and the columns were "
                   "named Column A, Column B, ...")
# How many following non-blank rows decide whether a candidate is as wide as the data.
_LOOKAHEAD = 5


def is_blank(cells: Sequence[str]) -> bool:
    """True when no cell has visible text."""
    return not any(cell.strip() for cell in cells)


def _filled(cells: Sequence[str]) -> list[str]:
    return [cell.strip() for cell in cells if cell.strip()]


def _looks_like_names(values: list[str]) -> bool:
    """Mostly short, non-numeric texts, as column names are."""
    texty = sum(
        1 for value in values if len(value) <= _MAX_HEADER_LENGTH and not _VALUE_LIKE.match(value)
    )
    return texty * 2 > len(values)


def looks_like_header(cells: Sequence[str]) -> bool:
    """Whether a row's filled cells are mostly short, non-numeric texts, as column names are.

    Example:
        >>> looks_like_header(["customer_id", "date", "amount"]), looks_like_header(["1", "2"])
        (True, False)
    """
    return _looks_like_names(_filled(cells))


def find_header_row(rows: list[list[str]]) -> int:
    """Return the 0-based index of the header among the first sampled ``rows``.

    Skips blank rows and title rows (one filled cell, or far fewer filled cells than the
    rows below). Falls back to the widest of the first rows, then to 0, so a header is
    always returned; the caller decides whether it is usable.

    Example:
        >>> find_header_row([["Clientes 2023"], [], ["Nombre", "Ciudad"], ["Ana", "Madrid"]])
        2
    """
    sample = rows[:HEADER_SAMPLE_ROWS]
    counts = [len(_filled(row)) for row in sample]
    for index, row in enumerate(sample):
        if counts[index] < 2:
            continue
        if not _looks_like_names(_filled(row)):
            continue
        following = sorted([count for count in counts[index + 1 :] if count][:_LOOKAHEAD])
        # A title such as "Informe | 2023" is much narrower than the rows that follow it;
        # their typical width decides (the median), so one ragged row with extra cells
        # does not make the real header look like a title.
        if following and counts[index] * 10 < following[len(following) // 2] * 6:
            continue
        return index
    if not any(counts):
        return 0
    widest = max(counts)
    return counts.index(widest)


def _data_kind(value: str) -> str | None:
    """``email`` or ``number`` (a phone, tax id or account: 7+ digits, not a date)."""
    value = value.strip()
    if _EMAIL.match(value):
        return "email"
    digits = sum(char.isdigit() for char in value)
    letters = sum(char.isalpha() for char in value)
    if digits >= 7 and letters <= 2 and not _DATE.match(value):
        return "number"
    return None


def is_data_row(row: Sequence[str], below: Sequence[str] | None) -> bool:
    """True when ``row``, picked as the header, is a customer: a file without a header.

    Column names are never e-mail addresses, phones or tax ids; a cell of that kind whose
    column holds the same kind in the next row is data. Dates alone do not count (a
    report's header may be months).

    Example:
        >>> is_data_row(["Ana", "ana@example.com"], ["Luis", "luis@example.com"])
        True
        >>> is_data_row(["Nombre", "Email"], ["Ana", "ana@example.com"])
        False
    """
    kinds = {i: kind for i, value in enumerate(row) if (kind := _data_kind(value))}
    if not kinds:
        return False
    if below is None:
        return True
    return any(i < len(below) and _data_kind(below[i]) == kind for i, kind in kinds.items())


def generated_headers(width: int) -> list[str]:
    """``Column A``, ``Column B``, ... for a table without a header row."""
    from openpyxl.utils import get_column_letter

    return [f"Column {get_column_letter(i + 1)}" for i in range(width)]
