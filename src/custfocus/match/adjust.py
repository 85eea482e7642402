"""The rules applied to the model's probabilities before clustering, over every pair at once.

The model scores each pair alone. Two rules need the rest of the data:
  * a pair with no name that agrees only on contact points colleagues or households share
    is held under the match threshold (pair by pair, ``cap_contacts_only``);
  * a pair that agrees on a name and nothing else is held there too, unless nobody else
    carries that name (``cap_name_only``): who else carries it needs every node's name,
    the groups of nodes linked by more than a name, and how the pairs within each name
    were scored.
A full run computes them from all pairs; an incremental one from what the previous run
kept of them (per pair: the model's probability and the flags below) and its new pairs,
so both give the same probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from custfocus.match.score import cap_contacts_only, corroborated


@dataclass
class Adjusted:
    """Per pair: the probability clustering uses, and what an incremental run needs of it."""

    probability: np.ndarray  # after both rules
    model_probability: np.ndarray  # the model's, after the contacts-only rule
    corroborated: np.ndarray  # agrees on more than a name
    same_name: np.ndarray  # both sides carry the same (folded) name
    capped: np.ndarray  # held under the threshold by the name-only rule
    identity: np.ndarray  # per node: its group of nodes linked by more than a name


def adjust_probability(names: NameSlots, a: np.ndarray, b: np.ndarray,
                       levels: dict[str, np.ndarray], probability: np.ndarray,
                       threshold: float, review: float) -> Adjusted:
    """Both rules over all pairs."""
    cap = np.nextafter(threshold, 0)
    model = cap_contacts_only(probability, levels, cap)
    agree = corroborated(levels)
    linked = agree & (model >= threshold)
    identity = components(len(names.slot), a[linked], b[linked])
    same = names.same(a, b)
    groups, one_person = name_carriers(names, identity, a[same], model[same] < review)
    shared = pair_shared(names, identity, groups, one_person, a, b)
    capped = ~agree & shared & (model > cap)
    return Adjusted(np.where(capped, cap, model), model, agree, same, capped, identity)


@dataclass
class NameSlots:
    """Per node the code of its folded name; nodes without one share the last slot."""

    slot: np.ndarray
    no_name: int

    @classmethod
    def of(cls, codes: Any, width: int) -> NameSlots:
        """From dictionary codes (-1: no name) into ``width`` distinct names."""
        codes = np.asarray(codes, dtype=np.int64)
        return cls(np.where(codes >= 0, codes, width), width)

    def same(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Per pair, whether both sides carry the same name."""
        return (self.slot[a] != self.no_name) & (self.slot[a] == self.slot[b])


def name_carriers(names: NameSlots, identity: np.ndarray, same_a: np.ndarray,
                  same_apart: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per name slot: how many groups carry it, and whether it is one person's.

    Records already linked by more than a name (``identity``, per node: a group label)
    count as one carrier. A name whose every two records were compared (candidate pairs;
    ``same_a``: the first node of each pair within one name) without any pair told apart
    (``same_apart``: scored as different people) is one person's. Why: a person with three
    records that share only the name with each other looked like a name carried by three
    people, and each of their name-only pairs was held back (most of the missed pairs at
    10k and 1M).
    """
    size = names.no_name + 1
    return carriers_of(names, identity, np.bincount(names.slot[same_a], minlength=size),
                       np.bincount(names.slot[same_a[same_apart]], minlength=size))


def carriers_of(names: NameSlots, identity: np.ndarray, compared: np.ndarray,
                told_apart: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`name_carriers` from the pairs within each name counted per slot already
    (``compared``, ``told_apart``), as an incremental run counts the saved ones."""
    slot, no_name = names.slot, names.no_name
    n, size = len(slot), no_name + 1
    named = slot != no_name
    # return_counts: numpy 2.4 takes a hash path without it, 40x slower on a million keys.
    carriers = np.unique(slot[named] * (n + 1) + identity[named],
                         return_counts=True)[0] // (n + 1)
    groups = np.bincount(carriers, minlength=size)
    groups[no_name] = 0
    records = np.bincount(slot, minlength=size)
    one_person = (compared == records * (records - 1) // 2) & (told_apart == 0)
    return groups, one_person


def pair_shared(names: NameSlots, identity: np.ndarray, groups: np.ndarray,
                one_person: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair, whether the first node's name is also carried by someone outside the pair."""
    slot = names.slot
    own = 1 + ((identity[a] != identity[b]) & (slot[b] == slot[a]))
    return (groups[slot[a]] - own > 0) & ~one_person[slot[a]]


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected component of every node (labelled by its smallest node), vectorised:
    hook the larger root of every link to the smaller, compress paths, repeat."""
    label = np.arange(n, dtype=np.int64)
    while len(a):
        la, lb = label[a], label[b]
        differ = la != lb
        if not differ.any():
            break
        np.minimum.at(label, np.maximum(la[differ], lb[differ]),
                      np.minimum(la[differ], lb[differ]))
        while True:
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped
    return label
