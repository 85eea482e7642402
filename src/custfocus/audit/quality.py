"""Q3 (how current and accurate) and Q4 (how much we know about each customer)."""

from __future__ import annotations

from custfocus.audit._base import PROFILE_FIELDS, AuditContext, light, share, worst
from custfocus.audit.model import Question

AGE_BUCKETS = ("0-6", "6-12", "12-24", "24-36", "36+", "unknown")
_BUCKET_SQL = """CASE WHEN {d} IS NULL THEN 'unknown'
    WHEN date_diff('month', {d}, DATE '{as_of}') < 6 THEN '0-6'
    WHEN date_diff('month', {d}, DATE '{as_of}') < 12 THEN '6-12'
    WHEN date_diff('month', {d}, DATE '{as_of}') < 24 THEN '12-24'
    WHEN date_diff('month', {d}, DATE '{as_of}') < 36 THEN '24-36' ELSE '36+' END"""
_DEFECTS = {
    "invalid_emails": "bad_email",
    "placeholder_emails": "ph_email",
    "role_emails": "role_email",
    "invalid_phones": "bad_phones",
    "failed_id_checks": "bad_national_id",
    "impossible_dates": "bad_date",
    "placeholder_names": "ph_name",
}


def _age_months(column: str, as_of: str) -> str:
    return f"round(median(date_diff('day', {column}, DATE '{as_of}')) / 30.44, 1)"


def currency_and_accuracy(ctx: AuditContext) -> Question:
    """Q3: age of the last update, contact and transaction; validity; conflicts."""
    as_of = ctx.as_of.isoformat()
    stale = (
        f"count(*) FILTER (WHERE {{d}} < DATE '{as_of}' - INTERVAL 12 MONTH) AS stale_12m, "
        f"count(*) FILTER (WHERE {{d}} < DATE '{as_of}' - INTERVAL 24 MONTH) AS stale_24m"
    )
    cust = ctx.row(f"""SELECT count(*) AS n, count(last_activity) AS dated,
        {stale.format(d="last_activity")},
        {_age_months("last_update", as_of)} AS median_months_since_update,
        {_age_months("last_contact_any", as_of)} AS median_months_since_contact,
        {_age_months("last_transaction", as_of)} AS median_months_since_transaction,
        {_age_months("last_activity", as_of)} AS median_months_since_activity,
        count(*) FILTER (WHERE conflict_email) AS conflicting_emails,
        count(*) FILTER (WHERE conflict_phone) AS conflicting_phones,
        count(*) FILTER (WHERE conflict_birth_date) AS conflicting_birth_dates,
        count(*) FILTER (WHERE conflict_national_id) AS conflicting_national_ids,
        count(*) FILTER (WHERE records > 1) AS multi_record
        FROM _audit_cust""")
    histogram = {b: 0 for b in AGE_BUCKETS}
    for r in ctx.rows(
        f"SELECT {_BUCKET_SQL.format(d='last_activity', as_of=as_of)} AS b, "
        "count(*) AS n FROM _audit_cust GROUP BY b"
    ):
        histogram[r["b"]] = int(r["n"])
    defects = ", ".join(f"sum({col}::INT) AS {name}" for name, col in _DEFECTS.items())
    per_source = ctx.rows(f"""
        WITH f AS (SELECT record_id, max(fact_date) AS last_fact FROM facts
                   WHERE record_id IS NOT NULL GROUP BY record_id),
        r AS (SELECT a.*, greatest(a.last_update, a.last_contact_date, f.last_fact) AS act
              FROM _audit_rec a LEFT JOIN f USING (record_id))
        SELECT source, count(*) AS records, round(avg((act IS NOT NULL)::INT), 4) AS dated,
            {stale.format(d="act")}, {_age_months("act", as_of)} AS median_age_months, {defects}
        FROM r GROUP BY source ORDER BY source""")
    for row in per_source:
        for key in ("stale_12m", "stale_24m"):
            row[f"{key}_records"] = int(row[key] or 0)
            row[key] = share(row[key], row["records"] * row["dated"])
        for name in _DEFECTS:
            row[name] = int(row[name] or 0)
    totals = ctx.row(f"""SELECT count(*) AS records, {defects},
        count(*) FILTER (WHERE has_email) AS emails, count(*) FILTER (WHERE has_phone) AS phones,
        count(*) FILTER (WHERE has_national_id) AS ids FROM _audit_rec""")
    n, dated = cust.get("n") or 0, cust.get("dated") or 0
    stale_24 = share(cust.get("stale_24m"), dated)
    defect_total = sum(int(totals[k] or 0) for k in _DEFECTS if k != "role_emails")
    defect_rate = share(defect_total, totals.get("records"))
    multi = cust.get("multi_record") or 0
    conflicts = {
        k: int(cust[k] or 0)
        for k in (
            "conflicting_emails",
            "conflicting_phones",
            "conflicting_birth_dates",
            "conflicting_national_ids",
        )
    }
    figures = {
        "customers": int(n),
        "customers_with_activity_date": int(dated),
        "stale_12m": share(cust.get("stale_12m"), dated),
        "stale_24m": stale_24,
        "stale_24m_customers": int(cust.get("stale_24m") or 0),
        **{
            k: _num(cust.get(k))
            for k in (
                "median_months_since_update",
                "median_months_since_contact",
                "median_months_since_transaction",
                "median_months_since_activity",
            )
        },
        **{k: int(totals[k] or 0) for k in _DEFECTS},
        "invalid_email_rate": share(totals.get("invalid_emails"), totals.get("emails")),
        "invalid_phone_rate": share(totals.get("invalid_phones"), totals.get("phones")),
        "failed_id_check_rate": share(totals.get("failed_id_checks"), totals.get("ids")),
        "defect_rate": defect_rate,
        **conflicts,
        "conflict_rate": share(max(conflicts.values(), default=0), multi),
        "activity_age_months": histogram,
    }
    status = worst(light(stale_24, 0.10, 0.30), light(defect_rate, 0.01, 0.05))
    return Question(
        id="q3",
        title="",
        answer="",
        recommendation="",
        status=status,
        figures=figures,
        headline=[
            "stale_12m",
            "stale_24m",
            "median_months_since_update",
            "median_months_since_contact",
            "median_months_since_transaction",
            *_DEFECTS,
            "invalid_email_rate",
            "invalid_phone_rate",
            *conflicts,
        ],
        tables={
            "activity_age": [{"age_months": b, "customers": histogram[b]} for b in AGE_BUCKETS],
            "per_source": per_source,
        },
    )


def knowledge_depth(ctx: AuditContext) -> Question:
    """Q4: profile completeness per customer and per source; facts (or customer-level
    totals) versus contact-only."""
    filled = " + ".join(f"has_{f}::INT" for f in PROFILE_FIELDS)
    total = len(PROFILE_FIELDS)
    cust = ctx.row(f"""SELECT count(*) AS n, round(avg(({filled}) / {total}), 4) AS mean,
        round(median(({filled}) / {total}), 4) AS median,
        count(*) FILTER (WHERE ({filled}) >= {0.8 * total}) AS complete_80,
        count(*) FILTER (WHERE transactions > 0) AS with_transactions,
        count(*) FILTER (WHERE tickets > 0) AS with_tickets,
        count(*) FILTER (WHERE has_totals) AS with_totals,
        count(*) FILTER (WHERE facts = 0 AND NOT has_totals) AS contact_only
        FROM _audit_cust""")
    dist = {str(i): 0 for i in range(total + 1)}
    for r in ctx.rows(f"SELECT ({filled}) AS k, count(*) AS n FROM _audit_cust GROUP BY k"):
        dist[str(int(r["k"]))] = int(r["n"])
    fields = ctx.row(
        "SELECT "
        + ", ".join(f"round(avg(has_{f}::INT), 4) AS {f}" for f in PROFILE_FIELDS)
        + " FROM _audit_cust"
    )
    per_source = ctx.rows(f"""
        WITH fx AS (SELECT DISTINCT record_id FROM facts WHERE record_id IS NOT NULL)
        SELECT source, count(*) AS records, round(avg(({filled}) / {total}), 4) AS completeness,
            round(avg((fx.record_id IS NOT NULL)::INT), 4) AS with_facts
        FROM _audit_rec LEFT JOIN fx USING (record_id) GROUP BY source ORDER BY source""")
    n = cust.get("n") or 0
    mean = float(cust.get("mean") or 0)
    figures = {
        "customers": int(n),
        "profile_fields": list(PROFILE_FIELDS),
        "completeness_mean": mean,
        "completeness_median": float(cust.get("median") or 0),
        "complete_80_share": share(cust.get("complete_80"), n),
        "customers_with_transactions": int(cust.get("with_transactions") or 0),
        "customers_with_tickets": int(cust.get("with_tickets") or 0),
        # Customer-level totals (Shopify's Total Spent, a CRM's annual amount): known value,
        # no transactions; such a customer is not contact-only.
        "customers_with_totals": int(cust.get("with_totals") or 0),
        "contact_only_customers": int(cust.get("contact_only") or 0),
        "contact_only_share": share(cust.get("contact_only"), n),
        "fields_filled_distribution": dist,
        "field_fill_share": {k: float(v or 0) for k, v in fields.items()},
    }
    return Question(
        id="q4",
        title="",
        answer="",
        recommendation="",
        status=light(mean, 0.7, 0.5, higher_is_worse=False),
        figures=figures,
        headline=[
            "completeness_mean",
            "completeness_median",
            "complete_80_share",
            "customers_with_transactions",
            "customers_with_tickets",
            "customers_with_totals",
            "contact_only_customers",
            "contact_only_share",
        ],
        tables={
            "fields": [{"field": k, "share_filled": float(v or 0)} for k, v in fields.items()],
            "fields_filled": [{"fields_filled": int(k), "customers": v} for k, v in dist.items()],
            "per_source": per_source,
        },
    )


def _num(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
