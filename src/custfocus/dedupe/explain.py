"""Why records were merged (or not), in plain words, from the evidence kept per link.

Every candidate pair above a floor keeps its comparison levels and the weight (bits) each
contributed, so an explanation is a lookup, not a re-computation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from custfocus.dedupe.compare import COMPARISONS
from custfocus.errors import UsageError
from custfocus.store import Store

FIELD_NAMES = {
    "en": {"given_name": "given name", "family_name": "surname", "email": "e-mail",
           "phone": "phone", "national_id": "tax id", "birth_date": "birth date",
           "address": "address", "company": "company"},
    "es": {"given_name": "nombre", "family_name": "apellidos", "email": "correo",
           "phone": "teléfono", "national_id": "NIF/documento", "birth_date": "fecha de nacimiento",
           "address": "dirección", "company": "empresa"},
    "pt": {"given_name": "nome", "family_name": "sobrenome", "email": "e-mail",
           "phone": "telefone", "national_id": "documento", "birth_date": "data de nascimento",
           "address": "endereço", "company": "empresa"},
}
# Gender and number of each field name ("m", "f", "mp", "fp"): Spanish and Portuguese
# adjectives and articles agree with them ("mismos apellidos", "misma dirección").
FIELD_GENDERS = {
    "es": {"family_name": "mp", "birth_date": "f", "address": "f", "company": "f"},
    "pt": {"birth_date": "f", "company": "f"},
}
# Words that agree with the field, as {m, f, mp, fp}; a level template names them in braces.
AGREEMENT = {
    "en": {},
    "es": {"same": ("mismo", "misma", "mismos", "mismas"),
           "different": ("distinto", "distinta", "distintos", "distintas"),
           "similar": ("parecido", "parecida", "parecidos", "parecidas"),
           "shared": ("compartido", "compartida", "compartidos", "compartidas"),
           "equal": ("igual", "igual", "iguales", "iguales"),
           "of_the": ("del", "de la", "de los", "de las"),
           "ends": ("acaba", "acaba", "acaban", "acaban")},
    "pt": {"same": ("mesmo", "mesma", "mesmos", "mesmas"),
           "different": ("diferente", "diferente", "diferentes", "diferentes"),
           "similar": ("parecido", "parecida", "parecidos", "parecidas"),
           "shared": ("compartilhado", "compartilhada", "compartilhados", "compartilhadas"),
           "equal": ("igual", "igual", "iguais", "iguais"),
           "of_the": ("do", "da", "dos", "das"),
           "ends": ("termina", "termina", "terminam", "terminam")},
}
LEVEL_WORDS = {
    "en": {"same": "same {f}", "same_shared": "same shared {f}", "same_local": "same {f} user",
           "similar": "{f} similar", "related": "{f} shares words",
           "similar_local": "{f} similar", "partly_same": "{f} partly same",
           "initial": "{f} initial matches", "same_tail": "{f} ends the same",
           "same_block": "{f} in the same line block",
           "one_typo": "{f} one typo apart", "typo_or_swap": "{f} typo or day/month swap",
           "same_postcode": "same postcode", "same_city": "same town",
           "different": "{f} differs"},
    "es": {"same": "{same} {f}", "same_shared": "{same} {f} {shared}",
           "same_local": "mismo usuario de {f}", "similar": "{f} {similar}",
           "related": "{f} con palabras en común",
           "similar_local": "{f} {similar}", "partly_same": "{f} en parte {equal}",
           "initial": "coincide la inicial {of_the} {f}", "same_tail": "{f} {ends} igual",
           "same_block": "{f} del mismo bloque de líneas",
           "one_typo": "{f} con una errata", "typo_or_swap": "{f} con errata o día/mes cambiados",
           "same_postcode": "mismo código postal", "same_city": "misma población",
           "different": "{f} {different}"},
    "pt": {"same": "{same} {f}", "same_shared": "{same} {f} {shared}",
           "same_local": "mesmo usuário de {f}", "similar": "{f} {similar}",
           "related": "{f} com palavras em comum",
           "similar_local": "{f} {similar}", "partly_same": "{f} em parte {equal}",
           "initial": "inicial {of_the} {f} coincide", "same_tail": "{f} {ends} igual",
           "same_block": "{f} do mesmo bloco de linhas",
           "one_typo": "{f} com um erro", "typo_or_swap": "{f} com erro ou dia/mês trocados",
           "same_postcode": "mesmo CEP", "same_city": "mesma cidade",
           "different": "{f} {different}"},
}


def field_name(name: str, lang: str) -> str:
    """A comparison's field in plain words (``family_name`` -> ``apellidos``)."""
    return FIELD_NAMES.get(lang, FIELD_NAMES["en"]).get(name, name.replace("_", " "))


def level_text(name: str, level: str, lang: str) -> str:
    """One comparison level in words that agree with the field: ``mismos apellidos``."""
    lang = lang if lang in LEVEL_WORDS else "en"
    template = LEVEL_WORDS[lang].get(level, "{f} " + level.replace("_", " "))
    form = ["m", "f", "mp", "fp"].index(FIELD_GENDERS.get(lang, {}).get(name, "m"))
    words = {key: forms[form] for key, forms in AGREEMENT[lang].items()}
    return template.format(f=field_name(name, lang), **words)


# Column headers of the members table, by the member's key.
MEMBER_HEADERS = {
    "en": {"source": "source", "row": "row", "full_name": "name", "email": "e-mail",
           "phone": "phone", "national_id": "id", "postal_code": "postcode", "city": "city"},
    "es": {"source": "origen", "row": "fila", "full_name": "nombre", "email": "e-mail",
           "phone": "teléfono", "national_id": "documento", "postal_code": "código postal",
           "city": "localidad"},
    "pt": {"source": "origem", "row": "linha", "full_name": "nome", "email": "e-mail",
           "phone": "telefone", "national_id": "documento", "postal_code": "CEP",
           "city": "cidade"},
}
DECISIONS = {
    "en": {"merged": "merged", "same_cluster": "already together", "review": "to review",
           "conflict": "refused: conflicting identifiers",
           "weak_bridge": "refused: the other records disagree",
           "too_big": "refused: customer too large", "below": "not a match",
           "ambiguous": "refused: as like another customer"},
    "es": {"merged": "unidos", "same_cluster": "ya juntos", "review": "a revisar",
           "conflict": "rechazado: identificadores en conflicto",
           "weak_bridge": "rechazado: los demás registros no coinciden", "too_big": "rechazado: cliente demasiado grande",
           "below": "no coinciden", "ambiguous": "rechazado: se parece igual a otro cliente"},
    "pt": {"merged": "unidos", "same_cluster": "já juntos", "review": "para revisar",
           "conflict": "recusado: identificadores em conflito",
           "weak_bridge": "recusado: os outros registros não coincidem", "too_big": "recusado: cliente grande demais",
           "below": "não coincidem", "ambiguous": "recusado: parece igualmente com outro cliente"},
}


@dataclass
class Link:
    record_a: str
    record_b: str
    probability: float
    decision: str
    reasons: list[tuple[str, float]]  # (plain words, bits of evidence)


@dataclass
class Explanation:
    customer_id: str
    members: list[dict[str, Any]]
    links: list[Link] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def evidence_of(levels: Any, bits: Any, name_similarity: float | None) -> dict[str, Any]:
    """The stored arrays of a link as one mapping: comparison -> level, plus bits."""
    data: dict[str, Any] = {c.name: int(v) for c, v in zip(COMPARISONS, levels)}
    data["bits"] = [float(x) for x in bits]
    data["name_similarity"] = float(name_similarity or 0.0)
    return data


def describe(evidence: dict[str, Any], lang: str = "en") -> list[tuple[str, float]]:
    """Plain-language reasons for one pair, strongest evidence first."""
    bits = evidence.get("bits", [])
    reasons = []
    for j, comp in enumerate(COMPARISONS):
        level = evidence.get(comp.name, -1)
        if level is None or level < 0:
            continue
        key = comp.levels[level]
        text = level_text(comp.name, key, lang)
        if comp.name == "family_name" and key in {"similar", "partly_same"}:
            text += f" ({evidence.get('name_similarity', 0):.0%})"
        reasons.append((text, float(bits[j]) if j < len(bits) else 0.0))
    return sorted(reasons, key=lambda r: -abs(r[1]))


def explain_customer(store: Store, customer_id: str, lang: str = "en") -> Explanation:
    """Members of a customer with provenance, and the evidence of every link touching them.

    ``customer_id`` as a person types it: ``c000162`` finds C000162 (ids are upper case).
    """
    customer_id = customer_id.strip().upper()
    members = store.query_dicts(
        "SELECT r.record_id, r.source, r.row, r.full_name, r.email, r.phone_e164 AS phone, "
        "r.national_id, r.postal_code, r.city FROM record_customer rc JOIN records r "
        "USING (record_id) WHERE rc.customer_id = ? ORDER BY r.source, r.row", [customer_id])
    if not members:
        raise UsageError(f"no customer {customer_id}; see 'custfocus export master'")
    ids = [m["record_id"] for m in members]
    marks = ", ".join("?" for _ in ids)
    label = {m["record_id"]: f"{m['source']}:{m['row']}" for m in members}
    rows = store.query_dicts(
        f"SELECT l.record_a, l.record_b, l.probability, l.decision, l.levels, l.bits, "
        f"l.name_similarity, "
        f"ra.source || ':' || ra.row AS la, rb.source || ':' || rb.row AS lb "
        f"FROM match_links l JOIN records ra ON ra.record_id = l.record_a "
        f"JOIN records rb ON rb.record_id = l.record_b "
        f"WHERE l.record_a IN ({marks}) OR l.record_b IN ({marks}) "
        f"ORDER BY l.probability DESC", ids + ids)
    links = [Link(label.get(r["record_a"], r["la"]), label.get(r["record_b"], r["lb"]),
                  float(r["probability"]), DECISIONS[lang].get(r["decision"], r["decision"]),
                  describe(evidence_of(r["levels"], r["bits"], r["name_similarity"]), lang))
             for r in rows]
    events = store.query_dicts(
        "SELECT event_time, kind, other_ids, reason FROM customer_events WHERE customer_id = ? "
        "ORDER BY event_time", [customer_id])
    for m in members:
        m.pop("record_id")
    return Explanation(customer_id, members, links, events)
