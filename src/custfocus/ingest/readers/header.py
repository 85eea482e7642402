"""Find the header row of a table that may have title lines, blank lines or notes above it.

Departmental files rarely start at A1: a report title, an export date and a blank line
above the real header are common. The header is the first row that looks like column
names (several short, mostly non-numeric texts) and is about as wide as the rows below it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["HEADER_SAMPLE_ROWS", "find_header_row", "is_blank"]

#: How many rows from the top the header may be looked for in.
HEADER_SAMPLE_ROWS = 30

# Numbers, amounts, percentages, dates and times: values, not column names.
_VALUE_LIKE = re.compile(r"^[\s+\-−(]*[€$£%]?[\d\s.,:/\-−'’()%€$£]*\d[\d\s.,:/\-−'’()%€$£]*$")
_MAX_HEADER_LENGTH = 80
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
        following = [count for count in counts[index + 1 :] if count][:_LOOKAHEAD]
        # A title such as "Informe | 2023" is much narrower than the rows that follow it.
        if following and counts[index] * 10 < max(following) * 6:
            continue
        return index
    if not any(counts):
        return 0
    widest = max(counts)
    return counts.index(widest)
