"""An incremental dedupe after adding 1 % new records, side by side with a full run.

    python bench/bench_incremental.py --customers 100000 [--share 0.01]

Generates customers, holds back the last rows of the marketing list (``--share`` of all
records) as a separate new file, imports the rest and dedupes it in full (fitting the
model); then imports the new file and dedupes twice from the same state: incrementally,
and in full on a copy, both with the kept model. Prints the stage times of both runs, their
ratio, and whether they found the same customers.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path


def split_new(data: Path, old: Path, new: Path, share: float) -> int:
    """Copy the sources to ``old``, except the last rows of marketing.csv go to ``new``."""
    old.mkdir()
    new.mkdir()
    for path in data.iterdir():
        if path.is_file() and path.suffix in (".csv", ".xlsx") and path.name != "marketing.csv":
            shutil.copy(path, old / path.name)
    # The ground truth has a line per source row; order lines carry no customer record.
    with (data / ".truth" / "truth.csv").open(encoding="utf-8") as truth:
        rows = sum(1 for line in truth if not line.rstrip().endswith(",order")) - 1
    lines = (data / "marketing.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    held = max(1, min(int(rows * share), len(lines) - 2))
    (old / "marketing.csv").write_text("".join(lines[:-held]), encoding="utf-8")
    (new / "marketing_nuevos.csv").write_text(lines[0] + "".join(lines[-held:]),
                                              encoding="utf-8")
    return held


def partition(store) -> dict[int, str]:
    return dict(store.execute("SELECT record_id, customer_id FROM record_customer").fetchall())


def same_partition(x: dict[int, str], y: dict[int, str]) -> bool:
    if x.keys() != y.keys():
        return False
    pairs = {(x[r], y[r]) for r in x}
    return len(pairs) == len({a for a, _ in pairs}) == len({b for _, b in pairs})


# What both runs save besides the partition: pairs with their flags, strong pairs with
# their decisions, the links explain reads, and the nodes.
_SAVED = {
    "pairs": "SELECT node_a, node_b, pattern, probability "
             "FROM {}.match_pairs",
    "decisions": "SELECT node_a, node_b, probability, decision FROM {}.match_strong",
    "links": "SELECT record_a, record_b, round(probability, 12), decision FROM {}.match_links",
    "nodes": "SELECT node, cluster, size, rep FROM {}.match_nodes",
}


def differing_rows(first: Path, second: Path) -> dict[str, int]:
    """Per saved table, the rows one store holds and the other does not."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"ATTACH '{first}' AS x (READ_ONLY)")
    con.execute(f"ATTACH '{second}' AS y (READ_ONLY)")
    out = {}
    for name, query in _SAVED.items():
        x, y = query.format("x"), query.format("y")
        out[name] = sum(con.execute(f"SELECT count(*) FROM ({p} EXCEPT ALL {q})").fetchone()[0]
                        for p, q in ((x, y), (y, x)))
    con.close()
    return out


def measure(customers: int, seed: int, share: float) -> None:
    from custfocus.dedupe.run import dedupe
    from custfocus.ingest.importer import import_paths
    from custfocus.store import Store
    from custfocus.synth import generate

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root / "data", customers=customers, seed=seed, csv_only=True)
        held = split_new(root / "data", root / "old", root / "new", share)
        store = Store(root / "s.duckdb")
        import_paths(store, [root / "old"])
        first = dedupe(store, full=True)
        import_paths(store, [root / "new"])
        store.close()
        shutil.copy(root / "s.duckdb", root / "full.duckdb")

        store = Store(root / "s.duckdb")
        t = time.perf_counter()
        inc = dedupe(store)
        t_inc = time.perf_counter() - t
        inc_part = partition(store)
        store.close()
        store = Store(root / "full.duckdb")
        t = time.perf_counter()
        full = dedupe(store, full=True)
        t_full = time.perf_counter() - t
        full_part = partition(store)
        store.close()
        differ = differing_rows(root / "s.duckdb", root / "full.duckdb")

    print(f"\n== {customers:,} customers: {first.records:,} records, then {held:,} new "
          f"({held / first.records:.1%}); first full run {sum(first.timings.values()):.1f}s")
    print(f"{'stage':<10}{'full':>9}{'incr.':>9}{'ratio':>8}")
    for stage in full.timings:
        f, i = full.timings[stage], inc.timings.get(stage, 0.0)
        print(f"{stage:<10}{f:>9.2f}{i:>9.2f}{i / f if f else 0:>8.1%}")
    print(f"{'total':<10}{t_full:>9.2f}{t_inc:>9.2f}{t_inc / t_full:>8.1%}")
    print(f"mode {inc.mode}; pairs compared {inc.compared_pairs:,} of {full.compared_pairs:,}; "
          f"customers {inc.customers:,} / {full.customers:,}; same clusters as the full run: "
          f"{same_partition(inc_part, full_part)}")
    print("rows saved differently from the full run: "
          + ", ".join(f"{name} {count:,}" for name, count in differ.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, action="append")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--share", type=float, default=0.01)
    args = parser.parse_args()
    for n in args.customers or [10_000]:
        measure(n, args.seed, args.share)


if __name__ == "__main__":
    main()
