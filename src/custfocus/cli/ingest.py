"""``custfocus import``, ``sources`` and ``rejects``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from custfocus.cli._common import (
    DEFAULT_DB,
    DbOption,
    DebugOption,
    JsonOption,
    LangOption,
    QuietOption,
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
    strict: Annotated[bool, typer.Option("--strict", help="Exit 3 when any row was rejected.")] = False,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Processes converting big files (default: one per core)."),
    ] = None,
    lang: LangOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Import customer files: every CSV, workbook sheet, Parquet or JSON file under PATHS.

    Example: custfocus import exports/ --map "Tel. fijo=phone2"
    """
    from custfocus.config import load_config
    from custfocus.ingest.convert import default_workers
    from custfocus.ingest.importer import ImportOptions, import_paths, parse_mapping
    from custfocus.report.console import print_json, row_progress, stdout_console
    from custfocus.report.imports import import_as_dict, render_import
    from custfocus.store import Store

    with handle_errors(debug):
        options = ImportOptions(
            source=source, unit=unit, mapping=parse_mapping(mapping or []), region=region,
            append=append, dry_run=dry_run, keep_going=keep_going, config=load_config(),
            workers=workers or default_workers(),
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
        if result.failures:
            if quiet:
                for failure in result.failures:
                    typer.echo(f"custfocus: error: {failure}", err=True)
            raise typer.Exit(int(ExitCode.BAD_INPUT))
        if strict and result.total("rejects"):
            raise typer.Exit(int(ExitCode.BAD_INPUT))


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
    from custfocus.ingest.importer import imports_summary
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
    json_output: JsonOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Show how each column of the imported sources is read, and fix a role: the source's
    records are derived again from the rows the store kept (the file is not needed).

    Example: custfocus mapping crm.csv --set "Razón social=full_name"
    """
    from custfocus.errors import UsageError
    from custfocus.ingest.importer import parse_mapping
    from custfocus.ingest.remap import remap_source, source_mappings
    from custfocus.report.console import print_json, stdout_console
    from custfocus.report.imports import import_as_dict, render_import
    from custfocus.store import Store

    with handle_errors(debug):
        changes = parse_mapping(set_roles or [])
        if (changes or clear) and source is None:
            raise UsageError("name the source whose columns to change (custfocus sources)")
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
            render_import(result, console)
        from rich.table import Table

        for m in mappings:
            table = Table(title=f"Columns of {m.source}", title_justify="left")
            for name in ("Column", "Role", "Confidence", "Why"):
                table.add_column(name)
            for col in m.columns:
                table.add_row(str(col.get("column")), col.get("role") or "(kept raw)",
                              f"{float(col.get('confidence') or 0):.0%}",
                              str(col.get("reason") or ""))
            console.print(table)
