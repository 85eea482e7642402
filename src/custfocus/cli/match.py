"""``custfocus dedupe`` and ``custfocus export``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from custfocus.cli._common import (
    CONFIG,
    DEFAULT_DB,
    ConfigOption,
    DbOption,
    DebugOption,
    JsonOption,
    LangOption,
    MaskOption,
    QuietOption,
    handle_errors,
    log_use,
    log_with_writes,
    resolve_lang,
    show_progress,
)
from custfocus.errors import UsageError


def dedupe_command(
    ctx: typer.Context,
    db: DbOption = DEFAULT_DB,
    full: Annotated[bool, typer.Option("--full", help="Rebuild from scratch instead of comparing only new records.")] = False,
    retrain: Annotated[bool, typer.Option("--retrain", help="Fit the match model again, then rebuild (implies --full).")] = False,
    match_threshold: Annotated[float | None, typer.Option("--match-threshold", min=0.0, max=1.0, help="Merge pairs from this match probability; overrides the match.match_threshold setting.")] = None,
    review_threshold: Annotated[float | None, typer.Option("--review-threshold", min=0.0, max=1.0, help="List pairs for review from this probability; overrides the match.review_threshold setting.")] = None,
    engine: Annotated[str | None, typer.Option("--engine", help="Where a full run blocks, compares and scores: embedded or spark (Apache Spark; needs pip install 'custfocus\\[spark]' and Java); overrides the match.engine setting.")] = None,
    spark_master: Annotated[str | None, typer.Option("--spark-master", help="Spark master URL for --engine spark: local[*] (default), spark://host:7077, yarn, k8s://https://host or sc://host:15002 (Spark Connect); overrides match.spark_master.")] = None,
    show_model: Annotated[bool, typer.Option("--show-model", help="Print the match model of the last run (m, u and bits per level, prior, block models, value-count ranges) without matching.")] = False,
    lang: Annotated[str | None, typer.Option("--lang", help="Language of the output (and of --show-model): es, pt or en (default: the run.lang setting of custfocus.toml or CUSTFOCUS_LANG, else en).")] = None,
    config_path: ConfigOption = CONFIG,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Match every record into customers: one master with stable ids.

    Settings come from the match section of custfocus.toml, then CUSTFOCUS_MATCH_*
    variables, then the options, as in custfocus run. --show-model prints the model the last
    run fitted, without matching (exit 3 when the store was never deduped).

    Example: custfocus dedupe --json > dedupe.json; custfocus dedupe --show-model --lang es
    """
    from custfocus.config import dedupe_settings, load_config, resolve_settings
    from custfocus.dedupe.run import dedupe
    from custfocus.report.console import print_json, stderr_console, stdout_console
    from custfocus.report.dedupe import dedupe_as_dict, render_dedupe
    from custfocus.store import Store

    with handle_errors(debug):
        values = resolve_settings(load_config(config_path), flags={
            "match.match_threshold": match_threshold,
            "match.review_threshold": review_threshold,
            "match.engine": engine, "match.spark_master": spark_master,
            "run.lang": resolve_lang(lang) if lang else None})
        if show_model:
            if full or retrain or match_threshold is not None or review_threshold is not None:
                raise UsageError("--show-model only prints the last run's model; it cannot be "
                                 "combined with --full, --retrain or the thresholds")
            _print_model(db, values["run.lang"], json_output, quiet)
            return
        settings = dedupe_settings(values)
        progress = None
        if show_progress(json_output, quiet):
            console = stderr_console()
            progress = lambda stage: console.print(f"[dim]{stage}...[/]")  # noqa: E731
        with Store(db, must_exist=True) as store:
            log_with_writes(store, ctx)
            result = dedupe(store, full=full, retrain=retrain, settings=settings,
                                     progress=progress)
        if json_output:
            print_json(dedupe_as_dict(result))
        elif not quiet:
            render_dedupe(result, stdout_console(), values["run.lang"])


def _print_model(db: Path, lang: str, json_output: bool, quiet: bool) -> None:
    """``dedupe --show-model``: read the kept model, print it as JSON or tables."""
    from custfocus.report.console import print_json, stdout_console
    from custfocus.report.dedupe import (
        fitted_model_as_dict,
        load_fitted_model,
        render_fitted_model,
    )
    from custfocus.store import Store

    with Store(db, read_only=True) as store:
        fitted = load_fitted_model(store)
    if json_output:
        print_json(fitted_model_as_dict(fitted))
    elif not quiet:
        render_fitted_model(fitted, stdout_console(), lang)


def export_command(
    ctx: typer.Context,
    what: Annotated[str, typer.Argument(help="master, xref, clusters, pairs or segments.")],
    db: DbOption = DEFAULT_DB,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="csv, xlsx, parquet or json (default: from -o, else csv).")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Language of the segments export (names, actions, sheets): es, pt or en (default: from $LANG).")] = None,
    mask: Annotated[bool, typer.Option("--mask", help="Mask personal values: j***@gmail.com, +34 6** *** 678, names as initials, tax ids but their last 3 characters.")] = False,
    pseudonymise: Annotated[bool, typer.Option("--pseudonymise", help="Replace identifiers (customer id, e-mail, phone, tax id, customer code) with keyed HMAC-SHA256 tokens and hide names, street and birth date; exports made with the same key join.")] = False,
    key_file: Annotated[Path | None, typer.Option("--key-file", help="File holding the pseudonym key (default: the CUSTFOCUS_SECRET variable); never stored.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Upsert master, xref or segments into PostgreSQL instead of writing a file: a postgresql://USER@HOST/DB string (keep the password in PGPASSWORD or ~/.pgpass; it is never shown).", show_default=False)] = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Export the customer master or the cross-reference of every source row.

    With --to, the rows are upserted into a PostgreSQL table (custfocus_master, custfocus_xref
    or custfocus_segments) in one transaction; rows no longer exported are marked retired.

    Example: custfocus export xref -o xref.csv; CUSTFOCUS_SECRET=... custfocus export master --pseudonymise -o master.csv; custfocus export master --to postgresql://crm@db/crm
    """
    from custfocus.export import export
    from custfocus.i18n import count, message
    from custfocus.store import Store

    code = resolve_lang(lang)
    with handle_errors(debug):
        if key_file is not None and not pseudonymise:
            raise UsageError("--key-file goes with --pseudonymise")
        if pseudonymise:
            from custfocus.pseudonyms import load_key

            key = load_key(key_file)
        else:
            key = None
    with handle_errors(debug), Store(db, read_only=True) as store:
        if to is not None:
            if mask or pseudonymise:
                raise UsageError("--to sends the master itself to PostgreSQL; --mask and "
                                 "--pseudonymise are for files")
            rows = _export_to_postgres(store, what, to, output, fmt, code, quiet)
        elif what == "segments":  # one sheet per segment in xlsx
            from custfocus.segment import export_segments

            rows = export_segments(store, output, fmt, code, mask=mask, pseudonym_key=key)
        else:
            rows = export(store, what, output, fmt, mask=mask, pseudonym_key=key)
    with handle_errors(debug):
        log_use(db, ctx, rows_exported=rows)
        if output is not None and to is None and not quiet:
            typer.echo(message("wrote_rows", code, rows=count(rows, "row", code), path=output),
                       err=True)


def _export_to_postgres(store: Any, what: str, dsn: str, output: Path | None,
                        fmt: str | None, lang: str, quiet: bool) -> int:
    """``export --to postgresql://…``: upsert, then one line on stderr naming the server;
    returns the rows exported."""
    from custfocus.export.postgres import export_to_postgres
    from custfocus.i18n import count, fmt_int, message

    if output is not None or fmt is not None:
        raise UsageError("--to sends the rows to PostgreSQL; it cannot be combined with "
                         "--output or --format")
    result = export_to_postgres(store, what, dsn, lang)
    if not quiet:
        typer.echo(message("upserted", lang, rows=count(result.rows, "row", lang),
                           table=result.table, target=result.target,
                           inserted=fmt_int(result.inserted, lang),
                           updated=fmt_int(result.updated, lang),
                           retired=fmt_int(result.retired, lang)), err=True)
    return result.rows


def explain_command(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="A customer id such as C000123.")],
    db: DbOption = DEFAULT_DB,
    lang: LangOption = None,
    mask: Annotated[bool, typer.Option("--mask", help="Mask the members' personal values (j***@gmail.com, +34 6** *** 678, initials).")] = False,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Why these records are one customer: members with provenance and the evidence per link.

    Example: custfocus explain C000123 --lang es
    """
    from custfocus.dedupe.explain import explain_customer
    from custfocus.report.console import print_json, stdout_console
    from custfocus.report.dedupe import render_explanation
    from custfocus.store import Store

    with handle_errors(debug), Store(db, read_only=True) as store:
        code = resolve_lang(lang)
        explanation = explain_customer(store, customer_id, code)
        if mask:
            from custfocus.masking import mask_row

            explanation.members = [mask_row(m) for m in explanation.members]
    with handle_errors(debug):
        log_use(db, ctx, rows_read=len(explanation.members))
        if json_output:
            print_json(explanation)
        else:
            render_explanation(explanation, stdout_console(), code)


review_app = typer.Typer(no_args_is_help=True, help="Send borderline pairs to people and read their decisions back.")


@review_app.command("export")
def review_export_command(
    ctx: typer.Context,
    db: DbOption = DEFAULT_DB,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="xlsx or csv file (default: csv on stdout).")] = None,
    lang: LangOption = None,
    mask: MaskOption = False,
    debug: DebugOption = False,
) -> None:
    """Write the pairs to review, with a 'decision' column to fill with same/different.

    Example: custfocus review export -o dudosos.xlsx
    """
    from custfocus.dedupe.review import export_review
    from custfocus.store import Store

    with handle_errors(debug), Store(db, read_only=True) as store:
        code = resolve_lang(lang)
        rows = export_review(store, output, lang=code, mask=mask)
    with handle_errors(debug):
        log_use(db, ctx, rows_exported=rows)
        if output is not None:
            from custfocus.i18n import count, message

            typer.echo(message("wrote_pairs", code, pairs=count(rows, "pair_to_review", code),
                               path=output), err=True)


@review_app.command("import")
def review_import_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The reviewed xlsx or csv file.")],
    db: DbOption = DEFAULT_DB,
    lang: LangOption = None,
    debug: DebugOption = False,
) -> None:
    """Store reviewed decisions as rules every later dedupe honours (then run dedupe).

    Example: custfocus review import dudosos.xlsx && custfocus dedupe
    """
    from custfocus.dedupe.review import import_review
    from custfocus.store import Store

    with handle_errors(debug), Store(db, must_exist=True) as store:
        log_with_writes(store, ctx)
        result = import_review(store, path)
        from custfocus.i18n import fmt_int, message

        code = resolve_lang(lang)
        typer.echo(message("review_imported", code, same=fmt_int(result.same, code),
                           different=fmt_int(result.different, code),
                           undecided=fmt_int(result.undecided, code)), err=True)
