"""``custfocus segment``: end to end on CDNOW and the examples, and bad input."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from custfocus.errors import UsageError
from custfocus.ingest.importer import import_paths
from custfocus.segment import load_settings, segment_customers, segments_frame
from custfocus.store import Store

DATA = Path(__file__).parent / "data"


def cli_app():
    """The app with ``segment`` registered (the lead registers it in cli/__init__.py)."""
    from custfocus.cli import app
    from custfocus.cli.segment import segment_command

    if not any(c.name == "segment" for c in app.registered_commands):
        app.command("segment")(segment_command)
    return app


def test_cdnow_end_to_end_matches_published_parameters(runner, db_path, tmp_path):
    app = cli_app()
    src = tmp_path / "cdnow.csv"
    shutil.copy(DATA / "cdnow_sample.csv", src)
    res = runner.invoke(app, ["import", str(src), "--db", str(db_path), "--quiet"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["segment", "--db", str(db_path), "--as-of", "1997-09-30", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["customers"] == 2357 and data["mode"] == "records"
    assert any("matching has not run" in n for n in data["notes"])
    bg, gg = data["models"]["bgnbd"], data["models"]["gamma_gamma"]
    assert bg["converged"] and gg["converged"] and data["models"]["time_unit"] == "weeks"
    for name, want in {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}.items():
        assert bg[name] == pytest.approx(want, rel=0.01), name
    for name, want in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():
        assert gg[name] == pytest.approx(want, rel=0.01), name
    assert data["excluded"]["after_as_of"] > 0  # later purchases were ignored
    assert sum(s["customers"] for s in data["segments"]) == 2357
    assert data["pareto"]["available"] and 0.5 < data["pareto"]["top_20_share"] < 1
    assert {k["key"] for k in data["kpis"]} >= {
        "cross_sell_ratio",
        "repeat_rate",
        "attrition",
        "purchase_cycle_days",
        "satisfaction",
    }
    assert all(k["formula"] and k["window"] for k in data["kpis"])


@pytest.fixture(scope="module")
def example_store(tmp_path_factory, examples_dir):
    """Examples imported and deduped (generated with the synthesiser if not present)."""
    from custfocus.dedupe.run import dedupe

    folder = examples_dir
    if not any(folder.glob("*.csv")) if folder.exists() else True:
        from custfocus.synth import generate

        folder = tmp_path_factory.mktemp("examples")
        generate(folder, 300, 7)
    db = tmp_path_factory.mktemp("db") / "custfocus.duckdb"
    with Store(db) as store:
        import_paths(store, [folder])
        dedupe(store)
    return db


def test_examples_segment_cli(runner, example_store, tmp_path):
    app = cli_app()
    res = runner.invoke(app, ["segment", "--db", str(example_store), "--json", "--lang", "es"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["mode"] == "customers"
    with Store(example_store, read_only=True) as store:
        customers = store.query_value("SELECT count(*) FROM customers")
        saved = store.query_value(
            "SELECT count(*) FROM customer_segments WHERE run_id = ?", [data["run_id"]]
        )
    assert sum(s["customers"] for s in data["segments"]) == customers == saved
    assert len(data["currencies"]) >= 2  # EUR, BRL, MXN kept apart
    assert data["main_currency"] in data["currencies"]
    assert any("never summed" in n for n in data["notes"])
    assert {s["key"] for s in data["segments"]} == {
        "protect",
        "keep_reward",
        "develop",
        "win_back",
        "serve_efficiently",
    }
    assert data["segments"][0]["name"] == "Proteger"
    assert data["models"]["bgnbd"]["fitted"]
    res = runner.invoke(app, ["segment", "--db", str(example_store)])
    assert res.exit_code == 0 and "Top 20% of customers" in res.stdout
    # export: csv and one sheet per segment in xlsx
    out = tmp_path / "seg.xlsx"
    res = runner.invoke(app, ["export", "segments", "--db", str(example_store), "-o", str(out)])
    assert res.exit_code == 0, res.output
    from openpyxl import load_workbook

    book = load_workbook(out, read_only=True)
    assert len(book.sheetnames) == 5
    res = runner.invoke(app, ["export", "segments", "--db", str(example_store), "-f", "csv"])
    assert res.exit_code == 0 and res.stdout.startswith("customer_id,")


def facts_store(tmp_path: Path, text: str, name: str = "ventas.csv") -> Store:
    (tmp_path / name).write_text(text, encoding="utf-8")
    store = Store(":memory:")
    import_paths(store, [tmp_path / name])
    return store


def test_no_transactions_falls_back_and_says_so(tmp_path):
    store = facts_store(
        tmp_path, "nombre,email\nAna Pérez,ana@x.es\nLuis Gil,luis@x.es\n", "clientes.csv"
    )
    result = segment_customers(store)
    assert result.customers == 2
    assert any("no purchase transactions" in n for n in result.notes)
    assert sum(s["customers"] for s in result.segments) == 2
    assert not result.models["bgnbd"]["fitted"]


def test_single_customer_and_bad_amounts(tmp_path):
    store = facts_store(
        tmp_path,
        (
            "customer_id,date,amount,currency\n"
            "A1,2024-01-05,100,EUR\nA1,2024-02-05,-30,EUR\nA1,2024-03-05,999999999999,EUR\n"
            "A1,2099-01-01,50,EUR\nA1,2024-03-10,20,MXN\n"
        ),
    )
    result = segment_customers(store, as_of=date(2024, 6, 30))
    assert result.customers == 1
    assert result.excluded["absurd_amounts"] == 1 and result.excluded["future_dates"] == 1
    assert result.currencies["EUR"]["revenue"] == 70.0  # credit note subtracts
    assert result.currencies["MXN"]["revenue"] == 20.0  # never summed with EUR
    row = store.query_dicts("SELECT * FROM customer_segments")[0]
    assert row["currency"] == "EUR" and row["revenue"] == 70.0 and row["r_score"] == 3
    assert "not fitted" in result.models["bgnbd"]["message"]


def test_rfm_ties_never_collapse_bins(store):
    import pyarrow as pa

    n = 50
    store.insert_arrow(
        "facts",
        pa.table(
            {
                "fact_id": pa.array(range(1, n + 1), pa.int64()),
                "import_id": pa.array([1] * n),
                "source": ["s.csv"] * n,
                "row": pa.array(range(2, n + 2)),
                "system": ["s.csv"] * n,
                "account_code": [f"C{i}" for i in range(n)],
                "kind": ["order"] * n,
                "fact_date": pa.array([date(2024, 1, 1)] * n),
                "amount": [10.0] * n,
                "currency": ["EUR"] * n,
            }
        ),
    )
    segment_customers(store, as_of=date(2024, 6, 30))
    scores = store.query_dicts("SELECT r_score, count(*) AS n FROM customer_segments GROUP BY 1")
    assert sorted((r["r_score"], r["n"]) for r in scores) == [(k, 10) for k in range(1, 6)]


def test_settings_from_toml(tmp_path):
    cfg = tmp_path / "custfocus.toml"
    cfg.write_text("[segment]\nhigh_value_share = 0.3\nneed_weights = {fading = 40}\n")
    s = load_settings(cfg, horizon_months=6)
    assert s.high_value_share == 0.3 and s.horizon_months == 6 and s.need_weights["fading"] == 40
    cfg.write_text("[segment]\nhigh_valu_share = 0.3\n")
    with pytest.raises(UsageError):
        load_settings(cfg)


def test_export_is_formula_safe(tmp_path):
    store = facts_store(
        tmp_path, "nombre,email,telefono\n=HYPERLINK(1),a@x.es,+34600000000\n", "clientes.csv"
    )
    segment_customers(store)
    frame = segments_frame(store)
    from custfocus.export import write_frame

    out = tmp_path / "s.csv"
    write_frame(frame, out, "csv")
    assert "\n=" not in out.read_text() and ",=" not in out.read_text()


@pytest.mark.parametrize("command", ["segment", "audit"])
@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31", "2024-13-01"])
def test_a_reference_date_out_of_range_is_a_usage_error(runner, example_store, command, as_of):
    # Year 1 made `segment` exit 70 (an OverflowError in its date arithmetic).
    from custfocus.cli import app

    result = runner.invoke(app, [command, "--db", str(example_store), "--as-of", as_of])
    assert result.exit_code == 2, result.output
    assert "--as-of" in result.output


def test_cdnow_as_distributed_is_read_with_no_flags(runner, db_path, tmp_path):
    """The CDNOW log as published (customer_id, date as YYYYMMDD, number_of_cds,
    dollar_value): read with no flags, amounts in US dollars (the header says so), and the
    same BG/NBD and Gamma-Gamma fits as the cleaned sample."""
    import csv

    app = cli_app()
    src = tmp_path / "CDNOW_master.csv"
    with open(DATA / "cdnow_sample.csv", encoding="utf-8") as f, open(
            src, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["customer_id", "date", "number_of_cds", "dollar_value"])
        for row in csv.DictReader(f):
            writer.writerow([row["customer_id"], row["date"].replace("-", ""), 1, row["amount"]])
    res = runner.invoke(app, ["import", str(src), "--db", str(db_path), "--quiet"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["segment", "--db", str(db_path), "--as-of", "1997-09-30", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["customers"] == 2357
    bg, gg = data["models"]["bgnbd"], data["models"]["gamma_gamma"]
    for name, want in {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}.items():
        assert bg[name] == pytest.approx(want, rel=0.01), name
    for name, want in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():
        assert gg[name] == pytest.approx(want, rel=0.01), name
    assert data["main_currency"] == "USD" and list(data["currencies"]) == ["USD"]
