"""Pacing that holds no processing place (issue 29).

An appeal is two messages, paced by the chat's budget (bot/chat/send_budget.py:
a few at once, then one a second, Telegram's limit per chat). Any wait is
taken in the chat's outbox (bot/chat/outbox.py) after the handler returns,
so the update processor's places (16) are free for other people while
deliveries wait. Driven through the real Application's update queue and
processor; the services' sleep is a gate held shut, so the deliveries whose
budget is spent stay in flight as long as the test wants.
"""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.bot_api.simulator import Simulator
from bot.bot_api.transport import BotApiRefusal, InMemoryBotAPI
from bot.chat.app import build_application
from bot.chat.outbox import OUTBOX_KEY
from tests.chat.test_take_action import walk_to_name

PEOPLE = 20  # more deliveries than the processor's 16 places
OTHER = 9_999


class Gate:
    """services.sleep that holds every pause until the gate opens."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()
        self.pauses: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)
        await self.opened.wait()


def press_payload(sim: Simulator, user, data: str) -> dict:
    message, _ = user.find_button(data)
    return {"update_id": next(sim._update_ids), "callback_query": {
        "id": str(next(sim._callback_ids)), "from": user.profile, "message": message,
        "chat_instance": str(user.id), "data": data}}


def text_payload(sim: Simulator, user, text: str) -> dict:
    message = {"message_id": sim.next_message_id(user.id), "date": int(sim.clock()), "chat": user.chat,
               "from": user.profile, "text": text}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": next(sim._update_ids), "message": message}


async def until(condition, seconds: float = 5.0) -> None:
    async def poll():
        while not condition():
            await asyncio.sleep(0.005)

    await asyncio.wait_for(poll(), seconds)


def to_chat(api: InMemoryBotAPI, chat_id: int) -> list:
    return [c for c in api.calls if c.chat_id == chat_id and c.method in ("sendMessage", "sendDocument")]


async def at_the_sentence(sim: Simulator, user, channel: str) -> None:
    """Walk `user` (English) to the last step before delivery: the sentence."""
    await walk_to_name(user, "luis-videgaray", channel)
    await user.press("act:skip")  # name
    await user.press("act:skip")  # city
    await user.press("act:lang:es")  # the official's language: a translation follows too


async def test_twenty_deliveries_in_flight_hold_back_no_one_else(services):
    """20 appeals delivered at once to people just sent two messages (their
    budget: one more at once), every one stopped in its pacing: another
    person's /start is answered before any of them finishes (by the order of
    Bot API calls), the deliverers' own /start waits for their appeal, and each
    person's messages arrive in order, the second a second after the first."""
    api = InMemoryBotAPI(clock=services.clock)
    application = build_application(services, request=api)
    sim = Simulator(application, api, clock=services.clock)
    people = [sim.user(9_100 + n) for n in range(PEOPLE)]
    channel = {p.id: ("letter", "email")[n % 2] for n, p in enumerate(people)}
    other = sim.user(OTHER)
    async with application:
        await application.start()
        for person in people:  # one at a time, through process_update, with no pauses
            await at_the_sentence(sim, person, channel[person.id])
        api.take_calls()
        outbox = application.bot_data[OUTBOX_KEY]
        for person in people:  # two messages just sent to each: one left of the budget of three
            outbox.spent(person.id)
            outbox.spent(person.id)
        gate = Gate()
        services.sleep = gate
        queue, bot = application.update_queue, application.bot
        for person in people:  # the appeal, then at once /start: it must come after the appeal
            queue.put_nowait(Update.de_json(press_payload(sim, person, "act:skip"), bot))
            queue.put_nowait(Update.de_json(text_payload(sim, person, "/start"), bot))
        queue.put_nowait(Update.de_json(text_payload(sim, other, "/start"), bot))

        await until(lambda: to_chat(api, OTHER))  # answered while every delivery waits at the gate
        assert not gate.opened.is_set()
        assert len(gate.pauses) == PEOPLE  # each has sent its first message and waits
        for person in people:
            assert len(to_chat(api, person.id)) == 1  # the appeal's first message, no more

        gate.opened.set()
        await queue.join()
        await application.stop()

    calls = api.calls
    answered = calls.index(to_chat(api, OTHER)[0])
    assert to_chat(api, OTHER)[0].text.startswith("Hello, Ana!")
    for person in people:
        own = to_chat(api, person.id)
        shown = [(c.method, (c.text or "").split("\n")[0][:25]) for c in own]
        # Two messages (issue 29): the appeal with its translation, then the report prompt (a letter's
        # is its PDF's caption).
        assert own[0].text.split("\n\n<i>")[1].startswith("So you know what you are signing"), shown
        if channel[person.id] == "letter":
            assert [c.method for c in own] == ["sendMessage", "sendDocument", "sendMessage"], shown
            assert own[0].text.startswith("✉️ <b>Your letter to Luis Videgaray</b>"), shown
            assert own[1].text.split("\n\n")[1].startswith("Did you post the letter?"), shown
        else:
            assert [c.method for c in own] == ["sendMessage"] * 3, shown
            assert own[0].text.startswith("📧 <b>Your email</b>"), shown
            assert "<pre>Estimado Señor Canciller:" in own[0].text, shown
            assert own[1].text.startswith("Did you send the email?"), shown  # the report prompt, last
        assert own[2].text.startswith("Hello, Ana!"), shown  # then their /start
        assert calls.index(own[1]) > answered  # no delivery finished before the other /start's reply
    assert gate.pauses == [1.0] * PEOPLE  # the budget spent: a second before the second message
    assert api.refusals == []


async def test_a_send_that_fails_in_the_outbox_is_handled_as_from_the_handler(services):
    """A refused PDF: the error handler apologises, the rest of the appeal is
    dropped, and the supporter's next update is answered."""
    api = InMemoryBotAPI(clock=services.clock)
    application = build_application(services, request=api)
    sim = Simulator(application, api, clock=services.clock)
    user = sim.user(9_200)
    async with application:
        await application.start()
        await at_the_sentence(sim, user, "letter")
        api.fault = lambda method, params: (BotApiRefusal(400, "Bad Request: file too big")
                                            if method == "sendDocument" else None)
        calls = await user.press("act:skip")
        api.fault = None
        texts = [c.text for c in calls if c.method == "sendMessage" and c.ok]
        assert texts[0].startswith("✉️ <b>Your letter to Luis Videgaray</b>")
        assert texts[1:] == ["Sorry, something went wrong on our side. Please try again, or send /start."]
        # (the error handler's answer to the query, already answered, is refused too, as before)
        assert [c.method for c in calls if not c.ok] == ["sendDocument", "answerCallbackQuery"]
        calls = await user.send("/start")
        assert [c.text for c in calls][0].startswith("Hello, Ana!")
        await application.stop()


async def test_the_outbox_keeps_each_chats_order_and_no_chat_waits_for_another(services):
    """One chat's queue waits once its budget (three at once) is spent;
    another chat's goes out meanwhile."""
    api = InMemoryBotAPI(clock=services.clock)
    application = build_application(services, request=api)
    outbox = application.bot_data["outbox"]
    gate = Gate()
    sent: list[str] = []

    async def send(label: str) -> None:
        sent.append(label)

    async def on_error(error: Exception) -> None:
        raise AssertionError(error)

    outbox._sleep = gate
    for label in ("a1", "a2", "a3", "a4", "a5"):
        outbox.queue(1, lambda label=label: send(label), on_error)
    outbox.queue(2, lambda: send("b1"), on_error)
    await outbox.sent(2)
    assert outbox.pending(1) and not outbox.pending(2)
    assert sent == ["a1", "a2", "a3", "b1"]  # the burst, then chat 1 waits; chat 2 does not
    gate.opened.set()
    await outbox.sent(1)
    assert sent == ["a1", "a2", "a3", "b1", "a4", "a5"]
    assert gate.pauses == [1.0, 1.0]  # one a second once the budget is spent
