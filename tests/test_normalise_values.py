"""Examples for addresses, postal codes, dates, amounts and the national-id screen."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custfocus.normalise import (
    Amount,
    address_key,
    detect_date_order,
    detect_decimal_separator,
    expand_street,
    normalise_postal_code,
    parse_amount,
    parse_date,
    parse_datetime,
    split_street_number,
)


@pytest.mark.parametrize(
    ("raw", "expanded"),
    [
        ("C/ Mayor, 12", "Calle Mayor, 12"),
        ("C/Mayor 12", "Calle Mayor 12"),
        ("Cl. Alcalá 5", "Calle Alcalá 5"),
        ("Avda. de la Paz nº 3", "Avenida de la Paz nº 3"),
        ("Avda.Brasil 200", "Avenida Brasil 200"),
        ("Av Paulista, 1578", "Avenida Paulista, 1578"),
        ("Pza. España 1", "Plaza España 1"),
        ("Pº de Gracia 21", "Paseo de Gracia 21"),
        ("P.º de la Castellana, 100", "Paseo de la Castellana, 100"),
        ("Ctra. de Valencia km 7", "Carretera de Valencia km 7"),
        ("Urb. Los Pinos", "Urbanización Los Pinos"),
        ("R. Augusta, 1500", "Rua Augusta, 1500"),
        ("Al. Santos 45", "Alameda Santos 45"),
        ("Rod. Anhanguera km 20", "Rodovia Anhanguera km 20"),
        ("Pça. da Sé 1", "Praça da Sé 1"),
        ("Calle Mayor S/N", "Calle Mayor s/n"),
        ("Calle Mayor núm. 12", "Calle Mayor nº 12"),
        ("Calle Mayor n° 12", "Calle Mayor nº 12"),
        ("Calle Mayor no. 12", "Calle Mayor nº 12"),
        ("  calle   mayor ", "calle mayor"),
    ],
)
def test_expand_street(raw, expanded):
    assert expand_street(raw) == expanded


def test_expand_street_travessa_by_language():
    assert expand_street("Trav. del Carmen 3", lang="es") == "Travesía del Carmen 3"
    assert expand_street("Trav. do Carmo 3", lang="pt") == "Travessa do Carmo 3"
    assert expand_street("Tv. do Carmo 3") == "Travessa do Carmo 3"  # guessed


@pytest.mark.parametrize(
    ("raw", "street", "number"),
    [
        ("Calle Mayor 12, 3ºB", "Calle Mayor", "12"),
        ("C/ Mayor, 12, 3º Izda.", "Calle Mayor", "12"),
        ("Calle Mayor nº 12", "Calle Mayor", "12"),
        ("Rua 25 de Março, 100", "Rua 25 de Março", "100"),
        ("Avenida 5 de Mayo 123", "Avenida 5 de Mayo", "123"),
        ("Calle 45 # 12-34", "Calle 45", "12-34"),
        ("12 Main Street", "Main Street", "12"),
        ("Calle Mayor s/n", "Calle Mayor", None),
        ("Calle Mayor", "Calle Mayor", None),
        ("", "", None),
    ],
)
def test_split_street_number(raw, street, number):
    assert split_street_number(raw) == (street, number)


def test_address_key():
    assert address_key("C/ Mayor, 12, 3º Izda.") == "mayor 12"
    assert address_key("Calle Mayor nº 12") == "mayor 12"
    assert address_key("Calle de Alcalá 5") == address_key("C/ Alcalá, 5, piso 2")
    assert address_key("Calle Mayor", number="12") == "mayor 12"
    assert address_key("Calle Mayor 12", postal_code="28013") == "mayor 12 28013"
    assert address_key("R. Augusta, 1500, apto 42") == "augusta 1500"
    assert address_key(None) == ""


@pytest.mark.parametrize(
    ("raw", "country", "code"),
    [
        ("8001", "ES", "08001"),
        ("8001.0", "ES", "08001"),
        ("28001", "ES", "28001"),
        ("CP 28013", "ES", "28013"),
        ("99001", "ES", None),
        ("801", "ES", None),
        ("06700", "MX", "06700"),
        ("1310100", "BR", "01310-100"),
        ("01310-100", "BR", "01310-100"),
        ("CEP 01310.100", "BR", "01310-100"),
        ("1000-001", "PT", "1000-001"),
        ("1000001", "PT", "1000-001"),
        ("C1425ABC", "AR", "C1425ABC"),
        ("1425", "AR", "1425"),
        ("123456789", "US", "12345-6789"),
        ("501", "US", "00501"),
        ("sw1a 1aa", "GB", "SW1A 1AA"),
        ("sw1a 1aa", None, "SW1A 1AA"),
        ("abc", "ES", None),
        ("", "ES", None),
        (None, "ES", None),
    ],
)
def test_normalise_postal_code(raw, country, code):
    assert normalise_postal_code(raw, country) == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("05/03/2021", dt.date(2021, 3, 5)),
        ("5-3-21", dt.date(2021, 3, 5)),
        ("05.03.2021", dt.date(2021, 3, 5)),
        ("1/1/99", dt.date(1999, 1, 1)),
        ("1/1/29", dt.date(2029, 1, 1)),
        ("1/1/30", dt.date(1930, 1, 1)),
        ("2023-04-05", dt.date(2023, 4, 5)),
        ("2023-04-05 13:22:11", dt.date(2023, 4, 5)),
        ("2023-04-05T13:22:11.123Z", dt.date(2023, 4, 5)),
        ("20210305", dt.date(2021, 3, 5)),
        ("45123", dt.date(2023, 7, 16)),
        ("45123.5", dt.date(2023, 7, 16)),
        ("5 de marzo de 2021", dt.date(2021, 3, 5)),
        ("05-mar-2021", dt.date(2021, 3, 5)),
        ("March 5, 2021", dt.date(2021, 3, 5)),
        ("Monday, March 5th, 2021", dt.date(2021, 3, 5)),
        ("5 jan 2021", dt.date(2021, 1, 5)),
        ("10 fev 2020", dt.date(2020, 2, 10)),
        ("1 ene 2020", dt.date(2020, 1, 1)),
        ("3 abr 2019", dt.date(2019, 4, 3)),
        ("15 ago 2018", dt.date(2018, 8, 15)),
        ("25 dez 2017", dt.date(2017, 12, 25)),
        ("24 dic 2016", dt.date(2016, 12, 24)),
        ("7 de setembro de 1999", dt.date(1999, 9, 7)),
    ],
)
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["31/02/2020", "13/13/2020", "01/01/1850", "01/01/2101", "12345", "99999", "hola",
     "5 de marzo", "32 mar 2021", "", None, "2021-02-30"],
)  # fmt: skip
def test_parse_date_rejects(raw):
    assert parse_date(raw) is None


def test_parse_date_month_first():
    assert parse_date("03/05/2021", order="mdy") == dt.date(2021, 3, 5)
    assert parse_date("2021-03-05", order="mdy") == dt.date(2021, 3, 5)


def test_parse_datetime_keeps_time():
    assert parse_datetime("2023-04-05 13:22:11") == dt.datetime(2023, 4, 5, 13, 22, 11)
    assert parse_datetime("2023-04-05T13:22") == dt.datetime(2023, 4, 5, 13, 22)
    assert parse_datetime("5/3/2021 1:05 pm") == dt.datetime(2021, 3, 5, 13, 5)
    assert parse_datetime("45123.5") == dt.datetime(2023, 7, 16, 12, 0)
    assert parse_datetime("lunes, 5 de abril de 2021 a las 10:30") == dt.datetime(
        2021, 4, 5, 10, 30
    )
    assert parse_datetime("05/03/2021") == dt.datetime(2021, 3, 5)
    assert parse_datetime("05/03/2021 25:00") is None


def test_detect_date_order():
    day_first = detect_date_order(["03/04/2021", "25/12/2020"])
    assert (day_first.order, day_first.ambiguous) == ("dmy", False)
    month_first = detect_date_order(["03/04/2021", "12/25/2020", None])
    assert (month_first.order, month_first.ambiguous) == ("mdy", False)
    undecided = detect_date_order(["03/04/2021", "01/02/2020"])
    assert (undecided.order, undecided.ambiguous) == ("dmy", True)
    assert not detect_date_order(["2021-01-02", "2020-12-31"]).ambiguous
    assert detect_date_order(["2021-01-02"]).order == "iso"
    assert detect_date_order(["2021/01/02"]).order == "ymd"
    conflict = detect_date_order(["13/01/2021", "01/13/2021", "01/14/2021"])
    assert (conflict.order, conflict.ambiguous) == ("mdy", True)
    assert "1 day-first" in conflict.evidence
    assert detect_date_order([]).ambiguous


@pytest.mark.parametrize(
    ("values", "separator"),
    [
        (["1.234,56"], ","),
        (["1,234.56"], "."),
        (["12,5"], ","),
        (["12,50", "3"], ","),
        (["1.234", "12,50"], ","),
        (["1.234"], "."),
        (["1.234", "1.234.567"], ","),
        (["0,125"], ","),
        ([], "."),
        ([None, "abc"], "."),
    ],
)
def test_detect_decimal_separator(values, separator):
    assert detect_decimal_separator(values) == separator


@pytest.mark.parametrize(
    ("raw", "decimal", "amount"),
    [
        ("1.234,56 €", ",", Amount(1234.56, "EUR")),
        ("R$ 1.234,56", ",", Amount(1234.56, "BRL")),
        ("(12,50)", ",", Amount(-12.5, None)),
        ("12,50-", ",", Amount(-12.5, None)),
        ("-€12", ".", Amount(-12.0, "EUR")),
        ("€ -12", ".", Amount(-12.0, "EUR")),
        ("USD 1,234.56", ".", Amount(1234.56, "USD")),
        ("US$1,000", ".", Amount(1000.0, "USD")),
        ("MX$ 50", ".", Amount(50.0, "MXN")),
        ("50 MXN", ".", Amount(50.0, "MXN")),
        ("$ 100", ".", Amount(100.0, None)),
        ("COP 1.500.000", ",", Amount(1_500_000.0, "COP")),
        ("ARS 1.500", ",", Amount(1500.0, "ARS")),
        ("CLP 15.990", ",", Amount(15990.0, "CLP")),
        ("£5", ".", Amount(5.0, "GBP")),
        ("5 GBP", ".", Amount(5.0, "GBP")),
        ("1\u00a0234,5 EUR", ",", Amount(1234.5, "EUR")),
        ("1.234", ".", Amount(1.234, None)),
        ("1.234", ",", Amount(1234.0, None)),
        ("1.234.567", ".", Amount(1234567.0, None)),
        ("12.5", ",", Amount(12.5, None)),
        ("1e3", ".", Amount(1000.0, None)),
        ("0", ".", Amount(0.0, None)),
        ("-0", ".", Amount(0.0, None)),
        ("abc", ".", Amount(None, None)),
        ("EUR", ".", Amount(None, "EUR")),
        ("", ".", Amount(None, None)),
        (None, ".", Amount(None, None)),
    ],
)
def test_parse_amount(raw, decimal, amount):
    assert parse_amount(raw, decimal) == amount


def test_amount_with_a_non_ascii_letter_that_case_folds_to_a_currency_does_not_raise() -> None:
    from custfocus.normalise import parse_amount

    assert parse_amount("uſd 5").currency is None
    assert parse_amount("usd 5").currency == "USD"


def _every_validator(text: str, country: str | None):
    """The national-id lookup without the length screen: every validator is asked (an id
    written with its country's prefix is kept without it)."""
    from custfocus.normalise import ids

    value = ids._NON_ALNUM.sub("", text.strip().upper())
    for kind, kind_country, module in ids._ordered(country, ids._VALIDATORS):
        for candidate in ids._candidates(value, kind):
            if ids._is_valid(module, candidate):
                if len(candidate) not in ids._LENGTHS[kind] and candidate[:2] == kind_country:
                    candidate = candidate[2:]
                return candidate, kind, True
    return None


_VALID_IDS = ["12345678Z", "X1234567L", "B58378431", "K1234567L", "390.533.447-05",
              "11.222.333/0001-81", "GODE561231GR8", "BOXW310820HNERXN09", "20-26756539-3",
              "PT 501 442 600", "12.531.909-2", "20512333797", "900.373.115-3", "CL125319092",
              "ES12345678Z", "1234567", "2131827", "21318279", "LOVJ890824947", "1.234.567-4",
              "123456788", "GODE561231", "EKU9003173C9"]


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.sampled_from(_VALID_IDS),
    st.tuples(st.sampled_from(["", "ES", "PT", "CL", "CO", "AR", "MX", "BR", " "]),
              st.text(alphabet="0123456789KXYZAB-. ", min_size=1, max_size=20)).map("".join)),
    st.sampled_from([None, "ES", "BR", "MX", "AR", "PT", "CL", "PE", "CO"]))
def test_length_screen_never_skips_a_validator_that_would_accept(text, country):
    from custfocus.normalise import ids

    found = _every_validator(text, country)
    result = ids._normalise_cached.__wrapped__(text, country)
    if found is None:
        assert not result.valid
    else:
        assert (result.value, result.kind, result.valid) == found


def test_an_amount_beyond_any_order_is_no_amount():
    import pyarrow as pa

    from custfocus.normalise.amounts import parse_amount
    from custfocus.normalise.vectorised.amounts import parse_amount_column

    values = ["-1e308", "1e308", "123456789012345678", "12,50", "-3.000,00 €"]
    expected = [None, None, None, 12.5, -3000.0]
    assert [parse_amount(v, ",").value for v in values] == expected
    assert parse_amount_column(pa.array(values), ",")["value"].to_pylist() == expected
