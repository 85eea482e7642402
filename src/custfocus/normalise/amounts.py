"""Money amounts: decimal separator per column, currency and sign per cell.

"1.234" is one thousand two hundred and thirty-four in Madrid and São Paulo
but one point two three four in Mexico City, so the decimal separator is
decided once per column (:func:`detect_decimal_separator`) and passed to
:func:`parse_amount`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Amount", "detect_decimal_separator", "parse_amount"]

_MAX_LENGTH = 64
# No order, invoice or payment reaches a quadrillion in any currency: beyond it a value is
# a broken cell (-1e308 was stored as an order amount), not an amount.
AMOUNT_LIMIT = 1e15

# Longest first so "R$" wins over "$" and "US$" over "$".
_CURRENCY_CODES: dict[str, str | None] = {
    "us$": "USD",
    "usd": "USD",
    "u$s": "USD",
    "mx$": "MXN",
    "mxn": "MXN",
    "r$": "BRL",
    "brl": "BRL",
    "col$": "COP",
    "cop": "COP",
    "ar$": "ARS",
    "ars": "ARS",
    "clp$": "CLP",
    "clp": "CLP",
    "s/.": "PEN",
    "s/": "PEN",
    "pen": "PEN",
    "eur": "EUR",
    "€": "EUR",
    "euros": "EUR",
    "gbp": "GBP",
    "£": "GBP",
    "$": None,  # dollar or peso: the symbol alone does not say which
}
_CURRENCY = "|".join(re.escape(c) for c in sorted(_CURRENCY_CODES, key=len, reverse=True))
_PREFIX = re.compile(rf"^(?:{_CURRENCY})(?![a-z])", re.IGNORECASE | re.ASCII)
_SUFFIX = re.compile(rf"(?<![a-z])(?:{_CURRENCY})$", re.IGNORECASE | re.ASCII)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_NUMBER = re.compile(r"^\d[\d.,]*$|^[.,]\d+$")
_SCIENTIFIC = re.compile(r"^\d+(?:\.\d+)?e[+-]?\d{1,3}$", re.IGNORECASE)
_SEPARATOR_SHAPE = re.compile(r"[^\d.,]+")


# Words of a header that name its currency ("dollar_value", "Importe en euros").
_HEADER_CURRENCY_WORDS = {
    "dollar": "USD", "dollars": "USD", "dolar": "USD", "dolares": "USD", "usd": "USD",
    "euro": "EUR", "euros": "EUR", "eur": "EUR", "reais": "BRL", "brl": "BRL",
    "pounds": "GBP", "gbp": "GBP", "libras": "GBP", "mxn": "MXN", "ars": "ARS", "cop": "COP",
    "clp": "CLP", "pen": "PEN",
}


def currency_of_header(header: str) -> str | None:
    """The currency an amount column's header names, if any.

    Example:
        >>> currency_of_header("dollar_value"), currency_of_header("Importe (€)")
        ('USD', 'EUR')
    """
    import unicodedata

    text = "".join(c for c in unicodedata.normalize("NFKD", (header or "").lower())
                   if not unicodedata.combining(c))
    for symbol, code in (("€", "EUR"), ("r$", "BRL"), ("us$", "USD"), ("£", "GBP")):
        if symbol in text:
            return code
    words = re.findall(r"[a-z]+", text.replace("_", " "))
    found = {_HEADER_CURRENCY_WORDS[w] for w in words if w in _HEADER_CURRENCY_WORDS}
    return found.pop() if len(found) == 1 else None


@dataclass(frozen=True)
class Amount:
    """A parsed amount; ``value`` is ``None`` when the cell is not a number."""

    value: float | None
    currency: str | None


_EMPTY = Amount(None, None)


def _vote(text: str) -> str | None:
    """Return the decimal separator ``text`` proves, or ``None`` if it can't tell."""
    digits = _SEPARATOR_SHAPE.sub("", text)
    commas, dots = digits.count(","), digits.count(".")
    if commas and dots:
        return "," if digits.rfind(",") > digits.rfind(".") else "."
    if not (commas or dots):
        return None
    separator, count = (",", commas) if commas else (".", dots)
    if count > 1:  # "1.234.567": repeated, so grouping
        return "." if separator == "," else ","
    integer, _, fraction = digits.partition(separator)
    if len(fraction) != 3 or integer.strip("0") == "":
        return separator  # "12,5", "0,125": only a decimal mark fits
    return None  # "1.234": thousands or three decimals


def detect_decimal_separator(values: Iterable[str | None]) -> str:
    """Decide whether a column writes decimals with ``","`` or ``"."``.

    Args:
        values: The raw cells of one column.

    Returns:
        ``","`` or ``"."``; ``"."`` when no value decides.

    Example:
        >>> detect_decimal_separator(["1.234", "12,50"])
        ','
    """
    votes = {",": 0, ".": 0}
    for value in values:
        if isinstance(value, str) and len(value) <= _MAX_LENGTH:
            vote = _vote(value)
            if vote:
                votes[vote] += 1
    return "," if votes[","] > votes["."] else "."


def _to_float(number: str, decimal: str) -> float | None:
    if _SCIENTIFIC.match(number):
        return float(number)
    if not _NUMBER.match(number):
        return None
    # A value that proves its own separator ("1.234,56", "12.5") overrides the
    # column's; the column decides only ambiguous ones like "1.234".
    decimal = _vote(number) or decimal
    thousands = "." if decimal == "," else ","
    number = number.replace(thousands, "")
    if number.count(decimal) > 1:  # "1.234.567" in a "." column: grouping after all
        number = number.replace(decimal, "")
    return float(number.replace(decimal, "."))


@lru_cache(maxsize=65_536)
def _parse_cached(text: str, decimal: str) -> Amount:
    text = _SPACES.sub("", text)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.startswith("-"):
        negative, text = True, text[1:]
    currency_match = _PREFIX.search(text) or _SUFFIX.search(text)
    currency = None
    if currency_match:
        currency = _CURRENCY_CODES[currency_match.group(0).lower()]
        text = text[: currency_match.start()] + text[currency_match.end() :]
    if text.startswith("-"):  # "€-12"
        negative, text = True, text[1:]
    elif text.endswith("-"):  # "12,50-" as some ERPs export credits
        negative, text = True, text[:-1]
    if text.startswith("+") and not negative:
        text = text[1:]
    value = _to_float(text, decimal)
    if value is None or not math.isfinite(value) or abs(value) >= AMOUNT_LIMIT:
        return Amount(None, currency)
    return Amount(-value if negative and value else value, currency)


def parse_amount(text: str | None, decimal: str = ".") -> Amount:
    """Parse a money cell into a float and an ISO currency code.

    Args:
        text: "1.234,56 €", "R$ 1.234,56", "(12,50)", "USD 1,234.56", "12,50-"…
        decimal: The column's decimal separator (see :func:`detect_decimal_separator`).

    Returns:
        An :class:`Amount`; ``value`` is ``None`` for non-numbers. ``"$"`` alone
        leaves ``currency`` ``None``: it may be dollars or pesos.

    Example:
        >>> parse_amount("1.234,56 €", decimal=",")
        Amount(value=1234.56, currency='EUR')
    """
    if not text or not isinstance(text, str) or len(text) > _MAX_LENGTH:
        return _EMPTY
    return _parse_cached(text, "," if decimal == "," else ".")
