"""Examples for text folding, placeholders and person names."""

from __future__ import annotations

import pytest

from custfocus.normalise import (
    NICKNAMES,
    PLACEHOLDER_VALUES,
    PersonName,
    canonical_given,
    clean_text,
    fold,
    is_placeholder,
    is_placeholder_name,
    name_key,
    name_tokens,
    parse_name,
)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("José  María-Núñez", "jose maria nunez"),
        ("Ç", "c"),
        ("ß", "ss"),
        ("  JOÃO da SILVA, Jr. ", "joao da silva jr"),
        ("Ørsted_Łódź", "orsted lodz"),
        ("ﬁ²", "fi2"),
        ("", ""),
        (None, ""),
        ("---", ""),
    ],
)
def test_fold(raw, folded):
    assert fold(raw) == folded


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("  Ana\x00  de   la Torre\n", "Ana de la Torre"),
        ("Jose\u0301", "José"),  # NFC composes the accent
        ("a\u200bb\ufeff", "ab"),
        ("\t\r\n", ""),
        (None, ""),
    ],
)
def test_clean_text(raw, cleaned):
    assert clean_text(raw) == cleaned


@pytest.mark.parametrize(
    "value",
    ["N/A", "n.a.", "NULL", "none", "NaN", "Sin datos", "xxx", "-", "0", "S/N", "Sem informação",
     "desconocido", "Unknown", "TEST", "prueba", "ninguno", "", None, "  "],
)  # fmt: skip
def test_placeholders(value):
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["Madrid", "Ana", "12", "nadia", "Testa"])
def test_not_placeholders(value):
    assert not is_placeholder(value)


def test_placeholder_values_are_folded():
    assert all(fold(v) == v for v in PLACEHOLDER_VALUES if v != "-")


@pytest.mark.parametrize(
    ("full", "given", "family"),
    [
        ("maría GARCÍA lópez", "María", "García López"),
        ("María García López", "María", "García López"),
        ("José María García", "José María", "García"),
        ("Ana de la Torre Ruiz", "Ana", "de la Torre Ruiz"),
        ("GARCÍA LÓPEZ, María", "María", "García López"),
        ("de la Torre Ruiz, Ana", "Ana", "de la Torre Ruiz"),
        ("João Pedro da Silva Santos", "João Pedro", "da Silva Santos"),
        ("joão silva santos", "João", "Silva Santos"),
        ("Maria Clara Souza", "Maria Clara", "Souza"),
        ("María del Carmen García López", "María del Carmen", "García López"),
        ("John Smith", "John", "Smith"),
        ("JOHN PAUL JONES", "John Paul", "Jones"),
        ("o'NEILL-smith PATRICK", "O'Neill-Smith", "Patrick"),
        ("McDonald ronald", "McDonald", "Ronald"),
        ("Cher", "Cher", ""),
        ("  ", "", ""),
    ],
)
def test_parse_full_name(full, given, family):
    name = parse_name(full)
    assert (name.given, name.family) == (given, family)
    assert name.full == f"{given} {family}".strip()


def test_parse_name_from_columns():
    assert parse_name(given="ana", family="DE LA TORRE ruiz") == PersonName(
        "Ana", "de la Torre Ruiz", "Ana de la Torre Ruiz"
    )
    assert parse_name("ignored", given="Pedro", family=None).full == "Pedro"
    assert parse_name(family="GARCÍA") == PersonName("", "García", "García")
    assert parse_name() == PersonName("", "", "")


def test_name_tokens_and_key():
    assert name_tokens("Ana de la Torre") == ["ana", "torre"]
    comma = parse_name("GARCÍA LÓPEZ, María")
    assert name_key(comma) == "garcia lopez maria"
    assert name_key(comma) == name_key(parse_name("María García López"))
    assert name_key(parse_name("Ana de la Torre")) == name_key(parse_name("TORRE, ANA"))


@pytest.mark.parametrize(
    "value",
    ["N/A", "Cliente contado", "CONSUMIDOR FINAL", "Cliente genérico", "Varios", "test", "prueba",
     "xxx", "Sin nombre", "Cliente", "Cliente Mostrador", "desconocido", "anonymous", "12345",
     "A", "aaaa", "", None, "-"],
)  # fmt: skip
def test_placeholder_names(value):
    assert is_placeholder_name(value)


@pytest.mark.parametrize("value", ["Ana Ruiz", "Li", "Clientela Ruiz", "Jo Ann"])
def test_real_names_are_not_placeholders(value):
    assert not is_placeholder_name(value)


@pytest.mark.parametrize(
    ("token", "canonical"),
    [
        ("Pepe", "jose"),
        ("PACO", "francisco"),
        ("curro", "francisco"),
        ("Pancho", "francisco"),
        ("Chema", "jose maria"),
        ("Lupita", "guadalupe"),
        ("Zé", "jose"),
        ("Bill", "william"),
        ("bobby", "robert"),
        ("Nacho", "ignacio"),
        ("Maite", "maria teresa"),
        ("Íñigo", "inigo"),
        ("", ""),
    ],
)
def test_canonical_given(token, canonical):
    assert canonical_given(token) == canonical


def test_nicknames_table():
    assert len(NICKNAMES) >= 150
    assert NICKNAMES["pepe"] == frozenset({"jose"})
    assert {"alejandro", "alexandre", "alexander"} <= NICKNAMES["alex"]
    assert all(fold(k) == k for k in NICKNAMES)
