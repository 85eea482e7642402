"""The workspace file ``custfocus.toml``: settings that a folder of exports always needs.

Precedence, later wins: built-in defaults -> custfocus.toml -> environment -> flags.
Example::

    [sources."soporte.csv"]          # a file name, or "file.xlsx#Sheet"
    unit = "soporte"
    region = "ES"
    map = { "Tel. fijo" = "phone2", "Notas internas" = "ignore" }
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from custfocus.errors import UsageError

CONFIG_FILE = "custfocus.toml"
SOURCE_KEYS = {"unit": "business unit of the source",
               "region": "default country for phones and ids (ES, BR, MX...)",
               "map": "column roles: { \"HEADER\" = \"role\" }"}


def load_config(path: str | Path | None = CONFIG_FILE) -> dict[str, Any]:
    """Parse custfocus.toml; a missing file is an empty configuration."""
    if path is None or not Path(path).exists():
        return {}
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{Path(path).name} is not valid TOML: {exc}") from None


def source_settings(config: dict[str, Any], file_name: str, sheet: str | None) -> dict[str, Any]:
    """Settings of one source: ``[sources."file"]`` then ``[sources."file#Sheet"]``."""
    sources = config.get("sources", {})
    merged: dict[str, Any] = {}
    for key in (file_name, f"{file_name}#{sheet}" if sheet else None):
        if key and key in sources:
            unknown = set(sources[key]) - set(SOURCE_KEYS)
            if unknown:
                raise UsageError(f"custfocus.toml [sources.\"{key}\"]: unknown setting(s) "
                                 f"{', '.join(sorted(unknown))}; known: {', '.join(SOURCE_KEYS)}")
            entry = dict(sources[key])
            merged["map"] = {**merged.get("map", {}), **entry.pop("map", {})}
            merged.update(entry)
    return merged
