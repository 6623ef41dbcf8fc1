"""The dashboard in a real browser: Debian's Chromium driven by Playwright
against the real server in its own process, as an organizer would use it:
signing in (and a wrong token), reading figures per case, downloading the
CSV, resolving a review item (then finding it in the audit log), signing
out, and the page on a 390 px wide phone without sideways scrolling."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.identity import supporter_key
from bot.store import ActionReport, ProblemReport, ReplyReport, open_store
from bot.store.export import COLUMNS

TOKEN = "browser-test-token-0123456789"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[2]
TITLES = {  # long, as real case titles are: the phone layout must still fit
    "ua-150-18": "UA 150.18: Mexico must not become a 'safe third country' for people seeking asylum",
    "other-case": "UA 99.19: Human rights defenders detained without charge after a peaceful protest",
    "ua-12-20": "UA 12.20: A case with no actions reported yet",
}
OFFICIALS = {"luis-videgaray": "Luis Videgaray Caso", "alfonso-navarrete": "Alfonso Navarrete Prida"}
CHOICES = {"all": "all new cases", "topic:safe-third-country": "Safe third country agreements",
           "region:americas": "Americas", "region:africa": "Africa"}  # sign-up choices, named
LONG_NOTE = "Bounced: https://mail.example.org/undeliverable/" + "x" * 90


def chromium_path() -> str | None:
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


async def seed(path: Path):
    async with await open_store(path) as store:
        now = datetime.now(UTC)
        for n in range(40):
            await store.record_action(
                ActionReport(
                    campaign_id="ua-150-18" if n % 4 else "other-case",
                    official_id=("luis-videgaray", "alfonso-navarrete")[n % 2],
                    channel=("letter", "email", "call", "tweet", "fax")[n % 5],
                    count=1 + n % 3,
                    status="attempted" if n % 7 == 0 else "done",
                    language="es",
                    country="México" if n % 3 == 0 else None,
                    supporter=supporter_key(n % 9, b"browser"),
                    idempotency_key=f"k{n}",
                    at=now - timedelta(days=n * 2, hours=1),
                )
            )
        await store.record_contact_problem(
            ProblemReport("ua-150-18", "luis-videgaray", "call", "disconnected",
                          "Number out of service", None, "p1")
        )  # fmt: skip
        await store.record_contact_problem(
            ProblemReport("other-case", "alfonso-navarrete", "email", "bounced", LONG_NOTE, None, "p2"))
        await store.record_reply(
            ReplyReport("ua-150-18", "alfonso-navarrete", "The minister's office says the agreement "
                        "is not under negotiation.", None, "r1"))
        for chat, choices in ((1, ["all"]), (2, ["region:americas", "topic:safe-third-country"]),
                              (3, ["region:americas"])):
            await store.set_signup(chat, supporter_key(100 + chat, b"browser"), "en", choices)
        return await store.campaign_stats(), [row async for row in store.export_actions()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dashboard exited: {process.stderr.read().decode()}")
        try:
            urllib.request.urlopen(url + "/login", timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("dashboard did not start")


@pytest.fixture
def server(tmp_path):
    path = tmp_path / "store.sqlite3"
    stats, rows = asyncio.run(seed(path))
    port = free_port()
    code = (
        "import json, sys; from bot.web.dashboard import run_dashboard;"
        "run_dashboard(sys.argv[1], sys.argv[2], port=int(sys.argv[3]),"
        " campaign_titles=json.loads(sys.argv[4]), official_names=json.loads(sys.argv[5]),"
        " choice_names=json.loads(sys.argv[6]))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(path), TOKEN, str(port), json.dumps(TITLES), json.dumps(OFFICIALS),
         json.dumps(CHOICES)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process)
        yield url, stats, rows, path
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (see .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def watched_page(context, url: str):
    """A page that records requests to other hosts and Content-Security-Policy
    complaints (an inline style or script would be one)."""
    page = context.new_page()
    page.external, page.csp_errors = [], []
    page.on("request", lambda r: None if r.url.startswith(url) else page.external.append(r.url))
    page.on("console", lambda m: page.csp_errors.append(m.text) if "Content Security Policy" in m.text
            else None)
    return page


def sign_in(page, url: str) -> None:
    """The sign-in form as a person uses it: a wrong token first, then the right one."""
    response = page.goto(url + "/")
    assert response.status == 401
    assert page.locator("#token").is_visible()
    page.fill("#token", "not-the-token")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.inner_text(".error") == "That token is not right."
    assert page.evaluate("document.cookie") == ""
    page.fill("#token", TOKEN)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url == url + "/"
    assert page.evaluate("document.cookie") == ""  # HttpOnly: not readable by scripts


def test_organizer_signs_in_reads_figures_downloads_csv_and_signs_out(server, browser, tmp_path):
    url, stats, rows, _ = server
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = watched_page(context, url)
    sign_in(page, url)

    assert page.inner_text("#total-actions") == f"{stats.actions:,}"
    assert page.inner_text("#total-supporters") == f"{stats.supporters:,}"
    assert page.inner_text("#total-last-7-days") == f"{stats.last_7_days:,}"
    assert page.inner_text("#total-attempted") == f"{stats.attempted:,}"
    assert page.locator("svg.per-day rect").count() == len(stats.by_day)
    assert "Number out of service" in page.inner_text("#problems")
    officials = page.inner_text("#by-official")
    assert "Luis Videgaray Caso" in officials and "luis-videgaray" not in officials
    # sign-ups for new cases, by topic and region (each choice by name, zeros included)
    assert page.inner_text("#signups-people") == "3"
    signed_up = page.eval_on_selector_all("#signups tbody tr",
                                          "rows => rows.map(r => r.innerText.split('\\t'))")
    assert signed_up == [["all new cases", "1"], ["Safe third country agreements", "1"], ["Americas", "2"],
                    ["Africa", "0"]]
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("#csv-link")
    download = download_info.value
    saved = tmp_path / "export.csv"
    download.save_as(saved)
    got = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert got[0] == list(COLUMNS)
    assert [r[0] for r in got[1:]] == [str(r.id) for r in rows]
    assert [int(r[6]) for r in got[1:]] == [r.count for r in rows]
    assert "country" not in got[0] and "México" not in {c for r in got for c in r}  # the column is gone

    # every case is in the selector, by reference and title; choosing one narrows figures and CSV
    labels = page.eval_on_selector_all("#campaign option", "options => options.map(o => o.textContent)")
    assert labels == ["All cases", TITLES["ua-12-20"], TITLES["ua-150-18"], TITLES["other-case"]]
    page.select_option("#campaign", "other-case")
    with page.expect_navigation():
        page.click("#show")
    assert page.inner_text("h1") == TITLES["other-case"]
    assert page.inner_text("#total-actions") == f"{stats_over_http(url, 'other-case'):,}"
    with page.expect_download() as download_info:
        page.click("#csv-link")
    download_info.value.save_as(saved)
    case_rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8"))))[1:]
    assert case_rows and {r[2] for r in case_rows} == {"other-case"}

    # signing out ends the session on the server: a copy of the cookie is refused too
    cookies = context.cookies()
    with page.expect_navigation():
        page.click("#sign-out")
    assert page.url == url + "/login"
    assert page.goto(url + "/stats.json").status == 401
    copy = browser.new_context()
    copy.add_cookies(cookies)
    assert copy.new_page().goto(url + "/stats.json").status == 401
    assert page.external == [] and page.csp_errors == []


def test_organizer_resolves_a_review_item_from_the_page(server, browser):
    url, _, _, path = server
    page = watched_page(browser.new_context(viewport={"width": 1000, "height": 900}), url)
    sign_in(page, url)
    items = off_the_loop(open_items, path)
    reply = next(item for item in items if item.kind == "reply")
    row = page.locator(f"#reply-{reply.id}")
    assert "The minister's office says" in row.inner_text()
    assert page.locator("#problems tbody tr").count() == len(items) == 3

    with page.expect_navigation():
        row.get_by_role("button", name="Mark reviewed").click()
    assert page.url == url + "/#review"
    assert page.locator(f"#reply-{reply.id}").count() == 0
    assert page.locator("#problems tbody tr").count() == 2
    assert page.inner_text("#total-open-replies") == "0"
    still_open = [(item.kind, item.id) for item in off_the_loop(open_items, path)]
    assert ("reply", reply.id) not in still_open and len(still_open) == 2
    entry = off_the_loop(latest_audit, path)
    assert (entry.organizer_id, entry.command) == (0, "resolve")
    assert entry.detail.startswith(f"dashboard: resolve reply #{reply.id} (session ")
    assert page.csp_errors == []


def test_the_page_fits_a_390_px_phone(server, browser, tmp_path):
    url, _, _, _ = server
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                device_scale_factor=2, has_touch=True)
    page = watched_page(phone, url)
    page.goto(url + "/login")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    sign_in(page, url)
    for view in ("/", "/?campaign=ua-150-18", "/?campaign=other-case"):
        page.goto(url + view)
        # A phone browser widens its layout viewport to fit content that is too wide, so
        # innerWidth staying at 390 is part of the check, not only scrollWidth <= innerWidth.
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert inner == 390 and width <= inner, f"{view}: page is {width}px wide in a {inner}px window"
    page.goto(url + "/")
    assert LONG_NOTE in page.inner_text("#problems")
    assert page.locator("#problems button").first.is_visible()
    page.screenshot(path=str(tmp_path / "dashboard-phone.png"), full_page=True)
    assert page.external == [] and page.csp_errors == []
    print(f"\nscreenshot: {tmp_path / 'dashboard-phone.png'}")


def off_the_loop(read, path: Path):
    """Run a store read in its own thread: Playwright's sync API owns this thread's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, read(path)).result()


async def open_items(path: Path):
    async with await open_store(path) as store:
        return await store.list_problems()


async def latest_audit(path: Path):
    async with await open_store(path) as store:
        return (await store.audit_log(limit=1))[0]


def stats_over_http(url: str, campaign: str) -> int:
    """Total actions as a script sees them (Bearer token), to compare with the page."""
    request = urllib.request.Request(
        f"{url}/stats.json?campaign={campaign}", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)["actions"]
