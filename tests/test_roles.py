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


@pytest.mark.parametrize(("header", "expected"), [
    ("Total Spent", "total_spent"), ("Total Orders", "order_count"),
    ("Orders Count", "order_count"), ("Importe anual (€)", "total_spent"),
    ("Lifetime value", "total_spent"), ("Nº compras", "order_count"),
    ("Número de pedidos", "order_count"), ("Annual revenue", "total_spent")])
def test_customer_level_totals_are_attributes_neither_amounts_nor_ids(header: str,
                                                                      expected: str) -> None:
    role, _, reason = role_from_header(header)
    assert role == expected and "customer-level" in reason


def test_a_customer_total_of_words_is_kept_raw() -> None:
    rows = [["Ana", "alto"], ["Luis", "bajo"], ["Eva", "medio"]]
    assert infer_roles(["Nombre", "Total Spent"], rows)[1].role is None


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


@pytest.mark.parametrize(
    "header",
    ["dollar_value", "amount_usd", "revenue", "total_price", "importe", "valor", "Amount",
     "Gross", "Total (ARS)", "Valor (R$)"],
)
def test_amount_headers_in_english_spanish_and_portuguese(header: str) -> None:
    assert role_from_header(header)[0] == "amount"


@pytest.mark.parametrize(
    ("header", "role"),
    [("Billing Address 1", "street"), ("Shipping City", "city"), ("Bill to Zip", "postal_code"),
     ("MailingStreet", "street"), ("Home Country/Region", "country"), ("Town/City", "city"),
     ("Address 1 - Street", "street"), ("E-mail 1 - Value", "email"),
     ("Phone 2 - Value", "phone2"), ("Person - First name", "given_name"),
     ("Company Name", "company"), ("Created at", "created_date"),
     ("Last Activity Date", "last_contact_date"), ("Last Activity Time", "last_contact_date"),
     ("Date registered", "created_date"), ("Data da primeira conversão", "created_date"),
     ("Email Marketing Consent", "opt_in"), ("Moeda", "currency"), ("CntctPrsn", "full_name")],
)
def test_qualified_numbered_and_dated_headers_read_by_what_they_hold(header: str, role: str) -> None:
    assert role_from_header(header)[0] == role


@pytest.mark.parametrize(
    "header",
    ["Phone 1 - Label", "OPTIN_IP", "Middle Name", "middlename", "Nickname", "Name Prefix",
     "Phonetic Last Name", "Manager's Name", "Assistant's Phone", "Contact owner",
     "Department", "Person - ID"],
)
def test_labels_name_parts_and_other_peoples_details_are_kept_raw(header: str) -> None:
    assert role_from_header(header)[0] is None


def test_the_mobile_column_is_the_phone_and_the_best_other_the_second_phone() -> None:
    headers = ["Phone", "Home Phone", "Business Phone", "Mobile", "Other Phone"]
    rows = [["+34 910 000 001", "+34 910 000 002", "", "+34 600 000 003", ""]] * 3
    roles = [c.role for c in infer_roles(headers, rows)]
    assert roles == ["phone2", None, None, "phone", None]


def test_an_amount_without_order_invoice_or_date_is_a_customer_total() -> None:
    rows = [["Ana Ruiz", "ana@example.es", "120,50"], ["Luis Gil", "luis@example.es", "80,00"]]
    cols = infer_roles(["Nombre", "Email", "Ventas"], rows)
    assert cols[2].role == "total_spent" and "customer-level" in cols[2].reason
    dated = infer_roles(["Nombre", "Fecha", "Importe"], [["Ana Ruiz", "01/02/2024", "12"]])
    assert dated[2].role == "amount"


def test_a_payments_sheet_dates_each_payment_and_keeps_its_own_id_raw() -> None:
    headers = ["id", "Created (UTC)", "Amount", "Fee", "Net", "Currency", "Customer ID",
               "Invoice ID"]
    rows = [["py_1", "2026-10-01 09:12:44", "120.00", "3.90", "116.10", "eur", "cus_1", "in_1"]]
    roles = [c.role for c in infer_roles(headers, rows)]
    assert roles == [None, "event_date", "amount", None, None, "currency", "account_code",
                     "invoice_id"]


def test_values_settle_an_id_of_nifs_a_code_of_countries_and_a_state() -> None:
    rows = [["12345678Z", "ES", "RJ", "Ana"], ["X1234567L", "MX", "SP", "Rui"],
            ["53123456B", "PT", "MG", "Eva"]]
    roles = [c.role for c in infer_roles(["ID", "CC", "Estado", "Nome"], rows)]
    assert roles == ["national_id", "country", "region", "full_name"]


def test_a_date_read_from_values_alone_is_no_event_in_a_customer_list() -> None:
    rows = [["ana@example.es", "2025-03-01 10:05:00"], ["luis@example.es", "2025-04-01 11:00"]]
    cols = infer_roles(["Email", "CONFIRM_TIME"], rows * 2)
    assert cols[1].role is None
    # a loose date header over values that are no dates ("created_in" = a store's name)
    store = infer_roles(["created_in"], [["Default Store View"]] * 4)
    assert store[0].role is None


def test_amounts_of_an_unknown_currency_are_not_assumed_euros(tmp_path) -> None:
    """Amounts with no symbol, no currency column and no country in the data are kept in
    the unknown currency (XXX) with a note, not taken for euros; a header naming its
    currency decides it."""
    from custfocus.ingest.plan import UNKNOWN_CURRENCY, plan_table
    from custfocus.ingest.readers import open_source

    unknown = tmp_path / "orders.csv"
    unknown.write_text("order_id,customer_id,date,amount\n1,A1,2024-01-05,10.5\n", encoding="utf-8")
    named = tmp_path / "sales.csv"
    named.write_text("order_id,customer_id,date,dollar_value\n1,A1,2024-01-05,10.5\n", encoding="utf-8")
    (table_unknown,) = open_source(unknown).tables
    (table_named,) = open_source(named).tables
    plan = plan_table(table_unknown)
    assert plan.default_currency == UNKNOWN_CURRENCY
    assert any("currency" in note and "--region" in note for note in plan.notes)
    assert plan_table(table_named).default_currency == "USD"
    assert plan_table(table_unknown, region="MX").default_currency == "MXN"


def test_an_orders_sheet_takes_the_currency_of_its_workbooks_customers(tmp_path) -> None:
    """An orders sheet with no symbol and no country of its own, beside a customers sheet
    whose phones are Spanish: its amounts are euros (the country the workbook shows), not
    of an unknown currency."""
    from openpyxl import Workbook

    from custfocus.ingest.importer import import_paths
    from custfocus.store import Store

    book = Workbook()
    customers = book.active
    customers.title = "Clientes"
    customers.append(["Código cliente", "Nombre", "Teléfono"])
    customers.append(["C1", "Ana Ruiz", "612345678"])
    customers.append(["C2", "Luis Gil", "622345678"])
    orders = book.create_sheet("Pedidos")
    orders.append(["Nº pedido", "Código cliente", "Fecha", "Importe"])
    orders.append(["P1", "C1", "2024-01-05", 10.5])
    orders.append(["P2", "C2", "2024-02-05", 20.0])
    book.save(tmp_path / "ventas.xlsx")
    store = Store(tmp_path / "s.duckdb")
    import_paths(store, [tmp_path / "ventas.xlsx"])
    assert store.execute("SELECT DISTINCT currency FROM facts").fetchall() == [("EUR",)]
    store.close()


def test_each_record_has_its_own_country_in_a_mixed_file(tmp_path) -> None:
    """One shop file with Spanish, French and British customers: each record's country
    comes from its country column, else its phone's country code, else the file's."""
    from custfocus.ingest.importer import import_paths
    from custfocus.store import Store

    shop = tmp_path / "shop.csv"
    shop.write_text("Name,Email,Phone,Country\n"
                    "Ana Ruiz,ana@example.es,612345678,\n"
                    "Paul Martin,paul@example.fr,+33 1 42 68 53 00,\n"
                    "Jane Smith,jane@example.co.uk,+44 20 7946 0958,\n"
                    "Luis Gil,luis@example.es,+33 6 12 34 56 78,España\n"
                    "Marta Sanz,marta@example.es,622345678,\n", encoding="utf-8")
    store = Store(tmp_path / "s.duckdb")
    import_paths(store, [shop])
    countries = dict(store.execute("SELECT email, country FROM records").fetchall())
    assert countries == {"ana@example.es": "ES", "paul@example.fr": "FR",
                         "jane@example.co.uk": "GB", "luis@example.es": "ES",
                         "marta@example.es": "ES"}
    store.close()


def test_an_orders_file_exported_apart_is_linked_by_an_unambiguous_customer_code(tmp_path) -> None:
    """customers.csv and orders.csv exported apart: the orders name customers by a code
    only the customers file holds, and are linked; a code two systems hold is not."""
    from custfocus.ingest.importer import import_paths
    from custfocus.store import Store

    (tmp_path / "clientes.csv").write_text(
        "Código cliente,Nombre,Teléfono\nC1,Ana Ruiz,612345678\nC2,Luis Gil,622345678\n",
        encoding="utf-8")
    (tmp_path / "crm.csv").write_text(
        "Código cliente,Nombre,Email\nC2,Luis Gil,luis@example.es\n", encoding="utf-8")
    (tmp_path / "pedidos.csv").write_text(
        "Nº pedido,Código cliente,Fecha,Importe\nP1,C1,2024-01-05,10.5\nP2,C2,2024-02-05,20\n",
        encoding="utf-8")
    store = Store(tmp_path / "s.duckdb")
    import_paths(store, [tmp_path])
    linked = dict(store.execute(
        "SELECT f.document_id, r.full_name FROM facts f LEFT JOIN records r USING (record_id)"
    ).fetchall())
    assert linked == {"P1": "Ana Ruiz", "P2": None}
    store.close()
