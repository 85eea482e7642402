"""Errors the library raises and the exit codes the CLI maps them to.

The CLI catches only :class:`CustfocusError` subclasses; anything else is a bug
and is shown as such (with a traceback only under ``--debug``).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; documented in the README so cron can act on them."""

    OK = 0
    FINDINGS = 1  # audit --fail-on thresholds breached
    USAGE = 2
    BAD_INPUT = 3
    STORE = 4
    LOCKED = 5
    INTERRUPTED = 130
    BROKEN_PIPE = 141  # stdout closed early (``| head``): 128 + SIGPIPE, as the shell reports


class CustfocusError(Exception):
    """Base class for every error a user can fix; carries its exit code."""

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column

    def where(self) -> str:
        """Location as ``file#sheet, row N, column "X"`` (empty when unknown)."""
        parts = []
        if self.file:
            parts.append(self.file + (f"#{self.sheet}" if self.sheet else ""))
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f'column "{self.column}"')
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class BadInputError(CustfocusError):
    """An input file cannot be read or understood."""


class MissingColumnError(BadInputError):
    """A file has no column the command needs (e.g. nothing that identifies a customer)."""


class UsageError(CustfocusError):
    """Options or configuration that contradict each other or name unknown things."""

    exit_code = ExitCode.USAGE


class StoreError(CustfocusError):
    """The store file cannot be opened, is from a newer version, or a write failed."""

    exit_code = ExitCode.STORE


class LockedError(StoreError):
    """Another custfocus process holds the workspace lock."""

    exit_code = ExitCode.LOCKED


class FindingsError(CustfocusError):
    """Raised by checks such as ``audit --fail-on`` when a threshold is breached."""

    exit_code = ExitCode.FINDINGS
