"""Column-role inference from headers (es/pt/en) and from values."""

from __future__ import annotations

import pytest

from custfocus.ingest.roles import ROLES, fold_header, infer_roles, role_from_header

HEADERS = [
    ("Código cliente", "account_code"),
    ("Correo electrónico", "email"),
    ("E-mail", "email"),
    ("Email Address", "email"),
    ("Tel. móvil", "phone"),
    ("Celular", "phone"),
    ("Tel. fijo", "phone2"),
    ("NIF", "national_id"),
    ("NIF/CIF", "national_id"),
    ("CPF", "national_id"),
    ("CNPJ", "national_id"),
    ("RFC", "national_id"),
    ("DNI", "national_id"),
    ("CP", "postal_code"),
    ("C.P.", "postal_code"),
    ("CEP", "postal_code"),
    ("Población", "city"),
    ("Cidade", "city"),
    ("Provincia", "region"),
    ("UF", "region"),
    ("Dirección", "street"),
    ("Endereço", "street"),
    ("Domicilio", "street"),
    ("Data de nascimento", "birth_date"),
    ("F. alta", "created_date"),
    ("Signup Date", "created_date"),
    ("Última compra", "last_contact_date"),
    ("Nº pedido", "order_id"),
    ("Nº factura", "invoice_id"),
    ("Importe", "amount"),
    ("Base imponible", "amount_net"),
    ("Valor do pedido", "amount"),
    ("Satisfacción", "satisfaction"),
    ("Moneda", "currency"),
    ("Línea de producto", "product_line"),
    ("Opt-in", "opt_in"),
    ("Nome completo", "full_name"),
    ("Razón social / Nombre", "full_name"),
    ("Cuenta", "account_code"),
    ("Apellidos", "family_name"),
    ("Last Name", "family_name"),
]


@pytest.mark.parametrize(("header", "role"), HEADERS)
def test_header_synonyms_in_three_languages(header: str, role: str) -> None:
    assert role_from_header(header)[0] == role


def test_fold_header_is_accent_and_punctuation_free() -> None:
    assert fold_header("  Nº  Teléfono-Móvil ") == "no telefono movil"


def test_nombre_is_given_name_beside_apellidos_and_full_name_alone() -> None:
    beside = infer_roles(["Nombre", "Apellidos"], [["Ana", "Ruiz Gil"]])
    alone = infer_roles(["Nombre", "Email"], [["Ana Ruiz", "ana@x.es"]])
    assert [c.role for c in beside] == ["given_name", "family_name"]
    assert alone[0].role == "full_name"


def test_values_decide_when_header_says_nothing() -> None:
    rows = [["x", f"user{i}@mail.com"] for i in range(20)]
    cols = infer_roles(["Campo 1", "Campo 2"], rows)
    assert cols[1].role == "email"
    assert "values" in cols[1].reason
    assert cols[0].role is None  # unknown columns are kept raw, never dropped


def test_user_override_wins_and_can_ignore() -> None:
    cols = infer_roles(["Tel.", "Notas"], [["600", "x"]], {"tel.": "phone2", "Notas": "ignore"})
    assert [(c.role, c.confidence) for c in cols] == [("phone2", 1.0), (None, 1.0)]


def test_second_phone_column_becomes_phone2() -> None:
    cols = infer_roles(["Teléfono", "Móvil"], [["912345678", "612345678"]])
    assert {c.role for c in cols} == {"phone", "phone2"}


def test_every_role_has_a_description() -> None:
    assert all(desc for desc in ROLES.values())
