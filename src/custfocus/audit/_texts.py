"""Every sentence, heading and label of the audit in Spanish, Portuguese and English.

Why templates keyed by language: the analyst reads the audit in their own language and
numbers must follow its conventions (``1.234,5 %`` in Spanish), so texts and number
formats live together and the renderers never hard-code a word.
"""

from __future__ import annotations

from datetime import date
from typing import Any

LANGS = ("en", "es", "pt")

TITLES = {
    "q1": ("How many distinct customers do we really know?",
           "¿Cuántos clientes distintos conocemos realmente?",
           "Quantos clientes distintos conhecemos realmente?"),
    "q2": ("Do we hold identifying information?",
           "¿Tenemos datos que identifiquen a cada cliente?",
           "Temos dados que identifiquem cada cliente?"),
    "q3": ("How current and accurate is it?",
           "¿Qué tan actuales y exactos son los datos?",
           "Quão atuais e exatos são os dados?"),
    "q4": ("How much do we know about each customer?",
           "¿Cuánto sabemos de cada cliente?",
           "Quanto sabemos de cada cliente?"),
    "q5": ("Does each business unit keep its own database?",
           "¿Cada unidad de negocio tiene su propia base de datos?",
           "Cada unidade de negócio tem a sua própria base de dados?"),
    "q6": ("Are those databases cross-linked?",
           "¿Están enlazadas esas bases de datos?",
           "Essas bases de dados estão interligadas?"),
    "q7": ("Are there other sources that could identify customers?",
           "¿Hay otras fuentes que podrían identificar a los clientes?",
           "Há outras fontes que poderiam identificar os clientes?"),
    "q8": ("Is there a simple way to grow what we know?",
           "¿Hay una forma sencilla de saber más?",
           "Há uma forma simples de saber mais?"),
}

ANSWERS = {
    "q1": ("{source_rows} source rows hold {records} customer records, which are {distinct_customers} distinct customers ({duplicate_rate} duplicates).",
           "{source_rows} filas de origen contienen {records} registros de clientes, que son {distinct_customers} clientes distintos ({duplicate_rate} duplicados).",
           "{source_rows} linhas de origem contêm {records} registos de clientes, que são {distinct_customers} clientes distintos ({duplicate_rate} duplicados)."),
    "q1_unmatched": ("{source_rows} source rows hold {records} customer records; matching has not run, so each record is counted as one customer.",
                     "{source_rows} filas de origen contienen {records} registros de clientes; aún no se ha ejecutado la deduplicación, así que cada registro cuenta como un cliente.",
                     "{source_rows} linhas de origem contêm {records} registos de clientes; a deduplicação ainda não correu, por isso cada registo conta como um cliente."),
    "q2": ("{strong_identifier_share} of customers have at least one strong identifier and {contact_channel_share} at least one working contact channel.",
           "El {strong_identifier_share} de los clientes tiene al menos un identificador fuerte y el {contact_channel_share} al menos un canal de contacto válido.",
           "{strong_identifier_share} dos clientes têm pelo menos um identificador forte e {contact_channel_share} pelo menos um canal de contacto válido."),
    "q3": ("{stale_24m} of customers show no activity for over 24 months; {defects} field values fail validity checks and {conflicts} customers have conflicting values across sources. True accuracy needs an external reference.",
           "El {stale_24m} de los clientes no tiene actividad desde hace más de 24 meses; {defects} valores no superan las comprobaciones y {conflicts} clientes tienen valores contradictorios entre fuentes. La exactitud real exige una referencia externa.",
           "{stale_24m} dos clientes não têm atividade há mais de 24 meses; {defects} valores falham as validações e {conflicts} clientes têm valores contraditórios entre fontes. A exatidão real exige uma referência externa."),
    "q4": ("A customer profile is {completeness_mean} complete on average; {contact_only_share} of customers are contact-only, with no orders or tickets.",
           "Un perfil de cliente está completo en un {completeness_mean} de media; el {contact_only_share} de los clientes solo tiene datos de contacto, sin pedidos ni incidencias.",
           "Um perfil de cliente está {completeness_mean} completo em média; {contact_only_share} dos clientes só têm dados de contacto, sem encomendas nem pedidos de suporte."),
    "q5": ("Yes: {units} business units keep {sources} separate sources.",
           "Sí: {units} unidades de negocio mantienen {sources} fuentes separadas.",
           "Sim: {units} unidades de negócio mantêm {sources} fontes separadas."),
    "q5_one": ("No: one business unit keeps all {sources} sources.",
               "No: una sola unidad de negocio mantiene las {sources} fuentes.",
               "Não: uma só unidade de negócio mantém as {sources} fontes."),
    "q6": ("Partly: {share_in_multiple_sources} of customers appear in two or more sources, and a shared key (account code, tax id, e-mail, phone) links {direct_link_share} of those overlaps; the rest needs fuzzy matching.",
           "En parte: el {share_in_multiple_sources} de los clientes aparece en dos o más fuentes y una clave común (código, NIF, e-mail, teléfono) enlaza el {direct_link_share} de esos solapamientos; el resto necesita coincidencia aproximada.",
           "Em parte: {share_in_multiple_sources} dos clientes aparecem em duas ou mais fontes e uma chave comum (código, NIF/CPF, e-mail, telefone) liga {direct_link_share} dessas sobreposições; o resto exige correspondência aproximada."),
    "q6_unmatched": ("Unknown yet: matching has not run, so no customer is linked across sources.",
                     "Aún no se sabe: la deduplicación no se ha ejecutado y ningún cliente está enlazado entre fuentes.",
                     "Ainda não se sabe: a deduplicação não correu e nenhum cliente está ligado entre fontes."),
    "q7": ("Yes: other sources could fill identifiers for {customers_gaining_from_other_sources} customers; {identifier_like_columns} unmapped columns look like identifiers and {hidden_sheets} hidden sheets were not imported.",
           "Sí: otras fuentes podrían aportar identificadores a {customers_gaining_from_other_sources} clientes; {identifier_like_columns} columnas sin asignar parecen identificadores y {hidden_sheets} hojas ocultas no se importaron.",
           "Sim: outras fontes poderiam dar identificadores a {customers_gaining_from_other_sources} clientes; {identifier_like_columns} colunas não mapeadas parecem identificadores e {hidden_sheets} folhas ocultas não foram importadas."),
    "q8": ("The golden record already fills missing fields for {enrichable_customers} customers; {ask_list_size} customers still lack an e-mail, phone, id or address and can be asked at their next contact.",
           "El registro maestro ya completa campos que faltaban a {enrichable_customers} clientes; a {ask_list_size} clientes aún les falta e-mail, teléfono, documento o dirección y se les puede pedir en su próximo contacto.",
           "O registo mestre já completa campos em falta para {enrichable_customers} clientes; a {ask_list_size} clientes ainda falta e-mail, telefone, documento ou morada e podem ser pedidos no próximo contacto."),
}

RECOMMENDATIONS = {
    "q1": ("Review the largest clusters and the pairs to review, then share the customer master as the single list.",
           "Revise los grupos más grandes y los pares dudosos, y comparta el maestro de clientes como lista única.",
           "Reveja os maiores grupos e os pares duvidosos e partilhe o mestre de clientes como lista única."),
    "q1_unmatched": ("Run 'custfocus dedupe' to count distinct customers.",
                     "Ejecute 'custfocus dedupe' para contar los clientes distintos.",
                     "Execute 'custfocus dedupe' para contar os clientes distintos."),
    "q2": ("Make e-mail or phone mandatory at sign-up and capture the tax id on every invoice.",
           "Haga obligatorio el e-mail o el teléfono en el alta y registre el NIF en cada factura.",
           "Torne obrigatório o e-mail ou o telefone no registo e recolha o NIF/CPF em cada fatura."),
    "q3": ("Correct or remove invalid and placeholder values at the source, and confirm details of customers inactive for over a year.",
           "Corrija o elimine en origen los valores inválidos o de relleno y confirme los datos de clientes inactivos desde hace más de un año.",
           "Corrija ou elimine na origem os valores inválidos ou de preenchimento e confirme os dados de clientes inativos há mais de um ano."),
    "q4": ("Collect the missing profile fields first for customers who buy, then for contact-only ones.",
           "Complete primero los campos que faltan en los clientes que compran y después en los que solo son contactos.",
           "Complete primeiro os campos em falta dos clientes que compram e depois dos que são apenas contactos."),
    "q5": ("Agree on one customer key that every unit records, and feed every source into the master.",
           "Acuerde una clave de cliente común que registren todas las unidades y lleve cada fuente al maestro.",
           "Acorde uma chave de cliente comum registada por todas as unidades e leve cada fonte para o mestre."),
    "q6": ("Store the customer id of the master back in each system so the sources link directly.",
           "Guarde el identificador del maestro en cada sistema para que las fuentes se enlacen directamente.",
           "Guarde o identificador do mestre em cada sistema para que as fontes se liguem diretamente."),
    "q7": ("Map the identifier-like columns with --map, import the hidden sheets that hold customers, and use the sources that fill gaps.",
           "Asigne con --map las columnas que parecen identificadores, importe las hojas ocultas con clientes y aproveche las fuentes que completan huecos.",
           "Mapeie com --map as colunas que parecem identificadores, importe as folhas ocultas com clientes e use as fontes que preenchem lacunas."),
    "q8": ("Export the master to give every unit the filled-in fields, and ask the listed customers, highest value first.",
           "Exporte el maestro para dar a cada unidad los campos completados y pregunte a los clientes de la lista, primero los de mayor valor.",
           "Exporte o mestre para dar a cada unidade os campos completados e pergunte aos clientes da lista, primeiro os de maior valor."),
}

LABELS: dict[str, tuple[str, str, str]] = {
    "audit_title": ("Customer-knowledge audit", "Auditoría del conocimiento de clientes", "Auditoria do conhecimento dos clientes"),
    "as_of": ("as of", "a fecha de", "à data de"),
    "answer": ("Answer", "Respuesta", "Resposta"),
    "recommendation": ("Recommendation", "Recomendación", "Recomendação"),
    "figures": ("Figures", "Cifras", "Números"),
    "status": ("Status", "Estado", "Estado"),
    "green": ("green", "verde", "verde"), "amber": ("amber", "ámbar", "âmbar"),
    "red": ("red", "rojo", "vermelho"),
    "not_matched": ("Matching has not run: figures count source records.", "La deduplicación no se ha ejecutado: las cifras cuentan registros de origen.", "A deduplicação não correu: os números contam registos de origem."),
    "thresholds": ("Thresholds", "Umbrales", "Limites"), "breached": ("breached", "superado", "ultrapassado"), "ok": ("ok", "ok", "ok"),
    "chart_completeness": ("Profile completeness by field", "Completitud del perfil por campo", "Completude do perfil por campo"),
    "chart_freshness": ("Customers by months since last activity", "Clientes por meses desde la última actividad", "Clientes por meses desde a última atividade"),
    "chart_overlap": ("Customers shared between sources", "Clientes compartidos entre fuentes", "Clientes partilhados entre fontes"),
    "more_rows": ("{n} more rows in the XLSX/JSON output", "{n} filas más en la salida XLSX/JSON", "mais {n} linhas na saída XLSX/JSON"),
    # figures
    "source_rows": ("source rows", "filas de origen", "linhas de origem"),
    "records": ("customer records", "registros de clientes", "registos de clientes"),
    "facts": ("facts (orders, tickets...)", "hechos (pedidos, incidencias...)", "factos (encomendas, pedidos...)"),
    "rejected_rows": ("rejected rows", "filas rechazadas", "linhas rejeitadas"),
    "distinct_customers": ("distinct customers", "clientes distintos", "clientes distintos"),
    "duplicate_records": ("duplicate records", "registros duplicados", "registos duplicados"),
    "duplicate_rate": ("duplicate rate", "tasa de duplicados", "taxa de duplicados"),
    "records_per_customer": ("records per customer", "registros por cliente", "registos por cliente"),
    "no_identifier_records": ("records with no identifying field", "registros sin ningún dato identificativo", "registos sem nenhum dado identificativo"),
    "largest_cluster": ("largest customer (records)", "cliente más grande (registros)", "maior cliente (registos)"),
    "customers": ("customers", "clientes", "clientes"),
    "strong_identifier_share": ("with a strong identifier", "con identificador fuerte", "com identificador forte"),
    "contact_channel_share": ("with a contact channel", "con canal de contacto", "com canal de contacto"),
    "strong_and_contact_share": ("with both", "con ambos", "com ambos"),
    "customers_without_strong_identifier": ("customers without a strong identifier", "clientes sin identificador fuerte", "clientes sem identificador forte"),
    "customers_without_contact_channel": ("customers without a contact channel", "clientes sin canal de contacto", "clientes sem canal de contacto"),
    "stale_12m": ("inactive for over 12 months", "sin actividad hace más de 12 meses", "sem atividade há mais de 12 meses"),
    "stale_24m": ("inactive for over 24 months", "sin actividad hace más de 24 meses", "sem atividade há mais de 24 meses"),
    "median_months_since_update": ("median months since last update", "mediana de meses desde la última actualización", "mediana de meses desde a última atualização"),
    "median_months_since_contact": ("median months since last contact", "mediana de meses desde el último contacto", "mediana de meses desde o último contacto"),
    "median_months_since_transaction": ("median months since last transaction", "mediana de meses desde la última transacción", "mediana de meses desde a última transação"),
    "invalid_emails": ("invalid e-mails", "e-mails inválidos", "e-mails inválidos"),
    "placeholder_emails": ("placeholder e-mails (test@test.com...)", "e-mails de relleno (test@test.com...)", "e-mails de preenchimento (test@test.com...)"),
    "role_emails": ("role e-mails (info@, ventas@...)", "e-mails genéricos (info@, ventas@...)", "e-mails genéricos (info@, vendas@...)"),
    "invalid_phones": ("invalid phones", "teléfonos inválidos", "telefones inválidos"),
    "failed_id_checks": ("ids failing the checksum", "documentos con dígito de control erróneo", "documentos com dígito de controlo errado"),
    "impossible_dates": ("impossible dates", "fechas imposibles", "datas impossíveis"),
    "placeholder_names": ("placeholder names (N/A, Cliente contado...)", "nombres de relleno (N/A, Cliente contado...)", "nomes de preenchimento (N/A, Cliente contado...)"),
    "invalid_email_rate": ("share of e-mails invalid", "proporción de e-mails inválidos", "proporção de e-mails inválidos"),
    "invalid_phone_rate": ("share of phones invalid", "proporción de teléfonos inválidos", "proporção de telefones inválidos"),
    "conflicting_emails": ("customers with 2+ e-mails", "clientes con 2+ e-mails", "clientes com 2+ e-mails"),
    "conflicting_phones": ("customers with 2+ mobile phones", "clientes con 2+ teléfonos", "clientes com 2+ telefones"),
    "conflicting_birth_dates": ("customers with 2+ birth dates", "clientes con 2+ fechas de nacimiento", "clientes com 2+ datas de nascimento"),
    "conflicting_national_ids": ("customers with 2+ tax ids", "clientes con 2+ documentos", "clientes com 2+ documentos"),
    "completeness_mean": ("mean profile completeness", "completitud media del perfil", "completude média do perfil"),
    "completeness_median": ("median profile completeness", "completitud mediana del perfil", "completude mediana do perfil"),
    "complete_80_share": ("customers with 80 %+ of the profile", "clientes con el 80 %+ del perfil", "clientes com 80 %+ do perfil"),
    "customers_with_transactions": ("customers with orders or invoices", "clientes con pedidos o facturas", "clientes com encomendas ou faturas"),
    "customers_with_tickets": ("customers with support tickets", "clientes con incidencias", "clientes com pedidos de suporte"),
    "contact_only_customers": ("contact-only customers", "clientes solo de contacto", "clientes só de contacto"),
    "contact_only_share": ("share contact-only", "proporción solo de contacto", "proporção só de contacto"),
    "units": ("business units", "unidades de negocio", "unidades de negócio"),
    "unit": ("unit", "unidad", "unidade"),
    "sources": ("sources", "fuentes", "fontes"),
    "units_with_customer_records": ("units holding customer records", "unidades con registros de clientes", "unidades com registos de clientes"),
    "customers_in_multiple_sources": ("customers in 2+ sources", "clientes en 2+ fuentes", "clientes em 2+ fontes"),
    "share_in_multiple_sources": ("share in 2+ sources", "proporción en 2+ fuentes", "proporção em 2+ fontes"),
    "customers_in_one_unit": ("customers known to one unit only", "clientes conocidos por una sola unidad", "clientes conhecidos por uma só unidade"),
    "share_in_one_unit": ("share known to one unit only", "proporción conocida por una sola unidad", "proporção conhecida por uma só unidade"),
    "direct_link_share": ("overlaps linked by a shared key", "solapamientos enlazados por clave común", "sobreposições ligadas por chave comum"),
    "fuzzy_only_links": ("overlaps found only by fuzzy matching", "solapamientos hallados solo por similitud", "sobreposições só por semelhança"),
    "customers_gaining_from_other_sources": ("customers another source can complete", "clientes que otra fuente puede completar", "clientes que outra fonte pode completar"),
    "unmapped_columns": ("columns kept raw or as notes", "columnas sin asignar o de notas", "colunas não mapeadas ou de notas"),
    "identifier_like_columns": ("of which look like identifiers", "de ellas parecen identificadores", "das quais parecem identificadores"),
    "hidden_sheets": ("hidden sheets not imported", "hojas ocultas no importadas", "folhas ocultas não importadas"),
    "enrichable_customers": ("customers the golden record enriches", "clientes que el maestro enriquece", "clientes que o mestre enriquece"),
    "ask_list_size": ("customers to ask at next contact", "clientes a los que preguntar", "clientes a quem perguntar"),
    "ask_share": ("share of customers to ask", "proporción de clientes a preguntar", "proporção de clientes a perguntar"),
    # table columns and table titles
    "per_source": ("Per source", "Por fuente", "Por fonte"),
    "cluster_sizes": ("Customers by number of records", "Clientes por número de registros", "Clientes por número de registos"),
    "fields": ("Per field", "Por campo", "Por campo"),
    "activity_age": ("Months since last activity", "Meses desde la última actividad", "Meses desde a última atividade"),
    "fields_filled": ("Customers by fields filled", "Clientes por campos completos", "Clientes por campos preenchidos"),
    "pairs": ("Source pairs", "Pares de fuentes", "Pares de fontes"),
    "gap_fills": ("Who holds what others lack", "Quién tiene lo que a otros les falta", "Quem tem o que falta aos outros"),
    "columns": ("Unmapped columns", "Columnas sin asignar", "Colunas não mapeadas"),
    "enrichment": ("Enrichment available now", "Enriquecimiento disponible ya", "Enriquecimento disponível já"),
    "ask_list": ("Customers to ask at their next contact", "Clientes a los que preguntar en su próximo contacto", "Clientes a quem perguntar no próximo contacto"),
    "source": ("source", "fuente", "fonte"), "rows": ("rows", "filas", "linhas"),
    "rejects": ("rejected", "rechazadas", "rejeitadas"), "no_identifier": ("no identifier", "sin identificador", "sem identificador"),
    "size": ("records", "registros", "registos"), "field": ("field", "campo", "campo"),
    "customers_with": ("customers with it", "clientes con el dato", "clientes com o dado"),
    "share_with": ("share with it", "proporción con el dato", "proporção com o dado"),
    "customers_valid": ("valid", "válidos", "válidos"), "share_valid": ("share valid", "proporción válida", "proporção válida"),
    "name": ("name", "nombre", "nome"), "email": ("e-mail", "e-mail", "e-mail"), "phone": ("phone", "teléfono", "telefone"),
    "address": ("address", "dirección", "morada"), "city": ("city", "ciudad", "cidade"),
    "national_id": ("tax/national id", "NIF/documento", "NIF/CPF"), "account_code": ("account code", "código de cliente", "código de cliente"),
    "birth_date": ("birth date", "fecha de nacimiento", "data de nascimento"), "gender": ("gender", "sexo", "sexo"),
    "opt_in": ("consent", "consentimiento", "consentimento"),
    "strong_identifier": ("strong id", "id. fuerte", "id. forte"), "contact_channel": ("contact", "contacto", "contacto"),
    "age_months": ("months", "meses", "meses"), "dated": ("with a date", "con fecha", "com data"),
    "stale_12m_records": ("records >12 months", "registros >12 meses", "registos >12 meses"),
    "stale_24m_records": ("records >24 months", "registros >24 meses", "registos >24 meses"),
    "median_age_months": ("median age (months)", "edad mediana (meses)", "idade mediana (meses)"),
    "share_filled": ("share filled", "proporción completa", "proporção preenchida"),
    "completeness": ("completeness", "completitud", "completude"), "with_facts": ("with facts", "con hechos", "com factos"),
    "first_date": ("first date", "primera fecha", "primeira data"), "last_date": ("last date", "última fecha", "última data"),
    "source_a": ("source A", "fuente A", "fonte A"), "source_b": ("source B", "fuente B", "fonte B"),
    "shared_customers": ("shared", "compartidos", "partilhados"), "jaccard": ("Jaccard", "Jaccard", "Jaccard"),
    "by_email": ("by e-mail", "por e-mail", "por e-mail"), "by_phone": ("by phone", "por teléfono", "por telefone"),
    "by_national_id": ("by tax id", "por documento", "por documento"), "by_account_code": ("by code", "por código", "por código"),
    "by_any_key": ("by any key", "por alguna clave", "por alguma chave"), "direct_share": ("direct", "directo", "direto"),
    "holder": ("holds it", "lo tiene", "tem"), "lacker": ("lacks it", "le falta", "falta em"),
    "column": ("column", "columna", "coluna"), "read_as": ("read as", "leída como", "lida como"),
    "filled": ("filled", "con valor", "preenchidas"), "distinct_values": ("distinct", "distintos", "distintos"),
    "looks_like": ("looks like", "parece", "parece"), "file": ("file", "archivo", "ficheiro"), "sheet": ("sheet", "hoja", "folha"),
    "still_missing": ("still missing", "aún faltan", "ainda faltam"),
    "customer_id": ("customer", "cliente", "cliente"), "missing": ("missing", "falta", "falta"),
    "value_24m": ("value (24 months)", "valor (24 meses)", "valor (24 meses)"),
    "last_activity": ("last activity", "última actividad", "última atividade"),
}


def _pick(options: tuple[str, str, str], lang: str) -> str:
    return options[LANGS.index(lang) if lang in LANGS else 0]


def label(key: str, lang: str) -> str:
    """A heading or label; unknown keys read as words (``no_id`` -> ``no id``)."""
    options = LABELS.get(key)
    return _pick(options, lang) if options else key.replace("_", " ")


def fmt_int(value: Any, lang: str) -> str:
    text = f"{int(value):,}"
    return text if lang == "en" else text.replace(",", ".")


def fmt_float(value: Any, lang: str, digits: int = 1) -> str:
    text = f"{float(value):,.{digits}f}"
    return text if lang == "en" else text.translate(str.maketrans(",.", ".,"))


def fmt_pct(value: Any, lang: str) -> str:
    text = fmt_float(float(value) * 100, lang, 1)
    return f"{text}%" if lang == "en" else f"{text} %"


def fmt_date(value: Any, lang: str) -> str:
    if not isinstance(value, date):
        return str(value)
    return value.isoformat() if lang == "en" else value.strftime("%d/%m/%Y")


def is_share(key: str) -> bool:
    """Figures that are ratios in 0..1 and print as percentages."""
    return (key.startswith("share_") or key.endswith(("_share", "_rate", "stale_12m", "stale_24m", "jaccard", "direct",
                          "completeness_mean", "completeness_median", "completeness"))
            or key in {"dated", "with_facts", "share_with", "share_valid", "share_filled",
                       "strong_identifier", "contact_channel", "name", "email", "phone",
                       "address", "city", "national_id", "account_code", "birth_date",
                       "gender", "opt_in"})


def fmt_value(key: str, value: Any, lang: str) -> str:
    """Format one figure or cell by what it is: share, count, decimal, date, list."""
    if value is None:
        return "-"
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
    values = {k: fmt_value(k, v, lang) for k, v in figs.items()
              if isinstance(v, (int, float, str))}
    if qid == "q3":
        values["defects"] = fmt_int(sum(int(figs[k]) for k in (
            "invalid_emails", "placeholder_emails", "invalid_phones", "failed_id_checks",
            "impossible_dates", "placeholder_names")), lang)
        values["conflicts"] = fmt_int(max(figs[k] for k in (
            "conflicting_emails", "conflicting_phones", "conflicting_birth_dates",
            "conflicting_national_ids")), lang)
    question.title = _pick(TITLES[qid], lang)
    question.answer = _pick(ANSWERS[key], lang).format(**values)
    rec_key = "q1_unmatched" if key == "q1_unmatched" else qid
    question.recommendation = _pick(RECOMMENDATIONS[rec_key], lang)
