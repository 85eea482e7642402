"""The JSON API: the same answers as ``custfocus customer --json``, a live match, and the
review queue. Each handler makes one library call, in the thread pool (DuckDB blocks),
between opening the store and answering."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from custfocus.errors import CustfocusError, UsageError
from custfocus.touchpoint import MATCH_FIELDS
from custfocus.web.app import error, json_body, open_store, settings_of

MAX_QUERY_CHARS = 256
REVIEW_LIMIT = 50  # pairs per GET /api/review


async def search(request: Request) -> Response:
    """``GET /api/customers?q=...``: the customers a query finds, best first."""
    from starlette.concurrency import run_in_threadpool

    from custfocus.lookup import candidates, closest, matching_has_run, source_records

    query = request.query_params.get("q", "").strip()
    if not query:
        return error(422, "the query is empty", "q")
    if len(query) > MAX_QUERY_CHARS:
        return error(422, f"the query is longer than {MAX_QUERY_CHARS} characters", "q")

    def find() -> dict[str, Any]:
        with open_store(request) as store:
            if not matching_has_run(store):  # no customers yet: the records it finds
                return {"query_found": [], "matched": False, "deduplicated": False,
                        "records_found": source_records(store, query),
                        "error": "matching has not run yet: run custfocus dedupe"}
            found = candidates(store, query)
            near = [] if found else closest(store, query)
            return {"query_found": found, "matched": bool(found), "deduplicated": True,
                    **({"closest": near} if near else {})}

    return JSONResponse(await run_in_threadpool(find))


async def card(request: Request) -> Response:
    """``GET /api/customers/{id}``: the customer's card; 404 for an unknown id."""
    from starlette.concurrency import run_in_threadpool

    from custfocus.lookup import customer_card

    customer_id = request.path_params["customer_id"].upper()

    def load() -> dict[str, Any]:
        with open_store(request) as store:
            return customer_card(store, customer_id)

    try:
        return JSONResponse(await run_in_threadpool(load))
    except UsageError:
        return error(404, "no such customer")


async def match(request: Request) -> Response:
    """``POST /api/match``: the best customers for a record, with probability and evidence.
    Nothing is written. 422 names the field that is wrong."""
    from starlette.concurrency import run_in_threadpool

    from custfocus.touchpoint import UnknownField, match_record

    try:
        record = await json_body(request)
    except UsageError as exc:
        return error(422, str(exc))
    limit = request.query_params.get("limit", "5")
    if not limit.isdigit() or not 1 <= int(limit) <= 50:
        return error(422, "limit must be a whole number from 1 to 50", "limit")

    def score() -> list[dict[str, Any]]:
        with open_store(request) as store:
            return match_record(store, record, int(limit), settings_of(request).lang)

    try:
        best = await run_in_threadpool(score)
    except UnknownField as exc:
        return error(422, exc.message, exc.field or None)
    except CustfocusError as exc:  # not deduplicated yet
        return error(409, exc.message)
    return JSONResponse({"matches": best})


async def review_queue(request: Request) -> Response:
    """``GET /api/review``: the borderline pairs nobody has decided yet."""
    from starlette.concurrency import run_in_threadpool

    from custfocus.dedupe.review import pending_review

    settings = settings_of(request)

    def load() -> list[dict[str, Any]]:
        with open_store(request) as store:
            return pending_review(store, settings.lang, REVIEW_LIMIT + len(settings.decided))

    pairs = settings.undecided(await run_in_threadpool(load))[:REVIEW_LIMIT]
    return JSONResponse({"pairs": pairs})


async def decide(request: Request) -> Response:
    """``POST /api/review``: ``{"source_a", "row_a", "source_b", "row_b", "decision"}``
    (same / different) stored as a must-link / cannot-link constraint."""
    from starlette.concurrency import run_in_threadpool

    try:
        body = await json_body(request)
        row = decision_row(body)
    except UsageError as exc:
        return error(422, exc.message, getattr(exc, "column", None))

    def write() -> None:
        store_decision(request, row)

    try:
        await run_in_threadpool(write)
    except UsageError as exc:
        return error(422, exc.message, exc.column)
    return JSONResponse({"stored": row[4]})


def decision_row(body: Any) -> list[Any]:
    """A decision as the constraint row it becomes; a :class:`UsageError` naming the field
    (in ``column``) otherwise."""
    if not isinstance(body, dict):
        raise UsageError("the body must be a JSON object")
    decision = str(body.get("decision", "")).strip().lower()
    if decision not in ("same", "different"):
        raise UsageError("decision must be same or different", column="decision")
    row: list[Any] = []
    for side in ("a", "b"):
        source = body.get(f"source_{side}")
        if not isinstance(source, str) or not source:
            raise UsageError(f"source_{side} must be a source name", column=f"source_{side}")
        try:
            number = int(body.get(f"row_{side}"))
        except (TypeError, ValueError):
            raise UsageError(f"row_{side} must be a row number", column=f"row_{side}") from None
        row += [source, number]
    if row[0:2] == row[2:4]:
        raise UsageError("a pair is two different rows; this pairs a row with itself",
                         column="row_b")
    return [*row, decision]


def store_decision(request: Request, row: list[Any]) -> None:
    """Write one decision after checking both rows are imported."""
    from custfocus.dedupe.review import store_decisions
    from custfocus.served import forget_published_state

    with open_store(request, write=True) as store:
        for side, (source, number) in (("a", row[0:2]), ("b", row[2:4])):
            if not store.query_value("SELECT count(*) FROM records WHERE source = ? AND row = ?",
                                     [source, number]):
                raise UsageError("no imported record at that source and row",
                                 column=f"row_{side}")
        with store.transaction():
            store_decisions(store, [row], "browser")
            forget_published_state(store)  # the next server start republishes
    settings_of(request).decided.add((row[0], row[1], row[2], row[3]))


async def openapi(request: Request) -> Response:
    """``GET /openapi.json``: a short OpenAPI 3.1 description of the JSON API."""
    return JSONResponse(OPENAPI)


_ERROR = {"description": "error", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"error": {"type": "string"},
                                     "field": {"type": "string"}}}}}}
OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "custfocus", "version": "1",
             "description": "Find a customer, see their card, match a record live, review."},
    "paths": {
        "/api/customers": {"get": {
            "summary": "Customers a query finds (id, e-mail, phone, tax id, code or name)",
            "parameters": [{"name": "q", "in": "query", "required": True,
                            "schema": {"type": "string", "maxLength": MAX_QUERY_CHARS}}],
            "responses": {"200": {"description": "candidates, best first"}, "422": _ERROR}}},
        "/api/customers/{customer_id}": {"get": {
            "summary": "One customer's card",
            "parameters": [{"name": "customer_id", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "the card"}, "404": _ERROR}}},
        "/api/match": {"post": {
            "summary": "The best customers for a record, scored by the fitted model",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": False,
                "properties": {name: {"type": "string"} for name in MATCH_FIELDS}}}}},
            "responses": {"200": {"description": "matches with probability and evidence"},
                          "409": _ERROR, "413": _ERROR, "422": _ERROR}}},
        "/api/review": {
            "get": {"summary": "Borderline pairs nobody has decided yet",
                    "responses": {"200": {"description": "pairs"}}},
            "post": {"summary": "Store a same / different decision",
                     "responses": {"200": {"description": "stored"}, "422": _ERROR}}},
    },
}
