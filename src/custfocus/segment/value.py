"""What each customer is worth: per-customer summaries, RFM scores and Pareto, all in DuckDB.

Temp tables built here (dropped by the caller):

- ``_seg_cust``  one row per customer: ``cid`` (an integer key), ``customer_id``, contact flags.
- ``_seg_facts`` every usable fact up to the as-of date, keyed by ``cid``.
- ``_seg_occ``   purchase occasions (customer x day; same-day purchases are one occasion).
- ``_seg_sum``   the per-customer summary: revenue, orders, first/last purchase, RFM, x/t_x/T.

Who is a customer: after ``dedupe``, facts map to customers through
``facts.record_id -> record_customer``. Before it, each record is its own customer and facts
that name only a customer code are grouped per source system and code (and we say so).
Revenue is ``amount_net`` when present, else ``amount``; credit notes are negative and
subtract. Currencies are never summed: each customer's home currency is the one they buy in
most, and value is ranked among customers with the same home currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from custfocus.segment.tiers import SegmentSettings
from custfocus.store import Store

PURCHASE = "('order', 'invoice')"
REVENUE_KINDS = "('order', 'invoice', 'credit_note')"

# Standard 11-segment RFM map (REFERENCE.md A3; covers all 125 codes exactly once).
RFM_SEGMENTS: dict[str, str] = {
    "Champions": "555 554 544 545 454 455 445",
    "Loyal": "543 444 435 355 354 345 344 335",
    "Potential Loyalist": "553 551 552 541 542 533 532 531 452 451 442 441 431 453 433 432 "
    "423 353 352 351 342 341 333 323",
    "New Customers": "512 511 422 421 412 411 311",
    "Promising": "525 524 523 522 521 515 514 513 425 424 413 414 415 315 314 313",
    "Need Attention": "535 534 443 434 343 334 325 324",
    "About To Sleep": "331 321 312 221 213 231 241 251",
    "At Risk": "255 254 245 244 253 252 243 242 235 234 225 224 153 152 145 143 142 135 134 "
    "133 125 124",
    "Cannot Lose Them": "155 154 144 214 215 115 114 113",
    "Hibernating": "332 322 233 232 223 222 132 123 122 212 211",
    "Lost": "111 112 121 131 141 151",
}
RFM_CODE_TO_SEGMENT = {code: name for name, codes in RFM_SEGMENTS.items() for code in codes.split()}
_CLOSED = r"(cerrad|resuel|solucion|closed|resolved|solved|fechad|resolvid|finaliz|done|conclu)"


@dataclass
class Base:
    """Where the data came from and what was left out of it."""

    as_of: date
    mode: str  # customers | records (matching has not run)
    customers: int = 0
    main_currency: str | None = None
    currencies: dict[str, dict[str, float]] = field(default_factory=dict)
    has_purchases: bool = False
    # "transactions" (dated purchase facts) or "attributes" (only customer-level totals such
    # as Shopify's Total Spent / Total Orders): no dates, so no recency and no BG/NBD.
    value_from: str = "transactions"
    excluded: dict[str, int] = field(default_factory=dict)
    unlinked: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def prepare_base(store: Store, as_of: date | None, settings: SegmentSettings) -> Base:
    """Build ``_seg_cust`` and ``_seg_facts``; decide the as-of date; count what is left out."""
    con = store.con
    if as_of is None:  # the same default as every command
        as_of = store.latest_data_date()
    matched = bool(store.query_value("SELECT count(*) FROM record_customer"))
    base = Base(as_of=as_of, mode="customers" if matched else "records")
    if matched:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _seg_cust AS
            SELECT row_number() OVER (ORDER BY customer_id) AS cid, customer_id,
                   email IS NOT NULL AS has_email,
                   (phone IS NOT NULL OR phone2 IS NOT NULL) AS has_phone,
                   {_conflicts_sql()} AS conflicts, coalesce(units, 1) AS units
            FROM customers""")
        # record -> integer customer key once, so the join over every fact is on integers
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _seg_rec AS
            SELECT rc.record_id, c.cid FROM record_customer rc JOIN _seg_cust c USING (customer_id)
        """)
        key_join = "LEFT JOIN _seg_rec c ON c.record_id = f.record_id"
    else:
        base.notes.append(
            "matching has not run: each source record (or customer code in a "
            "facts-only file) counts as one customer; run 'custfocus dedupe'"
        )
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _seg_cust AS
            WITH k AS (
                SELECT source || ' row ' || row AS customer_id, email IS NOT NULL AS has_email,
                       (phone IS NOT NULL OR phone2 IS NOT NULL) AS has_phone
                FROM records
                UNION ALL
                SELECT DISTINCT system || ' account ' || account_code, false, false
                FROM facts WHERE record_id IS NULL AND account_code IS NOT NULL)
            SELECT row_number() OVER (ORDER BY customer_id) AS cid, customer_id, has_email,
                   has_phone, 0 AS conflicts, 1 AS units FROM k""")
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _seg_rec AS
            SELECT r.record_id, c.cid FROM records r
            JOIN _seg_cust c ON c.customer_id = r.source || ' row ' || r.row""")
        key_join = """LEFT JOIN _seg_rec rc ON rc.record_id = f.record_id
                      LEFT JOIN _seg_cust ca ON f.record_id IS NULL
                          AND ca.customer_id = f.system || ' account ' || f.account_code"""
    base.customers = int(store.query_value("SELECT count(*) FROM _seg_cust"))
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW _seg_all AS
        SELECT {"c.cid" if matched else "coalesce(rc.cid, ca.cid)"} AS cid, f.kind, f.fact_date AS d, coalesce(f.amount_net, f.amount) AS v,
               coalesce(f.currency, '?') AS cur, f.product_line AS pl,
               coalesce(f.business_unit, f.unit) AS bu, f.category, f.status, f.satisfaction,
               f.source
        FROM facts f {key_join}""")
    q = store.query_dicts(f"""
        SELECT count(*) FILTER (WHERE d > DATE '{as_of}' AND d <= current_date) AS after_as_of,
               count(*) FILTER (WHERE d > current_date) AS future_dates,
               count(*) FILTER (WHERE abs(v) > {settings.max_amount!r}) AS absurd_amounts,
               count(*) FILTER (WHERE cid IS NULL) AS unlinked,
               count(*) FILTER (WHERE kind IN {PURCHASE} AND d IS NULL) AS undated_purchases
        FROM _seg_all""")[0]
    base.excluded = {k: int(v or 0) for k, v in q.items() if k != "unlinked"}
    if q["unlinked"]:
        rows = store.query_dicts(f"""
            SELECT cur AS currency, count(*) AS facts, round(sum(v), 2) AS revenue
            FROM _seg_all WHERE cid IS NULL AND kind IN {REVENUE_KINDS} GROUP BY cur""")
        base.unlinked = {"facts": int(q["unlinked"]), "revenue_by_currency": rows}
        base.notes.append(
            f"{q['unlinked']:,} facts name no known customer (not matched yet, or "
            "a code found in no customer file); reported, not segmented"
        )
    if base.excluded["future_dates"]:
        base.notes.append(
            f"{base.excluded['future_dates']:,} facts are dated in the future; left out"
        )
    if base.excluded["absurd_amounts"]:
        base.notes.append(
            f"{base.excluded['absurd_amounts']:,} amounts exceed "
            f"{settings.max_amount:,.0f} (segment.max_amount); left out as errors"
        )
    # Satisfaction on its source's scale (1-5, 0-10 or 0-100) -> 0..1.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _seg_facts AS
        WITH scales AS (
            SELECT source, CASE WHEN max(satisfaction) <= 5 THEN 5.0
                                WHEN max(satisfaction) <= 10 THEN 10.0 ELSE 100.0 END AS scale
            FROM _seg_all WHERE satisfaction IS NOT NULL GROUP BY source)
        SELECT a.cid, a.kind, a.d, a.v, a.cur, a.pl, a.bu, a.category,
               a.status IS NOT NULL AND NOT regexp_matches(lower(a.status), '{_CLOSED}')
                   AS unresolved,
               CASE WHEN a.satisfaction >= 0 THEN a.satisfaction / s.scale END AS sat
        FROM _seg_all a LEFT JOIN scales s USING (source)
        WHERE a.cid IS NOT NULL AND (a.d IS NULL OR a.d <= DATE '{as_of}')
          AND (a.v IS NULL OR abs(a.v) <= {settings.max_amount!r})
          AND NOT (a.kind IN {PURCHASE} AND a.d IS NULL)""")
    con.execute("DROP VIEW _seg_all")
    _currencies(store, base, settings)
    return base


def _conflicts_sql() -> str:
    keys = ("email", "phone", "national_id", "address", "birth_date")
    parts = [f"(coalesce(json_array_length(alternates, '$.{k}'), 0) > 1)::INT" for k in keys]
    return "coalesce(" + " + ".join(parts) + ", 0)"


def _currencies(store: Store, base: Base, settings: SegmentSettings) -> None:
    # ``_seg_cur`` (customer x currency money) is also the summary's input: one pass over
    # the facts serves both.
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _seg_cur AS
        SELECT cid, cur, count(*) FILTER (WHERE kind IN {PURCHASE}) AS count_p, sum(v) AS rev,
               sum(v) FILTER (WHERE kind = 'credit_note') AS credits
        FROM _seg_facts WHERE kind IN {REVENUE_KINDS} AND v IS NOT NULL GROUP BY ALL""")
    rows = store.query_dicts("""
        SELECT cur, sum(count_p)::BIGINT AS purchases, sum(rev) AS revenue,
               count(*) AS customers
        FROM _seg_cur GROUP BY cur ORDER BY purchases DESC, revenue DESC""")
    base.currencies = {
        r["cur"]: {
            "purchases": int(r["purchases"]),
            "revenue": round(float(r["revenue"] or 0), 2),
            "customers": int(r["customers"]),
        }
        for r in rows
    }
    base.has_purchases = any(r["purchases"] for r in rows)
    if settings.main_currency:
        base.main_currency = settings.main_currency.upper()
    elif rows:
        base.main_currency = rows[0]["cur"]
    if len(rows) > 1:
        base.notes.append(
            "several currencies (" + ", ".join(base.currencies) + "): kept apart, "
            f"never summed; {base.main_currency} is the main one (most purchases)"
        )
    if not base.has_purchases and _customer_totals(store, base, settings):
        return
    if not base.has_purchases:
        base.notes.append(
            "no purchase transactions: value ranks customers by their activity "
            "(tickets, interactions) instead; RFM and predicted value are empty"
        )


def _customer_totals(store: Store, base: Base, settings: SegmentSettings) -> bool:
    """With no purchase transactions, value from the customer-level totals the records hold
    ("Total Spent", "Total Orders", "Importe anual"); returns whether there were any.

    A customer's total per currency is the sum over sources of each source's largest
    figure: two exports of one shop do not double it, two shops add up. The order count
    stands for the purchases; with no dates there is no recency, no RFM and no BG/NBD.
    """
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _seg_cur AS
        WITH per_source AS (
            SELECT rc.cid, r.source, coalesce(r.total_currency, '?') AS cur,
                   max(r.total_spent) AS spent, max(r.order_count) AS orders
            FROM records r JOIN _seg_rec rc USING (record_id)
            WHERE (r.total_spent IS NOT NULL AND abs(r.total_spent) <= {settings.max_amount!r})
               OR r.order_count > 0
            GROUP BY ALL)
        SELECT cid, cur,
               greatest(coalesce(sum(orders), 0),
                        (coalesce(sum(spent), 0) > 0)::INT)::BIGINT AS count_p,
               coalesce(sum(spent), 0) AS rev, NULL::DOUBLE AS credits
        FROM per_source GROUP BY cid, cur""")
    rows = store.query_dicts("""
        SELECT cur, sum(count_p)::BIGINT AS purchases, sum(rev) AS revenue,
               count(*) AS customers
        FROM _seg_cur GROUP BY cur ORDER BY customers DESC, revenue DESC""")
    if not rows:
        return False
    base.value_from = "attributes"
    base.has_purchases = True
    base.currencies = {r["cur"]: {"purchases": int(r["purchases"]),
                                  "revenue": round(float(r["revenue"] or 0), 2),
                                  "customers": int(r["customers"])} for r in rows}
    if not settings.main_currency:
        base.main_currency = rows[0]["cur"]
    customers = sum(int(r["customers"]) for r in rows)
    base.notes.append(
        f"no purchase transactions: value from the customer-level totals of "
        f"{customers:,} customers (total spent; order count as frequency); no dates, "
        "so no recency, RFM or predicted value (BG/NBD and Gamma-Gamma need dated purchases)"
    )
    if len(rows) > 1:
        base.notes.append(
            "several currencies (" + ", ".join(base.currencies) + "): kept apart, "
            f"never summed; {base.main_currency} is the main one (most purchases)"
        )
    return True


def build_summary(store: Store, base: Base, settings: SegmentSettings) -> None:
    """``_seg_occ`` and ``_seg_sum`` (one row per customer, buyers and non-buyers)."""
    con, as_of, unit = store.con, f"DATE '{base.as_of}'", float(settings.time_unit_days)
    recent = int(settings.recent_days)
    # One pass over the facts per grouping (``_seg_cur`` comes from ``prepare_base``);
    # everything after works on small tables.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _seg_home AS
        SELECT cid, arg_max(cur, struct_pack(n := count_p, r := rev)) AS home
        FROM _seg_cur GROUP BY cid""")
    # Purchase days: the home-currency amount of each customer's day, in one aggregation.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _seg_occ AS
        SELECT f.cid, f.d, sum(f.v) FILTER (WHERE f.cur = h.home) AS v_home
        FROM _seg_facts f LEFT JOIN _seg_home h USING (cid)
        WHERE f.kind IN {PURCHASE} GROUP BY f.cid, f.d""")
    # Lines and units bought, with the last day each was bought (for the KPI window).
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _seg_lines AS
        SELECT cid, pl, bu, max(d) AS last_d FROM _seg_facts WHERE kind IN {PURCHASE}
        GROUP BY ALL""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _seg_sum AS
        WITH occ AS (
            SELECT cid, count(*) AS purchases, min(d) AS first_d, max(d) AS last_d,
                   count(*) FILTER (WHERE d > {as_of} - {recent}) AS recent_n,
                   count(*) FILTER (WHERE d <= {as_of} - {recent}) AS earlier_n,
                   sum(coalesce(v_home, 0)) - arg_min(coalesce(v_home, 0), d) AS repeat_home_sum,
                   count(v_home) - arg_min((v_home IS NOT NULL)::INT, d) AS repeat_home_days
            FROM _seg_occ GROUP BY cid),
        money AS (
            SELECT c.cid, c.rev AS revenue, c.count_p AS orders, c.credits
            FROM _seg_cur c JOIN _seg_home h ON h.cid = c.cid AND h.home = c.cur),
        other AS (
            SELECT c.cid, string_agg(c.cur || ' ' || round(c.rev, 2)::VARCHAR, '; ')
                       AS other_currencies
            FROM _seg_cur c JOIN _seg_home h ON h.cid = c.cid AND h.home <> c.cur GROUP BY c.cid),
        pls AS (SELECT cid, pl FROM _seg_lines WHERE pl IS NOT NULL GROUP BY ALL),
        bus AS (SELECT cid, bu FROM _seg_lines WHERE bu IS NOT NULL GROUP BY ALL),
        lines AS (
            SELECT coalesce(p.cid, b.cid) AS cid, p.lines, b.units_bought, p.product_lines,
                   b.business_units
            FROM (SELECT cid, count(*) AS lines, string_agg(pl, ', ') AS product_lines
                  FROM pls GROUP BY cid) p
            FULL JOIN (SELECT cid, count(*) AS units_bought, string_agg(bu, ', ')
                           AS business_units FROM bus GROUP BY cid) b USING (cid)),
        activity AS (SELECT cid, count(*) AS facts FROM _seg_facts GROUP BY cid)
        SELECT c.cid, c.customer_id, c.has_email, c.has_phone, c.conflicts, c.units,
               h.home AS currency, coalesce(m.revenue, 0) AS revenue,
               coalesce(m.orders, 0) AS orders, coalesce(m.credits, 0) AS credits,
               o.other_currencies, coalesce(occ.purchases, {
                   "m.orders" if base.value_from == "attributes" else "0"}, 0) AS purchases,
               occ.first_d, occ.last_d, {as_of} - occ.last_d AS recency_days,
               {as_of} - occ.first_d AS tenure_days,
               greatest(occ.purchases - 1, 0) AS frequency,
               (occ.last_d - occ.first_d) / {unit!r} AS t_x,
               ({as_of} - occ.first_d) / {unit!r} AS t_cal,
               CASE WHEN occ.repeat_home_days > 0
                    THEN occ.repeat_home_sum / occ.repeat_home_days END AS monetary,
               coalesce(occ.recent_n, 0) AS recent_n, coalesce(occ.earlier_n, 0) AS earlier_n,
               coalesce(l.lines, 0) AS lines, coalesce(l.units_bought, 0) AS units_bought,
               l.product_lines, l.business_units, coalesce(a.facts, 0) AS facts
        FROM _seg_cust c
        LEFT JOIN _seg_home h USING (cid) LEFT JOIN money m USING (cid)
        LEFT JOIN other o USING (cid) LEFT JOIN occ USING (cid)
        LEFT JOIN lines l USING (cid) LEFT JOIN activity a USING (cid)""")


def rfm_sql() -> str:
    """Quintile scores by rank: ``ntile`` over a total order, so ties never collapse the bins
    (equal values split across neighbouring bins by a stable hash). 5 is best; recency is
    reversed. A lone buyer scores 3 on each."""
    part = "PARTITION BY purchases > 0"
    return f"""
        CASE WHEN purchases = 0 OR recency_days IS NULL THEN NULL
             WHEN count(*) OVER ({part}) = 1 THEN 3
             ELSE ntile(5) OVER ({part} ORDER BY recency_days DESC, hash(cid)) END AS r_score,
        CASE WHEN purchases = 0 THEN NULL WHEN count(*) OVER ({part}) = 1 THEN 3
             ELSE ntile(5) OVER ({part} ORDER BY purchases, hash(cid)) END AS f_score,
        CASE WHEN purchases = 0 THEN NULL WHEN count(*) OVER ({part}, currency) = 1 THEN 3
             ELSE ntile(5) OVER ({part}, currency ORDER BY revenue, hash(cid)) END AS m_score,
        CASE WHEN purchases > 0 THEN percent_rank() OVER ({part}, currency ORDER BY revenue)
             ELSE 0 END AS revenue_rank"""


def register_rfm_map(store: Store) -> None:
    values = ", ".join(f"('{code}', '{name}')" for code, name in RFM_CODE_TO_SEGMENT.items())
    store.execute(
        f"CREATE OR REPLACE TEMP TABLE _seg_rfm_map AS "
        f"SELECT * FROM (VALUES {values}) AS t(rfm_code, rfm_segment)"
    )


def pareto(store: Store, base: Base) -> dict[str, Any]:
    """Share of revenue from the top 20 % of customers, Lorenz curve and Gini (main currency)."""
    if not base.main_currency or not base.has_purchases:
        return {"available": False, "reason": "no purchases"}
    rows = store.execute(
        """
        SELECT revenue FROM _seg_sum WHERE currency = ? AND purchases > 0
        ORDER BY revenue DESC""",
        [base.main_currency],
    ).fetchnumpy()["revenue"]
    import numpy as np

    values = np.clip(np.asarray(rows, dtype=float), 0, None)
    total = values.sum()
    window = (
        f"all purchases up to {base.as_of}, net of credit notes, in "
        f"{base.main_currency}; customers with at least one purchase"
    )
    if total <= 0 or len(values) == 0:
        return {"available": False, "reason": "no positive revenue", "window": window}
    n = len(values)
    top = max(int(round(0.2 * n)), 1)
    asc = np.sort(values)
    cum = np.concatenate([[0.0], np.cumsum(asc) / total])
    gini = (
        float(1 - 2 * np.trapezoid(cum, dx=1 / n))
        if hasattr(np, "trapezoid")
        else float(1 - 2 * np.trapz(cum, dx=1 / n))
    )
    lorenz = [
        {"customers": p / 10, "revenue": round(float(cum[int(round(p / 10 * n))]), 4)}
        for p in range(0, 11)
    ]
    return {
        "available": True,
        "window": window,
        "currency": base.main_currency,
        "customers": n,
        "top_20_share": round(float(values[:top].sum() / total), 4),
        "gini": round(gini, 4),
        "lorenz": lorenz,
        "note": "negative net revenue counts as zero",
    }
