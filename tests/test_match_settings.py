"""[match] settings: `custfocus dedupe` and `custfocus run` resolve them the same way.

defaults -> custfocus.toml [match] -> CUSTFOCUS_MATCH_* -> flags, through
custfocus.config.resolve_settings and dedupe_settings.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from custfocus.cli import app
from custfocus.config import SETTINGS, dedupe_settings, resolve_settings
from custfocus.dedupe.cluster import ClusterSettings
from custfocus.dedupe.golden import Survivorship
from custfocus.errors import ExitCode, UsageError

ROOT = Path(__file__).resolve().parent.parent
TOML = """[run]
paths = ["exports"]
[outputs]
report = false
audit = []
exports = []
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two example files and a store holding them (the dedupe tests work on copies)."""
    root = tmp_path_factory.mktemp("match-settings")
    (root / "exports").mkdir()
    for name in ("soporte.csv", "marketing.csv"):
        shutil.copy(ROOT / "examples" / name, root / "exports" / name)
    result = CliRunner().invoke(app, ["import", str(root / "exports"), "--db",
                                      str(root / "imported.duckdb"), "-q"])
    assert result.exit_code == 0, result.output
    return root


def dedupe_customers(ws: Path, tmp_path: Path, *args: str) -> int:
    """Customers found by `custfocus dedupe` on a fresh copy of the imported store."""
    db = tmp_path / "copy.duckdb"
    shutil.copy(ws / "imported.duckdb", db)
    result = CliRunner().invoke(app, ["dedupe", "--db", str(db), "--json", *args])
    assert result.exit_code == 0, result.output
    db.unlink()
    return int(json.loads(result.stdout)["customers"])


@pytest.fixture(scope="module")
def default_customers(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> int:
    missing = workspace / "no-such.toml"
    return dedupe_customers(workspace, tmp_path_factory.mktemp("default"), "--config",
                            str(missing))


def test_dedupe_reads_match_from_the_toml_like_run(
        workspace: Path, default_customers: int, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(workspace / "exports", ws / "exports")
    (ws / "custfocus.toml").write_text(TOML + "[match]\nmatch_threshold = 0.99\n")
    monkeypatch.chdir(ws)
    run = CliRunner().invoke(app, ["run", "--json"])
    assert run.exit_code == 0, run.output
    by_run = json.loads(run.stdout)["customers"]

    by_dedupe = dedupe_customers(workspace, tmp_path)  # ./custfocus.toml, as run reads it
    assert by_dedupe == by_run
    # A stricter threshold merges fewer pairs: more customers than with the defaults.
    assert by_dedupe > default_customers


def test_environment_and_flags_override_the_toml(
        workspace: Path, default_customers: int, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "custfocus.toml"
    config.write_text(TOML + "[match]\nmatch_threshold = 0.99\n")
    strict = dedupe_customers(workspace, tmp_path, "--config", str(config))
    from custfocus.config import setting_default

    default = setting_default("match.match_threshold")
    monkeypatch.setenv("CUSTFOCUS_MATCH_MATCH_THRESHOLD", str(default))  # env beats the file
    assert dedupe_customers(workspace, tmp_path, "--config", str(config)) == default_customers
    # The flag beats the environment.
    assert dedupe_customers(workspace, tmp_path, "--config", str(config),
                            "--match-threshold", "0.99") == strict


def test_bad_match_settings_are_usage_errors(tmp_path: Path) -> None:
    config = tmp_path / "custfocus.toml"
    config.write_text("[match]\nmatch_threshold = 1.5\n")
    result = CliRunner().invoke(app, ["dedupe", "--db", str(tmp_path / "x.duckdb"),
                                      "--config", str(config)])
    assert result.exit_code == ExitCode.USAGE
    assert "match.match_threshold" in result.output
    with pytest.raises(UsageError):
        resolve_settings({"match": {"max_records": 60.5}}, {})


def test_one_declaration_builds_the_library_settings() -> None:
    values = resolve_settings({}, {})
    built = dedupe_settings(values)
    # Every field of ClusterSettings is a declared [match] setting, and building from the
    # declared defaults gives the dataclass's own defaults (they must not drift apart).
    assert dataclasses.asdict(built.cluster) == dataclasses.asdict(ClusterSettings())
    assert built.survivorship == Survivorship()
    declared = {s.name: s.default for s in SETTINGS if s.section == "match"}
    assert {f.name: getattr(built.cluster, f.name) for f in
            dataclasses.fields(ClusterSettings)}.items() <= declared.items()

    env = {"CUSTFOCUS_MATCH_MAX_RECORDS": "12", "CUSTFOCUS_MATCH_SURVIVORSHIP": "frequent"}
    built = dedupe_settings(resolve_settings({"match": {"max_records": 30}}, env))
    assert built.cluster.max_records == 12 and built.survivorship.default_rule == "frequent"


def test_dedupe_help_has_an_example() -> None:
    result = CliRunner().invoke(app, ["dedupe", "--help"])
    assert result.exit_code == 0 and "Example" in result.output
    assert "--match-threshold" in result.output and "--config" in result.output
