"""Serving Telegram for real: the webhook (secret checked), /healthz and
/metrics, a graceful SIGTERM, and a SIGKILL in the middle of reports.

The bot talks to a Bot API server on loopback (tests/fake_bot_api.py) over
python-telegram-bot's own HTTP transport; subprocess tests run the real
`advocacy-bot run` command."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.chat.app import build_application
from bot.core.identity import supporter_key
from bot.serve import ServeOptions, serve
from bot.store.keyring import Keyring
from bot.web.web_server import SECRET_HEADER
from tests.conftest import ROOT
from tests.fake_bot_api import FakeBotApi, free_port

TOKEN = "123456:TEST-TOKEN"
USER = {"id": 4242, "is_bot": False, "first_name": "Ana", "language_code": "en"}
CHAT = {"id": 4242, "type": "private", "first_name": "Ana"}


def message_update(update_id: int, text: str) -> dict:
    command = text.split()[0]
    entities = [{"type": "bot_command", "offset": 0, "length": len(command)}] if text[0] == "/" else []
    return {"update_id": update_id, "message": {"message_id": update_id, "date": 1_537_000_000, "chat": CHAT,
                                                "from": USER, "text": text, "entities": entities}}


def report_update(update_id: int, supporter: int) -> dict:
    """Supporter `supporter` presses "Sent" under the report prompt in their chat."""
    chat = {"id": supporter, "type": "private", "first_name": "S"}
    prompt = {"message_id": 1, "date": 1_537_000_000, "chat": chat, "text": "Did you send it?"}
    return {"update_id": update_id, "callback_query": {
        "id": str(update_id), "from": {"id": supporter, "is_bot": False, "first_name": "S"},
        "chat_instance": str(supporter), "message": prompt,
        "data": "rep:d:ua-150-18:luis-videgaray:email:es"}}


@pytest.fixture
async def fake_api():
    server = await FakeBotApi().start()
    yield server
    await server.stop()


async def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.05)


async def test_webhook_answers_the_right_secret_and_refuses_others(services, fake_api):
    application = build_application(services, token=TOKEN, base_url=fake_api.base_url)
    port = free_port()
    stop = asyncio.Event()
    options = ServeOptions(webhook_url=f"https://bot.example.org/hook/{port}", listen="127.0.0.1", port=port)
    task = asyncio.create_task(serve(application, services, options, stop))
    await wait_for(lambda: fake_api.api.webhook is not None)
    secret = fake_api.api.webhook["secret_token"]
    assert len(secret) >= 32 and fake_api.api.webhook["drop_pending_updates"] is False
    url = f"http://127.0.0.1:{port}/hook/{port}"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=message_update(1, "/start"), headers={SECRET_HEADER: "wrong"}) as resp:
            assert resp.status == 403
        async with http.post(url, json=message_update(2, "/start")) as resp:
            assert resp.status == 403
        assert not [c for c in fake_api.api.calls if c.method == "sendMessage"]
        for not_an_update in ([1, 2], {"hello": "world"}, {"update_id": "7"}, "text", 42):
            async with http.post(url, json=not_an_update, headers={SECRET_HEADER: secret}) as resp:
                assert (resp.status, await resp.text()) == (400, "not an update"), not_an_update
        async with http.post(url, json=message_update(3, "/start"), headers={SECRET_HEADER: secret}) as resp:
            assert resp.status == 200
        (greeting,) = [c for c in fake_api.api.calls if c.method == "sendMessage"]
        assert greeting.text.startswith("Hello, Ana!")
        async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
            assert resp.status == 200
            assert await resp.json() == {"status": "ok", "process": True, "content": True, "database": True}
        async with http.get(f"http://127.0.0.1:{port}/metrics") as resp:
            metrics = await resp.text()
    assert 'advocacy_updates_total{type="message"} 1' in metrics
    assert "advocacy_update_seconds_count 1" in metrics
    stop.set()
    await task


def _bot_process(tmp_path: Path, fake_api: FakeBotApi, *args: str) -> subprocess.Popen:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake_api.base_url,
           "DATABASE_PATH": str(tmp_path / "data/bot.sqlite3"), "CONTENT_DIR": str(ROOT / "content"),
           "SEEDS_DIR": str(ROOT / "seeds"), "SUPPORTER_ID_SECRET": "s" * 32, "LOG_FORMAT": "json"}
    # Output to a file, not a pipe: a pipe nobody reads fills up and blocks the bot.
    with open(tmp_path / "bot.log", "a") as log:
        return subprocess.Popen([sys.executable, "-m", "bot", "run", *args], env=env, cwd=tmp_path,
                                stdout=log, stderr=log, text=True)


async def _exit_code(process: subprocess.Popen, timeout: float = 30.0) -> int:
    return await asyncio.wait_for(asyncio.to_thread(process.wait), timeout)


async def test_sigterm_finishes_the_update_in_hand_and_exits_0(tmp_path, fake_api):
    health = free_port()
    process = _bot_process(tmp_path, fake_api, "--health-port", str(health))
    try:
        fake_api.push(message_update(1, "/start"))
        await wait_for(lambda: any(c.method == "sendMessage" for c in fake_api.api.calls))
        fake_api.delay["sendMessage"] = 2.0  # the next answer is slow to go out...
        fake_api.push(message_update(2, "/language"))
        await asyncio.sleep(0.8)  # ...and SIGTERM arrives while it is in hand
        process.send_signal(signal.SIGTERM)
        assert await _exit_code(process) == 0
    finally:
        process.kill()
    texts = [c.text for c in fake_api.api.calls if c.method == "sendMessage"]
    assert texts[-1] == "Choose your language / Elige tu idioma"
    logged = (tmp_path / "bot.log").read_text()
    assert '"message": "stopping"' in logged
    assert "Ana" not in logged and "4242" not in logged  # no names, no Telegram ids in the logs


async def test_sigkill_during_reports_loses_no_acknowledged_report(tmp_path, fake_api):
    reports = 150
    cut_short = 0
    port = free_port()
    args = ("--webhook", f"http://127.0.0.1:{port}/hook", "--listen", "127.0.0.1", "--port", str(port),
            "--as-of", "2018-09-15")  # while UA 150.18 is open: reports count
    acknowledged: set[int] = set()
    rng = random.Random(7)
    supporters = {n: 10_000 + n for n in range(1, reports + 1)}
    for chat_id in supporters.values():  # the "Did you send it?" prompts the reports answer
        fake_api.api._new_message(chat_id, text="Did you send it?")

    async def post_all(session, numbers) -> None:
        for n in numbers:
            try:
                async with session.post(f"http://127.0.0.1:{port}/hook", json=report_update(n, supporters[n]),
                                        headers={SECRET_HEADER: fake_api.api.webhook["secret_token"]}) as r:
                    if r.status == 200:
                        acknowledged.add(n)
            except aiohttp.ClientError:
                pass  # the process is gone: Telegram would retry this update later

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
        for round_ in range(3):
            fake_api.api.webhook = None
            process = _bot_process(tmp_path, fake_api, *args)
            try:
                await wait_for(lambda: fake_api.api.webhook is not None)
                await asyncio.sleep(0.3)
                if round_ < 2:  # killed at a random moment, requests in flight
                    pending = [n for n in range(1, reports + 1) if n not in acknowledged]
                    asyncio.get_running_loop().call_later(rng.uniform(0.05, 0.3), process.send_signal,
                                                          signal.SIGKILL)
                    await post_all(session, pending)
                    assert process.wait(timeout=10) == -signal.SIGKILL
                    cut_short += len(acknowledged) < reports
                else:  # Telegram re-sends what was not acknowledged (and we re-send the rest too)
                    await post_all(session, range(1, reports + 1))
            finally:
                process.kill()
                process.wait()
    assert cut_short >= 1  # the kill really landed in the middle of the reports
    assert acknowledged == set(range(1, reports + 1))
    database = sqlite3.connect(tmp_path / "data/bot.sqlite3")
    keys = [k for (k,) in database.execute("SELECT idempotency_key FROM actions")]
    keyring = Keyring(tmp_path / "data/bot.sqlite3.keys")  # the keys are the person's own (bot.store.keyring)
    expected = [keyring.handle(supporter_key(chat, b"s" * 32), f"report:{chat}:1")
                for chat in supporters.values()]
    assert sorted(keys) == sorted(expected)  # each exactly once, under a key with no id readable in it
