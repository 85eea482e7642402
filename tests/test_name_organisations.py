"""Organisation names: told from people's, and their match key."""

from __future__ import annotations

import pyarrow as pa
import pytest

from custfocus.normalise.names import is_organisation_name, organisation_key, parse_name
from custfocus.normalise.vectorised.names import full_name_columns

ORGANISATIONS = [
    "Salvation Army - Temple / Salvation Army", "Comercial López S.L.", "Acme SA",
    "Gonçalves & Filhos Ltda.", "João Silva ME", "Kon. Smit & Zonen", "Philips N.V.",
    "Müller GmbH", "Fundación Once", "Colegio San José", "Escola Estadual Dom Pedro",
    "Chicago State University", "Acme Inc", "Thresholds - Thresholds Mothers' Project 2",
]
PEOPLE = [
    "Ana de Sá", "MARIA DE SA", "José María García López", "Thomas", "DA SILVA, João",
    "Ada S. McKinley", "Jean-Luc Picard", "García - López", "Ana Me",
]


@pytest.mark.parametrize("name", ORGANISATIONS)
def test_organisations_are_told_apart(name):
    assert is_organisation_name(name)


@pytest.mark.parametrize("name", PEOPLE)
def test_person_looking_names_stay_people(name):
    assert not is_organisation_name(name)


def test_organisation_key_drops_legal_forms_and_stop_words():
    assert organisation_key("Kon. Smit & Zonen B.V.") == organisation_key("Smit en Zonen")
    assert organisation_key("Comercial López, S.L.") == "comercial lopez"
    assert organisation_key("Gonçalves e Filhos LTDA") == organisation_key("Goncalves & Filhos")
    assert organisation_key("Community Learning Center, Inc.") == organisation_key(
        "COMMUNITY LEARNING CENTER COMMUNITY LEARNING CENTER")
    assert organisation_key("Catholic Charities of the Archdiocese of Chicago") == (
        "catholic charities archdiocese chicago")
    assert organisation_key("") == organisation_key(None) == ""


def test_a_one_word_full_name_is_a_given_name():
    for value in ("thomas", "THOMAS", "Thomas,", ", Thomas"):
        assert parse_name(value).given == "Thomas" and parse_name(value).family == ""
    out = full_name_columns(pa.array(["thomas", "Thomas,"], pa.string()))
    assert out["given_name"].to_pylist() == ["Thomas", "Thomas"]
    assert out["family_name"].to_pylist() == [None, None]


def test_organisations_are_not_split_when_switched_on(monkeypatch):
    import custfocus.normalise.names as names
    import custfocus.normalise.vectorised.names as vnames

    monkeypatch.setattr(names, "_SPLIT_ORGANISATIONS", True)
    monkeypatch.setattr(vnames, "_SPLIT_ORGANISATIONS", True)
    names._parse_name_cached.cache_clear()
    try:
        person = parse_name("Salvation Army - Temple")
        assert (person.given, person.family, person.organisation) == ("", "", True)
        out = full_name_columns(pa.array(["Salvation Army - Temple", "Ana Ruiz"]))
        assert out["given_name"].to_pylist() == [None, "Ana"]
        assert out["name_key"].to_pylist() == ["salvation army temple", "ana ruiz"]
    finally:
        names._parse_name_cached.cache_clear()
