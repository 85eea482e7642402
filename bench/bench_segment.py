"""Benchmark ``segment_customers``: 1,000,000 customers with 10,000,000 transactions < 60 s.

Generates the data directly as Arrow tables (vectorised numpy, seeded), loads them into a
store's ``records``, ``record_customer``, ``customers`` and ``facts`` tables (as after import
and dedupe), then times segmentation alone.

    PYTHONPATH=src python bench/bench_segment.py [--customers 1000000] [--per-customer 10]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

GOAL_SECONDS = 60.0
LINES = np.array(
    ["Hogar", "Jardín", "Electrónica", "Moda", "Deporte", "Libros", "Juguetes", "Alimentación"]
)


def build(store, customers: int, per_customer: int, seed: int = 7) -> int:  # noqa: ANN001
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    n_tx = customers * per_customer
    ids = pa.array([f"C{i:08d}" for i in range(customers)])
    rec = pa.array(np.arange(1, customers + 1, dtype=np.int64))
    store.insert_arrow(
        "records",
        pa.table(
            {
                "record_id": rec,
                "import_id": pa.array(np.ones(customers, np.int32)),
                "source": pa.array(["ventas.csv"] * customers),
                "row": pa.array(np.arange(2, customers + 2, dtype=np.int32)),
                "unit": pa.array(["ventas"] * customers),
            }
        ),
    )
    store.insert_arrow("record_customer", pa.table({"record_id": rec, "customer_id": ids}))
    has_email = rng.random(customers) < 0.8
    store.insert_arrow(
        "customers",
        pa.table(
            {
                "customer_id": ids,
                "records": pa.array(np.ones(customers, np.int32)),
                "units": pa.array(rng.integers(1, 3, customers).astype(np.int32)),
                "email": pa.array(np.where(has_email, "x@example.com", None)),
            }
        ),
    )
    # Skewed activity: a few customers buy often, most rarely (gamma-distributed rates).
    weights = rng.gamma(0.5, 1.0, customers)
    owner = rng.choice(customers, size=n_tx, p=weights / weights.sum())
    start = np.datetime64("2021-01-01")
    days = rng.integers(0, (np.datetime64("2024-06-30") - start).astype(int), n_tx)
    fact_date = (start + days).astype("datetime64[D]")
    preferred = rng.integers(0, len(LINES), customers)
    line = np.where(rng.random(n_tx) < 0.7, preferred[owner], rng.integers(0, len(LINES), n_tx))
    kind = np.where(rng.random(n_tx) < 0.03, "ticket", "order")
    kind = np.where((kind == "order") & (rng.random(n_tx) < 0.02), "credit_note", kind)
    amount = np.round(rng.lognormal(3.5, 0.8, n_tx), 2)
    amount = np.where(kind == "credit_note", -amount, np.where(kind == "ticket", np.nan, amount))
    currency = np.where(owner % 40 == 0, "BRL", "EUR")
    store.insert_arrow(
        "facts",
        pa.table(
            {
                "fact_id": pa.array(np.arange(1, n_tx + 1, dtype=np.int64)),
                "import_id": pa.array(np.ones(n_tx, np.int32)),
                "source": pa.array(["ventas.csv"] * n_tx)
                if n_tx < 0
                else pa.DictionaryArray.from_arrays(np.zeros(n_tx, np.int32), ["ventas.csv"]).cast(
                    pa.string()
                ),
                "row": pa.array(np.arange(2, n_tx + 2, dtype=np.int32)),
                "record_id": pa.array(owner.astype(np.int64) + 1),
                "kind": pa.array(kind),
                "fact_date": pa.array(fact_date),
                "amount": pa.array(amount, mask=np.isnan(amount)),
                "currency": pa.array(currency),
                "product_line": pa.array(LINES[line]),
                "satisfaction": pa.array(
                    np.where(kind == "ticket", rng.integers(1, 6, n_tx), np.nan),
                    mask=kind != "ticket",
                ),
                "status": pa.array(
                    np.where(
                        kind == "ticket",
                        np.where(rng.random(n_tx) < 0.1, "abierto", "cerrado"),
                        None,
                    )
                ),
            }
        ),
    )
    return n_tx


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--per-customer", type=int, default=10, help="transactions per customer")
    ap.add_argument("--db", type=Path, default=None, help="store file (default: a temp file)")
    ap.add_argument("--json", type=Path, default=None, help="write the timings here")
    ap.add_argument(
        "--compare", type=Path, default=None, help="timings JSON of an earlier run to compare"
    )
    ap.add_argument(
        "--dump", type=Path, default=None, help="write the saved segments here (Parquet)"
    )
    args = ap.parse_args(argv)
    from custfocus.segment import segment_customers
    from custfocus.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.duckdb"
        with Store(db) as store:
            t0 = time.perf_counter()
            with store.transaction():
                n_tx = build(store, args.customers, args.per_customer)
            print(
                f"generated and loaded {args.customers:,} customers, {n_tx:,} facts in "
                f"{time.perf_counter() - t0:.1f} s",
                file=sys.stderr,
            )
            t0 = time.perf_counter()
            result = segment_customers(store, as_of=date(2024, 6, 30))
            seconds = time.perf_counter() - t0
            if args.dump:
                store.execute(
                    f"COPY (SELECT * EXCLUDE (run_id, computed_at) FROM customer_segments "
                    f"ORDER BY customer_id) TO '{args.dump}' (FORMAT parquet)"
                )
        sizes = ", ".join(f"{s['key']} {s['customers']:,}" for s in result.segments)
        print(f"segments: {sizes}")
        print(f"stages: {result.timings}")
        bg = result.models["bgnbd"]
        print(
            f"BG/NBD converged={bg.get('converged')} fitted on "
            f"{bg.get('fitted_on_sample_of') and 'a sample of ' or ''}{bg.get('customers'):,}"
        )
        print(
            f"segment_customers: {seconds:.1f} s for {args.customers:,} customers / "
            f"{n_tx:,} transactions; {seconds / GOAL_SECONDS:.0%} of the {GOAL_SECONDS:.0f} s "
            "goal"
        )
    run = {
        "customers": args.customers,
        "transactions": n_tx,
        "seconds": round(seconds, 3),
        "stages": result.timings,
        "result": {
            "segments": {s["key"]: s["customers"] for s in result.segments},
            "models": result.models,
            "kpis": {k["key"]: k["value"] for k in result.kpis},
            "pareto": result.pareto,
            "need_signals": result.need_signals,
            "cross_sell_rules": result.cross_sell_rules,
        },
    }
    if args.compare:
        print(compare_table(json.loads(args.compare.read_text()), run))
    if args.json:
        args.json.write_text(json.dumps(run, indent=1, default=str))
    return 0 if seconds < GOAL_SECONDS else 1


def compare_table(before: dict, after: dict) -> str:
    """Stage times before and after, the speed-up, and the share of the goal."""
    stages = list(dict.fromkeys([*before["stages"], *after["stages"]]))
    rows = [("stage", "before s", "after s", "speed-up")]
    for name in [*stages, "total"]:
        b = before["seconds"] if name == "total" else before["stages"].get(name)
        a = after["seconds"] if name == "total" else after["stages"].get(name)
        ratio = f"{b / a:.1f}x" if a and b else "-"
        rows.append(
            (
                name,
                f"{b:.1f}" if b is not None else "-",
                f"{a:.1f}" if a is not None else "-",
                ratio,
            )
        )
    rows.append(("goal", f"{GOAL_SECONDS:.0f}", f"{GOAL_SECONDS:.0f}", ""))
    rows.append(
        (
            "share of goal",
            f"{before['seconds'] / GOAL_SECONDS:.0%}",
            f"{after['seconds'] / GOAL_SECONDS:.0%}",
            "",
        )
    )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [f"before: {before['customers']:,} customers; after: {after['customers']:,}"]
    b_seg, a_seg = (r.get("result", {}).get("segments", {}) for r in (before, after))
    if b_seg and a_seg:
        moved = sum(abs(a_seg.get(k, 0) - b_seg.get(k, 0)) for k in {*a_seg, *b_seg}) // 2
        lines.append(f"segment sizes: {moved:,} customers in a different segment count")
    for r in rows:
        lines.append(
            "  ".join([r[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(r[1:], widths[1:]))])
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
