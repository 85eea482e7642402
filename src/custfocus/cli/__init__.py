"""The ``custfocus`` command line: parses options, calls the library, renders results."""

from __future__ import annotations

from typing import Annotated

import typer

from custfocus.cli.audit import audit_command
from custfocus.cli.contact import customer_command
from custfocus.cli.ingest import import_command, mapping_command, rejects_command, sources_command
from custfocus.cli.match import dedupe_command, explain_command, export_command, review_app
from custfocus.cli.privacy import forget_command, subject_access_command
from custfocus.cli.run import (
    baseline_app,
    history_command,
    init_command,
    report_command,
    run_command,
)
from custfocus.cli.segment import segment_command
from custfocus.cli.serve import serve_command

app = typer.Typer(
    name="custfocus",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals hold customer data
    add_completion=False,
    # -h as well as --help, on every command (click hands it down to subcommands).
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Customer-data hygiene and analysis: one customer master from every departmental file.",
)


def installed_version() -> str:
    """The version pip installed (package metadata), else the one in the source tree."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("custfocus")
    except PackageNotFoundError:  # run from a checkout without installing
        from custfocus import __version__

        return __version__


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"custfocus {installed_version()}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_print_version, is_eager=True,
                     help="Print the version and exit."),
    ] = False,
) -> None:
    """Options that apply before any command (--version)."""
app.command("import")(import_command)
app.command("sources")(sources_command)
app.command("rejects")(rejects_command)
app.command("mapping")(mapping_command)
app.command("forget")(forget_command)
app.command("subject-access")(subject_access_command)
app.command("customer")(customer_command)
app.command("dedupe")(dedupe_command)
app.command("export")(export_command)
app.command("explain")(explain_command)
app.add_typer(review_app, name="review")
app.command("audit")(audit_command)
app.command("segment")(segment_command)
app.command("init")(init_command)
app.command("run")(run_command)
app.command("history")(history_command)
app.add_typer(baseline_app, name="baseline")
app.command("report")(report_command)
app.command("serve")(serve_command)


def main() -> None:
    app()


__all__ = ["app", "installed_version", "main"]
