"""``dedupe``: every stored record into one customer master, incrementally by default.

Stages: prepare (collapse repeats) -> block -> compare -> score (EM, term frequencies)
-> cluster (no chaining) -> stable ids -> golden records. Comparison levels of every
candidate pair are kept, so an incremental run compares only pairs touching new records
and then re-fits, re-scores and re-clusters everything, which is cheap: the result is the
same as a full run on the same data.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from custfocus.errors import BadInputError
from custfocus.match.block import find_candidates
from custfocus.match.cluster import ClusterSettings, cluster_nodes
from custfocus.match.compare import COMPARISONS, compare_pairs
from custfocus.match.golden import Survivorship, build_golden_records
from custfocus.match.ids import assign_ids, format_id
from custfocus.match.prepare import Nodes, load_records, prepare_nodes
from custfocus.match.score import MatchModel, estimate_model, score_pairs, tf_adjustments
from custfocus.store import Store

Progress = Callable[[str], None]
RANDOM_PAIRS = 50_000


@dataclass
class DedupeSettings:
    """Matching settings; the defaults need no configuration."""

    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    survivorship: Survivorship = field(default_factory=Survivorship)
    random_pairs: int = RANDOM_PAIRS
    seed: int = 42


@dataclass
class DedupeResult:
    """What a dedupe run found, for renderers and callers."""

    run_id: int
    mode: str
    records: int
    distinct_identities: int
    customers: int
    candidate_pairs: int
    compared_pairs: int
    merged_pairs: int
    review_pairs: int
    refused: dict[str, int]
    pairs_per_rule: dict[str, int]
    oversized_blocks: dict[str, int]
    cluster_sizes: dict[int, int]
    largest_cluster: int
    new_ids: int
    kept_ids: int
    events: dict[str, int]
    no_identifier_records: int
    model: dict[str, Any]
    timings: dict[str, float]

    @property
    def duplicates(self) -> int:
        return self.records - self.customers


def find_duplicates(
    store: Store,
    *,
    full: bool = False,
    settings: DedupeSettings | None = None,
    progress: Progress | None = None,
) -> DedupeResult:
    """Match every record in ``store`` into customers and save the master.

    Example:
        >>> result = find_duplicates(store)  # doctest: +SKIP
        >>> result.customers, result.duplicates  # doctest: +SKIP
    """
    settings = settings or DedupeSettings()
    timings: dict[str, float] = {}
    clock = _Clock(timings, progress)
    with clock("prepare"):
        records = load_records(store)
        if records.empty:
            raise BadInputError("the store holds no customer records; run 'custfocus import' first")
        nodes = prepare_nodes(records)
    frame = nodes.frame
    keys = frame["node_key"].to_numpy(dtype=object)
    previous_model = _previous_model(store)
    incremental = not full and previous_model is not None
    with clock("block"):
        if incremental:
            seen = {k for (k,) in store.execute("SELECT node_key FROM match_nodes").fetchall()}
            new_nodes = np.flatnonzero([k not in seen for k in keys])
            candidates = find_candidates(frame, only_nodes=new_nodes)
        else:
            candidates = find_candidates(frame)
    with clock("compare"):
        levels = compare_pairs(frame, candidates.a, candidates.b)
        compared = len(candidates)
        a, b = candidates.a, candidates.b
        if incremental:
            a, b, levels = _merge_previous_pairs(store, keys, a, b, levels)
    with clock("score"):
        must, cannot, known = _constraints(store, records, nodes, a, b)
        random_levels = _random_levels(frame, settings)
        model = estimate_model(levels, random_levels, known)
        tf = tf_adjustments(frame, a, b, levels)
        scores = score_pairs(model, levels, tf)
    with clock("cluster"):
        clustering = cluster_nodes(frame, a, b, scores.probability, settings.cluster, must,
                                   cannot)
    with clock("save"), store.transaction():
        result = _save(store, records, nodes, a, b, levels, scores, clustering, model,
                       "incremental" if incremental else "full", settings, candidates,
                       compared, timings)
        store.execute("UPDATE dedupe_runs SET stats = ? WHERE run_id = ?",
                      [json.dumps(_stats(result)), result.run_id])
    return result


class _Clock:
    def __init__(self, timings: dict[str, float], progress: Progress | None):
        self.timings, self.progress = timings, progress

    def __call__(self, stage: str) -> _Clock:
        self.stage = stage
        return self

    def __enter__(self) -> None:
        if self.progress:
            self.progress(self.stage)
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.timings[self.stage] = round(time.perf_counter() - self.start, 3)


def _previous_model(store: Store) -> dict[str, Any] | None:
    row = store.query_value(
        "SELECT stats FROM dedupe_runs WHERE stats IS NOT NULL ORDER BY run_id DESC LIMIT 1")
    return json.loads(row)["model"] if row else None


def _merge_previous_pairs(store: Store, keys: np.ndarray, a: np.ndarray, b: np.ndarray,
                          levels: dict[str, np.ndarray]) -> tuple[Any, Any, Any]:
    """Add the stored pairs whose two nodes still exist, then sort like a full run."""
    import pandas as pd

    old = store.execute("SELECT key_a, key_b, levels, name_similarity FROM match_pairs").df()
    index = pd.Series(np.arange(len(keys)), index=pd.Index(keys))
    ia = index.reindex(old["key_a"]).to_numpy()
    ib = index.reindex(old["key_b"]).to_numpy()
    keep = ~(np.isnan(ia) | np.isnan(ib)) if len(old) else np.zeros(0, bool)
    ia, ib = ia[keep].astype(np.int64), ib[keep].astype(np.int64)
    lo, hi = np.minimum(ia, ib), np.maximum(ia, ib)
    old_levels = np.array(old["levels"].tolist(), dtype=np.int8).reshape(-1, len(COMPARISONS))
    old_levels = old_levels[keep]
    all_a, all_b = np.concatenate([a, lo]), np.concatenate([b, hi])
    merged = {c.name: np.concatenate([levels[c.name], old_levels[:, j]])
              for j, c in enumerate(COMPARISONS)}
    merged["name_similarity"] = np.concatenate(
        [levels["name_similarity"], old["name_similarity"].to_numpy(np.float32)[keep]])
    pair_key = all_a * (len(keys) + 1) + all_b
    _, first = np.unique(pair_key, return_index=True)  # sorted by (a, b), duplicates dropped
    return all_a[first], all_b[first], {k: v[first] for k, v in merged.items()}


def _random_levels(frame: Any, settings: DedupeSettings) -> dict[str, np.ndarray] | None:
    n = len(frame)
    if n < 3:
        return None
    rng = np.random.default_rng(settings.seed)
    count = min(settings.random_pairs, n * (n - 1) // 2)
    ra, rb = rng.integers(0, n, count), rng.integers(0, n, count)
    keep = ra != rb
    return compare_pairs(frame, np.minimum(ra, rb)[keep], np.maximum(ra, rb)[keep])


def _constraints(store: Store, records: Any, nodes: Nodes, a: np.ndarray, b: np.ndarray
                 ) -> tuple[list[tuple[int, int]], list[tuple[int, int]], np.ndarray]:
    """Reviewer decisions as node pairs, and as labels for the pairs EM sees."""
    rows = store.execute(
        "SELECT source_a, row_a, source_b, row_b, decision FROM match_constraints").fetchall()
    known = np.full(len(a), -1, dtype=np.int8)
    if not rows:
        return [], [], known
    node_of = {
        (s, int(r)): int(nodes.record_node[rid])
        for s, r, rid in zip(records["source"], records["row"], records["record_id"])
    }
    must, cannot = [], []
    for sa, ra, sb, rb, decision in rows:
        x, y = node_of.get((sa, ra)), node_of.get((sb, rb))
        if x is None or y is None or x == y:
            continue
        (must if decision == "same" else cannot).append((min(x, y), max(x, y)))
    label = {pair: 1 for pair in must} | {pair: 0 for pair in cannot}
    for i, pair in enumerate(zip(a.tolist(), b.tolist())):
        if pair in label:
            known[i] = label[pair]
    return must, cannot, known


def _save(store: Store, records: Any, nodes: Nodes, a: np.ndarray, b: np.ndarray,
          levels: dict[str, np.ndarray], scores: Any, clustering: Any, model: MatchModel,
          mode: str, settings: DedupeSettings, candidates: Any, compared: int,
          timings: dict[str, float]) -> DedupeResult:
    import pandas as pd
    import pyarrow as pa

    frame = nodes.frame
    keys = frame["node_key"].to_numpy(dtype=object)
    with store.transaction():
        run_id = int(store.query_value("SELECT nextval('dedupe_run_seq')"))
        store.execute("INSERT INTO dedupe_runs (run_id, started_at, mode) VALUES (?, now(), ?)",
                      [run_id, mode])
        record_ids = records["record_id"].to_numpy()
        record_labels = clustering.labels[nodes.record_node.reindex(record_ids).to_numpy()]
        prev = store.execute("SELECT record_id, customer_id, record_hash FROM record_customer").df()
        by_id = dict(zip(prev["record_id"], prev["customer_id"]))
        by_hash = dict(zip(prev["record_hash"], prev["customer_id"]))
        previous_ids = [by_id.get(rid) or by_hash.get(h)
                        for rid, h in zip(record_ids, records["record_hash"])]

        # One sequence call, then a local counter; the sequence is advanced past what was used.
        first = int(store.query_value("SELECT nextval('customer_seq')"))
        used = [0]

        def next_number() -> int:
            used[0] += 1
            return first + used[0] - 1

        ids = assign_ids(record_labels, previous_ids, next_number)
        if used[0] > 1:
            store.next_ids("customer_seq", used[0] - 1)
        customer_ids = [ids.customer_of_label[label] for label in record_labels.tolist()]
        gone = set(prev["customer_id"]) - set(customer_ids) - {
            oid for e in ids.events for oid in e["other_ids"]}
        for cid in sorted(gone):
            ids.events.append({"kind": "retired", "customer_id": cid, "other_ids": [],
                               "records": 0, "reason": "its records are no longer imported"})
        store.execute("DELETE FROM record_customer")
        store.insert_arrow("record_customer", pa.table({
            "record_id": pa.array(record_ids, pa.int64()),
            "customer_id": pa.array(customer_ids, pa.string()),
            "record_hash": pa.array(records["record_hash"].tolist(), pa.string()),
            "run_id": pa.array([run_id] * len(record_ids), pa.int32()),
        }))
        if ids.events:
            store.insert_arrow("customer_events", pa.Table.from_pylist([
                {"event_time": pd.Timestamp.now().to_pydatetime(), "run_id": run_id, **e}
                for e in ids.events]))
        _save_pairs(store, keys, frame, a, b, levels, scores, clustering, run_id)
        customers = build_golden_records(store, run_id, settings.survivorship)
        decisions = Counter(clustering.decisions.tolist())
        sizes = Counter(Counter(customer_ids).values())
        no_id = int(store.query_value(
            "SELECT count(*) FROM records WHERE email_key IS NULL AND phone_e164 IS NULL AND "
            "phone2_e164 IS NULL AND national_id IS NULL AND account_code IS NULL"))
        store.execute(
            "UPDATE dedupe_runs SET finished_at = now(), records = ?, customers = ?, "
            "candidate_pairs = ?, merged_pairs = ?, review_pairs = ? WHERE run_id = ?",
            [len(record_ids), customers, len(a), decisions.get("merged", 0),
             decisions.get("review", 0), run_id])
    return DedupeResult(
        run_id=run_id, mode=mode, records=len(record_ids), distinct_identities=len(frame),
        customers=customers, candidate_pairs=len(a), compared_pairs=compared,
        merged_pairs=decisions.get("merged", 0), review_pairs=decisions.get("review", 0),
        refused=clustering.refused, pairs_per_rule=candidates.pairs_per_rule,
        oversized_blocks=candidates.oversized_blocks,
        cluster_sizes=dict(sorted(sizes.items())), largest_cluster=max(sizes) if sizes else 0,
        new_ids=ids.new_ids, kept_ids=ids.kept_ids,
        events=dict(Counter(e["kind"] for e in ids.events)), no_identifier_records=no_id,
        model=model.to_dict(), timings=timings,
    )


def _save_pairs(store: Store, keys: np.ndarray, frame: Any, a: np.ndarray, b: np.ndarray,
                levels: dict[str, np.ndarray], scores: Any, clustering: Any, run_id: int) -> None:
    import pyarrow as pa

    matrix = np.stack([levels[c.name] for c in COMPARISONS], axis=1)
    store.execute("DELETE FROM match_pairs")
    store.insert_arrow("match_pairs", pa.table({
        "key_a": pa.array(keys[a], pa.string()), "key_b": pa.array(keys[b], pa.string()),
        "levels": _list_array(matrix.astype(np.int8), pa.int8()),
        "name_similarity": pa.array(levels["name_similarity"], pa.float32()),
    }))
    store.execute("DELETE FROM match_nodes")
    store.insert_arrow("match_nodes", pa.table({"node_key": pa.array(keys, pa.string())}))
    # Links worth explaining: everything above a floor, with levels and bits per comparison.
    keep = scores.probability >= 0.01
    rep = frame["record_id"].to_numpy()
    store.execute("DELETE FROM match_links")
    n = int(keep.sum())
    store.insert_arrow("match_links", pa.table({
        "run_id": pa.array(np.full(n, run_id, dtype=np.int32)),
        "record_a": pa.array(rep[a[keep]], pa.int64()),
        "record_b": pa.array(rep[b[keep]], pa.int64()),
        "probability": pa.array(scores.probability[keep], pa.float64()),
        "match_weight": pa.array(scores.logit_bits[keep], pa.float64()),
        "levels": _list_array(matrix[keep].astype(np.int8), pa.int8()),
        "bits": _list_array(scores.bits[keep].astype(np.float32), pa.float32()),
        "name_similarity": pa.array(levels["name_similarity"][keep], pa.float32()),
        "decision": pa.array(clustering.decisions[keep].tolist(), pa.string()),
    }))


def _list_array(matrix: np.ndarray, value_type: Any) -> Any:
    """A 2-D array as an Arrow list column without a Python loop per row."""
    import pyarrow as pa

    rows, width = matrix.shape if matrix.ndim == 2 else (0, len(COMPARISONS))
    offsets = pa.array(np.arange(0, (rows + 1) * width, width, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array(matrix.reshape(-1), value_type))


def _stats(result: DedupeResult) -> dict[str, Any]:
    from dataclasses import asdict

    data = asdict(result)
    data["cluster_sizes"] = {str(k): v for k, v in result.cluster_sizes.items()}
    return data


__all__ = ["DedupeResult", "DedupeSettings", "find_duplicates", "format_id"]
