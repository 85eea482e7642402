"""Frozen copy of the per-row converter as it was before the importer went column-wise.

Why column-wise with a per-chunk value cache: a support export repeats the same customer
on every ticket and a column holds few distinct values, so each distinct value is
normalised once per chunk instead of once per cell.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from custfocus.ingest.plan import TablePlan, country_code
from custfocus.ingest.rows import moved_to_person, person_column
from custfocus.normalise import (
    address_key,
    clean_text,
    expand_street,
    is_placeholder,
    is_placeholder_name,
    name_key,
    normalise_email,
    normalise_national_id,
    normalise_phone,
    normalise_postal_code,
    parse_amount,
    parse_date,
    parse_name,
    split_street_number,
)

_NUMBER_ROLES = frozenset({"amount", "amount_net", "quantity", "satisfaction"})
MAX_CELL_CHARS = 32_768  # longer cells are not customer data; the row is rejected
_COMPANY_RE = re.compile(
    r"\b(s\.?\s?l\.?u?|s\.?\s?a\.?|s\.?\s?a\.?\s?de\s?c\.?\s?v\.?|ltda\.?|ltd\.?|inc\.?|"
    r"llc|gmbh|s\.?\s?coop\.?|c\.?\s?b\.?|eireli|me|s/a|sociedad|asociaci[oó]n|"
    r"fundaci[oó]n|ayuntamiento|comercial|distribuciones|servicios|consulting|group)\s*$",
    re.I,
)
_TRUE = {"si", "sí", "s", "yes", "y", "true", "1", "x", "sim", "verdadero", "ok", "opt-in"}
_FALSE = {"no", "n", "false", "0", "nao", "não", "falso", "opt-out"}
_CREDIT_WORDS = ("abono", "credit", "devoluc", "devoluç", "rectific", "nota de cr", "refund")

RECORD_FIELDS = (
    "account_code", "given_name", "family_name", "full_name", "name_key", "name_placeholder",
    "company", "email", "email_key", "email_valid", "email_role", "email_placeholder",
    "phone", "phone_e164", "phone_valid", "phone2", "phone2_e164", "phone2_valid",
    "national_id", "national_id_kind", "national_id_valid", "street", "house_number",
    "address_key", "postal_code", "city", "region", "country", "birth_date", "gender",
    "created_date", "updated_date", "last_contact_date", "opt_in", "invalid_fields",
    "record_hash",
)
FACT_FIELDS = (
    "account_code", "kind", "document_id", "fact_date", "amount", "amount_net", "currency",
    "quantity", "product_line", "business_unit", "category", "status", "satisfaction",
    "channel",
)
_NAME_ROLES = frozenset({"full_name", "given_name"})
_IDENTITY_FIELDS = ("name_key", "company", "email", "phone", "phone2", "national_id",
                    "account_code")


@dataclass
class Batch:
    """One chunk's output, column-oriented, ready for a bulk insert."""

    rows: list[int] = field(default_factory=list)
    raw: list[list[str]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)  # each has "row"
    facts: list[dict[str, Any]] = field(default_factory=list)  # each has "row", "has_record"
    rejects: list[tuple[int, str | None, str, list[str]]] = field(default_factory=list)


class _Cache:
    """Memoises a normaliser over distinct values, bounded so huge files keep flat memory."""

    LIMIT = 200_000

    def __init__(self, fn: Callable[[Any], Any]):
        self.fn = fn
        self.memo: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        try:
            return self.memo[value]
        except KeyError:
            if len(self.memo) >= self.LIMIT:
                self.memo.clear()
            result = self.memo[value] = self.fn(value)
            return result


class RowConverter:
    """Applies a :class:`TablePlan` to chunks of rows."""

    def __init__(self, plan: TablePlan):
        self.plan = plan
        self.ncols = len(plan.table.headers)
        region = plan.region
        self.idx = {c.role: c.index for c in plan.columns if c.role}
        self.family_cols = plan.indexes_of("family_name")
        self.email = _Cache(normalise_email)
        self.phone = _Cache(lambda v: normalise_phone(v, region))
        self.nid = _Cache(lambda v: normalise_national_id(v, region))
        self.postal = _Cache(lambda v: normalise_postal_code(v, region))
        self.street = _Cache(expand_street)
        self.text = _Cache(clean_text)
        self.dates = {
            i: _Cache(lambda v, order=order: parse_date(v, order))
            for i, order in plan.date_orders.items()
        }
        self.amounts = {
            i: _Cache(lambda v, sep=sep: parse_amount(v, sep))
            for i, sep in plan.decimal_separators.items()
        }
        self.names = _Cache(lambda v: parse_name(full=v))
        self.split_names = _Cache(lambda gf: parse_name(given=gf[0], family=gf[1]))
        self.name_keys = _Cache(name_key)
        self.placeholder = _Cache(is_placeholder)

    def convert(self, chunk: Sequence[tuple[int, list[str]]]) -> Batch:
        batch = Batch()
        # The countries a number invalid in the file's country is tried in: those of the
        # column's numbers and of the country column, in this chunk (as rows.py decides).
        self.seen = {}
        for role in ("phone", "phone2"):
            regions = {self.phone(v).region for _, cells in chunk if (v := self._get(cells, role))}
            regions |= {country_code(c) for _, cells in chunk
                        if (c := self._get(cells, "country"))}
            self.seen[role] = {r for r in regions if r and r != self.plan.region}
        # Is the company column, in this chunk, mostly people's names? (as rows.py decides)
        self.people = "company" in self.idx and person_column(
            sorted({self._get(cells, "company") for _, cells in chunk} - {""}))
        for row_number, cells in chunk:
            batch.rows.append(row_number)
            batch.raw.append(cells)
            problem = self._row_problem(cells)
            if problem:
                batch.rejects.append((row_number, problem[0], problem[1], cells))
                continue
            record = self._record(cells) if self.plan.has_identity else None
            fact = self._fact(cells) if self.plan.fact_kind else None
            if isinstance(fact, tuple):  # (column, reason): the fact part is unusable
                batch.rejects.append((row_number, fact[0], fact[1], cells))
                if record is None:
                    continue
                fact = None  # the customer on the row is still worth keeping
            if record is None and fact is None:
                batch.rejects.append((row_number, None, "row holds no customer data", cells))
                continue
            if record is not None:
                record["row"] = row_number
                batch.records.append(record)
            if fact is not None:
                fact["row"] = row_number
                fact["has_record"] = record is not None
                if record is not None and not fact.get("account_code"):
                    fact["account_code"] = record.get("account_code")
                batch.facts.append(fact)
        return batch

    # -- checks ---------------------------------------------------------------------
    def _row_problem(self, cells: list[str]) -> tuple[str | None, str] | None:
        if len(cells) > self.ncols and any(c.strip() for c in cells[self.ncols:]):
            return None, f"row has {len(cells)} cells but the header has {self.ncols}"
        for i, cell in enumerate(cells):
            if len(cell) > MAX_CELL_CHARS:
                header = self.plan.table.headers[i] if i < self.ncols else f"#{i + 1}"
                return header, f"cell is {len(cell):,} characters long (limit {MAX_CELL_CHARS:,})"
        return None

    def _get(self, cells: list[str], role: str) -> str:
        i = self.idx.get(role)
        if i is None or i >= len(cells):
            return ""
        value = cells[i].strip()
        # Names keep placeholders (flagged apart); amounts and quantities read "0" and "1"
        # as numbers (#15: a placeholder phone is no placeholder quantity).
        if not value or role in _NAME_ROLES or role in _NUMBER_ROLES:
            return value
        return "" if self.placeholder(value) else value

    # -- customer record ------------------------------------------------------------
    def _record(self, cells: list[str]) -> dict[str, Any] | None:
        get = self._get
        rec: dict[str, Any] = {}
        invalid: list[str] = []
        family = " ".join(cells[i].strip() for i in self.family_cols if i < len(cells) and
                          cells[i].strip())
        full, given, company = get(cells, "full_name"), get(cells, "given_name"), get(
            cells, "company")
        name_placeholder = False
        nid = self.nid(get(cells, "national_id")) if get(cells, "national_id") else None
        kind = nid.kind if nid and not (not nid.valid and nid.value.isdigit()
                                        and len(nid.value) <= 10) else None
        if (company and not (given or family)
                and moved_to_person(company, full, kind, self.people)):
            full, company = company, ""
        if full and _COMPANY_RE.search(full) and not (given or family):
            company, full = company or self.text(full), ""
        if full or given or family:
            raw_name = full or f"{given} {family}"
            name_placeholder = is_placeholder_name(raw_name)
            if not name_placeholder:
                person = self.names(full) if full else self.split_names((given, family))
                rec.update(given_name=person.given or None, family_name=person.family or None,
                           full_name=person.full or None, name_key=self.name_keys(person) or None)
            else:
                rec["full_name"] = clean_text(raw_name)
        rec["name_placeholder"] = name_placeholder
        rec["company"] = self.text(company) if company else None
        if email := get(cells, "email"):
            info = self.email(email)
            rec.update(email=info.email, email_key=info.key, email_valid=info.valid,
                       email_role=info.role, email_placeholder=info.placeholder)
            if not info.valid:
                invalid.append("email")
        for role in ("phone", "phone2"):
            if value := get(cells, role):
                info = self.phone(value)
                if not info.valid:
                    country = self._get(cells, "country")
                    own = country_code(country) if country else None
                    valid_in = [o for o in sorted(self.seen[role]) if own in (None, o)
                                and normalise_phone(value, o).valid]
                    if len(valid_in) == 1:
                        info = normalise_phone(value, valid_in[0])
                rec.update({role: value, f"{role}_e164": info.e164, f"{role}_valid": info.valid})
                if not info.valid:
                    invalid.append(role)
        if value := get(cells, "national_id"):
            nid = self.nid(value)
            valid: bool | None = nid.valid
            kind = nid.kind
            if not valid and nid.value.isdigit() and len(nid.value) <= 10:
                # A bare number (Colombian cédula, Argentine DNI) has no check digit to fail:
                # record it as unverifiable rather than invalid.
                valid, kind = None, "id_number"
            rec.update(national_id=nid.value or value, national_id_kind=kind,
                       national_id_valid=valid)
            if valid is False:
                invalid.append("national_id")
        if value := get(cells, "account_code"):
            rec["account_code"] = value
        self._address(cells, rec, invalid)
        for role in ("birth_date", "created_date", "updated_date", "last_contact_date"):
            i = self.idx.get(role)
            if i is not None and (value := get(cells, role)):
                parsed = self.dates[i](value)
                rec[role] = parsed
                if parsed is None:
                    invalid.append(role)
        if value := get(cells, "gender"):
            rec["gender"] = value[:1].upper()
        if value := get(cells, "opt_in"):
            low = value.strip().lower()
            rec["opt_in"] = True if low in _TRUE else False if low in _FALSE else None
        has_any = any(rec.get(f) for f in _IDENTITY_FIELDS) or any(
            rec.get(f) for f in ("address_key", "postal_code", "city", "birth_date", "full_name")
        )
        if not has_any:
            return None
        rec["invalid_fields"] = invalid
        rec["record_hash"] = _record_hash(rec)
        return rec

    def _address(self, cells: list[str], rec: dict[str, Any], invalid: list[str]) -> None:
        street, number = self._get(cells, "street"), self._get(cells, "house_number")
        postal = self._get(cells, "postal_code")
        if street:
            expanded = self.street(street)
            if not number:
                expanded, number = split_street_number(expanded)
            rec["street"] = expanded
        if number:
            rec["house_number"] = number
        country = self._get(cells, "country")
        own = country_code(country) if country else None
        if postal:
            code = self.postal(postal)
            # invalid in the file's country: read with the row's own country, if another
            if code is None and own and own != self.plan.region:
                code = normalise_postal_code(postal, own)
            rec["postal_code"] = code or postal
            if code is None:
                invalid.append("postal_code")
        if street:
            rec["address_key"] = address_key(rec["street"], number or None,
                                             rec.get("postal_code")) or None
        for role in ("city", "region"):
            if value := self._get(cells, role):
                rec[role] = self.text(value)
        # (Since the per-record country: the phone's country code before the file's.)
        from custfocus.ingest.rows import _phone_country

        rec["country"] = own or _phone_country(rec.get("phone_e164")) or self.plan.region

    # -- facts ----------------------------------------------------------------------
    def _fact(self, cells: list[str]) -> dict[str, Any] | tuple[str, str] | None:
        get, idx, kind = self._get, self.idx, self.plan.fact_kind
        headers = self.plan.table.headers
        fact: dict[str, Any] = {"kind": kind}
        if "event_date" in idx:
            value = get(cells, "event_date")
            parsed = self.dates[idx["event_date"]](value) if value else None
            if value and parsed is None:
                return headers[idx["event_date"]], "date not understood"
            if parsed is None and kind in {"order", "invoice"}:
                return headers[idx["event_date"]], "no date on this order/invoice"
            fact["fact_date"] = parsed
        for role in ("amount", "amount_net", "quantity", "satisfaction"):
            if role in idx and (value := get(cells, role)):
                amount = self.amounts[idx[role]](value)
                if amount.value is None:
                    return headers[idx[role]], f"{role.replace('_', ' ')} is not a number"
                fact[role] = amount.value
                if role == "amount" and amount.currency:
                    fact["currency"] = amount.currency
        if kind in {"order", "invoice"} and fact.get("amount") is None and fact.get(
            "amount_net"
        ) is None and ("amount" in idx or "amount_net" in idx):
            col = idx.get("amount", idx.get("amount_net"))
            return headers[col], "no amount on this order/invoice"
        if value := get(cells, "currency"):
            fact["currency"] = value.strip().upper()[:3]
        fact.setdefault("currency", self.plan.default_currency)
        doc = get(cells, "invoice_id") or get(cells, "order_id") or get(cells, "ticket_id")
        fact["document_id"] = doc or None
        for role in ("product_line", "business_unit", "category", "status", "channel"):
            if value := get(cells, role):
                fact[role] = self.text(value)
        doc_type = get(cells, "document_type").lower()
        total = fact.get("amount") if fact.get("amount") is not None else fact.get("amount_net")
        if kind in {"order", "invoice"} and (
            any(w in doc_type for w in _CREDIT_WORDS) or (total is not None and total < 0)
        ):
            fact["kind"] = "credit_note"
            for role in ("amount", "amount_net"):
                if fact.get(role) is not None:
                    fact[role] = -abs(fact[role])
        fact["account_code"] = get(cells, "account_code") or None
        names_customer = self.plan.has_identity and any(
            self._get(cells, r) for r in ("full_name", "given_name", "email", "phone",
                                          "national_id", "account_code", "company")
        )
        if not names_customer and not fact["account_code"]:
            return None, "fact row names no customer"
        return fact


def _record_hash(rec: dict[str, Any]) -> str:
    """Content key of a record's identity: unchanged records keep their customer id."""
    parts = [str(rec.get(k) or "") for k in (
        "name_key", "company", "email_key", "email", "phone_e164", "phone2_e164", "national_id",
        "account_code", "address_key", "postal_code", "city", "birth_date",
    )]
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()
