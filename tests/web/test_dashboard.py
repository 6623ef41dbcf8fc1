"""The dashboard through aiohttp's test client: access control (near-miss
tokens, sessions, sign-out, CSRF, throttling, trusted proxies), cookie
flags, headers, cases and officials by name, resolving review items into
the audit log, and that the figures and CSV are the store's."""

from __future__ import annotations

import asyncio
import csv
import io
import ipaddress
import json
import os
import re
import ssl
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request

from bot.core.config import ConfigError, load_settings
from bot.core.identity import supporter_key
from bot.store import ActionReport, ProblemReport, ReplyReport, open_store
from bot.store.charts import per_day_svg, stats_chart_png
from bot.store.export import COLUMNS
from bot.web import dashboard
from bot.web.dashboard_proxy import ProxyPolicy
from bot.web.dashboard_sessions import Session, SessionTable
from bot.web.dashboard_throttle import FailureThrottle, client_key
from tests.conftest import ROOT, Clock

TOKEN = "correct horse battery staple 42"
DATA_ROUTES = ["/stats.json", "/export.csv", "/export.csv?campaign=ua-150-18&since=2024-01-01"]
TITLES = {
    "ua-150-18": "UA 150.18: safe third country",
    "ua-12-20": "UA 12.20: a case with no actions yet",
    "ua-99-19": "UA 99.19: another case",
}
OFFICIALS = {"luis-videgaray": "Luis Videgaray", "alfonso-navarrete": "Alfonso Navarrete Prida"}
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


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
        await opened.record_reply(
            ReplyReport("ua-150-18", "alfonso-navarrete", "He wrote back: under review", None, "r1"))
        yield opened


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
async def make_client(store, clock):
    """A test client over a dashboard built with these options (no delay on
    failures unless asked, throttle and sessions on the test's clock)."""
    clients = []

    async def make(**options) -> TestClient:
        options.setdefault("failure_delay", 0)
        options.setdefault("throttle", FailureThrottle(clock=clock))
        options.setdefault("sessions", SessionTable(clock=clock))
        app = dashboard.create_app(store, options.pop("token", TOKEN), TITLES, OFFICIALS, **options)
        client = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def client(make_client):
    return await make_client()


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def sign_in(client: TestClient) -> tuple[str, str]:
    """Sign in through the form: the session cookie's value and the page's CSRF token."""
    response = await client.post("/login", data={"token": TOKEN}, allow_redirects=False)
    assert response.status == 303, await response.text()
    cookie = response.cookies[dashboard.COOKIE].value
    page = await client.get("/")
    return cookie, CSRF_FIELD.search(await page.text()).group(1)


def near_misses(token: str) -> list[str]:
    """Tokens one step from the real one: prefixes, one more character, one changed."""
    changed = [token[:i] + chr(ord(token[i]) ^ 1) + token[i + 1 :]
               for i in (0, len(token) // 2, len(token) - 1)]
    return [token[:1], token[:-1], token[: len(token) // 2], token + "x", token + token[-1], *changed,
            token.upper()]


# -- access -------------------------------------------------------------------------


@pytest.mark.parametrize("route", DATA_ROUTES)
@pytest.mark.parametrize(
    "headers", [{}, bearer("wrong"), bearer(""), {"Authorization": TOKEN}, {"Cookie": "x=1"}]
)
async def test_data_routes_refuse_without_a_valid_token(client, route, headers):
    response = await client.get(route, headers=headers)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="advocacy-bot dashboard"'
    assert await response.json() == {"error": "unauthorized"}
    body = await response.text()
    assert "luis-videgaray" not in body and "ua-150-18" not in body
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("headers", [{}, bearer("wrong")])
async def test_page_without_a_valid_token_is_the_login_form(client, headers):
    response = await client.get("/", headers=headers)
    assert response.status == 401
    body = await response.text()
    assert 'name="token"' in body and "Videgaray" not in body


async def test_near_miss_tokens_are_refused_as_bearer_and_in_the_form(make_client, clock):
    client = await make_client(throttle=FailureThrottle(max_failures=1000, clock=clock))
    for given in near_misses(TOKEN):
        assert given != TOKEN
        response = await client.get("/stats.json", headers=bearer(given))
        assert response.status == 401, f"Bearer {given!r} was accepted"
        response = await client.post("/login", data={"token": given}, allow_redirects=False)
        assert response.status == 401, f"form token {given!r} was accepted"
        assert dashboard.COOKIE not in response.cookies
    assert (await client.get("/stats.json", headers=bearer())).status == 200
    assert (await client.post("/login", data={"token": TOKEN}, allow_redirects=False)).status == 303


async def test_bearer_scheme_is_case_insensitive_and_odd_bytes_are_refused(client):
    assert (await client.get("/stats.json", headers={"Authorization": f"bearer {TOKEN}"})).status == 200
    for raw in (b"Bearer \xff\xfe" + TOKEN.encode(), "Bearer ²³".encode()):
        response = await client.get("/stats.json", headers={"Authorization": raw.decode("latin-1")})
        assert response.status == 401


@pytest.mark.parametrize(
    "value",
    ["²³.abc", "9999999999.abc", TOKEN.replace(" ", "_"), "A" * 43, "é" * 43, "A" * 5000, "",
     dashboard.__name__],
)
async def test_cookies_that_are_not_live_sessions_are_refused(client, value):
    client.session.cookie_jar.clear()
    for route in ("/stats.json", "/"):
        response = await client.get(route, headers={"Cookie": f"{dashboard.COOKIE}={value}"})
        assert response.status == 401, (route, value)


async def test_sessions_expire(make_client, clock):
    client = await make_client()
    await sign_in(client)
    assert (await client.get("/stats.json")).status == 200
    clock.advance(12 * 3600 - 1)
    assert (await client.get("/stats.json")).status == 200
    clock.advance(1)
    assert (await client.get("/stats.json")).status == 401


def test_a_full_session_table_drops_the_expired_first_then_the_oldest(clock):
    table = SessionTable(lifetime=100, clock=clock, limit=3)
    ids = [table.open()[0] for _ in range(3)]
    fourth = table.open()[0]  # full, none expired: the oldest sign-in goes
    assert len(table) == 3 and table.find(ids[0]) is None
    assert all(table.find(i) is not None for i in (*ids[1:], fourth))
    clock.advance(100)  # all of them expire now, to the second
    fifth, session = table.open()
    assert len(table) == 1 and table.find(fifth) == session
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", fifth) and re.fullmatch(r"[A-Za-z0-9_-]{43}", session.csrf)
    assert re.fullmatch(r"[0-9a-f]{8}", session.tag) and session.expires == clock.now + 100
    assert table.revoke(fifth) == session and table.revoke(fifth) is None and len(table) == 0


async def test_login_sets_a_strict_httponly_cookie_that_is_not_the_token(client, store):
    wrong = await client.post("/login", data={"token": "nope"}, allow_redirects=False)
    assert wrong.status == 401
    assert '<p class="error" role="alert">That token is not right.</p>' in await wrong.text()
    assert "Set-Cookie" not in wrong.headers

    response = await client.post("/login", data={"token": f"  {TOKEN}\n"}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    name, _, rest = cookie.partition("=")
    value, *attributes = [part.strip() for part in rest.split(";")]
    assert name == dashboard.COOKIE
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value)
    assert sorted(attributes) == ["HttpOnly", "Max-Age=43200", "Path=/", "SameSite=Strict"]
    assert TOKEN not in cookie and TOKEN.replace(" ", "%20") not in cookie

    page = await client.get("/")  # the client keeps the cookie
    assert page.status == 200
    assert "Luis Videgaray" in await page.text()
    assert (await client.get("/stats.json")).status == 200
    [entry] = await store.audit_log()
    assert (entry.organizer_id, entry.command) == (dashboard.WEB_ORGANIZER_ID, "sign_in")
    assert re.fullmatch(r"dashboard: sign in \(session [0-9a-f]{8}\)", entry.detail)


@pytest.mark.parametrize(
    ("trusted", "headers", "secure"),
    [
        ((), {"X-Forwarded-Proto": "https"}, False),  # forged: nobody is trusted
        (("127.0.0.1",), {"X-Forwarded-Proto": "https"}, True),
        (("127.0.0.0/8",), {"X-Forwarded-Proto": "http, https"}, True),  # the nearest proxy's word
        (("127.0.0.1",), {"X-Forwarded-Proto": "http"}, False),
        (("127.0.0.1",), {}, False),
        (("10.0.0.0/8",), {"X-Forwarded-Proto": "https"}, False),  # the peer is not that proxy
    ],
)
async def test_secure_cookie_only_over_https_through_a_trusted_proxy(make_client, trusted, headers, secure):
    client = await make_client(trusted_proxies=trusted)
    response = await client.post("/login", data={"token": TOKEN}, headers=headers, allow_redirects=False)
    assert response.status == 303
    attributes = [part.strip() for part in response.headers["Set-Cookie"].split(";")]
    assert ("Secure" in attributes) is secure


async def test_sign_out_revokes_the_session_and_every_copy_of_its_cookie(client, store):
    cookie, csrf = await sign_in(client)
    copied = {"Cookie": f"{dashboard.COOKIE}={cookie}"}

    response = await client.post("/logout", data={"csrf": csrf}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/login"
    assert response.cookies[dashboard.COOKIE].value == ""
    assert response.cookies[dashboard.COOKIE]["max-age"] == "0"

    client.session.cookie_jar.clear()
    assert (await client.get("/stats.json", headers=copied)).status == 401
    assert (await client.get("/", headers=copied)).status == 401
    sign_out, sign_in_entry = await store.audit_log()
    assert (sign_out.command, sign_in_entry.command) == ("sign_out", "sign_in")
    tag = re.fullmatch(r"dashboard: sign in \(session ([0-9a-f]{8})\)", sign_in_entry.detail)[1]
    assert sign_out.detail == f"dashboard: sign out (session {tag})"


async def test_sign_out_clears_the_cookie_where_it_was_set(client):
    _, csrf = await sign_in(client)
    response = await client.post("/logout", data={"csrf": csrf}, allow_redirects=False)
    assert response.cookies[dashboard.COOKIE]["path"] == "/"


async def test_signing_in_again_ends_the_browser_s_previous_session(client):
    first, _ = await sign_in(client)
    second, _ = await sign_in(client)  # the browser sends its cookie along
    assert first != second
    client.session.cookie_jar.clear()
    assert (await client.get("/stats.json", headers={"Cookie": f"{dashboard.COOKIE}={first}"})).status == 401
    assert (await client.get("/stats.json", headers={"Cookie": f"{dashboard.COOKIE}={second}"})).status == 200


async def test_the_figures_as_json_are_dated_and_in_a_stable_key_order(client):
    response = await client.get("/stats.json", headers=bearer())
    body = await response.text()
    figures = json.loads(body)
    assert figures["today"] == datetime.now(UTC).date().isoformat()
    assert body == json.dumps(figures, sort_keys=True)


async def test_the_sign_in_page_sends_a_signed_in_browser_to_the_dashboard(client):
    assert (await client.get("/login", allow_redirects=False)).status == 200
    await sign_in(client)
    response = await client.get("/login", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/"


async def test_sign_out_needs_the_sessions_csrf_token(client):
    _, csrf = await sign_in(client)
    for data in ({}, {"csrf": "x" * 43}, {"csrf": csrf[:-1]}):
        response = await client.post("/logout", data=data, allow_redirects=False)
        assert response.status == 403, data
        page = await response.text()
        assert "<h1>Refused</h1>" in page
        assert ">This form is out of date. Reload the dashboard and try again.</p>" in page
        assert (await client.get("/stats.json")).status == 200  # still signed in
    assert (await client.get("/logout")).status == 405  # a link cannot sign anyone out
    assert (await client.post("/logout", data={"csrf": csrf}, allow_redirects=False)).status == 303
    assert (await client.get("/stats.json")).status == 401


# -- throttling ------------------------------------------------------------------------


async def test_wrong_tokens_are_throttled_per_client_on_every_route(make_client, clock):
    client = await make_client(trusted_proxies=["127.0.0.1"])
    me = {"X-Forwarded-For": "203.0.113.7"}
    for n in range(10):
        route = ("/stats.json", "/export.csv", "/")[n % 3]
        assert (await client.get(route, headers={**me, **bearer(f"wrong-{n}")})).status == 401
    # the limit is reached: even the right token is refused, on every route and in the form
    response = await client.get("/stats.json", headers={**me, **bearer()})
    assert response.status == 429
    assert response.headers["Retry-After"] == "600"
    assert (await response.json()) == {"error": "too many failed attempts", "retry_after": 600}
    page = await client.get("/", headers={**me, **bearer()})
    assert page.status == 429 and "Too many wrong tokens" in await page.text()
    form = await client.post("/login", data={"token": TOKEN}, headers=me, allow_redirects=False)
    assert form.status == 429 and form.headers["Retry-After"] == "600"
    assert (await client.get("/export.csv", headers={**me, **bearer()})).status == 429

    # another client is not affected
    neighbour = {"X-Forwarded-For": "203.0.113.8", **bearer()}
    assert (await client.get("/stats.json", headers=neighbour)).status == 200
    assert "Try again in 10 minutes." in await page.text()
    clock.advance(510)  # 90 s left: rounded to 2 minutes
    page = await client.get("/", headers={**me, **bearer()})
    assert page.headers["Retry-After"] == "90" and "Try again in 2 minutes." in await page.text()
    clock.advance(60)  # 30 s left: still "1 minute", never "0 minutes"
    page = await client.get("/", headers={**me, **bearer()})
    assert page.headers["Retry-After"] == "30" and "Try again in 1 minute." in await page.text()
    clock.advance(29)
    response = await client.get("/stats.json", headers={**me, **bearer()})
    assert response.status == 429 and response.headers["Retry-After"] == "1"
    clock.advance(1)
    assert (await client.get("/stats.json", headers={**me, **bearer()})).status == 200


async def test_one_mistype_is_barely_noticed(make_client):
    client = await make_client(failure_delay=dashboard.FAILED_ATTEMPT_DELAY)
    started = time.monotonic()
    wrong = await client.post("/login", data={"token": TOKEN + "!"}, allow_redirects=False)
    waited = time.monotonic() - started
    assert wrong.status == 401
    assert dashboard.FAILED_ATTEMPT_DELAY <= waited < dashboard.FAILED_ATTEMPT_DELAY + 2
    assert (await client.post("/login", data={"token": TOKEN}, allow_redirects=False)).status == 303


async def test_concurrent_guesses_cannot_pass_the_limit(make_client):
    client = await make_client(failure_delay=0.05)
    responses = await asyncio.gather(*(client.get("/stats.json", headers=bearer(f"guess-{n}"))
                                       for n in range(30)))
    statuses = sorted(r.status for r in responses)
    assert statuses == [401] * 10 + [429] * 20


async def test_a_forged_forwarded_address_does_not_escape_the_throttle(client):
    for n in range(10):
        assert (await client.get("/stats.json", headers=bearer(f"w{n}"))).status == 401
    for forged in ("198.51.100.1", "198.51.100.1, 198.51.100.2"):
        response = await client.get("/stats.json", headers={"X-Forwarded-For": forged, **bearer()})
        assert response.status == 429, forged


def test_client_address_walks_forwarded_for_from_the_right():
    class Request:
        def __init__(self, remote, forwarded):
            self.remote = remote
            self.headers = _Headers({"X-Forwarded-For": forwarded} if forwarded else {})

    proxies = ProxyPolicy(["127.0.0.1", "10.0.0.0/8"])
    assert proxies.client_address(Request("127.0.0.1", "1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    assert proxies.client_address(Request("127.0.0.1", "1.2.3.4, 203.0.113.9, 10.1.1.1")) == "203.0.113.9"
    assert proxies.client_address(Request("127.0.0.1", "junk")) == "127.0.0.1"
    assert proxies.client_address(Request("127.0.0.1", None)) == "127.0.0.1"
    assert proxies.client_address(Request("192.0.2.1", "203.0.113.9")) == "192.0.2.1"
    assert ProxyPolicy().client_address(Request("127.0.0.1", "203.0.113.9")) == "127.0.0.1"
    assert client_key("2001:db8::1") == client_key("2001:db8::ffff") == "2001:db8::/64"
    assert client_key("2001:db8:0:1::1") != client_key("2001:db8::1")
    assert client_key("::ffff:192.0.2.1") == "192.0.2.1" == client_key("192.0.2.1")


class _Headers(dict):
    def getall(self, name, default):
        return [self[name]] if name in self else default


def test_the_throttle_forgets_old_clients_within_its_bound():
    clock = Clock()
    throttle = FailureThrottle(max_failures=2, window=60, clock=clock, max_clients=3)
    for client in ("a", "a", "b", "c", "d"):
        throttle.failed(client)
    assert throttle.retry_after("a") == 0  # dropped to make room for "d"
    throttle.failed("d")
    assert throttle.retry_after("d") == 60


def test_a_full_throttle_drops_expired_clients_before_live_ones_and_keeps_a_known_one():
    clock = Clock(0)
    throttle = FailureThrottle(max_failures=1, window=600, clock=clock, max_clients=3)
    throttle.failed("a")  # "a" is the oldest entry...
    clock.advance(10)
    throttle.failed("b")  # ..."b" the one whose failures will all be old
    clock.advance(640)
    throttle.failed("a")  # ...though "a" failed again since
    throttle.failed("c")
    clock.advance(50)  # "b"'s failure is now past the window; "a" is locked out for 590 s more
    throttle.failed("d")
    assert [throttle.retry_after(k) for k in ("a", "b", "c", "d")] == [550, 0, 550, 600]
    throttle.failed("a")  # full, but "a" is known: nobody is dropped
    assert [throttle.retry_after(k) for k in ("a", "c", "d")] == [550, 550, 600]


def test_retry_after_counts_from_the_oldest_failure_in_the_window():
    clock = Clock(0)
    throttle = FailureThrottle(max_failures=2, window=600, clock=clock)
    throttle.failed("a")
    clock.advance(100)
    throttle.failed("a")
    assert throttle.retry_after("a") == 500


def test_which_peers_are_trusted_proxies():
    policy = ProxyPolicy([ipaddress.ip_network("127.0.0.0/8"), "10.0.0.1/8"])  # host bits allowed
    assert policy.is_trusted("127.0.0.1") and policy.is_trusted("10.9.8.7")
    assert policy.is_trusted("::ffff:127.0.0.1")  # IPv4 mapped into IPv6
    for address in ("::1", "192.0.2.1", "not-an-address", "", None):
        assert not policy.is_trusted(address), address
    assert not ProxyPolicy().is_trusted("127.0.0.1")


def test_https_is_the_transport_s_own_or_the_nearest_trusted_proxy_s_word():
    direct = make_mocked_request("GET", "/", sslcontext=ssl.create_default_context())
    assert ProxyPolicy().is_https(direct)
    policy = ProxyPolicy(["127.0.0.1"])
    for proto, https in (("http,https", True), ("https,http", False), ("https", True), ("", False)):
        request = make_mocked_request("GET", "/", headers={"X-Forwarded-Proto": proto})
        request._transport_peername = ("127.0.0.1", 5000)
        assert policy.is_https(request) is https, proto


# -- token setting ----------------------------------------------------------------------


async def test_empty_or_short_tokens_are_refused(store):
    for token in ("", "   ", None):
        with pytest.raises(ValueError) as refused:
            dashboard.create_app(store, token)  # type: ignore[arg-type]
        assert str(refused.value) == ("the dashboard needs a token: "
                                      "set DASHBOARD_TOKEN to a long random string")
    for token in ("x", "a" * 15, "  " + "a" * 15 + "  "):
        with pytest.raises(ValueError) as refused:
            dashboard.create_app(store, token)
        assert str(refused.value) == ("DASHBOARD_TOKEN: too short (use at least 16 characters, "
                                      "e.g. from `openssl rand -hex 32`)")
    dashboard.create_app(store, "a" * 16)
    with pytest.raises(ValueError, match="DASHBOARD_TOKEN"):
        dashboard.run_dashboard("unused.sqlite3", "")
    with pytest.raises(ValueError, match="too short"):
        dashboard.run_dashboard("unused.sqlite3", "short")


def test_the_command_refuses_a_short_token_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DASHBOARD_", "TELEGRAM_"))}
    env.update(DASHBOARD_TOKEN="x", DATABASE_PATH=str(tmp_path / "db.sqlite3"),
               CONTENT_DIR=str(ROOT / "content"), SEEDS_DIR=str(ROOT / "seeds"))
    result = subprocess.run([sys.executable, "-m", "bot", "dashboard"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == ("error: DASHBOARD_TOKEN: too short (use at least 16 characters, "
                             "e.g. from `openssl rand -hex 32`)\n")


def test_trusted_proxy_setting():
    assert load_settings({}, dotenv=None).dashboard_trusted_proxies == ()
    settings = load_settings({"DASHBOARD_TRUSTED_PROXY": "127.0.0.1, 172.16.0.0/12,::1"}, dotenv=None)
    assert settings.dashboard_trusted_proxies == ("127.0.0.1/32", "172.16.0.0/12", "::1/128")
    with pytest.raises(ConfigError, match=r"^DASHBOARD_TRUSTED_PROXY: 'proxy.local' is not an IP"):
        load_settings({"DASHBOARD_TRUSTED_PROXY": "proxy.local"}, dotenv=None)


# -- resolving review items ---------------------------------------------------------------


def review_ids(html: str) -> set[str]:
    return set(re.findall(r'<tr id="((?:reply|problem)-\d+)"', html))


async def test_resolving_from_the_page_closes_the_item_and_audits_it(client, store):
    _, csrf = await sign_in(client)
    problem, reply = sorted(await store.list_problems(), key=lambda item: item.kind)
    assert (reply.kind, problem.kind) == ("reply", "problem")
    page = await (await client.get("/?campaign=ua-150-18")).text()
    assert review_ids(page) == {f"reply-{reply.id}", f"problem-{problem.id}"}
    assert "Mark reviewed" in page and "Mark resolved" in page

    response = await client.post("/resolve", allow_redirects=False, data={
        "csrf": csrf, "kind": "reply", "id": str(reply.id), "campaign": "ua-150-18"})
    assert response.status == 303
    assert response.headers["Location"] == "/?campaign=ua-150-18#review"
    page = await (await client.get("/?campaign=ua-150-18")).text()
    assert review_ids(page) == {f"problem-{problem.id}"}
    assert [(item.kind, item.id) for item in await store.list_problems()] == [("problem", problem.id)]
    entry = (await store.audit_log())[0]
    assert (entry.organizer_id, entry.command) == (0, "resolve")
    assert re.fullmatch(rf"dashboard: resolve reply #{reply.id} \(session [0-9a-f]{{8}}\)", entry.detail)

    again = await client.post("/resolve", allow_redirects=False,
                              data={"csrf": csrf, "kind": "reply", "id": str(reply.id)})
    assert again.status == 303 and again.headers["Location"] == "/#review"
    assert re.fullmatch(rf"dashboard: resolve reply #{reply.id} \(was not open\) \(session [0-9a-f]{{8}}\)",
                        (await store.audit_log())[0].detail)


async def test_scripts_resolve_with_the_bearer_token_and_no_csrf(client, store):
    [problem] = [item for item in await store.list_problems() if item.kind == "problem"]
    response = await client.post("/resolve", headers=bearer(), allow_redirects=False,
                                 data={"kind": "problem", "id": str(problem.id)})
    assert response.status == 303
    assert (await store.audit_log())[0].detail == f"dashboard: resolve problem #{problem.id} (bearer token)"


async def test_resolving_needs_the_sessions_csrf_token(make_client, client, store):
    other = await make_client()
    _, other_csrf = await sign_in(other)  # a real token, of another session
    _, csrf = await sign_in(client)
    [reply] = [item for item in await store.list_problems() if item.kind == "reply"]
    audited = len(await store.audit_log())
    for data in ({}, {"csrf": ""}, {"csrf": other_csrf}, {"csrf": csrf + "x"}, {"csrf": "²³"}):
        response = await client.post("/resolve", allow_redirects=False,
                                      data={**data, "kind": "reply", "id": str(reply.id)})
        assert response.status == 403, data
        page = await response.text()
        assert "<h1>Refused</h1>" in page
        assert ">This form is out of date. Reload the dashboard and try again.</p>" in page
    form = {"csrf": csrf, "kind": "reply", "id": str(reply.id)}
    cross_site = await client.post("/resolve", headers={"Sec-Fetch-Site": "cross-site"},
                                   allow_redirects=False, data=form)
    assert cross_site.status == 403
    client.session.cookie_jar.clear()
    signed_out = await client.post("/resolve", allow_redirects=False,
                                   data={"csrf": csrf, "kind": "reply", "id": str(reply.id)})
    assert signed_out.status == 401
    ended = '<p class="error" role="alert">Your session has ended. Sign in again.</p>'
    assert ended in await signed_out.text()
    assert ("reply", reply.id) in [(item.kind, item.id) for item in await store.list_problems()]
    assert len(await store.audit_log()) == audited


@pytest.mark.parametrize(
    ("kind", "item_id"),
    [("reply", "²³"), ("reply", "1" * 19), ("reply", "-1"), ("reply", "1e3"), ("reply", ""),
     ("actions", "1"), ("", "1")],
)
async def test_resolving_refuses_what_is_not_a_review_item(client, store, kind, item_id):
    _, csrf = await sign_in(client)
    response = await client.post("/resolve", allow_redirects=False,
                                 data={"csrf": csrf, "kind": kind, "id": item_id})
    assert response.status == 400
    page = await response.text()
    assert "<h1>Not understood</h1>" in page and ">That is not an item of the review list.</p>" in page
    assert len(await store.list_problems()) == 2


async def test_an_item_id_of_18_digits_is_still_an_id(client, store):
    _, csrf = await sign_in(client)
    response = await client.post("/resolve", allow_redirects=False,
                                 data={"csrf": csrf, "kind": "reply", "id": "9" * 18})
    assert response.status == 303  # looked up (and not found), not refused
    detail = (await store.audit_log())[0].detail
    assert detail.startswith(f"dashboard: resolve reply #{'9' * 18} (was not open)")


async def test_form_fields_sent_as_files_are_not_text(client, store):
    """A multipart form can send any field as a file: it is never taken as text."""
    def upload(**fields):
        form = aiohttp.FormData()
        for name, value in fields.items():
            if isinstance(value, bytes):
                form.add_field(name, value, filename="x.txt")
            else:
                form.add_field(name, value)
        return form

    response = await client.post("/login", data=upload(token=TOKEN.encode()), allow_redirects=False)
    assert response.status == 401
    _, csrf = await sign_in(client)
    [problem] = [item for item in await store.list_problems() if item.kind == "problem"]
    response = await client.post("/resolve", allow_redirects=False, data=upload(
        csrf=csrf, kind="problem", id=str(problem.id), campaign=b"ua-150-18"))
    assert response.status == 303 and response.headers["Location"] == "/#review"


def test_a_token_with_a_lone_surrogate_is_wrong_not_an_error():
    assert not dashboard.token_matches(TOKEN, TOKEN[:-1] + "\udcff")
    assert dashboard.token_matches(TOKEN, TOKEN)


async def test_a_token_is_compared_up_to_its_length_limit(make_client):
    long_token = "t" * dashboard.MAX_GIVEN_TOKEN
    client = await make_client(token=long_token)
    assert (await client.get("/stats.json", headers=bearer(long_token))).status == 200
    assert (await client.get("/stats.json", headers=bearer(long_token + "t"))).status == 401


def test_a_csrf_token_with_a_lone_surrogate_is_wrong_not_an_error():
    session = Session(csrf="a" * 43, tag="0badcafe", expires=0)
    assert not dashboard.csrf_ok(dashboard.Access(session=session), {"csrf": "a\ud800"})
    assert dashboard.csrf_ok(dashboard.Access(session=session), {"csrf": "a" * 43})


# -- cases and officials ------------------------------------------------------------------


async def test_unknown_cases_are_404_in_html_and_json(client):
    for campaign in ("nope", "*", "UA-150-18", "%3Cb%3Ex"):
        page = await client.get(f"/?campaign={campaign}", headers=bearer())
        assert page.status == 404, campaign
        body = await page.text()
        assert "There is no case" in body and "<b>x" not in body
        for route in ("/stats.json", "/export.csv"):
            response = await client.get(f"{route}?campaign={campaign}", headers=bearer())
            assert response.status == 404, (route, campaign)
            assert (await response.json())["error"] == "unknown campaign"
    data = await (await client.get("/stats.json?campaign=nope", headers=bearer())).json()
    assert data == {"error": "unknown campaign", "campaign": "nope"}
    # a catalog case without actions yet, and a case only the action log knows, are fine
    for campaign in ("ua-12-20", "other-case"):
        for route in ("/", "/stats.json", "/export.csv"):
            assert (await client.get(f"{route}?campaign={campaign}", headers=bearer())).status == 200


async def test_the_selector_lists_every_case_by_reference_and_title(client, store):
    body = await (await client.get("/", headers=bearer())).text()
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', body)
    assert options == [
        ("", "All cases"),
        ("ua-12-20", "UA 12.20: a case with no actions yet"),
        ("ua-150-18", "UA 150.18: safe third country"),
        ("ua-99-19", "UA 99.19: another case"),
        ("other-case", "other-case (not in the catalog)"),
    ]
    for campaign, title in TITLES.items():
        page = await (await client.get(f"/?campaign={campaign}", headers=bearer())).text()
        stats = await store.campaign_stats(campaign)
        assert f"<h1>{title}</h1>" in page
        assert f'<option value="{campaign}" selected>' in page
        assert f'id="total-actions">{stats.actions:,}<' in page
        assert f'href="/export.csv?campaign={campaign}"' in page
        rows = list(csv.reader(io.StringIO(await (await client.get(
            f"/export.csv?campaign={campaign}", headers=bearer())).text())))[1:]
        assert len(rows) == len([r async for r in store.export_actions(campaign)])
        assert {r[2] for r in rows} <= {campaign}


async def test_officials_are_shown_by_name_on_the_page_and_in_the_json(make_client, store):
    await store.record_action(ActionReport("ua-150-18", "nobody-known", "email", 1, "done", "en", None,
                                           supporter(1), "k-unknown"))
    client = await make_client()
    body = await (await client.get("/", headers=bearer())).text()
    by_official = body[body.index('id="by-official"'):body.index('id="review"')]
    assert "Luis Videgaray" in by_official and "Alfonso Navarrete Prida" in by_official
    assert "nobody-known (not in the catalog)" in by_official
    assert ">luis-videgaray<" not in body and ">alfonso-navarrete<" not in body
    review = body[body.index('id="review"'):]
    assert "Luis Videgaray" in review and "Alfonso Navarrete Prida" in review
    assert "luis-videgaray" not in review
    assert "UA 150.18: safe third country" in review  # which case, on the all-cases view

    data = await (await client.get("/stats.json", headers=bearer())).json()
    assert data["official_names"] == {"luis-videgaray": "Luis Videgaray",
                                      "alfonso-navarrete": "Alfonso Navarrete Prida", "nobody-known": None}
    assert set(data["official_names"]) == set(data["by_official"])


async def test_signups_are_counted_by_topic_and_region_on_the_page_and_in_the_json(make_client, store):
    names = {"all": "all new cases", "topic:safe-third-country": "Safe third country agreements",
             "region:americas": "Americas"}
    await store.set_signup(1, supporter(1), "en", ["all"])
    await store.set_signup(2, supporter(2), "es", ["region:americas", "topic:gone-topic"])
    client = await make_client(choice_names=names)
    body = await (await client.get("/", headers=bearer())).text()
    section = body[body.index('id="signups-people"'):body.index('id="review"')]
    assert '<span id="signups-people">2</span>' in body
    cells = re.findall(r"<td(?: class=\"n\")?>([^<]*)</td>", section)
    assert cells == ["all new cases", "1", "Safe third country agreements", "0", "Americas", "1",
                     "topic:gone-topic (not in content)", "1"]
    data = await (await client.get("/stats.json", headers=bearer())).json()
    assert data["signups"] == {"people": 2, "by_choice": {
        "all": {"name": "all new cases", "people": 1},
        "topic:safe-third-country": {"name": "Safe third country agreements", "people": 0},
        "region:americas": {"name": "Americas", "people": 1},
        "topic:gone-topic": {"name": "topic:gone-topic (not in content)", "people": 1}}}


# -- figures, CSV, headers ---------------------------------------------------------------


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


async def test_page_shows_escaped_figures_and_has_strict_security_headers(client, store):
    response = await client.get("/?campaign=ua-150-18", headers=bearer())
    assert response.status == 200
    body = await response.text()
    stats = await store.campaign_stats("ua-150-18")
    assert f'id="total-actions">{stats.actions:,}<' in body
    assert f'id="total-supporters">{stats.supporters:,}<' in body
    assert "<svg" in body and 'name="viewport"' in body
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert 'href="/export.csv?campaign=ua-150-18"' in body
    assert "http://" not in body.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in body
    assert "<script" not in body.replace("&lt;script", "")
    assert "<style" not in body and " style=" not in body  # the CSP allows no inline styles
    assert 'name="csrf"' not in body  # no session, no forms (scripts use the Bearer token)
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "style-src 'self'" in csp and "unsafe" not in csp
    assert "script-src" not in csp  # so default-src 'none' forbids every script
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    css = await client.get("/dashboard.css")  # needed by the sign-in page: no token
    assert css.status == 200 and css.headers["Content-Type"].startswith("text/css")
    assert "max-width" in await css.text()


async def test_csv_matches_the_store(client, store):
    response = await client.get("/export.csv", headers=bearer())
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(await response.text())))
    assert rows[0] == list(COLUMNS)
    expected = [row async for row in store.export_actions()]
    assert len(rows) - 1 == len(expected) == 12
    for got, row in zip(rows[1:], expected, strict=True):
        assert got[0] == str(row.id)
        assert got[1] == row.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert got[2:4] + got[5:9] == [row.campaign_id, row.official_id, row.channel, str(row.count),
                                       row.status, row.language]  # fmt: skip
        assert got[4] == OFFICIALS[row.official_id]  # by name too
        assert got[9] == row.supporter
    assert "country" not in rows[0]  # never filled by the bot: the column is gone
    assert not any("HYPERLINK" in cell for r in rows for cell in r)  # the store's country, formula and all

    since = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    part = await client.get(f"/export.csv?campaign=ua-150-18&since={since}", headers=bearer())
    part_rows = list(csv.reader(io.StringIO(await part.text())))[1:]
    expected = [r async for r in store.export_actions("ua-150-18", date.fromisoformat(since))]
    assert [r[0] for r in part_rows] == [str(r.id) for r in expected]
    assert {r[2] for r in part_rows} == {"ua-150-18"}
    bad = await client.get("/export.csv?since=yesterday", headers=bearer())
    assert bad.status == 400
    assert await bad.json() == {"error": "since must be YYYY-MM-DD"}


async def test_the_csv_file_is_named_after_the_case_and_the_utc_day_in_safe_characters(
        client, store, far_from_utc):
    odd = 'ua "ñ"/1.2_x'  # a case id from an imported action log, not from content/
    await store.record_action(ActionReport(
        campaign_id=odd, official_id="luis-videgaray", channel="email", count=1, status="done",
        language="en", country=None, supporter=None, idempotency_key="odd", at=datetime.now(UTC)))
    day = datetime.now(UTC).strftime("%Y%m%d")
    for campaign, name in ((None, f"actions-all-{day}.csv"), ("ua-150-18", f"actions-ua-150-18-{day}.csv"),
                           (odd, f"actions-ua_____1.2_x-{day}.csv")):
        response = await client.get("/export.csv", params={"campaign": campaign} if campaign else {},
                                    headers=bearer())
        assert response.status == 200, campaign
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'


async def test_charts(store):
    stats = await store.campaign_stats()
    png = stats_chart_png(stats, "UA 150.18")
    assert png.startswith(b"\x89PNG")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (800, 400)
    svg = per_day_svg(stats.by_day)
    assert svg.startswith("<svg") and svg.count("<rect") == len(stats.by_day)
    assert "<svg" in per_day_svg([])
