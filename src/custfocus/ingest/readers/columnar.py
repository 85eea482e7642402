"""Parquet, JSON Lines and JSON arrays as :class:`RawTable`.

These formats have no header row and no title lines: the column names are the schema's
(Parquet) or the union of the records' keys in first-seen order (JSON), and row *n* is
the *n*-th record (for JSON Lines, the line number, so an error can be found in an editor).
Typed values are rendered as text the same way workbook cells are.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from custfocus.errors import BadInputError

from ._scan import scan_bytes
from ._values import row_to_text
from .table import RawTable, Row, SourceFile

__all__ = ["read_json", "read_jsonl", "read_parquet"]

_PARQUET_BATCH = 16_384


def _table(path: Path, headers: list[str], rows: Any, notes: list[str] | None = None) -> RawTable:
    return RawTable(
        file=path,
        sheet=None,
        label=path.name,
        headers=headers,
        header_row=0,
        notes=notes or [],
        _row_factory=rows,
    )


def read_parquet(path: Path) -> SourceFile:
    """Open a Parquet file; rows are read batch by batch."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    scan = scan_bytes(path)
    if scan.size == 0:
        raise BadInputError("file is empty", file=str(path))
    if not scan.head.startswith(b"PAR1"):
        raise BadInputError("not a valid Parquet file (corrupt or another format)", file=str(path))
    try:
        headers = list(pq.ParquetFile(path).schema_arrow.names)
    except (pa.ArrowException, OSError):
        raise BadInputError(
            "not a valid Parquet file (corrupt or another format)", file=str(path)
        ) from None

    def rows() -> Iterator[Row]:
        number = 0
        try:
            with pq.ParquetFile(path) as parquet:
                for batch in parquet.iter_batches(batch_size=_PARQUET_BATCH):
                    columns = [column.to_pylist() for column in batch.columns]
                    for values in zip(*columns, strict=True):
                        number += 1
                        cells = row_to_text(list(values))
                        if any(cells):
                            yield number, cells
        except (pa.ArrowException, OSError):
            raise BadInputError(
                "Parquet file cannot be read (corrupt)", file=str(path), row=number + 1
            ) from None

    source = SourceFile(path=path, kind="parquet", content_hash=scan.sha256, size=scan.size)
    source.tables.append(_table(path, headers, rows))
    return source


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line of a JSON Lines file."""
    number = 0
    try:
        with open(path, encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, 1):  # noqa: B007
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    raise BadInputError(
                        "line is not valid JSON", file=str(path), row=number
                    ) from None
                except RecursionError:  # (JSON nested thousands of levels deep)
                    raise BadInputError(
                        "line is JSON nested too deeply to be a record", file=str(path),
                        row=number) from None
                if not isinstance(record, dict):
                    raise BadInputError(
                        "expected one JSON object per line", file=str(path), row=number
                    )
                yield number, record
    except UnicodeDecodeError:
        raise BadInputError("JSON text is not UTF-8", file=str(path), row=number + 1) from None


def _union_keys(records: Iterator[tuple[int, dict[str, Any]]]) -> tuple[dict[str, None], int]:
    keys: dict[str, None] = {}
    count = 0
    for _, record in records:
        count += 1
        for key in record:
            if key not in keys:
                keys[key] = None
    return keys, count


def read_jsonl(path: Path) -> SourceFile:
    """Open a JSON Lines file; a first streamed pass collects every key."""
    scan = scan_bytes(path)
    keys, count = _union_keys(_records(path))
    if not count:
        raise BadInputError("file is empty", file=str(path))
    headers = list(keys)

    def rows() -> Iterator[Row]:
        for number, record in _records(path):
            cells = row_to_text([record.get(key) for key in headers])
            if any(cells):
                yield number, cells

    source = SourceFile(path=path, kind="jsonl", content_hash=scan.sha256, size=scan.size)
    source.tables.append(_table(path, headers, rows))
    return source


def _load_array(path: Path) -> tuple[list[Any], str | None]:
    """The records of a JSON file: a top-level array, or the one array in a wrapper object."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except UnicodeDecodeError:
        raise BadInputError("JSON text is not UTF-8", file=str(path)) from None
    except ValueError:
        raise BadInputError("not valid JSON", file=str(path)) from None
    except RecursionError:  # (JSON nested thousands of levels deep)
        raise BadInputError("JSON nested too deeply to hold records", file=str(path)) from None
    wrapper = None
    if isinstance(data, dict):
        arrays = [key for key, value in data.items() if isinstance(value, list)]
        if len(arrays) == 1:
            wrapper = arrays[0]
            data = data[wrapper]
    if not isinstance(data, list):
        raise BadInputError("expected a JSON array of objects", file=str(path))
    for index, record in enumerate(data):
        if not isinstance(record, dict):
            raise BadInputError("expected a JSON array of objects", file=str(path), row=index + 1)
    return data, wrapper


def read_json(path: Path) -> SourceFile:
    """Open a JSON array of objects (loaded whole: JSON arrays are not streamable)."""
    scan = scan_bytes(path)
    if scan.size == 0 or not scan.head.strip():
        raise BadInputError("file is empty", file=str(path))
    records, wrapper = _load_array(path)
    keys, _ = _union_keys(enumerate(records, 1))
    headers = list(keys)
    notes = [f'records read from the "{wrapper}" array'] if wrapper else []
    del records

    def rows() -> Iterator[Row]:
        for number, record in enumerate(_load_array(path)[0], 1):
            cells = row_to_text([record.get(key) for key in headers])
            if any(cells):
                yield number, cells

    source = SourceFile(path=path, kind="json", content_hash=scan.sha256, size=scan.size)
    source.tables.append(_table(path, headers, rows, notes))
    return source
