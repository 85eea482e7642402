"""The fitted model a run scores with, and the signature that says when it is stale.

A run's model (m, u, the prior, block models and the value counts of term-frequency
adjustment) is fitted once and kept in the store (``dedupe_runs.stats`` -> ``state``, the
value counts in ``match_tf``), so that a pair's probability depends on the pair alone. The
signature covers everything whose change makes kept pairs or clusters stale: the matching
code itself, the comparisons (levels, thresholds), the blocking rules, the settings, the
reviewers' decisions and the DuckDB version (its hash of the stored blocking keys).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from custfocus.dedupe.block import DEFAULT_RULES
from custfocus.dedupe.compare import COMPARISONS
from custfocus.dedupe.model import MatchModel
from custfocus.dedupe.prepare import categories_of
from custfocus.dedupe.score import ValueCounts
from custfocus.store import Store

if TYPE_CHECKING:
    from custfocus.dedupe.run import DedupeSettings

STATE_VERSION = 3


def signature(store: Store, settings: DedupeSettings) -> str:
    """Everything whose change makes the previous run's pairs or clusters stale."""
    import duckdb

    constraints = store.execute(
        "SELECT count(*), sum(hash(source_a, row_a, source_b, row_b, decision)) "
        "FROM match_constraints").fetchone()
    text = json.dumps({
        "code": code_fingerprint(),
        "comparisons": [(c.name, c.levels, c.tf_column, c.tf_level, c.thresholds)
                        for c in COMPARISONS],
        "rules": [(r.name, r.key, r.max_block) for r in DEFAULT_RULES],
        "cluster": asdict(settings.cluster), "survivorship": asdict(settings.survivorship),
        "random_pairs": settings.random_pairs, "seed": settings.seed,
        "duckdb": duckdb.__version__,  # its hash() of the stored blocking keys
        "constraints": [str(v) for v in constraints], "version": STATE_VERSION,
        # A customer forgotten since (custfocus.privacy.forget): the kept value counts went.
        "erasures": store.query_value("SELECT value FROM meta WHERE key = 'erasures'"),
    }, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def code_fingerprint() -> str:
    """The matching code itself: a new version re-matches everything once."""
    from pathlib import Path

    digest = hashlib.sha256()
    for name in sorted(p.name for p in Path(__file__).parent.glob("*.py")):
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


LOOKUP_VALUES = 1_000  # values up to which value_counts looks them up rather than joins


@dataclass
class Trained:
    """The model a run scores with: fitted by this run (``fresh``) or kept from an earlier one
    (its value counts then stay in ``match_tf``, read for the nodes a run scores)."""

    model: MatchModel
    counts: ValueCounts | None  # None: kept in the store
    nodes: int  # nodes it was fitted on
    run: int = 0  # the run that fitted it
    fresh: bool = False
    average: dict[str, float] = field(default_factory=dict)
    store: Store | None = None

    def fits(self, nodes: int, growth: float) -> bool:
        return abs(nodes - self.nodes) <= growth * max(self.nodes, 1)

    def value_counts(self, frame: Any, rows: dict[str, Any] | None = None) -> ValueCounts:
        """The value counts of the values ``frame`` (node rows) holds; with ``rows``
        (comparison -> node indices, :func:`~custfocus.dedupe.score.counted_nodes`), of
        the values of those nodes alone: the only counts an adjustment reads."""
        if self.counts is not None:
            return self.counts
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        # One query for every comparison (a live match asks this per request: one scan of
        # match_tf instead of one per comparison).
        names, values = [], []
        for comp in COMPARISONS:
            if comp.tf_column is None:
                continue
            these = categories_of(frame[comp.tf_column])
            if rows is not None:
                codes = frame[comp.tf_column].array.codes[rows.get(comp.name, [])]
                these = these.take(pa.array(np.unique(codes[codes >= 0]), pa.int64()))
            names.append(pa.array(np.full(len(these), comp.name, dtype=object), pa.string()))
            values.append(these)
        wanted = pa.table({"comparison": pa.concat_arrays(names),
                           "value": pa.concat_arrays(values)})
        distinct = pc.unique(wanted.column("value").combine_chunks()).drop_null().to_pylist()
        if len(distinct) <= LOOKUP_VALUES:
            # A live match's few values: looked up by value alone (the served copy's index
            # on match_tf serves "value IN (?, ...)", not a join), then kept per comparison
            # here, in Python (an Arrow join of a few dozen rows costs a millisecond).
            asked = set(zip(wanted.column("comparison").to_pylist(),
                            wanted.column("value").to_pylist()))
            kept: dict[str, tuple[list[str], list[int]]] = {
                c.name: ([], []) for c in COMPARISONS if c.tf_column is not None}
            for comparison, value, count in self.store.execute(
                    "SELECT comparison, value, count FROM match_tf WHERE value IN "
                    f"({', '.join('?' * len(distinct))}) ORDER BY comparison, value",
                    distinct).fetchall() if distinct else []:
                if (comparison, value) in asked:
                    kept[comparison][0].append(value)
                    kept[comparison][1].append(count)
            return ValueCounts.from_rows([(name, *found) for name, found in kept.items()],
                                         self.average)
        self.store.con.register("_cf_values", wanted)
        try:
            found = self.store.con.sql(
                "SELECT comparison, value, count FROM match_tf "
                "SEMI JOIN _cf_values USING (comparison, value)").to_arrow_table()
        finally:
            self.store.con.unregister("_cf_values")
        rows_of = []
        for comp in COMPARISONS:
            if comp.tf_column is None:
                continue
            part = found.filter(pc.equal(found.column("comparison"), comp.name))
            rows_of.append((comp.name, part.column("value").combine_chunks(),
                            part.column("count").to_numpy()))
        return ValueCounts.from_rows(rows_of, self.average)

    def state(self) -> dict[str, Any]:
        return {"model": self.model.to_dict(),
                "average": self.counts.average if self.counts else self.average,
                "nodes": self.nodes, "run": self.run}


def kept_model(store: Store, signature: str) -> Trained | None:
    """The model kept by the last run, when it was fitted with today's code and settings."""
    row = store.query_value(
        "SELECT stats FROM dedupe_runs WHERE stats IS NOT NULL ORDER BY run_id DESC LIMIT 1")
    state = json.loads(row).get("state") if row else None
    if not state or state.get("signature") != signature or "trained" not in state:
        return None
    kept = state["trained"]
    return Trained(MatchModel.from_dict(kept["model"]), None, int(kept["nodes"]),
                    int(kept["run"]), average=dict(kept["average"]), store=store)


def previous_nodes(store: Store, signature: str) -> tuple[int, int] | None:
    """The node count of the previous run and the last import it saw, when an incremental
    run can build on it."""
    row = store.query_value(
        "SELECT stats FROM dedupe_runs WHERE stats IS NOT NULL ORDER BY run_id DESC LIMIT 1")
    state = json.loads(row).get("state") if row else None
    if not state or state.get("signature") != signature:
        return None
    count = int(state["nodes"])
    if store.query_value("SELECT count(*) FROM match_nodes") != count:
        return None
    return count, int(state.get("imports", 0))


__all__ = ["STATE_VERSION", "Trained", "code_fingerprint", "kept_model", "previous_nodes",
           "signature"]
