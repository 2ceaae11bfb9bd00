"""The web UI in a real browser (Debian chromium through Playwright) against a real server: sign in
with a key, the incidents page, an incident's board in human units, the board following a freeze
answer live over Server-Sent Events, the search box opening an address page, and axe-core finding no
accessibility violation on any of them."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import httpx
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from hotpursuit.api.app import create_app
from hotpursuit.api.background import serve_in_thread
from hotpursuit.store import Store
from hotpursuit.store.interdiction_tables import NewRequest, record_requests
from hotpursuit.store.org_tables import add_org, create_key

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
ETH = 10**18


def test_sign_in_incidents_and_a_board_that_follows_a_freeze_live(tmp_path: Path) -> None:
    shots = Path(os.environ.get("HP_SCREENSHOTS", str(tmp_path)))  # kept for the closing note when set
    shots.mkdir(parents=True, exist_ok=True)
    with Store.open(tmp_path / "ui.duckdb") as store:
        add_org(store, "kr-nis", "National Intelligence Service", "agency", "KR", "task-force")
        add_org(store, "ex-hanbit", "Hanbit Exchange", "exchange", "KR", "task-force")
        agency = create_key(store, "kr-nis", ["screen", "read", "write", "incident"], 1)[1]
        exchange = create_key(store, "ex-hanbit", ["read", "write"], 1)[1]
        add_org(store, "kr-spo", "Supreme Prosecutors' Office", "agency", "KR", "task-force")
        prosecutor = create_key(store, "kr-spo", ["read"], 1)[1]
        store.execute("""INSERT INTO incidents (id, name, chain, tlp, owner_org)
                         VALUES ('bybit-2025', 'Bybit cold wallet', 'ethereum', 'AMBER', 'kr-nis')""")
        record_requests(store, [NewRequest(
            "fr-1", "bybit-2025", "ex-hanbit", "ethereum", "0x" + "d1" * 20, "ETH", 7 * ETH, 1, "0x" + "b0" * 32,
            json.dumps([]), "kr-nis", dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=1), b"{}")])
        with serve_in_thread(create_app(store)) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1100, "height": 800})
            page.goto(f"{base}/ui/incidents")
            assert page.url.endswith("/ui/login")
            page.fill("#key", agency)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/ui/incidents")
            assert page.locator("td", has_text="Bybit cold wallet").count() == 1
            violations = Axe().run(page)
            assert violations.violations_count == 0, violations.generate_report()

            page.click("a[href='/ui/incidents/bybit-2025']")
            page.wait_for_url(f"{base}/ui/incidents/bybit-2025")
            orgs = page.locator("#board table").nth(1)  # per organisation; the first table is per asset
            assert orgs.locator("td", has_text="7 ETH").count() == 1  # requested, in human units
            assert orgs.locator("td", has_text="0 ETH").count() == 1  # nothing frozen yet
            assert orgs.locator("td", has_text="not answered yet").count() == 1
            violations = Axe().run(page)
            assert violations.violations_count == 0, violations.generate_report()

            answered = httpx.post(f"{base}/v1/freeze-requests/fr-1/answer", headers={"X-API-Key": exchange},
                                  json={"status": "accepted", "amount_frozen": str(7 * ETH)})
            assert answered.status_code == 200, answered.text
            page.wait_for_selector("#board:not([data-updates='0'])", timeout=15_000)  # an SSE update came
            orgs = page.locator("#board table").nth(1)
            assert orgs.locator("td", has_text="7 ETH").count() == 2  # requested and now frozen
            assert orgs.locator("td", has_text="1 of 1").count() == 1
            assert re.fullmatch(r"[\d.]+ s", orgs.locator("td").nth(5).inner_text())  # the response time
            assert page.locator("#board table").nth(0).locator("td", has_text="7 ETH").count() == 2
            page.screenshot(path=str(shots / "board.png"), full_page=True)

            page.fill("#q", "0x" + "D1" * 20)  # the search box: an address, in any case, opens its page
            page.press("#q", "Enter")
            page.wait_for_url(f"{base}/ui/addresses/ethereum/{'0x' + 'D1' * 20}")
            assert page.locator("code", has_text="0x" + "d1" * 20).count() == 1
            assert page.locator("a", has_text="on the explorer").get_attribute("href") == \
                "https://etherscan.io/address/0x" + "d1" * 20
            page.wait_for_selector("section.annotations form")  # the notes panel, loaded by htmx
            for note, tlp in (("Cash-out wallet seen by the task force", "AMBER"), ("Source: informant 7", "RED")):
                page.fill("section.annotations textarea", note)
                page.fill("section.annotations input[name=tags]", "cash-out")
                page.select_option("section.annotations select", tlp)
                page.click("section.annotations button[type=submit]")
                page.wait_for_selector(f"section.annotations li:has-text('{note}')")  # swapped in place
            assert page.url.endswith("0x" + "D1" * 20)  # no navigation: htmx posted the form
            violations = Axe().run(page)
            assert violations.violations_count == 0, violations.generate_report()
            page.screenshot(path=str(shots / "address.png"), full_page=True)
            page.goto(f"{base}/ui/screening")  # a pasted batch: one bad line, named; the good ones screened
            page.fill("#batch", "0x" + "d1" * 20 + "\nnot-an-address\n" + "0x" + "d2" * 20)
            page.click("#batch ~ button[type=submit], form:has(#batch) button[type=submit] >> nth=-1")
            page.wait_for_selector("text=not-an-address")
            assert page.locator("a[href='/ui/addresses/ethereum/0x" + "d2" * 20 + "']").count() == 1
            violations = Axe().run(page)
            assert violations.violations_count == 0, violations.generate_report()
            page.goto(f"{base}/ui/freeze-requests")
            page.click("a[href='/ui/freeze-requests/fr-1']")
            page.wait_for_url(f"{base}/ui/freeze-requests/fr-1")
            assert page.locator("text=7 ETH").count() >= 1
            violations = Axe().run(page)
            assert violations.violations_count == 0, violations.generate_report()
            page.screenshot(path=str(shots / "freeze-request.png"), full_page=True)
            assert page.locator("text=has no webhook configured").count() >= 1  # the requester reads the error
            spo = browser.new_context().new_page()  # a partner on the incident, neither asking nor asked
            spo.goto(f"{base}/ui/login")
            spo.fill("#key", prosecutor)
            spo.click("button[type=submit]")
            spo.wait_for_url(f"{base}/ui/incidents")
            spo.goto(f"{base}/ui/freeze-requests/fr-1")
            assert spo.locator("text=7 ETH").count() >= 1 and spo.locator("text=no webhook").count() == 0
            spo.close()
            partner = browser.new_context().new_page()  # the exchange, in the task force's sharing group
            partner.goto(f"{base}/ui/login")
            partner.fill("#key", exchange)
            partner.click("button[type=submit]")
            partner.wait_for_url(f"{base}/ui/incidents")
            partner.goto(f"{base}/ui/addresses/ethereum/{'0x' + 'd1' * 20}")
            partner.wait_for_selector("section.annotations")
            notes = partner.locator("section.annotations").inner_text()
            assert "Cash-out wallet seen by the task force" in notes  # AMBER: the sharing group sees it
            assert "informant" not in notes  # RED: the author's organisation only
            partner.close()

            korean = browser.new_context().new_page()  # the language switch, kept for the session's pages
            korean.goto(f"{base}/ui/login")
            korean.click("header a[hreflang=ko]")
            assert korean.locator("html").get_attribute("lang") == "ko"
            assert korean.locator("h1").inner_text() == "로그인"
            korean.fill("#key", agency)
            korean.click("button[type=submit]")
            korean.wait_for_url(f"{base}/ui/incidents")
            korean.click("a[href='/ui/incidents/bybit-2025']")
            assert korean.locator("h2", has_text="도난 자금 현황").count() == 1
            assert korean.locator("a", has_text="자금 흐름 그래프").count() == 1
            violations = Axe().run(korean)
            assert violations.violations_count == 0, violations.generate_report()
            korean.screenshot(path=str(shots / "board-ko.png"), full_page=True)
            korean.close()
            page.close()
            browser.close()
    assert (shots / "board.png").stat().st_size > 5_000
