"""Whole-column street, house number, postal code and address key.

Street lines are nearly unique per customer, so the per-value work (expanding
abbreviations, finding the number, the key's street words) runs once per distinct
street; postal codes and house numbers repeat and are normalised once per distinct
value. Only the final joins are done on whole columns.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from custfocus.normalise.addresses import (
    expand_street,
    normalise_postal_code,
    split_street_number,
    street_key_parts,
)
from custfocus.normalise.text import fold
from custfocus.normalise.vectorised._common import map_distinct

__all__ = ["normalise_address_columns"]

_STRING = pa.string()
_NULL = pa.scalar(None, _STRING)


def _cells(values: pa.Array | pa.ChunkedArray | None, n: int) -> pa.Array:
    """A string column with empty strings as nulls (an empty cell is no value)."""
    if values is None:
        return pa.nulls(n, _STRING)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if values.type != _STRING:
        values = values.cast(_STRING)
    if len(values) != n:
        raise ValueError(f"address columns differ in length: {len(values)} != {n}")
    if values.null_count == n:
        return values
    return pc.if_else(pc.equal(values, ""), _NULL, values)


def _street_without_number(street: str) -> tuple[str, str | None, str, str]:
    """Street, number, key words and key house number when the number is in the street."""
    expanded, number = split_street_number(expand_street(street))
    words, found = street_key_parts(expanded)
    house = fold(number) if number else ""
    return expanded, number, words, house or found


def _street_with_number(street: str) -> tuple[str, str, str]:
    """Street, key words and the key's fallback house number when the number has a column."""
    expanded = expand_street(street)
    words, found = street_key_parts(expanded)
    return expanded, words, found


def _blank_to_null(values: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(values, ""), _NULL, values)


def normalise_address_columns(
    street: pa.Array,
    number: pa.Array | None,
    postal: pa.Array | None,
    region: str | None,
) -> dict[str, pa.Array]:
    """Normalise the address columns of a chunk, as the per-row importer does.

    Args:
        street: Street lines (stripped cell texts; null where empty or a placeholder).
        number: House numbers from their own column, or ``None`` when there is none.
        postal: Postal codes, or ``None``.
        region: Country whose postal format applies (see :func:`normalise_postal_code`).

    Returns:
        ``"street"``, ``"house_number"``, ``"postal_code"``, ``"address_key"`` (strings,
        null where a record would have no such value) and ``"postal_valid"`` (False only
        where a postal code was given and is not valid for ``region``).

    Per row this equals::

        if street:
            expanded = expand_street(street)
            if not number:
                expanded, number = split_street_number(expanded)
            rec["street"] = expanded
        if number:
            rec["house_number"] = number
        if postal:
            code = normalise_postal_code(postal, region)
            rec["postal_code"] = code or postal  # postal_valid = code is not None
        if street:
            rec["address_key"] = address_key(
                rec["street"], number or None, rec.get("postal_code")) or None
    """
    n = len(street)
    street = _cells(street, n)
    number = _cells(number, n)
    postal = _cells(postal, n)
    has_street = pc.is_valid(street)
    has_number = pc.is_valid(number)

    # Postal code: once per distinct value.
    postal_out = map_distinct(
        postal,
        lambda value: _postal(value, region),
        {"code": _STRING, "valid": pa.bool_(), "key": _STRING},
        null_result=(None, True, None),
    )

    # Street: rows without a number column value take theirs from the street line.
    if number.null_count == n:
        own = map_distinct(
            street,
            _street_without_number,
            {"street": _STRING, "number": _STRING, "words": _STRING, "house": _STRING},
        )
        street_out, house_number = own["street"], own["number"]
        words, house = own["words"], own["house"]
    else:
        own = map_distinct(
            pc.if_else(has_number, _NULL, street),
            _street_without_number,
            {"street": _STRING, "number": _STRING, "words": _STRING, "house": _STRING},
        )
        given = map_distinct(
            pc.if_else(has_number, street, _NULL),
            _street_with_number,
            {"street": _STRING, "words": _STRING, "found": _STRING},
        )
        folded_number = map_distinct(number, lambda v: (fold(v),), {"fold": _STRING})["fold"]
        # fold(number) when it is not empty, else the number found in the street.
        given_house = pc.if_else(
            pc.fill_null(pc.not_equal(folded_number, ""), False), folded_number, given["found"]
        )
        street_out = pc.if_else(has_number, given["street"], own["street"])
        house_number = pc.if_else(has_number, number, own["number"])
        words = pc.if_else(has_number, given["words"], own["words"])
        house = pc.if_else(has_number, given_house, own["house"])

    house = pc.replace_substring(house, " ", "-")
    # Join the non-empty parts. The leading "" (dropped again after) keeps every row from
    # being all-null: pyarrow drops such rows from the output under null_handling="skip".
    key = pc.binary_join_element_wise(
        pa.scalar("", _STRING),
        _blank_to_null(words),
        _blank_to_null(house),
        _blank_to_null(postal_out["key"]),
        " ",
        null_handling="skip",
    )
    key = pc.utf8_slice_codeunits(key, 1)
    key = pc.if_else(pc.and_(has_street, pc.not_equal(key, "")), key, _NULL)
    return {
        "street": street_out,
        "house_number": house_number,
        "postal_code": postal_out["code"],
        "postal_valid": postal_out["valid"],
        "address_key": key,
    }


def _postal(value: str, region: str | None) -> tuple[str, bool, str]:
    code = normalise_postal_code(value, region)
    shown = code or value
    return shown, code is not None, fold(shown).replace(" ", "")
