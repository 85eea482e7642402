"""Score a clustering against ground truth: pairwise and B-cubed precision/recall/F1, and
how often hard negatives (households, colleagues, namesakes) were wrongly merged.

Used by the benchmarks and tests on generated data, and by anyone holding labelled rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Quality:
    records: int
    true_entities: int
    predicted_entities: int
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    hard_negative_pairs: int
    hard_negative_merged: float
    hard_negative_by_kind: dict[str, float]
    largest_cluster: int


def _pairs(counts: np.ndarray) -> float:
    return float((counts * (counts - 1) // 2).sum())


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(predicted: Any, truth: Any, groups: dict[str, Any] | None = None) -> Quality:
    """Compare two labelings of the same records.

    Args:
        predicted: array-like of predicted cluster labels.
        truth: array-like of true entity labels, same order.
        groups: optional hard-negative groupings, kind -> labels (e.g. household ids; None or
            NaN for "no group"); a pair in one group but of different true entities is a hard
            negative, and the share of those predicted together is reported per kind.
    """
    import pandas as pd

    true_codes = pd.factorize(pd.Series(truth))[0]
    # A row with no true entity (the generator's unusable rows) belongs to nobody: each is
    # its own entity, not all one (637 such rows at 1M made 202,566 phantom "missed" pairs).
    unlabelled = true_codes < 0
    true_codes[unlabelled] = true_codes.max(initial=-1) + 1 + np.arange(unlabelled.sum())
    frame = pd.DataFrame({"p": pd.factorize(pd.Series(predicted))[0], "t": true_codes})
    joint = frame.groupby(["p", "t"]).size().to_numpy()
    pred_sizes = frame.groupby("p").size()
    true_sizes = frame.groupby("t").size()
    tp = _pairs(joint)
    pp, tpairs = _pairs(pred_sizes.to_numpy()), _pairs(true_sizes.to_numpy())
    precision = tp / pp if pp else 1.0
    recall = tp / tpairs if tpairs else 1.0
    # B-cubed: per record, share of its predicted cluster that is truly its entity, and back.
    nij = frame.groupby(["p", "t"])["p"].transform("size").to_numpy()
    bp = float(np.mean(nij / pred_sizes.reindex(frame["p"]).to_numpy()))
    br = float(np.mean(nij / true_sizes.reindex(frame["t"]).to_numpy()))
    hard_total, hard_merged, by_kind = 0, 0, {}
    for kind, labels in (groups or {}).items():
        g = pd.DataFrame({"g": pd.Series(labels).to_numpy(), "p": frame["p"], "t": frame["t"]})
        g = g[g["g"].notna()]
        pairs_all = _pairs(g.groupby("g").size().to_numpy())
        same_truth = _pairs(g.groupby(["g", "t"]).size().to_numpy())
        same_pred = _pairs(g.groupby(["g", "p"]).size().to_numpy())
        same_both = _pairs(g.groupby(["g", "p", "t"]).size().to_numpy())
        negatives = pairs_all - same_truth
        merged = same_pred - same_both
        by_kind[kind] = merged / negatives if negatives else 0.0
        hard_total += int(negatives)
        hard_merged += int(merged)
    return Quality(
        records=len(frame), true_entities=int(true_sizes.size),
        predicted_entities=int(pred_sizes.size),
        pairwise_precision=precision, pairwise_recall=recall,
        pairwise_f1=_f1(precision, recall), bcubed_precision=bp, bcubed_recall=br,
        bcubed_f1=_f1(bp, br), hard_negative_pairs=hard_total,
        hard_negative_merged=hard_merged / hard_total if hard_total else 0.0,
        hard_negative_by_kind=by_kind, largest_cluster=int(pred_sizes.max()),
    )


def evaluate_store(store: Any, truth_csv: Any) -> Quality:
    """Evaluate the store's customer ids against a generator truth file (source,row,person_id...)."""
    import pandas as pd

    truth = pd.read_csv(truth_csv, dtype=str)
    xref = store.execute(
        "SELECT r.source, CAST(r.row AS VARCHAR) AS row, rc.customer_id, r.full_name "
        "FROM records r JOIN record_customer rc USING (record_id)").df()
    joined = xref.merge(truth, on=["source", "row"], how="inner")
    groups = {}
    for column, kind in (("household_id", "household"), ("company_id", "colleagues")):
        if column in joined:
            groups[kind] = joined[column].where(joined[column].notna() & (joined[column] != ""))
    from custfocus.normalise import fold

    groups["namesakes"] = joined["full_name"].map(lambda v: fold(v) if isinstance(v, str) else None)
    return evaluate(joined["customer_id"], joined["person_id"], groups)
