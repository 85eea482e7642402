"""normalise_email_column equals normalise_email row by row, on every kind of input."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custfocus.ingest.readers import discover_files, open_source
from custfocus.normalise import normalise_email
from custfocus.normalise.vectorised.emails import normalise_email_column

FIELDS = ("email", "key", "valid", "role", "placeholder", "domain")

AWKWARD = [
    None,
    "",
    " ",
    "\t",
    "ana.ruiz@acme.com",
    "  ana.ruiz@acme.com  ",
    "\tana.ruiz@acme.com\r\n",
    "Ana.Ruiz@ACME.COM",
    " <Ana.Ruiz+promo@GoogleMail.com> ",
    "mailto:ana@acme.com",
    "MAILTO: ana@acme.com",
    "<mailto:ana@acme.com>",
    "Ana <a@b.com>",
    "Ana Ruiz <ana.ruiz@acme.com>",
    "\"Ruiz, Ana\" <ana.ruiz@acme.com>",
    "a@b <c@d.com>",
    "<a@b.com>",
    "<<a@b.com>>",
    "a@b.com>",
    "a@b.com; c@d.com",
    "a@b.com, c@d.com",
    "a@b.com c@d.com",
    "a@b.com;",
    ";a@b.com",
    "nombre; a@b.com",
    "a na@acme.com",
    "ana @acme.com",
    "ana@ acme.com",
    "j.o.s.e@gmail.com",
    "J.O.S.E+news@Gmail.com",
    "jose+@gmail.com",
    "+tag@gmail.com",
    "+tag@acme.com",
    "a+b+c@acme.com",
    "jose.perez@googlemail.com",
    "jose.perez+x@googlemail.com",
    "info@acme.com",
    "INFO+x@acme.com",
    "no-reply@acme.com",
    "ventas@empresa.es",
    "infox@acme.com",
    "x@x.com",
    "a@a.com",
    "info@info.com",
    "test@test.com",
    "noemail@gmail.com",
    "noemail+1@gmail.com",
    "juan@example.com",
    "juan@sincorreo.com",
    "sincorreo@",
    "no tiene",
    "n/a",
    "N/A",
    "-",
    "sin correo",
    "x",
    "@",
    "@acme.com",
    "ana@",
    "ana",
    "ana.acme.com",
    "ana@@acme.com",
    "ana@acme@com",
    "ana@acme,com",
    "ana@acme..com",
    "ana..ruiz@acme.com",
    ".ana@acme.com",
    "ana.@acme.com",
    "ana@acme.com.",
    "ana@.acme.com",
    "ana@acme",
    "ana@localhost",
    "ana@acme.c",
    "ana@-acme.com",
    "ana@acme_corp.com",
    "ana@[192.168.0.1]",
    "ana@192.168.0.1",
    "\"ana ruiz\"@acme.com",
    "ana!#$%&'*/=?^_`{|}~-@acme.com",
    "ana(comment)@acme.com",
    "ana@acme.com(comment)",
    "ana@acme.com:25",
    "josé@acme.com",
    "JOSÉ@ACME.COM",
    "jose@acmé.com",
    "jose@xn--acm-bma.com",
    "jose@BÜCHER.de",
    "用户@例子.广告",
    "ana\u00a0ruiz@acme.com",
    "\u00a0ana@acme.com\u00a0",
    "\u2003ana@acme.com",
    "ana@acme.com\u200b",
    "\ufeffana@acme.com",
    "\x0bana@acme.com",
    "\x1cana@acme.com",
    "\u212aelvin@acme.com",  # KELVIN SIGN lower-cases to ASCII "k"
    "\u0130nfo@acme.com",  # dotted capital I lower-cases to two code points
    "a" * 64 + "@acme.com",
    "a" * 65 + "@acme.com",
    "a@" + "b" * 63 + ".com",
    "a@" + "b" * 64 + ".com",
    "a" * 64 + "@" + ".".join(["b" * 60] * 2) + ".com",
    "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".com",
    "a" * 64 + "@" + ".".join(["b" * 63] * 4) + ".com",
    "ana@acme.com" + " " * 200,
    "ana@acme.com" + " " * 2000,
    "a" * 2000,
    "a" * 500 + "@acme.com",
    "x" * 1000 + "@" + "y" * 300,
]


def _expected(values: list[str | None]) -> dict[str, list]:
    infos = [normalise_email(v) for v in values]
    return {f: [getattr(info, f) for info in infos] for f in FIELDS}


def _check(values: list[str | None], column: pa.Array | pa.ChunkedArray | None = None) -> None:
    got = normalise_email_column(pa.array(values, pa.string()) if column is None else column)
    assert set(got) == set(FIELDS)
    expected = _expected(values)
    for field in FIELDS:
        assert len(got[field]) == len(values), field
        actual = got[field].to_pylist()
        diffs = [(v, a, e) for v, a, e in zip(values, actual, expected[field]) if a != e]
        assert not diffs, (field, diffs[:5])
    assert got["email"].type == pa.string() and got["valid"].type == pa.bool_()


def test_awkward_cases() -> None:
    _check(AWKWARD)


@pytest.mark.parametrize("value", AWKWARD)
def test_each_awkward_case_alone(value: str | None) -> None:
    # Alone, a case may take a branch the mixed column does not (all fast, all slow).
    _check([value, value])


def test_all_fast_all_slow_empty_and_chunked() -> None:
    _check(["ana@acme.com", "Info+x@Gmail.com", "j.o.e@googlemail.com"])
    _check(["Ana <a@b.com>", None, "", "mailto:x@y.es"])
    _check([])
    _check([None, None])
    values = ["a@b.com", None, " B.c+d@GoogleMail.com", "Ana <ana@x.es>", "bad@@x.com"]
    chunked = pa.chunked_array([pa.array(values[:2]), pa.array(values[2:])])
    _check(values, chunked)
    _check(values, pa.array(values, pa.large_string()))
    _check([None] * 3, pa.nulls(3))


def test_domain_rewritten_by_email_validator() -> None:
    # An A-label domain comes back from email-validator in Unicode: not the input text.
    _check(["jose@xn--acm-bma.com", "ana@acme.com", "Ana+x@xn--acm-bma.com"])


_ALPHABET = "abcxyzAZ019.@+-_ <>;,éÑüç\t"
_ATOM = st.text("abcxyzAZ09._+-éÑ", min_size=0, max_size=8)
_DOMAIN = st.sampled_from(
    ["gmail.com", "GoogleMail.com", "acme.com", "x.com", "test.com", "acmé.es", "a", "b..com",
     "info.org", "example.com", ""]
)
_ADDRESS = st.builds(lambda local, domain: f"{local}@{domain}", _ATOM, _DOMAIN)
_DECORATED = st.builds(
    lambda pre, addr, post: f"{pre}{addr}{post}",
    st.sampled_from(["", " ", "mailto:", "Ana <", "<", "\t", "x; ", "X, "]),
    _ADDRESS,
    st.sampled_from(["", " ", ">", "; y@z.com", ",", "\n"]),
)
_CELL = st.one_of(st.none(), st.text(_ALPHABET, max_size=24), _ADDRESS, _DECORATED)


@settings(max_examples=300, deadline=None)
@given(st.lists(_CELL, max_size=6))
def test_property_messy_strings(values: list[str | None]) -> None:
    _check(values)


def _example_email_cells() -> list[str | None]:
    root = Path(__file__).resolve().parent.parent / "examples"
    cells: list[str | None] = []
    for path in discover_files([root]):
        for table in open_source(path).tables:
            wanted = [
                i for i, h in enumerate(table.headers)
                if "mail" in h.lower() or "correo" in h.lower()
            ]
            for _, row in table.rows():
                cells.extend(row[i] if i < len(row) else None for i in wanted)
    return cells


def test_bundled_examples_email_columns() -> None:
    cells = _example_email_cells()
    assert len(cells) > 1000
    _check(cells)
