"""Masking: personal values shown so that a person can tell two customers apart without
reading who they are (``--mask`` on ``export``, ``explain``, ``customer``, ``audit`` and
``report``).

One rule per kind of value, used by every command:

- e-mail: the first character of the local part, then the domain: ``j***@gmail.com``;
- phone: the country code, the first national digit and the last three digits:
  ``+34 6** *** 678`` (the national number in groups of three from the right);
- tax id and customer code: all but the last three characters hidden: ``******678``;
- name: each word's initial: ``M*** G***``;
- street, house number, birth date: hidden (``***``); town, postal code, region and country
  are kept (they describe many people).

Columns are recognised by name (:data:`COLUMN_KINDS`); ``alternates`` (the golden record's
other values, JSON text) are masked value by value.

Example:
    >>> mask_email("juan.perez@gmail.com")
    'j***@gmail.com'
    >>> mask_phone("+34612345678")
    '+34 6** *** 678'
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["COLUMN_KINDS", "mask_audit", "mask_email", "mask_frame", "mask_name", "mask_phone", "mask_row",
           "mask_tax_id", "mask_value"]

HIDDEN = "***"


def mask_email(value: str | None) -> str | None:
    """``j***@gmail.com``: the local part's first character and the domain."""
    if not value:
        return value
    local, at, domain = str(value).rpartition("@")
    if not at:
        return HIDDEN
    return f"{local[:1]}{HIDDEN}@{domain}"


def mask_phone(value: str | None) -> str | None:
    """``+34 6** *** 678``: country code, first national digit and last three digits, the
    national number in groups of three. A number without a known country keeps only its
    last three digits."""
    if not value:
        return value
    text = str(value).removeprefix("local:")
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) <= 4:
        return "*" * len(digits)
    country, national = "", digits
    if text.lstrip().startswith("+"):
        import phonenumbers

        try:
            number = phonenumbers.parse("+" + digits)
            country = f"+{number.country_code} "
            national = phonenumbers.national_significant_number(number)
        except phonenumbers.NumberParseException:
            country, national = "", digits
    shown = national[:1] if country else ""
    masked = shown + "*" * (len(national) - len(shown) - 3) + national[-3:]
    # Groups of three from the right, so the last three digits stay one group.
    head = len(masked) % 3
    groups = ([masked[:head]] if head else []) + [masked[i:i + 3]
                                                 for i in range(head, len(masked), 3)]
    return country + " ".join(groups)


def mask_tax_id(value: str | None) -> str | None:
    """All but the last three letters or digits hidden (separators dropped)."""
    if not value:
        return value
    compact = "".join(c for c in str(value) if c.isalnum())
    if len(compact) <= 4:
        return "*" * len(compact)
    return "*" * (len(compact) - 3) + compact[-3:]


def mask_name(value: str | None) -> str | None:
    """Each word's initial: ``María García`` -> ``M*** G***``."""
    if not value:
        return value
    return " ".join(f"{word[:1]}{HIDDEN}" for word in str(value).split())


def _missing(value: Any) -> bool:
    """None, NaN, NaT or pandas' NA."""
    try:
        return value is None or bool(value != value)
    except TypeError:  # pandas.NA refuses bool()
        return True


def _hide(value: Any) -> Any:
    return None if _missing(value) else HIDDEN


_MASKS: dict[str, Callable[[Any], Any]] = {
    "email": mask_email, "phone": mask_phone, "tax_id": mask_tax_id, "name": mask_name,
    "hidden": _hide,
}

# Column (as the store and the exports name it) -> kind of value.
COLUMN_KINDS: dict[str, str] = {
    "full_name": "name", "given_name": "name", "family_name": "name",
    "email": "email", "email_key": "email",
    "phone": "phone", "phone2": "phone", "phone_e164": "phone", "phone2_e164": "phone",
    "national_id": "tax_id", "account_code": "tax_id",
    "street": "hidden", "house_number": "hidden", "birth_date": "hidden",
}
# Groups of the golden record's alternates -> kind of value.
_ALTERNATE_KINDS = {"name": "name", "email": "email", "phone": "phone", "phone2": "phone",
                    "national_id": "tax_id", "account_code": "tax_id", "address": "hidden",
                    "birth_date": "hidden"}


def mask_value(kind: str, value: Any) -> Any:
    """``value`` masked as a ``kind`` (email, phone, tax_id, name or hidden)."""
    if _missing(value):
        return None
    if kind != "hidden" and not isinstance(value, str):
        value = str(value)
    return _MASKS[kind](value)


def _mask_alternates(text: Any) -> Any:
    """The golden record's alternates (JSON text or a dict), each value masked."""
    if _missing(text):
        return None
    data = json.loads(text) if isinstance(text, str) else text
    masked = {group: None if values is None else
              [mask_value(_ALTERNATE_KINDS.get(group, "hidden"), v) for v in values]
              for group, values in (data or {}).items()}
    return json.dumps(masked, ensure_ascii=False) if isinstance(text, str) else masked


def mask_row(row: dict[str, Any], kinds: dict[str, str] | None = None) -> dict[str, Any]:
    """A copy of ``row`` with every column :data:`COLUMN_KINDS` (and ``kinds``, for a
    report's own column names) names masked."""
    known = COLUMN_KINDS if kinds is None else {**COLUMN_KINDS, **kinds}
    out = dict(row)
    for name, value in row.items():
        if name in known:
            out[name] = mask_value(known[name], value)
        elif name == "alternates":
            out[name] = _mask_alternates(value)
    return out


def mask_frame(frame: Any) -> Any:
    """``frame`` (pandas) with every column :data:`COLUMN_KINDS` names masked, in place."""
    for name in frame.columns:
        if name in COLUMN_KINDS:
            kind = COLUMN_KINDS[name]
            frame[name] = frame[name].astype(object).map(lambda v, k=kind: mask_value(k, v))
        elif name == "alternates":
            frame[name] = frame[name].astype(object).map(_mask_alternates)
    return frame


# The audit's lists of customers name their column "name" (a golden name or company).
_AUDIT_KINDS = {"name": "name"}


def mask_audit(report: Any) -> Any:
    """``report`` (an :class:`~custfocus.audit.model.AuditReport`) with the personal values
    of its customer lists (``details``: the customers to ask, with their names) masked, in
    place; figures and breakdowns hold counts and source names only."""
    for question in report.questions:
        question.details = {name: [mask_row(row, _AUDIT_KINDS) for row in rows]
                            for name, rows in question.details.items()}
    return report
