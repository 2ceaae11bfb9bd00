"""The HTML trace report renders in a real browser (Debian chromium, driven by Playwright) with no
network: its tables and graph are there and a screenshot is taken."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

from hotpursuit.trace.report import TraceReport
from hotpursuit.trace.report_render import render_html

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


ETH = 10**18
USDT = "0xdac17f958d2ee523a2206206994597c13d831ec7"


def _report() -> TraceReport:
    thief, layer, deposit = "0x" + "11" * 20, "0x" + "22" * 20, "0x" + "33" * 20
    report = TraceReport("drill-heist", "haircut", 6, 0, "ab" * 32, stolen={"ETH": str(100 * ETH)})
    report.flows = [{"chain": "anvil", "from": thief, "to": layer, "asset": "ETH", "tx": "0x" + "aa" * 32,
                     "tainted": str(100 * ETH)},
                    {"chain": "anvil", "from": thief, "to": layer, "asset": USDT, "tx": "0x" + "ab" * 32,
                     "tainted": "5000000"},
                    {"chain": "anvil", "from": layer, "to": deposit, "asset": "ETH", "tx": "0x" + "bb" * 32,
                     "tainted": str(60 * ETH)}]
    report.endpoints = [{"chain": "anvil", "address": deposit, "asset": "ETH", "kind": "exchange",
                         "owner": "Hanbit Exchange", "freezer": "Hanbit Exchange", "tainted": str(60 * ETH),
                         "exposure": "0", "since_block": 9, "evidence": ["0x" + "bb" * 32]}]
    report.held = [{"chain": "anvil", "address": layer, "asset": "ETH", "tainted": str(40 * ETH), "freezer": None}]
    report.totals = {"ETH": {"stolen": str(100 * ETH), "at_endpoints": str(60 * ETH), "held": str(40 * ETH),
                             "burned": "0"}}
    report.assets = {"ETH": {"symbol": "ETH", "decimals": 18}, USDT: {"symbol": "USDT", "decimals": 6}}
    return report


def test_report_renders_offline_in_chromium(tmp_path: Path) -> None:
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(_report()), encoding="utf-8")
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_file.as_uri())
        assert page.title() == "Trace drill-heist"
        assert page.locator("svg rect").count() == 3
        assert page.locator("text=Hanbit Exchange").count() >= 1
        # amounts read in the asset's units, the base units a hover away; an edge sums each asset apart
        cell = page.locator("td", has_text="60 ETH").first
        assert cell.get_attribute("title") == "60,000,000,000,000,000,000 base units"
        assert page.locator("svg text", has_text="5 USDT, 100 ETH").count() == 1
        assert page.locator("svg").bounding_box() is not None
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert requests == [page_file.as_uri()]  # nothing but the file itself: no network
    assert shot.stat().st_size > 10_000


def test_addresses_link_to_the_chain_s_explorer_where_it_has_one() -> None:
    report = _report()
    assert "<a href=" not in render_html(report)  # anvil has no explorer
    for row in [*report.endpoints, *report.held]:
        row["chain"] = "ethereum"
    page = render_html(report)
    assert f'<a href="https://etherscan.io/address/{"0x" + "33" * 20}">' in page
    assert page == render_html(report)  # the same report, the same bytes


def test_blocks_read_with_their_utc_time() -> None:
    report = _report()
    assert "<td>block 9</td>" in render_html(report)  # a block the store holds no time for
    report.block_times = {"anvil:9": 1740147215}
    assert "<td>block 9 (2025-02-21 14:13:35 UTC)</td>" in render_html(report)
