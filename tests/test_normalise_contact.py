"""Examples for e-mail addresses, phone numbers and national identifiers."""

from __future__ import annotations

import pytest

from custfocus.normalise import (
    EmailInfo,
    NationalId,
    format_national_id,
    guess_region,
    normalise_email,
    normalise_national_id,
    normalise_phone,
)


def test_email_cleaning_and_gmail_key():
    info = normalise_email(" mailto:<Ana.Ruiz+promo@GoogleMail.com> ")
    assert info == EmailInfo(
        email="ana.ruiz+promo@googlemail.com",
        key="anaruiz@gmail.com",
        valid=True,
        role=False,
        placeholder=False,
        domain="googlemail.com",
    )
    assert normalise_email("anaruiz@gmail.com").key == info.key


@pytest.mark.parametrize(
    ("raw", "email", "key"),
    [
        ("Ana Ruiz <ana@empresa.es>", "ana@empresa.es", "ana@empresa.es"),
        ("pepe+news@empresa.es", "pepe+news@empresa.es", "pepe@empresa.es"),
        ("p.e.pe@empresa.es", "p.e.pe@empresa.es", "p.e.pe@empresa.es"),
        ("JUAN@HOTMAIL.COM; otro@x.com", "juan@hotmail.com", "juan@hotmail.com"),
    ],
)
def test_email_keys(raw, email, key):
    info = normalise_email(raw)
    assert (info.email, info.key, info.valid) == (email, key, True)


@pytest.mark.parametrize("raw", ["foo@bar", "ana..b@x.com", "sin correo", "@", "a b"])
def test_invalid_emails_are_kept(raw):
    info = normalise_email(raw)
    assert info.valid is False
    assert info.key is None
    assert info.email  # not lost


@pytest.mark.parametrize(
    "raw",
    ["info@empresa.es", "Ventas@x.com", "contato@loja.com.br", "no-reply@x.com", "rrhh+cv@x.es"],
)
def test_role_addresses(raw):
    assert normalise_email(raw).role


@pytest.mark.parametrize(
    "raw",
    ["test@test.com", "a@a.com", "no@tiene.com", "sincorreo@gmail.com", "noemail@hotmail.com",
     "x@x.com", "ana@example.com", "N/A"],
)  # fmt: skip
def test_placeholder_emails(raw):
    assert normalise_email(raw).placeholder


def test_empty_email():
    assert (
        normalise_email(None)
        == normalise_email("")
        == EmailInfo(None, None, False, False, False, None)
    )
    assert not normalise_email("ana@gmail.com").placeholder


@pytest.mark.parametrize(
    ("raw", "region", "e164", "mobile"),
    [
        ("+34 612 34 56 78", "ES", "+34612345678", True),
        ("0034 612 34 56 78", "ES", "+34612345678", True),
        ("0034612345678", "BR", "+34612345678", True),
        ("(11) 98765-4321", "BR", "+5511987654321", True),
        ("612345678.0", "ES", "+34612345678", True),
        ("6.12345678E+8", "ES", "+34612345678", True),
        ("913 456 789 ext. 12", "ES", "+34913456789", False),
        ("612345678 / 913456789", "ES", "+34612345678", True),
        ("91/555 12 34", "ES", "+34915551234", False),
        ("Tel: 612-34-56-78", "es", "+34612345678", True),
        ("+1 202 555 0143", "ES", "+12025550143", True),
    ],
)
def test_valid_phones(raw, region, e164, mobile):
    info = normalise_phone(raw, region)
    assert (info.e164, info.valid, info.mobile) == (e164, True, mobile)


def test_phone_details():
    info = normalise_phone("(11) 98765-4321", region="BR")
    assert (info.national, info.region) == ("11987654321", "BR")
    possible = normalise_phone("999 999 999", "ES")
    assert possible.valid is False and possible.e164 == "+34999999999"
    assert normalise_phone("612345678", region=None).valid is False


@pytest.mark.parametrize("raw", ["1" * 500, "12345", "abc", "+", "00", "6" * 40])
def test_invalid_phones(raw):
    info = normalise_phone(raw)
    assert info.valid is False
    assert info.mobile is None


def test_empty_phone():
    assert normalise_phone(None).national == ""
    assert normalise_phone("").e164 is None
    assert normalise_phone("abc").national == ""


@pytest.mark.parametrize(
    ("values", "region"),
    [
        (["(11) 98765-4321", "21 2345-6789", "11 3456-7890"], "BR"),
        (["612345678", "913456789", "644 55 66 77"], "ES"),
        (["+52 55 1234 5678", "+52 33 1234 5678", "5512345678"], "MX"),
        (["55 1234 5678", "33 1234 5678"], "MX"),
        ([], "ES"),
        (["", None, "n/a"], "ES"),
    ],
)
def test_guess_region(values, region):
    assert guess_region(values) == region


def test_guess_region_default():
    assert guess_region(["hello"], default="PT") == "PT"


@pytest.mark.parametrize(
    ("raw", "country", "value", "kind", "formatted"),
    [
        ("12.345.678-z", None, "12345678Z", "es_nif", "12345678Z"),
        ("1234567-L", None, "01234567L", "es_nif", "01234567L"),
        ("x-1234567-l", None, "X1234567L", "es_nie", "X1234567L"),
        ("B12345674", None, "B12345674", "es_cif", "B12345674"),
        ("390.533.447-05", None, "39053344705", "br_cpf", "390.533.447-05"),
        ("3678012485", None, "03678012485", "br_cpf", "036.780.124-85"),
        ("3678012485.0", "BR", "03678012485", "br_cpf", "036.780.124-85"),
        ("11.222.333/0001-81", None, "11222333000181", "br_cnpj", "11.222.333/0001-81"),
        ("GODE561231GR8", None, "GODE561231GR8", "mx_rfc", "GODE 561231 GR8"),
        ("BOXW310820HNERXN09", None, "BOXW310820HNERXN09", "mx_curp", "BOXW310820HNERXN09"),
        ("20-26756539-3", None, "20267565393", "ar_cuit", "20-26756539-3"),
        ("501964843", "PT", "501964843", "pt_nif", "501964843"),
        ("12.345.678-5", "CL", "123456785", "cl_rut", "12.345.678-5"),
        ("20512333797", "PE", "20512333797", "pe_ruc", "20512333797"),
        ("860.012.336-1", "CO", "8600123361", "co_nit", "860.012.336-1"),
    ],
)
def test_valid_national_ids(raw, country, value, kind, formatted):
    nid = normalise_national_id(raw, country)
    assert (nid.value, nid.kind, nid.valid) == (value, kind, True)
    assert format_national_id(nid) == formatted


@pytest.mark.parametrize(
    ("raw", "kind", "country"),
    [
        ("12345678A", "es_nif", "ES"),  # wrong check letter
        ("390.533.447-06", "br_cpf", "BR"),
        ("11.222.333/0001-82", "br_cnpj", "BR"),
        ("123", None, None),
        ("hello world", None, None),
    ],
)
def test_invalid_national_ids_guess_kind(raw, kind, country):
    nid = normalise_national_id(raw)
    assert (nid.kind, nid.valid, nid.country) == (kind, False, country)


def test_empty_national_id():
    assert normalise_national_id(None) == NationalId("", None, False, None)
    assert format_national_id(normalise_national_id("")) == ""


def test_phone_fast_path_agrees_with_libphonenumber():
    """The regex fast path must give exactly what the full libphonenumber parse gives."""
    import random

    import phonenumbers
    from phonenumbers import PhoneNumberType as T

    from custfocus.normalise import phones

    rng = random.Random(5)
    checked = 0
    for region in ("ES", "BR", "MX", "CO", "AR", "PT", "US", "GB"):
        for kind in (T.MOBILE, T.FIXED_LINE, T.TOLL_FREE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            national = phonenumbers.national_significant_number(example)
            for _ in range(40):
                digits = national[:-2] + f"{rng.randrange(100):02d}"
                for text in (digits, f"+{example.country_code} {digits}"):
                    fast = phones._fast(text, region)
                    if fast is None:
                        continue
                    phones._normalise_cached.cache_clear()
                    original, phones._fast = phones._fast, lambda t, r: None
                    try:
                        slow = phones._normalise_cached(text, region)
                    finally:
                        phones._fast = original
                        phones._normalise_cached.cache_clear()
                    assert fast == slow, text
                    checked += 1
    assert checked > 300
