"""Value tier x need tier -> segment -> action, and every setting that shapes them.

Defaults (each can be set in ``custfocus.toml`` under ``[segment]``)::

    [segment]
    high_value_share = 0.2      # top 20 % by value score are "high value"
    high_need_score = 25        # need score (0-100) from which need is "high"
    lapsed_days = 365           # no purchase for this long = lapsed
    win_back_min_value = 0.5    # lapsed customers at or above this revenue percentile: win back
    new_customer_days = 90      # first purchase this recent = growth signal
    ...

Segments, in the order the rules are tried (first match wins):

1. ``win_back`` - lapsed (no purchase in ``lapsed_days``, or P(alive) < ``low_p_alive``) but
   valuable once (revenue percentile >= ``win_back_min_value``).
2. ``protect`` - high value, high need.
3. ``keep_reward`` - high value, low need.
4. ``develop`` - lower value with a growth signal: rising purchase rate, a single product line
   where customers who share it buy others, or a new customer.
5. ``serve_efficiently`` - everyone else (lower value, no growth signal).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from custfocus.errors import UsageError

SEGMENTS = ("protect", "keep_reward", "develop", "win_back", "serve_efficiently")

DEFAULT_NEED_WEIGHTS: dict[str, float] = {
    "open_issues": 25.0,  # unresolved tickets
    "complaints": 15.0,  # complaint / incident tickets in the period
    "recent_issue": 10.0,  # a ticket in the last 90 days
    "low_satisfaction": 20.0,  # average satisfaction below ``low_satisfaction``
    "fading": 15.0,  # recent purchase rate under half the customer's earlier rate
    "overdue": 10.0,  # days since last purchase > overdue_factor x own purchase cycle
    "low_p_alive": 10.0,  # BG/NBD probability alive below ``low_p_alive`` (repeat buyers)
    "missing_contact": 10.0,  # neither e-mail nor phone on file
    "conflicting_data": 5.0,  # units hold different e-mails, phones, ids, addresses or birth dates
}


@dataclass(frozen=True)
class SegmentSettings:
    """Settings of ``custfocus segment``; defaults need no configuration."""

    high_value_share: float = 0.2
    high_need_score: float = 25.0
    lapsed_days: int = 365
    win_back_min_value: float = 0.5
    new_customer_days: int = 90
    period_days: int = 365  # KPI window: the last period_days up to the as-of date
    recent_days: int = 180  # "recent" purchase rate window, compared with the earlier rate
    overdue_factor: float = 2.0
    low_p_alive: float = 0.3  # rule of thumb (pymc-marketing #794), a heuristic
    low_satisfaction: float = 0.6  # share of the scale (3 of 5 or 6 of 10 is not low)
    max_amount: float = 10_000_000.0  # larger amounts are treated as errors and left out
    horizon_months: int = 12
    discount_rate: float = 0.10  # annual; applied monthly
    time_unit_days: float = 7.0  # BG/NBD time unit (weeks)
    main_currency: str | None = None  # default: the currency with the most purchases
    cross_sell_min_share: float = 0.2  # share of a line's buyers who also buy the suggestion
    cross_sell_max: int = 3
    need_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_NEED_WEIGHTS))

    def __post_init__(self) -> None:
        if not 0 < self.high_value_share < 1:
            raise UsageError("segment.high_value_share must be between 0 and 1")
        if self.horizon_months < 1:
            raise UsageError("segment.horizon_months must be at least 1")
        if not -1 < self.discount_rate < 10:
            raise UsageError("segment.discount_rate is an annual rate such as 0.10")
        unknown = set(self.need_weights) - set(DEFAULT_NEED_WEIGHTS)
        if unknown:
            raise UsageError(
                f"unknown need signal(s) in segment.need_weights: "
                f"{', '.join(sorted(unknown))}; known: "
                f"{', '.join(DEFAULT_NEED_WEIGHTS)}"
            )


def load_settings(path: str | Path | None = "custfocus.toml", **overrides: Any) -> SegmentSettings:
    """Defaults, then ``[segment]`` of ``custfocus.toml`` (if present), then ``overrides``."""
    values: dict[str, Any] = {}
    if path is not None and Path(path).is_file():
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            try:
                import tomli as tomllib  # type: ignore[no-redef]
            except ModuleNotFoundError:
                raise UsageError(
                    f"reading {path} needs Python 3.11+ or the tomli package"
                ) from None
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {path}: {exc}") from None
        values.update(data.get("segment", {}))
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name for f in fields(SegmentSettings)}
    unknown = set(values) - known
    if unknown:
        raise UsageError(f"unknown setting(s) in [segment]: {', '.join(sorted(unknown))}")
    if "need_weights" in values:
        values["need_weights"] = {**DEFAULT_NEED_WEIGHTS, **values["need_weights"]}
    return SegmentSettings(**values)


def need_score_sql(settings: SegmentSettings) -> str:
    """0-100: weighted share of the need signals present (each signal is 0..1)."""
    weights = settings.need_weights
    total = sum(weights.values()) or 1.0
    terms = " + ".join(f"{w!r} * coalesce(sig_{name}, 0)" for name, w in weights.items())
    return f"round(100.0 * ({terms}) / {total!r}, 1)"


def segment_sql(settings: SegmentSettings) -> str:
    """The segment rules as one CASE over the per-customer columns (see module docstring)."""
    s = settings
    lapsed = (
        f"(purchases > 0 AND (recency_days > {int(s.lapsed_days)} OR "
        f"(frequency > 0 AND p_alive < {s.low_p_alive!r})))"
    )
    return f"""
        CASE
            WHEN {lapsed} AND revenue_rank >= {s.win_back_min_value!r} THEN 'win_back'
            WHEN value_tier = 'high' AND need_tier = 'high' THEN 'protect'
            WHEN value_tier = 'high' THEN 'keep_reward'
            WHEN NOT {lapsed} AND (growth_rising OR growth_single_line OR growth_new)
                THEN 'develop'
            ELSE 'serve_efficiently'
        END"""
