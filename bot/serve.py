"""Run the bot against Telegram until SIGTERM or SIGINT, by long polling or
by webhook, with /healthz and /metrics beside it. SIGHUP reloads content.

Stopping is graceful: the HTTP server stops taking requests and finishes the
ones in hand, python-telegram-bot finishes the updates it is processing,
persistence is written, the store closed, and the process exits 0. A crash
loses no update either: the webhook answers Telegram once an update is
handled, and the poller (bot/chat/polling.py) confirms one only then.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.catalog import ContentError
from bot.chat.polling import ConfirmingPoller
from bot.runtime import reload_content
from bot.services import Services
from bot.web.web_server import create_web_app

log = logging.getLogger(__name__)
# Only what the bot answers: no edits, no channel posts, no group membership news.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
PID_FILE = "advocacy-bot.pid"  # in the data folder


@dataclass(frozen=True)
class ServeOptions:
    webhook_url: str | None = None
    listen: str = "127.0.0.1"
    port: int = 8443
    health_port: int | None = None
    drop_pending_updates: bool = False


def _stop_event() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


def reload_on_signal(services: Services) -> None:
    """SIGHUP (sent by `advocacy-bot reload`, or `kill -HUP`): content is read
    again, after the same checks as `check`; on a problem the running content
    stays and the problems are logged."""
    try:
        catalog = reload_content(services)
    except ContentError as error:
        log.error("content not reloaded (%d problems); the running content stays:\n%s",
                  len(error.problems), error)
        return
    log.info("content reloaded: %s", catalog.summary())


def pid_file(services: Services) -> Path:
    """Where the running bot says who it is, for `advocacy-bot reload`."""
    return services.settings.data_dir / PID_FILE


async def _start_site(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, shutdown_timeout=30)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


async def serve(application: Application, services: Services, options: ServeOptions,
                stop: asyncio.Event | None = None) -> None:
    """Serve until `stop` is set (default: until SIGTERM or SIGINT)."""
    stop = stop or _stop_event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, reload_on_signal, services)
    pid = pid_file(services)
    pid.parent.mkdir(parents=True, exist_ok=True)
    pid.write_text(f"{os.getpid()}\n", encoding="ascii")
    await application.initialize()
    await application.post_init(application)
    await application.start()
    runners: list[web.AppRunner] = []
    poller: ConfirmingPoller | None = None
    try:
        if options.health_port:  # monitoring on its own port, never the public one
            runners.append(await _start_site(create_web_app(application, services), options.listen,
                                             options.health_port))
        if options.webhook_url:
            secret = secrets.token_urlsafe(32)
            path = urlparse(options.webhook_url).path.strip("/") or "telegram"
            app = create_web_app(application, services, path, secret, monitoring=not options.health_port)
            runners.append(await _start_site(app, options.listen, options.port))
            await application.bot.set_webhook(options.webhook_url, secret_token=secret,
                                              allowed_updates=ALLOWED_UPDATES,
                                              drop_pending_updates=options.drop_pending_updates)
            log.info("webhook registered; listening on %s:%d", options.listen, options.port)
        else:  # our own poller: an update is confirmed to Telegram only once handled
            poller = ConfirmingPoller(application, services.store, ALLOWED_UPDATES)
            await poller.start(drop_pending_updates=options.drop_pending_updates)
            log.info("polling Telegram for updates")
        await stop.wait()
        log.info("stopping")
    finally:
        services.stopping.set()  # broadcasts pause at a resumable point
        for runner in runners:
            await runner.cleanup()  # in-flight webhook requests finish first
        if poller is not None:
            await poller.stop_fetching()
        await application.stop()  # waits for updates in hand, writes persistence
        if poller is not None:
            await poller.finish()  # the handled update id kept and confirmed to Telegram
        await application.shutdown()
        await application.post_shutdown(application)
        pid.unlink(missing_ok=True)
