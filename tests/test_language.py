"""One language at a time (#17): with ``--lang es|pt|en`` every word, number and date follows it.

Every command that takes ``--lang`` renders the bundled examples in each language, through
the CLI at a fixed width (terminal text, and the Markdown, HTML, CSV and XLSX files the
commands write). A Spanish or Portuguese render fails on any word of ``LEAKED`` (English
that once leaked into them), on English number formats (``1,461``, ``11.2%``) and, for
Portuguese, on European forms (``registos``, ``contacto``): ``pt`` is Brazilian Portuguese.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from custfocus.cli import app

ROOT = Path(__file__).resolve().parent.parent
CUSTOMER = "C000162"  # four records from two sources in the examples
WIDTH = {"COLUMNS": "100", "NO_COLOR": "1"}

# English that leaked into es/pt renders, as whole words (case-sensitive where a Spanish or
# Portuguese word shares the spelling in another case).
LEAKED = [
    "record(s)", "records", "customers", "source", "row", "name", "phone", "postcode", "city",
    "revenue by currency", "never summed", "segmented as of", "imported", "unchanged",
    "dedupe full", "dedupe incremental", "segments computed", "wrote", "need signals",
    "cross-sell", "buyers", "candidates", "converged", "weeks", "hidden sheets", "rows to",
    "pairs to review", "source file", "next:", "Protect", "Develop", "Win back",
    "Serve efficiently", "Keep and reward", "Call personally", "source_a", "probability",
    "evidence", "decision", "Cross-sell ratio", "Repeat rate", "Attrition", "all imported files",
    "workspace settings", "language of reports", "Matching", "duplicates", "pairs merged",
    "candidate pairs", "time per stage", "Rejected rows", "Reason", "header row", "semicolon",
    "title rows above header skipped", "fact row names no customer", "Hidden sheets",
    "same", "different", "left undecided", "forgot", "suppression list", "Columns of",
    "kept raw", "Confidence", "header not recognised", "rows about",
]
# European Portuguese where Brazilians say registro, contato, arquivo, cadastro, usuário...
EUROPEAN_PT = [
    "registo", "registos", "contacto", "contactos", "ficheiro", "ficheiros", "utilizador",
    "partilhado", "partilhe", "encomenda", "encomendas", "morada", "equipa", "ecrã",
    "a rever", "correu", "telemóvel",
]
# A thousands comma or a decimal point before a percent sign reads English.
ENGLISH_NUMBERS = re.compile(r"(?<![=\d.,])[1-9]\d{0,2},\d{3}(?![\d,])|\d\.\d+ ?%")
LOCAL_NUMBERS = re.compile(r"\d,\d+ %")


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _cli(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args), env=WIDTH)
    assert result.exit_code == 0, (args, result.output)
    return result.output


def _xlsx_text(path: Path) -> str:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    cells = [" ".join(book.sheetnames)]
    for sheet in book.worksheets:
        for row in sheet.iter_rows(max_row=5, values_only=True):
            cells.append(" ".join(str(v) for v in row if isinstance(v, str)))
    return "\n".join(cells)


def _html_text(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


@pytest.fixture(scope="module", params=["es", "pt", "en"])
def renders(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Every command's output on the examples in one language: {name: text}."""
    lang = request.param
    root = tmp_path_factory.mktemp(f"lang-{lang}")
    for path in (ROOT / "examples").iterdir():
        if path.is_file():
            shutil.copy(path, root / path.name)
    runner, out = CliRunner(), {}
    with _inside(root):
        out["init"] = _cli(runner, "init", "--lang", lang)
        # Its comments only, less the setting names a person types ("name: ..."): keys stay.
        toml = (root / "custfocus.toml").read_text(encoding="utf-8").splitlines()
        out["custfocus.toml"] = re.sub(r"\b\w+: ", " ", "\n".join(
            line for line in toml if line.startswith("# ") and " = " not in line))
        out["run"] = _cli(runner, "run", "--lang", lang)
        files = sorted(p.name for p in (ROOT / "examples").iterdir() if p.is_file())
        out["import"] = _cli(runner, "import", *files, "--lang", lang)  # unchanged now
        out["sources"] = _cli(runner, "sources", "--lang", lang)
        out["rejects"] = _cli(runner, "rejects", "--lang", lang)
        out["dedupe"] = _cli(runner, "dedupe", "--full", "--lang", lang)
        out["explain"] = _cli(runner, "explain", CUSTOMER, "--lang", lang)
        out["segment"] = _cli(runner, "segment", "--lang", lang)
        out["audit"] = _cli(runner, "audit", "--lang", lang)
        out["audit.md"] = _cli(runner, "audit", "--lang", lang, "--format", "markdown")
        out["audit.html"] = _cli(runner, "audit", "--lang", lang, "--format", "html",
                                 "-o", "audit.html")
        out["audit.html file"] = _html_text(root / "audit.html")
        out["history"] = _cli(runner, "history", "--lang", lang)
        out["report"] = _cli(runner, "report", "--lang", lang, "-o", "report.html")
        out["report file"] = _html_text(root / "report.html")
        review = _cli(runner, "review", "export", "--lang", lang)
        out["review export header"] = next(csv.reader(io.StringIO(review)))[0:13]
        out["review export"] = _cli(runner, "review", "export", "--lang", lang,
                                    "-o", "review.xlsx")
        out["review import"] = _cli(runner, "review", "import", "review.xlsx", "--lang", lang)
        out["export segments"] = _cli(runner, "export", "segments", "--lang", lang,
                                      "-o", "segments.xlsx")
        out["segments.xlsx"] = _xlsx_text(root / "segments.xlsx")
        # Less the role names a person types in --map ("phone", "city"): keys stay.
        from custfocus.ingest.roles import ROLES

        out["mapping"] = re.sub(r"(?<![\w-])(" + "|".join(ROLES) + r")(?![\w-])", " ",
                                _cli(runner, "mapping", "--lang", lang))
        out["subject-access"] = _cli(runner, "subject-access", CUSTOMER, "-o", "sa.json",
                                     "--lang", lang)
        out["forget"] = _cli(runner, "forget", CUSTOMER, "--yes", "--lang", lang)  # the last
    return lang, {k: " ".join(v) if isinstance(v, list) else v for k, v in out.items()}


def _assert_none(found: dict[str, list[str]]) -> None:
    """Fail listing, per render, what was found (the whole list: pytest would cut it)."""
    found = {name: hits for name, hits in found.items() if hits}
    assert not found, "\n".join(f"{name}: {hits}" for name, hits in found.items())


def _leaks(text: str, words: list[str]) -> list[str]:
    return [w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


def test_no_english_word_in_a_spanish_or_portuguese_render(renders) -> None:
    lang, out = renders
    if lang == "en":
        pytest.skip("English renders are the reference")
    found = {name: _leaks(text, LEAKED) for name, text in out.items()}
    _assert_none(found)


def test_portuguese_is_brazilian(renders) -> None:
    lang, out = renders
    if lang != "pt":
        pytest.skip("only pt")
    found = {name: _leaks(text.lower(), EUROPEAN_PT) for name, text in out.items()}
    _assert_none(found)


def test_numbers_follow_the_language(renders) -> None:
    lang, out = renders
    pattern = LOCAL_NUMBERS if lang == "en" else ENGLISH_NUMBERS
    found = {name: pattern.findall(text)[:5] for name, text in out.items()
             if name != "custfocus.toml"}  # toml values are TOML, not prose
    _assert_none(found)


def test_plurals_follow_the_number(renders) -> None:
    lang, out = renders
    wrong = {"es": r"\b1 hojas|\b1 registros|\b1 clientes\b|\b1 filas|\b1 ejecuciones",
             "pt": r"\b1 folhas|\b1 abas|\b1 registros|\b1 clientes\b|\b1 linhas|\b1 execuções",
             "en": r"\b1 hidden sheets|\b1 records|\b1 customers\b|\b1 rows|\b1 runs"}[lang]
    found = {name: re.findall(wrong, text) for name, text in out.items()}
    _assert_none(found)


def test_spanish_words_agree_in_gender_and_number() -> None:
    from custfocus.dedupe.compare import COMPARISONS
    from custfocus.dedupe.explain import describe

    def say(field: str, level: str, lang: str = "es") -> str:
        comp = next(c for c in COMPARISONS if c.name == field)
        if level not in comp.levels:
            pytest.skip(f"{field} has no level {level}")
        evidence = {c.name: -1 for c in COMPARISONS}
        evidence[field] = comp.levels.index(level)
        evidence["bits"] = [1.0] * len(COMPARISONS)
        return describe(evidence, lang)[0][0]

    assert say("family_name", "same") == "mismos apellidos"
    assert say("address", "same") == "misma dirección"
    assert say("email", "same") == "mismo correo"
    assert say("address", "different") == "dirección distinta"
    assert say("family_name", "different") == "apellidos distintos"
    assert say("address", "same", "pt") == "mesmo endereço"
    assert say("birth_date", "same", "pt") == "mesma data de nascimento"


def test_every_setting_comment_has_spanish_and_portuguese() -> None:
    """A setting added without its es/pt comment would put English into ``init --lang``."""
    from dataclasses import fields

    from custfocus.config import SETTINGS, SOURCE_KEYS
    from custfocus.pipeline._init_texts import HELP
    from custfocus.segment.tiers import SegmentSettings

    keys = [s.key for s in SETTINGS] + list(SOURCE_KEYS) + [f.name for f in fields(SegmentSettings)]
    assert [k for k in keys if set(HELP.get(k, {})) != {"es", "pt"}] == []


@pytest.mark.parametrize(("lang", "number", "share", "day", "one", "two"), [
    ("es", "1.461", "11,2 %", "30/06/2024", "1 hoja oculta", "2 hojas ocultas"),
    ("pt", "1.461", "11,2 %", "30/06/2024", "1 aba oculta", "2 abas ocultas"),
    ("en", "1,461", "11.2%", "2024-06-30", "1 hidden sheet", "2 hidden sheets"),
])
def test_one_format_per_language(lang, number, share, day, one, two) -> None:
    from datetime import date

    from custfocus.i18n import count, fmt_date, fmt_int, fmt_pct

    assert (fmt_int(1461, lang), fmt_pct(0.112, lang), fmt_date(date(2024, 6, 30), lang)) == (
        number, share, day)
    assert (count(1, "hidden_sheet", lang), count(2, "hidden_sheet", lang)) == (one, two)


# -- the touchpoint: custfocus customer and the pages of custfocus serve ---------------------


@pytest.fixture(scope="module", params=["es", "pt", "en"])
def touchpoint(request: pytest.FixtureRequest, tmp_path_factory, serve_store):
    """The card in the terminal and every page of the server, in one language."""
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from custfocus.store import Store
    from custfocus.web import create_app

    lang = request.param
    db = tmp_path_factory.mktemp(f"pages-{lang}") / "s.duckdb"
    shutil.copy(serve_store, db)
    with Store(db, read_only=True) as store:
        (ticketed, name), = store.execute(
            "SELECT customer_id, full_name FROM customers WHERE full_name IS NOT NULL AND "
            "customer_id IN (SELECT rc.customer_id FROM facts f JOIN record_customer rc "
            "USING (record_id) WHERE f.kind = 'ticket') ORDER BY records DESC, customer_id "
            "LIMIT 1").fetchall()
    runner, out, pages = CliRunner(), {}, {}
    for who in (CUSTOMER, ticketed):
        out[f"customer {who}"] = _cli(runner, "customer", who, "--db", str(db), "--lang", lang)
    out["customer candidates"] = _cli(runner, "customer", name.split()[0], "--db", str(db),
                                      "--lang", lang)
    with TestClient(create_app(db, lang)) as client:
        for path, params in [("/", {}), ("/", {"q": name.split()[0]}), ("/", {"q": name}),
                             (f"/customers/{CUSTOMER}", {}), (f"/customers/{ticketed}", {}),
                             ("/customers/C999999", {}), ("/review", {})]:
            res = client.get(path, params=params)
            key = f"page {path} {params}"
            pages[key] = res.text
            out[key] = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)\b.*?</\1>", " ",
                                                      res.text, flags=re.S))
    # Customers' e-mail addresses are data, not words of the page (contacto@...).
    return lang, {k: re.sub(r"\S+@\S+", " ", v) for k, v in out.items()}, pages


def test_the_touchpoint_speaks_one_language(touchpoint) -> None:
    lang, out, pages = touchpoint
    tag = {"pt": "pt-BR"}.get(lang, lang)
    assert all(f'<html lang="{tag}">' in page for page in pages.values())
    if lang == "en":
        _assert_none({name: LOCAL_NUMBERS.findall(text)[:5] for name, text in out.items()})
        return
    _assert_none({name: _leaks(text, LEAKED) for name, text in out.items()})
    _assert_none({name: ENGLISH_NUMBERS.findall(text)[:5] for name, text in out.items()})
    # Dates as the language writes them: 30/06/2024, never 2024-06-30 outside identifiers.
    _assert_none({name: re.findall(r"(?<![\w-])\d{4}-\d\d-\d\d(?![\w-])", text)[:5]
                  for name, text in out.items()})
    if lang == "pt":
        _assert_none({name: _leaks(text.lower(), EUROPEAN_PT) for name, text in out.items()})
