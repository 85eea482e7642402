"""Recognise a customer at a point of contact: find them by anything they give, and show
everything the company knows of them on one card.

One query (:func:`custfocus.privacy.find_customers`: a customer id, an e-mail, a phone, a
tax id or a customer code in any format, else a name, ranked) and one card
(:func:`customer_card`): the golden record with each field's source and alternates, every
source record (source, row, business unit, its dates), the timeline of orders, invoices and
tickets across all units (newest first), the segment and its recommended action when
segmentation has run, and the warnings first: open tickets, low satisfaction, conflicting
contact data, stale data, marketing opt-out.

Example:
    >>> card = customer_card(store, "C000123")  # doctest: +SKIP
    >>> card["warnings"]  # doctest: +SKIP
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from custfocus.errors import UsageError
from custfocus.lookup_texts import warning_text
from custfocus.masking import mask_name, mask_phone, mask_row
from custfocus.privacy import CustomerMatch, find_customers
from custfocus.store import Store

__all__ = ["CustomerMatch", "LookUp", "candidates", "check_query", "closest", "customer_card",
           "exact_hit", "find_customers", "look_up", "mask_card", "mask_phone",
           "matching_has_run", "source_records", "warning_text"]

GOLDEN_FIELDS = ("given_name", "family_name", "full_name", "company", "email", "phone",
                 "phone2", "national_id", "street", "house_number", "postal_code", "city",
                 "region", "country", "birth_date", "account_code", "opt_in")
# Ticket statuses that mean "not solved yet", in the three languages.
OPEN_STATUSES = frozenset({"open", "opened", "abierto", "abierta", "aberto", "aberta",
                           "pending", "pendiente", "pendente", "new", "nuevo", "novo",
                           "in progress", "en curso", "em andamento", "escalated", "escalado"})
TIMELINE_LIMIT = 100
STALE_DAYS = 730  # no record updated and no fact in two years: the data may be out of date


@dataclass
class LookUp:
    """What one query finds: the candidates (best first), the card when an identifier names
    one customer outright, and for a name that finds no one the closest names."""

    found: list[dict[str, Any]]
    card: dict[str, Any] | None = None
    closest: list[dict[str, Any]] = field(default_factory=list)
    # A store that matching has not run on has no customers: the source records the query
    # finds instead (matched False).
    matched: bool = True
    records: list[dict[str, Any]] = field(default_factory=list)


def check_query(query: str) -> None:
    """A :class:`UsageError` for an empty query (before any store is opened)."""
    if not query.strip():
        raise UsageError("the query is empty: give a customer id, e-mail, phone, tax id, "
                         "customer code or name")


def look_up(store: Store, query: str, *, mask: bool = False, lang: str = "en") -> LookUp:
    """Find, then open the card of an exact hit: what ``custfocus customer`` shows. On a
    store that matching has not run on, the source records the query finds.

    Raises:
        UsageError: an empty query.
    """
    check_query(query)
    if not matching_has_run(store):
        return LookUp([], matched=False, records=source_records(store, query, mask=mask))
    found = candidates(store, query, mask=mask)
    hit = exact_hit(found)
    card = customer_card(store, hit) if hit is not None else None
    return LookUp(found, mask_card(card) if card is not None and mask else card,
                  [] if found or mask else closest(store, query))


def candidates(store: Store, query: str, limit: int = 10, *, mask: bool = False
               ) -> list[dict[str, Any]]:
    """The customers ``query`` finds, each with one detail to tell them apart (town and a
    masked phone), best first; ``mask``: names as initials too."""
    from custfocus.privacy import DETAIL_COLUMNS

    found = find_customers(store, query, limit)
    details = {m.customer_id: m.details for m in found if m.details is not None}
    ids = [m.customer_id for m in found if m.details is None]  # a name's: not read yet
    details |= {r[0]: r[1:] for r in store.execute(  # one placeholder each: the index serves it
        f"SELECT customer_id, {', '.join(DETAIL_COLUMNS)} FROM customers "
        f"WHERE customer_id IN ({', '.join('?' * len(ids))})", ids).fetchall()} if ids else {}
    out = []
    for m in found:
        name, company, city, phone, records = details.get(m.customer_id,
                                                          (m.name, None, None, None, 0))
        out.append({"customer_id": m.customer_id, "by": m.by, "score": round(m.score, 3),
                    "name": (mask_name(name) if mask else name) or company, "city": city, "phone": mask_phone(phone),
                    "records": records})
    return out


def source_records(store: Store, query: str, limit: int = 20, *, mask: bool = False
                   ) -> list[dict[str, Any]]:
    """The source records ``query`` finds (:func:`custfocus.privacy.find_records`), each with
    its source, row, unit, name, town and masked phone: what a store not yet deduplicated
    can say."""
    from custfocus.privacy import find_records

    return [{"source": r.source, "row": r.row, "unit": r.unit, "by": r.by,
             "score": round(r.score, 3), "name": mask_name(r.name) if mask else r.name,
             "city": r.city, "phone": mask_phone(r.phone)}
            for r in find_records(store, query, limit)]


def closest(store: Store, query: str, limit: int = 3) -> list[dict[str, Any]]:
    """For a name that found no one: the customers whose names come closest, to suggest.
    Nothing for an e-mail, a phone or another identifier (a near miss names someone else)."""
    import re

    from custfocus.privacy import closest_customers

    if "@" in query or len(re.sub(r"\D", "", query)) >= 5:
        return []
    return [{"customer_id": m.customer_id, "name": m.name, "score": round(m.score, 3)}
            for m in closest_customers(store, query, limit)]


def matching_has_run(store: Store) -> bool:
    """Whether records have been matched into customers (``custfocus dedupe``): before
    that, a query can find no customer at all."""
    from custfocus.served import served_memo

    memo = served_memo(store)  # a served copy never changes: asked once per copy
    if memo is not None and "matched" in memo:
        return memo["matched"]
    matched = bool(store.query_value(
        "SELECT count(*) FROM (SELECT 1 FROM record_customer LIMIT 1)"))
    if memo is not None:
        memo["matched"] = matched
    return matched


def exact_hit(found: list[dict[str, Any]]) -> str | None:
    """The customer an identifier names outright (one exact hit by id, e-mail, phone, tax
    id or code), else None: a name, even spelt exactly, only proposes candidates, since
    two people can share it."""
    exact = [c for c in found if c["score"] == 1.0 and c["by"] != "name"]
    return exact[0]["customer_id"] if len(exact) == 1 else None


def customer_card(store: Store, customer_id: str) -> dict[str, Any]:
    """Everything the store knows of one customer (see the module)."""
    # "IN (?)", not "= ?": the served copy's indexes serve the one, not the other.
    cols = ", ".join(GOLDEN_FIELDS)
    rows = store.execute(f"SELECT {cols}, records, sources, units, first_seen, last_seen, "
                         "provenance, alternates FROM customers WHERE customer_id IN (?)",
                         [customer_id]).fetchall()
    if not rows:
        raise UsageError(f"no customer {customer_id}; find one with custfocus customer QUERY")
    row = rows[0]
    provenance = json.loads(row[-2] or "{}")
    alternates = json.loads(row[-1] or "{}")
    golden = {}
    for name, value in zip(GOLDEN_FIELDS, row):
        group = _GROUP.get(name, name)
        # A group's alternates (the other addresses, names) are shown once, on its first field.
        shown = name not in _GROUP or name in ("given_name", "street")
        golden[name] = {"value": _plain(value), "source": provenance.get(group),
                        "alternates": [a for a in alternates.get(group) or []
                                       if a is not None and a != value] if shown else []}
    # The record ids first, then each table by them: a join would scan every record.
    ids = [r[0] for r in store.execute(
        "SELECT record_id FROM record_customer WHERE customer_id IN (?)", [customer_id]
    ).fetchall()] or [-1]
    marks = ", ".join("?" * len(ids))
    records = store.query_dicts(
        "SELECT record_id, source, row, unit, full_name, given_name, family_name, company, "
        "email, phone, city, created_date, updated_date, last_contact_date FROM records "
        f"WHERE record_id IN ({marks}) ORDER BY source, row", ids)
    timeline = store.query_dicts(
        "SELECT fact_date AS date, kind, unit, source, row, document_id, amount, currency, "
        f"status, category, satisfaction, product_line, channel FROM facts WHERE record_id IN "
        f"({marks}) ORDER BY fact_date DESC NULLS LAST, fact_id DESC LIMIT ?",
        [*ids, TIMELINE_LIMIT])
    segment = None
    if store.table_exists("customer_segments"):
        seg = store.query_dicts(
            "SELECT as_of, segment, action, value_tier, need_tier, rfm_segment, clv, currency "
            "FROM customer_segments WHERE customer_id IN (?) AND run_id = "
            "(SELECT max(run_id) FROM customer_segments)", [customer_id])
        segment = seg[0] if seg else None
    card = {
        "customer_id": customer_id,
        "records": row[len(GOLDEN_FIELDS)], "sources": _plain(row[len(GOLDEN_FIELDS) + 1]),
        "units": _plain(row[len(GOLDEN_FIELDS) + 2]),
        "first_seen": _plain(row[len(GOLDEN_FIELDS) + 3]),
        "last_seen": _plain(row[len(GOLDEN_FIELDS) + 4]),
        "golden": golden,
        "source_records": [{k: _plain(v) for k, v in r.items()} for r in records],
        "timeline": [{k: _plain(v) for k, v in f.items()} for f in timeline],
        "segment": {k: _plain(v) for k, v in segment.items()} if segment else None,
    }
    card["warnings"] = _warnings(store, card)
    return card


def mask_card(card: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``card`` with its personal values masked (:mod:`custfocus.masking`): the
    golden record's values and alternates, and every source record."""
    from custfocus.masking import COLUMN_KINDS, mask_value

    out = dict(card)
    out["golden"] = {}
    for name, entry in card["golden"].items():
        kind = COLUMN_KINDS.get(name)
        out["golden"][name] = {**entry, **({
            "value": mask_value(kind, entry["value"]),
            "alternates": [mask_value(kind, a) for a in entry["alternates"]],
        } if kind else {})}
    out["source_records"] = [mask_row(r) for r in card["source_records"]]
    return out


# Golden fields whose provenance and alternates are kept under another name.
_GROUP = {"given_name": "name", "family_name": "name", "full_name": "name",
          "street": "address", "house_number": "address", "postal_code": "address",
          "city": "address", "region": "address"}


def _warnings(store: Store, card: dict[str, Any]) -> list[dict[str, Any]]:
    """What anyone in contact with the customer should know first."""
    out: list[dict[str, Any]] = []
    timeline = card["timeline"]
    open_tickets = [f for f in timeline if f["kind"] == "ticket"
                    and str(f.get("status") or "").strip().lower() in OPEN_STATUSES]
    if open_tickets:
        out.append({"kind": "open_tickets", "count": len(open_tickets),
                    "latest": open_tickets[0]["date"], "unit": open_tickets[0]["unit"]})
    rated = [f for f in timeline if f.get("satisfaction") is not None]
    if rated and rated[0]["satisfaction"] <= _low_satisfaction(rated[0]["satisfaction"]):
        out.append({"kind": "low_satisfaction", "score": rated[0]["satisfaction"],
                    "date": rated[0]["date"], "unit": rated[0]["unit"]})
    golden = card["golden"]
    conflicting = [name for name in ("email", "phone", "national_id", "street")
                   if golden[name]["alternates"]]
    if conflicting:
        out.append({"kind": "conflicting_data", "fields": conflicting})
    if golden["opt_in"]["value"] is False:
        out.append({"kind": "marketing_opt_out"})
    latest = store.query_value("SELECT max(fact_date) FROM facts")
    seen = [d for d in [card.get("last_seen"), *(f["date"] for f in timeline[:1])] if d]
    if latest and seen:
        last = max(date.fromisoformat(str(d)[:10]) for d in seen)
        if isinstance(latest, date) and latest - last > timedelta(days=STALE_DAYS):
            out.append({"kind": "stale", "last_seen": last.isoformat()})
    return out


def _low_satisfaction(score: float) -> float:
    """The highest score that counts as low on the scale the score seems to be on (1-5,
    0-10 or 0-100)."""
    return 2 if score <= 5 else (4 if score <= 10 else 40)


def _plain(value: Any) -> Any:
    """A value JSON can hold (dates as ISO text)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value
