"""Header vocabulary for role inference: synonyms, keywords and qualifying words (es/pt/en).

Kept apart from ``roles.py`` so the rules read without scrolling past the word lists. Every
entry is folded text (see ``roles.fold_header``): lower case, no accents, punctuation as spaces.
No entry names a tool: a synonym is kept when any export might write it.
"""

from __future__ import annotations

# Folded header text -> role. Folding = lower, accents stripped, punctuation to spaces.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "account_code": (
        "codigo cliente", "cod cliente", "cod", "codigo", "id cliente", "cliente id",
        "customer id", "customer code", "customer number", "customer no", "account",
        "account number", "account no", "cuenta", "cuenta cliente", "n cuenta", "no cuenta",
        "num cliente", "numero cliente", "n cliente", "no cliente", "codigo do cliente",
        "cod do cliente", "id do cliente", "conta", "client id", "client code", "ref cliente",
        "referencia cliente", "customer ref", "id", "cliente codigo", "nro cliente",
        "record id", "contact id", "user id", "external id", "unique external id",
        # ERP field names: the business partner card and its licensed trade (tax) number.
        "card code",
    ),
    "full_name": (
        "nombre completo", "nome completo", "full name", "name", "customer name", "cliente",
        "customer", "client", "nombre y apellidos", "nombre apellidos", "apellidos nombre",
        "apellidos y nombre", "nome", "contacto", "persona de contacto", "contact name", "contact person",
        "contact", "razon social nombre", "nombre razon social", "titular", "nombre cliente",
        "nome do cliente", "client name", "destinatario", "comprador", "buyer",
    ),
    "given_name": (
        "nombre", "first name", "firstname", "given name", "forename", "primeiro nome",
        "nombres", "first", "nombre de pila", "prenome",
    ),
    "family_name": (
        "apellidos", "apellido", "last name", "lastname", "surname", "family name",
        "sobrenome", "apelido", "primer apellido", "segundo apellido", "apellido 1",
        "apellido 2", "apellido1", "apellido2", "apellido paterno", "apellido materno",
        "ultimo nome", "last",
    ),
    "company": (
        "empresa", "company", "compania", "razon social", "company name", "organizacion",
        "organization", "organisation", "empresa cliente", "nome da empresa", "razao social",
        "organization name", "organisation name", "corporate name", "trade name",
        "nombre comercial", "nome fantasia", "fantasia", "related company",
        "empresa relacionada", "empresa associada",
        "business name", "sociedad",
    ),
    "email": (
        "email", "e mail", "correo", "correo electronico", "mail", "email address",
        "e mail address", "direccion de correo", "endereco de email", "email facturacion",
        "correo e", "email cliente", "emails", "email de contacto", "correio eletronico",
    ),
    "phone": (
        "telefono", "tel", "tlf", "tfno", "telf", "phone", "phone number", "telephone",
        "movil", "tel movil", "telefono movil", "celular", "cel", "mobile", "mobile phone",
        "cell", "cell phone", "whatsapp", "telefone", "fone", "telemovel", "tel celular",
        "numero de telefono", "contact number", "telefono contacto", "tel 1", "telefono 1",
        "sms", "cellular", "mobile phone number", "phone 1", "telefone 1",
    ),
    "phone2": (
        "tel fijo", "telefono fijo", "fijo", "landline", "home phone", "work phone",
        "telefono 2", "tel 2", "phone 2", "telefone fixo", "fixo", "otro telefono",
        "telefono trabajo", "tel trabajo", "telefone comercial", "telefone residencial",
    ),
    "national_id": (
        "nif", "dni", "nie", "cif", "nif cif", "dni nif", "cpf", "cnpj", "cpf cnpj", "rfc",
        "curp", "cuit", "cuil", "nit", "rut", "ruc", "tax id", "vat", "vat number",
        "national id", "id number", "documento", "documento identidad", "num documento",
        "n documento", "identificacion", "cedula", "rg", "ssn", "nif nie", "doc identidad",
        "numero documento", "tax number", "nif iva", "cc", "documento de identidad",
        "taxvat", "tax vat", "vat id", "document", "document number", "cnpj cpf", "cpf cnpj", "lic trad num",
    ),
    "street": (
        "direccion", "domicilio", "calle", "address", "street", "street address",
        "address line 1", "address 1", "endereco", "logradouro", "rua", "direccion postal",
        "address line one", "street line 1",
        "domicilio fiscal", "via", "direccion envio", "endereco de entrega", "morada",
    ),
    "house_number": ("n", "no", "num", "numero", "number", "house number", "nro", "n puerta"),
    "address_extra": (
        "piso", "puerta", "piso puerta", "complemento", "address line 2", "address 2",
        "apto", "bloque", "escalera",
        "extended address", "street 2", "calle 2", "address line two", "street line 2",
    ),
    "postal_code": (
        "cp", "c p", "codigo postal", "cod postal", "postal code", "postcode", "zip",
        "zip code", "cep", "codigo postal cp", "zipcode", "cod post",
    ),
    "city": (
        "ciudad", "poblacion", "localidad", "municipio", "city", "town", "cidade",
        "municipality", "concelho", "localidade",
    ),
    "region": (
        "provincia", "region", "estado", "state", "uf", "departamento", "comunidad",
        "comunidad autonoma", "county", "province", "distrito", "province code", "state code",
        "region code",
    ),
    "country": ("pais", "country", "pais iso", "country code", "nacionalidad", "codigo pais"),
    "birth_date": (
        "fecha nacimiento", "fecha de nacimiento", "f nacimiento", "nacimiento",
        "data de nascimento", "data nascimento", "nascimento", "birth date", "date of birth",
        "dob", "birthday", "birthdate", "fec nac", "f nac",
    ),
    "gender": ("sexo", "genero", "gender", "sex"),
    "created_date": (
        "fecha alta", "f alta", "alta", "fecha de alta", "fecha registro", "fecha creacion",
        "created", "created at", "created date", "signup date", "sign up date",
        "registration date", "data de cadastro", "data cadastro", "cliente desde",
        "customer since", "date created", "fecha de registro", "subscribed",
        "subscription date", "date added",
        "registration", "registration date", "registro", "registered", "date registered",
        "signed up", "signup", "sign up", "added", "creado", "creada", "criado",
        "criado em", "data de criacao", "optin time", "opt in time", "opt in date",
        "first conversion", "primeira conversao", "primera conversion",
    ),
    "updated_date": (
        "fecha modificacion", "ultima modificacion", "updated", "updated at", "last updated",
        "last modified", "modified", "fecha actualizacion", "data de atualizacao",
        "ultima atualizacao", "ultima actualizacion", "fecha ultima actualizacion",
        "last modified date", "updated in", "update time", "last changed",
    ),
    "last_contact_date": (
        "ultima compra", "ultimo contacto", "fecha ultimo contacto", "last contact",
        "last purchase", "last order", "ultima visita", "ultimo pedido", "ultima compra fecha",
        "data ultima compra", "last activity",
        "last activity date", "last seen", "last active", "last visit", "ultimo acesso",
        "ultima actividad", "ultima atividade", "last conversion", "ultima conversao",
        "ultima conversion",
    ),
    "opt_in": (
        "opt in", "optin", "newsletter", "acepta publicidad", "consentimiento", "consent",
        "suscrito", "subscribed newsletter", "marketing consent", "acepta comunicaciones",
        "aceita newsletter", "aceita comunicacoes", "rgpd", "gdpr", "lopd", "marketing",
        "accepts marketing", "email marketing", "accepts email marketing",
        "email marketing consent",
    ),
    "order_id": (
        "n pedido", "no pedido", "pedido", "numero pedido", "id pedido", "order", "order id",
        "order number", "order no", "n do pedido", "numero do pedido", "id do pedido",
        "cod pedido", "codigo pedido", "transaction id", "nro pedido", "num pedido",
        # "orden" and "venta" are the order in Latin American exports (Tiendanube, Mercado
        # Libre); "#" reads as "n" ("# de venta")
        "numero de orden", "n de orden", "nro de orden", "n orden", "numero orden",
        "n de venta", "numero de venta", "n venta", "nro de venta", "numero de pedido",
    ),
    "invoice_id": (
        "n factura", "no factura", "factura", "numero factura", "invoice", "invoice number",
        "invoice no", "invoice id", "nota fiscal", "n nota fiscal", "num factura",
        "nro factura", "n fatura", "fatura", "numero fatura",
    ),
    "ticket_id": (
        "ticket", "n ticket", "ticket id", "id ticket", "incidencia id", "caso", "case",
        "case id", "n caso", "chamado", "n chamado", "protocolo", "numero ticket",
    ),
    "event_date": (
        "fecha", "date", "data", "fecha pedido", "fecha factura", "fecha ticket",
        "fecha compra", "order date", "invoice date", "purchase date", "data do pedido",
        "data pedido", "data da compra", "fecha de compra", "fecha incidencia",
        "data do chamado", "fecha emision", "fecha de factura", "ticket date", "created on",
        "data da fatura", "transaction date", "fecha operacion",
    ),
    "amount": (
        "importe", "total", "amount", "importe total", "valor", "valor total", "precio",
        "price", "total amount", "valor do pedido", "valor pedido", "importe pedido",
        "monto", "monto total", "revenue", "sales", "ventas", "importe eur", "total factura",
        "valor da compra", "importe neto total", "gross amount",
        "gross", "bruto", "importe bruto", "valor bruto", "dollar value", "total price",
        "price total", "order total", "total paid", "amount paid", "grand total",
        # a marketplace's revenue from the products sold (before its fees)
        "ingresos por productos", "ingresos por ventas", "receita de produtos",
    ),
    "amount_net": (
        "base imponible", "base", "neto", "importe neto", "net amount", "subtotal",
        "valor liquido", "net", "base imp",
    ),
    "tax": ("iva", "impuestos", "tax", "vat amount", "igv", "icms", "impuesto", "sales tax"),
    "currency": ("moneda", "divisa", "currency", "moeda", "curr"),
    "quantity": ("cantidad", "unidades", "qty", "quantity", "quantidade", "uds",
                 "cantidad del producto", "quantidade do produto"),
    "product_line": (
        "linea de producto", "linea producto", "product line", "producto", "product",
        "familia", "familia producto", "categoria producto", "product category",
        "linha de produto", "departamento producto", "articulo", "item", "sku category",
        "item title", "item name", "product name", "nombre producto", "nome do produto",
        "nombre del producto", "titulo de la publicacion", "titulo do anuncio",
    ),
    "business_unit": (
        "unidad", "unidad de negocio", "business unit", "division", "unidade",
        "unidade de negocio", "departamento comercial", "bu", "canal de venta",
    ),
    "category": (
        "categoria", "category", "tipo incidencia", "motivo", "tipo de contacto", "reason",
        "asunto", "subject", "topic", "tipologia", "assunto",
    ),
    "status": ("estado", "status", "situacion", "situacao", "state of ticket",
               "estado de la orden", "estado del pedido", "order status", "status do pedido",
               "estado de la venta"),
    "satisfaction": (
        "satisfaccion", "satisfaction", "csat", "nps", "valoracion", "puntuacion",
        "satisfacao", "avaliacao", "nota", "rating", "score satisfaccion",
    ),
    "document_type": ("tipo", "tipo documento", "document type", "doc type", "tipo doc", "type",
                      "transaction type", "tipo de transaccion", "tipo de transacao"),
    "channel": ("canal", "channel", "origen", "source", "origem", "fuente", "medio", "lead source",
                "origem da primeira conversao", "first conversion source"),
    "notes": (
        "descripcion", "description", "observaciones", "comentarios", "comments", "notas",
        "notes", "detalle", "descricao", "observacoes", "mensaje", "message", "note", "about", "details",
    ),
}

# Words that, found anywhere in a header, point to a role (checked when no exact match).
KEYWORDS: list[tuple[str, str]] = [
    # "Marketing contact status" is a status (of the contact), not consent.
    ("status", "status"),
    ("marketing", "opt_in"), ("accepts", "opt_in"), ("acepta", "opt_in"), ("aceita", "opt_in"),
    ("consent", "opt_in"), ("newsletter", "opt_in"),
    ("nacimiento", "birth_date"), ("nascimento", "birth_date"), ("birth", "birth_date"),
    ("email", "email"), ("correo", "email"), ("mail", "email"),
    ("fijo", "phone2"), ("fixo", "phone2"), ("landline", "phone2"),
    ("movil", "phone"), ("celular", "phone"), ("mobile", "phone"), ("telef", "phone"),
    ("phone", "phone"), ("tel", "phone"), ("fone", "phone"),
    ("nif", "national_id"), ("cpf", "national_id"), ("cnpj", "national_id"),
    ("dni", "national_id"), ("rfc", "national_id"), ("cuit", "national_id"),
    ("apellido", "family_name"), ("surname", "family_name"), ("sobrenome", "family_name"),
    ("razon social", "full_name"), ("nombre", "full_name"), ("nome", "full_name"),
    ("name", "full_name"),
    ("postal", "postal_code"), ("cep", "postal_code"), ("zip", "postal_code"),
    ("direccion", "street"), ("domicilio", "street"), ("endereco", "street"),
    ("address", "street"),
    ("ciudad", "city"), ("cidade", "city"), ("poblacion", "city"), ("localidad", "city"),
    ("provincia", "region"),
    ("pedido", "order_id"), ("order", "order_id"), ("factura", "invoice_id"),
    ("invoice", "invoice_id"), ("ticket", "ticket_id"),
    ("satisf", "satisfaction"), ("importe", "amount"), ("valor", "amount"),
    ("amount", "amount"), ("total", "amount"), ("fecha", "event_date"), ("data", "event_date"),
    ("date", "event_date"), ("alta", "created_date"), ("cliente", "account_code"),
    ("cuenta", "account_code"), ("customer", "account_code"),
]

# Words that qualify a header without changing what it holds: "Default Address City" is a
# city, "Teléfono cliente" a phone. English puts them in front, Spanish and Portuguese after.
QUALIFIERS = frozenset({
    "default", "billing", "shipping", "bill", "ship", "address", "customer", "cliente",
    "client", "primary", "main", "principal", "de", "del", "do", "da", "facturacion",
    "envio", "entrega", "contact", "contacto", "the", "of",
    "to", "mailing", "from", "home", "business", "work", "other", "personal", "person", "office",
})
# Customer-level totals ("Total Spent", "Orders Count", "Importe anual"): not an order's
# amount nor its id. Kept raw, so they never become undated orders.
AGGREGATE_WORDS = frozenset({
    "spent", "spend", "gastado", "gasto", "lifetime", "ltv", "anual", "annual", "acumulado",
    "count", "historico", "yearly",
})
# Words of a customer-level total that name money rather than a count ("Total Spent").
MONEY_WORDS = frozenset({
    "spent", "spend", "gastado", "gasto", "lifetime", "ltv", "value", "valor",
    "importe", "amount", "revenue", "facturacion", "faturamento", "ventas", "vendas", "sales",
    "monto",
})
AGGREGATE_LEADS = frozenset({"total", "number", "numero", "num", "n", "no", "nro", "cantidad"})
PLURAL_FACTS = frozenset({
    "orders", "pedidos", "compras", "purchases", "invoices", "facturas", "faturas",
    "tickets", "visits", "visitas", "transactions",
})
# Dates that are not about the customer (due, expiry): kept raw, never a birth date.
OTHER_DATE_WORDS = frozenset({
    "vencimiento", "vencimento", "due", "expiry", "expiration", "caducidad", "validade",
    "expira", "expires",
})
GIVEN_WORDS = frozenset({"first", "given", "forename", "nombre", "nome", "primeiro"})
FAMILY_WORDS = frozenset({
    "surname", "surnames", "last", "family", "apellido", "apellidos", "sobrenome", "apelido",
})
# Currency codes and words that qualify an amount header ("amount_usd", "Total (ARS)").
CURRENCY_WORDS = frozenset({
    "eur", "euro", "euros", "usd", "us", "dollar", "dollars", "dolares", "brl", "reais", "mxn",
    "ars", "clp", "cop", "pen", "uyu", "gbp", "pesos",
})
# Words naming a part of a name that does not identify a person on its own (a middle name,
# a nickname, a phonetic reading, a title) or another person's name ("Manager's Name").
# Matched inside folded words: "middlename" holds "middle".
NOT_A_NAME = (
    "middle", "maiden", "nick", "phonetic", "yomi", "prefix", "suffix", "initials", "username",
    "login", "apodo", "alcunha",
)
# Someone other than the customer: their phone or name is not the customer's.
OTHER_PERSON_WORDS = frozenset({
    "manager", "assistant", "spouse", "owner", "agent", "asistente", "conyuge",
})
# A header ending in one of these names the kind of the neighbouring value, not the value
# ("Phone 1 - Label" = "Mobile"), or its network address ("OPTIN_IP").
LABEL_WORDS = frozenset({"label", "labels", "type", "ip", "etiqueta"})
# Words that end (English) or start (Spanish, Portuguese) a date header around what is dated.
DATE_WORDS = frozenset({"date", "time", "at", "on", "in", "fecha", "data", "dia"})
# Words of a mobile phone header: the phone role prefers mobiles.
MOBILE_WORDS = frozenset({
    "mobile", "movil", "celular", "cellular", "cell", "telemovel", "sms",
})
# English words that a Spanish look-alike would misread ("Department" is no "departamento").
FALSE_FRIENDS = frozenset({"department", "title", "job title"})
