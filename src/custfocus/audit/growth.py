"""Q7 (other sources that could identify customers) and Q8 (simple ways to know more)."""

from __future__ import annotations

import json
import re
from typing import Any

from custfocus.audit._base import VALUE_KINDS, AuditContext, light, share
from custfocus.audit.model import Question

# field -> flag saying a record (or customer) holds it usable
FILL_FIELDS = {
    "email": "ok_email",
    "phone": "ok_phone",
    "national_id": "ok_national_id",
    "address": "ok_address",
    "birth_date": "has_birth_date",
}
ASK_FIELDS = ("email", "phone", "national_id", "address")
_ID_HEADER = re.compile(
    r"(\bid\b|c[oó]d|code|cuenta|account|\bref|dni|nif|cif|cpf|cnpj|rfc|curp|\bnie\b|pass|"
    r"e-?mail|correo|\btel|phone|fone|m[oó]vil|celular|whats|socio|member|tarjeta|cart[aã]o|"
    r"card|loyal|fideli|cliente|customer|usuario|user|login|instagram|twitter|facebook|linkedin)",
    re.I,
)
# Parts of an address (Shopify's "Default Address Province Code", "Código postal", "CEP"...):
# a code or number there places a customer, it does not identify one.
_ADDRESS_HEADER = re.compile(
    r"(address|addr\b|direcci|domicilio|endere|street|calle|\brua\b|avenida|zip|postal|\bcep\b|"
    r"province|provincia|state|estado|\buf\b|city|ciudad|cidade|municipio|munic[ií]pio|country|"
    r"pa[ií]s|region|regi[aã]o|regi[oó]n|bairro|barrio|colonia|suburb|county|district|distrito)",
    re.I,
)
_PATTERNS = {
    "email": r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}",
    "phone": r"(^|[^\d])\+?\d[\d ().-]{7,}\d([^\d]|$)",
    "code": r"^[A-Za-z]{0,4}[-./]?\d{5,14}[A-Za-z]?$",
}


def other_sources(ctx: AuditContext) -> Question:
    """Q7: who holds identifiers others lack; unmapped identifier-like columns; hidden sheets."""
    fields = list(FILL_FIELDS)
    lacks = ", ".join(f"sum((a.{f} AND NOT b.{f})::INT) AS {f}" for f in fields)
    gaps = []
    for r in ctx.rows(f"""SELECT a.source AS holder, b.source AS lacker, {lacks}
        FROM _audit_cs a JOIN _audit_cs b ON a.customer_id = b.customer_id
             AND a.source <> b.source GROUP BY ALL"""):
        gaps += [
            {"holder": r["holder"], "lacker": r["lacker"], "field": f, "customers": int(r[f] or 0)}
            for f in fields
            if r[f]
        ]
    gaps.sort(key=lambda g: (-g["customers"], g["holder"], g["lacker"], g["field"]))
    per_customer = ", ".join(
        f"sum({f}::INT) AS h_{f}, arg_max(source, {f}) AS s_{f}" for f in fields
    )
    counts = ", ".join(
        f"count(*) FILTER (WHERE h_{f} > 0 AND h_{f} < n) AS gain_{f}" for f in fields
    )
    gaining_any = " OR ".join(f"(h_{f} > 0 AND h_{f} < n)" for f in fields)
    only_sql = " UNION ALL ".join(
        f"SELECT s_{f} AS source, '{f}' AS field, count(*) AS customers FROM c "
        f"WHERE h_{f} = 1 AND n >= 2 GROUP BY s_{f}"
        for f in fields
    )
    with_c = (
        f"WITH c AS (SELECT customer_id, count(*) AS n, {per_customer} FROM _audit_cs "
        "GROUP BY customer_id)"
    )
    only = ctx.rows(f"{with_c} {only_sql} ORDER BY customers DESC, source, field")
    gaining = ctx.row(
        f"{with_c} SELECT {counts}, count(*) FILTER (WHERE {gaining_any}) AS n FROM c"
    )
    columns = _unmapped_columns(ctx)
    hidden = ctx.rows(
        "SELECT DISTINCT import_file AS file, sheet FROM hidden_sheets ORDER BY file, sheet"
    )
    suspects = [c for c in columns if c["looks_like"]]
    figures = {
        "gap_fills": gaps,
        "sole_holder": {f"{r['source']}|{r['field']}": int(r["customers"]) for r in only},
        "customers_gaining_from_other_sources": int(gaining.get("n") or 0),
        "gaining_by_field": {f: int(gaining.get(f"gain_{f}") or 0) for f in fields},
        "unmapped_columns": len(columns),
        "identifier_like_columns": len(suspects),
        "hidden_sheets": len(hidden),
        "hidden_sheet_names": [f"{h['file']}#{h['sheet']}" for h in hidden],
    }
    status = "amber" if suspects or hidden or gaps else "green"
    return Question(
        id="q7",
        title="",
        answer="",
        recommendation="",
        status=status,
        figures=figures,
        headline=[
            "customers_gaining_from_other_sources",
            "unmapped_columns",
            "identifier_like_columns",
            "hidden_sheets",
        ],
        tables={
            "gap_fills": figures["gap_fills"][:15],
            "columns": columns,
            "hidden_sheets": hidden,
        },
    )


def _unmapped_columns(ctx: AuditContext) -> list[dict[str, Any]]:
    """Columns kept raw (or read as notes), with what their values look like."""
    out = []
    for imp in ctx.rows(
        "SELECT import_id, source, CAST(mapping AS VARCHAR) AS mapping "
        "FROM imports WHERE status = 'active' ORDER BY source"
    ):
        for index, col in enumerate(json.loads(imp["mapping"] or "[]")):
            role = col.get("role")
            if role not in (None, "notes"):
                continue
            checks = ", ".join(
                f"count(*) FILTER (WHERE regexp_matches(v, '{p}')) AS {k}"
                for k, p in _PATTERNS.items()
            )
            stats = ctx.row(
                f"""SELECT count(*) FILTER (WHERE v <> '') AS filled,
                count(DISTINCT v) FILTER (WHERE v <> '') AS distinct_values, {checks}
                FROM (SELECT trim(coalesce(cells[{index + 1}], '')) AS v FROM raw_rows
                      WHERE import_id = ?)""",
                [imp["import_id"]],
            )
            filled = int(stats.get("filled") or 0)
            header = str(col.get("column", ""))
            in_address = bool(_ADDRESS_HEADER.search(header))
            looks = [k for k in _PATTERNS if filled and stats[k] / filled >= 0.05
                     and not (in_address and k == "code")]
            if (
                role is None
                and not in_address
                and _ID_HEADER.search(header)
                and filled
                and (stats["distinct_values"] / filled >= 0.5)
            ):
                looks.append("identifier_header")
            out.append(
                {
                    "source": imp["source"],
                    "column": col.get("column"),
                    "read_as": role or "-",
                    "filled": filled,
                    "distinct_values": int(stats.get("distinct_values") or 0),
                    "looks_like": ", ".join(looks),
                }
            )
    return out


def enrichment(ctx: AuditContext, limit: int = 200) -> Question:
    """Q8: fields the golden record can fill from linked records; whom to ask, by value.

    The ask list ranks customers by value within each currency (``rank_in_currency``),
    each row showing its currency: amounts in MXN, EUR and BRL are never compared, so a
    customer with purchases in two currencies is listed in both. Up to ``limit`` customers
    per currency, in rounds: the first of every currency (the currency with the most
    customers first), then the second of every currency..., so the few rows a terminal
    shows name the top customers of each currency; customers with no purchase in the 24
    months come last.
    """
    fill_sql = ", ".join(
        f"count(*) FILTER (WHERE NOT r.{flag} AND c.{flag}) AS {f}"
        for f, flag in FILL_FIELDS.items()
    )
    per_source = ctx.rows(f"""SELECT r.source, {fill_sql} FROM _audit_rec r
        JOIN _audit_cust c USING (customer_id) GROUP BY r.source ORDER BY r.source""")
    gaining = ctx.row(
        "SELECT "
        + ", ".join(f"count(*) FILTER (WHERE g_{f}) AS {f}" for f in FILL_FIELDS)
        + " , count(*) FILTER (WHERE "
        + " OR ".join(f"g_{f}" for f in FILL_FIELDS)
        + ") AS any_field FROM (SELECT customer_id, "
        + ", ".join(
            f"bool_or({flag}) AND bool_or(NOT {flag}) AS g_{f}" for f, flag in FILL_FIELDS.items()
        )
        + " FROM _audit_rec GROUP BY customer_id)"
    )
    missing = " OR ".join(f"NOT {FILL_FIELDS[f]}" for f in ASK_FIELDS)
    asks = ctx.row(
        "SELECT count(*) AS n, "
        + ", ".join(f"count(*) FILTER (WHERE NOT {FILL_FIELDS[f]}) AS {f}" for f in ASK_FIELDS)
        + f" FROM _audit_cust WHERE {missing}"
    )
    n = int(ctx.value("SELECT count(*) FROM _audit_cust") or 0)
    missing_list = (
        "concat_ws(', ', "
        + ", ".join(f"CASE WHEN NOT c.{FILL_FIELDS[f]} THEN '{f}' END" for f in ASK_FIELDS)
        + ")"
    )
    name = (
        "coalesce(g.full_name, g.company)"
        if ctx.matched
        else "(SELECT coalesce(full_name, company) FROM records r "
        "WHERE 'R' || r.record_id = a.customer_id)"
    )
    join = "LEFT JOIN customers g USING (customer_id)" if ctx.matched else ""
    ask_list = ctx.rows(f"""
        WITH v AS (
            SELECT r.customer_id, f.currency,
                   sum(coalesce(f.amount, f.amount_net)) AS value
            FROM facts f JOIN _audit_rec r USING (record_id)
            WHERE f.kind IN {VALUE_KINDS}
              AND f.fact_date > DATE '{ctx.as_of.isoformat()}' - INTERVAL 24 MONTH
            GROUP BY ALL),
        ranked AS (
            SELECT a.customer_id, v.currency, coalesce(v.value, 0) AS value,
                   a.last_activity, a.n_sources,
                   row_number() OVER (PARTITION BY v.currency ORDER BY coalesce(v.value, 0)
                       DESC, a.last_activity DESC NULLS LAST, a.customer_id) AS rank_in_currency,
                   count(*) OVER (PARTITION BY v.currency) AS in_currency
            FROM (SELECT * FROM _audit_cust WHERE {missing}) a LEFT JOIN v USING (customer_id))
        SELECT a.customer_id, {name} AS name, {missing_list} AS missing, a.currency,
               round(a.value, 2) AS value_24m, a.rank_in_currency,
               a.last_activity, a.n_sources AS sources
        FROM (SELECT * FROM ranked WHERE rank_in_currency <= {int(limit)}) a
        JOIN _audit_cust c USING (customer_id) {join}
        ORDER BY a.currency IS NULL, a.rank_in_currency, a.in_currency DESC, a.currency""")
    ask_n = int(asks.get("n") or 0)
    figures = {
        "customers": n,
        "enrichable_customers": int(gaining.get("any_field") or 0),
        "enrichable_by_field": {f: int(gaining.get(f) or 0) for f in FILL_FIELDS},
        "fillable_records_by_field": {
            f: int(sum(r[f] or 0 for r in per_source)) for f in FILL_FIELDS
        },
        "ask_list_size": ask_n,
        "ask_share": share(ask_n, n),
        "ask_missing_by_field": {f: int(asks.get(f) or 0) for f in ASK_FIELDS},
        "prioritised_by": "value_24m within each currency",
    }
    return Question(
        id="q8",
        title="",
        answer="",
        recommendation="",
        status=light(share(ask_n, n), 0.3, 0.6),
        figures=figures,
        headline=["enrichable_customers", "ask_list_size", "ask_share"],
        tables={
            "enrichment": [
                {
                    "field": f,
                    "customers": figures["enrichable_by_field"][f],
                    "records": figures["fillable_records_by_field"][f],
                    "still_missing": figures["ask_missing_by_field"].get(f),
                }
                for f in FILL_FIELDS
            ],
            "per_source": per_source,
        },
        details={"ask_list": ask_list},
    )
