"""``custfocus customer``: recognise a customer at any point of contact."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from custfocus.cli._common import (
    DEFAULT_DB,
    DbOption,
    DebugOption,
    JsonOption,
    LangOption,
    handle_errors,
    log_use,
    resolve_lang,
)


def customer_command(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="A customer id, e-mail, phone, tax id, customer code or name, in any format.")],
    db: DbOption = DEFAULT_DB,
    json_output: JsonOption = False,
    mask: Annotated[bool, typer.Option("--mask", help="Mask personal values on the card (j***@gmail.com, +34 6** *** 678, initials).")] = False,
    lang: LangOption = None,
    debug: DebugOption = False,
) -> None:
    """Find a customer by anything they give and show their card: warnings first, the
    golden record with each value's source, every source record and the timeline across
    all business units. Several candidates: each with one detail to tell them apart.

    Example: custfocus customer "+34 612 345 678"
    """
    from rich.markup import escape

    from custfocus.i18n import fmt_pct
    from custfocus.lookup import check_query, look_up
    from custfocus.lookup_texts import text
    from custfocus.report.console import print_json, stdout_console
    from custfocus.served import served_path
    from custfocus.store import Store

    code = resolve_lang(lang)
    # A served store has an indexed copy of its last committed state (custfocus.served):
    # faster, and readable while a run writes the store.
    copy = served_path(db)
    with handle_errors(debug):
        check_query(query)  # before any store is opened
        with Store(copy if copy.exists() else db, read_only=True) as store:
            result = look_up(store, query, mask=mask, lang=code)
    found, card, near = result.found, result.card, result.closest
    with handle_errors(debug):
        log_use(db, ctx, rows_read=len(card["source_records"]) if card else
                len(found) + len(result.records))
    if not result.matched:  # no customers yet: the records the query finds, and why
        _render_records(result.records, code, json_output)
        return
    if json_output:
        print_json({"query_found": found, "customer": card,
                    **({"closest": near} if near else {})})
        if not found:
            raise typer.Exit(1)
        return
    console = stdout_console()
    if not found:
        console.print(text("no_customer", code))
        if near:
            console.print(text("closest", code) + " " + ", ".join(
                f"{escape(c['name'] or '')} ({c['customer_id']}, {fmt_pct(c['score'], code, 0)})"
                for c in near))
        raise typer.Exit(1)
    if card is None:
        _render_candidates(console, found, code)
        return
    _render_card(console, card, code)


def _render_records(records: list[dict[str, Any]], lang: str, json_output: bool) -> None:
    """A store not yet deduplicated: say so (on stderr), then the source records found;
    exit 1 when there are none."""
    from rich.markup import escape
    from rich.table import Table

    from custfocus.i18n import fmt_pct
    from custfocus.lookup_texts import field_label, text
    from custfocus.report.console import print_json, stderr_console, stdout_console

    stderr_console().print(f"[yellow]{escape(text('not_matched', lang))}[/]")
    if json_output:
        print_json({"query_found": [], "matched": False, "records_found": records})
    elif records:
        table = Table(title=text("records_found", lang), title_justify="left")
        for key in ("source", "row", "unit", "name", "town", "phone", "found_by", "score"):
            table.add_column(text(key, lang))
        for r in records:
            table.add_row(escape(r["source"]), str(r["row"]), escape(str(r["unit"] or "")),
                          escape(r["name"] or ""), escape(r["city"] or ""), r["phone"] or "",
                          field_label(r["by"], lang), fmt_pct(r["score"], lang, 0))
        stdout_console().print(table)
    else:
        stdout_console().print(text("no_record", lang))
    if not records:
        raise typer.Exit(1)


def _render_candidates(console: Any, found: list[dict[str, Any]], lang: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    from custfocus.i18n import fmt_int, fmt_pct
    from custfocus.lookup_texts import field_label, text

    table = Table(title=text("customers_found", lang), title_justify="left")
    for key in ("customer", "name", "town", "phone", "records", "found_by", "score"):
        table.add_column(text(key, lang))
    for c in found:
        table.add_row(c["customer_id"], escape(c["name"] or ""), escape(c["city"] or ""),
                      c["phone"] or "", fmt_int(c["records"] or 0, lang),
                      field_label(c["by"], lang), fmt_pct(c["score"], lang, 0))
    console.print(table)


def _render_card(console: Any, card: dict[str, Any], lang: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    from custfocus.i18n import count, fmt_float
    from custfocus.lookup_texts import field_label, kind_label, text, warning_text, when
    from custfocus.segment._texts import action_text, segment_name

    def headed(title: str, keys: tuple[str, ...]) -> Table:
        table = Table(title=title, title_justify="left")
        for key in keys:
            table.add_column(text(key, lang))
        return table

    golden = card["golden"]
    name = golden["full_name"]["value"] or golden["company"]["value"] or ""
    seen = text("seen", lang, records=count(card["records"], "record", lang),
                first=when(card["first_seen"], lang), last=when(card["last_seen"], lang))
    console.print(f"[bold]{escape(name)}[/] {card['customer_id']} · {escape(seen)}")
    for warning in card["warnings"]:
        console.print(f"[bold red]! {escape(warning_text(warning, lang))}[/]")
    if card["segment"]:
        key = str(card["segment"]["segment"])
        console.print(f"{text('segment', lang)}: {escape(segment_name(key, lang))} — "
                      f"{escape(action_text(key, lang))}")
    fields = headed(text("golden_record", lang), ("field", "value", "source", "also_seen"))
    for field, item in golden.items():
        if item["value"] is None:
            continue
        source = item["source"] or {}
        where = text("source_row", lang, source=source.get("source"), row=source.get("row")) \
            if source else ""
        def shown(value: Any, field: str = field) -> str:
            return when(value, lang) if field == "birth_date" else str(value)

        fields.add_row(field_label(field, lang), escape(shown(item["value"])), escape(where),
                       escape(", ".join(shown(a) for a in item["alternates"])))
    console.print(fields)
    records = headed(text("source_records", lang),
                     ("source", "row", "unit", "name", "email", "phone", "updated"))
    for r in card["source_records"]:
        shown = r["full_name"] or " ".join(x for x in (r["given_name"], r["family_name"]) if x)
        changed = r["updated_date"] or r["created_date"]
        records.add_row(escape(r["source"]), str(r["row"]), escape(str(r["unit"] or "")),
                        escape(shown or r["company"] or ""), escape(r["email"] or ""),
                        escape(r["phone"] or ""), when(changed, lang) if changed else "")
    console.print(records)
    if card["timeline"]:
        timeline = headed(f"{text('timeline', lang)} ({text('newest_first', lang)})",
                          ("date", "unit", "kind", "document", "amount", "status"))
        for f in card["timeline"][:30]:
            amount = (f"{fmt_float(f['amount'], lang, 2)} {f['currency'] or ''}"
                      if f["amount"] is not None else "")
            timeline.add_row(when(f["date"], lang) if f["date"] else "",
                             escape(str(f["unit"] or "")), kind_label(f["kind"], lang),
                             escape(str(f["document_id"] or "")), escape(amount),
                             escape(" / ".join(str(x) for x in (f["status"], f["category"]) if x)))
        console.print(timeline)
