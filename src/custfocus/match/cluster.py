"""Clustering: join matched pairs into customers without chaining unrelated people.

Plain connected components let one wrong link glue two families together. Here links are
taken strongest first into a union-find that refuses a merge when
  * the two groups hold different valid national ids, incompatible birth dates or
    clearly different given names (households, twins, colleagues behind one mailbox),
  * a reviewer said "different" for any two of their records (cannot-link),
  * the result would exceed ``max_records`` records, or
  * both groups have several records but only one link joins them (a weak bridge):
    such a merge goes to review instead.
Reviewer "same" decisions (must-link) are applied first and always honoured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from custfocus.match.compare import _date_typo


@dataclass
class ClusterSettings:
    """Thresholds of the clustering stage (documented in custfocus.toml)."""

    match_threshold: float = 0.9
    review_threshold: float = 0.5
    max_records: int = 60
    bridge_min_support: float = 0.5


@dataclass
class Clustering:
    labels: np.ndarray  # cluster label per node
    decisions: np.ndarray  # per edge: merged | same_cluster | conflict | weak_bridge | too_big | review | below | cannot_link
    refused: dict[str, int] = field(default_factory=dict)


class _Groups:
    def __init__(self, nodes: Any):
        n = len(nodes)
        self.parent = np.arange(n)
        self.members: dict[int, list[int]] = {i: [i] for i in range(n)}
        self.size = nodes["size"].to_numpy(dtype=np.int64).copy()
        nid = nodes["nid"].to_numpy(dtype=object)
        birth = nodes["birth"].to_numpy(dtype=object)
        given = nodes["given_canon"].to_numpy(dtype=object)
        self.given = {i: {given[i]} if _ok(given[i]) else set() for i in range(n)}
        any_id = (nodes["nid_any"] if "nid_any" in nodes else nodes["nid"]).to_numpy(dtype=object)
        self.any_ids = {i: {any_id[i]} if _ok(any_id[i]) else set() for i in range(n)}
        family = (nodes["family_fold"] if "family_fold" in nodes
                  else nodes["given_canon"].map(lambda v: None)).to_numpy(dtype=object)
        self.family = {i: set(family[i].split()) if _ok(family[i]) else set() for i in range(n)}
        self.nids = {i: {nid[i]} if _ok(nid[i]) else set() for i in range(n)}
        self.births = {i: {birth[i]} if _ok(birth[i]) else set() for i in range(n)}
        self.cannot: dict[int, set[int]] = {}

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return int(root)

    def conflict(self, ra: int, rb: int) -> bool:
        nids = self.nids[ra] | self.nids[rb]
        if len(nids) > 1:
            return True
        if self.any_ids[ra] & self.any_ids[rb]:
            # The same id number on both sides outweighs a typo'd name or birth date.
            return self._cannot(ra, rb)
        births_a, births_b = self.births[ra], self.births[rb]
        if births_a and births_b and any(
            x != y and not _date_typo(x, y) for x in births_a for y in births_b
        ):
            return True
        given_a, given_b = self.given[ra], self.given[rb]
        if given_a and given_b and any(
            not _same_given(x, y) and not self._swapped(x, y, ra, rb)
            for x in given_a for y in given_b
        ):
            return True
        return self._cannot(ra, rb)

    def _swapped(self, x: str, y: str, ra: int, rb: int) -> bool:
        """Given and family name typed the other way round on one side."""
        return bool(set(x.split()) & self.family[rb] or set(y.split()) & self.family[ra])

    def _cannot(self, ra: int, rb: int) -> bool:
        partners = self.cannot.get(ra, set())
        return any(self.find(p) == rb for p in partners)

    def union(self, ra: int, rb: int) -> int:
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra].extend(self.members.pop(rb))
        self.size[ra] += self.size[rb]
        self.nids[ra] |= self.nids.pop(rb)
        self.births[ra] |= self.births.pop(rb)
        self.given[ra] |= self.given.pop(rb)
        self.any_ids[ra] |= self.any_ids.pop(rb)
        self.family[ra] |= self.family.pop(rb)
        if rb in self.cannot:
            self.cannot.setdefault(ra, set()).update(self.cannot.pop(rb))
        return ra


def _same_given(x: str, y: str) -> bool:
    """Could two given names belong to one person? Token by token, the shorter name must
    agree with the start of the longer one (same, typo or initial): "maria" ~ "maria jose",
    but "maria carmen" !~ "maria angeles"."""
    from rapidfuzz.distance import JaroWinkler

    short, long = sorted((x.split(), y.split()), key=len)
    for s_tok, l_tok in zip(short, long):
        if s_tok == l_tok or (min(len(s_tok), len(l_tok)) == 1 and s_tok[0] == l_tok[0]):
            continue
        if JaroWinkler.normalized_similarity(s_tok, l_tok) < 0.88:
            return False
    return True


def _ok(value: Any) -> bool:
    return value is not None and value == value and value != ""


def cluster_nodes(
    nodes: Any,
    a: np.ndarray,
    b: np.ndarray,
    probability: np.ndarray,
    settings: ClusterSettings | None = None,
    must_link: list[tuple[int, int]] | None = None,
    cannot_link: list[tuple[int, int]] | None = None,
) -> Clustering:
    """Assign every node to exactly one cluster; returns labels and a decision per edge."""
    settings = settings or ClusterSettings()
    groups = _Groups(nodes)
    for x, y in cannot_link or []:
        groups.cannot.setdefault(x, set()).add(y)
        groups.cannot.setdefault(y, set()).add(x)
    for x, y in must_link or []:
        rx, ry = groups.find(x), groups.find(y)
        if rx != ry:
            groups.union(rx, ry)

    strong = probability >= settings.match_threshold
    neighbours: dict[int, set[int]] = {}
    for x, y in zip(a[strong].tolist(), b[strong].tolist()):
        neighbours.setdefault(x, set()).add(y)
        neighbours.setdefault(y, set()).add(x)

    decisions = np.full(len(a), "below", dtype=object)
    decisions[(probability >= settings.review_threshold) & ~strong] = "review"
    refused: dict[str, int] = {}
    strong_edges = np.flatnonzero(strong)
    for edge in strong_edges[np.argsort(-probability[strong_edges], kind="stable")]:
        ra, rb = groups.find(int(a[edge])), groups.find(int(b[edge]))
        if ra == rb:
            decisions[edge] = "same_cluster"
            continue
        reason = _refusal(groups, ra, rb, neighbours, settings)
        if reason:
            decisions[edge] = reason
            refused[reason] = refused.get(reason, 0) + 1
            continue
        groups.union(ra, rb)
        decisions[edge] = "merged"
    roots = np.fromiter((groups.find(i) for i in range(len(nodes))), np.int64, count=len(nodes))
    _, labels = np.unique(roots, return_inverse=True)
    # Edges in the review band joining different clusters are what a person should look at.
    same = labels[a] == labels[b]
    decisions[(decisions == "review") & same] = "same_cluster"
    return Clustering(labels=labels, decisions=decisions, refused=refused)


def _refusal(groups: _Groups, ra: int, rb: int, neighbours: dict[int, set[int]],
             settings: ClusterSettings) -> str | None:
    if groups.conflict(ra, rb):
        return "conflict"
    if groups.size[ra] + groups.size[rb] > settings.max_records:
        return "too_big"
    small, large = sorted((ra, rb), key=lambda r: len(groups.members[r]))
    if len(groups.members[small]) >= 2:
        large_set = set(groups.members[large])
        support = sum(
            1 for x in groups.members[small] if neighbours.get(x, set()) & large_set
        )
        if support < max(2, settings.bridge_min_support * len(groups.members[small])):
            return "weak_bridge"
    return None
