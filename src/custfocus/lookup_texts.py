"""The words of a customer's card and of the touchpoint pages in English, Spanish and
Brazilian Portuguese: ``custfocus customer`` and ``custfocus serve`` say the same things.

Numbers and dates go through :mod:`custfocus.i18n`; this module holds the words only.

Example:
    >>> text("golden_record", "pt")
    'Registro consolidado'
    >>> warning_text({"kind": "open_tickets", "count": 2, "latest": "2024-06-30",
    ...               "unit": "Soporte"}, "es")
    '2 incidencias abiertas, la última el 30/06/2024 (Soporte)'
"""

from __future__ import annotations

from datetime import date
from typing import Any

from custfocus.i18n import fmt_date, fmt_float, fmt_int, pick

__all__ = ["TEXTS", "field_label", "kind_label", "text", "warning_text", "when"]

TEXTS: dict[str, dict[str, str]] = {
    # navigation and search
    "search": {"en": "Search", "es": "Buscar", "pt": "Buscar"},
    "review_queue": {"en": "Review queue", "es": "Cola de revisión", "pt": "Fila de revisão"},
    "find_customer": {"en": "Find a customer", "es": "Buscar un cliente",
                      "pt": "Encontrar um cliente"},
    "placeholder": {"en": "name, e-mail, phone, tax id, customer code or id",
                    "es": "nombre, correo, teléfono, NIF, código o id de cliente",
                    "pt": "nome, e-mail, telefone, CPF, código ou id do cliente"},
    "customers_found": {"en": "Customers found", "es": "Clientes encontrados",
                        "pt": "Clientes encontrados"},
    "no_customer": {"en": "No customer found.", "es": "Ningún cliente encontrado.",
                    "pt": "Nenhum cliente encontrado."},
    "not_matched": {"en": "Matching has not run yet, so there are no customers to find: "
                          "run custfocus dedupe.",
                    "es": "Aún no se ha ejecutado la deduplicación, así que no hay clientes que "
                          "buscar: ejecute custfocus dedupe.",
                    "pt": "A deduplicação ainda não foi executada, então não há clientes para "
                          "encontrar: execute custfocus dedupe."},
    "records_found": {"en": "Source records found", "es": "Registros de origen encontrados",
                      "pt": "Registros de origem encontrados"},
    "no_record": {"en": "No source record found.",
                  "es": "Ningún registro de origen encontrado.",
                  "pt": "Nenhum registro de origem encontrado."},
    "closest": {"en": "Closest names:", "es": "Nombres más parecidos:",
                "pt": "Nomes mais parecidos:"},
    "no_such_customer": {"en": "No such customer.", "es": "No existe ese cliente.",
                         "pt": "Esse cliente não existe."},
    # column headers
    "customer": {"en": "Customer", "es": "Cliente", "pt": "Cliente"},
    "name": {"en": "Name", "es": "Nombre", "pt": "Nome"},
    "town": {"en": "Town", "es": "Localidad", "pt": "Cidade"},
    "phone": {"en": "Phone", "es": "Teléfono", "pt": "Telefone"},
    "email": {"en": "E-mail", "es": "Correo", "pt": "E-mail"},
    "records": {"en": "Records", "es": "Registros", "pt": "Registros"},
    "found_by": {"en": "Found by", "es": "Encontrado por", "pt": "Encontrado por"},
    "score": {"en": "Score", "es": "Puntuación", "pt": "Pontuação"},
    "field": {"en": "Field", "es": "Campo", "pt": "Campo"},
    "value": {"en": "Value", "es": "Valor", "pt": "Valor"},
    "source": {"en": "Source", "es": "Origen", "pt": "Origem"},
    "also_seen": {"en": "Also seen", "es": "También visto", "pt": "Também visto"},
    "row": {"en": "Row", "es": "Fila", "pt": "Linha"},
    "unit": {"en": "Unit", "es": "Unidad", "pt": "Unidade"},
    "updated": {"en": "Updated", "es": "Actualizado", "pt": "Atualizado"},
    "date": {"en": "Date", "es": "Fecha", "pt": "Data"},
    "kind": {"en": "Kind", "es": "Tipo", "pt": "Tipo"},
    "document": {"en": "Document", "es": "Documento", "pt": "Documento"},
    "amount": {"en": "Amount", "es": "Importe", "pt": "Valor"},
    "status": {"en": "Status / category", "es": "Estado / categoría",
               "pt": "Situação / categoria"},
    # the card
    "source_row": {"en": "{source} row {row}", "es": "{source} fila {row}",
                   "pt": "{source} linha {row}"},
    "seen": {"en": "{records} · first seen {first} · last seen {last}",
             "es": "{records} · visto por primera vez {first} · por última vez {last}",
             "pt": "{records} · visto pela primeira vez {first} · pela última vez {last}"},
    "segment": {"en": "Segment", "es": "Segmento", "pt": "Segmento"},
    "golden_record": {"en": "Golden record", "es": "Registro maestro",
                      "pt": "Registro consolidado"},
    "source_records": {"en": "Source records", "es": "Registros de origen",
                       "pt": "Registros de origem"},
    "timeline": {"en": "Timeline", "es": "Historial", "pt": "Histórico"},
    "newest_first": {"en": "newest first", "es": "lo más reciente primero",
                     "pt": "mais recentes primeiro"},
    "no_facts": {"en": "No orders, invoices or tickets.",
                 "es": "Sin pedidos, facturas ni incidencias.",
                 "pt": "Sem pedidos, notas fiscais ou chamados."},
    # review
    "review_intro": {"en": "Pairs the model is unsure of. Keys for the first pair: s same, "
                           "d different, k skip. Decisions take effect at the next "
                           "custfocus dedupe.",
                     "es": "Pares de los que el modelo no está seguro. Teclas para el primer "
                           "par: s mismo cliente, d distintos, k saltar. Las decisiones se "
                           "aplican en el próximo custfocus dedupe.",
                     "pt": "Pares sobre os quais o modelo tem dúvida. Teclas para o primeiro "
                           "par: s mesmo cliente, d diferentes, k pular. As decisões valem a "
                           "partir do próximo custfocus dedupe."},
    "decision_same": {"en": "Same", "es": "Mismo cliente", "pt": "Mesmo cliente"},
    "decision_different": {"en": "Different", "es": "Distintos", "pt": "Diferentes"},
    "decision_skip": {"en": "Skip", "es": "Saltar", "pt": "Pular"},
    "stored_same": {"en": "Stored: same customer.", "es": "Guardado: mismo cliente.",
                    "pt": "Gravado: mesmo cliente."},
    "stored_different": {"en": "Stored: different customers.",
                         "es": "Guardado: clientes distintos.",
                         "pt": "Gravado: clientes diferentes."},
    "nothing_to_review": {"en": "Nothing to review.", "es": "Nada que revisar.",
                          "pt": "Nada para revisar."},
    "form_expired": {"en": "This form has expired; reload the review page.",
                     "es": "Este formulario ha caducado; vuelva a cargar la página de revisión.",
                     "pt": "Este formulário expirou; recarregue a página de revisão."},
    "not_stored": {"en": "Not stored: {reason}", "es": "No guardado: {reason}",
                   "pt": "Não gravado: {reason}"},
    # the command line
    "serving": {"en": "custfocus: serving {db} on {url} (Ctrl-C to stop)",
                "es": "custfocus: sirviendo {db} en {url} (Ctrl-C para parar)",
                "pt": "custfocus: servindo {db} em {url} (Ctrl-C para parar)"},
    "token": {"en": "custfocus: access token {token} (open {url}/?token=...)",
              "es": "custfocus: token de acceso {token} (abra {url}/?token=...)",
              "pt": "custfocus: token de acesso {token} (abra {url}/?token=...)"},
}

FIELDS: dict[str, dict[str, str]] = {
    "given_name": {"es": "nombre", "pt": "nome"},
    "family_name": {"es": "apellidos", "pt": "sobrenome"},
    "full_name": {"es": "nombre completo", "pt": "nome completo"},
    "company": {"es": "empresa", "pt": "empresa"},
    "email": {"es": "correo", "pt": "e-mail"},
    "phone": {"es": "teléfono", "pt": "telefone"},
    "phone2": {"es": "teléfono 2", "pt": "telefone 2"},
    "national_id": {"es": "NIF / documento", "pt": "CPF / documento"},
    "street": {"es": "calle", "pt": "logradouro"},
    "house_number": {"es": "número", "pt": "número"},
    "postal_code": {"es": "código postal", "pt": "CEP"},
    "city": {"es": "localidad", "pt": "cidade"},
    "region": {"es": "provincia", "pt": "estado"},
    "country": {"es": "país", "pt": "país"},
    "birth_date": {"es": "fecha de nacimiento", "pt": "data de nascimento"},
    "account_code": {"es": "código de cliente", "pt": "código do cliente"},
    "opt_in": {"es": "consentimiento de marketing", "pt": "consentimento de marketing"},
    "customer_id": {"es": "id de cliente", "pt": "id do cliente"},
    "name": {"es": "nombre", "pt": "nome"},
}

KINDS: dict[str, dict[str, str]] = {
    "order": {"en": "order", "es": "pedido", "pt": "pedido"},
    "invoice": {"en": "invoice", "es": "factura", "pt": "nota fiscal"},
    "ticket": {"en": "ticket", "es": "incidencia", "pt": "chamado"},
    "interaction": {"en": "interaction", "es": "interacción", "pt": "interação"},
}

WARNINGS: dict[str, dict[str, str]] = {
    "open_tickets": {
        "en": "{count} open ticket(s), latest {latest} ({unit})",
        "es": "{count} incidencias abiertas, la última el {latest} ({unit})",
        "pt": "{count} chamados abertos, o último em {latest} ({unit})"},
    "open_ticket": {
        "en": "1 open ticket, on {latest} ({unit})",
        "es": "1 incidencia abierta, el {latest} ({unit})",
        "pt": "1 chamado aberto, em {latest} ({unit})"},
    "low_satisfaction": {
        "en": "low satisfaction: {score} on {date} ({unit})",
        "es": "satisfacción baja: {score} el {date} ({unit})",
        "pt": "satisfação baixa: {score} em {date} ({unit})"},
    "conflicting_data": {"en": "conflicting {fields}", "es": "datos en conflicto: {fields}",
                         "pt": "dados conflitantes: {fields}"},
    "marketing_opt_out": {"en": "opted out of marketing: do not send offers",
                          "es": "no acepta marketing: no enviar ofertas",
                          "pt": "não aceita marketing: não enviar ofertas"},
    "stale": {"en": "data not updated since {last_seen}",
              "es": "datos sin actualizar desde el {last_seen}",
              "pt": "dados sem atualização desde {last_seen}"},
}


def text(key: str, lang: str, **values: Any) -> str:
    """One phrase of :data:`TEXTS` in ``lang``, filled with ``values``."""
    phrase = pick(TEXTS[key], lang)
    return phrase.format(**values) if values else phrase


def field_label(name: str, lang: str) -> str:
    """A golden-record field (or a way a customer was found) in words."""
    return FIELDS.get(name, {}).get(lang, name.replace("_", " "))


def kind_label(kind: str, lang: str) -> str:
    return pick(KINDS[kind], lang) if kind in KINDS else kind


def when(value: Any, lang: str) -> str:
    """An ISO date (or timestamp) of a card as the language writes dates; '?' when unknown."""
    if value is None or value == "":
        return "?"
    try:
        return fmt_date(date.fromisoformat(str(value)[:10]), lang)
    except ValueError:
        return str(value)


def warning_text(warning: dict[str, Any], lang: str = "en") -> str:
    """One warning of a card in words (the terminal and the web page say the same)."""
    kind = warning["kind"]
    values: dict[str, Any] = {}
    if kind == "open_tickets":
        if warning["count"] == 1:
            kind = "open_ticket"
        values = {"count": fmt_int(warning["count"], lang), "latest": when(warning["latest"], lang),
                  "unit": warning["unit"]}
    elif kind == "low_satisfaction":
        score = float(warning["score"])
        values = {"score": fmt_float(score, lang, 0 if score.is_integer() else 1),
                  "date": when(warning["date"], lang), "unit": warning["unit"]}
    elif kind == "conflicting_data":
        values = {"fields": ", ".join(field_label(f, lang) for f in warning["fields"])}
    elif kind == "stale":
        values = {"last_seen": when(warning["last_seen"], lang)}
    return pick(WARNINGS[kind], lang).format(**values)
