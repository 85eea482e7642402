"""The audit as one self-contained HTML page with inline SVG charts.

Why no JavaScript, CDN or external CSS: the page is mailed to a manager and opened from the
attachment, often offline or behind a proxy; inline CSS and SVG render everywhere, print
well and cannot leak who opened it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from custfocus.audit._texts import column_label, fmt_value, label
from custfocus.audit.model import AuditReport
from custfocus.audit.thresholds import ThresholdResult
from custfocus.i18n import fmt_date, fmt_int, fmt_pct

COLOURS = {"green": "#2e7d32", "amber": "#ef8f00", "red": "#c62828"}
_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:0;
 color:#1d2430;background:#f6f7f9}
main{max-width:1040px;margin:0 auto;padding:24px}
h1{margin:0 0 4px}h2{margin:0 0 8px;font-size:1.25em}h3{font-size:1em;margin:16px 0 6px}
section{background:#fff;border-radius:8px;padding:16px 20px;margin:16px 0;
 box-shadow:0 1px 3px rgba(0,0,0,.08);border-left:6px solid var(--c)}
.badge{display:inline-block;color:#fff;background:var(--c);border-radius:10px;
 padding:1px 10px;font-size:.85em;margin-right:8px}
.answer{font-size:1.05em}.rec{background:#f1f4f8;padding:8px 12px;border-radius:6px}
table{border-collapse:collapse;margin:6px 0;font-size:.88em}
.scroll{overflow-x:auto;max-width:100%}
svg{max-width:100%;height:auto}figure{margin:0}
td,th{padding:3px 8px;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.list{min-width:18em}h3::first-letter{text-transform:uppercase}
.chart .muted{font-size:.85em;margin:4px 0 0}
.charts{display:flex;flex-wrap:wrap;gap:16px}.chart{background:#fff;border-radius:8px;
 padding:12px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.summary td{border:none}.muted{color:#667}
"""
_TABLE_ROWS = 25
_LIST_COLUMNS = frozenset({"fields", "sources"})  # long comma lists: wide enough to read


def audit_html(report: AuditReport, thresholds: Sequence[ThresholdResult] = ()) -> str:
    """The full page as a string (UTF-8, no external resources)."""
    lang = report.lang
    title = escape(label("audit_title", lang))
    parts = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{title}</title><style>{_CSS}</style></head><body><main>",
        f'<h1>{title}</h1><p class="muted">{escape(label("as_of", lang))} '
        f"{escape(fmt_date(report.as_of, lang))}</p>",
    ]
    if not report.matched:
        parts.append(f"<p><b>{escape(label('not_matched', lang))}</b></p>")
    parts.append('<table class="summary">')
    for q in report.questions:
        parts.append(
            f'<tr style="--c:{COLOURS[q.status]}"><td><span class="badge">'
            f'{escape(label(q.status, lang))}</span></td><td><a href="#{q.id}">'
            f"{q.id.upper()}. {escape(q.title)}</a></td></tr>"
        )
    parts.append("</table>")
    charts = report.charts
    parts.append('<div class="charts">')
    held = {k: float(v) for k, v in charts["completeness"].items() if v}
    absent = [label(k, lang) for k, v in charts["completeness"].items() if not v]
    note = (f'<p class="muted">{escape(label("fields_absent", lang).format(fields=", ".join(absent)))}'
            "</p>" if absent else "")
    parts.append(
        _chart(
            label("chart_completeness", lang),
            bar_chart([(label(k, lang), v) for k, v in held.items()], lang) + note,
        )
    )
    parts.append(
        _chart(label("chart_freshness", lang), histogram(list(charts["freshness"].items()), lang))
    )
    ov = charts["overlap"]
    parts.append(_chart(label("chart_overlap", lang), heatmap(ov["sources"], ov["matrix"], lang)))
    parts.append("</div>")
    for q in report.questions:
        parts.append(
            f'<section id="{q.id}" style="--c:{COLOURS[q.status]}">'
            f"<h2>{q.id.upper()}. {escape(q.title)}</h2>"
            f'<p class="answer"><span class="badge">'
            f"{escape(label(q.status, lang))}</span>{escape(q.answer)}</p>"
        )
        parts.append(
            _table(
                [
                    {"": label(k, lang), " ": fmt_value(k, q.figures.get(k), lang)}
                    for k in q.headline
                ],
                lang,
                raw=True,
            )
        )
        for name, rows in {**q.tables, **q.details}.items():
            if rows:
                parts.append(f"<h3>{escape(label(name, lang))}</h3>{_table(rows, lang)}")
        parts.append(
            f'<p class="rec"><b>{escape(label("recommendation", lang))}:</b> '
            f"{escape(q.recommendation)}</p></section>"
        )
    if thresholds:
        parts.append(f'<section style="--c:#555"><h2>{escape(label("thresholds", lang))}</h2>')
        parts.append(
            _table(
                [
                    {
                        "rule": t.threshold.text,
                        "value": fmt_value(t.threshold.metric, t.actual, lang),
                        "status": label("breached" if t.breached else "ok", lang),
                    }
                    for t in thresholds
                ],
                lang,
                raw=True,
            )
        )
        parts.append("</section>")
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _chart(title: str, svg: str) -> str:
    return f'<figure class="chart"><figcaption><b>{escape(title)}</b></figcaption>{svg}</figure>'


def _table(rows: list[dict[str, Any]], lang: str, raw: bool = False) -> str:
    cols = list(rows[0].keys())
    head = "".join(f"<th>{escape(column_label(c, lang) if c.strip() else '')}</th>" for c in cols)
    body = []
    for row in rows[:_TABLE_ROWS]:
        cells = []
        for c in cols:
            value = row.get(c)
            text = str(value) if raw else fmt_value(c, value, lang)
            numeric = isinstance(value, (int, float)) or (raw and c == " ")
            kind = " class=n" if numeric else " class=list" if c in _LIST_COLUMNS else ""
            cells.append(f"<td{kind}>{escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if len(rows) > _TABLE_ROWS:
        more = f'<p class="muted">{escape(label("more_rows", lang).format(n=len(rows) - _TABLE_ROWS))}</p>'
    # A wide table scrolls inside its card instead of pushing the page wider.
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>{more}")


# -- SVG charts --------------------------------------------------------------------------
def bar_chart(items: list[tuple[str, float]], lang: str, width: int = 460) -> str:
    """Horizontal bars for shares in 0..1, one per item; the label column fits the labels."""
    row = 22
    left = max(60, text_width(max((n for n, _ in items), key=len, default=""), 12) + 12)
    width = max(width, left + 200)
    height = row * len(items) + 10
    out = [svg_open(width, height, 12)]
    span = width - left - 60
    for i, (name, value) in enumerate(items):
        y = 5 + i * row
        w = max(0.0, min(1.0, value)) * span
        out.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">'
            f"{escape(name)}</text>"
            f'<rect x="{left}" y="{y + 2}" width="{span}" height="16" '
            f'fill="#eceff3"/><rect x="{left}" y="{y + 2}" width="{w:.1f}" '
            f'height="16" fill="#3b6fb6"/><text x="{left + span + 6}" '
            f'y="{y + 14}">{escape(fmt_pct(value, lang))}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def histogram(items: list[tuple[str, int]], lang: str, width: int = 420) -> str:
    """Vertical bars of counts, labelled underneath."""
    height, bottom, top = 220, 40, 20
    peak = max((v for _, v in items), default=0) or 1
    slot = (width - 20) / max(len(items), 1)
    out = [svg_open(width, height, 12)]
    for i, (name, value) in enumerate(items):
        h = (height - bottom - top) * value / peak
        x = 10 + i * slot
        y = height - bottom - h
        colour = "#c62828" if name in ("24-36", "36+") else "#3b6fb6"
        out.append(
            f'<rect x="{x + 6:.1f}" y="{y:.1f}" width="{slot - 12:.1f}" '
            f'height="{h:.1f}" fill="{colour}"/>'
            f'<text x="{x + slot / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">'
            f"{escape(fmt_int(value, lang))}</text>"
            f'<text x="{x + slot / 2:.1f}" y="{height - bottom + 16}" '
            f'text-anchor="middle">{escape(label(name, lang))}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def heatmap(names: list[str], matrix: dict[str, dict[str, int]], lang: str) -> str:
    """Square matrix of shared customers, darker for more; the diagonal is each source.

    The margins are measured from the longest source name, so no name is cut."""
    cell = 56
    n = len(names)
    longest = max((text_width(a, 11) for a in names), default=0)
    left = longest + 14
    # Column names are turned 40°: they rise sin(40°) and reach cos(40°) of their length.
    top = int(longest * 0.65) + 16
    width = max(left + cell * n + 10, left + int(cell * (n - 0.5) + longest * 0.77) + 10)
    height = top + cell * n + 10
    peak = max((matrix[a][b] for a in names for b in names if a != b), default=0) or 1
    out = [svg_open(width, height, 11)]
    for i, a in enumerate(names):
        out.append(
            f'<text x="{left - 6}" y="{top + i * cell + cell / 2 + 4}" '
            f'text-anchor="end">{escape(a)}</text>'
        )
        x = left + i * cell + cell / 2
        out.append(f'<text transform="translate({x:.0f},{top - 6}) rotate(-40)">{escape(a)}</text>')
        for j, b in enumerate(names):
            value = matrix[a][b]
            if a == b:
                fill, ink = "#d9dde3", "#1d2430"
            else:
                t = value / peak
                fill = f"rgb({int(235 - 180 * t)},{int(240 - 150 * t)},{int(250 - 90 * t)})"
                ink = "#fff" if t > 0.55 else "#1d2430"
            out.append(
                f'<rect x="{left + j * cell}" y="{top + i * cell}" width="{cell - 2}"'
                f' height="{cell - 2}" fill="{fill}"/><text x="{left + j * cell + cell / 2 - 1:.0f}"'
                f' y="{top + i * cell + cell / 2 + 4:.0f}" text-anchor="middle" '
                f'fill="{ink}">{escape(fmt_int(value, lang))}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def svg_open(width: int, height: int, font_size: int) -> str:
    """An ``<svg>`` that scales down with its card (``viewBox``) instead of overflowing it."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" font-size="{font_size}" '
            'font-family="sans-serif">')


def text_width(text: str, font_size: int) -> int:
    """A generous estimate of ``text``'s width in a sans-serif font (no font metrics offline:
    0.62 em per character covers the wide letters of names such as "MARKETING.CSV")."""
    return int(len(text) * font_size * 0.62) + 2
