"""Benchmark ``custfocus audit``: generate N customers, import, dedupe, time ``run_audit``.

The goal (issue #4): the audit of 1,000,000 customers finishes in under 30 s. Generating,
importing and deduping that many takes much longer than the audit itself; pass
``--customers 100000`` for a quick run, and ``--keep DIR`` to reuse a deduped store.

    PYTHONPATH=src python bench/bench_audit.py --customers 100000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 30.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", type=Path, help="work folder to keep (reused when it has a store)")
    ap.add_argument("--repeat", type=int, default=1, help="time the audit this many times")
    args = ap.parse_args(argv)

    from custfocus.audit import run_audit
    from custfocus.ingest.importer import import_paths
    from custfocus.match.dedupe import find_duplicates
    from custfocus.store import Store
    from custfocus.synth import generate

    work = args.keep or Path(tempfile.mkdtemp(prefix="cf-bench-audit-"))
    work.mkdir(parents=True, exist_ok=True)
    db, data = work / "audit.duckdb", work / "data"
    if not db.exists():
        t = time.perf_counter()
        planted = generate(data, customers=args.customers, seed=args.seed, csv_only=True)
        print(
            f"generate: {time.perf_counter() - t:.1f} s ({planted.persons:,} customers, "
            f"{sum(planted.source_rows.values()):,} rows)",
            file=sys.stderr,
        )
        with Store(db) as store:
            t = time.perf_counter()
            import_paths(store, [data])
            print(f"import:   {time.perf_counter() - t:.1f} s", file=sys.stderr)
            t = time.perf_counter()
            result = find_duplicates(store)
            print(
                f"dedupe:   {time.perf_counter() - t:.1f} s ({result.records:,} records -> "
                f"{result.customers:,} customers)",
                file=sys.stderr,
            )
    with Store(db, read_only=True) as store:
        customers = store.query_value("SELECT count(*) FROM customers")
        best = float("inf")
        for _ in range(args.repeat):
            t = time.perf_counter()
            report = run_audit(store)
            best = min(best, time.perf_counter() - t)
    slowest = max(report.timings.items(), key=lambda kv: kv[1])
    print(
        f"audit of {customers:,} customers ({args.customers:,} generated): {best:.2f} s "
        f"= {best / GOAL_SECONDS:.2f} x the {GOAL_SECONDS:.0f} s goal; slowest step "
        f"{slowest[0]} {slowest[1]:.2f} s"
    )
    print("steps: " + ", ".join(f"{k} {v:.2f}s" for k, v in report.timings.items()))
    print(f"store kept in {work}" if args.keep else f"work folder: {work}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
