"""A Bot API server on loopback, for tests that run the real `advocacy-bot run`
process over real HTTP (python-telegram-bot's own HTTPX transport).

It answers with the in-memory Bot API's logic (bot.bot_api.transport) and adds what
only a server needs: getUpdates long polling from a queue, and the webhook
registration. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket

from aiohttp import web

from bot.bot_api.transport import InMemoryBotAPI

STRUCTURED = {"reply_markup", "allowed_updates", "link_preview_options", "entities", "commands"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeBotApi:
    def __init__(self) -> None:
        self.api = InMemoryBotAPI()
        self.updates: list[dict] = []
        self.new_update = asyncio.Event()
        self.delay: dict[str, float] = {}  # seconds to hold the answer, by method
        self.hold: set[int] = set()  # chats whose calls get no answer until `release` (never recorded)
        self.delivered: set[int] = set()  # update ids getUpdates has returned
        self._held: set[asyncio.Future] = set()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def push(self, update: dict) -> None:
        self.updates.append(update)
        self.new_update.set()

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, files = {}, {}
        if request.content_type == "application/json":
            params = await request.json()
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = (value.filename, value.file.read(), value.content_type)
                else:
                    params[key] = json.loads(value) if key in STRUCTURED else value
        if str(params.get("chat_id")) in {str(chat) for chat in self.hold}:
            held = asyncio.get_running_loop().create_future()
            self._held.add(held)
            await held  # cancelled by `release`: the call fails, as if Telegram never answered
        if method in self.delay:
            await asyncio.sleep(self.delay[method])
        if method == "getUpdates":
            return await self._get_updates(params)
        code, body = self.api.answer(method, params, files)
        return web.Response(status=code, body=body, content_type="application/json")

    def release(self) -> None:
        """Stop holding chats; the calls held so far fail (their bot is gone)."""
        self.hold.clear()
        for held in self._held:
            held.cancel()
        self._held.clear()

    async def _get_updates(self, params: dict) -> web.Response:
        offset = int(params.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:
            self.new_update.clear()
            with contextlib.suppress(TimeoutError):
                wait = min(float(params.get("timeout") or 0), 1.0)
                await asyncio.wait_for(self.new_update.wait(), timeout=wait)
        batch = self.updates[:int(params.get("limit") or 100)]
        self.delivered.update(u["update_id"] for u in batch)
        return web.json_response({"ok": True, "result": batch})

    async def start(self) -> FakeBotApi:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        self.port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
