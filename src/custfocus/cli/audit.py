"""``custfocus audit``: the customer-knowledge checklist, answered with figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from custfocus.cli._common import (
    AS_OF_HELP,
    DEFAULT_DB,
    DbOption,
    DebugOption,
    JsonOption,
    LangOption,
    MaskOption,
    QuietOption,
    handle_errors,
    log_use,
    parse_as_of,
    resolve_lang,
)

FORMATS = ("terminal", "json", "markdown", "html", "xlsx")
_SUFFIXES = {
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xlsx": "xlsx",
}


def audit_command(
    ctx: typer.Context,
    db: DbOption = DEFAULT_DB,
    lang: LangOption = None,
    json_output: JsonOption = False,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="terminal, json, markdown, html or xlsx (default: from -o, else terminal).",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: stdout; xlsx needs a file)."),
    ] = None,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a figure crosses a threshold, e.g. 'duplicate_rate>0.05' (repeatable).",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help=AS_OF_HELP),
    ] = None,
    mask: MaskOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Answer the eight customer-knowledge questions with figures and traffic lights.

    Example: custfocus audit --lang es --format html -o audit.html --fail-on "stale_24m>30%"
    """
    from custfocus.audit import evaluate, parse_threshold, run_audit
    from custfocus.errors import ExitCode
    from custfocus.store import Store

    language = resolve_lang(lang)
    kind = _output_format(json_output, fmt, output)
    reference = parse_as_of(as_of, language)
    with handle_errors(debug):
        rules = [parse_threshold(r) for r in fail_on or []]
        with Store(db, read_only=True) as store:
            report = run_audit(store, as_of=reference, lang=language, mask=mask)
        log_use(db, ctx)
        results = evaluate(report, rules)
        _emit(report, results, kind, output, quiet)
        breached = [r for r in results if r.breached]
        for r in breached:
            typer.echo(
                f"custfocus: audit: threshold breached: {r.threshold.text} (actual {r.actual:g})",
                err=True,
            )
        if breached:
            raise typer.Exit(int(ExitCode.FINDINGS))


def _output_format(json_output: bool, fmt: str | None, output: Path | None) -> str:
    if json_output:
        if fmt and fmt.lower() != "json":
            raise typer.BadParameter("--json and --format disagree", param_hint="--format")
        return "json"
    if fmt:
        kind = {"md": "markdown", "text": "terminal"}.get(fmt.lower(), fmt.lower())
        if kind not in FORMATS:
            raise typer.BadParameter(
                f"unknown format '{fmt}'; use {', '.join(FORMATS)}", param_hint="--format"
            )
    else:
        kind = _SUFFIXES.get(output.suffix.lower(), "terminal") if output else "terminal"
    if kind == "xlsx" and output is None:
        raise typer.BadParameter(
            "xlsx output needs a file: add -o FILE.xlsx", param_hint="--output"
        )
    return kind


def _emit(report, results, kind: str, output: Path | None, quiet: bool) -> None:  # type: ignore[no-untyped-def]
    """Render to stdout or write a file atomically (the renderers are in ``report``)."""
    from custfocus.export._write import write_atomic
    from custfocus.report import audit as render
    from custfocus.report.console import dumps, stdout_console

    if kind == "xlsx":
        render.write_audit_xlsx(report, output, results)  # type: ignore[arg-type]
    elif kind == "terminal" and output is None:
        if not quiet:
            render.render_audit(report, stdout_console(), results)
        return
    else:
        if kind == "json":
            text = dumps(render.audit_as_dict(report, results)) + "\n"
        elif kind == "html":
            from custfocus.report.html import audit_html

            text = audit_html(report, results)
        elif kind == "markdown":
            text = render.audit_markdown(report, results)
        else:  # the terminal layout saved to a file: plain text, no colours
            text = render.audit_text(report, results)
        if output is None:
            typer.echo(text, nl=False)
            return
        write_atomic(output, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    if not quiet:
        from custfocus.i18n import message

        typer.echo(message("wrote_audit", report.lang, path=output), err=True)
