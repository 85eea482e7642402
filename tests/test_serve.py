"""``custfocus serve``: the JSON API, the pages and the review queue over the bundled examples
(imported and deduplicated once), driven in process by Starlette's TestClient."""

from __future__ import annotations

import logging
import re
import shutil

import pytest

pytest.importorskip("starlette")
pytest.importorskip("jinja2")

from starlette.testclient import TestClient  # noqa: E402

from _live import EVIL, EVIL_EMAIL  # noqa: E402
from custfocus.cli import app as cli_app  # noqa: E402
from custfocus.store import Store  # noqa: E402
from custfocus.web import MAX_BODY_BYTES, create_app  # noqa: E402


@pytest.fixture(scope="module")
def served(tmp_path_factory, serve_store):
    """A copy of the session's examples store (with the scripted name) for this module."""
    db = tmp_path_factory.mktemp("serve") / "s.duckdb"
    shutil.copy(serve_store, db)
    return db


@pytest.fixture(scope="module")
def client(served):
    with TestClient(create_app(served)) as c:
        yield c


def _someone(db) -> dict:
    with Store(db, read_only=True) as store:
        (cid, email, phone, name), = store.execute(
            "SELECT customer_id, email, phone, full_name FROM customers "
            "WHERE records >= 3 AND email IS NOT NULL AND phone LIKE '+34%' "
            "AND full_name IS NOT NULL ORDER BY customer_id LIMIT 1").fetchall()
    return {"id": cid, "email": email, "phone": phone, "name": name}


def _found(client, query: str) -> list[str]:
    res = client.get("/api/customers", params={"q": query})
    assert res.status_code == 200, res.text
    return [c["customer_id"] for c in res.json()["query_found"]]


def test_search_by_email_phone_and_name(client, served):
    who = _someone(served)
    local = who["phone"][3:]
    assert _found(client, who["email"].upper()) == [who["id"]]
    assert _found(client, f"{local[:3]} {local[3:6]} {local[6:]}") == [who["id"]]
    assert who["id"] in _found(client, who["name"])
    assert _found(client, "nobody@nowhere.example") == []
    assert client.get("/api/customers", params={"q": " "}).status_code == 422
    near = client.get("/api/customers", params={"q": "Qqqq Zzzzzzz"}).json()
    assert near["query_found"] == [] and len(near["closest"]) == 3
    page = client.get("/", params={"q": "Qqqq Zzzzzzz"}).text
    assert "No customer found." in page and "Closest names:" in page


def test_a_name_with_a_typo_is_found_through_the_name_index(client, served):
    """The served copy's name index blocks by word pairs and the rarest word; a typo across
    the space ("Mari aGarcia") leaves a word that may be someone else's, and a swap inside
    a word leaves one nobody has: each still finds the customer, ranked as the store's own
    full ranking (no index) ranks them."""
    from custfocus.privacy import NameIndex, find_customers
    from custfocus.served import ServedCopy

    with Store(served, read_only=True) as store:
        names = [r for r in store.execute(
            "SELECT customer_id, full_name FROM customers WHERE full_name LIKE '% % %' "
            "AND length(full_name) >= 14 ORDER BY customer_id LIMIT 12").fetchall()]
    copy = ServedCopy(served)
    try:
        for cid, name in names:
            space = name.index(" ")
            across = name[:space - 1] + " " + name[space - 1] + name[space + 1:]
            inside = name[:1] + name[2] + name[1] + name[3:]
            for query in (across, inside):
                assert cid in _found(client, query), (name, query)
                with copy.reading() as reader, Store(served, read_only=True) as plain:
                    indexed = find_customers(reader, query)
                    full = find_customers(plain, query)
                    assert NameIndex.of(reader) is NameIndex.of(reader)  # once per copy
                assert indexed[0].customer_id == full[0].customer_id or \
                    indexed[0].score == full[0].score, (query, indexed[:2], full[:2])
    finally:
        copy.close()


def test_the_card_and_an_unknown_id(client, served):
    who = _someone(served)
    card = client.get(f"/api/customers/{who['id'].lower()}").json()
    assert card["customer_id"] == who["id"]
    assert card["golden"]["email"]["value"] == who["email"]
    assert card["source_records"] and "warnings" in card
    res = client.get("/api/customers/C999999")
    assert res.status_code == 404 and res.json() == {"error": "no such customer"}
    page = client.get(f"/customers/{who['id']}")
    assert page.status_code == 200 and "Golden record" in page.text
    assert client.get("/customers/C999999").status_code == 404


def _source_record(db) -> dict:
    """A stored record of a customer with several records, as a touchpoint would hold it."""
    with Store(db, read_only=True) as store:
        return store.query_dicts(
            "SELECT rc.customer_id, r.full_name, r.email, r.phone, r.postal_code, r.city "
            "FROM records r JOIN record_customer rc USING (record_id) "
            "JOIN customers c USING (customer_id) "
            "WHERE c.records >= 3 AND r.email_valid AND r.phone_valid AND r.city IS NOT NULL "
            "AND length(r.full_name) >= 10 ORDER BY r.record_id LIMIT 1")[0]


def test_match_ranks_the_right_customer_first_for_a_record_with_a_typo(client, served):
    rec = _source_record(served)
    name = rec["full_name"]
    typo = name[:4] + name[5] + name[4] + name[6:]  # two letters swapped
    body = {"name": typo, "email": rec["email"], "phone": rec["phone"], "city": rec["city"]}
    res = client.post("/api/match", json=body)
    assert res.status_code == 200, res.text
    best = res.json()["matches"]
    assert best[0]["customer_id"] == rec["customer_id"]
    assert best[0]["probability"] > 0.5
    assert all(m["probability"] <= best[0]["probability"] for m in best)
    assert any(e["reason"] for e in best[0]["evidence"])
    # The phone alone, written locally, still finds them; nothing was written.
    with Store(served, read_only=True) as store:
        before = store.query_value("SELECT count(*) FROM records")
    res = client.post("/api/match", json={"name": typo, "phone": rec["phone"][3:]})
    assert res.json()["matches"][0]["customer_id"] == rec["customer_id"]
    with Store(served, read_only=True) as store:
        assert store.query_value("SELECT count(*) FROM records") == before


def test_a_live_match_on_the_served_copy_equals_one_on_the_store(client, served):
    """The served copy reads the customers' records from its own table (and keeps what it
    learns of the copy for the next request), the store reads its records: each customer
    both compare the record with gets the same answer (the store's finder ranks every
    name, the copy's its name index: they may find others too), and the same twice."""
    from custfocus.served import ServedCopy
    from custfocus.touchpoint import match_record

    with Store(served, read_only=True) as store:
        rows = store.query_dicts(
            "SELECT full_name AS name, email, phone, city, postal_code AS postcode, "
            "account_code, CAST(birth_date AS VARCHAR) AS birth_date FROM records "
            "WHERE full_name IS NOT NULL ORDER BY hash(record_id) LIMIT 12")
    records = []
    for i, row in enumerate(rows):
        name = row["name"]
        kept = ("name", "email", "phone", "city", "postcode", "account_code", "birth_date")
        record = {k: str(row[k]) for k in kept[:2 + i % 6] if row[k]}
        if i % 2:  # a typo: two letters swapped
            record["name"] = name[:2] + name[3] + name[2] + name[4:]
        records.append(record)
    copy = ServedCopy(served)
    try:
        with Store(served, read_only=True) as plain:
            for record in records:
                with copy.reading() as reader:
                    first = match_record(reader, record, limit=100)
                with copy.reading() as reader:
                    assert match_record(reader, record, limit=100) == first
                again = {m["customer_id"]: m for m in match_record(plain, record, limit=100)}
                both = [m for m in first if m["customer_id"] in again]
                assert both and both[0] == first[0], record
                assert all(m == again[m["customer_id"]] for m in both), record
    finally:
        copy.close()


def test_the_columns_a_live_match_leaves_out_change_no_comparison(served):
    """The served copy's live match reads the customers' records without
    ``UNCOMPARED_COLUMNS``: the records of one customer (pairs that agree on much) and
    random pairs compare the same without them."""
    import numpy as np

    from custfocus.dedupe.compare import compare_pairs
    from custfocus.dedupe.prepare import RECORD_COLUMNS, UNCOMPARED_COLUMNS, prepare_source

    with Store(served, read_only=True) as store:
        table = store.con.sql(f"SELECT {RECORD_COLUMNS} FROM records").to_arrow_table()
        same = store.execute(
            "SELECT a.record_id, b.record_id FROM record_customer a JOIN record_customer b "
            "ON a.customer_id = b.customer_id AND a.record_id < b.record_id").fetchall()
    full = prepare_source(None, table, collapse=False)
    bare = prepare_source(None, table.drop_columns(list(UNCOMPARED_COLUMNS)), collapse=False)
    node = full.record_node
    rng = np.random.default_rng(7)
    a = np.concatenate([node.loc[[x for x, _ in same]].to_numpy(),
                        rng.integers(0, len(full), 20_000)])
    b = np.concatenate([node.loc[[y for _, y in same]].to_numpy(),
                        rng.integers(0, len(full), 20_000)])
    assert len(same) > 100
    with_them, without = compare_pairs(full.frame, a, b), compare_pairs(bare.frame, a, b)
    for name, levels in with_them.items():
        assert np.array_equal(levels, without[name]), name


def test_match_refuses_bad_records(client):
    res = client.post("/api/match", json={"nmae": "Ana"})
    assert res.status_code == 422 and res.json()["field"] == "nmae"
    res = client.post("/api/match", json={"name": ["Ana"]})
    assert res.status_code == 422 and res.json()["field"] == "name"
    json_type = {"Content-Type": "application/json"}
    assert client.post("/api/match", content=b"{not json", headers=json_type).status_code == 422
    # A form another site posts as text/plain is never read as JSON (no CSRF through it).
    res = client.post("/api/review", content=b'{"decision": "same"}',
                      headers={"Content-Type": "text/plain"})
    assert res.status_code == 422 and "application/json" in res.json()["error"]
    assert client.post("/api/match", json={}).status_code == 422
    big = b'{"name": "' + b"a" * MAX_BODY_BYTES + b'"}'
    assert client.post("/api/match", content=big, headers=json_type).status_code == 413


def test_every_value_is_escaped(client):
    (cid,) = _found(client, EVIL_EMAIL)
    page = client.get(f"/customers/{cid}").text
    assert EVIL not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    search = client.get("/", params={"q": f"{EVIL} Mallory"}).text
    assert EVIL not in search and "&lt;script&gt;" in search


def test_the_access_log_holds_no_query_string_nor_customer_value(client, caplog, served):
    who = _someone(served)
    with caplog.at_level(logging.INFO, logger="custfocus.access"):
        client.get("/api/customers", params={"q": who["email"]})
        client.get("/", params={"q": who["name"]})
        client.post("/api/match", json={"email": who["email"], "name": who["name"]})
    lines = [r.getMessage() for r in caplog.records if r.name == "custfocus.access"]
    assert lines[0] == "GET /api/customers 200" and lines[-1] == "POST /api/match 200"
    assert all(re.fullmatch(r"(GET|POST) /[A-Za-z0-9/]* \d{3}", line) for line in lines), lines
    text = "\n".join(lines)
    assert "?" not in text and who["email"] not in text and "@" not in text
    assert who["name"].split()[0] not in text


def test_a_token_is_required_when_set(served):
    with TestClient(create_app(served, token="s3cret")) as c:
        assert c.get("/api/customers", params={"q": "x"}).status_code == 401
        assert c.get("/api/customers/C000001",
                     headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/openapi.json", headers={"Authorization": "Bearer s3cret"}).status_code \
            == 200


def test_on_localhost_only_local_host_names_are_answered(served):
    """A page re-pointed at 127.0.0.1 (DNS rebinding) arrives with its own Host name."""
    with TestClient(create_app(served, allowed_hosts=["localhost", "127.0.0.1"]),
                    base_url="http://127.0.0.1:8750") as c:
        assert c.get("/openapi.json").status_code == 200
        assert c.get("/openapi.json", headers={"Host": "evil.example"}).status_code == 400


def test_review_decisions_become_constraints(served, tmp_path):
    db = tmp_path / "review.duckdb"
    shutil.copy(served, db)
    with TestClient(create_app(db)) as c:
        pairs = c.get("/api/review").json()["pairs"]
        assert pairs, "the examples have borderline pairs"
        first = pairs[0]
        page = c.get("/review").text
        csrf = page.split('name="csrf" value="')[1].split('"')[0]
        form = {k: str(first[k]) for k in ("source_a", "row_a", "source_b", "row_b")}
        refused = c.post("/review", data={**form, "decision": "same", "csrf": "forged"})
        assert refused.status_code == 403
        res = c.post("/review", data={**form, "decision": "same", "csrf": csrf, "offset": "0"},
                     follow_redirects=False)
        assert res.status_code == 303
        second = c.get("/api/review").json()["pairs"]
        res = c.post("/api/review", json={**{k: second[0][k] for k in form},
                                          "decision": "different"})
        assert res.status_code == 200
        assert c.post("/api/review", json={**form, "decision": "maybe"}).status_code == 422
        left = c.get("/api/review").json()["pairs"]
    with Store(db, read_only=True) as store:
        stored = store.execute("SELECT source_a, row_a, decision, origin FROM match_constraints "
                               "ORDER BY decision DESC").fetchall()
    assert stored == [(first["source_a"], first["row_a"], "same", "browser"),
                      (second[0]["source_a"], second[0]["row_a"], "different", "browser")]
    def key(p: dict) -> tuple:
        return (p["source_a"], p["row_a"], p["source_b"], p["row_b"])

    assert key(first) not in {key(p) for p in left}
    assert key(second[0]) not in {key(p) for p in left}
    assert key(left[0]) == key(second[1])  # the queue moves on


def test_serve_refuses_a_store_that_does_not_exist(runner, tmp_path):
    missing = tmp_path / "none.duckdb"
    res = runner.invoke(cli_app, ["serve", "--db", str(missing)])
    assert res.exit_code == 4
    assert str(missing) in res.output
