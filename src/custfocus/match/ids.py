"""Stable customer ids: a customer keeps its id as long as its records did not change.

Why a vote: after a re-import records get new row ids but the same content hash, so each
new cluster looks up the ids its records had before; the id most of them had survives.
A cluster that gathers several old ids records a merge; an old id whose records now sit
in several clusters stays with the largest part and the others record a split.
"""

from __future__ import annotations

from collections import Counter
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


def assign_ids(
    labels_of_records: np.ndarray,
    previous_ids: list[str | None],
    next_number: Any,
) -> IdAssignment:
    """Give every cluster label an id, reusing previous ids by majority vote.

    Args:
        labels_of_records: cluster label of each record.
        previous_ids: the id each record had before (or None), same order.
        next_number: callable returning the next free id number.
    """
    votes: dict[int, Counter[str]] = {}
    sizes: Counter[int] = Counter()
    holders: dict[str, Counter[int]] = {}
    for label, prev in zip(labels_of_records.tolist(), previous_ids):
        sizes[label] += 1
        if prev:
            votes.setdefault(label, Counter())[prev] += 1
            holders.setdefault(prev, Counter())[label] += 1
    result = IdAssignment(customer_of_label={})
    taken: set[str] = set()
    # Biggest clusters choose first, so an id follows the bulk of its records.
    for label in sorted(sizes, key=lambda lab: (-sizes[lab], lab)):
        ranked = sorted(votes.get(label, Counter()).items(), key=lambda kv: (-kv[1], kv[0]))
        chosen = next((cid for cid, _ in ranked if cid not in taken), None)
        if chosen is None:
            chosen = format_id(next_number())
            result.new_ids += 1
            if ranked:
                result.events.append({"kind": "split", "customer_id": chosen,
                                      "other_ids": [cid for cid, _ in ranked],
                                      "records": sizes[label],
                                      "reason": "records separated from an existing customer"})
        else:
            result.kept_ids += 1
        taken.add(chosen)
        result.customer_of_label[label] = chosen
        absorbed = [cid for cid, _ in ranked if cid != chosen and len(holders[cid]) == 1]
        if absorbed:
            result.events.append({"kind": "merge", "customer_id": chosen, "other_ids": absorbed,
                                  "records": sizes[label],
                                  "reason": "matched records of customers seen as distinct"})
    for cid in holders:
        if cid not in taken and len(holders[cid]) == 1:
            continue  # absorbed: logged as a merge above
        if cid not in taken:
            result.events.append({"kind": "retired", "customer_id": cid, "other_ids": [],
                                  "records": 0, "reason": "its records now belong to others"})
    return result
