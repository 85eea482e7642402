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

__all__ = ["DETAIL_COLUMNS", "CustomerMatch", "Erasure", "NameIndex", "RecordMatch", "find_records",
           "query_readings", "closest_customers", "find_customers", "forget",
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
    # The customer's DETAIL_COLUMNS when the lookup read them already (an identifier hit).
    details: tuple[Any, ...] | None = None


# What a list of candidates shows of each (lookup.candidates): read with the hit when an
# identifier finds the customer, saving a query.
DETAIL_COLUMNS = ("full_name", "company", "city", "phone", "records")


def find_customers(store: Store, query: str, limit: int = 10,
                   details: bool = True) -> list[CustomerMatch]:
    """The customers ``query`` names: a customer id, an e-mail, a phone, a national id or a
    customer code in any format (normalised as an imported value is), else a name, ranked
    by similarity. ``details=False``: the customers an identifier finds in a served copy
    are not read (no name, no details; a query fewer for a caller that wants their ids)."""
    text = (query or "").strip()
    if not text:
        return []
    served = has_read_tables(store)
    if _CUSTOMER_ID.match(text):
        # Ids are written in capitals; an index serves the plain comparison.
        found = store.execute(f"SELECT customer_id, {', '.join(DETAIL_COLUMNS)} FROM customers "
                              "WHERE " + ("customer_id IN (?)" if served else
                                          "upper(customer_id) = ?"), [text.upper()]).fetchall()
        if found:
            return [CustomerMatch(found[0][0], "customer_id", 1.0, found[0][1],
                                  details=found[0][1:])]
    readings = query_readings(store, text)
    if served:  # one lookup of every reading of the query, the strongest kind found wins
        hits = _key_hits(store, [(kind, key) for kind, keys in readings for key in keys])
        for kind, _ in readings:
            if hits.get(kind):
                if not details:
                    return [CustomerMatch(cid, kind, 1.0) for cid in sorted(hits[kind])]
                return _matches(store, kind, sorted(hits[kind]))
    else:
        for kind, keys in readings:
            hits = _by_records(store, kind, keys)
            if hits:
                return hits
    return [] if "@" in text else _by_name(store, text, limit)


def query_readings(store: Store, text: str) -> list[tuple[str, list[str]]]:
    """How a query can be read as identifiers, strongest first, each as its records store
    it: (kind, keys) for an e-mail (alone, when the query has an "@"), else the phone numbers
    it is in the store's regions, the national id without separators, the customer code."""
    from custfocus.normalise.emails import normalise_email
    from custfocus.normalise.phones import normalise_phone

    if "@" in text:
        key = normalise_email(text).key
        return [("email", [key])] if key else []
    readings = []
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 7 and not re.search(r"[A-Za-z]{2,}", text):
        numbers = {normalise_phone(text, region=r).e164 for r in _regions(store) or ["ES"]}
        if numbers - {None}:
            readings.append(("phone", sorted(numbers - {None})))
    return [*readings, ("national_id", [re.sub(r"[\s.\-/]", "", text).upper()]),
            ("account_code", [text])]


# Each reading's condition on a record (``r``), with its keys as a list parameter.
_RECORD_KEYS = {
    "email": ("r.email_key IN ?", 1),
    "phone": ("(r.phone_e164 IN ? OR r.phone2_e164 IN ?)", 2),
    "national_id": ("upper(regexp_replace(r.national_id, '[\\s.\\-/]', '', 'g')) IN ?", 1),
    "account_code": ("r.account_code IN ?", 1),
}


@dataclass
class RecordMatch:
    """A source record a query found, in a store not yet deduplicated (no customers)."""

    source: str
    row: int
    by: str
    score: float
    name: str | None = None
    city: str | None = None
    phone: str | None = None
    unit: str | None = None


def find_records(store: Store, query: str, limit: int = 20) -> list[RecordMatch]:
    """The source records ``query`` names, read as :func:`find_customers` reads it: what a
    store that matching has not run on yet can answer."""
    text = (query or "").strip()
    if not text:
        return []
    columns = ("r.source, r.row, coalesce(r.full_name, nullif(trim(concat_ws(' ', "
               "r.given_name, r.family_name)), ''), r.company) AS name, r.city, "
               "coalesce(r.phone_e164, r.phone) AS phone, r.unit")
    for kind, keys in query_readings(store, text):
        where, times = _RECORD_KEYS[kind]
        rows = store.execute(f"SELECT {columns} FROM records r WHERE {where} "
                             f"ORDER BY r.source, r.row LIMIT {int(limit)}",
                             [keys] * times).fetchall()
        if rows:
            return [RecordMatch(source, row, kind, 1.0, name, city, phone, unit)
                    for source, row, name, city, phone, unit in rows]
    if "@" in text:
        return []
    rows = store.execute(f"SELECT {columns} FROM records r ORDER BY r.source, r.row").fetchall()
    ranked = _ranked(text, [(i, row[2]) for i, row in enumerate(rows)], limit, 70)
    return [RecordMatch(rows[i][0], rows[i][1], "name", score, *rows[i][2:])
            for i, score in ranked]


def _regions(store: Store) -> list[str]:
    """The regions the store's sources were imported with, most sources first (read once
    per served copy)."""
    from custfocus.served import served_memo

    memo = served_memo(store)
    if memo is not None and "regions" in memo:
        return memo["regions"]
    regions = [r[0] for r in store.execute(
        "SELECT region FROM sources GROUP BY region ORDER BY count(*) DESC").fetchall() if r[0]]
    if memo is not None:
        memo["regions"] = regions
    return regions


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


def _by_records(store: Store, by: str, keys: list[str]) -> list[CustomerMatch]:
    """The customers whose records hold one of ``keys`` as ``by``, read over the records (a
    store without the served copy's :data:`~custfocus.served.KEYS_TABLE`)."""
    where, times = _RECORD_KEYS[by]
    rows = store.execute(
        f"SELECT DISTINCT rc.customer_id, c.full_name FROM records r "
        f"JOIN record_customer rc USING (record_id) "
        f"LEFT JOIN customers c ON c.customer_id = rc.customer_id WHERE {where} "
        f"ORDER BY rc.customer_id", [keys] * times).fetchall()
    return [CustomerMatch(cid, by, 1.0, name) for cid, name in rows]


def _key_hits(store: Store, wanted: list[tuple[str, str]]) -> dict[str, set[str]]:
    """Kind -> the customers whose records hold one of the (kind, key) pairs ``wanted``, from
    the served copy's :data:`~custfocus.served.KEYS_TABLE`, in one query."""
    from custfocus.served import KEYS_TABLE

    keys = sorted({key for _, key in wanted if key})
    if not keys:
        return {}
    asked = set(wanted)
    hits: dict[str, set[str]] = {}
    # One placeholder per value and no other condition: DuckDB's index serves
    # "key IN (?, ?)", but neither "IN ?" with a list nor "... AND kind = ?" (a scan of
    # every key, ten times slower at a million customers). The kind is checked here.
    for cid, kind, key in store.execute(
            f"SELECT customer_id, kind, key FROM {KEYS_TABLE} WHERE key IN ({_marks(keys)})",
            keys).fetchall():
        if (kind, key) in asked:
            hits.setdefault(kind, set()).add(cid)
    return hits


def _matches(store: Store, by: str, ids: list[str]) -> list[CustomerMatch]:
    """The customers ``ids`` (sorted) found by an identifier of kind ``by``, with names."""
    if not ids:
        return []
    rows = store.execute(f"SELECT customer_id, {', '.join(DETAIL_COLUMNS)} FROM customers "
                         f"WHERE customer_id IN ({_marks(ids)}) ORDER BY customer_id",
                         ids).fetchall()
    return [CustomerMatch(row[0], by, 1.0, row[1], details=row[1:]) for row in rows]


def closest_customers(store: Store, query: str, limit: int = 3) -> list[CustomerMatch]:
    """The customers whose names come closest to ``query``, however far: what to suggest
    when a query finds no one."""
    return _by_name(store, (query or "").strip(), limit, cutoff=0) if query.strip() else []


def _by_name(store: Store, text: str, limit: int, cutoff: float = 70) -> list[CustomerMatch]:
    # A request that found no one by name asks again for the closest (cutoff 0): the block
    # is read once per request (``store`` is the request's own connection).
    known = store.__dict__.get("_name_block")
    if known is not None and known[0] == text:
        rows = known[1]
    else:
        rows = _name_candidates(store, text) if has_read_tables(store) else []
        if not rows:
            rows = store.execute(
                "SELECT customer_id, coalesce(full_name, trim(concat_ws(' ', given_name, "
                "family_name)), company) FROM customers ORDER BY customer_id").fetchall()
        store.__dict__["_name_block"] = (text, rows)
    return [CustomerMatch(rows[i][0], "name", score, rows[i][1])
            for i, score in _ranked(text, rows, limit, cutoff)]


def _ranked(text: str, rows: list[tuple[Any, str | None]], limit: int, cutoff: float
            ) -> list[tuple[int, float]]:
    """(index into ``rows``, score 0-1) of the ``limit`` names of ``rows`` (key, name) closest
    to ``text``, best first. A name scores the best of the sorted-words ratio (words in
    another order: "García, María"), the plain one (a letter across the space: "Marí
    aGarcía") and, capped at 0.9 so that a whole name still ranks first, the share of words
    in common (a part of the name: "María" finds every María, shortest names first). Equal
    scores: the closer whole name first, then the rows' order."""
    import numpy as np
    from rapidfuzz import fuzz, process, utils

    present = [i for i, (_, name) in enumerate(rows) if name]
    if not present:
        return []
    names = [rows[i][1] for i in present]

    def scores(scorer: Any) -> Any:
        return process.cdist([text], names, scorer=scorer, processor=utils.default_process,
                             dtype=np.float32)[0]

    whole = np.maximum(scores(fuzz.token_sort_ratio), scores(fuzz.ratio))
    score = np.maximum(whole, np.minimum(scores(fuzz.token_set_ratio), PART_OF_NAME))
    order = np.lexsort((np.arange(len(names)), -whole, -score))[:limit]
    return [(present[i], float(score[i]) / 100.0) for i in order if score[i] >= cutoff]


def _name_candidates(store: Store, text: str) -> list[tuple[str, str]]:
    """The name ranking's block, from the served copy's name index (:class:`NameIndex`).
    Each word of ``text`` that nobody has is first read as the known word closest to it (a
    typo). The block: the customers who have two of the words (any two, rarer pairs first
    up to :data:`NAME_BLOCK_ROWS`: a typo can make a word that is someone else's), and
    those who have the rarest word when it is rare enough (:data:`WORD_BLOCK_MAX`
    customers; a lone word is read however common). None when no word of ``text`` is close
    to anyone's (then every customer is ranked)."""
    import unicodedata

    from custfocus.normalise.names import PARTICLES

    folded = "".join(c for c in unicodedata.normalize("NFKD", text.lower())
                     if not unicodedata.combining(c))
    words = sorted({w for w in re.split(r"[^a-z0-9]+", folded) if w})
    # "del", "da", "dos" tell no one apart: left out when other words remain.
    words = ([w for w in words if w not in PARTICLES] or words)[:MAX_NAME_WORDS]
    if not words:
        return []
    from custfocus.served import served_memo

    # A server reads the copy's name index into memory once; a one-shot command (custfocus
    # customer) asks the same of the copy's tables.
    source = NameIndex.of(store) if served_memo(store) is not None else _NameTables(store)
    return _name_block(source, words)


def _name_block(source: Any, words: list[str]) -> list[tuple[str, str]]:
    """(customer id, name) of the block of ``words`` (see :func:`_name_candidates`), from
    ``source``: a :class:`NameIndex` or the served copy's tables (:class:`_NameTables`)."""
    from itertools import combinations

    counts = source.counts(words)
    known = {}
    for word in words:
        if word in counts:
            known[word] = counts[word]
        elif len(word) >= 3:
            near = source.nearest(word)
            if near is not None:
                known[near[0]] = near[1]
    if not known:
        return []
    rarest = min(known, key=lambda w: (known[w], w))
    sizes = sorted((n, pair) for pair, n in source.pair_counts(
        [f"{a} {b}" for a, b in combinations(sorted(known), 2)]).items())
    pairs, total = [], 0
    for n, pair in sizes:  # the rarer pairs first, the rarest always
        if pairs and total + n > NAME_BLOCK_ROWS:
            break
        pairs.append(pair)
        total += n
    word = [rarest] if not pairs or known[rarest] <= WORD_BLOCK_MAX else []
    return source.members(pairs, word)


class NameIndex:
    """The served copy's name words and word pairs, in memory: for each word (and each two
    words of one name) the customers who have it, as positions into one array of ids and
    one of names. Read once per served copy (a few seconds at a million customers) and
    shared by every request on it: a block is then a few array slices, where the same
    lookups in DuckDB cost milliseconds each."""

    def __init__(self, store: Store):
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        from custfocus.served import NAMES_TABLE, PAIRS_TABLE

        con = store.con
        names = con.sql(f"SELECT customer_id, any_value(name) AS name FROM {NAMES_TABLE} "
                        "GROUP BY customer_id ORDER BY customer_id").to_arrow_table()
        self.ids = names.column("customer_id").combine_chunks()
        self.names = names.column("name").combine_chunks()
        value_set = self.ids

        def grouped(table: str, key: str) -> tuple[dict[str, tuple[int, int]], Any]:
            # No ORDER BY (a sort of millions of rows in the server's one thread): the
            # rows are grouped here by their key's dictionary code.
            rows = con.sql(f"SELECT {key}, customer_id FROM {table}").to_arrow_table()
            keys = rows.column(0).combine_chunks().dictionary_encode()
            codes = keys.indices.to_numpy(zero_copy_only=False)
            order = np.argsort(codes, kind="stable")
            codes = codes[order]
            starts = np.flatnonzero(np.diff(codes, prepend=-1))
            ends = np.append(starts[1:], len(codes))
            found = keys.dictionary.take(pa.array(codes[starts])).to_pylist()
            members = pc.index_in(rows.column(1), value_set=value_set).to_numpy(
                zero_copy_only=False).astype(np.int32)[order]
            return dict(zip(found, zip(starts.tolist(), ends.tolist()))), members

        self.words, self.word_members = grouped(NAMES_TABLE, "token")
        self.pairs, self.pair_members = grouped(PAIRS_TABLE, "pair")
        self.tokens = sorted(self.words)

    @classmethod
    def of(cls, store: Store) -> NameIndex:
        """The index of the served copy ``store`` reads, built once per copy (the first
        request waits for it)."""
        import threading

        from custfocus.served import served_memo

        memo = served_memo(store)
        if memo is None:
            return cls(store)
        with memo.setdefault("name_index_lock", threading.Lock()):
            if "name_index" not in memo:
                memo["name_index"] = cls(store)
        return memo["name_index"]

    def counts(self, words: list[str]) -> dict[str, int]:
        """Customers per word of ``words`` that someone has."""
        return {w: self.words[w][1] - self.words[w][0] for w in words if w in self.words}

    def nearest(self, word: str) -> tuple[str, int] | None:
        """The known word closest to ``word`` (Jaro-Winkler >= 0.85) and its customers."""
        from rapidfuzz import process
        from rapidfuzz.distance import JaroWinkler

        near = process.extractOne(word, self.tokens, scorer=JaroWinkler.similarity,
                                  score_cutoff=0.85)
        return None if near is None else (near[0], self.counts([near[0]])[near[0]])

    def pair_counts(self, pairs: list[str]) -> dict[str, int]:
        return {p: self.pairs[p][1] - self.pairs[p][0] for p in pairs if p in self.pairs}

    def members(self, pairs: list[str], words: list[str]) -> list[tuple[str, str]]:
        """(customer id, name) of the customers with one of ``pairs`` or of ``words``."""
        import numpy as np
        import pyarrow as pa

        parts = [self.pair_members[slice(*self.pairs[p])] for p in pairs]
        parts += [self.word_members[slice(*self.words[w])] for w in words]
        if not parts:
            return []
        chosen = pa.array(np.unique(np.concatenate(parts)))
        return list(zip(self.ids.take(chosen).to_pylist(), self.names.take(chosen).to_pylist()))


class _NameTables:
    """What :class:`NameIndex` answers, asked of the served copy's tables (a query each):
    for a command that looks up once, where reading the index would cost more."""

    def __init__(self, store: Store):
        from custfocus.served import NAMES_TABLE, PAIRS_TABLE

        self.store, self.names, self.pairs = store, NAMES_TABLE, PAIRS_TABLE

    def counts(self, words: list[str]) -> dict[str, int]:
        return dict(self.store.execute(
            f"SELECT token, count(*) FROM {self.names} WHERE token IN ({_marks(words)}) "
            "GROUP BY token", words).fetchall()) if words else {}

    def nearest(self, word: str) -> tuple[str, int] | None:
        found = self.store.execute(
            f"SELECT token, count(*) FROM {self.names} "
            "WHERE jaro_winkler_similarity(token, ?) >= 0.85 GROUP BY token "
            "ORDER BY jaro_winkler_similarity(token, ?) DESC, token LIMIT 1",
            [word, word]).fetchall()
        return (found[0][0], int(found[0][1])) if found else None

    def pair_counts(self, pairs: list[str]) -> dict[str, int]:
        return dict(self.store.execute(
            f"SELECT pair, count(*) FROM {self.pairs} WHERE pair IN ({_marks(pairs)}) "
            "GROUP BY pair", pairs).fetchall()) if pairs else {}

    def members(self, pairs: list[str], words: list[str]) -> list[tuple[str, str]]:
        ids = ([f"SELECT customer_id FROM {self.pairs} WHERE pair IN ({_marks(pairs)})"]
               if pairs else [])
        ids += [f"SELECT customer_id FROM {self.names} WHERE token IN ({_marks(words)})"
                ] if words else []
        if not ids:
            return []
        return self.store.execute(
            f"SELECT customer_id, any_value(name) FROM {self.names} WHERE customer_id IN "
            f"({' UNION '.join(ids)}) GROUP BY customer_id ORDER BY customer_id",
            [*pairs, *words]).fetchall()


def _marks(values: list[Any]) -> str:
    return ", ".join("?" * len(values))


WORD_BLOCK_MAX = 5_000  # customers sharing the query's rarest word, read beside its pairs
PART_OF_NAME = 90.0  # the score of a query whose words are all in a longer name
NAME_BLOCK_ROWS = 5_000  # customers read by word pairs, rarer pairs first (one pair at least)
MAX_NAME_WORDS = 6  # words of a name query used to block (15 pairs at most)


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
