"""Concurrent updates keep each supporter's updates in order.

The bot runs with `PerSupporterUpdateProcessor` (see bot/chat/ordering.py):
different supporters' updates are processed side by side, one supporter's
strictly one after another in arrival order. These tests feed updates through
`application.update_queue` with the application started, as the Updater does
in production, and make handlers (or the Bot API) take time so that updates
really do overlap.
"""

from __future__ import annotations

import asyncio
import itertools

from telegram import Update
from telegram.ext import ApplicationBuilder, MessageHandler, SimpleUpdateProcessor, filters

from bot.bot_api.transport import InMemoryBotAPI
from bot.chat.app import build_application
from bot.chat.ordering import DEFAULT_LIMIT, PerSupporterUpdateProcessor

SUPPORTERS = 12
MESSAGES = 8


def text_update(update_id: int, user_id: int, text: str, message_id: int = 1) -> dict:
    user = {"id": user_id, "is_bot": False, "first_name": f"S{user_id}", "language_code": "en"}
    message = {"message_id": message_id, "date": 1_537_000_000, "chat": {"id": user_id, "type": "private"},
               "from": user, "text": text}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


def press_update(update_id: int, user_id: int, data: str, message_id: int) -> dict:
    user = {"id": user_id, "is_bot": False, "first_name": f"S{user_id}", "language_code": "en"}
    message = {"message_id": message_id, "date": 1_537_000_000, "chat": {"id": user_id, "type": "private"}}
    return {"update_id": update_id, "callback_query": {
        "id": f"{update_id}", "from": user, "message": message, "chat_instance": str(user_id), "data": data}}


async def run_recorder(processor) -> tuple[list[tuple[str, int, int]], int]:
    """Feed MESSAGES texts from each of SUPPORTERS, interleaved; a supporter's
    earlier messages take longer to handle, so without ordering they would
    finish in reverse. Returns the (event, user, n) log and the peak overlap."""
    log: list[tuple[str, int, int]] = []
    running = peak = 0

    async def handler(update: Update, context) -> None:
        nonlocal running, peak
        user, n = update.effective_user.id, int(update.effective_message.text)
        running += 1
        peak = max(peak, running)
        log.append(("start", user, n))
        await asyncio.sleep(0.002 * (MESSAGES - n))
        log.append(("end", user, n))
        running -= 1

    api = InMemoryBotAPI()
    application = (ApplicationBuilder().token("1000001:in-memory").request(api).get_updates_request(api)
                   .updater(None).concurrent_updates(processor).build())
    application.add_handler(MessageHandler(filters.TEXT, handler))
    ids = itertools.count(1)
    async with application:
        await application.start()
        for n in range(MESSAGES):
            for user in range(1, SUPPORTERS + 1):
                application.update_queue.put_nowait(
                    Update.de_json(text_update(next(ids), user, str(n)), application.bot))
        await application.update_queue.join()
        await application.stop()
    return log, peak


def per_supporter(log, event: str) -> dict[int, list[int]]:
    seen: dict[int, list[int]] = {}
    for kind, user, n in log:
        if kind == event:
            seen.setdefault(user, []).append(n)
    return seen


async def test_each_supporters_updates_run_in_order_one_at_a_time():
    log, peak = await run_recorder(PerSupporterUpdateProcessor(limit=SUPPORTERS * MESSAGES))
    in_order = list(range(MESSAGES))
    assert per_supporter(log, "start") == {u: in_order for u in range(1, SUPPORTERS + 1)}
    assert per_supporter(log, "end") == {u: in_order for u in range(1, SUPPORTERS + 1)}
    for user in range(1, SUPPORTERS + 1):  # never two of one supporter's updates at once
        own = [(kind, n) for kind, u, n in log if u == user]
        assert own == [(kind, n) for n in in_order for kind in ("start", "end")]
    assert 1 < peak <= SUPPORTERS  # supporters side by side, never one supporter twice


async def test_the_limit_caps_updates_in_progress():
    log, peak = await run_recorder(PerSupporterUpdateProcessor(limit=3))
    assert peak == 3
    assert per_supporter(log, "end") == {u: list(range(MESSAGES)) for u in range(1, SUPPORTERS + 1)}


async def test_without_per_supporter_ordering_the_same_stream_comes_out_of_order():
    """The control: python-telegram-bot's plain concurrent processor reorders
    this stream, so the test above is not passing by accident."""
    log, _ = await run_recorder(SimpleUpdateProcessor(max_concurrent_updates=SUPPORTERS * MESSAGES))
    assert per_supporter(log, "end") != {u: list(range(MESSAGES)) for u in range(1, SUPPORTERS + 1)}


async def test_the_bot_is_built_with_the_ordered_processor(services):
    application = build_application(services, request=InMemoryBotAPI())
    assert isinstance(application.update_processor, PerSupporterUpdateProcessor)
    assert application.update_processor.limit == DEFAULT_LIMIT > 1


class SlowBotAPI(InMemoryBotAPI):
    """Every Bot API call takes a little while (1-4 ms, varying), as over HTTPS."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._delays = itertools.cycle((0.004, 0.001, 0.003, 0.002))

    async def do_request(self, url, method, request_data=None, **timeouts):
        await asyncio.sleep(next(self._delays))
        return await super().do_request(url, method, request_data, **timeouts)


async def test_letter_flows_queued_at_once_complete_for_every_supporter(services):
    """Many supporters each send the whole letter flow without waiting for the
    bot's answers; every flow still ends with the appeal and the report prompt,
    because each supporter's steps are handled in the order they were sent."""
    api = SlowBotAPI(clock=services.clock)
    application = build_application(services, request=api)
    supporters = range(9001, 9001 + SUPPORTERS)
    ids = itertools.count(1)
    # message ids in each chat: 1 = the menu (edited through the first steps),
    # 2 = "your city?", 3 = the language question (edited into "one sentence?")
    steps = [
        lambda u, i: text_update(i, u, "/start"),
        lambda u, i: press_update(i, u, "menu:act", 1),
        lambda u, i: press_update(i, u, "act:off:luis-videgaray", 1),
        lambda u, i: press_update(i, u, "act:ch:email", 1),
        lambda u, i: text_update(i, u, "Ana López", 101),
        lambda u, i: text_update(i, u, "Tijuana", 102),
        lambda u, i: press_update(i, u, "act:lang:es", 3),
        lambda u, i: press_update(i, u, "act:skip", 3),
    ]
    async with application:
        await application.start()
        for step in steps:  # interleaved: step 1 of everyone, then step 2 of everyone...
            for user in supporters:
                application.update_queue.put_nowait(Update.de_json(step(user, next(ids)), application.bot))
        await application.update_queue.join()
        await application.stop()

    assert api.refusals == []
    for user in supporters:
        sent = [c.text for c in api.calls if c.chat_id == user and c.method == "sendMessage"]
        assert sent[1].startswith("Your city or country"), sent[:3]
        assert sent[2].startswith("Which language should your appeal"), sent[:3]
        assert sent[-1].startswith("Did you "), sent[-2:]
        assert not any((t or "").startswith("Please choose with the buttons") for t in sent)
    assert await services.store.count_flows() == 0
