"""``custfocus import``, ``sources`` and ``rejects``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from custfocus.cli import _common
from custfocus.cli._common import (
    DEFAULT_DB,
    DbOption,
    DebugOption,
    JsonOption,
    LangOption,
    QuietOption,
    YesOption,
    handle_errors,
    log_with_writes,
    resolve_lang,
    show_progress,
)
from custfocus.errors import ExitCode


def import_command(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to import.")],
    db: DbOption = DEFAULT_DB,
    source: Annotated[str | None, typer.Option(help="Name the source (default: the file name).")] = None,
    unit: Annotated[str | None, typer.Option(help="Business unit (default: from the file name).")] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help='Fix a column\'s role: "Tel. fijo=phone2" (remembered per source).'),
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="Default country for phones and ids (ES, BR, MX...).")
    ] = None,
    append: Annotated[bool, typer.Option("--append", help="Add to the source instead of replacing it.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be imported; save nothing.")] = False,
    keep_going: Annotated[
        bool,
        typer.Option("--keep-going", help="Import the good files even if some fail (default: all or nothing)."),
    ] = False,
    show_mapping: Annotated[bool, typer.Option("--show-mapping", help="Show each column's role.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 3, storing nothing, when a file has rejected rows or no name, identifier or amount; overrides \\[import] strict.")] = False,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Processes converting big files (default: one per core)."),
    ] = None,
    lang: LangOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
    yes: YesOption = False,
    debug: DebugOption = False,
) -> None:
    """Import customer files: every CSV, workbook sheet, Parquet or JSON file under PATHS.

    On a terminal, the first import of a file asks about the columns read with less than
    90% confidence (not with --yes, --quiet or --json); the answers are remembered.

    Example: custfocus import exports/ --map "Tel. fijo=phone2"
    """
    from custfocus.config import load_config, resolve_settings
    from custfocus.ingest.convert import default_workers
    from custfocus.ingest.importer import ImportOptions, import_paths, parse_mapping
    from custfocus.report.console import print_json, row_progress, stdout_console
    from custfocus.report.imports import import_as_dict, render_import
    from custfocus.store import Store

    with handle_errors(debug):
        config = load_config()
        settings = resolve_settings(config, flags={"import.strict": strict or None})
        options = ImportOptions(
            source=source, unit=unit, mapping=parse_mapping(mapping or []), region=region,
            append=append, dry_run=dry_run, keep_going=keep_going, config=config,
            workers=workers or default_workers(), strict=settings["import.strict"],
        )
        # A dry run writes to a throwaway copy: no file created, the real one byte-identical.
        opened = Store.scratch_copy(db) if dry_run else Store(db)
        with opened as store, row_progress(show_progress(json_output, quiet)) as progress:
            if not dry_run:
                log_with_writes(store, ctx)
            result = import_paths(store, paths, options, progress)
        if json_output:
            print_json(import_as_dict(result))
        elif not quiet:
            render_import(result, stdout_console(), show_mapping=show_mapping,
                          lang=resolve_lang(lang))
            if not (yes or dry_run) and _common.is_terminal():
                _ask_unsure_roles(ctx, db, result, options, resolve_lang(lang))
        if result.failures:
            if quiet:
                for failure in result.failures:
                    typer.echo(f"custfocus: error: {failure}", err=True)
            raise typer.Exit(int(ExitCode.BAD_INPUT))


def _ask_unsure_roles(ctx: typer.Context, db: Path, result: object, options: object,
                      lang: str) -> None:
    """Ask about the unsure columns of each source imported for the first time, and set the
    answers as ``custfocus mapping --set`` does (remembered; records derived again)."""
    from custfocus.ingest.remap import remap_source
    from custfocus.ingest.roles import ROLES
    from custfocus.report.ask import ask_roles, unsure_columns
    from custfocus.report.console import stdout_console
    from custfocus.report.imports import render_import
    from custfocus.store import Store

    console = stdout_console()
    roles = sorted(ROLES)
    for table in result.tables:  # type: ignore[attr-defined]
        unsure = unsure_columns(table.mapping) if table.status == "imported" else []
        if not unsure:
            continue
        changes = ask_roles(console, table.source, unsure, roles, lang)
        if changes:
            with Store(db) as store:
                log_with_writes(store, ctx)  # remap_source counts its rows into it
                remapped = remap_source(store, table.source, changes, [], options)  # type: ignore[arg-type]
            render_import(remapped, console, lang=lang)


def rejects_command(
    db: DbOption = DEFAULT_DB,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
    lang: LangOption = None,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """List rows that could not be used, with the reason and where they are.

    Example: custfocus rejects --source soporte.csv
    """
    from custfocus.report.console import print_json, stdout_console
    from custfocus.store import Store

    with handle_errors(debug), Store(db, read_only=True) as store:
        sql = "SELECT source, row, \"column\", reason FROM rejects"
        params: list[object] = []
        if source:
            sql += " WHERE source = ?"
            params.append(source)
        rows = store.query_dicts(sql + " ORDER BY source, row LIMIT ?", [*params, limit])
        if json_output:
            print_json(rows)
            return
        from custfocus.report.imports import render_rejects

        render_rejects(rows, stdout_console(), resolve_lang(lang))


def sources_command(
    db: DbOption = DEFAULT_DB,
    lang: LangOption = None,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """List the imported sources with their business unit and counts.

    Example: custfocus sources --json
    """
    from custfocus.ingest.sources import imports_summary
    from custfocus.report.console import print_json, stdout_console
    from custfocus.store import Store

    with handle_errors(debug), Store(db, read_only=True) as store:
        rows = imports_summary(store)
        if json_output:
            print_json(rows)
            return
        from custfocus.report.imports import render_sources

        render_sources(rows, stdout_console(), resolve_lang(lang))


def mapping_command(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Argument(help="A source (see custfocus sources); default: every source.")] = None,
    set_roles: Annotated[
        list[str] | None,
        typer.Option("--set", help='Set a column\'s role: "Razón social=full_name" ("=ignore" to leave it out).'),
    ] = None,
    clear: Annotated[
        list[str] | None, typer.Option("--clear", help="Give a column back its guessed role.")
    ] = None,
    db: DbOption = DEFAULT_DB,
    lang: LangOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Show how each column of the imported sources is read, and fix a role: the source's
    records are derived again from the rows the store kept (the file is not needed).

    Example: custfocus mapping crm.csv --set "Razón social=full_name"
    """
    from custfocus.errors import UsageError
    from custfocus.i18n import message
    from custfocus.ingest.importer import parse_mapping
    from custfocus.ingest.remap import remap_source, source_mappings
    from custfocus.report.console import print_json, stdout_console
    from custfocus.report.imports import import_as_dict, render_import, render_mapping
    from custfocus.store import Store

    with handle_errors(debug):
        code = resolve_lang(lang)
        changes = parse_mapping(set_roles or [])
        if (changes or clear) and source is None:
            raise UsageError(message("mapping_needs_source", code))
        with Store(db, read_only=not (changes or clear), must_exist=True) as store:
            result = None
            if changes or clear:
                from custfocus.config import load_config
                from custfocus.ingest.importer import ImportOptions

                log_with_writes(store, ctx)
                result = remap_source(store, source, changes, clear or [],
                                      ImportOptions(config=load_config()))
            mappings = source_mappings(store, source)
        if json_output:
            print_json({"sources": [{"source": m.source, "columns": m.columns,
                                     "set_by_user": m.overrides} for m in mappings],
                        **({"import": import_as_dict(result)} if result else {})})
            return
        if quiet:
            return
        console = stdout_console()
        if result is not None:
            render_import(result, console, lang=code)
        for m in mappings:
            render_mapping(m.source, m.columns, console, code)
