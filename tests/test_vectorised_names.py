"""Whole-column full-name parsing gives exactly what the per-value functions give."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from custfocus.normalise.names import is_placeholder_name, name_key, parse_name
from custfocus.normalise.vectorised.names import full_name_columns

_FIELDS = ("given_name", "family_name", "full_name", "name_key", "name_placeholder")


def _expected(value: str | None) -> tuple:
    if value is None:
        return (None,) * 5
    if is_placeholder_name(value):
        from custfocus.normalise.text import clean_text

        return None, None, clean_text(value), None, True
    person = parse_name(full=value)
    return (person.given or None, person.family or None, person.full or None,
            name_key(person) or None, False)


def _check(values: list[str | None]) -> None:
    out = full_name_columns(pa.array(values, pa.string()))
    got = list(zip(*(out[name].to_pylist() for name in _FIELDS)))
    assert got == [_expected(v) for v in values]


def test_common_shapes_and_awkward_letters():
    _check([
        "María del Carmen Sánchez Torres", "LÓPEZ SUÁREZ, María del Carmen", "josé maría GARCÍA",
        "Ana de la Torre", "DE LA TORRE, Ana", "Cliente", "CONSUMIDOR FINAL", "XX", "a",
        "Þór Guðmundsson", "Ðorđe Perić", "Straße Müller", "ÆLFRED ØRSTED", "Ana  Ruiz",
        "Ruiz,Ana", "Ruiz, ", "O'Neill, Seán", "Jean-Luc Picard", "Nº 5", None, "ß",
        "Maria Clara Luiza Souza Santos", "DA SILVA, João", "e", "Y", "de", "Dos Santos",
    ])


_LETTERS = list("abcdeñoyszAEÑÓÚÇçáéíßøæðþÐÞ") + ["de", "la", "da", "dos", "Del", "Y"]


@settings(max_examples=300, deadline=None)
@given(st.lists(
    st.lists(st.sampled_from(_LETTERS), min_size=1, max_size=4).map("".join)
    | st.sampled_from(["José", "María", "Pepe", "ANA", "Luis", "García", "López", "xx", "n/a"]),
    min_size=1, max_size=5,
).flatmap(lambda words: st.sampled_from([" ", ", ", "  ", ","]).map(
    lambda sep: words[0] + (sep + " ".join(words[1:]) if len(words) > 1 else ""))))
def test_full_names_match_the_per_value_parse(value):
    _check([value, value.upper(), value.lower()])


def test_every_letter_of_a_simple_name_folds_to_letters():
    """What lets a simple name be folded word by word."""
    import re

    from custfocus.normalise.text import fold
    from custfocus.normalise.vectorised.names import _WORD

    letters = [chr(c) for c in range(0x20, 0x250) if re.fullmatch(_WORD, chr(c))]
    assert len(letters) == 52 + 62
    assert all(fold(c).isalpha() and fold(c).isascii() for c in letters)
