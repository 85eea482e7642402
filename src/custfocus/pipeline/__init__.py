"""The scheduled pipeline (``custfocus run``), its snapshots and the trends between runs.

Example:
    >>> from custfocus.config import load_config, resolve_settings
    >>> from custfocus.pipeline import run_pipeline, load_history
    >>> config = load_config("custfocus.toml")  # doctest: +SKIP
    >>> result = run_pipeline(resolve_settings(config), config)  # doctest: +SKIP
"""

from __future__ import annotations

from custfocus.pipeline.lock import workspace_lock
from custfocus.pipeline.run import RunResult, run_pipeline
from custfocus.pipeline.snapshot import (
    KPIS,
    History,
    baseline_run,
    load_history,
    segment_migration,
    set_baseline,
)

__all__ = [
    "KPIS",
    "History",
    "RunResult",
    "baseline_run",
    "load_history",
    "run_pipeline",
    "segment_migration",
    "set_baseline",
    "workspace_lock",
]
