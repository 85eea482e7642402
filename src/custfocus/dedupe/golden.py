"""Golden record: one best value per field per customer, with where it came from.

Survivorship per field group, computed in DuckDB: valid values beat invalid ones, then the
configured rule — ``recent`` (most recently updated record; the default), ``frequent``
(the value most records agree on) or a source priority list — then, among equals, the
fuller name (more words, the accents kept, longer). Fields that travel together (the parts
of a name, of an address) survive together. Every other value seen is kept as an
alternate, so nothing is lost.

A record's date is its own (updated, else last contact, else created): the day a file was
imported says nothing about when its data was true, so a record without a date of its own
never counts as the most recent, and ``first_seen``/``last_seen`` are record dates (NULL
when no record of the customer has one).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from custfocus.config import setting_default
from custfocus.store import Store

# group -> (columns that survive together, validity expression)
FIELD_GROUPS: dict[str, tuple[tuple[str, ...], str]] = {
    "name": (("given_name", "family_name", "full_name"),
             "full_name IS NOT NULL AND NOT coalesce(name_placeholder, false)"),
    "company": (("company",), "company IS NOT NULL"),
    "email": (("email",), "email IS NOT NULL AND coalesce(email_valid, false) "
              "AND NOT coalesce(email_placeholder, false)"),
    "phone": (("phone_e164",), "phone_e164 IS NOT NULL AND coalesce(phone_valid, false)"),
    "phone2": (("phone2_e164",), "phone2_e164 IS NOT NULL AND coalesce(phone2_valid, false)"),
    "national_id": (("national_id", "national_id_kind"),
                    "national_id IS NOT NULL AND coalesce(national_id_valid, false)"),
    "address": (("street", "house_number", "postal_code", "city", "region"),
                "street IS NOT NULL OR city IS NOT NULL OR postal_code IS NOT NULL"),
    "country": (("country",), "country IS NOT NULL"),
    "birth_date": (("birth_date",), "birth_date IS NOT NULL"),
    "account_code": (("account_code",), "account_code IS NOT NULL"),
    "opt_in": (("opt_in",), "opt_in IS NOT NULL"),
}
# Weakly valid fallbacks: an invalid e-mail is better than none, but never preferred.
_FALLBACK_PRESENT = {"email": "email IS NOT NULL", "phone": "phone_e164 IS NOT NULL",
                     "phone2": "phone2_e164 IS NOT NULL",
                     "national_id": "national_id IS NOT NULL"}


@dataclass
class Survivorship:
    """How the golden value of each field group is chosen."""

    # The defaults are the [match] settings' (declared once, in custfocus.config).
    default_rule: str = field(default_factory=lambda: setting_default("match.survivorship"))
    rules: dict[str, str] = field(default_factory=dict)
    source_priority: list[str] = field(
        default_factory=lambda: setting_default("match.source_priority"))


def build_golden_records(store: Store, run_id: int, survivorship: Survivorship | None = None,
                         only: str | None = None) -> int:
    """Rebuild the ``customers`` table from ``record_customer``; returns the customer count.

    ``only``: a table (or view) with a ``customer_id`` column: rebuild just those customers
    (the ones whose records changed) and drop those of them that no longer have records.

    How: the members to rebuild are listed once with their record counts. In a full build,
    customers of a single record (nearly half of them at 1M) are written straight from that
    record, the row the aggregation would give them without aggregating. The others are built in parts,
    each part's rows (only the columns survivorship reads) materialised once and read by the
    survivor, count and alternates aggregates. Why: at 1M customers the former query per
    part joined every column of every record and materialised that wide join; the
    aggregation itself was the smaller cost.
    """
    plan = _Plan(survivorship or Survivorship(),
                 (store.query_value("SELECT max(record_id) FROM records") or 0) < _ID_LIMIT)
    chosen = f"customer_id IN (SELECT customer_id FROM {only})" if only else "true"
    store.execute("DELETE FROM customers" + (f" WHERE {chosen}" if only else ""))
    # n decides the path; the hash of the id, computed once here, decides the part.
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _cf_golden_members AS
        SELECT record_id, customer_id, count(*) OVER (PARTITION BY customer_id) AS n,
               hash(customer_id) AS bucket
        FROM record_customer WHERE {chosen}
    """)
    # A few customers (``only``) are built by the general query alone: planning the
    # single-record query too (30-45 ms) cost more than it saved on a few thousand rows.
    aggregate_from = 1 if only else _AGGREGATE_FROM
    try:
        if aggregate_from > 1:
            store.execute(f"INSERT INTO customers ({_COLUMNS}) "
                          f"{plan.singles(run_id, f'm.n < {aggregate_from}')}")
        records = int(store.query_value(
            f"SELECT count(*) FROM _cf_golden_members WHERE n >= {aggregate_from}"))
        # Customers are independent: built in parts of about PART_RECORDS records each, the
        # per-customer aggregates of a million customers fit in DuckDB's memory without
        # spilling.
        parts = -(-records // PART_RECORDS)
        for part in range(parts):
            chosen_part = f"m.n >= {aggregate_from} AND m.bucket % {parts} = {part}"
            store.execute(f"INSERT INTO customers ({_COLUMNS}) "
                          f"{plan.multiple(run_id, chosen_part)}")
    finally:
        with contextlib.suppress(Exception):  # never mask the build's own error
            store.execute("DROP TABLE IF EXISTS _cf_golden_members")
    return int(store.query_value("SELECT count(*) FROM customers"))


PART_RECORDS = 500_000
_AGGREGATE_FROM = 2  # customers with fewer records take the direct single-record path
# The one-number survivor key, from the top: validity (bit 62), the rule's rank (18 bits),
# the fullness of the value (10 bits), the record id (34 bits, inverted: lowest wins).
_ID_LIMIT = 2 ** 34  # record ids below this fit the one-number survivor key
_FULLNESS_LIMIT = 2 ** 10
_RANK_OFFSET = 2 ** 17  # ranks (days since 1970, counts, priorities) clamped to +-this
# An undated record's rank under ``recent``: below every date.
_UNDATED = -_RANK_OFFSET
# The flags the validity tests of FIELD_GROUPS read, besides the field columns themselves.
_FLAG_COLUMNS = ("name_placeholder", "email_valid", "email_placeholder", "phone_valid",
                 "phone2_valid", "national_id_valid")


def _golden_name(column: str) -> str:
    return {"phone_e164": "phone", "phone2_e164": "phone2"}.get(column, column)


_GOLDEN = [c for columns, _ in FIELD_GROUPS.values() for c in columns]
_COLUMNS = ", ".join(["customer_id", "records", "sources", "units",
                      *(_golden_name(c) for c in _GOLDEN),
                      "first_seen", "last_seen", "provenance", "alternates", "updated_run"])


def _rows(where: str) -> str:
    """The records of the chosen members, with only the columns survivorship reads.

    Why not ``records.*``: a part used to re-read and re-join every column of every record
    (a wide intermediate that cost more than the survivorship itself).
    """
    columns = ", ".join(f"rec.{c}" for c in (
        "record_id", "source", "row", "unit", *_GOLDEN, *_FLAG_COLUMNS, "created_date"))
    return f"""
        SELECT m.customer_id, {columns},
               coalesce(rec.updated_date, rec.last_contact_date, rec.created_date) AS recency
        FROM records rec
        JOIN _cf_golden_members m USING (record_id)
        WHERE {where}
    """


def _fullness(group: str) -> str:
    """How full a record's value of ``group`` is, 0 to _FULLNESS_LIMIT - 1: the tie-break
    among equally valid, equally ranked values.

    For a name: its words (both surnames beat one), then its accented letters ("José" kept
    beats "Jose" folded by some system), then its length ("Daniel" beats "Dani"); 3, 2 and
    5 bits. Other groups have no fuller value: 0.
    """
    if group != "name":
        return "0"
    words = "(length(trim(full_name)) - length(replace(trim(full_name), ' ', '')))"
    accents = "(length(full_name) - length(regexp_replace(full_name, '[^[:ascii:]]', '', 'g')))"
    return (f"coalesce(least({words}, 7) * 128 + least({accents}, 3) * 32 "
            f"+ least(length(full_name), 31), 0)")


def _present(group: str) -> str:
    """Whether a record has a value for ``group`` at all (valid or weakly valid)."""
    return _FALLBACK_PRESENT.get(group, FIELD_GROUPS[group][1])


def _json_value(column: str) -> str:
    """A value as JSON text, as it appears in the alternates."""
    return f"coalesce(CAST(to_json({column}) AS VARCHAR), 'null')"


class _Plan:
    """The SQL of the survivorship rules: one query for single-record customers, one for a
    part of the others. Both give the same row a customer of one record would get from the
    general query; the single-record one only skips the aggregation."""

    def __init__(self, surv: Survivorship, scalar: bool):
        priority = " ".join(
            f"WHEN source LIKE '{src.replace(chr(39), '')}%' THEN {i}"
            for i, src in enumerate(surv.source_priority)
        )
        self.priority = f"CASE {priority} ELSE 1000 END" if priority else "0"
        self.rules = {group: surv.rules.get(group, surv.default_rule) for group in FIELD_GROUPS}
        self.scalar = scalar

    def key(self, group: str, frequency: str) -> str:
        """The survivor key of a record for ``group``: valid first, then the rule's rank
        (an undated record ranks below every dated one under ``recent``), then the fuller
        value, then the lowest record id.

        As one BIGINT with the same order as struct_pack(v, r, f, i) when record ids allow:
        comparing one number per row is several times cheaper than comparing structs.
        ``frequency``: how many of the customer's records share this record's value.
        """
        valid = FIELD_GROUPS[group][1]
        rule = self.rules[group]
        if rule == "frequent":
            rank = frequency
        elif rule == "source_priority":
            rank = f"-({self.priority})"
        else:
            rank = f"coalesce(recency - DATE '1970-01-01', {_UNDATED})"
        full = _fullness(group)
        if self.scalar:
            clamped = f"greatest(least(({rank}), {_RANK_OFFSET - 1}), {-_RANK_OFFSET})"
            return (f"(({valid})::BIGINT * {2 ** 62} + ({clamped} + {_RANK_OFFSET}) * "
                    f"{_ID_LIMIT * _FULLNESS_LIMIT} + ({full}) * {_ID_LIMIT} "
                    f"+ ({_ID_LIMIT - 1} - record_id))")
        return (f"struct_pack(v := ({valid})::INT, r := ({rank})::BIGINT, f := {full}, "
                f"i := -record_id)")

    def singles(self, run_id: int, where: str) -> str:
        """Customers of one record: every value, provenance and alternate is that record's.

        The aggregates of the general query reduce to: a field group's values when the
        record has it (``arg_max`` skips a NULL key: the recency can be NULL), the record's
        source and row as provenance, and a one-element array per group it has.
        """
        values, provenance, alternates = [], [], []
        for group, (columns, _) in FIELD_GROUPS.items():
            present = _present(group)
            survives = f"{present} AND {self.key(group, '1')} IS NOT NULL"
            values += [f"CASE WHEN {survives} THEN {c} END" for c in columns]
            provenance.append(f"'{group}', CASE WHEN {survives} THEN "
                              f"struct_pack(source := source, row := row) END")
            alternates.append(f"'{group}', CASE WHEN {present} THEN "
                              f"CAST('[' || {_json_value(columns[0])} || ']' AS JSON) END")
        return f"""
            SELECT customer_id, 1, (source IS NOT NULL)::INT, (unit IS NOT NULL)::INT,
                   {', '.join(values)},
                   coalesce(created_date, recency), recency,
                   json_object({', '.join(provenance)}),
                   json_object({', '.join(alternates)}), {int(run_id)}
            FROM ({_rows(where)})
        """

    def multiple(self, run_id: int, where: str) -> str:
        """Customers of several records: those of the members ``where`` chooses.

        Their rows are materialised once, for the query only: a temporary table per part
        would stay in memory until the transaction ends, even when replaced or dropped.

        The provenance of a group is the source and row of its survivor, taken as one
        number (source code * 2^32 + row) by ``arg_max``: several times cheaper than the
        ``arg_max`` of a struct. The distinct sources and units are counted on the part's
        rows apart: ``count(DISTINCT)`` in the survivor aggregate made DuckDB materialise
        all of its wide input once more for the distinct aggregates.

        Alternates: every distinct value (as JSON text) a group has among the customer's
        records, sorted (in DuckDB's thread order two runs on the same data could list them
        differently). Sorted per customer and group, where one or two values (99.7% of them
        at 1M) need no sort: min and max; more are joined with NUL (JSON text escapes it, so
        it cannot occur in a value), split and sorted. ``string_agg(v, ',' ORDER BY v)``,
        the same text, made the whole build about 25% slower; a list aggregate about 10%.

        ``frequent``: how many of the customer's records share a record's value (NULL is a
        value too) is counted on (customer, value) and joined back: a window per group
        would sort every wide row once per group.
        """
        frequent = [group for group in FIELD_GROUPS if self.rules[group] == "frequent"]
        keys, values, winners, provenance, seen, arrays = [], [], [], [], [], []
        for number, (group, (columns, _)) in enumerate(FIELD_GROUPS.items()):
            present = _present(group)
            # NULL unless the record has the group: arg_max skips NULL keys, which is the
            # FILTER (WHERE present) of the survivor, without a filter per aggregate.
            keys.append(f"CASE WHEN {present} THEN {self.key(group, f'freq_{group}')} END "
                        f"AS key_{group}")
            values += [f"arg_max({c}, key_{group}) AS {_golden_name(c)}" for c in columns]
            winners.append(f"arg_max(source_row, key_{group}) AS from_{group}")
            provenance.append(
                f"'{group}', CASE WHEN from_{group} IS NOT NULL THEN struct_pack("
                f"source := names[from_{group} // {2 ** 32}], "
                f"row := (from_{group} % {2 ** 32} - {2 ** 31})::INTEGER) END")
            seen.append(f"SELECT customer_id, {number} AS g, {_json_value(columns[0])} AS v "
                        f"FROM part_rows WHERE {present}")
            arrays.append(f"'{group}', CAST(any_value(arr) FILTER (WHERE g = {number}) AS JSON)")
        frequencies = "".join(
            f"""
                JOIN (SELECT customer_id, {FIELD_GROUPS[group][0][0]} AS value,
                             count(*) AS freq_{group}
                      FROM part_rows GROUP BY ALL) f_{group}
                  ON f_{group}.customer_id = r.customer_id
                 AND f_{group}.value IS NOT DISTINCT FROM r.{FIELD_GROUPS[group][0][0]}"""
            for group in frequent)
        return f"""
            WITH part_rows AS MATERIALIZED ({_rows(where)}),
            sources AS (
                SELECT source, row_number() OVER (ORDER BY source) AS code
                FROM (SELECT DISTINCT source FROM part_rows)
            ),
            ranked AS (
                SELECT r.*, coalesce(s.code, 0) * {2 ** 32} + (r.row + {2 ** 31}) AS source_row
                       {"".join(f", freq_{group}" for group in frequent)}
                FROM part_rows r LEFT JOIN sources s ON s.source = r.source {frequencies}
            ),
            keyed AS (SELECT *, {', '.join(keys)} FROM ranked),
            golden AS (
                SELECT customer_id, count(*) AS records, {', '.join(values)},
                       min(coalesce(created_date, recency)) AS first_seen,
                       max(recency) AS last_seen, {', '.join(winners)}
                FROM keyed GROUP BY customer_id
            ),
            counts AS (
                SELECT customer_id, count(DISTINCT source) AS sources,
                       count(DISTINCT unit) AS units
                FROM part_rows GROUP BY customer_id
            ),
            lists AS (
                SELECT customer_id, g, '[' || CASE count(*)
                           WHEN 1 THEN min(v) WHEN 2 THEN min(v) || ',' || max(v)
                           ELSE array_to_string(list_sort(string_split(
                               string_agg(v, chr(0)), chr(0))), ',') END || ']' AS arr
                FROM (SELECT DISTINCT * FROM ({' UNION ALL '.join(seen)}))
                GROUP BY customer_id, g
            ),
            alternates AS (
                SELECT customer_id, json_object({', '.join(arrays)}) AS alternates
                FROM lists GROUP BY customer_id
            )
            SELECT customer_id, records, sources, units,
                   {', '.join(_golden_name(c) for c in _GOLDEN)}, first_seen, last_seen,
                   json_object({', '.join(provenance)}),
                   coalesce(alternates, json_object({', '.join(
                       f"'{group}', NULL" for group in FIELD_GROUPS)})), {int(run_id)}
            FROM golden JOIN counts USING (customer_id)
                 LEFT JOIN alternates USING (customer_id),
                 (SELECT list(source ORDER BY code) AS names FROM sources)
        """
