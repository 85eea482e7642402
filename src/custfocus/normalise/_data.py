"""Read the small reference files shipped in ``custfocus/data``."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def read_data_text(name: str) -> str:
    """Return the text of ``custfocus/data/<name>`` (UTF-8)."""
    try:
        return (files("custfocus") / "data" / name).read_text(encoding="utf-8")
    except (OSError, TypeError, AttributeError, ModuleNotFoundError):
        # Running from a source tree where ``custfocus`` is a namespace package.
        path = Path(__file__).resolve().parent.parent / "data" / name
        return path.read_text(encoding="utf-8")
