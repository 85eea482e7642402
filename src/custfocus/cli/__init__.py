"""The ``custfocus`` command line: parses options, calls the library, renders results."""

from __future__ import annotations

import inspect
from typing import Annotated, Any

import typer
import typer.core

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


def _command(name: str, function: Any) -> None:
    """Register a command; its line in the command list is its docstring's first paragraph
    as one line (Rich keeps a docstring's line breaks, which cut the list's sentences)."""
    first = inspect.cleandoc(function.__doc__ or "").split("\n\n")[0]
    app.command(name, short_help=" ".join(first.split()))(function)


def _no_type_for_flags(self: Any, ctx: Any) -> str | None:
    """A flag takes no value: --help shows no "<bool>" beside it."""
    return None if getattr(self, "is_flag", False) else _display_type(self, ctx)


_display_type = typer.core.TyperOption.display_type_rich
typer.core.TyperOption.display_type_rich = _no_type_for_flags

_command("import", import_command)
_command("sources", sources_command)
_command("rejects", rejects_command)
_command("mapping", mapping_command)
_command("forget", forget_command)
_command("subject-access", subject_access_command)
_command("customer", customer_command)
_command("dedupe", dedupe_command)
_command("export", export_command)
_command("explain", explain_command)
app.add_typer(review_app, name="review")
_command("audit", audit_command)
_command("segment", segment_command)
_command("init", init_command)
_command("run", run_command)
_command("history", history_command)
app.add_typer(baseline_app, name="baseline")
_command("report", report_command)
_command("serve", serve_command)


def main() -> None:
    app()


__all__ = ["app", "installed_version", "main"]
