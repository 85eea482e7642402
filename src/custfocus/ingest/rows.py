"""Turn a chunk of raw rows into normalised records, facts and rejects.

Why column-wise: a million-row export cannot afford a Python call per cell. Each column
of a chunk becomes one Arrow array and goes through the whole-column normalisers of
:mod:`custfocus.normalise.vectorised`, which give exactly what the per-value normalisers
give; only the row-level decisions that touch few rows (rejects) are made row by row.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from custfocus.ingest.plan import CURRENCY_BY_REGION, UNKNOWN_CURRENCY, TablePlan, country_code
from custfocus.ingest.readers.table import Chunk, ColumnChunk, Row
from custfocus.ingest.roles import fold_header
from custfocus.normalise.amounts import currency_of_header
from custfocus.normalise.names import is_given_name, is_organisation_name
from custfocus.normalise.vectorised._common import map_distinct
from custfocus.normalise.vectorised.addresses import normalise_address_columns
from custfocus.normalise.vectorised.amounts import parse_amount_column
from custfocus.normalise.vectorised.dates import parse_date_column
from custfocus.normalise.vectorised.emails import normalise_email_column
from custfocus.normalise.vectorised.ids import normalise_national_id_column
from custfocus.normalise.vectorised.names import (
    NAME_TYPES,
    full_name_columns,
    split_name_columns,
)
from custfocus.normalise.vectorised.phones import normalise_phone_column
from custfocus.normalise.vectorised.text import clean_text_column, is_placeholder_column

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
    "record_hash", "total_spent", "total_currency", "order_count",
)
FACT_FIELDS = (
    "account_code", "kind", "document_id", "fact_date", "amount", "amount_net", "currency",
    "quantity", "product_line", "business_unit", "category", "status", "satisfaction",
    "channel",
)
_NAME_ROLES = frozenset({"full_name", "given_name"})
_IDENTITY_FIELDS = ("name_key", "company", "email", "phone", "phone2", "national_id",
                    "account_code")
_LOCATION_FIELDS = ("address_key", "postal_code", "city", "birth_date", "full_name")
_RECORD_DATES = ("birth_date", "created_date", "updated_date", "last_contact_date")
_INVALID_ORDER = ("email", "phone", "phone2", "national_id", "postal_code", *_RECORD_DATES,
                  "total_spent", "order_count")
_HASH_FIELDS = ("name_key", "company", "email_key", "email", "phone_e164", "phone2_e164",
                "national_id", "account_code", "address_key", "postal_code", "city",
                "birth_date")
_NULL = pa.scalar(None, pa.string())
# Every character str.strip() removes, so the Arrow trim strips exactly what Python would.
_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003"
               "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


@dataclass
class Batch:
    """One chunk's output, column-oriented, ready for a bulk insert.

    ``records`` and ``facts`` are Arrow tables with a ``row`` column (facts also carry
    ``has_record``) plus :data:`RECORD_FIELDS` / :data:`FACT_FIELDS`.
    """

    rows: list[int] = field(default_factory=list)
    raw: list[list[str]] | pa.ListArray = field(default_factory=list)
    records: pa.Table | None = None
    facts: pa.Table | None = None
    rejects: list[tuple[int, str | None, str, list[str]]] = field(default_factory=list)

    @property
    def record_count(self) -> int:
        return 0 if self.records is None else self.records.num_rows

    @property
    def fact_count(self) -> int:
        return 0 if self.facts is None else self.facts.num_rows


class _Cells:
    """The usable rows of a chunk, served column by column as stripped Arrow arrays."""

    def __init__(self, converter: RowConverter, columns: list[pa.Array], n: int,
                 row_cells: Callable[[int], list[str]]):
        self.converter = converter
        self.n = n
        self.row_cells = row_cells  # the original cells of usable row k, for rejects
        self._columns = columns
        self._cache: dict[tuple[int, bool], pa.Array] = {}

    @classmethod
    def of_rows(cls, converter: RowConverter, rows: list[list[str]]) -> _Cells:
        width = converter.ncols
        padded = [r if len(r) >= width else r + [""] * (width - len(r)) for r in rows]
        columns = [pa.array(c, pa.string()) for c in zip(*padded)] if padded else []
        return cls(converter, columns, len(rows), rows.__getitem__)

    def column(self, index: int, drop_placeholders: bool) -> pa.Array:
        """Stripped cell texts of one column; null where empty (or a placeholder)."""
        key = (index, drop_placeholders)
        if key not in self._cache:
            if index < len(self._columns):
                texts = pc.utf8_trim(self._columns[index], _WHITESPACE)
            else:
                texts = pa.array([""] * self.n, pa.string())
            values = pc.if_else(pc.equal(texts, ""), _NULL, texts)
            if drop_placeholders and values.null_count < len(values):
                values = pc.if_else(is_placeholder_column(values), _NULL, values)
            self._cache[key] = values
        return self._cache[key]

    def get(self, role: str) -> pa.Array:
        """What a role holds on each row, as the per-row importer always read it."""
        i = self.converter.idx.get(role)
        if i is None:
            return pa.nulls(self.n, pa.string())
        return self.column(i, role not in _NAME_ROLES)


def _present(values: pa.Array) -> pa.Array:
    """True where a value is there and not an empty string."""
    if pa.types.is_string(values.type):
        return pc.fill_null(pc.not_equal(values, ""), False)
    return pc.is_valid(values)


def _where(mask: pa.Array, values: pa.Array) -> pa.Array:
    return pc.if_else(mask, values, pa.scalar(None, values.type))


class RowConverter:
    """Applies a :class:`TablePlan` to chunks of rows."""

    def __init__(self, plan: TablePlan):
        self.plan = plan
        self.ncols = len(plan.table.headers)
        self.idx = {c.role: c.index for c in plan.columns if c.role}
        self.family_cols = plan.indexes_of("family_name")

    def convert(self, chunk: Chunk) -> Batch:
        if isinstance(chunk, ColumnChunk):
            batch, rows, cells = self._usable_columns(chunk)
        else:
            batch, rows, cells = self._usable_rows(chunk)
        n = len(rows)
        records, has_record = (self._records(cells) if self.plan.has_identity and n
                               else (None, np.zeros(n, dtype=bool)))
        if self.plan.fact_kind and n:
            facts, fact_reasons = self._facts(cells)
        else:
            facts, fact_reasons = None, [None] * n
        fact_ok = np.zeros(n, dtype=bool)
        for k in range(n):
            reason = fact_reasons[k]
            if reason is not None:
                batch.rejects.append((int(rows[k]), reason[0], reason[1], cells.row_cells(k)))
            elif facts is not None:
                fact_ok[k] = True
            elif not has_record[k]:
                batch.rejects.append((int(rows[k]), None, "row holds no customer data",
                                      cells.row_cells(k)))
        if records is not None and has_record.any():
            keep = pa.array(has_record)
            batch.records = records.filter(keep).add_column(
                0, "row", pa.array(rows[has_record], pa.int32()))
        if facts is not None and fact_ok.any():
            if records is not None:
                own = facts["account_code"]
                facts = facts.set_column(
                    facts.schema.get_field_index("account_code"), "account_code",
                    pc.if_else(pc.and_(pa.array(has_record), pc.is_null(own)),
                               records["account_code"], own))
            keep = pa.array(fact_ok)
            batch.facts = facts.filter(keep).add_column(
                0, "row", pa.array(rows[fact_ok], pa.int32())).add_column(
                1, "has_record", pa.array(has_record[fact_ok]))
        batch.rejects.sort(key=lambda r: r[0])
        return batch

    # -- checks ---------------------------------------------------------------------
    def _usable_rows(self, chunk: list[Row]) -> tuple[Batch, np.ndarray, _Cells]:
        """Rejects the rows no column can hold; the rest, column-wise."""
        batch = Batch(rows=[r for r, _ in chunk], raw=[c for _, c in chunk])
        usable: list[int] = []
        for pos, (row_number, cells) in enumerate(chunk):
            problem = self._row_problem(cells)
            if problem:
                batch.rejects.append((row_number, problem[0], problem[1], cells))
            else:
                usable.append(pos)
        rows = np.asarray([chunk[p][0] for p in usable], dtype=np.int64)
        return batch, rows, _Cells.of_rows(self, [chunk[p][1] for p in usable])

    def _usable_columns(self, chunk: ColumnChunk) -> tuple[Batch, np.ndarray, _Cells]:
        """:meth:`_usable_rows` for a chunk that is already column-wise (never ragged)."""
        batch = Batch(rows=chunk.rows.tolist(), raw=chunk.cell_lists())
        too_long = np.zeros(len(chunk), dtype=bool)
        for column in chunk.columns:
            too_long |= pc.greater(pc.utf8_length(column), MAX_CELL_CHARS).to_numpy(
                zero_copy_only=False)
        columns = chunk.columns
        if too_long.any():
            for pos in np.flatnonzero(too_long).tolist():
                cells = chunk.cells(pos)
                problem = self._row_problem(cells)
                assert problem is not None
                batch.rejects.append((int(chunk.rows[pos]), problem[0], problem[1], cells))
            keep = pa.array(~too_long)
            columns = [c.filter(keep) for c in columns]
        rows = chunk.rows[~too_long]
        positions = np.flatnonzero(~too_long)
        return batch, rows, _Cells(self, columns, len(rows),
                                   lambda k: chunk.cells(int(positions[k])))

    def _row_problem(self, cells: list[str]) -> tuple[str | None, str] | None:
        if len(cells) > self.ncols and any(c.strip() for c in cells[self.ncols:]):
            return None, f"row has {len(cells)} cells but the header has {self.ncols}"
        if cells and max(map(len, cells)) > MAX_CELL_CHARS:
            for i, cell in enumerate(cells):
                if len(cell) > MAX_CELL_CHARS:
                    header = self.plan.table.headers[i] if i < self.ncols else f"#{i + 1}"
                    return header, (f"cell is {len(cell):,} characters long "
                                    f"(limit {MAX_CELL_CHARS:,})")
        return None

    # -- customer records -----------------------------------------------------------
    def _family(self, cells: _Cells) -> pa.Array:
        parts = [cells.column(i, drop_placeholders=False) for i in self.family_cols]
        if not parts:
            return pa.nulls(cells.n, pa.string())
        if len(parts) == 1:
            return parts[0]
        # pyarrow drops the rows where every input is null under null_handling="skip"; a
        # leading "" keeps each row, and its separator is cut off again.
        lead = pa.array([""] * cells.n, pa.string())
        joined = pc.utf8_slice_codeunits(pc.binary_join_element_wise(
            lead, *parts, " ", null_handling="skip"), 1)
        return pc.if_else(pc.equal(joined, ""), _NULL, joined)

    def _names(self, cells: _Cells, rec: dict[str, pa.Array]) -> None:
        full, given = cells.get("full_name"), cells.get("given_name")
        family, company = self._family(cells), cells.get("company")
        full, company = _person_in_company_column(full, pc.is_null(pc.coalesce(given, family)),
                                                  company, rec["national_id_kind"])
        if full.null_count < len(full):
            looks_company = map_distinct(
                full, lambda v: (_COMPANY_RE.search(v) is not None,), {"c": pa.bool_()}
            )["c"]
            company_full = pc.fill_null(pc.and_(
                looks_company, pc.and_(pc.is_null(given), pc.is_null(family))), False)
            company = pc.if_else(pc.and_(company_full, pc.is_null(company)), full, company)
            full = _where(pc.invert(company_full), full)
        use_full = pc.is_valid(full)
        by_full = full_name_columns(full)
        split_given, split_family = _where(pc.invert(use_full), given), _where(
            pc.invert(use_full), family)
        by_parts = split_name_columns(split_given, split_family)
        for name in NAME_TYPES:
            rec[name] = pc.if_else(use_full, by_full[name], by_parts[name])
        rec["name_placeholder"] = pc.fill_null(rec["name_placeholder"], False)
        rec["company"] = clean_text_column(company)

    def _records(self, cells: _Cells) -> tuple[pa.Table, np.ndarray]:
        region = self.plan.region
        rec: dict[str, pa.Array] = {}
        invalid: dict[str, pa.Array] = {}
        self._national_id(cells.get("national_id"), rec, invalid)
        self._names(cells, rec)  # reads the national id's kind: a person's or a company's
        email = cells.get("email")
        info = normalise_email_column(email)
        given = pc.is_valid(email)
        for out, key in (("email", "email"), ("email_key", "key"), ("email_valid", "valid"),
                         ("email_role", "role"), ("email_placeholder", "placeholder")):
            rec[out] = _where(given, info[key])
        invalid["email"] = pc.and_(given, pc.invert(info["valid"]))
        row_country = map_distinct(cells.get("country"), lambda v: (country_code(v),),
                                   {"c": pa.string()})["c"]
        for role in ("phone", "phone2"):
            value = cells.get(role)
            phone = _foreign_local_phones(value, normalise_phone_column(value, region),
                                          region, row_country)
            present = pc.is_valid(value)
            rec[role] = value
            rec[f"{role}_e164"] = _where(present, phone["e164"])
            rec[f"{role}_valid"] = _where(present, phone["valid"])
            invalid[role] = pc.and_(present, pc.invert(phone["valid"]))
        rec["account_code"] = cells.get("account_code")
        self._address(cells, rec, invalid)
        for role in _RECORD_DATES:
            i = self.idx.get(role)
            value = cells.get(role)
            if i is None or value.null_count == len(value):
                rec[role] = pa.nulls(cells.n, pa.date32())
                continue
            parsed = parse_date_column(value, self.plan.date_orders[i])
            rec[role] = parsed
            invalid[role] = pc.and_(pc.is_valid(value), pc.is_null(parsed))
        rec["gender"] = map_distinct(cells.get("gender"), lambda v: (v[:1].upper(),),
                                     {"g": pa.string()})["g"]
        rec["opt_in"] = map_distinct(cells.get("opt_in"), _opt_in, {"o": pa.bool_()})["o"]
        self._customer_totals(cells, rec, invalid)
        has_any = np.zeros(cells.n, dtype=bool)
        for name in (*_IDENTITY_FIELDS, *_LOCATION_FIELDS):
            has_any |= _present(rec[name]).to_numpy(zero_copy_only=False)
        rec["invalid_fields"] = _invalid_lists(invalid, cells.n)
        rec["record_hash"] = _record_hashes(rec)
        return pa.table({name: rec[name] for name in RECORD_FIELDS}), has_any

    def _customer_totals(self, cells: _Cells, rec: dict[str, pa.Array],
                         invalid: dict[str, pa.Array]) -> None:
        """Customer-level totals ("Total Spent", "Total Orders") as attributes of the record.

        The amount's currency: its symbol, else the currency column, else the one its header
        names, else the record's country's, else unknown (XXX): a shop selling to Paris and
        London does not hold its British customers' totals in euros.
        """
        for role, out in (("total_spent", "total_spent"), ("order_count", "order_count")):
            i = self.idx.get(role)
            # "0" and "1" are placeholders in a phone column, counts here
            value = pa.nulls(cells.n, pa.string()) if i is None else cells.column(i, False)
            if i is None or value.null_count == len(value):
                rec[out] = pa.nulls(cells.n, pa.float64() if role == "total_spent" else pa.int64())
                if role == "total_spent":
                    rec["total_currency"] = pa.nulls(cells.n, pa.string())
                continue
            amount = parse_amount_column(value, self.plan.decimal_separators[i])
            invalid[role] = pc.and_(pc.is_valid(value), pc.is_null(amount["value"]))
            if role == "order_count":
                rec[out] = pc.cast(pc.round(amount["value"]), pa.int64())
                continue
            rec[out] = amount["value"]
            header = currency_of_header(self.plan.table.headers[i])
            by_country = map_distinct(rec["country"], lambda v: (CURRENCY_BY_REGION.get(v),),
                                      {"c": pa.string()})["c"]
            stated = map_distinct(cells.get("currency"), lambda v: (v.strip().upper()[:3],),
                                  {"c": pa.string()})["c"]
            currency = pc.coalesce(amount["currency"], stated,
                                   pa.scalar(header, pa.string()), by_country,
                                   pa.scalar(UNKNOWN_CURRENCY, pa.string()))
            rec["total_currency"] = _where(pc.is_valid(amount["value"]), currency)

    def _national_id(self, value: pa.Array, rec: dict[str, pa.Array],
                     invalid: dict[str, pa.Array]) -> None:
        present = pc.is_valid(value)
        nid = normalise_national_id_column(value, self.plan.region)
        cleaned = nid["value"]
        # A bare number (Colombian cédula, Argentine DNI) has no check digit to fail:
        # record it as unverifiable rather than invalid.
        bare = pc.fill_null(pc.and_(
            pc.and_(pc.invert(nid["valid"]), pc.utf8_is_digit(cleaned)),
            pc.less_equal(pc.utf8_length(cleaned), 10)), False)
        rec["national_id"] = _where(present, pc.if_else(_present(cleaned), cleaned, value))
        rec["national_id_kind"] = _where(present, pc.if_else(bare, "id_number", nid["kind"]))
        rec["national_id_valid"] = _where(present, _where(pc.invert(bare), nid["valid"]))
        invalid["national_id"] = pc.and_(present, pc.fill_null(
            pc.equal(rec["national_id_valid"], False), False))

    def _address(self, cells: _Cells, rec: dict[str, pa.Array],
                 invalid: dict[str, pa.Array]) -> None:
        street, number = cells.get("street"), cells.get("house_number")
        postal = cells.get("postal_code")
        address = normalise_address_columns(street, number, postal, self.plan.region)
        country = map_distinct(cells.get("country"), lambda v: (country_code(v),),
                               {"c": pa.string()})["c"]
        _foreign_postal_codes(address, country, self.plan.region, street, number, postal)
        for name in ("street", "house_number", "postal_code", "address_key"):
            rec[name] = address[name]
        invalid["postal_code"] = pc.fill_null(pc.invert(address["postal_valid"]), False)
        for role in ("city", "region"):
            rec[role] = clean_text_column(cells.get(role))
        # Per record: the country column, else the country of the record's phone number
        # (+33: FR), else the file's country; never one guess for a mixed file.
        by_phone = map_distinct(rec["phone_e164"], lambda v: (_phone_country(v),),
                                {"c": pa.string()})["c"]
        country = pc.coalesce(country, by_phone)
        rec["country"] = pc.fill_null(country, pa.scalar(self.plan.region, pa.string())) if (
            self.plan.region) else country

    # -- facts ----------------------------------------------------------------------
    def _facts(self, cells: _Cells) -> tuple[pa.Table, list[tuple[str | None, str] | None]]:
        idx, kind, n = self.idx, self.plan.fact_kind, cells.n
        headers = self.plan.table.headers
        is_sale = kind in {"order", "invoice"}
        checks: list[tuple[np.ndarray, str | None, str]] = []  # in the order they apply
        fact: dict[str, pa.Array] = {}

        def mask(array: pa.Array) -> np.ndarray:
            return pc.fill_null(array, False).to_numpy(zero_copy_only=False)

        fact["fact_date"] = pa.nulls(n, pa.date32())
        if "event_date" in idx:
            value = cells.get("event_date")
            parsed = parse_date_column(value, self.plan.date_orders[idx["event_date"]])
            header = headers[idx["event_date"]]
            checks.append((mask(pc.and_(pc.is_valid(value), pc.is_null(parsed))), header,
                           "date not understood"))
            if is_sale:
                checks.append((mask(pc.is_null(parsed)), header, "no date on this order/invoice"))
            fact["fact_date"] = parsed
        currency = pa.nulls(n, pa.string())
        for role in ("amount", "amount_net", "quantity", "satisfaction"):
            fact[role] = pa.nulls(n, pa.float64())
            if role not in idx:
                continue
            # "0" and "1" are placeholders in a phone column, amounts and quantities here
            value = cells.column(idx[role], False)
            amount = parse_amount_column(value, self.plan.decimal_separators[idx[role]])
            checks.append((mask(pc.and_(pc.is_valid(value), pc.is_null(amount["value"]))),
                           headers[idx[role]], f"{role.replace('_', ' ')} is not a number"))
            fact[role] = amount["value"]
            if role == "amount":
                currency = amount["currency"]
        if is_sale and ("amount" in idx or "amount_net" in idx):
            col = idx.get("amount", idx.get("amount_net"))
            checks.append((mask(pc.and_(pc.is_null(fact["amount"]), pc.is_null(
                fact["amount_net"]))), headers[col], "no amount on this order/invoice"))
        stated = map_distinct(cells.get("currency"), lambda v: (v.strip().upper()[:3],),
                              {"c": pa.string()})["c"]
        currency = pc.if_else(_present(stated), stated, currency)
        fact["currency"] = pc.fill_null(currency, pa.scalar(self.plan.default_currency,
                                                            pa.string()))
        fact["document_id"] = pc.coalesce(cells.get("invoice_id"), cells.get("order_id"),
                                          cells.get("ticket_id"))
        for role in ("product_line", "business_unit", "category", "status", "channel"):
            fact[role] = clean_text_column(cells.get(role))
        fact["kind"] = pa.array(np.full(n, kind, dtype=object), pa.string())
        if is_sale:
            doc_type = cells.get("document_type")
            credit_word = map_distinct(
                doc_type, lambda v: (any(w in v.lower() for w in _CREDIT_WORDS),),
                {"c": pa.bool_()}, (False,))["c"]
            total = pc.coalesce(fact["amount"], fact["amount_net"])
            credit = pc.or_(credit_word, pc.fill_null(pc.less(total, 0), False))
            fact["kind"] = pc.if_else(credit, "credit_note", fact["kind"])
            for role in ("amount", "amount_net"):
                fact[role] = pc.if_else(credit, pc.negate(pc.abs(fact[role])), fact[role])
        fact["account_code"] = cells.get("account_code")
        names = np.zeros(n, dtype=bool)
        if self.plan.has_identity:
            for role in ("full_name", "given_name", "email", "phone", "national_id",
                         "account_code", "company"):
                names |= mask(pc.is_valid(cells.get(role)))
        checks.append((~names & mask(pc.is_null(fact["account_code"])), None,
                       "fact row names no customer"))
        reasons: list[tuple[str | None, str] | None] = [None] * n
        for flagged, column, reason in reversed(checks):  # the first check that fails wins
            for k in np.flatnonzero(flagged).tolist():
                reasons[k] = (column, reason)
        return pa.table({name: fact[name] for name in FACT_FIELDS}), reasons


# National ids only people have: a record holding one is a person's; and those only
# organisations have: a record holding one is never moved to a person's name.
PERSON_ID_KINDS = frozenset({"es_nif", "es_nie", "br_cpf", "mx_curp"})
COMPANY_ID_KINDS = frozenset({"es_cif", "br_cnpj"})
_COMMA_NAME_RE = re.compile(r"^[^\W\d_][\w'\-. ]*,\s*[^\W\d_][\w'\-. ]*$")
# A company column whose values are people's names in this share or more is a column of
# names ("Razón social" of a shop selling to the self-employed): its person-like values are
# names even where the row holds no id, comma or contact person to say so.
PERSON_COLUMN_SHARE = 0.5


def person_written_as_company(text: str) -> bool:
    """Tell whether a company cell holds a person's name written "SURNAMES, Given"."""
    if not _COMMA_NAME_RE.match(text) or _COMPANY_RE.search(text):
        return False
    family, given = (part.split() for part in text.split(","))
    return 1 <= len(family) <= 3 and 1 <= len(given) <= 3 and not is_organisation_name(text)


def person_name_in_company(text: str) -> bool:
    """Tell whether a company cell reads as a person's name: "SURNAMES, Given", or two to
    five words of letters with a known given name first or last ("ROBERTO MORENO GÓMEZ",
    "CASTRO LAGO CONCEPCION") and no sign of an organisation."""
    if person_written_as_company(text):
        return True
    if _COMPANY_RE.search(text) or is_organisation_name(text):
        return False
    words = text.split()
    return (2 <= len(words) <= 5 and all(w.replace("'", "").replace("-", "").isalpha()
                                         for w in words)
            and (is_given_name(words[0]) or is_given_name(words[-1])))


def same_person_words(contact: str | None, name: str) -> bool:
    """A contact name that is empty or part of the fuller name ("Marisela" in
    "CASTILLO, MARISELA") names the same person."""
    return not contact or set(fold_header(contact).split()) <= set(fold_header(name).split())


def person_column(values: list[str]) -> bool:
    """Are most of a company column's distinct values people's names?"""
    values = [v for v in values if v]
    return bool(values) and (sum(map(person_name_in_company, values))
                             >= PERSON_COLUMN_SHARE * len(values))


def moved_to_person(company: str, contact: str | None, kind: str | None,
                    column_of_people: bool) -> bool:
    """Does a company cell name the record's person (the row has no given or family name)?
    When it reads as a person's name, names the contact person if there is one, the row
    holds no organisation's id, and something says so: a person's id, the "SURNAMES,
    Given" form, a contact person named within it, or a column of people's names."""
    if kind in COMPANY_ID_KINDS or not same_person_words(contact, company):
        return False
    if person_written_as_company(company):
        return True
    return person_name_in_company(company) and (kind in PERSON_ID_KINDS or bool(contact)
                                                or column_of_people)


def _person_in_company_column(full: pa.Array, no_parts: pa.Array, company: pa.Array,
                              id_kind: pa.Array) -> tuple[pa.Array, pa.Array]:
    """A company column ("Razón social") holding "GARCÍA LÓPEZ, María" or "VICTOR RODRIGUEZ
    SANCHEZ" (:func:`moved_to_person`) holds the person's name: it becomes the full name, and
    a contact-person column naming part of it ("María") adds to it rather than replacing
    it."""
    if company.null_count == len(company):
        return full, company
    looks_person = map_distinct(company, lambda v: (person_name_in_company(v),),
                                {"p": pa.bool_()}, (False,))["p"]
    rows = np.flatnonzero(pc.fill_null(pc.and_(looks_person, no_parts),
                                       False).to_numpy(zero_copy_only=False))
    if not len(rows):
        return full, company
    people = person_column(pc.unique(company).to_pylist())
    contacts, names, kinds = full.to_pylist(), company.to_pylist(), id_kind.to_pylist()
    for k in rows.tolist():
        if moved_to_person(names[k], contacts[k], kinds[k], people):
            contacts[k], names[k] = names[k], None
    return pa.array(contacts, pa.string()), pa.array(names, pa.string())


def _foreign_postal_codes(address: dict[str, pa.Array], country: pa.Array, region: str | None,
                          street: pa.Array, number: pa.Array, postal: pa.Array) -> None:
    """Read again, with their own country's format, the addresses whose postcode is not
    valid in the file's country and whose row names another country (a French postcode
    in a Spanish shop). Valid readings are kept, so files without a country column and
    files with one read the same postcode alike."""
    if country.null_count == len(country) or postal.null_count == len(postal):
        return
    invalid = pc.invert(pc.fill_null(address["postal_valid"], True))
    others = {c for c in pc.unique(pc.filter(country, invalid)).to_pylist() if c and c != region}
    for other in sorted(others):
        rows = np.flatnonzero(pc.fill_null(pc.and_(pc.equal(country, other), invalid),
                                           False).to_numpy(zero_copy_only=False))
        take = pa.array(rows, pa.int64())
        redone = normalise_address_columns(street.take(take), number.take(take),
                                           postal.take(take), other)
        for name, values in address.items():
            merged = values.to_numpy(zero_copy_only=False).copy()
            merged[rows] = redone[name].to_numpy(zero_copy_only=False)
            address[name] = pa.array(merged, values.type)


def _opt_in(value: str) -> tuple[bool | None]:
    low = value.strip().lower()
    return (True if low in _TRUE else False if low in _FALSE else None,)


def _foreign_local_phones(value: pa.Array, phone: dict[str, pa.Array], region: str | None,
                          row_country: pa.Array) -> dict[str, pa.Array]:
    """Read again the numbers invalid in the file's country, as a mixed company's support
    desk types them: in the caller's own local format ("(21) 96144-7899", a Rio mobile, in a
    Spanish file). Each is tried in the row's country (a country column), else in every
    country the file's own international numbers come from; a number valid in exactly one
    of them is that country's. One valid in several stays invalid (matching still compares
    its last digits)."""
    invalid = pc.fill_null(pc.and_(pc.is_valid(value), pc.invert(phone["valid"])), False)
    if not pc.any(invalid).as_py():
        return phone
    seen = {c for c in pc.unique(phone["region"]).to_pylist() if c and c != region}
    seen |= {c for c in pc.unique(row_country).to_pylist() if c and c != region}
    if not seen:
        return phone
    rows = np.flatnonzero(invalid.to_numpy(zero_copy_only=False))
    take = pa.array(rows, pa.int64())
    values, countries = value.take(take), row_country.take(take).to_pylist()
    found: list[int | None] = [None] * len(rows)  # index into readings, per row
    ambiguous = np.zeros(len(rows), dtype=bool)
    readings: list[dict[str, pa.Array]] = []
    for other in sorted(seen):
        reading = normalise_phone_column(values, other)
        valid = pc.fill_null(reading["valid"], False).to_numpy(zero_copy_only=False)
        readings.append(reading)
        for k in np.flatnonzero(valid).tolist():
            if countries[k] not in (None, other):
                continue  # the row names its country: only that one is tried
            if found[k] is None:
                found[k] = len(readings) - 1
            else:
                ambiguous[k] = True
    chosen = [(k, f) for k, f in enumerate(found) if f is not None and not ambiguous[k]]
    if not chosen:
        return phone
    out = {}
    for key, column in phone.items():
        items = column.to_pylist()
        for k, f in chosen:
            items[rows[k]] = readings[f][key][k].as_py()
        out[key] = pa.array(items, column.type)
    return out


def _phone_country(e164: str) -> str | None:
    """The country of an international number (+33 1 ...: FR), None for a local one."""
    if not e164 or not e164.startswith("+"):
        return None
    import phonenumbers

    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return None
    return None if region in (None, "ZZ", "001") else region


def _invalid_lists(invalid: dict[str, pa.Array], n: int) -> pa.Array:
    """Per row, the names of the fields whose value was given but is not valid."""
    names = [name for name in _INVALID_ORDER if name in invalid]
    if not names:
        return pa.ListArray.from_arrays(np.zeros(n + 1, dtype=np.int32), pa.array([], pa.string()))
    flags = np.column_stack([
        pc.fill_null(invalid[name], False).to_numpy(zero_copy_only=False) for name in names])
    rows, cols = np.nonzero(flags)  # row-major, so each row's names keep their order
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n), out=offsets[1:])
    values = pa.array(np.asarray(names, dtype=object)[cols], pa.string())
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def _record_hashes(rec: dict[str, pa.Array]) -> pa.Array:
    """Content key of each record's identity: unchanged records keep their customer id."""
    parts = [pc.fill_null(pc.cast(rec[name], pa.string()), "") for name in _HASH_FIELDS]
    joined = pc.binary_join_element_wise(*parts, "\x1f").to_pylist()
    return pa.array([hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
                     for text in joined], pa.string())
