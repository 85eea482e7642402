# Frozen copy of src/custfocus/normalise/addresses.py from before its speed-up: the oracle
# that tests/test_vectorised_addresses.py holds the optimised module to. Do not edit.
"""Street addresses and postal codes: expand abbreviations, build a comparison key.

Iberian and Latin-American addresses are typed with a dozen abbreviations
per street type ("C/", "Cl.", "Avda.", "Pº") and floor/door details after the
number ("3º Izda.", "apto 42"). :func:`address_key` reduces both to the street
name and house number, which is what identifies a building.
"""

from __future__ import annotations

import re
from functools import lru_cache

from custfocus.normalise.text import clean_text, fold

__all__ = [
    "address_key",
    "expand_street",
    "normalise_postal_code",
    "split_street_number",
]

# (abbreviations, needs a trailing dot, expansion). Abbreviations that are also
# ordinary words ("Al", "Pl", "No") only count with their dot.
_ABBREVIATIONS: tuple[tuple[tuple[str, ...], bool, str], ...] = (
    (("c", "cl", "cll", "cal"), True, "Calle"),
    (("cl", "cll"), False, "Calle"),
    (("avda", "avd", "av"), False, "Avenida"),
    (("pza", "plza", "pl"), True, "Plaza"),
    (("pza", "plza"), False, "Plaza"),
    (("pso", "po"), True, "Paseo"),
    (("pº", "p.º", "pso"), False, "Paseo"),
    (("ctra", "crta"), False, "Carretera"),
    (("cra", "kra", "kr"), False, "Carrera"),
    (("urb",), False, "Urbanización"),
    (("al",), True, "Alameda"),
    (("rod",), True, "Rodovia"),
    (("pç", "pça", "pca"), False, "Praça"),
    (("esq",), False, "Esquina"),
    (("estr",), False, "Estrada"),
    (("lgo",), False, "Largo"),
    (("bo",), True, "Barrio"),
    (("bº",), False, "Barrio"),
    (("gta", "glta"), False, "Glorieta"),
    (("rda",), False, "Ronda"),
    (("cno", "cmno"), False, "Camino"),
    (("psje", "pje"), False, "Pasaje"),
)
_TRAVESSA = ("trav", "tv", "trv")
# Either the abbreviation's dot or the end of the word.
_WORD_END = r"(?:\.|(?![\w.º°ª]))"


def _abbreviation_pattern(words: tuple[str, ...], dotted: bool) -> str:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return rf"(?<![\w.])(?:{alternatives})" + (r"\.\s*" if dotted else rf"{_WORD_END}\s*")


_EXPANSIONS = tuple(
    (re.compile(_abbreviation_pattern(words, dotted), re.IGNORECASE), expansion + " ")
    for words, dotted, expansion in _ABBREVIATIONS
)
_C_SLASH = re.compile(r"(?<![\w/])c\s*/\s*(?!n\b)", re.IGNORECASE)
_RUA = re.compile(r"^r\.\s*", re.IGNORECASE)
_TRAVESSA_PATTERN = re.compile(_abbreviation_pattern(_TRAVESSA, False), re.IGNORECASE)
_SIN_NUMERO = re.compile(r"(?<!\w)s\s*/\s*n(?:[º°o]|ú?m(?:ero)?)?\.?(?!\w)", re.IGNORECASE)
_NUMBER_MARKER = re.compile(
    r"(?<!\w)(?:n\.?\s*[º°]|no\.|nro\.?|n[uú]m(?:ero)?\.?|#)\s*(?=\d)", re.IGNORECASE
)
_PORTUGUESE_HINTS = re.compile(
    r"\b(?:rua|bairro|apto|apartamento|andar|praça|travessa|do|da|dos|das)\b|[ãõç]"
)
_SPACES = re.compile(r"\s+")
_MAX_LENGTH = 1024


def _guess_lang(text: str) -> str:
    return "pt" if _PORTUGUESE_HINTS.search(text.lower()) else "es"


@lru_cache(maxsize=131_072)
def _expand_cached(text: str, lang: str | None) -> str:
    text = clean_text(text)
    if not text:
        return ""
    text = _SIN_NUMERO.sub("s/n", text)
    text = _C_SLASH.sub("Calle ", text)
    text = _RUA.sub("Rua ", text)
    for pattern, expansion in _EXPANSIONS:
        text = pattern.sub(expansion, text)
    if _TRAVESSA_PATTERN.search(text):
        lang = lang or _guess_lang(text)
        travessa = "Travessa " if lang.startswith("pt") else "Travesía "
        text = _TRAVESSA_PATTERN.sub(travessa, text)
    text = _NUMBER_MARKER.sub("nº ", text)
    return _SPACES.sub(" ", text).strip()


def expand_street(text: str | None, lang: str | None = None) -> str:
    """Clean a street line and expand its abbreviations.

    Args:
        text: The street as typed ("C/ Mayor, 12", "Avda. de la Paz nº 3").
        lang: ``"es"`` or ``"pt"``; only decides Travesía vs Travessa.
            Guessed from the text when ``None``.

    Returns:
        The expanded street; number markers become ``"nº"``, "sin número" becomes
        ``"s/n"``. Only the first 1024 characters of ``text`` are used.

    Example:
        >>> expand_street("C/ Mayor, núm. 12")
        'Calle Mayor, nº 12'
    """
    if not text or not isinstance(text, str):
        return ""
    # No street line is this long; truncating keeps junk cells cheap.
    return _expand_cached(text[:_MAX_LENGTH], lang)


# A house number: digits with an optional letter, but not an ordinal ("3º", "2ª").
_HOUSE_NUMBER = re.compile(r"(?<![\w/.])(\d{1,6}[a-zA-Z]?)(?![\wº°ª]|\.[º°ª])")
# "nº 12", "nº 12B" and Colombian "# 12-34".
_MARKED_NUMBER = re.compile(r"(?:nº|#)\s*(\d{1,6}(?:-\d{1,6})?[a-zA-Z]?)(?!\w)")
_DATE_NAME = re.compile(r"\s+de\s", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^\s*(\d{1,6}[a-zA-Z]?)(?![\wº°ª])")


def _tidy_street(street: str) -> str:
    street = street.replace("s/n", " ")
    return _SPACES.sub(" ", street).strip(" ,;-/")


def split_street_number(text: str | None) -> tuple[str, str | None]:
    """Separate the street name from the house number.

    Floor and door details after the number are dropped; "s/n" gives no number.

    Args:
        text: A street line, abbreviated or not.

    Returns:
        ``(street, number)``; ``number`` is ``None`` when none is found.

    Example:
        >>> split_street_number("Calle Mayor 12, 3ºB")
        ('Calle Mayor', '12')
    """
    expanded = expand_street(text)
    if not expanded:
        return "", None
    marked = _MARKED_NUMBER.search(expanded)
    if marked:
        return _tidy_street(expanded[: marked.start()]), marked.group(1).upper()
    head, comma, tail = expanded.partition(",")
    if comma:
        leading = _LEADING_NUMBER.match(tail)
        if leading:
            return _tidy_street(head), leading.group(1).upper()
    leading_match = None
    for match in _HOUSE_NUMBER.finditer(head):
        # Streets named after dates ("Rua 25 de Março") carry numbers too.
        if _DATE_NAME.match(head, match.end()):
            continue
        if match.start() == 0:  # "12 Main Street"; prefer a number after the name
            leading_match = leading_match or match
            continue
        return _tidy_street(head[: match.start()]), match.group(1).upper()
    if leading_match:
        return _tidy_street(head[leading_match.end() :]), leading_match.group(1).upper()
    return _tidy_street(head), None


_STREET_TYPES = frozenset(
    [
        "calle",
        "carrer",
        "rua",
        "avenida",
        "av",
        "avda",
        "plaza",
        "praca",
        "praza",
        "paseo",
        "passeig",
        "carretera",
        "carrera",
        "urbanizacion",
        "alameda",
        "rodovia",
        "travessa",
        "travesia",
        "esquina",
        "estrada",
        "largo",
        "barrio",
        "glorieta",
        "ronda",
        "camino",
        "pasaje",
        "passagem",
        "calzada",
        "bulevar",
        "boulevard",
        "blvd",
        "via",
        "vila",
        "callejon",
        "street",
        "st",
        "avenue",
        "ave",
        "road",
        "rd",
        "lane",
        "ln",
        "drive",
        "dr",
        "place",
        "pl",
        "court",
        "ct",
        "terrace",
        "ter",
        "parkway",
        "pkwy",
        "highway",
        "hwy",
        "circle",
        "cir",
        "way",
        "square",
        "sq",
        # compass points (dropped like street types)
        "w",
        "west",
        "east",
        "north",
        "south",
        "nw",
        "ne",
        "sw",
        "se",
    ]
)
_FILLER_WORDS = frozenset(
    [
        "de",
        "del",
        "la",
        "las",
        "los",
        "el",
        "da",
        "das",
        "do",
        "dos",
        "the",
        "y",
        "e",
        "n",
        "no",
        "nº",
        "num",
        "numero",
        "sn",
        "s",
        "piso",
        "planta",
        "pta",
        "puerta",
        "apto",
        "apt",
        "apartamento",
        "apartment",
        "bloco",
        "bloque",
        "blq",
        "esc",
        "escalera",
        "izq",
        "izda",
        "izquierda",
        "dcha",
        "derecha",
        "drcha",
        "entlo",
        "entresuelo",
        "suite",
        "ste",
        "unit",
        "fl",
        "floor",
    ]
)
_ORDINAL_DETAIL = re.compile(r"(?<!\d)\d{1,4}\s*[º°ª]\s*[a-z]?\b", re.IGNORECASE)


def address_key(
    street: str | None, number: str | None = None, postal_code: str | None = None
) -> str:
    """Return a comparison key: street name words, house number, postal code.

    Street types ("Calle", "Rua"), particles and floor/door details are dropped,
    so different spellings of one building share a key.

    Args:
        street: The street line (may include the number).
        number: The house number when it lives in its own column.
        postal_code: Appended when given.

    Returns:
        A folded key such as ``"mayor 12 28013"``; ``""`` when nothing is usable.

    Example:
        >>> address_key("C/ Mayor, 12, 3º Izda.") == address_key("Calle Mayor nº 12")
        True
    """
    street_part, found = split_street_number(street)
    street_part = _ORDINAL_DETAIL.sub(" ", street_part)
    words = [w for w in fold(street_part).split() if w not in _STREET_TYPES]
    words = [w for w in words if w not in _FILLER_WORDS]
    house = fold(number) if number and fold(number) else fold(found)
    parts = [*words]
    if house:
        parts.append(house.replace(" ", "-"))
    postal = fold(postal_code).replace(" ", "") if postal_code else ""
    if postal:
        parts.append(postal)
    return " ".join(parts)


# Country -> (digit count, how many leading zeros Excel may have eaten).
_NUMERIC_CODES: dict[str, tuple[int, int]] = {
    "ES": (5, 1),
    "MX": (5, 1),
    "PE": (5, 1),
    "IT": (5, 2),
    "FR": (5, 1),
    "DE": (5, 1),
    "CO": (6, 1),
    "CL": (7, 0),
}
_POSTAL_PREFIX = re.compile(
    r"^(?:c\.?\s*p\.?|cep|c[oó]digo\s+postal|zip(?:\s*code)?)[\s:.-]*", re.I
)
_EXCEL_FLOAT = re.compile(r"^(\d+)\.0+$")
_SEPARATORS = re.compile(r"[\s.\-]+")
_ARGENTINE_CPA = re.compile(r"^[A-Z]\d{4}[A-Z]{3}$")


def _pad(digits: str, length: int, max_zeros: int) -> str | None:
    if not digits.isdigit() or not digits.isascii():
        return None
    if length - max_zeros <= len(digits) < length:
        digits = digits.zfill(length)
    return digits if len(digits) == length else None


def normalise_postal_code(text: str | None, country: str | None = "ES") -> str | None:
    """Return a postal code in its country's canonical form, or ``None`` if invalid.

    Leading zeros that spreadsheets strip are restored ("8001" -> "08001" in Spain).

    Args:
        text: The raw value ("8001.0", "01310100", "C1425ABC").
        country: ISO country; unknown countries get a cleaned upper-case value.

    Returns:
        The normalised code, or ``None``.

    Example:
        >>> normalise_postal_code("8001.0"), normalise_postal_code("1310100", "BR")
        ('08001', '01310-100')
    """
    if not text or not isinstance(text, str) or len(text) > 64:
        return None
    country = country.upper() if isinstance(country, str) else None
    # (Since the Shopify reading: a leading apostrophe is a spreadsheet's text marker.)
    raw = _POSTAL_PREFIX.sub("", clean_text(text).lstrip("'’"))
    excel = _EXCEL_FLOAT.match(raw)
    compact = excel.group(1) if excel else _SEPARATORS.sub("", raw).upper()
    if not compact:
        return None
    if country in _NUMERIC_CODES:
        code = _pad(compact, *_NUMERIC_CODES[country])
        if code and country == "ES" and not 1 <= int(code[:2]) <= 52:
            return None
        return code
    if country == "BR":
        code = _pad(compact, 8, 1)
        return f"{code[:5]}-{code[5:]}" if code else None
    if country == "PT":
        code = _pad(compact, 7, 0)
        return f"{code[:4]}-{code[4:]}" if code else None
    if country == "AR":
        if _ARGENTINE_CPA.match(compact):
            return compact
        return _pad(compact, 4, 0)
    if country == "US":
        if len(compact) == 9:
            code = _pad(compact, 9, 0)
            return f"{code[:5]}-{code[5:]}" if code else None
        return _pad(compact, 5, 2)
    return clean_text(raw).upper() or None
