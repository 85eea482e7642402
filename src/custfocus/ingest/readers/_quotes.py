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


def _looks_like_rows(value: str, delimiter: str, width: int) -> bool:
    need = max(1, width - 1)
    shaped = sum(1 for line in value.splitlines() if line.count(delimiter) >= need)
    return shaped >= (SWALLOWED_ROWS if width > 3 else _NARROW_SWALLOWED_ROWS)


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
                for position in np.flatnonzero(breaks.to_numpy(zero_copy_only=False)):
                    value = values[int(position)].as_py()
                    if _looks_like_rows(value, delimiter, width):
                        _fail(path, encoding, delimiter, headers, int(chunk.rows[position]), column)
        else:
            for number, cells in chunk:
                for column, value in enumerate(cells):
                    if ("\n" in value or "\r" in value) and _looks_like_rows(
                        value, delimiter, width
                    ):
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
