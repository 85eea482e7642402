"""The pages of ``custfocus serve`` in a real browser: headless Chromium (Debian's package,
driven by Playwright) against a real server process over the examples store.

Search box -> candidates -> the customer's page (warnings first), the review queue driven by
its keyboard shortcuts (decisions land in the store as constraints), a name that is a
script shown as text, forms without their CSRF token refused, and no page wider than a
1280 px window."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("uvicorn")

from _live import EVIL, EVIL_EMAIL, live_server  # noqa: E402
from custfocus.store import Store  # noqa: E402

# Measured in the page: the document fits the window, and every table fits its container.
OVERFLOW = """() => {
  const wide = [...document.querySelectorAll('table')].filter(
    t => t.getBoundingClientRect().right > t.parentElement.getBoundingClientRect().right + 1);
  return {page: document.scrollingElement.scrollWidth, window: window.innerWidth,
          tables: wide.length};
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory, serve_store):
    db = tmp_path_factory.mktemp("pages") / "s.duckdb"
    shutil.copy(serve_store, db)
    with live_server(db) as url:
        yield url, db


def _with_open_ticket(db) -> tuple[str, str]:
    with Store(db, read_only=True) as store:
        (cid, name), = store.execute(
            "SELECT c.customer_id, c.full_name FROM customers c WHERE c.full_name IS NOT NULL "
            "AND c.customer_id IN (SELECT rc.customer_id FROM facts f JOIN record_customer rc "
            "USING (record_id) WHERE f.kind = 'ticket' AND lower(f.status) = 'abierto') "
            "ORDER BY c.customer_id LIMIT 1").fetchall()
    return cid, name


def _fits(page) -> None:
    found = page.evaluate(OVERFLOW)
    assert found["page"] <= found["window"] and found["tables"] == 0, (page.url, found)


def test_search_box_to_the_customer_page(site, page):
    url, db = site
    cid, name = _with_open_ticket(db)
    page.goto(url)
    page.fill("input[name=q]", name)
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=*")
    link = page.locator(f"table a[href='/customers/{cid}']")
    assert link.count() == 1, page.content()[:2000]
    _fits(page)
    link.click()
    page.wait_for_url(f"**/customers/{cid}")
    assert name in page.locator("h1").inner_text()
    text = page.locator("body").inner_text()
    # Warnings come before everything else the page says about the customer.
    assert 0 <= text.index("open ticket") < text.index("Golden record") \
        < text.index("Source records") < text.index("Timeline")
    assert page.locator("h2 + table").count() >= 3  # golden record, sources, timeline
    _fits(page)


def test_an_exact_identifier_opens_the_card_and_a_script_is_only_text(site, page):
    url, _ = site
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.fill("input[name=q]", EVIL_EMAIL.upper())
    page.keyboard.press("Enter")
    page.wait_for_url("**/customers/C*")
    assert EVIL in page.locator("h1").inner_text()
    assert page.locator("body script").count() == 0  # the card page runs no script at all
    page.goto(f"{url}/?q={EVIL} Mallory")
    assert EVIL in page.locator("table").inner_text()
    _fits(page)
    assert dialogs == []


def test_the_review_queue_by_keyboard_writes_constraints(site, page):
    url, db = site
    page.goto(f"{url}/review")
    _fits(page)

    def first_pair() -> tuple:
        form = page.locator("form#first")
        return tuple(form.locator(f"input[name={k}]").get_attribute("value")
                     for k in ("source_a", "row_a", "source_b", "row_b"))

    same = first_pair()
    page.keyboard.press("s")
    page.wait_for_url("**stored=same")
    different = first_pair()
    assert different != same
    page.keyboard.press("d")
    page.wait_for_url("**stored=different")
    skipped = first_pair()
    page.keyboard.press("k")
    page.wait_for_url("**offset=1")
    assert first_pair() != skipped
    with Store(db, read_only=True) as store:
        stored = store.execute(
            "SELECT source_a, CAST(row_a AS VARCHAR), source_b, CAST(row_b AS VARCHAR), "
            "decision, origin FROM match_constraints ORDER BY decision DESC").fetchall()
    assert stored == [(*same, "same", "browser"), (*different, "different", "browser")]


def test_a_form_without_its_csrf_token_is_refused(site, page):
    url, db = site
    page.goto(f"{url}/review")
    fields = {k: page.locator(f"form#first input[name={k}]").get_attribute("value")
              for k in ("source_a", "row_a", "source_b", "row_b")}
    with Store(db, read_only=True) as store:
        before = store.query_value("SELECT count(*) FROM match_constraints")
    # As another site's page would post it: same fields, no token, then a forged one.
    for token in ({}, {"csrf": "forged"}):
        res = page.request.post(f"{url}/review", form={**fields, **token, "decision": "same"},
                                max_redirects=0)
        assert res.status == 403
    with Store(db, read_only=True) as store:
        assert store.query_value("SELECT count(*) FROM match_constraints") == before
