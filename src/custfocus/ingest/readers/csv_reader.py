"""Delimited text files (CSV, TSV, TXT) as :class:`RawTable`, streamed row by row.

Spanish and Portuguese exports are often cp1252 with ``;`` delimiters and a title line or
two above the header, so the encoding is found by a cascade (BOM, strict UTF-8, cp1252,
a detector's hint, latin-1) and the delimiter by which candidate splits a sample into the
most consistent number of fields. Rows are parsed by the ``csv`` module, in C, so a
million rows stay fast; the row number is the record count, so a quoted field spanning
lines still counts as one row, as a spreadsheet shows it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from custfocus.errors import BadInputError, UsageError

from ._mixed import MIXED_ENCODING, MixedText, count_line_encodings
from ._quotes import LineCounter, guard_quotes
from ._scan import ByteScan, decodes_cleanly, scan_bytes
from .arrow_csv import ARROW_ENCODINGS, arrow_chunks
from .fixed_width import FIXED_WIDTH, FixedLayout, fixed_width_rows, infer_layout
from .header import (
    HEADER_SAMPLE_ROWS,
    HEADERLESS_NOTE,
    find_header_row,
    generated_headers,
    is_blank,
    is_data_row,
)
from .table import RawTable, Row, SourceFile, chunked, clean_header, fit_headers, fit_row

__all__ = ["DELIMITERS", "read_csv", "sniff_delimiter"]

DELIMITERS = (";", ",", "\t", "|")
# A single cell may hold a pasted document; the csv module's default limit is 128 KiB.
FIELD_SIZE_LIMIT = 64 * 1024 * 1024
_SAMPLE_CHARS = 64 * 1024
_BINARY_MAGIC = (
    (b"PK\x03\x04", "a zip archive (e.g. .xlsx)"),
    (b"\xd0\xcf\x11\xe0", "an OLE2 file (e.g. .xls)"),
    (b"%PDF", "a PDF"),
)
# More NULs than this in the first 8 KB means binary, not a text file with stray NULs.
_MAX_STRAY_NULS = 8
_NOT_TEXT = "not a text file; is it a renamed workbook or binary?"
_LINE_END = re.compile(r"\r\n|\r|\n")
_FIXED_SAMPLE_LINES = 200  # lines a space-aligned layout is inferred from


def _named_delimiter(delimiter: str) -> str:
    named = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ",", "pipe": "|"}
    value = named.get(delimiter.lower(), delimiter)
    if len(value) != 1:
        raise UsageError(f"delimiter must be one character, got {len(value)}")
    return value


def _bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _bomless_utf16(head: bytes) -> str | None:
    """UTF-16 without BOM: Latin text has a NUL in nearly every other byte, on one parity."""
    sample = head[: min(8192, len(head) - len(head) % 2)]
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.7 * half and even < 0.02 * half:
        codec = "utf-16-le"
    elif even > 0.7 * half and odd < 0.02 * half:
        codec = "utf-16-be"
    else:
        return None
    text = sample.decode(codec, errors="replace")
    controls = sum(1 for char in text if char < " " and char not in "\t\r\n")
    return codec if controls <= len(text) // 100 else None


def _reject_binary(head: bytes, path: Path) -> None:
    for magic, _what in _BINARY_MAGIC:
        if head.startswith(magic):
            raise BadInputError(_NOT_TEXT, file=str(path))
    first = head[:8192]
    controls = sum(first.count(bytes([code])) for code in (*range(1, 9), *range(14, 27), 28, 29))
    if first.count(0) > _MAX_STRAY_NULS or controls > max(8, len(first) // 100):
        raise BadInputError(_NOT_TEXT, file=str(path))


def _detect_encoding(scan: ByteScan, path: Path, notes: list[str]) -> str:
    """The cascade: BOM, strict UTF-8, UTF-8 and cp1252 lines mixed, cp1252,
    charset-normalizer's hint, latin-1."""
    if scan.utf8_ok:
        return "utf-8"
    utf8_lines, other_lines = count_line_encodings(path)
    if utf8_lines and other_lines:
        notes.append(f"{other_lines:,} lines were not UTF-8 and were read as cp1252 "
                     f"({utf8_lines:,} as UTF-8)")
        return MIXED_ENCODING
    if scan.cp1252_ok:
        return "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(scan.head).best()
    if best is not None and best.encoding:
        hint = codecs.lookup(best.encoding).name
        if decodes_cleanly(path, hint):
            return hint
    return "latin-1"


def sniff_delimiter(text: str, *, truncated: bool, default: str = ",") -> str:
    """Pick the candidate that splits the sample's lines into the most consistent widths.

    Ties on consistency go to the candidate giving more columns. ``csv.Sniffer`` is not
    used: it is easily misled by commas inside ``;``-separated amounts and names.
    """
    return _best_delimiter(text, truncated=truncated) or default


def _best_delimiter(text: str, *, truncated: bool) -> str | None:
    """:func:`sniff_delimiter`, None when no candidate splits lines into two columns or more."""
    best_key: tuple[float, int] = (0.0, 1)
    best = None
    for delimiter in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(text, newline=""),
                                                   delimiter=delimiter) if any(r)]
        except csv.Error:
            # Not this delimiter: read by it, a quoted field (that may hold a bare CR, as
            # RFC 4180 allows) would start mid-field, where a CR is an error.
            continue
        if truncated and len(widths) > 1:
            widths.pop()  # the cut-off last record may be incomplete
        if not widths:
            continue
        width, frequency = Counter(widths).most_common(1)[0]
        if width < 2:
            continue
        key = (round(frequency / len(widths), 1), width)
        if key > best_key:
            best_key, best = key, delimiter
    return best


def _open_text(
    path: Path, encoding: str, strip_nuls: bool
) -> tuple[io.TextIOWrapper | MixedText, Iterable[str]]:
    handle: io.TextIOWrapper | MixedText
    if encoding == MIXED_ENCODING:
        handle = MixedText(path)
    else:
        handle = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed by the caller
    lines: Iterable[str] = handle
    if strip_nuls:
        lines = (line.replace("\x00", "") for line in handle)
    return handle, lines


def read_csv(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None
) -> SourceFile:
    """Open a delimited text file: detect encoding, delimiter and header; rows stay lazy."""
    if csv.field_size_limit() < FIELD_SIZE_LIMIT:
        csv.field_size_limit(FIELD_SIZE_LIMIT)
    scan = scan_bytes(path, text_checks=True)
    if scan.size == 0 or (scan.size == len(scan.head) and not scan.head.strip()):
        raise BadInputError("file is empty", file=str(path))
    notes: list[str] = []
    chosen = encoding or _bom_encoding(scan.head) or _bomless_utf16(scan.head)
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UsageError(f'unknown encoding "{encoding}"') from None
    wide = chosen is not None and chosen.startswith(("utf-16", "utf-32"))
    if not wide:
        _reject_binary(scan.head, path)
    chosen = chosen or _detect_encoding(scan, path, notes)
    strip_nuls = not wide and scan.nul_count > 0
    if strip_nuls:
        notes.append(f"stray NUL bytes removed: {scan.nul_count}")

    default = "\t" if path.suffix.lower() == ".tsv" else ","
    sep = _named_delimiter(delimiter) if delimiter else None
    try:
        handle, lines = _open_text(path, chosen, strip_nuls)
        with handle:
            if sep is None:
                text = handle.read(_SAMPLE_CHARS)
                truncated = bool(handle.read(1))
                if strip_nuls:
                    text = text.replace("\x00", "")
                sep = _best_delimiter(text, truncated=truncated)
                head = _LINE_END.split(text)[: -1 if truncated else None][:_FIXED_SAMPLE_LINES]
                if sep is None or not _splits_header(head, sep):
                    layout = infer_layout(head)
                    if layout is not None and len(layout.spans) > _modal_width(head, sep):
                        return _fixed_width_source(path, scan, chosen, strip_nuls, layout, notes)
                sep = sep or default
                handle.seek(0)
            sample: list[tuple[int, list[str]]] = []
            number = 0
            counted = LineCounter(lines)
            lines_after: list[int] = []  # physical lines read once record k is complete
            for number, cells in enumerate(csv.reader(counted, delimiter=sep), 1):
                lines_after.append(counted.count)
                if sample or not is_blank(cells):
                    sample.append((number, cells))
                if len(sample) >= HEADER_SAMPLE_ROWS:
                    break
    except UnicodeDecodeError:
        raise BadInputError(f"cannot decode the file as {chosen}", file=str(path)) from None
    except csv.Error as exc:
        raise BadInputError(f"malformed CSV ({exc})", file=str(path), row=number + 1) from None
    if not sample:
        raise BadInputError("file is empty", file=str(path))

    index = find_header_row([cells for _, cells in sample])
    below = next((c for _, c in sample[index + 1 :] if not is_blank(c)), None)
    headerless = is_data_row(sample[index][1], below)
    # Without a header, the data starts at the row that was taken for one.
    first_data = index if headerless else index + 1
    header_row = sample[index][0] - 1 if headerless else sample[index][0]
    skipped = sum(1 for _, cells in sample[:index] if not is_blank(cells))
    if skipped:
        notes.append(f"title rows above header skipped: {skipped}")
    if headerless:
        headers = generated_headers(max(_filled_width(c) for _, c in sample[index:]))
        dropped = 1  # rows are cut back to the width where the excess is empty
        notes.append(HEADERLESS_NOTE)
    else:
        headers, dropped = fit_headers(
            [clean_header(cell) for cell in sample[index][1]], [c for _, c in sample[first_data:]]
        )
        if dropped:
            notes.append(f"{dropped} empty columns dropped")
    table = RawTable(
        file=path,
        sheet=None,
        label=path.name,
        headers=headers,
        header_row=header_row,
        encoding=chosen,
        delimiter=sep,
        notes=notes,
        _row_factory=lambda: _iter_rows(
            path, chosen, sep, strip_nuls, header_row, len(headers) if dropped else None
        ),
    )
    lines_in_head = scan.head.count(b"\n") or scan.head.count(b"\r")
    table.row_estimate = max(0, round(scan.size * lines_in_head / len(scan.head)) - header_row)
    if not strip_nuls and chosen in ARROW_ENCODINGS:
        first = [(n, fit_row(c, len(headers)) if dropped else c)
                 for n, c in sample[first_data:] if any(c)]
        table._chunk_factory = lambda size: arrow_chunks(
            path, encoding=chosen, delimiter=sep,
            skip_lines=lines_after[header_row - 1] if header_row else 0,
            header_row=header_row,
            file_width=len(sample[index][1]), width=len(headers), first_rows=first,
            size=size, python_rows=table.rows,
        )
    _guard_quotes(table, chosen, sep)
    return SourceFile(
        path=path, kind="csv", content_hash=scan.sha256, size=scan.size, tables=[table]
    )


def _modal_width(lines: list[str], sep: str | None) -> int:
    """How many cells ``sep`` splits most lines into (1 without a delimiter)."""
    if sep is None:
        return 1
    widths = [len(r) for r in csv.reader(lines, delimiter=sep) if any(r)]
    return Counter(widths).most_common(1)[0][0] if widths else 1


def _splits_header(lines: list[str], sep: str) -> bool:
    """Whether ``sep`` splits the first line into as many cells as most lines.

    Why: a decimal comma in every amount of a fixed-width file splits each data line in
    two, consistently; its header, with no amount, is not split at all.
    """
    first = next((line for line in lines if line.strip()), "")
    return len(next(csv.reader([first], delimiter=sep), [])) >= _modal_width(lines, sep)


def _fixed_width_source(path: Path, scan: ByteScan, encoding: str, strip_nuls: bool,
                        layout: FixedLayout, notes: list[str]) -> SourceFile:
    """A space-aligned table (:mod:`.fixed_width`): each line cut at the layout's columns."""
    if layout.headers is None:
        headers = generated_headers(len(layout.spans))
        header_row = layout.header_index  # the data starts on the line after
        notes.append(HEADERLESS_NOTE)
    else:
        headers = [clean_header(cell) for cell in layout.headers]
        header_row = layout.header_index + 1

    def rows() -> Iterator[Row]:
        handle, lines = _open_text(path, encoding, strip_nuls)
        with handle:
            try:
                yield from fixed_width_rows(iter(lines), layout, header_row)
            except UnicodeDecodeError:
                raise BadInputError(f"cannot decode the file as {encoding}",
                                    file=str(path)) from None

    table = RawTable(file=path, sheet=None, label=path.name, headers=headers,
                     header_row=header_row, encoding=encoding, delimiter=FIXED_WIDTH,
                     notes=notes, _row_factory=rows)
    lines_in_head = scan.head.count(b"\n") or scan.head.count(b"\r")
    table.row_estimate = max(0, round(scan.size * lines_in_head / len(scan.head)) - header_row)
    return SourceFile(path=path, kind="csv", content_hash=scan.sha256, size=scan.size,
                      tables=[table])


def _filled_width(cells: list[str]) -> int:
    """The number of cells up to the last one holding text."""
    width = len(cells)
    while width and not cells[width - 1].strip():
        width -= 1
    return width


def _guard_quotes(table: RawTable, encoding: str, delimiter: str) -> None:
    """Make both of the table's row streams stop at a quote that swallowed rows."""
    rows, chunks = table._row_factory, table._chunk_factory
    where = {"path": table.file, "encoding": encoding, "delimiter": delimiter,
             "headers": table.headers}

    def guarded_rows() -> Iterator[Row]:
        for chunk in guard_quotes(chunked(rows(), 1000), **where):
            yield from chunk  # type: ignore[misc]

    table._row_factory = guarded_rows
    if chunks is not None:
        table._chunk_factory = lambda size: guard_quotes(chunks(size), **where)


def _iter_rows(
    path: Path,
    encoding: str,
    delimiter: str,
    strip_nuls: bool,
    header_row: int,
    width: int | None,
) -> Iterator[Row]:
    """Stream the records after the header; ``width`` set means trailing empties are cut."""
    number = header_row
    handle, lines = _open_text(path, encoding, strip_nuls)
    try:
        with handle:
            reader = csv.reader(lines, delimiter=delimiter)
            for _ in islice(reader, header_row):
                pass
            if width is None:
                for number, cells in enumerate(reader, header_row + 1):  # noqa: B007
                    if any(cells):
                        yield number, cells
            else:
                for number, cells in enumerate(reader, header_row + 1):  # noqa: B007
                    if any(cells):
                        yield number, fit_row(cells, width)
    except UnicodeDecodeError:
        raise BadInputError(
            f"cannot decode the file as {encoding}; pass the right encoding",
            file=str(path),
            row=number + 1,
        ) from None
    except csv.Error as exc:
        raise BadInputError(f"malformed CSV ({exc})", file=str(path), row=number + 1) from None
