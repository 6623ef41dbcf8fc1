"""The organizers' dashboard: a small read-only web app over the action log.

It shows the figures the Urgent Action network asks for (totals, per day,
per channel and per official), the review list of contact problems and
official replies, and offers the log as CSV. It never writes.

Access: one shared token (DASHBOARD_TOKEN). Scripts send it as
`Authorization: Bearer <token>`; people sign in once through a form, which
sets a session cookie. The cookie never holds the token itself but an expiry
time and an HMAC of it keyed with the token, so it stops working when it
expires or when the token is changed. Everything is served from this app
(no CDN, fonts or scripts), so the Content-Security-Policy can be strict.

Bind it to 127.0.0.1 (the default) and reach it through a reverse proxy
with TLS or an SSH tunnel.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import time
from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from aiohttp import web
from markupsafe import Markup

from bot.charts import per_day_svg
from bot.export import csv_chunks
from bot.store import Store, open_store_at

COOKIE = "dashboard_session"
SESSION_SECONDS = 12 * 3600
FAILED_LOGIN_DELAY = 0.5  # seconds: slows down guessing, barely noticed by a person
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

STORE_KEY = web.AppKey("store", Store)
TOKEN_KEY = web.AppKey("token", str)
TITLES_KEY = web.AppKey("campaign_titles", dict)
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def check_token(token: str | None) -> str:
    """The token, or a clear error: an empty token would open the dashboard to anyone."""
    if not token or not token.strip():
        raise ValueError("the dashboard needs a token: set DASHBOARD_TOKEN to a long random string")
    return token


# -- authentication -------------------------------------------------------------


def session_value(token: str, expires: int) -> str:
    mac = hmac.new(token.encode(), f"dashboard-session:{expires}".encode(), hashlib.sha256)
    return f"{expires}.{mac.hexdigest()}"


def valid_session(token: str, value: str | None, now: float | None = None) -> bool:
    if not value or "." not in value:
        return False
    expires, _ = value.split(".", 1)
    if not expires.isdigit() or int(expires) < (time.time() if now is None else now):
        return False
    return hmac.compare_digest(value.encode(), session_value(token, int(expires)).encode())


def token_matches(token: str, given: str) -> bool:
    return hmac.compare_digest(given.encode(), token.encode())


def authorized(request: web.Request) -> bool:
    token = request.app[TOKEN_KEY]
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return token_matches(token, header[len("Bearer ") :].strip())
    return valid_session(token, request.cookies.get(COOKIE))


def unauthorized_json() -> web.Response:
    return web.json_response(
        {"error": "unauthorized"},
        status=401,
        headers={"WWW-Authenticate": 'Bearer realm="advocacy-bot dashboard"'},
    )


# -- pages -------------------------------------------------------------------------


def render(template_context: dict, status: int = 200) -> web.Response:
    html = TEMPLATES.get_template("dashboard_page.html.j2").render(**template_context)
    return web.Response(text=html, content_type="text/html", charset="utf-8", status=status)


def redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def login_form(error: str | None = None, status: int = 200) -> web.Response:
    return render({"login": True, "error": error}, status=status)


def selected_campaign(request: web.Request) -> str | None:
    return request.query.get("campaign", "").strip() or None


async def index(request: web.Request) -> web.Response:
    if not authorized(request):
        return login_form(status=401)
    store = request.app[STORE_KEY]
    titles = request.app[TITLES_KEY]
    campaign = selected_campaign(request)
    stats = await store.campaign_stats(campaign)
    problems = await store.list_problems(open_only=True, limit=50, campaign_id=campaign)
    known = sorted(set(stats.campaigns) | set(titles) | ({campaign} if campaign else set()))
    return render(
        {
            "login": False,
            "heading": titles.get(campaign, campaign) if campaign else "All campaigns",
            "campaigns": [(c, titles.get(c, c)) for c in known],
            "selected": campaign,
            "stats": stats,
            "chart": Markup(per_day_svg(stats.by_day)),  # numbers and dates only
            "problems": problems,
            "csv_url": "/export.csv" + (f"?{urlencode({'campaign': campaign})}" if campaign else ""),
            "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        }
    )


async def stats_json(request: web.Request) -> web.Response:
    if not authorized(request):
        return unauthorized_json()
    stats = await request.app[STORE_KEY].campaign_stats(selected_campaign(request))
    data = asdict(stats)
    data["today"] = stats.today.isoformat()
    data["by_day"] = [[day.isoformat(), n] for day, n in stats.by_day]
    return web.json_response(data, dumps=lambda value: json.dumps(value, sort_keys=True))


async def export_csv(request: web.Request) -> web.StreamResponse:
    if not authorized(request):
        return unauthorized_json()
    since_text = request.query.get("since", "").strip()
    try:
        since = date.fromisoformat(since_text) if since_text else None
    except ValueError:
        return web.json_response({"error": "since must be YYYY-MM-DD"}, status=400)
    campaign = selected_campaign(request)
    name = f"actions-{campaign or 'all'}-{datetime.now(UTC):%Y%m%d}.csv"
    safe_name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{safe_name}"',
        }
    )
    await response.prepare(request)
    async for chunk in csv_chunks(request.app[STORE_KEY], campaign, since):
        await response.write(chunk.encode())
    await response.write_eof()
    return response


async def login_page(request: web.Request) -> web.Response:
    if authorized(request):
        return redirect("/")
    return login_form()


async def login_submit(request: web.Request) -> web.Response:
    form = await request.post()
    given = form.get("token", "")
    if not isinstance(given, str) or not token_matches(request.app[TOKEN_KEY], given):
        await asyncio.sleep(FAILED_LOGIN_DELAY)
        return login_form("That token is not right.", status=401)
    expires = int(time.time()) + SESSION_SECONDS
    response = redirect("/")
    response.set_cookie(
        COOKIE,
        session_value(request.app[TOKEN_KEY], expires),
        max_age=SESSION_SECONDS,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=request.secure,
    )
    return response


async def logout(request: web.Request) -> web.Response:
    response = redirect("/login")
    response.del_cookie(COOKIE, path="/")
    return response


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


def create_app(store: Store, token: str, campaign_titles: Mapping[str, str] | None = None) -> web.Application:
    """The dashboard over an open store (which the caller keeps and closes)."""
    app = web.Application()
    app[STORE_KEY] = store
    app[TOKEN_KEY] = check_token(token)
    app[TITLES_KEY] = dict(campaign_titles or {})
    app.on_response_prepare.append(add_security_headers)
    app.add_routes(
        [
            web.get("/", index),
            web.get("/stats.json", stats_json),
            web.get("/export.csv", export_csv),
            web.get("/login", login_page),
            web.post("/login", login_submit),
            web.get("/logout", logout),
            web.post("/logout", logout),
        ]
    )
    return app


def run_dashboard(
    store_path: str | os.PathLike[str],  # or a DATABASE_URL
    token: str,
    host: str = "127.0.0.1",
    port: int = 8080,
    campaign_titles: Mapping[str, str] | None = None,
) -> None:
    """Serve the dashboard until interrupted (opens its own store connection)."""
    check_token(token)

    async def make_app() -> web.Application:
        store = await open_store_at(store_path)  # a SQLite path or a DATABASE_URL
        app = create_app(store, token, campaign_titles)

        async def close_store(_: web.Application) -> None:
            await store.close()

        app.on_cleanup.append(close_store)
        return app

    web.run_app(make_app(), host=host, port=port, print=None)
