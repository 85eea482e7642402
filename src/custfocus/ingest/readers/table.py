"""The two results every reader produces: a :class:`SourceFile` holding :class:`RawTable` s.

A table is *raw* on purpose: every cell is the text the user saw, nothing is typed or
renamed here, so later stages can report problems against the original row numbers.
Rows are produced lazily by a factory the reader supplies, which keeps memory bounded and
lets ``rows()`` be called more than once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

__all__ = ["Chunk", "ColumnChunk", "Row", "RawTable", "SourceFile", "chunked", "clean_header",
           "fit_headers"]

#: ``(row_number, cells)``: the row number a spreadsheet app shows, and the cell texts.
Row = tuple[int, list[str]]


@dataclass
class ColumnChunk:
    """Rows held column by column, as a columnar parser (Arrow's CSV reader) yields them.

    Why: a million rows cost a Python list each when read row by row; here the cells stay
    in Arrow memory from the parser to the store. Every row has exactly one cell per header
    (no ragged rows), none is blank, and ``rows`` holds the row numbers a spreadsheet shows.
    """

    rows: np.ndarray
    columns: list[pa.Array]

    def __len__(self) -> int:
        return len(self.rows)

    def cells(self, position: int) -> list[str]:
        """One row's cells as texts (for the few rows that become rejects)."""
        return [column[position].as_py() for column in self.columns]

    def cell_lists(self) -> pa.ListArray:
        """Every row's cells as one list per row, the shape ``raw_rows`` stores."""
        n, width = len(self.rows), len(self.columns)
        if not width:
            return pa.array([[] for _ in range(n)], pa.list_(pa.string()))
        values = pa.concat_arrays(self.columns)
        # Column-major to row-major: row r, column c sits at c * n + r.
        order = (np.arange(width, dtype=np.int64) * n)[None, :] + np.arange(
            n, dtype=np.int64)[:, None]
        offsets = np.arange(0, n * width + 1, width, dtype=np.int32)
        return pa.ListArray.from_arrays(pa.array(offsets), values.take(pa.array(order.ravel())))


#: What a table yields for import: rows as lists, or a :class:`ColumnChunk`.
Chunk = list[Row] | ColumnChunk


def _no_rows() -> Iterator[Row]:
    return iter(())


@dataclass
class RawTable:
    """One sheet (or one flat file) as header texts plus a re-iterable stream of rows."""

    file: Path
    sheet: str | None
    label: str
    headers: list[str]
    header_row: int
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    #: About how many rows the table holds, when the reader can tell cheaply (else None).
    row_estimate: int | None = None
    _row_factory: Callable[[], Iterator[Row]] = field(default=_no_rows, repr=False, compare=False)
    _chunk_factory: Callable[[int], Iterator[Chunk]] | None = field(
        default=None, repr=False, compare=False)

    def rows(self) -> Iterator[Row]:
        """Data rows below the header, in file order; blank rows are not yielded.

        Each call starts again from the top of the file, so callers may make several passes.
        """
        return self._row_factory()

    def chunks(self, size: int = 50_000) -> Iterator[list[Row]]:
        """The rows in lists of at most ``size``, for batched inserts."""
        if size < 1:
            raise ValueError("chunk size must be at least 1")
        return chunked(self.rows(), size)

    def import_chunks(self, size: int = 50_000) -> Iterator[Chunk]:
        """The rows for import, in chunks of at most ``size``: column-wise where the reader
        can parse columns directly, else as :meth:`chunks`. Same rows, same numbers."""
        if size < 1:
            raise ValueError("chunk size must be at least 1")
        if self._chunk_factory is not None:
            return self._chunk_factory(size)
        return self.chunks(size)


def chunked(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    """``rows`` in lists of at most ``size``."""
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class SourceFile:
    """An input file: its identity (hash, size) and the tables worth importing from it."""

    path: Path
    kind: str
    content_hash: str
    size: int
    tables: list[RawTable] = field(default_factory=list)
    hidden_sheets: list[str] = field(default_factory=list)
    empty_sheets: list[str] = field(default_factory=list)


def clean_header(text: str) -> str:
    """Strip the whitespace, BOMs and line breaks exports leave around header texts."""
    return text.strip().strip("\ufeff").strip()


def fit_headers(headers: list[str], sample: list[list[str]]) -> tuple[list[str], int]:
    """Drop trailing unnamed columns that are empty in ``sample``; return headers and count.

    Why: exports often end every line with stray delimiters (``a;b;c;;;``). Rows are later
    cut back to the header width only where the cut part is empty, so nothing is lost.
    """
    width = len(headers)
    while (
        width
        and headers[width - 1] == ""
        and not any(len(row) >= width and row[width - 1].strip() for row in sample)
    ):
        width -= 1
    return headers[:width], len(headers) - width


def fit_row(cells: list[str], width: int) -> list[str]:
    """Cut ``cells`` to ``width`` when the excess is empty; otherwise keep it, trimmed.

    Trailing empties beyond the header are noise, but a value there is data the caller must
    see (it makes the row ragged, which the caller can reject).
    """
    if len(cells) <= width:
        return cells
    extra = cells[width:]
    if not any(extra):
        return cells[:width]
    end = len(cells)
    while cells[end - 1] == "":
        end -= 1
    return cells[:end]
