"""The synthetic population: true customers, their households, companies and purchases.

Everything is drawn with numpy from one seeded :class:`numpy.random.Generator`; per-person
values are arrays indexed by the person number ``0..n-1`` (``person_id`` = ``P`` + 7 digits).
Strings come from the small tables in :mod:`custfocus.synth.tables`, picked by index, so the
work per person is a handful of vectorised array operations.

Hard negatives planted on purpose (each person belongs to at most one structure):

* households -- 2-4 people sharing surname(s), street address and landline, sometimes one
  family e-mail (``household_id``);
* twins -- a household of two with the same surnames, birth date and address, different given
  names (``household_id`` too; also counted in ``twins``);
* namesakes -- 2-3 different people with an identical, common full name in different cities;
* colleagues -- several people of one company (``company_id``) sharing the company address,
  switchboard phone and, for some companies, a role mailbox (``info@empresa.es``).
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from custfocus.synth import tables as T

AS_OF = np.datetime64("2024-06-30", "D")
WINDOW_START = np.datetime64("2021-07-01", "D")  # first day of recorded transactions
HISTORY_START = np.datetime64("2018-01-01", "D")  # earliest customer creation date

COUNTRIES = ("ES", "MX", "BR", "CO", "AR", "PT")
COUNTRY_P = (0.60, 0.12, 0.15, 0.05, 0.05, 0.03)
CALLING_CODE = {"ES": "34", "MX": "52", "BR": "55", "CO": "57", "AR": "54", "PT": "351"}

# name groups: index into _NAME_GROUPS
_NAME_GROUPS = ("es", "latam", "br", "pt", "en")
_GIVEN = {
    "es": (T.ES_MALE, T.ES_FEMALE),
    "latam": (T.LATAM_MALE, T.LATAM_FEMALE),
    "br": (T.BR_MALE, T.BR_FEMALE),
    "pt": (T.PT_MALE, T.PT_FEMALE),
    "en": (T.EN_MALE, T.EN_FEMALE),
}
_SURN = {
    "es": T.ES_SURNAMES,
    "latam": T.LATAM_SURNAMES,
    "br": T.BR_SURNAMES,
    "pt": T.PT_SURNAMES,
    "en": T.EN_SURNAMES,
}
_PARTICLES = ("da ", "de ", "do ", "das ", "dos ", "del ", "de la ")


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Strip accents: 'José María Núñez' -> 'Jose Maria Nunez'."""
    norm = unicodedata.normalize("NFKD", text)
    return "".join(c for c in norm if not unicodedata.combining(c))


def zipf_p(n: int, s: float = 1.0, q: float = 3.0) -> np.ndarray:
    """Rank-frequency weights 1/(rank+q)^s, normalised; rank 0 is the most common."""
    w = 1.0 / (np.arange(n) + q) ** s
    return w / w.sum()


def weighted(rng: np.random.Generator, n: int, weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return rng.choice(len(w), size=n, p=w / w.sum())


def digits(rng: np.random.Generator, n: int, k: int, first: str = "0123456789") -> np.ndarray:
    """n random digit strings of length k (first digit drawn from ``first``)."""
    if k <= 0:
        return np.full(n, "", dtype=object)
    head = np.asarray(list(first), dtype=object)[rng.integers(0, len(first), n)]
    if k == 1:
        return head
    tail = rng.integers(0, 10 ** (k - 1), n)
    return head + zfill(tail, k - 1)


def zfill(values, width: int) -> np.ndarray:
    """Integers -> zero-padded strings (object array)."""
    fmt = f"{{:0{max(width, 1)}d}}".format
    return np.asarray([fmt(x) for x in np.asarray(values, dtype=np.int64).tolist()], dtype=object)


def _name_table(names: tuple[str, ...]) -> np.ndarray:
    return np.asarray(names, dtype=object)


# One flat table of given names and one of surnames, with the slice of each group.
def _flat(groups: dict[str, tuple[str, ...]]):
    values: list[str] = []
    ranges: dict[str, tuple[int, int]] = {}
    for key, names in groups.items():
        ranges[key] = (len(values), len(values) + len(names))
        values.extend(names)
    return np.asarray(values, dtype=object), ranges


GIVEN, _GIVEN_RANGE = _flat({f"{g}{sex}": _GIVEN[g][sex] for g in _NAME_GROUPS for sex in (0, 1)})
SURN, _SURN_RANGE = _flat({g: _SURN[g] for g in _NAME_GROUPS})
GIVEN_FOLD = np.asarray([fold(s) for s in GIVEN], dtype=object)
SURN_FOLD = np.asarray([fold(s) for s in SURN], dtype=object)


def _email_token(s: str, compact: bool) -> str:
    s = fold(s).lower().replace("'", "")
    for p in _PARTICLES:
        if s.startswith(p):
            s = s[len(p) :]
    parts = s.split()
    return "".join(parts) if compact else parts[0]


GIVEN_TOKEN = np.asarray([_email_token(s, False) for s in GIVEN], dtype=object)
GIVEN_TOKEN_FULL = np.asarray([_email_token(s, True) for s in GIVEN], dtype=object)
SURN_TOKEN = np.asarray([_email_token(s, True) for s in SURN], dtype=object)
GIVEN_TOKEN_FULL = np.asarray([_email_token(s, True) for s in GIVEN], dtype=object)

# flat city table
_CITY_ROWS = [(cc, *row) for cc in COUNTRIES for row in T.CITIES[cc]]
CITY_COUNTRY = np.asarray([r[0] for r in _CITY_ROWS], dtype=object)
CITY_NAME = np.asarray([r[1] for r in _CITY_ROWS], dtype=object)
CITY_REGION = np.asarray([r[2] for r in _CITY_ROWS], dtype=object)
CITY_W = np.asarray([r[3] for r in _CITY_ROWS], dtype=float)
CITY_PLO = np.asarray([r[4] for r in _CITY_ROWS], dtype=np.int64)
CITY_PHI = np.asarray([r[5] for r in _CITY_ROWS], dtype=np.int64)
CITY_AREA = np.asarray([r[6] for r in _CITY_ROWS], dtype=object)
_CITY_RANGE: dict[str, tuple[int, int]] = {}
for _i, _cc in enumerate(CITY_COUNTRY):
    lo, _hi = _CITY_RANGE.get(_cc, (_i, _i))
    _CITY_RANGE[_cc] = (lo, _i + 1)

_STREET_ROWS = [(cc, s) for cc in COUNTRIES for s in T.STREETS[cc]]
STREET_NAME = np.asarray([s for _, s in _STREET_ROWS], dtype=object)
_STREET_RANGE: dict[str, tuple[int, int]] = {}
for _i, (_cc, _) in enumerate(_STREET_ROWS):
    lo, _hi = _STREET_RANGE.get(_cc, (_i, _i))
    _STREET_RANGE[_cc] = (lo, _i + 1)

STYPE_FULL = np.asarray(
    [t[0] for t in T.STREET_TYPES["es"]] + [t[0] for t in T.STREET_TYPES["pt"]], dtype=object
)
STYPE_ABBR = np.asarray(
    [t[1] for t in T.STREET_TYPES["es"]] + [t[1] for t in T.STREET_TYPES["pt"]], dtype=object
)
_N_STYPE_ES = len(T.STREET_TYPES["es"])

DNI_LETTERS = np.asarray(list("TRWAGMYFPDXBNJZSQVHLCKE"), dtype=object)
PRODUCT_LINES = np.asarray(T.PRODUCT_LINES, dtype=object)


def dni_letter(numbers: np.ndarray) -> np.ndarray:
    return DNI_LETTERS[np.asarray(numbers, dtype=np.int64) % 23]


def cpf_check(base9: np.ndarray) -> np.ndarray:
    """Two CPF check digits for 9-digit integer bases (vectorised)."""
    d = (base9[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    s1 = (d * np.arange(10, 1, -1)).sum(axis=1)
    c1 = (s1 * 10) % 11 % 10
    s2 = (d * np.arange(11, 2, -1)).sum(axis=1) + c1 * 2
    c2 = (s2 * 10) % 11 % 10
    return c1 * 10 + c2


def pt_nif_check(base8: np.ndarray) -> np.ndarray:
    d = (base8[:, None] // 10 ** np.arange(7, -1, -1)) % 10
    return (11 - (d * np.arange(9, 1, -1)).sum(axis=1)) % 11 % 10


def unique_ints(rng: np.random.Generator, n: int, lo: int, hi: int) -> np.ndarray:
    """n distinct integers in [lo, hi) (random order)."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    out = rng.integers(lo, hi, n)
    for _ in range(50):
        _, first = np.unique(out, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first] = False
        if not dup.any():
            return out
        out[dup] = rng.integers(lo, hi, int(dup.sum()))
    raise RuntimeError("could not draw distinct numbers; range too small")


@dataclass
class Population:
    """Arrays describing every true customer (index = person number)."""

    n: int
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    companies: pd.DataFrame | None = None
    tx: pd.DataFrame | None = None  # person, date, amount, line
    planted: dict[str, int] = field(default_factory=dict)

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["arrays"][name]
        except KeyError:
            raise AttributeError(name) from None


def _groups(rng, perm, start, n_people, sizes, size_p):
    """Cut perm[start:start+n_people] into groups; return (members list of arrays, end)."""
    sz = np.asarray(sizes)[weighted(rng, max(1, n_people), size_p)]
    cum = np.cumsum(sz)
    k = int(np.searchsorted(cum, n_people, side="right"))
    sz = sz[:k]
    total = int(sz.sum())
    members = perm[start : start + total]
    gid = np.repeat(np.arange(k), sz)
    first = (np.cumsum(sz) - sz).astype(np.int64)
    head = members[first][gid] if k else members
    return members, gid, head, start + total


def build_population(n: int, rng: np.random.Generator) -> Population:
    pop = Population(n=n)
    a = pop.arrays
    idx = np.arange(n)
    a["person_id"] = np.asarray(["P"] * n, dtype=object) + zfill(idx + 1, 7)

    # --- country and structures -------------------------------------------------
    country = np.asarray(COUNTRIES, dtype=object)[weighted(rng, n, COUNTRY_P)]
    perm = rng.permutation(n)
    hh_members, hh_gid, hh_head, pos = _groups(
        rng, perm, 0, max(8, int(0.07 * n)), [2, 3, 4], [0.5, 0.3, 0.2]
    )
    tw_members, tw_gid, tw_head, pos = _groups(rng, perm, pos, max(2, int(0.006 * n)), [2], [1])
    ns_members, ns_gid, ns_head, pos = _groups(
        rng, perm, pos, max(3, int(0.015 * n)), [2, 3], [0.7, 0.3]
    )
    co_members, co_gid, co_head, pos = _groups(
        rng, perm, pos, max(8, int(0.06 * n)), [1, 2, 3, 4, 5], [0.45, 0.25, 0.15, 0.1, 0.05]
    )
    for m, h in ((hh_members, hh_head), (tw_members, tw_head), (co_members, co_head)):
        country[m] = country[h]
    # namesakes share the head's country (so the name tables match)
    country[ns_members] = country[ns_head]
    a["country"] = country

    household = np.full(n, -1, dtype=np.int64)
    household[hh_members] = hh_gid
    n_hh = int(hh_gid.max()) + 1 if len(hh_gid) else 0
    household[tw_members] = tw_gid + n_hh
    n_tw = int(tw_gid.max()) + 1 if len(tw_gid) else 0
    a["household"] = household
    a["is_twin"] = np.zeros(n, dtype=bool)
    a["is_twin"][tw_members] = True
    company = np.full(n, -1, dtype=np.int64)
    company[co_members] = co_gid
    a["company"] = company
    namesake = np.full(n, -1, dtype=np.int64)
    namesake[ns_members] = ns_gid
    a["namesake"] = namesake

    # --- names ------------------------------------------------------------------
    group = np.full(n, "es", dtype=object)
    group[country == "MX"] = "latam"
    group[country == "CO"] = "latam"
    group[country == "AR"] = "latam"
    group[country == "BR"] = "br"
    group[country == "PT"] = "pt"
    expat = (country == "ES") & (rng.random(n) < 0.04)
    group[expat] = "en"
    for m, h in ((hh_members, hh_head), (tw_members, tw_head), (ns_members, ns_head)):
        group[m] = group[h]
    sex = rng.integers(0, 2, n)
    sex[ns_members] = sex[ns_head]
    given = np.zeros(n, dtype=np.int64)
    s1 = np.full(n, -1, dtype=np.int64)
    s2 = np.full(n, -1, dtype=np.int64)
    common = np.zeros(n, dtype=bool)
    common[ns_members] = True  # namesake heads get a very common name
    for g in _NAME_GROUPS:
        for sx in (0, 1):
            sel = np.flatnonzero((group == g) & (sex == sx))
            lo, hi = _GIVEN_RANGE[f"{g}{sx}"]
            given[sel] = lo + rng.choice(hi - lo, len(sel), p=zipf_p(hi - lo, 1.0, 3.0))
            top = sel[common[sel]]
            given[top] = lo + rng.integers(0, 4, len(top))
        sel = np.flatnonzero(group == g)
        lo, hi = _SURN_RANGE[g]
        p = zipf_p(hi - lo, 1.0, 4.0)
        s1[sel] = lo + rng.choice(hi - lo, len(sel), p=p)
        s2[sel] = lo + rng.choice(hi - lo, len(sel), p=p)
        top = sel[common[sel]]
        s1[top] = lo + rng.integers(0, 6, len(top))
        s2[top] = lo + rng.integers(0, 6, len(top))
    # how many surnames each group uses
    r = rng.random(n)
    s2[(group == "en")] = -1
    s2[(group == "latam") & (country == "AR") & (r < 0.85)] = -1
    # Brazil/Portugal: s1 is the (optional) maternal surname, s2 the family name
    s1[(group == "br") & (r < 0.45)] = -1
    s1[(group == "pt") & (r < 0.2)] = -1
    # structures copy names from the head
    for m, h in ((hh_members, hh_head), (tw_members, tw_head)):
        s1[m] = s1[h]
        keep2 = rng.random(len(m)) < 0.7
        s2[m] = np.where(keep2 | (m == h) | np.isin(m, tw_members), s2[h], s2[m])
    given[ns_members] = given[ns_head]
    s1[ns_members] = s1[ns_head]
    s2[ns_members] = s2[ns_head]
    # household members and twins need different given names from each other
    hh_all = np.concatenate([hh_members, tw_members])
    for _ in range(30):
        key = pd.DataFrame({"h": household[hh_all], "g": given[hh_all]})
        dup = hh_all[key.duplicated().to_numpy()]
        if len(dup) == 0:
            break
        for g in _NAME_GROUPS:
            for sx in (0, 1):
                sel = dup[(group[dup] == g) & (sex[dup] == sx)]
                lo, hi = _GIVEN_RANGE[f"{g}{sx}"]
                given[sel] = lo + rng.integers(0, hi - lo, len(sel))
    a["sex"] = sex
    a["group"] = group
    a["given_i"] = given
    a["s1_i"] = s1
    a["s2_i"] = s2
    a["given"] = GIVEN[given]
    sn1 = np.where(s1 >= 0, SURN[np.maximum(s1, 0)], "")
    sn2 = np.where(s2 >= 0, SURN[np.maximum(s2, 0)], "")
    a["surname1"] = sn1.astype(object)
    a["surname2"] = sn2.astype(object)
    both = (s1 >= 0) & (s2 >= 0)
    a["surnames"] = np.where(both, sn1 + " " + sn2, sn1 + sn2).astype(object)
    a["full_name"] = a["given"] + " " + a["surnames"]

    # --- birth date ---------------------------------------------------------------
    age_days = (np.clip(rng.normal(44, 14, n), 18, 90) * 365.25).astype(np.int64)
    birth = AS_OF - age_days - rng.integers(0, 365, n)
    birth[tw_members] = birth[tw_head]
    a["birth"] = birth.astype("datetime64[D]")

    # --- address ------------------------------------------------------------------
    city = np.zeros(n, dtype=np.int64)
    street = np.zeros(n, dtype=np.int64)
    stype = np.zeros(n, dtype=np.int64)
    for cc in COUNTRIES:
        sel = np.flatnonzero(country == cc)
        lo, hi = _CITY_RANGE[cc]
        city[sel] = lo + weighted(rng, len(sel), CITY_W[lo:hi])
        slo, shi = _STREET_RANGE[cc]
        street[sel] = slo + rng.choice(shi - slo, len(sel), p=zipf_p(shi - slo, 0.7, 2.0))
        if cc in ("BR", "PT"):
            stype[sel] = _N_STYPE_ES + weighted(rng, len(sel), [t[2] for t in T.STREET_TYPES["pt"]])
        else:
            stype[sel] = weighted(rng, len(sel), [t[2] for t in T.STREET_TYPES["es"]])
    # namesakes live in a different city of the same country than their head
    for cc in COUNTRIES:
        lo, hi = _CITY_RANGE[cc]
        sel = np.flatnonzero((country[ns_members] == cc) & (ns_members != ns_head))
        m, h = ns_members[sel], ns_head[sel]
        offs = 1 + (np.arange(len(sel)) % (hi - lo - 1))
        city[m] = lo + (city[h] - lo + offs) % (hi - lo)
    house_no = np.minimum(rng.geometric(0.04, n), 350)
    floor = rng.integers(0, 9, n)  # 0 = ground / house
    door = rng.integers(0, 4, n)
    plo, phi = CITY_PLO[city], CITY_PHI[city]
    postal = plo + (rng.random(n) * (phi - plo + 1)).astype(np.int64)
    # --- companies (need city of the head, before copying addresses) -----------------
    n_co = int(co_gid.max()) + 1 if len(co_gid) else 0
    co_first = np.flatnonzero(np.r_[True, co_gid[1:] != co_gid[:-1]]) if n_co else np.zeros(0, int)
    co_head_person = co_members[co_first]
    addr_cols = [city, street, stype, house_no, floor, door, postal]
    # company address: a fresh street address in the head's city
    co_street = np.zeros(n_co, dtype=np.int64)
    for cc in COUNTRIES:
        sel = np.flatnonzero(country[co_head_person] == cc)
        slo, shi = _STREET_RANGE[cc]
        co_street[sel] = slo + rng.integers(0, shi - slo, len(sel))
    co_no = np.minimum(rng.geometric(0.03, n_co), 400)
    co_postal = CITY_PLO[city[co_head_person]] + (
        rng.random(n_co) * (CITY_PHI[city[co_head_person]] - CITY_PLO[city[co_head_person]] + 1)
    ).astype(np.int64)
    for m, h in ((hh_members, hh_head), (tw_members, tw_head)):
        for col in addr_cols:
            col[m] = col[h]
    # colleagues use the company's address
    if n_co:
        city[co_members] = city[co_head_person][co_gid]
        street[co_members] = co_street[co_gid]
        stype[co_members] = np.where(np.isin(country[co_members], ["BR", "PT"]), _N_STYPE_ES, 0)
        house_no[co_members] = co_no[co_gid]
        floor[co_members] = 0
        door[co_members] = 0
        postal[co_members] = co_postal[co_gid]
    a["city_i"] = city
    a["city"] = CITY_NAME[city]
    a["region"] = CITY_REGION[city]
    a["street"] = STREET_NAME[street]
    a["stype_i"] = stype
    a["house_no"] = house_no
    a["floor"] = floor
    a["door"] = door
    a["postal_i"] = postal
    a["postal"] = _format_postal(country, postal)

    # --- phones -------------------------------------------------------------------
    has_mobile = rng.random(n) < 0.93
    mobile = _draw_phones(rng, country, city, kind="mobile")
    a["mobile"] = np.where(has_mobile, mobile, "").astype(object)
    has_land = rng.random(n) < 0.22
    land = _draw_phones(rng, country, city, kind="land")
    hh_all_m = np.concatenate([hh_members, tw_members])
    hh_all_h = np.concatenate([hh_head, tw_head])
    has_land[hh_all_h] = True
    land[hh_all_m] = land[hh_all_h]
    has_land[hh_all_m] = True
    co_switch = _draw_phones(rng, country[co_head_person], city[co_head_person], kind="land")
    if n_co:
        land[co_members] = co_switch[co_gid]
        has_land[co_members] = True
    a["landline"] = np.where(has_land, land, "").astype(object)
    a["calling_code"] = np.asarray([CALLING_CODE[c] for c in COUNTRIES], dtype=object)[
        _country_index(country)
    ]

    # --- national id ----------------------------------------------------------------
    _national_ids(pop, rng, expat)

    # --- companies table -------------------------------------------------------------
    pop.companies = _companies(rng, n_co, country[co_head_person], city[co_head_person])
    if n_co:
        co = pop.companies
        co["street"] = STREET_NAME[co_street]
        co["house_no"] = co_no
        co["postal"] = _format_postal(co["country"].to_numpy(), co_postal)
        co["switchboard"] = co_switch
        co["size"] = np.bincount(co_gid, minlength=n_co)
        co["role_shared"] = (co["size"] >= 2) & (rng.random(n_co) < 0.5)

    # --- e-mail --------------------------------------------------------------------
    _emails(pop, rng, hh_members, hh_head, hh_gid, co_members, co_gid)

    # --- behaviour & dates ----------------------------------------------------------------
    _behaviour(pop, rng)

    pop.planted = {
        "households": n_hh,
        "household_persons": len(hh_members),
        "twins": n_tw,
        "namesake_groups_planted": int(ns_gid.max()) + 1 if len(ns_gid) else 0,
        "companies": n_co,
        "colleague_groups": int(pop.companies["role_shared"].sum()) if n_co else 0,
        "b2b_persons": len(co_members),
    }
    return pop


def _country_index(country: np.ndarray) -> np.ndarray:
    out = np.zeros(len(country), dtype=np.int64)
    for i, cc in enumerate(COUNTRIES):
        out[country == cc] = i
    return out


def _format_postal(country: np.ndarray, postal: np.ndarray) -> np.ndarray:
    out = zfill(postal, 5)
    br = country == "BR"
    if br.any():
        s = zfill(postal[br], 8)
        out[br] = np.asarray([x[:5] + "-" + x[5:] for x in s], dtype=object)
    pt = country == "PT"
    if pt.any():
        out[pt] = zfill(postal[pt], 4) + "-" + zfill((postal[pt] * 37) % 1000, 3)
    co = country == "CO"
    if co.any():
        out[co] = zfill(postal[co], 6)
    ar = country == "AR"
    if ar.any():
        out[ar] = zfill(postal[ar], 4)
    return out


def _draw_phones(rng, country, city, kind: str) -> np.ndarray:
    """National significant numbers (digits only) that libphonenumber considers valid."""
    m = len(country)
    out = np.full(m, "", dtype=object)
    area = CITY_AREA[city]
    for cc in COUNTRIES:
        sel = np.flatnonzero(country == cc)
        k = len(sel)
        if k == 0:
            continue
        ar = area[sel]
        if kind == "mobile":
            if cc == "ES":
                v = "6" + digits(rng, k, 8)
            elif cc == "MX":
                v = ar + _rest(rng, ar, 10, "23456789")
            elif cc == "BR":
                v = ar + "9" + digits(rng, k, 8, "6789")
            elif cc == "CO":
                pre = np.asarray(
                    ["300", "301", "302", "304", "305", "310", "311", "312", "313", "314", "315"]
                    + ["316", "317", "318", "319", "320", "321", "350"],
                    dtype=object,
                )
                v = pre[rng.integers(0, len(pre), k)] + digits(rng, k, 7)
            elif cc == "AR":
                v = "9" + ar + _rest(rng, ar, 10, "234567")
            else:  # PT
                v = "9" + digits(rng, k, 8, "1236")
        else:
            if cc == "ES":
                v = ar + _rest(rng, ar, 9, "12345678")
            elif cc == "MX":
                v = ar + _rest(rng, ar, 10, "23456789")
            elif cc == "BR":
                v = ar + digits(rng, k, 8, "2345")
            elif cc == "CO":
                v = ar + digits(rng, k, 7, "2345678")
            elif cc == "AR":
                v = ar + _rest(rng, ar, 10, "45")
            else:
                v = ar + _rest(rng, ar, 9, "123456789")
        out[sel] = v
    # make them distinct (a shared number must be planted, never accidental)
    for _ in range(50):
        dup = pd.Series(out).duplicated().to_numpy()
        if not dup.any():
            break
        d = np.flatnonzero(dup)
        out[d] = _draw_phones(rng, country[d], city[d], kind) if len(d) < m else out[d]
    return out


def _rest(rng, area: np.ndarray, total: int, first: str) -> np.ndarray:
    out = np.full(len(area), "", dtype=object)
    lens = np.asarray([len(x) for x in area])
    for ln in np.unique(lens):
        sel = np.flatnonzero(lens == ln)
        out[sel] = digits(rng, len(sel), total - int(ln), first)
    return out


def _national_ids(pop: Population, rng, expat) -> None:
    a = pop.arrays
    n, country = pop.n, a["country"]
    id_type = np.full(n, "", dtype=object)
    id_value = np.full(n, "", dtype=object)
    r = rng.random(n)
    # Spain: DNI (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter)
    es = country == "ES"
    nie = es & ((r < 0.08) | expat)
    dni = es & ~nie & (r < 0.97)
    k = int(dni.sum())
    num = unique_ints(rng, k, 1_000_000, 80_000_000)
    id_type[dni] = "DNI"
    id_value[dni] = zfill(num, 8) + dni_letter(num)
    k = int(nie.sum())
    num = unique_ints(rng, k, 0, 30_000_000)  # prefix digit * 10^7 + 7 digits
    pref = np.asarray(list("XYZ"), dtype=object)[num // 10_000_000]
    id_type[nie] = "NIE"
    id_value[nie] = pref + zfill(num % 10_000_000, 7) + dni_letter(num)
    # Brazil: CPF
    br = (country == "BR") & (r < 0.96)
    k = int(br.sum())
    base = unique_ints(rng, k, 1_000_000, 999_999_999)
    id_type[br] = "CPF"
    id_value[br] = zfill(base, 9) + zfill(cpf_check(base), 2)
    # Portugal: NIF (9 digits, leading 1/2)
    pt = (country == "PT") & (r < 0.85)
    k = int(pt.sum())
    base = unique_ints(rng, k, 10_000_000, 29_999_999)
    id_type[pt] = "NIF_PT"
    id_value[pt] = zfill(base, 8) + zfill(pt_nif_check(base), 1)
    # Colombia: cédula de ciudadanía; Argentina: DNI -- no check digit
    co = (country == "CO") & (r < 0.7)
    id_type[co] = "CC"
    id_value[co] = zfill(unique_ints(rng, int(co.sum()), 1_000_000_000, 1_200_000_000), 10)
    ar = (country == "AR") & (r < 0.7)
    id_type[ar] = "DNI_AR"
    id_value[ar] = zfill(unique_ints(rng, int(ar.sum()), 10_000_000, 45_000_000), 8)
    # Mexico: RFC for some persons (13 chars, valid check digit)
    mx = np.flatnonzero((country == "MX") & (r < 0.45))
    if len(mx):
        id_type[mx] = "RFC"
        id_value[mx] = _rfc_persons(rng, pop, mx)
    a["id_type"] = id_type
    a["id_value"] = id_value


_RFC_ALPHA = "123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"


def _rfc_persons(rng, pop: Population, sel: np.ndarray) -> np.ndarray:
    from stdnum.mx import rfc

    blacklist = getattr(rfc, "_name_blacklist", set())
    a = pop.arrays
    s1f = [fold(x).upper().replace(" ", "") for x in a["surname1"][sel]]
    s2f = [fold(x).upper().replace(" ", "") for x in a["surname2"][sel]]
    gf = [fold(x).upper() for x in a["given"][sel]]
    birth = pd.to_datetime(a["birth"][sel]).strftime("%y%m%d")
    h1 = rng.integers(0, 30, len(sel))  # [1-9A-V]
    h2 = rng.integers(0, len(_RFC_ALPHA), len(sel))
    out = []
    for i in range(len(sel)):
        s = s1f[i] or "X"
        vowel = next((c for c in s[1:] if c in "AEIOU"), "X")
        letters = s[0] + vowel + (s2f[i][:1] or "X") + gf[i][:1]
        if letters in blacklist:
            letters = letters[:3] + "X"
        body = letters + birth[i] + _RFC_ALPHA[h1[i]] + _RFC_ALPHA[h2[i]]
        out.append(body + rfc.calc_check_digit(body))
    return np.asarray(out, dtype=object)


def _companies(rng, n_co: int, country: np.ndarray, city: np.ndarray) -> pd.DataFrame:
    from stdnum.ar import cuit
    from stdnum.br import cnpj
    from stdnum.co import nit
    from stdnum.es import cif
    from stdnum.mx import rfc

    if n_co == 0:
        return pd.DataFrame(columns=["company_id", "name", "domain", "tax_id", "country"])
    pt_like = np.isin(country, ["BR", "PT"])
    pre_es = np.asarray(T.COMPANY_PREFIX_ES, dtype=object)
    pre_pt = np.asarray(T.COMPANY_PREFIX_PT, dtype=object)
    prefix = np.where(
        pt_like,
        pre_pt[rng.integers(0, len(pre_pt), n_co)],
        pre_es[rng.integers(0, len(pre_es), n_co)],
    )
    # core: a surname (family business) or a place-like word
    core_w = np.asarray(T.COMPANY_CORE, dtype=object)[rng.integers(0, len(T.COMPANY_CORE), n_co)]
    sur = SURN[rng.integers(0, _SURN_RANGE["es"][1], n_co)]
    core = np.where(rng.random(n_co) < 0.5, sur, core_w)
    legal = np.empty(n_co, dtype=object)
    for cc in COUNTRIES:
        sel = np.flatnonzero(country == cc)
        opts = T.COMPANY_LEGAL[cc]
        legal[sel] = np.asarray([o[0] for o in opts], dtype=object)[
            weighted(rng, len(sel), [o[1] for o in opts])
        ]
    name = prefix + " " + core + " " + legal
    stem = [
        fold(p + c).lower().replace(" ", "").replace("'", "")
        for p, c in zip(prefix, core, strict=False)
    ]
    tld = [T.COMPANY_TLD[c] for c in country]
    domain = pd.Series([s + t for s, t in zip(stem, tld, strict=False)])
    dup = domain.duplicated(keep="first")
    if dup.any():
        cnt = domain.groupby(domain).cumcount()
        domain = pd.Series(
            [
                s + (str(k + 1) if d else "") + t
                for s, t, k, d in zip(stem, tld, cnt, dup, strict=False)
            ]
        )
    nums = unique_ints(rng, n_co, 1_000_000, 99_999_999)
    tax = []
    for i, cc in enumerate(country):
        x = int(nums[i])
        if cc == "ES":
            body = "B" + f"{x % 10_000_000:07d}" if i % 5 else "A" + f"{x % 10_000_000:07d}"
            tax.append(body + cif.calc_check_digits(body)[0])
        elif cc == "BR":
            body = f"{x:08d}0001"
            tax.append(body + cnpj.calc_check_digits(body))
        elif cc == "MX":
            body = (
                fold(str(prefix[i]))[:1].upper()
                + fold(str(core[i]))[:2].upper().ljust(2, "X")
                + f"{10 + x % 14:02d}{1 + x % 12:02d}{1 + x % 28:02d}"
                + _RFC_ALPHA[x % 30]
                + _RFC_ALPHA[x % 34]
            )
            tax.append(body + rfc.calc_check_digit(body))
        elif cc == "PT":
            body = 50_000_000 + x % 10_000_000
            tax.append(f"{body}{pt_nif_check(np.asarray([body]))[0]}")
        elif cc == "CO":
            body = f"{800_000_000 + x % 100_000_000}"
            tax.append(body + nit.calc_check_digit(body))
        else:
            body = f"30{x:08d}"
            tax.append(body + cuit.calc_check_digit(body))
    return pd.DataFrame(
        {
            "company_id": np.asarray(["K"] * n_co, dtype=object) + zfill(np.arange(n_co) + 1, 6),
            "name": name,
            "domain": domain.to_numpy(dtype=object),
            "tax_id": np.asarray(tax, dtype=object),
            "country": country,
            "city_i": city,
        }
    )


def _emails(pop: Population, rng, hh_members, hh_head, hh_gid, co_members, co_gid) -> None:
    a = pop.arrays
    n, country = pop.n, a["country"]
    g = GIVEN_TOKEN[a["given_i"]]
    gfull = GIVEN_TOKEN_FULL[a["given_i"]]
    s1 = np.where(a["s1_i"] >= 0, SURN_TOKEN[np.maximum(a["s1_i"], 0)], "")
    s2 = np.where(a["s2_i"] >= 0, SURN_TOKEN[np.maximum(a["s2_i"], 0)], "")
    # family name first in ES/LATAM, last in BR/PT
    fam = np.where(np.isin(country, ["BR", "PT"]) & (s2 != ""), s2, np.where(s1 != "", s1, s2))
    other = np.where(np.isin(country, ["BR", "PT"]), s1, s2)
    year = pd.to_datetime(a["birth"]).year.to_numpy()
    provider = np.empty(n, dtype=object)
    for cc in COUNTRIES:
        sel = np.flatnonzero(country == cc)
        opts = T.EMAIL_PROVIDERS[cc]
        provider[sel] = np.asarray([o[0] for o in opts], dtype=object)[
            weighted(rng, len(sel), [o[1] for o in opts])
        ]

    initial = np.asarray([x[:1] for x in GIVEN_TOKEN], dtype=object)[a["given_i"]]

    def local_parts(pattern: np.ndarray) -> np.ndarray:
        out = np.empty(n, dtype=object)
        d2 = zfill(rng.integers(0, 100, n), 2)
        d3 = rng.integers(1, 1000, n).astype(str).astype(object)
        yy = (year % 100).astype(str).astype(object)
        yyyy = year.astype(str).astype(object)
        builds = [
            lambda i: g[i] + "." + fam[i],
            lambda i: g[i] + fam[i],
            lambda i: g[i] + "_" + fam[i],
            lambda i: initial[i] + fam[i],
            lambda i: g[i] + "." + fam[i] + "." + other[i],
            lambda i: fam[i] + "." + g[i],
            lambda i: g[i] + fam[i] + d2[i],
            lambda i: g[i] + "." + fam[i] + yy[i],
            lambda i: gfull[i] + fam[i] + yyyy[i],
            lambda i: g[i] + d3[i],
            lambda i: initial[i] + "." + fam[i] + d3[i],
        ]
        for k, fn in enumerate(builds):
            sel = np.flatnonzero(pattern == k)
            if len(sel):
                out[sel] = fn(sel)
        return np.asarray([x.strip(".").replace("..", ".") for x in out], dtype=object)

    pat_w = [18, 12, 4, 6, 6, 3, 16, 8, 7, 4, 6]
    pattern = weighted(rng, n, pat_w)
    pattern[(other == "") & (pattern == 4)] = 0
    email = local_parts(pattern) + "@" + provider
    # B2B persons: most use a personal address at the company domain
    co = pop.companies
    is_co = a["company"] >= 0
    use_dom = is_co & (rng.random(n) < 0.6)
    if use_dom.any():
        dom = co["domain"].to_numpy()[a["company"][use_dom]]
        pat2 = np.where(rng.random(int(use_dom.sum())) < 0.6, 0, 3)
        lp = np.where(pat2 == 0, g[use_dom] + "." + fam[use_dom], _initials(g, fam)[use_dom])
        email[use_dom] = lp + "@" + dom
    # old e-mail (an address the person no longer uses)
    has_old = rng.random(n) < 0.15
    old_provider = np.where(provider == "gmail.com", "hotmail.com", "yahoo.es")
    old_provider[np.isin(country, ["BR"])] = "bol.com.br"
    old_lp = local_parts(weighted(rng, n, pat_w))
    email_old = np.where(has_old, old_lp + "@" + old_provider, "").astype(object)
    # make every address belong to one person (shared ones are planted below)
    allm = pd.Series(np.concatenate([email, email_old]))
    for _ in range(50):
        dup = (allm.duplicated() & (allm != "")).to_numpy()
        if not dup.any():
            break
        d = np.flatnonzero(dup)
        fix = allm.to_numpy()[d]
        extra = rng.integers(1, 10000, len(d)).astype(str)
        fix = [x.replace("@", s + "@", 1) for x, s in zip(fix, extra, strict=False)]
        vals = allm.to_numpy(copy=True)
        vals[d] = fix
        allm = pd.Series(vals)
    vals = allm.to_numpy()
    email, email_old = vals[:n].copy(), vals[n:].copy()
    # planted sharing: family e-mail (30 % of households), role mailbox of colleagues
    n_hh = int(hh_gid.max()) + 1 if len(hh_gid) else 0
    fam_mail = rng.random(n_hh) < 0.3
    share = fam_mail[hh_gid] if n_hh else np.zeros(0, bool)
    email[hh_members[share]] = email[hh_head[share]]
    a["family_email"] = np.zeros(n, dtype=bool)
    a["family_email"][hh_members[share]] = True
    role = np.full(n, "", dtype=object)
    if len(co_members):
        shared = co["role_shared"].to_numpy()
        pt_like = np.isin(co["country"].to_numpy(), ["BR", "PT"])
        rb = np.where(
            pt_like,
            np.asarray(T.ROLE_MAILBOXES_PT, dtype=object)[
                rng.integers(0, len(T.ROLE_MAILBOXES_PT), len(co))
            ],
            np.asarray(T.ROLE_MAILBOXES, dtype=object)[
                rng.integers(0, len(T.ROLE_MAILBOXES), len(co))
            ],
        )
        co["role_email"] = rb + "@" + co["domain"].to_numpy()
        m = co_members[shared[co_gid]]
        role[m] = co["role_email"].to_numpy()[a["company"][m]]
        email[m] = role[m]
    a["role_email"] = role
    a["email"] = email
    a["email_old"] = email_old
    a["has_email"] = rng.random(n) < 0.9


def _initials(g, fam):
    return np.asarray([x[:1] for x in g], dtype=object) + fam


def _behaviour(pop: Population, rng) -> None:
    """Channels, created dates, BG/NBD-style purchases, preferences, satisfaction."""
    a = pop.arrays
    n, country = pop.n, a["country"]
    br = country == "BR"
    b2b = a["company"] >= 0
    r = rng.random((5, n))
    in_loja = br & (r[0] < 0.95)
    in_ventas = ~br & (r[0] < 0.64)
    in_erp = np.where(b2b, r[1] < 0.85, np.where(br, r[1] < 0.04, r[1] < 0.25))
    # colleagues other than the main contact of a company are not ERP accounts
    if pop.companies is not None and len(pop.companies):
        first = pd.Series(a["company"]).where(b2b).duplicated(keep="first").to_numpy()
        in_erp &= ~(b2b & first)
    in_mkt = r[2] < np.where(br, 0.42, 0.55)
    in_sop = r[3] < np.where(br, 0.12, 0.30)
    none = ~(in_loja | in_ventas | in_erp | in_mkt | in_sop)
    in_loja |= none & br
    in_ventas |= none & ~br
    a["in_ventas"], a["in_erp"], a["in_mkt"], a["in_sop"], a["in_loja"] = (
        in_ventas,
        in_erp,
        in_mkt,
        in_sop,
        in_loja,
    )
    buyer = in_ventas | in_erp | in_loja
    span = int((AS_OF - HISTORY_START).astype(int))
    # creation dates skew recent (growing business)
    created = HISTORY_START + (span * rng.beta(1.6, 1.0, n)).astype(np.int64)
    # the Brazilian web shop opened with the recorded window
    wspan = int((AS_OF - WINDOW_START).astype(int))
    created[in_loja] = WINDOW_START + (wspan * rng.beta(1.3, 1.0, int(in_loja.sum()))).astype(
        np.int64
    )
    created = np.minimum(created, AS_OF - 1)
    a["created"] = created.astype("datetime64[D]")
    a["buyer"] = buyer
    # purchase rate per year (heterogeneous, many near zero) and drop-out probability
    lam = rng.gamma(0.55, 1 / 0.28, n)  # mean ~2 purchases/year
    lam[b2b] *= 2.5
    p_drop = rng.beta(0.7, 2.2, n)
    spend = np.exp(rng.normal(np.log(55), 0.7, n))
    spend[b2b] *= 4
    a["lam"], a["p_drop"], a["spend"] = lam, p_drop, spend
    # preferred product lines (1-3 distinct)
    k = 1 + (rng.random(n) < 0.45) + (rng.random(n) < 0.15)
    lines = np.argsort(
        rng.random((n, len(PRODUCT_LINES))) + np.arange(len(PRODUCT_LINES)) * 0.08, axis=1
    )[:, :3]
    a["n_lines"], a["lines"] = k, lines
    a["sat"] = np.clip(rng.normal(3.7, 0.9, n), 1, 5)
    a["ticket_rate"] = rng.gamma(1.2, 0.6, n)

    # --- purchases: BG/NBD process from the creation date ---------------------------
    person = np.flatnonzero(buyer)
    t = created[person].astype(np.int64)  # days since epoch
    end = AS_OF.astype(np.int64)
    out_p, out_t = [person], [t.copy()]
    alive = person.copy()
    cur = t.copy()
    for _ in range(200):
        if len(alive) == 0:
            break
        stay = rng.random(len(alive)) >= p_drop[alive]
        alive, cur = alive[stay], cur[stay]
        gap = rng.exponential(365.0 / np.maximum(lam[alive], 1e-6))
        cur = cur + np.ceil(gap).astype(np.int64)
        ok = cur <= end
        alive, cur = alive[ok], cur[ok]
        out_p.append(alive)
        out_t.append(cur.copy())
    tp = np.concatenate(out_p)
    tt = np.concatenate(out_t)
    order = np.lexsort((tt, tp))
    tp, tt = tp[order], tt[order]
    m = len(tp)
    j = (rng.random(m) * k[tp]).astype(np.int64)
    line = lines[tp, j]
    price = np.asarray(T.PRODUCT_PRICE)[line]
    amount = np.round(spend[tp] * price / 60.0 * rng.gamma(4.0, 0.25, m), 2)
    amount = np.maximum(amount, 2.5)
    pop.tx = pd.DataFrame(
        {
            "person": tp,
            "date": tt.astype("datetime64[D]"),
            "amount": amount,
            "line": line,
        }
    )
