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
    BlockingRule("address", "address_key", 50),
    BlockingRule("full_name", "name_key", 60),
    BlockingRule("email_local", "CASE WHEN length(email_local) >= 6 THEN email_local END", 50),
    BlockingRule("sounds_like", "family1_sound || '|' || given_first || '|' || "
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

    def __len__(self) -> int:
        return len(self.a)


_KEY_COLUMNS = [
    "email_key", "phone", "phone2", "nid_any", "system", "account_code", "given_first",
    "family1", "postal_code", "city", "family1_sound", "birth", "address_key", "name_key",
    "email_local",
]


def find_candidates(
    nodes: Any,
    rules: tuple[BlockingRule, ...] = DEFAULT_RULES,
    only_nodes: np.ndarray | None = None,
) -> Candidates:
    """Generate candidate pairs with DuckDB; with ``only_nodes``, only pairs touching them."""
    import duckdb
    import pandas as pd

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    frame = nodes[_KEY_COLUMNS].copy()
    frame["node"] = np.arange(len(frame), dtype=np.int64)
    con.register("nodes", frame)
    selects = []
    for rule in rules:
        if rule.name == "phone_cross":
            selects.append(
                f"SELECT '{rule.name}' AS rule, phone2 AS key, node, 1 AS side, "
                f"{rule.max_block} AS cap FROM nodes WHERE phone2 IS NOT NULL "
                f"UNION ALL SELECT '{rule.name}', phone, node, 0, {rule.max_block} FROM nodes "
                "WHERE phone IS NOT NULL"
            )
            continue
        selects.append(
            f"SELECT '{rule.name}' AS rule, ({rule.key}) AS key, node, 0 AS side, "
            f"{rule.max_block} AS cap FROM nodes WHERE ({rule.key}) IS NOT NULL"
        )
    con.execute("CREATE TEMP TABLE keys AS " + " UNION ALL ".join(selects))
    con.execute(
        "CREATE TEMP TABLE sizes AS SELECT rule, key, count(DISTINCT node) AS n, any_value(cap) "
        "AS cap FROM keys GROUP BY rule, key HAVING count(DISTINCT node) > 1"
    )
    oversized = dict(con.execute(
        "SELECT rule, count(*) FROM sizes WHERE n > cap GROUP BY rule").fetchall())
    largest = dict(con.execute(
        "SELECT rule, max(n) FROM sizes WHERE n > cap GROUP BY rule").fetchall())
    con.execute(
        "CREATE TEMP TABLE ok AS SELECT k.rule, k.key, k.node, k.side FROM keys k "
        "JOIN sizes s ON k.rule = s.rule AND k.key = s.key WHERE s.n <= s.cap"
    )
    touch = ""
    if only_nodes is not None:
        con.register("touched", pd.DataFrame({"node": np.asarray(only_nodes, dtype=np.int64)}))
        touch = ("AND (x.node IN (SELECT node FROM touched) "
                 "OR y.node IN (SELECT node FROM touched))")
    con.execute(
        f"""
        CREATE TEMP TABLE pairs AS
        SELECT least(x.node, y.node) AS a, greatest(x.node, y.node) AS b, x.rule
        FROM ok x JOIN ok y ON x.rule = y.rule AND x.key = y.key AND x.node <> y.node
             AND (x.side = 1 AND y.side = 0 OR x.side = 0 AND y.side = 0 AND x.node < y.node)
        WHERE true {touch}
        """
    )
    per_rule = dict(con.execute(
        "SELECT rule, count(*) FROM (SELECT DISTINCT a, b, rule FROM pairs) GROUP BY rule"
    ).fetchall())
    result = con.execute("SELECT DISTINCT a, b FROM pairs ORDER BY a, b").fetchnumpy()
    con.close()
    return Candidates(
        a=np.asarray(result["a"], dtype=np.int64), b=np.asarray(result["b"], dtype=np.int64),
        pairs_per_rule=per_rule, oversized_blocks=oversized, largest_skipped=largest,
    )
