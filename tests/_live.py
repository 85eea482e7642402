"""A real ``custfocus serve`` for the tests: its own process (uvicorn) on a free port, over a
store built from the bundled examples with the CLI, stopped at the end.

Why a process and not TestClient: the page tests drive a browser over real HTTP, and the
hand-over test needs the server and ``custfocus run`` to be two processes, as in production.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVIL = "<script>alert(1)</script>"
EVIL_EMAIL = "mallory.evil@example.com"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m custfocus ARGS`` in a process of its own; fails the test on a non-zero exit."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "100", "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "custfocus", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (args, done.stderr[-2000:])
    return done


def examples_store(folder: Path, examples: Path) -> Path:
    """The examples plus one sign-up whose first name is a script, imported and deduped."""
    files = folder / "files"
    shutil.copytree(examples, files)
    (files / "web_signups.csv").write_text(
        "First Name,Last Name,Email Address,Phone,City,Country\n"
        f'"{EVIL}",Mallory,{EVIL_EMAIL},+34 699 000 111,Madrid,Spain\n', encoding="utf-8")
    db = folder / "s.duckdb"
    cli("import", str(files), "--db", str(db), "-q")
    cli("dedupe", "--db", str(db), "-q")
    return db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(db: Path, *args: str) -> Iterator[str]:
    """``custfocus serve --db DB ARGS`` until the block ends; yields its base URL."""
    import httpx

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    # The server's log goes to a file: a pipe nobody reads fills after some 1,500 access
    # lines, and the server then blocks writing to it.
    log = tempfile.TemporaryFile()  # noqa: SIM115 (open as long as the server runs)
    proc = subprocess.Popen(
        [sys.executable, "-m", "custfocus", "serve", "--db", str(db), "--port", str(port), *args],
        env=env, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise AssertionError(f"custfocus serve stopped: {log.read().decode()[-2000:]}")
            try:
                if httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("custfocus serve did not answer within 60 s")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
