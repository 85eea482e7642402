"""Customer-level totals (Shopify's Total Spent / Total Orders, a CRM's annual amount) are
attributes of the record: never undated orders, used by `segment` when no transactions
exist (and said so), counted by the audit."""

from __future__ import annotations

import json

from custfocus.cli import app

SHOP = (
    "First Name,Last Name,Email,Default Address City,Default Address Country Code,Phone,"
    "Total Spent,Total Orders\n"
    "Lucía,Fuentes,lucia@example.es,Madrid,ES,+34 612 000 001,152.40,3\n"
    "Javier,Ruiz,javier@example.es,Barcelona,ES,+34 612 000 002,0.00,0\n"
    "Camille,Martin,camille@example.fr,Paris,FR,+33 6 12 34 56 78,89.90,1\n"
    "Distribuciones,Levante,compras@levante.example.es,Valencia,ES,+34 612 000 004,52300.00,41\n"
    "Oliver,Smith,oliver@example.co.uk,London,GB,+44 7700 900123,35.00,1\n"
    "María,Gil,maria@example.es,Sevilla,ES,+34 612 000 006,64.50,2\n"
)


def _workspace(tmp_path, runner) -> str:
    path = tmp_path / "customers_export.csv"
    path.write_text(SHOP, encoding="utf-8")
    db = str(tmp_path / "cf.duckdb")
    for args in (["import", str(path)], ["dedupe"]):
        result = runner.invoke(app, [*args, "--db", db, "--quiet"])
        assert result.exit_code == 0, result.output
    return db


def test_segment_values_customers_by_their_totals_and_says_which_model(tmp_path, runner):
    db = _workspace(tmp_path, runner)
    result = runner.invoke(app, ["segment", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["value_from"] == "attributes"
    # each total in its own currency: the London customer's is in pounds, never summed
    assert out["currencies"]["EUR"]["revenue"] == 52606.8
    assert out["currencies"]["GBP"] == {"purchases": 1, "revenue": 35.0, "customers": 1}
    assert out["models"]["bgnbd"]["fitted"] is False
    assert "no dated purchases" in out["models"]["bgnbd"]["message"]
    assert any("customer-level totals of 6 customers" in n and "BG/NBD" in n
               for n in out["notes"])
    segments = {s["key"]: s for s in out["segments"]}
    # the distributor is the high-value customer, not "serve efficiently"
    assert segments["keep_reward"]["customers"] == 1
    assert segments["keep_reward"]["revenue"] == 52300.0
    assert out["rfm_segments"] == []  # no dates: no recency, no RFM
    spanish = runner.invoke(app, ["segment", "--db", db, "--lang", "es"],
                            env={"COLUMNS": "200"})
    assert "totales por cliente de 6 clientes" in spanish.output
    assert "no ajustados: no hay compras con fecha" in spanish.output


def test_the_audit_counts_customers_known_by_their_totals(tmp_path, runner):
    db = _workspace(tmp_path, runner)
    result = runner.invoke(app, ["audit", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    figures = {q["id"]: q["figures"] for q in json.loads(result.stdout)["questions"]}["q4"]
    assert figures["customers_with_transactions"] == 0
    assert figures["customers_with_totals"] == 5  # Javier has spent nothing
    assert figures["contact_only_customers"] == 1
