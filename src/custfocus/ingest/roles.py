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

from custfocus.ingest._vocabulary import (
    AGGREGATE_LEADS,
    AGGREGATE_WORDS,
    CURRENCY_WORDS,
    DATE_WORDS,
    FALSE_FRIENDS,
    FAMILY_WORDS,
    GIVEN_WORDS,
    KEYWORDS,
    LABEL_WORDS,
    MOBILE_WORDS,
    MONEY_WORDS,
    NOT_A_NAME,
    OTHER_DATE_WORDS,
    OTHER_PERSON_WORDS,
    PLURAL_FACTS,
    QUALIFIERS,
    SYNONYMS,
)
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
    "total_spent": "customer-level amount: total spent, annual amount, lifetime value",
    "order_count": "customer-level number of orders or purchases",
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

_REGION_WORDS = frozenset(SYNONYMS["region"])
HEADER_TO_ROLE: dict[str, str] = {
    syn: role for role, syns in SYNONYMS.items() for syn in syns
}

_FOLD_RE = re.compile(r"[^0-9a-z]+")
_NUMBER_SIGN = re.compile(r"^\s*#\s*(?=\w)")


def fold_header(header: str) -> str:
    """Lower-case, accent-free, punctuation-free form used to look headers up; camelCase
    words are split ("MailingStreet" -> "mailing street")."""
    import unicodedata

    header = _NUMBER_SIGN.sub("n ", header)  # "# de venta" is "n de venta"
    text = unicodedata.normalize("NFKD", _CAMEL.sub(" ", header))
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


_IDENTIFIER = "header names an identifier (kept raw)"
_AGGREGATE = "customer-level total (kept raw)"
_CUSTOMER_TOTAL = "customer-level total, an attribute of the record"
# Customer-level roles: attributes of the record, never dated facts.
CUSTOMER_TOTAL_ROLES = frozenset({"total_spent", "order_count"})
_OTHER_DATE = "a due or expiry date (kept raw)"
_LABEL = "names the kind of another column's value (kept raw)"
_NOT_THE_CUSTOMER = "a name part or someone else's detail (kept raw)"
# Headers that say what a column is not: its values do not give it a role.
_KEPT_RAW = frozenset({_IDENTIFIER, _AGGREGATE, _OTHER_DATE, _LABEL, _NOT_THE_CUSTOMER})
_SPLIT_DIGITS = re.compile(r"(?<=[a-z])(?=\d)")
# "MailingStreet" -> "Mailing Street", "IMAddress" -> "IM Address" (not "IDs" -> "I Ds").
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]{2})")
_PARENTHESES = re.compile(r"\([^)]*\)")
DATE_ROLES = frozenset(
    {"birth_date", "created_date", "updated_date", "last_contact_date", "event_date"}
)
_NAME_ROLES = frozenset({"full_name", "given_name", "family_name"})


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
    while tail - lead > 1 and words[lead] in QUALIFIERS:
        lead += 1
        variants.append(" ".join(words[lead:tail]))
    lead = 0
    while tail - lead > 1 and words[tail - 1] in QUALIFIERS:
        tail -= 1
        variants.append(" ".join(words[lead:tail]))
    return variants


def _is_aggregate(words: list[str]) -> bool:
    if set(words) & AGGREGATE_WORDS:
        return True
    if len(words) == 1:  # "Orders", "Compras": how many the customer has made
        return words[0] in PLURAL_FACTS
    return words[0] in AGGREGATE_LEADS and bool(set(words[1:]) & PLURAL_FACTS)


def _customer_total(words: list[str]) -> str:
    """Which customer-level total a header names: a count of orders ("Total Orders",
    "Orders Count", "Nº compras") or an amount ("Total Spent", "Importe anual",
    "Lifetime value")."""
    money = set(words) & (MONEY_WORDS | CURRENCY_WORDS)
    counting = set(words) & (PLURAL_FACTS | {"count"}) or words[0] in AGGREGATE_LEADS - {"total"}
    return "order_count" if counting and not money else "total_spent"


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
        return _customer_total(words), 0.85, _CUSTOMER_TOTAL
    if set(words) & OTHER_DATE_WORDS:
        return None, 0.0, _OTHER_DATE
    if set(words) & OTHER_PERSON_WORDS or any(part in folded for part in NOT_A_NAME):
        return None, 0.0, _NOT_THE_CUSTOMER
    if len(words) > 1 and words[-1] in LABEL_WORDS:
        return None, 0.0, _LABEL
    if folded in FALSE_FRIENDS:
        return None, 0.0, "header not recognised"
    for reading in _readings(header, folded):
        for variant in [reading, *_without_qualifiers(reading.split())]:
            role, confidence = _lookup(variant)
            # "Person - ID" is no more a customer code than "person_id" is.
            if role and not (variant == "id" and folded != "id"):
                return role, round(confidence - 0.05, 2), f"header read as '{variant}'"
    dated = _dated(words)
    if dated:
        return dated
    abbreviated = _abbreviation_of(folded)
    if abbreviated:
        return HEADER_TO_ROLE[abbreviated], 0.8, f"header abbreviates '{abbreviated}'"
    if set(words) & GIVEN_WORDS and set(words) & FAMILY_WORDS:
        return "full_name", 0.85, "header names given name and surname"
    from rapidfuzz import fuzz, process

    match = process.extractOne(folded, HEADER_TO_ROLE.keys(), scorer=fuzz.ratio, score_cutoff=88)
    if match and len(folded) >= 5 and _close_words(folded, match[0]):
        return HEADER_TO_ROLE[match[0]], 0.8, f"header resembles '{match[0]}'"
    tokens = f" {folded} "
    for keyword, role in KEYWORDS:
        if (len(keyword) <= 3 and f" {keyword} " in tokens) or (
            len(keyword) > 3 and keyword in folded
        ):
            return role, 0.7, f"header contains '{keyword}'"
    if words[-1] == "id" or words[0] == "id":
        return None, 0.0, _IDENTIFIER

    return None, 0.0, "header not recognised"


def _readings(header: str, folded: str) -> list[str]:
    """Other ways to read a header, most literal first: without a parenthesis ("Created
    (UTC)"), each alternative of "Town/City", without numbering ("E-mail 1 - Value",
    "Address 1 - Street") and without a currency ("amount_usd", "Total (ARS)")."""
    readings: list[str] = []

    def add(text: str) -> None:
        text = " ".join(text.split())
        if text and text not in readings:
            readings.append(text)

    add(folded)
    add(fold_header(_PARENTHESES.sub(" ", header)))
    if "/" in header:
        for part in header.split("/"):
            add(fold_header(part))
    for text in list(readings):
        words = _SPLIT_DIGITS.sub(" ", text).split()
        if len(words) > 2 and words[-1] == "value" and words[-2].isdigit():
            words = words[:-1]  # "Phone 1 - Value" holds the phone
        kept = [w for w in words if not w.isdigit() and w not in CURRENCY_WORDS]
        if kept and kept != words:
            add(" ".join(words))
            add(" ".join(kept))
    return readings


def _abbreviation_of(folded: str) -> str | None:
    """The synonym that a header written without vowels abbreviates ("CntctPrsn" is
    "contact person"); short ones ("Tlf") are left to the synonym list."""
    compact = folded.replace(" ", "")
    if len(compact) < 5 or set(compact) & set("aeiou"):
        return None
    for synonym in HEADER_TO_ROLE:
        if "".join(c for c in synonym if c not in " aeiou") == compact:
            return synonym
    return None


def _dated(words: list[str]) -> tuple[str, float, str] | None:
    """A date header around what it dates: "Last Activity Time", "Date registered",
    "Data da primeira conversão" are the dates of what the other words name."""
    if len(words) < 2:
        return None
    if words[-1] in DATE_WORDS:
        rest = words[:-1]
    elif words[0] in DATE_WORDS:
        rest = words[1:]
    else:
        return None
    role, _, _ = role_from_header(" ".join(rest))
    if role in DATE_ROLES:
        return role, 0.85, f"header dates '{' '.join(rest)}'"
    return None


# Value sniffing ---------------------------------------------------------------
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)
_PHONE_RE = re.compile(r"^\+?[\d\s().\-/]{7,20}$")
_DATE_RE = re.compile(
    r"^(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}([ T]\d{1,2}:\d{2}(:\d{2})?)?"
    r"|\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)$"
)
_AMOUNT_RE = re.compile(r"^[-(]?\s*(R\$|US\$|\$|€|£)?\s*-?[\d.,\s]+\s*(€|EUR|BRL|USD|MXN)?\)?-?$")
_ID_RE = re.compile(r"^[A-Z]?[\d.\-/ ]{7,18}[A-Z0-9]?$", re.I)
_CODE_RE = re.compile(r"^[A-Z]{0,4}[-_]?\d{1,10}$", re.I)
_NAMEISH_RE = re.compile(r"^[^\d@]{2,}$")
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_COUNTRY_CODE_RE = re.compile(r"^[A-Z]{2}$")
_LETTER_RE = re.compile(r"[^\W\d_]")


def _words_date(value: str) -> bool:
    """A date written with its month's name: "1 de abril de 2024 15:35 hs.", "March 5, 2021"."""
    if not (_LETTER_RE.search(value) and _YEAR_RE.search(value)):
        return False
    from custfocus.normalise.dates import parse_date

    return parse_date(value) is not None


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
        "date": sum(1 for v in filled if _DATE_RE.match(v) or _words_date(v)) / n,
        "amount": share(_AMOUNT_RE),
        "id": share(_ID_RE),
        "code": share(_CODE_RE),
        "nameish": share(_NAMEISH_RE),
        "distinct": len(set(filled)) / n,
        "comma_name": sum(1 for v in filled if "," in v and _NAMEISH_RE.match(v)) / n,
        "future": sum(1 for v in filled if _year_of(v) > this_year) / n,
        "sequential": _sequential_share(filled),
        "organisation": sum(1 for v in filled if is_organisation_name(v)) / n,
        "country_code": share(_COUNTRY_CODE_RE),
        "valid_id": _valid_id_share(filled) if share(_ID_RE) >= 0.5 else 0.0,
    }


def _valid_id_share(values: list[str]) -> float:
    """Share of values that validate as a national or tax id (check digit included)."""
    from custfocus.normalise.ids import normalise_national_id

    return sum(1 for v in values if normalise_national_id(v).valid) / len(values)


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
    # A mostly empty column says little: its few numbers are not enough to call it a phone.
    if (profile["phone"] >= 0.7 and profile["distinct"] > 0.3 and profile["sequential"] < 0.5
            and profile["filled_count"] >= 3):
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
    # "ID" holding NIFs is the tax id (an internal counter may pass a check digit by chance).
    if role == "account_code" and profile["valid_id"] >= 0.8 and profile["sequential"] < 0.5:
        return "national_id", confidence, reason + "; values are national or tax ids"
    if role == "national_id" and profile["country_code"] >= 0.8:
        return "country", 0.8, reason + "; values are country codes"
    if (role in DATE_ROLES and reason != "header" and profile["filled_count"] >= 3
            and profile["date"] < 0.3):
        return None, 0.0, reason + "; values are not dates (kept raw)"
    if role == "birth_date" and profile["future"] >= 0.2:
        return None, 0.0, reason + "; dates lie in the future, not births (kept raw)"
    # "Nota" is a score or a note: a column of words is the note.
    if role == "satisfaction" and profile["amount"] < 0.5:
        return "notes", confidence, reason + "; values are text, not scores"
    # "Costo fijo" holds "fijo" (a landline) but amounts, not phones.
    if (role in {"phone", "phone2"} and reason.startswith("header contains")
            and profile["filled_count"] >= 2 and profile["phone"] < 0.3):
        return None, 0.0, reason + "; values are not phones (kept raw)"
    if (role in CUSTOMER_TOTAL_ROLES and profile["filled_count"] >= 3
            and profile["amount"] < 0.5):
        return None, 0.0, reason + "; values are not numbers (kept raw)"
    if role in {"phone", "phone2"} and profile["sequential"] >= 0.5:
        return None, 0.0, reason + "; values count up, an id rather than phones (kept raw)"
    if role in {"phone", "phone2"} and profile["phone"] < 0.3 and profile["email"] >= 0.5:
        return "email", 0.8, "values are e-mails"
    return role, confidence, reason


def _resolve_context(columns: list[ColumnRole]) -> None:
    """Settle roles that depend on the other columns of the sheet."""
    _settle_facts(columns)
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
        # In a payments sheet with a "Customer ID", a bare "id" numbers the payments.
        if (col.role == "account_code" and folded == "id" and is_fact_sheet
                and roles.count("account_code") > 1):
            col.role, col.confidence = None, 0.0
            col.reason += "; the id of each row, beside a customer id (kept raw)"
    _keep_one_per_role(columns)
    # In a sheet of orders or invoices, a second date dates another event of the order
    # (payment, shipping, cancellation), not the customer record's update.
    if any(c.role in {"order_id", "invoice_id"} for c in columns):
        for col in columns:
            if (col.role == "updated_date" and col.confidence < 1.0
                    and col.reason.endswith("second date column")):
                col.role, col.confidence = None, 0.0
                col.reason += "; another event of the order (kept raw)"


def _settle_facts(columns: list[ColumnRole]) -> None:
    """Decide whether the sheet holds orders, invoices or tickets, and read the columns that
    depend on it: a customer-level figure is not an order, a record's status not a ticket's."""
    roles = {c.role for c in columns if c.confidence < 1.0}
    headers = {w for c in columns for w in fold_header(c.header).split()}
    for col in columns:
        # "Created (UTC)" in a sheet of invoices is the date of each invoice.
        if (col.role == "created_date" and roles & {"order_id", "invoice_id"}
                and "event_date" not in roles and col.confidence < 1.0):
            col.role, col.reason = "event_date", col.reason + "; the date of each order"
            roles.add("event_date")
    dated = bool(roles & {"order_id", "invoice_id", "ticket_id", "event_date"})
    other_facts = roles & (FACT_ROLES - {"event_date"})
    for col in columns:
        if col.confidence == 1.0 or col.role is None:
            continue
        if col.role in {"amount", "amount_net"} and not dated:
            col.role, col.confidence = "total_spent", 0.7
            col.reason += "; no order, invoice or date beside it: " + _CUSTOMER_TOTAL
        elif (col.role == "event_date" and col.reason.startswith("values")
              and not other_facts):
            col.role, col.confidence = None, 0.0
            col.reason += "; a date with no order, invoice or ticket (kept raw)"
        elif col.role == "amount_net" and headers & {"fee", "fees", "tarifa", "comision", "taxa"}:
            col.role, col.confidence = None, 0.0
            col.reason += "; net of the fees beside it, not before tax (kept raw)"
    is_fact_sheet = any(
        c.role in {"order_id", "invoice_id", "ticket_id", "event_date", "amount", "amount_net"}
        for c in columns
    )
    if is_fact_sheet:
        return
    for col in columns:
        if col.confidence == 1.0 or col.role not in {"status", "document_type"}:
            continue
        # "Estado" in a list of customers is their state (region), not a ticket's status.
        if fold_header(col.header) in _REGION_WORDS:
            col.role, col.reason = "region", col.reason + "; a customer sheet: the state"
        else:
            col.role, col.confidence = None, 0.0
            col.reason += "; no order or ticket in this sheet (kept raw)"


def _keep_one_per_role(columns: list[ColumnRole]) -> None:
    """Only one column per single-valued role: keep the best, demote the rest. Twice, as a
    phone demoted to second phone then competes with the second-phone columns."""

    def rank(col: ColumnRole) -> tuple[bool, float, float]:
        mobile = col.role == "phone" and bool(
            set(fold_header(col.header).split()) & MOBILE_WORDS
        )
        # Between equals, the column with values beats an empty one of the same kind.
        return mobile, col.confidence, col.value_profile.get("filled", 0.0)

    for _ in range(2):
        best: dict[str, ColumnRole] = {}
        for col in columns:
            if col.role is None or col.role in MULTI_ROLES:
                continue
            other = best.get(col.role)
            if other is None or rank(col) > rank(other):
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
