"""Street addresses and postal codes: expand abbreviations, build a comparison key.

Iberian and Latin-American addresses are typed with a dozen abbreviations
per street type ("C/", "Cl.", "Avda.", "Pº") and floor/door details after the
number ("3º Izda.", "apto 42"). :func:`address_key` reduces both to the street
name and house number, which is what identifies a building.
"""

from __future__ import annotations

import re
import unicodedata

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
    r"""``(?<![\w.])(?:words, longest first)`` and the dot or word end, then spaces.

    Written with each first letter ahead of the lookbehind (which then looks one
    character further back): same matches, but the regex engine skips from one such
    letter to the next instead of trying the lookbehind everywhere (about 3x faster).
    """
    by_first: dict[str, list[str]] = {}
    for word in sorted(words, key=len, reverse=True):
        by_first.setdefault(word[0], []).append(re.escape(word[1:]))
    alternatives = "|".join(
        rf"{re.escape(first)}(?<![\w.].)(?:{'|'.join(rests)})" for first, rests in by_first.items()
    )
    return rf"(?s)(?:{alternatives})" + (r"\.\s*" if dotted else rf"{_WORD_END}\s*")


_EXPANSIONS = tuple(
    (re.compile(_abbreviation_pattern(words, dotted), re.IGNORECASE), expansion + " ")
    for words, dotted, expansion in _ABBREVIATIONS
)
# (?<![\w/])c\s*/\s*(?!n\b) and (?<!\w)s\s*/\s*n(?:[º°o]|ú?m(?:ero)?)?\.?(?!\w), with the
# letter ahead of the lookbehind as in _abbreviation_pattern.
_C_SLASH = re.compile(r"(?s)c(?<![\w/].)\s*/\s*(?!n\b)", re.IGNORECASE)
_RUA = re.compile(r"^r\.\s*", re.IGNORECASE)
_TRAVESSA_PATTERN = re.compile(_abbreviation_pattern(_TRAVESSA, False), re.IGNORECASE)
_SIN_NUMERO = re.compile(r"(?s)s(?<!\w.)\s*/\s*n(?:[º°o]|ú?m(?:ero)?)?\.?(?!\w)", re.IGNORECASE)
# r"(?<!\w)(?:n\.?\s*[º°]|no\.|nro\.?|n[uú]m(?:ero)?\.?|#)\s*(?=\d)", with the first
# letter moved before the lookbehind (which then looks one character further back) so the
# regex engine can skip quickly from one "n" or "#" to the next.
_NUMBER_MARKER = re.compile(
    r"(?s)(?:n(?<!\w.)(?:\.?\s*[º°]|o\.|ro\.?|[uú]m(?:ero)?\.?)|#(?<!\w.))\s*(?=\d)",
    re.IGNORECASE,
)
_PORTUGUESE_HINTS = re.compile(
    r"\b(?:rua|bairro|apto|apartamento|andar|praça|travessa|do|da|dos|das)\b|[ãõç]"
)
_SPACES = re.compile(r"\s+")
_MAX_LENGTH = 1024

# Pre-screen for the abbreviation passes. Every pass above matches one of its words
# (case-insensitively) at a word start, followed by a dot or the end of the word. One scan
# of the lower-cased text for any of the words, so placed, names every pass that could
# match (the one word holding a dot, "p.º", is looked for as a substring); a street with
# nothing to expand -- the common case -- skips the two dozen passes. Lower-casing first
# is safe: no character outside [\w.º°ª] lower-cases to anything inside it, so word
# starts and ends stay where they were. At most one word can match at a position (no
# word is another one plus a dot or a word end), so none hides another.
# Index len(_EXPANSIONS) stands for the Travessa/Travesía pass.
_TRAVESSA_PASS = len(_EXPANSIONS)
_WORD_PASSES: dict[str, tuple[int, ...]] = {}
for _index, (_words, _dotted, _expansion) in enumerate(
    (*_ABBREVIATIONS, (_TRAVESSA, False, "Travessa"))
):
    for _word in _words:
        _WORD_PASSES[_word] = (*_WORD_PASSES.get(_word, ()), _index)
_UNDOTTED_WORDS = tuple(w for w in _WORD_PASSES if "." not in w)
_DOTTED_WORDS = tuple(w for w in _WORD_PASSES if "." in w)
_ALL_PASSES = tuple(range(_TRAVESSA_PASS + 1))
# (Matches lower-case text, so needs no IGNORECASE.)
_ABBREVIATION_SCREEN = re.compile(_abbreviation_pattern(_UNDOTTED_WORDS, False).removesuffix(r"\s*"))


def _possible_passes(text: str) -> tuple[int, ...]:
    """Indexes of the abbreviation passes that could match ``text``, ascending."""
    if "ſ" in text:  # the one letter IGNORECASE matches that lower() does not map ("s")
        return _ALL_PASSES
    low = text.lower()
    words = [m.rstrip(".") for m in _ABBREVIATION_SCREEN.findall(low)]
    for word in _DOTTED_WORDS:
        if word in low:
            words.append(word)
    if not words:
        return ()
    if len(words) == 1:
        return _WORD_PASSES[words[0]]
    return tuple(sorted({p for w in words for p in _WORD_PASSES[w]}))


# A dot glued to what follows ("c.pza.x"): replacing an abbreviation that ends in such a
# dot puts a space before the next word, which may make it a word start for a later pass.
_GLUED_DOT = re.compile(r"\.\S")


def _expand_abbreviations(text: str, passes: tuple[int, ...], glued: bool) -> tuple[str, bool]:
    """Run the passes in order, skipping those the screen rules out.

    ``glued`` says whether ``text`` has a glued dot. Returns the text and whether the
    Travessa pass may apply to it.
    """
    i = 0
    while i < len(passes):
        index = passes[i]
        if index == _TRAVESSA_PASS:
            return text, True
        pattern, expansion = _EXPANSIONS[index]
        expanded = pattern.sub(expansion, text)
        if glued and expanded != text:
            # A pass can create a match for a later one ("c.pza.x" -> "Calle pza.x"):
            # screen the new text again. Without a glued dot a replacement ("Calle ",
            # no abbreviation) only removes word starts or sits before one that was
            # there already (after the spaces it consumed), so the screen stands.
            passes = tuple(p for p in _possible_passes(expanded) if p > index)
            i = 0
        else:
            i += 1
        text = expanded
    return text, False


def _guess_lang(text: str) -> str:
    return "pt" if _PORTUGUESE_HINTS.search(text.lower()) else "es"


# A number marker cannot match without one of these (in lower case).
_MARKER_HINTS = ("#", "º", "°", "no.", "nro", "num", "núm")


def _is_clean(text: str) -> bool:
    """True when ``clean_text(text) == text``, decided without doing its work.

    Every character clean_text removes is non-printable, and so is all whitespace but " ".
    """
    return (
        text.isprintable()
        and "  " not in text
        and text[:1] != " "
        and text[-1:] != " "
        and (text.isascii() or unicodedata.is_normalized("NFC", text))
    )


def _expand(text: str, lang: str | None) -> tuple[str, bool]:
    """The expanded street, and whether it is provably its own expansion.

    When it is, expand_street need not redo the work: split_street_number and
    address_key expand what expand_street returned.
    """
    vouch = True
    if not _is_clean(text):
        text = clean_text(text)
        if not text:
            return "", False
        # clean_text may leave characters _is_clean does not vouch for ("\u00ad").
        vouch = _is_clean(text)
    cleaned = text
    # Each step runs only when it can match; the order is the original one. The text is
    # clean here (single spaces), so "\s*" around a slash is "" or " ".
    if "/" in text:
        low = text.lower()
        if "/n" in low or "/ n" in low:
            text = _SIN_NUMERO.sub("s/n", text)
            low = text.lower()
        if "c/" in low or "c /" in low:
            text = _C_SLASH.sub("Calle ", text)
    if text[1:2] == ".":
        text = _RUA.sub("Rua ", text)
    passes = _possible_passes(text)
    rescreened = False
    if passes:
        before = text
        glued = _GLUED_DOT.search(text) is not None
        text, travessa_possible = _expand_abbreviations(text, passes, glued)
        if travessa_possible and _TRAVESSA_PATTERN.search(text):
            lang = lang or _guess_lang(text)
            travessa = "Travessa " if lang.startswith("pt") else "Travesía "
            text = _TRAVESSA_PATTERN.sub(travessa, text)
        rescreened = glued and text != before
    low = text.lower()
    for hint in _MARKER_HINTS:
        if hint in low:
            text = _NUMBER_MARKER.sub("nº ", text)
            break
    if text == cleaned:
        # clean_text leaves single spaces and no outer whitespace: nothing to tidy. And
        # expanding the result retraces these same steps on the same text.
        return cleaned, vouch
    # The only whitespace is " ": clean_text's and the replacements'.
    if "  " in text:
        text = _SPACES.sub(" ", text)
    text = text.strip()
    # Expanding the result again changes nothing if nothing new can match in it: every
    # pass removed its matches and, with no glued dot, created no word start for another
    # one; the number marker's "nº " is left as it is; clean_text would keep the text.
    # A slash or "r." at the start would be looked at again, so those are not vouched for.
    fixed = (
        not rescreened
        and "/" not in text
        and text[1:2] != "."
        and len(text) <= _MAX_LENGTH
        and _is_clean(text)
    )
    return text, fixed


_EXPAND_CACHE: dict[str | tuple[str, str], str] = {}
_EXPAND_CACHE_SIZE = 131_072


def _clear_caches() -> None:
    """Forget every memoised result (for benchmarks)."""
    _EXPAND_CACHE.clear()
    _KEY_PARTS_CACHE.clear()


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
    text = text[:_MAX_LENGTH]
    # Plain strings key the usual lang=None calls: cheaper to build, and no work for the
    # garbage collector, unlike tuples.
    key = text if lang is None else (text, lang)
    cache = _EXPAND_CACHE
    expanded = cache.get(key)
    if expanded is None:
        expanded, fixed = _expand(text, lang)
        if len(cache) >= _EXPAND_CACHE_SIZE:
            cache.clear()
        cache[key] = expanded
        if fixed:
            # split_street_number and address_key expand what expand_street returned.
            cache[expanded if lang is None else (expanded, lang)] = expanded
    return expanded


# A house number: digits with an optional letter, but not an ordinal ("3º", "2ª"). The
# digit comes before the lookbehind (which then looks one character further back) so the
# regex engine can skip quickly from digit to digit.
_HOUSE_NUMBER = re.compile(r"(?s)(\d(?<![\w/.].)\d{0,5}[a-zA-Z]?)(?![\wº°ª]|\.[º°ª])")
# "nº 12", "nº 12B" and Colombian "# 12-34".
_MARKED_NUMBER = re.compile(r"(?:nº|#)\s*(\d{1,6}(?:-\d{1,6})?[a-zA-Z]?)(?!\w)")
_DATE_NAME = re.compile(r"\s+de\s", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_LEADING_NUMBER = re.compile(r"^\s*(\d{1,6}[a-zA-Z]?)(?![\wº°ª])")


def _tidy_street(street: str) -> str:
    # ``street`` is part of an expand_street result, whose only whitespace is single
    # spaces: only replacing "s/n" can leave a run to collapse.
    if "s/n" in street:
        street = _SPACES.sub(" ", street.replace("s/n", " "))
    return street.strip(" ,;-/")


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
    street, number = _split_expanded(expanded)
    if expanded == text and street != expanded:
        _vouch_for_prefix(street, expanded)
    return street, number


def _split_expanded(expanded: str) -> tuple[str, str | None]:
    if not _DIGIT.search(expanded):  # every kind of number below needs a digit
        return _tidy_street(expanded.partition(",")[0]), None
    if "nº" in expanded or "#" in expanded:
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


_WORD_GOES_ON = re.compile(r"[\wº°ª]")


def _vouch_for_prefix(street: str, expanded: str) -> None:
    """Record that ``street`` is its own expansion when that follows from ``expanded``'s.

    ``expanded`` is its own expansion, found so by expand_street changing nothing in it
    (or by its proof in _expand): no pass, Travessa or number marker matches in it. A
    prefix cut where a word ends (the next character is a space, a dot, punctuation) has
    the same word starts and ends, and a marker in it is followed by the same digit or
    by none, so nothing matches in it either -- unless a slash, a starting "r." (looked at
    before the passes) or a long "ſ" (which the screen cannot read) is there. address_key
    expands the street split_street_number returns; this saves that work.
    """
    if (
        street
        and expanded.startswith(street)
        and not _WORD_GOES_ON.match(expanded, len(street))
        and "/" not in street
        and street[1:2] != "."
        and "ſ" not in street
        and _is_clean(street)
    ):
        if len(_EXPAND_CACHE) >= _EXPAND_CACHE_SIZE:
            _EXPAND_CACHE.clear()
        _EXPAND_CACHE[street] = street


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
    ]
)
# Compass points written before or after an English street name ("W. 19th St",
# "West 19th Street"): dropped from the key like a street type.
_DIRECTIONS = frozenset(["w", "west", "east", "north", "south", "nw", "ne", "sw", "se"])
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
_KEY_STOP_WORDS = _STREET_TYPES | _FILLER_WORDS | _DIRECTIONS
# (?<!\d)\d{1,4}\s*[º°ª]\s*[a-z]?\b, with the first digit ahead of the lookbehind.
_ORDINAL_DETAIL = re.compile(r"(?s)\d(?<!\d.)\d{0,3}\s*[º°ª]\s*[a-z]?\b", re.IGNORECASE)


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
    words, found = street_key_parts(street)
    house = fold(number) if number else ""
    house = (house or found).replace(" ", "-")
    postal = fold(postal_code).replace(" ", "") if postal_code else ""
    return " ".join(part for part in (words, house, postal) if part)


def street_key_parts(street: str | None) -> tuple[str, str]:
    """The street's share of :func:`address_key`: its name words and its folded number.

    ``address_key(street, number, postal)`` joins, with single spaces and skipping empty
    parts, ``words``, ``fold(number)`` (or ``found`` when that is empty) with spaces made
    hyphens, and the folded postal code without spaces.
    """
    if not street or not isinstance(street, str):
        return "", ""
    # Memoised: the importer passes the street without its number, which many
    # customers share ("Calle Mayor").
    parts = _KEY_PARTS_CACHE.get(street)
    if parts is None:
        parts = _street_key_parts(street)
        if len(_KEY_PARTS_CACHE) >= _KEY_PARTS_CACHE_SIZE:
            _KEY_PARTS_CACHE.clear()
        _KEY_PARTS_CACHE[street] = parts
    return parts


_KEY_PARTS_CACHE: dict[str, tuple[str, str]] = {}
_KEY_PARTS_CACHE_SIZE = 131_072


def _street_key_parts(street: str) -> tuple[str, str]:
    street_part, number = split_street_number(street)
    if "º" in street_part or "°" in street_part or "ª" in street_part:
        street_part = _ORDINAL_DETAIL.sub(" ", street_part)
    # fold works character by character and treats whitespace as a separator, so folding
    # word by word gives the same words -- and common words hit its cache.
    folded = " ".join(map(fold, street_part.split()))
    words = [w for w in folded.split() if w not in _KEY_STOP_WORDS]
    return " ".join(words), fold(number)


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
    # A leading apostrophe is a spreadsheet's "keep as text" marker (Shopify: '28013).
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
