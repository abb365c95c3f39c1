"""The dashboard end to end in a real headless browser (Debian's chromium, driven by Playwright).

A uvicorn server runs the app on a free loopback port in a thread; the page is loaded, an
assumption is changed (by typing and by the slider) and the chart and meeting date must change;
a model's derivation is opened; the scenario is downloaded and must parse as YAML.

Needs ``apt-get install chromium`` (``/usr/bin/chromium``) and the ``playwright`` Python package;
``playwright install`` is never run (it downloads a browser). Without chromium these tests skip
on a developer machine and FAIL in CI (``CI`` set), so a broken CI install cannot pass silently.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000


def _require_browser() -> None:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package")
    if missing:
        message = "browser tests need " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must install them")
        pytest.skip(message)


@pytest.fixture(scope="module")
def server():
    _require_browser()
    import uvicorn

    from flopcast.web.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the dashboard server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    requests: list[str] = []
    errors: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(server + "/")
    pg.wait_for_selector("body[data-ready='1']")
    yield pg
    outside = [u for u in requests if not u.startswith((server, "blob:", "data:"))]
    assert outside == [], f"the page fetched from outside the server: {outside}"
    # A 422 is the API refusing bad input on purpose (shown on the page); anything else is a bug.
    errors = [e for e in errors if "status of 422" not in e]
    assert errors == [], f"errors in the page: {errors}"
    context.close()


def _fan_state(pg) -> tuple[str, str]:
    return (pg.get_attribute("#fan-reasoning-median", "d"), pg.inner_text("#meeting-median"))


def _wait_change(pg, before: tuple[str, str]) -> tuple[str, str]:
    pg.wait_for_function(
        "([d, m]) => document.querySelector('#fan-reasoning-median')?.getAttribute('d') !== d"
        " && document.querySelector('#meeting-median').textContent !== m"
        " && document.querySelector('#status').className === 'ok'",
        arg=list(before),
    )
    return _fan_state(pg)


def test_page_loads_with_forecast_chart_and_models(page):
    path, median = _fan_state(page)
    assert path.startswith("M") and path.count("L") > 50  # a monthly line over the horizon
    assert len(median) == 10 and median[4] == "-"  # an ISO date
    assert page.locator("#histogram rect.bar").count() == 40
    assert "OOM" in page.inner_text("#headroom")
    assert page.locator("#model-table tbody tr").count() > 5
    assert page.inner_text("#data-version") not in ("", "…")


def test_typing_an_assumption_moves_the_chart_and_the_meeting_date(page):
    before = _fan_state(page)
    box = page.locator("#param-growth-months_per_10x")
    box.fill("6 to 8")
    box.press("Enter")
    box.blur()
    after = _wait_change(page, before)
    assert after[1] > before[1]  # slower growth: later meeting (ISO dates sort as text)


def test_the_slider_moves_the_meeting_date(page):
    before = _fan_state(page)
    slider = page.locator("#param-growth-months_per_10x-slider")
    slider.evaluate(
        "s => { s.value = s.min; s.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    after = _wait_change(page, before)
    assert after[1] < before[1]  # fewer months per 10x: earlier meeting
    assert page.input_value("#param-growth-months_per_10x") != "3 to 5"


def test_a_bad_assumption_shows_the_servers_error(page):
    box = page.locator("#param-growth-months_per_10x")
    box.fill("-3")
    box.press("Enter")
    page.wait_for_selector("#status.error")
    assert "growth.months_per_10x" in page.inner_text("#status")


def test_model_table_sorts_filters_and_opens_a_derivation(page):
    page.fill("#model-filter", "deepseek")
    names = page.locator("#model-table tbody tr td:first-child").all_inner_texts()
    assert names and all("deepseek" in n.lower() for n in names)
    page.fill("#model-filter", "")
    page.click("#model-table th[data-key='rl']")
    first = page.locator("#model-table tbody tr").first.get_attribute("data-id")
    page.click("#model-table th[data-key='rl']")  # again: descending
    assert page.locator("#model-table tbody tr").first.get_attribute("data-id") != first
    page.click("#model-table tbody tr[data-id='deepseek-r1'] a.model-link")
    page.wait_for_selector("#derivation .derivation[data-id='deepseek-r1']")
    rl = page.locator("#derivation .quantity[data-field='rl']")
    assert "FLOP" in rl.locator("h4").inner_text()
    assert rl.locator("li.line code").count() >= 1  # the expression of each line of evidence
    assert rl.locator("ul.sources a[href^='http']").count() >= 1


def test_downloading_the_scenario_gives_yaml_with_the_change(page):
    before = _fan_state(page)
    box = page.locator("#param-frontier-growth_per_year")
    box.fill("5")
    box.press("Enter")
    _wait_change(page, before)
    with page.expect_download() as info:
        page.click("#dl-yaml")
    download = info.value
    assert download.suggested_filename == "seed-analysis.yaml"
    doc = yaml.safe_load(Path(download.path()).read_text())
    assert doc["parameters"]["frontier.growth_per_year"]["value"] == "5"
    with page.expect_download() as info:
        page.click("#dl-csv")
    assert Path(info.value.path()).read_text().startswith("date,year,reasoning_log10_flop_p5")


def test_rl_calculator_gives_flop_per_phase_and_hours(page):
    page.select_option("#rl-recipe", "deepseek-r1-zero")
    page.select_option("#rl-chip", "h800-sxm")
    page.click("#rl-run")
    page.wait_for_selector("#rl-total")
    assert "FLOP" in page.inner_text("#rl-total")
    assert page.locator("table.rl-phases tr[data-phase='generation_decode']").count() == 1
    assert "chip-hours" in page.inner_text("#rl-hours")
    assert "$" in page.inner_text("#rl-cost")


def test_cap_kind_shows_its_own_fields_and_a_failed_update_marks_the_result_stale(page):
    budget = page.locator("#parameters .param[data-key^='budget.']")
    assert budget.count() == 0  # a share cap: no budget fields
    assert page.locator("#parameters .param[data-key='cap.share']").count() == 1
    shown_before = page.inner_text("#meeting-median")
    page.select_option("#param-cap-kind", "budget")
    page.wait_for_selector("#parameters .param[data-key^='budget.']")
    assert budget.count() >= 1  # the budget cap's fields appear ...
    assert page.locator("#parameters .param[data-key='cap.share']").count() == 0  # ... not share's
    key = budget.first.get_attribute("data-key")
    box = page.locator(f"#param-{key.replace('.', '-')}")
    box.fill("-1")  # no budget is negative: the server refuses it
    box.press("Enter")
    page.wait_for_selector("#status.error")
    page.wait_for_selector("#results.stale")
    assert "Stale" in page.inner_text("#stale-note")
    assert page.inner_text("#meeting-median") == shown_before  # the old result, marked, not gone
    opacity = page.eval_on_selector("#results", "e => getComputedStyle(e).opacity")
    assert float(opacity) < 1  # greyed out


def test_headroom_is_labelled_with_its_date(page):
    label = page.inner_text("#headroom-label")
    assert label == "Headroom at 2025-04-16"  # seed-analysis: reasoning.start_date


def test_sensitivity_table_numbers_are_formatted_and_fit_their_card(page):
    page.click("#sensitivity-box summary")
    page.click("#run-sensitivity")
    page.wait_for_selector("#sensitivity tbody tr td.key")
    cells = page.locator("#sensitivity tbody td.num").all_inner_texts()
    assert cells and all(len(c) <= 16 for c in cells), cells  # no 2.9943349756551454
    assert any(c.endswith(" months") for c in cells)
    overflow = page.eval_on_selector(
        "#sensitivity-box .table-scroll", "e => e.scrollWidth - e.clientWidth"
    )
    card = page.eval_on_selector("#sensitivity-box", "e => e.scrollWidth - e.clientWidth")
    assert card <= 0 and overflow <= 1


def test_the_pages_number_text_is_the_librarys(page):
    from flopcast.core import fmt

    values = [9.96e25, 3e24, 1.234e23, 0.25, 140, 1234.5, 0.00123, 0, -4.56e-7, 2.99433]
    shown = page.evaluate("xs => xs.map(x => fmtNumber(x))", values)
    assert shown == [fmt.number(v) for v in values]  # e.g. 9.96e25 -> "1e26", never "10e25"
    assert page.evaluate("fmtPercent(0.0123)") == fmt.percent(0.0123)  # "1.2%"


def test_rl_preset_uses_the_runs_published_chip_and_price(page):
    page.select_option("#rl-recipe", "deepseek-r1")
    assert page.input_value("#rl-chip") == "h800-sxm"  # DeepSeek trained on H800s ...
    assert float(page.input_value("#rl-usd_per_hour")) == 2.0  # ... at $2/h (Nature paper)
    page.click("#rl-run")
    page.wait_for_selector("#rl-published")
    assert "h800-sxm" in page.inner_text("#rl-hours")
    assert "Cost at $2/chip-hour" in page.inner_text("#rl-cost")
    assert "4.1e4" in page.inner_text("#rl-published")  # 40,960 H800-hours as published


def test_page_leads_with_the_as_of_status_and_marks_a_past_meeting_date(page):
    title = page.inner_text("#asof-title")
    assert title.startswith("As of 20") and title.endswith("what the records show")
    data_date = title.split()[2].rstrip(":")
    status = page.inner_text("#asof-status")
    assert "met its cap" in status and "P(met) =" in status
    assert "from then on" in page.inner_text("#asof-after")
    assert page.inner_text("#method").startswith("Method: ")
    assert page.locator("#asof-records tbody tr").count() >= 1
    # the status comes before the forecast-from-start meeting date on the page
    order = page.evaluate(
        "document.querySelector('#asof').compareDocumentPosition("
        "document.querySelector('#meeting-median')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert order
    median = page.inner_text("#meeting-median")
    past = page.locator("#meeting-past")
    assert past.is_visible() == (median <= data_date)  # ISO dates sort as text
    if median <= data_date:
        assert "not a prediction" in past.inner_text()
    assert page.locator("#fan-as-of").count() == 1


def test_derivation_shows_superseded_history_and_the_physics_bound(page):
    page.fill("#model-filter", "deepseek-r1")
    page.click("#model-table tbody tr[data-id='deepseek-r1'] a.model-link")
    page.wait_for_selector("#derivation .derivation[data-id='deepseek-r1']")
    rl = page.locator("#derivation .quantity[data-field='rl']")
    assert "superseded by" in rl.locator(".history").inner_text()
    bound = rl.locator("p.bound").inner_text()
    assert bound.startswith("Physics bound: 5.1e23 FLOP") and "of peak" in bound
    assert rl.locator("li.line.superseded").count() >= 1
    assert "above the physics bound" in rl.locator("li.line.superseded").first.inner_text()
