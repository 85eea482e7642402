"""Pure, cached normalisers for the values found in customer files.

Every function here accepts any string (or ``None``) and never raises: bad
input gives an empty or "not valid" result, so a single odd cell cannot stop
an import of millions of rows.
"""

from __future__ import annotations

from custfocus.normalise.addresses import (
    address_key,
    expand_street,
    normalise_postal_code,
    split_street_number,
)
from custfocus.normalise.amounts import Amount, detect_decimal_separator, parse_amount
from custfocus.normalise.dates import DateOrder, detect_date_order, parse_date, parse_datetime
from custfocus.normalise.emails import EmailInfo, normalise_email
from custfocus.normalise.ids import NationalId, format_national_id, normalise_national_id
from custfocus.normalise.names import (
    NICKNAMES,
    PersonName,
    canonical_given,
    is_placeholder_name,
    name_key,
    name_tokens,
    parse_name,
)
from custfocus.normalise.phones import PhoneInfo, guess_region, normalise_phone
from custfocus.normalise.text import PLACEHOLDER_VALUES, clean_text, fold, is_placeholder

__all__ = [
    "NICKNAMES",
    "PLACEHOLDER_VALUES",
    "Amount",
    "DateOrder",
    "EmailInfo",
    "NationalId",
    "PersonName",
    "PhoneInfo",
    "address_key",
    "canonical_given",
    "clean_text",
    "detect_date_order",
    "detect_decimal_separator",
    "expand_street",
    "fold",
    "format_national_id",
    "guess_region",
    "is_placeholder",
    "is_placeholder_name",
    "name_key",
    "name_tokens",
    "normalise_email",
    "normalise_national_id",
    "normalise_phone",
    "normalise_postal_code",
    "parse_amount",
    "parse_date",
    "parse_datetime",
    "parse_name",
    "split_street_number",
]
