"""The dashboard through aiohttp's test client: access control, cookie
flags, headers, and that the figures and CSV are the store's."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot import dashboard
from bot.charts import per_day_svg, stats_chart_png
from bot.identity import supporter_key
from bot.store import ActionReport, ActionRow, ProblemReport, open_store

TOKEN = "correct horse battery staple 42"
DATA_ROUTES = ["/stats.json", "/export.csv", "/export.csv?campaign=ua-150-18&since=2024-01-01"]


def supporter(n: int) -> str:
    return supporter_key(n, b"dashboard-test")


@pytest.fixture
async def store(tmp_path):
    async with await open_store(tmp_path / "store.sqlite3") as opened:
        now = datetime.now(UTC)
        for n in range(12):
            await opened.record_action(
                ActionReport(
                    campaign_id="ua-150-18" if n % 3 else "other-case",
                    official_id=("luis-videgaray", "alfonso-navarrete")[n % 2],
                    channel=("letter", "email", "call", "tweet")[n % 4],
                    count=1 + n % 4,
                    status="attempted" if n == 5 else "done",
                    language="es" if n % 2 else "en",
                    country='=HYPERLINK("x")' if n == 7 else ("Mexico" if n % 5 == 0 else None),
                    supporter=supporter(n % 5),
                    idempotency_key=f"k{n}",
                    at=now - timedelta(days=n),
                )
            )
        await opened.record_contact_problem(
            ProblemReport("ua-150-18", "luis-videgaray", "email", "bounced",
                          "<script>alert(1)</script>", None, "p1")
        )  # fmt: skip
        yield opened


@pytest.fixture
async def client(store):
    app = dashboard.create_app(store, TOKEN, {"ua-150-18": "UA 150.18 — safe third country"})
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("route", DATA_ROUTES)
@pytest.mark.parametrize(
    "headers", [{}, bearer("wrong"), bearer(""), {"Authorization": TOKEN}, {"Cookie": "x=1"}]
)
async def test_data_routes_refuse_without_a_valid_token(client, route, headers):
    response = await client.get(route, headers=headers)
    assert response.status == 401
    body = await response.text()
    assert "luis-videgaray" not in body and "ua-150-18" not in body
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("headers", [{}, bearer("wrong")])
async def test_page_without_a_valid_token_is_the_login_form(client, headers):
    response = await client.get("/", headers=headers)
    assert response.status == 401
    body = await response.text()
    assert 'name="token"' in body and "luis-videgaray" not in body


async def test_forged_or_expired_cookies_are_refused(client):
    expired = dashboard.session_value(TOKEN, int(time.time()) - 1)
    forged = dashboard.session_value("another token", int(time.time()) + 3600)
    for value in (expired, forged, TOKEN, "9999999999.abc"):
        client.session.cookie_jar.clear()
        response = await client.get("/stats.json", cookies={dashboard.COOKIE: value})
        assert response.status == 401, value


async def test_bearer_token_gives_the_store_figures(client, store):
    response = await client.get("/stats.json", headers=bearer())
    assert response.status == 200
    data = await response.json()
    stats = await store.campaign_stats()
    assert data["actions"] == stats.actions
    assert data["supporters"] == stats.supporters
    assert data["by_channel"] == stats.by_channel
    assert data["by_day"][-1] == [stats.by_day[-1][0].isoformat(), stats.by_day[-1][1]]
    one = await (await client.get("/stats.json?campaign=other-case", headers=bearer())).json()
    assert one["actions"] == (await store.campaign_stats("other-case")).actions


async def test_login_sets_a_strict_httponly_cookie_that_is_not_the_token(client):
    wrong = await client.post("/login", data={"token": "nope"}, allow_redirects=False)
    assert wrong.status == 401
    assert "not right" in await wrong.text()
    assert "Set-Cookie" not in wrong.headers

    response = await client.post("/login", data={"token": TOKEN}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{dashboard.COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert TOKEN not in cookie and TOKEN.replace(" ", "%20") not in cookie

    page = await client.get("/")  # the client keeps the cookie
    assert page.status == 200
    assert "luis-videgaray" in await page.text()
    assert (await client.get("/stats.json")).status == 200

    await client.get("/logout", allow_redirects=False)
    assert (await client.get("/stats.json")).status == 401


async def test_page_shows_escaped_figures_and_has_security_headers(client, store):
    response = await client.get("/?campaign=ua-150-18", headers=bearer())
    assert response.status == 200
    body = await response.text()
    stats = await store.campaign_stats("ua-150-18")
    assert f'id="total-actions">{stats.actions:,}<' in body
    assert f'id="total-supporters">{stats.supporters:,}<' in body
    assert "<svg" in body and 'name="viewport"' in body
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert 'href="/export.csv?campaign=ua-150-18"' in body
    assert "UA 150.18 — safe third country" in body
    assert "http://" not in body.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in body
    headers = response.headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    hostile = await client.get("/?campaign=%3Cb%3Ex", headers=bearer())
    assert "<b>x" not in await hostile.text()


async def test_csv_matches_the_store(client, store):
    response = await client.get("/export.csv", headers=bearer())
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(await response.text())))
    assert rows[0] == list(ActionRow.FIELDS)
    expected = [row async for row in store.export_actions()]
    assert len(rows) - 1 == len(expected) == 12
    for got, row in zip(rows[1:], expected, strict=True):
        assert got[0] == str(row.id)
        assert got[1] == row.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert got[2:8] == [row.campaign_id, row.official_id, row.channel, str(row.count),
                            row.status, row.language]  # fmt: skip
        assert got[9] == row.supporter
    formula = next(r for r in rows[1:] if "HYPERLINK" in r[8])
    assert formula[8].startswith("'=")  # not run by a spreadsheet

    since = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    part = await client.get(f"/export.csv?campaign=ua-150-18&since={since}", headers=bearer())
    part_rows = list(csv.reader(io.StringIO(await part.text())))[1:]
    expected = [r async for r in store.export_actions("ua-150-18", date.fromisoformat(since))]
    assert [r[0] for r in part_rows] == [str(r.id) for r in expected]
    assert {r[2] for r in part_rows} == {"ua-150-18"}
    bad = await client.get("/export.csv?since=yesterday", headers=bearer())
    assert bad.status == 400


async def test_an_empty_token_is_refused(store):
    for token in ("", "   ", None):
        with pytest.raises(ValueError, match="DASHBOARD_TOKEN"):
            dashboard.create_app(store, token)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="DASHBOARD_TOKEN"):
        dashboard.run_dashboard("unused.sqlite3", "")


async def test_charts(store):
    stats = await store.campaign_stats()
    png = stats_chart_png(stats, "UA 150.18")
    assert png.startswith(b"\x89PNG")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (800, 400)
    svg = per_day_svg(stats.by_day)
    assert svg.startswith("<svg") and svg.count("<rect") == len(stats.by_day)
    assert "<svg" in per_day_svg([])
