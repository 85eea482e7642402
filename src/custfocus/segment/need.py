"""What each customer needs: service, satisfaction, fading purchases and data signals.

Every signal is a column (0..1) in the result, so the need score is never a black box:
``need_score = 100 * sum(weight * signal) / sum(weights)`` with the weights of
``SegmentSettings.need_weights`` (see ``tiers.DEFAULT_NEED_WEIGHTS``).
"""

from __future__ import annotations

from custfocus.segment.tiers import SegmentSettings
from custfocus.segment.value import Base
from custfocus.store import Store

# Ticket categories that are complaints or incidents (es/pt/en); tickets with no category count.
_COMPLAINT = (
    r"(quej|reclam|complain|incid|queix|aver[ií]a|fallo|falha|defect|problem|"
    r"devol|retras|atras|garant|error|erro|roto|broken|damage|dañ)"
)
RECENT_ISSUE_DAYS = 90


def build_need_facts(store: Store, base: Base, settings: SegmentSettings) -> None:
    """``_seg_need``: per-customer ticket counts, unresolved tickets and satisfaction
    (overall, and ``sat_w`` in the KPI window)."""
    as_of, period = f"DATE '{base.as_of}'", int(settings.period_days)
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _seg_need AS
        SELECT cid,
               count(*) FILTER (WHERE kind = 'ticket' AND d > {as_of} - {period}) AS tickets,
               count(*) FILTER (WHERE kind = 'ticket' AND d > {as_of} - {period} AND (
                   category IS NULL OR regexp_matches(lower(category), '{_COMPLAINT}')))
                   AS complaints,
               count(*) FILTER (WHERE kind = 'ticket' AND unresolved) AS open_issues,
               {as_of} - max(d) FILTER (WHERE kind = 'ticket') AS days_since_issue,
               avg(sat) AS satisfaction, count(sat) AS ratings,
               avg(sat) FILTER (WHERE d > {as_of} - {period}) AS sat_w
        FROM _seg_facts WHERE kind IN ('ticket', 'interaction') OR sat IS NOT NULL
        GROUP BY cid""")


def need_signals_sql(settings: SegmentSettings) -> str:
    """Select-list of the signal columns over ``_seg_sum`` + ``_seg_need`` + predictions."""
    s = settings
    recent = int(s.recent_days)
    recent_rate = f"(recent_n / {float(recent)!r})"
    earlier_rate = f"(earlier_n / greatest(tenure_days - {recent}, 1))"
    # Satisfaction is an average of fractions such as 3/5: rounded before the comparison so an
    # exact 0.6 is never read as 0.59999... (which summation order would otherwise decide).
    return f"""
        least(coalesce(open_issues, 0) / 2.0, 1) AS sig_open_issues,
        least(coalesce(complaints, 0) / 3.0, 1) AS sig_complaints,
        (coalesce(days_since_issue, 99999) <= {RECENT_ISSUE_DAYS})::DOUBLE AS sig_recent_issue,
        (round(coalesce(satisfaction, 1), 9) < {s.low_satisfaction!r})::DOUBLE
            AS sig_low_satisfaction,
        (earlier_n >= 2 AND tenure_days > {recent + 30}
            AND {recent_rate} < 0.5 * {earlier_rate})::DOUBLE AS sig_fading,
        (purchases >= 3 AND recency_days > {s.overdue_factor!r} * (last_d - first_d)
            / (purchases - 1))::DOUBLE AS sig_overdue,
        (frequency > 0 AND coalesce(p_alive, 1) < {s.low_p_alive!r})::DOUBLE AS sig_low_p_alive,
        (NOT coalesce(has_email, false) AND NOT coalesce(has_phone, false))::DOUBLE
            AS sig_missing_contact,
        least(coalesce(conflicts, 0) / 2.0, 1) AS sig_conflicting_data,
        (recent_n >= 2 AND earlier_n >= 1 AND {recent_rate} > 1.5 * {earlier_rate})
            AS growth_rising,
        (purchases > 0 AND tenure_days <= {int(s.new_customer_days)}) AS growth_new"""


SIGNALS = (
    "open_issues",
    "complaints",
    "recent_issue",
    "low_satisfaction",
    "fading",
    "overdue",
    "low_p_alive",
    "missing_contact",
    "conflicting_data",
)
