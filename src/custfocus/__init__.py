"""custfocus: one deduplicated customer master from every departmental file.

Example:
    >>> from custfocus import Store, import_paths
    >>> store = Store(":memory:")
"""

from custfocus.errors import (
    BadInputError,
    CustfocusError,
    ExitCode,
    LockedError,
    MissingColumnError,
    StoreError,
    UsageError,
)
from custfocus.store import Store

__version__ = "0.1.0"


def __getattr__(name: str):  # lazy: keep `import custfocus` and `--help` fast
    if name in {"import_paths", "ImportOptions", "ImportResult"}:
        from custfocus.ingest import importer

        return getattr(importer, name)
    raise AttributeError(name)


__all__ = [
    "BadInputError",
    "CustfocusError",
    "ExitCode",
    "ImportOptions",
    "ImportResult",
    "LockedError",
    "MissingColumnError",
    "Store",
    "StoreError",
    "UsageError",
    "import_paths",
]
