"""Decide, from a sample of a table, how to read it: column roles, locale, row kinds.

Why a separate plan: the decisions are made once per table from a sample and then applied
to every chunk, and they are what ``--dry-run`` and the import summary show the user.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field

from custfocus.ingest.readers import RawTable
from custfocus.ingest.roles import (
    FACT_ROLES,
    IDENTITY_ROLES,
    ColumnRole,
    fold_header,
    infer_roles,
)
from custfocus.normalise import (
    detect_date_order,
    detect_decimal_separator,
    guess_region,
)
from custfocus.normalise.amounts import currency_of_header

SAMPLE_ROWS = 2000
DATE_ROLES = frozenset(
    {"birth_date", "created_date", "updated_date", "last_contact_date", "event_date"}
)
AMOUNT_ROLES = frozenset({"amount", "amount_net", "tax", "quantity", "satisfaction", "total_spent",
                          "order_count"})

# Country names as exports write them -> ISO 3166 alpha-2.
COUNTRY_NAMES: dict[str, str] = {
    "es": "ES", "esp": "ES", "espana": "ES", "spain": "ES", "espanha": "ES",
    "br": "BR", "bra": "BR", "brasil": "BR", "brazil": "BR",
    "mx": "MX", "mex": "MX", "mexico": "MX",
    "pt": "PT", "prt": "PT", "portugal": "PT",
    "ar": "AR", "arg": "AR", "argentina": "AR",
    "co": "CO", "col": "CO", "colombia": "CO",
    "cl": "CL", "chl": "CL", "chile": "CL",
    "pe": "PE", "per": "PE", "peru": "PE",
    "us": "US", "usa": "US", "united states": "US", "estados unidos": "US", "eeuu": "US",
    "uk": "GB", "gb": "GB", "united kingdom": "GB", "reino unido": "GB",
    "fr": "FR", "francia": "FR", "france": "FR", "franca": "FR",
    "de": "DE", "alemania": "DE", "germany": "DE",
    "it": "IT", "italia": "IT", "italy": "IT",
    "ec": "EC", "ecuador": "EC", "uy": "UY", "uruguay": "UY", "ve": "VE", "venezuela": "VE",
}
CURRENCY_BY_REGION = {
    "ES": "EUR", "PT": "EUR", "FR": "EUR", "DE": "EUR", "IT": "EUR", "BR": "BRL",
    "MX": "MXN", "AR": "ARS", "CO": "COP", "CL": "CLP", "PE": "PEN", "US": "USD", "GB": "GBP",
}
UNKNOWN_CURRENCY = "XXX"  # ISO 4217's code for "no currency": amounts of an unknown one
_PORTUGUESE_HINTS = ("cep", "cpf", "cnpj", "celular", "endereco", "cidade", "uf", "nome")
# Header words only an English export uses ("Zip", "Street", "First Name"): when the phone
# numbers fit several countries equally (7-digit local numbers dial in the US and in
# Mexico), such headers tip it to the English-speaking one.
_ENGLISH_HINTS = ("zip", "zipcode", "street", "address", "first", "last", "phone", "city",
                  "state", "site", "company", "name", "fax", "county")


def country_code(text: str) -> str | None:
    """ISO code for a country as written in an export ("España", "Brasil", "MX")."""
    return COUNTRY_NAMES.get(fold_header(text)) if text else None


@dataclass
class TablePlan:
    """How one table is read: what each column means and how its values are written."""

    table: RawTable
    columns: list[ColumnRole]
    region: str
    region_reason: str
    date_orders: dict[int, str] = field(default_factory=dict)
    ambiguous_dates: list[str] = field(default_factory=list)
    decimal_separators: dict[int, str] = field(default_factory=dict)
    fact_kind: str | None = None
    has_identity: bool = False
    default_currency: str | None = None
    notes: list[str] = field(default_factory=list)

    def index_of(self, role: str) -> int | None:
        for col in self.columns:
            if col.role == role:
                return col.index
        return None

    def indexes_of(self, role: str) -> list[int]:
        return [c.index for c in self.columns if c.role == role]

    @property
    def mapping(self) -> list[dict[str, object]]:
        return [c.as_dict() for c in self.columns]

    @property
    def roles(self) -> set[str]:
        return {c.role for c in self.columns if c.role}


def sample_rows(table: RawTable, limit: int = SAMPLE_ROWS) -> list[list[str]]:
    return [cells for _, cells in itertools.islice(table.rows(), limit)]


def plan_table(
    table: RawTable,
    *,
    overrides: dict[str, str] | None = None,
    region: str | None = None,
) -> TablePlan:
    """Look at a sample of ``table`` and decide how every column is to be read."""
    sample = sample_rows(table)
    columns = infer_roles(table.headers, sample, overrides)
    roles = {c.role for c in columns if c.role}
    region, region_reason = _decide_region(table, columns, sample, region)
    plan = TablePlan(table=table, columns=columns, region=region, region_reason=region_reason)
    plan.fact_kind = _fact_kind(roles)
    # An orders sheet keyed only by the customer code holds facts, not customers.
    plan.has_identity = bool(roles & (IDENTITY_ROLES - {"account_code"})) or (
        "account_code" in roles and plan.fact_kind is None
    )
    plan.default_currency = _decide_currency(columns, region, region_reason, plan.notes)
    for col in columns:
        values = [row[col.index] for row in sample if col.index < len(row) and row[col.index]]
        if col.role in DATE_ROLES:
            order = detect_date_order(values)
            plan.date_orders[col.index] = order.order
            # a month written as a word ("1 de abril de 2024") leaves no doubt
            numeric = [v for v in values if not any(c.isalpha() for c in v)]
            if order.ambiguous and any("/" in v or "." in v or "-" in v[:3] for v in numeric):
                plan.ambiguous_dates.append(col.header)
                plan.notes.append(
                    f"dates in column '{col.header}' could be day/month or month/day; "
                    f"read as {_order_name(order.order)} (override with --date-order)"
                )
        elif col.role in AMOUNT_ROLES:
            plan.decimal_separators[col.index] = detect_decimal_separator(values)
    return plan


def _decide_currency(columns: list[ColumnRole], region: str, region_reason: str,
                     notes: list[str]) -> str | None:
    """The currency of amounts written without a symbol or a currency column: the one the
    amount's header names (``dollar_value``, ``Importe (€)``), else the country's when the
    country is known from the data, else unknown (ISO 4217 ``XXX``), never a guess."""
    amounts = [c for c in columns if c.role in ("amount", "amount_net", "tax", "total_spent")]
    for col in amounts:
        named = currency_of_header(col.header)
        if named:
            return named
    if not amounts or region_reason != "language of the headers":
        return CURRENCY_BY_REGION.get(region)
    if any(c.role == "currency" for c in columns):
        return CURRENCY_BY_REGION.get(region)
    notes.append(f"currency of '{amounts[0].header}' unknown (no symbol, currency column or "
                 "country in the data): amounts kept as XXX; set the country with --region")
    return UNKNOWN_CURRENCY


def _order_name(order: str) -> str:
    return {"dmy": "day/month/year", "mdy": "month/day/year"}.get(order, order)


def _fact_kind(roles: set[str]) -> str | None:
    if "invoice_id" in roles:
        return "invoice"
    if "order_id" in roles or "amount" in roles or "amount_net" in roles:
        return "order"
    if "ticket_id" in roles or (
        roles & {"category", "satisfaction", "status"} and "event_date" in roles
    ):
        return "ticket"
    if roles & FACT_ROLES and "event_date" in roles:
        return "interaction"
    return None


def _decide_region(
    table: RawTable,
    columns: list[ColumnRole],
    sample: list[list[str]],
    region: str | None,
) -> tuple[str, str]:
    if region:
        return region.upper(), "set by user"
    idx = {c.role: c.index for c in columns if c.role}
    if "country" in idx:
        codes = Counter(
            code
            for row in sample
            if idx["country"] < len(row) and (code := country_code(row[idx["country"]]))
        )
        if codes:
            return codes.most_common(1)[0][0], "most common country in the data"
    phones = [
        row[i] for row in sample for i in (idx.get("phone"), idx.get("phone2"))
        if i is not None and i < len(row) and row[i]
    ]
    folded = " ".join(fold_header(h) for h in table.headers)
    default = "BR" if sum(h in folded.split() for h in _PORTUGUESE_HINTS) >= 2 else "ES"
    prefer = ("US",) if sum(h in folded.split() for h in _ENGLISH_HINTS) >= 2 else ()
    # Numbers written with +CC say nothing about the default region of the others.
    local = [p for p in phones if not p.lstrip().startswith(("+", "00"))]
    if local:
        return guess_region(local, default=default, prefer=prefer), "phone numbers in the data"
    if phones:
        return guess_region(phones, default=default, prefer=prefer), "phone numbers in the data"
    return default, "language of the headers"
