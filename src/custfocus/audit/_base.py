"""Per-record flags and per-customer profiles, built once in DuckDB for all questions.

Why temp tables: every question reads the same few facts about each record (has a valid
e-mail? a placeholder name?) and each customer; computing them once in SQL keeps an audit
of a million customers to a few scans, and nothing is loaded into Python but the answers.
Before ``dedupe`` has run, each record counts as its own customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from custfocus.store import Store

# The canonical profile: what a complete customer record holds (Q4).
PROFILE_FIELDS = (
    "name",
    "email",
    "phone",
    "address",
    "city",
    "national_id",
    "account_code",
    "birth_date",
    "gender",
    "opt_in",
)
# Identifying fields reported in Q2, in display order.
ID_FIELDS = ("name", "email", "phone", "address", "national_id", "account_code")
DATE_FIELDS = ["birth_date", "created_date", "updated_date", "last_contact_date"]
VALUE_KINDS = "('order', 'invoice', 'credit_note')"

_RECORD_FLAGS = f"""
CREATE OR REPLACE TEMP TABLE _audit_rec AS
WITH fr AS (
    SELECT record_id,
        count(*) FILTER (WHERE kind IN {VALUE_KINDS}) AS transactions,
        count(*) FILTER (WHERE kind = 'ticket') AS tickets, count(*) AS facts,
        max(fact_date) FILTER (WHERE kind IN {VALUE_KINDS}) AS last_transaction,
        max(fact_date) FILTER (WHERE kind NOT IN {VALUE_KINDS}) AS last_interaction,
        sum(coalesce(amount, amount_net)) FILTER (WHERE kind IN {VALUE_KINDS}
            AND fact_date > DATE '{{as_of}}' - INTERVAL 24 MONTH) AS value_24m
    FROM facts WHERE record_id IS NOT NULL GROUP BY record_id
)
SELECT r.record_id, {{customer}} AS customer_id, r.source, coalesce(r.unit, r.source) AS unit,
    (r.full_name IS NOT NULL OR r.given_name IS NOT NULL OR r.family_name IS NOT NULL
        OR r.company IS NOT NULL) AND NOT coalesce(r.name_placeholder, false) AS has_name,
    coalesce(r.name_placeholder, false) AS ph_name,
    r.email IS NOT NULL AS has_email,
    r.email IS NOT NULL AND coalesce(r.email_valid, false)
        AND NOT coalesce(r.email_placeholder, false) AS ok_email,
    r.email IS NOT NULL AND NOT coalesce(r.email_valid, false) AS bad_email,
    coalesce(r.email_placeholder, false) AS ph_email,
    coalesce(r.email_role, false) AS role_email,
    r.phone IS NOT NULL OR r.phone2 IS NOT NULL AS has_phone,
    coalesce(r.phone_valid, false) OR coalesce(r.phone2_valid, false) AS ok_phone,
    (r.phone IS NOT NULL AND NOT coalesce(r.phone_valid, false))::INT
        + (r.phone2 IS NOT NULL AND NOT coalesce(r.phone2_valid, false))::INT AS bad_phones,
    r.street IS NOT NULL OR r.postal_code IS NOT NULL AS has_address,
    r.street IS NOT NULL AND (r.city IS NOT NULL OR (r.postal_code IS NOT NULL
        AND NOT list_contains(coalesce(r.invalid_fields, []), 'postal_code'))) AS ok_address,
    r.city IS NOT NULL AS has_city,
    r.national_id IS NOT NULL AS has_national_id,
    r.national_id IS NOT NULL AND coalesce(r.national_id_valid, true) AS ok_national_id,
    r.national_id IS NOT NULL AND r.national_id_valid = false AS bad_national_id,
    r.account_code IS NOT NULL AS has_account_code,
    r.birth_date IS NOT NULL AS has_birth_date,
    r.gender IS NOT NULL AS has_gender,
    r.opt_in IS NOT NULL AS has_opt_in,
    coalesce(r.total_spent, 0) <> 0 OR coalesce(r.order_count, 0) > 0 AS has_totals,
    list_has_any(coalesce(r.invalid_fields, []), {DATE_FIELDS}) AS bad_date,
    r.email_key, CASE WHEN r.phone_valid THEN r.phone_e164 END AS phone_key,
    CASE WHEN r.national_id_valid THEN r.national_id END AS national_id_key,
    r.account_code, r.birth_date,
    coalesce(r.updated_date, r.created_date) AS last_update, r.last_contact_date,
    coalesce(fr.transactions, 0) AS transactions, coalesce(fr.tickets, 0) AS tickets,
    coalesce(fr.facts, 0) AS facts, fr.last_transaction, fr.last_interaction,
    coalesce(fr.value_24m, 0) AS value_24m
FROM records r {{join}} LEFT JOIN fr ON fr.record_id = r.record_id
"""

# Booleans and min<>max instead of count(DISTINCT): the same answers at a fraction of the cost.
_CUSTOMER_PROFILE = """
CREATE OR REPLACE TEMP TABLE _audit_cust AS
SELECT *, greatest(last_contact, last_interaction) AS last_contact_any,
    greatest(last_update, last_contact, last_interaction, last_transaction) AS last_activity
FROM (
    SELECT customer_id, count(*) AS records, count(DISTINCT source) AS n_sources,
        min(unit) = max(unit) AS one_unit,
        bool_or(has_name) AS has_name, bool_or(has_email) AS has_email,
        bool_or(ok_email) AS ok_email, bool_or(has_phone) AS has_phone,
        bool_or(ok_phone) AS ok_phone, bool_or(has_address) AS has_address,
        bool_or(ok_address) AS ok_address, bool_or(has_city) AS has_city,
        bool_or(has_national_id) AS has_national_id, bool_or(ok_national_id) AS ok_national_id,
        bool_or(has_account_code) AS has_account_code, bool_or(has_birth_date) AS has_birth_date,
        bool_or(has_gender) AS has_gender, bool_or(has_opt_in) AS has_opt_in,
        bool_or(has_totals) AS has_totals,
        coalesce(min(email_key) <> max(email_key), false) AS conflict_email,
        coalesce(min(phone_key) <> max(phone_key), false) AS conflict_phone,
        coalesce(min(birth_date) <> max(birth_date), false) AS conflict_birth_date,
        coalesce(min(national_id_key) <> max(national_id_key), false) AS conflict_national_id,
        max(last_update) AS last_update, max(last_contact_date) AS last_contact,
        sum(transactions) AS transactions, sum(tickets) AS tickets, sum(facts) AS facts,
        max(last_transaction) AS last_transaction, max(last_interaction) AS last_interaction,
        sum(value_24m) AS value_24m
    FROM _audit_rec GROUP BY customer_id
)
"""

# One row per customer and source: which usable identifiers that source holds (Q6, Q7).
_CUSTOMER_SOURCE = """
CREATE OR REPLACE TEMP TABLE _audit_cs AS
SELECT customer_id, source, bool_or(ok_email) AS email, bool_or(ok_phone) AS phone,
    bool_or(ok_national_id) AS national_id, bool_or(ok_address) AS address,
    bool_or(has_birth_date) AS birth_date
FROM _audit_rec GROUP BY customer_id, source
"""


@dataclass
class AuditContext:
    """The store, the reference date and whether matching has run."""

    store: Store
    as_of: date
    matched: bool

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        return self.store.query_dicts(sql, params)

    def row(self, sql: str, params: list[Any] | None = None) -> dict[str, Any]:
        rows = self.store.query_dicts(sql, params)
        return rows[0] if rows else {}

    def value(self, sql: str, params: list[Any] | None = None) -> Any:
        return self.store.query_value(sql, params)


def prepare(store: Store, as_of: date) -> AuditContext:
    """Build ``_audit_rec`` (one row per record) and ``_audit_cust`` (one per customer)."""
    matched = bool(
        store.query_value(
            "SELECT count(*) > 0 FROM record_customer rc JOIN records r USING (record_id)"
        )
    )
    if matched:
        customer = "coalesce(rc.customer_id, 'R' || r.record_id)"
        join = "LEFT JOIN record_customer rc USING (record_id)"
    else:
        customer, join = "'R' || r.record_id", ""
    store.execute(_RECORD_FLAGS.format(customer=customer, join=join, as_of=as_of.isoformat()))
    store.execute(_CUSTOMER_PROFILE)
    store.execute(_CUSTOMER_SOURCE)
    return AuditContext(store, as_of, matched)


def cleanup(store: Store) -> None:
    for table in ("_audit_rec", "_audit_cust", "_audit_cs"):
        store.execute(f"DROP TABLE IF EXISTS {table}")


def share(part: float | None, whole: float | None) -> float:
    """A ratio rounded for reports; 0 when there is nothing to divide by."""
    return round(float(part or 0) / float(whole), 4) if whole else 0.0


def light(value: float, amber: float, red: float, *, higher_is_worse: bool = True) -> str:
    """Traffic light for one figure: green below ``amber``, red from ``red`` (or reversed)."""
    if higher_is_worse:
        return "red" if value >= red else "amber" if value >= amber else "green"
    return "red" if value <= red else "amber" if value <= amber else "green"


def worst(*statuses: str) -> str:
    order = ("green", "amber", "red")
    return max(statuses, key=order.index)
