"""The poller's bookkeeping (bot/chat/polling.py): the offset it sends to
Telegram never passes an update still in hand, an update Telegram sends
again while in hand is not handled twice, and a kept update id is used only
while it can matter. The real process killed with updates in hand is
tests/cli/test_crash_safety.py."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from telegram.error import NetworkError

from bot.chat.polling import FRESH, OUTBOX_KEY, ConfirmingPoller, UpdateWindow, resume_from


def batch(*ids: int) -> list[dict]:
    return [{"update_id": n} for n in ids]


def ids(updates: list[dict]) -> list[int]:
    return [u["update_id"] for u in updates]


def test_the_offset_passes_an_update_only_once_it_and_every_lower_one_are_handled():
    window = UpdateWindow()
    assert window.offset() is None  # Telegram's oldest unconfirmed update
    assert ids(window.take(batch(5, 6, 7))) == [5, 6, 7]
    assert window.offset() == 5  # fetched is not confirmed
    assert window.done(6) is False and window.done(7) is False
    assert window.offset() == 5  # 5 is still in hand: 6 and 7 wait behind it
    assert window.done(5) is True
    assert window.offset() == 8


def test_updates_sent_again_while_in_hand_are_not_taken_twice():
    window = UpdateWindow(handled=4)
    assert ids(window.take(batch(5, 6))) == [5, 6]
    window.done(6)
    assert ids(window.take(batch(5, 6, 7))) == [7]  # from offset 5: 5 in hand, 6 done behind it
    assert window.in_hand == {5, 7}


def test_a_kept_update_id_resumes_polling_after_it():
    window = UpdateWindow(handled=41)
    assert window.offset() == 42
    assert ids(window.take(batch(42))) == [42]


def test_a_kept_update_id_older_than_a_day_is_not_used():
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    assert resume_from(None, now) is None
    assert resume_from((41, now - timedelta(hours=1)), now) == 41
    # Telegram keeps updates 24 hours and may restart its count after a quiet week
    assert resume_from((41, now - FRESH), now) is None


def test_after_a_quiet_day_polling_starts_from_telegrams_oldest_again():
    now = [0.0]
    window = UpdateWindow(clock=lambda: now[0])
    window.take(batch(9))
    window.done(9)
    assert window.offset() == 10
    now[0] += FRESH.total_seconds() + 1
    assert window.offset() is None


class ScriptedBot:
    """getUpdates answers in turn (an exception is raised), then nothing."""

    def __init__(self, answers: list) -> None:
        self.answers = answers
        self.offsets: list[int | None] = []

    async def delete_webhook(self, drop_pending_updates: bool = False) -> bool:
        return True

    async def _post(self, endpoint: str, data: dict, **kwargs) -> list:
        assert endpoint == "getUpdates"
        self.offsets.append(data["offset"])
        if not self.answers:
            await asyncio.sleep(0.01)
            return []
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def get_updates(self, **kwargs) -> list:
        self.offsets.append(kwargs["offset"])
        return []


class RecordingApplication:
    def __init__(self, bot: ScriptedBot) -> None:
        self.bot = bot
        self.update_processor = self
        self.handled: list[int] = []
        self.bot_data: dict = {}

    def create_task(self, coroutine, update=None):
        return asyncio.get_running_loop().create_task(coroutine)

    async def process_update(self, update, coroutine=None):
        if coroutine is not None:  # the update processor's call
            return await coroutine
        self.handled.append(update.update_id)


class KeptOffset:
    def __init__(self) -> None:
        self.saved: list[int] = []

    async def handled_update(self):
        return (3, datetime.now(UTC)) if not self.saved else (self.saved[-1], datetime.now(UTC))

    async def save_handled_update(self, update_id: int, at=None) -> None:
        self.saved.append(update_id)


def message(update_id: int) -> dict:
    chat = {"id": 7, "type": "private"}
    return {"update_id": update_id,
            "message": {"message_id": update_id, "date": 0, "chat": chat, "text": "hi"}}


async def test_the_poller_resumes_survives_a_failed_poll_and_skips_an_unreadable_update():
    bot = ScriptedBot([NetworkError("down"), [message(4), {"update_id": 5, "message": 3}, message(6)]])
    application, store = RecordingApplication(bot), KeptOffset()
    poller = ConfirmingPoller(application, store)
    await poller.start()
    await asyncio.wait_for(_until(lambda: store.saved and store.saved[-1] == 6), 10)
    await poller.stop_fetching()
    await poller.finish()
    assert bot.offsets[:2] == [4, 4]  # from the kept id, again after the failure
    assert application.handled == [4, 6]  # 5 could not be read: logged and passed
    assert bot.offsets[-1] == 7  # the last getUpdates confirms all three to Telegram


async def _until(condition) -> None:
    while not condition():
        await asyncio.sleep(0.01)


class HeldOutbox:
    """A per-chat outbox whose sends to chat 7 go out when `go` is set."""

    def __init__(self) -> None:
        self.go = asyncio.Event()

    async def sent(self, chat_id: int) -> None:
        assert chat_id == 7
        await self.go.wait()


async def test_an_update_is_confirmed_only_once_its_chats_outbox_is_sent():
    bot = ScriptedBot([[message(4)]])
    application, store = RecordingApplication(bot), KeptOffset()
    application.bot_data[OUTBOX_KEY] = outbox = HeldOutbox()
    poller = ConfirmingPoller(application, store)
    await poller.start()
    await asyncio.wait_for(_until(lambda: application.handled == [4] and len(bot.offsets) > 3), 10)
    assert store.saved == [] and set(bot.offsets) == {4}  # handled, its messages not sent: not confirmed
    outbox.go.set()
    await asyncio.wait_for(_until(lambda: store.saved == [4] and bot.offsets[-1] == 5), 10)
    await poller.stop_fetching()
    await poller.finish()


async def test_an_update_whose_chats_budget_is_spent_is_confirmed_once_its_last_message_is_sent():
    """With the real outbox and its per-chat budget: an update that queued
    four messages has three sent at once and the fourth waiting a second (the
    budget spent); until that one is sent, the update is not confirmed."""
    from bot.chat.outbox import Outbox
    from bot.chat.send_budget import SendBudget
    from tests.chat.test_paced_delivery import Gate
    from tests.conftest import Clock

    gate, sent = Gate(), []
    outbox = Outbox(sleep=gate, budget=SendBudget(Clock()))

    class Queueing(RecordingApplication):
        async def process_update(self, update, coroutine=None):
            if coroutine is not None:
                return await coroutine
            for n in range(4):
                outbox.queue(7, lambda n=n: asyncio.sleep(0, sent.append(n)), on_error=None)
            self.handled.append(update.update_id)

    bot = ScriptedBot([[message(4)]])
    application, store = Queueing(bot), KeptOffset()
    application.bot_data[OUTBOX_KEY] = outbox
    poller = ConfirmingPoller(application, store)
    await poller.start()
    await asyncio.wait_for(_until(lambda: gate.pauses and len(bot.offsets) > 3), 10)
    assert sent == [0, 1, 2] and gate.pauses == [1.0]  # the burst; the fourth waits its second
    assert store.saved == [] and set(bot.offsets) == {4}  # handled, a message still to send: not confirmed
    gate.opened.set()
    await asyncio.wait_for(_until(lambda: store.saved == [4] and bot.offsets[-1] == 5), 10)
    assert sent == [0, 1, 2, 3]
    await poller.stop_fetching()
    await poller.finish()
