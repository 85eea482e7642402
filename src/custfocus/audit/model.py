"""The plain data an audit returns: eight answered questions, nothing rendered.

Why figures and tables apart: ``figures`` is the stable machine contract (``--json``,
``--fail-on``); ``tables`` are the breakdowns people read (per source, per field), the same
rows in every output format; ``details`` are long lists (customers to ask, columns to map).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

STATUSES = ("green", "amber", "red")
QUESTION_IDS = tuple(f"q{i}" for i in range(1, 9))


@dataclass
class Question:
    """One checklist question: its answer, traffic light, figures and breakdowns."""

    id: str
    title: str
    answer: str
    status: str
    recommendation: str
    figures: dict[str, Any] = field(default_factory=dict)
    headline: list[str] = field(default_factory=list)  # scalar figures worth showing first
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    details: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "answer": self.answer,
            "status": self.status,
            "recommendation": self.recommendation,
            "figures": self.figures,
            "tables": self.tables,
            "details": self.details,
        }


@dataclass
class AuditReport:
    """The whole audit: what ``run_audit`` returns and every renderer reads."""

    as_of: date
    lang: str
    matched: bool
    store: str
    questions: list[Question]
    charts: dict[str, Any] = field(default_factory=dict)  # series for the HTML charts
    timings: dict[str, float] = field(default_factory=dict)

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    @property
    def status(self) -> str:
        """The worst light of all questions."""
        return max((q.status for q in self.questions), key=STATUSES.index, default="green")

    def metrics(self) -> dict[str, float]:
        """Every numeric scalar figure, as ``name`` and ``qN.name`` (for ``--fail-on``)."""
        out: dict[str, float] = {}
        short: dict[str, float] = {}
        ambiguous: set[str] = set()
        for q in self.questions:
            for key, value in q.figures.items():
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    continue
                out[f"{q.id}.{key}"] = float(value)
                if key in short:
                    ambiguous.add(key)  # only the qualified name works for this one
                short[key] = float(value)
        out.update({k: v for k, v in short.items() if k not in ambiguous})
        return out
