"""Workspace settings: every setting documented, precedence, sources, init template."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from typer.testing import CliRunner

from custfocus.cli import app
from custfocus.config import (
    SEGMENT_HELP,
    SETTINGS,
    documented_settings,
    resolve_settings,
    source_settings,
)
from custfocus.dedupe.cluster import ClusterSettings
from custfocus.errors import ExitCode, UsageError
from custfocus.segment.tiers import SegmentSettings

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("key,default,help_text", documented_settings(),
                         ids=[k for k, _, _ in documented_settings()])
def test_every_setting_has_help(key: str, default: object, help_text: str) -> None:
    assert len(help_text.strip()) > 10, f"{key} has no help text"


def test_registry_covers_the_library_settings() -> None:
    assert {f.name for f in dataclasses.fields(SegmentSettings)} <= set(SEGMENT_HELP)
    match = {s.name for s in SETTINGS if s.section == "match"}
    assert {f.name for f in dataclasses.fields(ClusterSettings)} <= match
    assert all(s.env and s.env.startswith("CUSTFOCUS_") for s in SETTINGS)


def test_precedence_defaults_file_env_flags() -> None:
    config = {"run": {"lang": "pt", "as_of": "today"}, "outputs": {"formats": ["xlsx"]}}
    env = {"CUSTFOCUS_LANG": "es", "CUSTFOCUS_OUTPUTS_FORMATS": "csv, parquet"}
    values = resolve_settings(config, env, {"run.lang": "en", "run.db": None})
    assert values["run.lang"] == "en"  # flag beats env beats file
    assert values["outputs.formats"] == ["csv", "parquet"]  # env beats file
    assert values["run.as_of"] == "today"  # file beats default
    assert values["run.db"] == "custfocus.duckdb"  # an absent flag changes nothing
    assert resolve_settings({}, {"CUSTFOCUS_OUTPUTS_REPORT": "no"})["outputs.report"] is False


@pytest.mark.parametrize("config", [
    {"run": {"colour": "red"}},
    {"run": {"lang": "fr"}},
    {"match": {"match_threshold": "high"}},
], ids=["unknown key", "bad choice", "wrong type"])
def test_bad_settings_are_usage_errors(config: dict) -> None:
    with pytest.raises(UsageError):
        resolve_settings(config, {})


def test_source_settings_globs_then_exact() -> None:
    config = {"sources": {"ventas_*.csv": {"unit": "ventas", "mode": "append"},
                          "ventas_2024.csv": {"region": "MX"}}}
    assert source_settings(config, "ventas_2024.csv", None) == {
        "map": {}, "unit": "ventas", "mode": "append", "region": "MX"}
    assert source_settings(config, "soporte.csv", None) == {}
    with pytest.raises(UsageError):
        source_settings({"sources": {"a.csv": {"mode": "sometimes"}}}, "a.csv", None)


def test_init_writes_a_commented_config(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "clientes.csv").write_text("Nombre,Email\nAna,ana@example.org\n")
    (tmp_path / "tests").mkdir()  # project folders are not sources
    (tmp_path / "tests" / "bad.csv").write_text("x\n1\n")
    result = CliRunner().invoke(app, ["init", str(tmp_path), "--lang", "es"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "custfocus.toml").read_text()
    data = tomllib.loads(text)
    assert data["run"] == {"paths": ["exports"], "lang": "es"}
    assert list(data["sources"]) == ["clientes.csv"]
    from custfocus.pipeline._init_texts import help_text

    for setting in SETTINGS:  # every setting is in the file with its help, in Spanish
        assert help_text(setting.key, setting.help, "es") in text
        assert f"{setting.name} = " in text
    again = CliRunner().invoke(app, ["init", str(tmp_path)])
    assert again.exit_code == ExitCode.USAGE


def test_readme_documents_exit_codes_and_cron() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "## Scheduling with cron" in readme
    for code in ExitCode:
        assert f"| {int(code)} |" in readme
    for command in ("custfocus init", "custfocus run", "custfocus history",
                    "custfocus baseline set", "custfocus report"):
        assert command in readme


@pytest.mark.parametrize("command", [["init"], ["run"], ["history"], ["baseline", "set"],
                                     ["baseline", "show"], ["report"]])
def test_commands_have_help_with_example(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output
