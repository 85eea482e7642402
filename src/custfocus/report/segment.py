"""Render a :class:`SegmentResult`: terminal summary and JSON."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.table import Table

from custfocus.segment import SegmentResult
from custfocus.segment._texts import action_text, label, rfm_name, segment_name


def segment_as_dict(result: SegmentResult, lang: str = "en") -> dict[str, Any]:
    """The JSON document of ``segment --json`` (models under ``models.bgnbd`` etc.)."""
    data = asdict(result)
    for seg in data["segments"]:
        seg["name"] = segment_name(seg["key"], lang)
        seg["action"] = action_text(seg["key"], lang)
    return data


def _money(value: float | None, currency: str | None) -> str:
    return "-" if value is None else f"{value:,.0f} {currency or ''}".strip()


def render_segment(result: SegmentResult, console: Console, lang: str = "en") -> None:
    cur = result.main_currency
    who = "customers" if result.mode == "customers" else "records (matching has not run)"
    console.print(
        f"[bold]{result.customers:,}[/] {who} segmented as of [bold]{result.as_of}[/]"
        + (f"; run #{result.run_id}" if result.run_id else "")
    )
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
            f"{seg['customers']:,}",
            f"{seg['share']:.1%}",
            "-" if seg["value_share"] is None else f"{seg['value_share']:.1%}",
            action_text(seg["key"], lang) if seg["customers"] else "",
        )
    console.print(table)
    if result.currencies:
        parts = [
            f"{c}: {_money(v['revenue'], c)} ({v['customers']:,} customers)"
            for c, v in result.currencies.items()
        ]
        console.print("revenue by currency (never summed): " + "; ".join(parts))
    if result.pareto.get("available"):
        p = result.pareto
        console.print(
            f"{label('pareto', lang)} [bold]{p['top_20_share']:.1%}[/] "
            f"(Gini {p['gini']:.2f}; {p['window']})"
        )
    _render_models(result, console, lang)
    kpis = Table(title=label("kpis", lang), title_justify="left")
    for col in ("KPI", "value", label("formula", lang), label("window", lang)):
        kpis.add_column(col)
    for k in result.kpis:
        v = k["value"]
        shown = (
            "-"
            if v is None
            else (
                f"{v:.1%}"
                if k["key"]
                in {
                    "cross_sell_ratio",
                    "cross_unit_penetration",
                    "repeat_rate",
                    "attrition",
                    "satisfaction",
                }
                else f"{v:,.2f}"
            )
        )
        kpis.add_row(
            k["name"],
            shown,
            k["formula"] + (f" [{k['note']}]" if k.get("note") else ""),
            k["window"],
        )
    console.print(kpis)
    if result.rfm_segments:
        console.print(
            label("rfm", lang)
            + ": "
            + ", ".join(
                f"{rfm_name(r['name'], lang)} {r['customers']:,}" for r in result.rfm_segments
            )
        )
    signals = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in result.need_signals.items() if v)
    if signals:
        console.print(f"need signals (customers): {signals}")
    if result.cross_sell_rules:
        top = result.cross_sell_rules[:3]
        console.print(
            "cross-sell: "
            + "; ".join(
                f"{r['bought']} -> {r['also_buy']} ({r['share']:.0%} of buyers, {r['candidates']:,} "
                "candidates)"
                for r in top
            )
        )
    for note in result.notes + result.warnings:
        console.print(f"[yellow]![/] {note}")
    if cur is None:
        console.print("[dim]no currency: no purchases[/]")


def _render_models(result: SegmentResult, console: Console, lang: str) -> None:
    bg, gg = result.models.get("bgnbd", {}), result.models.get("gamma_gamma", {})
    if not bg.get("fitted"):
        console.print(f"{label('models', lang)}: {bg.get('message', 'not fitted')}")
        return
    status = "converged" if bg.get("converged") else "[red]did not converge[/]"
    line = (
        f"{label('models', lang)}: BG/NBD r={bg['r']:.3f} alpha={bg['alpha']:.3f} "
        f"a={bg['a']:.3f} b={bg['b']:.3f} ({result.models['time_unit']}; {status})"
    )
    if gg.get("fitted"):
        line += (
            f"; Gamma-Gamma p={gg['p']:.2f} q={gg['q']:.2f} gamma={gg['gamma']:.2f} "
            f"({gg.get('currency')}; {'converged' if gg.get('converged') else 'not converged'})"
        )
    console.print(line)
