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
    ap.add_argument(
        "--replicate",
        type=int,
        default=1,
        help="copy the deduped store K times (new ids) to reach large sizes quickly, e.g. "
        "--customers 100000 --replicate 10 for an audit of about 1,000,000 customers",
    )
    args = ap.parse_args(argv)

    from custfocus.audit import run_audit
    from custfocus.dedupe.run import dedupe
    from custfocus.ingest.importer import import_paths
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
            result = dedupe(store)
            print(
                f"dedupe:   {time.perf_counter() - t:.1f} s ({result.records:,} records -> "
                f"{result.customers:,} customers)",
                file=sys.stderr,
            )
    if args.replicate > 1:
        db = _replicate(db, work / f"audit_x{args.replicate}.duckdb", args.replicate)
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


def _replicate(db: Path, target: Path, times: int) -> Path:
    """Copies of every record, fact and customer under new ids (same sources and units)."""
    if target.exists():
        return target
    t = time.perf_counter()
    import duckdb

    with duckdb.connect(str(target)) as con:
        con.execute(f"ATTACH '{db}' AS small (READ_ONLY)")
        con.execute("USE small")
        big = f'"{target.stem}".main'
        for table in ("imports", "hidden_sheets", "raw_rows", "dedupe_runs", "meta"):
            con.execute(f"CREATE TABLE {big}.{table} AS SELECT * FROM {table}")
        step_r = con.execute("SELECT max(record_id) FROM records").fetchone()[0] + 1
        step_f = con.execute("SELECT max(fact_id) FROM facts").fetchone()[0] + 1
        copies = f"range({times}) k(k)"
        con.execute(f"""CREATE TABLE {big}.records AS SELECT * REPLACE (
            record_id + k * {step_r} AS record_id) FROM records, {copies}""")
        con.execute(f"""CREATE TABLE {big}.facts AS SELECT * REPLACE (
            fact_id + k * {step_f} AS fact_id, record_id + k * {step_r} AS record_id)
            FROM facts, {copies}""")
        con.execute(f"""CREATE TABLE {big}.record_customer AS SELECT * REPLACE (
            record_id + k * {step_r} AS record_id, customer_id || '-' || k AS customer_id)
            FROM record_customer, {copies}""")
        con.execute(f"""CREATE TABLE {big}.customers AS SELECT * REPLACE (
            customer_id || '-' || k AS customer_id) FROM customers, {copies}""")
    print(f"replicate x{times}: {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return target


if __name__ == "__main__":
    raise SystemExit(main())
