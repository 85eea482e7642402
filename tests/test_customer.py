"""``custfocus customer``: one query finds a customer by anything they give, in any format,
and the card shows what anyone in contact with them should know first."""

from __future__ import annotations

import json

import pytest

from custfocus.cli import app
from custfocus.lookup import customer_card, mask_phone
from custfocus.store import Store


@pytest.fixture(scope="module")
def store_path(tmp_path_factory, examples_dir):
    from typer.testing import CliRunner

    db = tmp_path_factory.mktemp("customer") / "s.duckdb"
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(examples_dir), "--db", str(db), "-q"]).exit_code == 0
    assert runner.invoke(app, ["dedupe", "--db", str(db), "-q"]).exit_code == 0
    return db


def _someone(db) -> dict:
    with Store(db, read_only=True) as store:
        (cid, email, phone, nid, name), = store.execute(
            "SELECT customer_id, email, phone, national_id, full_name FROM customers "
            "WHERE records >= 3 AND email IS NOT NULL AND phone LIKE '+34%' "
            "AND national_id IS NOT NULL ORDER BY customer_id LIMIT 1").fetchall()
    return {"id": cid, "email": email, "phone": phone, "nid": nid, "name": name}


def test_any_identifier_in_any_format_finds_the_customer(runner, store_path):
    who = _someone(store_path)
    local = who["phone"][3:]
    spaced = f"{local[:3]} {local[3:6]} {local[6:]}"
    for query in (who["id"].lower(), who["email"].upper(), f"+34 {spaced}", spaced,
                  who["nid"].lower()):
        res = runner.invoke(app, ["customer", query, "--json", "--db", str(store_path)])
        assert res.exit_code == 0, (query, res.output)
        data = json.loads(res.stdout)
        assert data["customer"]["customer_id"] == who["id"], query
    res = runner.invoke(app, ["customer", who["name"], "--json", "--db", str(store_path)])
    found = json.loads(res.stdout)["query_found"]
    assert who["id"] in [c["customer_id"] for c in found]
    assert all(c["phone"] is None or "*" in c["phone"] for c in found)  # masked
    res = runner.invoke(app, ["customer", "nobody@nowhere.example", "--db", str(store_path)])
    assert res.exit_code == 1


def test_the_card_holds_provenance_every_record_and_the_timeline(store_path):
    who = _someone(store_path)
    with Store(store_path, read_only=True) as store:
        card = customer_card(store, who["id"])
        records = store.query_value("SELECT count(*) FROM record_customer WHERE customer_id = ?",
                                    [who["id"]])
    assert card["golden"]["email"]["value"] == who["email"]
    assert card["golden"]["email"]["source"]["source"]  # where the value came from
    assert len(card["source_records"]) == records
    dates = [f["date"] for f in card["timeline"] if f["date"]]
    assert dates == sorted(dates, reverse=True)  # newest first
    kinds = {w["kind"] for w in card["warnings"]}
    assert kinds <= {"open_tickets", "low_satisfaction", "conflicting_data",
                     "marketing_opt_out", "stale"}


def test_an_open_ticket_comes_first(runner, store_path):
    with Store(store_path, read_only=True) as store:
        (cid,), = store.execute(
            "SELECT rc.customer_id FROM facts f JOIN record_customer rc USING (record_id) "
            "WHERE f.kind = 'ticket' AND lower(f.status) = 'abierto' "
            "ORDER BY rc.customer_id LIMIT 1").fetchall()
    res = runner.invoke(app, ["customer", cid, "--db", str(store_path)])
    assert res.exit_code == 0
    assert 0 <= res.output.index("open ticket") < res.output.index("Golden record")


def test_mask_phone_keeps_only_the_ends():
    assert mask_phone("+34612345678") == "+34 6** *** 678"
    assert mask_phone(None) is None


def test_an_empty_query_and_a_store_not_yet_deduplicated(runner, tmp_path, examples_dir):
    res = runner.invoke(app, ["customer", "  ", "--db", str(tmp_path / "none.duckdb")])
    assert res.exit_code == 2 and "empty" in res.output
    db = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["import", str(examples_dir / "marketing.csv"), "--db", str(db),
                               "-q"]).exit_code == 0
    # No customers yet: the source records the query finds, and the reason there are no
    # customers; by name, e-mail in capitals and phone written locally, as customers are.
    with Store(db, read_only=True) as store:
        (row, name, email, phone), = store.execute(
            "SELECT row, full_name, email, phone_e164 FROM records WHERE full_name IS NOT NULL "
            "AND email IS NOT NULL AND phone_e164 LIKE '+34%' ORDER BY row LIMIT 1").fetchall()
    for query, by in ((name, "name"), (email.upper(), "email"), (phone[3:], "phone")):
        res = runner.invoke(app, ["customer", query, "--db", str(db), "--json"])
        assert res.exit_code == 0, res.output
        data = json.loads(res.stdout)
        assert data["matched"] is False and data["query_found"] == []
        first = data["records_found"][0]
        assert (first["source"], first["row"], first["by"]) == ("marketing.csv", row, by)
        assert "custfocus dedupe" in " ".join(res.stderr.split())
    res = runner.invoke(app, ["customer", name, "--db", str(db), "--lang", "pt"],
                        env={"COLUMNS": "200"})
    assert res.exit_code == 0
    assert "A deduplicação ainda não foi executada" in " ".join(res.output.split())
    assert "Registros de origem encontrados" in res.output and name.split()[0] in res.output
    res = runner.invoke(app, ["customer", "nobody@nowhere.example", "--db", str(db)])
    assert res.exit_code == 1 and "No source record found." in res.output
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from custfocus.web import create_app

    with TestClient(create_app(db)) as client:
        body = client.get("/api/customers", params={"q": email}).json()
        page = client.get("/", params={"q": name}).text
    assert body["deduplicated"] is False and "custfocus dedupe" in body["error"]
    assert [(r["source"], r["row"]) for r in body["records_found"]][0] == ("marketing.csv", row)
    assert {r["by"] for r in body["records_found"]} == {"email"}
    assert "Matching has not run yet" in page and "Source records found" in page
    assert name.split()[0] in page


def test_a_name_that_finds_no_one_suggests_the_closest(runner, store_path):
    res = runner.invoke(app, ["customer", "Qqqq Zzzzzzz", "--db", str(store_path), "--json"])
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert data["query_found"] == [] and len(data["closest"]) == 3
    assert all(c["customer_id"].startswith("C") and c["score"] < 0.7 for c in data["closest"])
    res = runner.invoke(app, ["customer", "Qqqq Zzzzzzz", "--db", str(store_path),
                              "--lang", "es"])
    assert "Ningún cliente encontrado." in res.output and "Nombres más parecidos:" in res.output
    # An identifier that finds no one is not "close" to anyone else's.
    res = runner.invoke(app, ["customer", "nobody@nowhere.example", "--db", str(store_path),
                              "--json"])
    assert "closest" not in json.loads(res.stdout)


def test_part_of_a_name_lists_the_customers_who_have_it(store_path):
    """A surname or a given name alone ("García") lists the customers who have it, below
    any whose whole name it is; the whole name ranks its customer first."""
    from custfocus.lookup import candidates

    with Store(store_path, read_only=True) as store:
        (cid, name), = store.execute(
            "SELECT customer_id, full_name FROM customers WHERE full_name LIKE '% %' "
            "AND full_name NOT LIKE '% % %' ORDER BY customer_id LIMIT 1").fetchall()
        family = name.split()[1]
        found = candidates(store, family)
        assert cid in [c["customer_id"] for c in found]
        assert all(family.lower() in (c["name"] or "").lower() for c in found if c["score"] >= 0.9)
        assert max(c["score"] for c in found) <= 0.9 or any(
            (c["name"] or "").lower() == family.lower() for c in found)
        whole = candidates(store, name)
        assert whole[0]["score"] == 1.0 and whole[0]["name"] == name
