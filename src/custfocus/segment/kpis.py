"""Short-term KPIs to track run after run; each carries its formula and window.

Definitions are pinned here because public glossaries disagree (REFERENCE.md A6). W is the
``period_days`` up to the as-of date; the previous period is the ``period_days`` before W.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from custfocus.segment.tiers import SegmentSettings
from custfocus.segment.value import Base
from custfocus.store import Store


def compute_kpis(store: Store, base: Base, settings: SegmentSettings) -> list[dict[str, Any]]:
    """The KPI list: key, value, formula, window, numerator and denominator."""
    period = int(settings.period_days)
    as_of = f"DATE '{base.as_of}'"
    start = base.as_of - timedelta(days=period)
    window = f"{start + timedelta(days=1)} to {base.as_of} ({period} days)"
    prev_window = f"{start - timedelta(days=period - 1)} to {start} vs {window}"
    # The same windows as values, for renderers that word them in another language.
    dates = {"start": start + timedelta(days=1), "end": base.as_of, "days": period,
             "previous_start": start - timedelta(days=period - 1), "previous_end": start}
    # Per customer from the small tables, not the facts: purchase days from ``_seg_occ``
    # (one row per customer and purchase day), lines bought in W from ``_seg_lines`` (last
    # day each line was bought), satisfaction in W from ``_seg_need``.
    a = store.query_dicts(f"""
        WITH occ AS (
            SELECT cid, count(*) FILTER (WHERE d > {as_of} - {period}) AS occ_w,
                   count(*) FILTER (WHERE d <= {as_of} - {period}
                                    AND d > {as_of} - {2 * period}) AS occ_prev
            FROM _seg_occ GROUP BY cid),
        lw AS (
            SELECT cid, count(DISTINCT pl) FILTER (WHERE last_d > {as_of} - {period}) AS lines_w
            FROM _seg_lines GROUP BY cid),
        per AS (
            SELECT o.cid, o.occ_w, o.occ_prev, coalesce(lw.lines_w, 0) AS lines_w
            FROM occ o LEFT JOIN lw USING (cid))
        SELECT count(*) FILTER (WHERE occ_w > 0) AS active,
               count(*) FILTER (WHERE occ_w > 0 AND lines_w >= 2) AS multi_line,
               avg(lines_w) FILTER (WHERE occ_w > 0) AS lines_avg,
               median(lines_w) FILTER (WHERE occ_w > 0) AS lines_median,
               count(*) FILTER (WHERE occ_w >= 2) AS repeaters,
               count(*) FILTER (WHERE occ_prev > 0) AS active_prev,
               count(*) FILTER (WHERE occ_prev > 0 AND occ_w = 0) AS lapsed,
               (SELECT avg(sat_w) FROM _seg_need) AS satisfaction,
               (SELECT count(sat_w) FROM _seg_need) AS rated,
               (SELECT count(*) FROM (SELECT 1 FROM _seg_facts WHERE pl IS NOT NULL LIMIT 1))
                   AS with_lines
        FROM per""")[0]
    cyc = store.query_dicts("""
        WITH g AS (SELECT cid, d - lag(d) OVER (PARTITION BY cid ORDER BY d) AS gap,
                          row_number() OVER (PARTITION BY cid ORDER BY d) AS k FROM _seg_occ)
        SELECT median(gap) AS cycle, median(gap) FILTER (WHERE k = 2) AS first_to_second,
               count(gap) AS gaps FROM g""")[0]
    units = store.query_dicts(
        "SELECT count(*) FILTER (WHERE units >= 2) AS multi, count(*) AS n FROM _seg_cust"
    )[0]
    active, prev = int(a["active"] or 0), int(a["active_prev"] or 0)
    lines_known = bool(a["with_lines"])

    def kpi(
        key: str,
        name: str,
        value: Any,
        formula: str,
        win: str,
        num: Any = None,
        den: Any = None,
        note: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        item = {
            "key": key,
            "name": name,
            "value": value,
            "formula": formula,
            "window": win,
            "numerator": num,
            "denominator": den,
            "params": {**dates, **(params or {})},
        }
        if note:
            item["note"] = note
        return item

    ratio = lambda n, d: round(n / d, 4) if d else None  # noqa: E731
    no_lines = None if lines_known else "no product line in the data"
    out = [
        kpi(
            "cross_sell_ratio",
            "Cross-sell ratio",
            ratio(a["multi_line"], active) if lines_known else None,
            "customers with >= 2 product lines in W / active customers in W",
            window,
            a["multi_line"],
            active,
            no_lines,
        ),
        kpi(
            "products_per_customer",
            "Products per customer",
            round(float(a["lines_avg"]), 3) if lines_known and a["lines_avg"] is not None else None,
            f"mean distinct product lines per active customer in W (median {a['lines_median']})",
            window,
            None,
            active,
            no_lines,
            {"median": a["lines_median"]},
        ),
        kpi(
            "cross_unit_penetration",
            "Cross-unit penetration",
            ratio(units["multi"], units["n"]) if base.mode == "customers" else None,
            "customers present in >= 2 business units' files / customers",
            "all imported files",
            units["multi"],
            units["n"],
            None if base.mode == "customers" else "needs 'custfocus dedupe'",
        ),
        kpi(
            "repeat_rate",
            "Repeat rate",
            ratio(a["repeaters"], active),
            "customers with >= 2 purchase days in W / customers with >= 1",
            window,
            a["repeaters"],
            active,
        ),
        kpi(
            "purchase_cycle_days",
            "Median purchase cycle (days)",
            float(cyc["cycle"]) if cyc["cycle"] is not None else None,
            "median days between consecutive purchase days of the same customer "
            f"(first to second purchase: {cyc['first_to_second']})",
            f"all purchases up to {base.as_of}",
            None,
            cyc["gaps"],
            params={"first_to_second": cyc["first_to_second"]},
        ),
        kpi(
            "attrition",
            "Attrition",
            ratio(a["lapsed"], prev),
            "customers active in the previous period with no purchase in W / customers active "
            "in the previous period",
            prev_window,
            a["lapsed"],
            prev,
        ),
        kpi(
            "satisfaction",
            "Average satisfaction",
            round(float(a["satisfaction"]), 4) if a["satisfaction"] is not None else None,
            "mean satisfaction score as a share of its scale (1-5, 0-10 or 0-100 per source) "
            "over customers rated in W",
            window,
            None,
            a["rated"],
        ),
    ]
    return out
