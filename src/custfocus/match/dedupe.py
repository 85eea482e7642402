"""``dedupe``: every stored record into one customer master, incrementally by default.

Stages: prepare (collapse repeats) -> block -> compare -> score (EM, term frequencies)
-> cluster (no chaining) -> stable ids -> golden records.

An incremental run costs what changed, and gives the clusters a full run would:
  * prepare derives match columns only for new nodes (the others are kept in match_nodes);
  * block and compare produce only the pairs a previous run did not have (those touching a
    new node, or an old member of a block the new nodes pushed over its cap);
  * the model is re-fitted and every pair re-scored (vectorised, cheap);
  * clustering runs only on the connected components of strong links that could have
    changed (a new or grown node, a link that crossed the threshold, a different order of
    links); every other component keeps its clusters and decisions;
  * ids, ``record_customer`` and golden records are rewritten only for changed customers.
A run after records were removed or re-imported, after a change of settings, reviewer
decisions or comparisons, or on a store written by an older version is a full run.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from custfocus.errors import BadInputError
from custfocus.match.adjust import Adjusted, NameSlots, adjust_probability, components
from custfocus.match.block import DEFAULT_RULES, find_candidates
from custfocus.match.cluster import COLUMNS, DECISIONS, ClusterSettings, cluster_nodes
from custfocus.match.compare import (
    COMPARISONS,
    NULL,
    _Encoded,
    compare_in_batches,
    compare_pairs,
)
from custfocus.match.golden import Survivorship, build_golden_records
from custfocus.match.ids import assign_ids, format_id
from custfocus.match.prepare import DERIVED_COLUMNS, Nodes, prepare_store
from custfocus.match.score import (
    MatchModel,
    PairScorer,
    ValueCounts,
    estimate_model,
)
from custfocus.store import Store

Progress = Callable[[str], None]
RANDOM_PAIRS = 50_000
STATE_VERSION = 2
_BASE = 8  # levels are packed base 8 (level + 1), first comparison most significant
_SAVE_BATCH = 2_000_000  # pairs per insert


@dataclass
class DedupeSettings:
    """Matching settings; the defaults need no configuration."""

    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    survivorship: Survivorship = field(default_factory=Survivorship)
    random_pairs: int = RANDOM_PAIRS
    seed: int = 42
    # The trained model is kept until the nodes grow (or shrink) by more than this share
    # since it was fitted; then the next run fits it again (a full run).
    retrain_growth: float = 0.2


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


@dataclass
class _Pairs:
    """Candidate pairs (node indices, sorted by a then b) and what is known of each."""

    a: np.ndarray
    b: np.ndarray
    levels: dict[str, np.ndarray]
    # Only in an incremental run (a full run has no previous state, and at tens of millions
    # of pairs these would cost more than the pairs themselves):
    old_probability: np.ndarray | None = None  # NaN for a pair the previous run did not have
    old_decision: np.ndarray | None = None  # object; None for a new pair
    fresh: np.ndarray | None = None  # generated (compared) by this run
    old_key: np.ndarray | None = None  # the pair's place in the previous run's order (-1: new)
    lost: np.ndarray | None = None  # nodes that lost a strong link of the previous run


def find_duplicates(
    store: Store,
    *,
    full: bool = False,
    retrain: bool = False,
    settings: DedupeSettings | None = None,
    progress: Progress | None = None,
) -> DedupeResult:
    """Match every record in ``store`` into customers and save the master.

    The model (m, u, prior and value counts) is fitted by the first run and kept; ``full``
    re-matches every record with it, ``retrain`` fits it again first (a full run). It is
    fitted again by itself after a change of settings or code, or once the data has grown
    by ``settings.retrain_growth``.

    Example:
        >>> result = find_duplicates(store)  # doctest: +SKIP
        >>> result.customers, result.duplicates  # doctest: +SKIP
    """
    settings = settings or DedupeSettings()
    with _bounded_memory(store, DUCKDB_MEMORY):
        return _find_duplicates(store, full or retrain, retrain, settings, progress)


DUCKDB_MEMORY = "2GB"  # the store's share of memory during a dedupe (larger work spills)
# ... while the pairs are saved: they are still held in numpy then, and what DuckDB buffers
# is already written to the file. It kept buffers up to its share: inserting 8.4 M links
# held 774 MB with a 1 GB share and 255 MB with 300 MB, as fast.
DUCKDB_MEMORY_SAVING_PAIRS = "256MB"


@contextmanager
def _bounded_memory(store: Store, limit: str) -> Iterator[None]:
    """Cap the store's DuckDB memory for the run (or a part of it), then restore it.

    Why: by default DuckDB may take 80% of the machine and keeps its buffers; the pairs
    and nodes held in numpy need that memory more than DuckDB's caches do.
    """
    before = store.query_value("SELECT current_setting('memory_limit')")
    store.execute(f"SET memory_limit = '{limit}'")
    try:
        yield
    finally:
        store.execute(f"SET memory_limit = '{before}'")


def _find_duplicates(store: Store, full: bool, retrain: bool, settings: DedupeSettings,
                     progress: Progress | None) -> DedupeResult:
    timings: dict[str, float] = {}
    clock = _Clock(timings, progress)
    signature = _signature(store, settings)
    with clock("prepare"):
        if not store.query_value("SELECT count(*) > 0 FROM records"):
            raise BadInputError("the store holds no customer records; run 'custfocus import' first")
        trained = None if retrain else _trained_model(store, signature)
        old = None if full or trained is None else _previous_state(store, signature)
        nodes = prepare_store(store, previous=old is not None)
        if trained is not None and not trained.fits(len(nodes.frame), settings.retrain_growth):
            trained, old = None, None
            nodes = prepare_store(store)
    incremental = old is not None
    frame = nodes.frame
    encoded = _Encoded(frame)
    with clock("block"):
        if incremental:
            candidates = find_candidates(frame, fresh=np.flatnonzero(nodes.old_node < 0),
                                         oversized_before=old.oversized)
        else:
            candidates = find_candidates(frame)
    with clock("compare"):
        levels = compare_in_batches(encoded, candidates.a, candidates.b)
        compared = len(candidates)
        if incremental:
            pairs = _merge_previous_pairs(store, candidates, levels, nodes, old)
        else:
            pairs = _Pairs(candidates.a, candidates.b, levels)
        del levels
    a, b = pairs.a, pairs.b
    with clock("score"):
        must, cannot, known = _constraints(store, nodes, a, b)
        if trained is None:
            random_levels = _random_levels(encoded, len(frame), settings)
            del encoded  # the codes are compared; their memory goes before the clustering
            trained = _Trained(estimate_model(pairs.levels, random_levels, known),
                               ValueCounts.train(frame, a, b, pairs.levels), len(frame),
                               fresh=True)
            del random_levels
        else:
            del encoded
        del known
        model = trained.model
        scorer = PairScorer(model, trained.counts.frequencies(frame))
        adjusted = _adjust_probability(
            frame, a, b, pairs.levels, scorer.probability(a, b, pairs.levels), settings)
        probability = adjusted.probability
    with clock("cluster"):
        if incremental:
            labels, decided, refused, reclustered = _recluster(
                nodes, pairs, probability, settings.cluster, must, cannot,
                candidates.touched)
            decisions = _Decisions.of(decided)
            del decided
        else:
            labels, decisions, refused = _cluster_all(frame, a, b, probability,
                                                      settings.cluster, must, cannot)
            reclustered = len(frame)
    with clock("save"), store.transaction():
        mode = "incremental" if incremental else "full"
        run_id = int(store.query_value("SELECT nextval('dedupe_run_seq')"))
        store.execute("INSERT INTO dedupe_runs (run_id, started_at, mode) VALUES (?, now(), ?)",
                      [run_id, mode])
        with _bounded_memory(store, DUCKDB_MEMORY_SAVING_PAIRS):
            _save_pairs(store, nodes, pairs, adjusted, scorer, labels, decisions, run_id,
                        old, candidates, settings.cluster.match_threshold)
        # The pairs are saved: their memory goes before the customers are built.
        pair_count, decided = len(pairs.a), decisions.counts()
        del pairs, a, b, probability, adjusted, scorer, decisions
        candidates.a = candidates.b = np.zeros(0, dtype=np.int64)
        _release_memory()
        result = _save(store, nodes, run_id, pair_count, decided, labels, refused, model, mode,
                       settings, candidates, compared, timings, old)
        if trained.fresh:
            store.execute("DELETE FROM match_tf")
            store.insert_arrow("match_tf", trained.counts.rows())
            trained.run = result.run_id
        stats = _stats(result)
        stats["state"] = {"version": STATE_VERSION, "signature": signature,
                          "nodes": len(frame), "reclustered_nodes": int(reclustered),
                          "trained": trained.state()}
        store.execute("UPDATE dedupe_runs SET stats = ? WHERE run_id = ?",
                      [json.dumps(stats), result.run_id])
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
        _release_memory()


def _release_memory() -> None:
    """Hand memory freed by a stage back to the system before the next one.

    Why: Arrow's allocator and the C allocator keep what a stage freed for reuse (1.1 GB
    after preparing a million nodes); the next stage then adds its own on top, and the
    peak becomes the sum of the stages instead of the largest of them.
    """
    import ctypes
    import gc

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    with suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)


# -- what the previous run left ------------------------------------------------------------------


def _signature(store: Store, settings: DedupeSettings) -> str:
    """Everything whose change makes the previous run's pairs or clusters stale."""
    constraints = store.execute(
        "SELECT count(*), sum(hash(source_a, row_a, source_b, row_b, decision)) "
        "FROM match_constraints").fetchone()
    text = json.dumps({
        "code": _code_fingerprint(),
        "comparisons": [(c.name, c.levels, c.tf_column, c.tf_level) for c in COMPARISONS],
        "rules": [(r.name, r.key, r.max_block) for r in DEFAULT_RULES],
        "cluster": asdict(settings.cluster), "survivorship": asdict(settings.survivorship),
        "random_pairs": settings.random_pairs, "seed": settings.seed,
        "constraints": [str(v) for v in constraints], "version": STATE_VERSION,
    }, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _code_fingerprint() -> str:
    """The matching code itself: a new version re-matches everything once."""
    from pathlib import Path

    digest = hashlib.sha256()
    for name in sorted(p.name for p in Path(__file__).parent.glob("*.py")):
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


@dataclass
class _Trained:
    """The model a run scores with: fitted by this run (``fresh``) or kept from an earlier one."""

    model: MatchModel
    counts: ValueCounts
    nodes: int  # nodes it was fitted on
    run: int = 0  # the run that fitted it
    fresh: bool = False

    def fits(self, nodes: int, growth: float) -> bool:
        return abs(nodes - self.nodes) <= growth * max(self.nodes, 1)

    def state(self) -> dict[str, Any]:
        return {"model": self.model.to_dict(), "average": self.counts.average,
                "nodes": self.nodes, "run": self.run}


def _trained_model(store: Store, signature: str) -> _Trained | None:
    """The model kept by the last run, when it was fitted with today's code and settings."""
    row = store.query_value(
        "SELECT stats FROM dedupe_runs WHERE stats IS NOT NULL ORDER BY run_id DESC LIMIT 1")
    state = json.loads(row).get("state") if row else None
    if not state or state.get("signature") != signature or "trained" not in state:
        return None
    kept = state["trained"]
    rows = store.con.sql("SELECT comparison, value, count FROM match_tf").to_arrow_table()
    return _Trained(MatchModel.from_dict(kept["model"]),
                    ValueCounts.from_rows(rows, kept["average"]), int(kept["nodes"]),
                    int(kept["run"]))


@dataclass
class _Previous:
    """What the previous run left for an incremental one."""

    count: int  # its nodes (match_nodes rows)
    oversized: Any  # Arrow (rule, key): its blocks over their cap


def _previous_state(store: Store, signature: str) -> _Previous | None:
    """The previous run's state, when an incremental run can build on it."""
    row = store.query_value(
        "SELECT stats FROM dedupe_runs WHERE stats IS NOT NULL ORDER BY run_id DESC LIMIT 1")
    state = json.loads(row).get("state") if row else None
    if not state or state.get("signature") != signature:
        return None
    count = int(state["nodes"])
    if store.query_value("SELECT count(*) FROM match_nodes") != count:
        return None
    return _Previous(count=count, oversized=store.con.sql(
        "SELECT rule, key FROM match_blocks").to_arrow_table())


def _merge_previous_pairs(store: Store, candidates: Any, levels: dict[str, np.ndarray],
                          nodes: Nodes, old: _Previous) -> _Pairs:
    """The stored pairs that were not generated again (by today's node indices), with the
    new ones, sorted like a full run; and what the previous run decided on its strong pairs."""
    n = len(nodes.frame)
    new_of_old = np.full(old.count + 1, -1, dtype=np.int64)  # the last slot: "no node"
    known = nodes.old_node >= 0
    new_of_old[nodes.old_node[known]] = np.flatnonzero(known)
    touched = np.zeros(n + 1, dtype=bool)
    touched[candidates.touched] = True
    touched[n] = True  # a node gone since

    stored = store.execute(
        "SELECT node_a, node_b, pattern, name_similarity FROM match_pairs").fetchnumpy()
    sa = np.asarray(stored["node_a"], dtype=np.int64)
    sb = np.asarray(stored["node_b"], dtype=np.int64)
    na, nb = new_of_old[sa], new_of_old[sb]
    na[na < 0], nb[nb < 0] = n, n
    keep = ~(touched[na] | touched[nb])
    sa, sb, na, nb = sa[keep], sb[keep], na[keep], nb[keep]
    unpacked = _unpack(np.asarray(stored["pattern"], dtype=np.int64)[keep])
    unpacked["name_similarity"] = np.asarray(stored["name_similarity"],
                                             dtype=np.float32)[keep]
    all_a = np.concatenate([candidates.a, np.minimum(na, nb)])
    all_b = np.concatenate([candidates.b, np.maximum(na, nb)])
    keys = all_a * (n + 1) + all_b
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    merged = {k: np.concatenate([levels[k], unpacked[k]])[order] for k in unpacked}
    new = len(candidates)
    fresh = order < new
    old_key = np.concatenate([np.full(new, -1, dtype=np.int64),
                              sa * (old.count + 1) + sb])[order]

    # The previous run's strong pairs: their probability and decision, or, for those that
    # are gone or were generated again, their surviving nodes.
    strong = store.execute(
        "SELECT node_a, node_b, probability, decision FROM match_strong").fetchnumpy()
    xa = new_of_old[np.asarray(strong["node_a"], dtype=np.int64)]
    xb = new_of_old[np.asarray(strong["node_b"], dtype=np.int64)]
    wanted = np.minimum(xa, xb) * (n + 1) + np.maximum(xa, xb)
    place = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
    found = ((xa >= 0) & (xb >= 0) & (keys[place] == wanted) & ~fresh[place]
             if len(keys) else np.zeros(len(xa), dtype=bool))
    probability = np.full(len(keys), np.nan)
    decision = np.full(len(keys), None, dtype=object)
    probability[place[found]] = np.asarray(strong["probability"], dtype=np.float64)[found]
    decision[place[found]] = np.asarray(strong["decision"], dtype=object)[found]
    lost = np.concatenate([xa[~found], xb[~found]])
    return _Pairs(all_a[order], all_b[order], merged, probability, decision, fresh, old_key,
                  lost[lost >= 0])


def _pack(levels: dict[str, np.ndarray]) -> np.ndarray:
    packed = np.zeros(len(levels[COMPARISONS[0].name]), dtype=np.int64)
    for comp in COMPARISONS:
        packed = packed * _BASE + (levels[comp.name].astype(np.int64) + 1)
    return packed


def _unpack(packed: np.ndarray) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    rest = packed.copy()
    for comp in reversed(COMPARISONS):
        out[comp.name] = (rest % _BASE - 1).astype(np.int8)
        rest //= _BASE
    return out


# -- scoring inputs ----------------------------------------------------------------------------


def _random_levels(encoded: Any, n: int, settings: DedupeSettings
                   ) -> dict[str, np.ndarray] | None:
    if n < 3:
        return None
    rng = np.random.default_rng(settings.seed)
    count = min(settings.random_pairs, n * (n - 1) // 2)
    ra, rb = rng.integers(0, n, count), rng.integers(0, n, count)
    keep = ra != rb
    return compare_pairs(encoded, np.minimum(ra, rb)[keep], np.maximum(ra, rb)[keep])


def _constraints(store: Store, nodes: Nodes, a: np.ndarray, b: np.ndarray
                 ) -> tuple[list[tuple[int, int]], list[tuple[int, int]], np.ndarray]:
    """Reviewer decisions as node pairs, and as labels for the pairs EM sees."""
    known = np.full(len(a), -1, dtype=np.int8)
    rows = store.execute(
        "WITH r AS (SELECT source, row, max(record_id) AS record_id FROM records "
        "           WHERE (source, row) IN (SELECT (source_a, row_a) FROM match_constraints "
        "                                   UNION ALL "
        "                                   SELECT (source_b, row_b) FROM match_constraints) "
        "           GROUP BY source, row) "
        "SELECT ra.record_id, rb.record_id, c.decision FROM match_constraints c "
        "JOIN r ra ON ra.source = c.source_a AND ra.row = c.row_a "
        "JOIN r rb ON rb.source = c.source_b AND rb.row = c.row_b "
        "ORDER BY c.rowid").fetchall()
    if not rows:
        return [], [], known
    node_of = nodes.record_node
    must, cannot = [], []
    for rid_a, rid_b, decision in rows:
        x, y = int(node_of[rid_a]), int(node_of[rid_b])
        if x == y:
            continue
        (must if decision == "same" else cannot).append((min(x, y), max(x, y)))
    label = {pair: 1 for pair in must} | {pair: 0 for pair in cannot}
    if label:
        keys = np.array(list(label), dtype=np.int64)
        n = len(nodes.frame) + 1
        wanted = keys[:, 0] * n + keys[:, 1]
        have = a * n + b
        hit = np.flatnonzero(np.isin(have, wanted))
        for i in hit.tolist():
            known[i] = label[(int(a[i]), int(b[i]))]
    return must, cannot, known


# -- clustering ---------------------------------------------------------------------------------


def _by_smallest_member(labels: np.ndarray) -> np.ndarray:
    """Cluster labels renumbered in the order of their smallest node index (stable across
    full and incremental runs)."""
    labels = np.asarray(labels, dtype=np.int64)
    first = np.full(labels.max() + 1 if len(labels) else 0, len(labels), dtype=np.int64)
    np.minimum.at(first, labels, np.arange(len(labels)))
    return np.unique(first[labels], return_inverse=True)[1].astype(np.int64)


def _adjust_probability(frame: Any, a: np.ndarray, b: np.ndarray,
                        levels: dict[str, np.ndarray], probability: np.ndarray,
                        settings: DedupeSettings) -> Adjusted:
    """The rules applied to the model's probabilities before clustering."""
    folded = frame["name_fold"].cat
    return adjust_probability(NameSlots.of(folded.codes.to_numpy(), len(folded.categories)),
                              a, b, levels, probability, settings.cluster.match_threshold,
                              settings.cluster.review_threshold)


def _cluster_all(frame: Any, a: np.ndarray, b: np.ndarray, probability: np.ndarray,
                 settings: ClusterSettings, must: list[tuple[int, int]],
                 cannot: list[tuple[int, int]]) -> tuple[np.ndarray, _Decisions, dict[str, int]]:
    """Cluster every node, handing the clustering only the strong pairs it decides on.

    Why: a pair under the match threshold never joins clusters; it reads "below", or in the
    review band "review" or "same_cluster" by the labels (as an incremental run decides the
    links it does not recluster). Left out, the clustering needs no Python string for the
    millions of weak pairs, and the result is the same.
    """
    strong = np.flatnonzero(probability >= settings.match_threshold)
    clustering = cluster_nodes(frame, a[strong], b[strong],
                               probability[strong], settings, must, cannot)
    labels = _by_smallest_member(clustering.labels)
    decisions = _Decisions(np.zeros(len(a), dtype=np.int8), list(DECISIONS))
    decisions.codes[strong] = clustering.codes
    band = np.flatnonzero((probability >= settings.review_threshold)
                          & (probability < settings.match_threshold))
    decisions.codes[band] = np.where(labels[a[band]] == labels[b[band]],
                                     DECISIONS.index("same_cluster"), DECISIONS.index("review"))
    return labels, decisions, clustering.refused


@dataclass
class _Decisions:
    """The decision on every pair as int8 codes into ``names`` (code -1: none), not a
    Python string per pair."""

    codes: np.ndarray
    names: list[str]

    @classmethod
    def of(cls, values: np.ndarray) -> _Decisions:
        import pandas as pd

        codes, names = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        return cls(codes.astype(np.int8), [str(v) for v in names])

    def counts(self) -> dict[str, int]:
        counts = np.bincount(self.codes[self.codes >= 0], minlength=len(self.names))
        return {name: int(c) for name, c in zip(self.names, counts) if c}

    def arrow(self, rows: np.ndarray) -> Any:
        """The decisions of ``rows`` as an Arrow dictionary column."""
        import pyarrow as pa

        codes = self.codes[rows].astype(np.int32)
        return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0),
                                              pa.array(self.names, pa.string()))


def _cluster_frame(frame: Any, rows: np.ndarray) -> Any:
    """The rows of the node columns the clustering reads (it works on their codes)."""
    columns = [frame.columns.get_loc(c) for c in COLUMNS if c in frame]
    return frame.iloc[rows, columns].reset_index(drop=True)


def _recluster(nodes: Nodes, pairs: _Pairs, probability: np.ndarray,
               settings: ClusterSettings, must: list[tuple[int, int]],
               cannot: list[tuple[int, int]], touched: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, dict[str, int], int]:
    """Cluster only the components of strong links that could differ from the previous run.

    The clustering of a component depends on its nodes, its strong links and their order
    alone; a component whose nodes are old and unchanged in size, whose links were strong
    before and whose every old strong link still is, in the same order, keeps its clusters.
    """
    frame = nodes.frame
    n = len(frame)
    a, b = pairs.a, pairs.b
    strong = probability >= settings.match_threshold
    was = pairs.old_probability >= settings.match_threshold  # NaN (no previous state): False
    dirty = nodes.old_node < 0
    dirty[touched] = True
    dirty[pairs.lost] = True
    dirty |= frame["size"].to_numpy() != nodes.old_size
    flipped = strong != was
    dirty[a[flipped]] = True
    dirty[b[flipped]] = True
    links = np.array(must, dtype=np.int64).reshape(-1, 2)
    for x, y in [*must, *cannot]:  # reviewer decisions: their components are redone
        dirty[x] = dirty[y] = True
    component = components(n, np.concatenate([a[strong], links[:, 0]]),
                            np.concatenate([b[strong], links[:, 1]]))
    # Same order of strong links inside each component, before and now?
    edges = np.flatnonzero(strong & was)
    now = edges[np.lexsort((edges, -probability[edges], component[a[edges]]))]
    before = edges[np.lexsort((pairs.old_key[edges], -pairs.old_probability[edges],
                               component[a[edges]]))]
    moved = now != before
    dirty[a[now[moved]]] = True
    dirty[a[before[moved]]] = True
    dirty = np.isin(component, np.unique(component[dirty]))

    # A clean node keeps its cluster: the same members, now named by their smallest index.
    labels = np.arange(n, dtype=np.int64)
    clean = np.flatnonzero(~dirty)
    if len(clean):
        first = np.full(nodes.old_cluster.max() + 1, n, dtype=np.int64)
        np.minimum.at(first, nodes.old_cluster[clean], clean)
        labels[clean] = first[nodes.old_cluster[clean]]
    decisions = pairs.old_decision.copy()
    refused: Counter[str] = Counter()
    sub_nodes = np.flatnonzero(dirty)
    if len(sub_nodes):
        position = np.full(n, -1, dtype=np.int64)
        position[sub_nodes] = np.arange(len(sub_nodes))
        inside = dirty[a] & dirty[b]
        sub_must = [(int(position[x]), int(position[y])) for x, y in must
                    if dirty[x] and dirty[y]]
        sub_cannot = [(int(position[x]), int(position[y])) for x, y in cannot
                      if dirty[x] and dirty[y]]
        sub_frame = _cluster_frame(frame, sub_nodes)
        clustering = cluster_nodes(sub_frame, position[a[inside]], position[b[inside]],
                                   probability[inside], settings, sub_must, sub_cannot)
        sub_labels = np.asarray(clustering.labels, dtype=np.int64)
        smallest = np.full(sub_labels.max() + 1, n, dtype=np.int64)
        np.minimum.at(smallest, sub_labels, sub_nodes)
        labels[sub_nodes] = smallest[sub_labels]
        decisions[inside] = clustering.decisions
    # Links between clusters below the match threshold: review or below, by the labels.
    outside = ~(dirty[a] & dirty[b])
    band = outside & ~strong & (probability >= settings.review_threshold)
    decisions[outside & ~strong] = "below"
    decisions[band] = np.where(labels[a[band]] == labels[b[band]], "same_cluster", "review")
    refused.update(d for d in decisions[strong].tolist()
                   if d not in ("merged", "same_cluster"))
    return (np.unique(labels, return_inverse=True)[1].astype(np.int64), decisions,
            dict(refused), len(sub_nodes))


# -- saving -------------------------------------------------------------------------------------


def _save(store: Store, nodes: Nodes, run_id: int, pair_count: int, decided: dict[str, int],
          labels: np.ndarray, refused: dict[str, int], model: MatchModel, mode: str,
          settings: DedupeSettings, candidates: Any, compared: int,
          timings: dict[str, float], old: _Previous | None) -> DedupeResult:
    """Customers: ids, ``record_customer``, events and golden records (after the pairs)."""
    import pandas as pd
    import pyarrow as pa

    frame = nodes.frame
    incremental = old is not None
    record_ids = nodes.record_ids
    record_labels = labels[nodes.record_nodes]
    store.con.register("_cf_rec", pa.table({"record_id": record_ids}))
    try:
        # The id each record had: by record id, else (a re-import) by content hash.
        prev = store.con.sql("""
            WITH h AS (SELECT record_hash, arg_max(customer_id, rowid) AS customer_id
                       FROM record_customer GROUP BY record_hash)
            SELECT k.record_id, r.record_hash, coalesce(rc.customer_id, h.customer_id) AS prev,
                   rc.customer_id AS own
            FROM _cf_rec k JOIN records r USING (record_id)
            LEFT JOIN record_customer rc USING (record_id)
            LEFT JOIN h ON h.record_hash = r.record_hash
            ORDER BY k.record_id""").to_arrow_table()
        previous_customers = store.con.sql(
            "SELECT DISTINCT customer_id FROM record_customer").to_arrow_table()
    finally:
        store.con.unregister("_cf_rec")
    previous_ids = prev.column("prev").to_numpy(zero_copy_only=False)
    record_hash = prev.column("record_hash")

    # One sequence call, then a local counter; the sequence is advanced past what was used.
    first = int(store.query_value("SELECT nextval('customer_seq')"))
    used = [0]

    def next_number() -> int:
        used[0] += 1
        return first + used[0] - 1

    ids = assign_ids(record_labels, previous_ids, next_number)
    if used[0] > 1:
        store.next_ids("customer_seq", used[0] - 1)
    customer_ids = ids.ids_of(record_labels)
    absorbed = {oid for e in ids.events for oid in e["other_ids"]}
    gone = (set(previous_customers.column("customer_id").to_pylist())
            - set(ids.ids.tolist()) - absorbed)
    for cid in sorted(gone):
        ids.events.append({"kind": "retired", "customer_id": cid, "other_ids": [],
                           "records": 0, "reason": "its records are no longer imported"})

    records_table = pa.table({
        "record_id": pa.array(record_ids, pa.int64()),
        "customer_id": pa.array(customer_ids, pa.string()),
        "record_hash": record_hash,
        "run_id": pa.array(np.full(len(record_ids), run_id, dtype=np.int32)),
    })
    changed_customers = None
    if incremental:
        own = prev.column("own").to_numpy(zero_copy_only=False)
        changed = own != customer_ids
        store.con.register("_cf_changed_rows", records_table.filter(pa.array(changed)))
        try:
            store.execute("DELETE FROM record_customer WHERE record_id IN "
                          "(SELECT record_id FROM _cf_changed_rows)")
            store.execute("INSERT INTO record_customer SELECT * FROM _cf_changed_rows")
        finally:
            store.con.unregister("_cf_changed_rows")
        touched_ids = set(customer_ids[changed].tolist()) | {
            v for v in own[changed].tolist() if v is not None} | gone
        changed_customers = pa.table({"customer_id": pa.array(sorted(touched_ids),
                                                              pa.string())})
    else:
        store.execute("DELETE FROM record_customer")
        store.insert_arrow("record_customer", records_table)
    if ids.events:
        now = pd.Timestamp.now().to_pydatetime()
        store.insert_arrow("customer_events", pa.Table.from_pylist([
            {"event_time": now, "run_id": run_id, **e} for e in ids.events]))
    if changed_customers is not None:
        store.con.register("_cf_changed", changed_customers)
        try:
            build_golden_records(store, run_id, settings.survivorship, only="_cf_changed")
        finally:
            store.con.unregister("_cf_changed")
    else:
        build_golden_records(store, run_id, settings.survivorship)
    customers = int(store.query_value("SELECT count(*) FROM customers"))
    record_counts = np.bincount(record_labels)
    sizes = Counter(record_counts[record_counts > 0].tolist())
    no_id = int(store.query_value(
        "SELECT count(*) FROM records WHERE email_key IS NULL AND phone_e164 IS NULL AND "
        "phone2_e164 IS NULL AND national_id IS NULL AND account_code IS NULL"))
    store.execute(
        "UPDATE dedupe_runs SET finished_at = now(), records = ?, customers = ?, "
        "candidate_pairs = ?, merged_pairs = ?, review_pairs = ? WHERE run_id = ?",
        [len(record_ids), customers, pair_count, decided.get("merged", 0),
         decided.get("review", 0), run_id])
    return DedupeResult(
        run_id=run_id, mode=mode, records=len(record_ids), distinct_identities=len(frame),
        customers=customers, candidate_pairs=pair_count, compared_pairs=compared,
        merged_pairs=decided.get("merged", 0), review_pairs=decided.get("review", 0),
        refused=refused, pairs_per_rule=candidates.pairs_per_rule,
        oversized_blocks=candidates.oversized_blocks,
        cluster_sizes=dict(sorted(sizes.items())), largest_cluster=max(sizes) if sizes else 0,
        new_ids=ids.new_ids, kept_ids=ids.kept_ids,
        events=dict(Counter(e["kind"] for e in ids.events)), no_identifier_records=no_id,
        model=model.to_dict(), timings=timings,
    )


def _save_pairs(store: Store, nodes: Nodes, pairs: _Pairs, adjusted: Adjusted,
                scorer: PairScorer, labels: np.ndarray, decisions: _Decisions, run_id: int,
                old: _Previous | None, candidates: Any, threshold: float) -> None:
    import pyarrow as pa

    probability = adjusted.probability
    frame = nodes.frame
    a, b, levels = pairs.a, pairs.b, pairs.levels
    n = len(frame)
    # Only appended to (and the re-paired nodes replaced) while every previous node keeps
    # its index; a re-import that moves nodes rewrites the state.
    append = old is not None and int((nodes.old_node >= 0).sum()) == old.count and bool(
        np.array_equal(nodes.old_node[: old.count], np.arange(old.count)))
    if append:
        store.con.register("_cf_touched", pa.table({"node": np.asarray(candidates.touched,
                                                                       dtype=np.int32)}))
        try:
            store.execute("DELETE FROM match_pairs WHERE node_a IN (SELECT node FROM _cf_touched)"
                          " OR node_b IN (SELECT node FROM _cf_touched)")
        finally:
            store.con.unregister("_cf_touched")
        rows = np.flatnonzero(pairs.fresh)
    else:
        store.execute("DELETE FROM match_pairs")
        rows = None
    # In slices: Arrow copies of every pair at once would double the pairs' memory.
    for start in range(0, len(a) if rows is None else len(rows), _SAVE_BATCH):
        part = (slice(start, start + _SAVE_BATCH) if rows is None
                else rows[start:start + _SAVE_BATCH])
        store.insert_arrow("match_pairs", pa.table({
            "node_a": pa.array(a[part].astype(np.int32)),
            "node_b": pa.array(b[part].astype(np.int32)),
            "pattern": pa.array(_pack({k: v[part] for k, v in levels.items()})),
            "name_similarity": pa.array(levels["name_similarity"][part], pa.float32()),
            "probability": pa.array(adjusted.model_probability[part], pa.float64()),
            "corroborated": pa.array(adjusted.corroborated[part]),
            "same_name": pa.array(adjusted.same_name[part]),
            "capped": pa.array(adjusted.capped[part]),
        }))
    strong = np.flatnonzero(probability >= threshold)
    store.execute("DELETE FROM match_strong")
    store.insert_arrow("match_strong", pa.table({
        "node_a": pa.array(a[strong].astype(np.int32)),
        "node_b": pa.array(b[strong].astype(np.int32)),
        "probability": pa.array(probability[strong], pa.float64()),
        "decision": decisions.arrow(strong),
    }))
    store.execute("DELETE FROM match_blocks")
    if candidates.oversized_keys is not None and candidates.oversized_keys.num_rows:
        store.insert_arrow("match_blocks", candidates.oversized_keys)
    # Per node: its cluster as the smallest node index in it, its size, derived columns.
    first = np.full(labels.max() + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(n))
    cluster = first[labels]
    size = frame["size"].to_numpy()
    start = 0
    if append:
        start = old.count
        changed = np.flatnonzero((cluster[:start] != nodes.old_cluster[:start])
                                 | (size[:start] != nodes.old_size[:start]))
        if len(changed):
            store.con.register("_cf_node_update", pa.table({
                "node": changed.astype(np.int32), "size": size[changed].astype(np.int32),
                "cluster": cluster[changed].astype(np.int32)}))
            try:
                store.execute("UPDATE match_nodes SET size = u.size, cluster = u.cluster "
                              "FROM _cf_node_update u WHERE match_nodes.node = u.node")
            finally:
                store.con.unregister("_cf_node_update")
    else:
        store.execute("DELETE FROM match_nodes")
    rep = frame["record_id"].to_numpy()
    # In slices: the text of every node's derived columns at once took 540 MB at 1M.
    texts = {name: _categories(frame[name]) for name in ("node_key", *DERIVED_COLUMNS)}
    for first_row in range(start, n, _SAVE_BATCH // 4):
        rows = np.arange(first_row, min(first_row + _SAVE_BATCH // 4, n))
        columns = {"node": pa.array(rows.astype(np.int32)),
                   "size": pa.array(size[rows].astype(np.int32)),
                   "cluster": pa.array(cluster[rows].astype(np.int32)),
                   "rep": pa.array(rep[rows], pa.int64()),
                   "identity": pa.array(adjusted.identity[rows].astype(np.int32))}
        for name, values in texts.items():
            columns[name] = _text(frame[name], rows, values)
        store.insert_arrow("match_nodes", pa.table(columns))
    # Links worth explaining: everything above a floor, with levels and bits per comparison
    # (scored again slice by slice: the same numbers, without keeping bits for every pair).
    rep = frame["record_id"].to_numpy()
    store.execute("DELETE FROM match_links")
    for start, scores in scorer.batches(a, b, levels, _SAVE_BATCH):
        keep = np.flatnonzero(probability[start:start + _SAVE_BATCH] >= 0.01)
        rows = start + keep
        matrix = np.stack([levels[c.name][rows] for c in COMPARISONS], axis=1)
        store.insert_arrow("match_links", pa.table({
            "run_id": pa.array(np.full(len(rows), run_id, dtype=np.int32)),
            "record_a": pa.array(rep[a[rows]], pa.int64()),
            "record_b": pa.array(rep[b[rows]], pa.int64()),
            "probability": pa.array(probability[rows], pa.float64()),
            "match_weight": pa.array(scores.logit_bits[keep], pa.float64()),
            "levels": _list_array(matrix.astype(np.int8), pa.int8()),
            "bits": _list_array(scores.bits[keep].astype(np.float32), pa.float32()),
            "name_similarity": pa.array(levels["name_similarity"][rows], pa.float32()),
            "decision": decisions.arrow(rows),
        }))


def _categories(column: Any) -> Any:
    import pyarrow as pa

    return pa.array(column.cat.categories).cast(pa.string())


def _text(column: Any, rows: np.ndarray, values: Any) -> Any:
    """Rows of a categorical node column as Arrow text (``values``: its categories, as
    :func:`_categories` gives them)."""
    import pyarrow as pa

    codes = column.cat.codes.to_numpy()[rows].astype(np.int32)
    return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0),
                                          values).dictionary_decode()


def _list_array(matrix: np.ndarray, value_type: Any) -> Any:
    """A 2-D array as an Arrow list column without a Python loop per row."""
    import pyarrow as pa

    rows, width = matrix.shape if matrix.ndim == 2 else (0, len(COMPARISONS))
    offsets = pa.array(np.arange(0, (rows + 1) * width, width, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array(matrix.reshape(-1), value_type))


def _stats(result: DedupeResult) -> dict[str, Any]:
    data = asdict(result)
    data["cluster_sizes"] = {str(k): v for k, v in result.cluster_sizes.items()}
    return data


__all__ = ["DedupeResult", "DedupeSettings", "find_duplicates", "format_id", "NULL"]
