"""Render a :class:`SegmentResult`: terminal summary and JSON."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from custfocus.i18n import count, fmt_date, fmt_float, fmt_int, fmt_pct
from custfocus.segment import SegmentResult
from custfocus.segment._texts import (
    PARETO_WINDOW,
    action_text,
    kpi_formula,
    kpi_name,
    kpi_window,
    label,
    line,
    need_signal,
    note_text,
    rfm_name,
    segment_name,
)


def segment_as_dict(result: SegmentResult, lang: str = "en") -> dict[str, Any]:
    """The JSON document of ``segment --json`` (models under ``models.bgnbd`` etc.)."""
    data = asdict(result)
    for seg in data["segments"]:
        seg["name"] = segment_name(seg["key"], lang)
        seg["action"] = action_text(seg["key"], lang)
    return data


# KPIs that are shares (0..1) and print as percentages; the others are plain figures.
SHARE_KPIS = {"cross_sell_ratio", "cross_unit_penetration", "repeat_rate", "attrition",
              "satisfaction"}


def _money(value: float | None, currency: str | None, lang: str) -> str:
    return "-" if value is None else f"{fmt_float(value, lang, 0)} {currency or ''}".strip()


def _share(value: float | None, lang: str) -> str:
    return "-" if value is None else fmt_pct(value, lang)


def render_segment(result: SegmentResult, console: Console, lang: str = "en") -> None:
    """The segments table, KPIs and models, every word and figure in ``lang`` (es, pt or en)."""
    cur = result.main_currency
    who = count(result.customers, "customer" if result.mode == "customers" else "record", lang)
    if result.mode != "customers":
        who += " " + line("unmatched", lang)
    header = line("segmented", lang, count=who, as_of=fmt_date(result.as_of, lang))
    console.print(header + (f"; {line('run', lang, run_id=result.run_id)}" if result.run_id else ""))
    table = Table(title=label("title", lang), title_justify="left")
    for name, justify in (
        ("segment", "left"),
        ("customers", "right"),
        ("share", "right"),
        ("value_share", "right"),
        ("action", "left"),
    ):
        table.add_column(label(name, lang), justify=justify)  # type: ignore[arg-type]
    ranked = sorted(result.segments, key=lambda s: -(s["value_share"] or 0))
    for seg in ranked:
        table.add_row(
            segment_name(seg["key"], lang),
            fmt_int(seg["customers"], lang),
            _share(seg["share"], lang),
            _share(seg["value_share"], lang),
            action_text(seg["key"], lang) if seg["customers"] else "",
        )
    console.print(table)
    if result.currencies:
        parts = [
            line("currency_part", lang, currency=c, revenue=_money(v["revenue"], c, lang),
                 customers=count(v["customers"], "customer", lang))
            for c, v in result.currencies.items()
        ]
        console.print(line("revenue", lang, parts="; ".join(parts)))
    if result.pareto.get("available"):
        p = result.pareto
        console.print(line("pareto", lang, label=label("pareto", lang),
                           share=fmt_pct(p["top_20_share"], lang),
                           gini=fmt_float(p["gini"], lang, 2), window=_pareto_window(p, result.as_of, lang)))
    _render_models(result, console, lang)
    kpis = Table(title=label("kpis", lang), title_justify="left")
    for col in (line("kpi", lang), line("value", lang), label("formula", lang),
                label("window", lang)):
        kpis.add_column(col)
    for k in result.kpis:
        v = k["value"]
        if v is None:
            shown = "-"
        elif k["key"] in SHARE_KPIS:
            shown = fmt_pct(v, lang)
        else:
            shown = fmt_float(v, lang, 2)
        kpis.add_row(kpi_name(k, lang), shown, escape(kpi_formula(k, lang)), kpi_window(k, lang))
    console.print(kpis)
    if result.rfm_segments:
        console.print(
            label("rfm", lang)
            + ": "
            + ", ".join(
                f"{rfm_name(r['name'], lang)} {fmt_int(r['customers'], lang)}"
                for r in result.rfm_segments
            )
        )
    signals = ", ".join(f"{need_signal(k, lang)} {fmt_int(v, lang)}"
                        for k, v in result.need_signals.items() if v)
    if signals:
        console.print(line("need_signals", lang, signals=signals))
    if result.cross_sell_rules:
        rules = [
            line("cross_sell_rule", lang, bought=r["bought"], also_buy=r["also_buy"],
                 share=fmt_pct(r["share"], lang, 0),
                 candidates=count(r["candidates"], "candidate", lang))
            for r in result.cross_sell_rules[:3]
        ]
        console.print(line("cross_sell", lang, rules="; ".join(rules)))
    for note in result.notes + result.warnings:
        console.print(f"[yellow]![/] {escape(note_text(note, lang))}")
    if cur is None:
        console.print(f"[dim]{line('no_currency', lang)}[/]")


def _pareto_window(pareto: dict[str, Any], as_of: Any, lang: str) -> str:
    """The Pareto window in ``lang`` (the library words it in English)."""
    if lang not in PARETO_WINDOW:
        return str(pareto.get("window", ""))
    return PARETO_WINDOW[lang].format(end=fmt_date(as_of, lang), currency=pareto.get("currency"))


def _render_models(result: SegmentResult, console: Console, lang: str) -> None:
    bg, gg = result.models.get("bgnbd", {}), result.models.get("gamma_gamma", {})
    if not bg.get("fitted"):
        message = bg.get("message")
        text = note_text(message, lang) if message else line("not_fitted", lang)
        console.print(f"{label('models', lang)}: {text}")
        return

    def num(value: float, digits: int) -> str:
        return fmt_float(value, lang, digits)

    def status(converged: Any) -> str:
        return line("converged", lang) if converged else f"[red]{line('not_converged', lang)}[/]"

    unit = result.models["time_unit"]
    unit = line(unit, lang) if unit in ("weeks", "days") else unit
    text = (
        f"{label('models', lang)}: BG/NBD r={num(bg['r'], 3)} alpha={num(bg['alpha'], 3)} "
        f"a={num(bg['a'], 3)} b={num(bg['b'], 3)} ({unit}; {status(bg.get('converged'))})"
    )
    if gg.get("fitted"):
        text += (
            f"; Gamma-Gamma p={num(gg['p'], 2)} q={num(gg['q'], 2)} gamma={num(gg['gamma'], 2)} "
            f"({gg.get('currency')}; {status(gg.get('converged'))})"
        )
    console.print(text)
