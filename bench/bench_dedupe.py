"""Matching quality and speed on generated multi-department data, side by side with a naive
baseline (link on exact e-mail, exact phone, or same name + postcode; union-find).

    python bench/bench_dedupe.py --customers 10000 [--customers 100000]

Prints, per size: records, import and dedupe seconds with the time of every dedupe stage,
candidate pairs and pairs compared per second, peak memory (resident set of this process),
pairwise P/R/F1, B-cubed F1, hard-negative merges (households, colleagues, namesakes) and
the largest cluster, for custfocus and for the baseline. The cost of an incremental run is
measured by bench/bench_incremental.py.
Splink 5 and FEBRL are not part of this run yet (see the closing note of the dedupe issue).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path


def naive_baseline(store) -> dict[int, int]:
    """Union-find over exact e-mail key, exact phone, or folded name + postcode."""
    rows = store.execute(
        "SELECT record_id, email_key, phone_e164, name_key, postal_code FROM records").fetchall()
    parent = {r[0]: r[0] for r in rows}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first: dict[tuple[str, str], int] = {}
    for rid, email, phone, name, postcode in rows:
        keys = [("e", email), ("p", phone)]
        if name and postcode:
            keys.append(("n", f"{name}|{postcode}"))
        for key in keys:
            if key[1] is None:
                continue
            if key in first:
                parent[find(rid)] = find(first[key])
            else:
                first[key] = rid
    return {rid: find(rid) for rid in parent}


def peak_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(customers: int, seed: int) -> None:
    import pandas as pd

    from custfocus.dedupe.evaluate import evaluate, evaluate_store
    from custfocus.dedupe.run import dedupe
    from custfocus.ingest.importer import import_paths
    from custfocus.normalise import fold
    from custfocus.store import Store
    from custfocus.synth import generate

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        generate(data, customers=customers, seed=seed, csv_only=customers > 50_000)
        store = Store(Path(tmp) / "b.duckdb")
        t = time.perf_counter()
        import_paths(store, [data])
        t_import = time.perf_counter() - t
        t = time.perf_counter()
        result = dedupe(store, full=True)
        t_dedupe = time.perf_counter() - t
        ours = evaluate_store(store, data / ".truth" / "truth.csv")
        base_map = naive_baseline(store)
        truth = pd.read_csv(data / ".truth" / "truth.csv", dtype=str)
        recs = store.execute("SELECT record_id, source, CAST(row AS VARCHAR) AS row, full_name "
                             "FROM records").df().merge(truth, on=["source", "row"])
        groups = {"household": recs["household_id"], "colleagues": recs["company_id"],
                  "namesakes": recs["full_name"].map(
                      lambda v: fold(v) if isinstance(v, str) else None)}
        base = evaluate(recs["record_id"].map(base_map), recs["person_id"], groups)
        store.close()
    stages = ", ".join(f"{k} {v:.1f}" for k, v in result.timings.items())
    print(f"\n== {customers:,} customers: {result.records:,} records; import {t_import:.1f}s, "
          f"dedupe {t_dedupe:.1f}s ({stages})")
    print(f"candidate pairs {result.candidate_pairs:,}; compared "
          f"{result.compared_pairs / max(result.timings.get('compare', 1e-9), 1e-9):,.0f} pairs/s; "
          f"peak memory {peak_mb():,.0f} MB")
    header = f"{'':<12}{'P':>7}{'R':>7}{'F1':>7}{'B3 F1':>7}{'hard-neg':>9}{'house':>7}" \
             f"{'colleag':>8}{'names':>7}{'largest':>8}"
    print(header)
    for name, q in (("custfocus", ours), ("baseline", base)):
        hk = q.hard_negative_by_kind
        print(f"{name:<12}{q.pairwise_precision:>7.3f}{q.pairwise_recall:>7.3f}"
              f"{q.pairwise_f1:>7.3f}{q.bcubed_f1:>7.3f}{q.hard_negative_merged:>9.1%}"
              f"{hk.get('household', 0):>7.1%}{hk.get('colleagues', 0):>8.1%}"
              f"{hk.get('namesakes', 0):>7.1%}{q.largest_cluster:>8}")



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, action="append")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    for n in args.customers or [10_000]:
        measure(n, args.seed)


if __name__ == "__main__":
    main()
