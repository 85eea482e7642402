"""Well-known exports read with no flags: one folder per tool under ``tests/cases/exports``.

Each folder holds one export (the header row as the tool documents it, a few invented
rows) and ``expected.json``: the role of every column (``null`` = kept raw); a README says
where a header came from when it is not the tool's own documentation, and why a folder has
no case yet.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from custfocus.ingest.importer import import_paths

CASES = Path(__file__).parent / "cases" / "exports"
TOOLS = sorted(p.name for p in CASES.iterdir() if (p / "expected.json").exists())


def _export(tool: str) -> Path:
    (path,) = [p for p in (CASES / tool).iterdir()
               if p.name not in ("expected.json", "README.md")]
    return path


@pytest.mark.parametrize("tool", TOOLS)
def test_every_column_gets_its_expected_role(tool, store):
    expected = json.loads((CASES / tool / "expected.json").read_text(encoding="utf-8"))
    mapping = import_paths(store, [_export(tool)]).tables[0].mapping
    assert {m["column"]: m["role"] for m in mapping} == expected


def test_shopify_customers_get_city_country_and_clean_postcodes(store):
    result = import_paths(store, [_export("shopify")])
    assert result.tables[0].facts == 0  # Total Spent / Total Orders are not orders
    records = store.query_dicts(
        "SELECT given_name, company, street, city, country, postal_code, opt_in "
        "FROM records ORDER BY row")
    assert all(r["city"] and r["country"] for r in records)
    by_name = {r["given_name"]: r for r in records}
    # a shop-only customer (no e-mail, no company) still has a city and a country
    assert (by_name["Javier"]["city"], by_name["Javier"]["country"]) == ("Barcelona", "ES")
    assert by_name["Lucía"]["company"] == "Fuentes Consulting SL"
    assert by_name["Lucía"]["street"] == "Calle de Atocha"
    # Shopify's leading apostrophe is gone; each postcode read in its own country's format
    assert [r["postal_code"] for r in records] == [
        "28013", "08008", "75004", "69002", "NW1 6XE", "M3 2BW", "46001"]
    assert [r["country"] for r in records] == ["ES", "ES", "FR", "FR", "GB", "GB", "ES"]
    assert by_name["Camille"]["opt_in"] is True and by_name["Hugo"]["opt_in"] is False


def test_a_crm_export_reads_through_the_cli_with_no_flags(runner, tmp_path):
    """HubSpot's contacts: the mobile is the phone, the land line the second phone, and the
    last activity is the last contact (not an order date), as `import --show-mapping` says."""
    from custfocus.cli import app

    result = runner.invoke(
        app,
        ["import", str(_export("hubspot")), "--dry-run", "--show-mapping",
         "--db", str(tmp_path / "cf.duckdb")],
        catch_exceptions=False, env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip()
            for line in result.output.splitlines() if line.count("│") >= 4}
    assert rows["Mobile Phone Number"] == "phone"
    assert rows["Phone Number"] == "phone2"
    assert rows["Last Activity Date"] == "last_contact_date"
    assert rows["Marketing contact status"] == "(kept raw)"


def test_payments_keep_their_own_currency_and_a_refund_is_a_credit_note(store):
    """PayPal's activity: 'Gross' is the amount, in the row's own currency, not EUR."""
    result = import_paths(store, [_export("paypal")])
    assert result.tables[0].facts == 3
    facts = store.query_dicts("SELECT kind, amount, currency FROM facts ORDER BY row")
    assert [(f["kind"], f["amount"], f["currency"]) for f in facts] == [
        ("invoice", 59.9, "EUR"), ("invoice", 120.0, "USD"), ("credit_note", -59.9, "EUR")]
