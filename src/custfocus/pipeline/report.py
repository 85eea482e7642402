"""``custfocus report``: the combined HTML page from the store as the latest run left it."""

from __future__ import annotations

from pathlib import Path

from custfocus.store import Store


def write_report(store: Store, path: Path, lang: str, mask: bool = False) -> None:
    """Audit (as of the latest run's date), latest segments and trends, written atomically;
    ``mask``: the audit's customer lists with masked names."""
    from custfocus.audit import run_audit
    from custfocus.export._write import write_atomic
    from custfocus.pipeline.outputs import latest_segments
    from custfocus.pipeline.snapshot import load_history
    from custfocus.report.history import full_report_html

    as_of = store.query_value("SELECT as_of FROM pipeline_runs ORDER BY run_id DESC LIMIT 1")
    audit = run_audit(store, as_of=as_of, lang=lang, mask=mask)
    page = full_report_html(audit, latest_segments(store), load_history(store), lang)
    write_atomic(Path(path), lambda tmp: tmp.write_text(page, encoding="utf-8"))
