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


def build_golden_records(store: Store, run_id: int, survivorship: Survivorship | None = None
                         ) -> int:
    """Rebuild the ``customers`` table from ``record_customer``; returns the customer count."""
    surv = survivorship or Survivorship()
    priority = " ".join(
        f"WHEN source LIKE '{src.replace(chr(39), '')}%' THEN {i}"
        for i, src in enumerate(surv.source_priority)
    )
    priority_expr = f"CASE {priority} ELSE 1000 END" if priority else "0"
    selects, provenance, alternates, windows = [], [], [], []
    for group, (columns, valid) in FIELD_GROUPS.items():
        rule = surv.rules.get(group, surv.default_rule)
        present = _FALLBACK_PRESENT.get(group, valid)
        if rule == "frequent":
            windows.append(f"count(*) OVER (PARTITION BY customer_id, {columns[0]}) "
                           f"AS freq_{group}")
            rank = f"freq_{group}"
        elif rule == "source_priority":
            rank = f"-({priority_expr})"
        else:
            rank = "epoch(recency)"
        key = (f"struct_pack(v := ({valid})::INT, r := {rank}, i := -record_id)")
        chosen = f"FILTER (WHERE {present})"
        for col in columns:
            selects.append(f"arg_max({col}, {key}) {chosen} AS {_golden_name(col)}")
        provenance.append(
            f"'{group}', arg_max(struct_pack(source := source, row := row), {key}) {chosen}"
        )
        alternates.append(f"'{group}', list(DISTINCT {columns[0]}) FILTER ({present})")
    extra = (", " + ", ".join(windows)) if windows else ""
    sql = f"""
        WITH r AS (
            SELECT rc.customer_id, rec.*,
                   coalesce(rec.updated_date, rec.last_contact_date, rec.created_date,
                            CAST(i.imported_at AS DATE)) AS recency
            FROM records rec
            JOIN record_customer rc USING (record_id)
            JOIN imports i ON i.import_id = rec.import_id
        ), ranked AS (SELECT *{extra} FROM r)
        SELECT customer_id, count(*) AS records, count(DISTINCT source) AS sources,
               count(DISTINCT unit) AS units,
               {', '.join(selects)},
               min(coalesce(created_date, recency)) AS first_seen,
               max(recency) AS last_seen,
               json_object({', '.join(provenance)}) AS provenance,
               json_object({', '.join(alternates)}) AS alternates
        FROM ranked GROUP BY customer_id
    """
    store.execute("DELETE FROM customers")
    store.execute(
        f"""
        INSERT INTO customers (customer_id, records, sources, units, {', '.join(
            _golden_name(c) for cols, _ in FIELD_GROUPS.values() for c in cols)},
            first_seen, last_seen, provenance, alternates, updated_run)
        SELECT *, {int(run_id)} FROM ({sql})
        """
    )
    return int(store.query_value("SELECT count(*) FROM customers"))


def _golden_name(column: str) -> str:
    return {"phone_e164": "phone", "phone2_e164": "phone2"}.get(column, column)
