"""One streamed pass over a file's bytes: hash, size, and what the encoding cascade needs.

Reading a large CSV twice is unavoidable (check the encoding, then parse), so the first
pass also computes the content hash and counts NUL bytes instead of spending extra passes.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

from custfocus.errors import BadInputError

__all__ = ["BLOCK_SIZE", "ByteScan", "decodes_cleanly", "scan_bytes"]

BLOCK_SIZE = 1 << 20
HEAD_SIZE = 64 * 1024
# Bytes cp1252 leaves undefined: their presence rules cp1252 out.
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


@dataclass
class ByteScan:
    """Facts about a file's bytes gathered in one pass."""

    sha256: str
    size: int
    head: bytes
    nul_count: int = 0
    utf8_ok: bool = False
    cp1252_ok: bool = False


def scan_bytes(path: Path, *, text_checks: bool = False) -> ByteScan:
    """Hash ``path`` and, with ``text_checks``, test strict UTF-8 and cp1252 and count NULs."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    nul_count = 0
    utf8 = codecs.getincrementaldecoder("utf-8")("strict") if text_checks else None
    cp1252_ok = text_checks
    try:
        with open(path, "rb") as handle:
            while block := handle.read(BLOCK_SIZE):
                digest.update(block)
                if size == 0:
                    head = block[:HEAD_SIZE]
                size += len(block)
                if not text_checks:
                    continue
                nul_count += block.count(b"\x00")
                if utf8 is not None:
                    try:
                        utf8.decode(block)
                    except UnicodeDecodeError:
                        utf8 = None
                if cp1252_ok and any(byte in block for byte in _CP1252_UNDEFINED):
                    cp1252_ok = False
            if utf8 is not None:
                try:
                    utf8.decode(b"", final=True)
                except UnicodeDecodeError:
                    utf8 = None
    except OSError as exc:
        reason = exc.strerror or "I/O error"
        raise BadInputError(f"cannot read file ({reason})", file=str(path)) from None
    return ByteScan(
        sha256=digest.hexdigest(),
        size=size,
        head=head,
        nul_count=nul_count,
        utf8_ok=text_checks and utf8 is not None,
        cp1252_ok=cp1252_ok,
    )


def decodes_cleanly(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes strictly as ``encoding`` (streamed)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        with open(path, "rb") as handle:
            while block := handle.read(BLOCK_SIZE):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except (UnicodeDecodeError, OSError):
        return False
    return True
