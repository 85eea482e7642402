"""Every sentence, heading and label of the audit in Spanish, Portuguese and English.

Why templates keyed by language: the analyst reads the audit in their own language and
numbers must follow its conventions (``1.234,5 %`` in Spanish), so texts and number
formats live together and the renderers never hard-code a word.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from custfocus.audit._labels import LABELS
from custfocus.i18n import LANGS, count, fmt_date, fmt_float, fmt_int, fmt_pct

__all__ = ["LANGS", "column_label", "fmt_date", "fmt_float", "fmt_int", "fmt_pct", "fmt_value", "label", "localise"]

TITLES = {
    "q1": (
        "How many distinct customers do we really know?",
        "¿Cuántos clientes distintos conocemos realmente?",
        "Quantos clientes distintos conhecemos realmente?",
    ),
    "q2": (
        "Do we hold identifying information?",
        "¿Tenemos datos que identifiquen a cada cliente?",
        "Temos dados que identifiquem cada cliente?",
    ),
    "q3": (
        "How current and accurate is it?",
        "¿Qué tan actuales y exactos son los datos?",
        "Quão atuais e exatos são os dados?",
    ),
    "q4": (
        "How much do we know about each customer?",
        "¿Cuánto sabemos de cada cliente?",
        "Quanto sabemos de cada cliente?",
    ),
    "q5": (
        "Does each business unit keep its own database?",
        "¿Cada unidad de negocio tiene su propia base de datos?",
        "Cada unidade de negócio tem a sua própria base de dados?",
    ),
    "q6": (
        "Are those databases cross-linked?",
        "¿Están enlazadas esas bases de datos?",
        "Essas bases de dados estão interligadas?",
    ),
    "q7": (
        "Are there other sources that could identify customers?",
        "¿Hay otras fuentes que podrían identificar a los clientes?",
        "Há outras fontes que poderiam identificar os clientes?",
    ),
    "q8": (
        "Is there a simple way to grow what we know?",
        "¿Hay una forma sencilla de saber más?",
        "Há uma forma simples de saber mais?",
    ),
}

ANSWERS = {
    "q1": (
        "{source_rows} source rows hold {records} customer records, which are {distinct_customers} distinct customers ({duplicate_rate} duplicates).",
        "{source_rows} filas de origen contienen {records} registros de clientes, que son {distinct_customers} clientes distintos ({duplicate_rate} duplicados).",
        "{source_rows} linhas de origem contêm {records} registros de clientes, que são {distinct_customers} clientes distintos ({duplicate_rate} duplicados).",
    ),
    "q1_unmatched": (
        "{source_rows} source rows hold {records} customer records; matching has not run, so each record is counted as one customer.",
        "{source_rows} filas de origen contienen {records} registros de clientes; aún no se ha ejecutado la deduplicación, así que cada registro cuenta como un cliente.",
        "{source_rows} linhas de origem contêm {records} registros de clientes; a deduplicação ainda não rodou, por isso cada registro conta como um cliente.",
    ),
    "q2": (
        "{strong_identifier_share} of customers have at least one strong identifier and {contact_channel_share} at least one working contact channel.",
        "El {strong_identifier_share} de los clientes tiene al menos un identificador fuerte y el {contact_channel_share} al menos un canal de contacto válido.",
        "{strong_identifier_share} dos clientes têm pelo menos um identificador forte e {contact_channel_share} pelo menos um canal de contato válido.",
    ),
    "q3": (
        "{stale_24m} of customers show no activity for over 24 months; {defects} field values fail validity checks and {conflicts} customers have conflicting values across sources. True accuracy needs an external reference.",
        "El {stale_24m} de los clientes no tiene actividad desde hace más de 24 meses; {defects} valores no superan las comprobaciones y {conflicts} clientes tienen valores contradictorios entre fuentes. La exactitud real exige una referencia externa.",
        "{stale_24m} dos clientes não têm atividade há mais de 24 meses; {defects} valores falham as validações e {conflicts} clientes têm valores contraditórios entre fontes. A exatidão real exige uma referência externa.",
    ),
    "q4": (
        "A customer profile is {completeness_mean} complete on average; {contact_only_share} of customers are contact-only, with no orders or tickets.",
        "Un perfil de cliente está completo en un {completeness_mean} de media; el {contact_only_share} de los clientes solo tiene datos de contacto, sin pedidos ni incidencias.",
        "Um perfil de cliente está {completeness_mean} completo em média; {contact_only_share} dos clientes só têm dados de contato, sem pedidos nem chamados de suporte.",
    ),
    "q5": (
        "Yes: {units} business units keep {sources} separate sources.",
        "Sí: {units} unidades de negocio mantienen {sources} fuentes separadas.",
        "Sim: {units} unidades de negócio mantêm {sources} fontes separadas.",
    ),
    "q5_one": (
        "No: one business unit keeps all {sources} sources.",
        "No: una sola unidad de negocio mantiene las {sources} fuentes.",
        "Não: uma só unidade de negócio mantém as {sources} fontes.",
    ),
    "q6": (
        "Partly: {share_in_multiple_sources} of customers appear in two or more sources, and a shared key (account code, tax id, e-mail, phone) links {direct_link_share} of those overlaps; the rest needs fuzzy matching.",
        "En parte: el {share_in_multiple_sources} de los clientes aparece en dos o más fuentes y una clave común (código, NIF, e-mail, teléfono) enlaza el {direct_link_share} de esos solapamientos; el resto necesita coincidencia aproximada.",
        "Em parte: {share_in_multiple_sources} dos clientes aparecem em duas ou mais fontes e uma chave comum (código, CPF/CNPJ, e-mail, telefone) liga {direct_link_share} dessas sobreposições; o resto exige correspondência aproximada.",
    ),
    "q6_unmatched": (
        "Unknown yet: matching has not run, so no customer is linked across sources.",
        "Aún no se sabe: la deduplicación no se ha ejecutado y ningún cliente está enlazado entre fuentes.",
        "Ainda não se sabe: a deduplicação não rodou e nenhum cliente está ligado entre fontes.",
    ),
    # Q7 is put together from the clauses that apply (see _q7_texts).
    "q7_gain": (
        "other sources could fill identifiers for {n}",
        "otras fuentes podrían aportar identificadores a {n}",
        "outras fontes poderiam dar identificadores a {n}",
    ),
    "q7_yes": ("Yes: {clauses}.", "Sí: {clauses}.", "Sim: {clauses}."),
    "q7_no": (
        "No: no source holds identifiers that the others lack, no unmapped column looks like an identifier and no sheet is hidden.",
        "No: ninguna fuente tiene identificadores que falten en las demás, ninguna columna sin asignar parece un identificador y no hay hojas ocultas.",
        "Não: nenhuma fonte tem identificadores que faltem nas outras, nenhuma coluna não mapeada parece um identificador e não há abas ocultas.",
    ),
    "q8": (
        "The golden record already fills missing fields for {enrichable_customers}; {ask_list_size} still lack an e-mail, phone, id or address and can be asked at their next contact.",
        "El registro maestro ya completa campos que faltaban a {enrichable_customers}; a {ask_list_size} aún les falta e-mail, teléfono, documento o dirección y se les puede pedir en su próximo contacto.",
        "O registro mestre já completa campos faltantes de {enrichable_customers}; a {ask_list_size} ainda falta e-mail, telefone, documento ou endereço e eles podem ser pedidos no próximo contato.",
    ),
}

RECOMMENDATIONS = {
    "q1": (
        "Review the largest clusters and the pairs to review, then share the customer master as the single list.",
        "Revise los grupos más grandes y los pares dudosos, y comparta el maestro de clientes como lista única.",
        "Revise os maiores grupos e os pares duvidosos e compartilhe o mestre de clientes como lista única.",
    ),
    "q1_unmatched": (
        "Run 'custfocus dedupe' to count distinct customers.",
        "Ejecute 'custfocus dedupe' para contar los clientes distintos.",
        "Execute 'custfocus dedupe' para contar os clientes distintos.",
    ),
    "q2": (
        "Make e-mail or phone mandatory at sign-up and capture the tax id on every invoice.",
        "Haga obligatorio el e-mail o el teléfono en el alta y registre el NIF en cada factura.",
        "Torne obrigatório o e-mail ou o telefone no cadastro e colete o CPF/CNPJ em cada fatura.",
    ),
    "q3": (
        "Correct or remove invalid and placeholder values at the source, and confirm details of customers inactive for over a year.",
        "Corrija o elimine en origen los valores inválidos o de relleno y confirme los datos de clientes inactivos desde hace más de un año.",
        "Corrija ou elimine na origem os valores inválidos ou de preenchimento e confirme os dados de clientes inativos há mais de um ano.",
    ),
    "q4": (
        "Collect the missing profile fields first for customers who buy, then for contact-only ones.",
        "Complete primero los campos que faltan en los clientes que compran y después en los que solo son contactos.",
        "Complete primeiro os campos faltantes dos clientes que compram e depois dos que são apenas contatos.",
    ),
    "q5": (
        "Agree on one customer key that every unit records, and feed every source into the master.",
        "Acuerde una clave de cliente común que registren todas las unidades y lleve cada fuente al maestro.",
        "Acorde uma chave de cliente comum registada por todas as unidades e leve cada fonte para o mestre.",
    ),
    "q6": (
        "Store the customer id of the master back in each system so the sources link directly.",
        "Guarde el identificador del maestro en cada sistema para que las fuentes se enlacen directamente.",
        "Guarde o identificador do mestre em cada sistema para que as fontes se liguem diretamente.",
    ),
    # Q7: one clause per finding, in plain words (no command-line options).
    "q7_columns": (
        "check the columns listed below that look like identifiers (a member, loyalty-card or account number): those that are should be read as identifiers, so that they link customers across sources",
        "revise las columnas de la lista que parecen identificadores (número de socio, de tarjeta de fidelización o de cuenta): las que lo sean deben leerse como identificadores para enlazar a los clientes entre fuentes",
        "revise as colunas da lista que parecem identificadores (número de sócio, de cartão fidelidade ou de conta): as que forem devem ser lidas como identificadores para ligar os clientes entre fontes",
    ),
    "q7_hidden": (
        "import the hidden sheets that list customers",
        "importe las hojas ocultas que contengan clientes",
        "importe as abas ocultas que contenham clientes",
    ),
    "q7_gaps": (
        "complete each system with the identifiers another source already holds",
        "complete en cada sistema los identificadores que otra fuente ya tiene",
        "complete em cada sistema os identificadores que outra fonte já tem",
    ),
    "q7_none": (
        "Nothing to do here: every identifier the sources hold is already used.",
        "Nada que hacer aquí: ya se usan todos los identificadores que tienen las fuentes.",
        "Nada a fazer aqui: todos os identificadores das fontes já são usados.",
    ),
    "q8": (
        "Export the master to give every unit the filled-in fields, and ask the listed customers, highest value first.",
        "Exporte el maestro para dar a cada unidad los campos completados y pregunte a los clientes de la lista, primero los de mayor valor.",
        "Exporte o mestre para dar a cada unidade os campos completados e pergunte aos clientes da lista, primeiro os de maior valor.",
    ),
}


def _pick(options: tuple[str, str, str], lang: str) -> str:
    return options[LANGS.index(lang) if lang in LANGS else 0]


def label(key: str, lang: str) -> str:
    """A heading or label; unknown keys read as words (``no_id`` -> ``no id``)."""
    options = LABELS.get(key)
    return _pick(options, lang) if options else key.replace("_", " ")


def column_label(key: str, lang: str) -> str:
    """A table column's heading: its own entry (``fields:column``) when the key also names
    a table ("Per field"), else :func:`label`."""
    options = LABELS.get(f"{key}:column")
    return _pick(options, lang) if options else label(key, lang)


def is_share(key: str) -> bool:
    """Figures that are ratios in 0..1 and print as percentages."""
    return (
        key.startswith("share_")
        or key.endswith(
            (
                "_share",
                "_rate",
                "stale_12m",
                "stale_24m",
                "jaccard",
                "direct",
                "completeness_mean",
                "completeness_median",
                "completeness",
            )
        )
        or key
        in {
            "dated",
            "with_facts",
            "share_with",
            "share_valid",
            "share_filled",
            "strong_identifier",
            "contact_channel",
            "name",
            "email",
            "phone",
            "address",
            "city",
            "national_id",
            "account_code",
            "birth_date",
            "gender",
            "opt_in",
        }
    )


# Columns whose values are field names (roles) or other words of the glossary, shown in the
# reader's language: ``amount_net`` reads "importe sin impuestos".
WORD_KEYS = frozenset({"field", "fields", "missing", "age_months", "read_as", "looks_like"})


def _word(key: str, lang: str) -> str:
    """A field name inside a sentence or list: its own entry when the same key also heads
    a column (the ``status`` column of a ticket file is "estado", not "Estado")."""
    options = LABELS.get(f"{key}:role")
    return _pick(options, lang) if options else label(key, lang)


def fmt_value(key: str, value: Any, lang: str) -> str:
    """Format one figure or cell by what it is: share, count, decimal, date, list."""
    if value is None:
        return "-"
    if key in WORD_KEYS and isinstance(value, str):
        return ", ".join(_word(v.strip(), lang) for v in value.split(","))
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, float) and is_share(key):
        return fmt_pct(value, lang)
    if isinstance(value, int):
        return fmt_int(value, lang)
    if isinstance(value, float):
        return fmt_float(value, lang, 2 if key == "value_24m" else 1)
    if isinstance(value, date):
        return fmt_date(value, lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def localise(question: Any, lang: str, matched: bool) -> None:
    """Fill a question's title, answer and recommendation in ``lang``."""
    qid, figs = question.id, question.figures
    key = qid
    if not matched and qid in ("q1", "q6"):
        key = f"{qid}_unmatched"
    if qid == "q5" and figs.get("units", 0) <= 1:
        key = "q5_one"
    values = {k: fmt_value(k, v, lang) for k, v in figs.items() if isinstance(v, (int, float, str))}
    if qid == "q3":
        values["defects"] = fmt_int(
            sum(
                int(figs[k])
                for k in (
                    "invalid_emails",
                    "placeholder_emails",
                    "invalid_phones",
                    "failed_id_checks",
                    "impossible_dates",
                    "placeholder_names",
                )
            ),
            lang,
        )
        values["conflicts"] = fmt_int(
            max(
                figs[k]
                for k in (
                    "conflicting_emails",
                    "conflicting_phones",
                    "conflicting_birth_dates",
                    "conflicting_national_ids",
                )
            ),
            lang,
        )
    # Counts whose noun (and verb) follows the number: "1 hoja oculta no se importó".
    counted = {"customers_gaining_from_other_sources": "customer",
               "identifier_like_columns": "identifier_like_column",
               "hidden_sheets": "hidden_sheet_not_imported",
               "enrichable_customers": "customer", "ask_list_size": "customer"}
    for figure, noun in counted.items():
        if qid in ("q7", "q8") and isinstance(figs.get(figure), int):
            values[figure] = count(figs[figure], noun, lang)
    question.title = _pick(TITLES[qid], lang)
    if qid == "q7":
        question.answer, question.recommendation = _q7_texts(figs, values, lang)
        return
    question.answer = _pick(ANSWERS[key], lang).format(**values)
    rec_key = "q1_unmatched" if key == "q1_unmatched" else qid
    question.recommendation = _pick(RECOMMENDATIONS[rec_key], lang)


_AND = {"en": "and", "es": "y", "pt": "e"}


def _joined(clauses: list[str], lang: str) -> str:
    """``a; b and c``: the clauses of one sentence."""
    if len(clauses) < 2:
        return "".join(clauses)
    return "; ".join(clauses[:-1]) + f" {_AND.get(lang, 'and')} " + clauses[-1]


def _q7_texts(figs: dict[str, Any], values: dict[str, str], lang: str) -> tuple[str, str]:
    """Q7's answer and advice, naming only what was found (no "0 hidden sheets")."""
    found = {
        "gain": figs.get("customers_gaining_from_other_sources", 0),
        "columns": figs.get("identifier_like_columns", 0),
        "hidden": figs.get("hidden_sheets", 0),
    }
    clauses = []
    if found["gain"]:
        clauses.append(_pick(ANSWERS["q7_gain"], lang).format(
            n=values["customers_gaining_from_other_sources"]))
    if found["columns"]:
        clauses.append(values["identifier_like_columns"])
    if found["hidden"]:
        clauses.append(values["hidden_sheets"])
    answer = (_pick(ANSWERS["q7_yes"], lang).format(clauses=_joined(clauses, lang)) if clauses
              else _pick(ANSWERS["q7_no"], lang))
    advice = [_pick(RECOMMENDATIONS[f"q7_{k}"], lang)
              for k, n in (("columns", found["columns"]), ("hidden", found["hidden"]),
                           ("gaps", found["gain"])) if n]
    if not advice:
        return answer, _pick(RECOMMENDATIONS["q7_none"], lang)
    text = _joined(advice, lang)
    return answer, text[:1].upper() + text[1:] + "."
