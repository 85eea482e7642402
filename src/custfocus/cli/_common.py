"""Shared CLI pieces: option types, the console, and mapping library errors to exit codes."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from custfocus.errors import CustfocusError, ExitCode

# Help is rendered as Rich markup, where "[run]" would be read as a style and vanish: write
# a literal bracket as "\\[" (tests/test_cli_basics.py fails on any word missing from help).
DbOption = Annotated[
    Path,
    typer.Option(
        "--db",
        envvar="CUSTFOCUS_DB",
        help="Workspace store (a DuckDB file); created on first import.",
        show_default=True,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout instead of tables.")
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print nothing on success (for cron).")
]
MaskOption = Annotated[
    bool, typer.Option("--mask", help="Mask the personal values shown (j***@gmail.com, "
                       "+34 6** *** 678, names as initials).")
]
DebugOption = Annotated[
    bool, typer.Option("--debug", help="Show a traceback for unexpected errors.", hidden=True)
]
LangOption = Annotated[
    str | None,
    typer.Option("--lang", help="Language of the output: es, pt or en (default: from $LANG)."),
]
DEFAULT_DB = Path("custfocus.duckdb")
ConfigOption = Annotated[
    Path,
    typer.Option("--config", envvar="CUSTFOCUS_CONFIG",
                 help="Workspace settings file (see custfocus init)."),
]
CONFIG = Path("custfocus.toml")
AS_OF_HELP = ("Reference date: YYYY-MM-DD, or as your language writes it (30/06/2024 in es "
              "and pt). Default: the latest date in the data, as in every command.")


YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Accept every guess without asking (never prompts).")
]


def is_terminal() -> bool:
    """Whether a person is at the keyboard: stdin and stdout are both a terminal."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def resolve_lang(lang: str | None) -> str:
    """es/pt/en from the option, else the environment's locale, else English."""
    if lang:
        code = lang.lower()[:2]
        if code not in {"es", "pt", "en"}:
            raise typer.BadParameter(f"unknown language '{lang}'; use es, pt or en", param_hint="--lang")
        return code
    for var in ("CUSTFOCUS_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")[:2].lower()
        if value in {"es", "pt", "en"}:
            return value
    return "en"


def show_progress(json_output: bool, quiet: bool) -> bool:
    """Progress bars only for a person at a terminal: never under --json, --quiet or cron."""
    return not (json_output or quiet) and sys.stderr.isatty()


@contextlib.contextmanager
def handle_errors(debug: bool = False) -> Iterator[None]:
    """Turn library errors into one line on stderr and a documented exit code."""
    try:
        yield
    except CustfocusError as exc:
        typer.echo(f"custfocus: error: {exc}", err=True)
        raise typer.Exit(int(exc.exit_code)) from None
    except BrokenPipeError:
        # The reader went away (``custfocus export master | head -1``): end quietly, as
        # Unix tools do, and keep Python's final flush of stdout from complaining.
        _silence_stdout()
        raise typer.Exit(int(ExitCode.BROKEN_PIPE)) from None
    except KeyboardInterrupt:
        typer.echo("custfocus: interrupted; nothing was saved", err=True)
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except (typer.Exit, typer.Abort, typer.BadParameter):
        raise
    except Exception as exc:
        if debug:
            raise
        duckdb = sys.modules.get("duckdb")
        if duckdb is not None and isinstance(exc, duckdb.IOException):
            # A block the store's header promised could not be read (a damaged file):
            # a store problem, not a bug. DuckDB's message names offsets, never values.
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "I/O error"
            typer.echo(f"custfocus: error: the store cannot be read ({first}); restore it "
                       "from a backup", err=True)
            raise typer.Exit(int(ExitCode.STORE)) from None
        typer.echo(
            f"custfocus: internal error ({exc.__class__.__name__}); rerun with --debug "
            "and report it. The store was left unchanged.",
            err=True,
        )
        raise typer.Exit(70) from None


def _silence_stdout() -> None:
    """Point stdout's file descriptor at /dev/null so nothing more is written to a closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real descriptor (a test runner's buffer): nothing to do
        pass


def parse_as_of(text: str | None, lang: str = "en") -> Any:
    """``--as-of`` as a date, ISO or as ``lang`` writes it (None when not given; then every
    command takes the latest date in the data); a usage error (exit 2) otherwise."""
    from custfocus.config import reference_date
    from custfocus.errors import UsageError

    if not text:
        return None
    try:
        return reference_date(text, lang)
    except UsageError as exc:
        raise typer.BadParameter(str(exc), param_hint="--as-of") from None


def given_options(ctx: typer.Context) -> list[str]:
    """The long names of the options this command was given (on the command line or by an
    environment variable), never their values: what the processing log keeps."""
    names = []
    for param in ctx.command.params:
        if param.param_type_name != "option" or param.name in (None, "debug"):
            continue
        source = ctx.get_parameter_source(param.name)
        if source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT"):
            names.append(max(param.opts, key=len))
    return names


def command_name(ctx: typer.Context) -> str:
    """"custfocus review export" -> "review export" (whatever the program was called)."""
    return " ".join(ctx.command_path.split(" ")[1:]) or str(ctx.info_name)


def log_with_writes(store: Any, ctx: typer.Context) -> Any:
    """Give a command that writes ``store`` its processing-log entry: the store writes it
    in the same transaction as the command's writes (see :mod:`custfocus.processing_log`).
    Returns the entry."""
    from custfocus.processing_log import Processing

    store.processing = Processing(command_name(ctx), given_options(ctx))
    return store.processing


def log_use(db: Any, ctx: typer.Context, *, rows_read: int | None = None,
            rows_exported: int | None = None, rows_erased: int | None = None) -> None:
    """Append this command's row to the store's processing log (names of options, counts;
    see :mod:`custfocus.processing_log`), for a command that only reads the store. Call
    once the command's work has succeeded. Commands that write use :func:`log_with_writes`."""
    from custfocus.processing_log import Processing, log_processing

    log_processing(db, Processing(command_name(ctx), given_options(ctx), rows_read,
                                  rows_exported, rows_erased))
