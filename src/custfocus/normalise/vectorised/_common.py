"""Shared plumbing: apply a per-value function once per distinct value of a column."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def map_distinct(
    values: pa.Array,
    fn: Callable[[str], Sequence[Any]],
    types: dict[str, pa.DataType],
    null_result: Sequence[Any] | None = None,
) -> dict[str, pa.Array]:
    """Call ``fn`` once per distinct non-null value; spread its tuple results over the rows.

    Args:
        values: A string column (nulls allowed).
        fn: Maps one value to a tuple with one item per entry of ``types``, in order.
        types: Output column names and their Arrow types.
        null_result: What a null input gives (default: all ``None``).

    Returns:
        One array per output name, as long as ``values``.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    names = list(types)
    encoded = pc.dictionary_encode(values)
    distinct = encoded.dictionary.to_pylist()
    results = [fn(v) for v in distinct]
    indices = encoded.indices
    null_row = tuple(null_result) if null_result is not None else (None,) * len(names)
    out: dict[str, pa.Array] = {}
    has_nulls = values.null_count > 0
    for j, name in enumerate(names):
        column = pa.array([r[j] for r in results], types[name])
        taken = column.take(indices)
        if has_nulls:
            fill = null_row[j]
            taken = taken if fill is None else pc.fill_null(taken, pa.scalar(fill, types[name]))
        out[name] = taken
    return out


def patch(base: pa.Array, mask: pa.Array, replacement: pa.Array) -> pa.Array:
    """``base`` with the rows where ``mask`` is true taken from ``replacement``."""
    return pc.if_else(mask, replacement, base)


def string_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``values`` as one contiguous string (or large string) array."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = values.cast(pa.string())
    return values


def string_bytes(strings: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``(offsets, data)`` of a string array: row ``i`` is ``data[offsets[i]:offsets[i + 1]]``.

    ``offsets`` is int64 and starts at 0; ``data`` is a read-only view of the UTF-8 bytes.
    Null rows keep whatever bytes Arrow gave them (usually none).
    """
    n = len(strings)
    buffers = strings.buffers()
    if n == 0 or buffers[1] is None:  # some producers leave an all-null array unbuffered
        return np.zeros(n + 1, np.int64), np.zeros(0, np.uint8)
    offset_type = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    offsets = np.frombuffer(buffers[1], offset_type, n + 1,
                            strings.offset * np.dtype(offset_type).itemsize).astype(np.int64)
    data = np.frombuffer(buffers[2], np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    data = data[offsets[0]:offsets[-1]]
    return offsets - offsets[0], data


def bytes_to_strings(lengths: np.ndarray, data: np.ndarray) -> pa.Array:
    """A string array whose row ``i`` is the next ``lengths[i]`` bytes of ``data``."""
    offsets = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    large = offsets[-1] >= 2**31
    array = pa.Array.from_buffers(
        pa.large_string() if large else pa.string(),
        len(lengths),
        [None, pa.py_buffer(offsets if large else offsets.astype(np.int32)),
         pa.py_buffer(np.ascontiguousarray(data, np.uint8))],
    )
    return array.cast(pa.string()) if large else array


def by_width(
    offsets: np.ndarray, data: np.ndarray, rows: np.ndarray, widths: Sequence[int]
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Rows as fixed-width byte matrices, turning per-row scans into column operations.

    Yields ``(rows, matrix, lengths)`` per width bucket: each row's bytes left-aligned and
    followed by zero bytes. Rows longer than the last width are left out.
    """
    lengths = offsets[rows + 1] - offsets[rows]
    extended = np.concatenate([data, np.zeros(max(widths), np.uint8)])
    lower = -1
    for width in widths:
        chosen = np.flatnonzero((lengths > lower) & (lengths <= width))
        lower = width
        if not len(chosen):
            continue
        # every window of ``width`` bytes, then one copy of the rows' windows
        matrix = np.lib.stride_tricks.sliding_window_view(extended, width)[offsets[rows[chosen]]]
        size = lengths[chosen]
        matrix[np.arange(width) >= size[:, None]] = 0
        yield rows[chosen], matrix, size


def compact_rows(matrix: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Left-align the bytes ``keep`` marks in each row; returns the matrix and row lengths.

    Freed places at the right are zero bytes.
    """
    lengths = keep.sum(axis=1)
    if keep.all():
        return matrix, lengths
    width = matrix.shape[1]
    dropped = np.cumsum(~keep, axis=1, dtype=np.int16)  # bytes dropped up to each column
    most = int(dropped[:, -1].max())
    out = np.zeros_like(matrix)
    if most <= 8:  # usual: a few dropped bytes, so move whole columns by each shift
        for shift in range(most + 1):
            moving = keep[:, shift:] & (dropped[:, shift:] == shift)
            np.copyto(out[:, :width - shift], matrix[:, shift:], where=moving)
        return out, lengths
    rows, columns = np.nonzero(keep)
    out[rows, columns - dropped[rows, columns]] = matrix[rows, columns]
    return out, lengths


def gather(
    n: int,
    parts: Sequence[tuple[np.ndarray, dict[str, pa.Array]]],
    types: dict[str, pa.DataType],
) -> dict[str, pa.Array]:
    """Put results computed on subsets of a column back into row order.

    Args:
        n: Length of the column.
        parts: ``(rows, columns)`` pairs: ``rows`` are the positions (together a
            partition of ``range(n)``) whose results ``columns`` hold, in that order.
        types: Output column names and their Arrow types.
    """
    parts = [(rows, columns) for rows, columns in parts if len(rows)]
    if len(parts) == 1 and len(parts[0][0]) == n and (np.diff(parts[0][0]) > 0).all():
        return {name: parts[0][1][name].cast(type_) for name, type_ in types.items()}
    position = np.empty(n, np.int64)
    start = 0
    for rows, _ in parts:
        position[rows] = np.arange(start, start + len(rows))
        start += len(rows)
    if start != n:
        raise ValueError("parts do not cover the column")
    indices = pa.array(position)
    out: dict[str, pa.Array] = {}
    for name, type_ in types.items():
        pieces = [columns[name].cast(type_) for _, columns in parts]
        joined = pa.concat_arrays(pieces) if pieces else pa.array([], type_)
        out[name] = joined.take(indices)
    return out
