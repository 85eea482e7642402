"""Whole-column :func:`~custfocus.normalise.fold`, :func:`~custfocus.normalise.clean_text` and
placeholder tests.

The vectorised path covers ASCII and the accented Latin letters of Spanish and Portuguese,
where Unicode decomposition plus dropping the marks is exactly what the per-value function
does; anything else (ligatures, ß, Greek...) goes through the per-value function.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from custfocus.normalise.text import PLACEHOLDER_VALUES, clean_text, fold, is_placeholder
from custfocus.normalise.vectorised._common import map_distinct, patch, string_array

__all__ = ["clean_text_column", "fold_column", "is_placeholder_column"]

# Letters whose NFKD form is an ASCII letter plus combining marks, and nothing else.
_FOLDABLE = r"^[\x{0000}-\x{007f}À-ÅÇ-ÏÑ-ÖÙ-Ýà-åç-ïñ-öù-ýÿ]*$"
_MARKS = r"[\x{0300}-\x{036f}]"
_PLACEHOLDERS = pa.array(sorted(PLACEHOLDER_VALUES), pa.string())
# Folding keeps every ASCII letter and digit, and no placeholder mixes letters and digits or
# has more than 14 letters or 5 digits: a value failing this cannot fold to a placeholder.
_MAYBE_PLACEHOLDER = (r"^[^A-Za-z0-9]*(?:(?:[A-Za-z][^A-Za-z0-9]*){0,14}"
                      r"|(?:[0-9][^A-Za-z0-9]*){1,5})$")


def fold_column(values: pa.Array) -> pa.Array:
    """:func:`fold` of every value; nulls stay null."""
    values = string_array(values)
    foldable = pc.fill_null(pc.match_substring_regex(values, _FOLDABLE), False)
    ascii_only = pc.fill_null(pc.string_is_ascii(values), False)
    decomposed = pc.if_else(ascii_only, values, pc.replace_substring_regex(
        pc.utf8_normalize(values, "NFKD"), _MARKS, ""))
    lowered = pc.ascii_lower(decomposed)
    folded = pc.utf8_trim(pc.replace_substring_regex(lowered, "[^a-z0-9]+", " "), " ")
    if pc.all(foldable).as_py() is not False:
        return folded
    rest = map_distinct(pc.if_else(foldable, pa.scalar(None, pa.string()), values),
                        lambda v: (fold(v),), {"f": pa.string()})["f"]
    return patch(folded, pc.invert(foldable), rest)


def is_placeholder_column(values: pa.Array) -> pa.Array:
    """:func:`is_placeholder` of every value (``False`` for null)."""
    values = string_array(values)
    long = pc.fill_null(pc.greater(pc.utf8_length(values), 256), False)
    if pc.any(long).as_py():
        # Too long to be a placeholder unless it is mostly whitespace: ask the original.
        odd = map_distinct(pc.if_else(long, values, pa.scalar(None, pa.string())),
                           lambda v: (is_placeholder(v),), {"p": pa.bool_()})["p"]
        short = pc.if_else(long, pa.scalar(None, pa.string()), values)
        return patch(_folds_to_placeholder(short), long, odd)
    return _folds_to_placeholder(values)


def _folds_to_placeholder(values: pa.Array) -> pa.Array:
    """Whether each value folds to a placeholder; folds only the distinct candidates."""
    maybe = pc.fill_null(pc.match_substring_regex(values, _MAYBE_PLACEHOLDER), False)
    found = np.zeros(len(values), dtype=bool)
    if pc.any(maybe).as_py():
        candidates = values.filter(maybe).dictionary_encode()
        hits = pc.is_in(fold_column(candidates.dictionary), value_set=_PLACEHOLDERS)
        found[np.flatnonzero(maybe.to_numpy(zero_copy_only=False))] = hits.take(
            candidates.indices).to_numpy(zero_copy_only=False)
    return pa.array(found)


def clean_text_column(values: pa.Array) -> pa.Array:
    """:func:`clean_text` of every value; nulls stay null."""
    values = string_array(values)
    printable = pc.fill_null(pc.match_substring_regex(values, r"^[\x{20}-\x{7e}]*$"), False)
    cleaned = pc.utf8_trim(pc.replace_substring_regex(values, " +", " "), " ")
    if pc.all(printable).as_py() is not False:
        return cleaned
    rest = map_distinct(pc.if_else(printable, pa.scalar(None, pa.string()), values),
                        lambda v: (clean_text(v),), {"c": pa.string()})["c"]
    return patch(cleaned, pc.invert(printable), rest)
