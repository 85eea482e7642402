"""Render an :class:`ImportResult` for people (Rich) and machines (JSON)."""

from __future__ import annotations

import functools
import re
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from custfocus.i18n import count, fmt_int, fmt_pct

if TYPE_CHECKING:
    from custfocus.ingest.importer import ImportResult

_DELIMITER_NAMES = {";": "semicolon", ",": "comma", "\t": "tab", "|": "pipe",
                    "fixed-width": "fixed_width"}
# The import summary's words; statuses and fact kinds by the library's value.
TEXTS: dict[str, dict[str, str]] = {
    "title": {"en": "Import", "es": "Importación", "pt": "Importação"},
    "title_dry_run": {"en": "Import (dry run: nothing saved)",
                      "es": "Importación (simulación: no se guarda nada)",
                      "pt": "Importação (simulação: nada é gravado)"},
    "source": {"en": "Source", "es": "Origen", "pt": "Origem"},
    "status": {"en": "Status", "es": "Estado", "pt": "Status"},
    "rows": {"en": "Rows", "es": "Filas", "pt": "Linhas"},
    "records": {"en": "Records", "es": "Registros", "pt": "Registros"},
    "facts": {"en": "Facts", "es": "Hechos", "pt": "Fatos"},
    "rejects": {"en": "Rejects", "es": "Rechazadas", "pt": "Rejeitadas"},
    "read_as": {"en": "Read as", "es": "Leído como", "pt": "Lido como"},
    "total": {"en": "Total", "es": "Total", "pt": "Total"},
    "imported": {"en": "imported", "es": "importado", "pt": "importado"},
    "unchanged": {"en": "unchanged", "es": "sin cambios", "pt": "sem alterações"},
    "replaced": {"en": "replaced", "es": "sustituido", "pt": "substituído"},
    "skipped": {"en": "skipped", "es": "omitido", "pt": "ignorado"},
    "dry-run": {"en": "dry-run", "es": "simulación", "pt": "simulação"},
    "semicolon": {"en": "semicolon", "es": "punto y coma", "pt": "ponto e vírgula"},
    "comma": {"en": "comma", "es": "coma", "pt": "vírgula"},
    "tab": {"en": "tab", "es": "tabulador", "pt": "tabulação"},
    "pipe": {"en": "pipe", "es": "barra vertical", "pt": "barra vertical"},
    "fixed_width": {"en": "fixed-width columns", "es": "columnas de ancho fijo",
                    "pt": "colunas de largura fixa"},
    "header_row": {"en": "header row {row}", "es": "cabecera en la fila {row}",
                   "pt": "cabeçalho na linha {row}"},
    "orders": {"en": "orders", "es": "pedidos", "pt": "pedidos"},
    "invoices": {"en": "invoices", "es": "facturas", "pt": "faturas"},
    "tickets": {"en": "tickets", "es": "incidencias", "pt": "chamados"},
    "interactions": {"en": "interactions", "es": "interacciones", "pt": "interações"},
    "rejected": {"en": "{rows} rejected", "es": "{rows} rechazadas", "pt": "{rows} rejeitadas"},
    "hidden": {"en": "Hidden sheets listed, not imported: {sheets}",
               "es": "Hojas ocultas listadas, no importadas: {sheets}",
               "pt": "Abas ocultas listadas, não importadas: {sheets}"},
    "unlinked": {"en": "{facts} fact(s) name a customer code that no customer sheet of the same "
                       "file holds",
                 "es": "hechos con un código de cliente que ninguna hoja de clientes del mismo "
                       "archivo contiene: {facts}",
                 "pt": "fatos com um código de cliente que nenhuma aba de clientes do mesmo "
                       "arquivo contém: {facts}"},
    "failed": {"en": "failed", "es": "error", "pt": "erro"},
    "columns_of": {"en": "Columns of {source}", "es": "Columnas de {source}",
                   "pt": "Colunas de {source}"},
    "role": {"en": "Role", "es": "Rol", "pt": "Papel"},
    "confidence": {"en": "Confidence", "es": "Confianza", "pt": "Confiança"},
    "why": {"en": "Why", "es": "Motivo", "pt": "Motivo"},
    "kept_raw": {"en": "(kept raw)", "es": "(sin importar)", "pt": "(sem importar)"},
    "nothing_found": {
        "en": "no name, identifier or amount found in any row: nothing here identifies a "
              "customer; check the roles with --show-mapping and fix one with --map "
              "'HEADER=ROLE' (--strict makes this an error)",
        "es": "ninguna fila tiene nombre, identificador ni importe: nada identifica a un "
              "cliente; revise las columnas con --show-mapping y corrija una con --map "
              "'CABECERA=ROL' (--strict lo convierte en error)",
        "pt": "nenhuma linha tem nome, identificador nem valor: nada identifica um cliente; "
              "revise as colunas com --show-mapping e corrija uma com --map "
              "'CABEÇALHO=PAPEL' (--strict transforma isso em erro)"},
    "unit": {"en": "Unit", "es": "Unidad", "pt": "Unidade"},
    "imported_at": {"en": "Imported", "es": "Importado", "pt": "Importado"},
    "sources_title": {"en": "Sources", "es": "Fuentes", "pt": "Fontes"},
    "rejects_title": {"en": "Rejected rows", "es": "Filas rechazadas", "pt": "Linhas rejeitadas"},
    "row": {"en": "Row", "es": "Fila", "pt": "Linha"},
    "column": {"en": "Column", "es": "Columna", "pt": "Coluna"},
    "reason": {"en": "Reason", "es": "Motivo", "pt": "Motivo"},
    "see_rejects": {"en": "See the rejected rows with: custfocus rejects",
                    "es": "Vea las filas rechazadas con: custfocus rejects",
                    "pt": "Veja as linhas rejeitadas com: custfocus rejects"},
    "see_rejects_dry_run": {
        "en": "Nothing was saved: import without --dry-run, then see the rejected rows with: "
              "custfocus rejects",
        "es": "No se guardó nada: importe sin --dry-run y luego vea las filas rechazadas con: "
              "custfocus rejects",
        "pt": "Nada foi salvo: importe sem --dry-run e depois veja as linhas rejeitadas com: "
              "custfocus rejects"},
}


# The readers' notes and the reasons rows are rejected, in Spanish and Portuguese; an
# unknown one is shown as written.
NOTES: tuple[tuple[re.Pattern[str], dict[str, str]], ...] = (
    (re.compile(r"title rows above header skipped: (?P<n>\d+)"),
     {"es": "filas de título sobre la cabecera omitidas: {n}",
      "pt": "linhas de título acima do cabeçalho ignoradas: {n}"}),
    (re.compile(r"merged cells filled down in columns? (?P<names>.+)"),
     {"es": "celdas combinadas rellenadas hacia abajo en {names}",
      "pt": "células mescladas preenchidas para baixo em {names}"}),
    (re.compile(r"(?P<n>\d+) empty columns dropped"),
     {"es": "columnas vacías descartadas: {n}", "pt": "colunas vazias descartadas: {n}"}),
    (re.compile(r"stray NUL bytes removed: (?P<n>\d+)"),
     {"es": "bytes NUL sueltos eliminados: {n}", "pt": "bytes NUL soltos removidos: {n}"}),
    (re.compile(r"empty or repeated headers were given names: (?P<names>.+)"),
     {"es": "cabeceras vacías o repetidas renombradas: {names}",
      "pt": "cabeçalhos vazios ou repetidos renomeados: {names}"}),
    (re.compile(r"dates in column '(?P<col>.+)' could be day/month or month/day; read as "
                r"(?P<order>.+) \(override with --date-order\)"),
     {"es": "las fechas de la columna '{col}' pueden ser día/mes o mes/día; leídas como "
            "{order} (cámbielo con --date-order)",
      "pt": "as datas da coluna '{col}' podem ser dia/mês ou mês/dia; lidas como {order} "
            "(altere com --date-order)"}),
    (re.compile(r"fact row names no customer"),
     {"es": "la fila no remite a ningún cliente", "pt": "a linha não remete a nenhum cliente"}),
    (re.compile(r"date not understood"),
     {"es": "fecha no reconocida", "pt": "data não reconhecida"}),
    (re.compile(r"no date on this order/invoice"),
     {"es": "pedido o factura sin fecha", "pt": "pedido ou fatura sem data"}),
    (re.compile(r"no amount on this order/invoice"),
     {"es": "pedido o factura sin importe", "pt": "pedido ou fatura sem valor"}),
)


# Why a column got its role (custfocus.ingest.roles): each "; "-separated part, in es and pt.
# The roles and the header words quoted stay as they are (what --map takes, what the file
# says).
_REASONS: dict[str, tuple[str, str]] = {
    "header": ("cabecera", "cabeçalho"),
    "empty header": ("cabecera vacía", "cabeçalho vazio"),
    "header not recognised": ("cabecera no reconocida", "cabeçalho não reconhecido"),
    "header names given name and surname": ("la cabecera nombra nombre y apellidos",
                                            "o cabeçalho nomeia nome e sobrenome"),
    "header names an identifier (kept raw)": ("la cabecera nombra un identificador (sin importar)",
                                              "o cabeçalho nomeia um identificador (sem importar)"),
    "set by user": ("fijado por el usuario", "definido pelo usuário"),
    "values are e-mails": ("los valores son correos", "os valores são e-mails"),
    "column empty in sample": ("columna vacía en la muestra", "coluna vazia na amostra"),
    "second date column": ("segunda columna de fecha", "segunda coluna de data"),
    "second phone column": ("segunda columna de teléfono", "segunda coluna de telefone"),
    "a customer sheet: the state": ("una hoja de clientes: la provincia o estado",
                                    "uma planilha de clientes: o estado"),
    "a date with no order, invoice or ticket (kept raw)": (
        "una fecha sin pedido, factura ni incidencia (sin importar)",
        "uma data sem pedido, fatura nem chamado (sem importar)"),
    "a few values repeated, a category rather than names": (
        "pocos valores repetidos: una categoría, no nombres",
        "poucos valores repetidos: uma categoria, não nomes"),
    "another event of the order (kept raw)": ("otro evento del pedido (sin importar)",
                                              "outro evento do pedido (sem importar)"),
    "beside a family-name column": ("junto a una columna de apellidos",
                                    "ao lado de uma coluna de sobrenome"),
    "dates lie in the future, not births (kept raw)": (
        "fechas futuras, no nacimientos (sin importar)",
        "datas futuras, não nascimentos (sem importar)"),
    "few values look like e-mails": ("pocos valores parecen correos",
                                     "poucos valores parecem e-mails"),
    "in an orders sheet": ("en una hoja de pedidos", "em uma planilha de pedidos"),
    "net of the fees beside it, not before tax (kept raw)": (
        "neto de las comisiones de al lado, no antes de impuestos (sin importar)",
        "líquido das taxas ao lado, não antes de impostos (sem importar)"),
    "no family-name column": ("sin columna de apellidos", "sem coluna de sobrenome"),
    "no order or ticket in this sheet (kept raw)": (
        "ni pedidos ni incidencias en esta hoja (sin importar)",
        "nem pedidos nem chamados nesta planilha (sem importar)"),
    "no order, invoice or date beside it": ("sin pedido, factura ni fecha al lado",
                                            "sem pedido, fatura nem data ao lado"),
    "the date of each order": ("la fecha de cada pedido", "a data de cada pedido"),
    "the id of each row, beside a customer id (kept raw)": (
        "el id de cada fila, junto a un id de cliente (sin importar)",
        "o id de cada linha, ao lado de um id de cliente (sem importar)"),
    "values are codes": ("los valores son códigos", "os valores são códigos"),
    "values are country codes": ("los valores son códigos de país",
                                 "os valores são códigos de país"),
    "values are names": ("los valores son nombres", "os valores são nomes"),
    "values are national or tax ids": ("los valores son documentos de identidad o fiscales",
                                       "os valores são documentos de identidade ou fiscais"),
    "values are not dates (kept raw)": ("los valores no son fechas (sin importar)",
                                        "os valores não são datas (sem importar)"),
    "values are not numbers (kept raw)": ("los valores no son números (sin importar)",
                                          "os valores não são números (sem importar)"),
    "values are not phones (kept raw)": ("los valores no son teléfonos (sin importar)",
                                         "os valores não são telefones (sem importar)"),
    "values are organisation names": ("los valores son nombres de organizaciones",
                                      "os valores são nomes de organizações"),
    "values are text, not scores": ("los valores son texto, no puntuaciones",
                                    "os valores são texto, não notas"),
    "values count up, an id rather than phones (kept raw)": (
        "los valores son correlativos: un id, no teléfonos (sin importar)",
        "os valores são sequenciais: um id, não telefones (sem importar)"),
    "a due or expiry date (kept raw)": ("una fecha de vencimiento o caducidad (sin importar)",
                                        "uma data de vencimento ou validade (sem importar)"),
    "a name part or someone else's detail (kept raw)": (
        "parte de un nombre o dato de otra persona (sin importar)",
        "parte de um nome ou dado de outra pessoa (sem importar)"),
    "customer-level total (kept raw)": ("total por cliente (sin importar)",
                                        "total por cliente (sem importar)"),
    "customer-level total, an attribute of the record": (
        "total por cliente, un atributo del registro",
        "total por cliente, um atributo do registro"),
    "names the kind of another column's value (kept raw)": (
        "nombra el tipo del valor de otra columna (sin importar)",
        "nomeia o tipo do valor de outra coluna (sem importar)"),
    "number with no street column": ("número sin columna de calle",
                                     "número sem coluna de rua"),
}
_QUOTED_REASONS: tuple[tuple[re.Pattern[str], tuple[str, str]], ...] = (
    (re.compile(r"header read as '(?P<x>.*)'"), ("cabecera leída como '{x}'",
                                                 "cabeçalho lido como '{x}'")),
    (re.compile(r"header abbreviates '(?P<x>.*)'"), ("la cabecera abrevia '{x}'",
                                                     "o cabeçalho abrevia '{x}'")),
    (re.compile(r"header resembles '(?P<x>.*)'"), ("la cabecera se parece a '{x}'",
                                                   "o cabeçalho se parece com '{x}'")),
    (re.compile(r"header contains '(?P<x>.*)'"), ("la cabecera contiene '{x}'",
                                                  "o cabeçalho contém '{x}'")),
    (re.compile(r"header dates '(?P<x>.*)'"), ("la cabecera fecha '{x}'",
                                               "o cabeçalho data '{x}'")),
    (re.compile(r"values look like (?P<x>.*)"), ("los valores parecen {x}",
                                                 "os valores parecem {x}")),
    (re.compile(r"'(?P<x>.*)' already taken by another column"), (
        "'{x}' ya lo tiene otra columna", "'{x}' já está em outra coluna")),
)


def reason_text(reason: str, lang: str) -> str:
    """Why a column got its role, in ``lang`` (parts not known are shown as written)."""
    if lang not in ("es", "pt"):
        return reason
    index = 0 if lang == "es" else 1

    def part(text: str) -> str:
        if text in _REASONS:
            return _REASONS[text][index]
        for pattern, texts in _QUOTED_REASONS:
            found = pattern.fullmatch(text)
            if found:
                x = found.group("x")
                if pattern.pattern.startswith("values"):
                    x = x.replace(" ", "_")  # the role, as --map names it
                return texts[index].format(x=x)
        return text

    return "; ".join(": ".join(part(p) for p in piece.split(": "))
                     for piece in reason.split("; "))


def note_text(text: str, lang: str) -> str:
    """A reader's note or a reject reason in ``lang`` (as written when not known)."""
    for pattern, texts in NOTES:
        found = pattern.fullmatch(text)
        if found and lang in texts:
            return texts[lang].format(**found.groupdict())
    return text


def _text(key: str, lang: str, **values: Any) -> str:
    """One word or line of :data:`TEXTS` in ``lang``; unknown keys (new statuses) as written."""
    texts = TEXTS.get(key)
    return texts.get(lang, texts["en"]).format(**values) if texts else key


def import_as_dict(result: ImportResult) -> dict[str, Any]:
    return {
        "dry_run": result.dry_run,
        "totals": {
            "tables": len(result.tables),
            "rows_read": result.total("rows_read"),
            "records": result.total("records"),
            "facts": result.total("facts"),
            "rejects": result.total("rejects"),
            "suppressed": result.total("suppressed"),
            "unlinked_facts": result.unlinked_facts,
        },
        "tables": [asdict(t) for t in result.tables],
        "hidden_sheets": result.hidden_sheets,
        "failures": result.failures,
    }


def render_import(result: ImportResult, console: Console, *, show_mapping: bool = False,
                  lang: str = "en") -> None:
    """Summary table per file/sheet, then the column mapping when asked (or on a dry run).

    Headers, statuses, counts and the closing lines follow ``lang``; the readers' notes and
    reject reasons are the library's own English text.
    """
    say = functools.partial(_text, lang=lang)
    table = Table(title=say("title_dry_run" if result.dry_run else "title"), title_justify="left")
    table.add_column(say("source"), no_wrap=True)  # "file.xlsx#Sheet" must stay readable
    for key, justify in [("status", "left"), ("rows", "right"), ("records", "right"),
                         ("facts", "right"), ("rejects", "right"), ("read_as", "left")]:
        name = say(key)
        table.add_column(name, justify=justify, no_wrap=key != "read_as",  # type: ignore[arg-type]
                         min_width=len(name))
    for t in result.tables:
        how = []
        if t.encoding:
            how.append(t.encoding)
        if t.delimiter:
            how.append(say(_DELIMITER_NAMES.get(t.delimiter, repr(t.delimiter))))
        if t.header_row:
            how.append(say("header_row", row=t.header_row))
        if t.region:
            how.append(t.region)
        if t.fact_kind:
            how.append(say(f"{t.fact_kind}s"))
        table.add_row(t.source, say(t.status), fmt_int(t.rows_read, lang),
                      fmt_int(t.records, lang), fmt_int(t.facts, lang),
                      fmt_int(t.rejects, lang), ", ".join(how))
    table.add_section()
    table.add_row(f"[bold]{say('total')}", "", fmt_int(result.total("rows_read"), lang),
                  fmt_int(result.total("records"), lang), fmt_int(result.total("facts"), lang),
                  fmt_int(result.total("rejects"), lang), "")
    console.print(table)
    if show_mapping or result.dry_run:
        for t in result.tables:
            render_mapping(t.source, t.mapping, console, lang)
    for t in result.tables:
        for reason, number in t.reject_reasons.items():
            console.print(f"[yellow]{t.source}[/]: "
                          f"{say('rejected', rows=count(number, 'row', lang))}: "
                          f"{escape(note_text(reason, lang))}")
        for note in t.notes:
            console.print(f"[dim]{t.source}: {escape(note_text(note, lang))}[/]")
        if t.nothing_found:
            console.print(f"[yellow]{escape(t.source)}: {escape(say('nothing_found'))}[/]")
    if result.hidden_sheets:
        console.print(say("hidden", sheets=", ".join(result.hidden_sheets)))
    if result.unlinked_facts:
        console.print(f"[yellow]{say('unlinked', facts=fmt_int(result.unlinked_facts, lang))}[/]")
    for failure in result.failures:
        console.print(f"[red]{say('failed')}:[/] {failure}")
    if result.total("rejects"):  # a dry run kept no rejects for `custfocus rejects` to show
        console.print(say("see_rejects_dry_run" if result.dry_run else "see_rejects"))


def render_mapping(source: str, mapping: list[dict[str, object]], console: Console,
                   lang: str = "en") -> None:
    """Each column's role, confidence and why (``import --show-mapping``, ``mapping``).

    The roles are the names ``--map`` and ``mapping --set`` take, so they are not translated.
    """
    say = functools.partial(_text, lang=lang)
    table = Table(title=say("columns_of", source=escape(source)), title_justify="left")
    table.add_column(say("column"))
    table.add_column(say("role"))
    table.add_column(say("confidence"), justify="right")
    table.add_column(say("why"))
    for col in mapping:
        role = escape(str(col["role"])) if col["role"] else f"[dim]{say('kept_raw')}[/]"
        table.add_row(escape(str(col["column"])), role,
                      fmt_pct(float(col.get("confidence") or 0), lang, 0),  # type: ignore[arg-type]
                      escape(reason_text(str(col.get("reason") or ""), lang)))
    console.print(table)


def render_sources(rows: list[dict[str, Any]], console: Console, lang: str = "en") -> None:
    """``custfocus sources``: one line per active import, in ``lang``."""
    say = functools.partial(_text, lang=lang)
    table = Table(title=say("sources_title"), title_justify="left")
    for key in ("source", "unit", "imported_at", "rows", "records", "facts", "rejects"):
        table.add_column(say(key))
    for r in rows:
        table.add_row(r["source"], r["unit"], f"{r['imported_at']:%Y-%m-%d %H:%M}",
                      fmt_int(r["rows_read"], lang), fmt_int(r["records"], lang),
                      fmt_int(r["facts"], lang), fmt_int(r["rejects"], lang))
    console.print(table)


def render_rejects(rows: list[dict[str, Any]], console: Console, lang: str = "en") -> None:
    """``custfocus rejects``: where each unusable row is and why, in ``lang``."""
    say = functools.partial(_text, lang=lang)
    table = Table(title=say("rejects_title"), title_justify="left")
    for key in ("source", "row", "column", "reason"):
        table.add_column(say(key))
    for r in rows:
        table.add_row(r["source"], str(r["row"]), r["column"] or "",
                      escape(note_text(r["reason"], lang)))
    console.print(table)
