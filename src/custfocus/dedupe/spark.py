"""The heavy stages of a full run on Apache Spark: blocking, comparison and scoring.

``custfocus dedupe --engine spark`` swaps these three stages of :mod:`custfocus.dedupe.run`
and nothing else; preparing the nodes before and clustering, ids and golden records after
stay in the embedded store. Nothing is implemented twice:

* **nodes out as Parquet** (in ``workdir``: a folder this machine and every executor reach);
* **blocking**: every node's keys are made by :func:`custfocus.dedupe.block.keys_sql` (DuckDB
  on each Arrow batch, so the keys are the embedded engine's byte for byte); blocks are sized
  and paired by Spark SQL joins. The blocks over their cap are split by
  :func:`custfocus.dedupe.block.expand_keys` itself, one DuckDB per partition: the sub-blocks,
  content-cut walk windows and hashed buckets of a block depend on its members alone, so
  the blocks are partitioned by key and each is split whole where it lands;
* **comparison**: ``mapInArrow`` batches of pairs through
  :func:`custfocus.dedupe.compare.compare_pairs` (the nodes read once per Python worker);
  the levels are written as Parquet;
* **training** (when the model is fitted again): the candidates' level patterns and the
  term-frequency centres of the training blocks are counted on Spark; the EM fit itself
  runs here on those counts (:func:`custfocus.dedupe.model.fit_patterns`: milliseconds),
  and u on the same 200,000 random pairs as the embedded engine, compared here;
* **scoring**: ``mapInArrow`` batches through :class:`custfocus.dedupe.score.PairScorer`;
  the scored pairs come back as Parquet, sorted, for clustering.

An incremental run (new records against the kept state) stays embedded: it compares only
what the new records touch.
"""

from __future__ import annotations

import os
import pickle
import shutil
import socket
import sys
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import numpy as np

from custfocus.dedupe import _spark_tasks as tasks
from custfocus.dedupe.block import DEFAULT_RULES, KEY_HASH_SQL, Candidates, key_columns, level_names
from custfocus.dedupe.compare import COMPARISONS
from custfocus.dedupe.model import TRAINING_BLOCKS
from custfocus.errors import StoreError, UsageError

DEFAULT_MASTER = "local[*]"
INSTALL_HINT = ("--engine spark needs pyspark and Java 17 or later: pip install "
                "'custfocus[spark]' and a Java runtime (Debian: apt-get install "
                "openjdk-17-jre-headless)")
CONNECT_HINT = ("a Spark Connect master (sc://) needs pyspark's connect client: "
                "pip install 'pyspark[connect]>=3.5'")
CONNECT_MODULES = ("grpc", "grpc_status", "google.protobuf")  # what pyspark[connect] adds
PROBE_SECONDS = 5.0
ARROW_BATCH = 500_000  # pairs (or nodes) per Arrow batch handed to the Python workers  # how long the master's host may take to accept a connection


@dataclass(frozen=True)
class SparkSettings:
    """Where the Spark stages run.

    ``master``: ``local[*]`` (this machine's cores), ``spark://host:7077``, ``yarn``,
    ``k8s://https://host:443``, or ``sc://host:15002`` (Spark Connect: Databricks, EMR,
    Dataproc). A session already running in this process (a notebook's ``spark``, the
    tests' shared one) is used as it is.
    ``workdir``: a folder this machine and every executor can read and write (the nodes go
    out and the pairs come back through it); empty: a temporary folder here, which only a
    local master can use.
    """

    master: str = DEFAULT_MASTER
    workdir: str = ""


def check_spark(master: str) -> None:
    """Refuse early, in one line, what cannot work: pyspark or Java missing (usage, exit 2),
    a master whose host does not answer (environment, exit 4; the host named, nothing
    else of the URL)."""
    import importlib.util

    if importlib.util.find_spec("pyspark") is None:
        raise UsageError(INSTALL_HINT)
    remote = master.startswith("sc://")
    if remote:
        if any(importlib.util.find_spec(name) is None for name in CONNECT_MODULES):
            raise UsageError(CONNECT_HINT)
    elif _java() is None:
        raise UsageError(INSTALL_HINT)
    host, port = _master_address(master)
    if host is None:
        return
    try:
        with socket.create_connection((host, port), timeout=PROBE_SECONDS):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise StoreError(f"cannot reach the Spark master at {host}:{port} ({reason}); "
                         "nothing was changed") from None


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return os.path.join(home, "bin", "java")
    return shutil.which("java")


def _master_address(master: str) -> tuple[str | None, int]:
    """The host and port a master URL names (None for local, yarn and the like)."""
    url = master.removeprefix("k8s://")
    if url.startswith(("spark://", "sc://", "https://", "http://")):
        first = url.split("://", 1)[1].split(",")[0]  # spark://h1:7077,h2:7077 (standby)
        parsed = urlparse("//" + first.split("/;")[0].split(";")[0])
        default = {"spark": 7077, "sc": 15002, "https": 443, "http": 80}[url.split("://")[0]]
        try:
            port = parsed.port or default
        except ValueError:
            raise UsageError(f"not a Spark master URL: {parsed.hostname or '?'}") from None
        return parsed.hostname, port
    return None, 0


def spark_session(master: str) -> tuple[Any, bool]:
    """The active session if there is one (a notebook's, the tests'), else a new one on
    ``master``; and whether it was made here (then it is stopped after the run)."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("custfocus dedupe")
    if master.startswith("sc://"):
        return builder.remote(master).getOrCreate(), True
    if master.startswith("local"):  # nothing of a local run listens beyond this machine
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (builder.config("spark.driver.host", "127.0.0.1")
                   .config("spark.driver.bindAddress", "127.0.0.1"))
    session = (builder.master(master)
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", str(max(4, 2 * _cores(master))))
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session, True


def _cores(master: str) -> int:
    if master.startswith("local[") and master[6:-1].isdigit():
        return int(master[6:-1])
    return os.cpu_count() or 2


@contextmanager
def spark_stages(frame: Any, settings: SparkSettings | None = None) -> Iterator[SparkStages]:
    """The Spark stages of one full run over the nodes ``frame``; the work folder and a
    session made here are gone after."""
    settings = settings or SparkSettings()
    check_spark(settings.master)
    with warnings.catch_warnings():
        # pyspark 4 warns that it does not support pandas 3 fully; only Arrow crosses here.
        warnings.filterwarnings("ignore", message=".*pandas >= 3", category=FutureWarning)
        session, made = spark_session(settings.master)
        # Batches as large as the embedded engine's slices cost least per pair (comparisons
        # work once per distinct pair of values in a batch); Spark's default is 10,000.
        batch_conf = "spark.sql.execution.arrow.maxRecordsPerBatch"
        batch_before = session.conf.get(batch_conf, None)
        session.conf.set(batch_conf, str(ARROW_BATCH))
        # A name no earlier run had: the Python workers keep what they read by its path.
        run = f"custfocus-spark-{uuid.uuid4().hex}"
        own_dir = not settings.workdir
        workdir = tempfile.mkdtemp(prefix=run + "-") if own_dir else (
            settings.workdir.rstrip("/") + "/" + run)
        try:
            yield SparkStages(session, frame, workdir)
        finally:
            if own_dir:
                shutil.rmtree(workdir, ignore_errors=True)
            else:
                _remove(workdir)
            if made:
                session.stop()
            elif batch_before is None:
                session.conf.unset(batch_conf)
            else:
                session.conf.set(batch_conf, batch_before)


def _remove(path: str) -> None:
    import pyarrow.fs as pafs

    try:
        fs, inner = pafs.FileSystem.from_uri(path)
        fs.delete_dir(inner)
    except (OSError, ValueError):
        pass


# -- the driver's side --------------------------------------------------------------------------


class SparkStages:
    """Block, compare and score the nodes of one run on a Spark session (see the module)."""

    def __init__(self, session: Any, frame: Any, workdir: str):
        import pyarrow as pa

        self.spark, self.frame, self.workdir = session, frame, workdir
        self.nodes_path = f"{workdir}/nodes.parquet"
        self._write(pa.Table.from_pandas(frame, preserve_index=False), self.nodes_path)
        self._dump(tasks.category_dtypes(frame), "nodes.parquet.dtypes")
        columns = key_columns(frame)
        columns["node"] = pa.array(np.arange(len(frame), dtype=np.int32))
        self.key_nodes_path = f"{workdir}/key_nodes.parquet"
        self._write(pa.table(columns), self.key_nodes_path)
        self.partitions = max(2, int(session.conf.get("spark.sql.shuffle.partitions")))

    def _write(self, table: Any, path: str) -> None:
        import pyarrow.parquet as pq

        pq.write_table(table, path)
        if "://" not in path:
            os.chmod(path, 0o600)

    def _dump(self, value: Any, name: str) -> str:
        path = f"{self.workdir}/{name}"
        import pyarrow.fs as pafs

        fs, inner = pafs.FileSystem.from_uri(path) if "://" in path else (
            pafs.LocalFileSystem(), path)
        with fs.open_output_stream(inner) as fh:
            fh.write(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        if "://" not in path:
            os.chmod(path, 0o600)
        return path

    def _read(self, path: str) -> Any:
        import pyarrow.dataset as ds

        return ds.dataset(path, format="parquet").to_table()

    def find_candidates(self) -> Candidates:
        """The candidate pairs of every node (blocking as block.py does it), kept on Spark
        as Parquet; the returned Candidates holds the statistics (its pairs come with the
        scores)."""
        import pyarrow as pa

        spark, rules, n = self.spark, DEFAULT_RULES, len(DEFAULT_RULES)
        levels = level_names(rules)
        names = [name for name, _ in levels]
        cross = ", ".join(str(i) for i, r in enumerate(rules) if r.name == "phone_cross") or "-1"
        caps = "CASE rule " + " ".join(f"WHEN {i} THEN {cap}" for i, (_, cap) in
                                       enumerate(levels)) + " END"
        nodes = spark.read.parquet(self.key_nodes_path)
        nodes.createOrReplaceTempView("cf_nodes")
        keys = nodes.mapInArrow(tasks.keys_of, tasks.KEYS_DDL)
        keys.write.mode("overwrite").parquet(f"{self.workdir}/keys0")
        spark.read.parquet(f"{self.workdir}/keys0").createOrReplaceTempView("cf_keys0")
        # The blocks over their cap, each split whole in one partition (expand_keys).
        frontier = spark.sql(f"""
            SELECT k.rule, k.key, k.side, n.* FROM cf_keys0 k
            JOIN (SELECT rule, key FROM cf_keys0 WHERE rule NOT IN ({cross})
                  GROUP BY rule, key HAVING count(*) > {caps}) o
              ON k.rule = o.rule AND k.key = o.key
            JOIN cf_nodes n ON n.node = k.node""")
        split = (frontier.repartition(self.partitions, "rule", "key")
                 .mapInArrow(tasks.split_blocks, tasks.SPLIT_DDL))
        split.write.mode("overwrite").parquet(f"{self.workdir}/split")
        spark.read.parquet(f"{self.workdir}/split").createOrReplaceTempView("cf_split")
        spark.sql("SELECT rule, key, node, side FROM cf_keys0 UNION ALL "
                  "SELECT rule, key, node, side FROM cf_split WHERE NOT unsplit"
                  ).createOrReplaceTempView("cf_keys")
        spark.sql(f"""
            SELECT rule, key, count(*) AS n, {caps} AS cap FROM cf_keys
            WHERE rule NOT IN ({cross}) GROUP BY rule, key HAVING count(*) > 1
            UNION ALL
            SELECT rule, key, count(DISTINCT node), {caps} FROM cf_keys
            WHERE rule IN ({cross}) GROUP BY rule, key HAVING count(DISTINCT node) > 1
            """).write.mode("overwrite").parquet(f"{self.workdir}/sizes")
        spark.read.parquet(f"{self.workdir}/sizes").createOrReplaceTempView("cf_sizes")
        spark.sql("""
            SELECT k.rule, k.key, k.node, k.side FROM cf_keys k
            JOIN cf_sizes s ON k.rule = s.rule AND k.key = s.key WHERE s.n <= s.cap
            """).createOrReplaceTempView("cf_ok")
        spark.sql("""
            SELECT least(x.node, y.node) AS a, greatest(x.node, y.node) AS b, x.rule
            FROM cf_ok x JOIN cf_ok y ON x.rule = y.rule AND x.key = y.key
                 AND x.node <> y.node
                 AND (x.side AND NOT y.side OR NOT x.side AND NOT y.side AND x.node < y.node)
            """).write.mode("overwrite").parquet(f"{self.workdir}/rule_pairs")
        spark.read.parquet(f"{self.workdir}/rule_pairs").createOrReplaceTempView("cf_pairs")
        per_rule = {names[r]: c for r, c in spark.sql(f"""
            SELECT rule, count(*) FROM cf_pairs WHERE rule NOT IN ({cross}) GROUP BY rule
            UNION ALL SELECT rule, count(DISTINCT a, b) FROM cf_pairs
            WHERE rule IN ({cross}) GROUP BY rule""").collect()}
        spark.sql("SELECT DISTINCT a, b FROM cf_pairs").write.mode("overwrite").parquet(
            f"{self.workdir}/pairs")
        # Every block over its cap (few: they are what the splitting is for), once.
        oversized_keys = spark.sql("""
            SELECT s.rule, s.key, s.n, w.unsplit IS NOT NULL AS unsplit FROM cf_sizes s
            LEFT JOIN (SELECT DISTINCT rule, key, true AS unsplit FROM cf_split
                       WHERE unsplit) w ON s.rule = w.rule AND s.key = w.key
            WHERE s.n > s.cap""").collect()
        over: dict[int, list[int]] = {}
        for rule, _, size, unsplit in oversized_keys:
            if rule < 2 * n or unsplit:  # a walk's window over its cap is cut finer
                over.setdefault(rule, []).append(size)
        return Candidates(
            a=np.zeros(0, np.int32), b=np.zeros(0, np.int32),
            pairs_per_rule={name: per_rule[name] for name in names if name in per_rule},
            oversized_blocks={names[r]: len(sizes) for r, sizes in over.items()},
            largest_skipped={names[r]: int(max(sizes)) for r, sizes in over.items()},
            oversized_keys=pa.table({
                "rule": pa.array([names[row[0]] for row in oversized_keys], pa.string()),
                "key": pa.array([row[1] for row in oversized_keys], pa.string())}),
            key_hashes=self._key_hashes())

    def _key_hashes(self) -> Any:
        """Every node's key per rule and level, hashed by the store's DuckDB as the
        embedded engine hashes them (match_keys: what later incremental runs read)."""
        import duckdb

        keys = self._read(f"{self.workdir}/keys0")
        split = self._read(f"{self.workdir}/split")
        con = duckdb.connect()
        try:
            con.register("k0", keys)
            con.register("k1", split)
            return con.sql(f"SELECT {KEY_HASH_SQL} FROM (SELECT rule, key, node FROM k0 "
                           "UNION ALL SELECT rule, key, node FROM k1 WHERE NOT unsplit)"
                           ).to_arrow_table()
        finally:
            con.close()

    def compare(self) -> None:
        """Every candidate pair's comparison levels (compare_pairs on batches), as Parquet."""
        pairs = self.spark.read.parquet(f"{self.workdir}/pairs")
        (pairs.mapInArrow(tasks.compare_task(self.nodes_path), tasks.LEVELS_DDL)
         .write.mode("overwrite").parquet(f"{self.workdir}/compared"))

    def training_patterns(self, label: dict[tuple[int, int], int], frequencies: Any
                          ) -> tuple[np.ndarray, np.ndarray, int, Any]:
        """What the EM fit needs from the candidates, counted on Spark: their distinct level
        patterns (with the reviewers' labels) in model.distinct_patterns' order, with
        counts; their number; and the training blocks' term-frequency centres."""
        path = self._dump((label, frequencies, len(self.frame)), "training.pickle")
        compared = self.spark.read.parquet(f"{self.workdir}/compared")
        rows = (compared.mapInArrow(tasks.patterns_task(path), tasks.PATTERNS_DDL)
                .groupBy("pattern", "block", "name")
                .agg({"total": "sum", "count": "sum"}).collect())
        found = [(r["pattern"], int(r["sum(count)"])) for r in rows if r["block"] == -1]
        sums = {(r["block"], r["name"]): (r["sum(total)"], int(r["sum(count)"]))
                for r in rows if r["block"] != -1}
        width = len(COMPARISONS) + 1
        packed = np.array([p for p, _ in found], dtype=np.int64)
        counts = np.array([c for _, c in found], dtype=np.int64)
        patterns = np.empty((len(packed), width), dtype=np.int8)
        rest = packed.copy()
        for j in range(width - 1, -1, -1):
            patterns[:, j] = rest % 8 - 1
            rest //= 8
        order = np.lexsort(patterns.T[::-1]) if len(patterns) else np.zeros(0, np.int64)
        patterns, counts = patterns[order], counts[order]

        def centers(block: tuple[str, ...]) -> dict[str, float]:
            i = TRAINING_BLOCKS.index(tuple(block))
            return {name: sums[i, name][0] / sums[i, name][1] for name in block
                    if (i, name) in sums and sums[i, name][1]}
        return patterns, counts, int(counts.sum()), centers

    def score(self, scorer: Any) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray],
                                          np.ndarray]:
        """Every pair scored (PairScorer on batches), back as Parquet sorted by (a, b):
        the pairs, their levels and probabilities."""
        path = self._dump(scorer, "scorer.pickle")
        compared = self.spark.read.parquet(f"{self.workdir}/compared")
        (compared.mapInArrow(tasks.score_task(path), tasks.SCORED_DDL).orderBy("a", "b")
         .write.mode("overwrite").parquet(f"{self.workdir}/scored"))
        table = self._read(f"{self.workdir}/scored")
        a = table.column("a").to_numpy().astype(np.int32)
        b = table.column("b").to_numpy().astype(np.int32)
        order = None
        if len(a) > 1 and not np.all((a[1:] > a[:-1]) | ((a[1:] == a[:-1]) & (b[1:] > b[:-1]))):
            order = np.lexsort((b, a))  # the files were listed out of order

        def column(name: str, dtype: Any) -> np.ndarray:
            out = table.column(name).to_numpy().astype(dtype)
            return out if order is None else out[order]
        levels = {c.name: column(c.name, np.int8) for c in COMPARISONS}
        levels["name_similarity"] = column("name_similarity", np.float32)
        probability = column("probability", np.float64)
        if order is not None:
            a, b = a[order], b[order]
        return a, b, levels, probability


__all__ = ["DEFAULT_MASTER", "SparkSettings", "SparkStages", "check_spark", "spark_session",
           "spark_stages"]
