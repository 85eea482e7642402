"""Readers: any input file to raw text tables, losslessly and with bounded memory.

Example:
    >>> from custfocus.ingest.readers import discover_files, open_source
    >>> for path in discover_files([Path("exports/")]):  # doctest: +SKIP
    ...     for table in open_source(path).tables:
    ...         for row_number, cells in table.rows():
    ...             ...
"""

from __future__ import annotations

from .header import find_header_row
from .source import (
    OUTPUTS_MARKER,
    SUPPORTED_SUFFIXES,
    discover_files,
    file_kind,
    is_generated_folder,
    open_source,
)
from .table import RawTable, Row, SourceFile

__all__ = [
    "OUTPUTS_MARKER",
    "SUPPORTED_SUFFIXES",
    "RawTable",
    "Row",
    "SourceFile",
    "discover_files",
    "file_kind",
    "find_header_row",
    "is_generated_folder",
    "open_source",
]
