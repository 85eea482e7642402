"""Limits a zipped workbook (.xlsx, .xlsm, .ods) must respect before the parser sees it.

Why: python-calamine sizes a sheet's grid from its first and last cells, so a 4.9 KB file
with cells at A1 and XFD1048576 asks for 512 GiB and aborts the process (no Python
exception can catch a failed allocation in Rust), and a sheet that inflates to hundreds of
megabytes of padding takes minutes and gigabytes. Everything here reads the zip's
directory and streams the sheets' XML once, with byte-level regular expressions and no
XML parser, so a hostile file costs at most :data:`MAX_INFLATED_BYTES` of decompression.

The limits, all documented in the README's import section:

* no cell beyond Excel's own last row (:data:`MAX_ROWS`) or column (:data:`MAX_COLUMNS`);
* a sheet's used area (first to last cell) of at most :data:`MAX_AREA` cells, and above
  :data:`SPARSE_AREA` cells at least one cell present in :data:`SPARSE_RATIO`;
* at most :data:`MAX_INFLATED_BYTES` of XML once inflated, and no member inflating more
  than :data:`MAX_RATIO` times its compressed size (a zip bomb).

The same pass counts formula cells saved without a value (``<f>`` and no ``<v>``): the
parser reads them as empty, so a workbook saved by a program that does not calculate
would otherwise import as blank rows.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from custfocus.errors import BadInputError

__all__ = [
    "MAX_AREA",
    "MAX_COLUMNS",
    "MAX_INFLATED_BYTES",
    "MAX_RATIO",
    "MAX_ROWS",
    "SPARSE_AREA",
    "SPARSE_RATIO",
    "WorkbookScan",
    "check_workbook",
]

#: Excel's last row and column (XFD); no spreadsheet application writes beyond them.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
#: Cells in a sheet's used area: the parser holds the whole grid (about 2 GB at this size).
MAX_AREA = 60_000_000
#: Above this area, a sheet must have at least one cell present in SPARSE_RATIO.
SPARSE_AREA = 10_000_000
SPARSE_RATIO = 100
#: XML of the whole workbook once inflated; a million rows of 30 columns fit.
MAX_INFLATED_BYTES = 1 << 30
#: Inflated / compressed size of one member; sheets compress 5-20 times, bombs thousands.
MAX_RATIO = 200
# Members smaller than this are not judged by their ratio (a blank sheet compresses well).
_RATIO_FLOOR = 1 << 20
_CHUNK = 4 << 20
_OVERLAP = 256  # longer than any pattern below can match

_CELL_REF = re.compile(rb'\sr="([A-Z]{1,7})([0-9]{1,12})"')
_ROW_REF = re.compile(rb'<row\b[^>]{0,200}?\sr="([0-9]{1,12})"')
_CELL_START = re.compile(rb"<c[\s>/]")
# A formula closing its cell with no value or an empty one: <f>..</f></c>, <f .../></c>,
# <f>..</f><v/></c> (openpyxl's way) or <v></v>.
_UNCACHED = re.compile(rb"(?:</f>|<f\b[^>]{0,200}/>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>")
_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class WorkbookScan:
    """What the pass found: formula cells without a saved value, by sheet name."""

    uncached_formulas: dict[str, int] = field(default_factory=dict)


@dataclass
class _SheetExtent:
    last_row: int = 0
    last_column: int = 0
    first_row: int = 0
    first_column: int = 0
    cells: int = 0
    references: int = 0  # cells with an r="A1" reference
    last_row_element: int = 0  # the highest <row r="N">
    uncached: int = 0

    def see(self, row: int, column: int) -> None:
        if self.first_row == 0 or row < self.first_row:
            self.first_row = row
        if self.first_column == 0 or column < self.first_column:
            self.first_column = column
        self.last_row = max(self.last_row, row)
        self.last_column = max(self.last_column, column)

    def read(self, xml: bytes) -> None:
        """Account for a piece of the sheet's XML holding only whole elements' references."""
        references = _CELL_REF.findall(xml)
        self.references += len(references)
        for letters, digits in set(references):
            self.see(int(digits), _column_number(letters))
        for digits in set(_ROW_REF.findall(xml)):
            self.last_row_element = max(self.last_row_element, int(digits))
        self.cells += len(_CELL_START.findall(xml))
        self.uncached += len(_UNCACHED.findall(xml))

    @property
    def area(self) -> int:
        if not self.last_row:
            return 0
        return (self.last_row - self.first_row + 1) * (self.last_column - self.first_column + 1)


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number


def check_workbook(path: Path, kind: str) -> WorkbookScan:
    """Refuse a zipped workbook beyond the module's limits; count uncached formulas.

    Raises:
        BadInputError: naming the file (and sheet) and the limit, never a cell's content.

    Example:
        >>> check_workbook(Path("ventas.xlsx"), "xlsx").uncached_formulas  # doctest: +SKIP
        {}
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_sizes(path, members)
            if kind != "xlsx":
                return WorkbookScan()  # .ods: sizes only; its cells are not A1 references
            names = _sheet_names(archive)
            scan = WorkbookScan()
            budget = MAX_INFLATED_BYTES
            # Every member is inflated once: zipfile stops at the size the directory
            # declares and checks the CRC, so a member hiding a bigger payload is refused
            # here instead of being inflated in full by the parser.
            for info in members:
                # A worksheet the workbook does not list is checked too, under its own name.
                name = names.get(info.filename)
                if name is None and _WORKSHEET.match(info.filename):
                    name = info.filename
                extent, used = _scan_member(archive, info, budget, path, sheet=name is not None)
                budget -= used
                if name is not None:
                    _check_extent(path, name, extent)
                    if extent.uncached:
                        scan.uncached_formulas[name] = extent.uncached
            return scan
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        NotImplementedError,
        ElementTree.ParseError,
        ValueError,
        KeyError,
    ):
        raise BadInputError(
            f"not a valid .{kind} workbook (corrupt or another format)", file=str(path)
        ) from None


def _check_sizes(path: Path, members: list[zipfile.ZipInfo]) -> None:
    total = sum(info.file_size for info in members)
    if total > MAX_INFLATED_BYTES:
        raise BadInputError(
            f"workbook inflates to {total / 2**20:,.0f} MB, beyond the limit of "
            f"{MAX_INFLATED_BYTES / 2**20:,.0f} MB; export its sheets as CSV",
            file=str(path),
        )
    for info in members:
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            ratio = info.file_size // max(info.compress_size, 1)
            raise BadInputError(
                f"workbook member {info.filename} inflates {ratio:,} times its size (limit {MAX_RATIO}): not a genuine workbook (zip bomb?)",
                file=str(path),
            )


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet XML member -> sheet name, from the workbook and its relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels.iter(f"{_PKG_REL_NS}Relationship"):  # the package namespace is fixed
        target = rel.get("Target", "")
        # Targets are relative to xl/ unless absolute within the package.
        absolute = target.startswith("/")
        member = target.lstrip("/") if absolute else str(PurePosixPath("xl") / target)
        targets[rel.get("Id")] = member.replace("/./", "/")
    names = {}
    # By local name: "strict" OOXML files use other namespaces for the same elements.
    for sheet in workbook.iter():
        if sheet.tag.rpartition("}")[2] != "sheet":
            continue
        rel_id = next(
            (
                v
                for k, v in sheet.attrib.items()
                if k.rpartition("}")[2] == "id" and k.startswith("{")
            ),
            None,
        )
        member = targets.get(rel_id)
        if member:
            names[member] = sheet.get("name", "")
    return names


def _scan_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, path: Path, *, sheet: bool
) -> tuple[_SheetExtent, int]:
    """Inflate one member; for a sheet, find its used area, cells and uncached formulas."""
    extent = _SheetExtent()
    used = 0
    tail = b""
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            used += len(chunk)
            if used > budget:  # the directory's sizes may lie; the inflated bytes do not
                raise BadInputError(
                    f"workbook inflates beyond the limit of {MAX_INFLATED_BYTES / 2**20:,.0f} "
                    "MB; export its sheets as CSV",
                    file=str(path),
                )
            if not sheet:
                continue
            data = tail + chunk
            # Everything from the last cell's start waits for the next chunk: the cells
            # and rows before it are whole, so nothing is cut in two or counted twice.
            cut = data.rfind(b"<c")
            if cut <= 0:
                cut = max(len(data) - _OVERLAP, 0)
            extent.read(data[:cut])
            tail = data[cut:]
    extent.read(tail)
    return extent, used


def _check_extent(path: Path, sheet: str, extent: _SheetExtent) -> None:
    unreferenced = extent.cells - extent.references
    if unreferenced > 0:
        # A cell without a reference sits in its <row>, after the previous cell: the row
        # element places it, and its column is at most the number of such cells.
        extent.see(max(extent.last_row_element, 1), max(unreferenced, 1))
    elif extent.last_row_element > MAX_ROWS:
        extent.last_row = extent.last_row_element
    if extent.last_row > MAX_ROWS or extent.last_column > MAX_COLUMNS:
        raise BadInputError(
            f"a cell lies beyond Excel's last row ({MAX_ROWS:,}) or column (XFD): "
            "not a genuine workbook",
            file=str(path),
            sheet=sheet,
        )
    area = extent.area
    if area > MAX_AREA or (area > SPARSE_AREA and extent.cells * SPARSE_RATIO < area):
        raise BadInputError(
            f"the sheet's cells span {area:,} cells for {extent.cells:,} present (limits: "
            f"{MAX_AREA:,}; 1 in {SPARSE_RATIO} present beyond {SPARSE_AREA:,}); delete the "
            "stray cells far from the data or export the sheet as CSV",
            file=str(path),
            sheet=sheet,
        )
