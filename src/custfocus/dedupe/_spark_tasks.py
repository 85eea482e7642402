"""What the Spark executors run for :mod:`custfocus.dedupe.spark`: each function takes and
yields Arrow record batches (``mapInArrow``) and calls the embedded engine's own code on
them (block.keys_sql and block.expand_keys in a DuckDB of its own, compare.compare_pairs,
score.PairScorer). A Python worker reads the nodes and the pickled scorer of a run once, by
path, and keeps them for the next batches of the same run.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

import numpy as np

from custfocus.dedupe.block import DEFAULT_RULES, expand_keys, keys_sql
from custfocus.dedupe.compare import COMPARISONS, compare_pairs
from custfocus.dedupe.model import TRAINING_BLOCKS, agree_at_top

# The schemas of what the executors return, in Spark's DDL.
KEYS_DDL = "rule tinyint, key string, node int, side boolean"
SPLIT_DDL = "unsplit boolean, rule tinyint, key string, node int, side boolean"
LEVELS_DDL = ("a int, b int, " + ", ".join(f"{c.name} tinyint" for c in COMPARISONS)
              + ", name_similarity float")
SCORED_DDL = LEVELS_DDL + ", probability double"
PATTERNS_DDL = "pattern bigint, block int, name string, total double, count bigint"


_CACHE: dict[str, Any] = {}  # per Python worker: the nodes and scorer of the run at hand


def _read_parquet(path: str) -> Any:
    import pyarrow.parquet as pq

    return pq.read_table(path)


def _encoded(path: str) -> Any:
    """The nodes of ``path`` as compare.py's codes, made once per worker."""
    key = "nodes:" + path
    if key not in _CACHE:
        from custfocus.dedupe.compare import _Encoded

        _CACHE.clear()  # one run at a time: the previous run's nodes go
        _CACHE[key] = _Encoded(restore_dtypes(_read_parquet(path).to_pandas(),
                                              _loaded(path + ".dtypes")))
    return _CACHE[key]


def category_dtypes(frame: Any) -> dict[str, Any]:
    """The dtype of the categories of each categorical column (Parquet keeps the values,
    not pandas' string dtype of an Index)."""
    import pandas as pd

    return {name: frame[name].cat.categories.dtype for name in frame.columns
            if isinstance(frame[name].dtype, pd.CategoricalDtype)}


def restore_dtypes(frame: Any, dtypes: dict[str, Any]) -> Any:
    """The node frame as the driver held it: categories of the same dtype, same order."""
    for name, dtype in dtypes.items():
        column = frame[name]
        if column.cat.categories.dtype != dtype:
            frame[name] = column.cat.rename_categories(column.cat.categories.astype(dtype))
    return frame


def _loaded(path: str) -> Any:
    key = "pickle:" + path
    if key not in _CACHE:
        import pyarrow.fs as pafs

        fs, inner = pafs.FileSystem.from_uri(path) if "://" in path else (
            pafs.LocalFileSystem(), path)
        with fs.open_input_stream(inner) as fh:
            _CACHE[key] = pickle.loads(fh.read())
    return _CACHE[key]


def keys_of(batches: Iterator[Any]) -> Iterator[Any]:
    """Every node's key per rule (keys_sql, in DuckDB) of each batch of nodes."""
    import duckdb
    import pyarrow as pa

    con = duckdb.connect()
    try:
        for batch in batches:
            con.register("nodes", pa.Table.from_batches([batch]))
            table = con.sql(keys_sql(DEFAULT_RULES, "nodes")).to_arrow_table()
            con.unregister("nodes")
            yield from table.cast(_arrow_schema(KEYS_DDL)).to_batches()
    finally:
        con.close()


def split_blocks(batches: Iterator[Any]) -> Iterator[Any]:
    """The keys under the blocks over their cap of one partition (each block whole in it),
    by block.expand_keys; and the walk windows it could not cut finer."""
    import duckdb
    import pyarrow as pa

    parts = [batch for batch in batches if batch.num_rows]
    if not parts:
        return
    table = pa.Table.from_batches(parts)
    con = duckdb.connect()
    try:
        con.register("_in", table)
        key_names = [c for c in table.column_names if c not in ("rule", "key", "side")]
        con.execute("CREATE TEMP TABLE nodes AS SELECT DISTINCT ON (node) "
                    + ", ".join(key_names) + " FROM _in")
        con.execute("CREATE TEMP TABLE keys AS SELECT rule, key, node, side, false AS stored "
                    "FROM _in")
        expand_keys(con, DEFAULT_RULES, "nodes", "keys", None, count=True)
        out = con.sql(f"""
            SELECT false AS unsplit, rule, key, node, side FROM keys
            WHERE rule >= {len(DEFAULT_RULES)}
            UNION ALL SELECT true, rule, key, -1, false FROM walk_unsplit""").to_arrow_table()
    finally:
        con.close()
    yield from out.cast(_arrow_schema(SPLIT_DDL)).to_batches()


def compare_task(nodes_path: str) -> Any:
    def compare(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        encoded = _encoded(nodes_path)
        for batch in batches:
            a = batch.column("a").to_numpy(zero_copy_only=False).astype(np.int32)
            b = batch.column("b").to_numpy(zero_copy_only=False).astype(np.int32)
            levels = compare_pairs(encoded, a, b)
            columns = {"a": pa.array(a), "b": pa.array(b)}
            columns.update({c.name: pa.array(levels[c.name].astype(np.int8))
                            for c in COMPARISONS})
            columns["name_similarity"] = pa.array(levels["name_similarity"], pa.float32())
            yield pa.RecordBatch.from_pydict(columns)
    return compare


def _levels_of(batch: Any) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    a = batch.column("a").to_numpy(zero_copy_only=False)
    b = batch.column("b").to_numpy(zero_copy_only=False)
    levels = {c.name: batch.column(c.name).to_numpy(zero_copy_only=False)
              for c in COMPARISONS}
    levels["name_similarity"] = batch.column("name_similarity").to_numpy(zero_copy_only=False)
    return a, b, levels


def patterns_task(inputs_path: str) -> Any:
    """Per batch: the level pattern (with the reviewer's label) of every pair, packed, and
    per training block and comparison the sum and count of the term-frequency adjustment
    of the pairs agreeing at the block's top level."""
    def patterns(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        from custfocus.dedupe.run import known_labels

        label, frequencies, nodes = _loaded(inputs_path)
        for batch in batches:
            a, b, levels = _levels_of(batch)
            known = known_labels(label, a, b, nodes)
            packed = np.zeros(len(a), dtype=np.int64)
            for column in [levels[c.name] for c in COMPARISONS] + [known]:
                packed = packed * 8 + (column.astype(np.int64) + 1)
            adjust = frequencies.adjust(a, b, levels)
            block, name, total, count = [], [], [], []
            for i, comparisons in enumerate(TRAINING_BLOCKS):
                inside = agree_at_top(levels, comparisons)
                for comp in comparisons:
                    if comp in adjust and inside.any():
                        block.append(i)
                        name.append(comp)
                        total.append(float(adjust[comp][inside].sum()))
                        count.append(int(inside.sum()))
            distinct, found = np.unique(packed, return_counts=True)
            yield pa.RecordBatch.from_pydict({
                "pattern": pa.array(distinct), "block": pa.array([-1] * len(distinct), pa.int32()),
                "name": pa.array([None] * len(distinct), pa.string()),
                "total": pa.array(np.zeros(len(distinct))),
                "count": pa.array(found.astype(np.int64))})
            if block:
                yield pa.RecordBatch.from_pydict({
                    "pattern": pa.array(np.full(len(block), -1, dtype=np.int64)),
                    "block": pa.array(block, pa.int32()), "name": pa.array(name, pa.string()),
                    "total": pa.array(total, pa.float64()),
                    "count": pa.array(count, pa.int64())})
    return patterns


def score_task(scorer_path: str) -> Any:
    def score(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        scorer = _loaded(scorer_path)
        for batch in batches:
            a, b, levels = _levels_of(batch)
            probability = scorer.score(a, b, levels).probability
            yield batch.append_column("probability", pa.array(probability, pa.float64()))
    return score


def _arrow_schema(ddl: str) -> Any:
    """The Arrow schema of a DDL of this module (names and the few types used here)."""
    import pyarrow as pa

    types = {"tinyint": pa.int8(), "int": pa.int32(), "bigint": pa.int64(),
             "boolean": pa.bool_(), "string": pa.string(), "float": pa.float32(),
             "double": pa.float64()}
    return pa.schema([(name, types[kind]) for name, kind in
                      (part.split() for part in ddl.split(", "))])
