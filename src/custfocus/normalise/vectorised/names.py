"""Whole-column name parsing: what :func:`~custfocus.normalise.parse_name`,
:func:`~custfocus.normalise.name_key` and :func:`~custfocus.normalise.is_placeholder_name`
give for each row.

Why per part: given names and surnames repeat far more than whole names do, so the
expensive work (casing, folding, the given-name dictionary) is done once per distinct
given name and once per distinct surname, and only the cheap joins are done per pair.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from custfocus.normalise.names import (
    _PLACEHOLDER_NAMES,
    _SPLIT_ORGANISATIONS,
    PARTICLES,
    _case_tokens,
    _split_full,
    is_organisation_name,
    is_placeholder_name,
    name_key,
    name_tokens,
    organisation_key,
    parse_name,
)
from custfocus.normalise.text import PLACEHOLDER_VALUES, clean_text, fold
from custfocus.normalise.vectorised._common import map_distinct

__all__ = ["NAME_TYPES", "full_name_columns", "split_name_columns"]

NAME_TYPES: dict[str, pa.DataType] = {
    "given_name": pa.string(),
    "family_name": pa.string(),
    "full_name": pa.string(),
    "name_key": pa.string(),
    "name_placeholder": pa.bool_(),
}
_MAX_LENGTH = 512  # parse_name reads this much of each part


def _person_fields(placeholder: bool, raw: str, person_of: object) -> tuple:
    if placeholder:
        return None, None, clean_text(raw), None, True
    person = person_of()  # type: ignore[operator]
    return (person.given or None, person.family or None, person.full or None,
            name_key(person) or None, False)


_WORD = "[A-Za-zÀ-ÖØ-öø-ÿ]+"
# Latin words with single spaces, optionally "FAMILY, Given": nearly every exported name.
_SIMPLE_NAME = re.compile(f"{_WORD}(?: {_WORD})*(?:, {_WORD}(?: {_WORD})*)?")


def _is_placeholder_fold(folded: str) -> bool:
    compact = folded.replace(" ", "")
    return (folded in _PLACEHOLDER_NAMES or folded in PLACEHOLDER_VALUES or len(compact) <= 1
            or compact.isdigit() or len(set(compact)) == 1)


def _simple_full(value: str) -> tuple | None:
    """:func:`_full_one` for a simple name, word by word; ``None`` for any other shape.

    Why: for such a name cleaning changes nothing and folding works word by word, so the
    whole-string Unicode passes of the per-value functions reduce to cached words.
    """
    if len(value) > 256 or not _SIMPLE_NAME.fullmatch(value):
        return None
    head, comma, tail = value.partition(", ")
    words = value.replace(", ", " ").split(" ")
    folds = [fold(word) for word in words]  # each letter of _WORD folds to letters
    if _is_placeholder_fold(" ".join(folds)):
        return None, None, value, None, True
    if comma:
        given_tokens, family_tokens = tail.split(" "), head.split(" ")
    else:
        given_tokens, family_tokens = _split_full(words)
    given = _case_tokens(given_tokens, first_is_start=True)
    family = _case_tokens(family_tokens, first_is_start=not given_tokens)
    key = " ".join(sorted(f for f in (fold(t) for t in given + family) if f not in PARTICLES))
    return (" ".join(given) or None, " ".join(family) or None, " ".join(given + family),
            key or None, False)


def _full_one(value: str) -> tuple:
    cleaned = clean_text(value[:_MAX_LENGTH])  # what parse_name reads
    if _SPLIT_ORGANISATIONS and is_organisation_name(cleaned) and not is_placeholder_name(value):
        # Not a person: no given or family name, and the organisation's key.
        return None, None, cleaned or None, organisation_key(cleaned) or None, False
    simple = _simple_full(value)
    if simple is not None:
        return simple
    return _person_fields(is_placeholder_name(value), value, lambda: parse_name(full=value))


def full_name_columns(full: pa.Array) -> dict[str, pa.Array]:
    """Name fields of rows whose name is one "full name" cell (nulls give nulls)."""
    return map_distinct(full, _full_one, NAME_TYPES)


@lru_cache(maxsize=131_072)
def _given_part(given: str) -> tuple[str, tuple[str, ...], str]:
    tokens = clean_text(given[:_MAX_LENGTH].replace(",", " ")).split()
    cased = " ".join(_case_tokens(tokens, first_is_start=True))
    return cased, tuple(name_tokens(cased)), fold(given)


@lru_cache(maxsize=131_072)
def _family_part(family: str, after_given: bool) -> tuple[str, tuple[str, ...], str]:
    tokens = clean_text(family[:_MAX_LENGTH].replace(",", " ")).split()
    cased = " ".join(_case_tokens(tokens, first_is_start=not after_given))
    return cased, tuple(name_tokens(cased)), fold(family)


def _split_one(given: str, family: str) -> tuple:
    raw = f"{given} {family}"
    if len(raw) > 256 and len(raw.strip()) > 256:
        # Junk-sized cells: the per-value functions decide, as they would.
        return _person_fields(is_placeholder_name(raw), raw,
                              lambda: parse_name(given=given, family=family))
    g_cased, g_tokens, g_fold = _given_part(given)
    f_cased, f_tokens, f_fold = _family_part(family, bool(g_cased))
    folded = f"{g_fold} {f_fold}" if g_fold and f_fold else g_fold or f_fold
    compact = folded.replace(" ", "")
    if (folded in _PLACEHOLDER_NAMES or folded in PLACEHOLDER_VALUES or len(compact) <= 1
            or compact.isdigit() or len(set(compact)) == 1):
        return None, None, clean_text(raw), None, True
    full = f"{g_cased} {f_cased}" if g_cased and f_cased else g_cased or f_cased
    key = " ".join(sorted(g_tokens + f_tokens))
    return g_cased or None, f_cased or None, full or None, key or None, False


def split_name_columns(given: pa.Array, family: pa.Array) -> dict[str, pa.Array]:
    """Name fields of rows whose name comes as given name(s) plus surname(s).

    A null in both inputs gives nulls; a null in one is read as an empty part.
    """
    given = given.combine_chunks() if isinstance(given, pa.ChunkedArray) else given
    family = family.combine_chunks() if isinstance(family, pa.ChunkedArray) else family
    g_enc, f_enc = pc.dictionary_encode(given), pc.dictionary_encode(family)
    g_values = g_enc.dictionary.to_pylist() + [""]
    f_values = f_enc.dictionary.to_pylist() + [""]
    gi = pc.fill_null(g_enc.indices, len(g_values) - 1).to_numpy().astype(np.int64)
    fi = pc.fill_null(f_enc.indices, len(f_values) - 1).to_numpy().astype(np.int64)
    pair = gi * len(f_values) + fi
    distinct, inverse = np.unique(pair, return_inverse=True)
    results = [_split_one(g_values[p // len(f_values)], f_values[p % len(f_values)])
               for p in distinct.tolist()]
    empty = pc.and_(pc.is_null(given), pc.is_null(family))
    indices = pa.array(inverse.reshape(-1))
    out = {}
    for j, (name, kind) in enumerate(NAME_TYPES.items()):
        column = pa.array([r[j] for r in results], kind).take(indices)
        out[name] = pc.if_else(empty, pa.scalar(None, kind), column)
    return out
