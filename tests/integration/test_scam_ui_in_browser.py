"""Victims' reports and a scam case in a real browser (Debian chromium through Playwright) against a real
server: the agency files a victim's report through the form (in Korean), sees it listed with the victim's
words, builds a case from its reports whose payments the store holds, and reads the case: the collector
ranked first, amounts in human units, per victim where the money is; the incident's board links the case;
axe-core finds no accessibility violation on the pages; the reports page reads in Korean."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, sync_playwright

from hotpursuit.api.app import create_app
from hotpursuit.api.background import serve_in_thread
from hotpursuit.store import Store
from hotpursuit.store.org_tables import add_org, create_key
from hotpursuit.store.victim_report_tables import save_reports
from hotpursuit.victim_reports.model import check_report
from tests.security.test_report_pages import COLLECTOR, DEPOSITS, RING_TXS, UNREPORTED, insert_ring

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
WORDS = "텔레그램에서 소개받은 거래소에 1 ETH를 입금했는데 출금이 막혔습니다"


def _accessible(page: Page) -> None:
    violations = Axe().run(page)
    assert violations.violations_count == 0, violations.generate_report()


def test_file_a_report_build_the_case_and_read_it(tmp_path: Path) -> None:
    shots = Path(os.environ.get("HP_SCREENSHOTS", str(tmp_path)))
    shots.mkdir(parents=True, exist_ok=True)
    with Store.open(tmp_path / "scam-ui.duckdb") as store:
        add_org(store, "kr-police", "Korean National Police Agency", "agency", "KR", "task-force")
        police = create_key(store, "kr-police", ["screen", "read", "write", "incident"], 1)[1]
        insert_ring(store)
        earlier = [check_report({"reference": f"VR-000{i + 1}", "chain": "ethereum", "tx_hashes": [RING_TXS[i]],
                                 "amount": amount, "asset": "ETH", "paid_to": DEPOSITS[1],
                                 "website": "hanbit-pro.exchange", "victim": {"name": name}})
                   for i, amount, name in ((1, "2", "Park Ji-hoon"), (2, "0.5", "이서연"))]
        save_reports(store, "kr-police", earlier, at=dt.datetime.now(dt.UTC))
        with serve_in_thread(create_app(store)) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/ui/login")
            page.fill("#key", police)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/ui/incidents")
            page.click("header nav a[href='/ui/reports']")
            page.wait_for_url(f"{base}/ui/reports")
            assert page.locator("td", has_text="Park Ji-hoon").count() == 1

            page.fill("#r-reference", "VR-0001")
            page.fill("#r-paid_at", "2026-03-02T14:05+09:00")
            page.fill("#r-amount", "1")
            page.fill("#r-asset", "ETH")
            page.fill("#r-tx_hashes", RING_TXS[0])
            page.fill("#r-paid_to", DEPOSITS[0])
            page.fill("#r-website", "https://hanbit-pr0.exchange/login")
            page.fill("#r-victim_name", "김민지")
            page.fill("#r-victim_contact", "010-2345-6789")
            page.fill("#r-text", WORDS)
            assert page.locator("#r-tlp").input_value() == "RED"  # a victim's report is RED unless marked otherwise
            page.click("form[action='/ui/reports'] button[type=submit]")
            page.wait_for_url(f"{base}/ui/reports#vr-*")
            row = page.locator("tbody tr", has_text="VR-0001")
            assert row.locator("td", has_text="김민지").count() == 1
            row.locator("summary").click()
            assert row.locator("p[lang=ko]").inner_text() == WORDS  # the language found from the Hangul
            _accessible(page)
            page.screenshot(path=str(shots / "reports.png"), full_page=True)

            page.fill("#c-name", "Hanbit Pro fake exchange")
            page.click("#build-case button[type=submit]")
            page.wait_for_url(f"{base}/ui/cases/hanbit-pro-fake-exchange-*")
            first = page.locator("#collectors tbody tr").first
            assert first.locator("td").nth(0).inner_text() == "1"
            assert first.locator("td").nth(1).inner_text() == COLLECTOR  # the collector ranked first
            assert first.locator("td").nth(3).inner_text() == "3"  # all three victims' money met there
            assert first.locator("td").nth(4).inner_text() == "3.5 ETH"
            victims = page.locator("#victims ~ table").first
            assert victims.locator("tr", has_text="김민지").locator("td", has_text="held by").inner_text() \
                == f"1 ETH held by {COLLECTOR}"
            assert page.locator("a", has_text=UNREPORTED).count() == 1  # a likely further victim
            _accessible(page)
            page.screenshot(path=str(shots / "case.png"), full_page=True)

            case_url = page.url
            page.click("a:has-text(\"The incident's board\")")
            page.wait_for_selector(".case-link a")  # loaded by htmx: the board links its case
            page.click(".case-link a")
            page.wait_for_url(case_url)

            page.goto(f"{base}/ui/language/ko?next=/ui/reports")
            page.wait_for_url(f"{base}/ui/reports")
            assert page.locator("html").get_attribute("lang") == "ko"
            assert page.locator("h1").inner_text() == "피해 신고"
            _accessible(page)
            browser.close()
