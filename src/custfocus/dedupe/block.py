"""Blocking: which pairs of nodes are worth comparing at all.

Several keys in union, each a small declarative rule. A block larger than ``max_block`` (a
role mailbox shared by 3,000 records, "Maria Silva" at a million rows, 292 rows of one
organisation) is never expanded whole, so the pair count never grows quadratically; but
nobody is left out for having a common value. Such a block is split further:

* **sub-blocked**: its members are blocked again by the block key plus, in turn, each of
  :data:`SUB_KEYS` the rule does not read already (postcode, city, phone, the first letters
  of the e-mail, of the given name): rule ``<name>/sub``, same cap. Several passes in union,
  so two duplicates that differ in one of them still meet by another.
* **walked**: the block, and each sub-block still over the cap, is walked in the order of
  the rest of the record (:data:`SORT_COLUMNS` the rule does not read, concatenated), in
  content-defined windows: members sharing the first 2, 4, 8, ... characters of that sort
  key (:data:`WALK_DEPTHS`), at the shortest length whose window fits under the cap; rule
  ``<name>/walk``. Each member is paired with its most similar neighbours in sort order,
  at most ``max_block`` of them per walk: O(n · cap) pairs, never quadratic.

The windows are cut by content, not by rank, so a new record never moves an old record's
window: every level is a key like any other, kept in ``match_keys`` and, when over its
cap, in ``match_blocks``, and an incremental run gives a full run's pairs. Only members of
a block over its cap get the keys of the level under it. A window still over its cap at the
last depth (more than ``max_block`` members identical in every sort column: 292 rows of one
organisation's name and nothing else) is cut into :data:`BUCKETS` buckets by a hash of the
node, twice, so that every member shares a bucket with members of other buckets and the
pairs chain them all; what is still over the cap after :data:`BUCKET_DEPTHS` such levels
stays unpaired by that rule and is counted in ``oversized_blocks["<name>/walk"]``.
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
    # One number in international and in local form where its country was not read (a
    # Colombian mobile in a Spanish file, a Mexican "044" prefix, a Brazilian mobile's
    # ninth digit): the last eight digits agree ("phone ends the same").
    BlockingRule("phone_tail", "phone_tail", 500),
    BlockingRule("national_id", "nid_any", 500),
    BlockingRule("account_code", "system || '|' || account_code", 50),
    BlockingRule("name+postcode", "given_first || '|' || family1 || '|' || postal_code"),
    BlockingRule("name+city", "given_first || '|' || family1 || '|' || lower(city)"),
    BlockingRule("surname+birth", "family1_sound || '|' || birth"),
    BlockingRule("given+birth", "given_first || '|' || birth"),
    # Both names mistyped or replaced (FEBRL3: ~1% of true pairs shared no other key).
    BlockingRule("birth+postcode", "birth || '|' || postal_code"),
    BlockingRule("birth+city", "birth || '|' || lower(city)"),
    # Both names mistyped, swapped between the columns, or one of them missing, and no
    # place (fake-1000: a third of its true pairs shared no other key): the birth date and
    # the first letter of a name, which a typo rarely changes. The lower and the higher
    # of the two initials each make a key, so that swapped names and a missing one meet.
    BlockingRule("birth+initial", "birth || '|' || least(left(given_first, 1), "
                                  "left(family1, 1))"),
    BlockingRule("birth+initial2", "birth || '|' || greatest(left(given_first, 1), "
                                   "left(family1, 1))"),
    # A record holding one name only (the other missing, or typed in the other column) and
    # its town: either name of a full one meets it. A weak key (one name, one town), so its
    # blocks are walked in windows of 5 neighbours in the order of the rest of the record.
    BlockingRule("name1+city", "least(given_first, family1) || '|' || lower(city)", 5),
    BlockingRule("name2+city", "greatest(given_first, family1) || '|' || lower(city)", 5),
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


# The second keys of a sub-block, tried in turn (in union): (name, SQL over node columns,
# the column it reads; a rule whose key reads that column already skips it).
SUB_KEYS: tuple[tuple[str, str, str], ...] = (
    ("postcode", "postal_code", "postal_code"),
    ("city", "lower(city)", "city"),
    ("phone", "phone", "phone"),
    ("email", "left(email_key, 4)", "email_key"),
    ("given", "left(given_first, 3)", "given_first"),
)
# The order a block over its cap is walked in: the rest of the record, most telling first
# (a rule's own columns left out: they are equal in the block).
SORT_COLUMNS: tuple[str, ...] = (
    "postal_code", "lower(city)", "address_key", "phone", "email_key", "family1",
    "given_first", "birth", "company_fold",
)
# Prefix lengths of the sort key a walk cuts its windows at; the last one takes it whole.
WALK_DEPTHS: tuple[int, ...] = (2, 4, 8, 16, 32, 64, 1000)
# A window of members identical in every sort column is cut into this many buckets by two
# hashes of the node (each level), at most BUCKET_DEPTHS levels deep: 16 ** 2 caps.
BUCKETS = 16
BUCKET_DEPTHS = 2


def _reads(rule: BlockingRule, column: str) -> bool:
    name = column.removeprefix("lower(").removesuffix(")")
    return name in rule.key


def level_names(rules: tuple[BlockingRule, ...]) -> list[tuple[str, int]]:
    """(name, cap) of every rule number keys use: the rules, then their sub-blocks
    (``<name>/sub``, number + len(rules)), then their walks (``<name>/walk``, + 2·len)."""
    return ([(r.name, r.max_block) for r in rules]
            + [(f"{r.name}/sub", r.max_block) for r in rules]
            + [(f"{r.name}/walk", r.max_block) for r in rules])


def split_summary(oversized_blocks: dict[str, int]) -> dict[str, dict[str, int]]:
    """Per rule, from ``oversized_blocks``: blocks over the cap (each sub-blocked and
    walked), sub-blocks over it (walked), windows left over it at the last depth."""
    out: dict[str, dict[str, int]] = {}
    for name, count in oversized_blocks.items():
        base, _, level = name.partition("/")
        entry = out.setdefault(base, {"sub_blocked": 0, "walked": 0, "left_out": 0})
        if level == "":
            entry["sub_blocked"] += count
            entry["walked"] += count
        elif level == "sub":
            entry["walked"] += count
        else:
            entry["left_out"] += count
    return out


def _children_sql(rules: tuple[BlockingRule, ...], frontier: str, source: str) -> str:
    """SQL of the keys one level down (rule, key, node, side, anc, depth, stored) of the
    rows of ``frontier`` (keys rows in blocks over their cap, with anc, depth, stored), node
    columns from ``source``. A few passes over the frontier, the rule's own expressions
    picked by CASE (one SELECT per rule and level took 0.1-0.3 s to plan)."""
    n = len(rules)
    sorts = {i: "concat_ws('|', " + ", ".join(
        f"coalesce(CAST({c} AS VARCHAR), '')" for c in SORT_COLUMNS if not _reads(rule, c))
        + ")" for i, rule in enumerate(rules) if rule.name != "phone_cross"}
    sort = "CASE f.rule % " + str(n) + " " + " ".join(
        f"WHEN {i} THEN {expr}" for i, expr in sorts.items()) + " END"
    depths = "[" + ", ".join(map(str, WALK_DEPTHS)) + "]"
    cte = (f"WITH w AS (SELECT f.*, {sort} AS sort, s.* EXCLUDE (node) FROM {frontier} f "
           f"JOIN {source} s ON s.node = f.node WHERE f.rule % {n} IN "
           f"({', '.join(map(str, sorts))})) ")
    selects = []
    for name, expr, column in SUB_KEYS:
        using = [str(i) for i, rule in enumerate(rules)
                 if i in sorts and not _reads(rule, column)]
        if using:
            selects.append(
                f"SELECT ({n} + rule)::TINYINT AS rule, key || '|{name}=' || ({expr}) AS key, "
                f"node, false AS side, NULL::VARCHAR AS anc, 0::TINYINT AS depth, stored "
                f"FROM w WHERE rule IN ({', '.join(using)}) AND ({expr}) IS NOT NULL")
    # A walk starts at a block (or sub-block) over its cap and goes one depth deeper
    # while its window is over it and the sort key is longer than the window's prefix.
    selects.append(
        f"SELECT ({2 * n} + rule % {n})::TINYINT, rule || ':' || key || '#' || "
        f"left(sort, {WALK_DEPTHS[0]}), node, false, rule || ':' || key, 1::TINYINT, stored "
        f"FROM w WHERE rule < {2 * n}")
    selects.append(
        f"SELECT rule, anc || '#' || left(sort, {depths}[depth + 1]), node, false, anc, "
        f"(depth + 1)::TINYINT, stored FROM w WHERE rule >= {2 * n} "
        f"AND depth < {len(WALK_DEPTHS)} AND length(sort) > {depths}[depth]")
    # A window whose members are identical in every sort column cannot be cut by content:
    # it is cut into BUCKETS by a hash of the node, twice over with different hashes, so
    # that the buckets overlap and chain every member together.
    last = len(WALK_DEPTHS)
    selects.append(
        f"SELECT rule, key || '%' || p.part || CAST(hash(rep * 31 + depth * 7919 + p.salt) "
        f"% {BUCKETS} AS VARCHAR), node, false, anc, (depth + 1)::TINYINT, stored "
        f"FROM w, (VALUES ('a', 0), ('b', 104729)) p(part, salt) WHERE rule >= {2 * n} "
        f"AND depth < {last + BUCKET_DEPTHS} "
        f"AND (depth >= {last} OR length(sort) <= {depths}[depth])")
    return cte + " UNION ALL ".join(selects)


def expand_keys(con: Any, rules: tuple[BlockingRule, ...], source: str, keys: str,
                over_before: str | None, count: bool, force: bool = True) -> None:
    """Add to the table ``keys`` (rule, key, node, side, stored) the keys of every level
    under the blocks over their cap, level by level (see the module's docstring).

    A block is over its cap when it has more rows in ``keys`` than the cap (``count``), or
    (``force``) is listed in ``over_before`` (rule, key: was over it before, and blocks
    only grew since).
    ``stored``: the row is in ``match_keys`` already (an old node's key under a block over
    its cap before); rows derived here from a row not stored, or under a block that was
    not over, are not.
    """
    levels = level_names(rules)
    caps = "CASE rule " + " ".join(f"WHEN {i} THEN {cap}" for i, (_, cap) in
                                   enumerate(levels)) + " END"
    cross = [i for i, r in enumerate(rules) if r.name == "phone_cross"] or [-1]
    empty = "SELECT NULL::TINYINT AS rule, NULL::VARCHAR AS key WHERE false"
    before = f"SELECT rule, key FROM {over_before}" if over_before else empty
    level = f"(SELECT rule, key, node, side, NULL::VARCHAR AS anc, 0::TINYINT AS depth, "             f"stored FROM {keys} WHERE rule NOT IN ({', '.join(map(str, cross))}))"
    step = 0
    # Windows over their cap that could not be cut finer (for the report).
    con.execute("CREATE OR REPLACE TEMP TABLE walk_unsplit (rule TINYINT, key VARCHAR)")
    while True:
        counted = (f"SELECT rule, key FROM {level} GROUP BY rule, key HAVING count(*) > "
                   f"{caps} UNION " if count else "")
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _over_level AS
            {counted} SELECT rule, key FROM ({before if force else empty})
            SEMI JOIN {level} USING (rule, key)""")
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _frontier AS
            SELECT l.rule, l.key, l.node, l.anc, l.depth, l.stored AND b.rule IS NOT NULL
                   AS stored
            FROM {level} l JOIN _over_level o USING (rule, key)
            LEFT JOIN ({before}) b USING (rule, key)""")
        if not con.execute("SELECT count(*) FROM _frontier").fetchone()[0]:
            break
        step += 1
        # The frontier's node columns once (the children's SQL reads them many times).
        con.execute(f"CREATE OR REPLACE TEMP TABLE _frontier_nodes AS SELECT * FROM {source} "
                    "WHERE node IN (SELECT node FROM _frontier)")
        con.execute(f"CREATE OR REPLACE TEMP TABLE _level{step % 2} AS "
                    + _children_sql(rules, "_frontier", "_frontier_nodes"))
        level = f"_level{step % 2}"
        con.execute(f"""
            INSERT INTO walk_unsplit SELECT DISTINCT f.rule, f.key FROM _frontier f
            WHERE f.rule >= {2 * len(rules)} AND NOT EXISTS (
                SELECT 1 FROM {level} c WHERE c.node = f.node AND c.rule = f.rule
                AND c.anc = f.anc AND c.depth = f.depth + 1)""")
        con.execute(f"INSERT INTO {keys} SELECT rule, key, node, side, stored FROM {level}")
    for table in ("_over_level", "_frontier", "_frontier_nodes", "_level0", "_level1"):
        con.execute(f"DROP TABLE IF EXISTS {table}")


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
    # Without ``fresh``: every node's key per rule (and level), hashed (Arrow: rule,
    # key_hash, node); with it, those not stored yet (see find_candidates).
    key_hashes: Any = None

    def __len__(self) -> int:
        return len(self.a)


_KEY_COLUMNS = [
    "email_key", "phone", "phone2", "nid_any", "system", "account_code", "given_first",
    "family1", "postal_code", "city", "family1_sound", "birth", "address_key", "name_key",
    "email_local", "company_fold", "phone_tail",
]


def key_columns(nodes: Any, rows: Any = None) -> dict[str, Any]:
    """The node columns blocking keys are made of, as Arrow (of ``rows`` only, if given),
    with ``rep``: the node's first record id, which stays the node's in later runs (a
    hashed bucket is a hash of it, so that full and incremental runs cut alike)."""
    import pyarrow as pa

    part = nodes if rows is None else nodes.iloc[rows]
    columns = {c: _arrow(part[c]) for c in _KEY_COLUMNS}
    rep = (part["record_id"].to_numpy() if "record_id" in part
           else np.arange(len(nodes))[slice(None) if rows is None else rows])
    columns["rep"] = pa.array(np.asarray(rep, dtype=np.int64))
    return columns


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

    columns = key_columns(nodes)
    columns["node"] = pa.array(np.arange(len(nodes), dtype=np.int32))
    con.register("nodes", pa.table(columns))
    levels = level_names(rules)
    names = [name for name, _ in levels]
    cross = [i for i, rule in enumerate(rules) if rule.name == "phone_cross"]
    caps = "CASE rule " + " ".join(f"WHEN {i} THEN {cap}" for i, (_, cap) in
                                   enumerate(levels)) + " END"
    cross_list = ", ".join(map(str, cross)) or "-1"
    if fresh is not None:
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
    stored = "false" if fresh is None else "node NOT IN (SELECT node FROM fresh)"
    con.execute(f"CREATE TEMP TABLE keys AS SELECT *, {stored} AS stored FROM ("
                + keys_sql(rules, "nodes") + ")")
    # The keys of the levels under every block over its cap (sub-blocks, walks).
    expand_keys(con, rules, "nodes", "keys", "was_over" if fresh is not None else None,
                count=True, force=still_over)

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
        # A walk's window over its cap is cut finer, except at the last depth.
        rows = con.execute(f"""
            SELECT rule, count(*), max(n) FROM sizes WHERE n > cap
            AND (rule < {2 * len(rules)} OR (rule, key) IN (SELECT (rule, key) FROM walk_unsplit))
            GROUP BY rule""").fetchall()
        return {names[r]: c for r, c, _ in rows}, {names[r]: m for r, _, m in rows}

    touch = ""
    oversized_keys = None
    stats: tuple[dict[str, int], dict[str, int]] = ({}, {})
    if fresh is not None:
        # Blocks change only by new nodes (growing) or by nodes gone (shrinking, which only
        # matters for a block that was over its cap). The blocks that crossed their cap
        # either way are re-paired whole.
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
    # Full: every key; with ``fresh``: the keys not in match_keys yet (the new nodes', and
    # old nodes' keys under a block that crossed its cap now).
    key_hashes = None if fresh is None and only_nodes is not None else con.sql(
        f"SELECT {KEY_HASH_SQL} FROM keys WHERE NOT stored").to_arrow_table()
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
    # Node indices as int32 (they are INTEGER in the store): at 34 M pairs, 270 MB less.
    a, b = np.asarray(result.pop("a"), dtype=np.int32), np.asarray(result.pop("b"), dtype=np.int32)
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
