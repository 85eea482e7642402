"""Whole-column :func:`custfocus.normalise.parse_amount`.

Why: amounts are nearly unique per row, so a per-distinct-value call is a call per row.
Cells shaped ``[sign][currency][-]number[currency]`` (``"1.234,56"``, ``"-5"``,
``"R$ 1.234,56"``, ``"1.234,56 €"``, ``"USD -12.50"``) are parsed here on the raw UTF-8
bytes with NumPy, reproducing the per-value steps exactly: the spaces it deletes, its sign
rules, its currency table and ``_to_float``'s per-value vote on the decimal separator. The
float is ``digits / 10**k`` computed exactly (at most 15 digits), which is what Python's
correctly rounded ``float()`` gives. Everything else (parentheses, trailing minus,
``1e3``, ``S/.``, other characters, longer numbers) goes to the per-value function once
per distinct value.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from custfocus.normalise.amounts import _CURRENCY_CODES, _MAX_LENGTH, AMOUNT_LIMIT, parse_amount
from custfocus.normalise.vectorised._common import (
    by_width,
    compact_rows,
    gather,
    map_distinct,
    string_array,
    string_bytes,
)

__all__ = ["parse_amount_column"]

TYPES: dict[str, pa.DataType] = {"value": pa.float64(), "currency": pa.string()}

_MAX_DIGITS = 15  # below 2**53: the digits and 10**k are exact floats, so is their ratio
_MAX_AFFIX = 7  # bytes of sign + currency + sign before the number (or currency after it)
_MAX_BYTES = 4 * _MAX_LENGTH  # 64 characters of up to 4 UTF-8 bytes
_WIDTHS = (8, 10, 12, 14, 16, 20, 24, 32, 64, _MAX_BYTES)  # row-width buckets (bytes)


def _byte_table(characters: bytes) -> np.ndarray:
    table = np.zeros(256, bool)
    table[np.frombuffer(characters, np.uint8)] = True
    return table


_IS_NUMBER = _byte_table(b"0123456789.,")
_IS_DIGIT = _byte_table(b"0123456789")
_IS_NONZERO = _byte_table(b"123456789")
_SPACE_START = _byte_table(b" '\xc2\xe2")  # first bytes of what _SPACES deletes
_COUNTS = np.zeros(256, np.uint32)  # digits, commas and dots counted in one byte each
_COUNTS[np.frombuffer(b"0123456789", np.uint8)] = 1
_COUNTS[ord(",")] = 1 << 8
_COUNTS[ord(".")] = 1 << 16
_MULTIPLIER = np.ones(256, np.uint8)  # Horner step: x * 10 + digit, or x * 1 + 0
_MULTIPLIER[np.frombuffer(b"0123456789", np.uint8)] = 10
_DIGIT_VALUE = np.zeros(256, np.uint8)
_DIGIT_VALUE[np.frombuffer(b"0123456789", np.uint8)] = np.arange(10)
_LOWER = np.arange(256, dtype=np.uint64)
_LOWER[ord("A"):ord("Z") + 1] += 32

# Currency tokens handled here. "s/" and "s/." are left out: in "S/.5" the dot belongs
# to the token for the per-value function.
_TOKENS = [t for t in _CURRENCY_CODES if "/" not in t and "." not in t]


def _key(text: bytes) -> int:
    """``text`` (at most 7 bytes) and its length packed in one integer."""
    return int.from_bytes(text, "little") | (len(text) << 56)


def _affix_table(entries: dict[bytes, tuple]) -> tuple[np.ndarray, list[tuple]]:
    keys = np.array(sorted(_key(k) for k in entries), np.uint64)
    by_key = {_key(k): v for k, v in entries.items()}
    return keys, [by_key[int(k)] for k in keys]


def _heads() -> dict[bytes, tuple[bool, bool, str | None]]:
    """What may precede the number: ``[-+]?(currency)?-?`` -> (negative, has currency, code).

    The per-value function strips one leading "-", then the currency, then a "-"; a "+" is
    stripped last and only when no "-" was, so "+R$5" and "+-5" are not numbers (left to it).
    """
    heads: dict[bytes, tuple[bool, bool, str | None]] = {}
    for a in ("", "-", "+"):
        for token in ("", *_TOKENS):
            for b in ("", "-"):
                if a == "+" and (token or b):
                    continue
                heads[(a + token + b).encode()] = (
                    "-" in (a, b), bool(token), _CURRENCY_CODES.get(token))
    return heads


def _tails() -> dict[bytes, tuple[bool, bool, str | None]]:
    return {t.encode(): (False, bool(t), _CURRENCY_CODES.get(t)) for t in ("", *_TOKENS)}


_HEAD_KEYS, _HEAD_VALUES = _affix_table(_heads())
_TAIL_KEYS, _TAIL_VALUES = _affix_table(_tails())
_CURRENCY_NAMES = [None, *sorted(set(filter(None, _CURRENCY_CODES.values())))]


def _columns(entries: list[tuple]) -> tuple[np.ndarray, ...]:
    """(negative, has currency, currency index) arrays; index -1 (not found) reads last."""
    negative = np.array([e[0] for e in entries] + [False])
    has = np.array([e[1] for e in entries] + [False])
    currency = np.array([_CURRENCY_NAMES.index(e[2]) for e in entries] + [0])
    return negative, has, currency


_HEAD_NEGATIVE, _HEAD_HAS, _HEAD_CURRENCY = _columns(_HEAD_VALUES)
_, _TAIL_HAS, _TAIL_CURRENCY = _columns(_TAIL_VALUES)


def _affix_keys(matrix: np.ndarray, start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Keys (see :func:`_key`) of the lower-cased runs ``matrix[i, start[i]:][:length[i]]``."""
    keys = length.astype(np.uint64) << np.uint64(56)
    rows = np.arange(len(matrix))
    last = matrix.shape[1] - 1
    for k in range(_MAX_AFFIX):
        inside = length > k
        if not inside.any():
            break
        byte = _LOWER[matrix[rows, np.minimum(start + k, last)]]
        keys |= np.where(inside, byte, np.uint64(0)) << np.uint64(8 * k)
    return keys


def _look_up(keys: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Index of each key in ``table`` (sorted), or -1."""
    at = np.minimum(np.searchsorted(table, keys), len(table) - 1)
    return np.where(table[at] == keys, at, -1)


def _spaces(matrix: np.ndarray) -> np.ndarray | None:
    """Bytes of what the per-value ``_SPACES`` deletes among " ", "'", NBSP, U+202F, U+2009.

    ``None`` when there are none. Other whitespace stays, so such cells fail the shape
    below and go to the per-value path.
    """
    if not _SPACE_START[matrix].any():
        return None
    drop = (matrix == 0x20) | (matrix == 0x27)
    if matrix.shape[1] >= 2 and (matrix == 0xC2).any():
        nbsp = (matrix[:, :-1] == 0xC2) & (matrix[:, 1:] == 0xA0)
        drop[:, :-1] |= nbsp
        drop[:, 1:] |= nbsp
    if matrix.shape[1] >= 3 and (matrix == 0xE2).any():
        narrow = (matrix[:, :-2] == 0xE2) & (matrix[:, 1:-1] == 0x80) & (
            (matrix[:, 2:] == 0xAF) | (matrix[:, 2:] == 0x89))
        drop[:, :-2] |= narrow
        drop[:, 1:-1] |= narrow
        drop[:, 2:] |= narrow
    return drop


def _last(mask: np.ndarray) -> np.ndarray:
    """Column of each row's last marked byte, or -1."""
    at = mask.shape[1] - 1 - np.argmax(mask[:, ::-1], axis=1)
    return np.where(mask[np.arange(len(mask)), at], at, -1)


def _parse(matrix: np.ndarray, lengths: np.ndarray, decimal: str) -> tuple[np.ndarray, ...]:
    """Parse rows of raw bytes (zero bytes after ``lengths``): handled, value, currency index."""
    n, width = matrix.shape
    rows = np.arange(n)
    characters = lengths
    if matrix.max(initial=0) >= 0x80:  # UTF-8 continuation bytes are no characters
        characters = lengths - ((matrix & 0xC0) == 0x80).sum(axis=1)
    ok = (characters >= 1) & (characters <= _MAX_LENGTH)
    drop = _spaces(matrix)
    if drop is not None:
        matrix, lengths = compact_rows(matrix, ~drop & (np.arange(width) < lengths[:, None]))
    # zero bytes (padding, or a NUL in the text) are no number, digit or mark below; the
    # affixes are cut by ``lengths``, so a NUL in them makes the lookup fail.

    # one run of [0-9.,]: the number; what precedes and follows it is looked up
    is_number = _IS_NUMBER[matrix]
    run_start = is_number.copy()
    run_start[:, 1:] &= ~is_number[:, :-1]
    # per row: digits, commas, dots and number runs, one byte each (rows of more than 64
    # characters overflow, but they are rejected already)
    counts = (_COUNTS[matrix] | (run_start.view(np.uint8).astype(np.uint32) << 24)).sum(
        axis=1, dtype=np.uint32)
    digits, commas = counts & 255, (counts >> 8) & 255
    dots, runs = (counts >> 16) & 255, counts >> 24
    ok &= runs == 1
    first = np.argmax(run_start, axis=1)
    last = _last(is_number)
    head_length, tail_length = first, lengths - last - 1
    ok &= (head_length <= _MAX_AFFIX) & (tail_length <= _MAX_AFFIX)
    head_length, tail_length = np.where(ok, head_length, 0), np.where(ok, tail_length, 0)
    head = _look_up(_affix_keys(matrix, np.zeros(n, np.int64), head_length), _HEAD_KEYS)
    tail = _look_up(_affix_keys(matrix, last + 1, tail_length), _TAIL_KEYS)
    ok &= (head >= 0) & (tail >= 0)
    ok &= ~(_HEAD_HAS[head] & _TAIL_HAS[tail])  # per-value: the suffix stays in the number

    # the number: "^\d[\d.,]*$|^[.,]\d+$", at most _MAX_DIGITS digits
    ok &= _IS_DIGIT[matrix[rows, first]] | ((commas + dots == 1) & (last > first))
    ok &= digits <= _MAX_DIGITS

    # _vote: both marks -> the later one; one mark repeated -> the other one; one mark
    # once -> that one unless three digits follow a non-zero integer part.
    last_comma, last_dot = _last(matrix == ord(",")), _last(matrix == ord("."))
    single_at = np.where(commas > 0, last_comma, last_dot)
    nonzero = _IS_NONZERO[matrix]
    first_nonzero = np.argmax(nonzero, axis=1)
    zero_integer = ~nonzero[rows, first_nonzero] | (first_nonzero > single_at)
    single_decides = (last - single_at != 3) | zero_integer
    column_comma = decimal == ","
    decimal_is_comma = np.select(
        [(commas > 0) & (dots > 0), commas > 1, commas == 1, dots > 1, dots == 1],
        [last_comma > last_dot, False, single_decides | column_comma,
         True, ~single_decides & column_comma],
        column_comma,
    )
    # thousands marks go; the decimal mark counts only when it occurs once, and then the
    # digits after it are the fraction (all that follows it, unless marks follow too)
    has_point = np.where(decimal_is_comma, commas, dots) == 1
    point = np.where(decimal_is_comma, last_comma, last_dot)
    fraction = np.where(has_point, last - point, 0)
    marks_after = np.flatnonzero(has_point & (point < np.maximum(last_comma, last_dot)))
    if len(marks_after):
        after = np.arange(width) > point[marks_after, None]
        fraction[marks_after] = (_IS_DIGIT[matrix[marks_after]] & after).sum(axis=1)
    integer = np.zeros(n, np.int64)
    multiplier, digit_value = _MULTIPLIER[matrix], _DIGIT_VALUE[matrix]
    for column in range(width):  # Horner over the digits, skipping marks; exact below 2**53
        integer = integer * multiplier[:, column] + digit_value[:, column]
    value = integer / 10.0 ** fraction
    value = np.where(_HEAD_NEGATIVE[head] & (value != 0), -value, value)  # "-0" is 0.0
    currency = np.where(_HEAD_HAS[head], _HEAD_CURRENCY[head], _TAIL_CURRENCY[tail])
    return ok, value, currency


def _fast(values: pa.Array, decimal: str) -> tuple[np.ndarray, dict[str, pa.Array]]:
    """Rows parsed here and their results."""
    offsets, data = string_bytes(values)
    lengths = np.diff(offsets)
    candidates = (lengths >= 1) & (lengths <= _MAX_BYTES)
    if values.null_count:
        candidates &= values.is_valid().to_numpy(zero_copy_only=False)
    found_rows, found_values, found_currencies = [], [], []
    for rows, matrix, size in by_width(offsets, data, np.flatnonzero(candidates), _WIDTHS):
        ok, value, currency = _parse(matrix, size, decimal)
        ok = ok & (np.abs(value) < AMOUNT_LIMIT)  # (the rest: the per-value path says None)
        found_rows.append(rows[ok])
        found_values.append(value[ok])
        found_currencies.append(currency[ok])
    if not found_rows:
        return np.zeros(0, np.int64), {}
    currency = pa.array(_CURRENCY_NAMES, pa.string()).take(
        pa.array(np.concatenate(found_currencies)))
    return np.concatenate(found_rows), {
        "value": pa.array(np.concatenate(found_values), pa.float64()),
        "currency": currency,
    }


def _fallback(values: pa.Array, decimal: str) -> dict[str, pa.Array]:
    def one(text: str) -> tuple:
        amount = parse_amount(text, decimal)
        return amount.value, amount.currency

    return map_distinct(values, one, TYPES)


def parse_amount_column(values: pa.Array, decimal: str) -> dict[str, pa.Array]:
    """Parse every money cell of a column.

    Args:
        values: A string column (nulls allowed).
        decimal: The column's decimal separator, as for :func:`custfocus.normalise.parse_amount`.

    Returns:
        Columns ``value`` (float64) and ``currency`` (string); row ``i`` holds the fields
        of ``parse_amount(values[i], decimal)``.
    """
    values = string_array(values)
    decimal = "," if decimal == "," else "."
    n = len(values)
    rows, columns = _fast(values, decimal)
    if not len(rows):
        return _fallback(values, decimal)
    rest = np.ones(n, bool)
    rest[rows] = False
    rest_rows = np.flatnonzero(rest)
    parts = [(rows, columns)]
    if len(rest_rows):
        parts.append((rest_rows, _fallback(values.take(pa.array(rest_rows)), decimal)))
    return gather(n, parts, TYPES)
