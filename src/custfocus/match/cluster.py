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

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from custfocus.match.compare import _date_typo

MIN_ID_LENGTH_FOR_TYPO = 6  # shorter numbers one edit apart are too often different ids


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


def _column(nodes: Any, name: str, fallback: str | None = None) -> np.ndarray:
    if name in nodes:
        return nodes[name].to_numpy(dtype=object)
    if fallback is not None and fallback in nodes:
        return nodes[fallback].to_numpy(dtype=object)
    return np.full(len(nodes), None, dtype=object)


class _Groups:
    """Union-find over nodes; a group's votes and id sets exist only once it is touched."""

    def __init__(self, nodes: Any):
        n = len(nodes)
        self.parent = np.arange(n)
        self.size = nodes["size"].to_numpy(dtype=np.int64).copy()
        self.nid = _column(nodes, "nid")
        self.any_id = _column(nodes, "nid_any", "nid")
        self.birth = _column(nodes, "birth")
        self.canon = _column(nodes, "given_canon")
        self.fold = _column(nodes, "given_fold")
        self.family_fold = _column(nodes, "family_fold")
        self.address = _column(nodes, "address_key")
        self.postcode = _column(nodes, "postal_code")
        self.email = _column(nodes, "email_key")
        self.members: dict[int, list[int]] = {}
        self.nids: dict[int, set[str]] = {}
        self.any_ids: dict[int, set[str]] = {}
        self.births: dict[int, dict[str, int]] = {}  # value -> distinct records holding it
        self.given: dict[int, dict[tuple[str, str], int]] = {}  # (canonical, as typed)
        self.family: dict[int, set[str]] = {}
        self.cannot: dict[int, set[int]] = {}

    def touch(self, r: int) -> None:
        """Create the state of a group never merged so far (a single node)."""
        if r in self.members:
            return
        self.members[r] = [r]
        nid, any_id, birth, canon = self.nid[r], self.any_id[r], self.birth[r], self.canon[r]
        self.nids[r] = {nid} if _ok(nid) else set()
        self.any_ids[r] = {any_id} if _ok(any_id) else set()
        self.births[r] = {birth: 1} if _ok(birth) else {}
        if _ok(canon):
            fold = self.fold[r]
            self.given[r] = {(canon, fold if _ok(fold) else canon): 1}
        else:
            self.given[r] = {}
        family = self.family_fold[r]
        self.family[r] = set(family.split()) if _ok(family) else set()

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return int(root)

    def conflict(self, ra: int, rb: int, x: int, y: int) -> bool:
        """May groups ``ra`` and ``rb`` merge through the link between nodes x and y?"""
        self.touch(ra)
        self.touch(rb)
        if len(self.nids[ra] | self.nids[rb]) > 1 or self._cannot(ra, rb):
            return True
        ids_a, ids_b = self.any_ids[ra], self.any_ids[rb]
        if ids_a & ids_b:
            # The same id number on both sides outweighs a typo'd name or birth date.
            return False
        if not _votes_agree(self.births[ra], self.births[rb], _same_birth):
            return not (_near_id(ids_a, ids_b)
                        and (self._same_family(x, y) or self._same_place(x, y)))
        if not _votes_agree(self.given[ra], self.given[rb],
                            lambda p, q: self._given_ok(p, q, ra, rb)):
            return not (_near_id(ids_a, ids_b) or self._rest_agrees(x, y))
        return False

    def _given_ok(self, p: tuple[str, str], q: tuple[str, str], ra: int, rb: int) -> bool:
        # Canonical ("jack" -> "john") or as typed ("jack" ~ "jacq").
        if _same_given(p[0], q[0]) or _same_given(p[1], q[1]):
            return True
        # Given and family name typed the other way round on one side.
        return bool(set(p[0].split()) & self.family[rb] or set(q[0].split()) & self.family[ra])

    def _rest_agrees(self, x: int, y: int) -> bool:
        """Same birth date, surname and address, and nothing that tells two people apart:
        the given name is the odd one out (replaced or mistyped), not the person."""
        bx, by = self.birth[x], self.birth[y]
        if not (_ok(bx) and _ok(by) and bx == by):
            return False
        if not (self._same_family(x, y) and self._same_place(x, y)):
            return False
        ex, ey = self.email[x], self.email[y]
        return not (_ok(ex) and _ok(ey) and ex != ey)

    def _same_family(self, x: int, y: int) -> bool:
        from rapidfuzz.distance import JaroWinkler

        fx, fy = self.family_fold[x], self.family_fold[y]
        return _ok(fx) and _ok(fy) and (
            fx == fy or JaroWinkler.normalized_similarity(fx, fy) >= 0.9)

    def _same_place(self, x: int, y: int) -> bool:
        from rapidfuzz import fuzz

        ax, ay = self.address[x], self.address[y]
        if _ok(ax) and _ok(ay) and (ax == ay or fuzz.token_set_ratio(ax, ay) >= 90):
            return True
        px, py = self.postcode[x], self.postcode[y]
        return _ok(px) and _ok(py) and px == py

    def _cannot(self, ra: int, rb: int) -> bool:
        partners = self.cannot.get(ra, set())
        return any(self.find(p) == rb for p in partners)

    def union(self, ra: int, rb: int) -> int:
        self.touch(ra)
        self.touch(rb)
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra].extend(self.members.pop(rb))
        self.size[ra] += self.size[rb]
        self.nids[ra] |= self.nids.pop(rb)
        self.any_ids[ra] |= self.any_ids.pop(rb)
        _add_votes(self.births[ra], self.births.pop(rb))
        _add_votes(self.given[ra], self.given.pop(rb))
        self.family[ra] |= self.family.pop(rb)
        if rb in self.cannot:
            self.cannot.setdefault(ra, set()).update(self.cannot.pop(rb))
        return ra

    def record_count(self, r: int) -> int:
        return len(self.members[r]) if r in self.members else 1

    def group(self, r: int) -> list[int]:
        return self.members.get(r, [r])


def _add_votes(into: dict[Any, int], votes: dict[Any, int]) -> None:
    for value, count in votes.items():
        into[value] = into.get(value, 0) + count


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
        x, y = int(a[edge]), int(b[edge])
        ra, rb = groups.find(x), groups.find(y)
        if ra == rb:
            decisions[edge] = "same_cluster"
            continue
        reason = _refusal(groups, ra, rb, x, y, neighbours, settings)
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


def _refusal(groups: _Groups, ra: int, rb: int, x: int, y: int,
             neighbours: dict[int, set[int]], settings: ClusterSettings) -> str | None:
    if groups.conflict(ra, rb, x, y):
        return "conflict"
    if groups.size[ra] + groups.size[rb] > settings.max_records:
        return "too_big"
    small, large = sorted((ra, rb), key=groups.record_count)
    if groups.record_count(small) >= 2:
        large_set = set(groups.group(large))
        support = sum(
            1 for node in groups.group(small) if neighbours.get(node, set()) & large_set
        )
        if support < max(2, settings.bridge_min_support * groups.record_count(small)):
            return "weak_bridge"
    return None
