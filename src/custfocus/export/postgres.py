"""The master, the cross-reference and the segments upserted into PostgreSQL.

``custfocus export master --to postgresql://…`` and ``[outputs] postgres`` in custfocus.toml
land here. Each export is one transaction on the server, and sends only what differs. Every
row of the table carries ``row_hash``, a hash of its exported values. The export reads the
table's keys, hashes and active flags back (one row of arrays), hashes its own rows in the
store (DuckDB) and compares: new rows are copied (``COPY``, CSV written by Arrow, no Python
loop per row) straight into the table; rows whose values changed, or that come back after
being retired, go through a temporary staging table and one ``UPDATE`` (guarded by ``IS
DISTINCT FROM``); the keys no longer exported (a customer retired by a merge, a source row
no longer imported) are marked ``active = false`` with ``retired_at`` set. So re-exporting
the same state sends and changes nothing (``updated_at`` stays put) and costs reading the
keys, not writing every row again. A table created by the export is loaded first and given
its primary key after (one sorted index build instead of a million inserts into it).
A row edited on the server by hand keeps its edit until custfocus's values for it change;
a row deleted by hand comes back.

Whether anything differs is decided first by a fingerprint (rows, and the sums of the row
hashes' halves), the store's against the table's. The store's is computed from the start,
while the connection opens. The table's is read from ``custfocus_export_state``, where
each export leaves it, and which a statement trigger on the table forgets on any write by
anyone else (see ``_postgres_state``); without it (a table the exporting role does not own)
the server scans the table for it. Why: an unchanged export of a million rows spent as
long scanning the table on the server as hashing the rows in the store, the two competing
for the same cores.

Why the password is masked everywhere: a connection string such as
``postgresql://crm:s3cret@db/crm`` is a setting like any other, and settings end up in error
messages, the run log and shell histories. Every message this module builds names the
server by :func:`describe_target` (user, host, port, database), never by the string itself,
and any text from the driver goes through :func:`mask_secret`. ``PGPASSWORD`` and
``~/.pgpass`` work because the string is handed to libpq unchanged.
"""

from __future__ import annotations

import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from custfocus.errors import StoreError, UsageError
from custfocus.store import Store

URL_PREFIXES = ("postgresql://", "postgres://")


@dataclass(frozen=True)
class TableSpec:
    """Where one export goes: the table's name and the columns that identify a row."""

    name: str
    key: tuple[str, ...]


TABLES: dict[str, TableSpec] = {
    "master": TableSpec("custfocus_master", ("customer_id",)),
    # ``part`` tells apart the rows of a source imported with --append (mode = "append"):
    # its imports all hold a row 2; 1 for the oldest active import, and always 1 otherwise.
    "xref": TableSpec("custfocus_xref", ("source", "part", "row")),
    "segments": TableSpec("custfocus_segments", ("customer_id",)),
}

# Bookkeeping columns every target table has after the exported ones.
BOOKKEEPING = (("active", "boolean NOT NULL DEFAULT true"),
               ("retired_at", "timestamptz"),
               ("updated_at", "timestamptz NOT NULL DEFAULT now()"))
MERGED_INTO = ("merged_into", "text")  # master only: the customer that absorbed a retired one
# Last of all: a hash of the exported values, so a re-export sends only rows that changed.
ROW_HASH = ("row_hash", "bigint")
# (rows, sum of the row hashes' high halves, sum of their low halves): see _Export.fingerprint.
Fingerprint = tuple[int, int, int]


@dataclass(frozen=True)
class PostgresExport:
    """What one export did to its table."""

    what: str
    table: str
    target: str  # the server, described without its password
    rows: int  # rows exported
    inserted: int
    updated: int
    retired: int

    @property
    def unchanged(self) -> int:
        return self.rows - self.inserted - self.updated


def is_postgres_url(text: str | None) -> bool:
    """True for ``postgresql://…`` and ``postgres://…`` connection strings."""
    return bool(text) and str(text).lower().startswith(URL_PREFIXES)


def describe_target(dsn: str) -> str:
    """The server a connection string points to, without its password.

    Example:
        >>> describe_target("postgresql://crm:s3cret@db.example.org:5433/sales")
        'postgresql://crm@db.example.org:5433/sales'
    """
    if not is_postgres_url(dsn):  # key=value form: keep the keys that say where
        fields = dict(re.findall(r"(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", dsn))
        where = " ".join(f"{k}={v}" for k, v in fields.items()
                         if k in ("host", "hostaddr", "port", "dbname", "user"))
        return where or "PostgreSQL (default server)"
    try:
        parts = urlsplit(dsn)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        user = f"{parts.username}@" if parts.username else ""
    except ValueError:  # a port that is no number: say no more than the scheme
        return "postgresql://(unreadable address)"
    return f"postgresql://{user}{host}{port}{parts.path}"


def mask_secret(text: str, dsn: str) -> str:
    """``text`` with the connection string's password (and the string itself) hidden.

    Example:
        >>> mask_secret("bad postgresql://a:pw@h/db (pw)", "postgresql://a:pw@h/db")
        'bad postgresql://a@h/db (***)'
    """
    text = text.replace(dsn, describe_target(dsn))
    for secret in _passwords(dsn):
        text = text.replace(secret, "***")
    return text


def _passwords(dsn: str) -> list[str]:
    from urllib.parse import unquote

    found = re.findall(r"password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]+)", dsn)
    found = [p.strip("'") for p in found]
    if is_postgres_url(dsn):
        try:
            password = urlsplit(dsn).password
        except ValueError:
            password = None
        if password:
            found += [password, unquote(password)]
    return sorted({p for p in found if p}, key=len, reverse=True)


def export_sql(store: Store, what: str, lang: str = "en") -> str:
    """The SQL (over the store's connection) of an export, from the same queries and frames
    the file export writes; the segments' frame is registered as ``_cf_pg_export``."""
    import pyarrow as pa

    if what not in TABLES:
        raise UsageError(f"'{what}' cannot be exported to PostgreSQL; choose one of "
                         f"{', '.join(TABLES)}")
    if what == "segments":
        from custfocus.segment import segments_frame

        store.con.register("_cf_pg_export", pa.Table.from_pandas(segments_frame(store, lang),
                                                                 preserve_index=False))
        return "SELECT * FROM _cf_pg_export"
    from custfocus.export import export_query

    query = export_query(store, what)
    return _with_part(query) if what == "xref" else query


def export_frame(store: Store, what: str, lang: str = "en") -> Any:
    """The Arrow table of an export (what :func:`export_sql` selects)."""
    return store.con.sql(export_sql(store, what, lang)).to_arrow_table()


def _with_part(xref_query: str) -> str:
    """The file export's cross-reference with the ``part`` column after ``source, row``."""
    head = "SELECT i.source, rr.row,"
    if head not in xref_query:  # the shared query changed shape: fail loudly in tests
        raise AssertionError("the xref query no longer starts with " + head)
    return xref_query.replace(head, head + " CAST(dense_rank() OVER (PARTITION BY i.source "
                              "ORDER BY rr.import_id) AS INTEGER) AS part,", 1)


def export_to_postgres(store: Store, what: str, dsn: str, lang: str = "en") -> PostgresExport:
    """Upsert one export (``master``, ``xref`` or ``segments``) into its PostgreSQL table.

    The table is created on first use (see the README for its columns). Rows are matched by
    key (customer id, or source, part and row for the cross-reference); rows no longer exported
    are marked ``active = false`` with ``retired_at``, and a master row retired by a merge
    gets ``merged_into``. Everything happens in one transaction: on any error the table is
    as it was.

    Raises:
        UsageError: psycopg is not installed, or ``what`` is not exportable.
        StoreError: the server cannot be reached, refuses the login, or holds a table of
            the same name with other columns (the message names the server, never the
            password).

    Example:
        >>> export_to_postgres(store, "master", "postgresql://crm@db/crm")  # doctest: +SKIP
        PostgresExport(what='master', table='custfocus_master', rows=812, inserted=812, ...)
    """
    if not is_postgres_url(dsn) and "=" not in dsn:
        raise UsageError("a PostgreSQL target is a connection string such as "
                         "postgresql://USER@HOST:5432/DB")
    query = export_sql(store, what, lang)  # refuses what has no table
    spec = TABLES[what]
    try:
        import psycopg
    except ModuleNotFoundError:
        raise UsageError("exporting to PostgreSQL needs psycopg: pip install "
                         "'custfocus[postgres]'") from None
    target = describe_target(dsn)
    export = _Export(store, query, spec)
    try:
        # The store hashes its rows from the start, while the connection opens and the
        # table is checked (DuckDB computes outside Python's lock); nothing else uses the
        # store's connection until the fingerprint is in.
        with ThreadPoolExecutor(1) as pool:
            local = pool.submit(export.fingerprint)
            with (psycopg.connect(dsn, connect_timeout=10, application_name="custfocus")
                  as conn, conn.transaction()):
                counts = _upsert(conn, spec, export, local, target)
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
        raise StoreError(f"PostgreSQL {target}: {mask_secret(first, dsn)}") from None
    finally:
        for name in ("_cf_pg_export", "_cf_pg_present", "_cf_pg_keys", "_cf_pg_send"):
            store.con.unregister(name)
    return PostgresExport(what=what, table=spec.name, target=target, **counts)


class _Export:
    """One export's rows in the store, hashed and compared there (DuckDB) with what the
    table holds, so that only the rows to send are ever read out in full."""

    def __init__(self, store: Store, query: str, spec: TableSpec):
        # Rows are matched by key, so their order does not matter, and sorting a million
        # wide rows cost twice the rest of the query.
        self.store, self.query, self.spec = store, _unordered(query), spec
        self.schema = store.con.sql(f"SELECT * FROM ({query}) LIMIT 0").to_arrow_table().schema
        self.names = list(self.schema.names)
        self._hashed: Any = None

    def _quoted(self, names: Any) -> str:
        return ", ".join(f'"{n}"' for n in names)

    def hashed(self) -> Any:
        """The export's keys and row hashes (Arrow), computed once."""
        if self._hashed is None:
            self._hashed = self.store.con.sql(
                f"SELECT {self._quoted(self.spec.key)}, "
                f"{self._hash_sql()} AS {ROW_HASH[0]} "
                f"FROM ({self.query})").to_arrow_table()
            self.store.con.register("_cf_pg_keys", self._hashed)
        return self._hashed

    def _hash_sql(self) -> str:
        """DuckDB's 64-bit hash of the row, shifted into PostgreSQL's signed bigint."""
        return (f"CAST(CAST(hash({self._quoted(self.names)}) AS HUGEINT) "
                f"- 9223372036854775808 AS BIGINT)")

    def fingerprint(self) -> Fingerprint:
        """(rows, sum of the row hashes' high halves, sum of their low halves), straight
        from the store's rows: equal to the table's (:func:`_table_fingerprint`) when its
        active rows are exactly the export's."""
        rows, high, low = self.store.con.execute(
            f"SELECT count(*), sum(h >> 32), sum((h & 4294967295) - 2147483648) "
            f"FROM (SELECT {self._hash_sql()} AS h FROM ({self.query}))").fetchall()[0]
        return int(rows), int(high or 0), int(low or 0)

    def compare(self, present: Any) -> tuple[int, Any, Any, Any]:
        """(rows exported, rows to insert, rows to update, keys to retire).

        The row hash is DuckDB's 64-bit hash of the row's values (NULL and the text "NULL"
        differ; a change that keeps the hash is a 1 in 2^64 chance per changed row); a row
        whose hash the table holds, active, is neither read out nor sent. A DuckDB release
        that hashes differently costs one export that rewrites every row, nothing more.
        Why not compare on the server: sending a million unchanged rows to find that none
        changed cost as much as the first export.
        """
        import pyarrow as pa

        con = self.store.con
        con.register("_cf_pg_present", present)
        hashed = self.hashed()
        on = " AND ".join(f'h."{k}" = p."{k}"' for k in self.spec.key)
        verdict = con.sql(
            f"SELECT h.*, CASE WHEN p.{ROW_HASH[0]} IS NULL AND p.active IS NULL THEN 'new' "
            f"ELSE 'changed' END AS verdict FROM _cf_pg_keys h LEFT JOIN _cf_pg_present p "
            f"ON {on} WHERE p.active IS NULL OR NOT p.active "
            f"OR p.{ROW_HASH[0]} IS DISTINCT FROM h.{ROW_HASH[0]}").to_arrow_table()
        gone = con.sql(f"SELECT {', '.join('p.' + chr(34) + k + chr(34) for k in self.spec.key)}"
                       f" FROM _cf_pg_present p ANTI JOIN _cf_pg_keys h ON {on} "
                       f"WHERE p.active ORDER BY ALL").to_arrow_table()
        con.register("_cf_pg_send", verdict)
        on_send = " AND ".join(f'e."{k}" = s."{k}"' for k in self.spec.key)
        counts = dict(con.sql("SELECT verdict, count(*) FROM _cf_pg_send GROUP BY ALL"
                              ).fetchall())

        def rows(kind: str) -> Any:
            if not counts.get(kind):
                return pa.table({})  # nothing to send
            return con.sql(f"SELECT e.*, s.{ROW_HASH[0]} FROM ({self.query}) e "
                           f"JOIN _cf_pg_send s ON {on_send} WHERE s.verdict = '{kind}'"
                           ).to_arrow_table()

        return hashed.num_rows, rows("new"), rows("changed"), gone


def _unordered(query: str) -> str:
    """``query`` without its closing ORDER BY (one inside a window or subquery stays)."""
    return re.sub(r"\s+ORDER\s+BY\s+[^()]*$", "", query.strip(), flags=re.IGNORECASE)


def _upsert(conn: Any, spec: TableSpec, export: _Export, local: Future[Fingerprint],
            target: str) -> dict[str, int]:
    """Send only what differs: the table's keys and row hashes come back from the server,
    DuckDB compares them with the export's, and new rows are copied straight into the table,
    changed (or returning) rows through a staging table, retired keys through another.
    ``local`` is the export's fingerprint, being computed."""
    from psycopg import sql

    from custfocus.export import _postgres_state as state

    columns = [(name, pg_type(export.schema.field(name).type)) for name in export.names]
    extra = [*BOOKKEEPING, *([MERGED_INTO] if spec.name == TABLES["master"].name else []),
             ROW_HASH]
    # The staging table takes the types of the table present: a column that was all empty
    # at the first export (text) then stays text and COPY reads later values into it.
    columns, created = _ensure_table(conn, spec, columns, extra, target)
    table = sql.Identifier(spec.name)
    conn.execute(sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(table))
    # The table's fingerprint: as the last export left it, when no write has touched the
    # table since (one row read); else from a scan, while the store still hashes.
    remote = None if created else state.remembered(conn, spec.name)
    known = remote is not None
    if not created and not known:
        remote = _table_fingerprint(conn, spec)
    fingerprint = local.result()
    if remote == fingerprint:
        # The active rows hold exactly the export's row hashes (each hashes its key too):
        # nothing to send, and no key to read back.
        if not known:
            state.remember(conn, spec.name, fingerprint)
        return {"rows": fingerprint[0], "inserted": 0, "updated": 0, "retired": 0}
    rows, new, changed, gone = export.compare(_present_hashes(conn, spec, export.schema))
    names = [sql.Identifier(n) for n, _ in columns] + [sql.Identifier(ROW_HASH[0])]
    # A table created by this transaction: rows frozen as loaded (nobody else can see
    # them before the commit) and the primary key built once, after, by sorting.
    freeze = sql.SQL(", FREEZE true" if created else "")
    binary = _binary_rows(new, [*columns, ROW_HASH])
    if binary is not None:
        _copy_binary(conn, sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT binary{})").format(
            table, sql.SQL(", ").join(names), freeze), binary)
    else:
        _copy(conn, sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv{})").format(
            table, sql.SQL(", ").join(names), freeze), new)
    if created:
        conn.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY ({})").format(
            table, sql.SQL(", ").join(sql.Identifier(k) for k in spec.key)))
    updated = _update_changed(conn, spec, columns, extra, changed) if changed.num_rows else 0
    retired = _retire(conn, spec, gone) if gone.num_rows else []
    merges = _merged_into(export.store) if retired and spec == TABLES["master"] else {}
    if merges:
        with conn.cursor() as cur:
            cur.executemany(sql.SQL("UPDATE {} SET merged_into = %s WHERE customer_id = %s"
                                    ).format(table),
                            [(merges[cid], cid) for cid in retired if cid in merges])
    # Now the active rows hold exactly the export's row hashes: the fingerprint is theirs.
    state.remember(conn, spec.name, fingerprint)
    return {"rows": rows, "inserted": new.num_rows, "updated": updated,
            "retired": len(retired)}


def _table_fingerprint(conn: Any, spec: TableSpec) -> Fingerprint | None:
    """The fingerprint of :meth:`_Export.fingerprint` over the table's active rows (one
    scan on the server, three numbers back); None when a row has no hash yet.

    Two sets of 64-bit hashes of the same size whose high and low halves have the same
    sums are the same set, barring a coincidence of the order of two rows sharing a hash
    (for changes that are not made to collide); and since a row's hash covers its key,
    the same hashes mean the same keys with the same values."""
    from psycopg import sql

    digest = sql.Identifier(ROW_HASH[0])
    # Halves as 4-byte integers: PostgreSQL sums those in 8 bytes, 8-byte ones in numeric.
    rows, hashed, high, low = conn.execute(sql.SQL(
        "SELECT count(*), count({d}), sum(({d} >> 32)::int), "
        "sum((({d} & 4294967295) - 2147483648)::int) FROM {t} WHERE active").format(
            d=digest, t=sql.Identifier(spec.name))).fetchone()
    if rows != hashed:
        return None
    return int(rows), int(high or 0), int(low or 0)


def _present_hashes(conn: Any, spec: TableSpec, schema: Any) -> Any:
    """The table's keys, row hashes and active flags, as an Arrow table. The server writes
    them as one CSV text (``string_agg``) that Arrow parses: a COPY out returns a message
    per row, and arrays come back as Python lists; for a million rows either cost more
    than the rest of an unchanged export."""
    import io

    import pyarrow as pa
    import pyarrow.csv as pacsv
    from psycopg import sql

    names = [*spec.key, ROW_HASH[0], "active"]
    types = {k: schema.field(k).type for k in spec.key}
    types |= {ROW_HASH[0]: pa.int64(), "active": pa.bool_()}

    def field(name: str) -> Any:
        # Text quoted as CSV does it; NULL (only a row hash can be) stays an empty field.
        column = sql.Identifier(name)
        if pa.types.is_string(types[name]) or pa.types.is_large_string(types[name]):
            return sql.SQL("""'"' || replace({}::text, '"', '""') || '"'""").format(column)
        return sql.SQL("coalesce({}::text, '')").format(column)

    line = sql.SQL(" || ',' || ").join(
        [field(n) for n in spec.key] + [
            sql.SQL("coalesce({}::text, '')").format(sql.Identifier(ROW_HASH[0])),
            sql.SQL("CASE WHEN active THEN 't' ELSE 'f' END")])
    # In 16 parts, so that no one text nears PostgreSQL's 1 GB limit on a value.
    parts = conn.execute(sql.SQL(
        "SELECT string_agg({}, E'\\n') FROM {} GROUP BY hashtext({}::text) & 15").format(
            line, sql.Identifier(spec.name), sql.Identifier(spec.key[0]))).fetchall()
    text = "\n".join(part for (part,) in parts if part)
    if not text:
        return pa.table({n: pa.array([], types[n]) for n in names})
    return pacsv.read_csv(io.BytesIO(text.encode("utf-8")),
                          pacsv.ReadOptions(column_names=names),
                          pacsv.ParseOptions(newlines_in_values=True),
                          pacsv.ConvertOptions(
                              column_types=types, true_values=["t"], false_values=["f"],
                              strings_can_be_null=True, quoted_strings_can_be_null=False))


def _update_changed(conn: Any, spec: TableSpec, columns: list[tuple[str, str]],
                    extra: list[tuple[str, str]], changed: Any) -> int:
    """Update the rows whose hash differs, through a staging table; count only those whose
    values differ (a hash missing from a table of an earlier version is filled silently)."""
    from psycopg import sql

    names = [sql.Identifier(n) for n, _ in columns]
    digest = sql.Identifier(ROW_HASH[0])
    conn.execute(sql.SQL("CREATE TEMP TABLE _custfocus_stage ({}, {} bigint) ON COMMIT DROP"
                         ).format(sql.SQL(", ").join(sql.SQL("{} {}").format(n, sql.SQL(t))
                                                     for n, (_, t) in zip(names, columns)),
                                  digest))
    _copy(conn, sql.SQL("COPY _custfocus_stage ({}) FROM STDIN WITH (FORMAT csv)").format(
        sql.SQL(", ").join([*names, digest])), changed)
    conn.execute("ANALYZE _custfocus_stage")  # temporary tables get no statistics otherwise
    table = sql.Identifier(spec.name)
    match = sql.SQL(" AND ").join(sql.SQL("s.{k} = t.{k}").format(k=sql.Identifier(k))
                                  for k in spec.key)
    values = [n for n, (c, _) in zip(names, columns) if c not in spec.key]
    differs = sql.SQL("({}) IS DISTINCT FROM ({})").format(
        sql.SQL(", ").join(sql.SQL("t.{}").format(n) for n in values),
        sql.SQL(", ").join(sql.SQL("s.{}").format(n) for n in values)) if values \
        else sql.SQL("false")
    assign = sql.SQL("").join(sql.SQL("{} = s.{}, ").format(n, n) for n in values)
    reset = sql.SQL(", merged_into = NULL") if MERGED_INTO in extra else sql.SQL("")
    updated = conn.execute(sql.SQL(
        "UPDATE {table} AS t SET {assign}{digest} = s.{digest}, active = true, "
        "retired_at = NULL, updated_at = now(){reset} FROM _custfocus_stage s "
        "WHERE {match} AND ({differs} OR NOT t.active)").format(
            table=table, assign=assign, digest=digest, reset=reset, match=match,
            differs=differs)).rowcount
    conn.execute(sql.SQL("UPDATE {table} AS t SET {digest} = s.{digest} FROM _custfocus_stage s "
                         "WHERE {match} AND t.{digest} IS DISTINCT FROM s.{digest}").format(
        table=table, digest=digest, match=match))
    return int(updated)


def _retire(conn: Any, spec: TableSpec, gone: Any) -> list[Any]:
    """Mark the rows of ``gone``'s keys retired; their first key column, for merges."""
    from psycopg import sql

    keys = [sql.Identifier(k) for k in spec.key]
    conn.execute(sql.SQL("CREATE TEMP TABLE _custfocus_gone AS SELECT {} FROM {} WITH NO DATA"
                         ).format(sql.SQL(", ").join(keys), sql.Identifier(spec.name)))
    _copy(conn, sql.SQL("COPY _custfocus_gone ({}) FROM STDIN WITH (FORMAT csv)").format(
        sql.SQL(", ").join(keys)), gone)
    rows = conn.execute(sql.SQL(
        "UPDATE {table} AS t SET active = false, retired_at = now(), updated_at = now() "
        "FROM _custfocus_gone s WHERE {match} RETURNING t.{first}").format(
            table=sql.Identifier(spec.name), first=keys[0],
            match=sql.SQL(" AND ").join(sql.SQL("s.{k} = t.{k}").format(k=k) for k in keys))
    ).fetchall()
    conn.execute("DROP TABLE _custfocus_gone")
    return [r[0] for r in rows]


def _ensure_table(conn: Any, spec: TableSpec, columns: list[tuple[str, str]],
                  extra: list[tuple[str, str]],
                  target: str) -> tuple[list[tuple[str, str]], bool]:
    """Create the table, or check that the one present has exactly the expected columns;
    returns the exported columns with the types the table has, and whether it was created
    (then without its primary key, which the caller adds once the rows are in). A table
    of the first version (no row hash) gets the column: its rows are then compared once
    by value."""
    from psycopg import sql

    present = conn.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "WHERE a.attrelid = to_regclass(format('%%I.%%I', current_schema(), %s::text)) "
        "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", [spec.name]).fetchall()
    wanted = [name for name, _ in (*columns, *extra)]
    if present:
        names = [r[0] for r in present]
        if names == wanted[:-1] and wanted[-1] == ROW_HASH[0]:
            conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} bigint").format(
                sql.Identifier(spec.name), sql.Identifier(ROW_HASH[0])))
        elif names != wanted:
            raise StoreError(f"PostgreSQL {target}: table {spec.name} already exists with "
                             f"other columns; drop or rename it, or export to another schema "
                             f"(options=-csearch_path=...)")
        return [(str(name), str(kind)) for name, kind in present[:len(columns)]], False
    definition = [sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(t))
                  for n, t in (*columns, *extra)]
    conn.execute(sql.SQL("CREATE TABLE {} ({})").format(
        sql.Identifier(spec.name), sql.SQL(", ").join(definition)))
    return columns, True


def _copy(conn: Any, statement: Any, data: Any) -> None:
    """``data`` through a ``COPY … FROM STDIN (FORMAT csv)`` as CSV written by Arrow
    (quoted "" is an empty text, an unquoted empty field is NULL, as COPY reads them)."""
    import io

    import pyarrow.csv as pacsv

    if not data.num_rows:
        return
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for batch in data.to_batches(max_chunksize=50_000):
            buffer = io.BytesIO()
            pacsv.write_csv(batch, buffer, pacsv.WriteOptions(include_header=False))
            copy.write(buffer.getvalue())


# The PostgreSQL types COPY's binary form is written for (by pgpq), and their Arrow types.
_BINARY_TYPES = {"text": "string", "integer": "int32", "bigint": "int64", "smallint": "int16",
                 "double precision": "float64", "boolean": "bool_", "date": "date32",
                 "timestamp without time zone": "timestamp", "timestamp with time zone":
                 "timestamp"}


def _binary_rows(data: Any, columns: list[tuple[str, str]]) -> Any:
    """``data`` cast to the Arrow types whose binary form the table's columns read, or None
    when pgpq is not installed or a column has another type (then CSV is sent). Why binary:
    the server parses no text, and a first export of a million rows took half the time."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not data.num_rows:
        return None
    try:
        import pgpq  # noqa: F401
    except ModuleNotFoundError:
        return None
    arrays = []
    for (_, kind), column in zip(columns, data.columns):
        wanted = _BINARY_TYPES.get(kind)
        if wanted is None:
            return None
        target = pa.timestamp("us") if wanted == "timestamp" else getattr(pa, wanted)()
        if column.type != target:
            if pa.types.is_timestamp(column.type) and wanted == "timestamp":
                target = pa.timestamp("us", tz=column.type.tz)
            try:
                column = pc.cast(column, target)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                return None
        arrays.append(column)
    return pa.table(arrays, names=[name for name, _ in columns])


def _copy_binary(conn: Any, statement: Any, data: Any) -> None:
    """``data`` through a ``COPY … FROM STDIN (FORMAT binary)``, encoded by pgpq."""
    from pgpq import ArrowToPostgresBinaryEncoder

    encoder = ArrowToPostgresBinaryEncoder(data.schema)
    with conn.cursor() as cur, cur.copy(statement) as copy:
        copy.write(encoder.write_header())
        for batch in data.to_batches(max_chunksize=50_000):
            copy.write(encoder.write_batch(batch))
        copy.write(encoder.finish())


def pg_type(arrow_type: Any) -> str:
    """The PostgreSQL column type of an Arrow type (text for anything unusual)."""
    import pyarrow as pa

    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type):
        return "integer" if arrow_type.bit_width <= 16 or (
            arrow_type.bit_width == 32 and pa.types.is_signed_integer(arrow_type)) else "bigint"
    if pa.types.is_floating(arrow_type):
        return "double precision"
    if pa.types.is_decimal(arrow_type):
        return "numeric"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "timestamptz" if arrow_type.tz else "timestamp"
    return "text"


def _merged_into(store: Store) -> dict[str, str]:
    """Old id -> the customer that absorbed it, from the store's merge events (latest wins)."""
    merged: dict[str, str] = {}
    for customer_id, others in store.execute(
            "SELECT customer_id, other_ids FROM customer_events WHERE kind = 'merge' "
            "AND customer_id IS NOT NULL ORDER BY event_time, run_id").fetchall():
        for other in others or []:
            merged[other] = customer_id
    return merged


__all__ = ["TABLES", "PostgresExport", "describe_target", "export_frame", "export_sql",
           "export_to_postgres", "is_postgres_url", "mask_secret", "pg_type"]
