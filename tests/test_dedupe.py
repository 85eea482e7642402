"""Matching end to end on the bundled examples, plus each stage on small cases."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from custfocus.cli import app
from custfocus.dedupe.cluster import cluster_nodes
from custfocus.dedupe.evaluate import evaluate, evaluate_store
from custfocus.dedupe.ids import assign_ids
from custfocus.dedupe.run import DedupeSettings, dedupe
from custfocus.ingest.importer import import_paths
from custfocus.store import Store


@pytest.fixture(scope="module")
def deduped(tmp_path_factory, examples_dir):
    db = tmp_path_factory.mktemp("dedupe") / "ex.duckdb"
    store = Store(db)
    import_paths(store, [examples_dir])
    result = dedupe(store)
    yield store, result, db
    store.close()


def test_examples_match_ground_truth(deduped, examples_dir):
    store, result, _ = deduped
    quality = evaluate_store(store, examples_dir / ".truth" / "truth.csv")
    # Goals of the dedupe issue, with zero configuration.
    assert quality.pairwise_f1 >= 0.95
    assert quality.bcubed_f1 >= 0.97
    assert quality.hard_negative_merged < 0.02
    assert quality.hard_negative_by_kind["household"] < 0.02
    assert result.customers == store.query_value("SELECT count(*) FROM customers")


def test_every_record_in_exactly_one_customer_and_xref_covers_every_row(deduped, runner):
    store, _, db = deduped
    assert store.query_value("SELECT count(*) FROM records") == store.query_value(
        "SELECT count(DISTINCT record_id) FROM record_customer")
    store.close()
    result = runner.invoke(app, ["export", "xref", "--db", str(db)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("source,row,customer_id")
    reopened = Store(db)
    assert len(lines) - 1 == reopened.query_value("SELECT count(*) FROM raw_rows")
    reopened.close()


def test_rerun_keeps_every_id_and_incremental_equals_full(tmp_path, examples_dir):
    store = Store(tmp_path / "s.duckdb")
    import_paths(store, [examples_dir / "ventas.xlsx", examples_dir / "soporte.csv"])
    # The marketing list grows the data by more than the share that refits the model.
    kept_model = DedupeSettings(retrain_growth=10.0)
    first = dedupe(store, full=True, settings=kept_model)
    before = dict(store.execute("SELECT record_hash, customer_id FROM record_customer").fetchall())
    again = dedupe(store, settings=kept_model)
    assert again.mode == "incremental" and again.compared_pairs == 0
    after = dict(store.execute("SELECT record_hash, customer_id FROM record_customer").fetchall())
    assert before == after
    import_paths(store, [examples_dir / "marketing.csv"])
    incremental = dedupe(store, settings=kept_model)
    inc = store.execute("SELECT record_id, customer_id FROM record_customer").df()
    full = dedupe(store, full=True, settings=kept_model)
    fl = store.execute("SELECT record_id, customer_id FROM record_customer").df()
    assert incremental.mode == "incremental" and full.mode == "full"
    assert incremental.compared_pairs < full.compared_pairs
    assert incremental.model == full.model == first.model  # fitted once, then kept
    merged = inc.merge(fl, on="record_id")
    # Same partition (ids may be the same labels, they must group the same records).
    assert merged.groupby("customer_id_x")["customer_id_y"].nunique().max() == 1
    assert merged.groupby("customer_id_y")["customer_id_x"].nunique().max() == 1
    kept = sum(before.get(h) == c for h, c in store.execute(
        "SELECT record_hash, customer_id FROM record_customer").fetchall() if h in before)
    assert kept >= 0.9 * len(before)
    store.close()


def test_model_is_fitted_again_on_request_or_once_the_data_has_grown(tmp_path, examples_dir):
    store = Store(tmp_path / "s.duckdb")
    import_paths(store, [examples_dir / "ventas.xlsx", examples_dir / "soporte.csv"])
    first = dedupe(store)
    kept = dedupe(store, full=True)
    assert kept.model == first.model and _trained_run(store) == first.run_id
    again = dedupe(store, retrain=True)
    assert again.mode == "full" and _trained_run(store) == again.run_id
    import_paths(store, [examples_dir / "marketing.csv"])  # more than 20 % more nodes
    grown = dedupe(store)
    assert grown.mode == "full" and _trained_run(store) == grown.run_id
    assert grown.model != first.model
    store.close()


def _trained_run(store):
    stats = json.loads(store.query_value(
        "SELECT stats FROM dedupe_runs ORDER BY run_id DESC LIMIT 1"))
    return stats["state"]["trained"]["run"]


def test_empty_store_is_a_clear_error(runner, db_path):
    Store(db_path).close()
    result = runner.invoke(app, ["dedupe", "--db", str(db_path)])
    assert result.exit_code == 3 and "no customer records" in result.stderr


def test_dedupe_cli_json(tmp_path, runner, examples_dir):
    db = tmp_path / "c.duckdb"
    runner.invoke(app, ["import", str(examples_dir / "soporte.csv"), "--db", str(db), "-q"])
    result = runner.invoke(app, ["dedupe", "--db", str(db), "--json"])
    data = json.loads(result.stdout)
    assert data["records"] == 880 and data["customers"] < data["records"]
    assert data["cluster_sizes"] and set(data["timings"]) >= {"block", "compare", "cluster"}


def _export_master(tmp_path, store, rows: str, name: str):
    """Import ``rows`` (a CSV text), dedupe, export the master to ``name``; its path."""
    from custfocus.export import export

    path = tmp_path / "evil.csv"
    path.write_text(rows, encoding="utf-8")
    import_paths(store, [path])
    dedupe(store)
    out = tmp_path / name
    export(store, "master", out)
    return out


def test_export_master_is_formula_safe(tmp_path, store):
    out = _export_master(tmp_path, store, "Nombre,Email\n=HYPERLINK(\"http://x\"),a@x.es\n",
                         "m.xlsx")
    from openpyxl import load_workbook

    cell = load_workbook(out).active["B2"].value
    assert cell.startswith("'=")


def test_stable_ids_follow_the_majority_and_record_merges_and_splits():
    counter = iter(range(100, 200))
    # Records 0-2 were C1, 3-4 were C2; now 0-1 alone, 2-4 together.
    ids = assign_ids(np.array([0, 0, 1, 1, 1]), ["C1", "C1", "C1", "C2", "C2"], lambda: next(counter))
    assert ids.customer_of_label == {0: "C1", 1: "C2"}
    ids = assign_ids(np.array([0, 0, 0, 0, 0]), ["C1", "C1", "C1", "C2", "C2"], lambda: next(counter))
    assert ids.customer_of_label == {0: "C1"}
    assert [e["kind"] for e in ids.events] == ["merge"]


def test_cluster_refuses_conflicting_ids_and_honours_cannot_link():
    nodes = pd.DataFrame({
        "size": [1, 1, 1], "nid": ["1X", "2Y", None], "birth": [None, None, None],
        "given_canon": ["ana", "ana", "ana"],
    })
    a, b = np.array([0, 1]), np.array([2, 2])
    prob = np.array([0.99, 0.98])
    clustering = cluster_nodes(nodes, a, b, prob)
    assert clustering.labels[0] != clustering.labels[1]  # two valid ids never merge
    assert list(clustering.decisions) == ["merged", "conflict"]
    blocked = cluster_nodes(nodes, a[:1], b[:1], prob[:1], cannot_link=[(0, 2)])
    assert blocked.labels[0] != blocked.labels[2]


def test_evaluate_counts_pairs():
    q = evaluate([1, 1, 2, 2], ["a", "a", "a", "b"])
    assert q.pairwise_precision == pytest.approx(0.5)
    assert q.pairwise_recall == pytest.approx(1 / 3)


def test_explain_in_three_languages(deduped, runner):
    store, _, db = deduped
    store.close()  # the CLI opens the file itself
    with Store(db, read_only=True) as reader:
        customer = reader.query_value(
            "SELECT customer_id FROM record_customer GROUP BY customer_id HAVING count(*) >= 3 "
            "ORDER BY customer_id LIMIT 1")
    for lang, word in (("en", "same"), ("es", "mismo"), ("pt", "mesmo")):
        result = runner.invoke(app, ["explain", customer, "--db", str(db), "--lang", lang])
        assert result.exit_code == 0, result.output
        assert customer in result.stdout and word in result.stdout
    missing = runner.invoke(app, ["explain", "C999999", "--db", str(db)])
    assert missing.exit_code == 2 and "no customer" in missing.stderr


def test_review_round_trip_becomes_constraints(tmp_path, runner, examples_dir):
    db = tmp_path / "r.duckdb"
    runner.invoke(app, ["import", str(examples_dir), "--db", str(db), "-q"])
    runner.invoke(app, ["dedupe", "--db", str(db), "-q"])
    out = tmp_path / "dudosos.xlsx"
    assert runner.invoke(app, ["review", "export", "-o", str(out), "--db", str(db)]).exit_code == 0
    frame = pd.read_excel(out, dtype=str, engine="calamine")
    assert len(frame) > 0 and "decision" in frame.columns
    frame.loc[0, "decision"] = "sí"
    frame.loc[1, "decision"] = "no"
    frame.to_excel(out, index=False)
    result = runner.invoke(app, ["review", "import", str(out), "--db", str(db)])
    assert result.exit_code == 0 and "1 same, 1 different" in result.stderr
    runner.invoke(app, ["dedupe", "--db", str(db), "-q"])
    with Store(db) as store:
        def customer(source, row):
            return store.query_value(
                "SELECT customer_id FROM record_customer JOIN records USING (record_id) "
                "WHERE source = ? AND row = ?", [source, int(row)])

        first, second = frame.iloc[0], frame.iloc[1]
        assert customer(first.source_a, first.row_a) == customer(first.source_b, first.row_b)
        assert customer(second.source_a, second.row_a) != customer(second.source_b, second.row_b)
    frame.loc[2, "decision"] = "same"
    frame.loc[2, "row_a"] = "99999"
    frame.to_excel(out, index=False)
    bad = runner.invoke(app, ["review", "import", str(out), "--db", str(db)])
    assert bad.exit_code == 3 and "not imported" in bad.stderr and "row 4" in bad.stderr


def test_rows_without_a_true_entity_each_count_as_their_own() -> None:
    from custfocus.dedupe.evaluate import evaluate

    quality = evaluate(["a", "a", "b", "c"], ["P1", "P1", None, None])
    assert quality.true_entities == 3
    assert quality.pairwise_recall == 1.0


def test_csv_exports_neutralise_formulas_in_every_text_dtype(tmp_path):
    # pandas 3 gives text columns the "str" dtype; the check by dtype name missed it and
    # CSV exports carried raw formulas (issue 16).
    import pandas as pd

    from custfocus.export import write_frame

    evil = ["=HYPERLINK(\"http://x\",\"y\")", "=cmd|' /C calc'!A0", "+1", "@SUM(1)", "-2+3",
            "\r=1+1", "  =1+1", "ok"]
    for dtype in ("str", "string", object):
        frame = pd.DataFrame({"name": pd.Series(evil, dtype=dtype),
                              "phone": pd.Series(["=1+1"] * len(evil), dtype=dtype)})
        out = tmp_path / "x.csv"
        write_frame(frame, out, "csv")
        import csv

        with out.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))[1:]
        # (A carriage return is written as a line feed, which gets the field quoted.)
        assert [r[0] for r in rows] == ["'" + v.replace("\r", "\n") for v in evil[:-1]] + [
            "ok"], dtype
        assert all(r[1] == "'=1+1" for r in rows)


def test_export_master_csv_is_formula_safe(tmp_path, store):
    out = _export_master(tmp_path, store,
                         "Nombre,Email,Empresa\nAna,a@x.es,\"=cmd|' /C calc'!A0\"\n", "m.csv")
    text = out.read_text(encoding="utf-8")
    assert "=cmd" in text and ",=" not in text and "\n=" not in text


def test_export_writes_through_devices_follows_links_and_refuses_folders(tmp_path, store):
    import os
    from pathlib import Path

    from custfocus.errors import StoreError, UsageError
    from custfocus.export._write import write_atomic

    def text(path):
        path.write_text("data\n", encoding="utf-8")

    # A character device is written to, never renamed over (it stays a device).
    write_atomic(Path(os.devnull), text)
    assert not Path(os.devnull).is_file()
    if Path("/dev/full").exists():
        with pytest.raises(StoreError):
            write_atomic(Path("/dev/full"), text)
        assert not Path("/dev/full").is_file()
    # A symlink: the file it points to is replaced, the link stays a link.
    target = tmp_path / "real.csv"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    write_atomic(link, text)
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "data\n"
    # A folder is refused.
    with pytest.raises(UsageError):
        write_atomic(tmp_path, text)


def test_a_store_matched_by_an_earlier_version_keeps_its_ids(tmp_path, examples_dir,
                                                              monkeypatch):
    """A new version of the matching code refits the model and re-matches everything
    (the signature covers the code); customers whose records stay together keep their ids,
    and the ids of the others follow the majority of their records."""
    from custfocus.dedupe import fitted

    store = Store(tmp_path / "s.duckdb")
    import_paths(store, [examples_dir])
    dedupe(store)
    before = store.execute("SELECT record_id, customer_id FROM record_customer").df()
    monkeypatch.setattr(fitted, "code_fingerprint", lambda: "a later version")
    rerun = dedupe(store)
    after = store.execute("SELECT record_id, customer_id FROM record_customer").df()
    assert rerun.mode == "full" and rerun.kept_ids > 0
    both = before.merge(after, on="record_id")
    same_members = both.groupby("customer_id_x")["customer_id_y"].nunique() == 1
    unchanged = both[both["customer_id_x"].isin(same_members[same_members].index)]
    assert (unchanged["customer_id_x"] == unchanged["customer_id_y"]).mean() > 0.99
    store.close()
