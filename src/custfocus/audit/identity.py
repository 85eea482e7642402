"""Q1 (how many distinct customers) and Q2 (do we hold identifying information)."""

from __future__ import annotations

from custfocus.audit._base import ID_FIELDS, AuditContext, light, share, worst
from custfocus.audit.model import Question

# A record "identifies" someone when it holds any of these (an account code alone is a
# local number, not a person).
_IDENTIFYING = "has_name OR has_email OR has_phone OR has_address OR has_national_id"
STRONG = "ok_email OR ok_phone OR ok_national_id OR has_account_code"
CONTACT = "ok_email OR ok_phone OR ok_address"


def distinct_customers(ctx: AuditContext) -> Question:
    """Q1: rows read, records, customers after matching, duplicate rates, cluster sizes."""
    per_source = ctx.rows(f"""
        WITH rows AS (
            SELECT source, any_value(coalesce(unit, source)) AS unit, sum(rows_read) AS rows,
                   sum(facts) AS facts, sum(rejects) AS rejects
            FROM imports WHERE status = 'active' GROUP BY source
        ), recs AS (
            SELECT source, count(*) AS records, count(DISTINCT customer_id) AS customers,
                   count(*) FILTER (WHERE NOT ({_IDENTIFYING})) AS no_identifier
            FROM _audit_rec GROUP BY source
        )
        SELECT rows.source, rows.unit, rows.rows, coalesce(recs.records, 0) AS records,
               rows.facts, rows.rejects, coalesce(recs.customers, 0) AS customers,
               coalesce(recs.no_identifier, 0) AS no_identifier
        FROM rows LEFT JOIN recs USING (source) ORDER BY rows.source
    """)
    for row in per_source:
        row["duplicate_rate"] = (
            share(row["records"] - row["customers"], row["records"]) if row["records"] else None
        )
    records = int(ctx.value("SELECT count(*) FROM _audit_rec") or 0)
    customers = int(ctx.value("SELECT count(*) FROM _audit_cust") or 0)
    sizes = ctx.rows(
        "SELECT records AS size, count(*) AS customers FROM _audit_cust "
        "GROUP BY records ORDER BY records"
    )
    no_id = int(ctx.value(f"SELECT count(*) FROM _audit_rec WHERE NOT ({_IDENTIFYING})") or 0)
    duplicates = records - customers
    rate = share(duplicates, records)
    figures = {
        "matched": ctx.matched,
        "source_rows": int(sum(r["rows"] or 0 for r in per_source)),
        "records": records,
        "facts": int(sum(r["facts"] or 0 for r in per_source)),
        "rejected_rows": int(sum(r["rejects"] or 0 for r in per_source)),
        "distinct_customers": customers,
        "duplicate_records": duplicates,
        "duplicate_rate": rate,
        "records_per_customer": round(records / customers, 3) if customers else 0.0,
        "no_identifier_records": no_id,
        "largest_cluster": int(max((s["size"] for s in sizes), default=0)),
        "source_rows_per_source": {r["source"]: int(r["rows"] or 0) for r in per_source},
        "records_per_source": {r["source"]: int(r["records"]) for r in per_source if r["records"]},
        "duplicate_rate_per_source": {
            r["source"]: r["duplicate_rate"] for r in per_source if r["records"]
        },
        "cluster_sizes": {str(s["size"]): int(s["customers"]) for s in sizes},
    }
    status = light(rate, 0.05, 0.20) if ctx.matched else "amber"
    if no_id and status == "green":
        status = "amber" if share(no_id, records) > 0.01 else status
    return Question(
        id="q1",
        title="",
        answer="",
        recommendation="",
        status=status,
        figures=figures,
        headline=[
            "source_rows",
            "records",
            "distinct_customers",
            "duplicate_records",
            "duplicate_rate",
            "records_per_customer",
            "no_identifier_records",
            "largest_cluster",
            "rejected_rows",
        ],
        tables={
            "per_source": per_source,
            "cluster_sizes": [{"size": s["size"], "customers": s["customers"]} for s in sizes][:15],
        },
    )


def identifying_information(ctx: AuditContext) -> Question:
    """Q2: per identifying field, the share of customers that hold it and hold it valid."""
    parts = [
        f"count(*) FILTER (WHERE has_{f}) AS has_{f}, count(*) FILTER (WHERE {_valid(f)}) AS ok_{f}"
        for f in ID_FIELDS
    ]
    cust = ctx.row(f"""SELECT count(*) AS n, {", ".join(parts)},
        count(*) FILTER (WHERE {STRONG}) AS strong, count(*) FILTER (WHERE {CONTACT}) AS contact,
        count(*) FILTER (WHERE ({STRONG}) AND ({CONTACT})) AS both
        FROM _audit_cust""")
    n = cust.get("n") or 0
    fields = [
        {
            "field": f,
            "customers_with": int(cust[f"has_{f}"]),
            "share_with": share(cust[f"has_{f}"], n),
            "customers_valid": int(cust[f"ok_{f}"]),
            "share_valid": share(cust[f"ok_{f}"], n),
        }
        for f in ID_FIELDS
    ]
    shares = ", ".join(f"round(avg({_valid(f)}::INT), 4) AS {f}" for f in ID_FIELDS)
    per_source = ctx.rows(f"""SELECT source, count(*) AS records, {shares},
        round(avg(({STRONG})::INT), 4) AS strong_identifier,
        round(avg(({CONTACT})::INT), 4) AS contact_channel
        FROM _audit_rec GROUP BY source ORDER BY source""")
    strong, contact = share(cust.get("strong"), n), share(cust.get("contact"), n)
    figures = {
        "customers": int(n),
        "strong_identifier_share": strong,
        "contact_channel_share": contact,
        "strong_and_contact_share": share(cust.get("both"), n),
        "customers_without_strong_identifier": int(n - (cust.get("strong") or 0)),
        "customers_without_contact_channel": int(n - (cust.get("contact") or 0)),
        "fields": {r["field"]: {k: v for k, v in r.items() if k != "field"} for r in fields},
    }
    status = worst(
        light(strong, 0.9, 0.7, higher_is_worse=False),
        light(contact, 0.9, 0.7, higher_is_worse=False),
    )
    return Question(
        id="q2",
        title="",
        answer="",
        recommendation="",
        status=status,
        figures=figures,
        headline=[
            "customers",
            "strong_identifier_share",
            "contact_channel_share",
            "strong_and_contact_share",
            "customers_without_strong_identifier",
            "customers_without_contact_channel",
        ],
        tables={"fields": fields, "per_source": per_source},
    )


def _valid(field: str) -> str:
    """The flag saying a field is present and passes its checks (codes and names: present)."""
    return (
        f"ok_{field}" if field in ("email", "phone", "address", "national_id") else f"has_{field}"
    )
