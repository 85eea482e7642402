"""Segment names, actions and KPI labels in Spanish, Portuguese and English."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from custfocus.i18n import fmt_date, fmt_float, fmt_int

SEGMENT_NAMES: dict[str, dict[str, str]] = {
    "protect": {"en": "Protect", "es": "Proteger", "pt": "Proteger"},
    "keep_reward": {
        "en": "Keep and reward",
        "es": "Mantener y premiar",
        "pt": "Manter e recompensar",
    },
    "develop": {"en": "Develop", "es": "Desarrollar", "pt": "Desenvolver"},
    "win_back": {"en": "Win back", "es": "Recuperar", "pt": "Reconquistar"},
    "serve_efficiently": {
        "en": "Serve efficiently",
        "es": "Atender con eficiencia",
        "pt": "Atender com eficiência",
    },
}

ACTIONS: dict[str, dict[str, str]] = {
    "protect": {
        "en": "Call personally: resolve open issues first, assign an account owner.",
        "es": "Llamar en persona: resolver primero las incidencias abiertas, asignar un gestor.",
        "pt": "Ligar pessoalmente: resolver primeiro os chamados abertos, atribuir um gestor.",
    },
    "keep_reward": {
        "en": "Thank and reward: loyalty benefits, early access; do not over-contact.",
        "es": "Agradecer y premiar: ventajas de fidelidad, acceso anticipado; sin saturar.",
        "pt": "Agradecer e recompensar: benefícios de fidelidade, acesso antecipado; sem excesso.",
    },
    "develop": {
        "en": "Offer the product lines similar customers buy; encourage the next purchase.",
        "es": "Ofrecer las líneas que compran clientes similares; animar la siguiente compra.",
        "pt": "Oferecer as linhas que clientes semelhantes compram; estimular a próxima compra.",
    },
    "win_back": {
        "en": "Win back: ask why they left, make a personal offer on what they used to buy.",
        "es": "Recuperar: preguntar por qué se fue, oferta personal de lo que compraba.",
        "pt": "Reconquistar: perguntar por que saiu, oferta pessoal do que comprava.",
    },
    "serve_efficiently": {
        "en": "Serve through low-cost channels (self-service, e-mail); keep data up to date.",
        "es": "Atender por canales de bajo coste (autoservicio, e-mail); mantener los datos al día.",
        "pt": "Atender por canais de baixo custo (autoatendimento, e-mail); manter os dados em dia.",
    },
}

RFM_SEGMENT_NAMES: dict[str, dict[str, str]] = {
    "Champions": {"es": "Campeones", "pt": "Campeões"},
    "Loyal": {"es": "Leales", "pt": "Fiéis"},
    "Potential Loyalist": {"es": "Leales potenciales", "pt": "Potenciais fiéis"},
    "New Customers": {"es": "Clientes nuevos", "pt": "Clientes novos"},
    "Promising": {"es": "Prometedores", "pt": "Promissores"},
    "Need Attention": {"es": "Requieren atención", "pt": "Precisam de atenção"},
    "About To Sleep": {"es": "A punto de dormirse", "pt": "Prestes a adormecer"},
    "At Risk": {"es": "En riesgo", "pt": "Em risco"},
    "Cannot Lose Them": {"es": "No podemos perderlos", "pt": "Não podemos perdê-los"},
    "Hibernating": {"es": "Hibernando", "pt": "Hibernando"},
    "Lost": {"es": "Perdidos", "pt": "Perdidos"},
}

LABELS: dict[str, dict[str, str]] = {
    "title": {"en": "Segments", "es": "Segmentos", "pt": "Segmentos"},
    "segment": {"en": "segment", "es": "segmento", "pt": "segmento"},
    "customers": {"en": "customers", "es": "clientes", "pt": "clientes"},
    "share": {"en": "share", "es": "cuota", "pt": "participação"},
    "value_share": {"en": "value share", "es": "cuota de valor", "pt": "participação no valor"},
    "action": {"en": "action", "es": "acción", "pt": "ação"},
    "kpis": {"en": "KPIs", "es": "Indicadores", "pt": "Indicadores"},
    "formula": {"en": "formula", "es": "fórmula", "pt": "fórmula"},
    "window": {"en": "window", "es": "ventana", "pt": "janela"},
    "models": {
        "en": "Predicted value models",
        "es": "Modelos de valor previsto",
        "pt": "Modelos de valor previsto",
    },
    "pareto": {
        "en": "Top 20% of customers bring",
        "es": "El 20 % superior de clientes aporta",
        "pt": "Os 20 % melhores clientes trazem",
    },
    "rfm": {"en": "RFM segments", "es": "Segmentos RFM", "pt": "Segmentos RFM"},
    "notes": {"en": "Notes", "es": "Notas", "pt": "Notas"},
}


def segment_name(key: str, lang: str) -> str:
    return SEGMENT_NAMES.get(key, {}).get(lang, key)


def action_text(key: str, lang: str) -> str:
    return ACTIONS.get(key, {}).get(lang, "")


def rfm_name(name: str, lang: str) -> str:
    return name if lang == "en" else RFM_SEGMENT_NAMES.get(name, {}).get(lang, name)


def label(key: str, lang: str) -> str:
    return LABELS.get(key, {}).get(lang) or LABELS.get(key, {}).get("en", key)


# The lines of ``custfocus segment`` around its tables, by key; {placeholders} are filled
# with figures already formatted in the language.
LINES: dict[str, dict[str, str]] = {
    "segmented": {
        "en": "[bold]{count}[/] segmented as of [bold]{as_of}[/]",
        "es": "[bold]{count}[/] segmentados a [bold]{as_of}[/]",
        "pt": "[bold]{count}[/] segmentados em [bold]{as_of}[/]",
    },
    "unmatched": {
        "en": "(matching has not run)",
        "es": "(aún sin deduplicar)",
        "pt": "(ainda sem deduplicação)",
    },
    "run": {"en": "run #{run_id}", "es": "ejecución #{run_id}", "pt": "execução #{run_id}"},
    "revenue": {
        "en": "revenue by currency (never summed): {parts}",
        "es": "ingresos por moneda (nunca se suman): {parts}",
        "pt": "receita por moeda (nunca somada): {parts}",
    },
    "currency_part": {"en": "{currency}: {revenue} ({customers})"},
    "pareto": {"en": "{label} [bold]{share}[/] (Gini {gini}; {window})"},
    "need_signals": {
        "en": "need signals (customers): {signals}",
        "es": "señales de necesidad (clientes): {signals}",
        "pt": "sinais de necessidade (clientes): {signals}",
    },
    "cross_sell": {"en": "cross-sell: {rules}", "es": "venta cruzada: {rules}",
                   "pt": "venda cruzada: {rules}"},
    "cross_sell_rule": {
        "en": "{bought} -> {also_buy} ({share} of buyers, {candidates})",
        "es": "{bought} -> {also_buy} ({share} de los compradores, {candidates})",
        "pt": "{bought} -> {also_buy} ({share} dos compradores, {candidates})",
    },
    "no_currency": {"en": "no currency: no purchases", "es": "sin moneda: no hay compras",
                    "pt": "sem moeda: não há compras"},
    "not_fitted": {"en": "not fitted", "es": "no ajustado", "pt": "não ajustado"},
    "converged": {"en": "converged", "es": "convergió", "pt": "convergiu"},
    "not_converged": {"en": "did not converge", "es": "no convergió", "pt": "não convergiu"},
    "weeks": {"en": "weeks", "es": "semanas", "pt": "semanas"},
    "days": {"en": "days", "es": "días", "pt": "dias"},
    "kpi": {"en": "KPI", "es": "Indicador", "pt": "Indicador"},
    "value": {"en": "value", "es": "valor", "pt": "valor"},
}
NEED_SIGNALS: dict[str, dict[str, str]] = {
    "open_issues": {"es": "incidencias abiertas", "pt": "chamados abertos"},
    "complaints": {"es": "quejas", "pt": "reclamações"},
    "recent_issue": {"es": "incidencia reciente", "pt": "chamado recente"},
    "low_satisfaction": {"es": "satisfacción baja", "pt": "satisfação baixa"},
    "fading": {"es": "compra menos", "pt": "compra menos"},
    "overdue": {"es": "compra atrasada", "pt": "compra atrasada"},
    "low_p_alive": {"es": "probabilidad de seguir activo baja",
                    "pt": "probabilidade de seguir ativo baixa"},
    "missing_contact": {"es": "sin datos de contacto", "pt": "sem dados de contato"},
    "conflicting_data": {"es": "datos contradictorios", "pt": "dados contraditórios"},
}
# KPI names, formulas and windows by KPI key; {placeholders} come from the KPI's params.
KPI_TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "cross_sell_ratio": {
        "es": ("Ratio de venta cruzada",
               "clientes con >= 2 líneas de producto en V / clientes activos en V"),
        "pt": ("Taxa de venda cruzada",
               "clientes com >= 2 linhas de produto em J / clientes ativos em J"),
    },
    "products_per_customer": {
        "es": ("Productos por cliente",
               "media de líneas de producto distintas por cliente activo en V (mediana {median})"),
        "pt": ("Produtos por cliente",
               "média de linhas de produto distintas por cliente ativo em J (mediana {median})"),
    },
    "cross_unit_penetration": {
        "es": ("Penetración entre unidades",
               "clientes presentes en archivos de >= 2 unidades de negocio / clientes"),
        "pt": ("Penetração entre unidades",
               "clientes presentes em arquivos de >= 2 unidades de negócio / clientes"),
    },
    "repeat_rate": {
        "es": ("Tasa de repetición",
               "clientes con >= 2 días de compra en V / clientes con >= 1"),
        "pt": ("Taxa de recompra",
               "clientes com >= 2 dias de compra em J / clientes com >= 1"),
    },
    "purchase_cycle_days": {
        "es": ("Ciclo de compra mediano (días)",
               "mediana de días entre días de compra consecutivos del mismo cliente "
               "(de la primera a la segunda compra: {first_to_second})"),
        "pt": ("Ciclo de compra mediano (dias)",
               "mediana de dias entre dias de compra consecutivos do mesmo cliente "
               "(da primeira à segunda compra: {first_to_second})"),
    },
    "attrition": {
        "es": ("Abandono",
               "clientes activos en el periodo anterior sin compras en V / clientes activos "
               "en el periodo anterior"),
        "pt": ("Abandono",
               "clientes ativos no período anterior sem compras em J / clientes ativos "
               "no período anterior"),
    },
    "satisfaction": {
        "es": ("Satisfacción media",
               "puntuación media de satisfacción como parte de su escala (1-5, 0-10 o 0-100 "
               "según la fuente) de los clientes valorados en V"),
        "pt": ("Satisfação média",
               "nota média de satisfação como parte da sua escala (1-5, 0-10 ou 0-100 "
               "conforme a fonte) dos clientes avaliados em J"),
    },
}
# KPI windows by kind (see ``kpi_window``).
WINDOWS: dict[str, dict[str, str]] = {
    "period": {"es": "{start} a {end} ({days} días)", "pt": "{start} a {end} ({days} dias)"},
    "previous": {"es": "{previous_start} a {previous_end} frente a {period}",
                 "pt": "{previous_start} a {previous_end} versus {period}"},
    "all_files": {"es": "todos los archivos importados", "pt": "todos os arquivos importados"},
    "all_purchases": {"es": "todas las compras hasta {end}", "pt": "todas as compras até {end}"},
}
# The Pareto line's window (the library words it in English).
PARETO_WINDOW = {
    "es": "todas las compras hasta {end}, netas de abonos, en {currency}; clientes con al menos "
          "una compra",
    "pt": "todas as compras até {end}, líquidas de notas de crédito, em {currency}; clientes "
          "com pelo menos uma compra",
}
KPI_NOTES: dict[str, dict[str, str]] = {
    "no product line in the data": {"es": "ningún dato de línea de producto",
                                    "pt": "nenhum dado de linha de produto"},
    "needs 'custfocus dedupe'": {"es": "requiere 'custfocus dedupe'",
                                 "pt": "requer 'custfocus dedupe'"},
}
# The notes and warnings segmenting writes, in each language; an unknown one is shown as
# written. Figures in a match are re-formatted for the language by ``note_text``.
NOTES: tuple[tuple[re.Pattern[str], dict[str, str]], ...] = (
    (re.compile(r"several currencies \((?P<list>[^)]*)\): kept apart, never summed; "
                r"(?P<main>\w+) is the main one \(most purchases\)"),
     {"es": "varias monedas ({list}): separadas, nunca se suman; {main} es la principal "
            "(más compras)",
      "pt": "várias moedas ({list}): separadas, nunca somadas; {main} é a principal "
            "(mais compras)"}),
    (re.compile(r"(?P<pct>\d+)% of customers bought once: BG/NBD gives them probability alive 1 "
                r"\(a model property\), so it is not used as a churn signal for them"),
     {"es": "el {pct} % de los clientes compró una sola vez: BG/NBD les da probabilidad de "
            "seguir activos 1 (una propiedad del modelo), así que no se usa como señal de "
            "abandono para ellos",
      "pt": "{pct} % dos clientes compraram uma só vez: o BG/NBD lhes dá probabilidade de "
            "seguir ativos 1 (uma propriedade do modelo), por isso não é usada como sinal de "
            "abandono para eles"}),
    (re.compile(r"no spend model for (?P<cur>\w+) \(not fitted: (?P<n>[\d,]+) repeat buyers with "
                r"positive spend \(at least (?P<min>\d+) needed\)\); no lifetime value for its "
                r"(?P<customers>[\d,]+) customers"),
     {"es": "sin modelo de gasto para {cur} (no ajustado: {n} compradores recurrentes con gasto "
            "positivo, se necesitan al menos {min}); sin valor de vida para sus {customers} "
            "clientes",
      "pt": "sem modelo de gasto para {cur} (não ajustado: {n} compradores recorrentes com gasto "
            "positivo, são necessários pelo menos {min}); sem valor vitalício para seus "
            "{customers} clientes"}),
    (re.compile(r"(?P<n>[\d,]+) facts name no known customer \(not matched yet, or a code found "
                r"in no customer file\); reported, not segmented"),
     {"es": "{n} hechos no remiten a ningún cliente conocido (aún sin enlazar, o un código que "
            "no está en ningún archivo de clientes); se informan, no se segmentan",
      "pt": "{n} fatos não remetem a nenhum cliente conhecido (ainda não ligados, ou um código "
            "que não está em nenhum arquivo de clientes); informados, não segmentados"}),
    (re.compile(r"(?P<n>[\d,]+) facts are dated in the future; left out"),
     {"es": "{n} hechos tienen fecha futura; se dejan fuera",
      "pt": "{n} fatos têm data futura; deixados de fora"}),
    (re.compile(r"matching has not run: each source record \(or customer code in a facts-only "
                r"file\) counts as one customer; run 'custfocus dedupe'"),
     {"es": "aún no se ha deduplicado: cada registro de origen (o código de cliente en un "
            "archivo solo de hechos) cuenta como un cliente; ejecute 'custfocus dedupe'",
      "pt": "a deduplicação ainda não rodou: cada registro de origem (ou código de cliente em "
            "um arquivo só de fatos) conta como um cliente; execute 'custfocus dedupe'"}),
    (re.compile(r"no purchase transactions: value from the customer-level totals of "
                r"(?P<n>[\d,]+) customers \(total spent; order count as frequency\); no dates, "
                r"so no recency, RFM or predicted value \(BG/NBD and Gamma-Gamma need dated "
                r"purchases\)"),
     {"es": "no hay compras con fecha: el valor sale de los totales por cliente de {n} "
            "clientes (total gastado; número de pedidos como frecuencia); sin fechas no hay "
            "recencia, RFM ni valor previsto (BG/NBD y Gamma-Gamma necesitan compras con "
            "fecha)",
      "pt": "não há compras com data: o valor vem dos totais por cliente de {n} clientes "
            "(total gasto; número de pedidos como frequência); sem datas não há recência, "
            "RFM nem valor previsto (BG/NBD e Gamma-Gamma precisam de compras com data)"}),
    (re.compile(r"not fitted: no dated purchases \(customer-level totals only\)"),
     {"es": "no ajustados: no hay compras con fecha (solo totales por cliente)",
      "pt": "não ajustados: não há compras com data (só totais por cliente)"}),
    (re.compile(r"no purchase transactions: value ranks customers by their activity \(tickets, "
                r"interactions\) instead; RFM and predicted value are empty"),
     {"es": "no hay compras: el valor ordena a los clientes por su actividad (incidencias, "
            "interacciones); RFM y valor previsto quedan vacíos",
      "pt": "não há compras: o valor ordena os clientes pela atividade (chamados, "
            "interações); RFM e valor previsto ficam vazios"}),
)


def line(key: str, lang: str, **values: Any) -> str:
    """One line of :data:`LINES` in ``lang`` (English when it has none), filled."""
    texts = LINES[key]
    return texts.get(lang, texts["en"]).format(**values)


def need_signal(key: str, lang: str) -> str:
    return NEED_SIGNALS.get(key, {}).get(lang, key.replace("_", " "))


def kpi_name(kpi: dict[str, Any], lang: str) -> str:
    return KPI_TEXTS.get(kpi["key"], {}).get(lang, (kpi["name"],))[0]


def _params(kpi: dict[str, Any], lang: str) -> dict[str, Any]:
    """A KPI's params with dates and figures in the language's format."""
    out: dict[str, Any] = {}
    for key, value in (kpi.get("params") or {}).items():
        if isinstance(value, date):
            out[key] = fmt_date(value, lang)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = fmt_float(value, lang, 1) if isinstance(value, float) else fmt_int(value, lang)
        else:
            out[key] = value
    return out


def kpi_formula(kpi: dict[str, Any], lang: str) -> str:
    """The KPI's formula (and note) in ``lang``; W, the window, is V in es and J in pt."""
    texts = KPI_TEXTS.get(kpi["key"], {}).get(lang)
    note = kpi.get("note")
    if texts is None or not kpi.get("params"):
        return kpi["formula"] + (f" [{note}]" if note else "")
    text = texts[1].format(**_params(kpi, lang))
    if note:
        text += f" [{KPI_NOTES.get(note, {}).get(lang, note)}]"
    return text


def kpi_window(kpi: dict[str, Any], lang: str) -> str:
    """The KPI's window in ``lang``, told apart by its English wording."""
    params = kpi.get("params")
    if lang not in ("es", "pt") or not params:
        return kpi["window"]
    values = _params(kpi, lang)
    window = kpi["window"]
    if window == "all imported files":
        kind = "all_files"
    elif window.startswith("all purchases"):
        kind = "all_purchases"
    elif " vs " in window:
        kind = "previous"
        values["period"] = WINDOWS["period"][lang].format(**values)
    else:
        kind = "period"
    return WINDOWS[kind][lang].format(**values)


def note_text(text: str, lang: str) -> str:
    """A note or warning of segmenting in ``lang``; numbers in it follow the language."""
    if lang == "en":
        return text
    for pattern, texts in NOTES:
        found = pattern.fullmatch(text)
        if found and lang in texts:
            parts = {k: fmt_int(int(v.replace(",", "")), lang) if v.replace(",", "").isdigit()
                     else v for k, v in found.groupdict().items()}
            return texts[lang].format(**parts)
    return text


# Column headers of the XLSX segments export, the one read by people (one sheet per
# segment); CSV, Parquet and JSON keep the column names other systems import by.
EXPORT_HEADERS: dict[str, dict[str, str]] = {
    "es": {"customer_id": "cliente", "full_name": "nombre", "company": "empresa",
           "email": "e-mail", "phone": "teléfono", "postal_code": "código postal",
           "city": "localidad", "country": "país", "opt_in": "consentimiento",
           "segment": "segmento", "action": "acción", "value_tier": "nivel de valor",
           "need_tier": "nivel de necesidad", "value_score": "puntuación de valor",
           "need_score": "puntuación de necesidad", "need_signals": "señales de necesidad",
           "rfm_segment": "segmento RFM", "rfm_code": "código RFM", "currency": "moneda",
           "revenue": "ingresos", "orders": "pedidos", "first_purchase": "primera compra",
           "last_purchase": "última compra", "recency_days": "días desde la última compra",
           "product_lines": "líneas de producto", "p_alive": "probabilidad de seguir activo",
           "expected_purchases": "compras previstas", "clv": "valor de vida",
           "cross_sell": "venta cruzada", "as_of": "fecha de referencia",
           "run_id": "ejecución"},
    "pt": {"customer_id": "cliente", "full_name": "nome", "company": "empresa",
           "email": "e-mail", "phone": "telefone", "postal_code": "CEP", "city": "cidade",
           "country": "país", "opt_in": "consentimento", "segment": "segmento",
           "action": "ação", "value_tier": "nível de valor", "need_tier": "nível de necessidade",
           "value_score": "pontuação de valor", "need_score": "pontuação de necessidade",
           "need_signals": "sinais de necessidade", "rfm_segment": "segmento RFM",
           "rfm_code": "código RFM", "currency": "moeda", "revenue": "receita",
           "orders": "pedidos", "first_purchase": "primeira compra",
           "last_purchase": "última compra", "recency_days": "dias desde a última compra",
           "product_lines": "linhas de produto", "p_alive": "probabilidade de seguir ativo",
           "expected_purchases": "compras previstas", "clv": "valor vitalício",
           "cross_sell": "venda cruzada", "as_of": "data de referência", "run_id": "execução"},
}
