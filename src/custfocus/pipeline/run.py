"""``custfocus run``: the scheduled pipeline over a workspace configuration.

import what changed -> dedupe (incremental) -> segment -> audit -> snapshot -> outputs.

Why one transaction around every store write: a run killed at any point (SIGKILL included)
must leave the store as it was before the run or as it is after it, never in between.
DuckDB's write-ahead log makes the commit atomic; outputs are written after the commit,
each through a temporary file and a rename.
"""

from __future__ import annotations

import glob
import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from custfocus.config import source_settings
from custfocus.errors import UsageError
from custfocus.pipeline._log import StepLog
from custfocus.pipeline.lock import workspace_lock
from custfocus.store import Store


@dataclass
class RunResult:
    """What a run did; ``status`` is ``ok`` or ``findings`` (an audit threshold breached)."""

    run_id: int
    status: str
    as_of: date
    imported: list[str]
    unchanged: list[str]
    dedupe: str  # incremental | full | skipped
    segment: str  # computed | reused
    customers: int | None
    kpis: dict[str, float | None]
    previous_kpis: dict[str, float | None] | None
    segment_sizes: dict[str, int]
    breached: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_pipeline(settings: dict[str, Any], config: dict[str, Any],
                 workdir: Path | None = None, *, workers: int = 1,
                 processing: Any = None) -> RunResult:
    """Run the whole pipeline once under the workspace lock.

    ``settings`` comes from :func:`custfocus.config.resolve_settings`, ``config`` is the parsed
    custfocus.toml (for ``[sources.*]`` and ``[segment]``); relative paths are taken from
    ``workdir`` (default: the current folder). ``workers`` processes convert big files (see
    :class:`custfocus.ingest.importer.ImportOptions`). ``processing``: the command's
    :class:`~custfocus.processing_log.Processing` entry, committed with the run's writes
    (its ``rows_read`` is the number of customers).

    Example:
        >>> from custfocus.config import load_config, resolve_settings
        >>> config = load_config()  # doctest: +SKIP
        >>> result = run_pipeline(resolve_settings(config), config)  # doctest: +SKIP
    """
    workdir = Path(workdir or Path.cwd())
    db = workdir / settings["run.db"]
    log_name = settings["run.log"]
    started = datetime.now().replace(microsecond=0)
    log = StepLog(workdir / log_name if log_name else None, started.isoformat())
    with workspace_lock(db):
        log.step("start", "ok")
        try:
            result = _Run(settings, config, workdir, db, log, started, workers,
                          processing).execute()
        except BaseException as exc:
            code = getattr(exc, "exit_code", 130 if isinstance(exc, KeyboardInterrupt) else 70)
            log.step("run", "error", error=exc.__class__.__name__, exit_code=int(code))
            raise
        log.step("run", result.status, run_id=result.run_id, exit_code=0 if
                 result.status == "ok" else 1)
        return result


class _Run:
    def __init__(self, settings: dict[str, Any], config: dict[str, Any], workdir: Path,
                 db: Path, log: StepLog, started: datetime, workers: int = 1,
                 processing: Any = None):
        self.s, self.config, self.workdir, self.db = settings, config, workdir, db
        self.processing = processing
        self.workers = workers
        self.log, self.started = log, started
        self.clock = time.perf_counter()

    def execute(self) -> RunResult:
        from custfocus.audit import evaluate, parse_threshold

        rules = [parse_threshold(r) for r in self.s["run.fail_on"]]
        seg_settings = self._segment_settings()
        files = self._files()
        hashes = {"match": _hash(self._match_settings()),
                  "segment": _hash(asdict(seg_settings)), "as_of": self.s["run.as_of"]}
        with Store(self.db) as store:
            store.processing = self.processing
            with store.transaction():
                imported, unchanged = self._import(store, files)
                last = store.query_dicts(
                    "SELECT settings_hash, segment_run, dedupe_run FROM pipeline_runs "
                    "ORDER BY run_id DESC LIMIT 1")
                last_hash = json.loads(last[0]["settings_hash"]) if last else {}
                dedupe_mode, dedupe_run = self._dedupe(store, imported, last_hash, hashes)
                seg, seg_mode = self._segment(store, seg_settings, dedupe_mode, last_hash, hashes)
                audit = self._audit(store, seg["as_of"])
                from custfocus.pipeline.snapshot import collect_kpis, save_snapshot

                kpis = collect_kpis(audit, seg["kpis"])
                previous = store.query_value(
                    "SELECT kpis FROM pipeline_runs ORDER BY run_id DESC LIMIT 1")
                run_id = save_snapshot(
                    store, started_at=self.started, as_of=seg["as_of"], imported=imported,
                    unchanged=unchanged, dedupe_run=dedupe_run, segment_run=seg["run_id"],
                    settings_hash=json.dumps(hashes, sort_keys=True), kpis=kpis,
                    summary={"dedupe": dedupe_mode, "segment": seg_mode})
                sizes = json.loads(store.query_value(
                    "SELECT segment_sizes FROM pipeline_runs WHERE run_id = ?", [run_id]))
                self._step("snapshot", run_id=run_id)
                if self.processing is not None:  # the run reads customers, whatever its steps
                    self.processing.rows_read = kpis["distinct_customers"]
            # Committed: from here on a failure leaves the run recorded and old files in place.
            if dedupe_mode == "full":  # see custfocus.dedupe.run._settle
                store.execute("CHECKPOINT")
            results = evaluate(audit, rules)
            outputs = self._outputs(store, audit, results)
        breached = [r.threshold.text for r in results if r.breached]
        return RunResult(
            run_id=run_id, status="findings" if breached else "ok", as_of=seg["as_of"],
            imported=imported, unchanged=unchanged, dedupe=dedupe_mode, segment=seg_mode,
            customers=int(kpis["distinct_customers"]) if kpis["distinct_customers"] is not None
            else None, kpis=kpis, previous_kpis=json.loads(previous) if previous else None,
            segment_sizes=sizes, breached=breached, outputs=outputs,
            seconds=round(time.perf_counter() - self.clock, 2))

    # -- steps ------------------------------------------------------------------------
    def _step(self, name: str, **fields: Any) -> None:
        self.log.step(name, "ok", **fields)

    def _files(self) -> list[Path]:
        from custfocus.ingest.readers import discover_files

        given: list[Path] = []
        for pattern in self.s["run.paths"]:
            path = Path(pattern).expanduser()
            path = path if path.is_absolute() else self.workdir / path
            if any(c in pattern for c in "*?["):
                matches = sorted(glob.glob(str(path), recursive=True))
                if not matches:
                    raise UsageError(f"run.paths: nothing matches '{pattern}'")
                given += [Path(m) for m in matches]
            else:
                given.append(path)
        out_dir = (self.workdir / self.s["outputs.dir"]).resolve()
        files = [f for f in discover_files(given)
                 if out_dir not in f.resolve().parents]  # never re-import our own exports
        if not files:
            raise UsageError("run.paths holds no supported files (csv, xlsx, xls, ods, parquet, "
                             "json); set [run] paths in custfocus.toml")
        return files

    def _import(self, store: Store, files: list[Path]) -> tuple[list[str], list[str]]:
        from custfocus.ingest.importer import ImportOptions, import_paths
        from custfocus.ingest.readers._scan import scan_bytes

        imported: list[str] = []
        unchanged: list[str] = []
        rows = 0
        for path in files:
            # Cheap check first: a file whose bytes are already imported is not even parsed.
            digest = scan_bytes(path).sha256
            if store.query_value("SELECT count(*) FROM imports WHERE status = 'active' AND "
                                 "file = ? AND content_hash = ?", [path.name, digest]):
                unchanged.append(path.name)
                continue
            own = source_settings(self.config, path.name, None)
            options = ImportOptions(source=own.get("name"), append=own.get("mode") == "append",
                                    config=self.config, workers=self.workers,
                                    strict=self.s["import.strict"])
            result = import_paths(store, [path], options)
            for table in result.tables:
                if table.status in ("imported", "replaced"):
                    imported.append(table.source)
                    rows += table.rows_read
                elif table.status == "unchanged":
                    unchanged.append(table.source)
        self._step("import", files=len(files), changed=len(imported),
                   unchanged=len(unchanged), rows=rows, sources=imported)
        return imported, unchanged

    def _match_settings(self) -> dict[str, Any]:
        return {k: v for k, v in self.s.items() if k.startswith("match.")}

    def _dedupe(self, store: Store, imported: list[str], last_hash: dict[str, Any],
                hashes: dict[str, Any]) -> tuple[str, int | None]:
        from custfocus.config import dedupe_settings
        from custfocus.dedupe.run import dedupe

        latest = store.query_value("SELECT max(run_id) FROM dedupe_runs WHERE stats IS NOT NULL")
        settings_changed = bool(last_hash) and last_hash.get("match") != hashes["match"]
        if latest is not None and not imported and not settings_changed:
            self._step("dedupe", mode="skipped")
            return "skipped", int(latest)
        result = dedupe(store, full=settings_changed, settings=dedupe_settings(self.s))
        self._step("dedupe", mode=result.mode, records=result.records,
                   customers=result.customers, new_ids=result.new_ids)
        return result.mode, result.run_id

    def _segment_settings(self) -> Any:
        from custfocus.segment.tiers import load_settings

        return load_settings(None, **self.config.get("segment", {}))

    def _as_of(self) -> date | None:
        text = self.s["run.as_of"]
        if text == "data":
            return None
        if text == "today":
            return date.today()
        from custfocus.config import reference_date

        try:
            return reference_date(text, self.s["run.lang"])
        except UsageError as exc:
            raise UsageError(f"run.as_of must be data, today or YYYY-MM-DD: {exc}") from None

    def _segment(self, store: Store, settings: Any, dedupe_mode: str,
                 last_hash: dict[str, Any], hashes: dict[str, Any]
                 ) -> tuple[dict[str, Any], str]:
        from custfocus.segment import segment_customers

        as_of = self._as_of()
        last = store.query_dicts(
            "SELECT run_id, as_of, summary FROM segment_runs ORDER BY run_id DESC LIMIT 1")
        if (last and dedupe_mode == "skipped" and last_hash.get("segment") == hashes["segment"]
                and last_hash.get("as_of") == hashes["as_of"]
                and (as_of is None or last[0]["as_of"] == as_of)):
            summary = json.loads(last[0]["summary"])
            self._step("segment", mode="reused", segment_run=last[0]["run_id"])
            return {"run_id": last[0]["run_id"], "as_of": last[0]["as_of"],
                    "kpis": summary.get("kpis", [])}, "reused"
        result = segment_customers(store, as_of=as_of, settings=settings)
        self._step("segment", mode="computed", customers=result.customers,
                   segment_run=result.run_id)
        return {"run_id": result.run_id, "as_of": result.as_of, "kpis": result.kpis}, "computed"

    def _audit(self, store: Store, as_of: date) -> Any:
        from custfocus.audit import run_audit

        report = run_audit(store, as_of=as_of, lang=self.s["run.lang"],
                           mask=self.s["outputs.mask"])
        self._step("audit", status_light=report.status)
        return report

    def _outputs(self, store: Store, audit: Any, thresholds: list[Any]) -> list[str]:
        from custfocus.pipeline.outputs import write_outputs

        written = write_outputs(store, self.s, self.workdir, audit, thresholds)
        self._step("outputs", files=len(written))
        return [str(p) for p in written] + self._postgres(store)

    def _postgres(self, store: Store) -> list[str]:
        """The ``outputs.postgres`` upserts; logged by table with the server's password-free
        description (the connection string itself never reaches the log)."""
        from custfocus.pipeline.outputs import export_to_postgres_outputs

        done = export_to_postgres_outputs(store, self.s)
        for result in done:
            self._step("postgres", target=result.target, table=result.table, rows=result.rows,
                       inserted=result.inserted, updated=result.updated,
                       retired=result.retired)
        return [f"{result.target} ({result.table})" for result in done]


def _hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


__all__ = ["RunResult", "run_pipeline"]
