"""``custfocus export … --to postgresql://…`` and ``[outputs] postgres`` against a real server.

The server is started once per session (see ``tests/_postgres.py``); every test gets a
database of its own, so the tests do not depend on their order.
"""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from _postgres import PASSWORD, Server, cannot_start_reason, running_server
from custfocus.cli import app
from custfocus.errors import ExitCode
from custfocus.export.postgres import describe_target, mask_secret
from custfocus.store import Store

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[test]')")

# Three of the example files: enough for every export, and the merge below is known to
# happen on them (a bridging record joins two customers the first run kept apart).
EXAMPLE_FILES = ("soporte.csv", "loja_online.csv", "marketing.csv")
_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    reason = cannot_start_reason()
    if reason:
        pytest.skip(reason)
    with running_server() as started:
        yield started


@pytest.fixture
def dbname(server: Server) -> str:
    """A fresh database for one test."""
    name = f"custfocus_t{next(_numbers)}"
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return name


@pytest.fixture
def dsn(server: Server, dbname: str) -> str:
    return server.dsn(dbname=dbname)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, examples_dir) -> Path:
    """Examples imported, deduped and segmented once; tests copy the store they change."""
    from typer.testing import CliRunner

    root = tmp_path_factory.mktemp("pg-workspace")
    (root / "in").mkdir()
    for name in EXAMPLE_FILES:
        shutil.copy(examples_dir / name, root / "in" / name)
    (root / "in" / "crm_a.csv").write_text("Nombre,Email\nAurelio Berrocal,aurelio.qb@correo.es\n")
    (root / "in" / "crm_b.csv").write_text("Nombre,Telefono\nAurelio Quintanilla,+34 611 222 333\n")
    db = str(root / "custfocus.duckdb")
    runner = CliRunner()
    for args in (["import", str(root / "in")], ["dedupe"], ["segment"]):
        result = runner.invoke(app, [*args, "--db", db, "-q"])
        assert result.exit_code == 0, result.output
    return root


def query(dsn: str, sql: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql).fetchall()


def export(runner, db: Path | str, what: str, dsn: str, *extra: str):
    return runner.invoke(app, ["export", what, "--db", str(db), "--to", dsn, *extra])


def test_master_rows_are_the_customers_and_a_re_export_changes_nothing(workspace, dsn, runner):
    db = workspace / "custfocus.duckdb"
    result = export(runner, db, "master", dsn, "--lang", "en")
    assert result.exit_code == 0, result.output
    with Store(db, read_only=True) as store:
        customers = store.query_value("SELECT count(*) FROM customers")
        ids = sorted(r[0] for r in store.execute("SELECT customer_id FROM customers").fetchall())
    assert f"{customers:,} rows into custfocus_master" in result.stderr
    assert PASSWORD not in result.output
    assert sorted(r[0] for r in query(dsn, "SELECT customer_id FROM custfocus_master")) == ids
    before = query(dsn, "SELECT count(*), max(updated_at), bool_and(active), "
                        "count(retired_at) FROM custfocus_master")
    assert before[0][0] == customers and before[0][2] is True and before[0][3] == 0

    again = export(runner, db, "master", dsn, "--lang", "en")
    assert again.exit_code == 0, again.output
    assert "0 new, 0 changed, 0 retired" in again.stderr
    # Found unchanged by the table's fingerprint alone: no key was read back.
    from custfocus.export import postgres

    with Store(db, read_only=True) as store:
        export_rows = postgres._Export(store, postgres.export_sql(store, "master"),
                                       postgres.TABLES["master"])
        with psycopg.connect(dsn) as conn:
            assert postgres._table_fingerprint(conn, postgres.TABLES["master"]) == \
                export_rows.fingerprint()
    assert query(dsn, "SELECT count(*), max(updated_at), bool_and(active), count(retired_at) "
                      "FROM custfocus_master") == before


def test_xref_and_segments_hold_what_the_file_export_writes(workspace, dsn, runner, tmp_path):
    import pandas as pd

    db = workspace / "custfocus.duckdb"
    for what, table, key in (("xref", "custfocus_xref", "source, part, row"),
                             ("segments", "custfocus_segments", "customer_id")):
        path = tmp_path / f"{what}.csv"
        assert runner.invoke(app, ["export", what, "--db", str(db), "-o", str(path)]
                             ).exit_code == 0
        expected = pd.read_csv(path)
        result = export(runner, db, what, dsn)
        assert result.exit_code == 0, result.output
        count, distinct = query(dsn, f"SELECT count(*), count(DISTINCT ({key})) FROM {table}")[0]
        assert count == distinct == len(expected)
        again = export(runner, db, what, dsn, "--lang", "en")
        assert "0 new, 0 changed, 0 retired" in again.stderr


def test_xref_of_a_source_imported_with_append_keeps_every_row(dsn, runner, tmp_path):
    db = str(tmp_path / "s.duckdb")
    for name, rows in (("enero.csv", "Ana Ruiz,ana@x.es\nLuis Gil,luis@x.es\n"),
                       ("febrero.csv", "Eva Sanz,eva@x.es\n")):
        (tmp_path / name).write_text("Nombre,Email\n" + rows)
        result = runner.invoke(app, ["import", str(tmp_path / name), "--db", db, "--source",
                                     "ventas", "--append", "-q"])
        assert result.exit_code == 0, result.output
    assert export(runner, db, "xref", dsn).exit_code == 0
    assert query(dsn, "SELECT source, part, row FROM custfocus_xref ORDER BY 2, 3") == [
        ("ventas", 1, 2), ("ventas", 1, 3), ("ventas", 2, 2)]


def test_a_customer_retired_by_a_merge_is_marked(workspace, dsn, runner, tmp_path):
    work = tmp_path / "ws"
    shutil.copytree(workspace, work)
    db = work / "custfocus.duckdb"
    assert export(runner, db, "master", dsn).exit_code == 0
    aurelio = query(dsn, "SELECT customer_id FROM custfocus_master WHERE full_name LIKE "
                         "'Aurelio %' ORDER BY customer_id")
    assert len(aurelio) == 2  # two customers as far as the first run knows
    (work / "in" / "crm_c.csv").write_text(
        "Nombre,Email,Telefono\nAurelio Quintanilla Berrocal,aurelio.qb@correo.es,"
        "+34 611 222 333\n")
    for args in (["import", str(work / "in")], ["dedupe"]):
        assert runner.invoke(app, [*args, "--db", str(db), "-q"]).exit_code == 0
    with Store(db, read_only=True) as store:
        (kept, absorbed), = store.execute(
            "SELECT customer_id, other_ids[1] FROM customer_events WHERE kind = 'merge'"
        ).fetchall()
        customers = store.query_value("SELECT count(*) FROM customers")
    assert {kept, absorbed} == {r[0] for r in aurelio}

    result = export(runner, db, "master", dsn, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "1 retired" in result.stderr
    rows = dict((r[0], r[1:]) for r in query(
        dsn, "SELECT customer_id, active, retired_at IS NOT NULL, merged_into, email, phone "
             "FROM custfocus_master WHERE full_name LIKE 'Aurelio %'"))
    assert rows[absorbed][:3] == (False, True, kept)
    assert rows[kept][:3] == (True, False, None)
    assert rows[kept][3:] == ("aurelio.qb@correo.es", "+34611222333")  # the merged golden record
    assert query(dsn, "SELECT count(*) FROM custfocus_master WHERE active") == [(customers,)]
    # Retired stays retired, and nothing moves, on the next export of the same state.
    stamps = query(dsn, "SELECT customer_id, updated_at FROM custfocus_master ORDER BY 1")
    assert "0 new, 0 changed, 0 retired" in export(runner, db, "master", dsn).stderr
    assert query(dsn, "SELECT customer_id, updated_at FROM custfocus_master ORDER BY 1") == stamps


def test_a_wrong_password_is_exit_4_naming_the_host_never_the_password(
        workspace, server, dbname, runner):
    bad = server.dsn(password="Wr0ng-" + PASSWORD, dbname=dbname)
    result = export(runner, workspace / "custfocus.duckdb", "master", bad)
    assert result.exit_code == ExitCode.STORE, result.output
    assert f"{server.host}:{server.port}" in result.stderr
    assert "password authentication failed" in result.stderr
    assert PASSWORD not in result.output and "Wr0ng" not in result.output
    unreachable = f"postgresql://crm:{PASSWORD}@127.0.0.1:1/crm"
    result = export(runner, workspace / "custfocus.duckdb", "master", unreachable)
    assert result.exit_code == ExitCode.STORE
    assert "127.0.0.1:1" in result.stderr and PASSWORD not in result.output


def test_pgpassword_and_pgpass_are_used_when_the_string_has_none(
        workspace, server, dbname, runner, monkeypatch, tmp_path):
    without = server.dsn(password=None, dbname=dbname)
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    result = export(runner, workspace / "custfocus.duckdb", "segments", without)
    assert result.exit_code == 0, result.output
    monkeypatch.delenv("PGPASSWORD")
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"{server.host}:{server.port}:*:{server.user}:{PASSWORD}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    result = export(runner, workspace / "custfocus.duckdb", "master", without)
    assert result.exit_code == 0, result.output


def test_a_table_of_another_shape_is_refused_and_left_as_it_was(workspace, dsn, runner):
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TABLE custfocus_master (customer_id text PRIMARY KEY, note text)")
        conn.execute("INSERT INTO custfocus_master VALUES ('C1', 'theirs')")
    result = export(runner, workspace / "custfocus.duckdb", "master", dsn)
    assert result.exit_code == ExitCode.STORE
    assert "custfocus_master already exists with other columns" in result.stderr
    assert query(dsn, "SELECT * FROM custfocus_master") == [("C1", "theirs")]


def test_run_exports_to_outputs_postgres_and_logs_no_password(workspace, server, dbname,
                                                              runner, tmp_path, monkeypatch):
    work = tmp_path / "ws"
    shutil.copytree(workspace, work)
    dsn = server.dsn(dbname=dbname)
    (work / "custfocus.toml").write_text(
        f'[run]\npaths = ["in"]\n[outputs]\nexports = ["master", "xref", "segments"]\n'
        f'audit = []\nreport = false\npostgres = "{dsn}"\n')
    monkeypatch.chdir(work)
    result = runner.invoke(app, ["run", "--quiet"])
    assert result.exit_code == 0, result.output
    with Store(work / "custfocus.duckdb", read_only=True) as store:
        customers = store.query_value("SELECT count(*) FROM customers")
    assert query(dsn, "SELECT count(*) FROM custfocus_master") == [(customers,)]
    assert query(dsn, "SELECT count(*) > 0 FROM custfocus_xref") == [(True,)]
    log = (work / "custfocus-run.log").read_text()
    steps = [json.loads(line) for line in log.splitlines()]
    upserts = [s for s in steps if s["step"] == "postgres"]
    assert [s["table"] for s in upserts] == ["custfocus_master", "custfocus_xref",
                                              "custfocus_segments"]
    assert PASSWORD not in log
    # A wrong password through the environment: exit 4, no password in the log or output.
    monkeypatch.setenv("CUSTFOCUS_OUTPUTS_POSTGRES", server.dsn(password="nope-" + PASSWORD,
                                                                dbname=dbname))
    failed = runner.invoke(app, ["run", "--quiet"])
    assert failed.exit_code == ExitCode.STORE
    assert PASSWORD not in failed.output
    assert PASSWORD not in (work / "custfocus-run.log").read_text()


def test_to_is_a_connection_string_and_excludes_file_options(workspace, runner):
    db = str(workspace / "custfocus.duckdb")
    result = runner.invoke(app, ["export", "master", "--db", db, "--to",
                                 "postgresql://a@h/d", "-o", "x.csv"])
    assert result.exit_code == ExitCode.USAGE
    result = runner.invoke(app, ["export", "pairs", "--db", db, "--to", "postgresql://a@h/d"])
    assert result.exit_code == ExitCode.USAGE and "cannot be exported" in result.stderr
    result = runner.invoke(app, ["export", "master", "--db", db, "--to", "master.csv"])
    assert result.exit_code == ExitCode.USAGE


@pytest.mark.parametrize(("dsn", "password", "where"), [
    ("postgresql://crm:s3cr%40t@db.example.org:5433/sales", "s3cr@t",
     "postgresql://crm@db.example.org:5433/sales"),
    ("postgres://db/sales", None, "postgresql://db/sales"),
    ("host=db port=5433 dbname=sales user=crm password=s3cr@t", "s3cr@t",
     "host=db port=5433 dbname=sales user=crm"),
    ("host=db password='s3cr@t x'", "s3cr@t x", "host=db"),
])
def test_the_target_is_described_without_its_password(dsn, password, where):
    assert describe_target(dsn) == where
    masked = mask_secret(f"failed for {dsn}: {password}", dsn)
    assert "s3cr" not in masked and where in masked


def test_a_table_without_row_hashes_gets_them_and_a_value_edited_on_the_server_is_restored(
        workspace, dsn, runner):
    # A table written by the first version (no row_hash): the column is added, its rows are
    # compared once by value; a value changed on the server then comes back on the next
    # export only when custfocus's own value changes (rows are compared by their hash).
    db = workspace / "custfocus.duckdb"
    assert export(runner, db, "master", dsn).exit_code == 0
    with psycopg.connect(dsn) as conn:
        conn.execute("ALTER TABLE custfocus_master DROP COLUMN row_hash")
        conn.execute("UPDATE custfocus_master SET city = 'Edited' WHERE customer_id = "
                     "(SELECT min(customer_id) FROM custfocus_master)")
    again = export(runner, db, "master", dsn)
    assert again.exit_code == 0, again.output
    assert "0 new, 1 changed, 0 retired" in again.stderr  # the edited row, by value
    assert query(dsn, "SELECT count(*) FROM custfocus_master WHERE row_hash IS NULL "
                      "OR city = 'Edited'") == [(0,)]
    third = export(runner, db, "master", dsn)
    assert "0 new, 0 changed, 0 retired" in third.stderr


def test_without_pgpq_the_rows_go_as_csv_and_read_the_same(workspace, server, runner,
                                                           monkeypatch):
    # COPY's binary form (pgpq) is what the postgres extra installs; without it CSV is
    # sent, and both must leave the same table.
    import sys

    from custfocus.export import postgres

    db = workspace / "custfocus.duckdb"
    binary_copies = []
    real = postgres._copy_binary
    monkeypatch.setattr(postgres, "_copy_binary",
                        lambda *args: binary_copies.append(1) or real(*args))
    tables = []
    for name, without_pgpq in (("custfocus_bin", False), ("custfocus_csv", True)):
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        if without_pgpq:
            monkeypatch.setitem(sys.modules, "pgpq", None)  # its import fails
        result = export(runner, db, "master", server.dsn(dbname=name))
        assert result.exit_code == 0, result.output
        assert len(binary_copies) == 1  # the first export only
        tables.append(query(server.dsn(dbname=name),
                            "SELECT * FROM custfocus_master ORDER BY customer_id"))
    # All but retired_at and updated_at (the 2nd and 3rd of the five bookkeeping columns).
    strip = [[row[:-4] + row[-2:] for row in rows] for rows in tables]
    assert strip[0] == strip[1] and len(strip[0]) > 100


# The table's fingerprint remembered on the server (custfocus_export_state): an unchanged
# re-export reads it instead of scanning the table, and any write to the table forgets it.

def state_of(dsn: str) -> list[tuple]:
    return query(dsn, "SELECT table_name, row_count FROM custfocus_export_state ORDER BY 1")


def fingerprints(db: Path, dsn: str) -> tuple:
    """(the store's fingerprint of the master, the table's from a scan)."""
    from custfocus.export import postgres

    spec = postgres.TABLES["master"]
    with Store(db, read_only=True) as store:
        local = postgres._Export(store, postgres.export_sql(store, "master"), spec).fingerprint()
    with psycopg.connect(dsn) as conn:
        return local, postgres._table_fingerprint(conn, spec)


@pytest.fixture
def scans(monkeypatch) -> list[int]:
    """One entry per scan of a table for its fingerprint."""
    from custfocus.export import postgres

    done: list[int] = []
    real = postgres._table_fingerprint
    monkeypatch.setattr(postgres, "_table_fingerprint",
                        lambda *args: done.append(1) or real(*args))
    return done


def test_an_unchanged_re_export_reads_the_remembered_fingerprint_not_the_table(
        workspace, dsn, runner, scans):
    db = workspace / "custfocus.duckdb"
    assert export(runner, db, "master", dsn).exit_code == 0
    assert export(runner, db, "segments", dsn).exit_code == 0
    with Store(db, read_only=True) as store:
        customers = store.query_value("SELECT count(*) FROM customers")
    assert state_of(dsn) == [("custfocus_master", customers), ("custfocus_segments", customers)]
    assert scans == []  # created by these exports: nothing to scan
    again = export(runner, db, "master", dsn, "--lang", "en")
    assert "0 new, 0 changed, 0 retired" in again.stderr
    assert scans == []
    local, table = fingerprints(db, dsn)
    assert local == table


@pytest.mark.parametrize(("edit", "outcome"), [
    ("DELETE FROM custfocus_master WHERE customer_id = (SELECT min(customer_id) "
     "FROM custfocus_master)", "1 new, 0 changed, 0 retired"),  # the row comes back
    ("UPDATE custfocus_master SET active = false WHERE customer_id = (SELECT "
     "min(customer_id) FROM custfocus_master)", "0 new, 1 changed, 0 retired"),
    # A hash edited: the values are the same, so nothing counts as changed, but the hash
    # is put back (the fingerprints below are equal again).
    ("UPDATE custfocus_master SET row_hash = row_hash + 1 WHERE customer_id = (SELECT "
     "min(customer_id) FROM custfocus_master)", "0 new, 0 changed, 0 retired"),
    ("INSERT INTO custfocus_master (customer_id, row_hash) VALUES ('X-by-hand', 1)",
     "0 new, 0 changed, 1 retired"),
    ("TRUNCATE custfocus_master", " new, 0 changed, 0 retired"),
])
def test_a_write_by_hand_forgets_the_fingerprint_and_the_next_export_repairs_the_table(
        workspace, dsn, runner, scans, edit, outcome):
    db = workspace / "custfocus.duckdb"
    assert export(runner, db, "master", dsn).exit_code == 0
    # The editing session finds the tables through another search_path, and its role may
    # write to the table but not to the state: the trigger deletes the state all the same.
    dbname = dsn.rsplit("/", 1)[1]
    editor = f"{dbname}_editor"  # roles belong to the server, not to one test's database
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {editor}")
        conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON custfocus_master "
                     f"TO {editor}")
    with psycopg.connect(dsn, options="-csearch_path=pg_catalog") as conn:
        conn.execute(f"SET ROLE {editor}")
        conn.execute(edit.replace("custfocus_master", "public.custfocus_master"))
    assert state_of(dsn) == []
    result = export(runner, db, "master", dsn, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert outcome in result.stderr and scans == [1]
    local, table = fingerprints(db, dsn)
    assert local == table
    assert state_of(dsn)[0][1] == local[0]


def test_a_write_past_a_disabled_trigger_or_a_rewrite_is_not_trusted(workspace, dsn, runner,
                                                                     scans):
    db = workspace / "custfocus.duckdb"
    assert export(runner, db, "master", dsn).exit_code == 0
    with psycopg.connect(dsn) as conn:  # the trigger off, a row deleted, the trigger on
        conn.execute("ALTER TABLE custfocus_master DISABLE TRIGGER ALL")
        conn.execute("DELETE FROM custfocus_master WHERE customer_id = (SELECT "
                     "min(customer_id) FROM custfocus_master)")
        conn.execute("ALTER TABLE custfocus_master ENABLE ALWAYS TRIGGER "
                     "custfocus_export_state")  # as it was
    assert len(state_of(dsn)) == 1  # still there, but no longer counts
    assert "1 new, 0 changed" in export(runner, db, "master", dsn, "--lang", "en").stderr
    with psycopg.connect(dsn) as conn:  # a replica-mode session (pg_restore, replication)
        conn.execute("SET session_replication_role = replica")
        conn.execute("DELETE FROM custfocus_master WHERE customer_id = (SELECT "
                     "min(customer_id) FROM custfocus_master)")
    assert state_of(dsn) == []
    assert "1 new, 0 changed" in export(runner, db, "master", dsn, "--lang", "en").stderr
    with psycopg.connect(dsn) as conn:  # a rewrite: no row trigger fires
        conn.execute("ALTER TABLE custfocus_master ALTER COLUMN row_hash TYPE bigint "
                     "USING row_hash + 1")
    assert len(state_of(dsn)) == 1
    assert "0 new, 0 changed" in export(runner, db, "master", dsn, "--lang", "en").stderr
    assert scans == [1, 1, 1]
    local, table = fingerprints(db, dsn)
    assert local == table


def test_a_table_the_exporter_does_not_own_is_compared_in_full_without_the_trigger(
        workspace, server, dsn, runner, scans):
    # A table of an earlier version (no trigger, no state) that the exporting role may
    # write to but not alter: every export scans it, and still sends exactly what differs.
    db = workspace / "custfocus.duckdb"
    assert export(runner, db, "master", dsn).exit_code == 0
    dbname = dsn.rsplit("/", 1)[1]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TRIGGER custfocus_export_state ON custfocus_master")
        conn.execute("DROP TABLE custfocus_export_state")
        conn.execute(f"CREATE ROLE {dbname}_loader LOGIN PASSWORD '{PASSWORD}'")
        conn.execute(f"GRANT SELECT, INSERT, UPDATE ON custfocus_master TO {dbname}_loader")
    loader = f"postgresql://{dbname}_loader:{PASSWORD}@{server.host}:{server.port}/{dbname}"
    result = export(runner, db, "master", loader, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "0 new, 0 changed, 0 retired" in result.stderr and PASSWORD not in result.output
    with psycopg.connect(dsn) as conn:
        conn.execute("DELETE FROM custfocus_master WHERE customer_id = (SELECT "
                     "min(customer_id) FROM custfocus_master)")
    result = export(runner, db, "master", loader, "--lang", "en")
    assert "1 new, 0 changed, 0 retired" in result.stderr and PASSWORD not in result.output
    assert scans == [1, 1]
    assert query(dsn, "SELECT to_regclass('custfocus_export_state') IS NULL, count(*) "
                      "FROM pg_trigger WHERE tgname = 'custfocus_export_state'") == [(True, 0)]
    # Its owner exports again: the trigger and the state are made, and the next is a read.
    assert export(runner, db, "master", dsn).exit_code == 0
    assert export(runner, db, "master", dsn).exit_code == 0
    assert scans == [1, 1, 1] and len(state_of(dsn)) == 1


def test_a_state_table_of_someone_else_is_left_alone(workspace, dsn, runner, scans):
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TABLE custfocus_export_state (note text)")
        conn.execute("INSERT INTO custfocus_export_state VALUES ('theirs')")
    db = workspace / "custfocus.duckdb"
    for outcome in (" new, 0 changed, 0 retired", "0 new, 0 changed, 0 retired"):
        result = export(runner, db, "master", dsn, "--lang", "en")
        assert result.exit_code == 0, result.output
        assert outcome in result.stderr
    assert scans == [1]  # not remembered: the second export compared the whole table
    assert query(dsn, "SELECT * FROM custfocus_export_state") == [("theirs",)]
