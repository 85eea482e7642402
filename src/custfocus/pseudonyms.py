"""Pseudonyms: identifiers replaced by keyed tokens (``export --pseudonymise``), so that two
exports made with the same key can be joined on them and neither reveals who is who.

Each identifier (customer id, e-mail, phone, tax id, customer code) becomes the first 32
hex digits of HMAC-SHA256 over its kind and its normalised value (e-mail lower-cased,
phone as digits with its ``+``, tax id without separators), so the same person's e-mail
gives the same token in the master, the clusters and the segments, and in next month's
export. Names, street, house number and birth date are hidden and the golden record's
alternates dropped: what is left cannot name the person without the key.

The key comes from ``CUSTFOCUS_SECRET`` or a key file (``--key-file``), never from the store
or ``custfocus.toml``, and is never written anywhere: whoever holds the store does not hold
the key. The tokens are domain-separated from the suppression list's hashes (which may use
the same secret), so an export cannot be compared with that list.

Example:
    >>> token(b"secret", "email", "Ana@Example.es") == token(b"secret", "email", "ana@example.es")
    True
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Any

from custfocus.errors import UsageError

__all__ = ["ID_COLUMNS", "load_key", "pseudonymise_frame", "token"]

# Column (as the exports name it) -> kind of identifier; columns of one kind share tokens.
ID_COLUMNS: dict[str, str] = {
    "customer_id": "customer_id", "customer_a": "customer_id", "customer_b": "customer_id",
    "email": "email", "phone": "phone", "phone2": "phone", "national_id": "national_id",
    "account_code": "account_code",
}
# Personal columns that are not identifiers: hidden, they would tell who the token is.
_HIDDEN_COLUMNS = ("full_name", "given_name", "family_name", "street", "house_number",
                   "birth_date")
_DROPPED_COLUMNS = ("alternates",)
TOKEN_HEX = 32  # 128 bits: no collision in any customer base, shorter to read


def load_key(key_file: Path | None = None) -> bytes:
    """The pseudonym key: the key file's content when given, else ``CUSTFOCUS_SECRET``;
    a usage error (exit 2) when there is none."""
    if key_file is not None:
        try:
            key = Path(key_file).read_bytes().strip()
        except OSError as exc:
            raise UsageError(f"cannot read the key file {key_file}: "
                             f"{exc.strerror or exc}") from None
        if not key:
            raise UsageError(f"the key file {key_file} is empty")
        return key
    secret = os.environ.get("CUSTFOCUS_SECRET", "").strip()
    if not secret:
        raise UsageError("--pseudonymise needs a key: set CUSTFOCUS_SECRET or pass "
                         "--key-file FILE (the key is never stored)")
    return secret.encode("utf-8")


def _normalised(kind: str, value: str) -> str:
    text = value.strip()
    if kind == "email":
        return text.lower()
    if kind == "phone":
        text = text.removeprefix("local:")
        return ("+" if text.startswith("+") else "") + "".join(c for c in text if c.isdigit())
    if kind in ("national_id", "customer_id"):
        return "".join(c for c in text if c.isalnum()).upper()
    return text


def token(key: bytes, kind: str, value: Any) -> str | None:
    """The token of one identifier (None for a missing value)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if type(value).__name__ == "NAType":
        return None
    message = f"custfocus-pseudonym\x1f{kind}\x1f{_normalised(kind, str(value))}"
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()[:TOKEN_HEX]


def pseudonymise_frame(frame: Any, key: bytes) -> Any:
    """``frame`` (pandas) with identifiers as tokens, other personal columns hidden and
    the alternates dropped, in place."""
    from custfocus.masking import mask_value

    for name in list(frame.columns):
        if name in ID_COLUMNS:
            kind = ID_COLUMNS[name]
            frame[name] = frame[name].astype(object).map(lambda v, k=kind: token(key, k, v))
        elif name in _HIDDEN_COLUMNS:
            frame[name] = frame[name].astype(object).map(lambda v: mask_value("hidden", v))
        elif name in _DROPPED_COLUMNS:
            del frame[name]
    return frame
