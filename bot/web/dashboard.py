"""The organizers' dashboard: a small web app over the action log.

It shows the figures the Urgent Action network asks for (totals, per day,
per channel and per official), for all cases or one, the review list of
contact problems and official replies, and offers the log as CSV. Its one
write is marking a review item resolved, which goes to the audit log.

Access: one shared token (DASHBOARD_TOKEN, at least `MIN_TOKEN_LENGTH`
characters). Scripts send it as `Authorization: Bearer <token>`; people
sign in once through a form, which opens a server-side session
(`bot.web.dashboard_sessions`): the cookie is a random id, never the token, and
signing out revokes it. Every form a session posts carries that session's
CSRF token. Wrong tokens, in the header or the form, are counted per client
(`bot.web.dashboard_throttle`); behind a trusted proxy the client is the
forwarded address (`bot.web.dashboard_proxy`). Everything is served from this
app (no CDN, fonts or scripts; the stylesheet is a file here), so the
Content-Security-Policy allows nothing inline.

Audit: the web has no Telegram id, so the dashboard's rows in the audit log
carry organizer id `WEB_ORGANIZER_ID` (0) and say in their detail that they
came from the dashboard and from which session (a random tag, not the id).

Bind it to 127.0.0.1 (the default) and reach it through a reverse proxy
with TLS or an SSH tunnel.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from aiohttp import web
from markupsafe import Markup

from bot.broadcasts.announcement import signup_rows
from bot.store import ReviewItem, Store, open_store_at
from bot.store.charts import per_day_svg
from bot.store.export import csv_chunks
from bot.web.dashboard_proxy import Network, ProxyPolicy
from bot.web.dashboard_sessions import Session, SessionTable
from bot.web.dashboard_throttle import FailureThrottle, client_key

COOKIE = "dashboard_session"
MIN_TOKEN_LENGTH = 16
MAX_GIVEN_TOKEN = 1024  # longer tokens are wrong without being compared
FAILED_ATTEMPT_DELAY = 0.5  # seconds on each wrong token: barely noticed by a person
WEB_ORGANIZER_ID = 0  # organizer id of audit rows written from the web (no Telegram id there)
MAX_ITEM_ID_DIGITS = 18  # fits a signed 64-bit column
REVIEW_LIMIT = 50
STYLESHEET = "/dashboard.css"
PAGE_ROUTES = ("/", "/login", "/logout", "/resolve")  # refusals there are pages, elsewhere JSON
RESOLVED_WORD = {"problem": "resolved", "reply": "reviewed"}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

HERE = Path(__file__).parent
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Dashboard:
    """Everything the handlers share: the store, the token, the catalog's
    names for cases and officials, and the in-memory security state."""

    store: Store
    token: str
    campaign_titles: Mapping[str, str]  # id -> "UA 150.18: title"
    official_names: Mapping[str, str]  # id -> name
    sessions: SessionTable
    throttle: FailureThrottle
    proxy: ProxyPolicy
    failure_delay: float
    # sign-up choice ("all", "topic:<id>", "region:<id>") -> name, in the order offered
    choice_names: Mapping[str, str] = field(default_factory=dict)

    def campaign_label(self, campaign_id: str) -> str:
        return self.campaign_titles.get(campaign_id) or f"{campaign_id} (not in the catalog)"

    def official_label(self, official_id: str) -> str:
        return self.official_names.get(official_id) or f"{official_id} (not in the catalog)"


STATE = web.AppKey("dashboard", Dashboard)


def check_token(token: str | None) -> str:
    """The token, or a one-line error naming the setting: an empty or short
    token would open the dashboard to anyone who guesses."""
    if not token or not token.strip():
        raise ValueError("the dashboard needs a token: set DASHBOARD_TOKEN to a long random string")
    token = token.strip()
    if len(token) < MIN_TOKEN_LENGTH:
        raise ValueError(f"DASHBOARD_TOKEN: too short (use at least {MIN_TOKEN_LENGTH} characters, "
                         "e.g. from `openssl rand -hex 32`)")
    return token


# -- authentication -------------------------------------------------------------


class TooManyAttempts(Exception):
    """This client failed too often; refused until `retry_after` seconds pass."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Access:
    """Who is asking: a script with the token, or a signed-in browser (`session`)."""

    session: Session | None


def token_matches(token: str, given: str) -> bool:
    """Constant time over the whole token; never raises, whatever bytes a header held."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), token.encode())


async def token_attempt(request: web.Request, given: str) -> bool:
    """Compare a presented token, counting a wrong one against the client.

    The throttle is asked and told in one step, with no await between, so
    concurrent requests cannot all slip past the limit before any counts.
    """
    state = request.app[STATE]
    client = client_key(state.proxy.client_address(request))
    wait = state.throttle.retry_after(client)
    if wait:
        raise TooManyAttempts(wait)
    if len(given) <= MAX_GIVEN_TOKEN and token_matches(state.token, given):
        return True
    state.throttle.failed(client)
    await asyncio.sleep(state.failure_delay)
    return False


async def authenticate(request: web.Request) -> Access | None:
    """A Bearer header is the token (and is checked, throttled, whatever else
    comes with it); otherwise the session cookie."""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return Access(session=None) if await token_attempt(request, given.strip()) else None
    session = request.app[STATE].sessions.find(request.cookies.get(COOKIE))
    return Access(session=session) if session else None


def csrf_ok(access: Access, form: Mapping) -> bool:
    """Bearer requests need none (a browser never adds that header by itself);
    a session's form must send back that session's token."""
    if access.session is None:
        return True
    given = form.get("csrf")
    return isinstance(given, str) and hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), access.session.csrf.encode())


# -- responses -------------------------------------------------------------------


def wants_page(request: web.Request) -> bool:
    return request.path in PAGE_ROUTES


def render(template_context: dict, status: int = 200,
           headers: Mapping[str, str] | None = None) -> web.Response:
    html = TEMPLATES.get_template("dashboard_page.html.j2").render(**template_context)
    return web.Response(text=html, content_type="text/html", charset="utf-8", status=status,
                        headers=headers)


def redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def login_form(error: str | None = None, status: int = 200, headers: Mapping[str, str] | None = None
               ) -> web.Response:
    return render({"mode": "login", "error": error}, status=status, headers=headers)


def message_page(title: str, text: str, status: int) -> web.Response:
    return render({"mode": "message", "heading": title, "message": text}, status=status)


def json_error(message: str, status: int, **extra: object) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)


def unauthorized(request: web.Request) -> web.Response:
    if wants_page(request):
        return login_form(status=401)
    return web.json_response(
        {"error": "unauthorized"},
        status=401,
        headers={"WWW-Authenticate": 'Bearer realm="advocacy-bot dashboard"'},
    )


def too_many_attempts(request: web.Request, retry_after: int) -> web.Response:
    headers = {"Retry-After": str(retry_after)}
    if wants_page(request):
        minutes = max(1, round(retry_after / 60))
        return login_form(f"Too many wrong tokens from your address. Try again in {minutes} "
                          f"minute{'s' if minutes != 1 else ''}.", status=429, headers=headers)
    return web.json_response({"error": "too many failed attempts", "retry_after": retry_after},
                             status=429, headers=headers)


def unknown_campaign(request: web.Request, campaign: str) -> web.Response:
    if wants_page(request):
        return message_page("No such case", f"There is no case “{campaign[:100]}”. "
                            "Choose one from the list on the dashboard.", status=404)
    return json_error("unknown campaign", 404, campaign=campaign[:100])


def page_url(campaign: str | None, fragment: str = "") -> str:
    return "/" + (f"?{urlencode({'campaign': campaign})}" if campaign else "") + fragment


# -- middleware --------------------------------------------------------------------


@web.middleware
async def refuse_cross_site_posts(request: web.Request, handler: Callable) -> web.StreamResponse:
    """Defence in depth beside the CSRF token: browsers say where a form came
    from in Sec-Fetch-Site, which page scripts cannot set. Requests without
    it (scripts, old browsers) rely on the token alone."""
    site = request.headers.get("Sec-Fetch-Site", "same-origin")
    if request.method == "POST" and site not in ("same-origin", "none"):
        return message_page("Refused", "Forms can only be sent from the dashboard itself.", status=403)
    return await handler(request)


@web.middleware
async def refuse_locked_out_clients(request: web.Request, handler: Callable) -> web.StreamResponse:
    try:
        return await handler(request)
    except TooManyAttempts as refused:
        return too_many_attempts(request, refused.retry_after)


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


# -- pages -------------------------------------------------------------------------


def selected_campaign(request: web.Request) -> str | None:
    return request.query.get("campaign", "").strip() or None


async def known_campaign(state: Dashboard, campaign: str, in_store: Iterable[str] | None = None) -> bool:
    """A case of the catalog, or one the action log has actions for."""
    if campaign in state.campaign_titles:
        return True
    if in_store is None:
        in_store = (await state.store.campaign_stats()).campaigns
    return campaign in in_store


def campaign_options(state: Dashboard, in_store: Iterable[str]) -> list[tuple[str, str]]:
    """Every case by reference and title (the catalog's, in their order),
    then cases only the action log knows."""
    catalog = sorted(state.campaign_titles.items(), key=lambda item: item[1])
    extra = sorted(set(in_store) - set(state.campaign_titles))
    return catalog + [(c, state.campaign_label(c)) for c in extra]


@dataclass(frozen=True)
class ReviewRow:
    item: ReviewItem
    what: str
    official: str
    campaign: str


def review_rows(state: Dashboard, items: list[ReviewItem]) -> list[ReviewRow]:
    return [
        ReviewRow(
            item=item,
            what="reply" if item.kind == "reply" else f"{item.channel} {item.problem}",
            official=state.official_label(item.official_id),
            campaign=state.campaign_label(item.campaign_id),
        )
        for item in items
    ]


async def index(request: web.Request) -> web.Response:
    access = await authenticate(request)
    if access is None:
        return unauthorized(request)
    state = request.app[STATE]
    campaign = selected_campaign(request)
    stats = await state.store.campaign_stats(campaign)
    if campaign and not await known_campaign(state, campaign, stats.campaigns):
        return unknown_campaign(request, campaign)
    signups = await state.store.signup_counts()
    items = await state.store.list_problems(open_only=True, limit=REVIEW_LIMIT, campaign_id=campaign)
    query = f"?{urlencode({'campaign': campaign})}" if campaign else ""
    return render(
        {
            "mode": "dashboard",
            "heading": state.campaign_label(campaign) if campaign else "All cases",
            "campaigns": campaign_options(state, stats.campaigns),
            "selected": campaign,
            "stats": stats,
            "by_official": [(state.official_label(o), n) for o, n in stats.by_official.items()],
            "chart": Markup(per_day_svg(stats.by_day)),  # numbers and dates only
            "review": review_rows(state, items),
            "signups": signups,
            "signup_rows": signup_rows(signups, dict(state.choice_names)),
            "resolved_word": RESOLVED_WORD,
            "csrf": access.session.csrf if access.session else None,
            "csv_url": "/export.csv" + query,
            "json_url": "/stats.json" + query,
            "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        }
    )


async def stats_json(request: web.Request) -> web.Response:
    if await authenticate(request) is None:
        return unauthorized(request)
    state = request.app[STATE]
    campaign = selected_campaign(request)
    stats = await state.store.campaign_stats(campaign)
    if campaign and not await known_campaign(state, campaign, stats.campaigns):
        return unknown_campaign(request, campaign)
    data = asdict(stats)
    data["today"] = stats.today.isoformat()
    data["by_day"] = [[day.isoformat(), n] for day, n in stats.by_day]
    data["official_names"] = {o: state.official_names.get(o) for o in stats.by_official}
    signups = await state.store.signup_counts()
    rows = signup_rows(signups, dict(state.choice_names))
    data["signups"] = {"people": signups.people,
                       "by_choice": {choice: {"name": name, "people": n} for choice, name, n in rows}}
    return web.json_response(data, dumps=lambda value: json.dumps(value, sort_keys=True))


async def export_csv(request: web.Request) -> web.StreamResponse:
    if await authenticate(request) is None:
        return unauthorized(request)
    state = request.app[STATE]
    since_text = request.query.get("since", "").strip()
    try:
        since = date.fromisoformat(since_text) if since_text else None
    except ValueError:
        return json_error("since must be YYYY-MM-DD", 400)
    campaign = selected_campaign(request)
    if campaign and not await known_campaign(state, campaign):
        return unknown_campaign(request, campaign)
    name = f"actions-{campaign or 'all'}-{datetime.now(UTC):%Y%m%d}.csv"
    safe_name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{safe_name}"',
        }
    )
    await response.prepare(request)
    async for chunk in csv_chunks(state.store, campaign, since, state.official_names):
        await response.write(chunk.encode())
    await response.write_eof()
    return response


async def resolve(request: web.Request) -> web.Response:
    """Mark a reply reviewed or a problem resolved, from the review list's form."""
    form = await request.post()
    access = await authenticate(request)
    if access is None:
        return login_form("Your session has ended. Sign in again.", status=401)
    if not csrf_ok(access, form):
        return message_page("Refused", "This form is out of date. Reload the dashboard and try again.",
                            status=403)
    kind, item_id = form.get("kind"), form.get("id")
    if (kind not in RESOLVED_WORD or not isinstance(item_id, str) or not item_id.isascii()
            or not item_id.isdigit() or len(item_id) > MAX_ITEM_ID_DIGITS):
        return message_page("Not understood", "That is not an item of the review list.", status=400)
    state = request.app[STATE]
    done = await state.store.resolve_problem(int(item_id), kind)
    who = f"session {access.session.tag}" if access.session else "bearer token"
    detail = f"dashboard: resolve {kind} #{int(item_id)}{'' if done else ' (was not open)'} ({who})"
    await state.store.audit(WEB_ORGANIZER_ID, "resolve", detail)
    back = form.get("campaign")
    return redirect(page_url(back if isinstance(back, str) and back else None, "#review"))


async def stylesheet(request: web.Request) -> web.Response:
    return web.Response(text=(HERE / "dashboard.css").read_text(), content_type="text/css", charset="utf-8")


async def login_page(request: web.Request) -> web.Response:
    if request.app[STATE].sessions.find(request.cookies.get(COOKIE)):
        return redirect("/")
    return login_form()


async def login_submit(request: web.Request) -> web.Response:
    form = await request.post()
    given = form.get("token")
    if not await token_attempt(request, given.strip() if isinstance(given, str) else ""):
        return login_form("That token is not right.", status=401)
    state = request.app[STATE]
    state.sessions.revoke(request.cookies.get(COOKIE))
    session_id, session = state.sessions.open()
    await state.store.audit(WEB_ORGANIZER_ID, "sign_in", f"dashboard: sign in (session {session.tag})")
    response = redirect("/")
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=int(state.sessions.lifetime),
        path="/",
        httponly=True,
        samesite="Strict",
        secure=state.proxy.is_https(request),
    )
    return response


async def logout(request: web.Request) -> web.Response:
    """Revoke the session server-side: a copy of the cookie stops working too."""
    form = await request.post()
    state = request.app[STATE]
    cookie = request.cookies.get(COOKIE)
    session = state.sessions.find(cookie)
    if session is not None:
        if not csrf_ok(Access(session=session), form):
            return message_page("Refused", "This form is out of date. Reload the dashboard and try again.",
                                status=403)
        state.sessions.revoke(cookie)
        await state.store.audit(WEB_ORGANIZER_ID, "sign_out", f"dashboard: sign out (session {session.tag})")
    response = redirect("/login")
    response.del_cookie(COOKIE, path="/")
    return response


def create_app(
    store: Store,
    token: str,
    campaign_titles: Mapping[str, str] | None = None,
    official_names: Mapping[str, str] | None = None,
    *,
    trusted_proxies: Iterable[str | Network] = (),
    failure_delay: float = FAILED_ATTEMPT_DELAY,
    throttle: FailureThrottle | None = None,
    sessions: SessionTable | None = None,
    choice_names: Mapping[str, str] | None = None,
) -> web.Application:
    """The dashboard over an open store (which the caller keeps and closes).

    `campaign_titles` and `official_names` come from the catalog (id ->
    "reference: title", id -> name). `trusted_proxies` are the addresses or
    networks whose X-Forwarded-For/-Proto are believed (DASHBOARD_TRUSTED_PROXY).
    `choice_names` names the sign-up choices (`bot.broadcasts.announcement.choice_names`).
    """
    app = web.Application(middlewares=[refuse_cross_site_posts, refuse_locked_out_clients])
    app[STATE] = Dashboard(
        store=store,
        token=check_token(token),
        campaign_titles=dict(campaign_titles or {}),
        official_names=dict(official_names or {}),
        sessions=SessionTable() if sessions is None else sessions,
        throttle=FailureThrottle() if throttle is None else throttle,
        proxy=ProxyPolicy(trusted_proxies),
        failure_delay=failure_delay,
        choice_names=dict(choice_names or {}),
    )
    app.on_response_prepare.append(add_security_headers)
    app.add_routes(
        [
            web.get("/", index),
            web.get("/stats.json", stats_json),
            web.get("/export.csv", export_csv),
            web.get(STYLESHEET, stylesheet),
            web.get("/login", login_page),
            web.post("/login", login_submit),
            web.post("/logout", logout),
            web.post("/resolve", resolve),
        ]
    )
    return app


def run_dashboard(
    store_path: str | os.PathLike[str],  # or a DATABASE_URL
    token: str,
    host: str = "127.0.0.1",
    port: int = 8080,
    campaign_titles: Mapping[str, str] | None = None,
    official_names: Mapping[str, str] | None = None,
    trusted_proxies: Iterable[str | Network] = (),
    key_file: str | os.PathLike[str] | None = None,
    choice_names: Mapping[str, str] | None = None,
) -> None:
    """Serve the dashboard until interrupted (opens its own store connection;
    `key_file` opens the texts supporters typed, see `bot.store.keyring`)."""
    check_token(token)
    trusted = tuple(trusted_proxies)

    async def make_app() -> web.Application:
        store = await open_store_at(store_path, key_file=key_file)  # a SQLite path or a DATABASE_URL
        app = create_app(store, token, campaign_titles, official_names, trusted_proxies=trusted,
                         choice_names=choice_names)

        async def close_store(_: web.Application) -> None:
            await store.close()

        app.on_cleanup.append(close_store)
        return app

    web.run_app(make_app(), host=host, port=port, print=None)

