"""The fast address normalisers equal the frozen originals, value by value and by column."""

from __future__ import annotations

import re
import sys
from functools import lru_cache

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import _addresses_reference as ref
from custfocus.ingest.readers.source import open_source
from custfocus.normalise import addresses as new
from custfocus.normalise import text as text_module
from custfocus.normalise.text import clean_text, fold, is_placeholder
from custfocus.normalise.vectorised.addresses import normalise_address_columns

CORPUS = [
    "C/ Mayor, 12, 3º Izda",
    "C/Mayor 12",
    "c / mayor nº12",
    "C/. de Alcalá, 45",
    "Avda. de la Paz nº 3",
    "AVDA DE LA PAZ Nº3",
    "avd. constitución 1, 2ºB",
    "Av. Paulista, 1578",
    "av paulista 1578 apto 42",
    "R. das Flores, 123 apto 42",
    "r. xv de novembro 41",
    "Rua 25 de Março, 10",
    "Cra 7 # 12-34",
    "Kra. 15 #93-75",
    "Cl. 26 # 68C-61",
    "Cll 100 # 8A-55",
    "Cra 7#12-34",
    "Calle Mayor#5, 3º",
    "Calle Avnº12",
    "Calle Mayor Esqnº 5",
    "C/ Plnº 3",
    "Avda. Sol Pl.nº 3",
    "Pza. España s/n",
    "Plza. Mayor S/N",
    "Pl. del Sol s / n",
    "Pza España s/nº",
    "Pº de la Castellana, 200",
    "P.º Castellana 200",
    "pº de gracia 21",
    "Pso. del Prado 8",
    "Po. Marítimo, 4",
    "Bº San Antonio 5",
    "Bo. La Candelaria",
    "Urb. Los Pinos, 7",
    "urb las lomas",
    "Travessa do Carmo, 5",
    "Trav. do Carmo 5",
    "Trav. de la Iglesia 3",
    "Tv. das Flores, 9",
    "trv. Santa Ana 2",
    "Ctra. de Valencia km 7",
    "Crta Nacional II, 33",
    "Al. Santos, 100",
    "Rod. Anhanguera km 20",
    "Pç. da Sé, 1",
    "Pça. da República 50",
    "Esq. Insurgentes",
    "Estr. de Benfica 300",
    "Lgo. do Chiado 2",
    "Gta. de Bilbao 1",
    "Glta Cuatro Caminos",
    "Rda. de Segovia 10",
    "Cno. Viejo 4",
    "Cmno. Real",
    "Psje. Los Olivos 3",
    "Pje. Central",
    "Calle Mayor número 12",
    "Calle Mayor núm. 12, 3º 2ª",
    "Calle Mayor no. 12",
    "Calle Mayor Nro 12",
    "Calle Mayor n.º 12",
    "Calle Mayor n °12",
    "12 Main Street",
    "Calle 19 263, Bajo",
    "Calle Mayor 1234567",
    "c.pza.x",
    "c.c.",
    "c.c. 5",
    "av.av.av",
    "k. kra. Kra.",
    "KRA 5",
    "pſo. x",
    "CL. MAYOR",
    "Cal. Real 3",
    "  Calle   Mayor ,  12  ",
    "Calle\tMayor\n12",
    "Calle\u00a0Mayor\u200b 12",
    "Calle Mayor\x00 12",
    "Calle Mayor 12B",
    "Calle Mayor 12b, esc. B",
    "s.n.",
    "sn",
    "/",
    "#",
    "º",
    "12",
    "12, 3º",
    "Avenida",
    "c/ n",
    "C/ N 5",
    "Calle s/n",
    "Avda. Sol s/n..",
    "calle s / n. 4",
    "Ronda de Atocha 5. 2º",
    "Praça da Sé, 1",
    "Calle de José Ortega y Gasset, 22-24",
    "Rua XV de Novembro, 41, Bairro Centro",
    "Calle Mayor 12 - 3º",
    "Calle Mayor 12/14",
    "Calle 3ª Travesía 5",
    "İstanbul Cd. 5",
    "Kálle K 5",
]

NUMBERS = [None, "", "12", "12B", "3 B", "58, 5º 3ª", "s/n", "-", "º"]
POSTALS = [
    None, "", "28013", "8001", "8001.0", "08001", "1310100", "01310-100", "1000-001",
    "C1425ABC", "CP 28013", "c.p. 08001", "CEP 01310-100", "zip code 90210", "902101234",
    "99999", "00000", "abc", "12 345", "١٢٣٤٥", "  ", "\x00", "x" * 70,
]
REGIONS = ["ES", "BR", "PT", "AR", "US", "CO", "MX", "CL", "IT", "FR", "XX", None, "es"]

_TOKENS = [
    "C/", "c/", "C /", "c /", "Cl.", "cl", "Cll.", "cll", "Cal.", "c.", "C.", "Avda.", "avda",
    "Avd.", "Av.", "av", "Pza.", "pza", "Plza.", "Pl.", "pl", "Pso.", "pso", "Po.", "po", "Pº",
    "P.º", "p.º", "Ctra.", "Crta", "Cra", "Kra.", "Kr", "kr.", "Urb.", "urb", "Al.", "al",
    "Rod.", "rod", "Pç.", "Pça", "pca.", "Esq.", "Estr.", "Lgo", "Bo.", "bo", "Bº", "Gta.",
    "Glta", "Rda.", "Cno.", "Cmno", "Psje.", "Pje", "Trav.", "trav", "Tv.", "Trv", "R.", "r.",
    "Rua", "Calle", "Avenida", "Travessa", "Travesía", "s/n", "S/N", "s / n", "s/nº", "s/núm.",
    "s/número", "nº", "Nº", "n.º", "n º", "n°", "no.", "No", "nro", "Nro.", "núm.", "num",
    "número", "#", "apto", "piso", "3º", "2ª", "1°", "3.º", "Izda", "Dcha.", "bajo", "de", "la",
    "das", "dos", "do", "rua", "Flores", "Mayor", "Março", "São", "Ñandú", "ſ", "K", "İ",
    "25", "12", "12B", "12-34", "7", "1234567", "0",
]
_SEPARATORS = [" ", " ", " ", "", ",", ", ", ".", "-", "/", " / ", "  ", "\t", "\u00a0", ";"]
# Every token in four casings, some numbers and odd characters: the pieces streets are
# built from. (Built from bytes below: hypothesis draws one byte string much faster than
# a list of tokens.)
_PIECES = sorted({case(t) for t in _TOKENS for case in (str, str.upper, str.lower, str.title)})
_PIECES += ["0", "1", "12", "123", "1234", "12345", "1234567", "9 ", "ſ", "K", "İ", "\u0301", "\x00"]
_POSTAL_CHARS = "0123456789 .-/CPEcpezi:ABXÑ١"


def _street_from(data: bytes, extra: str) -> str:
    parts = [
        _PIECES[b % len(_PIECES)] if i % 2 == 0 else _SEPARATORS[b % len(_SEPARATORS)]
        for i, b in enumerate(data)
    ]
    parts.insert(data[0] % (len(parts) + 1) if data else 0, extra)
    return "".join(parts)


street_text = st.builds(_street_from, st.binary(max_size=16), st.text(max_size=3))
postal_text = st.one_of(
    st.sampled_from([p for p in POSTALS if p is not None]),
    st.binary(max_size=10).map(lambda data: "".join(_POSTAL_CHARS[b % len(_POSTAL_CHARS)] for b in data)),
    st.text(max_size=6),
)


def _check_values(street: str, langs: tuple[str | None, ...] = (None, "pt", "es")) -> None:
    """Every per-value function agrees with the reference on ``street``.

    Also on what the importer feeds them next (the expanded street, its split part), in
    the importer's order: the new module remembers what one call proves for the next.
    """
    for lang in langs:
        assert new.expand_street(street, lang) == ref.expand_street(street, lang)
    expanded = ref.expand_street(street)
    split, number = ref.split_street_number(expanded)
    raw_split, _ = new.split_street_number(street)
    assert (raw_split, _) == ref.split_street_number(street)
    assert new.expand_street(raw_split) == ref.expand_street(raw_split)
    assert new.expand_street(expanded) == ref.expand_street(expanded)
    assert new.split_street_number(expanded) == (split, number)
    assert new.expand_street(split) == ref.expand_street(split)
    assert new.split_street_number(split) == ref.split_street_number(split)
    for value, house in ((street, None), (expanded, "3 B"), (split, number)):
        assert new.address_key(value, house, "28013") == ref.address_key(value, house, "28013")
    assert new.address_key(street) == ref.address_key(street)


@pytest.mark.parametrize("street", CORPUS)
def test_per_value_functions_match_reference_on_corpus(street):
    _check_values(street)
    _check_values(street.upper())
    _check_values(street.lower())


@settings(max_examples=500, deadline=None)
@given(street_text)
def test_per_value_functions_match_reference_on_generated_streets(street):
    _check_values(street)


@settings(max_examples=150, deadline=None)
@given(postal_text)
def test_postal_codes_match_reference(postal):
    for region in REGIONS:
        assert new.normalise_postal_code(postal, region) == ref.normalise_postal_code(
            postal, region
        )


def test_postal_corpus_and_odd_inputs_match_reference():
    for postal in [*POSTALS, 8001, b"8001"]:
        for region in REGIONS:
            assert new.normalise_postal_code(postal, region) == ref.normalise_postal_code(
                postal, region
            )
    for value in (None, "", 12, b"Calle"):
        assert new.expand_street(value) == ref.expand_street(value)
        assert new.split_street_number(value) == ref.split_street_number(value)
        assert new.address_key(value) == ref.address_key(value)
    # Longer than the 1024 characters expand_street reads, before or after expanding.
    for long_line in ("Avda. de la Paz nº 3, " * 100, "Av. " * 256):
        _check_values(long_line)


# -- the bundled examples ---------------------------------------------------------------

# (file, street header, house-number header, postal header, region the planner picks)
_EXAMPLE_COLUMNS = [
    ("erp_facturacion.xlsx", "Domicilio", None, "C.P.", "ES"),
    ("loja_online.csv", "Endereço", None, "CEP", "BR"),
    ("ventas.xlsx", "Dirección", "Nº", "CP", "ES"),
]


@lru_cache(maxsize=1)
def _example_rows() -> tuple[tuple[str, str, str, str | None], ...]:
    """(street, number, postal, region) cells of the examples, as the importer reads them."""
    from conftest import EXAMPLES

    def cell(cells: list[str], index: int | None) -> str:
        if index is None or index >= len(cells):
            return ""
        value = cells[index].strip()
        return "" if not value or is_placeholder(value) else value

    rows = []
    for name, street_h, number_h, postal_h, region in _EXAMPLE_COLUMNS:
        table = open_source(EXAMPLES / name).tables[0]
        index = {h: i for i, h in enumerate(table.headers)}
        cols = [index[street_h], index.get(number_h), index[postal_h]]
        for _, cells in table.rows():
            rows.append((*(cell(cells, i) for i in cols), region))
    return tuple(rows)


def test_examples_have_address_columns():
    rows = _example_rows()
    assert len(rows) > 2000
    assert sum(bool(r[0]) for r in rows) > 2000 and sum(bool(r[1]) for r in rows) > 1000


def test_per_value_functions_match_reference_on_examples():
    rows = _example_rows()
    for street in {r[0] for r in rows} | {r[1] for r in rows}:
        _check_values(street, langs=(None,))
    for postal, region in {(r[2], r[3]) for r in rows}:
        assert new.normalise_postal_code(postal, region) == ref.normalise_postal_code(
            postal, region
        )


# -- the column function ----------------------------------------------------------------


def _address_row(street: str, number: str, postal: str, region: str | None) -> dict:
    """The per-row importer logic (ingest/rows.py ``_address``) on the reference functions."""
    rec: dict = {}
    valid = True
    if street:
        expanded = ref.expand_street(street)
        if not number:
            expanded, number = ref.split_street_number(expanded)
        rec["street"] = expanded
    if number:
        rec["house_number"] = number
    if postal:
        code = ref.normalise_postal_code(postal, region)
        rec["postal_code"] = code or postal
        valid = code is not None
    if street:
        rec["address_key"] = (
            ref.address_key(rec["street"], number or None, rec.get("postal_code")) or None
        )
    names = ("street", "house_number", "postal_code", "address_key")
    return {**{name: rec.get(name) for name in names}, "postal_valid": valid}


def _check_columns(rows: list[tuple[str, str, str]], region: str | None, *, number_column=True):
    def column(i: int) -> pa.Array:
        return pa.array([r[i] or None for r in rows], pa.string())

    out = normalise_address_columns(
        column(0), column(1) if number_column else None, column(2), region
    )
    assert set(out) == {"street", "house_number", "postal_code", "postal_valid", "address_key"}
    got = [
        {name: out[name][i].as_py() for name in out} for i in range(len(rows))
    ]
    expected = [
        _address_row(s, n if number_column else "", p, region) for s, n, p in rows
    ]
    assert got == expected


def test_columns_match_row_logic_on_corpus():
    rows = [
        (street, number or "", postal or "")
        for i, street in enumerate([*CORPUS, "", "", *CORPUS[:9]])
        for number, postal in [(NUMBERS[i % len(NUMBERS)], POSTALS[i % len(POSTALS)])]
    ]
    for region in ("ES", "BR", None):
        _check_columns(rows, region)
        _check_columns(rows, region, number_column=False)


def test_columns_match_row_logic_on_examples():
    by_region: dict[str | None, list[tuple[str, str, str]]] = {}
    for street, number, postal, region in _example_rows():
        by_region.setdefault(region, []).append((street, number, postal))
    for region, rows in by_region.items():
        _check_columns(rows, region)


def test_columns_edge_cases():
    _check_columns([], "ES")
    _check_columns([("", "", "")] * 3, "ES")
    _check_columns([("", "12", ""), ("\x00", "", "28013"), ("\x00", "7", "")], "ES")
    # Chunked and large-string input, no postal column.
    street = pa.chunked_array([pa.array(["C/ Mayor 1", None]), pa.array(["Avda. Sol 2"])])
    out = normalise_address_columns(street.cast(pa.large_string()), None, None, "ES")
    assert out["street"].to_pylist() == ["Calle Mayor", None, "Avenida Sol"]
    assert out["address_key"].to_pylist() == ["mayor 1", None, "sol 2"]
    assert out["postal_valid"].to_pylist() == [True, True, True]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.just(""), street_text),
            st.one_of(st.sampled_from([n or "" for n in NUMBERS]), street_text),
            st.one_of(st.just(""), postal_text),
        ),
        max_size=10,
    ),
    st.sampled_from(REGIONS),
)
def test_columns_match_row_logic_on_generated_rows(rows, region):
    # The importer hands over stripped cells.
    rows = [tuple(cell.strip() for cell in row) for row in rows]
    _check_columns(rows, region)
    _check_columns(rows, region, number_column=False)


# -- what the shortcuts rely on ----------------------------------------------------------


@lru_cache(maxsize=1)
def _all_characters() -> str:
    return "".join(map(chr, [*range(0xD800), *range(0xE000, sys.maxunicode + 1)]))


def test_clean_text_only_removes_non_printable_characters():
    # new._is_clean trusts printable text to hold nothing clean_text removes, and no
    # whitespace but " ".
    removed = text_module._CONTROL.findall(_all_characters())
    assert removed and not any(c.isprintable() for c in removed)
    spaces = [c for c in re.findall(r"\s", _all_characters()) if c.isspace()]
    assert [c for c in spaces if c.isprintable()] == [" "]


def test_lower_casing_keeps_word_starts_and_ends():
    # The abbreviation screen lower-cases the whole text before looking for words.
    outside = re.sub(r"[\w.º°ª]", "", _all_characters())
    assert not re.search(r"[\w.º°ª]", outside.lower())


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30))
def test_is_clean_implies_clean_text_is_identity(value):
    if new._is_clean(value):
        assert clean_text(value) == value


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30))
def test_fold_word_by_word_gives_the_same_words(value):
    # street_key_parts folds non-ASCII street names word by word.
    assert " ".join(map(fold, value.split())).split() == fold(value).split()


def test_expansions_are_not_abbreviations():
    # After a replacement the screen keeps its earlier answer; that needs the inserted
    # words ("Calle", "Travessa", ...) to be no abbreviation themselves.
    inserted = [e.strip().lower() for _, e in new._EXPANSIONS] + ["travessa", "travesía", "rua"]
    assert not set(inserted) & set(new._WORD_PASSES)


def test_no_abbreviation_hides_another():
    # The screen finds one word per position: no word is another plus a dot or word end.
    words = list(new._WORD_PASSES)
    for short in words:
        for long in words:
            if long != short and long.startswith(short):
                assert re.match(r"[\wº°ª]", long[len(short)]), (short, long)


@pytest.mark.parametrize("postal", ["'", "'28013", "’28013", "' ", "''", "'SW1A 1AA"])
def test_postal_codes_with_a_text_marker_match_reference(postal):
    # (Found by hypothesis once the leading apostrophe was read as a text marker.)
    for region in ("ES", "GB", "BR", None):
        assert new.normalise_postal_code(postal, region) == ref.normalise_postal_code(
            postal, region)
