"""Arrow's CSV parser as the fast path for large, well-formed delimited files.

Why: Python's ``csv`` module builds a list of strings per row, which alone costs more than
a second per million rows before any work is done; Arrow parses straight into columns in
C++. The Python reader stays the reference: this path must hand out exactly the rows and
row numbers it would, and wherever Arrow cannot promise that (a ragged row, a value beyond
the header's width, a title block with quoted line breaks, a decoding problem) it hands
over to the Python reader at the first row not yet given out, so the import neither loses
nor repeats a row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .table import Chunk, ColumnChunk, Row, chunked

__all__ = ["ARROW_ENCODINGS", "arrow_chunks"]

#: Encodings Arrow reads natively (UTF-8, BOM skipped) or through a Python decoder.
ARROW_ENCODINGS = {"utf-8": "utf8", "utf-8-sig": "utf8", "cp1252": "cp1252",
                   "latin-1": "latin-1", "iso8859-1": "latin-1", "iso8859-15": "iso8859-15"}
_BLOCK_BYTES = 16 << 20  # a row longer than this makes Arrow give up; the fallback reads it


class _HandOver(Exception):
    """Arrow met something only the Python reader reproduces exactly."""


def arrow_chunks(
    path, *, encoding: str, delimiter: str, skip_lines: int, header_row: int, file_width: int,
    width: int, first_rows: list[Row], size: int, python_rows: Callable[[], Iterator[Row]],
) -> Iterator[Chunk]:
    """The data rows after ``header_row`` in chunks of ``size``, column-wise while Arrow can.

    ``skip_lines`` is how many physical lines the records up to the header span;
    ``file_width`` is the header line's cell count and ``width`` the header's width once
    empty trailing columns are dropped; ``first_rows`` are the first data rows as the
    Python reader gave them, to check that Arrow starts at the same row with the same
    number. ``python_rows`` restarts the Python reader for the hand-over.
    """
    resume = header_row + 1  # the number of the first row not handed out yet
    try:
        for chunk in _arrow_part(path, encoding, delimiter, skip_lines, header_row,
                                 file_width, width, first_rows, size):
            yield chunk
            resume = int(chunk.rows[-1]) + 1
        return
    except (_HandOver, pa.ArrowException, UnicodeError, ValueError, LookupError):
        pass
    yield from chunked((row for row in python_rows() if row[0] >= resume), size)


def _arrow_part(path, encoding: str, delimiter: str, skip_lines: int, header_row: int,
                file_width: int, width: int, first_rows: list[Row],
                size: int) -> Iterator[ColumnChunk]:
    names = [f"c{i}" for i in range(file_width)]
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            skip_rows=skip_lines, column_names=names, block_size=_BLOCK_BYTES,
            encoding=ARROW_ENCODINGS[encoding]),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
            quoted_strings_can_be_null=False),
    )
    number = header_row + 1  # Arrow keeps blank lines as empty rows, so numbers stay right
    unchecked = list(first_rows)
    pending: list[ColumnChunk] = []
    held = 0
    for batch in reader:
        count = batch.num_rows
        numbers = np.arange(number, number + count, dtype=np.int64)
        number += count
        columns = [batch.column(i) for i in range(file_width)]
        filled = [pc.not_equal(c, "") for c in columns]
        if file_width > width and pc.any(_any(filled[width:], count)).as_py():
            raise _HandOver  # a value beyond the header: the Python reader keeps it ragged
        keep = _any(filled[:width], count)
        part = ColumnChunk(numbers[keep.to_numpy(zero_copy_only=False)],
                           [c.filter(keep) for c in columns[:width]])
        if unchecked:
            unchecked = _check_start(part, unchecked)
        pending.append(part)
        held += len(part)
        while held >= size:
            chunk, pending = _take(pending, size)
            held -= size
            yield chunk
    if unchecked:
        raise _HandOver  # fewer rows than the Python reader saw
    if held:
        yield _take(pending, held)[0]


def _any(masks: list[pa.Array], count: int) -> pa.Array:
    out = pa.array(np.zeros(count, dtype=bool))
    for mask in masks:
        out = pc.or_(out, mask)
    return out


def _check_start(part: ColumnChunk, expected: list[Row]) -> list[Row]:
    """Compare the first rows with the Python reader's; return those still to compare."""
    k = min(len(part), len(expected))
    for position in range(k):
        number, cells = expected[position]
        if int(part.rows[position]) != number or part.cells(position) != cells:
            raise _HandOver
    return expected[k:]


def _take(parts: list[ColumnChunk], size: int) -> tuple[ColumnChunk, list[ColumnChunk]]:
    """The first ``size`` rows of ``parts`` as one chunk, and what is left."""
    out_rows, out_columns, left, need = [], [], [], size
    for part in parts:
        if need <= 0:
            left.append(part)
            continue
        take = min(need, len(part))
        out_rows.append(part.rows[:take])
        out_columns.append([c.slice(0, take) for c in part.columns])
        if take < len(part):
            left.append(ColumnChunk(part.rows[take:], [c.slice(take) for c in part.columns]))
        need -= take
    columns = [pa.concat_arrays([cols[i] for cols in out_columns])
               for i in range(len(out_columns[0]))] if out_columns else []
    return ColumnChunk(np.concatenate(out_rows), columns), left
