"""``custfocus segment`` (``custfocus export segments`` is one case of ``export``)."""

from __future__ import annotations

from typing import Annotated

import typer

from custfocus.cli._common import (
    AS_OF_HELP,
    DEFAULT_DB,
    DbOption,
    DebugOption,
    JsonOption,
    LangOption,
    QuietOption,
    handle_errors,
    log_with_writes,
    parse_as_of,
    resolve_lang,
)


def segment_command(
    ctx: typer.Context,
    db: DbOption = DEFAULT_DB,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help=AS_OF_HELP + " Later transactions are ignored.",
        ),
    ] = None,
    horizon: Annotated[
        int | None,
        typer.Option("--horizon", help="Lifetime-value horizon in months (default 12).", min=1),
    ] = None,
    discount_rate: Annotated[
        float | None,
        typer.Option(
            "--discount-rate", help="Annual discount rate for lifetime value (default 0.10)."
        ),
    ] = None,
    lang: LangOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Segment customers by value and need, with actions, KPIs and predicted value.

    Settings under \\[segment] in custfocus.toml (tiers, rules, need weights).

    Example: custfocus segment --as-of 2024-12-31 --json > segments.json
    """
    from custfocus.report.console import print_json, stdout_console
    from custfocus.report.segment import render_segment, segment_as_dict
    from custfocus.segment import load_settings, segment_customers
    from custfocus.store import Store

    code = resolve_lang(lang)
    day = parse_as_of(as_of, code)
    with handle_errors(debug):
        settings = load_settings(
            "custfocus.toml", horizon_months=horizon, discount_rate=discount_rate
        )
        with Store(db, must_exist=True) as store:
            log_with_writes(store, ctx)
            result = segment_customers(store, as_of=day, settings=settings)
        if json_output:
            print_json(segment_as_dict(result, code))
        elif not quiet:
            render_segment(result, stdout_console(), code)
