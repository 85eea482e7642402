"""An incremental dedupe: after records were added, only what they change is redone.

The model is kept (:class:`custfocus.dedupe.fitted.Trained`), so an earlier pair's evidence never moves; what
new records can change is
  * their own pairs: the new nodes are loaded with the members of the blocks they fall
    in (the blocks over their cap stay over it), blocked, compared and scored alone;
  * the blocks they push over their cap: the old pairs no other block (under its cap)
    makes go, found from the blocking keys every node keeps (``match_keys``);
  * the name-only rule, which reads every node's name, the groups linked by more than a
    name and the pairs within each name: recomputed exactly from the flags the previous
    run kept per pair (``match_pairs``), which changes the probability of a few old pairs;
  * the clusters of the strong-link components holding a new, grown or re-scored node:
    only those are clustered again.
Ids, ``record_customer`` and golden records are rewritten only for the customers of
those components. A full run on the same data with the same model gives the same
clusters (tests and ``bench/bench_incremental.py`` compare them).

What it reads of the whole store is numeric or cheap to scan: the saved node columns
(once, :func:`saved_nodes`), node names (hashed and numbered in DuckDB), same-name pairs
(counted per node), uncorroborated pairs above the cap, and strong pairs. Anything
else (records removed or changed, a store written by an older version) is left to a full
run: :func:`prepare_delta` returns None. A source imported again keeps the record ids of
its unchanged rows, so a grown export is only added records.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from custfocus.dedupe.block import (
    DEFAULT_RULES,
    expand_keys,
    find_candidates,
    key_columns,
    keys_sql,
    level_names,
)
from custfocus.dedupe.cluster import DECISIONS, ClusterSettings, components
from custfocus.dedupe.compare import COMPARISONS, _Encoded, compare_in_batches
from custfocus.dedupe.prepare import (
    DERIVED_COLUMNS,
    NODE_KEY_SQL,
    RECORD_COLUMNS,
    categories_of,
    column_text,
    node_frame,
)
from custfocus.dedupe.score import LINK_FLOOR, PairScorer
from custfocus.store import Store

_CODE = {name: code for code, name in enumerate(DECISIONS)}


@dataclass
class Delta:
    """What was added since the previous run, and the state it is added to."""

    old_nodes: int  # nodes the previous run saved (indices 0..old_nodes-1)
    max_record: int  # the last record the previous run saw
    new_nodes: int  # nodes of new records only (indices old_nodes..)
    grown: np.ndarray  # old nodes that new records joined
    grown_by: np.ndarray  # how many records each of them gained
    last_import: int = 0  # the last import the previous run saw
    new_nodes_table: Any = None  # the new nodes' rows, once read (Arrow; see load_nodes)
    saved: dict[str, np.ndarray] | None = None  # see saved_nodes

    @property
    def nodes(self) -> int:
        return self.old_nodes + self.new_nodes


def prepare_delta(store: Store, old_nodes: int, last_import: int = 0) -> Delta | None:
    """The new records as nodes (temp tables ``_cf_new_node`` and ``_cf_grown``, dropped by
    :func:`forget_delta`), or None when records were removed or changed since the previous
    run (a full run is due)."""
    con = store.con
    count, max_record, unsaved, kept, joined = store.execute("""
        SELECT (SELECT count(*) FROM record_customer), (SELECT max(record_id) FROM record_customer),
               (SELECT count(*) FROM match_nodes WHERE rep IS NULL),
               (SELECT count(*) FROM records
                WHERE record_id <= (SELECT max(record_id) FROM record_customer)),
               (SELECT count(*) FROM record_customer JOIN records USING (record_id))""").fetchone()
    if not count or unsaved or kept != count or joined != count:
        return None
    max_record = int(max_record)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _cf_new_record AS
        SELECT record_id, {NODE_KEY_SQL} AS node_key
        FROM (SELECT {RECORD_COLUMNS} FROM records WHERE record_id > {max_record})""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _cf_grown AS
        SELECT m.node, count(*) AS added FROM _cf_new_record k
        JOIN match_nodes m USING (node_key) GROUP BY m.node ORDER BY m.node""")
    grown = con.execute("SELECT node, added FROM _cf_grown ORDER BY node").fetchnumpy()
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _cf_new_node AS
        SELECT node_key, min(record_id) AS rep, count(*) AS size,
               {old_nodes} + row_number() OVER (ORDER BY min(record_id)) - 1 AS node
        FROM _cf_new_record WHERE node_key NOT IN (SELECT node_key FROM match_nodes)
        GROUP BY node_key""")
    return Delta(
        old_nodes=old_nodes, max_record=max_record,
        new_nodes=int(store.query_value("SELECT count(*) FROM _cf_new_node")),
        grown=np.asarray(grown["node"], dtype=np.int64),
        grown_by=np.asarray(grown["added"], dtype=np.int64), last_import=last_import)


def saved_nodes(store: Store, delta: Delta) -> dict[str, np.ndarray]:
    """What the previous run saved per node (rep, cluster, size; by node), read once for
    the run: the clustering and the save both need it."""
    if delta.saved is None:
        delta.saved = {name: np.asarray(values, np.int64) for name, values in store.execute(
            "SELECT rep, cluster, size FROM match_nodes ORDER BY node"
        ).fetchnumpy().items()}
    return delta.saved


def forget_delta(store: Store) -> None:
    for table in ("_cf_new_record", "_cf_new_node", "_cf_grown"):
        store.execute(f"DROP TABLE IF EXISTS {table}")


# Record columns read only to derive match columns (or to save), not to block or compare.
_DERIVED_ONLY = ("given_name", "family_name", "full_name", "company", "source", "unit",
                 "record_hash")


def load_nodes(store: Store, delta: Delta, old: np.ndarray) -> tuple[Any, np.ndarray]:
    """The node frame of the ``old`` nodes (sorted indices) followed by every new node, and
    the global index of each of its rows.

    The new nodes are read and their match columns derived by the first call; later calls
    reuse them (``delta.new_nodes_table``) and read only old nodes, whose derived columns
    the previous run saved.
    """
    import pyarrow as pa

    known = ", ".join(f"m.{c} AS known_{c}" for c in DERIVED_COLUMNS)
    derived = [f"known_{c}" for c in DERIVED_COLUMNS]
    first = delta.new_nodes_table is None
    if first:
        unknown = ", ".join(f"CAST(NULL AS VARCHAR) AS known_{c}" for c in DERIVED_COLUMNS)
        delta.new_nodes_table = store.con.sql(f"""
            SELECT CAST(n.node AS INTEGER) AS node, n.node_key, CAST(n.size AS BIGINT) AS size,
                   r.*, {unknown}
            FROM _cf_new_node n
            JOIN (SELECT {RECORD_COLUMNS} FROM records
                  WHERE record_id > {delta.max_record}) r ON r.record_id = n.rep
            ORDER BY n.node""").to_arrow_table()
    new = delta.new_nodes_table
    # The texts derived columns come from are read only until they are derived; an old
    # node's key is not read at all (only a new node's is saved).
    drop = f"EXCLUDE ({', '.join(_DERIVED_ONLY)})"
    store.con.register("_cf_pick", pa.table({"node": pa.array(old, pa.int32())}))
    try:
        before = store.con.sql(f"""
            WITH picked AS MATERIALIZED (SELECT * FROM match_nodes
                                         WHERE {"node IN (SELECT node FROM _cf_pick)"
                                                if len(old) else "false"})
            SELECT m.node, CAST(NULL AS VARCHAR) AS node_key,
                   CAST(m.size + coalesce(g.added, 0) AS BIGINT) AS size,
                   r.*, {known}
            FROM picked m
            LEFT JOIN _cf_grown g ON g.node = m.node
            JOIN (SELECT * {drop} FROM (SELECT {RECORD_COLUMNS} FROM records
                  WHERE record_id IN (SELECT rep FROM picked))) r ON r.record_id = m.rep
            ORDER BY m.node""").to_arrow_table()
    finally:
        store.con.unregister("_cf_pick")
    # (The first call's new rows hold the texts the old rows lack: nulls there.)
    table = pa.concat_tables([before, new.cast(pa.schema(
        [before.schema.field(c) if c in before.column_names else new.schema.field(c)
         for c in new.column_names]))], promote_options="default")
    nodes = table.column("node").to_numpy().astype(np.int64)
    known_table = table.select(derived).rename_columns(list(DERIVED_COLUMNS))
    is_known = np.arange(len(nodes)) < before.num_rows + (0 if first else new.num_rows)
    frame = node_frame(table.drop_columns(["node", *derived]), known_table, is_known)
    if first:  # keep the new nodes' derived columns, and drop the texts they came from
        rows = np.arange(before.num_rows, len(nodes))
        new = new.drop_columns(derived + list(_DERIVED_ONLY))
        for name in DERIVED_COLUMNS:
            new = new.append_column(f"known_{name}", column_text(
                frame[name], rows, categories_of(frame[name])))
        delta.new_nodes_table = new
    return frame, nodes


def neighbours(store: Store, frame: Any, rows: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Old nodes sharing a blocking key, in a block not over its cap before, with the rows
    ``rows`` of ``frame`` (global indices ``nodes``).

    Under a block over its cap before, the rows' keys of the level below (sub-block, walk
    window; :func:`custfocus.dedupe.block.expand_keys`) are looked up too: the old members
    of those blocks kept theirs in ``match_keys``.
    """
    import pyarrow as pa

    columns = key_columns(frame, rows)
    columns["node"] = pa.array(nodes, pa.int32())
    store.con.register("_cf_key_nodes", pa.table(columns))
    store.con.register("_cf_rule_names", _rule_numbers())
    try:
        store.con.execute("""
            CREATE OR REPLACE TEMP TABLE _cf_was_over AS SELECT n.rule, b.key
            FROM match_blocks b JOIN _cf_rule_names n ON n.name = b.rule""")
        store.con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _cf_keys AS SELECT *, false AS stored FROM (
            {keys_sql(DEFAULT_RULES, '_cf_key_nodes')})""")
        expand_keys(store.con, DEFAULT_RULES, "_cf_key_nodes", "_cf_keys", "_cf_was_over",
                    count=False)
        found = store.con.execute("""
            WITH wanted AS (
                SELECT DISTINCT rule, key FROM _cf_keys
                EXCEPT SELECT rule, key FROM _cf_was_over)
            SELECT DISTINCT node FROM match_keys
            SEMI JOIN (SELECT rule, hash(key) AS key_hash FROM wanted) USING (rule, key_hash)
            ORDER BY node""").fetchnumpy()["node"]
    finally:
        store.con.unregister("_cf_key_nodes")
        store.con.unregister("_cf_rule_names")
        for table in ("_cf_keys", "_cf_was_over", "walk_unsplit"):
            store.con.execute(f"DROP TABLE IF EXISTS {table}")
    return np.asarray(found, dtype=np.int64)


@dataclass
class NewPairs:
    """The pairs this run generated (global node indices, sorted), with what is saved of
    them."""

    a: np.ndarray
    b: np.ndarray
    levels: dict[str, np.ndarray]
    probability: np.ndarray  # the model's
    la: np.ndarray  # the same pairs by row of ``frame``
    lb: np.ndarray
    dropped: np.ndarray  # old pairs no block makes any more, as keys (see _pair_key)
    oversized_new: Any  # Arrow (rule, key): blocks over their cap since this run
    new_keys: Any
    pairs_per_rule: dict[str, int]
    oversized_blocks: dict[str, int]
    frame: Any  # the nodes they touch
    rows: np.ndarray  # global index of each frame row
    scorer: PairScorer


@dataclass
class Blocked:
    """The candidate pairs of an incremental run, by row of ``frame``."""

    frame: Any  # the new nodes and the old ones sharing a block with them
    rows: np.ndarray  # global index of each frame row
    candidates: Any
    dropped: Dropped  # old pairs no block makes any more
    oversized_new: Any  # Arrow (rule, key): blocks over their cap since this run
    new_keys: Any  # Arrow (rule, key_hash, node): the new nodes' keys, for match_keys


def block_new(store: Store, delta: Delta) -> Blocked:
    """Every pair touching a new node, and the old pairs that a block the new nodes pushed
    over its cap made alone (they go, as in a full run, which skips that block)."""
    import pyarrow as pa

    was_over = store.con.sql("SELECT rule, key FROM match_blocks").to_arrow_table()
    new_frame, new_rows = load_nodes(store, delta, np.zeros(0, dtype=np.int64))
    old = neighbours(store, new_frame, np.arange(len(new_rows)), new_rows)
    # Every member of every block a new node is in (under its cap before) is loaded, so the
    # blocks' sizes, and those now over the cap, are exact (hashes only add neighbours).
    frame, rows = load_nodes(store, delta, old[old < delta.old_nodes])
    fresh = np.flatnonzero(rows >= delta.old_nodes)
    candidates = find_candidates(frame, fresh=fresh, oversized_before=was_over,
                                 still_over=True, pair_crossed=False, connection=store.con)
    oversized = candidates.oversized_keys
    if oversized is not None and oversized.num_rows:
        before = set(zip(was_over.column("rule").to_pylist(), was_over.column("key").to_pylist()))
        keep = [(r, k) not in before for r, k in zip(oversized.column("rule").to_pylist(),
                                                     oversized.column("key").to_pylist())]
        oversized = oversized.filter(pa.array(keep, pa.bool_()))
    # The keys match_keys lacks (the new nodes', old nodes' under a block that crossed its
    # cap now), by global node.
    new_keys = candidates.key_hashes
    new_keys = new_keys.set_column(new_keys.schema.get_field_index("node"), "node", pa.array(
        rows[new_keys.column("node").to_numpy()], pa.int32()))
    candidates.key_hashes = None
    dropped = dropped_pairs(store, oversized, new_keys)
    return Blocked(frame, rows, candidates, dropped, oversized, new_keys)


def _rule_numbers() -> Any:
    """Arrow (rule, name): the number of each blocking rule, as ``match_keys`` stores it."""
    import pyarrow as pa

    names = [name for name, _ in level_names(DEFAULT_RULES)]
    return pa.table({"rule": pa.array(np.arange(len(names), dtype=np.int8)),
                     "name": pa.array(names, pa.string())})


def _pair_key(a: Any, b: Any) -> Any:
    """One integer per pair of nodes (node indices are INTEGER): numpy arrays or SQL text."""
    if isinstance(a, str):
        return f"(CAST({a} AS BIGINT) * 4294967296 + {b})"
    return np.asarray(a, np.int64) * 4294967296 + np.asarray(b, np.int64)


@dataclass
class Dropped:
    """Old pairs no block makes any more: their keys (see :func:`_pair_key`, sorted)."""

    key: np.ndarray

    @classmethod
    def none(cls) -> Dropped:
        return cls(np.zeros(0, np.int64))


def dropped_pairs(store: Store, grown_over: Any, new_keys: Any = None) -> Dropped:
    """Keys of the old pairs that only blocks now over their cap (``grown_over``, Arrow:
    rule, key) made: a pair stays while the two nodes share a key of a block under its cap.
    ``new_keys`` (Arrow: rule, key_hash, node): keys not in ``match_keys`` yet, such as the
    sub-blocks and walk windows of a block that crossed its cap now, which keep pairs too.

    Read from the stored keys (``match_keys``) alone: a block of the phone2-vs-phone rule
    shared under its cap always makes the pair by one of the three phone rules (its
    members by phone or by phone2 are blocks no larger, with larger caps).
    """

    if grown_over is None or not grown_over.num_rows:
        return Dropped.none()
    import pyarrow as pa

    if new_keys is None:
        new_keys = pa.table({"rule": pa.array([], pa.int8()), "key_hash": pa.array([], pa.uint64()),
                             "node": pa.array([], pa.int32())})
    store.con.register("_cf_rule_names", _rule_numbers())
    store.con.register("_cf_grown_over", grown_over)
    store.con.register("_cf_new_keys", new_keys)
    try:
        found = store.execute(f"""
            WITH all_keys AS (SELECT rule, key_hash, node FROM match_keys
                              UNION ALL SELECT rule, key_hash, node FROM _cf_new_keys),
            grown AS (SELECT n.rule, hash(g.key) AS key_hash FROM _cf_grown_over g
                           JOIN _cf_rule_names n ON n.name = g.rule),
            over AS (SELECT rule, key_hash FROM grown
                     UNION SELECT n.rule, hash(b.key) FROM match_blocks b
                     JOIN _cf_rule_names n ON n.name = b.rule),
            members AS (SELECT node, rule, key_hash FROM all_keys
                        SEMI JOIN grown USING (rule, key_hash)),
            inside AS (SELECT DISTINCT p.node_a, p.node_b FROM match_pairs p
                       JOIN members x ON x.node = p.node_a
                       JOIN members y ON y.node = p.node_b AND y.rule = x.rule
                                      AND y.key_hash = x.key_hash),
            ends AS (SELECT node_a AS node FROM inside UNION SELECT node_b FROM inside),
            keys AS (SELECT k.node, k.rule, k.key_hash FROM all_keys k
                     SEMI JOIN ends USING (node) ANTI JOIN over USING (rule, key_hash)),
            kept AS (SELECT DISTINCT i.node_a, i.node_b FROM inside i
                     JOIN keys ka ON ka.node = i.node_a
                     JOIN keys kb ON kb.node = i.node_b AND kb.rule = ka.rule
                                  AND kb.key_hash = ka.key_hash)
            SELECT {_pair_key("d.node_a", "d.node_b")} AS key
            FROM (SELECT * FROM inside EXCEPT SELECT * FROM kept) d ORDER BY key
            """).fetchnumpy()
    finally:
        store.con.unregister("_cf_rule_names")
        store.con.unregister("_cf_grown_over")
        store.con.unregister("_cf_new_keys")
    return Dropped(np.asarray(found["key"], np.int64))


def compare_new(store: Store, blocked: Blocked, trained: Any) -> NewPairs:
    """Levels and the model's probability of the new pairs (the kept model and counts)."""
    frame, rows, candidates = blocked.frame, blocked.rows, blocked.candidates
    la, lb = candidates.a, candidates.b
    levels = compare_in_batches(_Encoded(frame), la, lb)
    scorer = PairScorer(trained.model, trained.value_counts(frame).frequencies(frame))
    return NewPairs(
        a=rows[la], b=rows[lb], la=la, lb=lb, levels=levels,
        probability=scorer.probability(la, lb, levels),
        dropped=blocked.dropped.key, oversized_new=blocked.oversized_new,
        new_keys=blocked.new_keys,
        pairs_per_rule=candidates.pairs_per_rule,
        oversized_blocks=candidates.oversized_blocks, frame=frame, rows=rows, scorer=scorer)


def constraint_nodes(store: Store) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Reviewer decisions as pairs of global nodes (must-link, cannot-link)."""
    rows = store.execute(f"""
        WITH r AS (SELECT source, row, max(record_id) AS record_id FROM records
                   WHERE (source, row) IN (SELECT (source_a, row_a) FROM match_constraints
                                           UNION ALL
                                           SELECT (source_b, row_b) FROM match_constraints)
                   GROUP BY source, row),
        keyed AS (SELECT record_id, {NODE_KEY_SQL} AS node_key
                  FROM (SELECT {RECORD_COLUMNS} FROM records
                        WHERE record_id IN (SELECT record_id FROM r))),
        nodes AS (SELECT node_key, node FROM match_nodes
                  UNION ALL SELECT node_key, node FROM _cf_new_node),
        node_of AS (SELECT r.source, r.row, n.node FROM r JOIN keyed k USING (record_id)
                    JOIN nodes n USING (node_key))
        SELECT na.node, nb.node, c.decision FROM match_constraints c
        JOIN node_of na ON na.source = c.source_a AND na.row = c.row_a
        JOIN node_of nb ON nb.source = c.source_b AND nb.row = c.row_b
        ORDER BY c.rowid""").fetchall()
    must, cannot = [], []
    for x, y, decision in rows:
        x, y = int(x), int(y)
        if x != y:
            (must if decision == "same" else cannot).append((min(x, y), max(x, y)))
    return must, cannot


def _dropped_filter(alias: str = "", dropped: bool = False) -> str:
    """SQL: the pair is not one of the dropped ones (table ``_cf_dropped``), or is."""
    p = f"{alias}." if alias else ""
    return (f"{_pair_key(p + 'node_a', p + 'node_b')} {'IN' if dropped else 'NOT IN'} "
            "(SELECT key FROM _cf_dropped)")


@dataclass
class Reclustered:
    """The clusters after the run: per dirty node its new cluster (smallest member)."""

    dirty: np.ndarray  # global nodes clustered again (sorted)
    cluster: np.ndarray  # their cluster
    # Every pair touching a dirty node (both sides dirty when strong): global nodes, final
    # probability, decision code; and whether it is new.
    a: np.ndarray
    b: np.ndarray
    probability: np.ndarray
    codes: np.ndarray
    refused: dict[str, int]
    changed: np.ndarray  # per pair: new, or its probability or decision changed
    was_strong: np.ndarray  # per pair: in the previous run's strong pairs


def recluster(store: Store, delta: Delta, pairs: NewPairs, trained: Any,
              settings: ClusterSettings, must: list[tuple[int, int]],
              cannot: list[tuple[int, int]]) -> Reclustered:
    """Cluster again the strong-link components that could differ from the previous run's:
    those holding a new or grown node, an end of a dropped pair (a dropped pair was
    evidence between groups) or of a reviewer decision. Through the same
    :func:`custfocus.dedupe.run.cluster_with_evidence` as a full run, with every compared
    pair among their nodes as evidence, so the clusters are the full run's."""
    from custfocus.dedupe.run import Completion, cluster_with_evidence

    n = delta.nodes
    threshold = settings.match_threshold
    names = ", ".join(f"'{d}'" for d in DECISIONS)
    strong = store.execute(f"SELECT node_a, node_b, probability, "
                           f"list_position([{names}], decision) - 1 AS code "
                           f"FROM match_strong").fetchnumpy()
    sa, sb = np.asarray(strong["node_a"], np.int64), np.asarray(strong["node_b"], np.int64)
    stay = ~np.isin(_pair_key(sa, sb), pairs.dropped) if len(pairs.dropped) else (
        np.ones(len(sa), dtype=bool))
    keep_new = pairs.probability >= threshold
    ea = np.concatenate([sa[stay], pairs.a[keep_new]])
    eb = np.concatenate([sb[stay], pairs.b[keep_new]])

    seeds = [np.arange(delta.old_nodes, n), delta.grown,
             pairs.dropped >> 32, pairs.dropped & 0xFFFFFFFF]
    links = np.array([*must, *cannot], dtype=np.int64).reshape(-1)
    seeds.append(links)
    must_arr = np.array(must, dtype=np.int64).reshape(-1, 2)
    component = components(n, np.concatenate([ea, must_arr[:, 0]]),
                           np.concatenate([eb, must_arr[:, 1]]))
    seed = np.unique(np.concatenate(seeds), return_counts=True)[0]  # (the sorting path)
    dirty = np.flatnonzero(np.isin(component,
                                   np.unique(component[seed], return_counts=True)[0]))

    # Every old pair touching a dirty node, as saved (the dropped ones gone).
    import pyarrow as pa

    store.con.register("_cf_dirty", pa.table({"node": pa.array(dirty, pa.int32())}))
    try:  # (two semi-joins: an OR of the two took four times as long at 1M)
        old = store.execute(
            "SELECT node_a, node_b, probability FROM match_pairs "
            "WHERE node_a IN (SELECT node FROM _cf_dirty) UNION ALL "
            "SELECT node_a, node_b, probability FROM match_pairs "
            "WHERE node_b IN (SELECT node FROM _cf_dirty) "
            "AND node_a NOT IN (SELECT node FROM _cf_dirty)").fetchnumpy()
    finally:
        store.con.unregister("_cf_dirty")
    oa, ob = np.asarray(old["node_a"], np.int64), np.asarray(old["node_b"], np.int64)
    op = np.asarray(old["probability"], np.float64)
    if len(pairs.dropped):
        live = ~np.isin(_pair_key(oa, ob), pairs.dropped)
        oa, ob, op = oa[live], ob[live], op[live]
    all_a = np.concatenate([oa, pairs.a])
    all_b = np.concatenate([ob, pairs.b])
    all_p = np.concatenate([op, pairs.probability])

    # The pairs among dirty nodes, by row of their frame, in the full run's order (a, b).
    in_dirty = np.zeros(n, dtype=bool)
    in_dirty[dirty] = True
    inside = np.flatnonzero(in_dirty[all_a] & in_dirty[all_b])
    inside = inside[np.lexsort((all_b[inside], all_a[inside]))]
    frame, rows = load_nodes(store, delta, dirty[dirty < delta.old_nodes])
    ca = np.searchsorted(rows, all_a[inside])
    cb = np.searchsorted(rows, all_b[inside])
    sub_must = [(int(np.searchsorted(rows, x)), int(np.searchsorted(rows, y)))
                for x, y in must if in_dirty[x] and in_dirty[y]]
    sub_cannot = [(int(np.searchsorted(rows, x)), int(np.searchsorted(rows, y)))
                  for x, y in cannot if in_dirty[x] and in_dirty[y]]
    completion = Completion(
        PairScorer(trained.model, trained.value_counts(frame).frequencies(frame)),
        _Encoded(frame))
    clustering, strong_inside = cluster_with_evidence(
        frame, ca, cb, all_p[inside], settings, sub_must, sub_cannot, completion)
    labels = np.asarray(clustering.labels, dtype=np.int64)
    smallest = np.full(labels.max() + 1 if len(labels) else 0, n, dtype=np.int64)
    np.minimum.at(smallest, labels, rows)
    cluster = smallest[labels]

    # Every pair touching a dirty node: strong ones decided by the clustering, the others by
    # the clusters (review band) or "below".
    saved = np.concatenate([saved_nodes(store, delta)["cluster"],
                            np.full(delta.new_nodes, -1, np.int64)])
    clusters = saved.copy()
    clusters[dirty] = cluster
    codes = _band_codes(all_a, all_b, all_p, clusters, settings)
    codes[inside[strong_inside]] = clustering.codes
    # What the previous run decided on the same old pairs: only differences are written.
    before = _band_codes(oa, ob, op, saved, settings)
    was_strong = op >= threshold
    before[was_strong] = _saved_codes(_pair_key(sa, sb), np.asarray(strong["code"], np.int8),
                                      _pair_key(oa[was_strong], ob[was_strong]))
    changed = np.concatenate([codes[:len(oa)] != before, np.ones(len(pairs.a), dtype=bool)])
    return Reclustered(dirty=dirty, cluster=cluster, a=all_a, b=all_b, probability=all_p,
                       codes=codes, refused=clustering.refused, changed=changed,
                       was_strong=np.concatenate([was_strong, np.zeros(len(pairs.a), bool)]))


def _saved_codes(keys: np.ndarray, codes: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The code saved for each ``wanted`` pair key (``keys``, ``codes``: the saved pairs);
    0 ("below") for a pair not saved."""
    out = np.zeros(len(wanted), dtype=np.int8)
    if not len(keys) or not len(wanted):
        return out
    order = np.argsort(keys)
    found = order[np.minimum(np.searchsorted(keys, wanted, sorter=order), len(order) - 1)]
    hit = keys[found] == wanted
    out[hit] = codes[found[hit]]
    return out


def _band_codes(a: np.ndarray, b: np.ndarray, probability: np.ndarray, clusters: np.ndarray,
                settings: ClusterSettings) -> np.ndarray:
    """Decision codes of pairs under the match threshold: review or same cluster in the
    review band (by ``clusters``), below it "below"."""
    codes = np.zeros(len(a), dtype=np.int8)
    band = (probability >= settings.review_threshold) & (probability < settings.match_threshold)
    codes[band] = np.where(clusters[a[band]] == clusters[b[band]], _CODE["same_cluster"],
                           _CODE["review"])
    return codes




# -- saving -------------------------------------------------------------------------------------


def save_delta(store: Store, delta: Delta, pairs: NewPairs, result: Reclustered, run_id: int, threshold: float, survivorship: Any
               ) -> dict[str, Any]:
    """Write what changed: pairs, nodes, blocks, strong pairs, links, then the customers
    of the re-clustered components. Returns the counts a run reports."""
    import pyarrow as pa

    from custfocus.dedupe.compare import list_array, pack_levels

    con = store.con
    old_n = delta.old_nodes
    saved = saved_nodes(store, delta)
    new_rows = np.flatnonzero(pairs.rows >= old_n)
    frame = pairs.frame
    rep = np.concatenate([saved["rep"],
                          frame["record_id"].to_numpy()[new_rows].astype(np.int64)])
    # Pairs: the dropped ones go, with their strong pair and link; flags that flipped.
    if len(pairs.dropped):
        con.execute(f"DELETE FROM match_pairs WHERE {_dropped_filter(dropped=True)}")
        con.execute(f"DELETE FROM match_strong WHERE {_dropped_filter(dropped=True)}")
        con.register("_cf_dropped_links", pa.table({
            "record_a": pa.array(rep[pairs.dropped >> 32], pa.int64()),
            "record_b": pa.array(rep[pairs.dropped & 0xFFFFFFFF], pa.int64())}))
        try:
            con.execute("DELETE FROM match_links USING _cf_dropped_links d WHERE "
                        "match_links.record_a = d.record_a AND match_links.record_b = d.record_b")
        finally:
            con.unregister("_cf_dropped_links")
    if len(pairs.a):
        store.insert_arrow("match_pairs", pa.table({
            "node_a": pa.array(pairs.a, pa.int32()), "node_b": pa.array(pairs.b, pa.int32()),
            "pattern": pa.array(pack_levels(pairs.levels)),
            "name_similarity": pa.array(pairs.levels["name_similarity"], pa.float32()),
            "probability": pa.array(pairs.probability, pa.float64())}))
    # Nodes: clusters, sizes and identity groups that changed; the new ones.
    cluster = np.concatenate([saved["cluster"],
                              np.zeros(delta.new_nodes, np.int64)])
    cluster[result.dirty] = result.cluster
    size = frame["size"].to_numpy()
    stored_size = saved["size"].copy()
    stored_size[delta.grown] += delta.grown_by
    changed = np.zeros(old_n, dtype=bool)
    changed[result.dirty[result.dirty < old_n]] = True
    changed[delta.grown] = True
    old_rows = np.flatnonzero(changed)
    if len(old_rows):
        _update(store, "match_nodes", ("node",), pa.table({
            "node": pa.array(old_rows, pa.int32()),
            "size": pa.array(stored_size[old_rows], pa.int32()),
            "cluster": pa.array(cluster[old_rows], pa.int32())}))
    if len(new_rows):
        columns = {"node": pa.array(pairs.rows[new_rows], pa.int32()),
                   "size": pa.array(size[new_rows], pa.int32()),
                   "cluster": pa.array(cluster[pairs.rows[new_rows]], pa.int32()),
                   "rep": pa.array(rep[pairs.rows[new_rows]], pa.int64())}
        for name in ("node_key", *DERIVED_COLUMNS):
            columns[name] = column_text(frame[name], new_rows, categories_of(frame[name]))
        store.insert_arrow("match_nodes", pa.table(columns))
    if pairs.oversized_new is not None and pairs.oversized_new.num_rows:
        store.insert_arrow("match_blocks", pairs.oversized_new)
    if pairs.new_keys.num_rows:
        store.insert_arrow("match_keys", pairs.new_keys)
    # Strong pairs and links: only those that are new or changed.
    names = pa.array(list(DECISIONS), pa.string())

    def decision(codes: np.ndarray) -> Any:
        return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), names)

    old_pairs = len(result.a) - len(pairs.a)  # the re-clustered old pairs come first
    changed = np.flatnonzero(result.changed[:old_pairs])
    gone = changed[result.was_strong[changed]]
    if len(gone):
        con.register("_cf_gone", pa.table({"node_a": pa.array(result.a[gone], pa.int32()),
                                           "node_b": pa.array(result.b[gone], pa.int32())}))
        try:
            con.execute("DELETE FROM match_strong USING _cf_gone g WHERE "
                        "match_strong.node_a = g.node_a AND match_strong.node_b = g.node_b")
        finally:
            con.unregister("_cf_gone")
    strong = np.flatnonzero(result.changed & (result.probability >= threshold))
    store.insert_arrow("match_strong", pa.table({
        "node_a": pa.array(result.a[strong], pa.int32()),
        "node_b": pa.array(result.b[strong], pa.int32()),
        "probability": pa.array(result.probability[strong], pa.float64()),
        "decision": decision(result.codes[strong])}))
    linked = changed[result.probability[changed] >= LINK_FLOOR]
    if len(linked):
        _update(store, "match_links", ("record_a", "record_b"), pa.table({
            "record_a": pa.array(rep[result.a[linked]], pa.int64()),
            "record_b": pa.array(rep[result.b[linked]], pa.int64()),
            "probability": pa.array(result.probability[linked], pa.float64()),
            "decision": decision(result.codes[linked]).dictionary_decode(),
            "run_id": pa.array(np.full(len(linked), run_id, np.int32()))}))
    fresh = np.flatnonzero(result.probability[old_pairs:] >= LINK_FLOOR)
    if len(fresh):
        rows = fresh
        scores = pairs.scorer.score(pairs.la[rows], pairs.lb[rows],
                                    {k: v[rows] for k, v in pairs.levels.items()})
        matrix = np.stack([pairs.levels[c.name][rows] for c in COMPARISONS], axis=1)
        store.insert_arrow("match_links", pa.table({
            "run_id": pa.array(np.full(len(rows), run_id, dtype=np.int32)),
            "record_a": pa.array(rep[pairs.a[rows]], pa.int64()),
            "record_b": pa.array(rep[pairs.b[rows]], pa.int64()),
            "probability": pa.array(result.probability[old_pairs + rows], pa.float64()),
            "match_weight": pa.array(scores.logit_bits, pa.float64()),
            "levels": list_array(matrix.astype(np.int8), pa.int8()),
            "bits": list_array(scores.bits.astype(np.float32), pa.float32()),
            "name_similarity": pa.array(pairs.levels["name_similarity"][rows],
                                        pa.float32()),
            "decision": decision(result.codes[old_pairs + rows])}))
    return _save_customers(store, delta, result, cluster, run_id, survivorship)


def _update(store: Store, table: str, keys: tuple[str, ...], rows: Any) -> None:
    """UPDATE ``table`` from the Arrow ``rows`` matched on ``keys``."""
    store.con.register("_cf_update", rows)
    try:
        values = ", ".join(f"{c} = u.{c}" for c in rows.column_names if c not in keys)
        match = " AND ".join(f"{table}.{k} = u.{k}" for k in keys)
        store.execute(f"UPDATE {table} SET {values} FROM _cf_update u WHERE {match}")
    finally:
        store.con.unregister("_cf_update")


def _save_customers(store: Store, delta: Delta, result: Reclustered, cluster: np.ndarray,
                    run_id: int, survivorship: Any) -> dict[str, Any]:
    """Ids, ``record_customer``, events and golden records of the records whose cluster
    may have changed: those of every customer with a node in a re-clustered component (a
    customer never spans two components), and the new records."""
    import pandas as pd
    import pyarrow as pa

    from custfocus.dedupe.golden import build_golden_records
    from custfocus.dedupe.ids import assign_stored_ids

    con = store.con
    # Every node of these customers is dirty (a customer lies in one component, and the
    # new nodes are dirty), so records find their node among the dirty ones.
    con.register("_cf_dirty_all", pa.table({"node": pa.array(result.dirty, pa.int32())}))
    try:
        moved = con.sql(f"""
            WITH dirty AS (SELECT node, node_key, rep FROM match_nodes
                           WHERE node IN (SELECT node FROM _cf_dirty_all)),
            owners AS (
                SELECT DISTINCT rc.customer_id FROM dirty m
                JOIN record_customer rc ON rc.record_id = m.rep),
            chosen AS (
                SELECT record_id, customer_id AS prev FROM record_customer
                WHERE customer_id IN (SELECT customer_id FROM owners)
                UNION ALL
                SELECT record_id, NULL FROM records WHERE record_id > {delta.max_record}),
            keyed AS (
                SELECT record_id, record_hash, {NODE_KEY_SQL} AS node_key
                FROM (SELECT {RECORD_COLUMNS} FROM records
                      WHERE record_id IN (SELECT record_id FROM chosen)))
            SELECT k.record_id, k.record_hash, c.prev, m.node
            FROM keyed k JOIN chosen c USING (record_id) LEFT JOIN dirty m USING (node_key)
            ORDER BY k.record_id""").to_arrow_table()
    finally:
        con.unregister("_cf_dirty_all")
    if moved.column("node").null_count:
        raise RuntimeError("incremental dedupe: a re-clustered record has no re-clustered node")
    labels = cluster[moved.column("node").to_numpy().astype(np.int64)]
    previous = moved.column("prev").to_numpy(zero_copy_only=False)
    before = {v for v in previous.tolist() if v is not None}
    ids = assign_stored_ids(store, labels, previous, before)
    customer_ids = ids.ids_of(labels)
    gone = {e["customer_id"] for e in ids.events if e["kind"] == "retired"}
    # Only the rows whose customer changed are rewritten, and only those customers rebuilt.
    moved_now = np.asarray([p != c for p, c in zip(previous.tolist(), customer_ids.tolist())],
                           dtype=bool)
    rows = pa.table({
        "record_id": moved.column("record_id"),
        "customer_id": pa.array(customer_ids, pa.string()),
        "record_hash": moved.column("record_hash"),
        "run_id": pa.array(np.full(moved.num_rows, run_id, dtype=np.int32))}).filter(
            pa.array(moved_now))
    con.register("_cf_moved", rows)
    try:
        store.execute("DELETE FROM record_customer WHERE record_id IN "
                      "(SELECT record_id FROM _cf_moved)")
        store.execute("INSERT INTO record_customer SELECT * FROM _cf_moved")
    finally:
        con.unregister("_cf_moved")
    if ids.events:
        now = pd.Timestamp.now().to_pydatetime()
        store.insert_arrow("customer_events", pa.Table.from_pylist([
            {"event_time": now, "run_id": run_id, **e} for e in ids.events]))
    before = {v for v in previous[moved_now].tolist() if v is not None} | gone
    customer_ids = customer_ids[moved_now]
    # A record of a re-imported source keeps its id when its content did not change, but
    # what else it holds (a newer date, its row) may have: its customer is rebuilt too.
    reimported = {row[0] for row in store.execute(
        "SELECT DISTINCT rc.customer_id FROM record_customer rc JOIN records r "
        "USING (record_id) WHERE r.import_id > ?", [delta.last_import]).fetchall()}
    touched = pa.table({"customer_id": pa.array(
        sorted(before | set(customer_ids.tolist()) | reimported), pa.string())})
    con.register("_cf_changed", touched)
    try:
        build_golden_records(store, run_id, survivorship, only="_cf_changed")
    finally:
        con.unregister("_cf_changed")
    return {"new_ids": ids.new_ids, "kept_ids": ids.kept_ids,
            "events": dict(Counter(e["kind"] for e in ids.events))}
