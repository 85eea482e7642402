"""The command line's rough edges (#17): a closed pipe, --version and -h, help that keeps words.

Everything goes through the CLI (typer's CliRunner), as a person would type it; the broken
pipe is also checked on a real pipe, since only a real one shows Python's own last complaint.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from custfocus import __version__
from custfocus.cli import app
from custfocus.errors import ExitCode

ROOT = Path(__file__).resolve().parent.parent
BOX = re.compile(r"[│╭╮╰╯─┃━]")


def _commands(command: object = None, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], object]]:
    """Every (command path, click command) of the app, groups included, hidden ones left out."""
    command = command or typer.main.get_command(app)
    found = [(path, command)]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        if not getattr(sub, "hidden", False):
            found += _commands(sub, (*path, name))
    return found


def _written_help(command: object) -> list[str]:
    """The help a developer wrote for a command and its visible parameters, markup escapes undone."""
    texts = [(getattr(command, "help", None) or "").partition("\f")[0]]
    for param in getattr(command, "params", []):
        if not getattr(param, "hidden", False):
            texts.append(getattr(param, "help", None) or "")
    return [text.replace("\\[", "[") for text in texts if text]


@pytest.mark.parametrize("path,command", _commands(), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_help_shows_every_word_written(runner: CliRunner, path: tuple[str, ...], command: object) -> None:
    """Rich markup eats "[run]" in "overrides [run] db": every written word must reach the screen."""
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    shown = set(BOX.sub(" ", result.output).split())
    for text in _written_help(command):
        missing = [word for word in text.split() if word not in shown]
        assert not missing, f"{' '.join(path) or 'custfocus'} --help loses {missing} of: {text!r}"


@pytest.mark.parametrize("path,command", _commands(), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_short_help_option_on_every_command(runner: CliRunner, path: tuple[str, ...], command: object) -> None:
    result = runner.invoke(app, [*path, "-h"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_version(runner: CliRunner) -> None:
    for option in ("--version", "-V"):
        result = runner.invoke(app, [option])
        assert result.exit_code == 0
        assert result.output.strip() == f"custfocus {__version__}"


def test_a_closed_pipe_ends_quietly(runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
                                    tmp_path: Path) -> None:
    """The reader went away mid-export: exit 141, nothing on stderr, no 'internal error'."""
    import custfocus.export

    def closed(*args: object, **kwargs: object) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(custfocus.export, "export", closed)
    from custfocus.store import Store

    db = tmp_path / "empty.duckdb"
    Store(db).close()
    result = runner.invoke(app, ["export", "master", "--db", str(db)])
    assert result.exit_code == ExitCode.BROKEN_PIPE == 141
    assert result.stderr == ""


def test_a_real_pipe_closed_by_head_ends_quietly(tmp_path: Path) -> None:
    """``custfocus export xref | head -1`` on a store whose export is bigger than a pipe's buffer."""
    from custfocus.ingest.importer import import_paths
    from custfocus.store import Store

    db = tmp_path / "pipe.duckdb"
    with Store(db) as store:
        import_paths(store, [ROOT / "examples"])
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    reader = subprocess.Popen(
        [sys.executable, "-m", "custfocus", "export", "xref", "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert reader.stdout is not None and reader.stderr is not None
    first = reader.stdout.readline()
    reader.stdout.close()  # what head does after its line
    stderr = reader.stderr.read().decode()
    reader.stderr.close()
    assert reader.wait(timeout=60) == 141, stderr
    assert first and stderr == ""
