"""Snapshots of every ``custfocus run`` and the trends between them.

Why a snapshot table of its own: the audit and segment tables hold the latest state; the
literature this tool serves asks for a recorded baseline measured the same way every time,
so each run keeps its KPIs and every customer's segment, and history compares them.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from custfocus.errors import UsageError
from custfocus.store import Store

# key -> (kind, better): kind formats the value; better is "up", "down" or None (neutral).
KPIS: dict[str, tuple[str, str | None]] = {
    "distinct_customers": ("count", None),
    "duplicate_rate": ("share", "down"),
    "completeness": ("share", "up"),
    "freshness": ("share", "up"),
    "cross_link_share": ("share", "up"),
    "cross_sell_ratio": ("share", "up"),
    "repeat_rate": ("share", "up"),
    "attrition": ("share", "down"),
    "purchase_cycle_days": ("days", "down"),
    "satisfaction": ("share", "up"),
}
NEW, GONE = "(new)", "(gone)"


def collect_kpis(audit: Any, segment_kpis: list[dict[str, Any]]) -> dict[str, float | None]:
    """The tracked KPIs from an audit report and the segment KPIs, in :data:`KPIS` order.

    ``freshness`` is the share of customers with activity in the 12 months before the as-of
    date; ``cross_link_share`` the share of customers found in two or more sources.
    """
    q1, q3, q4, q6 = (audit.question(q).figures for q in ("q1", "q3", "q4", "q6"))
    seg = {k["key"]: k["value"] for k in segment_kpis}
    stale = q3.get("stale_12m")
    values: dict[str, Any] = {
        "distinct_customers": q1.get("distinct_customers"),
        "duplicate_rate": q1.get("duplicate_rate"),
        "completeness": q4.get("completeness_mean"),
        "freshness": round(1 - stale, 4) if stale is not None else None,
        "cross_link_share": q6.get("share_in_multiple_sources"),
        "cross_sell_ratio": seg.get("cross_sell_ratio"),
        "repeat_rate": seg.get("repeat_rate"),
        "attrition": seg.get("attrition"),
        "purchase_cycle_days": seg.get("purchase_cycle_days"),
        "satisfaction": seg.get("satisfaction"),
    }
    return {k: (None if values[k] is None else float(values[k])) for k in KPIS}


def save_snapshot(store: Store, *, started_at: datetime, as_of: date, imported: list[str],
                  unchanged: list[str], dedupe_run: int | None, segment_run: int | None,
                  settings_hash: str, kpis: dict[str, Any], summary: dict[str, Any]) -> int:
    """Record one run: KPIs, segment sizes and every customer's segment. Returns its id."""
    with store.transaction():
        run_id = int(store.query_value("SELECT nextval('pipeline_run_seq')"))
        sizes: dict[str, int] = {}
        if segment_run is not None:
            store.execute(
                "INSERT INTO snapshot_segments SELECT ?, customer_id, segment "
                "FROM customer_segments WHERE run_id = ?", [run_id, segment_run])
            sizes = {r[0]: int(r[1]) for r in store.execute(
                "SELECT segment, count(*) FROM snapshot_segments WHERE run_id = ? "
                "GROUP BY segment ORDER BY segment", [run_id]).fetchall()}
        store.execute(
            "INSERT INTO pipeline_runs VALUES (?, ?, now(), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, started_at, as_of, imported, unchanged, dedupe_run, segment_run,
             settings_hash, json.dumps(kpis), json.dumps(sizes),
             json.dumps(summary, default=str)])
    return run_id


def baseline_run(store: Store) -> int | None:
    """The baseline: the run marked with ``custfocus baseline set``, else the first run."""
    marked = store.query_value("SELECT value FROM meta WHERE key = 'baseline_run'")
    if marked is not None and store.query_value(
            "SELECT count(*) FROM pipeline_runs WHERE run_id = ?", [int(marked)]):
        return int(marked)
    first = store.query_value("SELECT min(run_id) FROM pipeline_runs")
    return int(first) if first is not None else None


def set_baseline(store: Store, run_id: int | None = None) -> int:
    """Mark ``run_id`` (default: the latest run) as the baseline; returns it."""
    if run_id is None:
        run_id = store.query_value("SELECT max(run_id) FROM pipeline_runs")
        if run_id is None:
            raise UsageError("no runs yet: run 'custfocus run' first")
    elif not store.query_value("SELECT count(*) FROM pipeline_runs WHERE run_id = ?", [run_id]):
        raise UsageError(f"there is no run {run_id}; 'custfocus history' lists them")
    with store.transaction():
        store.execute("INSERT OR REPLACE INTO meta VALUES ('baseline_run', ?)", [str(run_id)])
    return int(run_id)


@dataclass
class History:
    """KPI trends over runs, against the baseline and the previous run; plain data."""

    runs: list[dict[str, Any]]
    baseline: int | None
    kpis: list[dict[str, Any]]
    segments: list[dict[str, Any]]
    migration: dict[str, Any] = field(default_factory=dict)

    @property
    def latest(self) -> dict[str, Any] | None:
        return self.runs[-1] if self.runs else None


def load_history(store: Store, limit: int | None = None) -> History:
    """Every run's KPIs (oldest first, the last ``limit`` runs plus the baseline)."""
    rows = store.query_dicts(
        "SELECT run_id, started_at, finished_at, as_of, imported, dedupe_run, segment_run, "
        "kpis, segment_sizes FROM pipeline_runs ORDER BY run_id")
    base = baseline_run(store)
    if limit and len(rows) > limit:
        rows = [r for r in rows[:-limit] if r["run_id"] == base] + rows[-limit:]
    runs = [{"run_id": r["run_id"], "finished_at": r["finished_at"], "as_of": r["as_of"],
             "imported": list(r["imported"] or []), "baseline": r["run_id"] == base,
             "kpis": json.loads(r["kpis"]), "segment_sizes": json.loads(r["segment_sizes"])}
            for r in rows]
    kpis = [_trend(key, [run["kpis"].get(key) for run in runs], runs, base, *KPIS[key])
            for key in KPIS]
    from custfocus.segment.tiers import SEGMENTS

    names = list(SEGMENTS) + sorted({s for r in runs for s in r["segment_sizes"]} - set(SEGMENTS))
    segments = [_trend(name, [run["segment_sizes"].get(name, 0) for run in runs], runs, base,
                       "count", None) for name in names]
    history = History(runs=runs, baseline=base, kpis=kpis, segments=segments)
    if len(runs) >= 2:
        history.migration = segment_migration(store, runs[-2]["run_id"], runs[-1]["run_id"])
    return history


def _trend(key: str, values: list[Any], runs: list[dict[str, Any]], base: int | None,
           kind: str, better: str | None) -> dict[str, Any]:
    latest = values[-1] if values else None
    previous = values[-2] if len(values) >= 2 else None
    baseline = next((v for v, r in zip(values, runs) if r["run_id"] == base), None)

    def change(ref: Any) -> float | None:
        if latest is None or ref is None:
            return None
        return round(latest - ref, 6)

    return {"key": key, "kind": kind, "better": better, "values": values, "latest": latest,
            "previous": previous, "baseline": baseline, "change_vs_previous": change(previous),
            "change_vs_baseline": change(baseline)}


def segment_migration(store: Store, from_run: int, to_run: int) -> dict[str, Any]:
    """How many customers moved from each segment to each other between two runs.

    Customers new in ``to_run`` come from ``(new)``; those no longer present go to ``(gone)``.
    ``moved`` counts only customers present in both runs whose segment changed; ``new`` and
    ``gone`` count the others.
    """
    pairs = store.execute(
        """
        SELECT coalesce(a.segment, ?) AS from_segment, coalesce(b.segment, ?) AS to_segment,
               count(*) AS customers
        FROM (SELECT customer_id, segment FROM snapshot_segments WHERE run_id = ?) a
        FULL OUTER JOIN (SELECT customer_id, segment FROM snapshot_segments WHERE run_id = ?) b
             USING (customer_id)
        GROUP BY ALL ORDER BY ALL""", [NEW, GONE, from_run, to_run]).fetchall()
    matrix: dict[str, Counter[str]] = {}
    for a, b, n in pairs:
        matrix.setdefault(a, Counter())[b] += int(n)
    moved = sum(n for a, b, n in pairs if a != b and a != NEW and b != GONE)
    new = sum(n for a, _, n in pairs if a == NEW)
    gone = sum(n for _, b, n in pairs if b == GONE)
    return {"from_run": from_run, "to_run": to_run, "moved": moved, "new": new, "gone": gone,
            "matrix": {a: dict(row) for a, row in matrix.items()}}
