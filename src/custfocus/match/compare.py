"""Comparisons: how two records agree on each field, as discrete levels.

Vectorised over all candidate pairs with ``rapidfuzz.process.cpdist`` (C++, all cores), not
a Python loop per pair. Level -1 means "one side has no value" and carries no evidence.
The function :func:`compare_pairs` is pure (frames in, arrays out) so the same stage can
run on a Spark executor over a batch of pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

NULL = -1


@dataclass(frozen=True)
class Comparison:
    """A field comparison: its levels (index = level) and the column used for term frequency."""

    name: str
    levels: tuple[str, ...]  # level keys, translated in explain
    tf_column: str | None = None  # value frequency adjusts the top level's weight
    tf_level: int | None = None


COMPARISONS: tuple[Comparison, ...] = (
    Comparison("given_name", ("different", "initial", "similar", "same"), "given_canon", 3),
    Comparison("family_name", ("different", "similar", "partly_same", "same"), "family_fold", 3),
    Comparison("email", ("different", "similar_local", "same_local", "same_shared", "same"),
               "email_key", 4),
    Comparison("phone", ("different", "same_tail", "same"), "phone", 2),
    Comparison("national_id", ("different", "one_typo", "same")),
    Comparison("birth_date", ("different", "typo_or_swap", "same")),
    Comparison("address", ("different", "same_postcode", "similar", "same"), "address_key", 3),
    Comparison("company", ("different", "similar", "same")),
)


def _pick(nodes: Any, column: str, idx: np.ndarray) -> np.ndarray:
    return nodes[column].to_numpy(dtype=object)[idx]


def _present(values: np.ndarray) -> np.ndarray:
    return np.fromiter((v is not None and v == v and v != "" for v in values), bool,
                       count=len(values))


def _similarity(x: np.ndarray, y: np.ndarray, mask: np.ndarray, scorer: Any) -> np.ndarray:
    from rapidfuzz.process import cpdist

    out = np.zeros(len(x), dtype=np.float32)
    if mask.any():
        out[mask] = cpdist(list(x[mask]), list(y[mask]), scorer=scorer, workers=-1) / 100.0
    return out


def compare_pairs(nodes: Any, a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """Comparison levels (int8 arrays, one per comparison) plus name similarity for explain."""
    from rapidfuzz import fuzz
    from rapidfuzz.distance import JaroWinkler, Levenshtein

    def jw(s1: Any, s2: Any, **kw: Any) -> float:
        return JaroWinkler.normalized_similarity(s1, s2) * 100

    n = len(a)
    out: dict[str, np.ndarray] = {}

    # Given names: nickname-canonical equality, then similarity, then initials.
    ga, gb = _pick(nodes, "given_fold", a), _pick(nodes, "given_fold", b)
    ca, cb = _pick(nodes, "given_canon", a), _pick(nodes, "given_canon", b)
    both = _present(ga) & _present(gb)
    sim = _similarity(ga, gb, both, jw)
    initial = np.fromiter(
        (bool(x and y) and (x[0] == y[0]) and (len(x) == 1 or len(y) == 1 or x in y or y in x)
         for x, y in zip(ga, gb)), bool, count=n)
    level = np.where(sim >= 0.88, 2, np.where(initial, 1, 0))
    level = np.where((ca == cb) & both, 3, level)
    given = np.where(both, level, NULL).astype(np.int8)

    # Family names: exact, one surname dropped, typo.
    fa, fb = _pick(nodes, "family_fold", a), _pick(nodes, "family_fold", b)
    both_f = _present(fa) & _present(fb)
    fsim = _similarity(fa, fb, both_f, jw)
    partly = np.fromiter(
        (bool(x and y) and (set(x.split()) <= set(y.split()) or set(y.split()) <= set(x.split()))
         for x, y in zip(fa, fb)), bool, count=n)
    level = np.where(fsim >= 0.8, 1, 0)
    level = np.where(partly | (fsim >= 0.94), 2, level)
    level = np.where((fa == fb) & both_f, 3, level)
    family = np.where(both_f, level, NULL).astype(np.int8)

    # Swapped given/family order or a name typed in one column: whole-name token sort.
    na, nb = _pick(nodes, "name_fold", a), _pick(nodes, "name_fold", b)
    both_n = _present(na) & _present(nb)
    whole = _similarity(na, nb, both_n, fuzz.token_sort_ratio)
    swapped = both_n & (whole >= 0.97)
    given = np.where(swapped & (given < 3), 3, given).astype(np.int8)
    family = np.where(swapped & (family < 3), 3, family).astype(np.int8)
    out["given_name"], out["family_name"], out["name_similarity"] = given, family, whole

    # E-mail: canonical key, same local part elsewhere, similar local part with same digits.
    ea, eb = _pick(nodes, "email_key", a), _pick(nodes, "email_key", b)
    both_e = _present(ea) & _present(eb)
    la, lb = _pick(nodes, "email_local", a), _pick(nodes, "email_local", b)
    lsim = _similarity(la, lb, both_e, jw)
    same_digits = np.fromiter(
        ("".join(filter(str.isdigit, x or "")) == "".join(filter(str.isdigit, y or ""))
         for x, y in zip(la, lb)), bool, count=n)
    role = _pick(nodes, "email_role", a).astype(bool) | _pick(nodes, "email_role", b).astype(bool)
    level = np.where((lsim >= 0.9) & same_digits, 1, 0)
    level = np.where((la == lb) & (np.char.str_len(la.astype(str)) >= 5) & ~role, 2, level)
    level = np.where(ea == eb, np.where(role, 3, 4), level)
    out["email"] = np.where(both_e, level, NULL).astype(np.int8)

    # Phones: any of (phone, phone2) on one side equal to any on the other.
    pa, pb = _pick(nodes, "phone", a), _pick(nodes, "phone", b)
    qa, qb = _pick(nodes, "phone2", a), _pick(nodes, "phone2", b)
    has_a, has_b = _present(pa) | _present(qa), _present(pb) | _present(qb)
    same = ((pa == pb) & _present(pa)) | ((pa == qb) & _present(pa)) | (
        (qa == pb) & _present(qa)) | ((qa == qb) & _present(qa))
    ta, tb = _pick(nodes, "phone_tail", a), _pick(nodes, "phone_tail", b)
    tail = (ta == tb) & _present(ta)
    out["phone"] = np.where(has_a & has_b, np.where(same, 2, np.where(tail, 1, 0)),
                            NULL).astype(np.int8)

    # National ids: exact, or one edit apart (a typo) when not both valid.
    ia, ib = _pick(nodes, "nid_any", a), _pick(nodes, "nid_any", b)
    both_i = _present(ia) & _present(ib)
    dist = np.full(n, 99, dtype=np.int32)
    if both_i.any():
        from rapidfuzz.process import cpdist

        dist[both_i] = cpdist(list(ia[both_i]), list(ib[both_i]), scorer=Levenshtein.distance,
                              workers=-1)
    va = _pick(nodes, "national_id_valid", a).astype(bool)
    vb = _pick(nodes, "national_id_valid", b).astype(bool)
    level = np.where(dist == 0, 2, np.where((dist == 1) & ~(va & vb), 1, 0))
    out["national_id"] = np.where(both_i, level, NULL).astype(np.int8)

    # Birth dates: exact, or a day/month swap or a one-digit year typo.
    da, db = _pick(nodes, "birth", a), _pick(nodes, "birth", b)
    both_d = _present(da) & _present(db)
    near = np.fromiter((_date_typo(x, y) for x, y in zip(da, db)), bool, count=n)
    out["birth_date"] = np.where(both_d, np.where(da == db, 2, np.where(near, 1, 0)),
                                 NULL).astype(np.int8)

    # Address: same canonical key, similar street, same postcode.
    aa, ab = _pick(nodes, "address_key", a), _pick(nodes, "address_key", b)
    both_a = _present(aa) & _present(ab)
    asim = _similarity(aa, ab, both_a, fuzz.token_set_ratio)
    za, zb = _pick(nodes, "postal_code", a), _pick(nodes, "postal_code", b)
    both_z = _present(za) & _present(zb)
    level = np.where((za == zb) & both_z, 1, 0)
    level = np.where(both_a & (asim >= 0.9), 2, level)
    level = np.where(both_a & (aa == ab), 3, level)
    out["address"] = np.where(both_a | both_z, level, NULL).astype(np.int8)

    # Company names (B2B records).
    ka, kb = _pick(nodes, "company_fold", a), _pick(nodes, "company_fold", b)
    both_k = _present(ka) & _present(kb)
    ksim = _similarity(ka, kb, both_k, fuzz.token_set_ratio)
    out["company"] = np.where(both_k, np.where(ka == kb, 2, np.where(ksim >= 0.9, 1, 0)),
                              NULL).astype(np.int8)
    return out


def _date_typo(x: Any, y: Any) -> bool:
    if not isinstance(x, str) or not isinstance(y, str) or len(x) != 10 or len(y) != 10:
        return False
    (y1, m1, d1), (y2, m2, d2) = x.split("-"), y.split("-")
    if (m1, d1) == (d2, m2) and y1 == y2:
        return True
    if (m1, d1) == (m2, d2):
        return sum(c1 != c2 for c1, c2 in zip(y1, y2)) == 1
    return y1 == y2 and ((m1 == m2) != (d1 == d2)) and sum(
        c1 != c2 for c1, c2 in zip(m1 + d1, m2 + d2)) == 1
