"""The ASGI app behind ``custfocus serve``: a thin layer over the library.

The server never holds the store open: it reads the served copy that every writer publishes
atomically after a committed change (:mod:`custfocus.served`), so the nightly run neither
waits for it nor is refused, and a request during a run is answered from the last committed
state. Only a review decision opens the store, for one transaction, and publishes anew.
Pages are Jinja2 templates with autoescaping: every customer value is escaped. The access
log says method, path and status, never a query string or a body (they hold names, e-mails
and phones).

Example:
    >>> app = create_app(Path("custfocus.duckdb"))  # doctest: +SKIP
    >>> uvicorn.run(app, host="127.0.0.1", port=8750, access_log=False)  # doctest: +SKIP
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from custfocus.errors import LockedError, StoreError, UsageError
from custfocus.store import Store

__all__ = ["MAX_BODY_BYTES", "WORKER_ENV", "ServeSettings", "app_from_environment", "create_app",
           "worker_environment"]

MAX_BODY_BYTES = 64 * 1024  # a touchpoint record or a review decision is far smaller
# A decision waits this long for a writer (the nightly run) to finish, then gets 503.
DECISION_LOCK_WAIT = 5.0
ACCESS_LOG = logging.getLogger("custfocus.access")


class ServeSettings:
    """What the app needs to know: the store, the language, the access token if any (a
    server bound beyond localhost requires one) and the CSRF token its forms carry."""

    def __init__(self, db: Path, lang: str = "en", token: str | None = None,
                 csrf: str | None = None):
        from custfocus.served import ServedCopy

        self.db = Path(db)
        self.lang = lang
        self.token = token
        # One secret for every worker process of one server: a form served by one is
        # posted to any.
        self.csrf = csrf or secrets.token_urlsafe(24)
        self.served = ServedCopy(db)
        self.writing = threading.Lock()  # one decision at a time opens the store
        self.lock_wait = DECISION_LOCK_WAIT
        # Pairs decided here since the served copy was published: the copy learns them at
        # the next publish (the next dedupe or run, which is when they take effect).
        self.decided: set[tuple[str, int, str, int]] = set()

    def undecided(self, pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``pairs`` less those decided through this server."""
        return [p for p in pairs if (p["source_a"], int(p["row_a"]), p["source_b"],
                                     int(p["row_b"])) not in self.decided]


def create_app(db: Path, lang: str = "en", token: str | None = None,
               allowed_hosts: list[str] | None = None, csrf: str | None = None) -> Starlette:
    """The app over the store at ``db`` (which must exist).

    ``allowed_hosts``: the Host headers answered (others get 400). A server on localhost
    names its own, so that a web page whose name was re-pointed at 127.0.0.1 (DNS
    rebinding) cannot read customer data through the visitor's browser."""
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    from custfocus.served import prepare_served_copy
    from custfocus.web import api, pages

    prepare_served_copy(db)  # StoreError naming the path when there is no store
    settings = ServeSettings(db, lang, token, csrf)
    routes = [
        Route("/", pages.index),
        Route("/customers/{customer_id}", pages.card),
        Route("/review", pages.review, methods=["GET"]),
        Route("/review", pages.decide, methods=["POST"]),
        Route("/api/customers", api.search),
        Route("/api/customers/{customer_id}", api.card),
        Route("/api/match", api.match, methods=["POST"]),
        Route("/api/review", api.review_queue, methods=["GET"]),
        Route("/api/review", api.decide, methods=["POST"]),
        Route("/openapi.json", api.openapi),
    ]
    middleware = [Middleware(AccessLog), Middleware(BodyLimit),
                  Middleware(TokenCheck, token=token)]
    if allowed_hosts:
        middleware.insert(1, Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        settings.served.close()

    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={StoreError: store_unavailable})
    app.state.settings = settings
    return app


# How ``custfocus serve --workers N`` hands its settings to the worker processes uvicorn
# starts (each imports this module and calls :func:`app_from_environment`).
WORKER_ENV = "CUSTFOCUS_SERVE_WORKER"


def worker_environment(db: Path, lang: str, token: str | None,
                       allowed_hosts: list[str] | None, csrf: str) -> dict[str, str]:
    """The settings of one server as the environment of its workers (the token travels as
    $CUSTFOCUS_TOKEN, as a user sets it; nothing here is written to disk)."""
    settings = {"db": str(db), "lang": lang, "hosts": allowed_hosts, "csrf": csrf}
    return {WORKER_ENV: json.dumps(settings), **({"CUSTFOCUS_TOKEN": token} if token else {})}


def app_from_environment() -> Starlette:
    """The app of one worker process of ``custfocus serve --workers N``."""
    import os

    settings = json.loads(os.environ[WORKER_ENV])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    return create_app(Path(settings["db"]), settings["lang"], os.environ.get("CUSTFOCUS_TOKEN"),
                      allowed_hosts=settings["hosts"], csrf=settings["csrf"])


@contextmanager
def open_store(request: Request, write: bool = False) -> Iterator[Store]:
    """The store for one request: the served copy, or the store itself (one writer at a
    time) for a review decision."""
    settings: ServeSettings = request.app.state.settings
    if not write:
        with settings.served.reading() as store:
            yield store
        return
    # No new served copy for a decision: at a million customers publishing takes a minute.
    with settings.writing, Store(settings.db, lock_wait=settings.lock_wait,
                                 publish=False) as store:
        yield store


async def store_unavailable(request: Request, exc: Exception) -> Response:
    """503 when the store cannot be written (a decision during ``custfocus run``, which holds
    DuckDB's lock) or read: the client tries again shortly; the message names no customer
    value."""
    message = ("the store is being updated by another custfocus process; try again shortly"
               if isinstance(exc, LockedError) else "the store cannot be opened")
    return JSONResponse({"error": message}, status_code=503, headers={"Retry-After": "5"})


def settings_of(request: Request) -> ServeSettings:
    return request.app.state.settings


async def form_fields(request: Request) -> dict[str, str]:
    """An urlencoded form as one value per field (no multipart: nothing here uploads)."""
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


def check_csrf(request: Request, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(sent, settings_of(request).csrf)


def error(status: int, message: str, field: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if field is not None:
        body["field"] = field
    return JSONResponse(body, status_code=status)


async def json_body(request: Request) -> Any:
    """The parsed body, or a :class:`UsageError` saying why it is not JSON.

    Only ``Content-Type: application/json`` is read: a page of another site can post a form
    (``text/plain``) to a local server without asking, but not JSON, which the browser must
    first ask leave for (a CORS preflight this server never grants). So the API's POSTs
    need no CSRF token."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise UsageError("send the body as Content-Type: application/json")
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise UsageError("the body is not valid JSON") from None


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status)


# -- middleware (pure ASGI: they see every request, including errors) -------------------


class AccessLog:
    """One line per request: method, path (no query string), status. Never a body."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            ACCESS_LOG.info("%s %s %s", scope["method"], scope["path"], status[0])


class BodyLimit:
    """Refuse bodies over :data:`MAX_BODY_BYTES` with 413, before anything reads them."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope["headers"]).get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
                await error(413, f"the body is larger than {MAX_BODY_BYTES} bytes")(
                    scope, receive, send)
                return
            received = 0

            async def limited() -> Message:
                nonlocal received
                message = await receive()
                received += len(message.get("body", b""))
                if received > MAX_BODY_BYTES:  # chunked, without a content-length
                    raise _TooLarge
                return message

            try:
                await self.app(scope, limited, send)
            except _TooLarge:
                await error(413, f"the body is larger than {MAX_BODY_BYTES} bytes")(
                    scope, receive, send)
            return
        await self.app(scope, receive, send)


class _TooLarge(Exception):
    pass


class TokenCheck:
    """With a token set, every request carries it (``Authorization: Bearer ...`` or the
    ``custfocus_token`` cookie that ``/?token=...`` sets); otherwise 401, nothing else."""

    def __init__(self, app: ASGIApp, token: str | None):
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.token:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip() \
            or request.cookies.get("custfocus_token", "")
        given = request.query_params.get("token", "")
        if given and hmac.compare_digest(given, self.token):
            response: Response = redirect(scope["path"])
            response.set_cookie("custfocus_token", self.token, httponly=True, samesite="strict")
            await response(scope, receive, send)
            return
        if not (sent and hmac.compare_digest(sent, self.token)):
            await error(401, "unauthorised")(scope, receive, send)
            return
        await self.app(scope, receive, send)
