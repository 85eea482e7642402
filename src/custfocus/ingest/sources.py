"""What the store holds per imported source, read without the import machinery.

Kept apart from :mod:`custfocus.ingest.importer` so that ``custfocus sources`` does not
load pandas, pyarrow and the normalisers just to list a table (it answers in a fraction of
a second).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from custfocus.store import Store


def imports_summary(store: Store) -> list[dict[str, Any]]:
    """The active imports, by source name (for ``custfocus sources``)."""
    return store.query_dicts(
        "SELECT source, unit, file, sheet, imported_at, rows_read, records, facts, rejects "
        "FROM imports WHERE status = 'active' ORDER BY source"
    )


__all__ = ["imports_summary"]
