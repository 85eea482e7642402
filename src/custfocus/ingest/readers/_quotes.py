"""A quote that is never closed (or closed far too late) in a delimited file.

Why: RFC 4180 lets a quoted field hold line breaks, so one stray ``"`` makes every line
up to the next quote (or the end of the file) a single value: a 51-row export became one
record, with exit 0. A genuine multi-line value (an address, a note) holds a few lines of
text; a field holding several lines that each split, by the file's delimiter, as wide as
the header are rows that were swallowed. The import stops there and names the line where
the quote opened, never the value.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pyarrow.compute as pc

from custfocus.errors import BadInputError

from .table import Chunk, ColumnChunk

__all__ = ["SWALLOWED_ROWS", "LineCounter", "guard_quotes"]

#: Lines shaped like rows inside one value that make it swallowed rows, not text; narrow
#: files (three columns or fewer) need more, since a line of text holds a comma or two.
SWALLOWED_ROWS = 3
_NARROW_SWALLOWED_ROWS = 5


#: How many times longer than its column's typical value a value must be to be a short
#: swallow (one or two rows) when its lines split exactly as rows would.
SHORT_SWALLOW_LENGTH = 2.5


def _looks_like_rows(value: str, delimiter: str, width: int, column: int = 0,
                     typical: float | None = None) -> bool:
    """Whether ``value`` (of column ``column``) holds rows swallowed by an open quote.

    Long swallows: several lines that each split as wide as the header. Short ones (one
    or two rows) have a signature a multi-line text seldom has: the quote opened at the
    start of the field, so the value's first line is the rest of that row (exactly
    ``width - 1 - column`` delimiters), every line between is a whole row (``width - 1``),
    and the value is much longer than the column's ``typical`` (median) length.
    """
    lines = value.splitlines()
    need = max(1, width - 1)
    shaped = sum(1 for line in lines if line.count(delimiter) >= need)
    if shaped >= (SWALLOWED_ROWS if width > 3 else _NARROW_SWALLOWED_ROWS):
        return True
    if width < 3 or len(lines) < 2 or typical is None:
        return False
    counts = [line.count(delimiter) for line in lines]
    # Some line must split as a row would: the first (the quote opened before the last
    # column) or a later one (a whole row, or the closing row up to its last column).
    return (counts[0] == width - 1 - column and max(counts) >= min(2, width - 1)
            and all(c == width - 1 for c in counts[1:-1]) and counts[-1] <= width - 1
            and len(value) >= SHORT_SWALLOW_LENGTH * max(typical, 1.0))


def _typical_length(lengths: list[int] | np.ndarray) -> float:
    """The median length of a column's non-empty values in a chunk."""
    filled = np.asarray([n for n in lengths if n], dtype=float)
    return float(np.median(filled)) if filled.size else 0.0


def guard_quotes(
    chunks: Iterable[Chunk], *, path: Path, encoding: str, delimiter: str, headers: list[str]
) -> Iterator[Chunk]:
    """Pass ``chunks`` through; raise where a value swallowed rows through an open quote.

    Raises:
        BadInputError: naming the file, row, column and the line where the quote opened.
    """
    width = len(headers)
    for chunk in chunks:
        if isinstance(chunk, ColumnChunk):
            for column, values in enumerate(chunk.columns):
                breaks = pc.or_(pc.match_substring(values, "\n"), pc.match_substring(values, "\r"))
                if not pc.any(breaks).as_py():
                    continue
                lengths = pc.utf8_length(values).to_numpy(zero_copy_only=False)
                typical = _typical_length(np.nan_to_num(lengths.astype(float)).astype(int))
                for position in np.flatnonzero(breaks.to_numpy(zero_copy_only=False)):
                    value = values[int(position)].as_py()
                    if _looks_like_rows(value, delimiter, width, column, typical):
                        _fail(path, encoding, delimiter, headers, int(chunk.rows[position]), column)
        else:
            typical: dict[int, float] = {}
            for number, cells in chunk:
                for column, value in enumerate(cells):
                    if "\n" not in value and "\r" not in value:
                        continue
                    if column not in typical:
                        typical[column] = _typical_length(
                            [len(c[column]) for _, c in chunk if column < len(c)])
                    if _looks_like_rows(value, delimiter, width, column, typical[column]):
                        _fail(path, encoding, delimiter, headers, number, column)
        yield chunk


def _fail(
    path: Path, encoding: str, delimiter: str, headers: list[str], row: int, column: int
) -> None:
    """Raise the error, with the physical lines the record spans (read again, error path)."""
    first_line, cells, last_line = _record_lines(path, encoding, delimiter, row)
    opened = first_line + sum(_breaks(cell) for cell in cells[:column])
    raise BadInputError(
        f"a quote opened on line {opened} runs to line {last_line}: "
        f"{_breaks(cells[column]) + 1} lines were read as one value; close or remove the quote",
        file=str(path),
        row=row,
        column=headers[column] if column < len(headers) else None,
    )


def _breaks(value: str) -> int:
    return len(value.splitlines()) - 1 if value else 0


def _record_lines(
    path: Path, encoding: str, delimiter: str, row: int
) -> tuple[int, list[str], int]:
    """The first physical line of record ``row`` (1-based), its cells, and its last line."""
    # Only line structure matters here: latin-1 reads any bytes with the same line breaks
    # as the ASCII-compatible encodings (and as the line-by-line mixed reading).
    if "+" in encoding:
        encoding = "latin-1"
    with open(path, encoding=encoding, errors="replace", newline="") as handle:
        lines = LineCounter(handle)
        reader = csv.reader(lines, delimiter=delimiter)
        before = 0
        for number, cells in enumerate(reader, 1):
            if number == row:
                return before + 1, cells, lines.count
            before = lines.count
    return before + 1, [""], before + 1  # not found again: the numbers still point near


class LineCounter:
    """Counts the physical lines a ``csv.reader`` pulls from an iterable of lines.

    Row numbers count records; a quoted line break makes a record span several lines.
    """

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.count = 0

    def __iter__(self) -> LineCounter:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.count += 1
        return line
