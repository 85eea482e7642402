"""Incremental dedupe: after records are added it redoes only what they change, and finds
the clusters a full run finds on the same data (with the same kept model)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from custfocus.cli import app
from custfocus.dedupe.run import DedupeSettings, dedupe
from custfocus.ingest.importer import import_paths
from custfocus.store import Store
from custfocus.synth import generate

KEEP_MODEL = DedupeSettings(retrain_growth=10.0)  # the tests add more than 20 % at times


def partition(store: Store) -> set[frozenset[int]]:
    rows = store.execute("SELECT customer_id, list(record_id) FROM record_customer "
                         "GROUP BY customer_id").fetchall()
    return {frozenset(ids) for _, ids in rows}


def incremental_and_full(db: Path, tmp: Path) -> tuple[object, object, Store, Store]:
    """Dedupe ``db`` incrementally, and a copy of it in full."""
    copy = tmp / "full.duckdb"
    shutil.copy(db, copy)
    store, full_store = Store(db), Store(copy)
    incremental = dedupe(store, settings=KEEP_MODEL)
    full = dedupe(full_store, full=True, settings=KEEP_MODEL)
    return incremental, full, store, full_store


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gen")
    generate(root / "data", customers=1500, seed=5, csv_only=True)
    return root / "data"


def split(data: Path, root: Path, held: int) -> tuple[Path, Path]:
    """The sources in ``old``, except the last ``held`` marketing rows, in ``new``."""
    old, new = root / "old", root / "new"
    old.mkdir()
    new.mkdir()
    for path in data.glob("*.csv"):
        if path.name != "marketing.csv":
            shutil.copy(path, old / path.name)
    lines = (data / "marketing.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (old / "marketing.csv").write_text("".join(lines[:-held]), encoding="utf-8")
    (new / "marketing_new.csv").write_text(lines[0] + "".join(lines[-held:]), encoding="utf-8")
    return old, new


def test_new_records_are_matched_alone_and_give_the_full_runs_clusters(generated, tmp_path):
    old, new = split(generated, tmp_path, held=120)
    db = tmp_path / "s.duckdb"
    store = Store(db)
    import_paths(store, [old])
    first = dedupe(store, settings=KEEP_MODEL)
    import_paths(store, [new])
    store.close()
    incremental, full, store, full_store = incremental_and_full(db, tmp_path)
    assert first.mode == "full" and incremental.mode == "incremental"
    assert incremental.compared_pairs < full.compared_pairs / 10
    assert incremental.model == full.model == first.model
    assert partition(store) == partition(full_store)
    assert incremental.customers == full.customers
    assert incremental.candidate_pairs == full.candidate_pairs
    assert incremental.merged_pairs == full.merged_pairs
    assert incremental.review_pairs == full.review_pairs
    # Same strong pairs with the same decisions, and the same links to explain.
    for query in ("SELECT node_a, node_b, probability, decision FROM match_strong ORDER BY 1, 2",
                  "SELECT record_a, record_b, round(probability, 12), decision, levels "
                  "FROM match_links ORDER BY 1, 2",
                  "SELECT node_a, node_b, pattern, probability FROM match_pairs "
                  "ORDER BY 1, 2"):
        assert store.execute(query).fetchall() == full_store.execute(query).fetchall(), query
    # Customers who got no new record kept their golden record untouched.
    assert store.query_value("SELECT count(*) FROM customers WHERE updated_run = ?",
                             [incremental.run_id]) < incremental.customers / 5
    store.close()
    full_store.close()


def test_newcomers_reweigh_old_clusters_as_a_full_run_does(tmp_path):
    # 300 newcomers among 5,000 generated customers: the clusters they reach are weighed
    # again with their pairs as evidence (and pairs compared to complete the evidence),
    # and must come out as a full run's.
    data = tmp_path / "data"
    generate(data, customers=5000, seed=2, csv_only=True)
    old, new = split(data, tmp_path, held=300)
    db = tmp_path / "s.duckdb"
    store = Store(db)
    import_paths(store, [old])
    dedupe(store, settings=KEEP_MODEL)
    import_paths(store, [new])
    store.close()
    incremental, full, store, full_store = incremental_and_full(db, tmp_path)
    assert incremental.mode == "incremental"
    for query in ("SELECT node_a, node_b, probability, decision FROM match_strong ORDER BY 1, 2",
                  "SELECT record_a, record_b, round(probability, 12), decision "
                  "FROM match_links ORDER BY 1, 2"):
        assert store.execute(query).fetchall() == full_store.execute(query).fetchall(), query
    assert partition(store) == partition(full_store)
    store.close()
    full_store.close()


_OFFICE_HEAD = "Nombre,Apellidos,Email,Teléfono,Dirección,CP,Ciudad\n"


def office_then(tmp_path: Path, people: int, with_phone: set[int], newcomers: list[str]
                ) -> tuple[Path, object, int]:
    """``people`` at one office address (the address block's cap is 50), those in
    ``with_phone`` sharing a phone, deduped; then the ``newcomers`` rows imported. The
    store's path, the first run, and its pair count."""
    rows = [f"Persona{i},Apellido{i},p{i}@ejemplo.es,{'600123456' if i in with_phone else ''},"
            f"Calle Mayor 1,28001,Madrid\n" for i in range(people)]
    (tmp_path / "a.csv").write_text(_OFFICE_HEAD + "".join(rows), encoding="utf-8")
    (tmp_path / "b.csv").write_text(_OFFICE_HEAD + "".join(newcomers), encoding="utf-8")
    db = tmp_path / "s.duckdb"
    store = Store(db)
    import_paths(store, [tmp_path / "a.csv"])
    first = dedupe(store, settings=KEEP_MODEL)
    pairs = store.query_value("SELECT count(*) FROM match_pairs")
    import_paths(store, [tmp_path / "b.csv"])
    store.close()
    return db, first, pairs


def test_a_block_pushed_over_its_cap_drops_its_old_pairs(tmp_path):
    # 50 people at one office, then one more. Two of them also share a phone: their pair
    # outlives the address block.
    db, _, before = office_then(tmp_path, 50, {0, 1}, [
        "Persona7,Apellido7,otra7@ejemplo.es,,Calle Mayor 1,28001,Madrid\n"])
    incremental, full, store, full_store = incremental_and_full(db, tmp_path)
    assert incremental.mode == "incremental"
    assert "address" in incremental.oversized_blocks
    assert store.query_value("SELECT count(*) FROM match_pairs") < before
    # The block is sub-blocked and walked now: only pairs of people alike in the rest of
    # the record (e-mail, phone) are left of it; the shared phone's pair stays.
    assert ("Persona0", "Persona1") in store.execute(
        "SELECT ra.given_name, rb.given_name FROM match_pairs p "
        "JOIN match_nodes na ON na.node = p.node_a JOIN records ra ON ra.record_id = na.rep "
        "JOIN match_nodes nb ON nb.node = p.node_b JOIN records rb ON rb.record_id = nb.rep"
    ).fetchall()
    assert partition(store) == partition(full_store)
    query = "SELECT node_a, node_b, pattern FROM match_pairs ORDER BY 1, 2"
    assert store.execute(query).fetchall() == full_store.execute(query).fetchall()
    store.close()
    full_store.close()


def test_a_block_over_its_cap_before_stays_skipped_when_partly_loaded(tmp_path):
    # 51 people at one address: the address block is over its cap from the start. Of the
    # two newcomers, one moves in there; the other shares a phone with a resident, who is
    # therefore loaded with the new records: the address must not pair the first with them.
    db, first, _ = office_then(tmp_path, 51, {5}, [
        "Nueva,Vecina,nueva@ejemplo.es,,Calle Mayor 1,28001,Madrid\n",
        "Otro,Distinto,otro@ejemplo.es,600123456,Calle Luna 9,41001,Sevilla\n"])
    assert "address" in first.oversized_blocks
    incremental, full, store, full_store = incremental_and_full(db, tmp_path)
    assert incremental.mode == "incremental"
    query = "SELECT node_a, node_b, pattern, probability FROM match_pairs ORDER BY 1, 2"
    assert store.execute(query).fetchall() == full_store.execute(query).fetchall()
    # The address block is walked, not expanded whole.
    assert store.query_value("SELECT count(*) FROM match_pairs") < 52 * 51 // 4
    store.close()
    full_store.close()


def test_reviewer_decisions_hold_in_incremental_runs(generated, tmp_path, runner):
    old, new = split(generated, tmp_path, held=60)
    db = tmp_path / "s.duckdb"
    store = Store(db)
    import_paths(store, [old])
    dedupe(store, settings=KEEP_MODEL)
    # "different" for two records of one customer, "same" for two customers' records.
    same = store.execute("""
        SELECT ra.source, ra.row, rb.source, rb.row FROM record_customer a
        JOIN record_customer b ON a.customer_id = b.customer_id AND a.record_id < b.record_id
        JOIN records ra ON ra.record_id = a.record_id JOIN records rb ON rb.record_id = b.record_id
        ORDER BY a.record_id LIMIT 1""").fetchone()
    apart = store.execute("""
        SELECT ra.source, ra.row, rb.source, rb.row FROM records ra, records rb
        WHERE ra.record_id = 1 AND rb.record_id = 2""").fetchone()
    store.execute("INSERT INTO match_constraints VALUES (?, ?, ?, ?, 'different', 'test', now())",
                  list(same))
    store.execute("INSERT INTO match_constraints VALUES (?, ?, ?, ?, 'same', 'test', now())",
                  list(apart))
    dedupe(store, settings=KEEP_MODEL)  # the decisions change the signature: full
    import_paths(store, [new])
    store.close()
    incremental, _, store, full_store = incremental_and_full(db, tmp_path)
    assert incremental.mode == "incremental"
    assert partition(store) == partition(full_store)
    customer_of = dict(store.execute(
        "SELECT r.source || ':' || r.row, rc.customer_id FROM record_customer rc "
        "JOIN records r USING (record_id)").fetchall())
    assert customer_of[f"{same[0]}:{same[1]}"] != customer_of[f"{same[2]}:{same[3]}"]
    assert customer_of[f"{apart[0]}:{apart[1]}"] == customer_of[f"{apart[2]}:{apart[3]}"]
    store.close()
    full_store.close()


def test_a_grown_export_reimported_is_matched_incrementally(tmp_path, runner, examples_dir):
    db = tmp_path / "s.duckdb"
    work = tmp_path / "in"
    work.mkdir()
    shutil.copy(examples_dir / "soporte.csv", work / "soporte.csv")
    assert runner.invoke(app, ["import", str(work), "--db", str(db), "-q"]).exit_code == 0
    assert runner.invoke(app, ["dedupe", "--db", str(db), "-q"]).exit_code == 0
    ids_before = dict(Store(db).execute(
        "SELECT record_id, customer_id FROM record_customer").fetchall())
    with (work / "soporte.csv").open("a", encoding="latin-1") as handle:
        handle.write("TK-9000001;01/02/2024;NADAL RUIZ, Zoe;zoe.nadal@correo.es;"
                     "+34 600 111 222;Consulta;Nueva;Abierto;;;Elena V.\n")
    assert runner.invoke(app, ["import", str(work), "--db", str(db), "-q"]).exit_code == 0
    store = Store(db)
    kept = store.query_value("SELECT count(*) FROM record_customer JOIN records "
                             "USING (record_id)")
    assert kept == len(ids_before)  # the unchanged rows kept their record ids
    assert store.query_value("SELECT count(*) FROM records") == len(ids_before) + 1
    store.close()
    result = runner.invoke(app, ["dedupe", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    assert '"mode": "incremental"' in result.stdout
    store = Store(db)
    after = dict(store.execute("SELECT record_id, customer_id FROM record_customer").fetchall())
    assert all(after[r] == c for r, c in ids_before.items())
    store.close()
    # --retrain fits the model again: a full run, and the customers keep their ids.
    result = runner.invoke(app, ["dedupe", "--db", str(db), "--retrain", "--json"])
    assert result.exit_code == 0 and '"mode": "full"' in result.stdout
    store = Store(db)
    again = dict(store.execute("SELECT record_id, customer_id FROM record_customer").fetchall())
    assert sum(again[r] == c for r, c in after.items()) >= 0.95 * len(after)
    store.close()


