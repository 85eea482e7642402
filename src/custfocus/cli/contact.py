"""``custfocus customer``: recognise a customer at any point of contact."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from custfocus.cli._common import (
    DEFAULT_DB,
    DbOption,
    DebugOption,
    JsonOption,
    handle_errors,
    log_use,
)


def customer_command(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="A customer id, e-mail, phone, tax id, customer code or name, in any format.")],
    db: DbOption = DEFAULT_DB,
    json_output: JsonOption = False,
    mask: Annotated[bool, typer.Option("--mask", help="Mask personal values on the card (j***@gmail.com, +34 6** *** 678, initials).")] = False,
    debug: DebugOption = False,
) -> None:
    """Find a customer by anything they give and show their card: warnings first, the
    golden record with each value's source, every source record and the timeline across
    all business units. Several candidates: each with one detail to tell them apart.

    Example: custfocus customer "+34 612 345 678"
    """
    from custfocus.lookup import candidates, customer_card, exact_hit, mask_card
    from custfocus.report.console import print_json, stdout_console
    from custfocus.store import Store

    with handle_errors(debug), Store(db, read_only=True) as store:
        found = candidates(store, query, mask=mask)
        hit = exact_hit(found)
        card = customer_card(store, hit) if hit is not None else None
        if card is not None and mask:
            card = mask_card(card)
    with handle_errors(debug):
        log_use(db, ctx, rows_read=len(card["source_records"]) if card else len(found))
    if json_output:
        print_json({"query_found": found, "customer": card})
        if not found:
            raise typer.Exit(1)
        return
    console = stdout_console()
    if not found:
        console.print("no customer found")
        raise typer.Exit(1)
    if card is None:
        _render_candidates(console, found)
        return
    _render_card(console, card)


def _render_candidates(console: Any, found: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(title="Customers found", title_justify="left")
    for name in ("Customer", "Name", "Town", "Phone", "Records", "Found by", "Score"):
        table.add_column(name)
    for c in found:
        table.add_row(c["customer_id"], c["name"] or "", c["city"] or "", c["phone"] or "",
                      str(c["records"]), c["by"], f"{c['score']:.0%}")
    console.print(table)




def _render_card(console: Any, card: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from custfocus.lookup import warning_text

    golden = card["golden"]
    name = golden["full_name"]["value"] or golden["company"]["value"] or ""
    console.print(f"[bold]{escape(name)}[/] {card['customer_id']} · {card['records']} "
                  f"record(s) · first seen {card['first_seen']} · last seen {card['last_seen']}")
    for warning in card["warnings"]:
        console.print(f"[bold red]! {escape(warning_text(warning))}[/]")
    if card["segment"]:
        seg = card["segment"]
        console.print(f"segment: {escape(str(seg['segment']))} — {escape(str(seg['action']))}")
    fields = Table(title="Golden record", title_justify="left")
    for col in ("Field", "Value", "Source", "Also seen"):
        fields.add_column(col)
    for field, item in golden.items():
        if item["value"] is None:
            continue
        source = item["source"] or {}
        where = f"{source.get('source')} row {source.get('row')}" if source else ""
        fields.add_row(field, escape(str(item["value"])), escape(where),
                       escape(", ".join(str(a) for a in item["alternates"])))
    console.print(fields)
    records = Table(title="Source records", title_justify="left")
    for col in ("Source", "Row", "Unit", "Name", "E-mail", "Phone", "Updated"):
        records.add_column(col)
    for r in card["source_records"]:
        shown = r["full_name"] or " ".join(x for x in (r["given_name"], r["family_name"]) if x)
        records.add_row(escape(r["source"]), str(r["row"]), escape(str(r["unit"])),
                        escape(shown or r["company"] or ""), escape(r["email"] or ""),
                        escape(r["phone"] or ""), str(r["updated_date"] or r["created_date"] or ""))
    console.print(records)
    if card["timeline"]:
        timeline = Table(title="Timeline (newest first)", title_justify="left")
        for col in ("Date", "Unit", "Kind", "Document", "Amount", "Status / category"):
            timeline.add_column(col)
        for f in card["timeline"][:30]:
            amount = f"{f['amount']:,.2f} {f['currency']}" if f["amount"] is not None else ""
            timeline.add_row(str(f["date"] or ""), escape(str(f["unit"])), f["kind"],
                             escape(str(f["document_id"] or "")), amount,
                             escape(" / ".join(str(x) for x in (f["status"], f["category"]) if x)))
        console.print(timeline)
