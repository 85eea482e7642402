"""Scoring: each candidate pair's evidence, in bits, under the fitted model
(:mod:`custfocus.dedupe.model`), with term-frequency weights.

Term frequencies as Splink adjusts them: agreeing on a value that many records carry (García,
María, a switchboard number) is weaker evidence than agreeing on a rare one. For a pair that
agrees at a comparison's top level on a value ``f`` nodes carry, the chance that a random
other node carries it too is (f - 1) / (N - 1) instead of the level's average u; the
adjustment is the log-ratio of the two, from value counts kept with the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from custfocus.dedupe.compare import COMPARISONS
from custfocus.dedupe.model import WEIGHT_BOUNDS, MatchModel, agree_at_top

TF_CLIP_BITS = (-10.0, 10.0)


def tf_adjustments(nodes: Any, a: np.ndarray, b: np.ndarray,
                   levels: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Extra bits for agreeing on a rare value, fewer for a common one (Splink-style)."""
    return term_frequencies(nodes).adjust(a, b, levels)


@dataclass
class TermFrequencies:
    """What term-frequency adjustment needs, fixed for a run: per comparison, how many nodes
    carry each node's value, and how many *other* nodes a node's value is shared with on
    average (``shared``). With them any slice of the pairs is adjusted alone (scoring in
    batches)."""

    counts: dict[str, np.ndarray]
    shared: dict[str, float]

    def adjust(self, a: np.ndarray, b: np.ndarray,
               levels: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        adjust: dict[str, np.ndarray] = {}
        for comp in COMPARISONS:
            if comp.name not in self.counts:
                continue
            out = np.zeros(len(a), dtype=np.float64)
            at_top = levels[comp.name] == comp.tf_level
            shared = self.shared.get(comp.name, 0.0)
            if at_top.any() and shared > 0:
                counts = self.counts[comp.name]
                others = np.maximum(np.maximum(counts[a[at_top]], counts[b[at_top]]) - 1, 1)
                out[at_top] = np.clip(np.log2(shared / others), *TF_CLIP_BITS)
            adjust[comp.name] = out
        return adjust


def counted_nodes(a: np.ndarray, b: np.ndarray,
                  levels: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per comparison, the nodes whose value counts :meth:`TermFrequencies.adjust` reads
    for the pairs (a, b): those of the pairs at its top level (a live match asks the store
    for these counts alone)."""
    out = {}
    for comp in COMPARISONS:
        if comp.tf_column is not None:
            at_top = levels[comp.name] == comp.tf_level
            out[comp.name] = np.unique(np.concatenate([a[at_top], b[at_top]]))
    return out


@dataclass
class ValueCounts:
    """How many nodes carry each value of the term-frequency columns, and how many other
    nodes a value is shared with on average: counted when the model is trained and kept
    with it.

    Why kept, not recounted every run: a pair's evidence then depends on the pair alone, so
    records that arrive later leave the probability of every earlier pair as it was (an
    incremental run scores only new pairs, and a full run on the same data agrees with it).
    A value carried by at most one node then, or new since, counts 1, as a unique value
    does when counted afresh.
    """

    # comparison -> (Arrow text values, their counts): only values carried more than once
    counts: dict[str, tuple[Any, np.ndarray]]
    average: dict[str, float]  # comparison -> other nodes a value is shared with, on average
    top_u: dict[str, float] = field(default_factory=dict)  # when counted, not kept

    @classmethod
    def train(cls, nodes: Any) -> ValueCounts:
        """Count the values of ``nodes``: per comparison, the values carried more than once,
        the mean number of other nodes a node's value is shared with, and from it u of the
        top level (the chance that two random nodes with a value share it)."""
        import pyarrow as pa

        counts, shared, top_u = {}, {}, {}
        for comp in COMPARISONS:
            if comp.tf_column is None:
                continue
            found = nodes[comp.tf_column].value_counts()
            found = found[(found.index.astype(str) != "")]
            held = float(found.sum())
            many = found[found >= 2].to_numpy(dtype=np.float64)
            if held >= 2:
                shared[comp.name] = float((many * (many - 1)).sum() / held)
                top_u[comp.name] = shared[comp.name] / (held - 1)
            found = found[found >= 2]
            counts[comp.name] = (pa.array(found.index.astype(str).tolist(), pa.string()),
                                 found.to_numpy(dtype=np.int64))
        value_counts = cls(counts, shared)
        value_counts.top_u = top_u
        return value_counts

    def per_node(self, nodes: Any) -> dict[str, np.ndarray]:
        """Per comparison, the count of every node's value (1 where it has none)."""
        import pandas as pd
        import pyarrow as pa
        import pyarrow.compute as pc

        out = {}
        for comp in COMPARISONS:
            if comp.name not in self.counts:
                continue
            column = nodes[comp.tf_column]
            values, counts = self.counts[comp.name]
            known = np.append(counts, 1)  # a value not counted reads 1
            if isinstance(column.dtype, pd.CategoricalDtype):
                categories = pa.array(column.array.categories).cast(pa.string())
                place = pc.index_in(categories, value_set=values).fill_null(-1)
                by_code = np.append(known[place.to_numpy(zero_copy_only=False)], 1)
                out[comp.name] = by_code[column.array.codes].astype(np.float64)
            else:
                text = pa.array([None if pd.isna(v) else str(v) for v in column], pa.string())
                place = pc.index_in(text, value_set=values).fill_null(-1)
                out[comp.name] = known[place.to_numpy(zero_copy_only=False)].astype(np.float64)
        return out

    def frequencies(self, nodes: Any) -> TermFrequencies:
        return TermFrequencies(self.per_node(nodes), dict(self.average))

    def rows(self) -> Any:
        """The counts as an Arrow table (comparison, value, count), to be stored."""
        import pyarrow as pa

        parts = [pa.table({"comparison": pa.array([name] * len(values), pa.string()),
                           "value": values, "count": pa.array(counts, pa.int32())})
                 for name, (values, counts) in self.counts.items()]
        return pa.concat_tables(parts) if parts else pa.table(
            {"comparison": pa.array([], pa.string()), "value": pa.array([], pa.string()),
             "count": pa.array([], pa.int32())})

    @classmethod
    def from_rows(cls, rows: Any, average: dict[str, float]) -> ValueCounts:
        """From :meth:`rows` grouped by comparison: (comparison, values, counts) tuples,
        values and counts as lists or Arrow arrays."""
        import pyarrow as pa

        counts = {name: (pa.array(values, pa.string()) if isinstance(values, list)
                         else values.cast(pa.string()), np.asarray(found, dtype=np.int64))
                  for name, values, found in rows}
        for comp in COMPARISONS:
            if comp.tf_column is not None and comp.name not in counts:
                counts[comp.name] = (pa.array([], pa.string()), np.zeros(0, dtype=np.int64))
        return cls(counts, dict(average))


def term_frequencies(nodes: Any) -> TermFrequencies:
    """The value counts of the nodes."""
    return ValueCounts.train(nodes).frequencies(nodes)


@dataclass
class Scores:
    """Per-pair evidence: bits per comparison, their sum with the prior, and a probability."""

    bits: np.ndarray  # (pairs, comparisons)
    logit_bits: np.ndarray
    probability: np.ndarray


def score_pairs(model: MatchModel, levels: dict[str, np.ndarray],
                tf: dict[str, np.ndarray] | None = None) -> Scores:
    """Bits per comparison (the level's weight, plus the term-frequency adjustment at the
    top level), their sum with the prior, and the match probability.

    A pair that agrees at the top level on a training block's comparisons is scored by that
    block's model (:class:`custfocus.dedupe.model.BlockModel`): the block's match share,
    moved by how common the shared value is, then the other comparisons' evidence among
    such pairs; a pair in several blocks gets the mean of their log-odds. Other pairs are
    scored by the global model. A common value may weaken a top level, but never below a
    lower level's weight nor below zero: an identical name is never weaker evidence than a
    similar one.
    """
    n = len(next(iter(levels.values()))) if levels else 0
    bits = _bits(model.weights(), levels, tf, n)
    prior_bits = math.log2(model.prior / (1 - model.prior))
    total = bits.sum(axis=1) + prior_bits
    blocks = model.block_models()
    if blocks and n:
        summed = np.zeros(n)
        summed_bits = np.zeros_like(bits)
        inside = np.zeros(n)
        for block in blocks:
            rows = agree_at_top(levels, block.comparisons)
            if not rows.any():
                continue
            sub = {k: v[rows] for k, v in levels.items()}
            sub_tf = {k: v[rows] for k, v in tf.items()} if tf else None
            weights = block.weights()
            block_bits = _bits(weights, sub, sub_tf, int(rows.sum()), skip=block.comparisons)
            logit = np.full(int(rows.sum()), math.log2(block.prior / (1 - block.prior)))
            for name in block.comparisons:  # how common the shared value is, in the block
                if sub_tf and name in sub_tf:
                    j = next(i for i, c in enumerate(COMPARISONS) if c.name == name)
                    block_bits[:, j] = np.clip(sub_tf[name] - block.tf_center.get(name, 0.0),
                                               *TF_CLIP_BITS)
            summed[rows] += logit + block_bits.sum(axis=1)
            summed_bits[rows] += block_bits
            inside[rows] += 1
        some = inside > 0
        total[some] = summed[some] / inside[some]
        bits[some] = summed_bits[some] / inside[some, None]
    probability = 1.0 / (1.0 + np.exp2(-np.clip(total, -60, 60)))
    return Scores(bits=bits, logit_bits=total, probability=probability)


def _bits(weights: dict[str, np.ndarray], levels: dict[str, np.ndarray],
          tf: dict[str, np.ndarray] | None, n: int, skip: Any = ()) -> np.ndarray:
    bits = np.zeros((n, len(COMPARISONS)), dtype=np.float64)
    for j, comp in enumerate(COMPARISONS):
        if comp.name in skip or comp.name not in weights:
            continue
        w = weights[comp.name]
        # Level -1 (NULL: a side has no value) reads the appended 0: no evidence.
        bits[:, j] = np.append(w, 0.0)[levels[comp.name]]
        if tf and comp.name in tf:
            floor = max(float(w[:-1].max()) if len(w) > 1 else 0.0, 0.0)
            adjusted = np.clip(bits[:, j] + tf[comp.name], max(floor, WEIGHT_BOUNDS[0]),
                               WEIGHT_BOUNDS[1])
            bits[:, j] = np.where(levels[comp.name] == comp.tf_level, adjusted, bits[:, j])
    return bits


SCORE_BATCH = 2_000_000
# Pairs at or above this probability are kept as links (match_links: what explain and
# review show); full and incremental runs keep the same ones.
LINK_FLOOR = 0.01


@dataclass
class PairScorer:
    """Scores any slice of the candidate pairs alone: the model and term frequencies are
    fixed for the run, so the pairs are scored (and rescored for saving) in batches instead
    of holding a float64 matrix of bits per comparison for every pair.
    """

    model: MatchModel
    tf: TermFrequencies

    def score(self, a: np.ndarray, b: np.ndarray, levels: dict[str, np.ndarray]) -> Scores:
        return score_pairs(self.model, levels, self.tf.adjust(a, b, levels))

    def batches(self, a: np.ndarray, b: np.ndarray, levels: dict[str, np.ndarray],
                batch: int = SCORE_BATCH) -> Any:
        """(start, scores) of consecutive slices of the pairs."""
        for start in range(0, len(a), batch):
            end = start + batch
            yield start, self.score(a[start:end], b[start:end],
                                    {k: v[start:end] for k, v in levels.items()})

    def probability(self, a: np.ndarray, b: np.ndarray,
                    levels: dict[str, np.ndarray]) -> np.ndarray:
        out = np.empty(len(a), dtype=np.float64)
        for start, scores in self.batches(a, b, levels):
            out[start:start + len(scores.probability)] = scores.probability
        return out
