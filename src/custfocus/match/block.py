"""Blocking: which pairs of nodes are worth comparing at all.

Several keys in union, each a small declarative rule. A block larger than ``max_block`` is
not expanded (a role mailbox shared by 3,000 records, "Maria Silva" at a million rows):
it is skipped and reported, so the pair count never grows quadratically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class BlockingRule:
    """Records agreeing on ``key`` (a SQL expression over node columns) become candidates."""

    name: str
    key: str
    max_block: int = 200


DEFAULT_RULES: tuple[BlockingRule, ...] = (
    BlockingRule("email", "email_key", 500),
    BlockingRule("phone", "phone", 500),
    BlockingRule("phone2", "phone2", 500),
    BlockingRule("phone_cross", "phone2"),  # handled specially: phone2 vs phone
    BlockingRule("national_id", "nid_any", 500),
    BlockingRule("account_code", "system || '|' || account_code", 50),
    BlockingRule("name+postcode", "given_first || '|' || family1 || '|' || postal_code"),
    BlockingRule("name+city", "given_first || '|' || family1 || '|' || lower(city)"),
    BlockingRule("surname+birth", "family1_sound || '|' || birth"),
    BlockingRule("given+birth", "given_first || '|' || birth"),
    # Both names mistyped or replaced (FEBRL3: ~1% of true pairs shared no other key).
    BlockingRule("birth+postcode", "birth || '|' || postal_code"),
    BlockingRule("birth+city", "birth || '|' || lower(city)"),
    BlockingRule("address", "address_key", 50),
    BlockingRule("full_name", "name_key", 60),
    BlockingRule("email_local", "CASE WHEN length(email_local) >= 6 THEN email_local END", 50),
    BlockingRule("sounds_like", "family1_sound || '|' || given_first || '|' || "
                                "coalesce(postal_code, lower(city), '')", 60),
    # Organisations (a company column, or a full name read as one): the same name, or the
    # same first two words in the same place ("Catholic Charities ... - St. Kevin").
    BlockingRule("organisation", "company_fold", 60),
    BlockingRule("organisation_start", "split_part(company_fold, ' ', 1) || ' ' || "
                                       "split_part(company_fold, ' ', 2) || '|' || "
                                       "coalesce(postal_code, lower(city), '')", 60),
)


@dataclass
class Candidates:
    """Candidate pairs (node indices, a < b) and what generated them."""

    a: np.ndarray
    b: np.ndarray
    pairs_per_rule: dict[str, int] = field(default_factory=dict)
    oversized_blocks: dict[str, int] = field(default_factory=dict)
    largest_skipped: dict[str, int] = field(default_factory=dict)
    # With ``fresh``: the nodes whose pairs were generated (new nodes, and old members of
    # blocks that crossed their cap), and every block now over its cap (rule, key).
    touched: np.ndarray | None = None
    oversized_keys: Any = None
    # Without ``fresh``: every node's key per rule, hashed (Arrow: rule, key_hash, node).
    key_hashes: Any = None

    def __len__(self) -> int:
        return len(self.a)


_KEY_COLUMNS = [
    "email_key", "phone", "phone2", "nid_any", "system", "account_code", "given_first",
    "family1", "postal_code", "city", "family1_sound", "birth", "address_key", "name_key",
    "email_local", "company_fold",
]


def find_candidates(
    nodes: Any,
    rules: tuple[BlockingRule, ...] = DEFAULT_RULES,
    only_nodes: np.ndarray | None = None,
    fresh: np.ndarray | None = None,
    oversized_before: Any = None,
    still_over: bool = False,
    pair_crossed: bool = True,
    connection: Any = None,
) -> Candidates:
    """Generate candidate pairs with DuckDB; with ``only_nodes``, only pairs touching them
    (and block statistics of the blocks they are in).

    ``fresh``: the nodes that are new since the last run, and ``oversized_before`` (Arrow:
    rule, key) the blocks that were over their cap then. Only the pairs that can differ from
    the last run's are generated: those touching a new node, and those touching a member of
    a block that crossed its cap since (grown over it: its old pairs go unless another rule
    makes them; shrunk under it: it makes pairs now). ``touched`` lists these nodes and
    ``oversized_keys`` every block now over its cap, for the next run.

    ``still_over``: records were only added since, so the blocks over their cap then still
    are, and ``nodes`` need not hold their members (only the new nodes and the members of
    their other blocks, as an incremental run loads them).

    ``pair_crossed=False``: only the pairs touching a new node are generated; the caller
    drops the old pairs a block that grew over its cap no longer makes (``touched`` is then
    the new nodes alone).

    ``connection``: a DuckDB connection to work in (a cursor of it, closed after), for a few
    thousand nodes; by default a private one, bounded in memory, that spills to disk.
    """
    import tempfile

    if connection is not None:
        con = connection.cursor()
        try:
            return _find_candidates(nodes, rules, only_nodes, fresh, oversized_before,
                                    still_over, pair_crossed, con)
        finally:
            con.close()
    with tempfile.TemporaryDirectory(prefix="custfocus-block-") as spill:
        con = _connect(spill)
        try:
            return _find_candidates(nodes, rules, only_nodes, fresh, oversized_before,
                                    still_over, pair_crossed, con)
        finally:
            con.close()


MEMORY_LIMIT = "2GB"  # DuckDB's share while blocking; larger joins spill to a temporary folder


def _connect(spill: str) -> Any:
    """A private DuckDB with a bounded memory (by default it may take 80% of the machine,
    and keeps what it took until closed) that spills to ``spill``."""
    import duckdb

    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": spill})
    con.execute("SET preserve_insertion_order = false")
    return con


# A node's key per rule as stored in match_keys: hashed, so the table stays narrow (a
# collision only adds a node to an incremental run's neighbourhood, never loses a pair).
KEY_HASH_SQL = "rule, hash(key) AS key_hash, CAST(node AS INTEGER) AS node"


def keys_sql(rules: tuple[BlockingRule, ...], source: str) -> str:
    """SQL listing (rule, key, node, side) of every node in ``source`` (a table of the key
    columns and ``node``), rules by number: a TINYINT groups and joins faster than a name.

    Each node has one key per rule, so a block's size is its row count; only the
    phone2-vs-phone rule can list a node twice (once per side), and is counted by distinct
    node.
    """
    selects = []
    for i, rule in enumerate(rules):
        if rule.name == "phone_cross":
            selects.append(
                f"SELECT {i}::TINYINT AS rule, phone2 AS key, node, true AS side "
                f"FROM {source} WHERE phone2 IS NOT NULL "
                f"UNION ALL SELECT {i}::TINYINT, phone, node, false FROM {source} "
                "WHERE phone IS NOT NULL"
            )
            continue
        selects.append(
            f"SELECT {i}::TINYINT AS rule, ({rule.key}) AS key, node, false AS side "
            f"FROM {source} WHERE ({rule.key}) IS NOT NULL"
        )
    return " UNION ALL ".join(selects)


def _find_candidates(nodes: Any, rules: tuple[BlockingRule, ...], only_nodes: np.ndarray | None,
                     fresh: np.ndarray | None, oversized_before: Any, still_over: bool,
                     pair_crossed: bool, con: Any) -> Candidates:
    import pyarrow as pa

    columns = {c: _arrow(nodes[c]) for c in _KEY_COLUMNS}
    columns["node"] = pa.array(np.arange(len(nodes), dtype=np.int32))
    con.register("nodes", pa.table(columns))
    names = [rule.name for rule in rules]
    cross = [i for i, rule in enumerate(rules) if rule.name == "phone_cross"]
    caps = "CASE rule " + " ".join(f"WHEN {i} THEN {r.max_block}" for i, r in enumerate(rules)) \
        + " END"
    con.execute("CREATE TEMP TABLE keys AS " + keys_sql(rules, "nodes"))
    cross_list = ", ".join(map(str, cross)) or "-1"

    def block_sizes(source: str) -> None:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE sizes AS
            SELECT rule, key, count(*) AS n, {caps} AS cap
            FROM {source} WHERE rule NOT IN ({cross_list}) GROUP BY rule, key
            HAVING count(*) > 1
            UNION ALL
            SELECT rule, key, count(DISTINCT node), {caps}
            FROM {source} WHERE rule IN ({cross_list}) GROUP BY rule, key
            HAVING count(DISTINCT node) > 1""")
        if still_over and fresh is not None:
            # ``nodes`` may hold only part of a block that was over its cap: it still is.
            con.execute("UPDATE sizes SET n = greatest(n, cap + 1) FROM was_over w "
                        "WHERE sizes.rule = w.rule AND sizes.key = w.key")

    def blocks_of(table: str) -> str:
        """The keys rows of every block one of the nodes in ``table`` is in."""
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE scope AS
            SELECT DISTINCT rule, key FROM keys WHERE node IN (SELECT node FROM {table})""")
        return "(SELECT k.* FROM keys k JOIN scope USING (rule, key))"

    def block_stats() -> tuple[dict[str, int], dict[str, int]]:
        rows = con.execute(
            "SELECT rule, count(*), max(n) FROM sizes WHERE n > cap GROUP BY rule").fetchall()
        return {names[r]: c for r, c, _ in rows}, {names[r]: m for r, _, m in rows}

    touch = ""
    oversized_keys = None
    stats: tuple[dict[str, int], dict[str, int]] = ({}, {})
    if fresh is not None:
        # Blocks change only by new nodes (growing) or by nodes gone (shrinking, which only
        # matters for a block that was over its cap). The blocks that crossed their cap
        # either way are re-paired whole.
        con.register("fresh", pa.table({"node": np.asarray(fresh, dtype=np.int32)}))
        before = oversized_before if oversized_before is not None else pa.table(
            {"rule": pa.array([], pa.string()), "key": pa.array([], pa.string())})
        con.register("before_names", pa.table({"rule": pa.array(np.arange(len(names),
                                                                          dtype=np.int8)),
                                               "name": pa.array(names, pa.string())}))
        con.register("before", before)
        con.execute("""
            CREATE TEMP TABLE was_over AS SELECT n.rule, b.key FROM before b
            JOIN before_names n ON n.name = b.rule""")
        con.execute("""
            CREATE TEMP TABLE candidates_scope AS
            SELECT DISTINCT rule, key FROM keys WHERE node IN (SELECT node FROM fresh)
            UNION SELECT rule, key FROM was_over""")
        block_sizes("(SELECT k.* FROM keys k JOIN candidates_scope USING (rule, key))")
        only_nodes = np.asarray(fresh, dtype=np.int64)
        if pair_crossed:
            still = "true" if still_over else "false"
            crossed = con.execute(f"""
                SELECT DISTINCT k.node FROM keys k
                JOIN candidates_scope c USING (rule, key)
                LEFT JOIN sizes s USING (rule, key)
                LEFT JOIN (SELECT rule, key, true AS was FROM was_over) w USING (rule, key)
                WHERE coalesce(s.n > s.cap, false) <> coalesce(w.was, false)
                  AND NOT ({still} AND coalesce(w.was, false))
                  AND k.node NOT IN (SELECT node FROM fresh)""").fetchnumpy()["node"]
            only_nodes = np.union1d(np.asarray(crossed, dtype=np.int64), only_nodes)
        # Every block over its cap now was over it before or has a new node: all are here.
        oversized_keys = con.execute("SELECT rule, key FROM sizes WHERE n > cap").fetchnumpy()
        stats = block_stats()
    if only_nodes is not None:
        con.register("touched", pa.table({"node": np.asarray(only_nodes, dtype=np.int32)}))
        touch = ("AND (x.node IN (SELECT node FROM touched) "
                 "OR y.node IN (SELECT node FROM touched))")
        # Every pair touching these nodes comes from a block one of them is in (the new
        # nodes' blocks are sized already).
        if fresh is None or pair_crossed:
            block_sizes(blocks_of("touched"))
    else:
        block_sizes("keys")
        oversized_keys = con.execute("SELECT rule, key FROM sizes WHERE n > cap").fetchnumpy()
    key_hashes = None if fresh is not None or only_nodes is not None else con.sql(
        f"SELECT {KEY_HASH_SQL} FROM keys").to_arrow_table()
    oversized, largest = stats if fresh is not None else block_stats()
    con.execute(
        "CREATE TEMP TABLE ok AS SELECT k.rule, k.key, k.node, k.side FROM keys k "
        "JOIN sizes s ON k.rule = s.rule AND k.key = s.key WHERE s.n <= s.cap"
    )
    con.execute(
        f"""
        CREATE TEMP TABLE pairs AS
        SELECT least(x.node, y.node) AS a, greatest(x.node, y.node) AS b, x.rule
        FROM ok x JOIN ok y ON x.rule = y.rule AND x.key = y.key AND x.node <> y.node
             AND (x.side AND NOT y.side OR NOT x.side AND NOT y.side AND x.node < y.node)
        WHERE true {touch}
        """
    )
    # Within one rule a pair comes from one block, except for phone2-vs-phone (both ways).
    per_rule = {names[r]: c for r, c in con.execute(
        f"SELECT rule, count(*) FROM pairs WHERE rule NOT IN ({cross_list}) GROUP BY rule "
        f"UNION ALL SELECT rule, count(DISTINCT (a, b)) FROM pairs "
        f"WHERE rule IN ({cross_list}) GROUP BY rule").fetchall()}
    per_rule = {name: per_rule[name] for name in names if name in per_rule}
    result = con.execute("SELECT DISTINCT a, b FROM pairs ORDER BY a, b").fetchnumpy()
    con.close()
    a, b = np.asarray(result.pop("a"), dtype=np.int64), np.asarray(result.pop("b"), dtype=np.int64)
    return Candidates(
        a=a, b=b,
        pairs_per_rule=per_rule, oversized_blocks=oversized, largest_skipped=largest,
        touched=None if fresh is None else only_nodes, key_hashes=key_hashes,
        oversized_keys=None if oversized_keys is None else pa.table({
            "rule": pa.array([names[r] for r in oversized_keys["rule"]], pa.string()),
            "key": pa.array(list(oversized_keys["key"]), pa.string())}),
    )


def _arrow(column: Any) -> Any:
    """A node column as Arrow text: categoricals stay dictionary-encoded (no copies)."""
    import pandas as pd
    import pyarrow as pa

    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        values = pa.array(column.cat.categories).cast(pa.string())
        return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32), mask=codes < 0),
                                              values)
    values = column.to_numpy(dtype=object)
    return pa.array(np.where(pd.isna(values), None, values), pa.string())
