"""No update lost in a crash, in polling mode: the real `advocacy-bot run`
(long polling over HTTP to a Bot API on loopback) is killed with SIGKILL
while it holds updates it has fetched, some handled and some not. Restarted,
it handles every one of them at least once and counts every report exactly
once; a third start resumes from the update id the store kept.

The webhook's side of the same promise is tests/web/test_serving.py
(`test_sigkill_during_reports_loses_no_acknowledged_report`)."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.identity import supporter_key
from bot.store.keyring import Keyring
from tests.conftest import ROOT
from tests.fake_bot_api import FakeBotApi
from tests.web.test_serving import report_update, wait_for

from .test_reload_and_dates import environment

STUCK = (30_001, 30_002, 30_003)  # their first answer never comes back before the kill
REPORTERS = tuple(range(10_001, 10_011))  # report "Sent", answered before the kill
GREETED = tuple(range(20_001, 20_006))  # send /start, answered before the kill
THANKS = "Your action is counted."  # the report's answer the first time it counts


def start_update(update_id: int, chat_id: int) -> dict:
    chat = {"id": chat_id, "type": "private", "first_name": "S"}
    return {"update_id": update_id, "message": {
        "message_id": 1000 + update_id, "date": 1_537_000_000, "chat": chat, "text": "/start",
        "from": {"id": chat_id, "is_bot": False, "first_name": "S", "language_code": "en"},
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}


@pytest.fixture
async def fake_api():
    server = await FakeBotApi().start()
    yield server
    server.release()
    await server.stop()


def start_bot(tmp_path: Path, fake_api: FakeBotApi) -> subprocess.Popen:
    env = environment(tmp_path, ROOT / "content", ROOT / "seeds", fake_api.base_url)
    with open(tmp_path / "bot.log", "a") as log:  # a file, not a pipe nobody reads
        return subprocess.Popen([sys.executable, "-m", "bot", "run", "--as-of", "2018-09-15"], env=env,
                                cwd=tmp_path, stdout=log, stderr=log, text=True)


def calls(fake_api: FakeBotApi, method: str, since: int = 0) -> list:
    return [c for c in fake_api.api.calls[since:] if c.method == method]


def greeted(fake_api: FakeBotApi, chat_id: int, since: int = 0) -> bool:
    return any(str(c.params.get("chat_id")) == str(chat_id) and "Urgent Action" in (c.text or "")
               for c in calls(fake_api, "sendMessage", since))


def thanked(fake_api: FakeBotApi, chat_id: int, since: int = 0) -> bool:
    return any(str(c.params.get("chat_id")) == str(chat_id) and THANKS in (c.text or "")
               for c in calls(fake_api, "editMessageText", since))


def press_answers(fake_api: FakeBotApi, update_id: int, since: int = 0) -> list[str | None]:
    """What the bot answered a press with (Telegram refuses a second answer; the call is made)."""
    return [c.params.get("text") for c in calls(fake_api, "answerCallbackQuery", since)
            if c.params.get("callback_query_id") == str(update_id)]


def counted_reports(tmp_path: Path) -> list[str]:
    database = sqlite3.connect(tmp_path / "data/bot.sqlite3")
    try:
        return sorted(k for (k,) in database.execute("SELECT idempotency_key FROM actions"))
    finally:
        database.close()


async def test_sigkill_with_updates_in_hand_loses_none_and_counts_each_report_once(tmp_path, fake_api):
    for chat_id in (*STUCK, *REPORTERS):  # the "Did you send it?" prompts the reports answer (message 1)
        fake_api.api._new_message(chat_id, text="Did you send it?")
    updates: list[dict] = []
    for chat_id in STUCK:  # first, so every other update is handled above one still in hand
        updates.append(start_update(len(updates) + 1, chat_id))
    reports = {}  # update id -> reporter
    for chat_id in REPORTERS:
        reports[len(updates) + 1] = chat_id
        updates.append(report_update(len(updates) + 1, chat_id))
    for chat_id in GREETED:
        updates.append(start_update(len(updates) + 1, chat_id))
    for chat_id in STUCK:  # behind their stuck /start: fetched, never started
        reports[len(updates) + 1] = chat_id
        updates.append(report_update(len(updates) + 1, chat_id))
    every_id = {u["update_id"] for u in updates}

    fake_api.hold.update(STUCK)
    process = start_bot(tmp_path, fake_api)
    try:
        await wait_for(lambda: (tmp_path / "data/advocacy-bot.pid").exists(), timeout=60)
        for update in updates:
            fake_api.push(update)
        await wait_for(lambda: fake_api.delivered >= every_id
                       and all(thanked(fake_api, c) for c in REPORTERS)
                       and all(greeted(fake_api, c) for c in GREETED)
                       and len(fake_api._held) >= len(STUCK), timeout=60)
        assert len(counted_reports(tmp_path)) == len(REPORTERS)  # counted, their updates not confirmed
        process.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(asyncio.to_thread(process.wait), 30) == -signal.SIGKILL
    finally:
        process.kill()
    assert not any(greeted(fake_api, c) or thanked(fake_api, c) for c in STUCK)  # really unhandled

    fake_api.release()
    before = len(fake_api.api.calls)
    process = start_bot(tmp_path, fake_api)
    try:
        # Every update handled again or for the first time: the stuck ones answered at last, the
        # handled ones delivered again (a redelivered report says it already counted).
        redelivered = [n for n, c in reports.items() if c in REPORTERS]
        await wait_for(lambda: all(greeted(fake_api, c, before) for c in STUCK)
                       and all(thanked(fake_api, c, before) for c in STUCK)
                       and all(greeted(fake_api, c, before) for c in GREETED)
                       and all(press_answers(fake_api, n, before) for n in redelivered), timeout=60)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(asyncio.to_thread(process.wait), 30) == 0
    finally:
        process.kill()
    already = "This action was already counted. Thank you!"
    assert all(press_answers(fake_api, n, before) == [already] for n in redelivered)
    # A press delivered again is answered "already counted" where Telegram still takes it, and a
    # refusal (answered before the kill) is no error: no apology, nothing failed.
    assert '"handler failed"' not in (tmp_path / "bot.log").read_text()
    keyring = Keyring(tmp_path / "data/bot.sqlite3.keys")  # the keys are the person's own
    expected = sorted(keyring.handle(supporter_key(c, b"s" * 32), f"report:{c}:1") for c in reports.values())
    keyring.close()
    assert counted_reports(tmp_path) == expected  # each report exactly once

    # Telegram sends them all again (as if the confirmation never reached it): the kept update
    # id says they are handled, so the third start answers none of them, only the new one.
    fake_api.updates = [*updates, start_update(len(updates) + 1, GREETED[0])]
    before = len(fake_api.api.calls)
    process = start_bot(tmp_path, fake_api)
    try:
        await wait_for(lambda: greeted(fake_api, GREETED[0], before), timeout=60)
        await asyncio.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(asyncio.to_thread(process.wait), 30) == 0
    finally:
        process.kill()
    answered = [c for c in fake_api.api.calls[before:]
                if c.method in ("sendMessage", "editMessageText", "answerCallbackQuery")]
    assert [str(c.params.get("chat_id")) for c in answered] == [str(GREETED[0])]
    assert counted_reports(tmp_path) == expected
