"""``custfocus forget``: erase a person, at their request (GDPR art. 17, LGPD art. 18)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from custfocus.cli._common import (
    DEFAULT_DB,
    DbOption,
    DebugOption,
    JsonOption,
    QuietOption,
    handle_errors,
)


def forget_command(
    query: Annotated[str, typer.Argument(help="The person: a customer id, e-mail, phone, tax id, customer code or name.")],
    yes: Annotated[bool, typer.Option("--yes", help="Erase without asking (for scripts).")] = False,
    db: DbOption = DEFAULT_DB,
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
    from custfocus.privacy import find_customers, forget
    from custfocus.report.console import print_json, stdout_console
    from custfocus.store import Store

    with handle_errors(debug), Store(db) as store:
        found = find_customers(store, query)
        exact = [m for m in found if m.score == 1.0]
        if len(exact) != 1:
            shown = ", ".join(f"{m.customer_id} ({m.by}, {m.score:.0%})" for m in found[:10])
            raise UsageError("the query must name exactly one customer; "
                             + (f"it names {len(found)}: {shown}" if found
                                else "it names none") + " (use the customer id)")
        customer_id = exact[0].customer_id
        plan = forget(store, customer_id, dry_run=True)
        console = stdout_console()
        if not yes:
            if json_output or quiet or not sys.stdin.isatty():
                raise UsageError("forgetting a customer needs --yes when nobody can be asked")
            console.print(f"{customer_id}: " + ", ".join(
                f"{n:,} {table}" for table, n in plan.counts.items() if n))
            typer.confirm("Erase all of it for good?", abort=True)
        done = forget(store, customer_id)
        if json_output:
            print_json({"customer_id": customer_id, "erased": done.counts,
                        "suppressed_identifiers": done.suppressed})
        elif not quiet:
            console.print(f"forgot {customer_id}: " + ", ".join(
                f"{n:,} {table}" for table, n in done.counts.items() if n)
                + f"; {done.suppressed} identifier(s) on the suppression list; "
                "run custfocus dedupe to rebuild the matches")
