"""Golden record: one best value per field per customer, with where it came from.

Survivorship per field group, computed in DuckDB: valid values beat invalid ones, then the
configured rule — ``recent`` (most recently updated record; the default), ``frequent``
(the value most records agree on) or a source priority list. Fields that travel together
(the parts of a name, of an address) survive together. Every other value seen is kept as
an alternate, so nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from custfocus.store import Store

# group -> (columns that survive together, validity expression)
FIELD_GROUPS: dict[str, tuple[tuple[str, ...], str]] = {
    "name": (("given_name", "family_name", "full_name"),
             "full_name IS NOT NULL AND NOT coalesce(name_placeholder, false)"),
    "company": (("company",), "company IS NOT NULL"),
    "email": (("email",), "email IS NOT NULL AND coalesce(email_valid, false) "
              "AND NOT coalesce(email_placeholder, false)"),
    "phone": (("phone_e164",), "phone_e164 IS NOT NULL AND coalesce(phone_valid, false)"),
    "phone2": (("phone2_e164",), "phone2_e164 IS NOT NULL AND coalesce(phone2_valid, false)"),
    "national_id": (("national_id", "national_id_kind"),
                    "national_id IS NOT NULL AND coalesce(national_id_valid, false)"),
    "address": (("street", "house_number", "postal_code", "city", "region"),
                "street IS NOT NULL OR city IS NOT NULL OR postal_code IS NOT NULL"),
    "country": (("country",), "country IS NOT NULL"),
    "birth_date": (("birth_date",), "birth_date IS NOT NULL"),
    "account_code": (("account_code",), "account_code IS NOT NULL"),
    "opt_in": (("opt_in",), "opt_in IS NOT NULL"),
}
# Weakly valid fallbacks: an invalid e-mail is better than none, but never preferred.
_FALLBACK_PRESENT = {"email": "email IS NOT NULL", "phone": "phone_e164 IS NOT NULL",
                     "phone2": "phone2_e164 IS NOT NULL",
                     "national_id": "national_id IS NOT NULL"}


@dataclass
class Survivorship:
    """How the golden value of each field group is chosen."""

    default_rule: str = "recent"
    rules: dict[str, str] = field(default_factory=dict)
    source_priority: list[str] = field(default_factory=list)


def build_golden_records(store: Store, run_id: int, survivorship: Survivorship | None = None,
                         only: str | None = None) -> int:
    """Rebuild the ``customers`` table from ``record_customer``; returns the customer count.

    ``only``: a table (or view) with a ``customer_id`` column: rebuild just those customers
    (the ones whose records changed) and drop those of them that no longer have records.
    """
    surv = survivorship or Survivorship()
    priority = " ".join(
        f"WHEN source LIKE '{src.replace(chr(39), '')}%' THEN {i}"
        for i, src in enumerate(surv.source_priority)
    )
    priority_expr = f"CASE {priority} ELSE 1000 END" if priority else "0"
    # The survivor key (valid first, then the rule's rank, then the lowest record id) as one
    # BIGINT with the same order as struct_pack(v, r, i): comparing one number per row is
    # several times cheaper than comparing structs, for every field of every customer.
    scalar = (store.query_value("SELECT max(record_id) FROM records") or 0) < _ID_LIMIT
    selects, provenance, alternates, windows, keys = [], [], [], [], []
    for number, (group, (columns, valid)) in enumerate(FIELD_GROUPS.items()):
        rule = surv.rules.get(group, surv.default_rule)
        present = _FALLBACK_PRESENT.get(group, valid)
        if rule == "frequent":
            windows.append(f"count(*) OVER (PARTITION BY customer_id, {columns[0]}) "
                           f"AS freq_{group}")
            rank, whole = f"freq_{group}", True
        elif rule == "source_priority":
            rank, whole = f"-({priority_expr})", True
        else:
            rank, whole = "epoch(recency)", False
        if scalar:
            days = rank if whole else "(recency - DATE '1970-01-01')"
            keys.append(f"(({valid})::BIGINT * {2 ** 62} + (({days}) + {_RANK_OFFSET}) * "
                        f"{_ID_LIMIT} + ({_ID_LIMIT - 1} - record_id)) AS key_{group}")
        else:
            keys.append(f"struct_pack(v := ({valid})::INT, r := {rank}, i := -record_id) "
                        f"AS key_{group}")
        key = f"key_{group}"
        chosen = f"FILTER (WHERE {present})"
        for col in columns:
            selects.append(f"arg_max({col}, {key}) {chosen} AS {_golden_name(col)}")
        provenance.append(
            f"'{group}', arg_max(struct_pack(source := source, row := row), {key}) {chosen}"
        )
        # Alternates: every distinct value seen (as JSON, so one column holds all groups).
        alternates.append(f"SELECT customer_id, {number} AS g, "
                          f"coalesce(CAST(to_json({columns[0]}) AS VARCHAR), 'null') AS v "
                          f"FROM r WHERE {present}")
    extra = (", " + ", ".join(windows)) if windows else ""
    arrays = ", ".join(
        f"'{group}', CAST(any_value(arr) FILTER (WHERE g = {number}) AS JSON)"
        for number, group in enumerate(FIELD_GROUPS))
    sql = f"""
        WITH r AS (
            SELECT rc.customer_id, rec.*,
                   coalesce(rec.updated_date, rec.last_contact_date, rec.created_date,
                            CAST(i.imported_at AS DATE)) AS recency
            FROM records rec
            JOIN record_customer rc USING (record_id)
            JOIN imports i ON i.import_id = rec.import_id
            WHERE {f"rc.customer_id IN (SELECT customer_id FROM {only})" if only else "true"}
              AND hash(rc.customer_id) % $parts = $part
        ), ranked AS (SELECT *{extra} FROM r),
        keyed AS (SELECT *, {', '.join(keys)} FROM ranked),
        golden AS (
            SELECT customer_id, count(*) AS records, count(DISTINCT source) AS sources,
                   count(DISTINCT unit) AS units,
                   {', '.join(selects)},
                   min(coalesce(created_date, recency)) AS first_seen,
                   max(recency) AS last_seen,
                   json_object({', '.join(provenance)}) AS provenance
            FROM keyed GROUP BY customer_id
        ),
        seen AS (SELECT DISTINCT * FROM ({' UNION ALL '.join(alternates)})),
        lists AS (SELECT customer_id, g, '[' || string_agg(v, ',') || ']' AS arr
                  FROM seen GROUP BY customer_id, g),
        alternates AS (SELECT customer_id, json_object({arrays}) AS alternates
                       FROM lists GROUP BY customer_id)
        SELECT golden.*, coalesce(alternates.alternates, json_object({', '.join(
            f"'{group}', NULL" for group in FIELD_GROUPS)})) AS alternates
        FROM golden LEFT JOIN alternates USING (customer_id)
    """
    store.execute("DELETE FROM customers" + (
        f" WHERE customer_id IN (SELECT customer_id FROM {only})" if only else ""))
    # Customers are independent: built in parts of about PART_RECORDS records each, the
    # per-customer aggregates of a million customers fit in DuckDB's memory without spilling.
    records = store.query_value(
        "SELECT count(*) FROM record_customer" + (
            f" WHERE customer_id IN (SELECT customer_id FROM {only})" if only else "")) or 0
    parts = max(1, -(-int(records) // PART_RECORDS))
    for part in range(parts):
        store.execute(
            f"""
            INSERT INTO customers (customer_id, records, sources, units, {', '.join(
                _golden_name(c) for cols, _ in FIELD_GROUPS.values() for c in cols)},
                first_seen, last_seen, provenance, alternates, updated_run)
            SELECT *, {int(run_id)} FROM ({sql})
            """, {"parts": parts, "part": part})
    return int(store.query_value("SELECT count(*) FROM customers"))


PART_RECORDS = 500_000
_ID_LIMIT = 2 ** 38  # record ids below this fit the one-number survivor key
_RANK_OFFSET = 2 ** 22  # ranks (days since 1970, counts, priorities) within +-this


def _golden_name(column: str) -> str:
    return {"phone_e164": "phone", "phone2_e164": "phone2"}.get(column, column)
