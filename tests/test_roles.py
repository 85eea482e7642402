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


@pytest.mark.parametrize(("header", "role"), [
    ("Default Address City", "city"),
    ("Default Address Address1", "street"),
    ("Default Address Zip", "postal_code"),
    ("Billing Address Province Code", "region"),
    ("Shipping Country Code", "country"),
    ("Default Address Company", "company"),
    ("Teléfono cliente", "phone"),
    ("Accepts Email Marketing", "opt_in"),
])
def test_qualified_headers_are_read_by_their_specific_words(header: str, role: str) -> None:
    assert role_from_header(header)[0] == role


@pytest.mark.parametrize("header", ["Total Spent", "Total Orders", "Orders Count",
                                    "Importe anual (€)", "Lifetime value"])
def test_customer_level_totals_are_neither_amounts_nor_ids(header: str) -> None:
    role, _, reason = role_from_header(header)
    assert role is None and "customer-level" in reason


def test_due_date_is_not_a_birth_date() -> None:
    assert role_from_header("Fecha vencimiento")[0] is None
    assert role_from_header("Fecha nacimento")[0] == "birth_date"  # a typo still is
    rows = [["Ana", f"0{d}/03/2031"] for d in range(1, 8)]
    cols = infer_roles(["Nombre", "Fecha de nacimiento"], rows)
    assert cols[1].role is None and "future" in cols[1].reason


def test_person_id_with_long_numbers_is_not_a_phone() -> None:
    rows = [[str(10_000_001 + i), f"Ana {i}"] for i in range(30)]
    cols = infer_roles(["person_id", "Nombre"], rows)
    assert cols[0].role is None and "identifier" in cols[0].reason
    counted = infer_roles(["Teléfono"], [[str(600_000_001 + i)] for i in range(30)])
    assert counted[0].role is None  # numbers that count up are an id, not phones


def test_header_naming_first_and_surname_is_a_full_name() -> None:
    assert role_from_header("first_and_surname")[0] == "full_name"
    assert role_from_header("Nombre y apellido")[0] == "full_name"


def test_a_name_column_of_organisations_is_read_as_company_names() -> None:
    """A "Site name" whose values are mostly organisations' names holds organisations (not
    people split into given and family name); a person-name column with a company typed
    here and there stays a person-name column."""
    sites = [["Salvation Army - Temple"], ["Chicago Youth Centers - ABC"], ["Fiske"],
             ["YMCA of Metropolitan Chicago"], ["Acme Ltd"], ["Henry Booth House - Loop"]]
    people = [["Ana Ruiz"], ["Luis Gil"], ["Acme Ltd"], ["Marta Sanz"], ["Pedro Díaz"]]
    (site,) = infer_roles(["Site name"], sites)
    (person,) = infer_roles(["Customer name"], people)
    assert site.role == "company" and "organisation" in site.reason
    assert person.role == "full_name"


def test_a_vague_name_column_of_few_repeated_values_is_a_category_kept_raw() -> None:
    """"Program Name" holding four values over hundreds of rows is a category, not people."""
    rows = [[p] for p in ["Head Start", "Child Care", "School Age", "Early Head Start"] * 30]
    (program,) = infer_roles(["Program Name"], rows)
    names = [[f"Persona {chr(65 + i % 26)}{i}"] for i in range(120)]
    (person,) = infer_roles(["Contact name"], names)
    assert program.role is None and "category" in program.reason
    assert person.role == "full_name"
