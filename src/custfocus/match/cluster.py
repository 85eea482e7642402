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

Birth dates and given names are compared group against group by a vote of their distinct
records, not "any pair disagrees": a record whose name or birth date was mistyped may join
its person through the same id number, and must not then keep every later record of that
person out. A conflict is outweighed by the rest of the identity:
  * the same id number (valid or not) outweighs a different name or birth date;
  * an id number one typo away (an edit or two swapped digits) outweighs a different given
    name, and a different birth date when the surname or the address agrees too;
  * the same birth date, surname and address (or postcode) outweigh a different given name
    unless something tells two people apart (two different e-mail addresses; two
    different valid ids never merge). Household members have different birth dates;
    twins usually carry their own e-mail or id.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from custfocus.match.compare import _date_typo

MIN_ID_LENGTH_FOR_TYPO = 6  # shorter numbers one edit apart are too often different ids
# The decision on an edge, as its code in Clustering.codes.
DECISIONS = ("below", "review", "same_cluster", "merged", "conflict", "too_big", "weak_bridge")
_CODE = {name: code for code, name in enumerate(DECISIONS)}
# The node columns the clustering reads ("size" is required, the others may be missing).
COLUMNS = ("size", "nid", "nid_any", "birth", "given_canon", "given_fold", "family_fold",
           "address_key", "postal_code", "email_key")
_EDGE_BATCH = 20_000  # edges turned into Python ints at a time


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
    codes: np.ndarray  # per edge: int8 code of its decision in DECISIONS
    refused: dict[str, int] = field(default_factory=dict)

    @property
    def decisions(self) -> np.ndarray:
        """Per edge, the name of its decision (an object array)."""
        return np.array(DECISIONS, dtype=object)[self.codes]


class _Column:
    """One node column of the clustered nodes as codes (-1: missing or empty), with a
    value's text looked up only when a rule needs more than equality.

    Why: a Python string per node and column cost more than a gigabyte at 1M customers,
    and equal codes are equal values.
    """

    def __init__(self, nodes: Any, name: str, rows: np.ndarray, fallback: str | None = None):
        import pandas as pd

        if name not in nodes and fallback is not None:
            name = fallback
        self.texts: dict[int, Any] = {}
        if name not in nodes:
            self.values: Any = []
            self.codes = array("i", [-1]) * len(rows)
            return
        column = nodes[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes = column.cat.codes.to_numpy()[rows].astype(np.int32)
            self.values = column.cat.categories
        else:
            codes, self.values = pd.factorize(column.to_numpy(dtype=object)[rows])
            codes = codes.astype(np.int32)
        empty = np.flatnonzero(np.asarray(self.values == "", dtype=bool))
        if len(empty):
            codes[np.isin(codes, empty)] = -1
        self.codes = array("i", codes.tobytes())

    def text(self, code: int) -> Any:
        value = self.texts.get(code)
        if value is None:
            value = self.texts[code] = self.values[code]
        return value


class _Groups:
    """Union-find over the clustered nodes, each group a circular list of its members.

    A group's ids, birth dates, names and cannot-links are gathered from its members when
    a merge is weighed (groups are small), so no Python state is kept per group.
    """

    def __init__(self, nodes: Any, rows: np.ndarray):
        m = len(rows)
        self.parent = array("i", range(m))
        self.next = array("i", range(m))  # the next member of the same group
        self.count = array("i", [1]) * m  # members of a group, at its root
        self.size = array("q", nodes["size"].to_numpy(dtype=np.int64)[rows].tobytes())
        self.nid = _Column(nodes, "nid", rows)
        self.any_id = _Column(nodes, "nid_any", rows, "nid")
        self.birth = _Column(nodes, "birth", rows)
        self.canon = _Column(nodes, "given_canon", rows)
        self.fold = _Column(nodes, "given_fold", rows)
        self.family_fold = _Column(nodes, "family_fold", rows)
        self.address = _Column(nodes, "address_key", rows)
        self.postcode = _Column(nodes, "postal_code", rows)
        self.email = _Column(nodes, "email_key", rows)
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

    def conflict(self, ra: int, rb: int, x: int, y: int) -> bool:
        """May groups ``ra`` and ``rb`` merge through the link between nodes x and y?"""
        ga, gb = self.members(ra), self.members(rb)
        nid = self.nid.codes
        nids = {nid[m] for m in ga} | {nid[m] for m in gb}
        nids.discard(-1)
        if len(nids) > 1 or self._cannot(ga, rb):
            return True
        ids_a, ids_b = _codes(self.any_id, ga), _codes(self.any_id, gb)
        if ids_a & ids_b:
            # The same id number on both sides outweighs a typo'd name or birth date.
            return False
        birth = self.birth
        if not _votes_agree(_votes(birth.codes, ga), _votes(birth.codes, gb),
                            lambda p, q: p == q or _same_birth(birth.text(p), birth.text(q))):
            return not (self._near_id(ids_a, ids_b)
                        and (self._same_family(x, y) or self._same_place(x, y)))
        families: list[set[str] | None] = [None, None]

        def family(side: int) -> set[str]:
            """The family-name tokens of group a (0) or b (1), gathered once if asked."""
            tokens = families[side]
            if tokens is None:
                tokens = families[side] = self._family(gb if side else ga)
            return tokens

        if not _votes_agree(self._given(ga), self._given(gb),
                            lambda p, q: self._given_ok(p, q, family)):
            return not (self._near_id(ids_a, ids_b) or self._rest_agrees(x, y))
        return False

    def _given(self, group: list[int]) -> dict[tuple[int, int], int]:
        """Votes of (canonical, as typed) given names; -1 as typed: the canonical one."""
        canon, fold = self.canon.codes, self.fold.codes
        votes: dict[tuple[int, int], int] = {}
        for m in group:
            if canon[m] >= 0:
                key = (canon[m], fold[m])
                votes[key] = votes.get(key, 0) + 1
        return votes

    def _given_ok(self, p: tuple[int, int], q: tuple[int, int],
                  family: Callable[[int], set[str]]) -> bool:
        # Canonical ("jack" -> "john") or as typed ("jack" ~ "jacq").
        if p[0] == q[0] or (p[1] == q[1] and p[1] >= 0):
            return True
        canon_p, canon_q = self.canon.text(p[0]), self.canon.text(q[0])
        if _same_given(canon_p, canon_q) or _same_given(
                self.fold.text(p[1]) if p[1] >= 0 else canon_p,
                self.fold.text(q[1]) if q[1] >= 0 else canon_q):
            return True
        # Given and family name typed the other way round on one side.
        return bool(set(canon_p.split()) & family(1) or set(canon_q.split()) & family(0))

    def _family(self, group: list[int]) -> set[str]:
        codes, tokens = self.family_fold.codes, set()
        for m in group:
            if codes[m] >= 0:
                tokens.update(self.family_fold.text(codes[m]).split())
        return tokens

    def _near_id(self, ids_a: set[int], ids_b: set[int]) -> bool:
        return _near_id({self.any_id.text(c) for c in ids_a},
                        {self.any_id.text(c) for c in ids_b})

    def _rest_agrees(self, x: int, y: int) -> bool:
        """Same birth date, surname and address, and nothing that tells two people apart:
        the given name is the odd one out (replaced or mistyped), not the person."""
        bx, by = self.birth.codes[x], self.birth.codes[y]
        if not (bx >= 0 and bx == by):
            return False
        if not (self._same_family(x, y) and self._same_place(x, y)):
            return False
        ex, ey = self.email.codes[x], self.email.codes[y]
        return not (ex >= 0 and ey >= 0 and ex != ey)

    def _same_family(self, x: int, y: int) -> bool:
        from rapidfuzz.distance import JaroWinkler

        column = self.family_fold
        fx, fy = column.codes[x], column.codes[y]
        return fx >= 0 and fy >= 0 and (fx == fy or JaroWinkler.normalized_similarity(
            column.text(fx), column.text(fy)) >= 0.9)

    def _same_place(self, x: int, y: int) -> bool:
        from rapidfuzz import fuzz

        column = self.address
        ax, ay = column.codes[x], column.codes[y]
        if ax >= 0 and ay >= 0 and (ax == ay or fuzz.token_set_ratio(
                column.text(ax), column.text(ay)) >= 90):
            return True
        px, py = self.postcode.codes[x], self.postcode.codes[y]
        return px >= 0 and px == py

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


def _codes(column: _Column, group: list[int]) -> set[int]:
    codes = column.codes
    found = {codes[m] for m in group}
    found.discard(-1)
    return found


def _votes(codes: array, group: list[int]) -> dict[int, int]:
    """Distinct records per value (a code) in a group."""
    votes: dict[int, int] = {}
    for m in group:
        code = codes[m]
        if code >= 0:
            votes[code] = votes.get(code, 0) + 1
    return votes


def _votes_agree(va: dict[Any, int], vb: dict[Any, int], compatible: Any) -> bool:
    """Do two groups' values describe one person? Each distinct record votes; more than
    half of the cross pairs (by weight) must be compatible. Between two single records
    that is simply "compatible"."""
    if not va or not vb:
        return True
    ok = total = 0
    for p, wp in va.items():
        for q, wq in vb.items():
            total += wp * wq
            if compatible(p, q):
                ok += wp * wq
    return 2 * ok > total


def _near_id(ids_a: set[str], ids_b: set[str]) -> bool:
    """Id numbers one typo apart (one edit or two swapped characters) in a long number.
    Two different *valid* ids are refused before this is asked."""
    if not ids_a or not ids_b:
        return False
    from rapidfuzz.distance import OSA

    return any(min(len(p), len(q)) >= MIN_ID_LENGTH_FOR_TYPO
               and OSA.distance(p, q, score_cutoff=1) <= 1
               for p in ids_a for q in ids_b)


def _same_birth(x: str, y: str) -> bool:
    """A typo (one digit, day/month swapped) or another day of the same year: a second
    person of the same name born that year is far rarer than a mistyped date. Different
    years (parent and child of one name) stay apart."""
    return x == y or _date_typo(x, y) or x[:4] == y[:4]


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


def cluster_nodes(
    nodes: Any,
    a: np.ndarray,
    b: np.ndarray,
    probability: np.ndarray,
    settings: ClusterSettings | None = None,
    must_link: list[tuple[int, int]] | None = None,
    cannot_link: list[tuple[int, int]] | None = None,
) -> Clustering:
    """Assign every node to exactly one cluster; returns labels and a decision per edge.

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
    ea = np.searchsorted(rows, a[order]).astype(np.int32)
    eb = np.searchsorted(rows, b[order]).astype(np.int32)
    neighbours = _neighbours(len(rows), ea, eb)

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
        for edge, x, y in zip(range(start, stop), ea[start:stop].tolist(),
                              eb[start:stop].tolist()):
            ra, rb = groups.find(x), groups.find(y)
            if ra == rb:
                decided[edge] = same_cluster
                continue
            reason = _refusal(groups, ra, rb, x, y, neighbours, settings)
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


def _neighbours(m: int, a: np.ndarray, b: np.ndarray) -> tuple[array, array]:
    """The strong neighbours of every node, compressed: node i's are
    ``indices[indptr[i]:indptr[i + 1]]``."""
    source = np.concatenate([a, b])
    by_source = np.argsort(source, kind="stable")
    indices = array("i", np.concatenate([b, a])[by_source].astype(np.int32).tobytes())
    indptr = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(np.bincount(source, minlength=m), out=indptr[1:])
    return array("q", indptr.tobytes()), indices


def _refusal(groups: _Groups, ra: int, rb: int, x: int, y: int,
             neighbours: tuple[array, array], settings: ClusterSettings) -> str | None:
    if groups.conflict(ra, rb, x, y):
        return "conflict"
    if groups.size[ra] + groups.size[rb] > settings.max_records:
        return "too_big"
    small, large = (rb, ra) if groups.count[rb] < groups.count[ra] else (ra, rb)
    if groups.count[small] >= 2:
        indptr, indices = neighbours
        large_set = set(groups.members(large))
        support = sum(1 for node in groups.members(small)
                      if not large_set.isdisjoint(indices[indptr[node]:indptr[node + 1]]))
        if support < max(2, settings.bridge_min_support * groups.count[small]):
            return "weak_bridge"
    return None
