"""What the server remembers of custfocus's last export into a table, so that exporting the
same state again reads one row instead of scanning the table.

``custfocus_export_state`` (in the target's schema) holds, per table, the fingerprint of its
active rows' hashes (rows; sums of the hashes' high and low halves) as the last export left
them. A statement-level trigger on the target table, ``AFTER INSERT OR UPDATE OR DELETE OR
TRUNCATE``, deletes that row on any write to the table; custfocus's own writes fire it too,
and the export writes the row again last, in the same transaction. So a remembered
fingerprint is the table's own unless someone wrote to the table in a way no trigger sees:

- the trigger disabled, the rows edited, the trigger enabled again: enabling it rewrites its
  ``pg_trigger`` row, whose ``xmin`` the state holds, so the state no longer counts;
- a replica-mode session (``session_replication_role``: logical replication, pg_restore):
  the trigger is ``ENABLE ALWAYS``, so it fires there too;
- a rewrite by ``ALTER TABLE … TYPE … USING``: the table gets a new ``relfilenode``, which
  the state holds too;
- rows added to a table inheriting from the target (a scan of the target sees them): the
  state does not count while the target has children.

Where the trigger cannot be created (the exporting role does not own the table, or may not
create in the schema), nothing is remembered and every export scans the table, as before.
``DELETE FROM custfocus_export_state`` makes the next export of every table compare it in
full. The trigger's function is ``SECURITY DEFINER`` (its owner, the exporting role, may
delete from the state table; a role that only edits the target may not) with a fixed
``search_path``, and no role but its owner may call it.
"""

from __future__ import annotations

from typing import Any

STATE_TABLE = "custfocus_export_state"
TRIGGER = "custfocus_export_state"  # on each target table
FUNCTION = "custfocus_forget_export_state"

Fingerprint = tuple[int, int, int]


def remembered(conn: Any, table: str) -> Fingerprint | None:
    """The fingerprint the last export left in ``table``, if no write has touched the table
    since; None when there is none, or it cannot be trusted (see the module docstring).
    Call it with the table locked against writers."""
    import psycopg
    from psycopg import sql

    schema = _schema(conn)
    query = sql.SQL(
        "SELECT s.row_count, s.hash_high, s.hash_low FROM {state} s "
        "JOIN pg_class c ON c.oid = to_regclass(format('%%I.%%I', %s::text, s.table_name)) "
        "JOIN pg_trigger g ON g.tgrelid = c.oid AND g.tgname = %s "
        "WHERE s.table_name = %s AND s.relfilenode = c.relfilenode "
        "AND s.trigger_xmin = g.xmin::text AND g.tgenabled = 'A' AND NOT c.relhassubclass"
    ).format(state=sql.Identifier(schema, STATE_TABLE))
    if conn.execute("SELECT to_regclass(format('%%I.%%I', %s::text, %s::text))",
                    [schema, STATE_TABLE]).fetchone()[0] is None:
        return None
    try:
        with conn.transaction():  # a table of that name and another shape: not ours
            row = conn.execute(query, [schema, TRIGGER, table]).fetchone()
    except psycopg.Error:
        if conn.broken:
            raise
        return None
    return None if row is None else (int(row[0]), int(row[1]), int(row[2]))


def remember(conn: Any, table: str, fingerprint: Fingerprint) -> bool:
    """Record ``fingerprint`` as ``table``'s, creating the state table and the trigger when
    missing; False (and the transaction as it was) when the role may not create them.
    Call it last in the export's transaction, after its writes to ``table``."""
    import psycopg

    try:
        with conn.transaction():
            _ensure_trigger(conn, table)
            _write(conn, table, fingerprint)
    except psycopg.Error:
        if conn.broken:
            raise
        return False
    return True


def _schema(conn: Any) -> str:
    return str(conn.execute("SELECT current_schema()").fetchone()[0])


def _ensure_trigger(conn: Any, table: str) -> None:
    from psycopg import sql

    schema = _schema(conn)
    state = sql.Identifier(schema, STATE_TABLE)
    function = sql.Identifier(schema, FUNCTION)
    target = sql.Identifier(schema, table)
    conn.execute(sql.SQL(
        "CREATE TABLE IF NOT EXISTS {} (table_name text PRIMARY KEY, row_count bigint NOT NULL, "
        "hash_high bigint NOT NULL, hash_low bigint NOT NULL, relfilenode oid NOT NULL, "
        "trigger_xmin text NOT NULL, written_at timestamptz NOT NULL DEFAULT now())"
    ).format(state))
    if conn.execute("SELECT to_regprocedure(format('%%I.%%I()', %s::text, %s::text))",
                    [schema, FUNCTION]).fetchone()[0] is None:
        # The state table named in the function's text, qualified by the schema of the
        # table that fired it: whatever search_path the editing session has.
        conn.execute(sql.SQL(
            "CREATE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
            "SET search_path = pg_catalog, pg_temp AS $body$ BEGIN "
            "EXECUTE format('DELETE FROM %I.%I WHERE table_name = $1', TG_TABLE_SCHEMA, {}) "
            "USING TG_TABLE_NAME; RETURN NULL; END $body$").format(
                function, sql.Literal(STATE_TABLE)))
        conn.execute(sql.SQL("REVOKE ALL ON FUNCTION {}() FROM PUBLIC").format(function))
    enabled = conn.execute(
        "SELECT tgenabled FROM pg_trigger WHERE tgrelid = to_regclass(format('%%I.%%I', "
        "%s::text, %s::text)) AND tgname = %s", [schema, table, TRIGGER]).fetchone()
    if enabled is None:
        conn.execute(sql.SQL(
            "CREATE TRIGGER {} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {} "
            "FOR EACH STATEMENT EXECUTE FUNCTION {}()").format(
                sql.Identifier(TRIGGER), target, function))
    if enabled is None or enabled[0] != "A":
        conn.execute(sql.SQL("ALTER TABLE {} ENABLE ALWAYS TRIGGER {}").format(
            target, sql.Identifier(TRIGGER)))


def _write(conn: Any, table: str, fingerprint: Fingerprint) -> None:
    from psycopg import sql

    schema = _schema(conn)
    written = conn.execute(sql.SQL(
        "INSERT INTO {} AS s (table_name, row_count, hash_high, hash_low, relfilenode, "
        "trigger_xmin) SELECT %s, %s, %s, %s, c.relfilenode, g.xmin::text FROM pg_class c "
        "JOIN pg_trigger g ON g.tgrelid = c.oid AND g.tgname = %s "
        "WHERE c.oid = to_regclass(format('%%I.%%I', %s::text, %s::text)) "
        "ON CONFLICT (table_name) DO UPDATE SET row_count = excluded.row_count, "
        "hash_high = excluded.hash_high, hash_low = excluded.hash_low, "
        "relfilenode = excluded.relfilenode, trigger_xmin = excluded.trigger_xmin, "
        "written_at = now()").format(sql.Identifier(schema, STATE_TABLE)),
        [table, *fingerprint, TRIGGER, schema, table]).rowcount
    if written != 1:
        raise AssertionError(f"no state written for {table}")  # the trigger was just made
