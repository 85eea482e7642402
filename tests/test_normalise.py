"""Properties every normaliser must hold: never raise, idempotent, stable keys.

Concrete examples live in the ``test_normalise_*.py`` files next to this one.
"""

from __future__ import annotations

import datetime as dt

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import custfocus.normalise as N
from custfocus.normalise.emails import _normalise_cached

normalise_email_uncached = _normalise_cached.__wrapped__

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks a little like real cells: digits, separators, accents, letters.
cellish = st.text(
    alphabet=st.sampled_from(list("0123456789 +-/.,;:()@#ºªAaBbCcEeNnÑñçÇãÃéÉßx\t\x00€$")),
    max_size=40,
)
any_text = st.one_of(st.text(max_size=60), cellish)


def test_all_public_names_are_exported():
    for name in N.__all__:
        assert hasattr(N, name), name
    assert len(set(N.__all__)) == len(N.__all__)


ONE_ARG = [
    N.fold,
    N.clean_text,
    N.is_placeholder,
    N.parse_name,
    N.name_tokens,
    N.is_placeholder_name,
    N.canonical_given,
    N.normalise_email,
    N.normalise_phone,
    N.normalise_national_id,
    N.expand_street,
    N.address_key,
    N.normalise_postal_code,
    N.split_street_number,
    N.parse_date,
    N.parse_datetime,
    N.parse_amount,
]


@pytest.mark.parametrize("func", ONE_ARG, ids=lambda f: f.__name__)
@pytest.mark.parametrize("value", [None, "", " ", "\x00", "٣", "𝟙𝟚", "ǰ", "ﬀ", "İ"])
def test_odd_values_never_raise(func, value):
    func(value)


@pytest.mark.parametrize("func", ONE_ARG, ids=lambda f: f.__name__)
def test_huge_values_never_raise(func):
    func("á, 9" * 250_000)  # 1 MB of letters, digits and separators


@FAST
@given(any_text)
def test_no_normaliser_raises_on_arbitrary_text(text):
    for func in ONE_ARG:
        func(text)
    for region in ("ES", "BR", None):
        N.normalise_phone(text, region)
    for country in ("ES", "BR", "MX", "AR", "PT", "US", "XX", None):
        N.normalise_national_id(text, country)
        N.normalise_postal_code(text, country)
    N.format_national_id(N.normalise_national_id(text))
    N.parse_name(given=text, family=text)
    N.name_key(N.parse_name(text))
    N.parse_amount(text, decimal=",")
    N.parse_date(text, order="mdy")
    N.expand_street(text, lang="pt")
    N.address_key(text, number=text, postal_code=text)


@FAST
@given(st.lists(any_text, max_size=8))
def test_column_detectors_never_raise(values):
    assert N.detect_date_order(values).order in {"dmy", "mdy", "ymd", "iso"}
    assert N.detect_decimal_separator(values) in {",", "."}
    assert len(N.guess_region(values)) == 2


@FAST
@given(any_text)
def test_fold_is_idempotent(text):
    folded = N.fold(text)
    assert N.fold(folded) == folded
    assert folded == folded.strip()
    assert "  " not in folded


@FAST
@given(any_text)
def test_clean_text_is_idempotent(text):
    cleaned = N.clean_text(text)
    assert N.clean_text(cleaned) == cleaned
    assert "\x00" not in cleaned


@FAST
@given(any_text)
def test_expand_street_is_idempotent(text):
    expanded = N.expand_street(text)
    assert N.expand_street(expanded) == expanded


@FAST
@given(
    st.one_of(
        any_text,
        st.emails(),
        st.builds(
            lambda local, tag, domain: f"{local}+{tag}@{domain}",
            st.from_regex(r"[a-z][a-z.]{0,8}[a-z]", fullmatch=True),
            st.from_regex(r"[a-z0-9]{1,5}", fullmatch=True),
            st.sampled_from(["gmail.com", "GoogleMail.com", "empresa.es", "uol.com.br"]),
        ),
    )
)
def test_email_key_is_stable_under_renormalisation(text):
    info = N.normalise_email(text)
    if info.valid:
        again = N.normalise_email(info.email)
        assert again.key == info.key
        assert again.email == info.email
    else:
        assert info.key is None


def _email_validator_verdict(address):
    try:
        validated = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return None
    return f"{validated.local_part}@{validated.domain}".lower()


@FAST
@given(
    st.one_of(
        st.emails().map(str.lower),
        st.from_regex(r"[a-z0-9.\-_+'\"]{0,70}@[a-z0-9.\-]{0,70}", fullmatch=True),
        st.text(alphabet=st.sampled_from(list("ab.@-_+é[]1")), max_size=20),
    )
)
def test_email_validity_matches_email_validator(address):
    # normalise_email short-cuts plain ASCII addresses; it must agree with the library.
    info = normalise_email_uncached(address)
    expected = _email_validator_verdict(address)
    assert info.valid == (expected is not None)
    if expected is not None:
        assert info.email == expected


@FAST
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(list("abcdeñáÉLMNOPQ-'")), min_size=1, max_size=8),
        min_size=1,
        max_size=5,
    )
)
def test_reparsing_full_name_keeps_name_key(words):
    first = N.parse_name(" ".join(words))
    second = N.parse_name(first.full)
    assert N.name_key(second) == N.name_key(first)


@FAST
@given(any_text)
def test_parse_name_keeps_every_word(text):
    parsed = N.parse_name(text)
    assert N.name_key(parsed) == " ".join(sorted(N.name_tokens(N.clean_text(text))))


STREET_TYPES = {
    "Calle": ["Calle", "C/", "C/ ", "c.", "Cl.", "CALLE"],
    "Avenida": ["Avenida", "Avda.", "Av.", "Avd", "AVDA"],
    "Plaza": ["Plaza", "Pza.", "Pl.", "Plza"],
    "Paseo": ["Paseo", "Pº", "P.º", "Pso."],
}
NUMBER_MARKS = ["", "nº ", "n° ", "no. ", "núm. ", "Nº", "# "]


@FAST
@given(
    st.sampled_from(sorted(STREET_TYPES)),
    st.lists(st.sampled_from(["Mayor", "Alcalá", "Sol", "Gran Vía", "Colón"]), min_size=1),
    st.integers(min_value=1, max_value=999),
    st.data(),
)
def test_address_key_equal_for_equivalent_spellings(street_type, words, number, data):
    name = " ".join(words[:3])
    canonical = N.address_key(f"{street_type} {name} {number}")
    spelling = data.draw(st.sampled_from(STREET_TYPES[street_type]))
    mark = data.draw(st.sampled_from(NUMBER_MARKS))
    comma = data.draw(st.sampled_from(["", ","]))
    floor = data.draw(st.sampled_from(["", ", 3º Izda.", " 2ºB", ", piso 4"]))
    variant = f"{spelling} {name}{comma} {mark}{number}{floor}"
    assert N.address_key(variant) == canonical


@FAST
@given(
    st.lists(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2029, 12, 31)), max_size=20),
    st.dates(min_value=dt.date(1950, 1, 13), max_value=dt.date(2029, 12, 31)).filter(
        lambda d: d.day > 12
    ),
    st.sampled_from(["/", "-", "."]),
)
def test_detect_date_order_finds_day_first(dates, witness, separator):
    values = [d.strftime(f"%d{separator}%m{separator}%Y") for d in [*dates, witness]]
    order = N.detect_date_order(values)
    assert order.order == "dmy"
    assert not order.ambiguous
    assert all(
        N.parse_date(v, order.order) == d for v, d in zip(values, [*dates, witness], strict=True)
    )


@FAST
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_iso_dates_round_trip(day):
    assert N.parse_date(day.isoformat()) == day
    assert N.parse_date(day.isoformat(), order="mdy") == day


@FAST
@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_amounts_round_trip_in_both_conventions(value):
    text = f"{value:,.2f}"  # 1,234.56
    european = text.replace(",", "_").replace(".", ",").replace("_", ".")
    assert N.parse_amount(text, ".").value == pytest.approx(float(value))
    assert N.parse_amount(european, ",").value == pytest.approx(float(value))


def test_a_spanish_nif_with_its_vat_country_prefix_is_the_same_id():
    from custfocus.normalise.ids import normalise_national_id

    plain = normalise_national_id("43538330C", "ES")
    assert normalise_national_id("ES43538330C", "ES") == plain
    assert normalise_national_id("ES-43538330-C", None).value == plain.value == "43538330C"
