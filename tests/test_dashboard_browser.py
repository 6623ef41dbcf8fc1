"""The dashboard in a real browser: Debian's Chromium driven by Playwright
against the real server in its own process, as an organizer would use it."""

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
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.identity import supporter_key
from bot.store import ActionReport, ActionRow, ProblemReport, open_store

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
ROOT = Path(__file__).resolve().parents[1]


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
        "import sys; from bot.dashboard import run_dashboard;"
        "run_dashboard(sys.argv[1], sys.argv[2], port=int(sys.argv[3]),"
        " campaign_titles={'ua-150-18': 'UA 150.18'})"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(path), TOKEN, str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process)
        yield url, stats, rows
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_organizer_signs_in_reads_figures_and_downloads_csv(server, tmp_path):
    executable = chromium_path()
    if executable is None:
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (see .ci/run)")
    from playwright.sync_api import sync_playwright

    url, stats, rows = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1000, "height": 900})
            page = context.new_page()
            external = []
            page.on("request", lambda r: None if r.url.startswith(url) else external.append(r.url))

            # a wrong token is refused
            response = page.goto(url + "/")
            assert response.status == 401
            page.fill("#token", "not-the-token")
            with page.expect_navigation():
                page.click("button[type=submit]")
            assert page.locator(".error").is_visible()
            assert page.evaluate("document.cookie") == ""

            # the right one signs in
            page.fill("#token", TOKEN)
            with page.expect_navigation():
                page.click("button[type=submit]")
            assert page.url == url + "/"
            assert page.inner_text("#total-actions") == f"{stats.actions:,}"
            assert page.inner_text("#total-supporters") == f"{stats.supporters:,}"
            assert page.inner_text("#total-last-7-days") == f"{stats.last_7_days:,}"
            assert page.inner_text("#total-attempted") == f"{stats.attempted:,}"
            assert page.locator("svg.per-day rect").count() == len(stats.by_day)
            assert "Number out of service" in page.inner_text("#problems")
            assert page.evaluate("document.cookie") == ""  # HttpOnly: not readable by scripts
            page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

            with page.expect_download() as download_info:
                page.click("#csv-link")
            download = download_info.value
            saved = tmp_path / "export.csv"
            download.save_as(saved)
            got = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8"))))
            assert got[0] == list(ActionRow.FIELDS)
            assert [r[0] for r in got[1:]] == [str(r.id) for r in rows]
            assert [int(r[5]) for r in got[1:]] == [r.count for r in rows]
            assert "México" in {r[8] for r in got[1:]}

            # the campaign selector narrows the figures
            page.select_option("#campaign", "other-case")
            with page.expect_navigation():
                page.click("header button[type=submit]")
            expected = stats_over_http(url, "other-case")
            assert page.inner_text("#total-actions") == f"{expected:,}"

            phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
            phone.add_cookies(context.cookies())
            mobile = phone.new_page()
            mobile.goto(url + "/")
            width = mobile.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"page is {width}px wide on a phone"
            mobile.screenshot(path=str(tmp_path / "dashboard-phone.png"), full_page=True)
            assert external == []

            # signing out ends the session
            page.goto(url + "/logout")
            assert page.goto(url + "/stats.json").status == 401
        finally:
            browser.close()
    print(f"\nscreenshots: {tmp_path / 'dashboard.png'} {tmp_path / 'dashboard-phone.png'}")


def stats_over_http(url: str, campaign: str) -> int:
    """Total actions as a script sees them (Bearer token), to compare with the page."""
    request = urllib.request.Request(
        f"{url}/stats.json?campaign={campaign}", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)["actions"]
