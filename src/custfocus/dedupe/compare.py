"""Comparisons: how two records agree on each field, as discrete levels.

Vectorised over all candidate pairs: text columns are compared as dictionary codes, and every
similarity (``rapidfuzz.process.cpdist``, C++, all cores when many) or rule is computed once per
distinct pair of values, not once per pair. Level -1 means "one side has no value" and carries no evidence.
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
    """A field comparison: its levels (index = level, least agreement first), the column
    whose value frequencies adjust the top level's weight, and the thresholds its levels
    are cut at (``measure:level`` -> value), read by :func:`compare_pairs`, by the model's
    signature and by anyone explaining a level."""

    name: str
    levels: tuple[str, ...]  # level keys, translated in explain
    tf_column: str | None = None  # value frequency adjusts the top level's weight
    tf_level: int | None = None
    thresholds: tuple[tuple[str, float], ...] = ()

    def threshold(self, key: str) -> float:
        return dict(self.thresholds)[key]


COMPARISONS: tuple[Comparison, ...] = (
    Comparison("given_name", ("different", "initial", "similar", "same"), "given_canon", 3,
               (("jaro_winkler:similar", 0.88), ("jaro_winkler:swapped_typo", 0.88))),
    Comparison("family_name", ("different", "similar", "partly_same", "same"), "family_fold", 3,
               (("jaro_winkler:similar", 0.8), ("jaro_winkler:partly_same", 0.94),
                ("token_sort_ratio:swapped", 0.97))),
    Comparison("email", ("different", "similar_local", "same_local", "same_shared", "same"),
               "email_key", 4,
               (("jaro_winkler:similar_local", 0.9), ("characters:same_local", 5))),
    Comparison("phone", ("different", "same_block", "one_typo", "same_tail", "same"), "phone", 4,
               (("digits:one_typo", 7),)),
    Comparison("national_id", ("different", "one_typo", "same")),
    Comparison("birth_date", ("different", "typo_or_swap", "same")),
    Comparison("address", ("different", "same_city", "same_postcode", "similar", "same"),
               "address_key", 4,
               (("jaro_winkler:same_city", 0.9), ("token_set_ratio:similar", 0.9))),
    Comparison("company", ("different", "related", "similar", "same"), thresholds=(
        ("token_set_ratio:related", 0.75), ("token_set_ratio:similar", 0.9))),
)
_BY_NAME = {c.name: c for c in COMPARISONS}


class _Encoded:
    """Per-node codes of the text columns a comparison reads (code -1: missing), with their
    distinct values (:class:`_Values`)."""

    def __init__(self, nodes: Any):
        self.nodes = nodes
        self.cache: dict[str, tuple[np.ndarray, _Values]] = {}
        self.flags: dict[str, np.ndarray] = {}

    def __call__(self, column: str) -> tuple[np.ndarray, _Values]:
        if column not in self.cache:
            codes, values = _codes(self.nodes[column])
            self.cache[column] = codes, _Values(values)
        return self.cache[column]

    def shared(self, first: str, second: str) -> tuple[np.ndarray, np.ndarray, _Values]:
        """Codes of two columns in one dictionary, so equal codes mean equal values."""
        import pandas as pd

        x, y = self.nodes[first], self.nodes[second]
        if (isinstance(x.dtype, pd.CategoricalDtype) and isinstance(y.dtype, pd.CategoricalDtype)
                and x.cat.categories.equals(y.cat.categories)):
            cx, values = self(first)
            return cx, self(second)[0], values
        codes, values = _codes(pd.concat([_objects(x), _objects(y)], ignore_index=True))
        return codes[:len(x)], codes[len(x):], _Values(values)

    def flag(self, column: str) -> np.ndarray:
        if column not in self.flags:
            self.flags[column] = self.nodes[column].to_numpy(dtype=object).astype(bool)
        return self.flags[column]


class _Values:
    """The distinct values of a column (Arrow), and what the comparisons derive from them,
    each made once per run rather than once per batch of pairs.

    Why: at a million customers the pairs are compared in a dozen batches, and turning
    codes into Python strings (Arrow take + to_pylist), splitting words or taking first
    letters of the whole dictionary again in every batch cost about a third of the stage.
    """

    def __init__(self, arrow: Any):
        self.arrow = arrow
        self._memo: dict[Any, Any] = {}

    def __len__(self) -> int:
        return len(self.arrow)

    def _once(self, key: Any, make: Any) -> Any:
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def texts(self, codes: np.ndarray) -> list[Any]:
        """The Python strings of ``codes`` (-1: None)."""
        codes = np.asarray(codes)
        if self._few(len(codes), "objects"):
            import pyarrow as pa

            return self.arrow.take(pa.array(codes, mask=codes < 0)).to_pylist()
        objects = self._once("objects", lambda: np.array(
            [*self.arrow.to_pylist(), None], dtype=object))
        return objects[codes].tolist()

    def _few(self, wanted: int, key: str) -> bool:
        """Is ``wanted`` too small a share of the values to derive ``key`` for all of them?
        (An incremental run compares a few thousand pairs against a million values.)"""
        return key not in self._memo and wanted * 4 < len(self.arrow)

    def present(self) -> np.ndarray:
        """Per distinct value, then one more for code -1: is it a non-empty value?"""
        return self._once("present", lambda: _present_values(self.arrow))

    def first_letters(self) -> np.ndarray:
        return self._once("first", lambda: _first_letters(self.arrow))

    def long(self, length: int) -> np.ndarray:
        return self._once(("long", length), lambda: _long_values(self.arrow, length))

    def lengths(self) -> np.ndarray:
        """Per distinct value (then 0 for code -1): its length in characters."""
        return self._once("lengths", lambda: _lengths(self.arrow))

    def block_codes(self) -> np.ndarray:
        """Per distinct value (then -1 for code -1): a code of the value without its last
        four characters (a phone's line block)."""
        return self._once("block", lambda: np.append(
            _codes_of([v[:-4] if v else None for v in self.arrow.to_pylist()]), -1))

    def word_table(self) -> np.ndarray:
        return self._once("words", lambda: _word_table(self.arrow))

    def digit_codes(self, codes: np.ndarray) -> np.ndarray:
        """Per distinct value (then -1 for code -1): a code of its digits, equal for values
        with the same digits in the same order; made for the values in ``codes`` alone when
        they are few."""
        if self._few(len(codes), "digits"):
            used = np.unique(codes)
            out = np.full(len(self.arrow) + 1, -1, dtype=np.int64)
            out[used] = _digit_codes_of(self.texts(used))
            return out
        return self._once("digits", lambda: np.append(
            _digit_codes_of(self.arrow.to_pylist()), -1))


def _objects(series: Any) -> Any:
    import pandas as pd

    values = series.to_numpy(dtype=object)
    return pd.Series(np.where(pd.isna(values), None, values), dtype=object)


def _codes(series: Any) -> tuple[np.ndarray, Any]:
    import pandas as pd
    import pyarrow as pa

    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.array.codes.astype(np.int32)  # (.cat.codes builds a Series)
        values = pa.array(series.array.categories)
    else:
        codes, uniques = pd.factorize(_objects(series), use_na_sentinel=True)
        codes = codes.astype(np.int32)
        values = pa.array([str(v) for v in uniques], pa.string())
    return codes, values


def _present_values(values: Any) -> np.ndarray:
    """Per distinct value, then one more for code -1: is it a non-empty value?"""
    import pyarrow.compute as pc

    present = pc.fill_null(pc.greater(pc.utf8_length(values), 0), False)
    return np.append(present.to_numpy(zero_copy_only=False), False)


def _unique_pairs(x: np.ndarray, y: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray,
                                                                     np.ndarray]:
    """Distinct (x, y) code pairs and, per input pair, its distinct pair."""
    import pandas as pd

    key = (x.astype(np.int64) + 1) * (width + 1) + (y + 1)
    inverse, uniq = pd.factorize(key)
    return uniq // (width + 1) - 1, uniq % (width + 1) - 1, inverse


# Pairs from which rapidfuzz's threads pay: starting them costs some 0.1-1 ms a call, which a
# live match (a few dozen pairs, ~20 calls) paid about forty times over.
PARALLEL_PAIRS = 10_000


def _workers(pairs: int) -> int:
    """rapidfuzz's ``workers`` for ``pairs`` distinct value pairs: all cores when many."""
    return -1 if pairs >= PARALLEL_PAIRS else 1


def _similarity(x: np.ndarray, y: np.ndarray, mask: np.ndarray, values: Any,
                scorer: Any, jaro: bool = False, processor: Any = None) -> np.ndarray:
    """Similarity in [0, 1] (float32) of the pairs in ``mask``, once per distinct value pair.

    ``jaro``: Jaro-Winkler computed natively, rounded exactly as a 0-100 scorer would be.
    """
    from rapidfuzz.process import cpdist

    out = np.zeros(len(x), dtype=np.float32)
    if mask.any():
        ux, uy, inverse = _unique_pairs(x[mask], y[mask], len(values))
        left, right = values.texts(ux), values.texts(uy)
        if jaro:
            sims = cpdist(left, right, scorer=scorer, workers=_workers(len(left)),
                          dtype=np.float64, processor=processor)
            sims = (sims * 100).astype(np.float32) / 100.0
        else:
            sims = cpdist(left, right, scorer=scorer, workers=_workers(len(left))) / 100.0
        out[mask] = sims[inverse]
    return out


def _pairwise(x: np.ndarray, y: np.ndarray, mask: np.ndarray, values: Any, fn: Any,
              default: Any = False, dtype: Any = bool) -> np.ndarray:
    """``fn(value_x, value_y)`` for the pairs in ``mask``, once per distinct value pair."""
    out = np.full(len(x), default, dtype=dtype)
    if mask.any():
        ux, uy, inverse = _unique_pairs(x[mask], y[mask], len(values))
        vx, vy = values.texts(ux), values.texts(uy)
        out[mask] = np.fromiter((fn(p, q) for p, q in zip(vx, vy)), dtype,
                                count=len(vx))[inverse]
    return out


def compare_pairs(nodes: Any, a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """Comparison levels (int8 arrays, one per comparison) plus name similarity for explain.

    Every text column is compared as dictionary codes (equal codes, equal values), and each
    similarity or rule is evaluated once per distinct pair of values, not once per pair.
    """
    from rapidfuzz import fuzz
    from rapidfuzz.distance import OSA, JaroWinkler
    from rapidfuzz.utils import default_process

    enc = nodes if isinstance(nodes, _Encoded) else _Encoded(nodes)
    jw = JaroWinkler.normalized_similarity
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    out: dict[str, np.ndarray] = {}

    def column(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        codes, values = enc(name)
        return codes[a], codes[b], values, values.present()

    # Given names: nickname-canonical equality, then similarity, then initials.
    ga, gb, gv, gp = column("given_fold")
    ca, cb, _, _ = column("given_canon")
    both = gp[ga] & gp[gb]
    sim = _similarity(ga, gb, both, gv, jw, jaro=True)
    # Each rule is evaluated only where its outcome can change the level.
    first = gv.first_letters()
    given_similar = _BY_NAME["given_name"].threshold("jaro_winkler:similar")
    initial = _pairwise(ga, gb, both & (sim < given_similar) & (ca != cb)
                        & (first[ga] == first[gb]),
                        gv, _initial)
    # One given name among the words of the other ("carlos" ~ "juan carlos") is similar.
    within = _contained(ga, gb, both & (sim < given_similar) & (ga != gb), gv)
    level = np.where((sim >= given_similar) | within, 2, np.where(initial, 1, 0))
    level = np.where((ca == cb) & both, 3, level)
    given = np.where(both, level, NULL).astype(np.int8)

    # Family names: exact, one surname dropped, typo.
    fa, fb, fv, fp = column("family_fold")
    both_f = fp[fa] & fp[fb]
    fsim = _similarity(fa, fb, both_f, fv, jw, jaro=True)
    # Two different one-word surnames are never one contained in the other.
    surname = _BY_NAME["family_name"]
    partly_at = surname.threshold("jaro_winkler:partly_same")
    partly = _contained(fa, fb, both_f & (fsim < partly_at) & (fa != fb), fv)
    level = np.where(fsim >= surname.threshold("jaro_winkler:similar"), 1, 0)
    level = np.where(partly | (fsim >= partly_at), 2, level)
    level = np.where((fa == fb) & both_f, 3, level)
    family = np.where(both_f, level, NULL).astype(np.int8)

    # Swapped given/family order or a name typed in one column: whole-name token sort.
    na, nb, nv, np_ = column("name_fold")
    both_n = np_[na] & np_[nb]
    whole = _similarity(na, nb, both_n, nv, fuzz.token_sort_ratio)
    # Only between full names (given and family on both sides): a one-word name equal to
    # the other's one word is a single agreement, not two.
    full = (gp[ga] & fp[fa]) & (gp[gb] & fp[fb])
    swapped = both_n & full & (whole >= surname.threshold("token_sort_ratio:swapped"))
    given = np.where(swapped & (given < 3), 3, given).astype(np.int8)
    family = np.where(swapped & (family < 3), 3, family).astype(np.int8)
    # Given and family name swapped, with a typo ("Moore, Oscar" ~ "Ocar Moore"): each
    # compared with the other's other name.
    low = full & ((given < 2) | (family < 2))
    if low.any():
        xg, xf, xv = enc.shared("given_fold", "family_fold")
        # (A name and its typo nearly always share the first letter: the rest is not
        # compared, which saves most of the work on pairs blocked on a contact point.)
        letter = xv.first_letters()
        low &= (letter[xg[a]] == letter[xf[b]]) & (letter[xf[a]] == letter[xg[b]])
        cross_1 = _similarity(xg[a], xf[b], low, xv, jw, jaro=True)
        cross_2 = _similarity(xf[a], xg[b], low, xv, jw, jaro=True)
        typo = _BY_NAME["given_name"].threshold("jaro_winkler:swapped_typo")
        crossed = low & (cross_1 >= typo) & (cross_2 >= typo)
        given = np.where(crossed, np.maximum(given, np.where(cross_1 == 1, 3, 2)),
                         given).astype(np.int8)
        family = np.where(crossed, np.maximum(family, np.where(cross_2 == 1, 3, 2)),
                          family).astype(np.int8)
    # One side holds one name only, typed in the other column than the other side's ("Brown
    # Florence" given-first ~ a surname "Brown"; "Reuben" ~ "Davies Reuben"): that name
    # compared with the other side's other name, credited to the column it was typed in.
    # (Only one of the lone side's names exists, so it is one agreement, not two.)
    gpa, gpb, fpa, fpb = gp[ga], gp[gb], fp[fa], fp[fb]
    lone_a, lone_b = gpa ^ fpa, gpb ^ fpb
    for name_x, present_x, name_y, present_y in (("given_fold", gpa, "family_fold", fpb),
                                                  ("family_fold", fpa, "given_fold", gpb)):
        # x: side a's name in one column, y: side b's name in the other column.
        cross = present_x & present_y & (lone_a | lone_b)
        if not cross.any():
            continue
        xg, xf, xv = enc.shared("given_fold", "family_fold")
        xa = (xg if name_x == "given_fold" else xf)[a]
        yb = (xg if name_y == "given_fold" else xf)[b]
        letter = xv.first_letters()
        cross &= letter[xa] == letter[yb]
        sim_x = _similarity(xa, yb, cross, xv, jw, jaro=True)
        found = cross & (sim_x >= _BY_NAME["given_name"].threshold("jaro_winkler:swapped_typo"))
        level = np.where(xa == yb, 3, 2)
        # Credited to the lone side's column (b's name is in column y, a's in column x);
        # to the surname when both hold one name, whichever way round the pair is.
        to_b = found & lone_b & ~lone_a
        to_a = found & lone_a & ~lone_b
        to_both = found & lone_a & lone_b
        for target, credited in ((to_b, name_y), (to_a, name_x), (to_both, "family_fold")):
            if credited == "given_fold":
                given = np.where(target, np.maximum(given, level), given).astype(np.int8)
            else:
                family = np.where(target, np.maximum(family, level), family).astype(np.int8)
    # The words of one full name all among the other's, in any order or column ("Lamas
    # Inigo" ~ "Inigo Lamas Posada"): similar given name, partly the same surname.
    inside = _contained(na, nb, both_n & full & ~swapped & (given < 2) & (na != nb), nv)
    given = np.where(inside & (given < 2), 2, given).astype(np.int8)
    family = np.where(inside & (family < 2), 2, family).astype(np.int8)
    out["given_name"], out["family_name"], out["name_similarity"] = given, family, whole

    # E-mail: canonical key, same local part elsewhere, similar local part with same digits.
    ea, eb, _, ep = column("email_key")
    both_e = ep[ea] & ep[eb]
    la, lb, lv, _ = column("email_local")
    lsim = _similarity(la, lb, both_e, lv, jw, jaro=True)
    # The digits of the local parts are compared only where they can matter.
    email = _BY_NAME["email"]
    similar_local = email.threshold("jaro_winkler:similar_local")
    same_digits = (la == lb) | _same_digits(la, lb, both_e & (lsim >= similar_local)
                                            & (ea != eb) & (la != lb), lv)
    long_local = lv.long(int(email.threshold("characters:same_local")))
    role_of = enc.flag("email_role")
    role = role_of[a] | role_of[b]
    # A similar local part is a typo of the same address: lengths a typo or two apart. One
    # address that extends the other ("dolores_benitez" ~ "dolores.benitez.lopez") is
    # another address built from the same name, which the names already weigh.
    local_length = lv.lengths()
    near_length = np.abs(local_length[la] - local_length[lb]) <= 2
    level = np.where((lsim >= similar_local) & same_digits & near_length, 1, 0)
    level = np.where((la == lb) & long_local[la] & ~role, 2, level)
    level = np.where(ea == eb, np.where(role, 3, 4), level)
    out["email"] = np.where(both_e, level, NULL).astype(np.int8)

    # Phones: any of (phone, phone2) on one side equal to any on the other.
    p_codes, q_codes, phone_values = enc.shared("phone", "phone2")
    pp = phone_values.present()
    pa, pb, qa, qb = p_codes[a], p_codes[b], q_codes[a], q_codes[b]
    has_a, has_b = pp[pa] | pp[qa], pp[pb] | pp[qb]
    same = ((pa == pb) & pp[pa]) | ((pa == qb) & pp[pa]) | ((qa == pb) & pp[qa]) | (
        (qa == qb) & pp[qa])
    ta, tb, _, tp = column("phone_tail")
    tail = (ta == tb) & tp[ta]
    # One digit wrong or two swapped, in numbers of the same length (a typed number).
    typo = np.zeros(len(a), dtype=bool)
    length = phone_values.lengths()
    shortest = _BY_NAME["phone"].threshold("digits:one_typo")
    maybe = (pp[pa] & pp[pb] & ~same & ~tail & (length[pa] == length[pb])
             & (length[pa] >= shortest))
    if maybe.any():
        from rapidfuzz.process import cpdist

        ux, uy, inverse = _unique_pairs(pa[maybe], pb[maybe], len(phone_values))
        near = cpdist(phone_values.texts(ux), phone_values.texts(uy), scorer=OSA.distance,
                      workers=_workers(len(ux))) == 1
        typo[maybe] = near[inverse]
    # The same line block (all but the last four digits: an organisation's switchboard and
    # extensions, "832 4700" ~ "832 4716"), in numbers of the same length.
    block = phone_values.block_codes()
    same_block = (pp[pa] & pp[pb] & ~same & ~tail & ~typo & (length[pa] == length[pb])
                  & (length[pa] >= shortest) & (block[pa] == block[pb]))
    out["phone"] = np.where(has_a & has_b, np.where(same, 4, np.where(
        tail, 3, np.where(typo, 2, np.where(same_block, 1, 0)))), NULL).astype(np.int8)

    # National ids: exact, or one edit apart (a typo) when not both valid.
    ia, ib, iv, ip = column("nid_any")
    both_i = ip[ia] & ip[ib]
    dist = np.full(len(a), 99, dtype=np.int32)
    if both_i.any():
        from rapidfuzz.process import cpdist

        ux, uy, inverse = _unique_pairs(ia[both_i], ib[both_i], len(iv))
        # OSA: two swapped digits are one typo, as one wrong digit is.
        dist[both_i] = cpdist(iv.texts(ux), iv.texts(uy), scorer=OSA.distance,
                              workers=_workers(len(ux)))[inverse]
    valid = enc.flag("national_id_valid")
    va, vb = valid[a], valid[b]
    level = np.where(dist == 0, 2, np.where((dist == 1) & ~(va & vb), 1, 0))
    out["national_id"] = np.where(both_i, level, NULL).astype(np.int8)

    # Birth dates: exact, or a day/month swap or a one-digit year typo.
    da, db, dv, dp = column("birth")
    both_d = dp[da] & dp[db]
    near = _pairwise(da, db, both_d & (da != db), dv, _date_typo)
    out["birth_date"] = np.where(both_d, np.where(da == db, 2, np.where(near, 1, 0)),
                                 NULL).astype(np.int8)

    # Address: same canonical key, similar street, same postcode, same town (a typo in
    # the town's name allowed).
    address = _BY_NAME["address"]
    aa, ab, av, ap = column("address_key")
    both_a = ap[aa] & ap[ab]
    asim = _similarity(aa, ab, both_a, av, fuzz.token_set_ratio)
    za, zb, _, zp = column("postal_code")
    both_z = zp[za] & zp[zb]
    level = np.zeros(len(a), dtype=np.int8)
    both_c = np.zeros(len(a), dtype=bool)
    if "city" in enc.nodes:
        ta_, tb_, tv, tp_ = column("city")
        both_c = tp_[ta_] & tp_[tb_]
        town = _similarity(ta_, tb_, both_c, tv, jw, jaro=True, processor=default_process)
        level = np.where(both_c & (town >= address.threshold("jaro_winkler:same_city")), 1,
                         level)
    level = np.where((za == zb) & both_z, 2, level)
    similar_address = both_a & (asim >= address.threshold("token_set_ratio:similar"))
    level = np.where(similar_address, 3, level)
    # The key ends with the postal code when there is one: a file without postcodes writes
    # the same address as the other's key without its last word ("ogden 2653" ~ "ogden
    # 2653 60608"), which is the same address, not a similar one.
    same = (aa == ab) | _pairwise(aa, ab, similar_address & (aa != ab) & (zp[za] != zp[zb]),
                                  av, _same_but_postcode)
    level = np.where(both_a & same, 4, level)
    out["address"] = np.where(both_a | both_z | both_c, level, NULL).astype(np.int8)

    # Company names (B2B records).
    ka, kb, kv, kp = column("company_fold")
    both_k = kp[ka] & kp[kb]
    ksim = _similarity(ka, kb, both_k, kv, fuzz.token_set_ratio)
    company = _BY_NAME["company"]
    level = np.where(ksim >= company.threshold("token_set_ratio:related"), 1, 0)
    level = np.where(ksim >= company.threshold("token_set_ratio:similar"), 2, level)
    out["company"] = np.where(both_k, np.where(ka == kb, 3, level), NULL).astype(np.int8)
    return out


BATCH_PAIRS = 2_000_000


def compare_in_batches(nodes: Any, a: np.ndarray, b: np.ndarray,
                       batch: int = BATCH_PAIRS) -> dict[str, np.ndarray]:
    """:func:`compare_pairs` over slices of the pairs, into arrays of 9 bytes a pair.

    Why: comparing one slice needs a few dozen temporaries of its length (codes, masks,
    similarities, int64 levels); slices bound them, whatever the number of pairs. The levels
    of a pair do not depend on the other pairs, so the result is the same.
    """
    enc = nodes if isinstance(nodes, _Encoded) else _Encoded(nodes)
    out = {c.name: np.empty(len(a), dtype=np.int8) for c in COMPARISONS}
    out["name_similarity"] = np.empty(len(a), dtype=np.float32)
    for start in range(0, len(a), batch):
        part = compare_pairs(enc, a[start:start + batch], b[start:start + batch])
        for name, values in part.items():
            out[name][start:start + len(values)] = values
    return out


def _first_letters(values: Any) -> np.ndarray:
    """Per distinct value (then one more for code -1): a code of its first character."""
    import pandas as pd

    first = [v[0] if v else "" for v in values.to_pylist()]
    return np.append(pd.factorize(pd.Series(first, dtype=object))[0], -2)


def _contained(x: np.ndarray, y: np.ndarray, mask: np.ndarray, values: Any) -> np.ndarray:
    """Per pair in ``mask``: are the words of one value all among the words of the other?
    (As sets: "garcia" is in "garcia lopez".) Vectorised over word codes per value."""
    out = np.zeros(len(x), dtype=bool)
    if not mask.any():
        return out
    table = values.word_table()
    rows = np.flatnonzero(mask)
    for start in range(0, len(rows), 200_000):
        part = rows[start:start + 200_000]
        wx, wy = table[x[part]], table[y[part]]
        same = wx[:, :, None] == wy[:, None, :]
        x_in_y = (same.any(axis=2) | (wx < 0)).all(axis=1)
        y_in_x = (same.any(axis=1) | (wy < 0)).all(axis=1)
        nonempty = (wx[:, 0] >= 0) & (wy[:, 0] >= 0)
        out[part] = nonempty & (x_in_y | y_in_x)
    return out


def _same_digits(x: np.ndarray, y: np.ndarray, mask: np.ndarray, values: Any) -> np.ndarray:
    """Per pair in ``mask``: do the two values have the same digits (in order)?"""
    out = np.zeros(len(x), dtype=bool)
    if not mask.any():
        return out
    code = values.digit_codes(np.concatenate([x[mask], y[mask]]))
    out[mask] = code[x[mask]] == code[y[mask]]
    return out


def _word_table(values: Any) -> np.ndarray:
    """Per distinct value (then one more row for code -1, all -1): its word codes, padded
    with -1."""
    import pandas as pd

    words = [v.split() if v else [] for v in values.to_pylist()]
    width = max((len(w) for w in words), default=0)
    codes, _ = pd.factorize(pd.Series([t for w in words for t in w], dtype=object))
    table = np.full((len(words) + 1, max(width, 1)), -1, dtype=np.int64)
    rows = np.repeat(np.arange(len(words)), [len(w) for w in words])
    cols = np.concatenate([np.arange(len(w)) for w in words]) if words else np.zeros(0, int)
    table[rows, cols] = codes
    return table


def _codes_of(texts: list[Any]) -> np.ndarray:
    import pandas as pd

    return pd.factorize(pd.Series(texts, dtype=object))[0].astype(np.int64)


def _digit_codes_of(texts: list[Any]) -> np.ndarray:
    import pandas as pd

    digits = ["".join(filter(str.isdigit, v or "")) for v in texts]
    return pd.factorize(pd.Series(digits, dtype=object))[0].astype(np.int64)


def _lengths(values: Any) -> np.ndarray:
    import pyarrow.compute as pc

    found = pc.fill_null(pc.utf8_length(values), 0).to_numpy(zero_copy_only=False)
    return np.append(found.astype(np.int32), 0)


def _long_values(values: Any, length: int) -> np.ndarray:
    """Per distinct value (then one more for code -1): at least ``length`` characters long?
    (A missing value reads as "None", as ``str(None)`` would.)"""
    import pyarrow.compute as pc

    long = pc.fill_null(pc.greater_equal(pc.utf8_length(values), length), False)
    return np.append(long.to_numpy(zero_copy_only=False), len("None") >= length)


def _initial(x: str, y: str) -> bool:
    return bool(x and y) and (x[0] == y[0]) and (
        len(x) == 1 or len(y) == 1 or x in y or y in x)


def _same_but_postcode(x: str, y: str) -> bool:
    """Is one address key the other plus a last word with a digit (its postal code)?"""
    short, long = (x, y) if len(x) < len(y) else (y, x)
    head, _, last = long.rpartition(" ")
    return head == short and any(c.isdigit() for c in last)


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


_BASE = 8


def pack_levels(levels: dict[str, np.ndarray]) -> np.ndarray:
    """The levels of each pair in one number (base 8, level + 1, first comparison first)."""
    packed = np.zeros(len(levels[COMPARISONS[0].name]), dtype=np.int64)
    for comp in COMPARISONS:
        packed = packed * _BASE + (levels[comp.name].astype(np.int64) + 1)
    return packed


def unpack_levels(packed: np.ndarray) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    rest = packed.copy()
    for comp in reversed(COMPARISONS):
        out[comp.name] = (rest % _BASE - 1).astype(np.int8)
        rest //= _BASE
    return out


def list_array(matrix: np.ndarray, value_type: Any) -> Any:
    """A 2-D array as an Arrow list column without a Python loop per row."""
    import pyarrow as pa

    rows, width = matrix.shape if matrix.ndim == 2 else (0, len(COMPARISONS))
    offsets = pa.array(np.arange(0, (rows + 1) * width, width, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array(matrix.reshape(-1), value_type))
