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
    """A page in the server's language: words through :mod:`custfocus.lookup_texts`,
    numbers and dates through :mod:`custfocus.i18n`."""
    lang = settings_of(request).lang
    page = templates().get_template(template).render(lang=lang, **words(lang), **values)
    return html(page, status)


def words(lang: str) -> dict[str, Any]:
    """What the templates call to say something in ``lang``."""
    from custfocus import i18n, lookup_texts
    from custfocus.segment._texts import action_text, segment_name

    return {
        "t": lambda key, **values: lookup_texts.text(key, lang, **values),
        "field": lambda name: lookup_texts.field_label(name, lang),
        "kind": lambda name: lookup_texts.kind_label(name, lang),
        "when": lambda value: lookup_texts.when(value, lang),
        "money": lambda value: i18n.fmt_float(value, lang, 2),
        "share": lambda value: i18n.fmt_pct(value, lang, 0),
        "counted": lambda number, noun: i18n.count(number, noun, lang),
        "segment_name": lambda key: segment_name(key, lang),
        "action": lambda key: action_text(key, lang),
    }


async def index(request: Request) -> Response:
    """``/``: the search box, and what a query finds (one exact hit opens the card)."""
    from custfocus.lookup import candidates, closest, exact_hit, matching_has_run, source_records

    query = request.query_params.get("q", "").strip()[:256]
    found: list[dict[str, Any]] = []
    near: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    matched = True
    if query:
        def find() -> tuple[list[dict[str, Any]], bool, list[dict[str, Any]],
                            list[dict[str, Any]]]:
            with open_store(request) as store:
                if not matching_has_run(store):  # no customers yet: the records found
                    return [], False, [], source_records(store, query)
                found = candidates(store, query)
                return found, True, [] if found else closest(store, query), []

        found, matched, near, records = await run_in_threadpool(find)
        hit = exact_hit(found)
        if hit is not None:
            return redirect(f"/customers/{hit}")
    return render(request, "index.html", query=query, found=found, matched=matched,
                  closest=near, records=records)


async def card(request: Request) -> Response:
    """``/customers/{id}``: warnings first, the golden record with sources, the records and
    the timeline."""
    from custfocus.lookup import customer_card
    from custfocus.lookup_texts import warning_text

    customer_id = request.path_params["customer_id"].upper()

    def load() -> dict[str, Any]:
        with open_store(request) as store:
            return customer_card(store, customer_id)

    try:
        found = await run_in_threadpool(load)
    except UsageError:
        return render(request, "index.html", status=404, query="", found=[], missing=True,
                      matched=True)
    golden = found["golden"]
    name = golden["full_name"]["value"] or golden["company"]["value"] or found["customer_id"]
    return render(request, "card.html", card=found, name=name,
                  warnings=[warning_text(w, settings_of(request).lang)
                            for w in found["warnings"]])


async def review(request: Request) -> Response:
    """``/review``: the borderline pairs side by side, with same / different / skip."""
    from custfocus.dedupe.review import pending_review

    offset = request.query_params.get("offset", "0")
    start = int(offset) if offset.isdigit() else 0

    settings = settings_of(request)

    def load() -> list[dict[str, Any]]:
        with open_store(request) as store:
            return pending_review(store, settings.lang,
                                  start + REVIEW_PAGE + len(settings.decided))

    pairs = settings.undecided(await run_in_threadpool(load))[start:start + REVIEW_PAGE]
    return render(request, "review.html", pairs=pairs, offset=start,
                  csrf=settings_of(request).csrf, stored=request.query_params.get("stored"))


async def decide(request: Request) -> Response:
    """``POST /review``: store a decision (CSRF-checked) and show the next pair."""
    from custfocus.lookup_texts import text
    from custfocus.web.api import decision_row, store_decision

    lang = settings_of(request).lang
    fields = await form_fields(request)
    if not check_csrf(request, fields.get("csrf")):
        return html(f"<p>{_escape(text('form_expired', lang))}</p>", 403)
    offset = int(fields["offset"]) if fields.get("offset", "").isdigit() else 0
    if fields.get("decision") == "skip":
        return redirect(f"/review?offset={offset + 1}")
    try:
        row = decision_row(fields)
        await run_in_threadpool(store_decision, request, row)
    except UsageError as exc:
        return html(f"<p>{_escape(text('not_stored', lang, reason=exc.message))}</p>", 422)
    return redirect(f"/review?offset={offset}&stored={row[4]}")


def _escape(text: str) -> str:
    import html as html_module

    return html_module.escape(text)
