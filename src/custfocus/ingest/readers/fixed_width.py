"""Text tables whose columns are aligned with spaces instead of separated by a delimiter.

Two layouts are common: fixed-width exports (mainframes, ERPs, old reports) with a header
row aligned over the data, and space-aligned logs such as the CDNOW transaction file
(``00001 19970101  1   11.77``) whose header, when there is one, is a list of names
separated by spaces and not aligned over the values.

How: the columns are the runs of character positions that hold text on some data line;
the gaps between them are blank on every line (pandas' ``read_fwf(colspecs="infer")`` infers
the same way; it is not used because its inference is not public and a header that is not
aligned over the data needs its own reading). Read only when no delimiter splits the file
into consistent columns, and only when the layout could not come from a one-column file
of phrases (names with single spaces): at least three columns, or a gap of two spaces.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .header import is_data_row, looks_like_header

__all__ = ["FIXED_WIDTH", "FixedLayout", "fixed_width_rows", "infer_layout"]

#: The ``delimiter`` a fixed-width table is reported with.
FIXED_WIDTH = "fixed-width"
_MIN_DATA_LINES = 3


@dataclass(frozen=True)
class FixedLayout:
    """Where the columns of a space-aligned table are, and its header."""

    spans: tuple[tuple[int, int], ...]  # [start, end) of each column; the last runs on
    headers: tuple[str, ...] | None  # None: no header line, the first line is data
    header_index: int  # 0-based index of the header (or first data) line in the sample

    def split(self, line: str) -> list[str]:
        """The cells of one line; the last column takes the rest of the line."""
        line = line.rstrip("\r\n").expandtabs()
        starts = [start for start, _ in self.spans]
        ends = [end for _, end in self.spans[:-1]] + [max(len(line), self.spans[-1][1])]
        return [line[a:b].strip() for a, b in zip(starts, ends)]


def _spans(lines: Sequence[str]) -> list[tuple[int, int]]:
    """The runs of positions holding a non-blank character on at least one line."""
    width = max(len(line) for line in lines)
    filled = np.zeros(width + 1, dtype=bool)
    for line in lines:
        codes = np.frombuffer(line.encode("utf-32-le"), dtype=np.uint32)
        filled[: len(codes)] |= codes != ord(" ")
    edges = np.flatnonzero(np.diff(np.concatenate([[False], filled]).astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def _plausible(spans: list[tuple[int, int]]) -> bool:
    """Columns, not the words of a one-column file of phrases."""
    if len(spans) < 2:
        return False
    widest_gap = max(b[0] - a[1] for a, b in zip(spans, spans[1:]))
    return len(spans) >= 3 or widest_gap >= 2


def infer_layout(lines: Sequence[str]) -> FixedLayout | None:
    """The layout of a sample's lines (without line ends), or None if they are not a
    space-aligned table.

    Example:
        >>> layout = infer_layout(["id    date      amount", "00001 19970101   11.77",
        ...                        "00002 19970112  112.00", "00003 19970102    2.00"])
        >>> layout.headers, layout.split("00004 19970103    9.50")
        (('id', 'date', 'amount'), ['00004', '19970103', '9.50'])
    """
    texts = [line.rstrip("\r\n").expandtabs() for line in lines]
    filled = [(i, text) for i, text in enumerate(texts) if text.strip()]
    if len(filled) < _MIN_DATA_LINES + 1:
        return None
    first_index, first = filled[0]
    data = [text for _, text in filled[1:]]
    spans = _spans(data)
    if not _plausible(spans):
        return None
    together = _spans([first, *data])
    if len(together) == len(spans):  # the first line is aligned over the data
        spans = together
        layout = FixedLayout(tuple(spans), None, first_index)
        cells = layout.split(first)
    elif len(first.split()) == len(spans):  # names separated by spaces, not aligned
        cells = first.split()
    else:
        return None
    below = FixedLayout(tuple(spans), None, first_index).split(data[0])
    if is_data_row(cells, below) or not looks_like_header(cells):
        return FixedLayout(tuple(spans), None, first_index)
    return FixedLayout(tuple(spans), tuple(cells), first_index)


def fixed_width_rows(lines: Iterator[str], layout: FixedLayout, skip: int) -> Iterator[
        tuple[int, list[str]]]:
    """``(line number, cells)`` of every non-blank line after the first ``skip`` lines."""
    for number, line in enumerate(lines, 1):
        if number > skip and line.strip():
            yield number, layout.split(line)
