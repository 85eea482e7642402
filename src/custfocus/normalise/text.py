"""Text folding and cleaning shared by every other normaliser.

Two forms exist on purpose: :func:`clean_text` keeps the value presentable
(accents, case and punctuation survive) while :func:`fold` produces the
comparison form used for keys, blocking and placeholder detection.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["PLACEHOLDER_VALUES", "clean_text", "fold", "is_placeholder"]

# Letters NFKD does not decompose but customers type interchangeably.
_EXTRA_FOLDS = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ł": "l",
        "Ł": "l",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ı": "i",
        "þ": "th",
        "Þ": "th",
        "ð": "d",
        "Ð": "d",
    }
)
_NON_ALNUM = re.compile(r"[\W_]+")
_WHITESPACE = re.compile(r"\s+")
# C0/C1 controls, DEL, zero-width characters and the BOM that spreadsheets leak.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")


@lru_cache(maxsize=1)
def _drop_marks_table() -> dict[int, None]:
    # All combining marks live below U+20000; building this takes ~40 ms once.
    return {cp: None for cp in range(0x20000) if unicodedata.combining(chr(cp))}


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA_FOLDS))
    return decomposed.translate(_drop_marks_table()).casefold()


@lru_cache(maxsize=262_144)
def _fold_cached(text: str) -> str:
    if text.isascii():  # the common case: no decomposition needed
        lowered = text.lower()
    else:
        lowered = _strip_accents(text)
        if not lowered.isascii():
            # casefold can create decomposable characters ("ǰ"); a second pass
            # keeps fold idempotent.
            lowered = _strip_accents(lowered)
    return " ".join(_NON_ALNUM.sub(" ", lowered).split())


def fold(text: str | None) -> str:
    """Return the accent-free, lower-case match form of ``text``.

    Args:
        text: Any string (or ``None``).

    Returns:
        Alphanumeric words separated by single spaces; ``""`` for empty input.

    Example:
        >>> fold("José  María-Núñez")
        'jose maria nunez'
    """
    if not text:
        return ""
    if len(text) > 512:
        # Long values are rare and unlikely to repeat; don't pollute the cache.
        return _fold_cached.__wrapped__(text)
    return _fold_cached(text)


def clean_text(text: str | None) -> str:
    """Return ``text`` in NFC with control characters removed and whitespace collapsed.

    Args:
        text: Any string (or ``None``).

    Returns:
        The cleaned string; ``""`` for empty input.

    Example:
        >>> clean_text("  Ana\\x00  de   la Torre\\n")
        'Ana de la Torre'
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text))
    return " ".join(text.split())


PLACEHOLDER_VALUES: frozenset[str] = frozenset(
    {
        "",
        "n a",
        "na",
        "n d",
        "nd",
        "none",
        "null",
        "nil",
        "nan",
        "nat",
        "undefined",
        "sin datos",
        "sin dato",
        "sin informacion",
        "sin info",
        "s d",
        "s i",
        "s n",
        "sn",
        "-",
        "sem informacao",
        "sem dados",
        "nao informado",
        "nao tem",
        "no tiene",
        "no aplica",
        "no informado",
        "no disponible",
        "not available",
        "not applicable",
        "desconocido",
        "desconhecido",
        "unknown",
        "test",
        "teste",
        "testing",
        "prueba",
        "ninguno",
        "ninguna",
        "nenhum",
        "nada",
        "x",
        "xx",
        "xxx",
        "xxxx",
        "xxxxx",
        "0",
        "00",
        "000",
        "0000",
        "00000",
        "1",
        "asdf",
        "tbd",
        "pendiente",
        "pendente",
        "varios",
        "vacio",
        "blank",
        "empty",
        "dummy",
    }
)


def is_placeholder(text: str | None) -> bool:
    """Tell whether ``text`` is a filler value ("N/A", "-", "sin datos") rather than data.

    Args:
        text: Any string (or ``None``).

    Returns:
        ``True`` for empty values, punctuation-only values and known placeholders.

    Example:
        >>> is_placeholder(" N/A "), is_placeholder("Madrid")
        (True, False)
    """
    if text and len(text) > 256 and len(text.strip()) > 256:
        return False  # every placeholder is short; skip folding junk
    return fold(text) in PLACEHOLDER_VALUES
