"""The workspace file ``custfocus.toml``: settings that a folder of exports always needs.

Precedence, later wins: built-in defaults -> custfocus.toml -> environment (``CUSTFOCUS_*``)
-> flags. Every setting is declared once in :data:`SETTINGS` with its default and help text
(like datasette's ``SETTINGS``); ``custfocus init`` writes them as comments and a test fails
when one has no help. Example::

    [run]
    paths = ["exports"]              # what `custfocus run` imports
    [sources."soporte.csv"]          # a file name, a glob ("ventas_*.csv") or "file.xlsx#Sheet"
    unit = "soporte"
    region = "ES"
    map = { "Tel. fijo" = "phone2", "Notas internas" = "ignore" }
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from custfocus.errors import UsageError

if TYPE_CHECKING:
    from custfocus.dedupe.run import DedupeSettings

CONFIG_FILE = "custfocus.toml"
SOURCE_KEYS = {"unit": "business unit of the source (default: from the file name)",
               "region": "default country for phones and ids (ES, BR, MX...)",
               "map": "column roles: { \"HEADER\" = \"role\" }",
               "name": "source name to store instead of the file name (custfocus run)",
               "mode": "\"full\" (a new export replaces the last one) or \"append\" "
                       "(custfocus run)"}


@dataclass(frozen=True)
class Setting:
    """One documented setting: ``section.name``, its default, help text and environment name."""

    key: str
    default: Any
    help: str
    env: str | None = None
    choices: tuple[str, ...] = ()

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]


def _s(key: str, default: Any, help: str, env: str | None = "", choices: tuple[str, ...] = ()
       ) -> Setting:
    if env == "":  # the conventional name: CUSTFOCUS_SECTION_NAME
        env = "CUSTFOCUS_" + key.replace(".", "_").upper()
    return Setting(key, default, help, env, choices)


SETTINGS: tuple[Setting, ...] = (
    _s("run.paths", ["."], "files, folders or globs that `custfocus run` imports", ),
    _s("run.db", "custfocus.duckdb", "the workspace store (a DuckDB file)", "CUSTFOCUS_DB"),
    _s("run.lang", "en", "language of reports: es, pt or en", "CUSTFOCUS_LANG",
       ("es", "pt", "en")),
    _s("run.as_of", "data", "reference date of segments and audit: \"data\" (the latest "
       "transaction, so unchanged files give unchanged figures), \"today\" or YYYY-MM-DD"),
    _s("run.log", "custfocus-run.log", "log file, one JSON line per step (no personal data); "
       "\"\" for none"),
    _s("run.fail_on", [], "audit thresholds that make `custfocus run` exit 1, e.g. "
       "[\"duplicate_rate>0.05\"]"),
    _s("import.strict", False, "exit 3, the store unchanged, when a file has rejected rows "
       "or no name, identifier or amount in any row (`custfocus import --strict`)"),
    _s("match.match_threshold", 0.5, "match probability from which two records are merged "
       "(the model's probabilities are calibrated: 0.5 merges what is more likely one customer "
       "than two; raise it to merge only surer pairs and review the rest)"),
    _s("match.review_threshold", 0.2, "probability from which a pair is listed for review"),
    _s("match.max_records", 60, "largest number of records one customer may have"),
    _s("match.survivorship", "recent", "how golden values are chosen: recent (latest "
       "update), frequent (most records agree) or source_priority",
       choices=("recent", "frequent", "source_priority")),
    _s("match.source_priority", [], "sources to trust first with survivorship = "
       "\"source_priority\" (name prefixes)"),
    _s("match.engine", "embedded", "where a full run blocks, compares and scores: embedded "
       "(this machine) or spark (Apache Spark, `pip install 'custfocus[spark]'` and Java)",
       choices=("embedded", "spark")),
    _s("match.spark_master", "local[*]", "the Spark master of engine = \"spark\": local[*], "
       "spark://host:7077, yarn, k8s://https://host, or sc://host:15002 (Spark Connect)"),
    _s("match.spark_workdir", "", "a folder this machine and every Spark executor reach "
       "(s3://..., gs://..., a shared mount) that nodes and pairs cross through; \"\": a "
       "temporary folder here (local[*] only)"),
    _s("outputs.dir", "custfocus-out", "folder the outputs of `custfocus run` are written to"),
    _s("outputs.report", True, "write report.html: audit, segments and trends in one page"),
    _s("outputs.audit", ["json"], "audit files to write: json, markdown, html, xlsx"),
    _s("outputs.exports", ["master", "xref", "segments"], "tables to export: master, xref, "
       "clusters, pairs, segments"),
    _s("outputs.formats", ["csv"], "formats of the exports: csv, xlsx, parquet, json"),
    _s("outputs.mask", False, "mask personal values in the exports, audit files and "
       "report.html (j***@gmail.com, +34 6** *** 678, names as initials), as --mask does"),
    _s("outputs.postgres", "", "PostgreSQL to upsert master, xref and segments into after "
       "each run (those of outputs.exports), e.g. \"postgresql://crm@db.example.org/crm\"; "
       "keep the password in PGPASSWORD or ~/.pgpass; \"\" for none"),
)

SEGMENT_HELP: dict[str, str] = {
    "high_value_share": "share of buyers with the highest value score that is \"high value\"",
    "high_need_score": "need score (0-100) from which need is \"high\"",
    "lapsed_days": "days without a purchase after which a customer has lapsed",
    "win_back_min_value": "revenue percentile from which a lapsed customer is worth winning back",
    "new_customer_days": "a first purchase this recent is a growth signal",
    "period_days": "KPI window: the last N days up to the as-of date",
    "recent_days": "window of the recent purchase rate, compared with the earlier rate",
    "overdue_factor": "overdue when days since last purchase exceed this x own purchase cycle",
    "low_p_alive": "probability alive (BG/NBD) below which a repeat buyer is at risk",
    "low_satisfaction": "satisfaction (share of its scale) below which it is low",
    "max_amount": "larger amounts are treated as errors and left out",
    "horizon_months": "lifetime-value horizon in months",
    "discount_rate": "annual discount rate of lifetime value",
    "time_unit_days": "time unit of the BG/NBD model, in days",
    "main_currency": "currency of value figures (default: the one with most purchases)",
    "cross_sell_min_share": "share of a line's buyers who also buy a suggestion",
    "cross_sell_max": "most cross-sell suggestions per customer",
    "need_weights": "weight of each need signal, e.g. { open_issues = 25 }",
}

_BY_KEY = {s.key: s for s in SETTINGS}
SECTIONS = ("run", "import", "match", "outputs")


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
    """Settings of one source: matching globs, then ``[sources."file"]``, then ``"file#Sheet"``."""
    sources = config.get("sources", {})
    exact = [file_name, f"{file_name}#{sheet}" if sheet else None]
    globs = [k for k in sources if k not in exact and any(c in k for c in "*?[")
             and (fnmatch.fnmatchcase(file_name, k)
                  or (sheet and fnmatch.fnmatchcase(f"{file_name}#{sheet}", k)))]
    merged: dict[str, Any] = {}
    for key in [*sorted(globs), *exact]:
        if key and key in sources:
            unknown = set(sources[key]) - set(SOURCE_KEYS)
            if unknown:
                raise UsageError(f"custfocus.toml [sources.\"{key}\"]: unknown setting(s) "
                                 f"{', '.join(sorted(unknown))}; known: {', '.join(SOURCE_KEYS)}")
            entry = dict(sources[key])
            merged["map"] = {**merged.get("map", {}), **entry.pop("map", {})}
            merged.update(entry)
    if merged.get("mode", "full") not in ("full", "append"):
        raise UsageError(f"custfocus.toml: mode of source {file_name} must be \"full\" or "
                         f"\"append\", not \"{merged['mode']}\"")
    return merged


def resolve_settings(
    config: dict[str, Any],
    env: Mapping[str, str] | None = None,
    flags: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Every ``run``/``match``/``outputs`` setting as ``{"section.name": value}``.

    Later wins: defaults, ``config`` (parsed custfocus.toml), ``env`` (``CUSTFOCUS_*``; lists
    comma-separated), ``flags`` (None means "not given").

    Example:
        >>> resolve_settings({"run": {"lang": "es"}}, {}, {})["run.lang"]
        'es'
    """
    env = os.environ if env is None else env
    values = {s.key: s.default for s in SETTINGS}
    for section in SECTIONS:
        table = config.get(section, {})
        if not isinstance(table, dict):
            raise UsageError(f"custfocus.toml: [{section}] must be a table")
        for name, value in table.items():
            key = f"{section}.{name}"
            if key not in _BY_KEY:
                known = ", ".join(s.name for s in SETTINGS if s.section == section)
                raise UsageError(f"custfocus.toml [{section}]: unknown setting '{name}'; "
                                 f"known: {known}")
            values[key] = _check(_BY_KEY[key], value, "custfocus.toml")
    for setting in SETTINGS:
        if setting.env and env.get(setting.env, "") != "":
            values[setting.key] = _check(setting, _from_env(setting, env[setting.env]),
                                         setting.env)
    for key, value in (flags or {}).items():
        if value is not None:
            values[key] = _check(_BY_KEY[key], value, "option")
    return values


def setting_default(key: str) -> Any:
    """The built-in default of one setting (a copy, so a list default cannot be mutated).

    Example:
        >>> setting_default("match.survivorship")
        'recent'
    """
    default = _BY_KEY[key].default
    return list(default) if isinstance(default, list) else default


def dedupe_settings(values: Mapping[str, Any]) -> DedupeSettings:
    """The settings of every matching run, built from :func:`resolve_settings`' values.

    The only place ``[match]`` becomes :class:`~custfocus.dedupe.run.DedupeSettings`:
    ``custfocus run`` and ``custfocus dedupe`` both go through it, so one workspace matches
    the same way whichever command runs it. Each field of ``ClusterSettings`` is read from
    the setting of the same name (a field without a declared setting is a KeyError).

    Example:
        >>> settings = dedupe_settings(resolve_settings({"match": {"match_threshold": 0.97}}, {}))
        >>> settings.cluster.match_threshold
        0.97
    """
    from dataclasses import fields

    from custfocus.dedupe.cluster import ClusterSettings
    from custfocus.dedupe.golden import Survivorship
    from custfocus.dedupe.run import DedupeSettings

    for name in ("match_threshold", "review_threshold"):
        if not 0 <= values[f"match.{name}"] <= 1:
            raise UsageError(f"match.{name} must be between 0 and 1, "
                             f"not {values[f'match.{name}']}")
    cluster = ClusterSettings(**{f.name: values[f"match.{f.name}"]
                                 for f in fields(ClusterSettings)})
    survivorship = Survivorship(default_rule=values["match.survivorship"],
                                source_priority=list(values["match.source_priority"]))
    from custfocus.dedupe.spark import SparkSettings

    return DedupeSettings(cluster=cluster, survivorship=survivorship,
                          engine=values["match.engine"],
                          spark=SparkSettings(master=values["match.spark_master"],
                                              workdir=values["match.spark_workdir"]))


def _from_env(setting: Setting, text: str) -> Any:
    default = setting.default
    if isinstance(default, bool):
        return text.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, list):
        return [part.strip() for part in text.split(",") if part.strip()]
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            raise UsageError(f"{setting.env} must be a whole number, not '{text}'") from None
    if isinstance(default, float):
        try:
            return float(text)
        except ValueError:
            raise UsageError(f"{setting.env} must be a number, not '{text}'") from None
    return text


def _check(setting: Setting, value: Any, where: str) -> Any:
    default = setting.default
    if isinstance(default, list) and isinstance(value, str):
        value = [value]
    ok = (isinstance(value, bool) if isinstance(default, bool)
          else isinstance(value, list) if isinstance(default, list)
          else isinstance(value, (int, float)) and not isinstance(value, bool)
          if isinstance(default, (int, float)) else isinstance(value, str))
    if ok and isinstance(default, int) and not isinstance(default, bool):
        # a count: 60.0 is 60, 60.5 is no count at all
        ok = float(value).is_integer()
        value = int(value) if ok else value
    elif ok and isinstance(default, float):
        value = float(value)
    if not ok:
        raise UsageError(f"{where}: {setting.key} has the wrong type ({setting.help})")
    if setting.choices and value not in setting.choices:
        raise UsageError(f"{where}: {setting.key} must be one of {', '.join(setting.choices)}")
    return value


def documented_settings() -> list[tuple[str, Any, str]]:
    """``(key, default, help)`` of every setting, ``[sources.*]`` and ``[segment]`` included."""
    from dataclasses import fields

    from custfocus.segment.tiers import SegmentSettings

    out = [(s.key, s.default, s.help) for s in SETTINGS]
    out += [(f"sources.*.{k}", None, h) for k, h in SOURCE_KEYS.items()]
    defaults = SegmentSettings()
    out += [(f"segment.{f.name}", getattr(defaults, f.name), SEGMENT_HELP.get(f.name, ""))
            for f in fields(SegmentSettings)]
    return out


# Reference dates a customer analysis can mean: the arithmetic of windows and ages before
# 1900 or after 2999 overflows Python's dates (year 1 made `segment` exit 70).
AS_OF_RANGE = ("1900-01-01", "2999-12-31")


# A day, month and year as people write them: 30/06/2024, 30-06-2024, 30.06.2024.
_LOCAL_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def reference_date(text: str, lang: str = "en") -> Any:
    """A reference date (``--as-of``, ``run.as_of``) within :data:`AS_OF_RANGE`.

    ISO (2024-06-30) always; also the date as the user's locale writes it: day first for
    es and pt (30/06/2024), and for en whichever order the numbers allow (30/06/2024 or
    06/30/2024). An English date that reads both ways (03/04/2024) is refused rather than
    guessed.

    Raises:
        UsageError: not such a date.
    """
    from datetime import date

    try:
        day = _local_date(text, lang) or date.fromisoformat(text.strip())
    except ValueError:
        example = "2024-06-30 or 30/06/2024" if lang in ("es", "pt") else "2024-06-30"
        raise UsageError(f"'{text}' is not a date like {example}") from None
    low, high = (date.fromisoformat(d) for d in AS_OF_RANGE)
    if not low <= day <= high:
        raise UsageError(f"{text} is outside {AS_OF_RANGE[0]} .. {AS_OF_RANGE[1]}")
    return day


def _local_date(text: str, lang: str) -> Any:
    """``text`` as D/M/Y (es, pt) or an unambiguous D/M/Y or M/D/Y (en); None if not so written.

    Raises:
        ValueError: written so, but not a day of the calendar.
        UsageError: an English date whose day and month could be swapped.
    """
    from datetime import date

    found = _LOCAL_DATE.match(text)
    if not found:
        return None
    first, second, year = (int(n) for n in found.groups())
    if lang in ("es", "pt") or first > 12:
        return date(year, second, first)
    if second > 12 or first == second:
        return date(year, first, second)
    raise UsageError(f"'{text}' could be day/month or month/day: write it as YYYY-MM-DD")
