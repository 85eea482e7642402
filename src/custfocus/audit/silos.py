"""Q5 (does each business unit keep its own database) and Q6 (are they cross-linked)."""

from __future__ import annotations

import json
from typing import Any

from custfocus.audit._base import AuditContext, light, share
from custfocus.audit.model import Question

LINK_KEYS = {
    "email": "email_key",
    "phone": "phone_key",
    "national_id": "national_id_key",
    "account_code": "account_code",
}


def unit_databases(ctx: AuditContext) -> Question:
    """Q5: sources per business unit, their size, the fields each holds, the dates covered."""
    imports = ctx.rows(
        "SELECT coalesce(unit, source) AS unit, source, rows_read, records, "
        "facts, CAST(mapping AS VARCHAR) AS mapping FROM imports "
        "WHERE status = 'active' ORDER BY unit, source"
    )
    dates = {
        r["unit"]: r
        for r in ctx.rows("""
        WITH d AS (
            SELECT coalesce(unit, source) AS unit, least(created_date, updated_date,
                   last_contact_date) AS lo, greatest(created_date, updated_date,
                   last_contact_date) AS hi FROM records
            UNION ALL SELECT coalesce(unit, source), fact_date, fact_date FROM facts
        ) SELECT unit, min(lo) AS first_date, max(hi) AS last_date FROM d GROUP BY unit""")
    }
    customers = {
        r["unit"]: int(r["n"])
        for r in ctx.rows(
            "SELECT unit, count(DISTINCT customer_id) AS n FROM _audit_rec GROUP BY unit"
        )
    }
    units: dict[str, dict[str, Any]] = {}
    for imp in imports:
        u = units.setdefault(
            imp["unit"],
            {
                "unit": imp["unit"],
                "sources": [],
                "rows": 0,
                "records": 0,
                "facts": 0,
                "fields": set(),
            },
        )
        u["sources"].append(imp["source"])
        for key in ("rows", "records", "facts"):
            u[key] += int(imp["rows_read" if key == "rows" else key] or 0)
        for col in json.loads(imp["mapping"] or "[]"):
            if col.get("role"):
                u["fields"].add(col["role"])
    rows = []
    for name, u in units.items():
        d = dates.get(name, {})
        rows.append(
            {
                **u,
                "fields": sorted(u["fields"]),
                "customers": customers.get(name, 0),
                "first_date": d.get("first_date"),
                "last_date": d.get("last_date"),
            }
        )
    n_units = len(rows)
    figures = {
        "units": n_units,
        "sources": len(imports),
        "units_with_customer_records": sum(1 for r in rows if r["records"]),
        "per_unit": {r["unit"]: {k: v for k, v in r.items() if k != "unit"} for r in rows},
    }
    return Question(
        id="q5",
        title="",
        answer="",
        recommendation="",
        status="green" if n_units <= 1 else "amber",
        figures=figures,
        headline=["units", "sources", "units_with_customer_records"],
        tables={
            "units": [
                {**r, "sources": ", ".join(r["sources"]), "fields": ", ".join(r["fields"])}
                for r in rows
            ]
        },
    )


def cross_links(ctx: AuditContext) -> Question:
    """Q6: customers shared by each pair of sources, and whether a common key links them."""
    sizes = {
        r["source"]: int(r["n"])
        for r in ctx.rows("SELECT source, count(*) AS n FROM _audit_cs GROUP BY source")
    }
    pairs = ctx.rows("""
        SELECT a.source AS a, b.source AS b, count(*) AS n
        FROM _audit_cs a JOIN _audit_cs b USING (customer_id) WHERE a.source < b.source
        GROUP BY ALL""")
    keyed = " UNION ALL ".join(
        f"SELECT customer_id, source, '{k}' AS key, {col} AS v FROM m WHERE {col} IS NOT NULL"
        for k, col in LINK_KEYS.items()
    )
    links = ctx.rows(f"""
        WITH m AS (  -- only customers known to two or more sources can be linked
            SELECT r.* FROM _audit_rec r SEMI JOIN _audit_cust c
            ON c.customer_id = r.customer_id AND c.n_sources >= 2),
        k AS (SELECT DISTINCT * FROM ({keyed})),
        l AS (SELECT DISTINCT a.customer_id, a.source AS a, b.source AS b, a.key
              FROM k a JOIN k b ON a.customer_id = b.customer_id AND a.key = b.key
                   AND a.v = b.v AND a.source < b.source)
        SELECT a, b, key, count(*) AS n FROM l GROUP BY ALL
        UNION ALL
        SELECT a, b, 'any' AS key, count(DISTINCT customer_id) FROM l GROUP BY ALL""")
    by_pair: dict[tuple[str, str], dict[str, int]] = {}
    for r in links:
        by_pair.setdefault((r["a"], r["b"]), {})[r["key"]] = int(r["n"])
    sources = sorted(sizes)
    overlap = {s: {t: 0 for t in sources} for s in sources}
    jaccard = {s: {t: 0.0 for t in sources} for s in sources}
    table = []
    for s in sources:
        overlap[s][s], jaccard[s][s] = sizes[s], 1.0
    for p in pairs:
        a, b, n = p["a"], p["b"], int(p["n"])
        overlap[a][b] = overlap[b][a] = n
        jaccard[a][b] = jaccard[b][a] = share(n, sizes[a] + sizes[b] - n)
        keys = by_pair.get((a, b), {})
        table.append(
            {
                "source_a": a,
                "source_b": b,
                "shared_customers": n,
                "jaccard": jaccard[a][b],
                **{f"by_{k}": keys.get(k, 0) for k in LINK_KEYS},
                "by_any_key": keys.get("any", 0),
                "direct_share": share(keys.get("any", 0), n),
            }
        )
    table.sort(key=lambda r: -r["shared_customers"])
    cust = ctx.row(
        "SELECT count(*) AS n, count(*) FILTER (WHERE n_sources >= 2) AS multi, "
        "count(*) FILTER (WHERE one_unit) AS one_unit FROM _audit_cust"
    )
    n = cust.get("n") or 0
    shared_total = sum(r["shared_customers"] for r in table)
    direct_total = sum(r["by_any_key"] for r in table)
    direct = share(direct_total, shared_total)
    key_totals = {k: sum(r[f"by_{k}"] for r in table) for k in LINK_KEYS}
    figures = {
        "sources": sources,
        "overlap": overlap,
        "jaccard": jaccard,
        "customers": int(n),
        "customers_in_multiple_sources": int(cust.get("multi") or 0),
        "share_in_multiple_sources": share(cust.get("multi"), n),
        "customers_in_one_unit": int(cust.get("one_unit") or 0),
        "share_in_one_unit": share(cust.get("one_unit"), n),
        "direct_link_share": direct,
        "fuzzy_only_links": int(shared_total - direct_total),
        "links_by_key": key_totals,
        "common_keys": [
            k for k, v in key_totals.items() if shared_total and v / shared_total >= 0.5
        ],
    }
    status = "amber" if not ctx.matched else light(direct, 0.8, 0.5, higher_is_worse=False)
    return Question(
        id="q6",
        title="",
        answer="",
        recommendation="",
        status=status,
        figures=figures,
        headline=[
            "customers_in_multiple_sources",
            "share_in_multiple_sources",
            "customers_in_one_unit",
            "share_in_one_unit",
            "direct_link_share",
            "fuzzy_only_links",
        ],
        tables={"pairs": table},
    )
