"""Numbers, dates, plurals and the command line's own sentences in Spanish, Portuguese, English.

Why one module: a figure must read the same in every output of one language (``1.461`` and
``11,2 %`` in es and pt, ``1,461`` and ``11.2%`` in en), so every renderer formats through
these functions instead of f-string format specs. Texts of one domain stay beside it (the
audit's in ``audit/_texts.py``, segment names in ``segment/_texts.py``, match evidence in
``dedupe/explain.py``); what no domain owns (messages such as "wrote FILE", counted nouns)
lives in :data:`MESSAGES` here. ``pt`` is Brazilian Portuguese.

Example:
    >>> fmt_int(1461, "es"), fmt_pct(0.112, "pt"), fmt_pct(0.112, "en")
    ('1.461', '11,2 %', '11.2%')
    >>> count(1, "hidden_sheet", "es"), count(2, "hidden_sheet", "es")
    ('1 hoja oculta', '2 hojas ocultas')
"""

from __future__ import annotations

from datetime import date
from typing import Any

LANGS = ("en", "es", "pt")

# Counted nouns as (one, many) per language; ``count`` picks by the number.
NOUNS: dict[str, dict[str, tuple[str, str]]] = {
    "record": {"en": ("record", "records"), "es": ("registro", "registros"),
               "pt": ("registro", "registros")},
    "customer": {"en": ("customer", "customers"), "es": ("cliente", "clientes"),
                 "pt": ("cliente", "clientes")},
    "run": {"en": ("run", "runs"), "es": ("ejecución", "ejecuciones"),
            "pt": ("execução", "execuções")},
    "row": {"en": ("row", "rows"), "es": ("fila", "filas"), "pt": ("linha", "linhas")},
    "source_file": {"en": ("source file", "source files"),
                    "es": ("archivo de origen", "archivos de origen"),
                    "pt": ("arquivo de origem", "arquivos de origem")},
    "hidden_sheet": {"en": ("hidden sheet", "hidden sheets"), "es": ("hoja oculta", "hojas ocultas"),
                     "pt": ("aba oculta", "abas ocultas")},
    # Counted phrases with their verb, so that the verb agrees too (audit question 7).
    "identifier_like_column": {
        "en": ("unmapped column looks like an identifier", "unmapped columns look like identifiers"),
        "es": ("columna sin asignar parece un identificador",
               "columnas sin asignar parecen identificadores"),
        "pt": ("coluna não mapeada parece um identificador",
               "colunas não mapeadas parecem identificadores")},
    "hidden_sheet_not_imported": {
        "en": ("hidden sheet was not imported", "hidden sheets were not imported"),
        "es": ("hoja oculta no se importó", "hojas ocultas no se importaron"),
        "pt": ("aba oculta não foi importada", "abas ocultas não foram importadas")},
    "candidate": {"en": ("candidate", "candidates"), "es": ("candidato", "candidatos"),
                  "pt": ("candidato", "candidatos")},
    "pair_to_review": {"en": ("pair to review", "pairs to review"),
                       "es": ("par a revisar", "pares a revisar"),
                       "pt": ("par para revisar", "pares para revisar")},
    "identifier": {"en": ("identifier", "identifiers"), "es": ("identificador", "identificadores"),
                   "pt": ("identificador", "identificadores")},
    # What ``forget`` erases, by the store's table (privacy.Erasure.counts).
    "raw_row": {"en": ("raw row", "raw rows"), "es": ("fila original", "filas originales"),
                "pt": ("linha original", "linhas originais")},
    "reject": {"en": ("rejected row", "rejected rows"), "es": ("fila rechazada", "filas rechazadas"),
               "pt": ("linha rejeitada", "linhas rejeitadas")},
    "fact": {"en": ("fact", "facts"), "es": ("hecho", "hechos"), "pt": ("fato", "fatos")},
    "record_link": {"en": ("record link", "record links"),
                    "es": ("enlace de registro", "enlaces de registro"),
                    "pt": ("vínculo de registro", "vínculos de registro")},
    "golden_record": {"en": ("golden record", "golden records"),
                      "es": ("registro maestro", "registros maestros"),
                      "pt": ("registro mestre", "registros mestres")},
    "customer_event": {"en": ("matching event", "matching events"),
                       "es": ("evento de emparejamiento", "eventos de emparejamiento"),
                       "pt": ("evento de correspondência", "eventos de correspondência")},
    "segment_row": {"en": ("segment row", "segment rows"), "es": ("fila de segmento", "filas de segmento"),
                    "pt": ("linha de segmento", "linhas de segmento")},
    "snapshot_row": {"en": ("history row", "history rows"),
                     "es": ("fila de histórico", "filas de histórico"),
                     "pt": ("linha de histórico", "linhas de histórico")},
}
#: The noun of each table ``forget`` erases from.
TABLE_NOUNS = {"records": "record", "raw_rows": "raw_row", "rejects": "reject", "facts": "fact",
               "record_customer": "record_link", "customers": "golden_record",
               "customer_events": "customer_event", "customer_segments": "segment_row",
               "snapshot_segments": "snapshot_row"}

MESSAGES: dict[str, dict[str, str]] = {
    "wrote": {"en": "wrote {path}", "es": "escrito {path}", "pt": "gravado {path}"},
    "wrote_rows": {"en": "wrote {rows} to {path}", "es": "escritas {rows} en {path}",
                   "pt": "gravadas {rows} em {path}"},
    "upserted": {"en": "{rows} into {table} at {target}: {inserted} new, {updated} changed, "
                       "{retired} retired",
                 "es": "{rows} en {table} de {target}: {inserted} nuevas, {updated} cambiadas, "
                       "{retired} retiradas",
                 "pt": "{rows} em {table} de {target}: {inserted} novas, {updated} alteradas, "
                       "{retired} retiradas"},
    "wrote_pairs": {"en": "wrote {pairs} to {path}", "es": "escritos {pairs} en {path}",
                    "pt": "gravados {pairs} em {path}"},
    "wrote_config": {"en": "wrote {path} with {files}:", "es": "escrito {path} con {files}:",
                     "pt": "gravado {path} com {files}:"},
    "wrote_audit": {"en": "wrote the audit to {path}", "es": "auditoría escrita en {path}",
                    "pt": "auditoria gravada em {path}"},
    "wrote_report": {"en": "wrote the report to {path}", "es": "informe escrito en {path}",
                     "pt": "relatório gravado em {path}"},
    "review_imported": {
        "en": "{same} same, {different} different, {undecided} left undecided; run "
              "'custfocus dedupe' to apply",
        "es": "{same} mismo cliente, {different} distintos, {undecided} sin decidir; ejecute "
              "'custfocus dedupe' para aplicarlo",
        "pt": "{same} mesmo cliente, {different} diferentes, {undecided} sem decisão; execute "
              "'custfocus dedupe' para aplicar"},
    "next_run": {"en": "next: custfocus run", "es": "siguiente paso: custfocus run",
                 "pt": "próximo passo: custfocus run"},
    "run_summary": {
        "en": "{run} #{run_id} ({as_of}): imported {imported}; {unchanged} unchanged; "
              "dedupe {dedupe}; segments {segment}; {seconds} s",
        "es": "{run} #{run_id} ({as_of}): importado {imported}; {unchanged} sin cambios; "
              "deduplicación {dedupe}; segmentos {segment}; {seconds} s",
        "pt": "{run} #{run_id} ({as_of}): importado {imported}; {unchanged} sem alterações; "
              "deduplicação {dedupe}; segmentos {segment}; {seconds} s",
    },
    # What ``run`` did at each step (RunResult.dedupe / .segment hold these keys).
    "full": {"en": "full", "es": "completa", "pt": "completa"},
    "incremental": {"en": "incremental", "es": "incremental", "pt": "incremental"},
    "skipped": {"en": "skipped", "es": "omitida", "pt": "omitida"},
    "computed": {"en": "computed", "es": "calculados", "pt": "calculados"},
    "reused": {"en": "reused", "es": "reutilizados", "pt": "reutilizados"},
    "unchanged": {"en": "unchanged", "es": "sin cambios", "pt": "sem alterações"},
    # ``custfocus forget`` and ``subject-access`` (the data subject's rights)
    "forget_plan": {"en": "{customer}: {counts}", "es": "{customer}: {counts}",
                    "pt": "{customer}: {counts}"},
    "forget_confirm": {"en": "Erase all of it for good?",
                       "es": "¿Borrarlo todo definitivamente?",
                       "pt": "Apagar tudo definitivamente?"},
    "forgot": {
        "en": "forgot {customer}: {counts}; {identifiers} on the suppression list; run "
              "custfocus dedupe to rebuild the matches",
        "es": "olvidado {customer}: {counts}; {identifiers} en la lista de supresión; ejecute "
              "custfocus dedupe para rehacer las coincidencias",
        "pt": "esquecido {customer}: {counts}; {identifiers} na lista de supressão; execute "
              "custfocus dedupe para refazer as correspondências"},
    "forget_needs_yes": {
        "en": "forgetting a customer needs --yes when nobody can be asked",
        "es": "olvidar a un cliente requiere --yes cuando no hay nadie a quien preguntar",
        "pt": "esquecer um cliente exige --yes quando não há ninguém a quem perguntar"},
    "wrote_subject_access": {"en": "wrote {rows} about {customer} to {path}",
                             "es": "escritas {rows} sobre {customer} en {path}",
                             "pt": "gravadas {rows} sobre {customer} em {path}"},
    "mapping_needs_source": {
        "en": "name the source whose columns to change (custfocus sources)",
        "es": "indique el origen cuyas columnas quiere cambiar (custfocus sources)",
        "pt": "indique a origem cujas colunas quer alterar (custfocus sources)"},
}


def pick(texts: dict[str, Any], lang: str) -> Any:
    """The text of ``lang`` in a ``{lang: text}`` mapping, English when it has none."""
    return texts.get(lang, texts.get("en"))


def message(key: str, lang: str, **values: Any) -> str:
    """One sentence of :data:`MESSAGES` filled with ``values``; unknown keys read as words."""
    texts = MESSAGES.get(key)
    return pick(texts, lang).format(**values) if texts else key.replace("_", " ")


def noun(key: str, number: int, lang: str) -> str:
    """The noun of :data:`NOUNS` in singular or plural, as the number asks."""
    one, many = pick(NOUNS[key], lang)
    return one if abs(number) == 1 else many


def count(number: int, key: str, lang: str) -> str:
    """``1 hoja oculta`` / ``2 hojas ocultas``: the number in ``lang`` and its noun."""
    return f"{fmt_int(number, lang)} {noun(key, number, lang)}"


def fmt_int(value: Any, lang: str) -> str:
    """``1,461`` in English, ``1.461`` in Spanish and Portuguese."""
    text = f"{int(value):,}"
    return text if lang == "en" else text.replace(",", ".")


def fmt_float(value: Any, lang: str, digits: int = 1) -> str:
    """``1,234.5`` in English, ``1.234,5`` in Spanish and Portuguese."""
    text = f"{float(value):,.{digits}f}"
    return text if lang == "en" else text.translate(str.maketrans(",.", ".,"))


def fmt_pct(value: Any, lang: str, digits: int = 1) -> str:
    """A share in 0..1 as ``11.2%`` (en) or ``11,2 %`` (es, pt: a space before the sign)."""
    text = fmt_float(float(value) * 100, lang, digits)
    return f"{text}%" if lang == "en" else f"{text} %"


def fmt_date(value: Any, lang: str) -> str:
    """ISO in English, ``30/06/2024`` in Spanish and Portuguese; other values as written."""
    if not isinstance(value, date):
        return str(value)
    return value.isoformat() if lang == "en" else value.strftime("%d/%m/%Y")


__all__ = ["LANGS", "MESSAGES", "NOUNS", "TABLE_NOUNS", "count", "fmt_date", "fmt_float", "fmt_int",
           "fmt_pct", "message", "noun", "pick"]
