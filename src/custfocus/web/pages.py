"""The HTML pages: a search box, a customer's card and the review queue.

Templates are Jinja2 with autoescaping on, so a name such as ``<script>`` is shown, never
run. Forms that write (review decisions) carry the app's CSRF token.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from custfocus.errors import UsageError
from custfocus.web.app import check_csrf, form_fields, html, open_store, redirect, settings_of

REVIEW_PAGE = 20


@lru_cache(maxsize=1)
def templates() -> Any:
    """The page templates, escaping every value."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(loader=PackageLoader("custfocus.web", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True))


def render(request: Request, template: str, status: int = 200, **values: Any) -> Response:
    page = templates().get_template(template).render(lang=settings_of(request).lang, **values)
    return html(page, status)


async def index(request: Request) -> Response:
    """``/``: the search box, and what a query finds (one exact hit opens the card)."""
    from custfocus.lookup import candidates, exact_hit

    query = request.query_params.get("q", "").strip()[:256]
    found: list[dict[str, Any]] = []
    if query:
        def find() -> list[dict[str, Any]]:
            with open_store(request) as store:
                return candidates(store, query)

        found = await run_in_threadpool(find)
        hit = exact_hit(found)
        if hit is not None:
            return redirect(f"/customers/{hit}")
    return render(request, "index.html", query=query, found=found)


async def card(request: Request) -> Response:
    """``/customers/{id}``: warnings first, the golden record with sources, the records and
    the timeline."""
    from custfocus.lookup import customer_card, warning_text

    customer_id = request.path_params["customer_id"].upper()

    def load() -> dict[str, Any]:
        with open_store(request) as store:
            return customer_card(store, customer_id)

    try:
        found = await run_in_threadpool(load)
    except UsageError:
        return render(request, "index.html", status=404, query="", found=[])
    golden = found["golden"]
    name = golden["full_name"]["value"] or golden["company"]["value"] or found["customer_id"]
    return render(request, "card.html", card=found, name=name,
                  warnings=[warning_text(w) for w in found["warnings"]])


async def review(request: Request) -> Response:
    """``/review``: the borderline pairs side by side, with same / different / skip."""
    from custfocus.dedupe.review import pending_review

    offset = request.query_params.get("offset", "0")
    start = int(offset) if offset.isdigit() else 0

    def load() -> list[dict[str, Any]]:
        with open_store(request) as store:
            return pending_review(store, settings_of(request).lang, start + REVIEW_PAGE)

    pairs = (await run_in_threadpool(load))[start:]
    return render(request, "review.html", pairs=pairs, offset=start,
                  csrf=settings_of(request).csrf, stored=request.query_params.get("stored"))


async def decide(request: Request) -> Response:
    """``POST /review``: store a decision (CSRF-checked) and show the next pair."""
    from custfocus.web.api import decision_row, store_decision

    fields = await form_fields(request)
    if not check_csrf(request, fields.get("csrf")):
        return html("<p>This form has expired; reload the review page.</p>", 403)
    offset = int(fields["offset"]) if fields.get("offset", "").isdigit() else 0
    if fields.get("decision") == "skip":
        return redirect(f"/review?offset={offset + 1}")
    try:
        row = decision_row(fields)
        await run_in_threadpool(store_decision, request, row)
    except UsageError as exc:
        return html(f"<p>Not stored: {_escape(exc.message)}</p>", 422)
    return redirect(f"/review?offset={offset}&stored={row[4]}")


def _escape(text: str) -> str:
    import html as html_module

    return html_module.escape(text)
