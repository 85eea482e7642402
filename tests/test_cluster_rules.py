"""The model cannot learn nonsense, and clusters are weighed on all the evidence."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custfocus.dedupe.cluster import cluster_nodes
from custfocus.dedupe.compare import COMPARISONS
from custfocus.dedupe.model import (
    DEFAULT_M,
    MIN_TRAINING_NODES,
    WEIGHT_BOUNDS,
    MatchModel,
    estimate_model,
    evidence_bits,
    plausible_weights,
)
from custfocus.dedupe.score import score_pairs


def nodes(n: int, **columns: list) -> pd.DataFrame:
    return pd.DataFrame({"size": [1] * n, **columns})


def test_weights_never_fall_with_agreement_and_are_bounded():
    # An "identical e-mail" level fitted rarer among matches than a different one: the
    # weights are pooled, so identical never weighs less, and no weight is unbounded.
    raw = np.array([0.5, 3.0, 1.0, -2.0, 40.0])
    w = plausible_weights(raw)
    assert (np.diff(w) >= 0).all()
    assert w[0] <= 0 <= w[-1]
    assert w.min() >= WEIGHT_BOUNDS[0] and w.max() <= WEIGHT_BOUNDS[1]
    model = MatchModel(m={"email": [0.1, 0.1, 0.1, 0.1, 0.6]},
                       u={"email": [0.5, 0.001, 0.1, 0.1, 0.9]}, prior=0.01)
    email = model.weights()["email"]
    assert email[-1] >= email[0] and (np.diff(email) >= 0).all()


def _levels(n: int, **tops: float) -> dict[str, np.ndarray]:
    """``n`` pairs, each comparison at its top level with the given share, else level 0;
    comparisons not named are missing (-1)."""
    rng = np.random.default_rng(len(tops) * 7 + n)
    out = {c.name: np.full(n, -1, dtype=np.int8) for c in COMPARISONS}
    for c in COMPARISONS:
        if c.name in tops:
            out[c.name] = np.where(rng.random(n) < tops[c.name], len(c.levels) - 1,
                                   0).astype(np.int8)
    return out


def _join(*parts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _random(n: int = 200_000) -> dict[str, np.ndarray]:
    """Random record pairs: they almost never agree."""
    rng = np.random.default_rng(5)
    return {c.name: np.where(rng.random(n) < 0.002, len(c.levels) - 1, 0).astype(np.int8)
            for c in COMPARISONS}


def test_namesakes_outnumbering_matches_do_not_become_the_match_class():
    # Most candidates are namesakes from the name blocks (same given and family name,
    # different e-mail); true pairs agree on the name and mostly on the e-mail. Fitting u
    # among the candidates took "same name" for "same person" and made an identical e-mail
    # weigh nothing; u from random pairs and m within training blocks must not.
    matches = _levels(2_000, given_name=0.95, family_name=0.95, email=0.9, birth_date=0.9)
    namesakes = _levels(20_000, given_name=1.0, family_name=1.0, email=0.0, birth_date=0.01)
    # Shared mailboxes: different names and birth dates.
    email_only = _levels(500, given_name=0.0, family_name=0.0, email=1.0, birth_date=0.01)
    levels = _join(matches, namesakes, email_only)
    model = estimate_model(levels, _random(), nodes=50_000)
    assert model.converged and model.trained["email"] == "data"
    weights = model.weights()
    assert weights["email"][-1] > 5  # an identical e-mail is strong evidence
    assert weights["email"][0] < -2  # a different one counts against
    namesake = score_pairs(model, namesakes).probability
    match = score_pairs(model, matches).probability
    assert (namesake < 0.5).mean() > 0.99
    both = (matches["email"] == 4) & (matches["given_name"] == 3) & (matches["family_name"] == 3)
    assert (match[both] >= 0.9).all()


def test_the_fit_is_deterministic_and_stays_put_when_data_grows():
    small = _join(_levels(500, given_name=0.9, family_name=0.9, email=0.8),
                  _levels(300, given_name=1.0, family_name=0.0, email=0.0))
    grown = _join(small, _levels(20, given_name=0.9, family_name=0.9, email=0.8))
    first = estimate_model(small, _random(), nodes=2_000)
    again = estimate_model(small, _random(), nodes=2_000)
    assert again.to_dict() == first.to_dict()
    second = estimate_model(grown, _random(), nodes=2_040)
    decided = [score_pairs(m, small).probability >= 0.9 for m in (first, second)]
    assert (decided[0] == decided[1]).mean() > 0.99


def test_a_tiny_store_gets_the_documented_default_model_and_says_so():
    levels = _levels(40, given_name=0.9, family_name=0.9, email=0.5)
    model = estimate_model(levels, _random(), nodes=MIN_TRAINING_NODES - 1)
    assert set(model.trained.values()) == {"default"}
    assert model.m == {k: list(v) for k, v in DEFAULT_M.items()}
    assert any("too few" in w for w in model.warnings)
    assert 0 < model.prior < 1


def test_two_valid_ids_never_merge_and_a_cannot_link_is_honoured():
    frame = nodes(3, nid=["11111111H", "22222222J", None])
    a, b, p = np.array([0, 1]), np.array([2, 2]), np.array([0.99, 0.98])
    labels = cluster_nodes(frame, a, b, p).labels
    assert labels[0] != labels[1]
    assert labels[2] == labels[0]  # the stronger link wins
    labels = cluster_nodes(nodes(2), np.array([0]), np.array([1]), np.array([0.99]),
                           cannot_link=[(0, 1)]).labels
    assert labels[0] != labels[1]


def test_two_households_on_one_shared_line_stay_apart():
    # Records 0-1 are one person, 2-3 another; 1 and 2 share a landline (a strong link),
    # but every other pair across the two groups was compared and disagrees.
    frame = nodes(4)
    a, b = np.array([0, 2, 1]), np.array([1, 3, 2])
    p = np.array([0.999, 0.999, 0.95])
    evidence_a = np.array([0, 2, 1, 0, 0, 1])
    evidence_b = np.array([1, 3, 2, 2, 3, 3])
    bits = np.array([15.0, 15.0, 5.0, -10.0, -10.0, -10.0])
    labels = cluster_nodes(frame, a, b, p, evidence=(evidence_a, evidence_b, bits)).labels
    assert labels[0] == labels[1] and labels[2] == labels[3] and labels[0] != labels[2]
    # The same link with the other pairs agreeing (a typo'd record of one person): merged.
    bits = np.array([15.0, 15.0, 5.0, 3.0, 2.0, 4.0])
    labels = cluster_nodes(frame, a, b, p, evidence=(evidence_a, evidence_b, bits)).labels
    assert len(set(labels.tolist())) == 1


def test_evidence_bits_are_the_log_odds_bounded_and_nothing_compared_says_nothing():
    bits = evidence_bits(np.array([0.5, 0.8, 1.0, 0.0, 0.01]),
                         np.array([True, True, True, True, False]))
    assert bits[0] == 0.0 and abs(bits[1] - 2.0) < 1e-9
    assert bits[2] == 20.0 and bits[3] == -20.0
    assert bits[4] == 0.0  # no field held by both: neither for nor against
