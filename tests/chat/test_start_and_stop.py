"""Starting and stopping without noise: a Bot API that refuses the command
menu costs a warning, not the start; a SIGTERM after normal polling exits 0
with no ERROR and no traceback."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys

import pytest

from bot.bot_api.transport import BotApiRefusal, InMemoryBotAPI
from bot.chat.app import build_application
from tests.conftest import ROOT
from tests.fake_bot_api import FakeBotApi
from tests.web.test_serving import message_update, wait_for

TOKEN = "123456:TEST-TOKEN"


def _menu_refused(method: str, params: dict) -> BotApiRefusal | None:
    return BotApiRefusal(500, "Internal Server Error") if method == "setMyCommands" else None


async def test_a_refused_command_menu_is_a_warning_and_the_bot_serves(services, caplog):
    api = InMemoryBotAPI(clock=services.clock)
    api.fault = _menu_refused
    application = build_application(services, request=api)
    await application.initialize()
    with caplog.at_level(logging.WARNING):
        await application.post_init(application)  # raised after the retries before
    await application.start()
    try:
        tries = [c for c in api.calls if c.method == "setMyCommands"]
        assert len(tries) == 6 and services.sleep == [0.5, 1.0, 2.0, 4.0, 8.0]  # 5 retries, backoff
        warnings = [r.getMessage() for r in caplog.records if r.name == "bot.chat.app"]
        assert warnings == ["could not set the command menu (NetworkError: Internal Server Error); "
                            "serving without it"]
        from bot.bot_api.simulator import Simulator

        calls = await Simulator(application, api, clock=services.clock).user().send("/start")
        assert calls[-1].text.startswith("Hello, Ana!")
    finally:
        await application.stop()
        await application.shutdown()


@pytest.fixture
async def fake_api():
    server = await FakeBotApi().start()
    yield server
    await server.stop()


async def test_sigterm_after_polling_exits_0_without_error_or_traceback(tmp_path, fake_api):
    """Also: `run --as-of` moves the bot's clock."""
    fake_api.api.fault = _menu_refused  # and the command menu refused on the way
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake_api.base_url,
           "DATABASE_PATH": str(tmp_path / "data/bot.sqlite3"), "CONTENT_DIR": str(ROOT / "content"),
           "SEEDS_DIR": str(ROOT / "seeds"), "SUPPORTER_ID_SECRET": "s" * 32, "TELEGRAM_API_RETRIES": "1"}
    with open(tmp_path / "bot.log", "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot", "run", "--as-of", "2018-09-10"], env=env,
                                   cwd=tmp_path, stdout=log, stderr=log)
    try:
        fake_api.push(message_update(1, "/act"))
        await wait_for(lambda: any(c.method == "sendMessage" for c in fake_api.api.calls))
        (answer,) = [c.text for c in fake_api.api.calls if c.method == "sendMessage"]
        assert "27 September 2018 (17 days left)" in answer  # --as-of: the bot's today is 10 September
        await asyncio.sleep(0.3)  # back in the long poll (getUpdates in flight) when SIGTERM comes
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(asyncio.to_thread(process.wait), 30)
    finally:
        process.kill()
    logged = (tmp_path / "bot.log").read_text()
    assert code == 0, logged
    assert "could not set the command menu" in logged
    assert " ERROR " not in logged and "Traceback" not in logged, logged
    assert logged.rstrip().endswith("stopping"), logged
