"""The match model: a Fellegi–Sunter model fitted without labels, that cannot learn nonsense.

Trained as Splink trains, for the same reasons:

* **u from random record pairs**, not from the candidates. Blocking selects non-matches that
  agree on what they were blocked on (namesakes, households, colleagues behind one mailbox),
  so u fitted among candidates made a shared e-mail weigh nothing and a common name weigh a
  lot. u of the top level of a comparison with term frequencies (names, e-mail, phone,
  address) is computed exactly from the value counts (every pair, not a sample). Because
  random pairs include the true duplicates, u is corrected for them once m and the prior are
  known: observed u = (1 - prior) u + prior m.
* **m by EM within training blocks, with u fixed.** In the block of candidates that agree
  exactly on, say, the e-mail, the e-mail says nothing (every pair agrees), so m of every
  *other* comparison is estimated there: EM cannot split "same name" from "same contact
  point" since only one of them varies. The estimates of the blocks are averaged, weighted
  by their expected matches. Each block starts from the documented default m
  (``DEFAULT_M``) and leans on it with the weight of ``M_PRIOR_PAIRS`` pairs.
* **The prior** is the probability that two random records are one customer: EM over all
  candidates with m and u fixed gives the match share among them, and blocking is assumed
  to find (nearly) every match, so prior = matches / all pairs. Scoring with it adds the
  evidence of every comparison once (the blocking agreement included), as Splink does.
* **Plausible by construction.** A level's weight never decreases with agreement (isotonic
  regression over the levels: an identical e-mail can never weigh less than a different
  one), disagreeing never adds evidence, agreeing never subtracts it, and every weight is
  bounded (``WEIGHT_BOUNDS``). A block whose fit says that agreeing is rarer among matches
  than among non-matches is not used for that comparison (a warning names it), and a
  comparison no block could train keeps the default m. Stores under ``MIN_TRAINING_NODES``
  nodes use the default m outright and say so.

EM runs on the distinct level patterns with their counts, so it costs milliseconds however
many pairs there are, and the start is fixed, so the same data always gives the same model.
Reviewed pairs (labels) are fixed, not guessed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from custfocus.dedupe.compare import COMPARISONS, NULL

# The default m per level (top level last): how often a true match agrees at each level on
# a field both records hold. Used as EM's start and prior, and as the model of stores too
# small to train one.
DEFAULT_M = {
    "given_name": [0.04, 0.04, 0.12, 0.80],
    "family_name": [0.04, 0.06, 0.10, 0.80],
    "email": [0.25, 0.05, 0.05, 0.05, 0.60],
    "phone": [0.20, 0.02, 0.03, 0.05, 0.70],
    "national_id": [0.02, 0.08, 0.90],
    "birth_date": [0.03, 0.07, 0.90],
    "address": [0.12, 0.08, 0.08, 0.12, 0.60],
    "company": [0.08, 0.07, 0.10, 0.75],
}
WEIGHT_BOUNDS = (-12.0, 20.0)  # bits one comparison may add, term frequency included
MIN_TRAINING_NODES = 200  # below: the default m (u and the prior still come from the data)
MIN_BLOCK_MATCHES = 10.0  # expected matches a training block needs to estimate m
M_PRIOR_PAIRS = 2.0  # weight, in pairs, of the default m in each estimate (MAP)
U_FLOOR_SHARE = 0.1  # u corrected for the duplicates among random pairs keeps this share
U_FLOOR_SHARE_TOP = 1 / 64  # ... at a top level, estimated from its training block
TOLERANCE = 1e-7
MAX_ITERATIONS = 500
# Training blocks: the candidates that agree at the top level on these comparisons.
TRAINING_BLOCKS: tuple[tuple[str, ...], ...] = (
    ("given_name", "family_name"), ("email",), ("phone",), ("national_id",),
    ("birth_date",), ("address",), ("company",))


@dataclass
class BlockModel:
    """The model of the candidates that agree at the top level on ``comparisons`` (a
    training block): the match share among them, and u of every other comparison *among
    them* (m is the global model's). Why: the non-matches that share a contact point are related people (a
    household shares its address, phone and surname; colleagues a mailbox and an office),
    not strangers, so among them agreeing on a surname or a phone is common; u from random
    pairs would count each shared detail as independent proof.
    """

    comparisons: list[str]
    prior: float
    m: dict[str, list[float]]
    u: dict[str, list[float]]
    pairs: int = 0
    tf_center: dict[str, float] = field(default_factory=dict)  # mean adjustment in block

    def weights(self) -> dict[str, np.ndarray]:
        return _weights(self.m, self.u)


@dataclass
class MatchModel:
    """m and u per comparison level, and the prior: the probability that two random
    records are one customer.

    ``trained`` says where each comparison's m came from ("data" or "default"); ``warnings``
    lists implausible fits that were set aside.
    """

    m: dict[str, list[float]]
    u: dict[str, list[float]]
    prior: float
    candidate_prior: float = 0.0  # the match share among the candidate pairs
    iterations: int = 0
    converged: bool = False
    pairs: int = 0
    patterns: int = 0
    trained: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    blocks: list[dict[str, Any]] = field(default_factory=list)  # BlockModel fields

    def block_models(self) -> list[BlockModel]:
        return [BlockModel(**b) for b in self.blocks]

    def weights(self) -> dict[str, np.ndarray]:
        """log2(m/u) per level, non-decreasing with agreement and bounded: the evidence,
        in bits, of each outcome."""
        return _weights(self.m, self.u)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MatchModel:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def _weights(m: dict[str, list[float]], u: dict[str, list[float]]) -> dict[str, np.ndarray]:
    out = {}
    for c in m:
        mc, uc = np.asarray(m[c]), np.asarray(u[c])
        out[c] = plausible_weights(np.log2(mc / uc), mc + uc)
    return out


def plausible_weights(raw: np.ndarray, mass: np.ndarray | None = None) -> np.ndarray:
    """Weights made non-decreasing over the levels (pool-adjacent-violators, each level
    weighed by ``mass``: how often pairs fall in it), bounded, with disagreement never for
    and agreement never against a match."""
    w = _isotonic(np.asarray(raw, dtype=np.float64),
                  np.ones(len(raw)) if mass is None else np.asarray(mass, dtype=np.float64))
    w = np.clip(w, *WEIGHT_BOUNDS)
    w[0] = min(w[0], 0.0)
    w[-1] = max(w[-1], 0.0)
    return w


def _isotonic(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The closest non-decreasing sequence (weighted least squares)."""
    blocks: list[list[float]] = []  # [weighted sum, weight, levels]
    for v, w in zip(values.tolist(), weights.tolist()):
        blocks.append([v * w, w, 1])
        while len(blocks) > 1 and (blocks[-2][0] * blocks[-1][1]
                                   > blocks[-1][0] * blocks[-2][1]):
            s, c, k = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
            blocks[-1][2] += k
    return np.concatenate([np.full(int(k), s / c if c > 0 else 0.0) for s, c, k in blocks])


EVIDENCE_BITS = 20.0  # what one pair may weigh, either way, when two groups are weighed


def evidence_bits(probability: np.ndarray, compared: np.ndarray | None = None) -> np.ndarray:
    """A pair's log-odds of being one customer, in bits, bounded; 0 for a pair with nothing
    to compare (``compared`` False: no field held by both), which says nothing either way."""
    p = np.clip(np.asarray(probability, np.float64), 1e-300, 1 - 1e-16)
    bits = np.clip(np.log2(p) - np.log2(1 - p), -EVIDENCE_BITS, EVIDENCE_BITS)
    return bits if compared is None else np.where(compared, bits, 0.0)


def estimate_model(
    levels: dict[str, np.ndarray],
    random_levels: dict[str, np.ndarray] | None = None,
    known: np.ndarray | None = None,
    *,
    nodes: int | None = None,
    top_u: dict[str, float] | None = None,
    tf_of: Any = None,
    max_iterations: int = MAX_ITERATIONS,
    tolerance: float = TOLERANCE,
) -> MatchModel:
    """Fit the model to the candidate pairs' comparison levels.

    Args:
        levels: Per comparison, the level of every candidate pair.
        random_levels: Per comparison, the levels of random record pairs (for u).
        known: Per candidate pair, a reviewer's label (1 same, 0 different, -1 none).
        nodes: How many distinct records there are (for the prior); default: enough that
            the candidates are every pair.
        top_u: Per comparison, u of its top level computed exactly from value counts.
        tf_of: ``tf_of(pairs)``: per comparison, the term-frequency adjustment of those
            candidate pairs (for the block models' centring).
    """
    n_pairs = len(levels[COMPARISONS[0].name])
    if known is None:
        known = np.full(n_pairs, -1, dtype=np.int8)
    patterns, counts = distinct_patterns([levels[c.name] for c in COMPARISONS] + [known])
    centers = None
    if tf_of is not None:
        def centers(block: tuple[str, ...]) -> dict[str, float]:
            adjust = tf_of(np.flatnonzero(agree_at_top(levels, block)))
            return {name: float(np.mean(adjust[name])) for name in block
                    if name in adjust and len(adjust[name])}
    return fit_patterns(patterns, counts, n_pairs, random_levels, nodes=nodes, top_u=top_u,
                        tf_centers=centers, max_iterations=max_iterations, tolerance=tolerance)


def fit_patterns(
    patterns: np.ndarray,
    counts: np.ndarray,
    n_pairs: int,
    random_levels: dict[str, np.ndarray] | None = None,
    *,
    nodes: int | None = None,
    top_u: dict[str, float] | None = None,
    tf_centers: Any = None,
    max_iterations: int = MAX_ITERATIONS,
    tolerance: float = TOLERANCE,
) -> MatchModel:
    """:func:`estimate_model` from the candidates' distinct level patterns alone, for an
    engine that counts them where the pairs are (Spark).

    Args:
        patterns: The distinct rows (level per comparison, then the reviewer's label), in
            lexicographic order, as :func:`distinct_patterns` gives them.
        counts: How many candidate pairs have each row.
        n_pairs: How many candidate pairs there are.
        tf_centers: ``tf_centers(block)``: per comparison of a training block, the mean
            term-frequency adjustment of the candidates agreeing at its top level on every
            comparison of the block.
    """
    if nodes is None:
        nodes = max(2, int(math.ceil((1 + math.sqrt(1 + 8 * max(n_pairs, 1))) / 2)))
    all_pairs = nodes * (nodes - 1) / 2
    pat, labels = patterns[:, :-1], patterns[:, -1]
    counts = counts.astype(np.float64)
    observed_u = {c.name: _random_u(c.name, len(c.levels), random_levels, top_u)
                  for c in COMPARISONS}
    default_m = {c.name: np.array(DEFAULT_M[c.name], dtype=np.float64) for c in COMPARISONS}
    model = MatchModel(m={}, u={}, prior=0.0, pairs=n_pairs, patterns=len(pat))
    random_patterns = None
    if random_levels is not None and all(c.name in random_levels for c in COMPARISONS):
        random_patterns = distinct_patterns([random_levels[c.name] for c in COMPARISONS])
    u = {k: v.copy() for k, v in observed_u.items()}
    m = default_m
    global_prior = 0.0
    block_u: dict[tuple[str, ...], dict[str, np.ndarray]] = {}
    block_models: list[BlockModel] = []
    for _ in range(3):
        # m within the training blocks (each with its own u once known), the prior, u
        # corrected for the duplicates among random pairs, then each block's u and share.
        blocks: dict[str, tuple[float, float]] = {}
        if nodes >= MIN_TRAINING_NODES and len(pat):
            m, trained, warnings, blocks = _train_m(pat, labels, counts, default_m, u,
                                                    block_u, max_iterations, tolerance)
        else:
            trained = {c.name: "default" for c in COMPARISONS}
            warnings = [f"{nodes} records: too few to train a model; the default m is used"]
        candidate_prior, iterations, converged = _em_prior(pat, labels, counts, m, u,
                                                           max_iterations, tolerance)
        global_prior = min(0.5, max(candidate_prior * n_pairs / max(all_pairs, 1.0),
                                    1.0 / max(all_pairs, 1.0)))
        u = _corrected_u(observed_u, m, global_prior, blocks, all_pairs)
        if random_patterns is not None:
            # The candidates hold only part of the matches when a block over its cap was
            # walked (292 rows of one company name give 42,000 pairs, of which the walk
            # makes a few hundred): the random pairs, a fair sample of all pairs, then
            # hold more matches than the candidates account for.
            sampled = _random_prior(*random_patterns, m, observed_u, global_prior, blocks,
                                    all_pairs, max_iterations, tolerance)
            if sampled > global_prior:
                global_prior = min(0.5, sampled)
                u = _corrected_u(observed_u, m, global_prior, blocks, all_pairs)
        if nodes < MIN_TRAINING_NODES:
            break
        block_warnings: list[str] = []
        block_models = _block_models(pat, labels, counts, m, u, tf_centers,
                                     block_warnings, max_iterations, tolerance)
        block_u = {tuple(b.comparisons): {k: np.asarray(v) for k, v in b.u.items()}
                   for b in block_models}
    model.m = {k: v.tolist() for k, v in m.items()}
    model.u = {k: v.tolist() for k, v in u.items()}
    model.prior = float(global_prior)
    model.candidate_prior = float(candidate_prior)
    model.iterations, model.converged = iterations, converged or n_pairs == 0
    model.trained = trained
    model.warnings = warnings + (block_warnings if block_models or block_u else [])
    model.blocks = [asdict(b) for b in block_models]
    return model


MIN_BLOCK_PAIRS = 30  # candidate pairs a training block needs for a model of its own
U_PRIOR_PAIRS = 5.0  # weight, in pairs, of the random-pair u in a block's estimate (MAP)


TOP_LEVEL = {c.name: len(c.levels) - 1 for c in COMPARISONS}


def agree_at_top(levels: Any, comparisons: Any) -> np.ndarray:
    """Per pair, whether it agrees at the top level on every one of ``comparisons``
    (``levels``: per comparison name, the pairs' levels)."""
    names = list(comparisons)
    inside = levels[names[0]] == TOP_LEVEL[names[0]]
    for name in names[1:]:
        inside = inside & (levels[name] == TOP_LEVEL[name])
    return inside


def _columns(pat: np.ndarray) -> dict[str, np.ndarray]:
    """The columns of a pattern matrix by comparison name."""
    return {c.name: pat[:, j] for j, c in enumerate(COMPARISONS)}


def _block_models(pat: np.ndarray, labels: np.ndarray, counts: np.ndarray,
                  m: dict[str, np.ndarray], u: dict[str, np.ndarray], tf_centers: Any,
                  warnings: list[str], max_iterations: int, tolerance: float
                  ) -> list[BlockModel]:
    """A :class:`BlockModel` per training block with enough pairs: EM for its match share
    and for u of the other comparisons, started from (and leaning on) the global model's
    u, with the global m."""
    columns = _columns(pat)
    out = []
    for block in TRAINING_BLOCKS:
        inside = agree_at_top(columns, block)
        total = float(counts[inside].sum())
        if total < MIN_BLOCK_PAIRS:
            continue
        free = [j for j, c in enumerate(COMPARISONS) if c.name not in block]
        # Pairs that compare nothing but the block's own fields say nothing of its share.
        informed = counts[inside][(pat[inside][:, free] != NULL).any(axis=1)].sum()
        if informed < MIN_BLOCK_PAIRS:
            continue
        bm, bu, share = _em_block(pat[inside], labels[inside], counts[inside], m, u, free,
                                  max_iterations, tolerance)
        implausible = [COMPARISONS[j].name for j in free
                       if bm[COMPARISONS[j].name][-1] < bu[COMPARISONS[j].name][-1]]
        if len(implausible) * 2 > len(free):
            warnings.append(f"block {'+'.join(block)}: its own model fitted implausibly "
                            f"({', '.join(implausible)}); the global model scores it")
            continue
        center = {} if tf_centers is None else tf_centers(block)
        out.append(BlockModel(
            comparisons=list(block), prior=share, pairs=int(total), tf_center=center,
            m={COMPARISONS[j].name: bm[COMPARISONS[j].name].tolist() for j in free},
            u={COMPARISONS[j].name: bu[COMPARISONS[j].name].tolist() for j in free}))
    return out


def _em_block(pat: np.ndarray, labels: np.ndarray, counts: np.ndarray,
              m0: dict[str, np.ndarray], u0: dict[str, np.ndarray], free: list[int],
              max_iterations: int, tolerance: float
              ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], float]:
    """EM for u of the ``free`` comparisons and the match share, within one block; m stays
    the global model's (what a true match looks like does not depend on which detail two
    records share, and with m free EM took "sites of one agency" for "one site")."""
    m = {k: v.copy() for k, v in m0.items()}
    u = {k: v.copy() for k, v in u0.items()}
    prior = 0.5
    for _ in range(max_iterations):
        post = _posterior(_logit(pat, m, u, free, prior), labels)
        wm, wu = counts * post, counts * (1 - post)
        new_prior = float(np.clip(wm.sum() / max(counts.sum(), 1.0), 1e-6, 1 - 1e-6))
        moved = abs(new_prior - prior)
        prior = new_prior
        for j in free:
            comp = COMPARISONS[j]
            _, new_u = _reestimate(pat[:, j], wu, U_PRIOR_PAIRS * u0[comp.name])
            moved = max(moved, float(np.max(np.abs(new_u - u[comp.name]))))
            u[comp.name] = new_u
        if moved < tolerance:
            break
    return m, u, prior


def _random_u(name: str, k: int, random_levels: dict[str, np.ndarray] | None,
              top_u: dict[str, float] | None) -> np.ndarray:
    """u from random pairs (half a pair per level so that no level is impossible), with the
    top level's exact value when it is known from value counts."""
    counts = np.full(k, 0.5)
    if random_levels is not None and name in random_levels:
        lv = random_levels[name]
        lv = lv[lv != NULL]
        counts += np.bincount(lv, minlength=k)[:k]
    if counts.sum() < k:  # no random pair holds the field: random records disagree
        counts[0] += 1000.0  # no random pairs: random records disagree
    u = counts / counts.sum()
    if top_u and name in top_u and top_u[name] > 0:
        top = min(top_u[name], 0.5)
        u[:-1] *= (1.0 - top) / u[:-1].sum()
        u[-1] = top
    return u


def _corrected_u(observed_u: dict[str, np.ndarray], m: dict[str, np.ndarray], prior: float,
                 blocks: dict[str, tuple[float, float]], all_pairs: float
                 ) -> dict[str, np.ndarray]:
    """u of every comparison: the random pairs' levels less their duplicates, the top level
    from its training block where there is one."""
    u = {k: _without_matches(observed_u[k], m[k], prior) for k in observed_u}
    for name, (share, pairs) in blocks.items():
        u[name] = _top_from_block(observed_u[name], u[name], share, pairs, all_pairs)
    return u


def _random_prior(patterns: np.ndarray, counts: np.ndarray, m: dict[str, np.ndarray],
                  observed_u: dict[str, np.ndarray], start: float,
                  blocks: dict[str, tuple[float, float]], all_pairs: float,
                  max_iterations: int, tolerance: float) -> float:
    """The share of matches among the random pairs, by EM with m fixed and u corrected for
    that share as it moves (started from ``start``)."""
    if not len(patterns):
        return 0.0
    used = list(range(len(COMPARISONS)))
    labels = np.full(len(patterns), -1, dtype=np.int8)
    counts = counts.astype(np.float64)
    prior = max(start, 1e-12)
    for _ in range(max_iterations):
        u = _corrected_u(observed_u, m, prior, blocks, all_pairs)
        post = _posterior(_logit(patterns, m, u, used, prior), labels)
        new = float(np.clip((counts * post).sum() / counts.sum(), 1e-12, 0.5))
        if abs(new - prior) < tolerance * max(prior, 1e-6):
            return new
        prior = new
    return prior


def _without_matches(observed: np.ndarray, m: np.ndarray, prior: float) -> np.ndarray:
    """u once the duplicates among random pairs are taken out: observed = (1-p) u + p m."""
    u = (observed - prior * m) / (1.0 - prior)
    u = np.maximum(u, U_FLOOR_SHARE * observed)
    return u / u.sum()


def _top_from_block(observed: np.ndarray, u: np.ndarray, share: float, pairs: float,
                    all_pairs: float) -> np.ndarray:
    """u of the top level from its training block: of the ``pairs`` candidates that agree
    there, a ``share`` are matches, so the rest are the non-matches that agree (blocking
    finds every pair agreeing at a top level, or the value is too common to matter)."""
    if pairs < MIN_BLOCK_MATCHES:
        return u
    top = max((1.0 - share) * pairs / max(all_pairs, 1.0), 0.5 / max(all_pairs, 1.0))
    top = float(np.clip(top, U_FLOOR_SHARE_TOP * observed[-1], observed[-1]))
    out = u.copy()
    out[:-1] *= (1.0 - top) / out[:-1].sum()
    out[-1] = top
    return out


def _train_m(pat: np.ndarray, labels: np.ndarray, counts: np.ndarray,
             default_m: dict[str, np.ndarray], u: dict[str, np.ndarray],
             block_u: dict[tuple[str, ...], dict[str, np.ndarray]],
             max_iterations: int, tolerance: float
             ) -> tuple[dict[str, np.ndarray], dict[str, str], list[str],
                        dict[str, tuple[float, float]]]:
    """m of every comparison: EM within each training block, averaged over the blocks.
    Also, per comparison trained alone, its block's match share and number of pairs."""
    total = {c.name: np.zeros(len(c.levels)) for c in COMPARISONS}
    weight = {c.name: 0.0 for c in COMPARISONS}
    warnings: list[str] = []
    blocks: dict[str, tuple[float, float]] = {}
    columns = _columns(pat)
    for block in TRAINING_BLOCKS:
        inside = agree_at_top(columns, block)
        if not inside.any():
            continue
        free = [j for j, c in enumerate(COMPARISONS) if c.name not in block]
        # Among the block's pairs, non-matches agree as the block's u says (a household
        # shares its surname), once that is known; as random pairs do until then.
        m, matched, share = _em_m(pat[inside], labels[inside], counts[inside], default_m,
                                  {**u, **block_u.get(block, {})}, free, max_iterations,
                                  tolerance)
        if len(block) == 1:
            blocks[block[0]] = (share, float(counts[inside].sum()))
        for j in free:
            name = COMPARISONS[j].name
            if matched[name] < MIN_BLOCK_MATCHES:
                continue
            if m[name][-1] <= u[name][-1]:
                warnings.append(f"block {'+'.join(block)}: {name} fitted implausibly "
                                "(agreeing rarer among matches); not used")
                continue
            total[name] += matched[name] * m[name]
            weight[name] += matched[name]
    out, trained = {}, {}
    for name, w in weight.items():
        if w > 0:
            out[name], trained[name] = total[name] / w, "data"
        else:
            out[name], trained[name] = default_m[name].copy(), "default"
    return out, trained, warnings, blocks


def _logit(pat: np.ndarray, m: dict[str, np.ndarray], u: dict[str, np.ndarray],
           used: list[int], prior: float) -> np.ndarray:
    logit = np.full(len(pat), math.log(prior / (1 - prior)))
    for j in used:
        name = COMPARISONS[j].name
        lv = pat[:, j]
        has = lv != NULL
        logit[has] += np.log(m[name] / u[name])[lv[has]]
    return logit


def _posterior(logit: np.ndarray, labels: np.ndarray) -> np.ndarray:
    post = 1.0 / (1.0 + np.exp(-np.clip(logit, -50, 50)))
    return np.where(labels == 1, 1.0, np.where(labels == 0, 0.0, post))


def _em_m(pat: np.ndarray, labels: np.ndarray, counts: np.ndarray,
          default_m: dict[str, np.ndarray], u: dict[str, np.ndarray], free: list[int],
          max_iterations: int, tolerance: float
          ) -> tuple[dict[str, np.ndarray], dict[str, float], float]:
    """EM for m of the ``free`` comparisons (u fixed) and the block's match share; returns
    m, per comparison the expected matches that hold a value for it, and the share."""
    m = {k: v.copy() for k, v in default_m.items()}
    prior = 0.5
    matched = {COMPARISONS[j].name: 0.0 for j in free}
    for _ in range(max_iterations):
        post = _posterior(_logit(pat, m, u, free, prior), labels)
        wm = counts * post
        new_prior = float(np.clip(wm.sum() / max(counts.sum(), 1.0), 1e-6, 1 - 1e-6))
        moved = abs(new_prior - prior)
        prior = new_prior
        for j in free:
            comp = COMPARISONS[j]
            matched[comp.name], new = _reestimate(pat[:, j], wm,
                                                  M_PRIOR_PAIRS * default_m[comp.name])
            moved = max(moved, float(np.max(np.abs(new - m[comp.name]))))
            m[comp.name] = new
        if moved < tolerance:
            break
    return m, matched, prior


def _reestimate(levels: np.ndarray, weights: np.ndarray, prior: np.ndarray
                ) -> tuple[float, np.ndarray]:
    """An M step: the weighted share of each level among the pairs holding the field, with
    ``prior`` pseudo-counts (MAP) and a hundredth of a pair per level so that no level is
    impossible; also the weight of the pairs counted."""
    has = levels != NULL
    found = np.bincount(levels[has], weights=weights[has], minlength=len(prior))
    new = found + prior + 0.01
    return float(found.sum()), new / new.sum()


def _em_prior(pat: np.ndarray, labels: np.ndarray, counts: np.ndarray,
              m: dict[str, np.ndarray], u: dict[str, np.ndarray],
              max_iterations: int, tolerance: float) -> tuple[float, int, bool]:
    """The match share among the candidates, by EM with m and u fixed."""
    if not len(pat):
        return 0.0, 0, True
    used = list(range(len(COMPARISONS)))
    base = _logit(pat, m, u, used, 0.5)
    prior = 0.1
    for iteration in range(1, max_iterations + 1):
        post = _posterior(base + math.log(prior / (1 - prior)), labels)
        new = float(np.clip((counts * post).sum() / counts.sum(), 1e-6, 1 - 1e-6))
        if abs(new - prior) < tolerance:
            return new, iteration, True
        prior = new
    return prior, max_iterations, False


def distinct_patterns(columns: list[np.ndarray], chunk: int = 4_000_000
                       ) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of the matrix whose columns are ``columns`` and their counts,
    without building it.

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
