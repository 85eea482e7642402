"""Cross-sell: the product lines that customers like each one buy and they do not.

"Customers like them" = customers who bought the same product line. For every pair of lines
(A, B), ``share(A -> B)`` is the share of A's buyers who also bought B. Each customer is offered
the lines they have not bought with the highest share from any line they did buy, when that
share is at least ``cross_sell_min_share`` and at least 3 customers back it.
"""

from __future__ import annotations

from typing import Any

from custfocus.segment.tiers import SegmentSettings
from custfocus.store import Store

MIN_SUPPORT = 3


def build_cross_sell(store: Store, settings: SegmentSettings) -> list[dict[str, Any]]:
    """``_seg_xsell(cid, cross_sell)``; returns the strongest line-to-line rules.

    A customer's suggestions depend only on the set of lines they bought, and there are few
    distinct sets (at most 2^lines, in practice hundreds), so rules and suggestions are worked
    out once per distinct set, weighted by its customers, and joined back to the customers:
    the same counts and shares as pairing every customer's lines, without the fan-out.
    """
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _seg_cset AS
        SELECT cid, list(DISTINCT pl ORDER BY pl) AS pls FROM _seg_lines WHERE pl IS NOT NULL
        GROUP BY cid""")
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _seg_sets AS
        SELECT row_number() OVER (ORDER BY pls) AS sid, pls, n
        FROM (SELECT pls, count(*) AS n FROM _seg_cset GROUP BY pls)""")
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _seg_cl AS
        SELECT sid, n, unnest(pls) AS pl FROM _seg_sets""")
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _seg_rules AS
        WITH line_n AS (SELECT pl, sum(n)::BIGINT AS n FROM _seg_cl GROUP BY pl),
        pairs AS (SELECT a.pl AS src, b.pl AS dst, sum(a.n)::BIGINT AS n
                  FROM _seg_cl a JOIN _seg_cl b ON a.sid = b.sid AND a.pl <> b.pl GROUP BY ALL)
        SELECT p.src, p.dst, p.n AS both_lines, l.n AS src_buyers, p.n / l.n AS share
        FROM pairs p JOIN line_n l ON l.pl = p.src
        WHERE p.n >= {MIN_SUPPORT} AND p.n / l.n >= {settings.cross_sell_min_share!r}""")
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _seg_xsell AS
        WITH cand AS (
            SELECT c.sid, r.dst, max(r.share) AS share
            FROM _seg_cl c JOIN _seg_rules r ON r.src = c.pl GROUP BY ALL),
        fresh AS (
            SELECT cand.* FROM cand ANTI JOIN _seg_cl o ON o.sid = cand.sid AND o.pl = cand.dst),
        ranked AS (
            SELECT *, row_number() OVER (PARTITION BY sid ORDER BY share DESC, dst) AS k
            FROM fresh),
        per_set AS (
            SELECT sid, string_agg(dst, ', ' ORDER BY share DESC, dst) AS cross_sell,
                   count(*) AS suggestions
            FROM ranked WHERE k <= {int(settings.cross_sell_max)} GROUP BY sid)
        SELECT c.cid, x.cross_sell, x.suggestions
        FROM _seg_cset c JOIN _seg_sets s ON s.pls = c.pls JOIN per_set x ON x.sid = s.sid""")
    rules = store.query_dicts("""
        SELECT src AS bought, dst AS also_buy, round(share, 3) AS share, both_lines AS customers,
               src_buyers - both_lines AS candidates
        FROM _seg_rules ORDER BY candidates * share DESC, src, dst LIMIT 10""")
    for table in ("_seg_cl", "_seg_rules", "_seg_sets", "_seg_cset"):
        store.execute(f"DROP TABLE {table}")
    return rules
