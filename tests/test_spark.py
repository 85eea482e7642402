"""``dedupe --engine spark``: blocking, comparison and scoring on Apache Spark give the
embedded engine's pairs, probabilities (to 1e-9), blocking keys and customers.

One Spark session for the whole file (``local[2]``, UI off, 4 shuffle partitions, the
workers on this interpreter); the tests skip with the reason where Java or pyspark is
missing. The engine uses the session already running in the process, as it would a
notebook's.
"""

from __future__ import annotations

import csv
import os
import shutil
import socket
import sys
from pathlib import Path

import numpy as np
import pytest

from custfocus.cli import app
from custfocus.dedupe.run import DedupeSettings, dedupe
from custfocus.dedupe.spark import SparkSettings
from custfocus.ingest.importer import import_paths
from custfocus.store import Store

EVAL = Path(__file__).parent / "data" / "eval"


@pytest.fixture(scope="session")
def spark():
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Java is not installed (Debian package openjdk-17-jre-headless)")
    sql = pytest.importorskip("pyspark.sql", reason="pyspark is not installed (extra: spark)")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # the session listens on loopback only
    session = (sql.SparkSession.builder.master("local[2]").appName("custfocus tests")
               .config("spark.ui.enabled", "false")
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _state(store: Store) -> dict:
    """What a full run leaves that the two engines must agree on."""
    return {
        "pairs": store.execute("SELECT node_a, node_b, pattern, name_similarity, probability "
                               "FROM match_pairs ORDER BY node_a, node_b").fetchnumpy(),
        "customers": store.execute(
            "SELECT r.source, r.row, c.customer_id FROM records r "
            "JOIN record_customer c USING (record_id) ORDER BY 1, 2").fetchall(),
        "keys": store.execute("SELECT rule, key_hash, node FROM match_keys ORDER BY ALL"
                              ).fetchall(),
        "blocks": store.execute("SELECT rule, key FROM match_blocks ORDER BY ALL").fetchall(),
        "links": store.execute("SELECT record_a, record_b, decision FROM match_links "
                               "ORDER BY ALL").fetchall(),
    }


def _assert_same(embedded: dict, spark: dict) -> None:
    e, s = embedded["pairs"], spark["pairs"]
    assert len(e["node_a"]) == len(s["node_a"]) > 0
    for column in ("node_a", "node_b", "pattern", "name_similarity"):
        assert np.array_equal(e[column], s[column]), column
    assert np.abs(e["probability"] - s["probability"]).max() <= 1e-9
    for name in ("customers", "keys", "blocks", "links"):
        assert embedded[name] == spark[name], name


def _both(tmp_path: Path, paths: list[Path]) -> tuple[Store, Store]:
    first = Store(tmp_path / "embedded.duckdb")
    import_paths(first, paths)
    first.close()
    shutil.copy(tmp_path / "embedded.duckdb", tmp_path / "spark.duckdb")
    return Store(tmp_path / "embedded.duckdb"), Store(tmp_path / "spark.duckdb")


def _same_result(tmp_path: Path, paths: list[Path]) -> tuple[object, object]:
    embedded, on_spark = _both(tmp_path, paths)
    try:
        ours = dedupe(embedded)
        theirs = dedupe(on_spark, settings=DedupeSettings(engine="spark",
                                                          spark=SparkSettings("local[2]")))
        _assert_same(_state(embedded), _state(on_spark))
    finally:
        embedded.close()
        on_spark.close()
    assert theirs.customers == ours.customers and theirs.mode == "full"
    assert theirs.pairs_per_rule == ours.pairs_per_rule
    assert theirs.oversized_blocks == ours.oversized_blocks
    return ours, theirs


def test_cli_engine_spark_matches_the_embedded_engine(spark, tmp_path, runner, examples_dir):
    embedded, _ = _both(tmp_path, [examples_dir])
    embedded.close()
    for db, extra in (("embedded.duckdb", []), ("spark.duckdb", ["--engine", "spark"])):
        result = runner.invoke(app, ["dedupe", "--db", str(tmp_path / db), "--quiet", *extra])
        assert result.exit_code == 0, result.output
    with Store(tmp_path / "embedded.duckdb") as a, Store(tmp_path / "spark.duckdb") as b:
        _assert_same(_state(a), _state(b))


def test_the_setting_engine_spark_in_custfocus_toml(spark, tmp_path, runner):
    """fake-1000 (an independent set), with ``[match] engine = "spark"``."""
    embedded, _ = _both(tmp_path, [EVAL / "fake-1000" / "data"])
    before = embedded.query_value("SELECT count(*) FROM records")
    embedded.close()
    config = tmp_path / "custfocus.toml"
    config.write_text('[match]\nengine = "spark"\nspark_master = "local[2]"\n')
    assert runner.invoke(app, ["dedupe", "--db", str(tmp_path / "embedded.duckdb"),
                               "--quiet"]).exit_code == 0
    result = runner.invoke(app, ["dedupe", "--db", str(tmp_path / "spark.duckdb"), "--quiet",
                                 "--config", str(config)])
    assert result.exit_code == 0, result.output
    with Store(tmp_path / "embedded.duckdb") as a, Store(tmp_path / "spark.duckdb") as b:
        assert b.query_value("SELECT count(*) FROM records") == before
        _assert_same(_state(a), _state(b))


def test_generated_people_and_blocks_over_their_cap_match_alike(spark, tmp_path):
    """custfocus.synth's people, and beside them a role mailbox and switchboard shared by 560
    customer codes (over the e-mail and phone caps of 500): sub-blocked and walked; 240 of
    them identical but for the code, whose name+city block (cap 200) ends in hashed buckets.
    On Spark each such block is split whole in one partition, by block.expand_keys."""
    from custfocus.synth import generate

    generate(tmp_path / "data", customers=300, seed=5, csv_only=True)
    given = ["Ana", "Luis", "Marta", "Pedro", "Sofia", "Juan", "Lucia"]
    family = ["Garcia", "Lopez", "Martin", "Sanchez", "Perez"]
    path = tmp_path / "contacts.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["codigo_cliente", "nombre", "apellidos", "email", "telefono",
                      "codigo_postal", "ciudad"])
        for i in range(560):
            name = ("Info", "Desk") if i < 240 else (given[i % 7], family[(i // 7) % 5])
            place = ("28001", "Madrid") if i < 240 else (f"280{i % 40:02d}",
                                                          ["Madrid", "Getafe"][i % 2])
            out.writerow([f"C{i:05d}", *name, "info@acme.example", "+34 910 000 000", *place])
    (tmp_path / "run").mkdir()
    ours, _ = _same_result(tmp_path / "run", [tmp_path / "data", path])
    assert {"email", "phone", "name+city/sub"} <= set(ours.oversized_blocks)
    assert ours.pairs_per_rule["email/walk"] and ours.pairs_per_rule["name+city/walk"]
    assert ours.records > 560 + 300


@pytest.mark.slow
@pytest.mark.parametrize("name", ["chicago-ece", "multidept-3k"])
def test_independent_sets_match_alike(spark, tmp_path, name):
    _same_result(tmp_path, [EVAL / name / "data"])


def test_engine_spark_without_java_says_what_to_install(tmp_path, runner, examples_dir,
                                                        monkeypatch):
    store = Store(tmp_path / "s.duckdb")
    import_paths(store, [examples_dir])
    store.close()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    result = runner.invoke(app, ["dedupe", "--db", str(tmp_path / "s.duckdb"),
                                 "--engine", "spark"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "openjdk-17-jre-headless" in lines[0]
    assert "custfocus[spark]" in lines[0]
    with Store(tmp_path / "s.duckdb") as again:
        assert again.query_value("SELECT count(*) FROM record_customer") == 0


def test_unreachable_master_names_the_host_and_changes_nothing(tmp_path, runner, examples_dir):
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Java is not installed (Debian package openjdk-17-jre-headless)")
    pytest.importorskip("pyspark", reason="pyspark is not installed (extra: spark)")
    store = Store(tmp_path / "s.duckdb")
    import_paths(store, [examples_dir])
    dedupe(store)
    before = store.execute("SELECT customer_id FROM record_customer ORDER BY ALL").fetchall()
    runs = store.query_value("SELECT count(*) FROM dedupe_runs")
    store.close()
    with socket.socket() as probe:  # a port on this machine that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = runner.invoke(app, ["dedupe", "--db", str(tmp_path / "s.duckdb"), "--full",
                                 "--engine", "spark", "--spark-master",
                                 f"spark://127.0.0.1:{port}"])
    assert result.exit_code == 4, result.output
    assert f"127.0.0.1:{port}" in result.output
    with Store(tmp_path / "s.duckdb") as again:
        assert again.execute("SELECT customer_id FROM record_customer ORDER BY ALL"
                             ).fetchall() == before
        assert again.query_value("SELECT count(*) FROM dedupe_runs") == runs
