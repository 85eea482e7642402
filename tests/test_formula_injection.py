"""No cell of any CSV or XLSX custfocus writes can run as a formula (#16).

Customer values start with every trigger a spreadsheet knows (``=``, ``+``, ``-``, ``@``,
tab, CR, LF, NUL and the full-width ``＝ ＋ － ＠``) and go through every writer: ``export``
of each table as CSV and XLSX, ``audit`` as XLSX, ``review export`` and ``custfocus run``'s
outputs. The files are read back with the csv module and openpyxl: no text cell may start
with a trigger unless neutralised the project's way (a leading apostrophe), and openpyxl
must find no formula cell.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from custfocus.cli import app

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00", "＝", "＋", "－", "＠")
HEADER = ["Order", "Full name", "Company", "Email", "Phone", "City", "Order date", "Amount",
          "Category"]


def _orders(path: Path) -> None:
    """Two orders per customer (so they pair and merge), each value with a trigger."""
    rows = []
    for i, t in enumerate(TRIGGERS):
        for n in range(2):
            rows.append([f"{t}ORD{i}{n}", f"{t}HYPERLINK(1) Ana{i} Pérez",
                         f"{t}cmd|' /C calc'!A0", f"ana{i}@example.es",
                         f"+34 612 {i:03d} {n}1{i % 10}",
                         f"{t}1+1", f"2024-0{n + 1}-1{i % 10}", f"{10 + i}.50", f"{t}SUM(1)"])
    # A NUL makes a CSV a binary file (refused), and a quoted field starting with a CR is
    # refused too (#16, defect 6): those rows come as JSON, as an API dump would.
    text_rows = [r for r in rows if r[0][:1] not in ("\x00", "\r")]
    with (path / "orders.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(text_rows)
    (path / "orders_api.json").write_text(json.dumps(
        [dict(zip(HEADER, r)) for r in rows if r not in text_rows]), encoding="utf-8")


def _runnable(cell: object) -> bool:
    """Whether a spreadsheet could read this text cell as a formula."""
    if not isinstance(cell, str) or not cell:
        return False
    try:
        float(cell)  # a number ("-12.5", "+34612...") is read as a number
        return False
    except ValueError:
        pass
    return cell[:1] in TRIGGERS or cell.lstrip(" ")[:1] in TRIGGERS


def _check_csv(path: Path) -> int:
    text = path.read_text(encoding="utf-8-sig")
    cells = 0
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            assert not _runnable(cell), f"{path.name}: {cell!r}"
            cells += 1
    return cells


def _check_xlsx(path: Path) -> int:
    from openpyxl import load_workbook

    cells = 0
    book = load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{path.name}!{sheet.title}: {cell.value!r}"
                assert not _runnable(cell.value), f"{path.name}!{sheet.title}: {cell.value!r}"
                cells += 1
    return cells


def _check(path: Path) -> int:
    return _check_xlsx(path) if path.suffix == ".xlsx" else _check_csv(path)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    root = tmp_path_factory.mktemp("formulas")
    (root / "data").mkdir()
    _orders(root / "data")
    db = str(root / "custfocus.duckdb")
    runner = CliRunner()
    for args in (["import", str(root / "data")], ["dedupe", "--review-threshold", "0.0"],
                 ["segment"]):
        res = runner.invoke(app, [*args, "--db", db, "-q"])
        assert res.exit_code == 0, res.output
    return root


@pytest.mark.parametrize("what", ["master", "xref", "clusters", "pairs", "segments"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_neutralise_every_trigger(workspace: Path, runner, what: str, fmt: str) -> None:
    out = workspace / f"{what}.{fmt}"
    res = runner.invoke(app, ["export", what, "-o", str(out), "--db",
                              str(workspace / "custfocus.duckdb"), "-q"])
    assert res.exit_code == 0, res.output
    assert _check(out) > 0
    if fmt == "csv":  # stdout too
        res = runner.invoke(app, ["export", what, "--db", str(workspace / "custfocus.duckdb")])
        assert res.exit_code == 0
        (workspace / f"{what}.stdout.csv").write_text(res.stdout, encoding="utf-8")
        assert _check(workspace / f"{what}.stdout.csv") > 0


def test_the_values_reached_the_exports(workspace: Path, runner) -> None:
    """The test means something: the triggers are in the store and come out neutralised."""
    out = workspace / "clusters-check.csv"
    runner.invoke(app, ["export", "clusters", "-o", str(out), "--db",
                        str(workspace / "custfocus.duckdb"), "-q"])
    text = out.read_text(encoding="utf-8")
    assert "'=1+1" in text and "'＝1+1" in text and "'@1+1" in text


def test_audit_review_and_run_outputs_neutralise_every_trigger(workspace: Path, runner) -> None:
    db = str(workspace / "custfocus.duckdb")
    res = runner.invoke(app, ["audit", "-o", str(workspace / "audit.xlsx"), "--db", db, "-q"])
    assert res.exit_code == 0, res.output
    assert _check(workspace / "audit.xlsx") > 0
    for name in ("review.xlsx", "review.csv"):
        res = runner.invoke(app, ["review", "export", "-o", str(workspace / name), "--db", db])
        assert res.exit_code == 0, res.output
        assert _check(workspace / name) > 0
    config = workspace / "custfocus.toml"
    config.write_text(
        '[run]\npaths = ["data"]\ndb = "run.duckdb"\nlog = ""\n'
        '[outputs]\ndir = "out"\nreport = false\naudit = ["xlsx"]\n'
        'exports = ["master", "xref", "clusters", "pairs", "segments"]\n'
        'formats = ["csv", "xlsx"]\n', encoding="utf-8")
    import os

    old = Path.cwd()
    os.chdir(workspace)
    try:
        res = runner.invoke(app, ["run", "--config", str(config), "--quiet"])
    finally:
        os.chdir(old)
    assert res.exit_code == 0, res.output
    written = sorted(p for p in (workspace / "out").iterdir() if p.suffix in (".csv", ".xlsx"))
    assert len(written) >= 11
    for path in written:
        assert _check(path) > 0, path.name
