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
from functools import cache, lru_cache
from itertools import islice
from typing import Any

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

__all__ = ["CANDIDATE_REGIONS", "LOCAL_PREFIX", "PhoneInfo", "guess_region", "is_local",
           "normalise_phone"]

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
    """A parsed phone; ``e164`` is set whenever the number is at least possible.

    A local number (a subscriber number written without its area code, "226 2649" in the
    US) is valid match evidence but has no E.164 form: its ``e164`` is
    ``local:REGION:DIGITS`` (see :data:`LOCAL_PREFIX`), which can equal only the same local
    number read in the same region, and ``mobile`` is ``None``.
    """

    e164: str | None
    valid: bool
    national: str
    region: str | None
    mobile: bool | None


_EMPTY = PhoneInfo(None, False, "", None, None)
LOCAL_PREFIX = "local:"


def is_local(e164: str | None) -> bool:
    """Whether a normalised phone is a local number (``local:US:2262649``), not E.164."""
    return e164 is not None and e164.startswith(LOCAL_PREFIX)


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


# Fast path: a clean "+CC digits" or national-digits cell is checked against the region's
# own libphonenumber patterns with compiled regexes, about 20x faster than parse(); anything
# unusual (trunk prefixes, extensions, letters, shared country codes) takes the full path.
_FAST_CHARS = re.compile(r"^\+?[\d\s().\-]{6,24}$")
_TYPE_ORDER = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE), ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST), ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER), ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN), ("voicemail", PhoneNumberType.VOICEMAIL),
)


@cache
def _region_rules(region: str) -> tuple[str, Any, Any, tuple[Any, ...]] | None:
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if meta is None or meta.general_desc is None:
        return None

    def desc(d: Any) -> tuple[Any, frozenset[int]] | None:
        if d is None or not d.national_number_pattern:
            return None
        lengths = d.possible_length or meta.general_desc.possible_length or ()
        return re.compile(d.national_number_pattern), frozenset(lengths)

    types = tuple((kind, rule) for name, kind in _TYPE_ORDER
                  if (rule := desc(getattr(meta, name, None))) is not None)
    # One alternation screens all the rare types at once; most numbers fail it fast.
    screen = (re.compile("|".join(f"(?:{rule[0].pattern})" for _, rule in types))
              if types else None)
    prefix = (re.compile(meta.national_prefix_for_parsing)
              if meta.national_prefix_for_parsing else None)
    return (str(meta.country_code), desc(meta.general_desc), prefix,
            (types, screen, desc(meta.fixed_line), desc(meta.mobile)))


def _matches(rule: tuple[Any, frozenset[int]] | None, national: str) -> bool:
    return rule is not None and (not rule[1] or len(national) in rule[1]) and (
        rule[0].fullmatch(national) is not None)


def _fast(text: str, region: str | None) -> PhoneInfo | None:
    if not _FAST_CHARS.match(text):
        return None
    digits = _NON_DIGIT.sub("", text)
    if text.lstrip().startswith("+"):
        for size in (1, 2, 3):
            regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:size] or 0))
            if regions:
                break
        else:
            return None
        if len(regions) != 1:
            return None
        region, national = regions[0], digits[size:]
    else:
        national = digits
    if not region or not national or national[0] == "0":
        return None
    rules = _region_rules(region)
    if rules is None:
        return None
    code, general, prefix, (types, screen, fixed, mobile) = rules
    if (prefix is not None and prefix.match(national)) or not _matches(general, national):
        return None
    kind = None
    if screen is not None and screen.fullmatch(national):
        kind = next((k for k, rule in types if _matches(rule, national)), None)
    is_mobile: bool | None = None
    if kind is None:
        if _matches(fixed, national):
            kind, is_mobile = PhoneNumberType.FIXED_LINE, _matches(mobile, national) or False
        elif _matches(mobile, national):
            kind, is_mobile = PhoneNumberType.MOBILE, True
    if kind is None:
        return None  # possible but not valid: let libphonenumber have the last word
    return PhoneInfo(f"+{code}{national}", True, national, region, is_mobile)


@cache
def _local_rules(region: str) -> tuple[tuple[frozenset[int], str], ...]:
    """Per fixed-line and mobile description of the region: the lengths it dials locally
    (without the area code) and its example number's national digits."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if meta is None:
        return ()
    return tuple((frozenset(d.possible_length_local_only), d.example_number)
                 for d in (meta.fixed_line, meta.mobile)
                 if d is not None and d.possible_length_local_only and d.example_number)


def _local_number(number: phonenumbers.PhoneNumber, region: str | None) -> PhoneInfo | None:
    """``number`` (parsed without a country code) as a local number of ``region``, if it is one.

    libphonenumber knows which lengths a region dials locally (7 digits in the US, 7-8 in
    Mexico, 8 for Brazil's fixed lines, none in Spain) but cannot validate a number without
    its area code. A local number counts when it has such a length *and* completes the
    region's example number into a valid one (the example's area code + these digits):
    "2262649" in the US (201 226 2649 is valid), not "0262649" (no exchange starts with 0).
    """
    if region is None:
        return None
    national = phonenumbers.national_significant_number(number)
    for lengths, example in _local_rules(region):
        if len(national) in lengths and len(example) > len(national):
            completed = _parse(example[:len(example) - len(national)] + national, region)
            if completed is not None and phonenumbers.is_valid_number(completed):
                return PhoneInfo(f"{LOCAL_PREFIX}{region}:{national}", True, national, region,
                                 None)
    return None


def _has_country_code(text: str) -> bool:
    return text.lstrip().startswith(("+", "00"))


@lru_cache(maxsize=262_144)
def _normalise_cached(text: str, region: str | None) -> PhoneInfo:
    fast = _fast(text, region)
    if fast is not None:
        return fast
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
    if not valid and not _has_country_code(text) and not _has_country_code(repaired):
        local = _local_number(number, region)
        if local is not None:
            return local
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


def guess_region(values: Iterable[str | None], default: str = "ES", sample: int = 1000,
                 prefer: tuple[str, ...] = ()) -> str:
    """Guess the country of a phone column's numbers that lack a country code.

    When at least a third of the sample carries an explicit ``+CC``/``00CC``
    prefix the most common such country wins; otherwise each candidate region is
    tried and the one with the most valid numbers wins, then the one with the most
    local numbers (numbers without an area code, which only some regions dial);
    ties go to ``default``, then to the regions in ``prefer`` (what else the file says:
    the language of its headers), then to the earlier candidate.

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
    candidates = tuple(dict.fromkeys((default, *prefer, *CANDIDATE_REGIONS)))
    # The whole-column normaliser gives the same validity, without a parse per number.
    import pyarrow as pa

    from custfocus.normalise.vectorised.phones import normalise_phone_column

    column = pa.array(texts, pa.string())
    scores = {r: _region_score(normalise_phone_column(column, r)) for r in candidates}
    best = max(scores.values())
    if best == (0, 0) or scores[default] == best:
        return default
    return next(r for r in candidates if scores[r] == best)


def _region_score(normalised: dict[str, Any]) -> tuple[int, int]:
    """(full valid numbers, local numbers) of a column normalised in one region."""
    valid = [bool(v) for v in normalised["valid"].to_pylist()]
    local = [is_local(e) for e in normalised["e164"].to_pylist()]
    return (sum(v and not lo for v, lo in zip(valid, local)),
            sum(v and lo for v, lo in zip(valid, local)))
