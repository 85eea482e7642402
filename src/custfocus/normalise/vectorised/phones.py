"""Whole-column :func:`custfocus.normalise.normalise_phone`.

The per-value function first tries ``_fast``: a clean "+CC digits" or national-digits
cell is checked against its region's libphonenumber patterns. That path is reproduced
here for a whole column at once:

* the allowed characters, the digits and the first three digits (for the country code)
  are found with numpy over the column's raw UTF-8 bytes (only ASCII cells qualify;
  anything else is left to the per-value function);
* rows are grouped by region (the one of their ``+CC`` prefix, or the column's default),
  and each group is checked with the region's own patterns, as anchored RE2 regexes
  (``pyarrow.compute.match_substring_regex``), in ``_fast``'s order.

Every row the fast path would not decide (``_fast`` returning ``None``: trunk prefixes,
letters, extensions, shared country codes, possible-but-invalid numbers, ...) and every
row it cannot be sure about goes to the per-value function once per distinct value.
The output therefore equals, row by row, ``normalise_phone(values[i], region)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from custfocus.normalise.phones import (
    _EMPTY,
    _FAST_CHARS,
    PhoneInfo,
    _region_rules,
    normalise_phone,
)
from custfocus.normalise.vectorised._common import map_distinct, string_bytes

__all__ = ["normalise_phone_column"]

_TYPES: dict[str, pa.DataType] = {
    "e164": pa.string(), "valid": pa.bool_(), "national": pa.string(),
    "region": pa.string(), "mobile": pa.bool_(),
}

# Byte weights for the ASCII cells that ``_FAST_CHARS`` accepts: a digit counts 1, a
# separator 0, anything else (including '+' and every byte of a non-ASCII character) 32.
# Summed per cell of at most 25 bytes, the sum // 32 counts the bytes that are not allowed
# and the sum % 32 the digits.
_WEIGHT_DIGIT, _WEIGHT_OTHER = 1, 32
_CHUNK_ROWS = 1 << 17  # rows per vectorised pass: keeps the byte-level temporaries small


@cache
def _byte_weights() -> np.ndarray:
    body = re.compile(r"[\d\s().\-]")  # the character class of _FAST_CHARS
    weights = np.full(256, _WEIGHT_OTHER, dtype=np.uint8)
    for b in range(128):
        if body.fullmatch(chr(b)):
            weights[b] = _WEIGHT_DIGIT if chr(b).isdigit() else 0
    return weights


@cache
def _fast_length_bounds() -> tuple[int, int]:
    # "{6,24}" in _FAST_CHARS; read it back so a change there cannot go unnoticed.
    found = re.search(r"\{(\d+),(\d+)\}\$$", _FAST_CHARS.pattern)
    if found is None or not _FAST_CHARS.pattern.startswith(r"^\+?["):
        raise RuntimeError(f"unexpected phones._FAST_CHARS: {_FAST_CHARS.pattern!r}")
    return int(found.group(1)), int(found.group(2))


@cache
def _country_code_table() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """``_fast``'s country-code loop for every possible 0-3 digit prefix of the digits.

    A prefix of length L and value v has key ``L * 1000 + v`` (so "034" and "34" differ,
    as they do for ``int(digits[:size])``). Returns per key: digits taken by the country
    code, index of its single region in the returned names (-1: ``_fast`` gives up).
    """
    sizes = np.zeros(4000, dtype=np.int8)
    region_index = np.full(4000, -1, dtype=np.int32)
    names: list[str] = []
    for length in range(4):
        for value in range(10 ** length if length else 1):
            digits = f"{value:0{length}d}" if length else ""
            for size in (1, 2, 3):
                regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:size] or 0))
                if regions:
                    break
            else:
                continue
            if len(regions) != 1:
                continue
            if regions[0] not in names:
                names.append(regions[0])
            key = length * 1000 + value
            sizes[key], region_index[key] = size, names.index(regions[0])
    return sizes, region_index, tuple(names)


def _regex_ok(pattern: str) -> bool:
    try:
        pc.match_substring_regex(pa.array(["0"], pa.string()), pattern)
    except (pa.ArrowException, ValueError):
        return False
    return True


def _anchored(rule: tuple[Any, frozenset[int]] | None) -> tuple[str, np.ndarray] | None:
    """A ``_region_rules`` rule as a full-match RE2 pattern and a table of allowed lengths."""
    if rule is None:
        return None
    _, high = _fast_length_bounds()
    allowed = np.zeros(high + 1, dtype=bool)  # national numbers here have at most ``high`` digits
    allowed[[n for n in rule[1] if 0 <= n <= high]] = True
    if not rule[1]:
        allowed[:] = True  # no lengths listed: _matches checks none
    return f"^(?:{rule[0].pattern})$", allowed


@cache
def _vector_rules(region: str) -> tuple[Any, ...] | None:
    """``_region_rules(region)`` as RE2 patterns; ``None`` if ``_fast`` gives up on the
    region or a pattern does not compile in RE2 (the region then takes the slow path)."""
    rules = _region_rules(region)
    if rules is None:
        return None
    code, general, prefix, (types, screen, fixed, mobile) = rules
    vector = (
        code,
        f"^(?:{prefix.pattern})" if prefix is not None else None,  # re.match: at the start
        _anchored(general),
        f"^(?:{screen.pattern})$" if screen is not None else None,
        tuple(_anchored(rule) for _, rule in types),
        _anchored(fixed),
        _anchored(mobile),
    )
    patterns = [vector[1], vector[3]] + [r[0] for r in (vector[2], *vector[4], *vector[5:]) if r]
    if not all(_regex_ok(p) for p in patterns if p is not None):
        return None
    return vector


def _per_row_sum(weights: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Sum of ``weights`` over each row's bytes (int32; 0 for empty rows)."""
    sums = np.zeros(len(offsets) - 1, dtype=np.int32)
    nonempty = np.flatnonzero(offsets[1:] > offsets[:-1])
    if len(nonempty):
        # reduceat sums from each start to the next one; empty rows are left out so
        # that every start is a real, increasing position.
        sums[nonempty] = np.add.reduceat(weights, offsets[nonempty], dtype=np.int32)
    return sums


def _matches(values: pa.Array, lengths: np.ndarray, rule: tuple[str, np.ndarray] | None,
             ) -> np.ndarray:
    """``phones._matches`` for every row: length allowed and full regex match."""
    if rule is None:
        return np.zeros(len(values), dtype=bool)
    pattern, allowed = rule
    return allowed[lengths] & pc.match_substring_regex(values, pattern).to_numpy(
        zero_copy_only=False)


def _decide_region(national: pa.Array, lengths: np.ndarray, rules: tuple[Any, ...],
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``_fast`` after the region is known, for rows of one region.

    Returns (decided, mobile, mobile_is_null) as numpy bool arrays.
    """
    _, prefix, general, screen, types, fixed, mobile = rules
    rows = len(national)
    passed = _matches(national, lengths, general)
    if prefix is not None:
        passed &= ~pc.match_substring_regex(national, prefix).to_numpy(zero_copy_only=False)
    typed = np.zeros(rows, dtype=bool)
    if screen is not None and passed.any():
        screened = passed & pc.match_substring_regex(national, screen).to_numpy(
            zero_copy_only=False)
        if screened.any():
            where = np.flatnonzero(screened)
            subset, sub_lengths = national.take(pa.array(where)), lengths[where]
            hit = np.zeros(len(where), dtype=bool)
            for rule in types:
                hit |= _matches(subset, sub_lengths, rule)
            typed[where] = hit
    is_fixed = _matches(national, lengths, fixed)
    is_mobile = _matches(national, lengths, mobile)
    decided = passed & (typed | is_fixed | is_mobile)
    # typed: mobile None; fixed: mobile = matches(mobile); else mobile: True (= is_mobile).
    return decided, is_mobile, typed


@dataclass
class _Decided:
    """What the vectorised fast path settled, gathered over the chunks of a column."""

    names: list[str]  # regions; indexes into it are what ``region`` holds
    rows: list[np.ndarray] = field(default_factory=list)  # positions in the column
    national: list[pa.Array] = field(default_factory=list)
    region: list[np.ndarray] = field(default_factory=list)
    mobile: list[np.ndarray] = field(default_factory=list)
    mobile_null: list[np.ndarray] = field(default_factory=list)


def _fast_chunk(values: pa.Array, default: int, first_row: int, out: _Decided) -> None:
    """The vectorised ``_fast`` for one slice of the column (``default``: index of the
    default region in ``out.names``, or -1); appends what it decides to ``out``."""
    offsets, data = string_bytes(values)
    if not len(data):
        return
    low, high = _fast_length_bounds()
    lengths = np.diff(offsets)
    plus = np.zeros(len(values), dtype=bool)
    nonempty = lengths > 0
    plus[nonempty] = data[offsets[:-1][nonempty]] == ord("+")
    body = lengths - plus
    weights = _byte_weights()[data]
    sums = _per_row_sum(weights, offsets)
    # Only cells of at most 25 bytes get here, so the sums decode exactly.
    candidate = (body >= low) & (body <= high) & (sums // _WEIGHT_OTHER == plus)
    if values.null_count:
        candidate &= values.is_valid().to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(candidate)
    if not len(rows):
        return

    # Digits of the candidate rows, compacted: one string per row.
    keep = weights == _WEIGHT_DIGIT
    if len(rows) < len(values):
        keep &= np.repeat(candidate, lengths)
    digits = data[keep]
    count = (sums[rows] % _WEIGHT_OTHER).astype(np.int64)
    digit_offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(count, out=digit_offsets[1:])
    plus = plus[rows]

    # Region: the default one, or from the first (up to) three digits after a '+', as
    # _fast's loop finds it.
    sizes = np.zeros(len(rows), dtype=np.int64)
    group = np.full(len(rows), default, dtype=np.int16)
    if plus.any():
        table_sizes, table_regions, _ = _country_code_table()
        value = np.zeros(len(rows), dtype=np.int64)
        for k in range(3):
            at = np.minimum(digit_offsets[:-1] + k, max(len(digits) - 1, 0))
            value = np.where(count > k, value * 10 + (digits[at].astype(np.int64) - 48), value)
        key = (np.minimum(count, 3) * 1000 + value)[plus]
        sizes[plus] = table_sizes[key]
        group[plus] = table_regions[key]

    # National number: the digits after the country code.
    national_count = count - sizes
    first_digit = np.full(len(rows), ord("0"), dtype=np.uint8)
    some = national_count > 0
    first_digit[some] = digits[(digit_offsets[:-1] + sizes)[some]]
    group[first_digit == ord("0")] = -1  # empty, or a leading 0: _fast gives up
    if sizes.any():
        drop = np.zeros(len(digits), dtype=bool)
        for k in range(3):
            drop[digit_offsets[:-1][sizes > k] + k] = True
        digits = digits[~drop]
    national_offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(national_count, out=national_offsets[1:])
    national_all = pa.LargeStringArray.from_buffers(
        len(rows), pa.py_buffer(national_offsets), pa.py_buffer(digits))

    # Rows grouped by region, each group a contiguous run of ``order``.
    present = np.unique(group)
    order = np.argsort(group, kind="stable") if len(present) > 1 else np.arange(len(rows))
    bounds = np.searchsorted(group[order], present)
    for index, begin, stop in zip(present, bounds, [*bounds[1:], len(rows)]):
        rules = _vector_rules(out.names[index]) if index >= 0 else None
        if rules is None:
            continue
        where = order[begin:stop]
        national = (national_all if len(where) == len(rows)
                    else national_all.take(pa.array(where)))
        decided, mobile, mobile_null = _decide_region(national, national_count[where], rules)
        if not decided.any():
            continue
        out.rows.append(first_row + rows[where[decided]])
        out.national.append(national.filter(pa.array(decided)))
        out.region.append(np.full(int(decided.sum()), index, dtype=np.int16))
        out.mobile.append(mobile[decided])
        out.mobile_null.append(mobile_null[decided])


@cache
def _e164_prefixes(names: tuple[str, ...]) -> pa.Array:
    """The "+CC" of each region (only regions with vector rules are ever looked up).

    Why from the country-code table and not the rules: building every region's rules
    compiles ~1,000 regexes, a second per process, for the one or two regions a file uses.
    """
    code_of = {region: code for code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items()
               for region in regions}
    return pa.array([f"+{code_of[name]}" if name in code_of else "" for name in names],
                    pa.string())


def _fast_column(values: pa.Array, region: str | None,
                 ) -> tuple[np.ndarray, dict[str, pa.Array]]:
    """Rows decided by the vectorised ``_fast`` (their positions) and their outputs."""
    names = list(_country_code_table()[2])
    if region and region not in names:
        names.append(region)
    out = _Decided(names)
    default = names.index(region) if region else -1
    for start in range(0, len(values), _CHUNK_ROWS):
        _fast_chunk(values.slice(start, _CHUNK_ROWS), default, start, out)
    if not out.rows:
        return np.zeros(0, dtype=np.int64), {}
    region_index = pa.array(np.concatenate(out.region))
    national = pa.concat_arrays(out.national).cast(pa.string())
    codes = _e164_prefixes(tuple(names))
    return np.concatenate(out.rows), {
        "e164": pc.binary_join_element_wise(codes.take(region_index), national, ""),
        "valid": pa.array(np.ones(len(national), dtype=bool)),
        "national": national,
        "region": pa.array(names, pa.string()).take(region_index),
        "mobile": pa.array(np.concatenate(out.mobile), mask=np.concatenate(out.mobile_null)),
    }


def _fields(info: PhoneInfo) -> tuple[Any, ...]:
    return info.e164, info.valid, info.national, info.region, info.mobile


def _as_string_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = (values.combine_chunks() if values.num_chunks
                  else pa.array([], values.type))
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = values.cast(pa.string())
    return values


def normalise_phone_column(values: pa.Array, region: str | None) -> dict[str, pa.Array]:
    """Normalise a whole phone column; element i equals ``normalise_phone(values[i], region)``.

    Args:
        values: A string column (``Array`` or ``ChunkedArray``; nulls allowed).
        region: The column's default ISO region for numbers without a country code.

    Returns:
        keys: "e164" (string), "valid" (bool), "national" (string), "region" (string),
        "mobile" (bool), each as long as ``values``; a null cell gives the fields of
        an empty :class:`~custfocus.normalise.PhoneInfo`.

    Example:
        >>> out = normalise_phone_column(pa.array(["612 34 56 78", None]), "ES")
        >>> out["e164"].to_pylist(), out["valid"].to_pylist()
        (['+34612345678', None], [True, False])
    """
    values = _as_string_array(values)
    upper = region.upper() if isinstance(region, str) and region else None
    decided, fast = _fast_column(values, upper)

    fallback = np.ones(len(values), dtype=bool)
    fallback[decided] = False
    rest = np.flatnonzero(fallback)
    slow = map_distinct(
        values.take(pa.array(rest)) if len(decided) else values,
        lambda text: _fields(normalise_phone(text, region)),
        _TYPES,
        null_result=_fields(_EMPTY),
    )
    if not len(decided):
        return slow
    if not len(rest) and bool(np.all(decided[1:] > decided[:-1])):
        return fast  # every row decided, already in input order
    # Rows are [decided..., rest...]; put them back in input order.
    order = np.empty(len(values), dtype=np.int64)
    order[np.concatenate([decided, rest])] = np.arange(len(values))
    indices = pa.array(order)
    return {name: pa.concat_arrays([fast[name], slow[name].cast(kind)]).take(indices)
            for name, kind in _TYPES.items()}
