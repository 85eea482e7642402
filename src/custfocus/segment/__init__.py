"""``segment``: what each customer is worth and what each needs, as value x need segments.

Stages: base (who is a customer, which facts count, as-of date) -> value summary and RFM
(DuckDB) -> predicted value (BG/NBD + Gamma-Gamma on the summary, numpy/scipy) -> need
signals -> cross-sell -> tiers and segments -> KPIs -> saved per customer for history.

Example:
    >>> from custfocus.store import Store
    >>> result = segment_customers(Store("custfocus.duckdb"))  # doctest: +SKIP
    >>> {s["key"]: s["customers"] for s in result.segments}  # doctest: +SKIP
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from custfocus.errors import UsageError
from custfocus.segment.tiers import SEGMENTS, SegmentSettings, load_settings
from custfocus.store import Store

_TEMP = (
    "_seg_rec",
    "_seg_cur",
    "_seg_lines",
    "_seg_cust",
    "_seg_facts",
    "_seg_home",
    "_seg_occ",
    "_seg_sum",
    "_seg_scored",
    "_seg_need",
    "_seg_xsell",
    "_seg_rfm_map",
    "_seg_pred",
    "_seg_result",
    "_seg_cset",
    "_seg_sets",
    "_seg_cl",
    "_seg_rules",
)


@dataclass
class SegmentResult:
    """Everything ``segment`` found; plain data for renderers and callers."""

    run_id: int | None
    computed_at: datetime
    as_of: date
    mode: str
    customers: int
    main_currency: str | None
    currencies: dict[str, dict[str, float]]
    segments: list[dict[str, Any]]
    rfm_segments: list[dict[str, Any]]
    models: dict[str, Any]
    pareto: dict[str, Any]
    kpis: list[dict[str, Any]]
    need_signals: dict[str, int]
    cross_sell_rules: list[dict[str, Any]]
    excluded: dict[str, int]
    unlinked: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    # "transactions" (dated purchases) or "attributes" (customer-level totals only)
    value_from: str = "transactions"


def segment_customers(
    store: Store,
    *,
    as_of: date | None = None,
    settings: SegmentSettings | None = None,
    save: bool = True,
) -> SegmentResult:
    """Value, need and segment of every customer; saved as a new run unless ``save=False``.

    Example:
        >>> result = segment_customers(store, as_of=date(1997, 9, 30))  # doctest: +SKIP
        >>> result.models["bgnbd"]["r"]  # doctest: +SKIP
    """
    from custfocus.segment import need, value
    from custfocus.segment.cross_sell import build_cross_sell
    from custfocus.segment.kpis import compute_kpis
    from custfocus.segment.tiers import need_score_sql, segment_sql

    settings = settings or SegmentSettings()
    if as_of is not None and as_of > date.today():
        raise UsageError(f"--as-of {as_of} is in the future")
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    try:
        base = value.prepare_base(store, as_of, settings)
        if base.customers == 0:
            raise UsageError("no customers in the store: run 'custfocus import' first")
        value.build_summary(store, base, settings)
        value.register_rfm_map(store)
        # Window functions over the few columns they read, joined back: sorting the whole
        # summary row (names, strings) for each window is what made this slow.
        store.execute(f"""
            CREATE OR REPLACE TEMP TABLE _seg_scored AS
            SELECT s.*, r.* EXCLUDE (cid) FROM _seg_sum s
            JOIN (SELECT cid, {value.rfm_sql()}
                  FROM (SELECT cid, purchases, recency_days, currency, revenue FROM _seg_sum))
                 r USING (cid)""")
        lap("summary")
        models, warnings = _predict(store, base, settings)
        lap("models")
        need.build_need_facts(store, base, settings)
        rules = build_cross_sell(store, settings)
        lap("need")
        _assemble(
            store,
            base,
            settings,
            need.need_signals_sql(settings),
            need_score_sql(settings),
            segment_sql(settings),
        )
        lap("segments")
        kpis = compute_kpis(store, base, settings)
        result = SegmentResult(
            run_id=None,
            computed_at=datetime.now().replace(microsecond=0),
            as_of=base.as_of,
            mode=base.mode,
            customers=base.customers,
            main_currency=base.main_currency,
            currencies=base.currencies,
            segments=_segment_table(store, base),
            rfm_segments=store.query_dicts(
                "SELECT rfm_segment AS name, count(*) AS customers FROM _seg_result "
                "WHERE rfm_segment IS NOT NULL GROUP BY ALL ORDER BY customers DESC"
            ),
            models=models,
            pareto=value.pareto(store, base),
            kpis=kpis,
            need_signals=_signal_counts(store),
            cross_sell_rules=rules,
            excluded=base.excluded,
            unlinked=base.unlinked,
            notes=base.notes,
            warnings=warnings,
            settings=asdict(settings),
            timings=timings,
            value_from=base.value_from,
        )
        lap("kpis")
        if save:
            _save(store, result)
            lap("save")
        return result
    finally:
        for table in _TEMP:
            store.execute(f"DROP TABLE IF EXISTS {table}")


def _predict(
    store: Store, base: Any, settings: SegmentSettings
) -> tuple[dict[str, Any], list[str]]:
    """Fit BG/NBD (all buyers) and Gamma-Gamma (per currency); write ``_seg_pred``."""
    import numpy as np

    from custfocus.segment import clv

    cur_codes = {c: i for i, c in enumerate(base.currencies)}
    case = " ".join(f"WHEN '{c.replace(chr(39), '')}' THEN {i}" for c, i in cur_codes.items())
    data = store.execute(f"""
        SELECT cid, frequency::DOUBLE AS x, t_x, t_cal, monetary,
               CASE currency {case or "WHEN NULL THEN 0"} ELSE -1 END AS cur
        FROM _seg_scored WHERE purchases > 0 ORDER BY cid""").fetchnumpy()
    # ORDER BY: the fit's sample is drawn by position, so a fixed order keeps it reproducible.
    n = len(data["cid"])
    arrays = {k: np.asarray(data[k], dtype=float) for k in ("x", "t_x", "t_cal", "monetary")}
    x, tx, T, m = arrays["x"], arrays["t_x"], arrays["t_cal"], arrays["monetary"]
    cur = np.asarray(data["cur"], dtype=int)
    models: dict[str, Any] = {
        "time_unit": "weeks"
        if settings.time_unit_days == 7
        else f"{settings.time_unit_days:g} days",
        "horizon_months": settings.horizon_months,
        "discount_rate_annual": settings.discount_rate,
    }
    warnings: list[str] = []
    p_alive = expected = value = np.full(n, np.nan)
    if base.value_from == "attributes":
        # Customer-level totals carry no purchase dates: nothing to fit a model of timing on.
        message = "not fitted: no dated purchases (customer-level totals only)"
        models["bgnbd"] = {"fitted": False, "message": message}
        models["gamma_gamma"] = {"fitted": False, "message": message}
        none = np.full(0, np.nan)
        return _predictions(store, {"cid": np.zeros(0, dtype=np.int64)}, none, none, none,
                            models, warnings)
    bg = clv.fit_bgnbd(x, tx, T)
    models["bgnbd"] = _fit_dict(bg)
    warnings += bg.warnings
    if bg.usable:
        p_alive = clv.bgnbd_p_alive(bg.params, x, tx, T)
        spend = np.full(n, np.nan)
        by_currency = {}
        for name, code in cur_codes.items():
            sel = cur == code
            gg = clv.fit_gamma_gamma(x[sel], m[sel])
            by_currency[name] = _fit_dict(gg)
            if name == base.main_currency:
                warnings += gg.warnings
            if gg.params and gg.converged:
                repeat = sel & (x > 0) & (m > 0)
                pop = float(np.nanmean(m[repeat])) if repeat.any() else 0.0
                spend[sel] = clv.gg_expected_spend(gg.params, x[sel], m[sel], pop)
            elif sel.any():
                warnings.append(
                    f"no spend model for {name} ({gg.message}); no lifetime value "
                    f"for its {int(sel.sum()):,} customers"
                )
        models["gamma_gamma"] = by_currency.get(base.main_currency or "", {"fitted": False})
        models["gamma_gamma"]["currency"] = base.main_currency
        models["gamma_gamma_by_currency"] = by_currency
        has_spend = np.isfinite(spend)
        value, expected = clv.lifetime_value(
            bg.params,
            x,
            tx,
            T,
            np.where(has_spend, spend, 0.0),
            horizon_months=settings.horizon_months,
            annual_discount=settings.discount_rate,
            unit_days=settings.time_unit_days,
        )
        value[~has_spend] = np.nan
    else:
        models["gamma_gamma"] = {"fitted": False, "message": "BG/NBD was not fitted"}
        if base.has_purchases:
            warnings.append(f"no predicted value: {bg.message}")
    return _predictions(store, data, p_alive, expected, value, models, warnings)


def _predictions(store: Store, data: Any, p_alive: Any, expected: Any, value: Any,
                 models: dict[str, Any], warnings: list[str]
                 ) -> tuple[dict[str, Any], list[str]]:
    """Write ``_seg_pred`` (one row per buyer the models saw)."""
    import numpy as np
    import pyarrow as pa

    def col(a: np.ndarray) -> pa.Array:
        return pa.array(a, mask=~np.isfinite(a))

    pred = pa.table(
        {
            "cid": pa.array(np.asarray(data["cid"], dtype=np.int64)),
            "p_alive": col(p_alive),
            "expected_purchases": col(expected),
            "clv": col(value),
        }
    )
    store.con.register("_seg_pred_arrow", pred)
    store.execute("CREATE OR REPLACE TEMP TABLE _seg_pred AS SELECT * FROM _seg_pred_arrow")
    store.con.unregister("_seg_pred_arrow")
    return models, warnings


def _fit_dict(fit: Any) -> dict[str, Any]:
    out: dict[str, Any] = {k: round(v, 6) for k, v in fit.params.items()}
    out.update(
        fitted=bool(fit.params),
        converged=fit.converged,
        message=fit.message,
        customers=fit.customers,
        iterations=fit.iterations,
        warnings=fit.warnings,
    )
    if fit.log_likelihood is not None:
        out["log_likelihood"] = round(fit.log_likelihood, 3)
    if fit.sampled_from:
        out["fitted_on_sample_of"] = fit.sampled_from
    out.update({k: round(v, 4) for k, v in fit.diagnostics.items()})
    return out


def _assemble(
    store: Store,
    base: Any,
    settings: SegmentSettings,
    signals: str,
    need_score: str,
    segment_case: str,
) -> None:
    share = settings.high_value_share
    buyers = "PARTITION BY purchases > 0, currency"
    # With no purchases anywhere, value falls back to activity (facts per customer).
    value_score = (
        "CASE WHEN purchases > 0 THEN (revenue_rank + coalesce(clv_rank, revenue_rank))"
        " / 2 ELSE 0 END"
        if base.has_purchases
        else "percent_rank() OVER (ORDER BY facts)"
    )
    high = (
        f"purchases > 0 AND value_rank >= {1 - share}"
        if base.has_purchases
        else f"value_score >= {1 - share} AND facts > 0"
    )
    value_rank = (
        f"percent_rank() OVER ({buyers} ORDER BY value_score)" if base.has_purchases else "NULL"
    )
    # The ranks are window functions over a few narrow columns, joined back once: windows
    # over the full row would sort every column of every customer for each of them.
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _seg_result AS
        WITH cr AS (
            SELECT s.cid, s.purchases, s.currency, s.revenue_rank, s.facts,
                   CASE WHEN p.clv IS NOT NULL
                        THEN percent_rank() OVER (PARTITION BY s.purchases > 0, s.currency,
                                                  p.clv IS NOT NULL ORDER BY p.clv) END AS clv_rank
            FROM _seg_scored s LEFT JOIN _seg_pred p USING (cid)),
        vs AS (SELECT *, {value_score} AS value_score FROM cr),
        ranks AS (SELECT cid, clv_rank, value_score, {value_rank} AS value_rank FROM vs),
        j AS (
            SELECT s.*, p.p_alive, p.expected_purchases, p.clv, n.tickets, n.complaints,
                   n.open_issues, n.days_since_issue, n.satisfaction, x.cross_sell,
                   s.r_score::VARCHAR || s.f_score::VARCHAR || s.m_score::VARCHAR AS rfm_code,
                   k.clv_rank, k.value_score, k.value_rank
            FROM _seg_scored s LEFT JOIN _seg_pred p USING (cid) LEFT JOIN _seg_need n USING (cid)
            LEFT JOIN _seg_xsell x USING (cid) LEFT JOIN ranks k USING (cid)),
        sig AS (SELECT *, {signals} FROM j),
        tiers AS (
            SELECT *, {need_score} AS need_score,
                   CASE WHEN {high} THEN 'high' ELSE 'low' END AS value_tier,
                   (lines = 1 AND cross_sell IS NOT NULL) AS growth_single_line
            FROM sig),
        tiered AS (SELECT *, CASE WHEN need_score >= {settings.high_need_score!r} THEN 'high'
                                  ELSE 'low' END AS need_tier FROM tiers)
        SELECT t.* EXCLUDE (value_rank), m.rfm_segment, {segment_case} AS segment
        FROM tiered t LEFT JOIN _seg_rfm_map m USING (rfm_code)""")


def _segment_table(store: Store, base: Any) -> list[dict[str, Any]]:
    from custfocus.segment._texts import ACTIONS

    rows = {
        r["segment"]: r
        for r in store.query_dicts(
            """
        SELECT segment, count(*) AS customers,
               sum(revenue) FILTER (WHERE currency = ?) AS revenue,
               sum(clv) FILTER (WHERE currency = ?) AS clv,
               avg(need_score) AS need_score
        FROM _seg_result GROUP BY segment""",
            [base.main_currency, base.main_currency],
        )
    }
    total_rev = sum(max(r["revenue"] or 0, 0) for r in rows.values()) or None
    total = sum(r["customers"] for r in rows.values()) or 1
    out = []
    for key in SEGMENTS:
        r = rows.get(key, {"customers": 0, "revenue": None, "clv": None, "need_score": None})
        out.append(
            {
                "key": key,
                "customers": int(r["customers"]),
                "share": round(r["customers"] / total, 4),
                "revenue": round(r["revenue"], 2) if r["revenue"] is not None else 0.0,
                "value_share": round(max(r["revenue"] or 0, 0) / total_rev, 4)
                if total_rev
                else None,
                "clv": round(r["clv"], 2) if r["clv"] is not None else None,
                "avg_need_score": round(r["need_score"], 1)
                if r["need_score"] is not None
                else None,
                "action": ACTIONS[key]["en"],
            }
        )
    return out


def _signal_counts(store: Store) -> dict[str, int]:
    from custfocus.segment.need import SIGNALS

    row = store.query_dicts(
        "SELECT "
        + ", ".join(f"count(*) FILTER (WHERE sig_{s} > 0) AS {s}" for s in SIGNALS)
        + " FROM _seg_result"
    )[0]
    return {k: int(v) for k, v in row.items()}


def _save(store: Store, result: SegmentResult) -> None:
    from custfocus.report.console import dumps

    with store.transaction():
        store.note_processing(rows_read=result.customers)
        run_id = int(store.query_value("SELECT nextval('segment_run_seq')"))
        result.run_id = run_id
        summary = {k: v for k, v in asdict(result).items() if k not in {"settings"}}
        store.execute(
            "INSERT INTO segment_runs VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                result.computed_at,
                result.as_of,
                result.mode,
                result.customers,
                result.main_currency,
                dumps(summary),
            ],
        )
        store.execute(f"""
            INSERT INTO customer_segments
            SELECT {run_id}, TIMESTAMP '{result.computed_at}', DATE '{result.as_of}',
                   customer_id, currency, round(revenue, 2), orders, first_d, last_d,
                   recency_days, frequency, round(monetary, 2), product_lines, business_units,
                   r_score, f_score, m_score, rfm_code, rfm_segment, round(p_alive, 4),
                   round(expected_purchases, 3), round(clv, 2), round(value_score, 4),
                   value_tier, need_score, need_tier,
                   concat_ws(', ', {_signal_list()}), segment, segment, cross_sell
            FROM _seg_result""")


def _signal_list() -> str:
    from custfocus.segment.need import SIGNALS

    return ", ".join(f"CASE WHEN sig_{s} > 0 THEN '{s}' END" for s in SIGNALS)


EXPORT_COLUMNS = """
    s.customer_id, c.full_name, c.company, c.email, c.phone, c.postal_code, c.city, c.country,
    c.opt_in, s.segment, s.action, s.value_tier, s.need_tier, s.value_score, s.need_score,
    s.need_signals, s.rfm_segment, s.rfm_code, s.currency, s.revenue, s.orders,
    s.first_purchase, s.last_purchase, s.recency_days, s.product_lines, s.p_alive,
    s.expected_purchases, s.clv, s.cross_sell, s.as_of, s.run_id"""


def segments_frame(store: Store, lang: str = "en") -> Any:
    """The latest run's customers with contact data, ready for a CRM or mailing import."""
    from custfocus.segment._texts import action_text

    run = (
        store.query_value("SELECT max(run_id) FROM customer_segments")
        if store.table_exists("customer_segments")
        else None
    )
    if run is None:
        raise UsageError("no segments yet: run 'custfocus segment' first")
    join = (
        "LEFT JOIN customers c ON c.customer_id = s.customer_id"
        if store.query_value("SELECT count(*) FROM customers")
        else "LEFT JOIN (SELECT NULL::VARCHAR AS customer_id, NULL AS full_name, NULL AS "
        "company, NULL AS email, NULL AS phone, NULL AS postal_code, NULL AS city, "
        "NULL AS country, NULL AS opt_in) c ON c.customer_id = s.customer_id"
    )
    frame = store.execute(
        f"SELECT {EXPORT_COLUMNS} FROM customer_segments s {join} "
        f"WHERE s.run_id = ? ORDER BY s.segment, s.value_score DESC, "
        f"s.customer_id",
        [run],
    ).df()
    frame["action"] = frame["segment"].map(lambda k: action_text(k, lang))
    return frame


def export_segments(
    store: Store, path: Path | None, fmt: str | None = None, lang: str = "en", *,
    mask: bool = False, pseudonym_key: bytes | None = None,
) -> int:
    """Write the latest segments: CSV/Parquet/JSON one table; XLSX one sheet per segment.

    ``mask`` / ``pseudonym_key``: as :func:`custfocus.export.export`.
    """
    from custfocus.export import (
        format_from_path,
        protect,
        write_frame,
        write_xlsx,
    )
    from custfocus.export._write import write_atomic
    from custfocus.segment._texts import EXPORT_HEADERS, segment_name

    fmt = format_from_path(path, fmt)
    frame = protect(segments_frame(store, lang), mask=mask, pseudonym_key=pseudonym_key)
    if fmt != "xlsx":
        return write_frame(frame, path, fmt, sheet="segments")
    if path is None:
        raise UsageError("xlsx output needs a file: add -o FILE")
    sheets = {}
    for key in SEGMENTS:
        part = frame[frame["segment"] == key].copy()  # write_xlsx makes every cell safe
        part["segment"] = segment_name(key, lang)
        part = part.rename(columns=EXPORT_HEADERS.get(lang, {}))
        sheets[segment_name(key, lang)[:31]] = part
    write_atomic(Path(path), lambda tmp: write_xlsx(sheets, tmp))
    return len(frame)


__all__ = [
    "SegmentResult",
    "SegmentSettings",
    "export_segments",
    "load_settings",
    "segment_customers",
    "segments_frame",
]
