"""normalise_phone_column equals normalise_phone, row by row, on every input."""

from __future__ import annotations

from dataclasses import astuple
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custfocus.ingest.readers import open_source
from custfocus.normalise import normalise_phone
from custfocus.normalise.phones import _fast
from custfocus.normalise.vectorised import phones as vphones
from custfocus.normalise.vectorised.phones import normalise_phone_column

FIELDS = ("e164", "valid", "national", "region", "mobile")
REGIONS = ("ES", "BR", "MX", "AR", "CO", "PT", "US", "GB", "CL", "PE")

CORPUS: list[str | None] = [
    # Spain: mobiles, fixed lines, +CC / 00CC, toll-free, premium, shared cost, short codes.
    "612345678", "612 34 56 78", "612-345-678", "(612) 345.678", "+34 612 345 678",
    "+34612345678", "0034612345678", "0034 612 34 56 78", "(+34) 612345678", "34 612 345 678",
    "+034612345678", "912345678", "917 31 68 33", "965 35 32 30", "900123456", "803 123 456",
    "901123456", "51 123 4567", "712345678", "112", "061", "612345678.0", "+34612345678.0",
    "6.12345678E+8", "6.12345678e8", "612345678 ext. 12", "612345678 / 913456789",
    "612 345 678 o 913 456 789", "612345678; 913456789", "tel: 612345678", "6123456789",
    # Brazil: mobiles with 9, fixed lines, carrier codes, 0800/0300, capitals numbers.
    "(11) 98765-4321", "11 98765-4321", "11987654321", "(11) 3456-7890", "(21) 2345-6789",
    "011 98765 4321", "0 11 98765-4321", "0xx11 98765-4321", "015 11 98765 4321",
    "+55 11 98765 4321", "+55 (21) 2345-6789", "5511987654321", "0800 123 4567",
    "0300 123 4567", "4004-1234", "81991420788", "(11) 8765-4321", "+55 11 8765-4321",
    # Mexico.
    "55 1234 5678", "+52 55 1234 5678", "+52 1 55 1234 5678", "044 55 1234 5678",
    "01 55 1234 5678", "800 123 4567", "+52 33 3688 8810", "+52 99 8290 5453", "900 123 4567",
    # Argentina: 0 and 15 prefixes, 9 for mobiles from abroad.
    "011 15 2345-6789", "+54 9 11 2345-6789", "11 2345-6789", "+54 11 2345 6789",
    "0800 123 4567", "15 2345 6789", "0351 15 234 5678", "351 234 5678", "+54 351 234 5678",
    # Colombia.
    "311 847 5936", "+57 311 847 5936", "(1) 234 5678", "601 234 5678", "+57 601 234 5678",
    "03 311 847 5936", "1 800 123 4567", "+57 1 234 5678", "0 1 234 5678",
    # Portugal.
    "912 345 678", "+351 912 345 678", "+351 915 785 193", "213 456 789", "800 123 456",
    "760 123 456", "707 123 456", "00351912345678", "808 123 456",
    # United States (country code 1 is shared by the whole NANP).
    "(212) 555-0123", "212-555-0123", "+1 212 555 0123", "1 212 555 0123", "1-800-555-0123",
    "+1 (800) 555-0123", "900 555 0123", "555-0123", "+1 284 499 1234", "201-555-0123",
    # United Kingdom (+44 is shared with GG, IM, JE).
    "020 7946 0958", "+44 20 7946 0958", "07700 900123", "+44 7700 900123", "0800 123 4567",
    "09098 765432", "+44 (0) 20 7946 0958", "0044 20 7946 0958", "20 7946 0958",
    "7700 900123", "+44 1481 123456",
    # Chile.
    "9 1234 5678", "+56 9 1234 5678", "2 2123 4567", "+56 2 2123 4567", "800 123 456",
    "600 123 4567", "221234567",
    # Peru.
    "912 345 678", "+51 912 345 678", "01 234 5678", "(01) 234-5678", "0800 12345",
    "+51 1 234 5678", "1 234 5678", "64 123456",
    # Other countries and odd prefixes.
    "+7 912 345 67 89", "+39 06 1234 5678", "+800 1234 5678", "+882 1234 5678",
    "+33 6 12 34 56 78", "+49 151 23456789", "+033612345678", "+0", "+ 34 612 345 678",
    "++34612345678", "+34-612-345-678", "+ (34) 612345678", "+1", "+999 123 456 789",
    "+225 01 23 45 67 89", "+242 06 123 4567",  # national numbers starting with 0
    # Damage and noise.
    "", " ", "   ", "0", "000000", "123456", "12345", "abc", "n/a", "612345678\n",
    "\t612345678", " 612345678 ", "612345678\n\n", "612\u00a0345\u00a0678",
    "\u0666\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668",  # Arabic-Indic digits
    "\uff16\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",  # full-width digits
    "61234567\u0668", "612345678\x1c", "612\x0b345 678", "6" + "1" * 23, "6" + "1" * 24,
    "+6" + "1" * 23,
    "+" + "1" * 24, "6" + "1" * 23 + "\n", "+6" + "1" * 22 + "\n", "1" * 200, "1" * 201,
    "1" * 500, "6" * 500, "+34 " + "6" * 496, None,
]
REGION_ARGUMENTS = (*REGIONS, None, "es", "br", "", "XX", "001")


def expected(values: list[str | None], region: str | None) -> list[tuple]:
    return [astuple(normalise_phone(v, region)) for v in values]


def actual(values: pa.Array | pa.ChunkedArray | list, region: str | None) -> list[tuple]:
    array = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values,
                                                                                     pa.string())
    out = normalise_phone_column(array, region)
    assert list(out) == list(FIELDS)
    assert all(len(column) == len(array) for column in out.values())
    assert [out[f].type for f in FIELDS] == [pa.string(), pa.bool_(), pa.string(), pa.string(),
                                            pa.bool_()]
    return list(zip(*(out[f].to_pylist() for f in FIELDS)))


def assert_same(values: list[str | None], region: str | None) -> None:
    got, want = actual(values, region), expected(values, region)
    wrong = [(v, g, w) for v, g, w in zip(values, got, want) if g != w]
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("region", REGION_ARGUMENTS)
def test_corpus_equals_per_value(region: str | None) -> None:
    assert_same(CORPUS, region)


def test_corpus_mixed_order_and_repeats() -> None:
    values = CORPUS[::-1] + CORPUS[::3] + [None] * 3 + CORPUS
    assert_same(values, "ES")


def test_chunked_sliced_large_and_dictionary_inputs() -> None:
    values = CORPUS[:60]
    want = expected(values, "BR")
    chunked = pa.chunked_array([pa.array(values[:25]), pa.array(values[25:])])
    assert actual(chunked, "BR") == want
    assert actual(pa.chunked_array([], pa.string()), "BR") == []
    assert actual(pa.array(["x", *values, "y"]).slice(1, len(values)), "BR") == want
    assert actual(pa.array(values, pa.large_string()), "BR") == want
    assert actual(pa.array(values).dictionary_encode(), "BR") == want
    assert actual(pa.nulls(4, pa.string()), "BR") == [astuple(normalise_phone(None))] * 4
    assert actual(pa.array([], pa.string()), "BR") == []


def test_many_chunks_and_regions(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tiny chunks: rows of several regions in every chunk, put back in input order.
    monkeypatch.setattr(vphones, "_CHUNK_ROWS", 7)
    assert_same(CORPUS, "ES")
    assert_same(CORPUS, None)


def test_vectorised_path_decides_whatever_fast_decides() -> None:
    # Not a correctness property (the fallback is exact) but the point of the module:
    # every ASCII cell the per-value fast path settles is settled without Python calls.
    # (_fast also takes Unicode digits and spaces; those are left to the per-value path.)
    values = [v for v in CORPUS if v is not None and v.isascii()]
    for region in REGIONS:
        rows, _ = vphones._fast_column(pa.array(values), region)
        assert sorted(rows.tolist()) == [
            i for i, v in enumerate(values) if _fast(v, region) is not None], region


_PREFIXES = ("", "", "", "", "+", "00", "0", "15", "+34 ", "+55 ", "+52 ", "+54 9 ", "+1 ",
             "+44 ", "+351 ", "+57 ", "+56 ", "+51 ", "0034", "(+34) ", "+0")
_SUFFIXES = ("", "", "", "", ".0", " ", "\n", "x", " ext 12", " / 612345678")
# Mostly digits, some separators: "+34 612-34 56.78", "(11) 98765 4321", ...
_PHONE_LIKE = st.tuples(
    st.sampled_from(_PREFIXES),
    st.text("0123456789012345678901234567890123456789 -.()", min_size=1, max_size=16),
    st.sampled_from(_SUFFIXES),
).map("".join)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.one_of(_PHONE_LIKE, _PHONE_LIKE, st.text("0123456789 +-.()\t\n"),
                                 st.text(max_size=12), st.none()), min_size=1, max_size=20),
       region=st.sampled_from(["ES", "BR", "MX", "AR", "US", "GB", None]))
def test_property_digit_strings(values: list[str | None], region: str | None) -> None:
    assert_same(values, region)


# The phone columns of the bundled examples (first sheet of each workbook) and the
# region the importer picks for each.
EXAMPLE_COLUMNS = [
    ("erp_facturacion.xlsx", "Teléfono", "ES"),
    ("loja_online.csv", "Celular", "BR"),
    ("marketing.csv", "Phone", "ES"),
    ("soporte.csv", "Teléfono", "ES"),
    ("ventas.xlsx", "Tel. móvil", "ES"),
    ("ventas.xlsx", "Tel. fijo", "ES"),
]


def _example_column(path: Path, header: str) -> list[str | None]:
    for table in open_source(path).tables:
        if header in table.headers:
            i = table.headers.index(header)
            return [cells[i] if i < len(cells) and cells[i] else None
                    for _, cells in table.rows()]
    raise AssertionError(f"{header!r} not in {path.name}")


@pytest.mark.parametrize(("name", "header", "region"), EXAMPLE_COLUMNS)
def test_example_phone_columns(examples_dir: Path, name: str, header: str, region: str) -> None:
    values = _example_column(examples_dir / name, header)
    assert sum(v is not None for v in values) > 50
    for r in (region, "ES" if region != "ES" else "BR", None):
        assert_same(values, r)
    rows, _ = vphones._fast_column(pa.array(values, pa.string()), region)
    assert len(rows) == sum(v is not None and _fast(v, region) is not None for v in values)
