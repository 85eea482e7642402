"""Audit question 7 on a shop's own export: address columns are not identifiers, a loyalty
card is; the answer names only what was found and the advice is in the reader's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from custfocus.audit import run_audit
from custfocus.i18n import LANGS
from custfocus.ingest.importer import import_paths

UFS = ("SP", "RJ", "MG", "BA", "PR", "RS", "PE", "CE", "SC", "GO")
NAMES = ("Ana", "João", "Maria", "Pedro", "Lucas", "Julia", "Rafael", "Carla")


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """An online shop's orders export, Shopify style: billing and shipping addresses (the
    shipping columns stay unmapped, their roles being taken) and a loyalty-card column."""
    header = ("Name,Email,Billing Name,Billing Street,Billing City,Billing Zip,"
              "Billing Province Code,Billing Country,Billing Phone,Shipping Name,"
              "Shipping Street,Shipping City,Shipping Zip,Shipping Province Code,"
              "Shipping Country,Total,Created at,Cartão Fidelidade")
    rows = [header]
    for i in range(60):
        name = f"{NAMES[i % 8]} Souza {i}"
        uf = UFS[i % 10]
        street, zipc = f"Rua {i} de Maio {i * 3}", f"{1000000 + i * 1371:08d}"
        rows.append(f"#{1000 + i},c{i}@example.com.br,{name},{street},São Paulo,{zipc},{uf},BR,"
                    f"+55119{8000000 + i * 97:08d},{name},{street},São Paulo,{zipc},{uf},BR,"
                    f"{i * 10.5:.2f},2024-05-{i % 28 + 1:02d},FID{900000 + i * 13}")
    path = tmp_path / "orders_export.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("lang", LANGS)
def test_address_columns_are_not_identifiers_and_advice_is_plain(store, shop, lang):
    import_paths(store, [shop])
    q7 = run_audit(store, lang=lang).question("q7")
    columns = {c["column"]: c for c in q7.tables["columns"]}
    assert "Shipping Province Code" in columns and "Shipping Zip" in columns  # kept raw...
    for header in ("Shipping Province Code", "Shipping Zip", "Shipping Street",
                   "Shipping City", "Shipping Country"):
        if header in columns:  # ...but not suspected of identifying anyone
            assert columns[header]["looks_like"] == "", columns[header]
    assert columns["Cartão Fidelidade"]["looks_like"]
    assert q7.figures["identifier_like_columns"] == 1
    assert "--map" not in q7.recommendation and "custfocus" not in q7.recommendation
    assert "0" not in q7.answer  # no "0 hidden sheets were not imported"
    hidden = {"en": "hidden", "es": "ocult", "pt": "ocult"}[lang]
    assert hidden not in q7.answer and hidden not in q7.recommendation
    card = {"en": "loyalty-card", "es": "tarjeta de fidelización", "pt": "cartão fidelidade"}
    assert card[lang] in q7.recommendation
