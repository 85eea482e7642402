"""Phone numbers: parse with libphonenumber, repair spreadsheet damage, format E.164.

Customer files store phones as Excel floats ("612345678.0", "6.12345678E+8"),
with "00" international prefixes, several numbers per cell and extensions.
These are repaired before parsing; the region used for numbers without a
country code can be guessed per column with :func:`guess_region`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import islice

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

__all__ = ["CANDIDATE_REGIONS", "PhoneInfo", "guess_region", "normalise_phone"]

CANDIDATE_REGIONS: tuple[str, ...] = ("ES", "BR", "MX", "AR", "CO", "PT", "CL", "PE", "US")

_MAX_LENGTH = 200  # libphonenumber refuses more than 250 characters anyway
_EXCEL_FLOAT = re.compile(r"^\s*\+?\d+\.0+\s*$")
_EXCEL_SCIENTIFIC = re.compile(r"^\s*\d(?:\.\d+)?[eE]\+?\d{1,2}\s*$")
# Cells holding several numbers: "612 345 678 / 913 456 789", "...; ...", "... | ...".
_MULTI_SEPARATOR = re.compile(r"\s*[/;|,]\s*|\s+(?:o|ou|or|y|e)\s+", re.IGNORECASE)
_NON_DIGIT = re.compile(r"\D+")
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


@dataclass(frozen=True)
class PhoneInfo:
    """A parsed phone; ``e164`` is set whenever the number is at least possible."""

    e164: str | None
    valid: bool
    national: str
    region: str | None
    mobile: bool | None


_EMPTY = PhoneInfo(None, False, "", None, None)


def _repair(text: str) -> str:
    text = text.strip()
    if _EXCEL_FLOAT.match(text):
        return text.split(".", 1)[0]
    if _EXCEL_SCIENTIFIC.match(text):
        try:
            return str(int(Decimal(text.strip())))
        except (InvalidOperation, ValueError, OverflowError):
            return text
    first = _MULTI_SEPARATOR.split(text, maxsplit=1)[0]
    # Keep the whole cell if the separator split a single number ("91/555 12 34").
    if len(_NON_DIGIT.sub("", first)) >= 6:
        text = first
    if text.startswith("00"):
        text = "+" + text[2:]
    return text


def _parse(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except (NumberParseException, ValueError, IndexError):
        return None


def _is_possible(number: phonenumbers.PhoneNumber | None) -> bool:
    return number is not None and phonenumbers.is_possible_number(number)


@lru_cache(maxsize=262_144)
def _normalise_cached(text: str, region: str | None) -> PhoneInfo:
    repaired, stripped = _repair(text), text.strip()
    number = _parse(repaired, region)
    if not _is_possible(number) and repaired != stripped:
        # "0034…" was turned into "+34…" and Excel floats were trimmed; if that
        # gave nothing possible, try the cell as typed.
        retry = _parse(stripped, region)
        if _is_possible(retry):
            number = retry
    if number is None:
        return PhoneInfo(None, False, _NON_DIGIT.sub("", repaired), None, None)
    national = phonenumbers.national_significant_number(number)
    if not _is_possible(number):
        return PhoneInfo(None, False, national, None, None)
    # is_valid_number(n) is exactly number_type(n) != UNKNOWN; asking once
    # saves a second pass over the region's patterns.
    kind = phonenumbers.number_type(number)
    valid = kind != PhoneNumberType.UNKNOWN
    number_region = phonenumbers.region_code_for_number(number)
    if number_region in (None, "ZZ", "001"):
        number_region = None
    mobile: bool | None = None
    if kind in _MOBILE_TYPES:
        mobile = True
    elif kind == PhoneNumberType.FIXED_LINE:
        mobile = False
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneInfo(e164, valid, national, number_region, mobile)


def normalise_phone(text: str | None, region: str | None = "ES") -> PhoneInfo:
    """Parse one phone cell into E.164 and its properties.

    Args:
        text: The raw cell value ("+34 612 34 56 78", "612345678.0", "(11) 98765-4321").
        region: ISO country used when the number has no country code; ``None``
            accepts only international numbers.

    Returns:
        A :class:`PhoneInfo`. ``valid`` is ``False`` for unparsable or impossible
        numbers; ``e164`` is kept for numbers that are possible but not valid.

    Example:
        >>> normalise_phone("(11) 98765-4321", region="BR").e164
        '+5511987654321'
    """
    if not text or not isinstance(text, str):
        return _EMPTY
    region = region.upper() if isinstance(region, str) and region else None
    if len(text) > _MAX_LENGTH:
        return PhoneInfo(None, False, _NON_DIGIT.sub("", text)[:_MAX_LENGTH], None, None)
    return _normalise_cached(text, region)


def _country_code_region(text: str) -> str | None:
    stripped = text.strip()
    if not (stripped.startswith("+") or stripped.startswith("00")):
        return None
    number = _parse(_repair(stripped), None)
    if number is None:
        return None
    region = phonenumbers.region_code_for_country_code(number.country_code)
    return None if region in ("ZZ", "001") else region


def guess_region(values: Iterable[str | None], default: str = "ES", sample: int = 1000) -> str:
    """Guess the country of a phone column's numbers that lack a country code.

    When at least a third of the sample carries an explicit ``+CC``/``00CC``
    prefix the most common such country wins; otherwise each candidate region is
    tried and the one with the most valid numbers wins (ties go to ``default``).

    Args:
        values: Raw phone strings from one column.
        default: Region returned when the data does not decide.
        sample: How many non-empty values to look at.

    Returns:
        An ISO 3166 alpha-2 region code.

    Example:
        >>> guess_region(["(11) 98765-4321", "21 2345-6789"])
        'BR'
    """
    texts = [v for v in islice((v for v in values if isinstance(v, str) and v.strip()), sample)]
    if not texts:
        return default
    prefixed = Counter(r for r in map(_country_code_region, texts) if r)
    if prefixed and sum(prefixed.values()) * 3 >= len(texts):
        return prefixed.most_common(1)[0][0]
    candidates = (default, *(r for r in CANDIDATE_REGIONS if r != default))
    scores = {r: sum(normalise_phone(t, r).valid for t in texts) for r in candidates}
    best = max(scores.values())
    if best == 0 or scores[default] == best:
        return default
    return next(r for r in candidates if scores[r] == best)
