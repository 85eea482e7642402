"""Load records for matching, derive comparison-ready columns, and collapse exact repeats.

Why collapse: a support export repeats the customer on every ticket. Records whose identity
is identical after normalisation *and* carries a strong identifier are compared once; records
with nothing strong (a bare name and a city) are never collapsed, because namesakes exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from custfocus.normalise import canonical_given, fold, name_tokens
from custfocus.store import Store

RECORD_COLUMNS = """
    record_id, source, system, unit, row, record_hash, account_code,
    given_name, family_name, full_name, name_key, company,
    CASE WHEN email_valid AND NOT coalesce(email_placeholder, false) THEN email_key END AS email_key,
    coalesce(email_role, false) AS email_role,
    CASE WHEN phone_valid THEN phone_e164 END AS phone,
    CASE WHEN phone2_valid THEN phone2_e164 END AS phone2,
    national_id, coalesce(national_id_valid, false) AS national_id_valid,
    address_key, postal_code, city, birth_date
"""


@dataclass
class Nodes:
    """One row per distinct identity (collapsed records), with derived match columns.

    ``frame`` is a pandas DataFrame indexed 0..n-1 (the node index); ``record_node`` maps
    every record id to its node index.
    """

    frame: Any
    record_node: Any  # pandas Series: record_id -> node index
    records: int

    def __len__(self) -> int:
        return len(self.frame)


def load_records(store: Store) -> Any:
    return store.execute(f"SELECT {RECORD_COLUMNS} FROM records ORDER BY record_id").df()


def prepare_nodes(records: Any) -> Nodes:
    """Collapse repeats and derive the columns blocking and comparison need."""
    import pandas as pd

    df = records.copy()
    for column in df.columns:
        if df[column].dtype.kind not in "biufM":
            df[column] = df[column].astype(object).where(df[column].notna(), None)
    strong = (
        df["email_key"].notna() | df["phone"].notna() | df["phone2"].notna()
        | (df["national_id"].notna() & df["national_id_valid"])
    )
    # Account codes are only unique inside their system, so they join the collapse key.
    df["node_key"] = np.where(
        strong,
        df["record_hash"].astype(str) + "|" + df["system"].where(df["account_code"].notna(), ""),
        "r" + df["record_id"].astype(str),
    )
    df["node"] = pd.factorize(df["node_key"])[0]
    record_node = pd.Series(df["node"].to_numpy(), index=df["record_id"].to_numpy())
    nodes = df.drop_duplicates("node").set_index("node").sort_index()
    nodes["size"] = df.groupby("node").size()
    nodes = nodes.reset_index(drop=True)
    _derive(nodes)
    return Nodes(frame=nodes, record_node=record_node, records=len(df))


def _cached(values: Any, fn: Any) -> list[Any]:
    memo: dict[Any, Any] = {}
    out = []
    for v in values:
        if v is None or v != v:  # None or NaN
            out.append(None)
            continue
        if v not in memo:
            memo[v] = fn(v)
        out.append(memo[v])
    return out


def _given_canon(given: str) -> str | None:
    """Given name(s) with nicknames resolved: "Pepe" -> "jose", "Mª Carmen" -> "maria carmen"."""
    tokens = name_tokens(given)
    if not tokens:
        return None
    return " ".join(canonical_given(t) for t in tokens)


def _family_tokens(family: str) -> str | None:
    tokens = name_tokens(family)
    return " ".join(tokens) if tokens else None


def _derive(nodes: Any) -> None:
    import jellyfish

    nodes["given_fold"] = _cached(nodes["given_name"], lambda v: fold(v) or None)
    nodes["given_canon"] = _cached(nodes["given_name"], _given_canon)
    nodes["given_first"] = _cached(nodes["given_canon"], lambda v: v.split(" ")[0])
    nodes["family_fold"] = _cached(nodes["family_name"], _family_tokens)
    nodes["family1"] = _cached(nodes["family_fold"], lambda v: v.split(" ")[0])
    nodes["family1_sound"] = _cached(nodes["family1"], lambda v: jellyfish.metaphone(v) or v)
    nodes["name_fold"] = _cached(nodes["full_name"], lambda v: " ".join(name_tokens(v)) or None)
    nodes["company_fold"] = _cached(nodes["company"], lambda v: fold(v) or None)
    nodes["email_local"] = _cached(nodes["email_key"], lambda v: v.split("@")[0])
    nodes["phone_tail"] = _cached(nodes["phone"], lambda v: v[-8:])
    nodes["nid"] = nodes["national_id"].where(nodes["national_id_valid"])
    nodes["nid_any"] = nodes["national_id"]
    nodes["birth"] = [None if v is None or v != v else str(v)[:10] for v in nodes["birth_date"]]
    for column in nodes.columns:
        if nodes[column].dtype.kind not in "biuf":
            # One missing-value convention (None) for the vectorised comparisons.
            nodes[column] = nodes[column].astype(object).where(nodes[column].notna(), None)
