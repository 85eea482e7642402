"""Load records for matching, derive comparison-ready columns, and collapse exact repeats.

Why collapse: a support export repeats the customer on every ticket. Records whose identity
is identical after normalisation *and* carries a strong identifier are compared once; records
with nothing strong (a bare name and a city) are never collapsed, because namesakes exist.

How: the collapse runs in DuckDB (one GROUP BY over the records), the node attributes come
back as Arrow, and every text column is dictionary-encoded: a derived column (folded name,
nickname-canonical given name, metaphone, ...) is computed once per *distinct* value, never
once per record, and the node frame holds pandas categoricals (4-byte codes), not millions
of Python strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from custfocus.normalise import canonical_given, fold, name_tokens
from custfocus.normalise.names import (
    _SPLIT_ORGANISATIONS,
    PARTICLES,
    is_organisation_name,
    organisation_key,
    sound_keys,
)
from custfocus.store import Store


def _phone_sql(column: str) -> str:
    """A phone as matching reads it: the E.164 number when valid; else, for a number of nine
    digits or more written in another country's local format than the file's ("(320)
    290-5677" in a Spanish file, a Colombian mobile), its digits after "~": it can never
    equal a valid number, but its last eight digits can agree with one ("phone ends the
    same"). Numbers of fewer than four distinct digits (placeholders) are left out."""
    digits = f"regexp_replace({column}, '[^0-9]', '', 'g')"
    return (f"CASE WHEN {column}_valid THEN {column}_e164 "
            f"WHEN length({digits}) BETWEEN 9 AND 15 "
            f"AND length(list_distinct(string_split({digits}, ''))) >= 4 "
            f"THEN '~' || {digits} END")


RECORD_COLUMNS = f"""
    record_id, source, system, unit, row, record_hash, account_code,
    given_name, family_name, full_name, name_key, company,
    CASE WHEN email_valid AND NOT coalesce(email_placeholder, false) THEN email_key END AS email_key,
    coalesce(email_role, false) AS email_role,
    {_phone_sql("phone")} AS phone,
    {_phone_sql("phone2")} AS phone2,
    national_id, coalesce(national_id_valid, false) AS national_id_valid,
    address_key, postal_code, city, birth_date
"""
# The columns of RECORD_COLUMNS no comparison reads, nor the match columns derived for it
# (the collapse and blocking do): a live match, which only compares, does not read them
# (each costs a fetch per record from the served copy's index).
UNCOMPARED_COLUMNS = ("source", "system", "unit", "row", "record_hash", "account_code",
                      "name_key")
_TEXT = ("source", "system", "unit", "record_hash", "account_code", "given_name", "family_name",
         "full_name", "name_key", "company", "email_key", "national_id", "address_key",
         "postal_code", "city")
_BOOL = ("email_role", "national_id_valid")
# The collapse key: identical content (record hash) with a strong identifier; account codes
# are only unique inside their system, so they join the key. Anything else stays alone.
# The phones as matching reads them join it too: the record hash holds a phone only when
# it is valid, and four support tickets holding nothing but four different local numbers
# of another country ("320 739 4252", "(323) 534-0359") had one hash, so became one node.
NODE_KEY_SQL = """
    CASE WHEN email_key IS NOT NULL OR phone IS NOT NULL OR phone2 IS NOT NULL
              OR (national_id IS NOT NULL AND national_id_valid)
         THEN coalesce(CAST(record_hash AS VARCHAR), 'None') || '|'
              || CASE WHEN account_code IS NOT NULL THEN coalesce(CAST(system AS VARCHAR), '')
                      ELSE '' END
              || '|' || coalesce(phone, '') || '|' || coalesce(phone2, '')
         ELSE 'r' || CAST(record_id AS VARCHAR) END
"""


@dataclass
class Nodes:
    """One row per distinct identity (collapsed records), with derived match columns.

    ``frame`` is a pandas DataFrame indexed 0..n-1 (the node index) whose text columns are
    categoricals; ``record_node`` maps every record id to its node index (``record_ids`` and
    ``record_nodes`` hold the same as arrays, ordered by record id).
    """

    frame: Any
    record_node: Any  # pandas Series: record_id -> node index
    records: int
    record_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    record_nodes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.frame)


def load_records(store: Store) -> Any:
    return store.execute(f"SELECT {RECORD_COLUMNS} FROM records ORDER BY record_id").df()


def prepare_store(store: Store) -> Nodes:
    """:func:`prepare_nodes` over every record in the store, without a pandas round trip."""
    return prepare_source(store.con, f"(SELECT {RECORD_COLUMNS} FROM records)")


def prepare_nodes(records: Any, con: Any = None) -> Nodes:
    """Collapse repeats and derive the columns blocking and comparison need.

    ``records`` is a frame with the columns of :data:`RECORD_COLUMNS`; ``con``: an
    in-memory DuckDB connection to work in (else a new one: opening one costs some 20 ms,
    which a live match per request does not pay).
    """
    import duckdb

    own = con is None
    if own:
        con = duckdb.connect()
    try:
        con.register("_cf_records", _records_arrow(records))
        return prepare_source(con, "_cf_records")
    finally:
        con.unregister("_cf_records")
        if own:
            con.close()


def _records_arrow(records: Any) -> Any:
    """A records frame as Arrow with the store's types (so SQL sees what it would in the store)."""
    import pandas as pd
    import pyarrow as pa

    columns = {}
    for name in records.columns:
        values = records[name]
        if name in _TEXT or name in ("phone", "phone2"):
            obj = values.astype(object).where(values.notna(), None)
            columns[name] = pa.array([None if v is None else str(v) for v in obj], pa.string())
        elif name in _BOOL:
            columns[name] = pa.array(values.astype(object).where(values.notna(), False)
                                     .astype(bool))
        elif name == "birth_date":
            columns[name] = pa.array(pd.to_datetime(values, errors="coerce"), from_pandas=True)
        else:
            columns[name] = pa.array(values, from_pandas=True)
    return pa.table(columns)


def prepare_source(con: Any, source: Any, collapse: bool = True) -> Nodes:
    """Nodes of the records in ``source`` (a table name or a parenthesised query over
    ``con`` with the columns of :data:`RECORD_COLUMNS`). ``collapse=False``: one node per
    record (a live match of one record with a few dozen: nothing worth collapsing, and the
    collapse's five statements cost more than the rest); ``source`` may then be an Arrow
    table of those columns (``con`` unused), which spares a statement."""
    import pandas as pd

    if not collapse:
        import pyarrow as pa
        import pyarrow.compute as pc

        table = (con.sql(f"SELECT * FROM {source}").to_arrow_table()
                 if isinstance(source, str) else source)
        table = table.take(pc.sort_indices(table.column("record_id")))
        record_ids = table.column("record_id").to_numpy().astype(np.int64)
        keys = pa.array([f"r{r}" for r in record_ids.tolist()], pa.string())
        table = table.add_column(0, "node_key", keys).add_column(
            1, "size", pa.array(np.ones(len(record_ids), dtype=np.int64)))
        record_nodes = np.arange(len(record_ids), dtype=np.int64)
        nodes = Nodes(frame=None, record_node=pd.Series(record_nodes, index=record_ids),
                      records=len(record_ids), record_ids=record_ids, record_nodes=record_nodes)
        nodes.frame = node_frame(table)
        return nodes
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _cf_record_key AS
        SELECT record_id, {NODE_KEY_SQL} AS node_key FROM {source}""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _cf_node AS
        SELECT node_key, min(record_id) AS rep, count(*) AS size,
               row_number() OVER (ORDER BY min(record_id)) - 1 AS node
        FROM _cf_record_key GROUP BY node_key""")
    try:
        table = con.sql(f"""
            SELECT n.node_key, n.size, r.*
            FROM _cf_node n JOIN {source} r ON r.record_id = n.rep
            ORDER BY n.node""").to_arrow_table()
        mapping = con.execute("""
            SELECT k.record_id, n.node FROM _cf_record_key k JOIN _cf_node n USING (node_key)
            ORDER BY k.record_id""").fetchnumpy()
    finally:
        con.execute("DROP TABLE IF EXISTS _cf_record_key")
        con.execute("DROP TABLE IF EXISTS _cf_node")
    record_ids = np.asarray(mapping["record_id"], dtype=np.int64)
    record_nodes = np.asarray(mapping["node"], dtype=np.int64)
    nodes = Nodes(frame=None, record_node=pd.Series(record_nodes, index=record_ids),
                  records=len(record_ids), record_ids=record_ids, record_nodes=record_nodes)
    nodes.frame = node_frame(table)
    return nodes


# -- derived columns, once per distinct value ----------------------------------------------


def _given_canon(given: str) -> str | None:
    """Given name(s) with nicknames resolved: "Pepe" -> "jose", "Mª Carmen" -> "maria carmen"."""
    tokens = name_tokens(given)
    if not tokens:
        return None
    return " ".join(canonical_given(t) for t in tokens)


def _family_tokens(family: str) -> str | None:
    tokens = name_tokens(family)
    return " ".join(tokens) if tokens else None


_LETTERS = re.compile(r"[^\W\d_]+")


def _first_surname(family: str) -> str | None:
    """The first word of a surname that is not a particle, as typed ("de la Peña" -> "Peña")."""
    for word in _LETTERS.findall(family):
        if word.lower() not in PARTICLES:
            return word
    return None


class _Batch:
    """A derived column computed over all distinct values in one call (``many``)."""

    def __init__(self, many: Any) -> None:
        self.many = many

    def __call__(self, value: str) -> str | None:
        return self.many([value])[0]


def _family1_sounds(families: list[str]) -> list[str | None]:
    """Sound-alike keys (:func:`~custfocus.normalise.names.sound_key`) of each first surname.

    Read from the surname as typed, not folded: folding makes the "ç" of Gonçalves a "c".
    """
    firsts = [_first_surname(f) for f in families]
    keys = iter(sound_keys([w for w in firsts if w is not None]))
    out = []
    for word in firsts:
        key = next(keys) if word is not None else ""
        out.append(key or (fold(word) if word else "") or None)
    return out


# name, source column, function of one distinct non-missing value (None: missing)
DERIVED: tuple[tuple[str, str, Any], ...] = (
    ("given_fold", "given_name", lambda v: fold(v) or None),
    ("given_canon", "given_name", _given_canon),
    ("given_first", "given_canon", lambda v: v.split(" ")[0]),
    ("family_fold", "family_or_organisation", _family_tokens),
    ("family1", "family_fold", lambda v: v.split(" ")[0]),
    ("family1_sound", "family_name", _Batch(_family1_sounds)),
    ("name_fold", "full_name", lambda v: " ".join(name_tokens(v)) or None),
    ("company_fold", "organisation", lambda v: organisation_key(v) or None),
    ("email_local", "email_key", lambda v: v.split("@")[0]),
    ("phone_tail", "phone", lambda v: v[-8:]),
)
DERIVED_COLUMNS = tuple(name for name, _, _ in DERIVED)


def _apply(fn: Any, values: list[str]) -> list[str | None]:
    many = getattr(fn, "many", None)
    return many(values) if many is not None else [fn(v) for v in values]


def _derive_arrow(values: Any, fn: Any) -> Any:
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if len(values) == 0:
        return pa.array([], pa.string())
    encoded = _as_string(values).dictionary_encode()
    out = pa.array(_apply(fn, encoded.dictionary.to_pylist()), pa.string())
    return out.take(encoded.indices)


def _derive_codes(codes: np.ndarray, values: Any, fn: Any) -> tuple[np.ndarray, Any]:
    """:func:`encode` of ``fn`` over a dictionary-encoded column, computed on the codes: the
    same codes and dictionary (first appearance order), without the column's strings."""
    import pandas as pd
    import pyarrow as pa

    if len(codes) == 0:
        return codes.astype(np.int32), pa.array([], pa.string())
    derived, dictionary = encode(pa.array(_apply(fn, values.to_pylist()), pa.string()))
    mapped = np.append(derived, np.int32(-1))[codes]  # code -1 (missing) stays missing
    present = mapped >= 0
    out = np.full(len(codes), -1, dtype=np.int32)
    order, used = pd.factorize(mapped[present])
    out[present] = order
    return out, dictionary.take(pa.array(np.asarray(used, dtype=np.int32)))


def _decode(codes: np.ndarray, values: Any) -> Any:
    import pyarrow as pa

    return values.take(pa.array(codes, mask=codes < 0))


def _as_string(values: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_string(values.type):
        return values
    return pc.cast(values, pa.string())


# -- dictionary-encoded columns ---------------------------------------------------------------


def encode(values: Any) -> tuple[np.ndarray, Any]:
    """(int32 codes, Arrow dictionary of distinct values) of a column; code -1: missing."""
    encoded = _as_string(values).dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    return codes, encoded.dictionary


def categorical(codes: np.ndarray, values: Any) -> Any:
    """A pandas categorical over an Arrow dictionary, without copying the values.

    The values come from a dictionary encoding, so they are distinct: pandas' uniqueness
    check (a hash of every value, the bulk of the cost) is skipped where pandas allows it.
    """
    import pandas as pd

    categories = pd.Index(pd.arrays.ArrowStringArray(values.cast("large_string")))
    width = len(categories)
    dtype = np.int8 if width < 127 else np.int16 if width < 32_767 else np.int32
    try:
        return pd.Categorical._simple_new(
            codes.astype(dtype), dtype=pd.CategoricalDtype._from_fastpath(categories, False))
    except (AttributeError, TypeError):  # pandas without the fast path
        return pd.Categorical.from_codes(codes, categories=categories, validate=False)


def node_frame(table: Any, known: Any = None, is_known: np.ndarray | None = None) -> Any:
    """The node frame (categorical text columns, derived match columns) from node rows.

    ``known``: an Arrow table with the :data:`DERIVED_COLUMNS` of every node, valid where
    ``is_known`` (kept from the previous run); only the other nodes are derived.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    n = table.num_rows

    def raw(name: str) -> Any:
        if name in table.column_names:
            return _as_string(table.column(name))
        return pa.nulls(n, pa.string())

    # Each text column is encoded as soon as it is read: a second string copy of the whole
    # node table (and of every derived column) would cost gigabytes at millions of nodes.
    cols: dict[str, tuple[np.ndarray, Any]] = {
        name: encode(raw(name)) for name in ("node_key", *_TEXT)}
    cols["birth"] = encode(_birth(table))
    # phone and phone2 share one dictionary: the comparison matches them across columns.
    codes, values = encode(pa.concat_arrays([raw("phone"), raw("phone2")]))
    cols["phone"], cols["phone2"] = (codes[:n], values), (codes[n:], values)
    _organisations(cols)
    if known is None:
        for name, source, fn in DERIVED:
            cols[name] = _derive_codes(*cols[source], fn)
    else:
        unknown = np.flatnonzero(~is_known)
        mask = np.zeros(n, dtype=bool)
        mask[unknown] = True
        for name, source, fn in DERIVED:
            src_codes, src_values = cols[source]
            fresh = _derive_arrow(_decode(src_codes[unknown], src_values), fn)
            cols[name] = encode(pc.replace_with_mask(_as_string(known.column(name)),
                                                     pa.array(mask), fresh))
    del cols["family_or_organisation"], cols["organisation"]
    cols = {**{k: v for k, v in cols.items() if k not in ("phone", "phone2")},
            "phone": cols["phone"], "phone2": cols["phone2"]}
    valid = _bool(table, "national_id_valid")
    nid_codes, nid_values = cols["national_id"]
    cols["nid"] = (np.where(valid, nid_codes, np.int32(-1)).astype(np.int32), nid_values)
    cols["nid_any"] = cols["national_id"]

    data: dict[str, Any] = {}
    for name in table.column_names:
        if name in cols or name in ("birth_date", "size"):
            continue
        data[name] = _bool(table, name) if name in _BOOL else table.column(name).to_numpy()
    data["size"] = table.column("size").to_numpy().astype(np.int64)
    for name, (codes, values) in cols.items():
        data[name] = categorical(codes, values)
    return pd.DataFrame(data)


def _birth(table: Any) -> Any:
    """The birth date as comparisons and blocking keys read it: its ISO date ("1980-02-03"),
    as DuckDB's ``left(CAST(birth_date AS VARCHAR), 10)`` gives it (a timestamp's date part)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if "birth_date" not in table.column_names:
        return pa.nulls(table.num_rows, pa.string())
    return pc.utf8_slice_codeunits(_as_string(table.column("birth_date")), 0, 10)


def _organisations(cols: dict[str, tuple[np.ndarray, Any]]) -> None:
    """Add the sources of the name columns that tell people from organisations.

    A full name that is an organisation's (:func:`~custfocus.normalise.names.is_organisation_name`)
    is the node's organisation unless a company column gives one.
    """
    import pyarrow as pa

    full_codes, full_values = cols["full_name"]
    is_org = np.append(np.array([is_organisation_name(v) for v in full_values.to_pylist()],
                                dtype=bool), False)
    # Off with names._SPLIT_ORGANISATIONS: a company comparison of these names, scored as it
    # is now, lost more than it gained (eval chicago-ece F1 0.758 -> 0.731).
    org_full = is_org[full_codes] & (full_codes >= 0) & _SPLIT_ORGANISATIONS
    # Import leaves an organisation's full name unsplit once names._SPLIT_ORGANISATIONS is on.
    unsplit = (cols["given_name"][0] < 0) & (cols["family_name"][0] < 0)
    # Until the comparisons read company_fold as a name, an organisation's name is also its
    # family name (else the pair would have no name to compare: see score's contact cap).
    family_codes, family_values = cols["family_name"]
    cols["family_or_organisation"] = (
        np.where(org_full & unsplit, full_codes + len(family_values), family_codes
                 ).astype(np.int32),
        pa.concat_arrays([family_values, full_values]))
    company_codes, company_values = cols["company"]
    from_full = org_full & (company_codes < 0)
    if not from_full.any():
        cols["organisation"] = (company_codes, company_values)
        return
    # One dictionary of both: the company's values, then the full names'.
    values = pa.concat_arrays([company_values, full_values])
    codes = np.where(from_full, full_codes + len(company_values), company_codes)
    cols["organisation"] = (codes.astype(np.int32), values)


def _bool(table: Any, name: str) -> np.ndarray:
    if name not in table.column_names:
        return np.zeros(table.num_rows, bool)
    return table.column(name).fill_null(False).to_numpy(zero_copy_only=False).astype(bool)


def categories_of(column: Any) -> Any:
    """The categories of a categorical node column as Arrow text."""
    import pyarrow as pa

    return pa.array(column.array.categories).cast(pa.string())


def column_text(column: Any, rows: np.ndarray, values: Any) -> Any:
    """Rows of a categorical node column as Arrow text (``values``: its categories, as
    :func:`categories_of` gives them)."""
    import pyarrow as pa

    codes = column.cat.codes.to_numpy()[rows].astype(np.int32)
    return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0),
                                          values).dictionary_decode()
