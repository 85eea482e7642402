"""``dedupe``: every stored record into one customer master, incrementally by default.

Stages: prepare (collapse repeats) -> block -> compare -> score (EM, term frequencies)
-> cluster (no chaining) -> stable ids -> golden records.

The model (m, u, prior and the value counts of term-frequency adjustment) is fitted by
the first run and kept, as Splink keeps a trained model: a pair's probability then
depends on the pair alone, so records added later leave earlier pairs as they were. It
is fitted again by ``--retrain``, after a change of settings, reviewer decisions or code,
and once the data has grown (or shrunk) by ``retrain_growth`` (20 %) since.

After records were added (a new file, or a new export of a source whose unchanged rows
keep their record ids) a run is incremental (:mod:`custfocus.dedupe.incremental`): it
matches the new records against the stored state and redoes only what they change, and
gives the clusters a full run with the same model gives. A run after records were
removed or changed, with a model fitted again, or on a store written by an older
version is a full run.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from custfocus.dedupe.block import find_candidates
from custfocus.dedupe.cluster import (
    DECISIONS,
    REVIEW_LINKS_SQL,
    ClusterSettings,
    cluster_nodes,
    components,
    detach_ambiguous,
)
from custfocus.dedupe.compare import (
    COMPARISONS,
    NULL,
    _Encoded,
    compare_in_batches,
    list_array,
    pack_levels,
)
from custfocus.dedupe.fitted import (
    STATE_VERSION,
    Trained,
    kept_model,
    previous_nodes,
)
from custfocus.dedupe.fitted import (
    signature as run_signature,
)
from custfocus.dedupe.golden import Survivorship, build_golden_records
from custfocus.dedupe.ids import assign_stored_ids, format_id
from custfocus.dedupe.incremental import (
    Delta,
    block_new,
    compare_new,
    constraint_nodes,
    forget_delta,
    prepare_delta,
    recluster,
    save_delta,
)
from custfocus.dedupe.model import MatchModel, estimate_model, evidence_bits, fit_patterns
from custfocus.dedupe.prepare import (
    DERIVED_COLUMNS,
    Nodes,
    categories_of,
    column_text,
    prepare_store,
)
from custfocus.dedupe.score import LINK_FLOOR, PairScorer, ValueCounts
from custfocus.errors import BadInputError
from custfocus.store import Store

Progress = Callable[[str], None]
RANDOM_PAIRS = 200_000  # u from this many random pairs (every pair when there are fewer)
_SAVE_BATCH = 2_000_000  # pairs per insert
# The node columns the comparisons read (which of them a node holds: Completion.fields).
HELD_COLUMNS = ("given_fold", "family_fold", "email_key", "phone", "phone2", "nid_any",
                "birth", "address_key", "postal_code", "city", "company_fold")


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
    # Where a full run blocks, compares and scores: "embedded" (here) or "spark".
    engine: str = "embedded"
    spark: Any = None  # custfocus.dedupe.spark.SparkSettings (default: local[*])


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
    review_pairs: int  # pairs `review export` writes: borderline and refused bridges
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
    """Candidate pairs (node indices, sorted by a then b) and their comparison levels."""

    a: np.ndarray
    b: np.ndarray
    levels: dict[str, np.ndarray]


def dedupe(
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
        >>> result = dedupe(store)  # doctest: +SKIP
        >>> result.customers, result.duplicates  # doctest: +SKIP
    """
    settings = settings or DedupeSettings()
    if settings.engine == "spark":  # pyspark, Java and the master, before anything is done
        from custfocus.dedupe.spark import SparkSettings, check_spark

        check_spark((settings.spark or SparkSettings()).master)
    with _bounded_memory(store, DUCKDB_MEMORY):
        return _find_duplicates(store, full or retrain, retrain, settings, progress)


DUCKDB_MEMORY = "1GB"  # the store's share of memory during a dedupe (larger work spills)
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
    signature = run_signature(store, settings)
    with clock("prepare"):
        if not store.query_value("SELECT count(*) > 0 FROM records"):
            raise BadInputError("the store holds no customer records; run 'custfocus import' first")
        trained = None if retrain else kept_model(store, signature)
        previous = None if full or trained is None else previous_nodes(store, signature)
        delta = None if previous is None else prepare_delta(store, *previous)
        if delta is not None and not trained.fits(delta.nodes, settings.retrain_growth):
            forget_delta(store)  # grown too much: fitted again, in a full run
            delta = None
        clock.release = delta is None  # an incremental run holds little memory to hand back
        if delta is None:
            nodes = prepare_store(store)
            if trained is not None and not trained.fits(len(nodes.frame),
                                                        settings.retrain_growth):
                trained = None
    if delta is not None:
        return _update(store, delta, trained, settings, signature, clock)
    frame = nodes.frame
    encoded = _Encoded(frame)
    if settings.engine == "spark":
        from custfocus.dedupe.spark import spark_stages

        with spark_stages(frame, settings.spark) as stages:
            candidates, pairs, probability, must, cannot, trained, scorer = _match_stages(
                store, nodes, encoded, trained, settings, clock, stages)
    else:
        candidates, pairs, probability, must, cannot, trained, scorer = _match_stages(
            store, nodes, encoded, trained, settings, clock, None)
    model = trained.model
    compared = len(candidates)
    a, b = pairs.a, pairs.b
    with clock("cluster"):
        labels, decisions, refused = _cluster_all(
            frame, a, b, probability, settings.cluster, must, cannot,
            Completion(scorer, encoded))
        del encoded
    with clock("save"), store.transaction():
        run_id = int(store.query_value("SELECT nextval('dedupe_run_seq')"))
        store.execute("INSERT INTO dedupe_runs (run_id, started_at, mode) VALUES (?, now(), ?)",
                      [run_id, "full"])
        with _bounded_memory(store, DUCKDB_MEMORY_SAVING_PAIRS):
            _save_pairs(store, nodes, pairs, probability, scorer, labels, decisions, run_id,
                        candidates, settings.cluster.match_threshold)
        # The pairs are saved: their memory goes before the customers are built.
        pair_count, decided = len(pairs.a), decisions.counts()
        del pairs, a, b, probability, scorer, decisions
        candidates.a = candidates.b = np.zeros(0, dtype=np.int64)
        _release_memory()
        result = _save(store, nodes, run_id, pair_count, decided, labels, refused, model,
                       settings, candidates, compared, timings)
        if trained.fresh:
            store.execute("DELETE FROM match_tf")
            store.insert_arrow("match_tf", trained.counts.rows())
            trained.run = result.run_id
        _save_state(store, result, signature, trained, len(frame), len(frame))
    _settle(store)
    return result


def _match_stages(store: Store, nodes: Nodes, encoded: Any, trained: Trained | None,
                  settings: DedupeSettings, clock: _Clock, spark: Any
                  ) -> tuple[Any, _Pairs, np.ndarray, list[tuple[int, int]],
                             list[tuple[int, int]], Trained, PairScorer]:
    """Block, compare and score every node: here, or on Spark (``spark``:
    :class:`custfocus.dedupe.spark.SparkStages`), which runs the same functions on batches
    and gives the same pairs, levels and probabilities."""
    frame = nodes.frame
    with clock("block"):
        candidates = spark.find_candidates() if spark else find_candidates(frame)
    with clock("compare"):
        if spark:
            spark.compare()  # the levels stay on Spark (as Parquet) until scored
            pairs = None
        else:
            pairs = _Pairs(candidates.a, candidates.b,
                           compare_in_batches(encoded, candidates.a, candidates.b))
    with clock("score"):
        must, cannot, label = reviewer_pairs(store, nodes)
        if trained is None:
            random_levels = _random_levels(encoded, len(frame), settings)
            counts = ValueCounts.train(frame)
            frequencies = counts.frequencies(frame)
            if spark:
                patterns, pattern_counts, n_pairs, centers = spark.training_patterns(
                    label, frequencies)
                model = fit_patterns(patterns, pattern_counts, n_pairs, random_levels,
                                     nodes=len(frame), top_u=counts.top_u, tf_centers=centers)
            else:
                known = known_labels(label, pairs.a, pairs.b, len(frame))
                model = estimate_model(pairs.levels, random_levels, known, nodes=len(frame),
                                       top_u=counts.top_u, tf_of=_tf_of(frequencies, pairs))
                del known
            trained = Trained(model, counts, len(frame), fresh=True)
            del random_levels
        scorer = PairScorer(trained.model, trained.value_counts(frame).frequencies(frame))
        if spark:
            a, b, levels, probability = spark.score(scorer)
            pairs = _Pairs(a, b, levels)
            candidates.a, candidates.b = a, b
        else:
            probability = scorer.probability(pairs.a, pairs.b, pairs.levels)
    return candidates, pairs, probability, must, cannot, trained, scorer


def _settle(store: Store) -> None:
    """Checkpoint once more after rewriting the match tables.

    Why: at a million customers the first checkpoint after a full run took 3.9 s even when
    the next run added one row, and every later one 0.2-0.3 s (measured with DuckDB 2.0;
    the first seems to settle what rewriting whole tables left). Paid here, by the run
    that causes it, not by the next incremental one.
    """
    if not store.in_memory and not store.in_transaction:  # (in `custfocus run`: at its end)
        store.execute("CHECKPOINT")


def _save_state(store: Store, result: DedupeResult, signature: str, trained: Trained,
                nodes: int, reclustered: int) -> None:
    stats = _stats(result)
    stats["state"] = {"version": STATE_VERSION, "signature": signature, "nodes": nodes,
                      "reclustered_nodes": int(reclustered), "trained": trained.state(),
                      "imports": int(store.query_value(
                          "SELECT coalesce(max(import_id), 0) FROM imports"))}
    store.execute("UPDATE dedupe_runs SET stats = ? WHERE run_id = ?",
                  [json.dumps(stats), result.run_id])


def _update(store: Store, delta: Delta, trained: Trained, settings: DedupeSettings,
            signature: str, clock: _Clock) -> DedupeResult:
    """The incremental run (see :mod:`custfocus.dedupe.incremental`)."""
    import pyarrow as pa

    threshold = settings.cluster.match_threshold
    with clock("block"):
        blocked = block_new(store, delta)
    with clock("compare"):
        pairs = compare_new(store, blocked, trained)
        del blocked
    store.con.register("_cf_dropped", pa.table({"key": pa.array(pairs.dropped, pa.int64())}))
    try:
        with clock("cluster"):
            must, cannot = constraint_nodes(store)
            result = recluster(store, delta, pairs, trained, settings.cluster, must, cannot)
        with clock("save"), store.transaction():
            run_id = int(store.query_value("SELECT nextval('dedupe_run_seq')"))
            store.execute("INSERT INTO dedupe_runs (run_id, started_at, mode) "
                          "VALUES (?, now(), 'incremental')", [run_id])
            ids = save_delta(store, delta, pairs, result, run_id, threshold,
                             settings.survivorship)
            outcome = _summary(store, run_id)
            ids["kept_ids"] = outcome["customers"] - ids["new_ids"]  # untouched ones kept theirs
            outcome_result = DedupeResult(
                run_id=run_id, mode="incremental", distinct_identities=delta.nodes,
                compared_pairs=len(pairs.a), pairs_per_rule=pairs.pairs_per_rule,
                oversized_blocks=pairs.oversized_blocks, model=trained.model.to_dict(),
                timings=clock.timings, **outcome, **ids)
            _save_state(store, outcome_result, signature, trained, delta.nodes, len(result.dirty))
    finally:
        store.con.unregister("_cf_dropped")
        forget_delta(store)
    return outcome_result


def _summary(store: Store, run_id: int) -> dict[str, Any]:
    """The counts of a run read back from what it saved (an incremental run holds only
    what changed)."""
    # One statement: each costs its parse and plan, a fixed share of an incremental run.
    records, customers, sizes, decided, review, pair_count = store.execute(f"""
        SELECT (SELECT count(*) FROM records), (SELECT count(*) FROM customers),
               (SELECT map(list(records ORDER BY records), list(n ORDER BY records))
                FROM (SELECT records, count(*) AS n FROM customers GROUP BY records)),
               (SELECT map(list(decision), list(n))
                FROM (SELECT decision, count(*) AS n FROM match_strong GROUP BY decision)),
               ({REVIEW_LINKS_SQL}),
               (SELECT count(*) FROM match_pairs)""").fetchone()
    sizes, decided = dict(sizes or {}), dict(decided or {})
    records, customers, review, pair_count = map(int, (records, customers, review, pair_count))
    store.execute(
        "UPDATE dedupe_runs SET finished_at = now(), records = ?, customers = ?, "
        "candidate_pairs = ?, merged_pairs = ?, review_pairs = ? WHERE run_id = ?",
        [records, customers, pair_count, decided.get("merged", 0), review, run_id])
    store.note_processing(rows_read=records)
    return {
        "records": records, "customers": customers, "candidate_pairs": pair_count,
        "merged_pairs": int(decided.get("merged", 0)), "review_pairs": review,
        "refused": {k: int(v) for k, v in decided.items()
                    if k not in ("merged", "same_cluster")},
        "cluster_sizes": {int(k): int(v) for k, v in sizes.items()},
        "largest_cluster": int(max(sizes)) if sizes else 0,
        "no_identifier_records": _no_identifier(store)}


def _no_identifier(store: Store) -> int:
    return int(store.query_value(
        "SELECT count(*) FROM records WHERE email_key IS NULL AND phone_e164 IS NULL AND "
        "phone2_e164 IS NULL AND national_id IS NULL AND account_code IS NULL"))


class _Clock:
    def __init__(self, timings: dict[str, float], progress: Progress | None):
        self.timings, self.progress = timings, progress
        self.release = True  # hand freed memory back after each stage (a full run's)

    def __call__(self, stage: str) -> _Clock:
        self.stage = stage
        return self

    def __enter__(self) -> None:
        if self.progress:
            self.progress(self.stage)
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.timings[self.stage] = round(time.perf_counter() - self.start, 3)
        if self.release:
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


# -- scoring inputs ----------------------------------------------------------------------------


def _tf_of(frequencies: Any, pairs: _Pairs) -> Callable[[np.ndarray], dict[str, np.ndarray]]:
    """The term-frequency adjustments of some candidate pairs (by index)."""
    def of(rows: np.ndarray) -> dict[str, np.ndarray]:
        return frequencies.adjust(pairs.a[rows], pairs.b[rows],
                                  {k: v[rows] for k, v in pairs.levels.items()})
    return of


def _random_levels(encoded: Any, n: int, settings: DedupeSettings
                   ) -> dict[str, np.ndarray] | None:
    if n < 3:
        return None
    if n * (n - 1) // 2 <= settings.random_pairs:  # every pair: exact, and no sampling
        ra, rb = np.triu_indices(n, k=1)
        return compare_in_batches(encoded, ra.astype(np.int64), rb.astype(np.int64))
    rng = np.random.default_rng(settings.seed)
    ra, rb = rng.integers(0, n, settings.random_pairs), rng.integers(0, n, settings.random_pairs)
    keep = ra != rb
    return compare_in_batches(encoded, np.minimum(ra, rb)[keep], np.maximum(ra, rb)[keep])


def reviewer_pairs(store: Store, nodes: Nodes
                   ) -> tuple[list[tuple[int, int]], list[tuple[int, int]],
                              dict[tuple[int, int], int]]:
    """Reviewer decisions as node pairs (must link, cannot link), and as labels by pair
    (1 same, 0 different) for :func:`known_labels`."""
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
        return [], [], {}
    node_of = nodes.record_node
    must, cannot = [], []
    for rid_a, rid_b, decision in rows:
        x, y = int(node_of[rid_a]), int(node_of[rid_b])
        if x == y:
            continue
        (must if decision == "same" else cannot).append((min(x, y), max(x, y)))
    return must, cannot, {pair: 1 for pair in must} | {pair: 0 for pair in cannot}


def known_labels(label: dict[tuple[int, int], int], a: np.ndarray, b: np.ndarray,
                 nodes: int) -> np.ndarray:
    """Per candidate pair, the reviewer's label EM sees (1 same, 0 different, -1 none)."""
    known = np.full(len(a), -1, dtype=np.int8)
    if label:
        keys = np.array(list(label), dtype=np.int64)
        n = nodes + 1
        wanted = keys[:, 0] * n + keys[:, 1]
        have = np.asarray(a, np.int64) * n + b
        hit = np.flatnonzero(np.isin(have, wanted))
        for i in hit.tolist():
            known[i] = label[(int(a[i]), int(b[i]))]
    return known


# -- clustering ---------------------------------------------------------------------------------


def _by_smallest_member(labels: np.ndarray) -> np.ndarray:
    """Cluster labels renumbered in the order of their smallest node index (stable across
    full and incremental runs)."""
    labels = np.asarray(labels, dtype=np.int64)
    first = np.full(labels.max() + 1 if len(labels) else 0, len(labels), dtype=np.int64)
    np.minimum.at(first, labels, np.arange(len(labels)))
    return np.unique(first[labels], return_inverse=True)[1].astype(np.int64)


def _cluster_all(frame: Any, a: np.ndarray, b: np.ndarray, probability: np.ndarray,
                 settings: ClusterSettings, must: list[tuple[int, int]],
                 cannot: list[tuple[int, int]], completion: Completion
                 ) -> tuple[np.ndarray, _Decisions, dict[str, int]]:
    """Cluster every node (:func:`cluster_with_evidence`), and decide every pair: strong
    ones by the clustering, those in the review band "review" or "same_cluster" by the
    labels (as an incremental run decides the links it does not recluster), the rest
    "below"."""
    clustering, strong = cluster_with_evidence(frame, a, b, probability, settings, must,
                                               cannot, completion)
    labels = _by_smallest_member(clustering.labels)
    decisions = _Decisions(np.zeros(len(a), dtype=np.int8), list(DECISIONS))
    decisions.codes[strong] = clustering.codes
    band = np.flatnonzero((probability >= settings.review_threshold)
                          & (probability < settings.match_threshold))
    decisions.codes[band] = np.where(labels[a[band]] == labels[b[band]],
                                     DECISIONS.index("same_cluster"), DECISIONS.index("review"))
    return labels, decisions, clustering.refused


@dataclass
class Completion:
    """Compares and scores pairs of nodes blocking never made (:func:`cluster_with_evidence`)."""

    scorer: PairScorer
    encoded: Any  # the nodes' compared columns (compare._Encoded)
    _fields: np.ndarray | None = None

    def fields(self) -> np.ndarray:
        """Per node, which of the compared fields it holds (a bit each)."""
        if self._fields is None:
            held = np.zeros(len(self.encoded.nodes), dtype=np.int64)
            for bit, column in enumerate(HELD_COLUMNS):
                if column in self.encoded.nodes:
                    codes, values = self.encoded(column)
                    held |= values.present()[codes].astype(np.int64) << bit
            self._fields = held
        return self._fields

    def evidence(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        levels = compare_in_batches(self.encoded, a, b)
        return evidence_bits(self.scorer.probability(a, b, levels), informative(levels))


def informative(levels: dict[str, np.ndarray]) -> np.ndarray:
    """Per pair, whether it compares two fields or more: a pair compared on one field alone
    (an e-mail-only record against a record with another e-mail) weighs its prior more than
    its evidence, and says nothing when two groups are weighed."""
    compared = np.zeros(len(levels[COMPARISONS[0].name]), dtype=np.int8)
    for comp in COMPARISONS:
        compared += levels[comp.name] != NULL
    return compared >= 2


def identical(levels: dict[str, np.ndarray]) -> np.ndarray:
    """Per pair, whether every field both hold agrees at its top level (at least one)."""
    out = np.ones(len(levels[COMPARISONS[0].name]), dtype=bool)
    some = np.zeros_like(out)
    for comp in COMPARISONS:
        level = levels[comp.name]
        out &= (level == NULL) | (level == len(comp.levels) - 1)
        some |= level != NULL
    return out & some


def cluster_with_evidence(frame: Any, a: np.ndarray, b: np.ndarray, probability: np.ndarray,
                          settings: ClusterSettings, must: list[tuple[int, int]],
                          cannot: list[tuple[int, int]], completion: Completion
                          ) -> tuple[Any, np.ndarray]:
    """Cluster the nodes of ``frame`` from their compared pairs; returns the clustering and
    the indices of the strong pairs it decided on (its ``codes`` follow them).

    Only strong pairs (at or above the match threshold) can join clusters; every compared
    pair weighs in as evidence when two groups would merge. Then every pair within a
    cluster of this first pass that blocking never compared is compared and scored, and
    the clustering runs again with that evidence too: a chain of links that each look
    right (the sites of one agency sharing its phone) is weighed against how its ends
    compare. Full and incremental runs both cluster through here.
    """
    strong = np.flatnonzero(probability >= settings.match_threshold)
    # Evidence matters only where a group of two or more records could merge: within the
    # strong-link components of three nodes or more. Only those pairs are kept (at a
    # million customers, 34 M candidate pairs as evidence cost gigabytes).
    component = components(len(frame), a[strong], b[strong])
    big = np.bincount(component, minlength=len(frame))[component] >= 3
    inside = np.flatnonzero(big[a] & (component[a] == component[b]))
    ia, ib = a[inside], b[inside]
    levels = compare_in_batches(completion.encoded, ia, ib)
    bits = evidence_bits(probability[inside], informative(levels))
    # A link between two records identical in every field either holds is no chain: the
    # size cap does not refuse it (292 rows of one organisation's name).
    same = identical(levels) & (completion.fields()[ia] == completion.fields()[ib])
    del levels
    at = np.minimum(np.searchsorted(inside, strong), max(len(inside) - 1, 0))
    uncapped = np.zeros(len(strong), dtype=bool)
    if len(inside):
        uncapped = (inside[at] == strong) & same[at]
    clustering = cluster_nodes(frame, a[strong], b[strong], probability[strong], settings,
                               must, cannot, evidence=(ia, ib, bits), uncapped=uncapped)
    ea, eb = uncompared_pairs(clustering.labels, ia, ib)
    if len(ea):
        evidence = (np.concatenate([ia, ea]), np.concatenate([ib, eb]),
                    np.concatenate([bits, completion.evidence(ea, eb)]))
        clustering = cluster_nodes(frame, a[strong], b[strong], probability[strong],
                                   settings, must, cannot, evidence=evidence,
                                   uncapped=uncapped)
    detach_ambiguous(clustering, a[strong], b[strong], probability[strong], must)
    return clustering, strong


def uncompared_pairs(labels: np.ndarray, a: np.ndarray, b: np.ndarray,
                     largest: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of nodes within one cluster (of three to ``largest`` nodes) that are not
    among the pairs ``a``, ``b`` (a < b); vectorised over all clusters at once."""
    labels = np.asarray(labels, dtype=np.int64)
    sizes = np.bincount(labels)
    grouped = np.flatnonzero((sizes[labels] >= 3) & (sizes[labels] <= largest))
    if not len(grouped):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = grouped[np.lexsort((grouped, labels[grouped]))]  # by cluster, then node
    first = np.flatnonzero(np.r_[True, labels[order][1:] != labels[order][:-1]])
    end = np.repeat(np.r_[first[1:], len(order)], np.diff(np.r_[first, len(order)]))
    later = end - np.arange(len(order)) - 1  # members after each one in its cluster
    x = np.repeat(order, later)
    start = np.repeat(np.arange(len(order)) + 1, later)
    step = np.arange(len(x)) - np.repeat(np.cumsum(later) - later, later)
    y = order[start + step]
    n = int(labels.shape[0]) + 1
    known = np.asarray(a, np.int64) * n + np.asarray(b, np.int64)
    new = ~np.isin(x * n + y, known)
    return x[new], y[new]


@dataclass
class _Decisions:
    """The decision on every pair as int8 codes into ``names`` (code -1: none), not a
    Python string per pair."""

    codes: np.ndarray
    names: list[str]

    def counts(self) -> dict[str, int]:
        counts = np.bincount(self.codes[self.codes >= 0], minlength=len(self.names))
        return {name: int(c) for name, c in zip(self.names, counts) if c}

    def arrow(self, rows: np.ndarray) -> Any:
        """The decisions of ``rows`` as an Arrow dictionary column."""
        import pyarrow as pa

        codes = self.codes[rows].astype(np.int32)
        return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0),
                                              pa.array(self.names, pa.string()))


# -- saving -------------------------------------------------------------------------------------


def _save(store: Store, nodes: Nodes, run_id: int, pair_count: int, decided: dict[str, int],
          labels: np.ndarray, refused: dict[str, int], model: MatchModel,
          settings: DedupeSettings, candidates: Any, compared: int,
          timings: dict[str, float]) -> DedupeResult:
    """Customers: ids, ``record_customer``, events and golden records (after the pairs)."""
    import pandas as pd
    import pyarrow as pa

    frame = nodes.frame
    record_ids = nodes.record_ids
    record_labels = labels[nodes.record_nodes]
    store.con.register("_cf_rec", pa.table({"record_id": record_ids}))
    try:
        # The id each record had: by record id, else (a re-import) by content hash.
        prev = store.con.sql("""
            WITH h AS (SELECT record_hash, arg_max(customer_id, rowid) AS customer_id
                       FROM record_customer GROUP BY record_hash)
            SELECT k.record_id, r.record_hash, coalesce(rc.customer_id, h.customer_id) AS prev
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

    ids = assign_stored_ids(store, record_labels, previous_ids,
                            set(previous_customers.column("customer_id").to_pylist()))
    customer_ids = ids.ids_of(record_labels)

    records_table = pa.table({
        "record_id": pa.array(record_ids, pa.int64()),
        "customer_id": pa.array(customer_ids, pa.string()),
        "record_hash": record_hash,
        "run_id": pa.array(np.full(len(record_ids), run_id, dtype=np.int32)),
    })
    store.execute("DELETE FROM record_customer")
    store.insert_arrow("record_customer", records_table)
    if ids.events:
        now = pd.Timestamp.now().to_pydatetime()
        store.insert_arrow("customer_events", pa.Table.from_pylist([
            {"event_time": now, "run_id": run_id, **e} for e in ids.events]))
    build_golden_records(store, run_id, settings.survivorship)
    customers = int(store.query_value("SELECT count(*) FROM customers"))
    record_counts = np.bincount(record_labels)
    sizes = Counter(record_counts[record_counts > 0].tolist())
    no_id = _no_identifier(store)
    review = int(store.query_value(REVIEW_LINKS_SQL))  # what `review export` will write
    store.execute(
        "UPDATE dedupe_runs SET finished_at = now(), records = ?, customers = ?, "
        "candidate_pairs = ?, merged_pairs = ?, review_pairs = ? WHERE run_id = ?",
        [len(record_ids), customers, pair_count, decided.get("merged", 0), review, run_id])
    store.note_processing(rows_read=len(record_ids))
    return DedupeResult(
        run_id=run_id, mode="full", records=len(record_ids), distinct_identities=len(frame),
        customers=customers, candidate_pairs=pair_count, compared_pairs=compared,
        merged_pairs=decided.get("merged", 0), review_pairs=review,
        refused=refused, pairs_per_rule=candidates.pairs_per_rule,
        oversized_blocks=candidates.oversized_blocks,
        cluster_sizes=dict(sorted(sizes.items())), largest_cluster=max(sizes) if sizes else 0,
        new_ids=ids.new_ids, kept_ids=ids.kept_ids,
        events=dict(Counter(e["kind"] for e in ids.events)), no_identifier_records=no_id,
        model=model.to_dict(), timings=timings,
    )


def _save_pairs(store: Store, nodes: Nodes, pairs: _Pairs, probability: np.ndarray,
                scorer: PairScorer, labels: np.ndarray, decisions: _Decisions, run_id: int,
                candidates: Any, threshold: float) -> None:
    import pyarrow as pa

    frame = nodes.frame
    a, b, levels = pairs.a, pairs.b, pairs.levels
    n = len(frame)
    store.execute("DELETE FROM match_pairs")
    # In slices: Arrow copies of every pair at once would double the pairs' memory.
    for start in range(0, len(a), _SAVE_BATCH):
        part = slice(start, start + _SAVE_BATCH)
        store.insert_arrow("match_pairs", pa.table({
            "node_a": pa.array(a[part].astype(np.int32)),
            "node_b": pa.array(b[part].astype(np.int32)),
            "pattern": pa.array(pack_levels({k: v[part] for k, v in levels.items()})),
            "name_similarity": pa.array(levels["name_similarity"][part], pa.float32()),
            "probability": pa.array(probability[part], pa.float64()),
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
    store.execute("DELETE FROM match_keys")
    if candidates.key_hashes is not None:
        store.insert_arrow("match_keys", candidates.key_hashes)
        candidates.key_hashes = None
    # Per node: its cluster as the smallest node index in it, its size, derived columns.
    first = np.full(labels.max() + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(n))
    cluster = first[labels]
    size = frame["size"].to_numpy()
    store.execute("DELETE FROM match_nodes")
    rep = frame["record_id"].to_numpy()
    # In slices: the text of every node's derived columns at once took 540 MB at 1M.
    texts = {name: categories_of(frame[name]) for name in ("node_key", *DERIVED_COLUMNS)}
    for first_row in range(0, n, _SAVE_BATCH // 4):
        rows = np.arange(first_row, min(first_row + _SAVE_BATCH // 4, n))
        columns = {"node": pa.array(rows.astype(np.int32)),
                   "size": pa.array(size[rows].astype(np.int32)),
                   "cluster": pa.array(cluster[rows].astype(np.int32)),
                   "rep": pa.array(rep[rows], pa.int64())}
        for name, values in texts.items():
            columns[name] = column_text(frame[name], rows, values)
        store.insert_arrow("match_nodes", pa.table(columns))
    # Links worth explaining: everything above a floor, with levels and bits per comparison
    # (scored again slice by slice: the same numbers, without keeping bits for every pair).
    rep = frame["record_id"].to_numpy()
    store.execute("DELETE FROM match_links")
    for start, scores in scorer.batches(a, b, levels, _SAVE_BATCH):
        keep = np.flatnonzero(probability[start:start + _SAVE_BATCH] >= LINK_FLOOR)
        rows = start + keep
        matrix = np.stack([levels[c.name][rows] for c in COMPARISONS], axis=1)
        store.insert_arrow("match_links", pa.table({
            "run_id": pa.array(np.full(len(rows), run_id, dtype=np.int32)),
            "record_a": pa.array(rep[a[rows]], pa.int64()),
            "record_b": pa.array(rep[b[rows]], pa.int64()),
            "probability": pa.array(probability[rows], pa.float64()),
            "match_weight": pa.array(scores.logit_bits[keep], pa.float64()),
            "levels": list_array(matrix.astype(np.int8), pa.int8()),
            "bits": list_array(scores.bits[keep].astype(np.float32), pa.float32()),
            "name_similarity": pa.array(levels["name_similarity"][rows], pa.float32()),
            "decision": decisions.arrow(rows),
        }))


def _stats(result: DedupeResult) -> dict[str, Any]:
    data = asdict(result)
    data["cluster_sizes"] = {str(k): v for k, v in result.cluster_sizes.items()}
    return data


__all__ = ["DedupeResult", "DedupeSettings", "dedupe", "format_id", "NULL"]
