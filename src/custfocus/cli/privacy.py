"""The data subject's rights: ``custfocus forget`` (erasure, GDPR art. 17) and
``custfocus subject-access`` (access and portability, GDPR arts. 15 and 20; LGPD art. 18)."""

from __future__ import annotations

import sys
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
    log_use,
    log_with_writes,
    resolve_lang,
)


def _counts(counts: dict[str, int], lang: str) -> str:
    """``3 registros, 3 filas originales``: what is (to be) erased, per table, in ``lang``."""
    from custfocus.i18n import TABLE_NOUNS, count

    return ", ".join(count(n, TABLE_NOUNS[table], lang) if table in TABLE_NOUNS
                     else f"{n:,} {table}" for table, n in counts.items() if n)


def forget_command(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="The person: a customer id, e-mail, phone, tax id, customer code or name.")],
    yes: Annotated[bool, typer.Option("--yes", help="Erase without asking (for scripts).")] = False,
    db: DbOption = DEFAULT_DB,
    lang: LangOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Forget a customer: erase their records, raw rows, facts, golden record, events and
    segment history, keep only keyed hashes of their identifiers so that the next import
    leaves them out, and rewrite the store so that no erased value remains in the file.

    Example: custfocus forget maria.garcia@example.es --yes
    """
    from custfocus.errors import UsageError
    from custfocus.i18n import count, message
    from custfocus.privacy import forget, one_customer
    from custfocus.report.console import print_json, stdout_console
    from custfocus.store import Store

    with handle_errors(debug), Store(db, must_exist=True) as store:
        code = resolve_lang(lang)
        customer_id = one_customer(store, query)
        plan = forget(store, customer_id, dry_run=True)
        console = stdout_console()
        if not yes:
            if json_output or quiet or not sys.stdin.isatty():
                raise UsageError(message("forget_needs_yes", code))
            console.print(message("forget_plan", code, customer=customer_id,
                                  counts=_counts(plan.counts, code)))
            typer.confirm(message("forget_confirm", code), abort=True)
        log_with_writes(store, ctx)
        done = forget(store, customer_id)
    with handle_errors(debug):
        if json_output:
            print_json({"customer_id": customer_id, "erased": done.counts,
                        "suppressed_identifiers": done.suppressed})
        elif not quiet:
            console.print(message("forgot", code, customer=customer_id,
                                  counts=_counts(done.counts, code),
                                  identifiers=count(done.suppressed, "identifier", code)))


def subject_access_command(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="The person: a customer id, e-mail, phone, tax id, customer code or name.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write: .json (default) or .xlsx.")],
    db: DbOption = DEFAULT_DB,
    lang: LangOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Write everything the store holds about one person: the golden record, every source
    record with its provenance, the raw rows they came from, facts, segment rows and
    matching events, as JSON or XLSX (by the file's suffix), readable by its owner only.

    Example: custfocus subject-access maria.garcia@example.es -o maria.json
    """
    from custfocus.access import subject_access, write_subject_access
    from custfocus.i18n import count, message
    from custfocus.privacy import one_customer
    from custfocus.store import Store

    with handle_errors(debug), Store(db, read_only=True) as store:
        customer_id = one_customer(store, query)
        data = subject_access(store, customer_id)
        rows = write_subject_access(data, output)
    with handle_errors(debug):
        log_use(db, ctx, rows_exported=rows)
        if not quiet:
            code = resolve_lang(lang)
            typer.echo(message("wrote_subject_access", code, rows=count(rows, "row", code),
                               customer=customer_id, path=output), err=True)
