"""Blocks over their cap are sub-blocked and walked: nobody is left out of blocking for
sharing a common value, the pairs stay bounded, and an incremental run pairs as a full one."""

from __future__ import annotations

import shutil

from custfocus.dedupe.block import BlockingRule, find_candidates, split_summary
from custfocus.dedupe.prepare import prepare_nodes
from custfocus.dedupe.run import DedupeSettings, dedupe
from custfocus.ingest.importer import import_paths
from custfocus.store import Store
from test_match_stages import records

ORGANISATION = "ELECTRONICS KONINK PHILIPS"


def _branch(i: int) -> dict[str, str]:
    """Branch ``i`` of one organisation: its own street, one of 7 postcodes and 3 cities."""
    return {"company": ORGANISATION, "full_name": ORGANISATION, "address": f"Calle {['Mayor', 'Luna', 'Sol'][i % 3]} {i}",
            "postal_code": f"2800{i % 7}", "city": ["Madrid", "Getafe", "Leganés"][i % 3],
            "email_key": f"sede{i}@philips.es"}


def test_duplicates_in_a_block_over_its_cap_differing_slightly_are_paired():
    rows = [_branch(i) for i in range(100)]
    twins = [dict(_branch(i), email_key=f"oficina{i}@philips.es") for i in (3, 40, 77)]
    nodes = prepare_nodes(records(*rows, *twins)).frame
    found = find_candidates(nodes, (BlockingRule("organisation", "company_fold", 20),))
    pairs = set(zip(found.a.tolist(), found.b.tolist()))
    for twin, original in zip((100, 101, 102), (3, 40, 77)):
        assert (original, twin) in pairs
    assert len(pairs) < 103 * 20 * 3
    summary = split_summary(found.oversized_blocks)["organisation"]
    assert summary["sub_blocked"] == 1 and summary["walked"] >= 1
    assert summary["left_out"] == 0
    assert {"organisation/sub", "organisation/walk"} & set(found.pairs_per_rule)


_HEAD = "Empresa,Email,Dirección,CP,Ciudad\n"


def _csv(rows: list[dict[str, str]]) -> str:
    return _HEAD + "".join(f"{r['company']},{r['email_key']},{r['address']},"
                           f"{r['postal_code']},{r['city']}\n" for r in rows)


def test_an_organisation_over_its_cap_is_deduped_alike_in_full_and_incremental_runs(tmp_path):
    first = [_branch(i) for i in range(100)] + [
        dict(_branch(5), email_key="central5@philips.es")]
    later = [dict(_branch(i), email_key=f"oficina{i}@philips.es") for i in (40, 77)] + [
        _branch(i) for i in range(100, 130)]
    (tmp_path / "a.csv").write_text(_csv(first), encoding="utf-8")
    (tmp_path / "b.csv").write_text(_csv(later), encoding="utf-8")
    keep_model = DedupeSettings(retrain_growth=10.0)
    db = tmp_path / "s.duckdb"
    store = Store(db)
    import_paths(store, [tmp_path / "a.csv"])
    run = dedupe(store, settings=keep_model)
    assert "organisation" in run.oversized_blocks
    import_paths(store, [tmp_path / "b.csv"])
    store.close()
    shutil.copy(db, tmp_path / "full.duckdb")
    store, full_store = Store(db), Store(tmp_path / "full.duckdb")
    incremental = dedupe(store, settings=keep_model)
    dedupe(full_store, full=True, settings=keep_model)
    assert incremental.mode == "incremental"
    query = "SELECT node_a, node_b, pattern, probability FROM match_pairs ORDER BY 1, 2"
    assert store.execute(query).fetchall() == full_store.execute(query).fetchall()
    pairs = store.query_value("SELECT count(*) FROM match_pairs")
    # Bounded: sub-blocks (postcode, city: under the cap of 60) and windows, not the
    # 8,778 pairs of the whole block.
    assert 0 < pairs < 133 * 132 // 2 // 2
    # Each duplicate address is paired with its original (by a sub-block or a window).
    same_address = store.execute("""
        SELECT count(*) FROM match_pairs p
        JOIN match_nodes na ON na.node = p.node_a JOIN records ra ON ra.record_id = na.rep
        JOIN match_nodes nb ON nb.node = p.node_b JOIN records rb ON rb.record_id = nb.rep
        WHERE ra.address_key = rb.address_key""").fetchone()[0]
    assert same_address == 3
    store.close()
    full_store.close()


def test_rows_identical_in_every_field_over_the_cap_become_one_customer_in_full_and_incremental_runs(tmp_path):
    """292 rows of one organisation's name and nothing else (no field to sort a walk by):
    cut into hashed buckets, chained, and joined whatever ``max_records`` says, since a link
    between identical rows chains nobody; an incremental run with 20 more gives the full
    run's pairs and customers. Other organisations stay apart."""
    head = "Razón social,País\n"
    others = [f"Acme {w} S.L." for w in ("Norte", "Sur", "Este", "Oeste", "Centro")]
    (tmp_path / "a.csv").write_text(head + "".join(
        f"{ORGANISATION},NL\n" for _ in range(292)) + "".join(f"{o},ES\n" for o in others),
        encoding="utf-8")
    (tmp_path / "b.csv").write_text(head + f"{ORGANISATION},DE\n" * 20, encoding="utf-8")
    keep_model = DedupeSettings(retrain_growth=10.0)
    db = tmp_path / "s.duckdb"
    store = Store(db)
    import_paths(store, [tmp_path / "a.csv"])
    first = dedupe(store, settings=keep_model)
    assert first.largest_cluster == 292 and first.customers == 1 + len(others)
    import_paths(store, [tmp_path / "b.csv"])
    store.close()
    shutil.copy(db, tmp_path / "full.duckdb")
    store, full_store = Store(db), Store(tmp_path / "full.duckdb")
    incremental = dedupe(store, settings=keep_model)
    full = dedupe(full_store, full=True, settings=keep_model)
    assert incremental.mode == "incremental"
    query = "SELECT node_a, node_b, pattern, probability FROM match_pairs ORDER BY 1, 2"
    assert store.execute(query).fetchall() == full_store.execute(query).fetchall()
    assert incremental.largest_cluster == full.largest_cluster == 312
    assert store.query_value("SELECT count(*) FROM match_pairs") < 312 * 40
    store.close()
    full_store.close()
