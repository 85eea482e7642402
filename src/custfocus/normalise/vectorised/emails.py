"""Whole-column :func:`custfocus.normalise.normalise_email`.

The usual cell, a plain ASCII dot-atom address ("Ana.Ruiz+x@Gmail.com", possibly
with surrounding spaces or tabs), is cleaned, split and keyed with Arrow kernels,
its domain validated once per distinct domain through the per-value code's cached
``_validate_domain``. That is exactly the per-value fast path in ``_validate``;
everything else (``mailto:``, display names, lists, non-ASCII, invalid domains,
long cells, ...) goes to :func:`normalise_email` once per distinct value.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from custfocus.normalise.emails import (
    _EMPTY,
    _GMAIL_DOMAINS,
    _PLACEHOLDER_DOMAINS,
    _PLACEHOLDER_LOCALS,
    ROLE_LOCAL_PARTS,
    _validate_domain,
    normalise_email,
)
from custfocus.normalise.vectorised._common import map_distinct

__all__ = ["EMAIL_TYPES", "normalise_email_column"]

EMAIL_TYPES: dict[str, pa.DataType] = {
    "email": pa.string(),
    "key": pa.string(),
    "valid": pa.bool_(),
    "role": pa.bool_(),
    "placeholder": pa.bool_(),
    "domain": pa.string(),
}
_NULL_RESULT = (_EMPTY.email, _EMPTY.key, _EMPTY.valid, _EMPTY.role, _EMPTY.placeholder,
                _EMPTY.domain)

# Whitespace the fast path strips: ``str.strip`` removes it too, and nothing else of
# ``_clean`` reacts to it once it is gone.
_PAD = " \t\r\n"
_PAD_RE = r" \t\r\n"
# The dot-atom of ``emails._DOT_ATOM`` before lower-casing (RE2 syntax).
_ATEXT = r"a-zA-Z0-9_!#$%&'*+\-/=?^`{|}~"
# Domain: printable ASCII except what ``_clean`` reacts to ("@", "<", ">", ";", ",");
# whether it is a valid domain is left to email-validator, once per distinct value.
_DOMAIN_CHARS = r"!-+\--:=?A-~"
_FAST = rf"^[{_PAD_RE}]*[{_ATEXT}]+(?:\.[{_ATEXT}]+)*@[{_DOMAIN_CHARS}]+[{_PAD_RE}]*$"
# Raw cells this long or shorter cannot hit normalise_email's "too long" branch
# (4 * 320 chars) and, once stripped, satisfy ``_validate``'s 200-char plain limit.
_FAST_MAX_LENGTH = 200
_MAX_LOCAL = 64
# Stands in for the cells the fast path does not take, so its kernels see one shape;
# those rows are overwritten by the fallback whatever the kernels make of it.
_FILLER = "x@x"

_ROLE_SET = pa.array(sorted(ROLE_LOCAL_PARTS), pa.string())
_PLACEHOLDER_LOCAL_SET = pa.array(sorted(_PLACEHOLDER_LOCALS), pa.string())


def _fallback_row(text: str) -> tuple:
    info = normalise_email(text)
    return (info.email, info.key, info.valid, info.role, info.placeholder, info.domain)


def _domain_table(domains: list[str]) -> tuple[dict[str, pa.Array], bool]:
    """Per distinct raw domain: validated domain (or null), key domain, flags, first label.

    Also whether email-validator rewrote any valid domain (an A-label comes back in Unicode).
    """
    validated, key_domain, gmail, placeholder, label = [], [], [], [], []
    for raw in domains:
        dom = _validate_domain(raw)
        validated.append(dom)
        gmail.append(dom in _GMAIL_DOMAINS)
        key_domain.append("gmail.com" if dom in _GMAIL_DOMAINS else dom)
        placeholder.append(dom in _PLACEHOLDER_DOMAINS)
        label.append(None if dom is None else dom.partition(".")[0])
    changed = any(dom is not None and dom != raw for dom, raw in zip(validated, domains))
    return {
        "validated": pa.array(validated, pa.string()),
        "ok": pa.array([dom is not None for dom in validated], pa.bool_()),
        "key_domain": pa.array(key_domain, pa.string()),
        "gmail": pa.array(gmail, pa.bool_()),
        "placeholder": pa.array(placeholder, pa.bool_()),
        "label": pa.array(label, pa.string()),
    }, changed


def _on_subset(column: pa.Array, mask: pa.Array, fn: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """``column`` with the rows where ``mask`` is true replaced by ``fn(mask)`` (one per row)."""
    if not pc.any(mask).as_py():
        return column
    return pc.replace_with_mask(column, mask, fn(mask))


def _fast_path(cells: pa.Array) -> tuple[dict[str, pa.Array], pa.Array]:
    """Results for ``cells`` (all matching ``_FAST``, no nulls) and a mask of the rows decided.

    Rows left undecided (domain rejected by email-validator, local part over 64 chars)
    hold meaningless values.
    """
    lowered = pc.ascii_lower(pc.ascii_trim(cells, _PAD))
    parts = pc.split_pattern(lowered, "@", max_splits=1)
    local = pc.list_element(parts, 0)
    raw_domain = pc.list_element(parts, 1)

    encoded = pc.dictionary_encode(raw_domain)
    table, changed = _domain_table(encoded.dictionary.to_pylist())
    idx = encoded.indices
    decided = pc.and_(table["ok"].take(idx), pc.less_equal(pc.utf8_length(local), _MAX_LOCAL))
    if changed:
        domain = table["validated"].take(idx)
        email = pc.binary_join_element_wise(local, domain, "@")
    else:  # the usual case: the cleaned text is the answer
        domain, email = raw_domain, lowered

    # local.partition("+")[0]: role and placeholder use it as is; the key uses it unless
    # empty ("+x@a.com"), without dots for Gmail, and with googlemail.com -> gmail.com.
    has_plus = pc.match_substring(local, "+")
    before_plus = _on_subset(
        local,
        has_plus,
        lambda mask: pc.list_element(pc.split_pattern(local.filter(mask), "+", max_splits=1), 0),
    )
    gmail = table["gmail"].take(idx)

    def folded_key(mask: pa.Array) -> pa.Array:
        sub_local, sub_before = local.filter(mask), before_plus.filter(mask)
        base = pc.if_else(pc.equal(sub_before, ""), sub_local, sub_before)
        base = pc.if_else(gmail.filter(mask), pc.replace_substring(base, ".", ""), base)
        return pc.binary_join_element_wise(base, table["key_domain"].take(idx.filter(mask)), "@")

    results = {
        "email": email,
        "key": _on_subset(email, pc.or_(has_plus, gmail), folded_key),
        "valid": pa.repeat(pa.scalar(True), len(cells)),
        "role": pc.is_in(before_plus, value_set=_ROLE_SET),
        "placeholder": pc.or_(
            pc.or_(
                table["placeholder"].take(idx),
                pc.is_in(before_plus, value_set=_PLACEHOLDER_LOCAL_SET),
            ),
            pc.equal(before_plus, table["label"].take(idx)),
        ),
        "domain": domain,
    }
    return results, pc.fill_null(decided, False)


def normalise_email_column(values: pa.Array | pa.ChunkedArray) -> dict[str, pa.Array]:
    """Normalise a whole column of e-mail cells.

    Args:
        values: A string column (nulls allowed).

    Returns:
        Arrays keyed "email", "key", "domain" (string) and "valid", "role",
        "placeholder" (bool); row *i* equals the fields of ``normalise_email(values[i])``.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if values.type != pa.string():
        values = values.cast(pa.string())

    fast = pc.fill_null(
        pc.and_(
            pc.less_equal(pc.binary_length(values), _FAST_MAX_LENGTH),
            pc.match_substring_regex(values, _FAST),
        ),
        False,
    )
    if not pc.any(fast).as_py():
        return map_distinct(values, _fallback_row, EMAIL_TYPES, _NULL_RESULT)
    # Run the kernels over every row (the others hold a filler) to avoid scattering.
    results, decided = _fast_path(pc.if_else(fast, values, _FILLER))
    slow = pc.invert(pc.and_(fast, decided))
    if not pc.any(slow).as_py():
        return results
    patches = map_distinct(values.filter(slow), _fallback_row, EMAIL_TYPES, _NULL_RESULT)
    return {name: pc.replace_with_mask(results[name], slow, patches[name]) for name in EMAIL_TYPES}
