"""Entry points: find the input files in what the user named, and open one by its suffix.

Folders shared between departments collect Office lock files (``~$ventas.xlsx``), editor
backups and hidden system files; importing those would fail or duplicate data, so
:func:`discover_files` skips them when expanding a folder. It skips generated folders too:
custfocus's own outputs (``custfocus import .`` in a workspace must not read back the
master it exported) and what Python tools leave in a checkout (``build/``, ``*.egg-info``).
A file or folder named explicitly is trusted, but an unsupported suffix is an error rather
than a silent skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from custfocus.errors import BadInputError

from .columnar import read_json, read_jsonl, read_parquet
from .csv_reader import read_csv
from .table import SourceFile
from .workbook import read_workbook

__all__ = ["OUTPUTS_MARKER", "SUPPORTED_SUFFIXES", "discover_files", "file_kind",
           "is_generated_folder", "open_source"]

# Written by `custfocus run` into its outputs folder, whatever its name (outputs.dir).
OUTPUTS_MARKER = ".custfocus-outputs"
_TOOL_DIRS = frozenset({"__pycache__", "site-packages", "node_modules", "venv"})

_KINDS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".ods": "ods",
    ".parquet": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_KINDS)
_TEMP_SUFFIXES = (".tmp", ".temp", ".bak", ".swp", ".part", ".crdownload", "~")


def file_kind(path: Path) -> str:
    """The reader a path's suffix selects (``csv``, ``xlsx``, ...)."""
    kind = _KINDS.get(path.suffix.lower())
    if kind is None:
        supported = " ".join(sorted(SUPPORTED_SUFFIXES))
        raise BadInputError(
            f'unsupported file type "{path.suffix or "(none)"}"; supported: {supported}',
            file=str(path),
        )
    return kind


def open_source(
    path: Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> SourceFile:
    """Open one input file as raw text tables; rows are read lazily.

    ``sheet`` applies to workbooks only; ``encoding`` and ``delimiter`` to delimited text.

    Example:
        >>> source = open_source(Path("ventas.xlsx"))  # doctest: +SKIP
        >>> [(t.label, t.header_row) for t in source.tables]  # doctest: +SKIP
        [('ventas.xlsx#Clientes', 3)]
    """
    path = Path(path)
    kind = file_kind(path)
    if not path.is_file():
        raise BadInputError(_not_a_file(path), file=str(path))
    if kind == "csv":
        return read_csv(path, encoding=encoding, delimiter=delimiter)
    if kind in ("xlsx", "xls", "ods"):
        return read_workbook(path, kind, sheet=sheet)
    if kind == "parquet":
        return read_parquet(path)
    if kind == "jsonl":
        return read_jsonl(path)
    return read_json(path)


def _not_a_file(path: Path) -> str:
    """Why ``path`` cannot be read as a file: missing, or what it is instead (a named pipe
    or a device has no end to read twice, as the readers do: first to sniff, then to read)."""
    import stat

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return ("a symbolic link to nothing (its target does not exist)" if path.is_symlink()
                else "file not found")
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc.__class__.__name__})"
    link = "a symbolic link to " if path.is_symlink() else ""
    if stat.S_ISFIFO(mode):
        what = "a named pipe (FIFO)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "a device"
    elif stat.S_ISSOCK(mode):
        what = "a socket"
    elif stat.S_ISDIR(mode):
        what = "a folder"
    else:
        what = "not a regular file"
    return (f"{link}{what}, not a regular file: save the data to a file and import that"
            if what != "not a regular file" else what)


def _skipped(name: str) -> bool:
    """Hidden files, Office/LibreOffice lock files and temporary or backup files."""
    lower = name.lower()
    return name.startswith((".", "~$", "~")) or lower.endswith(_TEMP_SUFFIXES)


def is_generated_folder(path: Path) -> bool:
    """A folder that holds no one's exports: custfocus's outputs (marked, or under the
    default name of ``outputs.dir``), a Python build (``build/lib``, ``dist/*.whl``), an
    ``*.egg-info`` or an environment."""
    from custfocus.config import setting_default

    name = path.name
    if name in _TOOL_DIRS or name.endswith(".egg-info"):
        return True
    if name == setting_default("outputs.dir") or (path / OUTPUTS_MARKER).exists():
        return True
    if name == "build":
        return (path / "lib").is_dir() or any(path.glob("bdist.*"))
    if name == "dist":
        return any(path.glob("*.whl")) or any(path.glob("*.tar.gz"))
    return False


def _expand(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs
                   if not d.startswith(".") and not is_generated_folder(Path(root) / d)]
        for name in files:
            if not _skipped(name) and Path(name).suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(Path(root) / name)
    return sorted(found)


def _resolved(path: Path) -> Path:
    """The real path of ``path``; a symbolic link loop is bad input, named, not a crash."""
    try:
        return path.resolve(strict=False)
    except (RuntimeError, OSError):  # RuntimeError before Python 3.13, OSError (ELOOP) after
        raise BadInputError("symbolic link loop (the link leads back to itself); remove it",
                            file=str(path)) from None


def discover_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders (recursively, sorted) into the supported input files they contain.

    Explicit files are kept in the order given; duplicates are dropped.

    Example:
        >>> discover_files([Path("exports/")])  # doctest: +SKIP
        [PosixPath('exports/soporte.csv'), PosixPath('exports/ventas.xlsx')]
    """
    result: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_symlink():
            _resolved(path)
        if not path.exists():
            raise BadInputError("file or folder not found", file=str(path))
        if not os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
            raise BadInputError("permission denied", file=str(path))
        if path.is_dir():
            candidates = _expand(path)
        else:
            file_kind(path)
            candidates = [path]
        for candidate in candidates:
            key = _resolved(candidate)
            if key not in seen:
                seen.add(key)
                result.append(candidate)
    return result
