"""No silent failure: a file in which no name, identifier or amount was found says so in the
import summary; `--strict` (or `[import] strict` in custfocus.toml, also for `run`) makes
that, or any rejected row, exit 3 with the store unchanged."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

from custfocus.cli import app
from custfocus.errors import ExitCode

NOTHING = "Nombre,Email,Ciudad\n-,,Madrid\nn/a,,Sevilla\n"  # placeholders and a city only
GOOD = "Nombre,Email\nAna Ruiz,ana@example.es\nLuis Gil,luis@example.es\n"
RAGGED = "Nombre,Email\nAna Ruiz,ana@example.es\nLuis Gil,luis@example.es,extra\n"


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _imports(db: str) -> list[tuple]:
    if not Path(db).exists():
        return []
    con = duckdb.connect(db, read_only=True)
    try:
        return con.execute("SELECT source, status FROM imports ORDER BY import_id").fetchall()
    finally:
        con.close()


def test_a_file_naming_no_customer_says_so_in_every_language(tmp_path, runner):
    path = _file(tmp_path, "vacios.csv", NOTHING)
    db = str(tmp_path / "a.duckdb")
    result = runner.invoke(app, ["import", path, "--db", db, "--json"])
    assert result.exit_code == 0
    (table,) = json.loads(result.stdout)["tables"]
    assert table["nothing_found"] is True and table["records"] == 2
    shown = runner.invoke(app, ["import", path, "--db", str(tmp_path / "b.duckdb"),
                                "--lang", "pt"], env={"COLUMNS": "200"})
    assert "nenhuma linha tem nome, identificador nem valor" in shown.output
    good = runner.invoke(app, ["import", _file(tmp_path, "ok.csv", GOOD), "--db", db, "--json"])
    assert json.loads(good.stdout)["tables"][0]["nothing_found"] is False


def test_strict_exits_3_and_stores_nothing(tmp_path, runner):
    db = str(tmp_path / "s.duckdb")
    good = _file(tmp_path, "ok.csv", GOOD)
    assert runner.invoke(app, ["import", good, "--db", db, "-q"]).exit_code == 0
    before = _imports(db)
    for name, text, said in (("vacios.csv", NOTHING, "no name, identifier or amount"),
                             ("ragged.csv", RAGGED, "row 3: --strict: 1 row(s) rejected")):
        result = runner.invoke(app, ["import", _file(tmp_path, name, text), "--db", db,
                                     "--strict"])
        assert result.exit_code == ExitCode.BAD_INPUT, result.output
        assert said in result.output
        assert _imports(db) == before  # store unchanged
    # without --strict the ragged file imports, its bad row listed as a reject
    loose = runner.invoke(app, ["import", str(tmp_path / "ragged.csv"), "--db", db, "-q"])
    assert loose.exit_code == 0 and len(_imports(db)) == 2


def test_import_strict_in_the_toml_holds_for_import_and_run(tmp_path, runner):
    (tmp_path / "data").mkdir()
    _file(tmp_path / "data", "ragged.csv", RAGGED)
    (tmp_path / "custfocus.toml").write_text(
        '[run]\npaths = ["data"]\n\n[import]\nstrict = true\n', encoding="utf-8")
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        imported = runner.invoke(app, ["import", "data", "--db", "i.duckdb", "-q"])
        assert imported.exit_code == ExitCode.BAD_INPUT
        ran = runner.invoke(app, ["run", "--quiet"])
        assert ran.exit_code == ExitCode.BAD_INPUT, ran.output
        assert _imports(str(tmp_path / "custfocus.duckdb")) == []
        # the environment overrides the file, as for every setting
        loose = runner.invoke(app, ["import", "data", "--db", "i.duckdb", "-q"],
                              env={"CUSTFOCUS_IMPORT_STRICT": "false"})
        assert loose.exit_code == 0
    finally:
        os.chdir(old)
