"""Lookups through ``custfocus serve`` on a large store: the speed a touchpoint sees.

    python bench/bench_serve.py                   # 1,000,000 customers (builds the store once)
    python bench/bench_serve.py --size 100000     # smaller
    python bench/bench_serve.py --build-only      # build (or reuse) the store and stop

The store is built once from generated multi-department data (custfocus.synth, as
bench/bench_dedupe.py does: generate, import, full dedupe) and kept in --folder for the
next run. Then a real server (``python -m custfocus serve --workers N``, uvicorn; one
worker per core by default) answers, over HTTP, a client running on the same machine:

* 1,000 mixed lookups (phone written locally with spaces, e-mail in capitals, tax id in
  lower case, customer id, name with two letters swapped) from 8 concurrent clients:
  p50 / p95 / p99 of GET /api/customers?q=... (goals: p95 <= 50 ms, p99 <= 200 ms);
* 200 POST /api/match of a record as a touchpoint holds it (a name with a typo plus a
  phone or an e-mail), 8 clients, then one client at a time: p95 (goal <= 100 ms);
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
    import tempfile

    import httpx

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    # The server's log (one access line per request) goes to a file: a pipe nobody reads
    # fills after some 1,500 requests and the server blocks writing to it.
    log = tempfile.TemporaryFile()  # noqa: SIM115 (open as long as the server runs)
    proc = subprocess.Popen([sys.executable, "-m", "custfocus", "serve", "--db", str(db),
                             "--port", str(port), "--workers", str(workers)], env=env,
                            stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600  # a first start publishes the served copy
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise SystemExit(f"the server stopped: {log.read().decode()[-2000:]}")
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


def timed(url: str, requests: list[tuple[str, str, dict[str, Any]]], clients: int
          ) -> list[float]:
    """Milliseconds per request (``(method, path, httpx keyword arguments)``), ``clients``
    at a time: each client a process of its own with its own connection, sending its share
    one after the other. Processes, not threads: eight client threads in one interpreter
    queue for its lock, and that wait would be counted as the server's."""
    import multiprocessing

    shares = [list(range(i, len(requests), clients)) for i in range(clients)]
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        results = pool.starmap(_client, [(url, [requests[k] for k in share])
                                         for share in shares])
    out = [0.0] * len(requests)
    for share, times in zip(shares, results):
        for k, ms in zip(share, times):
            out[k] = ms
    return out


def _client(url: str, requests: list[tuple[str, str, dict[str, Any]]]) -> list[float]:
    import httpx

    times = []
    with httpx.Client(base_url=url, timeout=60) as client:
        for method, path, kwargs in requests:
            t = time.perf_counter()
            res = client.request(method, path, **kwargs)
            times.append((time.perf_counter() - t) * 1000)
            if res.status_code != 200:
                raise SystemExit(f"HTTP {res.status_code}: {res.text[:200]}")
    return times


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
        lookup = [("GET", "/api/customers", {"params": {"q": q}}) for _, q in queries]
        match = [("POST", "/api/match", {"json": r}) for r in records]
        timed(url, lookup[:50], 2)
        lookups = timed(url, lookup, args.clients)
        matches = timed(url, match, args.clients)
        alone = timed(url, match, 1)
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
    print(f"/api/match ({len(alone)}, one client at a time): p50 {pct(alone, 50):.1f} ms, "
          f"p95 {pct(alone, 95):.1f} ms")
    print(f"custfocus customer (warm): best {min(walls[1:]):.2f} s, first {walls[0]:.2f} s "
          "(goal < 1 s)")
    print(f"server memory ({args.workers} worker process(es), summed): {rss:,.0f} MiB "
          f"resident, peak {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
