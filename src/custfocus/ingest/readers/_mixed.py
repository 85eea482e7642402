"""Files whose lines mix UTF-8 and cp1252, decoded line by line instead of as mojibake.

Why: a CSV appended to over the years by different programs may hold UTF-8 lines (a
newer export) after cp1252 ones (an older tool). Such a file is not valid UTF-8, so the
cascade picked cp1252 for all of it and stored "JosÃ© PÃ©rez". Reading each line as UTF-8,
else as cp1252, gets both right: a cp1252 line of Spanish or Portuguese text is almost
never valid UTF-8 by chance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ._scan import BLOCK_SIZE

__all__ = ["MIXED_ENCODING", "MixedText", "count_line_encodings", "decode_lines"]

#: The encoding name a mixed file is stored and reported with.
MIXED_ENCODING = "utf-8+cp1252"
# A UTF-8 lead byte followed by a continuation byte: how any UTF-8 accent starts.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def _has_utf8_sequence(path: Path) -> bool:
    with open(path, "rb") as handle:
        tail = b""
        while block := handle.read(BLOCK_SIZE):
            if _UTF8_SEQUENCE.search(tail + block):
                return True
            tail = block[-1:]
    return False


def _decode(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return line.decode("latin-1")


def decode_lines(lines: Iterable[bytes]) -> Iterator[str]:
    """Each line (bytes, line ending included) as UTF-8 text, else as cp1252."""
    for line in lines:
        yield line.decode("ascii") if line.isascii() else _decode(line)


def count_line_encodings(path: Path) -> tuple[int, int]:
    """How many lines with non-ASCII bytes are valid UTF-8, and how many are not.

    A file with no UTF-8 multi-byte sequence at all (nearly every cp1252 file: an accented
    letter is followed by ASCII) is told apart by a fast byte search, without the line loop.

    Example:
        >>> count_line_encodings(Path("mixed.csv"))  # doctest: +SKIP
        (12, 3)
    """
    if not _has_utf8_sequence(path):
        return 0, 1
    utf8 = other = 0
    with open(path, "rb") as handle:
        for line in handle:
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
                utf8 += 1
            except UnicodeDecodeError:
                other += 1
    return utf8, other


class MixedText:
    """A mixed file opened as text: iterated by lines, or read from the top for a sample.

    ``read`` returns whole lines (at least ``size`` characters unless the file ends first),
    which is all the delimiter sniffer needs; ``seek(0)`` starts again.
    """

    def __init__(self, path: Path) -> None:
        self._raw = open(path, "rb")  # noqa: SIM115 - closed by close() / the with block

    def __iter__(self) -> Iterator[str]:
        return decode_lines(self._raw)

    def read(self, size: int) -> str:
        parts: list[str] = []
        length = 0
        while length < size and (line := self._raw.readline()):
            parts.append(next(decode_lines([line])))
            length += len(parts[-1])
        return "".join(parts)

    def seek(self, offset: int) -> None:
        self._raw.seek(offset)

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> MixedText:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
