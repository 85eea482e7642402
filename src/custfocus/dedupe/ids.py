"""Stable customer ids: a customer keeps its id as long as its records did not change.

Why a vote: after a re-import records get new row ids but the same content hash, so each
new cluster looks up the ids its records had before; the id most of them had survives.
A cluster that gathers several old ids records a merge; an old id whose records now sit
in several clusters stays with the largest part and the others record a split.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

ID_PREFIX = "C"
ID_DIGITS = 6


def format_id(number: int) -> str:
    return f"{ID_PREFIX}{number:0{ID_DIGITS}d}"


@dataclass
class IdAssignment:
    customer_of_label: dict[int, str]
    new_ids: int = 0
    kept_ids: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    # the same as customer_of_label, as arrays: sorted distinct labels and their ids
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, object))

    def ids_of(self, labels: np.ndarray) -> np.ndarray:
        """Customer id of each label in ``labels`` (an object array)."""
        return self.ids[np.searchsorted(self.labels, labels)]


def assign_ids(
    labels_of_records: np.ndarray,
    previous_ids: Any,
    next_number: Any,
) -> IdAssignment:
    """Give every cluster label an id, reusing previous ids by majority vote.

    Args:
        labels_of_records: cluster label of each record.
        previous_ids: the id each record had before (or None), same order.
        next_number: callable returning the next free id number.

    Biggest clusters choose first (ties: lower label). Only clusters whose choice can be
    contested are walked one by one: a cluster whose records all had one id, held by no
    other cluster, keeps that id whatever the order, which is the case of nearly every
    customer on a re-run.
    """
    import pandas as pd

    labels, label_of = np.unique(np.asarray(labels_of_records), return_inverse=True)
    sizes = np.bincount(label_of, minlength=len(labels))
    prev = pd.Series(np.asarray(previous_ids, dtype=object), dtype=object)
    prev = prev.where(prev.notna() & (prev != ""), None)
    prev_code, prev_values = pd.factorize(prev, use_na_sentinel=True)
    prev_values = np.asarray(prev_values, dtype=object)
    voted = prev_code >= 0
    width = len(prev_values) + 1
    vote_key, first_seen, vote_count = np.unique(
        label_of[voted].astype(np.int64) * width + prev_code[voted], return_index=True,
        return_counts=True)
    vote_label, vote_id = vote_key // width, vote_key % width
    holders = np.bincount(vote_id, minlength=len(prev_values))
    votes_per_label = np.bincount(vote_label, minlength=len(labels))
    single = np.zeros(len(labels), bool)
    single[vote_label] = (votes_per_label[vote_label] == 1) & (holders[vote_id] == 1)
    chosen = np.full(len(labels), -1, dtype=np.int64)  # code of the kept id
    chosen[vote_label[single[vote_label]]] = vote_id[single[vote_label]]
    contested = (votes_per_label > 0) & ~single

    order = np.lexsort((np.arange(len(labels)), -sizes))  # biggest first, then label
    result = IdAssignment(customer_of_label={})
    pending: list[tuple[int, dict[str, Any]]] = []  # events waiting for the cluster's id
    if contested.any():
        ranked_of: dict[int, list[tuple[int, int]]] = {}
        for lab, cid, count in zip(vote_label.tolist(), vote_id.tolist(), vote_count.tolist()):
            if contested[lab]:
                ranked_of.setdefault(lab, []).append((count, cid))
        taken: set[int] = set()
        for lab in order[contested[order]].tolist():
            ranked = [cid for _, cid in sorted(ranked_of[lab],
                                               key=lambda cc: (-cc[0], prev_values[cc[1]]))]
            pick = next((cid for cid in ranked if cid not in taken), None)
            names = [prev_values[cid] for cid in ranked]
            if pick is None:
                event = {"kind": "split", "customer_id": None, "other_ids": names,
                         "records": int(sizes[lab]),
                         "reason": "records separated from an existing customer"}
                result.events.append(event)
                pending.append((lab, event))
            else:
                chosen[lab] = pick
                taken.add(pick)
            absorbed = [prev_values[cid] for cid in ranked if cid != pick and holders[cid] == 1]
            if absorbed:
                event = {"kind": "merge", "customer_id": None, "other_ids": absorbed,
                         "records": int(sizes[lab]),
                         "reason": "matched records of customers seen as distinct"}
                result.events.append(event)
                pending.append((lab, event))
        # Ids of contested clusters that nobody took, in order of first appearance.
        seen = np.unique(prev_code[voted], return_index=True)
        for cid in seen[0][np.argsort(seen[1])].tolist():
            if holders[cid] > 1 and cid not in taken:
                result.events.append({"kind": "retired", "customer_id": prev_values[cid],
                                      "other_ids": [], "records": 0,
                                      "reason": "its records now belong to others"})

    ids = np.empty(len(labels), dtype=object)
    kept = chosen >= 0
    ids[kept] = prev_values[chosen[kept]]
    fresh = order[~kept[order]]
    ids[fresh] = [format_id(next_number()) for _ in range(len(fresh))]
    for lab, event in pending:
        event["customer_id"] = ids[lab]
    result.new_ids, result.kept_ids = len(fresh), int(kept.sum())
    result.labels, result.ids = labels, ids
    result.customer_of_label = dict(zip(labels.tolist(), ids.tolist()))
    return result


def assign_stored_ids(store: Any, labels_of_records: np.ndarray, previous_ids: Any,
                      held: set[str]) -> IdAssignment:
    """:func:`assign_ids` with new numbers from the store's ``customer_seq``, and a
    "retired" event for every id in ``held`` that no cluster keeps or absorbs.

    One sequence call, then a local counter; the sequence is advanced past what was used.
    """
    first = int(store.query_value("SELECT nextval('customer_seq')"))
    used = [0]

    def next_number() -> int:
        used[0] += 1
        return first + used[0] - 1

    ids = assign_ids(labels_of_records, previous_ids, next_number)
    if used[0] > 1:
        store.next_ids("customer_seq", used[0] - 1)
    absorbed = {oid for e in ids.events for oid in e["other_ids"]}
    for cid in sorted(held - set(ids.ids.tolist()) - absorbed):
        ids.events.append({"kind": "retired", "customer_id": cid, "other_ids": [],
                           "records": 0, "reason": "its records are no longer imported"})
    return ids
