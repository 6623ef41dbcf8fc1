"""The bot's HTTP side: the Telegram webhook, /healthz and /metrics.

The webhook answers Telegram only after the update has been processed (and
persisted). Telegram re-sends an update it got no answer for, and action
reports are idempotent in the store, so an update acknowledged to Telegram is
never lost and never counted twice, even if the process is killed.
"""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.services import Services

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
APPLICATION_KEY = web.AppKey("application", Application)
SERVICES_KEY = web.AppKey("services", Services)
SECRET_KEY = web.AppKey("secret", str)


async def webhook(request: web.Request) -> web.Response:
    secret = request.app[SECRET_KEY]
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return web.Response(status=403, text="forbidden")
    try:
        payload = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return web.Response(status=400, text="not JSON")
    application = request.app[APPLICATION_KEY]
    try:
        if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
            raise ValueError("no update_id")
        update = Update.de_json(payload, application.bot)
    except (ValueError, TypeError, KeyError):  # JSON, but not a Telegram update
        return web.Response(status=400, text="not an update")
    # Through the update processor, so one supporter's updates stay in order;
    # answered only once processed, so an acknowledged update is never lost.
    await application.update_processor.process_update(update, application.process_update(update))
    return web.Response(text="ok")


async def healthz(request: web.Request) -> web.Response:
    services = request.app[SERVICES_KEY]
    checks = {"process": True, "content": bool(services.catalog.campaigns)}
    try:
        checks["database"] = services.store is not None and await services.store.ping()
    except Exception:  # any failure of the database counts as unreachable
        log.warning("health check: database unreachable", exc_info=True)
        checks["database"] = False
    healthy = all(checks.values())
    return web.json_response({"status": "ok" if healthy else "failing", **checks},
                             status=200 if healthy else 503)


async def metrics(request: web.Request) -> web.Response:
    return web.Response(text=request.app[SERVICES_KEY].metrics.render(),
                        content_type="text/plain", charset="utf-8",
                        headers={"X-Content-Type-Options": "nosniff"})


def create_web_app(application: Application, services: Services, webhook_path: str | None = None,
                   secret: str | None = None, monitoring: bool = True) -> web.Application:
    """POST /<webhook_path> when serving a webhook; /healthz and /metrics when
    `monitoring` (keep those off a port a proxy exposes to the internet)."""
    app = web.Application(client_max_size=1024 * 1024)
    app[APPLICATION_KEY] = application
    app[SERVICES_KEY] = services
    if monitoring:
        app.router.add_get("/healthz", healthz)
        app.router.add_get("/metrics", metrics)
    if webhook_path is not None:
        if not secret:
            raise ValueError("a webhook needs a secret token")
        app[SECRET_KEY] = secret
        app.router.add_post(f"/{webhook_path.strip('/')}", webhook)
    return app
