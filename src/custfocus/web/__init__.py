"""``custfocus serve``: find a customer, see their card, match a record live and review
borderline pairs, in the browser or over a JSON API (Starlette, served by uvicorn).

Example:
    >>> from custfocus.web import create_app  # doctest: +SKIP
    >>> app = create_app(Path("custfocus.duckdb"))  # doctest: +SKIP
"""

from __future__ import annotations

from custfocus.web.app import MAX_BODY_BYTES, ServeSettings, create_app

__all__ = ["MAX_BODY_BYTES", "ServeSettings", "create_app"]
