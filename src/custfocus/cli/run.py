"""``custfocus init``, ``run``, ``history``, ``baseline`` and ``report``: the scheduled job."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from custfocus.cli._common import (
    CONFIG,
    ConfigOption,
    DebugOption,
    JsonOption,
    LangOption,
    MaskOption,
    QuietOption,
    command_name,
    given_options,
    handle_errors,
    log_use,
    resolve_lang,
)

RunDbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Workspace store; overrides \\[run] db and CUSTFOCUS_DB."),
]


def _settings(config_path: Path, **flags: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    from custfocus.config import load_config, resolve_settings

    config = load_config(config_path)
    return resolve_settings(config, flags=flags), config


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (cron timeouts, systemd stop) rolls back like Ctrl-C: exit 130, store intact."""
    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (tests): nothing to install
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def init_command(
    folder: Annotated[Path, typer.Argument(help="Workspace folder holding the exports.")] = Path("."),
    lang: LangOption = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing custfocus.toml.")] = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Write a commented custfocus.toml listing the data files found in FOLDER.

    Example: cd /srv/clientes && custfocus init --lang es
    """
    from custfocus.pipeline.init import write_config

    with handle_errors(debug):
        if lang and lang.lower()[:2] not in {"es", "pt", "en"}:
            raise typer.BadParameter(f"unknown language '{lang}'", param_hint="--lang")
        target, files = write_config(folder, lang=lang.lower()[:2] if lang else None, force=force)
        if not quiet:
            from custfocus.i18n import count, message

            code = resolve_lang(lang)
            typer.echo(message("wrote_config", code, path=target,
                               files=count(len(files), "source_file", code)), err=True)
            for f in files:
                typer.echo(f"  {f}", err=True)
            typer.echo(message("next_run", code), err=True)


def run_command(
    ctx: typer.Context,
    config_path: ConfigOption = CONFIG,
    db: RunDbOption = None,
    lang: LangOption = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="data (the default: the latest date in the data), today, YYYY-MM-DD or 30/06/2024 in es and pt; overrides \\[run] as_of.")] = None,
    output_dir: Annotated[Path | None, typer.Option("--output-dir", help="Where outputs go; overrides \\[outputs] dir.")] = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Import what changed, dedupe, segment, audit, record a snapshot and write the outputs.

    Never prompts. Exit codes: 0 ok, 1 a \\[run] fail_on threshold breached, 2 usage,
    3 bad input, 4 store, 5 another run holds the lock, 130 interrupted (nothing saved).

    Example: 15 2 * * *  cd /srv/clientes && custfocus run --quiet
    """
    from custfocus.errors import ExitCode
    from custfocus.ingest.convert import default_workers
    from custfocus.pipeline import run_pipeline
    from custfocus.report.console import print_json, stdout_console
    from custfocus.report.history import render_run

    with handle_errors(debug), _terminate_as_interrupt():
        settings, config = _settings(
            config_path, **{"run.db": str(db) if db else None,
                            "run.lang": lang.lower()[:2] if lang else None, "run.as_of": as_of,
                            "outputs.dir": str(output_dir) if output_dir else None})
        from custfocus.processing_log import Processing

        result = run_pipeline(settings, config, workers=default_workers(),
                              processing=Processing(command_name(ctx), given_options(ctx)))
        if json_output:
            print_json(result.as_dict())
        elif not quiet:
            render_run(result, stdout_console(), settings["run.lang"])
        for rule in result.breached:
            typer.echo(f"custfocus: run: threshold breached: {rule}", err=True)
        if result.breached:
            raise typer.Exit(int(ExitCode.FINDINGS))


def history_command(
    config_path: ConfigOption = CONFIG,
    db: RunDbOption = None,
    lang: LangOption = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="Show only the last N runs (and the baseline).")] = None,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """KPIs of every run against the baseline and the previous run, and segment migration.

    Example: custfocus history --lang es -n 30
    """
    from custfocus.pipeline import load_history
    from custfocus.report.console import print_json, stdout_console
    from custfocus.report.history import history_as_dict, render_history
    from custfocus.store import Store

    with handle_errors(debug):
        settings, _ = _settings(config_path, **{"run.db": str(db) if db else None,
                                                "run.lang": lang.lower()[:2] if lang else None})
        with Store(settings["run.db"], read_only=True) as store:
            history = load_history(store, limit)
        if json_output:
            print_json(history_as_dict(history))
        else:
            render_history(history, stdout_console(), settings["run.lang"])


baseline_app = typer.Typer(no_args_is_help=True, help="The run that trends are compared with.")


@baseline_app.command("set")
def baseline_set_command(
    run_id: Annotated[int | None, typer.Argument(help="Run number (default: the latest run).")] = None,
    config_path: ConfigOption = CONFIG,
    db: RunDbOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Mark a run as the baseline (by default the first run is).

    Example: custfocus baseline set 12
    """
    from custfocus.pipeline import set_baseline, workspace_lock
    from custfocus.store import Store

    with handle_errors(debug):
        settings, _ = _settings(config_path, **{"run.db": str(db) if db else None})
        with workspace_lock(settings["run.db"]), Store(settings["run.db"]) as store:
            chosen = set_baseline(store, run_id)
        if not quiet:
            typer.echo(f"baseline is now run {chosen}", err=True)


@baseline_app.command("show")
def baseline_show_command(
    config_path: ConfigOption = CONFIG,
    db: RunDbOption = None,
    debug: DebugOption = False,
) -> None:
    """Print the baseline run number.

    Example: custfocus baseline show
    """
    from custfocus.pipeline import baseline_run
    from custfocus.store import Store

    with handle_errors(debug):
        settings, _ = _settings(config_path, **{"run.db": str(db) if db else None})
        with Store(settings["run.db"], read_only=True) as store:
            typer.echo(str(baseline_run(store) or ""))


def report_command(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path("report.html"),
    config_path: ConfigOption = CONFIG,
    db: RunDbOption = None,
    lang: LangOption = None,
    mask: MaskOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """One self-contained HTML page: KPI trends, segments and the audit, with charts.

    Example: custfocus report --lang es -o informe.html
    """
    from custfocus.pipeline.report import write_report
    from custfocus.store import Store

    with handle_errors(debug):
        settings, _ = _settings(config_path, **{"run.db": str(db) if db else None,
                                                "run.lang": lang.lower()[:2] if lang else None})
        with Store(settings["run.db"], read_only=True) as store:
            write_report(store, output, settings["run.lang"], mask=mask)
        log_use(settings["run.db"], ctx)
        if not quiet:
            from custfocus.i18n import message

            typer.echo(message("wrote_report", settings["run.lang"], path=output), err=True)
