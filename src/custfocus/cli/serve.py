"""``custfocus serve``: the search box, customer pages, live match and review queue."""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated

import typer

from custfocus.cli._common import (
    DEFAULT_DB,
    DbOption,
    DebugOption,
    LangOption,
    handle_errors,
    resolve_lang,
)


def serve_command(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to listen on; anything but localhost requires a token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8750,
    lang: LangOption = None,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Worker processes answering requests (one per core suits a busy "
                            "service; each holds its own copy of the name index).")] = 1,
    debug: DebugOption = False,
) -> None:
    """Serve the customer pages and the JSON API over the store (read-only; review
    decisions are the only writes). Bound beyond localhost, every request needs the token
    in $CUSTFOCUS_TOKEN (or one generated and printed at start).

    Example: custfocus serve --port 8750
    """
    import logging
    import secrets

    from custfocus.errors import UsageError
    from custfocus.report.console import stderr_console

    code = resolve_lang(lang)
    token = None if _is_loopback(host) else (os.environ.get("CUSTFOCUS_TOKEN")
                                             or secrets.token_urlsafe(24))
    with handle_errors(debug):
        try:
            import uvicorn

            from custfocus.web import create_app
        except ImportError:
            raise UsageError("custfocus serve needs its extra: pip install 'custfocus[serve]'") \
                from None
        # On localhost only the local names are answered (DNS rebinding); elsewhere the
        # token guards every request.
        local = [host, "localhost", "127.0.0.1", "::1", "[::1]"]
        hosts = None if token else local
        csrf = secrets.token_urlsafe(24)
        # Checked (and the served copy published) here, once, before any worker starts.
        app = create_app(db, code, token, allowed_hosts=hosts, csrf=csrf)
    from rich.markup import escape

    from custfocus.lookup_texts import text

    console = stderr_console()
    url = f"http://{host}:{port}"
    console.print(escape(text("serving", code, db=db, url=url)))
    if token and not os.environ.get("CUSTFOCUS_TOKEN"):
        console.print(escape(text("token", code, token=token, url=url)))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    # uvicorn's own access log prints query strings (names, e-mails): ours does not.
    if workers == 1:
        uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")
        return
    from custfocus.web.app import worker_environment

    os.environ.update(worker_environment(db, code, token, hosts, csrf))
    uvicorn.run("custfocus.web.app:app_from_environment", factory=True, workers=workers,
                host=host, port=port, access_log=False, log_level="warning")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
