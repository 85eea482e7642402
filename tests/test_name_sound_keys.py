"""Sound-alike keys for Spanish and Portuguese surnames (blocking's ``family1_sound``)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custfocus.normalise.names import sound_key, sound_keys

SAME = [
    ("Vázquez", "Bázquez"), ("Vázquez", "Vásquez"), ("Llorente", "Yorente"),
    ("Hernández", "Ernández"), ("Gonçalves", "Gonsalves"), ("Jiménez", "Giménez"),
    ("Jiménez", "Ximénez"), ("Pérez", "Peres"), ("Quintero", "Kintero"), ("Peña", "Penha"),
    ("Núñez", "Nunes"), ("Souza", "Sousa"), ("Nascimento", "Nasimento"), ("Carrillo", "Carillo"),
    ("Carvalho", "Carvallo"), ("Rodríguez", "Rodrigues"), ("Vieira", "Bieira"),
    ("Allen", "Alen"), ("Cecilia", "Sesilia"), ("Díaz", "Dias"), ("GÓMEZ", "gomes"),
]
DIFFERENT = [
    ("García", "Garza"), ("Ferreira", "Pereira"), ("Suárez", "Juárez"), ("Torres", "Torre"),
    ("Castro", "Casto"), ("Silva", "Salas"), ("Moreno", "Romero"), ("Ruiz", "Ruíñez"),
    ("Gómez", "Gálvez"), ("Martín", "Martínez"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_spellings_said_alike_share_a_key(a, b):
    assert sound_key(a) == sound_key(b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_names_keep_different_keys(a, b):
    assert sound_key(a) != sound_key(b)


def test_no_letters_gives_an_empty_key():
    assert sound_key("") == sound_key(None) == sound_key("123 -") == ""
    assert sound_keys([]) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("abcçñhlxyzgquévÁ Ø-ß\n1")),
                        max_size=12), max_size=6))
def test_many_at_once_is_each_alone(words):
    keys = sound_keys(words)
    assert keys == [sound_key(w) for w in words]
    assert all(k.isascii() and (k.isalpha() or k == "") for k in keys)


def test_prepared_nodes_key_the_first_surname_as_typed():
    from custfocus.dedupe.prepare import _family1_sounds

    assert _family1_sounds(["de la Peña Ruiz", "Gonçalves-Lima", "da", "42"]) == [
        sound_key("Penha"), sound_key("Gonsalves"), None, None]
