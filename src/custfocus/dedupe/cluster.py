"""Clustering: join matched pairs into customers without chaining unrelated people.

Plain connected components let one wrong link glue two families together. Here links are
taken strongest first into a union-find that refuses a merge when
  * the two groups hold different valid national ids (checksum-valid numbers are not
    typos), or a reviewer said "different" for any two of their records (cannot-link):
    the only vetoes;
  * the result would exceed ``max_records`` records, unless the link joins two records
    identical in every field either holds (they cannot chain two customers together);
  * the evidence between the two groups is against it: every compared pair of records
    across them (not only the link that proposes the merge) weighs in with its evidence in
    bits, bounded, and a merge is refused when the sum is negative (average linkage in
    log-odds). A pair compared on one field alone weighs nothing here (its log-odds are
    mostly the prior's: an e-mail-only record against its owner's other e-mail), so
    when no cross pair but the link says anything, the link decides.
    A record whose birth date or name was mistyped still joins on the rest of its
    evidence; two households linked by one shared landline do not, because their
    members' other pairs disagree.
Reviewer "same" decisions (must-link) are applied first and always honoured.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from custfocus.dedupe.model import evidence_bits

# The decision on an edge, as its code in Clustering.codes.
DECISIONS = ("below", "review", "same_cluster", "merged", "conflict", "too_big", "weak_bridge",
             "ambiguous")
# The pairs people are asked to decide (``custfocus review export``): the borderline band,
# and the merges refused because the rest of the customer disagreed. ``dedupe`` counts
# exactly these as "pairs to review", so the two commands give the same number.
REVIEW_DECISIONS = ("review", "weak_bridge", "ambiguous")
REVIEW_LINKS_SQL = ("SELECT count(*) FROM match_links WHERE decision IN "
                    f"({', '.join(repr(d) for d in REVIEW_DECISIONS)})")
_CODE = {name: code for code, name in enumerate(DECISIONS)}
_EDGE_BATCH = 20_000  # edges turned into Python ints at a time


@dataclass
class ClusterSettings:
    """Thresholds of the clustering stage (documented in custfocus.toml)."""

    match_threshold: float = 0.5
    review_threshold: float = 0.2
    max_records: int = 60


@dataclass
class Clustering:
    labels: np.ndarray  # cluster label per node
    codes: np.ndarray  # per edge: int8 code of its decision in DECISIONS
    refused: dict[str, int] = field(default_factory=dict)

    @property
    def decisions(self) -> np.ndarray:
        """Per edge, the name of its decision (an object array)."""
        return np.array(DECISIONS, dtype=object)[self.codes]


class _Column:
    """One node column of the clustered nodes as codes (-1: missing or empty).

    Why: a Python string per node and column cost more than a gigabyte at 1M customers,
    and equal codes are equal values.
    """

    def __init__(self, nodes: Any, name: str, rows: np.ndarray):
        import pandas as pd

        if name not in nodes:
            self.codes = array("i", [-1]) * len(rows)
            return
        column = nodes[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes = column.cat.codes.to_numpy()[rows].astype(np.int32)
            values = column.cat.categories
        else:
            codes, values = pd.factorize(column.to_numpy(dtype=object)[rows])
            codes = codes.astype(np.int32)
        empty = np.flatnonzero(np.asarray(values == "", dtype=bool))
        if len(empty):
            codes[np.isin(codes, empty)] = -1
        self.codes = array("i", codes.tobytes())


class _Groups:
    """Union-find over the clustered nodes, each group a circular list of its members.

    A group's ids and cannot-links are gathered from its members when a merge is weighed
    (groups are small), so no Python state is kept per group.
    """

    def __init__(self, nodes: Any, rows: np.ndarray):
        m = len(rows)
        self.parent = array("i", range(m))
        self.next = array("i", range(m))  # the next member of the same group
        self.count = array("i", [1]) * m  # members of a group, at its root
        self.size = array("q", nodes["size"].to_numpy(dtype=np.int64)[rows].tobytes())
        self.nid = _Column(nodes, "nid", rows)
        self.cannot: dict[int, set[int]] = {}

    def members(self, r: int) -> list[int]:
        group, x, nxt = [r], self.next[r], self.next
        while x != r:
            group.append(x)
            x = nxt[x]
        return group

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def roots(self) -> np.ndarray:
        """The root of every node, by pointer jumping."""
        parent = np.frombuffer(self.parent, dtype=np.int32).astype(np.int64)
        while True:
            up = parent[parent]
            if np.array_equal(up, parent):
                return parent
            parent = up

    def conflict(self, ra: int, rb: int) -> bool:
        """Do groups ``ra`` and ``rb`` hold two different valid national ids, or a
        reviewer's cannot-link?"""
        ga = self.members(ra)
        nid = self.nid.codes
        nids = {nid[m] for m in ga} | {nid[m] for m in self.members(rb)}
        nids.discard(-1)
        return len(nids) > 1 or self._cannot(ga, rb)

    def _cannot(self, group: list[int], rb: int) -> bool:
        cannot = self.cannot
        return bool(cannot) and any(self.find(p) == rb for m in group
                                    for p in cannot.get(m, ()))

    def union(self, ra: int, rb: int) -> int:
        """Join two groups; the one with more members (``ra`` on a tie) stays the root."""
        count = self.count
        if count[ra] < count[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        nxt = self.next
        nxt[ra], nxt[rb] = nxt[rb], nxt[ra]
        count[ra] += count[rb]
        self.size[ra] += self.size[rb]
        return ra


def cluster_nodes(
    nodes: Any,
    a: np.ndarray,
    b: np.ndarray,
    probability: np.ndarray,
    settings: ClusterSettings | None = None,
    must_link: list[tuple[int, int]] | None = None,
    cannot_link: list[tuple[int, int]] | None = None,
    evidence: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    uncapped: np.ndarray | None = None,
) -> Clustering:
    """Assign every node to exactly one cluster; returns labels and a decision per edge.

    Args:
        nodes: The node frame ("size", and "nid" for valid national ids).
        a, b, probability: The links (node pairs) and their match probabilities; those at
            or above the match threshold are taken, strongest first.
        evidence: Every compared pair (node pairs) and its evidence in bits
            (:func:`custfocus.dedupe.model.evidence_bits`), weighed when two groups would
            merge; default: the links, from their probability with an even prior.
        uncapped: Per link, whether ``max_records`` does not refuse it (a link between
            two identical records cannot chain two customers together).

    Only the nodes of a strong edge or a reviewer decision enter the union-find (by their
    place in ``rows``): every other node is a cluster of its own.
    """
    settings = settings or ClusterSettings()
    n = len(nodes)
    must_link, cannot_link = must_link or [], cannot_link or []
    strong = probability >= settings.match_threshold
    strong_edges = np.flatnonzero(strong)
    order = strong_edges[np.argsort(-probability[strong_edges], kind="stable")]
    links = np.array([*must_link, *cannot_link], dtype=np.int64).reshape(-1)
    linked = np.zeros(n, dtype=bool)
    for ends in (a[order], b[order], links):
        linked[ends] = True
    rows = np.flatnonzero(linked)
    del linked
    free = (np.zeros(len(order), dtype=bool) if uncapped is None
            else np.asarray(uncapped, dtype=bool)[order])
    ea = np.searchsorted(rows, a[order]).astype(np.int32)
    eb = np.searchsorted(rows, b[order]).astype(np.int32)
    if evidence is None:
        evidence = (a, b, evidence_bits(probability))
    neighbours = _weighted_neighbours(rows, *evidence)

    groups = _Groups(nodes, rows)
    local = dict(zip(links.tolist(), np.searchsorted(rows, links).tolist()))
    for x, y in cannot_link:
        x, y = local[x], local[y]
        groups.cannot.setdefault(x, set()).add(y)
        groups.cannot.setdefault(y, set()).add(x)
    for x, y in must_link:
        rx, ry = groups.find(local[x]), groups.find(local[y])
        if rx != ry:
            groups.union(rx, ry)

    decided = bytearray(len(order))  # per edge in ``order``
    same_cluster, merged = _CODE["same_cluster"], _CODE["merged"]
    refused: dict[str, int] = {}
    for start in range(0, len(order), _EDGE_BATCH):
        stop = start + _EDGE_BATCH
        for edge, x, y, capless in zip(range(start, stop), ea[start:stop].tolist(),
                                       eb[start:stop].tolist(), free[start:stop].tolist()):
            ra, rb = groups.find(x), groups.find(y)
            if ra == rb:
                decided[edge] = same_cluster
                continue
            reason = _refusal(groups, ra, rb, neighbours, settings, capless)
            if reason:
                decided[edge] = _CODE[reason]
                refused[reason] = refused.get(reason, 0) + 1
                continue
            groups.union(ra, rb)
            decided[edge] = merged

    roots = np.arange(n, dtype=np.int64)
    roots[rows] = rows[groups.roots()]
    present = np.zeros(n, dtype=bool)
    present[roots] = True
    labels = (np.cumsum(present) - 1)[roots]
    codes = np.zeros(len(a), dtype=np.int8)  # below
    # Edges in the review band joining different clusters are what a person should look at.
    band = (probability >= settings.review_threshold) & ~strong
    codes[band] = np.where(labels[a[band]] == labels[b[band]], _CODE["same_cluster"],
                           _CODE["review"])
    codes[order] = np.frombuffer(decided, dtype=np.int8)
    return Clustering(labels=labels, codes=codes, refused=refused)


def _weighted_neighbours(rows: np.ndarray, a: np.ndarray, b: np.ndarray,
                         probability: np.ndarray) -> tuple[array, array, array]:
    """Every compared pair between two of ``rows`` (by place in ``rows``), as compressed
    neighbour lists with the pair's match probability."""
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    inside = np.isin(a, rows) & np.isin(b, rows)
    la = np.searchsorted(rows, a[inside]).astype(np.int32)
    lb = np.searchsorted(rows, b[inside]).astype(np.int32)
    p = np.asarray(probability, np.float64)[inside]
    source = np.concatenate([la, lb])
    by_source = np.argsort(source, kind="stable")
    indices = array("i", np.concatenate([lb, la])[by_source].astype(np.int32).tobytes())
    weights = array("d", np.concatenate([p, p])[by_source].tobytes())
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(np.bincount(source, minlength=len(rows)), out=indptr[1:])
    return array("q", indptr.tobytes()), indices, weights


def _refusal(groups: _Groups, ra: int, rb: int, neighbours: tuple[array, array, array],
             settings: ClusterSettings, capless: bool = False) -> str | None:
    if groups.conflict(ra, rb):
        return "conflict"
    if not capless and groups.size[ra] + groups.size[rb] > settings.max_records:
        return "too_big"
    if groups.count[ra] >= 2 or groups.count[rb] >= 2:
        small, large = (rb, ra) if groups.count[rb] < groups.count[ra] else (ra, rb)
        indptr, indices, weights = neighbours
        large_set = set(groups.members(large))
        total = 0.0
        for node in groups.members(small):
            for k in range(indptr[node], indptr[node + 1]):
                if indices[k] in large_set:
                    total += weights[k]
        if total < 0:
            return "weak_bridge"
    return None


AMBIGUITY_BITS = 1.0  # a record's best links into two customers closer than this: ambiguous
SURE_BITS = 10.0  # ... unless its link into its own is this sure (p > 0.999): a record
# that certainly is its customer's and certainly is another's joins two parts of one
# person that were kept apart, not two people


def detach_ambiguous(clustering: Clustering, a: np.ndarray, b: np.ndarray,
                     probability: np.ndarray,
                     must_link: list[tuple[int, int]] | None = None) -> None:
    """Leave on its own a record equally like two customers that would not merge.

    A ticket that holds only "Miguel Jiménez Villaseñor" links as strongly to each of two
    namesakes; the greedy union gives it to whichever link came first, and its complaint
    to the wrong customer. A node whose strongest link (``a``, ``b``: the strong links
    ``clustering`` decided, in its edge order) into another cluster is within
    :data:`AMBIGUITY_BITS` of its strongest into its own becomes a cluster of its own; its
    links into both are "ambiguous", for a reviewer to decide (in place, on ``clustering``).
    A record a reviewer said is the same as another (``must_link``) stays where it is.
    """
    labels = clustering.labels
    if not len(a):
        return
    bits = evidence_bits(probability)
    same = labels[a] == labels[b]
    n = len(labels)
    best_in = np.full(n, -np.inf)
    best_out = np.full(n, -np.inf)
    for x in (a, b):
        np.maximum.at(best_in, x[same], bits[same])
        np.maximum.at(best_out, x[~same], bits[~same])
    ambiguous = np.flatnonzero(np.isfinite(best_in) & (best_in < SURE_BITS)
                               & (best_out >= best_in - AMBIGUITY_BITS))
    if must_link:
        ambiguous = np.setdiff1d(ambiguous, np.array(must_link, dtype=np.int64).reshape(-1))
    if not len(ambiguous):
        return
    labels[ambiguous] = labels.max() + 1 + np.arange(len(ambiguous))
    touched = np.isin(a, ambiguous) | np.isin(b, ambiguous)
    clustering.codes[touched & (labels[a] != labels[b])] = _CODE["ambiguous"]
    clustering.refused["ambiguous"] = clustering.refused.get("ambiguous", 0) + len(ambiguous)


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
