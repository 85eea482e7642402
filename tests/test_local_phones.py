"""Local phone numbers (no area code): kept as evidence that equals only the same local number
of the same region; garbage stays invalid; per-value and whole-column paths agree."""

from __future__ import annotations

from dataclasses import astuple

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custfocus.dedupe.prepare import load_records
from custfocus.ingest.importer import import_paths
from custfocus.normalise.phones import (
    CANDIDATE_REGIONS,
    LOCAL_PREFIX,
    guess_region,
    is_local,
    normalise_phone,
)
from custfocus.normalise.vectorised.phones import normalise_phone_column
from custfocus.store import Store

FIELDS = ("e164", "valid", "national", "region", "mobile")
REGIONS = (*CANDIDATE_REGIONS, "GB", None)
LOCAL_CORPUS = [
    "2262649", "226-2649", "226 2649", "2262649.0", "5339011", "0262649", "1234567", "12345",
    "+1 2262649", "001 2262649", "(312) 226-2649", "34567890", "3456-7890", "22123456",
    "1234 5678", "912345678", "612345678", "2222222", "02262649", "2262649 / 5339011",
]


@pytest.mark.parametrize("text,expected", [
    ("2262649", "local:US:2262649"),
    ("226-2649", "local:US:2262649"),
    ("2262649.0", "local:US:2262649"),  # an Excel float
])
def test_us_local_numbers_are_evidence(text: str, expected: str) -> None:
    info = normalise_phone(text, "US")
    assert (info.e164, info.valid, info.national, info.region, info.mobile) == (
        expected, True, "2262649", "US", None)
    assert is_local(info.e164)


@pytest.mark.parametrize("text,region", [
    ("0262649", "US"),  # no US exchange starts with 0
    ("1234567", "US"),  # nor with 1
    ("12345", "US"),  # no region dials 5 digits locally here
    ("+1 2262649", "US"),  # a country code but no area code: not a local number
    ("2262649", "ES"),  # Spain has no local numbers: every number has 9 digits
    ("2262649", "PT"),
    ("2262649", None),  # no region: only international numbers count
])
def test_garbage_stays_invalid(text: str, region: str | None) -> None:
    info = normalise_phone(text, region)
    assert not info.valid and not is_local(info.e164)


def test_local_lengths_come_from_the_region_metadata() -> None:
    # Brazil dials its 8-digit fixed lines without the area code; Mexico 7 or 8 digits.
    assert normalise_phone("3456-7890", "BR").e164 == "local:BR:34567890"
    assert normalise_phone("2262649", "MX").e164 == "local:MX:2262649"
    # A full number is never a local one.
    assert normalise_phone("(312) 226-2649", "US").e164 == "+13122262649"


def test_a_local_key_equals_only_the_same_local_number_of_the_same_region() -> None:
    keys = {(text, region): normalise_phone(text, region).e164
            for text in ("2262649", "226 2649", "5339011", "(312) 226-2649")
            for region in ("US", "MX")}
    assert keys[("2262649", "US")] == keys[("226 2649", "US")]
    assert keys[("2262649", "US")] != keys[("2262649", "MX")]
    assert keys[("2262649", "US")] != keys[("5339011", "US")]
    assert keys[("2262649", "US")] != keys[("(312) 226-2649", "US")]


@pytest.mark.parametrize("region", REGIONS, ids=[str(r) for r in REGIONS])
def test_column_equals_per_value_on_local_numbers(region: str | None) -> None:
    column = normalise_phone_column(pa.array([*LOCAL_CORPUS, None], pa.string()), region)
    got = list(zip(*(column[f].to_pylist() for f in FIELDS)))
    expected = [astuple(normalise_phone(v, region)) for v in [*LOCAL_CORPUS, None]]
    assert got == expected


_SHORT_NUMBERS = st.builds(
    lambda digits, sep: sep.join([digits[:3], digits[3:]]),
    st.text("0123456789", min_size=4, max_size=9), st.sampled_from(["", " ", "-", "."]))


@settings(max_examples=150, deadline=None)
@given(values=st.lists(_SHORT_NUMBERS, min_size=1, max_size=20),
       region=st.sampled_from(REGIONS))
def test_column_equals_per_value_on_short_numbers(values: list[str], region: str | None
                                                  ) -> None:
    column = normalise_phone_column(pa.array(values, pa.string()), region)
    got = list(zip(*(column[f].to_pylist() for f in FIELDS)))
    assert got == [astuple(normalise_phone(v, region)) for v in values]
    for key, valid in zip(column["e164"].to_pylist(), column["valid"].to_pylist()):
        # A local key is always valid, and names the region it was read in.
        assert not is_local(key) or (valid and key.startswith(f"{LOCAL_PREFIX}{region}:"))


def test_region_of_a_column_of_local_numbers() -> None:
    chicago = ["2262649", "5339011", "2916100", "9395115", "7695753"]
    region = guess_region(chicago)
    assert region != "ES" and all(normalise_phone(p, region).valid for p in chicago)
    # Valid full numbers still decide first: a few local-looking ones change nothing.
    assert guess_region(["612345678", "912345678", "2262649"]) == "ES"
    assert guess_region(["(11) 98765-4321", "21 2345-6789", "2262649"]) == "BR"
    # Seven digits dial locally in several countries: what else the file says decides.
    assert guess_region(chicago, prefer=("US",)) == "US"
    assert guess_region(["612345678", "912345678"], prefer=("US",)) == "ES"


def test_an_english_export_of_local_numbers_is_read_in_the_us(tmp_path) -> None:
    """Chicago sites: 7-digit numbers (local in the US and in Mexico) under English headers
    ("Site name", "Address", "Zip", "Phone"): the records are the United States'."""
    path = tmp_path / "sites.csv"
    path.write_text("Site name,Address,Zip,Phone\n"
                    "Salvation Army Temple,1 N Ogden Ave,60607,2262649\n"
                    "Hull House,4520 N Beacon St,60640,5339011\n")
    store = Store(":memory:")
    import_paths(store, [path])
    assert store.query_value("SELECT region FROM sources") == "US"
    assert {r["phone_e164"] for r in store.query_dicts("SELECT phone_e164 FROM records")} == {
        "local:US:2262649", "local:US:5339011"}


def test_same_local_number_in_one_file_is_the_same_phone(tmp_path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("Name,Phone,City\n"
                    "Salvation Army Temple,2262649,Chicago\n"
                    "Salvation Army - Temple,226-2649,Chicago\n"
                    "Other Site,0000000,Chicago\n")
    store = Store(":memory:")
    import_paths(store, [path])
    rows = store.query_dicts("SELECT phone_e164, phone_valid FROM records ORDER BY record_id")
    assert [r["phone_valid"] for r in rows] == [True, True, False]
    phones = load_records(store)["phone"].tolist()
    assert phones[0] == phones[1] and phones[0].startswith(LOCAL_PREFIX)
    assert not isinstance(phones[2], str)  # missing: never a match key
    store.close()


def test_a_foreign_number_in_local_format_still_agrees_by_its_last_digits(tmp_path):
    """A Spanish support desk types a Colombian mobile as the customer says it, "(320)
    290-5677": invalid in Spain, so it was dropped and the ticket matched the customer by
    name alone, or the wrong namesake. Matching now compares its last eight digits with
    valid numbers (multidept-3k: 423 of 1,802 ticket phones)."""
    (tmp_path / "soporte.csv").write_text(
        "Nombre completo;Teléfono\n"
        "Jesús Camargo Cifuentes;(320) 290-5677\n"
        "Ana Ruiz Gil;612 345 678\n"
        "Luis Mora Paz;699 111 222\n"
        "Rosa Vidal Soto;913 456 789\n"
        "Pedro Gómez Sanz;000000000\n", encoding="utf-8")  # a placeholder: no evidence
    (tmp_path / "ventas.csv").write_text(
        "Nombre;Apellidos;Teléfono\n"
        "Jesús;Camargo Cifuentes;+57 320 290 5677\n"
        "Jesús;Camargo Cifuentes;+57 311 547 5041\n", encoding="utf-8")  # his namesake
    with Store(tmp_path / "s.duckdb") as store:
        import_paths(store, [tmp_path / "soporte.csv", tmp_path / "ventas.csv"])
        records = load_records(store).set_index(["source", "row"])
        assert records.loc[("soporte.csv", 2), "phone"] == "~3202905677"
        assert records.loc[("soporte.csv", 3), "phone"] == "+34612345678"
        placeholder = records.loc[("soporte.csv", 6), "phone"]
        assert placeholder is None or placeholder != placeholder  # None or NaN
        from custfocus.dedupe import dedupe

        dedupe(store)
        customer = dict(store.execute(
            "SELECT r.source || ':' || r.row, rc.customer_id FROM records r "
            "JOIN record_customer rc USING (record_id)").fetchall())
        levels = store.execute(
            "SELECT l.levels FROM match_links l JOIN records a ON a.record_id = l.record_a "
            "JOIN records b ON b.record_id = l.record_b WHERE a.row = 2 AND b.row = 2 "
            "AND a.source <> b.source").fetchall()
    from custfocus.dedupe.compare import COMPARISONS

    phone = [c.name for c in COMPARISONS].index("phone")
    same_tail = COMPARISONS[phone].levels.index("same_tail")
    assert customer["soporte.csv:2"] == customer["ventas.csv:2"]
    assert any(row[0][phone] == same_tail for row in levels), levels


def test_a_local_number_of_another_country_of_the_file_is_read_in_that_country(tmp_path):
    # A Spanish desk that also serves Brazil: "(21) 96144-7899" is invalid in Spain, valid
    # only in Brazil among the file's countries; "(320) 290-5677" is valid in Colombia and
    # the United States alike, so it stays invalid (matching compares its last digits).
    (tmp_path / "soporte.csv").write_text(
        "Nombre completo;Teléfono\n"
        "Ana Ruiz Gil;612 345 678\n"
        "Luis Mora Paz;699 111 222\n"
        "Rosa Vidal Soto;913 456 789\n"
        "Lucas Lima;+55 21 98765-4321\n"
        "John Smith;+1 312 555 0199\n"
        "Jorge Pérez;+57 310 555 1234\n"
        "Lucas Albuquerque Lima;(21) 96144-7899\n"
        "Jesús Camargo;(320) 290-5677\n", encoding="utf-8")
    with Store(tmp_path / "s.duckdb") as store:
        import_paths(store, [tmp_path / "soporte.csv"])
        rows = {r[0]: r[1:] for r in store.execute(
            "SELECT row, phone_e164, phone_valid, country FROM records").fetchall()}
    assert rows[8] == ("+5521961447899", True, "BR")
    assert rows[9][1] is False and rows[9][2] == "ES"
    assert rows[2] == ("+34612345678", True, "ES")
