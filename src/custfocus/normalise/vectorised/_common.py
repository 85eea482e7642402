"""Shared plumbing: apply a per-value function once per distinct value of a column."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

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
