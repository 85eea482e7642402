"""Whole-column :func:`custfocus.normalise.normalise_national_id`.

Why: identifiers are nearly unique per row, so calling python-stdnum once per distinct
value costs a Python call per row. The common shapes are checked here with NumPy instead:
Spanish DNI (``12345678Z``, also with the leading zero Excel drops) and NIE
(``X1234567L``), Brazilian CPF (11 digits, or 8-10 when Excel dropped zeros) and CNPJ
(14 digits, or 12-13), written with any of " ./-" and in either case.

How: each cell's *layout* (the class of each byte: digit, letter, separator…) is
read once per distinct layout, which gives its shape and the columns that survive the
per-value cleaning. For each shape every validator of the per-value function is
classified as *check* (computed here), *reject* (its stdnum code can never accept the
shape) or *maybe* (it might, with a checksum not reproduced here); walking the validators
in the same country-dependent order, a row is decided here only when the first validator
that can accept it is one checked here, or when none can (then the per-value ``_SHAPES``
give the kind). Everything else goes to the per-value function once per distinct value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from stdnum.ar import cuit as ar_cuit
from stdnum.br import cnpj as br_cnpj
from stdnum.br import cpf as br_cpf
from stdnum.cl import rut as cl_rut
from stdnum.co import nit as co_nit
from stdnum.es import cif as es_cif
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.es import nif as es_nif
from stdnum.mx import curp as mx_curp
from stdnum.mx import rfc as mx_rfc
from stdnum.pe import ruc as pe_ruc
from stdnum.pt import nif as pt_nif

from custfocus.normalise.ids import (
    _MAX_LENGTH,
    _SHAPES,
    _VALIDATORS,
    _ordered,
    normalise_national_id,
)
from custfocus.normalise.vectorised._common import (
    by_width,
    bytes_to_strings,
    gather,
    map_distinct,
    string_array,
    string_bytes,
)

__all__ = ["normalise_national_id_column"]

TYPES: dict[str, pa.DataType] = {
    "value": pa.string(),
    "kind": pa.string(),
    "valid": pa.bool_(),
    "country": pa.string(),
}
_NULL_RESULT = ("", None, False, None)


# Raw cells are read through their *layout*: the class of each byte. Only ASCII letters
# and digits and the separators the per-value cleaner (strip, upper-case, drop everything
# but [0-9A-ZÑ&]) simply deletes are handled here; anything else (other whitespace,
# accents, "ß" which upper-cases to "SS", Unicode digits…) goes to the per-value function.
_PADDING, _DIGIT, _XYZ, _LETTER, _SLASH_DASH, _OTHER, _DOT, _SPACE = range(8)
_WIDTHS = (9, 11, 14, 16, 20, 32, _MAX_LENGTH)  # row-width buckets (bytes)
_CLASS = np.full(256, _OTHER, np.uint8)
_CLASS[np.frombuffer(b"0123456789", np.uint8)] = _DIGIT
_CLASS[np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWabcdefghijklmnopqrstuvw", np.uint8)] = _LETTER
_CLASS[np.frombuffer(b"XYZxyz", np.uint8)] = _XYZ
_CLASS[np.frombuffer(b"/-", np.uint8)] = _SLASH_DASH
_CLASS[ord(".")] = _DOT
_CLASS[ord(" ")] = _SPACE
_LAYOUT_LETTERS = {_DIGIT: "D", _XYZ: "X", _LETTER: "L"}
_PEELED = 8  # layouts found by comparison before sorting the rest
_FEW = 256  # below this many values, Python's re beats compiling RE2 patterns
_DNI_LETTERS = np.frombuffer(b"TRWAGMYFPDXBNJZSQVHLCKE", np.uint8)
_ZERO = ord("0")

# A validator's verdict on one shape of cleaned value.
Check = Callable[[np.ndarray], np.ndarray]  # padded bytes -> valid rows
Maybe = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (padded bytes, lengths) -> rows


@dataclass(frozen=True)
class _Shape:
    """Cleaned values of one shape and what each validator makes of them.

    ``layout`` matches the cleaned value written as classes: D digit, X one of "XYZ",
    L another letter. ``width`` is the zero-padded width the checked validators test (the
    candidate the per-value ``_candidates`` adds); a valid row's value is that padded form.
    """

    layout: str
    width: int
    checks: dict[object, Check]
    maybes: dict[object, Maybe]
    rejects: frozenset[object]


def _number(columns: np.ndarray) -> np.ndarray:
    """The integer written by ASCII digit columns."""
    number = np.zeros(len(columns), np.int64)
    for j in range(columns.shape[1]):
        number = number * 10 + columns[:, j] - _ZERO
    return number


def _weighted(columns: np.ndarray, weights: list[int]) -> np.ndarray:
    """``sum(weight * digit)`` over ASCII digit columns."""
    total = np.zeros(len(columns), np.int64)
    for j, weight in enumerate(weights):
        total += weight * (columns[:, j].astype(np.int64) - _ZERO)
    return total


def _dni_valid(padded: np.ndarray) -> np.ndarray:
    """stdnum.es.dni on ``8 digits + letter``: letter = table[number % 23]."""
    return _DNI_LETTERS[_number(padded[:, :8]) % 23] == padded[:, 8]


def _nie_valid(padded: np.ndarray) -> np.ndarray:
    """stdnum.es.nie on ``[XYZ] + 7 digits + letter``: X, Y, Z count as 0, 1, 2."""
    number = (padded[:, 0].astype(np.int64) - ord("X")) * 10_000_000 + _number(padded[:, 1:8])
    return _DNI_LETTERS[number % 23] == padded[:, 8]


def _cpf_valid(padded: np.ndarray) -> np.ndarray:
    """stdnum.br.cpf on 11 digits: two mod-11 check digits, and not all zeros."""
    d1 = (11 - _weighted(padded, list(range(10, 1, -1)))) % 11 % 10
    d2 = (11 - (_weighted(padded, list(range(11, 2, -1))) + 2 * d1)) % 11 % 10
    return ((padded[:, 9] - _ZERO == d1) & (padded[:, 10] - _ZERO == d2)
            & (padded != _ZERO).any(axis=1))


def _cnpj_valid(padded: np.ndarray) -> np.ndarray:
    """stdnum.br.cnpj on 14 digits: two mod-11 check digits, not ``000000000000…``."""
    weights = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    d1 = (11 - _weighted(padded, weights)) % 11 % 10
    d2 = (11 - (_weighted(padded, [6, *weights[:-1]]) + 2 * d1)) % 11 % 10
    return ((padded[:, 12] - _ZERO == d1) & (padded[:, 13] - _ZERO == d2)
            & (padded[:, :12] != _ZERO).any(axis=1))


def _all_rows(cleaned: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    return np.ones(len(lengths), bool)


def _ends_in_k(cleaned: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    # cleaned is right-aligned (zero-padded), so the last column is the last character
    return cleaned[:, -1] == ord("K")


def _length_in(*allowed: int) -> Maybe:
    def maybe(cleaned: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        return np.isin(lengths, allowed)

    return maybe


_SPANISH = frozenset({es_dni, es_nie, es_cif, es_nif})
_MEXICAN = frozenset({mx_rfc, mx_curp})

# Why each validator rejects a shape is noted per shape; see the stdnum sources
# (compact() only strips separators and "ES"/"PT"/"CL" prefixes, none of which apply).
_SHAPES_HERE: tuple[_Shape, ...] = (
    # "12345678Z" and "1234567Z" (the DNI with its leading zero lost). es_nif kind tries
    # the zero-padded candidate; es_nif on a digit-first value is es_dni. es_nie needs
    # X/Y/Z first, es_cif a letter first, rfc/curp/cuit/ruc other lengths, cpf/pt_nif/
    # co_nit all digits, cnpj 14 characters. cl_rut accepts 8-9 characters ending in a
    # digit or K, so a DNI ending in K may be a RUT.
    _Shape(
        layout="D{7,8}[XL]",
        width=9,
        checks={es_dni: _dni_valid, es_nif: _dni_valid},
        maybes={cl_rut: _ends_in_k},
        rejects=frozenset({es_nie, es_cif, br_cpf, br_cnpj, ar_cuit, pt_nif, pe_ruc, co_nit})
        | _MEXICAN,
    ),
    # "X1234567L": es_nif on X/Y/Z is es_nie; es_dni and cl_rut need digits before the
    # last character, es_cif another first letter, the rest digits or other lengths.
    _Shape(
        layout="XD{7}[XL]",
        width=9,
        checks={es_nie: _nie_valid, es_nif: _nie_valid},
        maybes={},
        rejects=frozenset(
            {es_dni, es_cif, br_cpf, br_cnpj, ar_cuit, pt_nif, cl_rut, pe_ruc, co_nit}
        )
        | _MEXICAN,
    ),
    # 8-11 digits: CPF (8-10 zero-padded to 11). Spanish validators need a letter (or
    # length 9 with a check letter), cnpj 12-14 digits, rfc/curp letters. cuit/ruc take
    # 11 digits, pt_nif 9, cl_rut 8-9 and co_nit 8-16 with their own checksums.
    _Shape(
        layout="D{8,11}",
        width=11,
        checks={br_cpf: _cpf_valid},
        maybes={
            ar_cuit: _length_in(11),
            pe_ruc: _length_in(11),
            pt_nif: _length_in(9),
            cl_rut: _length_in(8, 9),
            co_nit: _all_rows,
        },
        rejects=_SPANISH | _MEXICAN | {br_cnpj},
    ),
    # 12-14 digits: CNPJ (12-13 zero-padded to 14). Only co_nit (8-16 digits) competes.
    _Shape(
        layout="D{12,14}",
        width=14,
        checks={br_cnpj: _cnpj_valid},
        maybes={co_nit: _all_rows},
        rejects=_SPANISH | _MEXICAN | {br_cpf, ar_cuit, pt_nif, cl_rut, pe_ruc},
    ),
)


def _labels(
    labels: list[tuple[str | None, str | None]], codes: np.ndarray
) -> tuple[pa.Array, pa.Array]:
    """The (kind, country) columns for rows labelled by index into ``labels``."""
    indices = pa.array(codes)
    kind = pa.array([k for k, _ in labels], pa.string()).take(indices)
    country = pa.array([c for _, c in labels], pa.string()).take(indices)
    return kind, country


def _first_shape(cleaned: pa.Array, country: str | None) -> tuple[np.ndarray, list]:
    """Index into the ordered shape table of the first shape each value matches."""
    shapes = _ordered(country, _SHAPES)
    if len(cleaned) <= _FEW:  # compiling a dozen RE2 patterns would cost more
        code = np.array([
            next((i for i, (_, _, pattern) in enumerate(shapes) if pattern.match(value)),
                 len(shapes))
            for value in cleaned.to_pylist()
        ], np.int64)
    else:  # the patterns use only ^ $ \d [...] {m,n}: the same in RE2 on ASCII values
        code = np.full(len(cleaned), len(shapes), np.int64)
        for i in range(len(shapes) - 1, -1, -1):  # last to first, so the first match wins
            hit = pc.match_substring_regex(cleaned, shapes[i][2].pattern)
            code[hit.to_numpy(zero_copy_only=False)] = i
    return code, [(kind, kind_country) for kind, kind_country, _ in shapes] + [(None, None)]


def _decide(
    shape: _Shape, padded: np.ndarray, lengths: np.ndarray, country: str | None
) -> tuple[np.ndarray, dict[str, pa.Array]]:
    """Which rows of one shape are decided here (positions into ``padded``), and results."""
    n = len(padded)
    ordered = _ordered(country, _VALIDATORS)
    code = np.full(n, -1, np.int64)  # index into ``ordered`` of the validator that accepted
    undecided = np.ones(n, bool)
    checked: dict[Check, np.ndarray] = {}
    for j, (_, _, module) in enumerate(ordered):
        if module in shape.checks:
            check = shape.checks[module]
            if check not in checked:
                checked[check] = check(padded)
            accepted = undecided & checked[check]
            code[accepted] = j
            undecided &= ~accepted
        elif module in shape.maybes:
            undecided &= ~shape.maybes[module](padded, lengths)
        elif module not in shape.rejects:  # a validator this table does not know
            undecided[:] = False
    valid = code >= 0
    rows = np.flatnonzero(valid | undecided)  # undecided now: no validator can accept it
    valid, code, padded, lengths = valid[rows], code[rows], padded[rows], lengths[rows]
    width = padded.shape[1]
    # a valid row's value is the padded candidate, an invalid one's the cleaned text
    if valid.all():
        value = bytes_to_strings(np.full(len(rows), width), padded.reshape(-1))
    else:
        out_lengths = np.where(valid, width, lengths)
        value = bytes_to_strings(out_lengths,
                                 padded[np.arange(width) >= (width - out_lengths)[:, None]])
    labels = [(kind, kind_country) for kind, kind_country, _ in ordered]
    if not valid.all():
        invalid = np.flatnonzero(~valid)
        shape_code, shape_labels = _first_shape(value.take(pa.array(invalid)), country)
        code[invalid] = len(labels) + shape_code
        labels += shape_labels
    kind, kind_country = _labels(labels, code)
    return rows, {"value": value, "kind": kind, "valid": pa.array(valid), "country": kind_country}


def _fallback(values: pa.Array, country: str | None) -> dict[str, pa.Array]:
    def one(text: str) -> tuple:
        nid = normalise_national_id(text, country)
        return nid.value, nid.kind, nid.valid, nid.country

    return map_distinct(values, one, TYPES, _NULL_RESULT)


def _layout(key: tuple[int, ...], width: int) -> tuple[int, list[int], list[int]] | None:
    """The shape (index into ``_SHAPES_HERE``) of one byte layout, its kept columns, and
    which of the kept characters are letters.

    ``None`` when no shape fits, when a byte is not handled here, or when the cell might
    be an Excel float ("39053344705.0": one dot and no letter, "/" or "-"), which the
    per-value cleaner reads differently.
    """
    packed = b"".join(int(k).to_bytes(8, "little") for k in key)
    classes = [(packed[j // 2] >> (4 * (j % 2))) & 15 for j in range(width)]
    if _PADDING in classes:
        classes = classes[:classes.index(_PADDING)]
    if _OTHER in classes:
        return None
    if classes.count(_DOT) == 1 and not {_XYZ, _LETTER, _SLASH_DASH} & set(classes):
        return None
    kept = [j for j, c in enumerate(classes) if c in _LAYOUT_LETTERS]
    text = "".join(_LAYOUT_LETTERS[classes[j]] for j in kept)
    for index, shape in enumerate(_SHAPES_HERE):
        if re.fullmatch(shape.layout, text):
            return index, kept, [i for i, c in enumerate(text) if c != "D"]
    return None


def _layouts(classes: np.ndarray) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Number the distinct rows of a class matrix: (layout of each row, key of each layout).

    Classes take 4 bits, so 16 bytes fill one uint64 word of the key. A column holds few
    layouts, so the commonest are peeled off one comparison at a time; whatever is left
    after a few (free text) is sorted out with ``np.unique``.
    """
    n, width = classes.shape
    words = -(-width // 16)
    padded = np.zeros((n, 16 * words), np.uint8)
    padded[:, :width] = classes
    keys = (padded[:, 0::2] | (padded[:, 1::2] << 4)).view(np.uint64)  # (n, words)
    layout_of = np.empty(n, np.int64)
    found: list[tuple[int, ...]] = []
    rest = np.arange(n)
    while len(rest) and len(found) < _PEELED:
        key = keys[rest[0]]
        same = (keys[rest] == key).all(axis=1)
        layout_of[rest[same]] = len(found)
        found.append(tuple(key.tolist()))
        rest = rest[~same]
    if len(rest):
        more, inverse = np.unique(keys[rest], axis=0, return_inverse=True)
        layout_of[rest] = len(found) + inverse.reshape(-1)
        found.extend(tuple(row) for row in more.tolist())
    return layout_of, found


def _upper(column: np.ndarray) -> np.ndarray:
    """ASCII upper case of a column of digits and letters."""
    return np.where(column >= ord("a"), column - np.uint8(32), column)


def _shaped(values: pa.Array) -> list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Per shape, ``(rows, padded cleaned bytes, cleaned lengths)`` pieces.

    Cleaning deletes the separators and upper-cases the letters; it is read off each
    distinct layout once and applied to the layout's rows as a column selection.
    """
    offsets, data = string_bytes(values)
    lengths = np.diff(offsets)
    candidates = (lengths >= 1) & (lengths <= _MAX_LENGTH)
    if values.null_count:
        candidates &= values.is_valid().to_numpy(zero_copy_only=False)
    found: list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = [[] for _ in _SHAPES_HERE]
    for rows, matrix, size in by_width(offsets, data, np.flatnonzero(candidates), _WIDTHS):
        width = matrix.shape[1]
        classes = _CLASS[matrix]
        if (size < width).any():
            classes[np.arange(width) >= size[:, None]] = _PADDING
        layout_of, keys = _layouts(classes)
        layouts = [_layout(key, width) for key in keys]
        shape_of = np.array([-1 if lay is None else lay[0] for lay in layouts])
        if (shape_of < 0).all():
            continue
        if len(layouts) <= 32:  # usual: a few layouts, one column selection each
            single = len(layouts) == 1
            for u in np.flatnonzero(shape_of >= 0):
                index, kept, letters = layouts[u]
                mine = np.arange(len(rows)) if single else np.flatnonzero(layout_of == u)
                width_out = _SHAPES_HERE[index].width
                padded = np.full((len(mine), width_out), _ZERO, np.uint8)
                start = width_out - len(kept)
                padded[:, start:] = (matrix if single else matrix[mine])[:, kept]
                for letter in letters:
                    padded[:, start + letter] = _upper(padded[:, start + letter])
                found[index].append((rows[mine], padded, np.full(len(mine), len(kept))))
            continue
        # many layouts (free text): per shape, one gather of each row's own columns
        row_shape = shape_of[layout_of]
        for index in np.unique(shape_of[shape_of >= 0]):
            mine = np.flatnonzero(row_shape == index)
            width_out = _SHAPES_HERE[index].width
            source = np.full((len(layouts), width_out), -1, np.int64)
            sizes = np.zeros(len(layouts), np.int64)
            for v in np.flatnonzero(shape_of == index):
                kept = layouts[v][1]
                source[v, width_out - len(kept):] = kept
                sizes[v] = len(kept)
            columns = source[layout_of[mine]]
            padded = np.take_along_axis(matrix[mine], np.maximum(columns, 0), axis=1)
            padded = _upper(np.where(columns < 0, np.uint8(_ZERO), padded))
            found[index].append((rows[mine], padded, sizes[layout_of[mine]]))
    return found


def normalise_national_id_column(values: pa.Array, country: str | None) -> dict[str, pa.Array]:
    """Compact and identify every tax/identity number of a column.

    Args:
        values: A string column (nulls allowed).
        country: ISO country hint, as for :func:`custfocus.normalise.normalise_national_id`.

    Returns:
        Columns ``value`` (string), ``kind`` (string), ``valid`` (bool) and ``country``
        (string); row ``i`` holds the fields of ``normalise_national_id(values[i], country)``.
    """
    values = string_array(values)
    n = len(values)
    country = country.upper() if isinstance(country, str) and country else None
    remaining = np.ones(n, bool)
    parts: list[tuple[np.ndarray, dict[str, pa.Array]]] = []
    for shape, pieces in zip(_SHAPES_HERE, _shaped(values)):
        if not pieces:
            continue
        rows, padded, lengths = (np.concatenate(p) for p in zip(*pieces))
        decided, columns = _decide(shape, padded, lengths, country)
        parts.append((rows[decided], columns))
        remaining[rows[decided]] = False
    rest = np.flatnonzero(remaining)
    if len(rest) == n:
        return _fallback(values, country)
    if len(rest):
        parts.append((rest, _fallback(values.take(pa.array(rest)), country)))
    return gather(n, parts, TYPES)
