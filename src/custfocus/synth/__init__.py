"""Seeded synthetic multi-department customer data with ground truth.

``generate(out_dir, customers=2000, seed=7)`` writes five departmental sources
(``ventas.xlsx``, ``soporte.csv``, ``marketing.csv``, ``erp_facturacion.xlsx``,
``loja_online.csv``) drawn from one population of true customers, plus the hidden
directory ``out_dir/.truth/`` with:

* ``truth.csv`` -- ``source,row,person_id,household_id,company_id,kind``: one line per data
  row of every source file/sheet. ``source`` is the file name plus ``#Sheet`` for workbooks;
  ``row`` is the row number a spreadsheet application shows (the header row included; for a
  CSV the header is row 1, so a record spanning several physical lines is still one row).
  ``person_id`` is empty for the few unusable rows that belong to nobody.
* ``planted.json`` -- the :class:`Planted` figures, computed from the written data.

Everything is deterministic for a given seed (a fixed as-of date, 2024-06-30, not today);
CSV files are byte-identical across runs.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from custfocus.synth import sources as S
from custfocus.synth.people import AS_OF, Population, build_population, zfill

__all__ = ["Planted", "generate", "AS_OF_DATE"]

AS_OF_DATE = str(AS_OF)


@dataclass
class Planted:
    """Exact figures about the generated data (what an audit should find).

    Keys of the per-source dicts are truth ``source`` names (``ventas.xlsx#Clientes``,
    ``soporte.csv``...). ``persons_in_2plus_sources`` counts persons with rows in two or more
    department files (a workbook's sheets count as one department). Row-level defect
    counts (``invalid_emails`` ...) are totals over every source; ``defects_per_source`` breaks
    them down.
    """

    seed: int
    as_of: str
    persons: int  # true distinct customers behind at least one row
    source_rows: dict[str, int]  # data rows per source (sheet)
    customer_records: dict[str, int]  # rows carrying customer identity, per source
    persons_per_source: dict[str, int]  # distinct persons per customer-bearing source
    persons_in_2plus_sources: int
    records_per_person: float  # customer records / persons
    households: int  # household groups (incl. twin pairs) sharing address and landline
    household_persons: int
    family_email_persons: int  # household members using the head's e-mail
    twins: int  # twin pairs (same surnames, birth date and address)
    namesake_groups: int  # full names shared by >= 2 different persons (planted or chance)
    namesake_groups_planted: int
    companies: int
    b2b_persons: int
    colleague_groups: int  # companies whose people share a role mailbox + switchboard
    invalid_emails: int
    placeholder_emails: int
    role_emails: int
    invalid_phones: int
    bad_id_checksums: int
    impossible_dates: int
    placeholder_names: int
    no_identifier_rows: int  # a real person's row with no identifying field (only a city)
    unusable_rows: int  # rows that belong to nobody (only a note / a ticket text)
    stale_records: int  # ventas customers with no activity for > 24 months
    orders: int  # ventas.xlsx#Pedidos rows + loja_online.csv rows
    invoices: int  # erp Facturas rows of type Factura
    credit_notes: int  # erp Facturas rows of type Abono (negative)
    tickets: int
    intra_source_duplicates: dict[str, int]  # customer records - distinct persons, per source
    planted_duplicate_records: dict[str, int]  # second records typed with variations
    defects_per_source: dict[str, dict[str, int]] = field(default_factory=dict)
    merged_ranges: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=False)


_DEFECTS = {
    "invalid_emails": "invalid_email",
    "placeholder_emails": "placeholder_email",
    "role_emails": "role_email",
    "invalid_phones": "invalid_phone",
    "bad_id_checksums": "bad_id_checksum",
    "impossible_dates": "impossible_date",
    "placeholder_names": "placeholder_name",
    "no_identifier_rows": "no_identifier",
    "unusable_rows": "unusable",
}


def build_sheets(pop: Population, rng: np.random.Generator) -> list[S.Sheet]:
    sheets: list[S.Sheet] = []
    sheets += S.build_ventas(pop, rng)
    sheets += S.build_soporte(pop, rng)
    sheets += S.build_marketing(pop, rng)
    sheets += S.build_erp(pop, rng)
    sheets += S.build_loja(pop, rng)
    return sheets


def generate(
    out_dir: Path | str, customers: int = 2000, seed: int = 7, csv_only: bool = False
) -> Planted:
    """Write the synthetic sources, ``.truth/truth.csv`` and ``.truth/planted.json``."""
    if customers < 50:
        raise ValueError("customers must be >= 50")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    pop = build_population(customers, rng)
    sheets = build_sheets(pop, rng)

    # which workbooks are written as CSV (on request, or when a sheet is too big for Excel)
    books: dict[str, list[S.Sheet]] = {}
    for s in sheets:
        books.setdefault(s.file, []).append(s)
    merges: dict[str, str] = {}
    truth_parts = []
    files: list[str] = []
    for file, group in books.items():
        if file.endswith(".xlsx"):
            too_big = any(len(s.frame) > S.EXCEL_MAX_ROWS - 5 for s in group)
            if csv_only or too_big:
                for s in group:
                    if not s.truth:
                        continue
                    name = f"{Path(file).stem}__{s.sheet}.csv"
                    S.write_csv(out / name, s)
                    files.append(name)
                    truth_parts.append(_truth(s, name, first_row=2, pop=pop))
            else:
                merges.update(S.write_workbook(out / file, group))
                files.append(file)
                for s in group:
                    if s.truth:
                        first = len(s.title_rows) + (1 if s.title_rows else 0) + 2
                        truth_parts.append(_truth(s, f"{file}#{s.sheet}", first, pop))
        else:
            (s,) = group
            S.write_csv(out / file, s)
            files.append(file)
            truth_parts.append(_truth(s, file, first_row=2, pop=pop))

    truth = pd.concat([t for t, _ in truth_parts], ignore_index=True)
    tdir = out / ".truth"
    tdir.mkdir(exist_ok=True)
    S.write_frame(tdir / "truth.csv", truth)
    planted = _planted(seed, pop, truth_parts, truth, merges, files)
    (tdir / "planted.json").write_text(planted.to_json() + "\n", encoding="utf-8")
    return planted


def _truth(s: S.Sheet, source: str, first_row: int, pop: Population):
    m = len(s.frame)
    p = s.person
    has = p >= 0
    pi = np.maximum(p, 0)
    person_id = np.where(has, pop.person_id[pi], "")
    hh = pop.household[pi]
    household_id = np.where(has & (hh >= 0), "H" + zfill(hh + 1, 6), "")
    co = pop.company[pi]
    company_id = np.where(has & (co >= 0), "K" + zfill(co + 1, 6), "")
    t = pd.DataFrame(
        {
            "source": source,
            "row": np.arange(first_row, first_row + m),
            "person_id": person_id,
            "household_id": household_id,
            "company_id": company_id,
            "kind": s.kind,
        },
        dtype=object,
    )
    return t, (s, source)


def _planted(seed, pop: Population, parts, truth: pd.DataFrame, merges, files) -> Planted:
    source_rows: dict[str, int] = {}
    customer_records: dict[str, int] = {}
    dept: dict[str, np.ndarray] = {}
    intra: dict[str, int] = {}
    per_source: dict[str, int] = {}
    dups: dict[str, int] = {}
    defects: dict[str, dict[str, int]] = {}
    totals = dict.fromkeys(_DEFECTS, 0)
    orders = invoices = credit = tickets = stale = 0
    for t, (s, source) in parts:
        source_rows[source] = len(t)
        file = source.split("#")[0]
        ps = s.person[s.person >= 0]
        # a person "is in" a department when any sheet of its file has a row of theirs
        key = file.split("__")[0].removesuffix(".xlsx").removesuffix(".csv")
        dept.setdefault(key, np.zeros(pop.n, dtype=bool))[ps] = True
        if s.customer_rows:
            customer_records[source] = int((s.person >= 0).sum())
            per_source[source] = len(np.unique(ps))
            intra[source] = customer_records[source] - per_source[source]
            if "dup_variant" in s.flags:
                dups[source] = int(s.flags["dup_variant"].sum())
        d = {}
        for name, flag in _DEFECTS.items():
            if flag in s.flags and s.flags[flag].any():
                d[name] = int(s.flags[flag].sum())
                totals[name] += d[name]
        if d:
            defects[source] = d
        if s.kind == "order":
            orders += len(t)
        elif s.kind == "ticket":
            tickets += len(t)
        elif s.kind == "invoice":
            cn = int(s.flags.get("credit_note", np.zeros(0, bool)).sum())
            credit += cn
            invoices += len(t) - cn
        if "stale" in s.flags:
            stale += int(s.flags["stale"].sum())
    counts = np.zeros(pop.n, dtype=np.int64)
    for mask in dept.values():
        counts += mask
    persons = int((counts > 0).sum())
    full = pd.Series(pop.full_name)
    seen = np.zeros(pop.n, dtype=bool)
    seen[counts > 0] = True
    names = full[seen]
    vc = names.value_counts()
    n_records = sum(customer_records.values())
    pl = pop.planted
    return Planted(
        seed=seed,
        as_of=AS_OF_DATE,
        persons=persons,
        source_rows=source_rows,
        customer_records=customer_records,
        persons_per_source=per_source,
        persons_in_2plus_sources=int((counts >= 2).sum()),
        records_per_person=round(n_records / max(persons, 1), 3),
        households=pl["households"] + pl["twins"],
        household_persons=pl["household_persons"] + 2 * pl["twins"],
        family_email_persons=int(pop.family_email.sum()),
        twins=pl["twins"],
        namesake_groups=int((vc >= 2).sum()),
        namesake_groups_planted=pl["namesake_groups_planted"],
        companies=pl["companies"],
        b2b_persons=pl["b2b_persons"],
        colleague_groups=pl["colleague_groups"],
        stale_records=stale,
        orders=orders,
        invoices=invoices,
        credit_notes=credit,
        tickets=tickets,
        intra_source_duplicates=intra,
        planted_duplicate_records=dups,
        defects_per_source=defects,
        merged_ranges=merges,
        files=sorted(files),
        **totals,
    )
