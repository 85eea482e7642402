"""`custfocus run` end to end on a copy of examples/: init, runs, history, lock, kill, report.

One workspace per module (the first run takes a few seconds); tests run in file order.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from custfocus.cli import app
from custfocus.errors import ExitCode, LockedError
from custfocus.pipeline import KPIS, workspace_lock

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "CUSTFOCUS_LANG": "en"}
NEW_ROWS = ("Zacarías,Quintanilla,zacarias.quintanilla@example.org,+34 611 222 333,Sevilla,ES,"
            "Yes,2024-06-29,Web form\nXimena,Urdaneta,ximena.urdaneta@example.org,,Bilbao,ES,"
            "No,2024-06-29,Web form\n")


def cli(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "custfocus", *args], cwd=ws, env=ENV,
                          capture_output=True, text=True, timeout=120)


@contextlib.contextmanager
def inside(folder: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(old)


def state(db: Path) -> dict[str, object]:
    """What a run may change, in a comparable form."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        return {
            "imports": q("SELECT import_id, source, status, content_hash FROM imports ORDER BY 1"),
            "records": q("SELECT count(*), sum(hash(record_hash)) FROM records"),
            "ids": q("SELECT record_hash, customer_id FROM record_customer ORDER BY ALL"),
            "customers": q("SELECT count(*) FROM customers"),
            "runs": q("SELECT run_id, CAST(kpis AS VARCHAR) FROM pipeline_runs ORDER BY 1"),
            "segments": q("SELECT count(*) FROM snapshot_segments"),
            "dedupe_runs": q("SELECT count(*) FROM dedupe_runs"),
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh workspace after `custfocus init && custfocus run --json`."""
    root = tmp_path_factory.mktemp("workspace")
    shutil.copytree(ROOT / "examples", root / "examples")  # .truth is hidden: never imported
    init = cli(root, "init")
    assert init.returncode == 0, init.stderr
    first = cli(root, "run", "--json")
    assert first.returncode == 0, first.stderr
    (root / "first.json").write_text(first.stdout)
    return root


def test_first_run_imports_everything_and_writes_outputs(ws: Path) -> None:
    summary = json.loads((ws / "first.json").read_text())
    assert summary["run_id"] == 1 and summary["status"] == "ok"
    assert summary["dedupe"] == "full" and len(summary["imported"]) == 7
    assert 2000 <= summary["customers"] <= 2200
    assert set(summary["kpis"]) == set(KPIS)
    for name in ("master.csv", "xref.csv", "segments.csv", "audit.json", "report.html"):
        assert (ws / "custfocus-out" / name).stat().st_size > 0
    assert not list((ws / "custfocus-out").glob(".*.tmp"))  # atomic writes left no temp file
    log = [json.loads(line) for line in (ws / "custfocus-run.log").read_text().splitlines()]
    assert [e["step"] for e in log] == ["start", "import", "dedupe", "segment", "audit",
                                        "snapshot", "outputs", "run"]
    text = (ws / "custfocus-run.log").read_text()
    master = (ws / "custfocus-out" / "master.csv").read_text().splitlines()[1]
    assert master.split(",")[0] not in text  # no customer id, name or e-mail in the log
    assert "@" not in text


def test_run_log_times_each_step(ws: Path) -> None:
    lines = [json.loads(line) for line in (ws / "custfocus-run.log").read_text().splitlines()]
    first = lines[: next(i for i, x in enumerate(lines) if x["step"] == "run") + 1]
    steps = [x for x in first if x["step"] not in ("start", "run")]
    assert [x["step"] for x in steps][:2] == ["import", "dedupe"]
    # each line's seconds is its own step's; they add up to the run's, which is the elapsed
    assert all(0 <= x["seconds"] <= x["elapsed"] for x in steps)
    total = first[-1]
    assert total["seconds"] == total["elapsed"]
    assert sum(x["seconds"] for x in first[:-1]) == pytest.approx(first[-2]["elapsed"], abs=0.01)
    assert first[-2]["elapsed"] <= total["seconds"]
    assert steps[-1]["seconds"] < steps[-1]["elapsed"]  # not the running total


def test_second_run_on_unchanged_files_changes_nothing(ws: Path) -> None:
    before = state(ws / "custfocus.duckdb")
    result = cli(ws, "run", "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""  # --quiet: nothing on success
    after = state(ws / "custfocus.duckdb")
    for key in ("imports", "records", "ids", "customers", "dedupe_runs"):
        assert after[key] == before[key], key
    (r1, k1), (r2, k2) = after["runs"]
    assert (r1, r2) == (1, 2) and json.loads(k1) == json.loads(k2)
    con = duckdb.connect(str(ws / "custfocus.duckdb"), read_only=True)
    diff = con.execute("""
        (SELECT customer_id, segment FROM snapshot_segments WHERE run_id = 1
         EXCEPT SELECT customer_id, segment FROM snapshot_segments WHERE run_id = 2)
        UNION ALL
        (SELECT customer_id, segment FROM snapshot_segments WHERE run_id = 2
         EXCEPT SELECT customer_id, segment FROM snapshot_segments WHERE run_id = 1)""").fetchall()
    con.close()
    assert diff == []


def test_a_second_run_while_one_is_active_exits_at_once(ws: Path) -> None:
    with workspace_lock(ws / "custfocus.duckdb"):
        start = time.perf_counter()
        with inside(ws):
            result = CliRunner().invoke(app, ["run"])
        assert time.perf_counter() - start < 5
    assert result.exit_code == ExitCode.LOCKED
    assert "another custfocus run is active" in result.output
    with pytest.raises(LockedError), workspace_lock(ws / "custfocus.duckdb"), \
            workspace_lock(ws / "custfocus.duckdb"):
        pass


def test_fail_on_threshold_exits_1(ws: Path) -> None:
    env = {**ENV, "CUSTFOCUS_RUN_FAIL_ON": "duplicate_rate>0.05"}
    result = subprocess.run([sys.executable, "-m", "custfocus", "run", "--quiet"], cwd=ws,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == ExitCode.FINDINGS
    assert "duplicate_rate>0.05" in result.stderr


def test_kill_mid_run_leaves_the_store_whole_and_the_next_run_proceeds(ws: Path) -> None:
    db = ws / "custfocus.duckdb"
    with (ws / "examples" / "marketing.csv").open("a", encoding="utf-8") as handle:
        handle.write(NEW_ROWS)
    before = state(db)
    log = ws / "custfocus-run.log"
    lines_before = len(log.read_text().splitlines())
    proc = subprocess.Popen([sys.executable, "-m", "custfocus", "run", "--quiet"], cwd=ws,
                            env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    # Kill once the changed file is imported inside the open transaction (dedupe running).
    while time.monotonic() < deadline and proc.poll() is None:
        new = log.read_text().splitlines()[lines_before:]
        if any(json.loads(line)["step"] == "import" for line in new):
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    assert state(db) == before  # nothing of the killed run was saved
    # The lock died with the process; the next run imports only the edited file.
    result = cli(ws, "run", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["imported"] == ["marketing.csv"] and summary["dedupe"] == "incremental"
    assert sorted(summary["unchanged"]) == ["erp_facturacion.xlsx", "loja_online.csv",
                                            "soporte.csv", "ventas.xlsx"]
    history = json.loads(cli(ws, "history", "--json").stdout)
    assert [r["run_id"] for r in history["runs"]] == [1, 2, 3, 4]
    migration = history["migration"]
    assert (migration["from_run"], migration["to_run"]) == (3, 4)
    assert migration["matrix"]["(new)"]  # the two new people appear as new customers


def test_history_table_and_baseline(ws: Path) -> None:
    with inside(ws):
        runner = CliRunner()
        shown = runner.invoke(app, ["history", "--lang", "es"], env={"COLUMNS": "140"})
        assert shown.exit_code == 0, shown.output
        assert "Clientes distintos" in shown.output and "Migración" in shown.output
        assert any(ch in shown.output for ch in "▁▂▃▄▅▆▇█")
        assert runner.invoke(app, ["baseline", "set", "2"]).exit_code == 0
        data = json.loads(runner.invoke(app, ["history", "--json", "-n", "1"]).output)
        assert data["baseline_run"] == 2 and [r["run_id"] for r in data["runs"]] == [2, 4]
        assert runner.invoke(app, ["baseline", "set", "99"]).exit_code == ExitCode.USAGE
        assert runner.invoke(app, ["baseline", "show"]).output.strip() == "2"


def test_report_is_one_self_contained_page_chromium_renders(ws: Path, page) -> None:
    out = ws / "informe.html"
    with inside(ws):
        result = CliRunner().invoke(app, ["report", "-o", str(out), "--lang", "es"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '<html lang="es">' in html and "Evolución de los indicadores" in html
    assert "<script" not in html and 'src="http' not in html and "<link" not in html
    assert html.count('class="chart kpi"') == len(KPIS)
    page.goto(out.as_uri())
    shown = page.inner_text("body")
    assert "Evolución de los indicadores" in shown and "Migración entre segmentos" in shown
    assert page.locator("polyline").count() == len(KPIS) and "Auditoría" in shown
