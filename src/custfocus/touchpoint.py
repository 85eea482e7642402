"""Match one record, live: a record as a touchpoint holds it (a call-centre screen, a web
form) scored against the master with the fitted model, as Splink's ``compare_two_records``
or dedupe's Gazetteer do. Nothing is written.

The record goes through the same steps as every imported row and every pair a run scores:
normalised by the importer's own converter (:class:`custfocus.ingest.rows.RowConverter`),
made a node with the derived match columns (:func:`custfocus.dedupe.prepare.prepare_nodes`),
compared (:func:`custfocus.dedupe.compare.compare_pairs`) and scored by the model the last
run kept (:class:`custfocus.dedupe.score.PairScorer`). Which customers it is compared with:
those the finder (:func:`custfocus.privacy.find_customers`) returns for any of its
identifiers or its name, so a record shares a blocking-like key with each one compared.

Example:
    >>> best = match_record(store, {"name": "Jose Garcia", "phone": "612 345 678"})  # doctest: +SKIP
    >>> best[0]["customer_id"], best[0]["probability"]  # doctest: +SKIP
"""

from __future__ import annotations

import json
from typing import Any

from custfocus.errors import UsageError
from custfocus.privacy import find_customers
from custfocus.store import Store

__all__ = ["MATCH_FIELDS", "UnknownField", "match_record"]

# Field a touchpoint sends -> the role an import gives a column of that name.
MATCH_FIELDS = {"name": "full_name", "given_name": "given_name", "family_name": "family_name",
                "company": "company", "email": "email", "phone": "phone",
                "tax_id": "national_id", "account_code": "account_code",
                "street": "street", "postcode": "postal_code", "city": "city",
                "country": "country", "birth_date": "birth_date"}
# The fields the finder can look a customer up by, strongest first.
_FINDER_FIELDS = ("email", "phone", "tax_id", "account_code", "name", "company")
CANDIDATES_PER_FIELD = 10
MAX_FIELD_CHARS = 512


class UnknownField(UsageError):
    """A record names a field a touchpoint record cannot hold, or holds a non-text value."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def match_record(store: Store, record: dict[str, Any], limit: int = 5,
                 lang: str = "en") -> list[dict[str, Any]]:
    """The customers ``record`` most probably is, best first: each with the probability the
    fitted model gives and the evidence per field in words (with its bits).

    Raises:
        UnknownField: a field not in :data:`MATCH_FIELDS`, or a value that is not text.
        UsageError: the store has not been deduplicated (no fitted model).
    """
    values = _checked(record)
    trained = _last_model(store)
    customers = _candidate_customers(store, values)
    if not customers:
        return []
    return _score(store, trained, values, customers, limit, lang)


def _checked(record: dict[str, Any]) -> dict[str, str]:
    if not isinstance(record, dict):
        raise UnknownField("", "the record must be a JSON object of field: text")
    values = {}
    for name, value in record.items():
        if name not in MATCH_FIELDS:
            raise UnknownField(name, f"unknown field {name!r}; known: "
                               + ", ".join(MATCH_FIELDS))
        if value is None:
            continue
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise UnknownField(name, f"field {name!r} must be text")
        text = str(value).strip()
        if len(text) > MAX_FIELD_CHARS:
            raise UnknownField(name, f"field {name!r} is longer than {MAX_FIELD_CHARS} characters")
        if text:
            values[name] = text
    if not values:
        raise UnknownField("", "the record holds no value")
    return values


def _last_model(store: Store) -> Any:
    """The model the last run fitted and kept: the one the master was built with."""
    import dataclasses

    from custfocus.dedupe.fitted import kept_model
    from custfocus.served import served_memo

    memo = served_memo(store)  # a served copy's model never changes: read once per copy
    if memo is not None and memo.get("trained") is not None:
        return dataclasses.replace(memo["trained"], store=store)  # this request's connection
    row = store.query_value(
        "SELECT stats FROM dedupe_runs WHERE stats IS NOT NULL ORDER BY run_id DESC LIMIT 1")
    state = json.loads(row).get("state") if row else None
    trained = kept_model(store, state["signature"]) if state and "signature" in state else None
    if trained is None:
        raise UsageError("matching has not run on this store (no fitted model); "
                         "run custfocus dedupe first")
    if memo is not None:
        memo["trained"] = trained
    return trained


def _candidate_customers(store: Store, values: dict[str, str]) -> list[str]:
    """Customers the finder returns for any identifier or the name of the record."""
    found: dict[str, None] = {}
    for name in _FINDER_FIELDS:
        if name in values:
            for m in find_customers(store, values[name], CANDIDATES_PER_FIELD,
                                     details=False):
                found.setdefault(m.customer_id, None)
    if "given_name" in values or "family_name" in values:
        both = " ".join(values[k] for k in ("given_name", "family_name") if k in values)
        for m in find_customers(store, both, CANDIDATES_PER_FIELD, details=False):
            found.setdefault(m.customer_id, None)
    return list(found)


def _normalised(values: dict[str, str]) -> Any:
    """The record as the importer would store it: one row of :data:`RECORD_FIELDS`."""
    from pathlib import Path

    from custfocus.ingest.plan import plan_table
    from custfocus.ingest.readers.table import RawTable
    from custfocus.ingest.rows import RowConverter

    headers = list(values)
    cells = [values[h] for h in headers]
    table = RawTable(file=Path("touchpoint"), sheet=None, label="touchpoint", headers=headers,
                     header_row=1, row_estimate=1, _row_factory=lambda: iter([(2, cells)]))
    plan = plan_table(table, overrides={h: MATCH_FIELDS[h] for h in headers})
    plan.has_identity = True  # a lone city or postcode is still what the caller knows
    batch = RowConverter(plan).convert([(2, cells)])
    if batch.records is None:
        raise UnknownField("", "the record holds nothing a customer can be matched on")
    return batch.records


def _score(store: Store, trained: Any, values: dict[str, str], customers: list[str],
           limit: int, lang: str) -> list[dict[str, Any]]:
    import numpy as np

    from custfocus.dedupe.compare import compare_pairs
    from custfocus.dedupe.explain import describe, evidence_of
    from custfocus.dedupe.prepare import RECORD_COLUMNS, UNCOMPARED_COLUMNS, prepare_source
    from custfocus.dedupe.score import PairScorer, counted_nodes
    from custfocus.served import MATCH_RECORDS_TABLE, has_read_tables

    touchpoint = _normalised(values)
    # The record as matching reads records (record_id -1), beside the customers' records:
    # in the statement that reads theirs (DuckDB reads the Arrow table by its name here).
    _cf_touchpoint = touchpoint  # noqa: F841
    mine = f"""SELECT {RECORD_COLUMNS} FROM (
        SELECT * REPLACE ('touchpoint' AS record_hash), -1::BIGINT AS record_id,
               'touchpoint' AS source, 'touchpoint' AS system, NULL::VARCHAR AS unit
        FROM _cf_touchpoint)"""
    if has_read_tables(store):  # the served copy keeps them by customer: one lookup
        rows = store.con.sql(
            f"SELECT * EXCLUDE ({', '.join(UNCOMPARED_COLUMNS)}) FROM {MATCH_RECORDS_TABLE} "
            f"WHERE customer_id IN ({_marks(customers)}) "
            f"UNION ALL BY NAME {mine}", params=customers).to_arrow_table()
        owner = {r: c for r, c in zip(rows.column("record_id").to_pylist(),
                                      rows.column("customer_id").to_pylist()) if r != -1}
        rows = rows.drop_columns(["customer_id"])
    else:
        # The record ids first, then the records by id: a join would scan every record.
        owner = dict(store.execute(
            "SELECT record_id, customer_id FROM record_customer WHERE customer_id IN "
            f"({_marks(customers)})", customers).fetchall())
        rows = store.con.sql(f"SELECT {RECORD_COLUMNS} FROM records WHERE record_id IN "
                             f"({_marks(list(owner))}) UNION ALL BY NAME {mine}",
                             params=list(owner)).to_arrow_table() if owner else None
    if not owner:
        return []
    # One node each (nothing worth collapsing).
    nodes = prepare_source(None, rows, collapse=False)
    me = int(nodes.record_node.loc[-1])
    others = np.array(sorted(set(range(len(nodes))) - {me}), dtype=np.int64)
    a = np.full(len(others), me, dtype=np.int64)
    levels = compare_pairs(nodes.frame, a, others)
    counts = trained.value_counts(nodes.frame, counted_nodes(a, others, levels))
    scorer = PairScorer(trained.model, counts.frequencies(nodes.frame))
    scores = scorer.score(a, others, levels)
    # A node's customer: any record of it (records of one node are never split).
    node_customer = {int(n): owner[r] for r, n in nodes.record_node.items() if r != -1}
    best: dict[str, int] = {}
    for k, node in enumerate(others.tolist()):
        cid = node_customer[node]
        if cid not in best or scores.probability[k] > scores.probability[best[cid]]:
            best[cid] = k
    ranked = sorted(best.items(), key=lambda item: (-scores.probability[item[1]], item[0]))
    shown = [cid for cid, _ in ranked[:limit]]
    names = dict(store.execute(
        "SELECT customer_id, coalesce(full_name, company) FROM customers WHERE customer_id IN "
        f"({_marks(shown)})", shown).fetchall()) if shown else {}
    out = []
    for cid, k in ranked[:limit]:
        evidence = evidence_of([levels[c][k] for c in _comparison_names()], scores.bits[k],
                               float(levels["name_similarity"][k]))
        out.append({"customer_id": cid, "name": names.get(cid),
                    "probability": round(float(scores.probability[k]), 4),
                    "evidence": [{"reason": text, "bits": round(bits, 2)}
                                 for text, bits in describe(evidence, lang) if bits or text]})
    return out


def _marks(values: list[Any]) -> str:
    return ", ".join("?" * len(values))


def _comparison_names() -> list[str]:
    from custfocus.dedupe.compare import COMPARISONS

    return [c.name for c in COMPARISONS]
