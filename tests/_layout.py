"""What "nothing clipped" means for a page in a 1280 px browser, as one JavaScript check.

Used by the page tests through the ``page`` fixture (tests/conftest.py): a table wider than
its card must sit in a container that scrolls on purpose (``overflow-x: auto``), no text may
be hidden by ``overflow: hidden``/ellipsis, every chart label must lie inside its chart, and
the page itself must not be wider than the window.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

WIDTH = 1280

CLIPPED = """
() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) problems.push(`page is ${doc.scrollWidth}px wide`);
  const scrolls = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === 'auto' || x === 'scroll') return true;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className : '');
  for (const el of document.querySelectorAll('table, svg')) {
    const box = el.parentElement;
    if (scrolls(el)) continue;
    if (el.getBoundingClientRect().right > box.getBoundingClientRect().right + 1)
      problems.push(`${name(el)} overflows ${name(box)} ` +
                    `(${Math.round(el.getBoundingClientRect().width)}px in ${box.clientWidth}px)`);
  }
  for (const el of document.querySelectorAll('body *')) {
    const s = getComputedStyle(el);
    const hides = s.overflowX === 'hidden' || s.overflow === 'hidden' || s.textOverflow === 'ellipsis';
    if (hides && el.scrollWidth > el.clientWidth + 1) problems.push(`${name(el)} clips its text`);
  }
  for (const svg of document.querySelectorAll('svg')) {
    const b = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (r.width && (r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 ||
                      r.bottom > b.bottom + 1))
        problems.push(`chart label "${t.textContent}" is cut by its chart`);
    }
  }
  return problems;
}
"""


def clipped(page: Any, html: Path, screenshot: Path) -> list[str]:
    """Open ``html`` in ``page``, save a full-page screenshot, return what is clipped."""
    page.goto(html.as_uri())
    page.screenshot(path=str(screenshot), full_page=True)
    return page.evaluate(CLIPPED)
