"""``custfocus audit`` on the example set: figures against what the generator planted.

The examples are imported and deduped once per session. Figures that do not depend on
matching quality are asserted exactly; matching-dependent ones within a tolerance.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from custfocus.audit import parse_threshold, run_audit
from custfocus.audit._texts import ANSWERS, LABELS, RECOMMENDATIONS, TITLES
from custfocus.store import Store

_CACHE: dict[str, tuple[Path, dict]] = {}


@pytest.fixture(scope="session")
def audited(tmp_path_factory, examples_dir):
    """(store path, planted figures): the examples (or a small generated set) imported+deduped.

    Cached at module level so test_audit_cli.py, which imports this fixture, shares the store.
    """
    if "store" not in _CACHE:
        _CACHE["store"] = _build(tmp_path_factory, examples_dir)
    return _CACHE["store"]


def _build(tmp_path_factory, examples_dir):
    from custfocus.dedupe.run import dedupe
    from custfocus.ingest.importer import import_paths

    data = examples_dir
    if not (data / ".truth" / "planted.json").exists():
        from custfocus.synth import generate

        data = tmp_path_factory.mktemp("examples")
        generate(data, customers=600, seed=7)
    planted = json.loads((data / ".truth" / "planted.json").read_text(encoding="utf-8"))
    db = tmp_path_factory.mktemp("audit") / "audit.duckdb"
    with Store(db) as store:
        import_paths(store, [data])
        dedupe(store)
    return db, planted


@pytest.fixture(scope="session")
def report(audited):
    db, planted = audited
    with Store(db, read_only=True) as store:
        return run_audit(store, as_of=date.fromisoformat(planted["as_of"]))


def figs(report, qid):
    return report.question(qid).figures


# -- Q1 ---------------------------------------------------------------------------------
def test_source_rows_match_planted(report, audited):
    planted = audited[1]
    q1 = figs(report, "q1")
    assert q1["source_rows"] == sum(planted["source_rows"].values())
    assert q1["source_rows_per_source"] == planted["source_rows"]


def test_records_per_source_match_planted(report, audited):
    planted = audited[1]
    per_source = figs(report, "q1")["records_per_source"]
    assert set(per_source) == set(planted["customer_records"])
    for source, expected in planted["customer_records"].items():
        unusable = planted["defects_per_source"].get(source, {}).get("unusable_rows", 0)
        # a row with only a local customer code is kept as a record (it names an account)
        assert expected <= per_source[source] <= expected + unusable, source


def test_distinct_customers_is_the_master_and_near_the_truth(report, audited):
    db, planted = audited
    with Store(db, read_only=True) as store:
        assert figs(report, "q1")["distinct_customers"] == store.query_value(
            "SELECT count(*) FROM customers"
        )
    q1 = figs(report, "q1")
    assert report.matched and q1["matched"]
    assert abs(q1["distinct_customers"] - planted["persons"]) / planted["persons"] < 0.35
    assert q1["duplicate_records"] == q1["records"] - q1["distinct_customers"]
    assert sum(q1["cluster_sizes"].values()) == q1["distinct_customers"]


def test_no_identifier_records(report, audited):
    planted = audited[1]
    found = figs(report, "q1")["no_identifier_records"]
    assert planted["no_identifier_rows"] <= found
    assert found <= planted["no_identifier_rows"] + planted["unusable_rows"]


# -- Q3 ---------------------------------------------------------------------------------
EXACT_DEFECTS = ["invalid_emails", "placeholder_emails", "role_emails", "placeholder_names",
                 "impossible_dates"]
# The normalisers repair or misread some planted defects (see the reply to the lead):
KNOWN_GAPS = {
    # Support repeats a customer's bad phone on every ticket; the planted count is per person.
    "invalid_phones": "counted per record, planted per person",
    # A few planted bad check digits still validate as another country's id format.
    "bad_id_checksums": "a wrong check digit can still be a valid id of another kind",
}


@pytest.mark.parametrize("name", EXACT_DEFECTS)
def test_defect_counts_match_planted(report, audited, name):
    planted = audited[1]
    assert figs(report, "q3")[name] == planted[name]
    per_source = {r["source"]: r[name] for r in report.question("q3").tables["per_source"]}
    for source, defects in planted["defects_per_source"].items():
        if source in per_source:
            assert per_source[source] == defects.get(name, 0), source


@pytest.mark.parametrize("name", sorted(KNOWN_GAPS))
def test_defect_counts_with_known_ingest_gaps(report, audited, name):
    figure = {"bad_id_checksums": "failed_id_checks"}.get(name, name)
    value, planted = figs(report, "q3")[figure], audited[1][name]
    assert value > 0
    assert abs(value - planted) <= max(5, 0.25 * planted), KNOWN_GAPS[name]


def test_stale_records_of_sales(report, audited):
    planted = audited[1]
    rows = {r["source"]: r for r in report.question("q3").tables["per_source"]}
    sales = next(s for s in rows if s.startswith("ventas") and "Clientes" in s)
    assert abs(rows[sales]["stale_24m_records"] - planted["stale_records"]) <= max(
        3, 0.02 * planted["stale_records"]
    )
    q3 = figs(report, "q3")
    assert sum(q3["activity_age_months"].values()) == figs(report, "q1")["distinct_customers"]
    assert 0 <= q3["stale_24m"] <= q3["stale_12m"] <= 1


# -- Q2, Q4, Q5 --------------------------------------------------------------------------
def test_identifying_and_completeness_are_consistent(report):
    q2, q4 = figs(report, "q2"), figs(report, "q4")
    n = figs(report, "q1")["distinct_customers"]
    assert q2["customers"] == q4["customers"] == n
    for field in q2["fields"].values():
        assert field["customers_valid"] <= field["customers_with"] <= n
    assert sum(q4["fields_filled_distribution"].values()) == n
    assert (
        q4["contact_only_customers"] + q4["customers_with_transactions"]
        <= n + q4["customers_with_tickets"]
    )
    assert 0 < q4["completeness_mean"] < 1


def test_units_and_their_sources(report, audited):
    planted = audited[1]
    q5 = figs(report, "q5")
    assert q5["sources"] == len(planted["source_rows"])
    assert q5["units"] == len(
        {f.split(".")[0].split("__")[0].split("_")[0] for f in planted["files"]}
    )
    assert sum(len(u["sources"]) for u in q5["per_unit"].values()) == q5["sources"]


# -- Q6 ---------------------------------------------------------------------------------
def test_overlap_matrix(report, audited):
    planted = audited[1]
    q6 = figs(report, "q6")
    overlap, sources = q6["overlap"], q6["sources"]
    assert set(sources) == set(planted["customer_records"])
    for a in sources:
        for b in sources:
            assert overlap[a][b] == overlap[b][a]
            assert overlap[a][b] <= min(overlap[a][a], overlap[b][b])
    truth_share = planted["persons_in_2plus_sources"] / planted["persons"]
    assert abs(q6["share_in_multiple_sources"] - truth_share) < 0.25
    assert 0 <= q6["direct_link_share"] <= 1


# -- Q7, Q8 -----------------------------------------------------------------------------
def test_hidden_sheets(report, audited):
    planted = audited[1]
    names = figs(report, "q7")["hidden_sheet_names"]
    if "ventas.xlsx" in planted["files"]:
        assert names == ["ventas.xlsx#Config"]
    else:
        assert names == []


def test_enrichment_and_ask_list(report):
    q8 = report.question("q8")
    assert q8.figures["enrichable_customers"] <= q8.figures["customers"]
    asks = q8.details["ask_list"]
    assert asks and len(asks) <= q8.figures["ask_list_size"]
    # Ranked by value within each currency, never across currencies (#17).
    for currency in {a["currency"] for a in asks}:
        ranked = [a for a in asks if a["currency"] == currency]
        values = [a["value_24m"] for a in ranked]
        assert values == sorted(values, reverse=True), currency
        assert [a["rank_in_currency"] for a in ranked] == list(range(1, len(ranked) + 1))


# -- before matching ---------------------------------------------------------------------
def test_before_dedupe_counts_records_and_says_so(tmp_path):
    from custfocus.ingest.importer import import_paths

    src = tmp_path / "clientes.csv"
    src.write_text(
        "Nombre,Email,Teléfono\nAna Ruiz,ana.ruiz@gmail.com,600111222\n"
        "Ana Ruiz,ana.ruiz@gmail.com,600111222\nLuis Gil,test@test.com,\n",
        encoding="utf-8",
    )
    with Store(tmp_path / "s.duckdb") as store:
        import_paths(store, [src])
        rep = run_audit(store, as_of=date(2024, 6, 30))
    q1 = rep.question("q1")
    assert not rep.matched and q1.figures["distinct_customers"] == 3
    assert "matching has not run" in q1.answer
    assert q1.status == "amber"
    assert rep.question("q3").figures["placeholder_emails"] == 1


# -- texts and thresholds ----------------------------------------------------------------
def test_every_text_has_three_languages():
    for table in (TITLES, ANSWERS, RECOMMENDATIONS, LABELS):
        for key, options in table.items():
            assert len(options) == 3 and all(options), key


def test_thresholds_parse_and_evaluate(report):
    from custfocus.audit import evaluate
    from custfocus.errors import UsageError

    assert parse_threshold("stale_24m>30%").value == pytest.approx(0.3)
    assert parse_threshold("q1.duplicate_rate >= 0,05").op == ">="
    rate = figs(report, "q1")["duplicate_rate"]
    hit, miss = evaluate(report, [f"duplicate_rate>{rate / 2}", "q1.duplicate_rate>1"])
    assert hit.breached and not miss.breached
    with pytest.raises(UsageError):
        parse_threshold("duplicate_rate is high")
    with pytest.raises(UsageError):
        evaluate(report, ["no_such_figure>1"])
