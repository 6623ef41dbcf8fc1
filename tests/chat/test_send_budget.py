"""The per-chat send budget (bot/chat/send_budget.py) and the outbox that
spends it (bot/chat/outbox.py), on a test's clock and sleep.

Telegram: about one message a second to one chat, short bursts allowed.
The budget: BURST (3) at once, one more each SAME_CHAT_INTERVAL (1 s); a
message waits only when its chat's budget is spent. Then, end to end: a long
answer in pieces, and a 429 on an appeal's second message (waited out below,
in the request layer: nothing lost, the order kept).
"""

from __future__ import annotations

import asyncio

import pytest

from bot.bot_api.simulator import Simulator
from bot.bot_api.transport import BotApiRefusal, InMemoryBotAPI
from bot.chat.app import build_application
from bot.chat.delivery import split_message
from bot.chat.outbox import Outbox
from bot.chat.send_budget import BURST, SAME_CHAT_INTERVAL, SendBudget
from tests.chat.test_paced_delivery import at_the_sentence
from tests.conftest import Clock


class MovingSleep(list):
    """A sleep that records each wait and moves the clock by it (time passes)."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)
        self.clock.advance(seconds)


def spent_budget(chat: int) -> tuple[Clock, SendBudget]:
    """A budget on a test clock whose burst `chat` has just used up."""
    clock = Clock()
    budget = SendBudget(clock)
    for _ in range(BURST):
        budget.take(chat)
    return clock, budget


def test_the_budget_is_three_at_once_then_one_a_second():
    assert (BURST, SAME_CHAT_INTERVAL) == (3, 1.0)
    clock = Clock()
    budget = SendBudget(clock)
    assert [budget.take(1) for _ in range(3)] == [0, 0, 0]  # the burst
    assert budget.take(1) == 1.0  # spent: the next one a second later
    assert budget.take(2) == 0  # another chat has its own


def test_the_budget_refills_one_message_a_second_never_past_three():
    clock, budget = spent_budget(1)
    clock.advance(1.0)
    assert budget.take(1) == 0  # one more after a second
    assert budget.take(1) == 1.0  # and only one
    clock.advance(60)  # a long quiet: full again, but no fuller than three
    assert [budget.take(1) for _ in range(4)] == [0, 0, 0, 1.0]


def test_half_a_second_refills_half_a_message():
    clock, budget = spent_budget(1)
    clock.advance(0.5)
    assert budget.take(1) == 0.5


def test_on_a_frozen_clock_each_wait_counts_from_the_last_message():
    """Once spent, one a second: the waits taken one after another are a second
    each, not growing (the message counts as sent when its wait ends)."""
    budget = SendBudget(Clock())
    assert [budget.take(1) for _ in range(6)] == [0, 0, 0, 1.0, 1.0, 1.0]


def test_a_message_the_handler_sent_itself_counts_and_may_be_owed():
    clock = Clock()
    budget = SendBudget(clock)
    for _ in range(4):
        budget.spend(1)  # four sent directly: one past the budget, owed
    assert budget.take(1) == 2.0  # the owed one's second, then this one's
    clock.advance(10)
    assert budget.take(1) == 0


def test_idle_chats_are_forgotten():
    """Thousands of people: a chat is remembered only while its budget is not
    full again (a few seconds), so memory follows the chats served just now."""
    clock = Clock()
    budget = SendBudget(clock)
    for chat in range(5_000):
        budget.take(chat)
        budget.take(chat)
    assert len(budget) == 5_000
    clock.advance(2.0)
    budget.take(-1)
    assert len(budget) == 5_001  # not full again yet: kept (and swept at most every 3 s)
    clock.advance(1.0)
    budget.take(-2)
    assert len(budget) == 1  # all full again and forgotten (the 5,000, the one at 2 s); kept: this one
    clock.advance(3.0)
    budget.take(-3)
    assert len(budget) == 1


def test_another_interval_paces_and_forgets_at_its_own_rate():
    """Two a second (interval 0.5): the burst of three, then half a second each;
    a chat is forgotten once its budget is full again, swept every 1.5 s (a whole
    budget's refill), not every 3 s or every 6."""
    clock = Clock()
    budget = SendBudget(clock, interval=0.5)
    assert [budget.take(1) for _ in range(5)] == [0, 0, 0, 0.5, 0.5]
    budget.take(2)  # one message: full again half a second later
    clock.advance(1.5)
    budget.take(3)  # a whole refill since the last sweep: sweeps
    assert len(budget) == 2  # chat 2 forgotten; chat 1 (owed until 2.5 s) and chat 3 kept
    clock.advance(1.0)
    budget.take(4)  # only a second since the sweep: none
    assert len(budget) == 3
    clock.advance(0.5)
    budget.take(5)  # 1.5 s since: chats 1, 3 and 4, full again, go
    assert len(budget) == 1


def test_a_forgotten_chat_has_a_full_budget():
    clock, budget = spent_budget(1)
    clock.advance(3.0)
    budget.take(2)  # sweeps chat 1, full again
    assert [budget.take(1) for _ in range(4)] == [0, 0, 0, 1.0]


async def test_the_outbox_sends_the_burst_at_once_then_one_a_second_in_order():
    clock = Clock()
    sleep = MovingSleep(clock)
    outbox = Outbox(sleep=sleep, budget=SendBudget(clock))
    sent: list[tuple[str, float]] = []

    async def on_error(error: Exception) -> None:
        raise AssertionError(error)

    for n in range(6):
        outbox.queue(7, lambda n=n: asyncio.sleep(0, sent.append((f"m{n}", clock()))), on_error)
    await outbox.sent(7)
    start = sent[0][1]
    assert [(label, at - start) for label, at in sent] == [
        ("m0", 0), ("m1", 0), ("m2", 0), ("m3", 1.0), ("m4", 2.0), ("m5", 3.0)]
    assert sleep == [1.0, 1.0, 1.0]
    # a quiet second and a half later: one and a half messages back, so one at once
    clock.advance(1.5)
    outbox.queue(7, lambda: asyncio.sleep(0, sent.append(("m6", clock()))), on_error)
    outbox.queue(7, lambda: asyncio.sleep(0, sent.append(("m7", clock()))), on_error)
    await outbox.sent(7)
    assert sleep == [1.0, 1.0, 1.0, 0.5]
    assert [label for label, _ in sent] == [f"m{n}" for n in range(8)]


@pytest.fixture
async def app(services):
    api = InMemoryBotAPI(clock=services.clock)
    application = build_application(services, request=api)
    sim = Simulator(application, api, clock=services.clock)
    async with application:
        await application.start()
        yield sim, api, application
        await application.stop()


async def test_a_long_answer_in_pieces_goes_three_at_once_then_one_a_second(app, services, monkeypatch):
    """send_long: the first piece sent by the handler counts in the budget;
    the others follow from the outbox, in order, the fourth piece a second
    after the third."""
    from bot.chat import ask

    sim, api, _ = app
    pieces = [f"Piece {n}. " + "word " * 700 for n in range(5)]  # 3,500 characters each: one message each
    long_text = "\n\n".join(pieces)
    assert len(split_message(long_text)) == 5

    real = ask.send_long

    async def answer_long(update, context, text, markup=None):
        await real(update, context, long_text, markup)

    monkeypatch.setattr(ask, "send_long", answer_long)
    user = sim.user()
    await user.send("/start")
    api.take_calls()
    services.sleep.clear()
    calls = await user.send("is mexico safe for asylum seekers?")
    texts = [c.text for c in calls if c.method == "sendMessage"]
    assert [t.split(".")[0] for t in texts] == [f"Piece {n}" for n in range(5)]  # in order, none lost
    # The handler's piece and two from the outbox at once; then one a second.
    assert services.sleep == [1.0, 1.0]
    assert api.refusals == []


async def test_a_429_on_the_appeals_second_message_waits_loses_nothing_keeps_order(app, services):
    """Telegram refuses the report prompt with "retry after 3": the request
    layer waits 3 s and sends it again; the supporter's next update waits for
    it; every message arrives once, in order."""
    sim, api, _ = app
    user = sim.user()
    await at_the_sentence(sim, user, "email")
    services.sleep.clear()
    refused = []

    def fault(method, params):
        if method == "sendMessage" and "Did you send the email?" in params.get("text", "") and not refused:
            refused.append(params["text"])
            return BotApiRefusal(429, "Too Many Requests: retry after 3", {"retry_after": 3})
        return None

    api.fault = fault
    calls = await user.press("act:skip")
    api.fault = None
    assert refused
    messages = [c for c in calls if c.method == "sendMessage"]
    shown = [(c.ok, (c.text or "")[:24]) for c in messages]
    assert [c.ok for c in messages] == [True, False, True], shown
    assert messages[0].text.startswith("📧 <b>Your email</b>")
    assert messages[1].text == messages[2].text == refused[0]
    assert messages[2].text.startswith("Did you send the email?")
    assert services.sleep == [3.0]  # Telegram's retry_after, waited once; no pause of the budget's
    calls = await user.send("/start")
    assert [c.text for c in calls if c.method == "sendMessage"][0].startswith("Hello, Ana!")
    assert [c.result["error_code"] for c in api.refusals] == [429]
