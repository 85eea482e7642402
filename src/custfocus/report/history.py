"""Render KPI trends: a terminal table with sparklines, JSON, and the combined HTML report.

The HTML page joins the audit, the segments and the trends in one self-contained file
(inline CSS and SVG, no scripts), reusing the audit page of :mod:`custfocus.report.html`.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from rich.console import Console
from rich.table import Table

from custfocus.i18n import count, fmt_date, fmt_float, fmt_int, fmt_pct, message
from custfocus.pipeline.snapshot import GONE, NEW, History
from custfocus.segment._texts import segment_name

TEXTS: dict[str, dict[str, str]] = {
    "distinct_customers": {"en": "Distinct customers", "es": "Clientes distintos",
                           "pt": "Clientes distintos"},
    "duplicate_rate": {"en": "Duplicate rate", "es": "Tasa de duplicados",
                       "pt": "Taxa de duplicados"},
    "completeness": {"en": "Profile completeness", "es": "Completitud del perfil",
                     "pt": "Completude do perfil"},
    "freshness": {"en": "Active in last 12 months", "es": "Activos en los últimos 12 meses",
                  "pt": "Ativos nos últimos 12 meses"},
    "cross_link_share": {"en": "In 2+ sources (cross-linked)",
                         "es": "En 2+ fuentes (enlazados)", "pt": "Em 2+ fontes (ligados)"},
    "cross_sell_ratio": {"en": "Cross-sell ratio", "es": "Ratio de venta cruzada",
                         "pt": "Taxa de venda cruzada"},
    "repeat_rate": {"en": "Repeat rate", "es": "Tasa de repetición", "pt": "Taxa de recompra"},
    "attrition": {"en": "Attrition", "es": "Abandono", "pt": "Abandono"},
    "purchase_cycle_days": {"en": "Purchase cycle (days)", "es": "Ciclo de compra (días)",
                            "pt": "Ciclo de compra (dias)"},
    "satisfaction": {"en": "Satisfaction", "es": "Satisfacción", "pt": "Satisfação"},
    "kpi": {"en": "KPI", "es": "Indicador", "pt": "Indicador"},
    "trend": {"en": "Trend", "es": "Tendencia", "pt": "Tendência"},
    "baseline": {"en": "Baseline", "es": "Línea base", "pt": "Linha de base"},
    "previous": {"en": "Previous", "es": "Anterior", "pt": "Anterior"},
    "latest": {"en": "Latest", "es": "Última", "pt": "Última"},
    "vs_baseline": {"en": "vs baseline", "es": "vs base", "pt": "vs base"},
    "vs_previous": {"en": "vs previous", "es": "vs anterior", "pt": "vs anterior"},
    "segment": {"en": "Segment", "es": "Segmento", "pt": "Segmento"},
    "customers": {"en": "Customers", "es": "Clientes", "pt": "Clientes"},
    "trends": {"en": "KPI trends", "es": "Evolución de los indicadores",
               "pt": "Evolução dos indicadores"},
    "segments": {"en": "Segments", "es": "Segmentos", "pt": "Segmentos"},
    "migration": {"en": "Segment migration since the previous run",
                  "es": "Migración entre segmentos desde la ejecución anterior",
                  "pt": "Migração entre segmentos desde a execução anterior"},
    "from_to": {"en": "from \\ to", "es": "de \\ a", "pt": "de \\ para"},
    "no_runs": {"en": "No runs yet: run 'custfocus run'.",
                "es": "Aún no hay ejecuciones: use 'custfocus run'.",
                "pt": "Ainda não há execuções: use 'custfocus run'."},
    "report_title": {"en": "Customer knowledge report", "es": "Informe de conocimiento del cliente",
                     "pt": "Relatório de conhecimento do cliente"},
    "run": {"en": "run", "es": "ejecución", "pt": "execução"},
    "moved": {"en": "{n} customers changed segment", "es": "{n} clientes cambiaron de segmento",
              "pt": "{n} clientes mudaram de segmento"},
    "moved_one": {"en": "1 customer changed segment", "es": "1 cliente cambió de segmento",
                  "pt": "1 cliente mudou de segmento"},
    "arrived": {"en": "{n} new", "es": "{n} nuevos", "pt": "{n} novos"},
    "arrived_one": {"en": "1 new", "es": "1 nuevo", "pt": "1 novo"},
    "left": {"en": "{n} gone", "es": "{n} bajas", "pt": "{n} saídas"},
    "left_one": {"en": "1 gone", "es": "1 baja", "pt": "1 saída"},
    NEW: {"en": "(new)", "es": "(nuevos)", "pt": "(novos)"},
    GONE: {"en": "(gone)", "es": "(bajas)", "pt": "(saídas)"},
}
SPARKS = "▁▂▃▄▅▆▇█"


def text(key: str, lang: str) -> str:
    options = TEXTS.get(key)
    return options.get(lang, options["en"]) if options else key.replace("_", " ")


def seg_label(key: str, lang: str) -> str:
    return text(key, lang) if key in (NEW, GONE) else segment_name(key, lang)


def visible_range(values: list[float | None], kind: str) -> tuple[float, float] | None:
    """The (low, high) a chart of ``values`` spans: at least a floor wide (5 points for a
    share, 5 % of the value otherwise), so a change too small to print (``0.0 pp``) is drawn
    flat, not as a jump from the bottom to the top."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    lo, hi = min(known), max(known)
    floor = 0.05 if kind == "share" else max(abs(hi) * 0.05, 1.0)
    if hi - lo < floor:
        mid = (hi + lo) / 2
        lo, hi = mid - floor / 2, mid + floor / 2
    return lo, hi


def sparkline(values: list[float | None], kind: str = "share") -> str:
    """``▁▃█``-style line; a gap for runs without a value."""
    bounds = visible_range(values, kind)
    if bounds is None:
        return ""
    lo, hi = bounds
    known = [v for v in values if v is not None]
    # A widened range centres the values on 3.5, the edge between two blocks: move them to
    # the middle of one (▄) so that a change too small to see draws no step.
    shift = 0.5 if max(known) - min(known) < hi - lo else 0.0
    return "".join(" " if v is None else SPARKS[max(0, round((v - lo) / (hi - lo) * 7 - shift))]
                   for v in values)


def migration_title(migration: dict[str, Any], lang: str) -> str:
    """``Segment migration … (#1 → #2): 3 customers changed segment; 2 new; 1 gone``."""
    def counted(key: str, n: int) -> str:
        return text(f"{key}_one", lang) if n == 1 else text(key, lang).format(n=fmt_int(n, lang))

    parts = [counted("moved", migration["moved"])]
    for key, figure in (("arrived", "new"), ("left", "gone")):
        if migration.get(figure):
            parts.append(counted(key, migration[figure]))
    return (f"{text('migration', lang)} (#{migration['from_run']} → #{migration['to_run']}): "
            + "; ".join(parts))


def fmt_kpi(kind: str, value: Any, lang: str, signed: bool = False) -> str:
    if value is None:
        return "-"
    shown = round(value * 100, 1) if kind == "share" else round(value, 0 if kind == "count" else 1)
    sign = "+" if signed and shown > 0 else ""  # never "+0,0 pp"
    if shown == 0:
        value = 0  # nor "-0,0 pp"
    if kind == "share":
        return sign + (fmt_float(value * 100, lang, 1) + " pp" if signed else fmt_pct(value, lang))
    if kind == "count":
        return sign + fmt_int(value, lang)
    return sign + fmt_float(value, lang, 1)


def _fit(heads: list[str], body: list[list[str]], room: int, edged: bool = True) -> list[int]:
    """Column widths for a table that fits ``room`` characters when it can: the names and
    the headings wrap between words, never inside one ("Tenden…"), and a figure never
    breaks ("+3,4 / pp")."""
    cols = [[_plain(row[i]) for row in body] for i in range(len(heads))]
    natural = [max(len(h), *(len(v) for v in col)) for h, col in zip(heads, cols)]
    least = [max(*(len(w) for w in h.split()), *(len(p) for v in col
                                                 for p in (v.split() if i == 0 else [v])))
             for i, (h, col) in enumerate(zip(heads, cols))]
    widths = list(natural)
    # borders and padding: 3 per column and 1, or 3 per inner column line without edges
    excess = sum(widths) + (3 * len(widths) + 1 if edged else 3 * len(widths) - 3) - room
    for i in (0, *range(len(widths) - 1, 0, -1)):  # the names first, then the headings
        cut = min(max(excess, 0), widths[i] - least[i])
        widths[i] -= cut
        excess -= cut
    return widths


def _nonzero(shown: str) -> bool:
    """Whether a change as printed (``+0,0 pp``, ``0``) is other than zero."""
    return any(ch in "123456789" for ch in shown)


def _plain(cell: str) -> str:
    return re.sub(r"\[/?[a-z]*\]", "", cell)


def _colour(trend: dict[str, Any], change: float | None) -> str:
    if not change or trend["better"] is None:
        return ""
    good = (change > 0) == (trend["better"] == "up")
    return "green" if good else "red"


def history_as_dict(history: History) -> dict[str, Any]:
    """The ``history --json`` document."""
    return {"baseline_run": history.baseline, "runs": history.runs, "kpis": history.kpis,
            "segments": history.segments, "migration": history.migration}


def render_history(history: History, console: Console, lang: str = "en") -> None:
    """KPI table with sparklines, segment sizes and the migration matrix."""
    if not history.runs:
        console.print(text("no_runs", lang))
        return
    # Mid-line, the column headings' words take a small letter ("línea base", "última").
    console.print(f"{count(len(history.runs), 'run', lang)}; {text('baseline', lang).lower()}: "
                  f"#{history.baseline}; {text('latest', lang).lower()}: "
                  f"#{history.runs[-1]['run_id']} "
                  f"({fmt_date(history.runs[-1]['as_of'], lang)})")
    for title, rows, is_segment in ((text("trends", lang), history.kpis, False),
                                    (text("segments", lang), history.segments, True)):
        body = []
        for t in rows:
            name = seg_label(t["key"], lang) if is_segment else text(t["key"], lang)
            cells = [fmt_kpi(t["kind"], t[k], lang) for k in ("baseline", "previous", "latest")]
            changes = [fmt_kpi(t["kind"], t[k], lang, signed=True)
                       for k in ("change_vs_baseline", "change_vs_previous")]
            colours = [_colour(t, t[k]) if _nonzero(c) else ""
                       for k, c in zip(("change_vs_baseline", "change_vs_previous"), changes)]
            body.append([name, sparkline(t["values"], t["kind"]), *cells,
                         *(f"[{c}]{v}[/]" if c else v for c, v in zip(colours, changes))])
        heads = [text("segment" if is_segment else "kpi", lang), text("trend", lang),
                 *(text(c, lang) for c in ("baseline", "previous", "latest", "vs_baseline",
                                           "vs_previous"))]
        table = Table(title=title, title_justify="left")
        for i, (head, width) in enumerate(zip(heads, _fit(heads, body, console.width))):
            table.add_column(head, justify="left" if i < 2 else "right", width=width)
        for row in body:
            table.add_row(*row)
        console.print(table)
    if history.migration:
        render_migration(history.migration, console, lang)


def _matrix_axes(migration: dict[str, Any]) -> tuple[list[str], list[str]]:
    from custfocus.segment.tiers import SEGMENTS

    matrix = migration["matrix"]
    seen_to = {b for row in matrix.values() for b in row}
    rows = [s for s in (*SEGMENTS, NEW) if s in matrix] + sorted(
        set(matrix) - {*SEGMENTS, NEW})
    cols = [s for s in (*SEGMENTS, GONE) if s in seen_to] + sorted(
        seen_to - {*SEGMENTS, GONE})
    return rows, cols


def render_migration(migration: dict[str, Any], console: Console, lang: str) -> None:
    rows, cols = _matrix_axes(migration)
    body = []
    for r in rows:
        cells = []
        for c in cols:
            n = migration["matrix"][r].get(c, 0)
            cells.append(("[bold]" if r != c and n else "") + fmt_int(n, lang) if n else "·")
        body.append([seg_label(r, lang), *cells])
    heads = [text("from_to", lang), *(seg_label(c, lang) for c in cols)]
    # No outer border: six segment names fit 80 columns in Portuguese too.
    table = Table(title=migration_title(migration, lang), title_justify="left",
                  show_edge=False, pad_edge=False)
    for i, (head, width) in enumerate(zip(heads, _fit(heads, body, console.width, False))):
        table.add_column(head, justify="right" if i else "left", width=width)
    for row in body:
        table.add_row(*row)
    console.print(table)


# -- HTML -------------------------------------------------------------------------------
def line_chart(values: list[float | None], runs: list[dict[str, Any]], kind: str, lang: str,
               baseline: int | None, width: int = 260, height: int = 120) -> str:
    """A small SVG line of one KPI over runs, with its value axis (low and high) and the
    dates of the first and last run; the baseline run is marked with a ring."""
    from custfocus.report.html import svg_open, text_width

    bounds = visible_range(values, kind)
    out = [svg_open(width, height, 10)]
    if bounds is None:
        out.append("</svg>")
        return "".join(out)
    lo, hi = bounds
    ticks = [fmt_kpi(kind, hi, lang), fmt_kpi(kind, lo, lang)]
    left = max(text_width(t, 10) for t in ticks) + 8
    right, top, bottom = 10, 10, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(values) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + plot_w * (i / n if len(values) > 1 else 0.5)
        return x, top + plot_h * (1 - (v - lo) / (hi - lo))

    axis = "#99a1ad"
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{axis}"/>'
               f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
               f'stroke="{axis}"/>')
    for tick, y in zip(ticks, (top, top + plot_h)):
        out.append(f'<text x="{left - 4}" y="{y + 3}" text-anchor="end" fill="#556">'
                   f"{escape(tick)}</text>")
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    coords = [xy(i, v) for i, v in points]
    out.append('<polyline fill="none" stroke="#3b6fb6" stroke-width="2" points="'
               + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords) + '"/>')
    for (i, v), (x, y) in zip(points, coords):
        ring = runs[i]["run_id"] == baseline
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{5 if ring else 3}" '
                   f'fill="{"#fff" if ring else "#3b6fb6"}" stroke="#3b6fb6" '
                   f'stroke-width="2"><title>{escape(_run_label(runs[i], lang))}: '
                   f'{escape(fmt_kpi(kind, v, lang))}</title></circle>')
    date_y = height - 8
    if len(runs) > 1:
        out.append(f'<text x="{left}" y="{date_y}">{escape(_run_label(runs[0], lang))}</text>'
                   f'<text x="{width - right}" y="{date_y}" text-anchor="end">'
                   f"{escape(_run_label(runs[-1], lang))}</text>")
    else:
        out.append(f'<text x="{left + plot_w / 2:.0f}" y="{date_y}" text-anchor="middle">'
                   f"{escape(_run_label(runs[0], lang))}</text>")
    out.append("</svg>")
    return "".join(out)


def _run_label(run: dict[str, Any], lang: str) -> str:
    """``#3 · 30/06/2024``: the run and the date its data runs to."""
    return f"#{run['run_id']} · {fmt_date(run['as_of'], lang)}"


def history_html(history: History, lang: str) -> str:
    """The trends section: one chart per KPI, the comparison table, the migration matrix."""
    parts = [f'<section id="trends" style="--c:#3b6fb6"><h2>{escape(text("trends", lang))}</h2>']
    if not history.runs:
        parts.append(f"<p>{escape(text('no_runs', lang))}</p></section>")
        return "".join(parts)
    parts.append('<div class="charts">')
    for t in history.kpis:
        latest = fmt_kpi(t["kind"], t["latest"], lang)
        parts.append(f'<figure class="chart kpi" data-kpi="{t["key"]}"><figcaption><b>'
                     f'{escape(text(t["key"], lang))}</b>: {escape(latest)}</figcaption>'
                     f'{line_chart(t["values"], history.runs, t["kind"], lang, history.baseline)}'
                     "</figure>")
    parts.append("</div>")
    heads = ["kpi", "baseline", "previous", "latest", "vs_baseline", "vs_previous"]
    parts.append('<div class="scroll"><table><thead><tr>'
                 + "".join(f"<th>{escape(text(h, lang))}</th>" for h in heads)
                 + "</tr></thead><tbody>")
    for t in [*history.kpis, *history.segments]:
        name = text(t["key"], lang) if t["key"] in TEXTS else seg_label(t["key"], lang)
        cells = [fmt_kpi(t["kind"], t[k], lang) for k in ("baseline", "previous", "latest")]
        cells += [fmt_kpi(t["kind"], t[k], lang, signed=True)
                  for k in ("change_vs_baseline", "change_vs_previous")]
        parts.append(f"<tr><td>{escape(name)}</td>"
                     + "".join(f"<td class=n>{escape(c)}</td>" for c in cells) + "</tr>")
    parts.append("</tbody></table></div>")
    if history.migration:
        parts.append(migration_html(history.migration, lang))
    parts.append("</section>")
    return "".join(parts)


def migration_html(migration: dict[str, Any], lang: str) -> str:
    rows, cols = _matrix_axes(migration)
    out = [f'<h3>{escape(migration_title(migration, lang))}</h3><div class="scroll">'
           f'<table class="migration"><thead><tr><th>{escape(text("from_to", lang))}</th>']
    out += [f"<th>{escape(seg_label(c, lang))}</th>" for c in cols]
    out.append("</tr></thead><tbody>")
    for r in rows:
        out.append(f"<tr><td>{escape(seg_label(r, lang))}</td>")
        for c in cols:
            n = migration["matrix"][r].get(c, 0)
            style = ' style="background:#fde9d9"' if n and r != c else ""
            out.append(f"<td class=n{style}>{escape(fmt_int(n, lang))}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def segments_html(summary: dict[str, Any] | None, lang: str) -> str:
    """Segment sizes as bars, from the latest segment run's summary."""
    from custfocus.report.html import bar_chart
    from custfocus.segment._texts import action_text

    parts = [f'<section id="segments" style="--c:#6a4fb6"><h2>{escape(text("segments", lang))}'
             "</h2>"]
    if not summary:
        parts.append(f"<p>{escape(text('no_runs', lang))}</p></section>")
        return "".join(parts)
    segs = summary.get("segments", [])
    parts.append(bar_chart([(segment_name(s["key"], lang), float(s["share"])) for s in segs],
                           lang, width=560))
    parts.append(f"<div class=\"scroll\"><table><thead><tr><th>{escape(text('segment', lang))}</th>"
                 f"<th>{escape(text('customers', lang))}</th><th></th></tr></thead><tbody>")
    for s in segs:
        parts.append(f"<tr><td>{escape(segment_name(s['key'], lang))}</td><td class=n>"
                     f"{escape(fmt_int(s['customers'], lang))}</td>"
                     f"<td>{escape(action_text(s['key'], lang))}</td></tr>")
    parts.append("</tbody></table></div></section>")
    return "".join(parts)


def full_report_html(audit: Any, segments: dict[str, Any] | None, history: History,
                     lang: str) -> str:
    """One self-contained page: trends and segments first, then the eight audit questions."""
    from custfocus.report.html import audit_html

    page = audit_html(audit)
    title = escape(text("report_title", lang))
    page = page.replace("<main>", f"<main><p class=\"muted\">{title}</p>", 1)
    marker = '<table class="summary">'
    extra = history_html(history, lang) + segments_html(segments, lang)
    if marker in page:
        return page.replace(marker, extra + marker, 1)
    return page.replace("</main>", extra + "</main>", 1)


def render_run(result: Any, console: Console, lang: str = "en") -> None:
    """The few lines ``custfocus run`` prints: what changed and the KPIs that moved."""
    from custfocus.pipeline.snapshot import KPIS

    changed = ", ".join(result.imported) or "-"
    console.print(message("run_summary", lang, run=text("run", lang), run_id=result.run_id,
                          as_of=fmt_date(result.as_of, lang), imported=changed,
                          unchanged=fmt_int(len(result.unchanged), lang),
                          dedupe=message(result.dedupe, lang),
                          segment=message(result.segment, lang),
                          seconds=fmt_float(result.seconds, lang, 1)))
    table = Table(title=text("trends", lang), title_justify="left")
    table.add_column(text("kpi", lang))
    table.add_column(text("latest", lang), justify="right")
    table.add_column(text("vs_previous", lang), justify="right")
    previous = result.previous_kpis or {}
    for key, (kind, better) in KPIS.items():
        value, before = result.kpis.get(key), previous.get(key)
        change = None if value is None or before is None else value - before
        cell = fmt_kpi(kind, change, lang, signed=True) if previous else ""
        colour = _colour({"better": better}, change)
        table.add_row(text(key, lang), fmt_kpi(kind, value, lang),
                      f"[{colour}]{cell}[/]" if colour else cell)
    console.print(table)
    for path in result.outputs:
        console.print(f"[dim]{message('wrote', lang, path=path)}[/]")
