"""Workbooks (.xlsx, .xlsm, .xls, .ods) as one :class:`RawTable` per visible sheet.

python-calamine parses a sheet in Rust roughly ten times faster than openpyxl and returns
formulas' cached values. Row numbers are the ones Excel shows: calamine reports where the
used area starts, and leading blank rows are counted, not dropped. Vertically merged cells
hold their value only in the top cell, so it is filled down into the whole range; otherwise
a customer's city "disappears" from every row but the first of a merged block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from custfocus.errors import BadInputError

from ._scan import scan_bytes
from ._values import row_to_text
from ._workbook_limits import check_workbook
from .header import (
    HEADER_SAMPLE_ROWS,
    HEADERLESS_NOTE,
    find_header_row,
    generated_headers,
    is_blank,
    is_data_row,
)
from .table import RawTable, Row, SourceFile, clean_header

__all__ = ["read_workbook"]

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ENCRYPTED = "workbook is password-protected or encrypted"
# Parsed sheets kept in memory for every rows() pass (planning samples, then the import),
# per workbook; bigger ones are parsed again when read, trading time for bounded memory.
_CACHE_CELLS = 3_000_000

#: ((first_row, last_row), (first_col, last_col)), 0-based sheet coordinates.
Merge = tuple[int, int, int, int]


def _invalid(kind: str) -> str:
    return f"not a valid .{kind} workbook (corrupt or another format)"


def _check_signature(path: Path, kind: str, head: bytes) -> None:
    """Reject renamed or encrypted files with a clear message before calamine sees them."""
    if kind in ("xlsx", "ods") and head.startswith(_OLE2):
        # Office saves password-protected .xlsx files as an encrypted OLE2 container.
        raise BadInputError(_ENCRYPTED, file=str(path))
    if kind in ("xlsx", "ods") and not head.startswith(_ZIP):
        raise BadInputError(_invalid(kind), file=str(path))
    if kind == "xls" and not head.startswith(_OLE2):
        raise BadInputError(_invalid(kind), file=str(path))


def _open(path: Path, kind: str) -> Any:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    try:
        return CalamineWorkbook.from_path(str(path))
    except PasswordError:
        raise BadInputError(_ENCRYPTED, file=str(path)) from None
    except (CalamineError, OSError, ValueError):
        raise BadInputError(_invalid(kind), file=str(path)) from None


def _load_sheet(workbook: Any, path: Path, kind: str, name: str) -> Any:
    from python_calamine import CalamineError, PasswordError

    try:
        return workbook.get_sheet_by_name(name)
    except PasswordError:
        raise BadInputError(_ENCRYPTED, file=str(path)) from None
    except (CalamineError, ValueError):
        raise BadInputError(
            f"sheet cannot be read ({_invalid(kind)})", file=str(path), sheet=name
        ) from None


def _vertical_merges(sheet: Any, col_offset: int) -> list[Merge]:
    ranges = getattr(sheet, "merged_cell_ranges", None) or []
    merges = [
        (r0, r1, c0 - col_offset, c1 - col_offset)
        for (r0, c0), (r1, c1) in ranges
        if r1 > r0 and c1 >= col_offset
    ]
    return sorted(merges)


def _fill_merges(rows: Iterator[tuple[int, list[str]]], merges: list[Merge]) -> Iterator[Row]:
    """Copy each merged range's top-left value into every cell of the range."""
    pending = iter(merges)
    upcoming = next(pending, None)
    active: list[tuple[int, int, int, str]] = []  # last_row, first_col, last_col, value
    for index, cells in rows:
        while upcoming is not None and upcoming[0] <= index:
            r0, r1, c0, c1 = upcoming
            value = cells[c0] if r0 == index and 0 <= c0 < len(cells) else ""
            active.append((r1, max(c0, 0), c1, value))
            upcoming = next(pending, None)
        if active:
            active = [merge for merge in active if merge[0] >= index]
        # A blank row stays blank (and is skipped) even inside a merged block.
        if active and any(cells):
            for _, c0, c1, value in active:
                for column in range(c0, min(c1 + 1, len(cells))):
                    cells[column] = value
        yield index, cells


class _SheetRows:
    """Yields (0-based sheet row, text cells) for a sheet, whatever calamine skipped."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self.start_row, start_col = sheet.start
        self.width = sheet.width
        self.col_offset = start_col
        self.merges = _vertical_merges(sheet, start_col)
        self.offset = 0

    def __iter__(self) -> Iterator[Row]:
        raw = self.sheet.iter_rows()
        leading: list[list[str]] = []
        first: list[str] | None = None
        for values in raw:
            cells = row_to_text(values)
            if is_blank(cells):
                leading.append(cells)
                continue
            first = cells
            break
        if first is None:
            return
        # Some calamine versions start iter_rows at row 1, others at the used area; the
        # used area's first row is never blank, so leading blanks reveal which.
        offset = 0 if len(leading) >= self.start_row else self.start_row
        self.offset = offset

        def numbered() -> Iterator[Row]:
            index = offset + len(leading)
            yield index, first
            for values in raw:
                index += 1
                yield index, row_to_text(values)

        if self.merges:
            yield from _fill_merges(numbered(), self.merges)
        else:
            yield from numbered()


def _empty_columns(
    sheet: Any, source: _SheetRows, header_index: int, candidates: list[int]
) -> list[int]:
    """Which ``candidates`` hold no value in any row below the header (a cheap raw pass)."""
    empty = set(candidates)
    for position, values in enumerate(sheet.iter_rows()):
        if position + source.offset <= header_index:
            continue
        for column in list(empty):
            value = values[column] if column < len(values) else ""
            if value is not None and (type(value) is not str or value.strip()):
                empty.discard(column)
        if not empty:
            break
    return sorted(empty)


def _sheet_table(
    path: Path, name: str, sheet: Any, reload: Callable[[], Any], keep: bool
) -> RawTable | None:
    if sheet.start is None or sheet.height == 0:
        return None
    source = _SheetRows(sheet)
    sample: list[Row] = []
    for index, cells in source:
        sample.append((index, cells))
        if len(sample) >= HEADER_SAMPLE_ROWS:
            break
    if not sample:
        return None
    position = find_header_row([cells for _, cells in sample])
    next_row = next((c for _, c in sample[position + 1 :] if not is_blank(c)), None)
    headerless = is_data_row(sample[position][1], next_row)
    if headerless:  # the data starts at the row taken for a header
        header_index = sample[position][0] - 1
        headers = generated_headers(max(len(cells) for _, cells in sample[position:]))
    else:
        header_index = sample[position][0]
        headers = [clean_header(cell) for cell in sample[position][1]]
    below = [cells for _, cells in sample[position + 1 :]]
    # Unnamed columns empty in the sample are checked against the whole sheet before being
    # dropped, so dropping them never loses a value.
    candidates = [
        column
        for column, text in enumerate(headers)
        if not text and not any(column < len(cells) and cells[column].strip() for cells in below)
    ]
    dropped = _empty_columns(sheet, source, header_index, candidates) if candidates else []
    notes = [HEADERLESS_NOTE] if headerless else []
    skipped = sum(1 for _, cells in sample[:position] if not is_blank(cells))
    if skipped:
        notes.append(f"title rows above header skipped: {skipped}")
    filled = sorted(
        {c for _, r1, c0, c1 in source.merges if r1 > header_index for c in range(c0, c1 + 1)}
    )
    if filled:
        names = ", ".join(
            get_column_letter(c + source.col_offset + 1)
            + (f' ("{headers[c]}")' if c < len(headers) and headers[c] else "")
            for c in filled
        )
        notes.append(f"merged cells filled down in column{'s' if len(filled) > 1 else ''} {names}")
    if dropped:
        notes.append(f"{len(dropped)} empty columns dropped")
        kept = [column for column in range(len(headers)) if column not in set(dropped)]
        headers = [headers[column] for column in kept]
    kept_sheet = sheet if keep else None  # planning and import both read the rows

    def rows() -> Iterator[Row]:
        rows_source = _SheetRows(kept_sheet if kept_sheet is not None else reload())
        if not dropped:
            for index, cells in rows_source:
                if index > header_index and any(cells):
                    yield index + 1, cells
            return
        for index, cells in rows_source:
            if index > header_index and any(cells):
                yield index + 1, [cells[column] for column in kept]

    return RawTable(
        file=path,
        sheet=name,
        label=f"{path.name}#{name}",
        headers=headers,
        header_row=header_index + 1,
        notes=notes,
        row_estimate=max(0, sheet.height - header_index - 1),
        _row_factory=rows,
    )


def read_workbook(path: Path, kind: str, *, sheet: str | None = None) -> SourceFile:
    """Open a workbook; ``sheet`` picks one sheet by name (even a hidden one)."""
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    scan = scan_bytes(path)
    if scan.size == 0:
        raise BadInputError("file is empty", file=str(path))
    _check_signature(path, kind, scan.head)
    # Before the parser: it aborts the process on a grid it cannot allocate.
    uncached = check_workbook(path, kind).uncached_formulas if kind != "xls" else {}
    workbook = _open(path, kind)
    result = SourceFile(path=path, kind=kind, content_hash=scan.sha256, size=scan.size)
    metadata = getattr(workbook, "sheets_metadata", None)
    if metadata is None:  # very old python-calamine: no visibility information
        sheets = [(name, True, True) for name in workbook.sheet_names]
    else:
        sheets = [
            (m.name, m.visible == SheetVisibleEnum.Visible, m.typ == SheetTypeEnum.WorkSheet)
            for m in metadata
        ]
    if sheet is not None and sheet not in [name for name, _, _ in sheets]:
        available = ", ".join(f'"{name}"' for name, _, _ in sheets)
        raise BadInputError(f'no sheet named "{sheet}"; sheets: {available}', file=str(path))
    cached_cells = 0
    for name, visible, worksheet in sheets:
        if sheet is not None and name != sheet:
            continue
        if not visible and sheet is None:
            result.hidden_sheets.append(name)
            continue
        if not worksheet:
            result.empty_sheets.append(name)
            continue
        loaded = _load_sheet(workbook, path, kind, name)
        cells = loaded.height * loaded.width
        keep = cached_cells + cells <= _CACHE_CELLS
        cached_cells += cells if keep else 0

        def reload(name: str = name) -> Any:
            again = _open(path, kind)
            try:
                return _load_sheet(again, path, kind, name)
            finally:
                again.close()

        table = _sheet_table(path, name, loaded, reload, keep)
        if uncached.get(name):
            table = _without_values(path, name, table, uncached[name])
        if table is None:
            result.empty_sheets.append(name)
        else:
            result.tables.append(table)
    workbook.close()
    if not result.tables and uncached:
        sheets = ", ".join(f'"{name}"' for name in uncached)
        raise BadInputError(
            f"no data rows: {sum(uncached.values()):,} formula cells (sheets {sheets}) were "
            f"saved without their values; {_RECALCULATE}", file=str(path))
    return result


_RECALCULATE = "open the workbook in Excel or LibreOffice and save it again"


def _without_values(path: Path, name: str, table: RawTable | None,
                    count: int) -> RawTable | None:
    """Note formula cells saved without a value (read as empty); drop a table left empty.

    Why: programs that write workbooks without calculating them leave only the formulas,
    and the sheet would otherwise import as blank rows with no word of what was lost.
    """
    if table is None or next(iter(table.rows()), None) is None:
        return None
    table.notes.append(f"{count:,} formula cells were saved without their values and read "
                       f"as empty; {_RECALCULATE}")
    return table
