"""``custfocus serve`` beside the nightly run, as two processes: the server never blocks a
writer, answers from the last committed state while one writes (200, not 503), and from the
new state once the writer has published it (custfocus.served)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

from _live import ROOT, cli, live_server  # noqa: E402
from custfocus.served import served_path  # noqa: E402

NEWCOMER = "First Name,Last Name,Email Address,Phone,City,Country\n{0},Newcomer,{1},{2},Porto,Portugal\n"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, serve_store):
    db = tmp_path_factory.mktemp("handover") / "s.duckdb"
    shutil.copy(serve_store, db)
    return db


@pytest.fixture(scope="module")
def server(workspace):
    with live_server(workspace) as url:
        yield url


def _ids(url: str, query: str) -> list[str]:
    res = httpx.get(f"{url}/api/customers", params={"q": query}, timeout=30)
    assert res.status_code == 200, res.text
    return [c["customer_id"] for c in res.json()["query_found"]]


def _known(db) -> tuple[str, str]:
    from custfocus.store import Store

    with Store(served_path(db), read_only=True) as store:
        (cid, email), = store.execute(
            "SELECT customer_id, email FROM customers WHERE email IS NOT NULL "
            "ORDER BY customer_id LIMIT 1").fetchall()
    return cid, email


def test_the_served_copy_is_private_and_the_store_is_not_held(server, workspace):
    copy = served_path(workspace)
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600
    # Idle, the server holds nothing of the store: a writer opens it at once.
    from custfocus.store import Store

    with Store(workspace, publish=False, lock_wait=0) as store:
        assert store.query_value("SELECT count(*) FROM customers") > 0


def test_during_a_write_the_old_state_after_it_the_new(server, workspace, tmp_path):
    """A writer holds the store with its change committed but not yet published: the
    server answers 200 from the old state; once the writer closes, the new state."""
    cid, email = _known(workspace)
    new = tmp_path / "newcomer_a.csv"
    new.write_text(NEWCOMER.format("Ines", "ines.newcomer@example.pt", "+351 912 000 111"),
                   encoding="utf-8")
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from custfocus.dedupe.run import dedupe\n"
        "from custfocus.ingest.importer import import_paths\n"
        "from custfocus.store import Store\n"
        "with Store(sys.argv[1]) as store:\n"
        "    import_paths(store, [Path(sys.argv[2])])\n"
        "    dedupe(store)\n"
        "    print('written', flush=True)\n"
        "    sys.stdin.read()\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    writer = subprocess.Popen([sys.executable, "-c", script, str(workspace), str(new)], env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "written"
        # The store is held for writing now: still answered, from the last published state.
        assert _ids(server, email) == [cid]
        assert _ids(server, "ines.newcomer@example.pt") == []
        card = httpx.get(f"{server}/api/customers/{cid}", timeout=30)
        assert card.status_code == 200 and card.json()["customer_id"] == cid
    finally:
        writer.communicate("", timeout=120)
    assert writer.returncode == 0
    deadline = time.monotonic() + 10
    while not _ids(server, "ines.newcomer@example.pt"):
        assert time.monotonic() < deadline, "the new state was not served"
        time.sleep(0.1)
    assert _ids(server, email) == [cid]


def test_custfocus_import_and_dedupe_succeed_while_the_server_answers(server, workspace,
                                                                      tmp_path):
    """The CLI, in its own processes, writes while a client keeps asking: no request fails,
    no command is refused, and the newcomer is found at the end."""
    cid, email = _known(workspace)
    new = tmp_path / "newcomer_b.csv"
    new.write_text(NEWCOMER.format("Joao", "joao.newcomer@example.pt", "+351 912 000 222"),
                   encoding="utf-8")
    statuses: list[int] = []
    stop = threading.Event()

    def ask() -> None:
        with httpx.Client(timeout=30) as client:
            while not stop.is_set():
                res = client.get(f"{server}/api/customers", params={"q": email})
                statuses.append(res.status_code)

    asking = threading.Thread(target=ask)
    asking.start()
    try:
        cli("import", str(new), "--db", str(workspace), "-q")
        cli("dedupe", "--db", str(workspace), "-q")
    finally:
        stop.set()
        asking.join()
    assert len(statuses) >= 5 and set(statuses) == {200}, statuses[:20]
    deadline = time.monotonic() + 10
    while not _ids(server, "joao.newcomer@example.pt"):
        assert time.monotonic() < deadline, "the new state was not served"
        time.sleep(0.1)
    leftovers = [p.name for p in workspace.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_decision_during_a_write_is_refused_with_retry_after(workspace, tmp_path):
    """Reads go on from the served copy; a decision cannot be written until the writer
    finishes, and says so (503, Retry-After) instead of failing."""
    from starlette.testclient import TestClient

    from custfocus.web import create_app

    db = tmp_path / "held.duckdb"
    shutil.copy(workspace, db)
    app = create_app(db)
    app.state.settings.lock_wait = 0.2
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
         "print('held', flush=True); sys.stdin.read()", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with TestClient(app) as c:
            read = c.get("/api/review")
            pair = read.json()["pairs"][0]
            res = c.post("/api/review", json={**{k: pair[k] for k in (
                "source_a", "row_a", "source_b", "row_b")}, "decision": "same"})
    finally:
        holder.communicate("")
    assert read.status_code == 200
    assert res.status_code == 503 and res.headers["retry-after"] == "5"
    assert "try again" in res.json()["error"]


def test_only_a_served_store_is_published(tmp_path):
    """A workspace that never served pays nothing; a served one gets every commit, and a
    failed command that committed nothing leaves the copy alone."""
    from custfocus.store import Store

    db = tmp_path / "s.duckdb"
    with Store(db) as store, store.transaction():
        store.execute("INSERT INTO meta VALUES ('probe', '1')")
    assert not served_path(db).exists()
    from custfocus.served import prepare_served_copy

    prepare_served_copy(db)
    before = os.stat(served_path(db)).st_ino
    with pytest.raises(RuntimeError), Store(db) as store:
        raise RuntimeError("a command that fails before committing")
    assert os.stat(served_path(db)).st_ino == before
    with Store(db) as store, store.transaction():
        store.execute("UPDATE meta SET value = '2' WHERE key = 'probe'")
    assert os.stat(served_path(db)).st_ino != before
    with Store(served_path(db), read_only=True) as copy:
        assert copy.query_value("SELECT value FROM meta WHERE key = 'probe'") == "2"


def test_a_server_start_republishes_only_what_changed(workspace, tmp_path):
    """A line in the processing log (every command writes one) is no reason to copy a
    store again; a review decision written by a server is."""
    from custfocus.processing_log import Processing, log_processing
    from custfocus.served import prepare_served_copy

    db = tmp_path / "s.duckdb"
    shutil.copy(workspace, db)
    prepare_served_copy(db)
    first = os.stat(served_path(db)).st_ino
    assert log_processing(db, Processing("customer", rows_read=1))
    prepare_served_copy(db)
    assert os.stat(served_path(db)).st_ino == first
    from starlette.testclient import TestClient

    from custfocus.web import create_app

    with TestClient(create_app(db)) as c:
        pair = c.get("/api/review").json()["pairs"][0]
        keys = ("source_a", "row_a", "source_b", "row_b")
        assert c.post("/api/review", json={**{k: pair[k] for k in keys},
                                           "decision": "same"}).status_code == 200
        assert os.stat(served_path(db)).st_ino == first  # no copy per decision
    prepare_served_copy(db)
    assert os.stat(served_path(db)).st_ino != first
    from custfocus.store import Store

    with Store(served_path(db), read_only=True) as copy:
        assert copy.query_value("SELECT count(*) FROM match_constraints") == 1


def test_a_forgotten_person_leaves_the_served_copy_too(serve_store, tmp_path):
    from typer.testing import CliRunner

    from _live import EVIL_EMAIL
    from custfocus.cli import app
    from custfocus.served import prepare_served_copy

    db = tmp_path / "s.duckdb"
    shutil.copy(serve_store, db)
    prepare_served_copy(db)
    assert EVIL_EMAIL.encode() in served_path(db).read_bytes()
    res = CliRunner().invoke(app, ["forget", EVIL_EMAIL, "--yes", "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert EVIL_EMAIL.encode() not in served_path(db).read_bytes()
    assert stat.S_IMODE(os.stat(served_path(db)).st_mode) == 0o600


def test_two_worker_processes_answer_as_one_server(tmp_path, serve_store):
    """``--workers 2``: two processes answer (both see the same served copy) and share one
    CSRF secret, so a review form served by either is accepted by either."""
    db = tmp_path / "s.duckdb"
    shutil.copy(serve_store, db)
    with live_server(db, "--workers", "2") as url, httpx.Client(timeout=30) as client:
        cid, email = _known(db)  # the served copy the server published
        assert all(_ids(url, email) == [cid] for _ in range(6))
        secrets = set()
        for _ in range(8):  # new connections: each may reach either worker
            with httpx.Client(timeout=30) as fresh:
                page = fresh.get(f"{url}/review").text
            secrets.add(page.split('name="csrf" value="')[1].split('"')[0])
        assert len(secrets) == 1
        pair = client.get(f"{url}/api/review").json()["pairs"][0]
        form = {k: str(pair[k]) for k in ("source_a", "row_a", "source_b", "row_b")}
        res = client.post(f"{url}/review", data={**form, "decision": "different",
                                                 "csrf": secrets.pop(), "offset": "0"},
                          follow_redirects=False)
        assert res.status_code == 303
        assert client.post(f"{url}/review", data={**form, "decision": "same",
                                                  "csrf": "forged"}).status_code == 403
