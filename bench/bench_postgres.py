"""The master upserted into PostgreSQL (#19): rows per second of a first export, and the time
of an unchanged re-export (goal: under 10 % of the first).

    python bench/bench_postgres.py --rows 1000000 [--template 2000] [--store FILE]

``--store FILE`` keeps the built store in FILE and reuses it on the next run (built only when
FILE does not exist yet), since building it takes minutes and the export takes seconds.

The server is a private one started as the tests start it (``tests/_postgres.py``: Debian's
binaries under ``/usr/lib/postgresql/N/bin``, a temporary folder, fsync off).

Where the 1M master rows come from: importing and deduplicating 1M generated customers takes
far longer than the export being measured, so the bench builds a real master from
``custfocus.synth`` (``--template`` customers: import and dedupe), then copies its golden
records into the store's ``customers`` table until it holds ``--rows`` rows, each copy with
its own customer id, e-mail, phone and account code (the values an upsert compares). The
export reads that table through the same query as ``custfocus export master``.

Prints the rows per second of the first export, the seconds of a re-export with nothing
changed, of one after a value was edited on the server by hand (the table's fingerprint is
then computed by a scan on the server, not read from ``custfocus_export_state``), of one with
1 % of the rows changed, and the counts the export reported.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def build_store(path: Path, rows: int, template: int, seed: int) -> None:
    from custfocus.dedupe.run import dedupe
    from custfocus.ingest.importer import import_paths
    from custfocus.store import Store
    from custfocus.synth import generate

    with tempfile.TemporaryDirectory() as tmp, Store(path) as store:
        generate(Path(tmp), customers=template, seed=seed, csv_only=True)
        import_paths(store, [Path(tmp)])
        dedupe(store, full=True)
        golden = store.query_value("SELECT count(*) FROM customers")
        copies = -(-rows // golden)
        with store.transaction():
            store.execute("CREATE TEMP TABLE golden AS SELECT * FROM customers")
            store.execute("DELETE FROM customers")
            # Copy k of golden record g: id c{k}{g}; e-mail, phones and account code made
            # unique per copy, so no two rows are the same customer.
            store.execute(f"""
                INSERT INTO customers BY NAME
                SELECT g.* EXCLUDE (n) REPLACE (
                    printf('c%07d', k * {golden} + n) AS customer_id,
                    CASE WHEN email IS NULL THEN NULL
                         ELSE printf('%d.', k) || email END AS email,
                    CASE WHEN phone IS NULL THEN NULL
                         ELSE phone || printf('%03d', k % 1000) END AS phone,
                    printf('A%07d', k * {golden} + n) AS account_code)
                FROM (SELECT *, row_number() OVER (ORDER BY customer_id) - 1 AS n FROM golden) AS g
                CROSS JOIN range({copies}) AS t(k)
                WHERE k * {golden} + n < {rows}""")
        store.execute("CHECKPOINT")


def change_some(path: Path, share: float) -> int:
    from custfocus.store import Store

    with Store(path) as store, store.transaction():
        store.execute("UPDATE customers SET city = coalesce(city, '') || ' (moved)' "
                      f"WHERE hash(customer_id) % 1000 < {int(share * 1000)}")
        return int(store.query_value("SELECT count(*) FROM customers WHERE city LIKE '%(moved)'"))


def timed_export(path: Path, dsn: str):
    from custfocus.export.postgres import export_to_postgres
    from custfocus.store import Store

    with Store(path, read_only=True) as store:
        start = time.perf_counter()
        result = export_to_postgres(store, "master", dsn)
        return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--template", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--store", type=Path, help="keep the built store here; reuse it if "
                        "present (its rows, template and seed are then those it was built with)")
    args = parser.parse_args()

    from _postgres import cannot_start_reason, running_server

    reason = cannot_start_reason()
    if reason:
        sys.exit(f"cannot start PostgreSQL: {reason}")
    with tempfile.TemporaryDirectory() as tmp:
        path = args.store or Path(tmp) / "bench.duckdb"
        if path.exists():
            print(f"store: {path} as built before")
        else:
            start = time.perf_counter()
            build_store(path, args.rows, args.template, args.seed)
            print(f"store: {args.rows:,} master rows from {args.template:,} generated customers "
                  f"(seed {args.seed}) in {time.perf_counter() - start:.0f} s")
        with running_server() as server:
            dsn = server.dsn()
            first, result = timed_export(path, dsn)
            print(f"first export:     {first:7.1f} s  {result.rows / first:10,.0f} rows/s  "
                  f"(inserted {result.inserted:,})")
            again, result = timed_export(path, dsn)
            print(f"unchanged again:  {again:7.2f} s  {again / first:10.1%} of the first  "
                  f"(updated {result.updated:,}, unchanged {result.unchanged:,})")
            # A value edited on the server by hand: the table's remembered fingerprint is
            # forgotten, so the export scans the table (and keeps the edit: same hashes).
            import psycopg

            with psycopg.connect(dsn) as conn:
                conn.execute("UPDATE custfocus_master SET city = 'edited by hand' "
                             "WHERE customer_id = (SELECT min(customer_id) FROM custfocus_master)")
            edited, result = timed_export(path, dsn)
            print(f"after a hand edit:{edited:7.2f} s  {edited / first:10.1%} of the first  "
                  f"(updated {result.updated:,}, unchanged {result.unchanged:,})")
            changed = change_some(path, 0.01)
            some, result = timed_export(path, dsn)
            print(f"{changed:,} changed:   {some:7.1f} s  {some / first:10.1%} of the first  "
                  f"(updated {result.updated:,})")


if __name__ == "__main__":
    main()
