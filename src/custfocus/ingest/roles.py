"""Column roles: the canonical vocabulary and how a column's role is inferred.

Why both header and values: departmental exports name the same thing a dozen ways in
three languages ("Tel. móvil", "Celular", "Phone"), and some headers say nothing at all
("Campo 7"). The header gives the strongest signal; the values confirm or override it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from custfocus.normalise.names import is_organisation_name

# role -> (group, description). Groups: identity (who), contact, address, date, fact.
ROLES: dict[str, str] = {
    "account_code": "customer / account code within the source system",
    "full_name": "full name in one column",
    "given_name": "given (first) name(s)",
    "family_name": "family name(s); two surname columns are joined",
    "company": "company / legal name",
    "email": "e-mail address",
    "phone": "phone (mobile preferred)",
    "phone2": "second phone (landline, work)",
    "national_id": "national or tax id (NIF, NIE, CIF, CPF, CNPJ, RFC, CURP, CUIT, NIT...)",
    "street": "street address line",
    "house_number": "house number",
    "address_extra": "floor / door / complement",
    "postal_code": "postal code (CP, CEP, ZIP)",
    "city": "city / town",
    "region": "region / province / state",
    "country": "country",
    "birth_date": "date of birth",
    "gender": "gender / sex",
    "created_date": "date the customer was created / signed up",
    "updated_date": "date the record was last updated",
    "last_contact_date": "date of last contact or purchase",
    "opt_in": "marketing consent",
    "order_id": "order number",
    "invoice_id": "invoice number",
    "ticket_id": "ticket / case number",
    "event_date": "date of the order, invoice or ticket",
    "amount": "amount (total)",
    "amount_net": "amount before tax",
    "tax": "tax amount",
    "currency": "currency",
    "quantity": "quantity / units",
    "product_line": "product line / category of what was bought",
    "business_unit": "business unit / department",
    "category": "ticket or interaction category",
    "status": "status (open, closed...)",
    "satisfaction": "satisfaction score",
    "document_type": "document type (invoice, credit note, return)",
    "channel": "channel",
    "notes": "free text (kept raw)",
    "ignore": "not imported into records (still kept raw)",
}

IDENTITY_ROLES = frozenset(
    {"full_name", "given_name", "family_name", "company", "email", "phone", "phone2",
     "national_id", "account_code"}
)
STRONG_ID_ROLES = frozenset({"email", "phone", "phone2", "national_id"})
FACT_ROLES = frozenset(
    {"order_id", "invoice_id", "ticket_id", "event_date", "amount", "amount_net", "tax",
     "quantity", "product_line", "category", "status", "satisfaction", "document_type"}
)
# A name column in which at least this share of the values are organisations' names
# ("... Ltd", "Fundación ...", "YMCA of ... - ...") holds organisations: its values are
# company names, not people split into given and family name. (A person-name column has
# a few per cent at most: a company typed where the person should be.)
ORGANISATION_SHARE = 0.5
MULTI_ROLES = frozenset({"family_name", "notes", "ignore", "address_extra"})

# Folded header text -> role. Folding = lower, accents stripped, punctuation to spaces.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "account_code": (
        "codigo cliente", "cod cliente", "cod", "codigo", "id cliente", "cliente id",
        "customer id", "customer code", "customer number", "customer no", "account",
        "account number", "account no", "cuenta", "cuenta cliente", "n cuenta", "no cuenta",
        "num cliente", "numero cliente", "n cliente", "no cliente", "codigo do cliente",
        "cod do cliente", "id do cliente", "conta", "client id", "client code", "ref cliente",
        "referencia cliente", "customer ref", "id", "cliente codigo", "nro cliente",
    ),
    "full_name": (
        "nombre completo", "nome completo", "full name", "name", "customer name", "cliente",
        "customer", "client", "nombre y apellidos", "nombre apellidos", "apellidos nombre",
        "apellidos y nombre", "nome", "contacto", "persona de contacto", "contact name",
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
    ),
    "street": (
        "direccion", "domicilio", "calle", "address", "street", "street address",
        "address line 1", "address 1", "endereco", "logradouro", "rua", "direccion postal",
        "domicilio fiscal", "via", "direccion envio", "endereco de entrega", "morada",
    ),
    "house_number": ("n", "no", "num", "numero", "number", "house number", "nro", "n puerta"),
    "address_extra": (
        "piso", "puerta", "piso puerta", "complemento", "address line 2", "address 2",
        "apto", "bloque", "escalera",
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
    ),
    "updated_date": (
        "fecha modificacion", "ultima modificacion", "updated", "updated at", "last updated",
        "last modified", "modified", "fecha actualizacion", "data de atualizacao",
        "ultima atualizacao", "ultima actualizacion", "fecha ultima actualizacion",
    ),
    "last_contact_date": (
        "ultima compra", "ultimo contacto", "fecha ultimo contacto", "last contact",
        "last purchase", "last order", "ultima visita", "ultimo pedido", "ultima compra fecha",
        "data ultima compra", "last activity",
    ),
    "opt_in": (
        "opt in", "optin", "newsletter", "acepta publicidad", "consentimiento", "consent",
        "suscrito", "subscribed newsletter", "marketing consent", "acepta comunicaciones",
        "aceita newsletter", "aceita comunicacoes", "rgpd", "gdpr", "lopd", "marketing",
        "accepts marketing", "email marketing", "accepts email marketing",
    ),
    "order_id": (
        "n pedido", "no pedido", "pedido", "numero pedido", "id pedido", "order", "order id",
        "order number", "order no", "n do pedido", "numero do pedido", "id do pedido",
        "cod pedido", "codigo pedido", "transaction id", "nro pedido", "num pedido",
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
    ),
    "amount_net": (
        "base imponible", "base", "neto", "importe neto", "net amount", "subtotal",
        "valor liquido", "net", "base imp",
    ),
    "tax": ("iva", "impuestos", "tax", "vat amount", "igv", "icms", "impuesto"),
    "currency": ("moneda", "divisa", "currency", "moeda", "curr"),
    "quantity": ("cantidad", "unidades", "qty", "quantity", "quantidade", "uds"),
    "product_line": (
        "linea de producto", "linea producto", "product line", "producto", "product",
        "familia", "familia producto", "categoria producto", "product category",
        "linha de produto", "departamento producto", "articulo", "item", "sku category",
    ),
    "business_unit": (
        "unidad", "unidad de negocio", "business unit", "division", "unidade",
        "unidade de negocio", "departamento comercial", "bu", "canal de venta",
    ),
    "category": (
        "categoria", "category", "tipo incidencia", "motivo", "tipo de contacto", "reason",
        "asunto", "subject", "topic", "tipologia", "assunto",
    ),
    "status": ("estado", "status", "situacion", "situacao", "state of ticket"),
    "satisfaction": (
        "satisfaccion", "satisfaction", "csat", "nps", "valoracion", "puntuacion",
        "satisfacao", "avaliacao", "nota", "rating", "score satisfaccion",
    ),
    "document_type": ("tipo", "tipo documento", "document type", "doc type", "tipo doc"),
    "channel": ("canal", "channel", "origen", "source", "origem", "fuente", "medio"),
    "notes": (
        "descripcion", "description", "observaciones", "comentarios", "comments", "notas",
        "notes", "detalle", "descricao", "observacoes", "mensaje", "message", "note",
    ),
}

HEADER_TO_ROLE: dict[str, str] = {
    syn: role for role, syns in _SYNONYMS.items() for syn in syns
}

# Words that, found anywhere in a header, point to a role (checked when no exact match).
_KEYWORDS: list[tuple[str, str]] = [
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

_FOLD_RE = re.compile(r"[^0-9a-z]+")


def fold_header(header: str) -> str:
    """Lower-case, accent-free, punctuation-free form used to look headers up."""
    import unicodedata

    text = unicodedata.normalize("NFKD", header)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _FOLD_RE.sub(" ", text).strip()


@dataclass
class ColumnRole:
    """The role inferred for one column, how sure we are, and why."""

    index: int
    header: str
    role: str | None
    confidence: float
    reason: str
    value_profile: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "column": self.header,
            "role": self.role,
            "confidence": round(self.confidence, 2),
            "reason": self.reason,
        }


# Words that qualify a header without changing what it holds: "Default Address City" is a
# city, "Teléfono cliente" a phone. English puts them in front, Spanish and Portuguese after.
_QUALIFIERS = frozenset({
    "default", "billing", "shipping", "bill", "ship", "address", "customer", "cliente",
    "client", "primary", "main", "principal", "de", "del", "do", "da", "facturacion",
    "envio", "entrega", "contact", "contacto", "the", "of",
})
# Customer-level totals ("Total Spent", "Orders Count", "Importe anual"): not an order's
# amount nor its id. Kept raw, so they never become undated orders.
_AGGREGATE_WORDS = frozenset({
    "spent", "spend", "gastado", "gasto", "lifetime", "ltv", "anual", "annual", "acumulado",
    "count", "historico", "yearly",
})
_AGGREGATE_LEADS = frozenset({"total", "number", "numero", "num", "n", "no", "nro", "cantidad"})
_PLURAL_FACTS = frozenset({
    "orders", "pedidos", "compras", "purchases", "invoices", "facturas", "faturas",
    "tickets", "visits", "visitas", "transactions",
})
# Dates that are not about the customer (due, expiry): kept raw, never a birth date.
_OTHER_DATE_WORDS = frozenset({
    "vencimiento", "vencimento", "due", "expiry", "expiration", "caducidad", "validade",
    "expira", "expires",
})
_GIVEN_WORDS = frozenset({"first", "given", "forename", "nombre", "nome", "primeiro"})
_FAMILY_WORDS = frozenset({
    "surname", "surnames", "last", "family", "apellido", "apellidos", "sobrenome", "apelido",
})
_IDENTIFIER = "header names an identifier (kept raw)"
_AGGREGATE = "customer-level total (kept raw)"
_OTHER_DATE = "a due or expiry date (kept raw)"
# Headers that say what a column is not: its values do not give it a role.
_KEPT_RAW = frozenset({_IDENTIFIER, _AGGREGATE, _OTHER_DATE})
_SPLIT_DIGITS = re.compile(r"(?<=[a-z])(?=\d)")


def _lookup(folded: str) -> tuple[str | None, float]:
    """Exact synonym of ``folded``, allowing "address1" for "address 1" and no spaces."""
    if folded in HEADER_TO_ROLE:
        return HEADER_TO_ROLE[folded], 0.95
    spaced = _SPLIT_DIGITS.sub(" ", folded)
    if spaced in HEADER_TO_ROLE:
        return HEADER_TO_ROLE[spaced], 0.9
    compact = folded.replace(" ", "")
    if len(compact) >= 4:
        for syn, role in HEADER_TO_ROLE.items():
            if syn.replace(" ", "") == compact:
                return role, 0.9
    return None, 0.0


def _without_qualifiers(words: list[str]) -> list[str]:
    """The header's words with qualifiers dropped from either end, one at a time."""
    variants = []
    lead, tail = 0, len(words)
    while tail - lead > 1 and words[lead] in _QUALIFIERS:
        lead += 1
        variants.append(" ".join(words[lead:tail]))
    lead = 0
    while tail - lead > 1 and words[tail - 1] in _QUALIFIERS:
        tail -= 1
        variants.append(" ".join(words[lead:tail]))
    return variants


def _is_aggregate(words: list[str]) -> bool:
    if set(words) & _AGGREGATE_WORDS:
        return True
    return words[0] in _AGGREGATE_LEADS and bool(set(words[1:]) & _PLURAL_FACTS)


def _close_words(header: str, synonym: str) -> bool:
    """Word-for-word typos only: "telefno movil" is close to "telefono movil", but
    "fecha vencimiento" is not "fecha nacimiento" (another word, not a typo)."""
    from rapidfuzz import fuzz

    a, b = header.split(), synonym.split()
    return len(a) == len(b) and all(fuzz.ratio(x, y) >= 88 for x, y in zip(a, b))


def role_from_header(header: str) -> tuple[str | None, float, str]:
    """Role suggested by the header text alone, with a confidence and a reason.

    Example:
        >>> role_from_header("Default Address Zip")[:2], role_from_header("Total Orders")[0]
        (('postal_code', 0.9), None)
    """
    folded = fold_header(header)
    if not folded:
        return None, 0.0, "empty header"
    role, confidence = _lookup(folded)
    if role:
        return role, confidence, "header"
    words = _SPLIT_DIGITS.sub(" ", folded).split()
    if _is_aggregate(words):
        return None, 0.0, _AGGREGATE
    if set(words) & _OTHER_DATE_WORDS:
        return None, 0.0, _OTHER_DATE
    for variant in _without_qualifiers(folded.split()):
        role, confidence = _lookup(variant)
        if role:
            return role, round(confidence - 0.05, 2), f"header read as '{variant}'"
    if set(words) & _GIVEN_WORDS and set(words) & _FAMILY_WORDS:
        return "full_name", 0.85, "header names given name and surname"
    from rapidfuzz import fuzz, process

    match = process.extractOne(folded, HEADER_TO_ROLE.keys(), scorer=fuzz.ratio, score_cutoff=88)
    if match and len(folded) >= 5 and _close_words(folded, match[0]):
        return HEADER_TO_ROLE[match[0]], 0.8, f"header resembles '{match[0]}'"
    tokens = f" {folded} "
    for keyword, role in _KEYWORDS:
        if (len(keyword) <= 3 and f" {keyword} " in tokens) or (
            len(keyword) > 3 and keyword in folded
        ):
            return role, 0.7, f"header contains '{keyword}'"
    if words[-1] == "id" or words[0] == "id":
        return None, 0.0, _IDENTIFIER

    return None, 0.0, "header not recognised"


# Value sniffing ---------------------------------------------------------------
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)
_PHONE_RE = re.compile(r"^\+?[\d\s().\-/]{7,20}$")
_DATE_RE = re.compile(
    r"^(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?)$"
)
_AMOUNT_RE = re.compile(r"^[-(]?\s*(R\$|US\$|\$|€|£)?\s*-?[\d.,\s]+\s*(€|EUR|BRL|USD|MXN)?\)?-?$")
_ID_RE = re.compile(r"^[A-Z]?[\d.\-/ ]{7,18}[A-Z0-9]?$", re.I)
_CODE_RE = re.compile(r"^[A-Z]{0,4}[-_]?\d{1,10}$", re.I)
_NAMEISH_RE = re.compile(r"^[^\d@]{2,}$")
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def profile_values(values: Sequence[str]) -> dict[str, float]:
    """Share of non-empty sample values that look like each kind of data."""
    filled = [v.strip() for v in values if v and v.strip()]
    if not filled:
        return {"filled": 0.0}
    n = len(filled)

    def share(pattern: re.Pattern[str]) -> float:
        return sum(1 for v in filled if pattern.match(v)) / n

    digits = [v for v in filled if sum(c.isdigit() for c in v) >= 7]
    this_year = datetime.date.today().year
    return {
        "filled": n / max(len(values), 1),
        "filled_count": n,
        "email": share(_EMAIL_RE),
        "phone": sum(1 for v in digits if _PHONE_RE.match(v)) / n,
        "date": share(_DATE_RE),
        "amount": share(_AMOUNT_RE),
        "id": share(_ID_RE),
        "code": share(_CODE_RE),
        "nameish": share(_NAMEISH_RE),
        "distinct": len(set(filled)) / n,
        "comma_name": sum(1 for v in filled if "," in v and _NAMEISH_RE.match(v)) / n,
        "future": sum(1 for v in filled if _year_of(v) > this_year) / n,
        "sequential": _sequential_share(filled),
        "organisation": sum(1 for v in filled if is_organisation_name(v)) / n,
    }


def _year_of(value: str) -> int:
    match = _YEAR_RE.search(value)
    return int(match.group(0)) if match else 0


def _sequential_share(values: list[str]) -> float:
    """Share of neighbouring values that count up by a small step (a row counter or an
    internal id, not phone numbers)."""
    numbers = [int(v) for v in values if v.isdigit() and len(v) <= 18]
    if len(numbers) < 3 or len(numbers) < 0.8 * len(values):
        return 0.0
    steps = [b - a for a, b in zip(numbers, numbers[1:])]
    return sum(1 for step in steps if 0 < step <= 10) / len(steps)


def role_from_values(profile: dict[str, float]) -> tuple[str | None, float]:
    """Role suggested by what the values look like (used for unclear headers)."""
    if profile.get("filled", 0) == 0:
        return None, 0.0
    if profile["email"] >= 0.6:
        return "email", profile["email"]
    if profile["date"] >= 0.8:
        return "event_date", 0.6
    if profile["phone"] >= 0.7 and profile["distinct"] > 0.3 and profile["sequential"] < 0.5:
        return "phone", 0.6
    return None, 0.0


def infer_roles(
    headers: Sequence[str],
    sample_rows: Sequence[Sequence[str]],
    overrides: dict[str, str] | None = None,
) -> list[ColumnRole]:
    """Assign a role to every column from its header, its values and the user's overrides.

    Example:
        >>> [c.role for c in infer_roles(["Nombre", "Apellidos", "Tel."], [["Ana", "Ruiz", "600"]])]
        ['given_name', 'family_name', 'phone']
    """
    overrides = {fold_header(k): v for k, v in (overrides or {}).items()}
    columns: list[ColumnRole] = []
    for i, header in enumerate(headers):
        values = [row[i] if i < len(row) else "" for row in sample_rows]
        profile = profile_values(values)
        folded = fold_header(header)
        if folded in overrides:
            role = overrides[folded]
            columns.append(ColumnRole(i, header, None if role == "ignore" else role, 1.0,
                                      "set by user", profile))
            continue
        role, confidence, reason = role_from_header(header)
        role, confidence, reason = _check_against_values(role, confidence, reason, profile)
        columns.append(ColumnRole(i, header, role, confidence, reason, profile))
    _resolve_context(columns)
    return columns


def _check_against_values(
    role: str | None, confidence: float, reason: str, profile: dict[str, float]
) -> tuple[str | None, float, str]:
    if profile.get("filled", 0) == 0:
        return role, confidence * 0.8, reason + "; column empty in sample"
    value_role, value_conf = role_from_values(profile)
    if role is None:
        # "person_id" holding long numbers is an identifier, whatever its digits look like.
        if value_role and (reason not in _KEPT_RAW or value_role == "email"):
            return value_role, value_conf, "values look like " + value_role.replace("_", " ")
        return None, 0.0, reason
    if role == "email" and profile["email"] < 0.3 and value_role != "email":
        return role, confidence * 0.6, reason + "; few values look like e-mails"
    if role in {"full_name", "given_name", "family_name"} and profile["email"] >= 0.6:
        return "email", 0.8, "values are e-mails"
    if role == "full_name" and profile["organisation"] >= ORGANISATION_SHARE:
        return "company", confidence, reason + "; values are organisation names"
    if (role == "full_name" and reason.startswith("header contains")
            and profile["filled_count"] >= 50 and profile["distinct"] < 0.05):
        return None, 0.0, reason + "; a few values repeated, a category rather than names"
    if role == "full_name" and profile["code"] >= 0.8 and profile["nameish"] < 0.2:
        return "account_code", 0.85, reason + "; values are codes"
    if role == "account_code" and profile["nameish"] >= 0.8 and profile["code"] < 0.2:
        return "full_name", 0.75, reason + "; values are names"
    if role == "birth_date" and profile["future"] >= 0.2:
        return None, 0.0, reason + "; dates lie in the future, not births (kept raw)"
    if role in {"phone", "phone2"} and profile["sequential"] >= 0.5:
        return None, 0.0, reason + "; values count up, an id rather than phones (kept raw)"
    if role in {"phone", "phone2"} and profile["phone"] < 0.3 and profile["email"] >= 0.5:
        return "email", 0.8, "values are e-mails"
    return role, confidence, reason


def _resolve_context(columns: list[ColumnRole]) -> None:
    """Settle roles that depend on the other columns of the sheet."""
    roles = [c.role for c in columns]
    has_family = "family_name" in roles
    has_street = "street" in roles
    is_fact_sheet = any(r in {"order_id", "invoice_id", "amount", "amount_net"} for r in roles)
    for col in columns:
        if col.confidence == 1.0:
            continue
        folded = fold_header(col.header)
        # "Nombre" is a given name beside "Apellidos", a full name on its own.
        if col.role == "given_name" and not has_family and folded in {"nombre", "nome", "name"}:
            col.role, col.reason = "full_name", col.reason + "; no family-name column"
        if col.role == "full_name" and has_family and folded in {"nombre", "nome", "name"}:
            col.role, col.reason = "given_name", col.reason + "; beside a family-name column"
        if col.role == "house_number" and not has_street:
            col.role, col.confidence, col.reason = None, 0.0, "number with no street column"
        if col.role == "category" and is_fact_sheet and "product_line" not in roles:
            col.role, col.reason = "product_line", col.reason + "; in an orders sheet"
        if col.role == "account_code" and folded == "id" and not is_fact_sheet:
            col.confidence = 0.7
    # Only one column per single-valued role: keep the most confident, demote the rest.
    best: dict[str, ColumnRole] = {}
    for col in columns:
        if col.role is None or col.role in MULTI_ROLES:
            continue
        other = best.get(col.role)
        if other is None or col.confidence > other.confidence:
            if other is not None:
                _demote(other)
            best[col.role] = col
        else:
            _demote(col)


def _demote(col: ColumnRole) -> None:
    if col.role == "phone":
        col.role, col.reason = "phone2", col.reason + "; second phone column"
        return
    if col.role == "event_date":
        col.role, col.reason = "updated_date", col.reason + "; second date column"
        return
    col.reason += f"; '{col.role}' already taken by another column"
    col.role, col.confidence = None, 0.0
