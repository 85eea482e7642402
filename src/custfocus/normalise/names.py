"""Person names: split into given and family parts, case nicely, build match keys.

Spanish and Portuguese names carry two surnames and compound given names
("José María García López"), so a plain first/last split would put half the
surname into the given name. The split uses a small list of common given names
shipped in ``custfocus/data/given_names.txt`` to decide where the given part ends.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache

from custfocus.normalise._data import read_data_text
from custfocus.normalise.text import _strip_accents, clean_text, fold, is_placeholder

__all__ = [
    "NICKNAMES",
    "PARTICLES",
    "PersonName",
    "canonical_given",
    "is_placeholder_name",
    "name_key",
    "name_tokens",
    "parse_name",
    "is_organisation_name",
    "organisation_key",
    "sound_key",
    "sound_keys",
]

_MAX_LENGTH = 512
# Whether a full name that is an organisation's is left unsplit (no given or family name).
# Off until the comparisons read an organisation's name (company_fold) as its name: without
# a given or family name a pair counts as nameless and is capped (eval chicago-ece F1
# 0.734 -> 0.701 with it on).
_SPLIT_ORGANISATIONS = False

PARTICLES: frozenset[str] = frozenset(
    {
        "de",
        "del",
        "da",
        "das",
        "do",
        "dos",
        "la",
        "las",
        "los",
        "y",
        "e",
        "van",
        "von",
        "der",
        "den",
    }
)

_PLACEHOLDER_NAMES = frozenset(
    {
        "anonimo",
        "anonima",
        "anonymous",
        "cash customer",
        "cash sale",
        "cliente",
        "cliente balcao",
        "cliente contado",
        "cliente eventual",
        "cliente final",
        "cliente generico",
        "cliente mostrador",
        "cliente nuevo",
        "cliente ocasional",
        "cliente prueba",
        "cliente test",
        "cliente teste",
        "cliente varios",
        "cliente web",
        "clientes varios",
        "consumidor",
        "consumidor final",
        "contado",
        "customer",
        "fulano",
        "fulano de tal",
        "jane doe",
        "john doe",
        "mostrador",
        "name",
        "no identificado",
        "nao identificado",
        "nombre",
        "nombre apellido",
        "nuevo cliente",
        "publico en general",
        "publico general",
        "sem nome",
        "sin nombre",
        "test test",
        "prueba prueba",
        "varios",
        "venta mostrador",
        "ventas mostrador",
        "walk in",
        "walk in customer",
    }
)


@dataclass(frozen=True)
class PersonName:
    """A person's name split into its parts, nicely cased; empty parts are ``""``.

    An organisation's name (``organisation``) is not split: ``full`` holds it cleaned.
    """

    given: str
    family: str
    full: str
    organisation: bool = False


@lru_cache(maxsize=1)
def _given_names() -> frozenset[str]:
    lines = read_data_text("given_names.txt").splitlines()
    return frozenset(fold(line) for line in lines if line.strip() and not line.startswith("#"))


def is_given_name(word: str) -> bool:
    """Is ``word`` (any case or accents) a given name of the bundled list?"""
    return fold(word) in _given_names()


def _load_nicknames() -> dict[str, list[str]]:
    ordered: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(read_data_text("nicknames.csv"))):
        nick, canonical = fold(row.get("nickname")), fold(row.get("canonical"))
        if nick and canonical and canonical not in ordered.setdefault(nick, []):
            ordered[nick].append(canonical)
    return ordered


_NICKNAME_ROWS = _load_nicknames()

NICKNAMES: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in _NICKNAME_ROWS.items()}
"""Folded nickname -> folded canonical given names (``"pepe" -> {"jose"}``)."""

# First canonical listed for each nickname, so canonical_given is deterministic
# even for ambiguous nicknames ("alex", "tony").
_FIRST_CANONICAL: dict[str, str] = {k: v[0] for k, v in _NICKNAME_ROWS.items()}


def canonical_given(token: str | None) -> str:
    """Map a given name or nickname to its folded canonical form.

    Args:
        token: A given name such as ``"Pepe"`` or ``"José"``.

    Returns:
        The canonical folded name (``"jose"``); unknown names come back folded.

    Example:
        >>> canonical_given("Pepe"), canonical_given("Chema"), canonical_given("Íñigo")
        ('jose', 'jose maria', 'inigo')
    """
    folded = fold(token)
    return _FIRST_CANONICAL.get(folded, folded)


def _case_piece(piece: str) -> str:
    # Mixed-case input ("McDonald", "DiCaprio") was typed on purpose; keep it.
    if piece.isupper() or piece.islower():
        return piece[:1].title() + piece[1:].lower()
    return piece


def _case_word(word: str) -> str:
    if "-" not in word and "'" not in word:
        return _case_piece(word)
    # "garcía-lópez" -> "García-López", "o'NEILL" -> "O'Neill"
    return "-".join("'".join(_case_piece(p) for p in part.split("'")) for part in word.split("-"))


def _case_tokens(tokens: list[str], first_is_start: bool) -> list[str]:
    cased = []
    for i, token in enumerate(tokens):
        if token.lower() in PARTICLES and not (first_is_start and i == 0):
            cased.append(token.lower())
        else:
            cased.append(_case_word(token))
    return cased


def _group_units(tokens: list[str]) -> list[list[str]]:
    """Attach particles to the word that follows them ("de la Torre")."""
    units: list[list[str]] = []
    pending: list[str] = []
    for token in tokens:
        pending.append(token)
        if token.lower() not in PARTICLES:  # particles are plain ASCII words
            units.append(pending)
            pending = []
    if pending:
        if units:
            units[-1].extend(pending)
        else:
            units.append(pending)
    return units


def _is_given_unit(unit: list[str], given_names: frozenset[str]) -> bool:
    return fold(unit[-1]) in given_names


def _split_full(tokens: list[str]) -> tuple[list[str], list[str]]:
    units = _group_units(tokens)
    if len(units) <= 1:
        return tokens, []
    given_names = _given_names()
    n_given = 1
    if len(units) >= 3 and _is_given_unit(units[1], given_names):
        n_given = 2
        # Three given names only when two surnames still remain ("Maria Clara Luiza Souza Santos").
        if len(units) >= 5 and _is_given_unit(units[2], given_names):
            n_given = 3
    given = [t for unit in units[:n_given] for t in unit]
    family = [t for unit in units[n_given:] for t in unit]
    return given, family


@lru_cache(maxsize=262_144)
def _parse_name_cached(full: str, given: str, family: str) -> PersonName:
    if given or family:
        given_tokens = clean_text(given.replace(",", " ")).split()
        family_tokens = clean_text(family.replace(",", " ")).split()
    else:
        full = clean_text(full)
        if _SPLIT_ORGANISATIONS and is_organisation_name(full):
            return PersonName("", "", full, organisation=True)
        if "," in full:
            head, _, tail = full.partition(",")
            family_tokens = head.split()
            given_tokens = tail.replace(",", " ").split()
            if not given_tokens:
                given_tokens, family_tokens = _split_full(family_tokens)
        else:
            given_tokens, family_tokens = _split_full(full.split())
    given_cased = _case_tokens(given_tokens, first_is_start=True)
    family_cased = _case_tokens(family_tokens, first_is_start=not given_tokens)
    given_str, family_str = " ".join(given_cased), " ".join(family_cased)
    return PersonName(given_str, family_str, " ".join(given_cased + family_cased))


def parse_name(
    full: str | None = None, given: str | None = None, family: str | None = None
) -> PersonName:
    """Split and case a person's name.

    When ``given`` or ``family`` is supplied they are used as they are (``family``
    may hold two surnames); otherwise ``full`` is split. ``"APELLIDOS, Nombre"``
    puts the family name first; without a comma the first word is the given
    name, plus the next one when it is a common given name ("José María"); a name of one
    word is a given name. An organisation's name (:func:`is_organisation_name`) is not
    split.

    Args:
        full: The whole name as typed.
        given: Given name(s) from a separate column.
        family: Surname(s) from a separate column.

    Returns:
        A :class:`PersonName`; all parts ``""`` when nothing usable was given.
        Only the first 512 characters of each argument are used.

    Example:
        >>> parse_name("maría GARCÍA lópez")
        PersonName(given='María', family='García López', full='María García López')
        >>> parse_name("Ana de la Torre Ruiz").family
        'de la Torre Ruiz'
    """
    # No real name is this long; truncating keeps junk cells cheap.
    full_s = full[:_MAX_LENGTH] if isinstance(full, str) else ""
    given_s = given[:_MAX_LENGTH] if isinstance(given, str) else ""
    family_s = family[:_MAX_LENGTH] if isinstance(family, str) else ""
    return _parse_name_cached(full_s, given_s, family_s)


def name_tokens(text: str | None) -> list[str]:
    """Return the folded words of a name without particles ("de", "da", "van").

    Example:
        >>> name_tokens("Ana de la Torre")
        ['ana', 'torre']
    """
    return [t for t in fold(text).split() if t not in PARTICLES]


def name_key(name: PersonName) -> str:
    """Return an order-insensitive key: folded words, no particles, sorted.

    An organisation's key is :func:`organisation_key` instead.

    Example:
        >>> name_key(parse_name("GARCÍA LÓPEZ, María")) == name_key(parse_name("María García López"))
        True
    """
    if name.organisation:
        return organisation_key(name.full)
    return " ".join(sorted(name_tokens(name.full)))


def is_placeholder_name(text: str | None) -> bool:
    """Tell whether ``text`` stands in for a missing customer name.

    Catches generic placeholders ("N/A", "xxx"), point-of-sale fillers
    ("Cliente contado", "Consumidor final"), digits-only values and single characters.

    Example:
        >>> is_placeholder_name("Consumidor Final"), is_placeholder_name("Ana Ruiz")
        (True, False)
    """
    if text and len(text) > 256 and len(text.strip()) > 256:
        return False  # every placeholder is short; skip folding junk
    folded = fold(text)
    if folded in _PLACEHOLDER_NAMES or is_placeholder(text):
        return True
    compact = folded.replace(" ", "")
    return len(compact) <= 1 or compact.isdigit() or len(set(compact)) == 1


# -- sound-alike keys for Spanish and Portuguese surnames ------------------------------------

# Letters whose sound the accent-folding would lose: "ç" is /s/ (fold makes it a /k/ "c").
_SOUND_BEFORE_FOLD = str.maketrans({"ç": "s", "ñ": "n"})
# Applied in order to the lower-case, accent-free word. "C" stands for "ch" until the end,
# so that the "c" rules below do not see it.
_SOUND_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement) for pattern, replacement in (
        ("[^a-z\n]+", ""),  # digits, spaces, hyphens, apostrophes
        ("ch|sh", "C"),
        ("ph", "f"),
        # Llorente ~ Yorente; inside a word "ll" stays an "l", as in English (Allen ~ Alen),
        # and so does Portuguese "lh" (Carvalho ~ Carvallo).
        ("(^|\n)ll", "\\1y"),
        ("lh", "l"),
        ("nh", "n"),  # Penha ~ Peña
        ("qu|q", "k"),
        ("h", ""),  # silent: Hernández ~ Ernández
        ("x", "j"),  # old spellings: Ximénez ~ Jiménez, Mexía ~ Mejía
        ("g(?=[eiy])", "j"),  # Giménez ~ Jiménez (before "gu" loses its "u")
        ("gu(?=[eiy])", "g"),  # Guerra ~ Gerra
        ("c(?=[eiy])", "s"),  # seseo: Cecilia ~ Sesilia; "sc" becomes "ss", then "s"
        ("c", "k"),
        ("z", "s"),  # Vázquez ~ Vásquez, Pérez ~ Peres
        ("[vw]", "b"),  # Vázquez ~ Bázquez, Wagner ~ Vagner
        ("n(?=[bp])", "m"),  # "nv" is said "mb"
        ("y(?![aeiou])", "i"),  # a "y" that is not a consonant is an "i"
        ("C", "c"),
        ("([^\n])\\1+", "\\1"),  # double letters
        # Vowels only count, not which: vowel typos (Allen, Alan) are as common as the
        # consonant spellings above, yet García and Garza stay apart (one vowel more).
        ("[eiou]", "a"),
    )
)


def sound_keys(words: list[str]) -> list[str]:
    """:func:`sound_key` of many words at once (the work is done on one joined string).

    Why joined: each rule is then one pass of the regular-expression engine over all the
    words, so a million distinct surnames take about a second rather than a minute.

    Example:
        >>> sound_keys(["Vázquez", "Bázquez", "García", "Garza"])
        ['baskes', 'baskes', 'garsia', 'garsa']
    """
    if not words:
        return []
    text = "\n".join(w.replace("\n", " ") for w in words).lower().translate(_SOUND_BEFORE_FOLD)
    if not text.isascii():
        text = _strip_accents(text)
        if not text.isascii():  # as fold: casefolding can make decomposable letters
            text = _strip_accents(text)
    for pattern, replacement in _SOUND_RULES:
        text = pattern.sub(replacement, text)
    return text.split("\n")


def sound_key(word: str | None) -> str:
    """Return a sound-alike key of a Spanish or Portuguese word (a surname, mostly).

    Spellings said alike get one key: b/v, ll/y (and Portuguese lh), a silent h, ç/z/s and
    ce/ci, ge/gi/j and the old x, qu/k/c, gu before e/i, ñ/nh, double letters. Vowels are
    kept, so names that only share their consonants stay apart (García, Garza).

    Args:
        word: One word; anything but letters is ignored.

    Returns:
        The key, lower-case ASCII letters; ``""`` when ``word`` has no letters.

    Example:
        >>> sound_key("Hernández"), sound_key("Ernandes"), sound_key("Gonçalves")
        ('ernandes', 'ernandes', 'gonsalbes')
    """
    return sound_keys([word])[0] if word else ""


# -- organisations ---------------------------------------------------------------------------

# Legal forms, folded, dotted letters joined ("S.A." -> "sa"). Those that are also words or
# surnames ("Sá", "me", "as") count as a sign only when written as a legal form (see below).
_LEGAL_FORMS = frozenset({
    "slu", "sll", "sas", "sau", "sad", "ltda", "eireli", "epp", "inc", "incorporated", "llc",
    "ltd", "limited", "corp", "corporation", "bv", "nv", "gmbh", "plc", "srl", "spa",
    "sarl", "sacv", "llp", "lda", "pty", "scoop", "vof", "cv", "bvba", "sprl",
})
_AMBIGUOUS_FORMS = frozenset({"sl", "sa", "me", "ag", "co", "cia", "sc", "kg", "ab", "oy",
                              "as", "cb", "lp"})
# Words that name an organisation, never (or almost never) a person.
_ORGANISATION_WORDS = frozenset(["academy", "academia", "agency", "agencia", "army", "association", "associacao", "asociacion", "associates", "ayuntamiento", "camara", "centre", "center", "centers", "centro", "centros", "charities", "charity", "childcare", "church", "churches", "clinic", "clinica", "club", "college", "colleges", "colegio", "comercial", "comercio", "community", "company", "compania", "companhia", "consulting", "cooperativa", "corporation", "council", "daycare", "department", "departamento", "distribuciones", "distribuidora", "educacion", "education", "enterprises", "escola", "escuela", "farmacia", "foundation", "fundacion", "fundacao", "gestoria", "group", "grupo", "holding", "holdings", "hospital", "hotel", "iglesia", "igreja", "industries", "industrias", "institute", "instituto", "institut", "international", "kindergarten", "koninklijke", "league", "ministries", "ministry", "mission", "municipio", "nursery", "parish", "parroquia", "partners", "prefeitura", "preschool", "project", "restaurante", "salvation", "school", "schools", "servicios", "servicos", "services", "sociedad", "sociedade", "society", "supermercado", "taller", "trust", "trustees", "universidad", "universidade", "universiteit", "university", "ymca", "ywca", "kids", "cdc", "acad", "hogar", "neighborhood", "neighbourhood", "learners", "learning", "chapel", "resources", "fcch"])
# Abbreviations an organisation's name is written with, and what they stand for.
_ORGANISATION_ABBREVIATIONS = {
    "kon": "koninklijke", "ctr": "center", "cntr": "center", "centre": "center",
    "univ": "university", "assn": "association", "assoc": "association", "intl": "international",
    "dept": "department", "cia": "compania", "cdc": "child development center",
}
# Words left out of an organisation's key: articles, "of", "and" in its languages (so "&",
# "and", "y" and "e" agree) and "Royal" in Dutch.
_ORGANISATION_STOP_WORDS = frozenset({
    "the", "of", "and", "for", "at", "a", "an", "y", "e", "en", "und", "et", "de", "del", "la",
    "las", "los", "el", "da", "das", "do", "dos", "der", "den", "van", "von", "het", "le",
    "koninklijke",
})
# A legal form written as one: dotted ("S.A.", "S/A") or upper case after lower-case words.
_WRITTEN_FORM = re.compile(r"(?:\b[A-Za-z]\.\s?[A-Za-z]\.?|\b[A-Za-z]/[A-Za-z]|\b[A-Z]{2,3}\.?)\s*$")
_SEPARATORS = re.compile(r"\s[-/|]\s|\s/|/\s")


def _organisation_tokens(text: str) -> list[str]:
    """Folded words with runs of single letters joined ("S. A." -> "sa") and "&" as "and"."""
    tokens = fold(text.replace("&", " and ")).split()
    out: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        if run:
            out.extend(["".join(run)] if len(run) > 1 else run)
            run = []
        if token:
            out.append(token)
    return out


def is_organisation_name(text: str | None) -> bool:
    """Tell whether a name is an organisation's rather than a person's.

    Signs: a legal form at the end ("Ltd", "S.L.", "LTDA", "GmbH"; short ones such as "SA"
    only when written as one), a word that names an organisation ("University", "Fundación",
    "Colegio"), "Kon." / "Koninklijke", or parts joined by " - " or " / " in a name of four
    or more words. A name with none of these is a person's.

    Example:
        >>> is_organisation_name("Salvation Army - Temple"), is_organisation_name("Ana de Sá")
        (True, False)
        >>> is_organisation_name("Acme SA"), is_organisation_name("MARIA DE SA")
        (True, False)
    """
    if not text or len(text) > _MAX_LENGTH:
        return False
    tokens = _organisation_tokens(text)
    if not tokens:
        return False
    last = tokens[-1]
    if last in _LEGAL_FORMS or tokens[0] == "kon":
        return True
    if last in _AMBIGUOUS_FORMS and len(tokens) > 1:
        stripped = text.strip()
        written = _WRITTEN_FORM.search(stripped)
        if written and ("." in written.group() or "/" in written.group()
                        or not stripped.isupper()):
            return True
    if any(t in _ORGANISATION_WORDS for t in tokens):
        return True
    return len(tokens) >= 4 and _SEPARATORS.search(text) is not None


def organisation_key(text: str | None) -> str:
    """Return the match form of an organisation's name.

    Folded, abbreviations written out ("Kon." -> koninklijke, "&" -> and), legal forms at
    the end, articles and "and"/"of" words dropped, each word once, in order.

    Example:
        >>> organisation_key("Thresholds - Thresholds Mothers' Project")
        'thresholds mothers project'
        >>> organisation_key("Kon. Smit & Zonen B.V.") == organisation_key("Smit en Zonen")
        True
    """
    if not text:
        return ""
    words: list[str] = []
    for token in _organisation_tokens(text[:_MAX_LENGTH]):
        words.extend(_ORGANISATION_ABBREVIATIONS.get(token, token).split())
    while len(words) > 1 and (words[-1] in _LEGAL_FORMS or words[-1] in _AMBIGUOUS_FORMS
                              or words[-1] in _ORGANISATION_STOP_WORDS):
        words.pop()
    seen: set[str] = set()
    key = []
    for word in words:
        if word not in _ORGANISATION_STOP_WORDS and word not in seen:
            seen.add(word)
            key.append(word)
    return " ".join(key)
