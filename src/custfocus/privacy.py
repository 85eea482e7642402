"""The data subject's rights: find a person's customer, and forget them.

``forget`` erases a customer's records, the raw rows they came from, their facts, rejects,
golden record, events and segment history in one transaction; everything derived by
matching is dropped and rebuilt by the next ``dedupe`` (which fits its model again, so no
count of the person's values survives in it). What is kept is a keyed hash of each
identifier (e-mail, phones, national id, customer code within its system) on a
suppression list, so that the next import of a department's export does not bring the
person back: such rows are left out and counted as "suppressed". Finally the store file
is rewritten, since a database file keeps freed blocks: no erased value remains in it.

The key of the hashes is ``CUSTFOCUS_SECRET`` when set, else a random key the store keeps
(``meta``): the list then holds no identifier in clear, though whoever holds the store can
test a guessed identifier against it, as the import must.

Example:
    >>> (match,) = find_customers(store, "maria.garcia@example.es")  # doctest: +SKIP
    >>> forget(store, match.customer_id)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from custfocus.errors import StoreError
from custfocus.served import has_read_tables
from custfocus.store import Store

__all__ = ["CustomerMatch", "Erasure", "closest_customers", "find_customers", "forget",
           "identifier_hashes", "one_customer", "suppressed_mask"]

_CUSTOMER_ID = re.compile(r"^c\d{3,}$", re.IGNORECASE)
# Tables rebuilt by the next dedupe: cleared, since they hold values (nodes' derived
# columns, value counts) and node numbers of the erased records.
_DERIVED = ("match_pairs", "match_strong", "match_links", "match_nodes", "match_keys",
            "match_blocks", "match_tf")


@dataclass
class CustomerMatch:
    """A customer a query found: how (``by``: customer_id, email, phone, national_id,
    account_code or name) and how well (1.0 for an identifier)."""

    customer_id: str
    by: str
    score: float
    name: str | None = None


def find_customers(store: Store, query: str, limit: int = 10) -> list[CustomerMatch]:
    """The customers ``query`` names: a customer id, an e-mail, a phone, a national id or a
    customer code in any format (normalised as an imported value is), else a name, ranked
    by similarity."""
    from custfocus.normalise.emails import normalise_email
    from custfocus.normalise.phones import normalise_phone

    text = (query or "").strip()
    if not text:
        return []
    served = has_read_tables(store)
    if _CUSTOMER_ID.match(text):
        # Ids are written in capitals; an index serves the plain comparison.
        found = store.execute("SELECT customer_id FROM customers WHERE " + (
            "customer_id IN (?)" if served else "upper(customer_id) = ?"), [text.upper()]).fetchall()
        if found:
            return [CustomerMatch(found[0][0], "customer_id", 1.0)]
    if "@" in text:
        key = normalise_email(text).key
        return _by_records(store, "email", [key], "r.email_key = ?", [key]) if key else []
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 7 and not re.search(r"[A-Za-z]{2,}", text):
        regions = [r[0] for r in store.execute(
            "SELECT region FROM sources GROUP BY region ORDER BY count(*) DESC").fetchall() if r[0]]
        numbers = {normalise_phone(text, region=r).e164 for r in regions or ["ES"]} - {None}
        hits = _by_records(store, "phone", list(numbers),
                           "(r.phone_e164 IN ? OR r.phone2_e164 IN ?)",
                           [list(numbers), list(numbers)]) if numbers else []
        if hits:
            return hits
    compact = re.sub(r"[\s.\-/]", "", text).upper()
    hits = _by_records(store, "national_id", [compact],
                       "upper(regexp_replace(r.national_id, '[\\s.\\-/]', '', 'g')) = ?",
                       [compact])
    if hits:
        return hits
    hits = _by_records(store, "account_code", [text], "r.account_code = ?", [text])
    if hits:
        return hits
    return _by_name(store, text, limit)


def one_customer(store: Store, query: str) -> str:
    """The id of the one customer ``query`` names exactly (an identifier, or a name only
    one customer has exactly); a usage error listing the candidates otherwise. Rights
    exercised on a person (forget, subject access) must never guess between two."""
    from custfocus.errors import UsageError

    found = find_customers(store, query)
    exact = [m for m in found if m.score == 1.0]
    if len(exact) != 1:
        shown = ", ".join(f"{m.customer_id} ({m.by}, {m.score:.0%})" for m in found[:10])
        raise UsageError("the query must name exactly one customer; "
                         + (f"it names {len(found)}: {shown}" if found else "it names none")
                         + " (use the customer id)")
    return exact[0].customer_id


def _by_records(store: Store, by: str, keys: list[str], where: str, params: list[Any]
                ) -> list[CustomerMatch]:
    """The customers whose records hold one of ``keys`` as ``by``: from the served copy's
    indexed :data:`~custfocus.served.KEYS_TABLE` when there is one (the same keys, built
    by the same normalisation), else by ``where`` over the records."""
    from custfocus.served import KEYS_TABLE

    if has_read_tables(store):
        # One placeholder per value: DuckDB's index serves IN (?, ?), not IN ? with a list.
        ids = [r[0] for r in store.execute(
            f"SELECT DISTINCT customer_id FROM {KEYS_TABLE} WHERE key IN ({_marks(keys)}) "
            "AND kind = ?", [*keys, by]).fetchall()]
        if not ids:
            return []
        rows = store.execute("SELECT customer_id, full_name FROM customers WHERE customer_id "
                             f"IN ({_marks(ids)}) ORDER BY customer_id", ids).fetchall()
        return [CustomerMatch(cid, by, 1.0, name) for cid, name in rows]
    rows = store.execute(
        f"SELECT DISTINCT rc.customer_id, c.full_name FROM records r "
        f"JOIN record_customer rc USING (record_id) "
        f"LEFT JOIN customers c ON c.customer_id = rc.customer_id WHERE {where} "
        f"ORDER BY rc.customer_id", params).fetchall()
    return [CustomerMatch(cid, by, 1.0, name) for cid, name in rows]


def closest_customers(store: Store, query: str, limit: int = 3) -> list[CustomerMatch]:
    """The customers whose names come closest to ``query``, however far: what to suggest
    when a query finds no one."""
    return _by_name(store, (query or "").strip(), limit, cutoff=0) if query.strip() else []


def _by_name(store: Store, text: str, limit: int, cutoff: float = 70) -> list[CustomerMatch]:
    from rapidfuzz import fuzz, process, utils

    rows = _name_candidates(store, text) if has_read_tables(store) else []
    if not rows:
        rows = store.execute(
            "SELECT customer_id, coalesce(full_name, trim(concat_ws(' ', given_name, "
            "family_name)), company) FROM customers").fetchall()
    names = {cid: name for cid, name in rows if name}
    best = process.extract(text, names, scorer=fuzz.token_sort_ratio,
                           processor=utils.default_process, limit=limit, score_cutoff=cutoff)
    return [CustomerMatch(cid, "name", score / 100.0, name) for name, score, cid in best]


def _name_candidates(store: Store, text: str) -> list[tuple[str, str]]:
    """The name ranking's block, from the served copy's word index: the customers who have
    the rarest word of ``text`` (a word nobody has is first read as the known word closest
    to it: a typo), the :data:`NAME_CANDIDATES` closest of them by Jaro-Winkler. None when
    no word of ``text`` is close to anyone's (then every customer is ranked)."""
    import unicodedata

    from custfocus.served import NAMES_TABLE, WORDS_TABLE

    folded = "".join(c for c in unicodedata.normalize("NFKD", text.lower())
                     if not unicodedata.combining(c))
    words = sorted({w for w in re.split(r"[^a-z0-9]+", folded) if w})
    if not words:
        return []
    counts = dict(store.execute(f"SELECT token, customers FROM {WORDS_TABLE} "
                                f"WHERE token IN ({_marks(words)})", words).fetchall())
    for word in words:
        if word not in counts and len(word) >= 3:
            near = store.execute(
                f"SELECT token, customers FROM {WORDS_TABLE} "
                "WHERE jaro_winkler_similarity(token, ?) >= 0.85 "
                "ORDER BY jaro_winkler_similarity(token, ?) DESC, token LIMIT 1",
                [word, word]).fetchall()
            counts.update(near)
    if not counts:
        return []
    rarest = min(counts, key=lambda w: (counts[w], w))
    return [(cid, name) for cid, name in store.execute(
        f"SELECT customer_id, name FROM {NAMES_TABLE} WHERE token IN (?) ORDER BY "
        "jaro_winkler_similarity(lower(strip_accents(name)), ?) DESC, customer_id LIMIT ?",
        [rarest, folded, NAME_CANDIDATES]).fetchall()]


def _marks(values: list[Any]) -> str:
    return ", ".join("?" * len(values))


NAME_CANDIDATES = 200


@dataclass
class Erasure:
    """What forgetting a customer removes (counts per table) and keeps (hashes)."""

    customer_id: str
    counts: dict[str, int] = field(default_factory=dict)
    suppressed: int = 0  # identifiers added to the suppression list


def forget(store: Store, customer_id: str, *, dry_run: bool = False) -> Erasure:
    """Erase ``customer_id`` from the store (see the module); ``dry_run``: count only."""
    erasure = Erasure(customer_id)
    with store.transaction():
        # The customer's records, and records imported since the last dedupe (no customer
        # yet) that share one of their identifiers.
        store.execute("""
            CREATE OR REPLACE TEMP TABLE _cf_forget AS
            WITH theirs AS (SELECT r.* FROM records r JOIN record_customer rc USING (record_id)
                            WHERE rc.customer_id = ?),
                 ids AS (SELECT email_key AS v FROM theirs UNION SELECT phone_e164 FROM theirs
                         UNION SELECT phone2_e164 FROM theirs
                         UNION SELECT national_id FROM theirs WHERE national_id_valid)
            SELECT * FROM theirs UNION ALL
            SELECT r.* FROM records r ANTI JOIN record_customer rc USING (record_id)
            WHERE r.email_key IN (SELECT v FROM ids) OR r.phone_e164 IN (SELECT v FROM ids)
               OR r.phone2_e164 IN (SELECT v FROM ids)
               OR (r.national_id_valid AND r.national_id IN (SELECT v FROM ids))""",
                      [customer_id])
        try:
            _erase(store, erasure, dry_run)
        finally:
            store.execute("DROP TABLE IF EXISTS _cf_forget")
        if dry_run:
            return erasure
        store.note_processing(rows_erased=sum(erasure.counts.values()))
    _rewrite(store)
    return erasure


def _erase(store: Store, erasure: Erasure, dry_run: bool) -> None:
    rows = "(SELECT import_id, row FROM _cf_forget)"
    codes = "(SELECT system, account_code FROM _cf_forget WHERE account_code IS NOT NULL)"
    targets = {
        "records": "record_id IN (SELECT record_id FROM _cf_forget)",
        "raw_rows": f"(import_id, row) IN {rows}",
        "rejects": f"(import_id, row) IN {rows}",
        "facts": f"record_id IN (SELECT record_id FROM _cf_forget) OR (system, account_code) "
                 f"IN {codes}",
        "record_customer": "customer_id = ?",
        "customers": "customer_id = ?",
        "customer_events": "customer_id = ? OR list_contains(other_ids, ?)",
        "customer_segments": "customer_id = ?",
        "snapshot_segments": "customer_id = ?",
    }
    for table, where in targets.items():
        params = [erasure.customer_id] * where.count("?")
        erasure.counts[table] = int(store.query_value(
            f"SELECT count(*) FROM {table} WHERE {where}", params) or 0)
    if dry_run:
        return
    key = _key(store)
    hashes = sorted({h for kind, value in store.execute(
        "SELECT 'email', email_key FROM _cf_forget UNION ALL "
        "SELECT 'phone', phone_e164 FROM _cf_forget UNION ALL "
        "SELECT 'phone', phone2_e164 FROM _cf_forget UNION ALL "
        "SELECT 'national_id', national_id FROM _cf_forget WHERE national_id_valid UNION ALL "
        "SELECT 'account_code', system || chr(31) || account_code FROM _cf_forget"
    ).fetchall() if value for h in [_hash(key, kind, value)]})
    for table, where in targets.items():
        params = [erasure.customer_id] * where.count("?")
        store.execute(f"DELETE FROM {table} WHERE {where}", params)
    for table in _DERIVED:
        store.execute(f"DELETE FROM {table}")
    known = {r[0] for r in store.execute("SELECT key_hash FROM suppressed").fetchall()}
    fresh = [h for h in hashes if h not in known]
    for h in fresh:
        store.execute("INSERT INTO suppressed VALUES (?, now())", [h])
    erasure.suppressed = len(fresh)
    # The next dedupe fits its model again (its value counts were cleared with the rest).
    erased = int(store.query_value("SELECT value FROM meta WHERE key = 'erasures'") or 0)
    store.execute("INSERT OR REPLACE INTO meta VALUES ('erasures', ?)", [str(erased + 1)])


def _key(store: Store) -> bytes:
    secret = os.environ.get("CUSTFOCUS_SECRET")
    if secret:
        return secret.encode("utf-8")
    key = store.query_value("SELECT value FROM meta WHERE key = 'suppression_key'")
    if not key:
        key = secrets.token_hex(32)
        store.execute("INSERT INTO meta VALUES ('suppression_key', ?)", [key])
    return bytes.fromhex(key) if len(key) == 64 else key.encode("utf-8")


def _hash(key: bytes, kind: str, value: str) -> str:
    return hmac.new(key, f"{kind}\x1f{value}".encode(), hashlib.sha256).hexdigest()


def identifier_hashes(store: Store, records: Any, system: str) -> list[set[str]]:
    """Per record of an Arrow table of records, the keyed hashes of its identifiers (as
    :func:`forget` lists them)."""
    columns = {name: records.column(name).to_pylist() if name in records.column_names
               else [None] * records.num_rows
               for name in ("email_key", "phone_e164", "phone2_e164", "national_id",
                            "national_id_valid", "account_code")}
    key = _key(store)  # once: not a query per identifier
    out = []
    for i in range(records.num_rows):
        found = set()
        for kind, name in (("email", "email_key"), ("phone", "phone_e164"),
                           ("phone", "phone2_e164")):
            if columns[name][i]:
                found.add(_hash(key, kind, columns[name][i]))
        if columns["national_id"][i] and columns["national_id_valid"][i]:
            found.add(_hash(key, "national_id", columns["national_id"][i]))
        if columns["account_code"][i]:
            found.add(_hash(key, "account_code", f"{system}\x1f{columns['account_code'][i]}"))
        out.append(found)
    return out


def suppressed_mask(store: Store, records: Any, system: str) -> list[bool] | None:
    """Per record, whether one of its identifiers is on the suppression list (None: the
    list is empty, nothing to check)."""
    listed = {r[0] for r in store.execute("SELECT key_hash FROM suppressed").fetchall()}
    if not listed:
        return None
    return [bool(h & listed) for h in identifier_hashes(store, records, system)]


def _rewrite(store: Store) -> None:
    """Copy the store into a new file and put it in place: freed blocks of a database file
    keep the erased values until overwritten."""
    import duckdb

    if store.in_memory:
        return
    path = Path(store.path)
    fresh = path.with_name(path.name + ".forget-tmp")
    fresh.unlink(missing_ok=True)
    store.con.execute("CHECKPOINT")
    store.con.close()
    old_umask = os.umask(0o077)
    try:
        con = duckdb.connect()
        con.execute(f"ATTACH '{_sql_text(str(path))}' AS src (READ_ONLY)")
        con.execute(f"ATTACH '{_sql_text(str(fresh))}' AS dst")
        con.execute("COPY FROM DATABASE src TO dst")
        con.close()
        os.replace(fresh, path)
    except (duckdb.Error, OSError) as exc:
        fresh.unlink(missing_ok=True)
        raise StoreError(f"the customer was erased, but {path} could not be rewritten to "
                         f"clear the freed space: {exc}") from None
    finally:
        os.umask(old_umask)
        store.con = duckdb.connect(str(path))


def _sql_text(text: str) -> str:
    return text.replace("'", "''")
