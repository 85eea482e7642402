"""The five departmental sources, each rendered from the population with its own quirks.

Each builder returns :class:`Sheet` objects: the frame to write, the person behind every row
(``-1`` for a row that belongs to nobody), the truth ``kind`` and per-row flags of the defects
planted on purpose. ``write_sheets`` turns them into files; the truth and the planted figures
are computed from the same frames, so they are exact.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from custfocus.synth import tables as T
from custfocus.synth.people import (
    AS_OF,
    DNI_LETTERS,
    STYPE_ABBR,
    STYPE_FULL,
    WINDOW_START,
    Population,
    fold,
    weighted,
    zfill,
)

EXCEL_MAX_ROWS = 1_048_575  # data rows below one header row
FLAGS = (
    "invalid_email",
    "placeholder_email",
    "role_email",
    "invalid_phone",
    "bad_id_checksum",
    "impossible_date",
    "placeholder_name",
    "no_identifier",
    "unusable",
    "dup_variant",
    "stale",
)
IMPOSSIBLE_DMY = (
    "31/02/2023",
    "30/02/2022",
    "31/04/2023",
    "31/06/2022",
    "29/02/2023",
    "31/09/2021",
)
IMPOSSIBLE_ISO = ("2023-02-31", "2022-02-30", "2023-04-31", "2022-06-31", "2023-02-29")
ROLE_LOCALS = frozenset(T.ROLE_MAILBOXES + T.ROLE_MAILBOXES_PT)
PLACEHOLDER_EMAILS = frozenset(T.PLACEHOLDER_EMAILS)


@dataclass
class Sheet:
    """One table of one source file, plus the truth behind each of its rows."""

    file: str  # "ventas.xlsx"
    sheet: str | None  # "Clientes" (None for a CSV file)
    frame: pd.DataFrame
    person: np.ndarray  # person number per row, -1 for none
    kind: str  # customer | order | invoice | ticket
    customer_rows: bool  # rows carry customer identity (name/e-mail/phone/id)
    flags: dict[str, np.ndarray] = field(default_factory=dict)
    title_rows: tuple[str, ...] = ()  # text rows above the header (xlsx only), then a blank
    date_cols: tuple[str, ...] = ()
    merge_col: str | None = None  # vertically merge one run of equal values (xlsx only)
    hidden: bool = False
    truth: bool = True  # False for the junk Config sheet
    # csv options
    encoding: str = "utf-8"
    sep: str = ","
    lineterminator: str = "\n"

    def flag(self, name: str) -> np.ndarray:
        if name not in self.flags:
            self.flags[name] = np.zeros(len(self.frame), dtype=bool)
        return self.flags[name]


# --- small helpers ------------------------------------------------------------------


@functools.cache
def _fold(s: str) -> str:
    return fold(s)


def fold_arr(values) -> np.ndarray:
    return np.asarray([_fold(x) if x else x for x in values], dtype=object)


def upper_arr(values) -> np.ndarray:
    return np.asarray([x.upper() if isinstance(x, str) else x for x in values], dtype=object)


def typo_arr(rng, values) -> np.ndarray:
    """Swap two adjacent letters in each value (a typing slip)."""
    pos = rng.random(len(values))
    out = []
    for v, p in zip(values, pos, strict=False):
        if not isinstance(v, str) or len(v) < 4:
            out.append(v)
            continue
        i = 1 + int(p * (len(v) - 3))
        if v[i] == " " or v[i + 1] == " " or v[i] == v[i + 1]:
            i = 1
        out.append(v[:i] + v[i + 1] + v[i] + v[i + 2 :])
    return np.asarray(out, dtype=object)


def choose(rng, eligible: np.ndarray, rate: float, minimum: int = 1) -> np.ndarray:
    """Mask of exactly max(minimum, round(rate*len)) rows among the eligible ones."""
    idx = np.flatnonzero(eligible)
    k = min(len(idx), max(minimum, int(round(rate * len(eligible)))))
    mask = np.zeros(len(eligible), dtype=bool)
    if k:
        mask[rng.choice(idx, k, replace=False)] = True
    return mask


def dmy(dates) -> np.ndarray:
    return pd.DatetimeIndex(dates).strftime("%d/%m/%Y").to_numpy(dtype=object, copy=True)


def to_date_objects(dates) -> np.ndarray:
    return np.asarray(dates, dtype="datetime64[D]").astype(object)


def blank(values, mask) -> np.ndarray:
    out = np.asarray(values, dtype=object).copy()
    out[mask] = None
    return out


_CC = {"ES": "34", "MX": "52", "BR": "55", "CO": "57", "AR": "54", "PT": "351"}


def _fmt_group(vals: list[str], country: str, style: int) -> list[str]:
    """Format national significant numbers of one country in one style.

    style 0: national spaced, 1: national compact, 2: international spaced, 3: E.164.
    """
    cc = _CC[country]
    if style == 1:
        return vals
    if style == 3:
        return [f"+{cc}{v}" for v in vals]
    if country == "BR":
        nat = [f"({v[:2]}) {v[2:-4]}-{v[-4:]}" for v in vals]
        return nat if style == 0 else [f"+55 {v[:2]} {v[2:-4]}-{v[-4:]}" for v in vals]
    if country == "ES":
        if style == 0:
            return [f"{v[:3]} {v[3:5]} {v[5:7]} {v[7:]}" for v in vals]
        return [f"+34 {v[:3]} {v[3:6]} {v[6:]}" for v in vals]
    if country == "MX":
        nat = [f"{v[:2]} {v[2:6]} {v[6:]}" for v in vals]
    elif country == "AR":
        nat = [
            f"{v[0]} {v[1:3]} {v[3:7]}-{v[7:]}" if v[0] == "9" else f"{v[:2]} {v[2:6]}-{v[6:]}"
            for v in vals
        ]
    elif country == "CO":
        nat = [f"{v[:3]} {v[3:6]} {v[6:]}" for v in vals]
    else:
        nat = [f"{v[:3]} {v[3:6]} {v[6:]}" for v in vals]
    return nat if style == 0 else [f"+{cc} {x}" for x in nat]


def format_phone(nsn: str, country: str, style: int) -> str:
    return _fmt_group([nsn], country, style)[0] if nsn else ""


def phones(values, country, home: str, rng, p_styles) -> np.ndarray:
    """Format phones; numbers from another country than ``home`` always get their prefix."""
    values = np.asarray(values, dtype=object)
    style = weighted(rng, len(values), p_styles)
    foreign = country != home
    style = np.where(foreign & (style < 2), 2, style)
    out = np.full(len(values), "", dtype=object)
    has = values != ""
    for cc in np.unique(country[has]):
        for st in range(4):
            sel = np.flatnonzero(has & (country == cc) & (style == st))
            if len(sel):
                out[sel] = _fmt_group(values[sel].tolist(), str(cc), st)
    return out


def shorten_phone(v):
    """Drop the last two digits (an incomplete number)."""
    if isinstance(v, (int, np.integer)):
        return int(v) // 100
    s = str(v).rstrip()
    cut = 0
    while cut < 2 and s:
        if s[-1].isdigit():
            cut += 1
        s = s[:-1].rstrip(" -")
    return s


def corrupt_email(e: str, how: int) -> str:
    local, _, dom = e.partition("@")
    if how == 0:  # no TLD: maria.garcia@gmail
        return local + "@" + dom.split(".")[0]
    if how == 1:  # missing @
        return local + "." + dom
    if how == 2:
        return local + "@@" + dom
    if how == 3:
        return local[:1] + " " + local[1:] + "@" + dom
    return local + "@" + dom.replace(".", ",", 1)


def bad_checksum(value: str, id_type: str) -> str:
    """Same id with a wrong check digit / letter."""
    if id_type in ("DNI", "NIE"):
        i = int(np.flatnonzero(value[-1] == DNI_LETTERS)[0])
        return value[:-1] + DNI_LETTERS[(i + 7) % 23]
    if id_type == "RFC":
        alpha = "0123456789A"
        return value[:-1] + alpha[(alpha.index(value[-1]) + 3) % 11 if value[-1] in alpha else 0]
    return value[:-1] + str((int(value[-1]) + 3) % 10)


def has_checksum(id_type: np.ndarray) -> np.ndarray:
    return np.isin(id_type, ["DNI", "NIE", "CPF", "RFC", "NIF_PT"])


def format_id(values, id_type, rng) -> np.ndarray:
    r = rng.random(len(values))
    out = []
    for v, t, x in zip(values, id_type, r, strict=False):
        if not v:
            out.append(None)
        elif t in ("DNI", "NIE"):
            if x < 0.15:
                out.append(v[:-1] + "-" + v[-1])
            elif x < 0.2 and t == "DNI":
                out.append(f"{v[:2]}.{v[2:5]}.{v[5:8]}-{v[8]}")
            elif x < 0.25:
                out.append(v[:-1] + v[-1].lower())
            else:
                out.append(v)
        elif t == "CPF":
            out.append(f"{v[:3]}.{v[3:6]}.{v[6:9]}-{v[9:]}" if x < 0.6 else v)
        elif t == "DNI_AR":
            out.append(f"{v[:2]}.{v[2:5]}.{v[5:]}" if x < 0.6 else v)
        else:
            out.append(v)
    return np.asarray(out, dtype=object)


def floor_es(floor, door) -> np.ndarray:
    doors = np.asarray(["Izda", "Dcha", "A", "B"], dtype=object)
    alt = np.asarray(["1ª", "2ª", "3ª", "4ª"], dtype=object)
    f = np.asarray(floor)
    s = f.astype(str).astype(object) + "º " + np.where(f % 2 == 0, doors[door], alt[door])
    s[f == 0] = ""
    s[f == 1] = np.where(np.asarray(door)[f == 1] == 0, "Bajo", s[f == 1])
    return s


# --- the population's per-record rendering ---------------------------------------------


def _records_with_dups(rng, persons: np.ndarray, rate: float):
    """Rows = persons plus a planted second record for ``rate`` of them."""
    dup = persons[choose(rng, np.ones(len(persons), bool), rate)]
    rows = np.concatenate([persons, dup])
    is_dup = np.concatenate([np.zeros(len(persons), bool), np.ones(len(dup), bool)])
    return rows, is_dup


def _split_tx(rng, pop: Population, rows: np.ndarray, is_dup: np.ndarray, created_row):
    """Assign each transaction of these persons to one of their records (codes)."""
    tx = pop.tx
    in_set = np.zeros(pop.n, dtype=bool)
    in_set[rows] = True
    tx = tx[in_set[tx["person"].to_numpy()]]
    # primary record per person, and the duplicate (if any)
    prim = np.full(pop.n, -1, dtype=np.int64)
    prim[rows[~is_dup]] = np.flatnonzero(~is_dup)
    dupr = np.full(pop.n, -1, dtype=np.int64)
    dupr[rows[is_dup]] = np.flatnonzero(is_dup)
    tp = tx["person"].to_numpy()
    rec = prim[tp]
    d = dupr[tp]
    has_d = d >= 0
    move = has_d & (rng.random(len(tp)) < 0.4)
    move &= tx["date"].to_numpy() >= np.where(has_d, created_row[np.maximum(d, 0)], AS_OF)
    rec = np.where(move, d, rec)
    out = tx.assign(rec=rec)
    return out


def _address_es(pop, p, rng, abbreviate_p: float):
    st = pop.stype_i[p]
    abbr = rng.random(len(p)) < abbreviate_p
    stype = np.where(abbr, STYPE_ABBR[st], STYPE_FULL[st])
    co = pop.country[p] == "CO"
    street = pop.street[p]
    return np.where(co, np.where(st == 0, "Calle ", "Carrera ") + street, stype + " " + street)


# --- 1. ventas.xlsx -------------------------------------------------------------------


def build_ventas(pop: Population, rng) -> list[Sheet]:
    persons = np.flatnonzero(pop.in_ventas)
    rows, is_dup = _records_with_dups(rng, persons, 0.035)
    m = len(rows)
    created = pop.created[rows].copy()
    later = rng.integers(30, 700, m).astype("timedelta64[D]")
    created[is_dup] = np.minimum(created[is_dup] + later[is_dup], AS_OF - 1)
    order = np.lexsort((rows, created))
    rows, is_dup, created = rows[order], is_dup[order], created[order]
    p = rows
    cc = pop.country[p]
    width = max(6, len(str(m + 10)))
    code = np.asarray(["C"] * m, dtype=object) + zfill(np.arange(1, m + 1), width)

    given = pop.given[p].copy()
    surn = pop.surnames[p].copy()
    # variations on the planted duplicate records
    r = rng.random(m)
    v = is_dup & (r < 0.4)
    given[v] = fold_arr(given[v])
    surn[v] = fold_arr(surn[v])
    v = is_dup & (r >= 0.4) & (r < 0.6)
    surn[v] = typo_arr(rng, surn[v])
    v = is_dup & (r >= 0.6) & (r < 0.75)
    given[v] = upper_arr(given[v])
    surn[v] = upper_arr(surn[v])

    email = np.where(pop.has_email[p], pop.email[p], "").astype(object)
    email[is_dup & (rng.random(m) < 0.3)] = ""
    mob = pop.mobile[p]
    land = pop.landline[p]
    es = cc == "ES"
    mob_f = phones(mob, cc, "ES", rng, [40, 0, 5, 5])
    land_f = phones(land, cc, "ES", rng, [40, 0, 5, 5])
    # many phones typed as numbers (the column is not text)
    as_num = es & (rng.random(m) < 0.55)
    mob_f = np.where(as_num & (mob != ""), [int(x) if x else None for x in mob], mob_f)
    as_num = es & (rng.random(m) < 0.55)
    land_f = np.where(as_num & (land != ""), [int(x) if x else None for x in land], land_f)
    mob_f = blank(mob_f, mob == "")
    land_f = blank(land_f, land == "")

    addr = _address_es(pop, p, rng, 0.25)
    fl = floor_es(pop.floor[p], pop.door[p])
    num = np.where(
        (fl != "") & es, pop.house_no[p].astype(str).astype(object) + ", " + fl, pop.house_no[p]
    ).astype(object)
    num[~((fl != "") & es)] = [int(x) for x in pop.house_no[p][~((fl != "") & es)]]
    cp = pop.postal[p].copy()
    cp_num = np.isin(cc, ["ES", "MX"]) & (rng.random(m) < 0.7)
    cp[cp_num] = [int(x) for x in cp[cp_num]]

    id_type = pop.id_type[p].copy()
    idv = pop.id_value[p].copy()
    has_id = (idv != "") & (rng.random(m) < 0.8)
    idv[~has_id] = ""
    id_type[~has_id] = ""

    last = np.full(m, np.datetime64("NaT"), dtype="datetime64[D]")
    tx = _split_tx(rng, pop, rows, is_dup, created)
    tx_rec = tx["rec"].to_numpy()
    # the record's last purchase over its whole history (orders before the window are purged)
    lastd = pd.Series(tx["date"].to_numpy()).groupby(tx_rec).max()
    last[lastd.index.to_numpy()] = lastd.to_numpy().astype("datetime64[D]")

    notes = np.full(m, None, dtype=object)
    nmask = rng.random(m) < 0.05
    notes[nmask] = np.asarray(T.NOTES, dtype=object)[rng.integers(0, len(T.NOTES), nmask.sum())]

    f_alta = to_date_objects(created)
    ultima = to_date_objects(last)

    frame = pd.DataFrame(
        {
            "Código cliente": code,
            "Nombre": given,
            "Apellidos": surn,
            "Correo electrónico": email,
            "Tel. móvil": mob_f,
            "Tel. fijo": land_f,
            "Dirección": addr,
            "Nº": num,
            "CP": cp,
            "Población": pop.city[p],
            "Provincia": pop.region[p],
            "NIF": format_id(idv, id_type, rng),
            "F. alta": f_alta,
            "Última compra": ultima,
            "Observaciones": notes,
        },
        dtype=object,
    )
    sheet = Sheet(
        "ventas.xlsx",
        "Clientes",
        frame,
        p.copy(),
        "customer",
        True,
        title_rows=("Listado de clientes – Ventas 2024",),
        date_cols=("F. alta", "Última compra"),
        merge_col="Provincia",
    )
    sheet.flag("dup_variant")[:] = is_dup
    keep = _plant_defects(
        rng,
        sheet,
        pop,
        name_cols=("Nombre", "Apellidos"),
        email_col="Correo electrónico",
        phone_cols=("Tel. móvil", "Tel. fijo"),
        id_col="NIF",
        id_type=id_type,
        id_value=idv,
        date_col="F. alta",
        date_style="dmy",
        keep_cols=("Código cliente", "Población", "Provincia", "F. alta"),
        placeholder_names=("Cliente contado", "N/A", "VARIOS"),
        unusable_keep=("Código cliente", "Observaciones"),
        code_col="Código cliente",
        code_prefix="C",
        code_width=width,
        rates=dict(
            inv_email=0.008,
            ph_email=0.004,
            inv_phone=0.01,
            bad_id=0.015,
            imp_date=0.003,
            ph_name=0.004,
            no_id=0.002,
            unusable=0.001,
        ),
    )
    # stale: last activity (last purchase, else creation) more than 24 months ago
    activity = np.where(np.isnat(last), created, last)
    cutoff = AS_OF - np.timedelta64(730, "D")
    sheet.flag("stale")[keep] = activity < cutoff

    # --- Pedidos -----------------------------------------------------------------------
    code_of_row = sheet.frame["Código cliente"].to_numpy()[keep]
    tx = tx[tx["date"].to_numpy() >= WINDOW_START].sort_values(["date", "rec"], kind="stable")
    k = len(tx)
    rec = tx["rec"].to_numpy()
    tp = tx["person"].to_numpy()
    unit = np.asarray(["Tiendas", "Online"], dtype=object)[(rng.random(k) < 0.4).astype(int)]
    unit[pop.company[tp] >= 0] = "Empresas"
    ped = pd.DataFrame(
        {
            "Nº pedido": np.asarray(["PV-"] * k, dtype=object) + zfill(np.arange(1, k + 1), 7),
            "Código cliente": code_of_row[rec],
            "Fecha": to_date_objects(tx["date"].to_numpy()),
            "Importe": tx["amount"].to_numpy(),
            "Línea de producto": np.asarray(T.PRODUCT_LINES, dtype=object)[tx["line"].to_numpy()],
            "Unidad": unit,
        },
        dtype=object,
    )
    pedidos = Sheet("ventas.xlsx", "Pedidos", ped, tp.copy(), "order", False, date_cols=("Fecha",))
    config = Sheet(
        "ventas.xlsx",
        "Config",
        pd.DataFrame(
            {
                "param": ["version", "ultimo_export", "IVA", "serie", "nota", "tmp"],
                "valor": ["3.2.1", "30/06/2024", 0.21, "PV", "NO TOCAR", "=== fin ==="],
            }
        ),
        np.full(6, -1),
        "customer",
        False,
        hidden=True,
        truth=False,
    )
    return [sheet, pedidos, config]


def _plant_defects(
    rng,
    sheet: Sheet,
    pop,
    *,
    name_cols,
    email_col,
    phone_cols,
    id_col,
    id_type,
    id_value,
    date_col,
    date_style,
    keep_cols,
    placeholder_names,
    unusable_keep,
    rates,
    code_col=None,
    code_prefix="",
    code_width=6,
    id_formatter=None,
) -> np.ndarray:
    """Plant the field-level defects at known rates; record one flag per defect and row.

    Returns the positions of the original rows in the (possibly grown) frame.
    """
    f = sheet.frame
    m = len(f)
    # rows with no identifying field at all (only a city and dates)
    if rates.get("no_id"):
        noid = choose(rng, ~sheet.flag("dup_variant"), rates["no_id"])
        for col in f.columns:
            if col not in keep_cols:
                f.loc[noid, col] = None
        sheet.flag("no_identifier")[:] = noid
    else:
        noid = np.zeros(m, bool)
    live = ~noid
    if rates.get("ph_name"):
        col0 = name_cols[0]
        ph = choose(rng, live, rates["ph_name"])
        vals = np.asarray(placeholder_names, dtype=object)[
            rng.integers(0, len(placeholder_names), ph.sum())
        ]
        f.loc[ph, col0] = vals
        for c in name_cols[1:]:
            f.loc[ph, c] = None
        sheet.flag("placeholder_name")[:] = ph
    if email_col:
        e = f[email_col].to_numpy(dtype=object, copy=True)
        has = np.asarray([isinstance(x, str) and "@" in x for x in e]) & live
        role = np.asarray(
            [isinstance(x, str) and x.split("@")[0].lower() in ROLE_LOCALS for x in e]
        )
        bad = choose(rng, has & ~role, rates.get("inv_email", 0))
        how = rng.integers(0, 5, bad.sum())
        e[bad] = [corrupt_email(x, int(h)) for x, h in zip(e[bad], how, strict=False)]
        phm = choose(rng, has & ~bad & ~role, rates.get("ph_email", 0))
        e[phm] = np.asarray(T.PLACEHOLDER_EMAILS, dtype=object)[
            rng.integers(0, len(T.PLACEHOLDER_EMAILS), phm.sum())
        ]
        f[email_col] = e
        sheet.flag("invalid_email")[:] = bad
        sheet.flag("placeholder_email")[:] = phm
        local = np.asarray(
            [x.split("@")[0].lower() if isinstance(x, str) else "" for x in e], dtype=object
        )
        sheet.flag("role_email")[:] = np.isin(local, list(ROLE_LOCALS)) & ~bad
    if phone_cols and rates.get("inv_phone"):
        c = phone_cols[0]
        ph = f[c].to_numpy(dtype=object, copy=True)
        has = np.asarray([x is not None and x == x and x != "" for x in ph]) & live
        bad = choose(rng, has, rates["inv_phone"])
        ph[bad] = [shorten_phone(x) for x in ph[bad]]
        f[c] = ph
        sheet.flag("invalid_phone")[:] = bad
    if id_col and rates.get("bad_id"):
        elig = has_checksum(id_type) & (id_value != "") & live
        bad = choose(rng, elig, rates["bad_id"])
        newv = id_value.copy()
        newv[bad] = [bad_checksum(v, t) for v, t in zip(id_value[bad], id_type[bad], strict=False)]
        fmt = id_formatter or format_id
        vals = f[id_col].to_numpy(dtype=object, copy=True)
        vals[bad] = fmt(newv[bad], id_type[bad], rng)
        f[id_col] = vals
        sheet.flag("bad_id_checksum")[:] = bad
    if date_col and rates.get("imp_date"):
        d = f[date_col].to_numpy(dtype=object, copy=True)
        has = np.asarray([x is not None and x == x and x != "" for x in d]) & live
        bad = choose(rng, has, rates["imp_date"])
        pool = IMPOSSIBLE_DMY if date_style == "dmy" else IMPOSSIBLE_ISO
        d[bad] = np.asarray(pool, dtype=object)[rng.integers(0, len(pool), bad.sum())]
        f[date_col] = d
        sheet.flag("impossible_date")[:] = bad
    # unusable rows (no person at all: only a note / a code) appended at random positions
    if rates.get("unusable"):
        k = max(1, int(round(rates["unusable"] * m)))
        new = pd.DataFrame({c: [None] * k for c in f.columns})
        for c in unusable_keep:
            if c == code_col:
                continue
            if c in ("Observaciones",):
                new[c] = np.asarray(T.UNUSABLE_NOTES, dtype=object)[
                    rng.integers(0, len(T.UNUSABLE_NOTES), k)
                ]
            elif c == "Descripción":
                new[c] = ["Llamada sin identificar al cliente"] * k
        pos = np.sort(rng.choice(m + k, k, replace=False))
        keep = np.ones(m + k, dtype=bool)
        keep[pos] = False
        full = pd.DataFrame({c: np.empty(m + k, dtype=object) for c in f.columns})
        for c in f.columns:
            col = np.empty(m + k, dtype=object)
            col[keep] = f[c].to_numpy(dtype=object, copy=True)
            col[pos] = new[c].to_numpy(dtype=object, copy=True)
            full[c] = col
        person = np.full(m + k, -1, dtype=np.int64)
        person[keep] = sheet.person
        sheet.person = person
        for name in list(sheet.flags):
            old = sheet.flags[name]
            nf = np.zeros(m + k, dtype=bool)
            nf[keep] = old
            sheet.flags[name] = nf
        sheet.frame = full
        sheet.flag("unusable")[pos] = True
        if code_col:
            sheet.frame[code_col] = sheet.frame[code_col].astype(object)
            # codes stay in sequence: renumber all rows
            codes = np.asarray([code_prefix] * (m + k), dtype=object) + zfill(
                np.arange(1, m + k + 1), code_width
            )
            sheet.frame[code_col] = codes
        return keep
    return np.ones(m, dtype=bool)


# --- 2. soporte.csv -----------------------------------------------------------------


def build_soporte(pop: Population, rng) -> list[Sheet]:
    persons = np.flatnonzero(pop.in_sop)
    nt = 1 + np.minimum(rng.poisson(pop.ticket_rate[persons]), 14)
    p = np.repeat(persons, nt)
    m = len(p)
    start = np.maximum(pop.created[p], WINDOW_START).astype(np.int64)
    end = AS_OF.astype(np.int64)
    day = start + (rng.random(m) * (end - start + 1)).astype(np.int64)
    order = np.lexsort((p, day))
    p, day = p[order], day[order]
    date = day.astype("datetime64[D]")
    cc = pop.country[p]

    # "APELLIDOS, Nombre"
    surn = upper_arr(pop.surnames[p])
    given = pop.given[p].copy()
    r = rng.random(m)
    nofold = r >= 0.25
    surn[~nofold] = fold_arr(surn[~nofold])
    given[~nofold] = fold_arr(given[~nofold])
    t = rng.random(m) < 0.04
    surn[t] = typo_arr(rng, surn[t])
    t2 = rng.random(m) < 0.02
    given[t2] = typo_arr(rng, given[t2])
    cliente = np.where(surn != "", surn + ", " + given, given)

    # e-mail: the current one, or an old one on early tickets
    old = pop.email_old[p]
    mid = pop.created[p] + (AS_OF - pop.created[p]) // 2
    use_old = (old != "") & (date < mid) & (rng.random(m) < 0.8)
    email = np.where(use_old, old, pop.email[p]).astype(object)
    email[~pop.has_email[p] & ~use_old] = ""
    email[rng.random(m) < 0.08] = ""
    tel_src = np.where(pop.mobile[p] != "", pop.mobile[p], pop.landline[p])
    tel = phones(tel_src, cc, "ES", rng, [55, 0, 40, 5])
    tel[rng.random(m) < 0.1] = ""

    cats = np.asarray([c for c, _ in T.TICKET_CATEGORIES], dtype=object)
    cat = cats[weighted(rng, m, [w for _, w in T.TICKET_CATEGORIES])]
    desc = np.empty(m, dtype=object)
    pick = rng.integers(0, 4, m)
    for c in cats:
        sel = cat == c
        desc[sel] = np.asarray(T.TICKET_TEXT[c], dtype=object)[pick[sel]]
    ml = choose(rng, np.ones(m, bool), 0.01)
    desc[ml] = "Cliente indica:\n" + desc[ml] + ".\nSe contactará de nuevo."
    age = (AS_OF - date).astype(np.int64)
    open_ = np.where(age < 21, rng.random(m) < 0.6, rng.random(m) < 0.02)
    estado = np.where(open_, "Abierto", "Cerrado").astype(object)
    sat = np.clip(np.rint(rng.normal(pop.sat[p], 0.8)), 1, 5).astype(int)
    sat_s = sat.astype(str).astype(object)
    sat_s[open_] = ""
    sat_s[~open_ & (rng.random(m) < 0.3)] = ""  # not every customer answers the survey
    hours = np.round(rng.gamma(1.4, 18.0, m) * 2) / 2
    hours_s = np.char.replace(np.char.mod("%.1f", hours), ".", ",").astype(object)
    hours_s[open_] = ""
    frame = pd.DataFrame(
        {
            "Nº ticket": np.asarray(["TK-"] * m, dtype=object) + zfill(np.arange(1, m + 1), 7),
            "Fecha ticket": dmy(date),
            "Cliente": cliente,
            "Email": email,
            "Teléfono": tel,
            "Categoría": cat,
            "Descripción": desc,
            "Estado": estado,
            "Satisfacción": sat_s,
            "Tiempo resolución (h)": hours_s,
            "Agente": np.asarray(T.AGENTS, dtype=object)[rng.integers(0, len(T.AGENTS), m)],
        },
        dtype=object,
    )
    sheet = Sheet(
        "soporte.csv",
        None,
        frame,
        p.copy(),
        "ticket",
        True,
        encoding="cp1252",
        sep=";",
        lineterminator="\r\n",
    )
    _plant_defects(
        rng,
        sheet,
        pop,
        name_cols=("Cliente",),
        email_col="Email",
        phone_cols=("Teléfono",),
        id_col=None,
        id_type=None,
        id_value=None,
        date_col=None,
        date_style="dmy",
        keep_cols=(),
        placeholder_names=(),
        unusable_keep=("Descripción",),
        rates=dict(inv_email=0.006, ph_email=0.003, inv_phone=0.008, unusable=0.002),
    )
    f = sheet.frame
    un = sheet.flag("unusable")
    if un.any():  # an anonymous call still has a ticket number, date and category
        k = int(un.sum())
        f.loc[un, "Fecha ticket"] = dmy(AS_OF - rng.integers(0, 900, k).astype("timedelta64[D]"))
        f.loc[un, "Categoría"] = "Consulta"
        f.loc[un, "Estado"] = "Cerrado"
        f["Nº ticket"] = np.asarray(["TK-"] * len(f), dtype=object) + zfill(
            np.arange(1, len(f) + 1), 7
        )
        for c in ("Cliente", "Email", "Teléfono", "Satisfacción", "Tiempo resolución (h)"):
            f.loc[un, c] = ""
    f.fillna("", inplace=True)
    return [sheet]


# --- 3. marketing.csv ---------------------------------------------------------------


def _email_variant(e: str, how: int) -> str:
    local, _, dom = e.partition("@")
    if dom == "gmail.com" and how < 2:
        if how == 0:  # drop the dots (gmail ignores them) and add a +tag
            return local.replace(".", "") + "+news@gmail.com"
        return (
            local.replace(".", "") if "." in local else local[:1] + "." + local[1:]
        ) + "@gmail.com"
    if how == 2:
        return local + "+promo@" + dom
    return ".".join(x.capitalize() for x in local.split(".")) + "@" + dom.capitalize()


def build_marketing(pop: Population, rng) -> list[Sheet]:
    persons = np.flatnonzero(pop.in_mkt)
    eligible = pop.has_email[persons] & (pop.email[persons] != "")
    dup = persons[choose(rng, eligible, 0.06)]
    rows = np.concatenate([persons, dup])
    is_dup = np.concatenate([np.zeros(len(persons), bool), np.ones(len(dup), bool)])
    m = len(rows)
    p = rows
    cc = pop.country[p]
    span = (AS_OF - pop.created[p]).astype(np.int64)
    signup = pop.created[p] + (rng.random(m) * rng.random(m) * span).astype("timedelta64[D]")
    order = np.lexsort((p, signup))
    p, is_dup, signup, cc = p[order], is_dup[order], signup[order], cc[order]

    first = pop.given[p].copy()
    s1, s2 = pop.surname1[p], pop.surname2[p]
    last = pop.surnames[p].copy()
    one = (s1 != "") & (s2 != "") & (rng.random(m) < 0.4)
    fam = np.where(np.isin(cc, ["BR", "PT"]), s2, s1)
    last[one] = fam[one]
    r = rng.random(m)
    low = r < 0.05
    first[low] = [x.lower() for x in first[low]]
    last[low] = [x.lower() for x in last[low]]
    up = (r >= 0.05) & (r < 0.08)
    first[up] = upper_arr(first[up])
    last[up] = upper_arr(last[up])
    nf = (r >= 0.08) & (r < 0.2)
    first[nf] = fold_arr(first[nf])
    last[nf] = fold_arr(last[nf])

    email = pop.email[p].copy()
    email[~pop.has_email[p]] = ""
    how = rng.integers(0, 4, m)
    email[is_dup] = [
        _email_variant(e, int(h)) for e, h in zip(email[is_dup], how[is_dup], strict=False)
    ]
    # some business contacts sign up with their company's role mailbox
    co = pop.company[p]
    if pop.companies is not None and len(pop.companies):
        rb = (co >= 0) & ~is_dup & (rng.random(m) < 0.15)
        email[rb] = pop.companies["role_email"].to_numpy()[co[rb]]
    has_phone = rng.random(m) < 0.35
    phone = phones(pop.mobile[p], cc, "ES", rng, [20, 20, 40, 20])
    phone[~has_phone] = ""
    city = np.where(rng.random(m) < 0.4, pop.city[p], "").astype(object)
    cn = np.asarray([T.COUNTRY_NAMES[c] for c in cc], dtype=object)
    form = rng.integers(0, 4, m)
    country = np.asarray([x[k] for x, k in zip(cn, form, strict=False)], dtype=object)
    country[rng.random(m) < 0.5] = ""
    optin = np.where(rng.random(m) < 0.8, "Yes", "No").astype(object)
    src = np.asarray([s for s, _ in T.MKT_SOURCES], dtype=object)[
        weighted(rng, m, [w for _, w in T.MKT_SOURCES])
    ]
    frame = pd.DataFrame(
        {
            "First Name": first,
            "Last Name": last,
            "Email Address": email,
            "Phone": phone,
            "City": city,
            "Country": country,
            "Opt-in": optin,
            "Signup Date": pd.DatetimeIndex(signup).strftime("%Y-%m-%d").to_numpy(dtype=object),
            "Source": src,
        },
        dtype=object,
    )
    sheet = Sheet("marketing.csv", None, frame, p.copy(), "customer", True)
    sheet.flag("dup_variant")[:] = is_dup
    _plant_defects(
        rng,
        sheet,
        pop,
        name_cols=("First Name", "Last Name"),
        email_col="Email Address",
        phone_cols=("Phone",),
        id_col=None,
        id_type=None,
        id_value=None,
        date_col="Signup Date",
        date_style="iso",
        keep_cols=("City", "Country", "Opt-in", "Signup Date", "Source"),
        placeholder_names=("N/A", "test", "xxx"),
        unusable_keep=(),
        rates=dict(
            inv_email=0.015,
            ph_email=0.008,
            inv_phone=0.01,
            imp_date=0.002,
            ph_name=0.003,
            no_id=0.003,
        ),
    )
    f = sheet.frame
    noid = sheet.flag("no_identifier")
    f.loc[noid, "City"] = pop.city[sheet.person[noid]]  # only a city is left
    f.fillna("", inplace=True)
    return [sheet]


# --- 4. erp_facturacion.xlsx ------------------------------------------------------------


def _domicilio(pop, p, rng) -> np.ndarray:
    st = pop.stype_i[p]
    abbr = STYPE_ABBR[st]
    street = pop.street[p]
    no = pop.house_no[p].astype(str).astype(object)
    fl = floor_es(pop.floor[p], pop.door[p])
    form = rng.integers(0, 3, len(p))
    a = np.where(
        fl != "", abbr + " " + street + ", " + no + ", " + fl, abbr + " " + street + ", " + no
    )
    b = abbr + " " + street + " nº " + no
    c = abbr + " " + street + " " + no
    out = np.where(form == 0, a, np.where(form == 1, b, c))
    co = pop.country[p] == "CO"
    out[co] = "Cl. " + street[co] + " # " + no[co] + "-" + (pop.door[p][co] * 7 + 10).astype(str)
    return out


def build_erp(pop: Population, rng) -> list[Sheet]:
    persons = np.flatnonzero(pop.in_erp)
    rows, is_dup = _records_with_dups(rng, persons, 0.02)
    m = len(rows)
    created = pop.created[rows].copy()
    created[is_dup] = np.minimum(
        created[is_dup] + rng.integers(60, 800, is_dup.sum()).astype("timedelta64[D]"), AS_OF - 1
    )
    order = np.lexsort((rows, created))
    rows, is_dup, created = rows[order], is_dup[order], created[order]
    p = rows
    cc = pop.country[p]
    co = pop.company[p]
    b2b = co >= 0
    comp = pop.companies
    cuenta = 430_000_000 + np.arange(1, m + 1)

    # names: "GARCIA LOPEZ, MARIA" or "María García López"; companies by their legal name
    inv = rng.random(m) < 0.4
    name = pop.full_name[p].copy()
    inv_name = upper_arr(
        fold_arr(
            np.where(pop.surnames[p] != "", pop.surnames[p] + ", " + pop.given[p], pop.given[p])
        )
    )
    name[inv] = inv_name[inv]
    name[is_dup & ~inv] = fold_arr(name[is_dup & ~inv])
    id_type = pop.id_type[p].copy()
    idv = pop.id_value[p].copy()
    has_id = (idv != "") & (rng.random(m) < 0.92)
    idv[~has_id] = ""
    id_type[~has_id] = ""
    dom = _domicilio(pop, p, rng)
    cp = pop.postal[p].copy()
    city = pop.city[p].copy()
    region = pop.region[p].copy()
    tel_src = np.where(pop.landline[p] != "", pop.landline[p], pop.mobile[p])
    email = np.where(pop.has_email[p] | b2b, pop.email[p], "").astype(object)
    if b2b.any():
        k = co[b2b]
        cn = comp["name"].to_numpy()[k]
        upc = rng.random(len(k)) < 0.5
        cn = np.where(upc, upper_arr(fold_arr(cn)), cn)
        name[b2b] = cn
        id_type[b2b] = "CIF"
        idv[b2b] = comp["tax_id"].to_numpy()[k]
        role = comp["role_email"].to_numpy()[k]
        email[b2b] = np.where(rng.random(len(k)) < 0.5, role, email[b2b])
        tel_src[b2b] = comp["switchboard"].to_numpy()[k]
    tel = phones(tel_src, cc, "ES", rng, [20, 60, 10, 10])
    tel = blank(tel, tel_src == "")
    frame = pd.DataFrame(
        {
            "Cuenta": cuenta,
            "Razón social / Nombre": name,
            "NIF/CIF": np.where(idv != "", idv, None),
            "Domicilio": dom,
            "C.P.": cp,
            "Localidad": city,
            "Provincia": region,
            "Teléfono": tel,
            "Email facturación": blank(email, email == ""),
            "Fecha alta": to_date_objects(created),
        },
        dtype=object,
    )
    sheet = Sheet(
        "erp_facturacion.xlsx",
        "Clientes",
        frame,
        p.copy(),
        "customer",
        True,
        title_rows=(
            "ERP Facturación — Maestro de clientes",
            "Exportado el 30/06/2024 · Empresa: Distribuciones Custfocus S.L.",
        ),
        date_cols=("Fecha alta",),
    )
    sheet.flag("dup_variant")[:] = is_dup
    keep = _plant_defects(
        rng,
        sheet,
        pop,
        name_cols=("Razón social / Nombre",),
        email_col="Email facturación",
        phone_cols=("Teléfono",),
        id_col="NIF/CIF",
        id_type=id_type,
        id_value=idv,
        date_col="Fecha alta",
        date_style="dmy",
        keep_cols=(),
        placeholder_names=("VARIOS", "Cliente contado", "CLIENTES VARIOS"),
        unusable_keep=(),
        rates=dict(
            inv_email=0.006,
            ph_email=0.003,
            inv_phone=0.008,
            bad_id=0.012,
            imp_date=0.003,
            ph_name=0.004,
        ),
        id_formatter=lambda v, t, r: v,
    )
    assert keep.all()

    # --- Facturas: one invoice per (most) purchases in the window, plus credit notes --------
    tx = _split_tx(rng, pop, rows, is_dup, created)
    tx = tx[tx["date"].to_numpy() >= WINDOW_START]
    tp = tx["person"].to_numpy()
    inv_sel = (pop.company[tp] >= 0) | (rng.random(len(tp)) < 0.5)
    tx = tx[inv_sel]
    tp = tx["person"].to_numpy()
    k = len(tx)
    date = np.minimum(tx["date"].to_numpy() + rng.integers(0, 4, k).astype("timedelta64[D]"), AS_OF)
    mx = pop.country[tp] == "MX"
    rate = np.where(mx, 0.16, 0.21)
    total = np.round(np.where(mx, tx["amount"].to_numpy() * 18.5, tx["amount"].to_numpy()), 2)
    rec = tx["rec"].to_numpy()
    # credit notes (abonos): a refund of part or all of some invoices, a few days later
    cn = choose(rng, np.ones(k, bool), 0.03)
    c_idx = np.flatnonzero(cn)
    c_date = np.minimum(
        date[c_idx] + rng.integers(3, 40, len(c_idx)).astype("timedelta64[D]"), AS_OF
    )
    frac = np.where(
        rng.random(len(c_idx)) < 0.6, 1.0, np.round(rng.uniform(0.1, 0.9, len(c_idx)), 2)
    )
    c_total = -np.round(total[c_idx] * frac, 2)
    all_date = np.concatenate([date, c_date])
    all_total = np.concatenate([total, c_total])
    all_rate = np.concatenate([rate, rate[c_idx]])
    all_rec = np.concatenate([rec, rec[c_idx]])
    all_p = np.concatenate([tp, tp[c_idx]])
    all_mx = np.concatenate([mx, mx[c_idx]])
    is_cn = np.concatenate([np.zeros(k, bool), np.ones(len(c_idx), bool)])
    o = np.lexsort((is_cn, all_rec, all_date))
    all_date, all_total, all_rate, all_rec, all_p, all_mx, is_cn = (
        x[o] for x in (all_date, all_total, all_rate, all_rec, all_p, all_mx, is_cn)
    )
    base = np.round(all_total / (1 + all_rate), 2)
    iva = np.round(all_total - base, 2)
    yy = pd.DatetimeIndex(all_date).strftime("%y").to_numpy(dtype=object, copy=True)
    seq = zfill(np.arange(1, len(o) + 1), 6)
    num = np.where(is_cn, "A", "F") + yy + "-" + seq
    fact = pd.DataFrame(
        {
            "Nº factura": num,
            "Cuenta": sheet.frame["Cuenta"].to_numpy()[all_rec],
            "Fecha factura": to_date_objects(all_date),
            "Base imponible": base,
            "IVA": iva,
            "Total": all_total,
            "Moneda": np.where(all_mx, "MXN", "EUR").astype(object),
            "Tipo": np.where(is_cn, "Abono", "Factura").astype(object),
        },
        dtype=object,
    )
    facturas = Sheet(
        "erp_facturacion.xlsx",
        "Facturas",
        fact,
        all_p.copy(),
        "invoice",
        False,
        date_cols=("Fecha factura",),
    )
    facturas.flag("credit_note")[:] = is_cn
    return [sheet, facturas]


# --- 5. loja_online.csv ---------------------------------------------------------------


def build_loja(pop: Population, rng) -> list[Sheet]:
    in_loja = pop.in_loja
    tx = pop.tx[in_loja[pop.tx["person"].to_numpy()]]
    tx = tx[tx["date"].to_numpy() >= WINDOW_START].sort_values(["date", "person"], kind="stable")
    p = tx["person"].to_numpy()
    m = len(p)
    r = rng.random(m)
    name = pop.full_name[p].copy()
    up = r < 0.1
    name[up] = upper_arr(name[up])
    nf = (r >= 0.1) & (r < 0.2)
    name[nf] = fold_arr(name[nf])
    short = (r >= 0.2) & (r < 0.25) & (pop.surname1[p] != "") & (pop.surname2[p] != "")
    name[short] = pop.given[p][short] + " " + pop.surname2[p][short]
    email = pop.email[p].copy()
    email[~pop.has_email[p]] = ""
    ce = rng.random(m) < 0.03
    email[ce] = upper_arr(email[ce])
    cel = phones(pop.mobile[p], pop.country[p], "BR", rng, [70, 20, 10, 0])
    cpf_t = pop.id_type[p]
    cpf_v = pop.id_value[p].copy()
    cpf_v[rng.random(m) < 0.1] = ""
    cep = pop.postal[p].copy()
    nodash = rng.random(m) < 0.15
    cep[nodash] = [x.replace("-", "") for x in cep[nodash]]
    st = pop.stype_i[p]
    form = rng.integers(0, 3, m)
    no = pop.house_no[p].astype(str).astype(object)
    apto = np.where(
        pop.floor[p] > 0, ", apto " + (pop.floor[p] * 10 + pop.door[p] + 1).astype(str), ""
    )
    end = np.where(
        form == 0,
        STYPE_ABBR[st] + " " + pop.street[p] + ", " + no + apto,
        np.where(
            form == 1,
            STYPE_ABBR[st] + " " + pop.street[p] + " " + no,
            STYPE_FULL[st] + " " + pop.street[p] + ", " + no + apto,
        ),
    )
    birth = dmy(pop.birth[p])
    birth[rng.random(m) < 0.1] = ""
    ts = pd.DatetimeIndex(tx["date"].to_numpy()) + pd.to_timedelta(
        rng.integers(8 * 60, 23 * 60, m), unit="m"
    )
    brl = tx["amount"].to_numpy() * 5.4
    valor = ["R$ " + f"{v:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".") for v in brl]
    frame = pd.DataFrame(
        {
            "Pedido": np.asarray(["BR"] * m, dtype=object)
            + zfill(np.arange(100001, 100001 + m), 7),
            "Nome completo": name,
            "E-mail": email,
            "Celular": cel,
            "CPF": format_id(cpf_v, cpf_t, rng),
            "CEP": cep,
            "Endereço": end,
            "Cidade": pop.city[p],
            "UF": pop.region[p],
            "Data de nascimento": birth,
            "Data do pedido": ts.strftime("%d/%m/%Y %H:%M").to_numpy(dtype=object),
            "Valor do pedido": np.asarray(valor, dtype=object),
            "Categoria": np.asarray(T.PRODUCT_LINES_PT, dtype=object)[tx["line"].to_numpy()],
        },
        dtype=object,
    )
    sheet = Sheet("loja_online.csv", None, frame, p.copy(), "order", True, encoding="utf-8-sig")
    _plant_defects(
        rng,
        sheet,
        pop,
        name_cols=("Nome completo",),
        email_col="E-mail",
        phone_cols=("Celular",),
        id_col="CPF",
        id_type=np.where(cpf_v != "", cpf_t, ""),
        id_value=cpf_v,
        date_col="Data de nascimento",
        date_style="dmy",
        keep_cols=(),
        placeholder_names=("N/A", "Cliente"),
        unusable_keep=(),
        rates=dict(
            inv_email=0.006,
            ph_email=0.004,
            inv_phone=0.008,
            bad_id=0.02,
            imp_date=0.003,
            ph_name=0.002,
        ),
    )
    sheet.frame.fillna("", inplace=True)
    return [sheet]


# --- writing ------------------------------------------------------------------------------


def _cell(v):
    if v is None:
        return None
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def write_workbook(path: Path, sheets: list[Sheet]) -> dict[str, str]:
    """Write sheets into one .xlsx; returns {sheet: merged range} for planted merges."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    cells = sum(len(s.frame) * len(s.frame.columns) for s in sheets)
    small = cells <= 1_500_000
    wb = Workbook(write_only=not small)
    merges: dict[str, str] = {}
    if small:
        wb.remove(wb.active)
    wb.properties.creator = "custfocus.synth"
    fixed = dt.datetime(2024, 6, 30, 18, 0, 0)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    for s in sheets:
        ws = wb.create_sheet(s.sheet)
        cols = list(s.frame.columns)
        for t in s.title_rows:
            ws.append([t])
        if s.title_rows:
            ws.append([])
        ws.append(cols)
        date_idx = {cols.index(c) for c in s.date_cols}
        data = [s.frame[c].to_numpy(dtype=object, copy=True) for c in cols]
        header_row = len(s.title_rows) + (1 if s.title_rows else 0) + 1
        merge = None
        if small and s.merge_col:
            merge = _find_run(s.frame[s.merge_col].to_numpy(dtype=object), s.person)
            if merge is not None:
                mc = cols.index(s.merge_col)
                a, b = merge
                for i in range(a + 1, b + 1):
                    data[mc][i] = None
        for i in range(len(s.frame)):
            row = [_cell(col[i]) for col in data]
            if date_idx:
                for j in date_idx:
                    if isinstance(row[j], dt.date):
                        if small:
                            continue
                        c = WriteOnlyCell(ws, value=row[j])
                        c.number_format = "DD/MM/YYYY"
                        row[j] = c
            ws.append(row)
        if small:
            for j in date_idx:
                for (cell,) in ws.iter_rows(min_row=header_row + 1, min_col=j + 1, max_col=j + 1):
                    if isinstance(cell.value, dt.date):
                        cell.number_format = "DD/MM/YYYY"
            if merge is not None:
                from openpyxl.utils import get_column_letter

                letter = get_column_letter(cols.index(s.merge_col) + 1)
                ref = f"{letter}{header_row + 1 + merge[0]}:{letter}{header_row + 1 + merge[1]}"
                ws.merge_cells(ref)
                merges[f"{path.name}#{s.sheet}"] = ref
            ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
        if s.hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    _fix_zip_times(path)
    return merges


def _fix_zip_times(path: Path) -> None:
    """Rewrite the .xlsx zip with fixed entry times so the bytes do not depend on today."""
    import zipfile

    with zipfile.ZipFile(path) as zin:
        entries = [(i, zin.read(i.filename)) for i in zin.infolist()]
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in entries:
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with now
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2024-06-30T18:00:00Z\g<2>",
                    data,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=(2024, 6, 30, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            zout.writestr(zi, data)
    tmp.replace(path)


def _find_run(values: np.ndarray, person: np.ndarray) -> tuple[int, int] | None:
    """First run of >= 3 (else >= 2) equal non-empty values in rows of real persons."""
    n = len(values)
    for need in (3, 2):
        i = 0
        while i < n:
            j = i
            while j + 1 < n and values[i] and values[j + 1] == values[i] and person[j + 1] >= 0:
                j += 1
            if values[i] and person[i] >= 0 and j - i + 1 >= need:
                return (i, min(j, i + 3))
            i = j + 1
    return None


def _text_column(values: np.ndarray, sep: str):
    """One column as an Arrow string array, CSV-quoted where needed (RFC 4180)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("string", "empty"):
        arr = pa.array(values, type=pa.string(), from_pandas=True)
    elif kind in ("integer", "floating"):
        num = pd.to_numeric(pd.Series(values, dtype=object))
        if kind == "integer" and not num.isna().any():
            arr = pc.cast(pa.array(num.to_numpy(dtype=np.int64)), pa.string())
        else:
            arr = pa.array(
                [None if x is None or x != x else repr(float(x)) for x in values], pa.string()
            )
    elif kind == "date":
        arr = pc.cast(pa.array(values, type=pa.date32(), from_pandas=True), pa.string())
    else:  # mixed (numbers typed into a text column, dates next to text)
        arr = pa.array(
            [
                None
                if x is None or (isinstance(x, float) and x != x)
                else (x if isinstance(x, str) else str(x))
                for x in values
            ],
            pa.string(),
        )
    if kind in ("integer", "floating", "date"):
        return arr  # never contains a delimiter, quote or line break
    needs = pc.match_substring(arr, sep)
    for ch in ('"', "\n", "\r"):
        needs = pc.or_(needs, pc.match_substring(arr, ch))
    if pc.any(needs).as_py():
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")
        arr = pc.if_else(needs, quoted, arr)
    return arr


def write_csv(path: Path, s: Sheet) -> None:
    write_frame(path, s.frame, sep=s.sep, encoding=s.encoding, lineterminator=s.lineterminator)


def write_frame(
    path: Path, frame: pd.DataFrame, sep: str = ",", encoding="utf-8", lineterminator="\n"
) -> None:
    """Fast, deterministic CSV writer (Arrow compute) with a delimiter/encoding/newline.

    Values are quoted only when they contain the delimiter, a quote or a line break.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = [str(c) for c in frame.columns]
    head = sep.join(f'"{c}"' if sep in c or '"' in c else c for c in cols) + "\n"
    parts = [head.encode("utf-8")]
    step = 500_000
    for lo in range(0, len(frame), step):
        chunk = frame.iloc[lo : lo + step]
        arrays = [_text_column(chunk[c].to_numpy(dtype=object), sep) for c in chunk.columns]
        line = pc.binary_join_element_wise(
            *arrays, sep, null_handling="replace", null_replacement=""
        )
        line = pc.binary_join_element_wise(line, pa.scalar("\n"), "")
        if isinstance(line, pa.ChunkedArray):
            line = line.combine_chunks()
        offs = np.frombuffer(line.buffers()[1], dtype=np.int32)
        offs = offs[line.offset : line.offset + len(line) + 1]
        parts.append(line.buffers()[2].to_pybytes()[int(offs[0]) : int(offs[-1])])
    data = b"".join(parts)
    if lineterminator != "\n":
        data = data.replace(b"\n", lineterminator.encode())
    enc = encoding.lower()
    if enc == "utf-8-sig":
        data = b"\xef\xbb\xbf" + data
    elif enc not in ("utf-8", "utf8"):
        data = data.decode("utf-8").encode(encoding, errors="replace")
    path.write_bytes(data)
