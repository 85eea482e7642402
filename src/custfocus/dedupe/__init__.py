"""Matching: every stored record into one customer master.

normalise (:mod:`~custfocus.dedupe.prepare`) -> block (:mod:`~custfocus.dedupe.block`)
-> compare (:mod:`~custfocus.dedupe.compare`) -> score (:mod:`~custfocus.dedupe.model`,
:mod:`~custfocus.dedupe.score`) -> cluster (:mod:`~custfocus.dedupe.cluster`) -> stable ids
-> golden records; :func:`dedupe` runs them, full or incremental.

Example:
    >>> from custfocus.dedupe import dedupe  # doctest: +SKIP
    >>> result = dedupe(store)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

__all__ = ["DedupeResult", "DedupeSettings", "dedupe"]


def __getattr__(name: str) -> Any:
    # Imported when first used: the stages' own modules are imported without the whole
    # pipeline (numpy, pandas), and ``custfocus --help`` stays instant.
    if name in __all__:
        from custfocus.dedupe import run

        return getattr(run, name)
    raise AttributeError(name)
