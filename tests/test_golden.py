"""Golden records: survivorship, provenance and alternates on small hand-made customers.

The single-record path and the parts are shortcuts of the general aggregation: each test
that can compares a shortcut with the general query on the same records.
"""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest

from custfocus.dedupe import golden
from custfocus.dedupe.golden import Survivorship, build_golden_records
from custfocus.store import Store

D = dt.date

# (customer, record fields); record ids and rows follow the order.
RECORDS: list[tuple[str, dict]] = [
    # C1: three records; the newest has a placeholder name and no e-mail, the middle one an
    # invalid e-mail (a fallback only), two share a phone.
    ("C1", dict(source="crm.csv", unit="crm", given_name="Ana", family_name="Ruiz",
                full_name="Ana Ruiz", email="ana@x.es", email_valid=True,
                phone_e164="+34600000001", phone_valid=True, city="Madrid", country="ES",
                updated_date=D(2020, 1, 1), created_date=D(2019, 5, 1), opt_in=True)),
    ("C1", dict(source="web.csv", unit="web", given_name=None, family_name="Ruiz Gil",
                full_name="A. Ruiz Gil", email="ana@", email_valid=False,
                phone_e164="+34600000001", phone_valid=True, street="Calle Mayor",
                house_number="3", city="Madrid", country="ES",
                updated_date=D(2021, 1, 1), opt_in=False)),
    ("C1", dict(source="web.csv", unit="web", given_name="X", full_name="Test Test",
                name_placeholder=True, phone_e164="+34600000002", phone_valid=True,
                country="PT", updated_date=D(2022, 1, 1))),
    # C2: one record with characters JSON must escape; C3: one record with little in it.
    ("C2", dict(source="it's.csv", unit=None, given_name='Zoë "Q" \\ x\n',
                full_name='Zoë "Q" \\ x\n', email="zoe@x.es", email_valid=True,
                email_placeholder=False, national_id="X1", national_id_valid=False,
                national_id_kind="nie", birth_date=D(1990, 2, 3), account_code="A-1",
                last_contact_date=D(2023, 3, 3))),
    ("C3", dict(source="crm.csv", unit="crm", company="ACME")),
    # C4: two records without any date, from an import without a time.
    ("C4", dict(source="old.csv", unit="old", full_name="Sin Fecha", given_name="Sin",
                import_id=2)),
    ("C4", dict(source="old.csv", unit="old", full_name="Otra Fecha", import_id=2,
                email="a@b.c", email_valid=True)),
    # C5: two records with the same values.
    ("C5", dict(source="crm.csv", unit="crm", full_name="Eva Paz", given_name="Eva",
                phone2_e164="+34910000000", phone2_valid=True, created_date=D(2018, 1, 1))),
    ("C5", dict(source="crm.csv", unit="crm", full_name="Eva Paz", given_name="Eva",
                phone2_e164="+34910000000", phone2_valid=True, created_date=D(2018, 1, 2))),
    # C6: three distinct companies (one of them twice), with a comma and a quote in them.
    *[("C6", dict(source="erp.csv", unit="erp", company=company))
      for company in ('a"b', "a#", "a,b", "a#")],
]

RULES = {
    "recent": Survivorship(),
    "frequent": Survivorship(default_rule="frequent"),
    "priority": Survivorship(default_rule="source_priority", source_priority=["web", "it's"]),
    "mixed": Survivorship(rules={"name": "frequent", "phone": "frequent",
                                 "address": "source_priority", "email": "recent"},
                          source_priority=["crm"]),
}


def _store(records: list[tuple[str, dict]] = RECORDS) -> Store:
    store = Store(":memory:")
    store.execute("INSERT INTO imports (import_id, source, imported_at) VALUES "
                  "(1, 'x', TIMESTAMP '2024-06-01 10:00:00'), (2, 'y', NULL)")
    rows = [{"record_id": i + 1, "import_id": 1, "row": i + 2, **fields}
            for i, (_, fields) in enumerate(records)]
    names = list(dict.fromkeys(name for row in rows for name in row))
    store.insert_arrow("records", pa.table({n: [row.get(n) for row in rows] for n in names}))
    store.insert_arrow("record_customer", pa.table({
        "record_id": pa.array(range(1, len(records) + 1), pa.int64()),
        "customer_id": [customer for customer, _ in records]}))
    return store


def _customers(store: Store) -> list[dict]:
    return store.query_dicts("SELECT * EXCLUDE (provenance, alternates), "
                             "CAST(provenance AS VARCHAR) AS provenance, "
                             "CAST(alternates AS VARCHAR) AS alternates "
                             "FROM customers ORDER BY customer_id")


def _build(store: Store, rule: str, **kw) -> list[dict]:
    build_golden_records(store, 7, RULES[rule], **kw)
    return _customers(store)


@pytest.mark.parametrize("scalar_key", [True, False])
@pytest.mark.parametrize("rule", list(RULES))
def test_single_record_path_and_parts_equal_the_general_aggregation(monkeypatch, rule,
                                                                     scalar_key):
    if not scalar_key:  # record ids too large for the one-number key: struct keys
        monkeypatch.setattr(golden, "_ID_LIMIT", 1)
    store = _store()
    fast = _build(store, rule)
    monkeypatch.setattr(golden, "_AGGREGATE_FROM", 1)  # every customer aggregated
    general = _build(store, rule)
    monkeypatch.setattr(golden, "PART_RECORDS", 2)  # and in several parts
    parts = _build(store, rule)
    assert fast == general == parts  # every column, the JSON byte for byte
    assert len(fast) == 6


def test_recent_survivorship_provenance_and_alternates():
    store = _store()
    assert build_golden_records(store, 7) == 6
    c1, c2, c3, c4, c5, c6 = _customers(store)
    # name: the placeholder never survives; the most recent real name does
    assert c1["full_name"] == "A. Ruiz Gil" and c1["family_name"] == "Ruiz Gil"
    # e-mail: a valid one beats a more recent invalid one
    assert c1["email"] == "ana@x.es"
    assert c1["phone"] == "+34600000002" and c1["country"] == "PT"
    assert (c1["records"], c1["sources"], c1["units"]) == (3, 2, 2)
    assert (c1["first_seen"], c1["last_seen"]) == (D(2019, 5, 1), D(2022, 1, 1))
    assert c1["opt_in"] is False and c1["street"] == "Calle Mayor"
    provenance = json.loads(c1["provenance"])
    assert provenance["email"] == {"source": "crm.csv", "row": 2}
    assert provenance["name"] == provenance["address"] == {"source": "web.csv", "row": 3}
    assert provenance["company"] is None
    alternates = json.loads(c1["alternates"])  # each array sorted by its JSON text
    assert alternates["email"] == ["ana@", "ana@x.es"]
    assert alternates["name"] == ["Ana", None]  # the placeholder is not kept
    assert alternates["opt_in"] == [False, True]
    assert alternates["phone"] == ["+34600000001", "+34600000002"]
    assert alternates["company"] is None
    # one record: its values, its provenance, one-value alternates, JSON escaped
    assert c2["given_name"] == 'Zoë "Q" \\ x\n' and c2["national_id"] == "X1"
    assert (c2["records"], c2["sources"], c2["units"]) == (1, 1, 0)
    assert json.loads(c2["provenance"])["name"] == {"source": "it's.csv", "row": 5}
    assert json.loads(c2["alternates"])["name"] == ['Zoë "Q" \\ x\n']
    assert json.loads(c2["alternates"])["birth_date"] == ["1990-02-03"]
    assert c2["updated_run"] == 7
    # no date of its own: the import day is not the record's date
    assert c3["company"] == "ACME" and c3["first_seen"] is None and c3["last_seen"] is None
    # no date at all: every value still survives; of two names the fuller (the longer) one
    assert c4["full_name"] == "Otra Fecha" and c4["email"] == "a@b.c"
    assert json.loads(c4["provenance"])["name"] == {"source": "old.csv", "row": 8}
    assert json.loads(c4["alternates"])["name"] == ["Sin", None]
    assert (c4["first_seen"], c4["last_seen"]) == (None, None)
    assert json.loads(c5["alternates"])["phone2"] == ["+34910000000"]
    assert c5["first_seen"] == D(2018, 1, 1) and c5["records"] == 2
    # sorted by JSON text, where the quote is escaped: a backslash sorts after "#" and ","
    assert json.loads(c6["alternates"])["company"] == ["a#", "a,b", 'a"b']
    assert c6["company"] == 'a"b' and c6["records"] == 4  # the lowest record id


def test_frequent_and_source_priority_rules():
    store = _store()
    build_golden_records(store, 7, RULES["frequent"])
    c1 = _customers(store)[0]
    assert c1["phone"] == "+34600000001"  # two records agree; the lower record id of them
    assert json.loads(c1["provenance"])["phone"] == {"source": "crm.csv", "row": 2}
    build_golden_records(store, 7, Survivorship(default_rule="source_priority",
                                                source_priority=["crm"]))
    c1 = _customers(store)[0]
    assert c1["full_name"] == "Ana Ruiz" and c1["country"] == "ES"
    assert json.loads(c1["provenance"])["country"] == {"source": "crm.csv", "row": 2}


@pytest.mark.parametrize("rule", ["recent", "frequent"])
def test_only_rebuilds_the_chosen_customers_and_drops_the_empty(rule):
    store = _store()
    build_golden_records(store, 7, RULES[rule])
    # C5's second record moves to C3, C4 loses its records, C2 is rebuilt unchanged
    store.execute("UPDATE record_customer SET customer_id = 'C3' WHERE record_id = 9")
    store.execute("DELETE FROM record_customer WHERE customer_id = 'C4'")
    store.con.register("_changed", pa.table({"customer_id": ["C2", "C3", "C4", "C5"]}))
    assert build_golden_records(store, 8, RULES[rule], only="_changed") == 5
    incremental = _customers(store)
    assert [r["updated_run"] for r in incremental] == [7, 8, 8, 8, 7]
    build_golden_records(store, 8, RULES[rule])
    full = _customers(store)
    assert [{**r, "updated_run": 8} for r in incremental] == full
    assert [r["customer_id"] for r in full] == ["C1", "C2", "C3", "C5", "C6"]
    assert full[2]["records"] == 2 and full[3]["records"] == 1


def _name(given: str, full: str, **fields) -> dict:
    return dict(source="a.csv", unit="a", given_name=given, full_name=full, **fields)


# One person per customer, the records in import order (the later the higher the id).
FULLNESS: list[tuple[str, dict]] = [
    # F1: the dated record wins over a later undated one, whatever its name
    ("F1", _name("José Antonio", "José Antonio Fernández Ruiz", updated_date=D(2021, 3, 1))),
    ("F1", _name("Jose Antonio", "Jose Antonio Fernandez")),
    # F2: the dated record with the poorer name still wins: its date is the rule
    ("F2", _name("Dani", "Dani Gil", created_date=D(2020, 1, 1))),
    ("F2", _name("Daniel", "Daniel Gil Pérez")),
    # F3: neither dated: both surnames, then the accents, then the length decide
    ("F3", _name("Jose Antonio", "Jose Antonio Fernandez")),
    ("F3", _name("José Antonio", "José Antonio Fernández Ruiz")),
    ("F3", _name("Jose Antonio", "Jose Antonio Fernandez Ruiz")),
    ("F4", _name("Dani", "Dani Gil")),
    ("F4", _name("Daniel", "Daniel Gil")),
    ("F5", _name("Maria", "Maria Gil")),
    ("F5", _name("María", "María Gil")),
    ("F5", _name("Maria", "Maria Gil")),
    # F6: the same date: the fuller name; the first/last seen are the records' dates
    ("F6", _name("Ana", "Ana Ruiz", updated_date=D(2022, 5, 5), created_date=D(2019, 1, 1))),
    ("F6", _name("Ana", "Ana Ruiz Gil", last_contact_date=D(2022, 5, 5))),
]


@pytest.mark.parametrize("scalar_key", [True, False])
@pytest.mark.parametrize("aggregate_from", [1, 2])
def test_a_record_without_a_date_is_never_the_most_recent_and_the_fuller_name_wins(
        monkeypatch, scalar_key, aggregate_from):
    if not scalar_key:
        monkeypatch.setattr(golden, "_ID_LIMIT", 1)
    monkeypatch.setattr(golden, "_AGGREGATE_FROM", aggregate_from)
    store = _store(FULLNESS)
    build_golden_records(store, 1)
    names = {c["customer_id"]: c["full_name"] for c in _customers(store)}
    assert names == {"F1": "José Antonio Fernández Ruiz", "F2": "Dani Gil",
                     "F3": "José Antonio Fernández Ruiz", "F4": "Daniel Gil",
                     "F5": "María Gil", "F6": "Ana Ruiz Gil"}
    seen = {c["customer_id"]: (c["first_seen"], c["last_seen"]) for c in _customers(store)}
    assert seen["F1"] == (D(2021, 3, 1), D(2021, 3, 1))
    assert seen["F4"] == (None, None)
    assert seen["F6"] == (D(2019, 1, 1), D(2022, 5, 5))


def test_master_through_the_cli_takes_each_records_own_date(tmp_path, runner):
    """Two files of the same three people; the shop's file is imported last."""
    from custfocus.cli import app

    (tmp_path / "crm.csv").write_text(
        "Nombre,Apellidos,Teléfono,Email,Fecha actualización\n"
        "José Antonio,Fernández Ruiz,+34 612 345 678,ja.fernandez@example.es,2023-04-02\n"
        "Daniel,Gil Pérez,+34 622 000 111,dgil@example.es,\n"
        "Marta,Soler Vidal,+34 633 000 222,msoler@example.es,\n", encoding="utf-8")
    (tmp_path / "tienda.csv").write_text(
        "Nombre completo,Teléfono,Email,Última compra\n"
        "Jose Antonio Fernandez,612345678,ja.fernandez@example.es,\n"
        "Dani Gil,622000111,dgil@example.es,\n"
        "Marta Soler,633000222,msoler@example.es,2024-01-15\n", encoding="utf-8")
    db = str(tmp_path / "s.duckdb")
    for args in (["import", str(tmp_path / "crm.csv"), "--db", db, "--quiet"],
                 ["import", str(tmp_path / "tienda.csv"), "--db", db, "--quiet"],
                 ["dedupe", "--db", db, "--quiet"]):
        assert runner.invoke(app, args).exit_code == 0, args
    out = runner.invoke(app, ["export", "master", "--db", db, "--format", "json"])
    assert out.exit_code == 0
    master = {c["email"]: c for c in json.loads(out.stdout)}
    assert len(master) == 3
    # dated (2023) beats undated imported later; no import day as a record date
    fernandez = master["ja.fernandez@example.es"]
    assert fernandez["full_name"] == "José Antonio Fernández Ruiz"
    assert fernandez["first_seen"][:10] == fernandez["last_seen"][:10] == "2023-04-02"
    # neither dated: the fuller name, whichever file came last; no first/last seen
    gil = master["dgil@example.es"]
    assert gil["full_name"] == "Daniel Gil Pérez"
    assert gil["first_seen"] is None and gil["last_seen"] is None
    # the shop's row is the dated one here: its date decides, not the fuller name
    assert master["msoler@example.es"]["full_name"] == "Marta Soler"
    assert master["msoler@example.es"]["last_seen"][:10] == "2024-01-15"
