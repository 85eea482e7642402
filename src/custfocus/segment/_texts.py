"""Segment names, actions and KPI labels in Spanish, Portuguese and English."""

from __future__ import annotations

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
        "en": "Top 20 % of customers bring",
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
