"""The embedded engine beside ``--engine spark`` on generated people (custfocus.synth).

    python bench/bench_spark.py                        # 100,000 customers
    python bench/bench_spark.py --customers 100000 --customers 1000000 --master 'local[2]'

Per size: the data is generated and imported once; then each engine runs a full dedupe in
a process of its own (a copy of the store each), and this prints side by side the time of
every stage, candidate pairs, pairs compared per second, and the peak resident memory of
the engine's whole process tree (for Spark: this Python, the JVM and its Python workers),
polled every 0.2 s. It checks that both engines gave the same pairs, probabilities (to
1e-9) and customers. Spark's driver memory: PYSPARK_SUBMIT_ARGS="--driver-memory 8g
pyspark-shell" (the default, 1 GB, spills at a million records).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_one(db: str, engine: str, master: str) -> None:
    """In the child process: one full dedupe; its result as JSON on stdout."""
    from custfocus.dedupe.run import DedupeSettings, dedupe
    from custfocus.dedupe.spark import SparkSettings
    from custfocus.store import Store

    with Store(db) as store:
        start = time.perf_counter()
        result = dedupe(store, full=True, settings=DedupeSettings(
            engine=engine, spark=SparkSettings(master=master)))
        seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "timings": result.timings,
                      "records": result.records, "nodes": result.distinct_identities,
                      "pairs": result.candidate_pairs, "customers": result.customers}))


def measure_process(args: list[str]) -> tuple[dict, float]:
    """Run a child; its JSON result and the peak RSS (MB) of its process tree."""
    import psutil

    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    proc = psutil.Process(child.pid)
    peak = 0.0
    while child.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.2)
    out = child.stdout.read().decode()
    if child.returncode:
        raise SystemExit(f"{args[-2]} engine failed (exit {child.returncode})")
    return json.loads(out.strip().splitlines()[-1]), peak / 2**20


def same(db_a: Path, db_b: Path) -> str:
    import numpy as np

    from custfocus.store import Store

    with Store(db_a, read_only=True) as a, Store(db_b, read_only=True) as b:
        sql = "SELECT node_a, node_b, pattern, probability FROM match_pairs ORDER BY 1, 2"
        pa_, pb = a.execute(sql).fetchnumpy(), b.execute(sql).fetchnumpy()
        customers = ("SELECT r.source, r.row, c.customer_id FROM records r "
                     "JOIN record_customer c USING (record_id) ORDER BY 1, 2")
        ok = (len(pa_["node_a"]) == len(pb["node_a"])
              and all(np.array_equal(pa_[c], pb[c]) for c in ("node_a", "node_b", "pattern"))
              and float(np.abs(pa_["probability"] - pb["probability"]).max()) <= 1e-9
              and a.execute(customers).fetchall() == b.execute(customers).fetchall())
    return "same pairs, probabilities (1e-9) and customers" if ok else "RESULTS DIFFER"


def measure(customers: int, seed: int, master: str) -> None:
    from custfocus.ingest.importer import import_paths
    from custfocus.store import Store
    from custfocus.synth import generate

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        generate(data, customers=customers, seed=seed, csv_only=customers > 50_000)
        with Store(Path(tmp) / "embedded.duckdb") as store:
            import_paths(store, [data])
        shutil.copy(Path(tmp) / "embedded.duckdb", Path(tmp) / "spark.duckdb")
        rows = {}
        for engine in ("embedded", "spark"):
            db = str(Path(tmp) / f"{engine}.duckdb")
            rows[engine] = measure_process([sys.executable, __file__, "--one", db, engine,
                                            master])
        verdict = same(Path(tmp) / "embedded.duckdb", Path(tmp) / "spark.duckdb")
    first = rows["embedded"][0]
    print(f"\n== {customers:,} customers: {first['records']:,} records, {first['nodes']:,} "
          f"nodes, {first['pairs']:,} candidate pairs; spark master {master}; {verdict}")
    stages = list(first["timings"])
    # other: what no stage counts (for Spark: starting the session, nodes out as Parquet)
    print(f"{'engine':<10}{'total s':>9}" + "".join(f"{s:>9}" for s in stages)
          + f"{'other':>9}{'pairs/s':>12}{'peak MB':>9}")
    for engine, (result, peak) in rows.items():
        t = result["timings"]
        rate = result["pairs"] / max(t["compare"], 1e-9)
        other = result["seconds"] - sum(t.values())
        print(f"{engine:<10}{result['seconds']:>9.1f}" + "".join(f"{t[s]:>9.1f}" for s in stages)
              + f"{other:>9.1f}{rate:>12,.0f}{peak:>9,.0f}")


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--one":
        run_one(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, action="append")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--master", default="local[*]")
    args = parser.parse_args()
    for n in args.customers or [100_000]:
        measure(n, args.seed, args.master)


if __name__ == "__main__":
    main()
