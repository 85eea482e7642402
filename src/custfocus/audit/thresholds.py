"""``--fail-on`` thresholds: ``duplicate_rate>0.05`` makes ``audit`` exit 1 for cron alerts.

Why names of figures: every numeric figure of the JSON output is a threshold name (short,
``stale_24m``, or qualified, ``q3.stale_24m``), so what a cron job checks is what the report
shows. Shares accept ``0.05`` or ``5%``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from custfocus.audit.model import AuditReport
from custfocus.errors import UsageError

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "!=": operator.ne,
    "==": operator.eq,
    ">": operator.gt,
    "<": operator.lt,
    "=": operator.eq,
}
_RULE = re.compile(r"^\s*([A-Za-z0-9_.]+)\s*(>=|<=|!=|==|>|<|=)\s*([-+]?[0-9.,]+)\s*(%?)\s*$")


@dataclass(frozen=True)
class Threshold:
    """One parsed rule: the audit fails when ``metric op value`` holds."""

    metric: str
    op: str
    value: float
    text: str


@dataclass(frozen=True)
class ThresholdResult:
    threshold: Threshold
    actual: float
    breached: bool


def parse_threshold(text: str) -> Threshold:
    """Parse ``NAME OP NUMBER[%]``.

    Example:
        >>> parse_threshold("stale_24m>30%").value
        0.3
    """
    match = _RULE.match(text)
    if not match:
        raise UsageError(f"cannot read --fail-on '{text}'; write it like 'duplicate_rate>0.05'")
    name, op, number, pct = match.groups()
    try:
        value = float(number.replace(",", "."))
    except ValueError:
        raise UsageError(f"'{number}' in --fail-on '{text}' is not a number") from None
    return Threshold(name, op, value / 100 if pct else value, text.strip())


def evaluate(report: AuditReport, rules: Iterable[str | Threshold]) -> list[ThresholdResult]:
    """Check every rule against the report's figures; unknown names are a usage error."""
    metrics = report.metrics()
    results = []
    for rule in rules:
        t = rule if isinstance(rule, Threshold) else parse_threshold(rule)
        if t.metric not in metrics:
            known = ", ".join(sorted(k for k in metrics if "." not in k))
            raise UsageError(f"--fail-on names an unknown figure '{t.metric}'; known: {known}")
        actual = metrics[t.metric]
        results.append(ThresholdResult(t, actual, bool(_OPS[t.op](actual, t.value))))
    return results
