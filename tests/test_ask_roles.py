"""On a terminal, a file's first import asks about the columns read with less than 90 %
confidence; the answers are remembered as `custfocus mapping --set` remembers them. Never
under --yes, --quiet or --json, nor without a terminal."""

from __future__ import annotations

import json

import pytest

from custfocus.cli import _common, app
from custfocus.store import Store

UNSURE = ("Nombre del titular,Correo,Telefno movil,Campo 7,Ciudad\n"
          "Ana Ruiz,ana@example.es,612345678,oro,Madrid\n"
          "Luis Gil,luis@example.es,622000111,plata,Sevilla\n"
          "Eva Paz,eva@example.es,633000222,oro,Bilbao\n")


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "titulares.csv"
    path.write_text(UNSURE, encoding="utf-8")
    return path


def _set_by_user(runner, db) -> dict:
    out = runner.invoke(app, ["mapping", "titulares.csv", "--db", str(db), "--json"])
    return json.loads(out.stdout)["sources"][0]["set_by_user"]


def test_the_first_import_asks_and_remembers_the_answers(export, tmp_path, runner,
                                                         monkeypatch):
    monkeypatch.setattr(_common, "is_terminal", lambda: True)
    db = tmp_path / "cf.duckdb"
    # Nombre del titular (70%): accept; Telefno movil (80%): an unknown role, then phone2;
    # Campo 7 (not recognised): skip, as guessed
    result = runner.invoke(app, ["import", str(export), "--db", str(db), "--lang", "es"],
                           input="\nmovil\nphone2\nomitir\n", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "3 columna(s) leídas con menos del 90 % de confianza" in result.output
    assert "'Nombre del titular' (full_name, 70%" in result.output
    assert "rol desconocido 'movil'" in result.output
    assert _set_by_user(runner, db) == {"Telefno movil": "phone2"}
    with Store(db, read_only=True) as store:  # the records were derived again at once
        rows = store.query_dicts("SELECT full_name, phone, phone2_e164 FROM records "
                                 "ORDER BY row")
    assert [(r["full_name"], r["phone"], r["phone2_e164"]) for r in rows][0] == (
        "Ana Ruiz", None, "+34612345678")
    # the same file again is no first import: nothing asked
    again = runner.invoke(app, ["import", str(export), "--db", str(db)], input="phone\n")
    assert again.exit_code == 0 and "confidence" not in again.output
    assert _set_by_user(runner, db) == {"Telefno movil": "phone2"}


@pytest.mark.parametrize("flags,terminal", [
    (["--yes"], True), (["--quiet"], True), (["--json"], True), (["--dry-run"], True),
    ([], False)], ids=["yes", "quiet", "json", "dry-run", "no terminal"])
def test_nothing_is_asked_when_nobody_can_answer(export, tmp_path, runner, monkeypatch,
                                                 flags, terminal):
    monkeypatch.setattr(_common, "is_terminal", lambda: terminal)
    db = tmp_path / "cf.duckdb"
    result = runner.invoke(app, ["import", str(export), "--db", str(db), *flags],
                           input="phone2\nphone2\nphone2\n")
    assert result.exit_code == 0, result.output
    assert "less than 90% confidence" not in result.output
    if "--dry-run" not in flags:
        assert _set_by_user(runner, db) == {}


def test_without_a_terminal_for_real_the_check_says_so():
    # pytest captures stdin: no person at the keyboard
    assert _common.is_terminal() is False
