"""Hundreds of people writing an appeal at once, paced like people (issue 29).

Each simulated person sends /start, a question, then the email flow to the
appeal (Take action, the official, Email, a typed name, a typed city, the
official's language, Skip the sentence: the appeal is delivered), then
"Sent" on the report prompt and "Follow" on the thanks; after each reply
they pause 0.5–1 s (seeded), and they start spread over the first second.
Every Bot API call takes API_LATENCY, as over HTTPS. The bot is the real
`Application` with its update processor, on the in-memory Bot API, and the
waits between messages to one chat (the per-chat budget's, when it is
spent) are real (asyncio.sleep), as in production.

Measured per person: for each tap that does not deliver an appeal, the
first reply (the update entering the update queue to the first Bot API call
to that chat returning); for the tap that delivers it, the appeal (to the
report prompt's call returning). Also the process's CPU time over the wall
time, and the counts in the store afterwards (reports and follows: exactly
one per person).

Updates go straight into the application's update queue (as the Updater or
the webhook puts them), or with `--polling` through the bot's own poller
(bot/chat/polling.py, which confirms an update only once handled) over
getUpdates answered by the in-memory Bot API (`PolledBotAPI`): a reply time
then includes the wait for the poller's next getUpdates.

Run as a module with the working directory at a checkout, so that `bot`
is that checkout's: tests/bench/test_bench_load.py runs it on this tree
and on a copy of the bot before the outbox, one after the other, and
compares. It uses only what both have (`--polling` only this tree's: the
bot before used python-telegram-bot's Updater).

    .venv/bin/python -m tests.bench.appeal_crowd --people 300 [--polling]
    .venv/bin/python -m tests.bench.appeal_crowd --people 1 --channel letter
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from telegram import Update

from bot.catalog import load_catalog
from bot.chat.context import SERVICES_KEY
from bot.runtime import build_matcher
from tests.bench.stack import NOW, ROOT, SlowBotAPI, fixed_clock, questions, started_ours

API_LATENCY = 0.005
PAUSE_S = (0.5, 1.0)
CASE = "ua-150-18"
REPORT = "rep:d:"
FOLLOW = f"upd:on:{CASE}"


class PolledBotAPI(SlowBotAPI):
    """The slow in-memory Bot API with getUpdates: the people's updates wait in
    `pending` until a getUpdates from an offset past them (Telegram's rule); a
    long poll returns as soon as one arrives."""

    def __init__(self, latency: float, **kwargs):
        super().__init__(latency, **kwargs)
        self.pending: list[dict] = []
        self.arrived = asyncio.Event()

    def push(self, update: dict) -> None:
        self.pending.append(update)
        self.arrived.set()

    async def do_request(self, url, method, request_data=None, **timeouts):
        if not url.endswith("/getUpdates"):
            return await super().do_request(url, method, request_data, **timeouts)
        params = dict(request_data.parameters) if request_data else {}
        await asyncio.sleep(self.latency)
        offset = int(params.get("offset") or 0)
        self.pending = [u for u in self.pending if u["update_id"] >= offset]
        if not self.pending and float(params.get("timeout") or 0) > 0:
            self.arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), float(params["timeout"]))
        batch = self.pending[:int(params.get("limit") or 100)]
        return 200, json.dumps({"ok": True, "result": batch}).encode()


def steps(n: int, question: str, channel: str = "email") -> list[tuple[str, str]]:
    """(kind, text or button data): kind is "text", "press" or "appeal" (the press that delivers it)."""
    return [("text", "/start"), ("text", question), ("press", "menu:act"),
            ("press", "act:off:luis-videgaray"), ("press", f"act:ch:{channel}"), ("text", f"Ana {n}"),
            ("text", "Tijuana"), ("press", "act:lang:es"), ("appeal", "act:skip"), ("press", REPORT),
            ("press", FOLLOW)]


async def crowd(database: Path, people: int, polling: bool = False, channel: str = "email") -> dict:
    catalog = load_catalog(ROOT / "content", ROOT / "seeds")
    matcher = build_matcher(catalog)
    supply = questions()["en"]
    scripts = [steps(n, next(supply), channel) for n in range(people)]
    api = (PolledBotAPI if polling else SlowBotAPI)(API_LATENCY, clock=fixed_clock)
    taps: list[float] = []
    tap_steps: list[int] = []  # which step of the script each tap was (1 = the question)
    appeals: list[float] = []
    # per chat: the newest message carrying each button, as the person sees it
    shown: dict[int, dict[str, dict]] = {}
    waiting: dict[int, tuple[float, asyncio.Future, bool]] = {}

    def seen(call) -> None:
        chat = call.params.get("chat_id")
        if chat is None:
            return
        chat = int(chat)
        result = call.result if isinstance(call.result, dict) else {}
        keyboard = (result.get("reply_markup") or {}).get("inline_keyboard") or []
        datas = [b.get("callback_data") for row in keyboard for b in row if b.get("callback_data")]
        for data in datas:
            shown.setdefault(chat, {})[data] = result
        pending = waiting.get(chat)
        if pending is None or pending[1].done():
            return
        started, future, appeal = pending
        if appeal and not any(d.startswith(REPORT) for d in datas):
            return  # an appeal is delivered when its report prompt is
        future.set_result(time.perf_counter() - started)

    api.listeners.append(seen)
    async with started_ours(database, catalog, matcher, supporters=1, api=api) as bot:
        services = bot.application.bot_data[SERVICES_KEY]
        services.sleep = asyncio.sleep  # the real pauses between messages
        poller = None
        if polling:
            from bot.chat.polling import ConfirmingPoller

            poller = ConfirmingPoller(bot.application, services.store)
            await poller.start()
        loop = asyncio.get_running_loop()
        queue, telegram_bot = bot.application.update_queue, bot.application.bot
        update_ids = iter(range(1, 10**9))
        callback_ids = iter(range(1, 10**9))

        async def person(n: int, script: list[tuple[str, str]]) -> None:
            pace = random.Random(n)
            user_id = 700_000 + n
            user = {"id": user_id, "is_bot": False, "first_name": f"P{n}", "language_code": "en"}
            chat = {"id": user_id, "type": "private"}
            await asyncio.sleep(pace.uniform(0, PAUSE_S[1]))
            for k, (kind, what) in enumerate(script):
                if kind == "text":
                    message = {"message_id": 10_000 + k, "date": int(NOW), "chat": chat, "from": user,
                               "text": what}
                    if what.startswith("/"):
                        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(what)}]
                    payload = {"update_id": next(update_ids), "message": message}
                else:
                    buttons = shown.get(user_id, {})
                    data = next(d for d in reversed(list(buttons)) if d.startswith(what))
                    payload = {"update_id": next(update_ids), "callback_query": {
                        "id": str(next(callback_ids)), "from": user, "message": buttons[data],
                        "chat_instance": str(user_id), "data": data}}
                future: asyncio.Future = loop.create_future()
                waiting[user_id] = (time.perf_counter(), future, kind == "appeal")
                if poller is not None:
                    api.push(payload)
                else:
                    queue.put_nowait(Update.de_json(payload, telegram_bot))
                elapsed = await asyncio.wait_for(future, 900)
                if kind == "appeal":
                    appeals.append(elapsed)
                else:
                    taps.append(elapsed)
                    tap_steps.append(k)
                await asyncio.sleep(pace.uniform(*PAUSE_S))

        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.gather(*(person(n, script) for n, script in enumerate(scripts)))
        await queue.join()
        if poller is not None:  # every update handled (its outbox sent too), then confirmed
            last = next(update_ids) - 1
            while poller.window.handled != last or poller.window.in_hand:
                await asyncio.sleep(0.05)
            await poller.stop_fetching()
            await poller.finish()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        refusals = len(api.refusals)
    with sqlite3.connect(database) as db:
        reports = db.execute("SELECT count(*), coalesce(sum(count), 0) FROM actions WHERE campaign_id = ?",
                             (CASE,)).fetchone()
        follows = db.execute("SELECT count(*) FROM subscriptions WHERE campaign_id = ?",
                             (CASE,)).fetchone()[0]
    return {"people": people, "taps": taps, "tap_steps": tap_steps, "appeals": appeals,
            "cpu_share": cpu / wall, "wall_s": wall, "refusals": refusals, "reports": reports[0],
            "actions": reports[1], "follows": follows}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--polling", action="store_true", help="through the bot's poller (this tree only)")
    parser.add_argument("--channel", choices=("email", "letter"), default="email",
                        help="the appeal each person writes (a letter adds its PDF)")
    parser.add_argument("--out", type=Path, help="write the figures here as JSON (else print them)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = asyncio.run(crowd(Path(tmp) / "crowd.sqlite3", args.people, args.polling,
                                     args.channel))
    text = json.dumps(figures)
    if args.out:
        args.out.write_text(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
