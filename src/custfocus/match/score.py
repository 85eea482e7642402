"""Scoring: a Fellegi–Sunter model trained on the data itself, with term-frequency weights.

Why EM over the candidate pairs (m *and* u) rather than u from random pairs: the
non-matches that blocking lets through are households, namesakes and colleagues, who
share phones, addresses and surnames far more often than two random people. Estimating u
among them makes a shared landline weak evidence, which is what it is. EM runs on the
distinct level patterns with their counts, so it costs milliseconds however many pairs
there are. Reviewed pairs (labels) are fixed, not guessed.

Why the fit is regularised (MAP, Dirichlet priors): when nearly every candidate is a match
(a small, clean file) the non-match class holds a handful of pairs, and plain EM then
wanders: u of whole comparisons flips, the fit stopped at the iteration cap, and four more
candidate pairs turned a 0.99 pairwise F1 into 0.89 (FEBRL1). So u leans on the random
pairs with the weight of ``U_PRIOR_PAIRS`` pairs and m on its starting values with the
weight of ``M_PRIOR_PAIRS``: decisive where the non-match class is nearly empty,
negligible where non-matches are plentiful (a stronger pull towards random-pair u raises
the weight of shared names and birth dates, and with it namesake merges). The start is
fixed (deterministic) and EM runs until no parameter moves by more than ``TOLERANCE``, so
the same data always gives the same model and a slightly grown data set a nearby one.
Started from a prior of 0.05, 0.3, 0.7 or 0.95 it reaches the same fit (FEBRL1-4, the
generator, the examples), so a warm start from the previous run's model would only save
milliseconds and would make the model depend on the history of runs (incremental and full
runs on the same data must agree); it is deliberately not used. What still moves when the
data grows by a few percent is genuine: patterns within a fraction of a bit of the match
threshold.

Why weights are sign-clipped: blocking selects non-matches that agree on names (or birth
date), so among candidates a *different* name can look like evidence for a match (u of
"different" below m) and a *same* name like evidence against. Neither is a sound reason,
so a comparison's lowest level never adds bits and its top level never subtracts them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from custfocus.match.compare import COMPARISONS, NULL

# Starting m per level (top level last): true matches mostly agree on what they both hold.
_M_START = {
    "given_name": [0.04, 0.06, 0.15, 0.75],
    "family_name": [0.03, 0.07, 0.2, 0.7],
    "email": [0.25, 0.05, 0.05, 0.05, 0.6],
    "phone": [0.2, 0.05, 0.75],
    "national_id": [0.02, 0.08, 0.9],
    "birth_date": [0.03, 0.07, 0.9],
    "address": [0.15, 0.15, 0.2, 0.5],
    "company": [0.1, 0.2, 0.7],
}
TF_CLIP_BITS = (-10.0, 4.0)
CLIP_SIGNS = True  # see the module docstring


@dataclass
class MatchModel:
    """m and u probabilities per comparison level, and the prior match rate among candidates."""

    m: dict[str, list[float]]
    u: dict[str, list[float]]
    prior: float
    iterations: int = 0
    converged: bool = False
    pairs: int = 0
    patterns: int = 0
    history: list[float] = field(default_factory=list)

    def weights(self) -> dict[str, np.ndarray]:
        """log2(m/u) per level: the evidence, in bits, of each outcome."""
        out = {c: np.log2(np.asarray(self.m[c]) / np.asarray(self.u[c])) for c in self.m}
        if CLIP_SIGNS:  # disagreeing is never evidence for a match, agreeing never against
            for w in out.values():
                w[0] = min(w[0], 0.0)
                w[-1] = max(w[-1], 0.0)
        return out

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("history")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MatchModel:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


U_PRIOR_PAIRS = 10.0  # weight, in pairs, of the random-pair u (Dirichlet prior on u)
M_PRIOR_PAIRS = 10.0  # weight, in pairs, of the starting m (Dirichlet prior on m)
START_PRIOR = 0.3
TOLERANCE = 1e-6
MAX_ITERATIONS = 500


# Compared in the first session's block (pairs agreeing on both names), so left out of it.
_NAME_COMPARISONS = ("given_name", "family_name")


def estimate_model(
    levels: dict[str, np.ndarray],
    random_levels: dict[str, np.ndarray] | None = None,
    known: np.ndarray | None = None,
    max_iterations: int = MAX_ITERATIONS,
    tolerance: float = TOLERANCE,
) -> MatchModel:
    """Fit m, u and the prior by (MAP) EM on the distinct level patterns of the candidates.

    Two sessions, the first as Splink trains: among the pairs that agree on both names, m of
    every other comparison (names are constant there, so they cannot pose as the match
    class); then EM on all candidates for everything, started from (and its m prior centred
    on) those m. Why: from the generic start, on a large file, EM took "same name" for
    "same person": the candidates are mostly namesakes from the name blocks, and agreeing on
    given *and* family name (two correlated comparisons) is their strongest pattern. At 1M
    generated customers the match class held 44 % of the candidates (truly 6 %) and a
    different e-mail, phone or address weighed nothing (m of "different" 0.84-0.90, truly
    0.00-0.05). Started from the first session it reaches the other optimum (prior 7 %,
    a different e-mail -2.8 bits); on small files (FEBRL, 10k) both starts give the same fit.
    """
    n_pairs = len(levels[COMPARISONS[0].name])
    if known is None:
        known = np.full(n_pairs, -1, dtype=np.int8)
    # Collapse identical (pattern, label) rows: EM then runs on a few thousand rows.
    patterns, counts = _distinct_patterns([levels[c.name] for c in COMPARISONS] + [known])
    pat, labels = patterns[:, :-1], patterns[:, -1]
    counts = counts.astype(np.float64)

    m0 = {c.name: np.array(_M_START[c.name], dtype=np.float64) for c in COMPARISONS}
    u0 = {c.name: _start_u(c.name, len(c.levels), random_levels) for c in COMPARISONS}
    names = [j for j, c in enumerate(COMPARISONS) if c.name in _NAME_COMPARISONS]
    same_name = np.ones(len(pat), dtype=bool)
    for j in names:
        same_name &= pat[:, j] == len(COMPARISONS[j].levels) - 1
    others = {c.name for c in COMPARISONS if c.name not in _NAME_COMPARISONS}
    if len(names) == len(_NAME_COMPARISONS) and same_name.any():
        first = MatchModel(m={}, u={}, prior=START_PRIOR)
        m, _, _ = _em(pat[same_name], labels[same_name], counts[same_name], m0, u0, others,
                      first, max_iterations, tolerance)
        m0.update({k: m[k] for k in others})
    model = MatchModel(m={}, u={}, prior=START_PRIOR, pairs=n_pairs, patterns=len(pat))
    m, u, prior = _em(pat, labels, counts, m0, u0, {c.name for c in COMPARISONS}, model,
                      max_iterations, tolerance)
    model.m = {k: v.tolist() for k, v in m.items()}
    model.u = {k: v.tolist() for k, v in u.items()}
    model.prior = prior
    model.iterations = len(model.history) if n_pairs else 0
    model.converged = model.converged or n_pairs == 0
    return model


def _em(pat: np.ndarray, labels: np.ndarray, counts: np.ndarray,
        m0: dict[str, np.ndarray], u0: dict[str, np.ndarray], used: set[str],
        model: MatchModel, max_iterations: int, tolerance: float) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], float]:
    """EM over distinct patterns from ``m0``/``u0``; only the comparisons in ``used`` weigh in
    the posterior. Records its history and convergence in ``model``."""
    m = {k: v.copy() for k, v in m0.items()}
    u = {k: v.copy() for k, v in u0.items()}
    prior = START_PRIOR
    previous = None
    for _ in range(max_iterations):
        logit = np.full(len(pat), math.log(prior / (1 - prior)))
        for j, comp in enumerate(COMPARISONS):
            if comp.name not in used:
                continue
            lv = pat[:, j]
            has = lv != NULL
            ratio = np.log(m[comp.name] / u[comp.name])
            logit[has] += ratio[lv[has]]
        post = 1.0 / (1.0 + np.exp(-np.clip(logit, -50, 50)))
        post = np.where(labels == 1, 1.0, np.where(labels == 0, 0.0, post))
        wm, wu = counts * post, counts * (1 - post)
        prior = float(np.clip(wm.sum() / max(counts.sum(), 1.0), 1e-4, 0.999))
        for j, comp in enumerate(COMPARISONS):
            k = len(comp.levels)
            lv = pat[:, j]
            has = lv != NULL
            # Dirichlet priors (MAP), plus half a pair per level so that every level
            # stays possible (no infinite weights).
            m_new = (np.bincount(lv[has], weights=wm[has], minlength=k)
                     + M_PRIOR_PAIRS * m0[comp.name] + 0.5)
            m[comp.name] = m_new / m_new.sum()
            u_new = (np.bincount(lv[has], weights=wu[has], minlength=k)
                     + U_PRIOR_PAIRS * u0[comp.name] + 0.5)
            u[comp.name] = u_new / u_new.sum()
        model.history.append(prior)
        # Converged when no parameter moves any more (not only the prior).
        current = np.concatenate([[prior], *m.values(), *u.values()])
        if previous is not None and np.max(np.abs(current - previous)) < tolerance:
            model.converged = True
            break
        previous = current
    return m, u, prior


def _start_u(name: str, k: int, random_levels: dict[str, np.ndarray] | None) -> np.ndarray:
    if random_levels is not None and name in random_levels:
        lv = random_levels[name]
        lv = lv[lv != NULL]
        if len(lv):
            counts = np.bincount(lv, minlength=k).astype(np.float64) + 0.5
            return counts / counts.sum()
    start = np.full(k, 0.02)
    start[0] = 1.0
    return start / start.sum()


def tf_adjustments(nodes: Any, a: np.ndarray, b: np.ndarray,
                   levels: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Extra bits for agreeing on a rare value, fewer for a common one (Splink-style)."""
    return term_frequencies(nodes, a, b, levels).adjust(a, b, levels)


@dataclass
class TermFrequencies:
    """What term-frequency adjustment needs, fixed for a run: per comparison, how many nodes
    carry each node's value, and the mean of that count over the candidates agreeing at the
    top level. With them any slice of the pairs is adjusted alone (scoring in batches)."""

    counts: dict[str, np.ndarray]
    average: dict[str, float]

    def adjust(self, a: np.ndarray, b: np.ndarray,
               levels: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        adjust: dict[str, np.ndarray] = {}
        for comp in COMPARISONS:
            if comp.name not in self.counts:
                continue
            out = np.zeros(len(a), dtype=np.float64)
            at_top = levels[comp.name] == comp.tf_level
            if at_top.any() and comp.name in self.average:
                counts = self.counts[comp.name]
                f = np.maximum(counts[a[at_top]], counts[b[at_top]])
                out[at_top] = np.clip(np.log2(self.average[comp.name] / f), *TF_CLIP_BITS)
            adjust[comp.name] = out
        return adjust


@dataclass
class ValueCounts:
    """How many nodes carry each value of the term-frequency columns, and the mean count
    over the candidates agreeing at the top level: counted when the model is trained and
    kept with it.

    Why kept, not recounted every run: a pair's evidence then depends on the pair alone, so
    records that arrive later leave the probability of every earlier pair as it was (an
    incremental run scores only new pairs, and a full run on the same data agrees with it).
    A value carried by at most one node then, or new since, counts 1, as a unique value
    does when counted afresh.
    """

    # comparison -> (Arrow text values, their counts): only values carried more than once
    counts: dict[str, tuple[Any, np.ndarray]]
    average: dict[str, float]

    @classmethod
    def train(cls, nodes: Any, a: np.ndarray, b: np.ndarray,
              levels: dict[str, np.ndarray]) -> ValueCounts:
        import pyarrow as pa

        counts = {}
        for comp in COMPARISONS:
            if comp.tf_column is None:
                continue
            found = nodes[comp.tf_column].value_counts()
            found = found[found >= 2]
            counts[comp.name] = (pa.array(found.index.astype(str).tolist(), pa.string()),
                                 found.to_numpy(dtype=np.int64))
        value_counts = cls(counts, {})
        per_node = value_counts.per_node(nodes)
        for comp in COMPARISONS:
            if comp.name not in per_node:
                continue
            at_top = np.flatnonzero(levels[comp.name] == comp.tf_level)
            if len(at_top):
                count = per_node[comp.name]
                value_counts.average[comp.name] = float(
                    np.mean(np.maximum(count[a[at_top]], count[b[at_top]])))
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
                categories = pa.array(column.cat.categories).cast(pa.string())
                place = pc.index_in(categories, value_set=values).fill_null(-1)
                by_code = np.append(known[place.to_numpy(zero_copy_only=False)], 1)
                out[comp.name] = by_code[column.cat.codes.to_numpy()].astype(np.float64)
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


def term_frequencies(nodes: Any, a: np.ndarray, b: np.ndarray,
                     levels: dict[str, np.ndarray]) -> TermFrequencies:
    """The value counts of the nodes and their mean over the top-level candidates."""
    return ValueCounts.train(nodes, a, b, levels).frequencies(nodes)


@dataclass
class Scores:
    """Per-pair evidence: bits per comparison, their sum with the prior, and a probability."""

    bits: np.ndarray  # (pairs, comparisons)
    logit_bits: np.ndarray
    probability: np.ndarray


def score_pairs(model: MatchModel, levels: dict[str, np.ndarray],
                tf: dict[str, np.ndarray] | None = None) -> Scores:
    weights = model.weights()
    n = len(next(iter(levels.values()))) if levels else 0
    bits = np.zeros((n, len(COMPARISONS)), dtype=np.float64)
    for j, comp in enumerate(COMPARISONS):
        # Level -1 (NULL: a side has no value) reads the appended 0: no evidence.
        bits[:, j] = np.append(weights[comp.name], 0.0)[levels[comp.name]]
        if tf and comp.name in tf:
            bits[:, j] += tf[comp.name]
    prior_bits = math.log2(model.prior / (1 - model.prior))
    total = bits.sum(axis=1) + prior_bits
    probability = 1.0 / (1.0 + np.exp2(-np.clip(total, -60, 60)))
    return Scores(bits=bits, logit_bits=total, probability=probability)


SCORE_BATCH = 2_000_000


@dataclass
class PairScorer:
    """Scores any slice of the candidate pairs alone: the model and term frequencies are
    fixed for the run, so the pairs are scored (and rescored for saving) in batches instead
    of holding a float64 matrix of bits per comparison for every pair. The probabilities are
    the model's; the rules over all pairs (``cap_*``) are applied by the caller.
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


def _distinct_patterns(columns: list[np.ndarray], chunk: int = 4_000_000
                       ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_distinct_rows` of the matrix whose columns are ``columns``, without building it.

    Why: at tens of millions of pairs the matrix, its packed keys and their sort cost
    gigabytes; the codes of a few small levels fit an int32 and are counted in one pass.
    """
    n = len(columns[0])
    if not n:
        return np.zeros((0, len(columns)), dtype=np.int8), np.array([], dtype=np.int64)
    low = min(int(c.min()) for c in columns)
    base = max(int(c.max()) for c in columns) - low + 1
    if base ** len(columns) >= 2**26:  # too many possible patterns to count by code
        return _distinct_rows(np.stack(columns, axis=1).astype(np.int8))
    packed = np.empty(n, dtype=np.int32)
    for start in range(0, n, chunk):
        part = np.zeros(min(chunk, n - start), dtype=np.int32)
        for column in columns:
            part = part * base + (column[start:start + chunk].astype(np.int32) - low)
        packed[start:start + chunk] = part
    counts = np.bincount(packed, minlength=base ** len(columns))
    codes = np.flatnonzero(counts)  # ascending: the rows' lexicographic order
    rows = np.empty((len(codes), len(columns)), dtype=np.int8)
    rest = codes.copy()
    for j in range(len(columns) - 1, -1, -1):
        rows[:, j] = rest % base + low
        rest //= base
    return rows, counts[codes].astype(np.int64)


def _distinct_rows(keyed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keyed, axis=0, return_counts=True)``, ~10x faster on millions of pairs.

    Why: each row is a handful of small levels, so it packs into one int64 whose order is
    the rows' lexicographic order; a 1-D unique on that replaces the row-wise sort.
    """
    if not len(keyed):
        return keyed, np.array([], dtype=np.int64)
    low = int(keyed.min())
    base = int(keyed.max()) - low + 1
    if base ** keyed.shape[1] >= 2**62:
        return np.unique(keyed, axis=0, return_counts=True)
    packed = np.zeros(len(keyed), dtype=np.int64)
    for j in range(keyed.shape[1]):
        packed = packed * base + (keyed[:, j].astype(np.int64) - low)
    _, first, counts = np.unique(packed, return_index=True, return_counts=True)
    return keyed[first], counts


# Levels from which a comparison says more than "these two share a name".
_CORROBORATING = {"email": 2, "phone": 2, "national_id": 1, "birth_date": 1, "address": 1}


def cap_name_only(probability: np.ndarray, levels: dict[str, np.ndarray],
                  shared_name: np.ndarray, cap: float) -> np.ndarray:
    """Keep pairs that agree on a name nobody else carries, and on nothing else, under ``cap``.

    Why: at a million customers most people share their name with strangers; on generated
    data at 1M, 1.86 M of the 1.93 M merged name-only links joined different people. Such a
    pair goes to review unless the name is the pair's alone.

    Args:
        probability: Match probability per pair (not modified).
        levels: Comparison levels per pair, by comparison name.
        shared_name: Per pair, whether other records carry the same name too.
        cap: The highest probability an uncorroborated pair with a shared name may keep.
    """
    return np.where(~corroborated(levels) & shared_name, np.minimum(probability, cap),
                    probability)


def corroborated(levels: dict[str, np.ndarray]) -> np.ndarray:
    """Per pair, whether it agrees on more than a name (e-mail, phone, id, birth date or
    address)."""
    out = np.zeros(len(next(iter(levels.values()))) if levels else 0, dtype=bool)
    for name, lowest in _CORROBORATING.items():
        if name in levels:
            out |= np.asarray(levels[name]) >= lowest
    return out


# Levels from which a comparison points at one person rather than at a mailbox, line or
# place that colleagues or a household share.
_PERSONAL = {"email": 4, "national_id": 1, "birth_date": 1}


def cap_contacts_only(probability: np.ndarray, levels: dict[str, np.ndarray],
                      cap: float) -> np.ndarray:
    """Keep pairs with no name to compare that agree only on shared contact points under ``cap``.

    Why: a record without a person's name (a company account: info@, the switchboard, the
    office address) agrees with every employee who gave the same contacts. At 1M generated
    customers these links made most colleague merges (2.65 % of colleague pairs), and as
    often joined the account to the wrong colleague as to its owner (4,666 of the 7,271
    strong pairs agreeing on a shared mailbox alone joined colleagues). A phone with no name
    is kept under ``cap`` too: with the office address it is the switchboard; letting a
    phone without an agreeing address through gained 0.0001 recall at 10k and 100k.
    """
    personal = np.zeros(len(probability), dtype=bool)
    for name, lowest in _PERSONAL.items():
        if name in levels:
            personal |= np.asarray(levels[name]) >= lowest
    nameless = np.ones(len(probability), dtype=bool)
    for name in _NAME_COMPARISONS:
        nameless &= np.asarray(levels[name]) == NULL
    return np.where(nameless & ~personal, np.minimum(probability, cap), probability)
