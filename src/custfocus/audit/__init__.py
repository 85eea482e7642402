"""The customer-knowledge audit: eight checklist questions answered with figures.

Example:
    >>> from custfocus.audit import run_audit
    >>> report = run_audit(store, lang="es")  # doctest: +SKIP
    >>> report.question("q1").figures["distinct_customers"]  # doctest: +SKIP
"""

from __future__ import annotations

import time
from datetime import date

from custfocus.audit import _base
from custfocus.audit._texts import localise
from custfocus.audit.growth import enrichment, other_sources
from custfocus.audit.identity import distinct_customers, identifying_information
from custfocus.audit.model import AuditReport, Question
from custfocus.audit.quality import currency_and_accuracy, knowledge_depth
from custfocus.audit.silos import cross_links, unit_databases
from custfocus.audit.thresholds import Threshold, ThresholdResult, evaluate, parse_threshold
from custfocus.errors import BadInputError
from custfocus.store import Store

QUESTIONS = (
    distinct_customers,
    identifying_information,
    currency_and_accuracy,
    knowledge_depth,
    unit_databases,
    cross_links,
    other_sources,
    enrichment,
)


def run_audit(store: Store, *, as_of: date | None = None, lang: str = "en",
              mask: bool = False) -> AuditReport:
    """Answer the eight questions of DESIGN.md over ``store``, in ``lang`` (es, pt or en).

    ``as_of`` is the reference date for freshness (default: the latest date in the data,
    :meth:`Store.latest_data_date`, as for segments and runs). Reads only; the
    working tables it builds are temporary and dropped before returning. ``mask``: the
    customers it lists show masked names (:func:`custfocus.masking.mask_audit`), so every
    renderer of the report shows them so.
    """
    if not store.query_value("SELECT count(*) FROM imports WHERE status = 'active'"):
        raise BadInputError("the store holds no imports; run 'custfocus import FILES' first")
    as_of = as_of or store.latest_data_date()
    timings: dict[str, float] = {}
    start = time.perf_counter()
    ctx = _base.prepare(store, as_of)
    timings["prepare"] = round(time.perf_counter() - start, 3)
    questions: list[Question] = []
    try:
        for compute in QUESTIONS:
            t0 = time.perf_counter()
            question = compute(ctx)
            localise(question, lang, ctx.matched)
            questions.append(question)
            timings[question.id] = round(time.perf_counter() - t0, 3)
    finally:
        _base.cleanup(store)
    report = AuditReport(
        as_of=as_of,
        lang=lang,
        matched=ctx.matched,
        store=store.path,
        questions=questions,
        timings=timings,
    )
    report.charts = _charts(report)
    if mask:
        from custfocus.masking import mask_audit

        mask_audit(report)
    return report


def _charts(report: AuditReport) -> dict[str, object]:
    """The three series the HTML report draws."""
    q3, q4, q6 = (report.question(q).figures for q in ("q3", "q4", "q6"))
    return {
        "completeness": q4["field_fill_share"],
        "freshness": q3["activity_age_months"],
        "overlap": {"sources": q6["sources"], "matrix": q6["overlap"]},
    }


__all__ = [
    "AuditReport",
    "Question",
    "Threshold",
    "ThresholdResult",
    "evaluate",
    "parse_threshold",
    "run_audit",
]
