"""``custfocus init``: a commented custfocus.toml written from the files found in a folder.

Every setting of :data:`custfocus.config.SETTINGS` is written with its help text, the
non-default ones active and the rest commented out, so the file documents itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from custfocus.config import SEGMENT_HELP, SETTINGS, SOURCE_KEYS
from custfocus.errors import UsageError
from custfocus.pipeline._init_texts import ENV, HEADER, SEGMENT_INTRO, SOURCES_INTRO, help_text

# Folders of a project checkout or a Python environment that never hold customer exports.
SKIP_DIRS = {"tests", "test", "src", "docs", "bench", "node_modules", "venv", ".venv",
             "site-packages", "__pycache__", "build", "dist", "custfocus-out"}


def find_data_files(root: Path) -> list[Path]:
    """Supported files under ``root`` (recursively), skipping hidden and project folders."""
    from custfocus.ingest.readers import discover_files

    found: list[Path] = []
    for child in sorted(root.iterdir()):
        if child.name.startswith((".", "~$")) or (child.is_dir() and child.name in SKIP_DIRS):
            continue
        if child.is_dir():
            found += discover_files([child])
        else:
            try:
                found += discover_files([child])
            except Exception:  # not a supported file: not a source
                continue
    return found


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def config_template(root: Path, lang: str | None = None) -> tuple[str, list[Path]]:
    """The text of custfocus.toml for ``root`` and the data files it lists."""
    from dataclasses import fields

    from custfocus.segment.tiers import SegmentSettings

    files = find_data_files(root)
    if not files:
        raise UsageError(f"no csv, xlsx, xls, ods, parquet or json files in {root}; "
                         "copy the exports here first")
    folders = sorted({str(f.parent.relative_to(root)) for f in files})
    paths = ["." if p == "." else p for p in folders]
    active: dict[str, Any] = {"run.paths": paths}
    if lang:
        active["run.lang"] = lang
    lines = HEADER.get(lang or "en", [
        "# custfocus workspace settings (custfocus init). Later wins: these defaults ->",
        "# this file -> CUSTFOCUS_* environment -> command-line flags.",
        "# Lines starting with '#' show a setting at its default value."]) + [""]
    section = None
    for s in SETTINGS:
        if s.section != section:
            section = s.section
            lines += ["", f"[{section}]"]
        env = f" ({ENV.get(lang or 'en', 'env')} {s.env})" if s.env else ""
        lines.append(f"# {help_text(s.key, s.help, lang)}{env}")
        value = active.get(s.key, s.default)
        prefix = "" if s.key in active else "# "
        lines.append(f"{prefix}{s.name} = {_toml(value)}")
    intro = SOURCES_INTRO.get(lang or "en", [
        "# One table per source file found; a key may also be a glob (\"ventas_*.csv\")",
        "# or \"file.xlsx#Sheet\". Settings: "])
    lines += ["", intro[0], intro[1]
              + "; ".join(f"{k}: {help_text(k, h, lang)}" for k, h in SOURCE_KEYS.items())]
    for f in files:
        unit = f.stem.split("__")[0].split("_")[0].lower() or f.stem
        lines += ["", f"[sources.{json.dumps(f.name, ensure_ascii=False)}]",
                  f"unit = {_toml(unit)}",
                  "# region = \"ES\"", "# map = { \"Tel. fijo\" = \"phone2\" }",
                  "# mode = \"full\""]
    lines += ["", SEGMENT_INTRO.get(lang or "en", "# Value x need segments (custfocus segment)"),
              "[segment]"]
    defaults = SegmentSettings()
    for f in fields(SegmentSettings):
        lines.append(f"# {help_text(f.name, SEGMENT_HELP.get(f.name, f.name), lang)}")
        value = getattr(defaults, f.name)
        shown = _toml(value) if value is not None else '"EUR"'
        lines.append(f"# {f.name} = {shown}")
    return "\n".join(lines) + "\n", files


def write_config(root: Path, *, lang: str | None = None, force: bool = False) -> tuple[Path, list[Path]]:
    """Write ``root/custfocus.toml``; refuses to overwrite one unless ``force``."""
    target = root / "custfocus.toml"
    if target.exists() and not force:
        raise UsageError(f"{target} already exists; use --force to overwrite it")
    text, files = config_template(root, lang)
    from custfocus.export._write import write_atomic

    write_atomic(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return target, files
