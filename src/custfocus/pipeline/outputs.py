"""The files a run writes: exports, audit files and the combined report, each atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from custfocus.errors import UsageError
from custfocus.store import Store

AUDIT_SUFFIXES = {"json": ".json", "markdown": ".md", "html": ".html", "xlsx": ".xlsx"}
EXPORTS = ("master", "xref", "clusters", "pairs", "segments")


def _mark(folder: Path) -> None:
    """Leave the marker that keeps ``custfocus import`` of the workspace out of this folder."""
    from custfocus.ingest.readers import OUTPUTS_MARKER

    marker = folder / OUTPUTS_MARKER
    if not marker.exists():
        marker.write_text("custfocus run writes its outputs here; custfocus import skips this "
                          "folder.\n", encoding="utf-8")
        marker.chmod(0o600)


def write_outputs(store: Store, settings: dict[str, Any], workdir: Path, audit: Any,
                  thresholds: list[Any]) -> list[Path]:
    """Write what ``[outputs]`` asks for into ``outputs.dir``; returns the files written."""
    from custfocus.export import FORMATS, export
    from custfocus.export._write import write_atomic
    from custfocus.report import audit as render
    from custfocus.report.console import dumps
    from custfocus.segment import export_segments

    folder = workdir / settings["outputs.dir"]
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _mark(folder)
    lang = settings["run.lang"]
    written: list[Path] = []
    for what in settings["outputs.exports"]:
        if what not in EXPORTS:
            raise UsageError(f"outputs.exports: unknown export '{what}'; use {', '.join(EXPORTS)}")
        for fmt in settings["outputs.formats"]:
            if fmt not in FORMATS:
                raise UsageError(f"outputs.formats: unknown format '{fmt}'; use {', '.join(FORMATS)}")
            path = folder / f"{what}.{fmt}"
            if what == "segments":
                export_segments(store, path, fmt, lang, mask=settings["outputs.mask"])
            else:
                export(store, what, path, fmt, mask=settings["outputs.mask"])
            written.append(path)
    for fmt in settings["outputs.audit"]:
        if fmt not in AUDIT_SUFFIXES:
            raise UsageError(f"outputs.audit: unknown format '{fmt}'; use "
                             f"{', '.join(AUDIT_SUFFIXES)}")
        path = folder / f"audit{AUDIT_SUFFIXES[fmt]}"
        if fmt == "xlsx":
            render.write_audit_xlsx(audit, path, thresholds)
        else:
            if fmt == "json":
                text = dumps(render.audit_as_dict(audit, thresholds)) + "\n"
            elif fmt == "markdown":
                text = render.audit_markdown(audit, thresholds)
            else:
                from custfocus.report.html import audit_html

                text = audit_html(audit, thresholds)
            write_atomic(path, lambda tmp, text=text: tmp.write_text(text, encoding="utf-8"))
        written.append(path)
    if settings["outputs.report"]:
        from custfocus.pipeline.snapshot import load_history
        from custfocus.report.history import full_report_html

        page = full_report_html(audit, latest_segments(store), load_history(store), lang)
        path = folder / "report.html"
        write_atomic(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))
        written.append(path)
    return written


def export_to_postgres_outputs(store: Store, settings: dict[str, Any]) -> list[Any]:
    """Upsert what ``outputs.exports`` lists into ``outputs.postgres`` (when set).

    Only master, xref and segments have PostgreSQL tables; the other exports are files only.
    Returns one :class:`~custfocus.export.postgres.PostgresExport` per table.
    """
    from custfocus.export.postgres import TABLES, export_to_postgres

    dsn = settings["outputs.postgres"]
    if not dsn:
        return []
    return [export_to_postgres(store, what, dsn, settings["run.lang"])
            for what in settings["outputs.exports"] if what in TABLES]


def latest_segments(store: Store) -> dict[str, Any] | None:
    """The summary of the latest segment run (segments, KPIs, currency), or None."""
    import json

    row = store.query_value("SELECT summary FROM segment_runs ORDER BY run_id DESC LIMIT 1")
    return json.loads(row) if row else None
