"""Startup stays instant: what ``custfocus --help``, ``--version`` and ``sources`` import.

Not a timed test (timings depend on the machine): it checks the import graph, which is what
makes a command slow to start. pandas, pyarrow and scipy take about a second together to
import; the commands that do not use them must not load them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What the data work needs and the command line itself does not.
HEAVY = ("pandas", "numpy", "duckdb", "pyarrow", "rapidfuzz", "scipy", "openpyxl",
         "python_calamine", "jellyfish", "phonenumbers", "charset_normalizer", "psycopg",
         "starlette", "jinja2")
# Listing what the store holds needs DuckDB (and the numpy it loads), nothing else.
HEAVY_FOR_READING = tuple(m for m in HEAVY if m not in ("duckdb", "numpy"))


def _loaded_after(code: str) -> list[str]:
    """The heavy modules loaded once ``code`` has run in a fresh interpreter."""
    probe = (f"import sys\n{code}\n"
             f"import json; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "CUSTFOCUS_LANG": "en"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=env, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_help_builds_every_command_without_the_data_libraries():
    loaded = _loaded_after(
        "from typer.testing import CliRunner\n"
        "from custfocus.cli import app\n"
        "for args in (['--help'], ['--version'], ['audit', '--help'], ['run', '-h']):\n"
        "    assert CliRunner().invoke(app, args).exit_code == 0, args\n"
    )
    assert loaded == []


@pytest.mark.parametrize("command", [["sources"], ["rejects"]], ids=["sources", "rejects"])
def test_listing_the_store_loads_no_import_machinery(tmp_path, examples_dir, command):
    from custfocus.ingest.importer import import_paths
    from custfocus.store import Store

    db = tmp_path / "custfocus.duckdb"
    with Store(db) as store:
        import_paths(store, [examples_dir / "soporte.csv"])
    loaded = _loaded_after(
        "from typer.testing import CliRunner\n"
        "from custfocus.cli import app\n"
        f"result = CliRunner().invoke(app, {[*command, '--db', str(db)]!r})\n"
        "assert result.exit_code == 0, result.output\n"
        "assert 'soporte.csv' in result.output or 'rejects' in result.output.lower()\n"
    )
    assert [m for m in loaded if m in HEAVY_FOR_READING] == []
