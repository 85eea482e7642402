"""Lookups through ``custfocus serve`` on a large store: the speed a touchpoint sees.

    python bench/bench_serve.py                   # 1,000,000 customers (builds the store once)
    python bench/bench_serve.py --size 100000     # smaller
    python bench/bench_serve.py --build-only      # build (or reuse) the store and stop

The store is built once from generated multi-department data (custfocus.synth, as
bench/bench_dedupe.py does: generate, import, full dedupe) and kept in --folder for the
next run. Then a real server (``python -m custfocus serve``, uvicorn) answers, over HTTP:

* 1,000 mixed lookups (phone written locally with spaces, e-mail in capitals, tax id in
  lower case, customer id, name with two letters swapped) from 8 concurrent clients:
  p50 / p95 / p99 of GET /api/customers?q=... (goals: p95 <= 50 ms, p99 <= 200 ms);
* 200 POST /api/match of a record as a touchpoint holds it (a name with a typo plus a
  phone or an e-mail), 8 clients: p95 (goal <= 100 ms);
* ``custfocus customer EMAIL`` wall time on a warm store (goal < 1 s; best of three after
  one warm-up run);
* the store's and its served copy's size on disk and the server's resident memory
  (current and peak, from /proc).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def build_store(folder: Path, size: int, seed: int) -> Path:
    """The store of ``size`` generated customers, imported and deduplicated (reused)."""
    from custfocus.dedupe.run import dedupe
    from custfocus.ingest.importer import import_paths
    from custfocus.store import Store
    from custfocus.synth import generate

    db = folder / f"serve-{size}.duckdb"
    if db.exists():
        print(f"reusing {db}")
        return db
    data = folder / f"data-{size}"
    t = time.perf_counter()
    if not data.exists():
        generate(data, customers=size, seed=seed, csv_only=size > 50_000)
    print(f"generated in {time.perf_counter() - t:.0f} s", flush=True)
    partial = db.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    with Store(partial) as store:
        t = time.perf_counter()
        import_paths(store, [data])
        print(f"imported in {time.perf_counter() - t:.0f} s", flush=True)
        t = time.perf_counter()
        dedupe(store, full=True)
        print(f"deduplicated in {time.perf_counter() - t:.0f} s", flush=True)
        store.execute("CHECKPOINT")
    os.replace(partial, db)
    return db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, workers: int) -> tuple[subprocess.Popen, str]:
    import httpx

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "custfocus", "serve", "--db", str(db),
                             "--port", str(port), "--workers", str(workers)], env=env,
                            stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600  # a first start publishes the served copy
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not answer within 600 s")


def sample_queries(db: Path, count: int, seed: int
                   ) -> tuple[list[tuple[str, str]], list[dict[str, str]]]:
    """``count`` lookups of five kinds and 200 touchpoint records, from real customers."""
    from custfocus.store import Store

    rng = random.Random(seed)
    with Store(db, read_only=True) as store:
        rows = store.execute(
            "SELECT customer_id, email, phone, national_id, full_name FROM customers "
            "USING SAMPLE reservoir(4000 ROWS) REPEATABLE (7)").fetchall()
    ids = [r[0] for r in rows]
    emails = [r[1] for r in rows if r[1]]
    phones = [r[2] for r in rows if r[2] and r[2].startswith("+34") and len(r[2]) == 12]
    tax = [r[3] for r in rows if r[3]]
    names = [r[4] for r in rows if r[4] and len(r[4]) >= 8]

    def spaced(phone: str) -> str:
        local = phone[3:]
        return f"{local[:3]} {local[3:6]} {local[6:]}"

    def typo(name: str) -> str:
        i = rng.randrange(1, len(name) - 2)
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]

    makers = {"phone": lambda: spaced(rng.choice(phones)),
              "email": lambda: rng.choice(emails).upper(),
              "tax id": lambda: rng.choice(tax).lower(), "customer id": lambda: rng.choice(ids),
              "name with a typo": lambda: typo(rng.choice(names))}
    kinds = list(makers)
    queries = [(kinds[i % len(kinds)], makers[kinds[i % len(kinds)]]()) for i in range(count)]
    rng.shuffle(queries)
    people = [r for r in rows if r[4] and len(r[4]) >= 8 and r[1] and r[2]]
    records = []
    for i in range(200):
        row = people[rng.randrange(len(people))]
        record = {"name": typo(row[4])}
        record["phone" if i % 2 else "email"] = row[2] if i % 2 else row[1]
        records.append(record)
    return queries, records


def timed(requests: list[Any], send: Any, clients: int) -> list[float]:
    """Milliseconds per request, ``clients`` at a time, each with its own connection."""
    import threading

    import httpx

    local = threading.local()

    def one(item: Any) -> float:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(timeout=60)
        t = time.perf_counter()
        res = send(client, item)
        ms = (time.perf_counter() - t) * 1000
        if res.status_code != 200:
            raise SystemExit(f"HTTP {res.status_code}: {res.text[:200]}")
        return ms

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(one, requests))


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def rss_mb(pid: int) -> tuple[float, float]:
    """Resident and peak memory (MiB) of the server and its worker processes, summed."""
    def family(p: int) -> list[int]:
        try:
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            kids = []
        return [p, *(q for k in kids for q in family(int(k)))]

    rss = peak = 0.0
    for p in family(pid):
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{p}/status").read_text()
                      .splitlines() if ":" in line)
        rss += int(fields["VmRSS"].split()[0]) / 1024
        peak += int(fields["VmHWM"].split()[0]) / 1024
    return rss, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="customers generated")
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="server worker processes (default: one per core)")
    parser.add_argument("--folder", type=Path, default=Path("/tmp/custfocus-bench-serve"))
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    db = build_store(args.folder, args.size, args.seed)
    if args.build_only:
        return
    queries, records = sample_queries(db, args.lookups, args.seed)
    t = time.perf_counter()
    server, url = start_server(db, args.workers)
    print(f"server up in {time.perf_counter() - t:.1f} s (publishing the served copy)")
    try:
        def lookup(client: Any, item: tuple[str, str]) -> Any:
            return client.get(f"{url}/api/customers", params={"q": item[1]})

        timed(queries[:50], lookup, 2)
        lookups = timed(queries, lookup, args.clients)
        matches = timed(records, lambda c, r: c.post(f"{url}/api/match", json=r), args.clients)
        rss, peak = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(30)
    email = next(q for kind, q in queries if kind == "email")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    walls = []
    for _ in range(4):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "custfocus", "customer", email, "--db", str(db)],
                       env=env, check=True, capture_output=True)
        walls.append(time.perf_counter() - t)
    served = Path(f"{db}.served")
    with_copy = served.stat().st_size if served.exists() else 0
    print(f"\nstore: {args.size:,} generated customers, {db.stat().st_size / 2**20:,.0f} MiB "
          f"(+ served copy {with_copy / 2**20:,.0f} MiB)")
    print(f"lookups ({len(lookups)}, {args.clients} clients): p50 {pct(lookups, 50):.1f} ms, "
          f"p95 {pct(lookups, 95):.1f} ms, p99 {pct(lookups, 99):.1f} ms "
          f"(goals p95 <= 50, p99 <= 200)")
    for kind in sorted({k for k, _ in queries}):
        mine = [ms for (k, _), ms in zip(queries, lookups) if k == kind]
        print(f"  {kind}: p50 {pct(mine, 50):.1f} ms, p95 {pct(mine, 95):.1f} ms")
    print(f"/api/match ({len(matches)}, {args.clients} clients): p50 {pct(matches, 50):.1f} ms, "
          f"p95 {pct(matches, 95):.1f} ms (goal <= 100)")
    print(f"custfocus customer (warm): best {min(walls[1:]):.2f} s, first {walls[0]:.2f} s "
          "(goal < 1 s)")
    print(f"server memory ({args.workers} worker process(es), summed): {rss:,.0f} MiB "
          f"resident, peak {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
