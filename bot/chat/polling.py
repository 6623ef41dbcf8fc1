"""Long polling that confirms an update to Telegram only once it is handled.

Telegram forgets an update as soon as getUpdates is called with a higher
offset. python-telegram-bot's `Updater` asks for the next batch as soon as
it has queued the last one, so every update fetched and not yet handled was
lost when the process died (53 presses and messages in a SIGKILL measured
under load, issue 29). Here the offset only passes an update once it and
every lower one are handled: what the process had in hand when it died is
delivered again at the next start.

The highest update id handled with every lower one handled is also kept in
the store (one row, written as it advances), and the next start polls from
the one after it: updates handled but not yet confirmed to Telegram (handled
after the last getUpdates) are not handled again. A redelivered update may
still send a message twice; a report counts once (its idempotency key).
Nothing of an update but its id is written anywhere.

The price: while an update is in hand, getUpdates from the offset returns it
again at once, so instead of holding one long poll open the poller asks
again whenever an update is done (at most every `MIN_GAP` s) and at least
every `BUSY_POLL` s, parsing only the updates it has not taken; and Telegram
returns at most `BATCH` updates from the offset: with that many taken after
the oldest one still in hand, no newer one is fetched until it is done.

So what keeps an update in hand matters. Its handlers, and the messages they
queued in the chat's outbox (bot/chat/outbox.py): while those went out a
fixed second apart, every appeal (two messages) was in hand for over a
second, and with 300 people at once more than 100 newer updates piled up
behind each: taps waited 2.4 s at p99 (issue 29). The outbox now spends a
per-chat budget (bot/chat/send_budget.py: a few at once, then one a second),
so an appeal is done in tens of milliseconds; an update waits for a chat's
pacing only when that chat has just had several messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.chat.outbox import OUTBOX_KEY
from bot.store.base import Store

log = logging.getLogger(__name__)
LONG_POLL = 10  # seconds Telegram holds getUpdates open when nothing is in hand
BUSY_POLL = 0.1  # seconds between looks for new updates while some are in hand
BATCH = 100  # the most getUpdates returns
# Telegram keeps an unconfirmed update for 24 hours, and restarts its count at
# a random number after a week without updates: an older kept id says nothing.
FRESH = timedelta(hours=24)
MAX_BACKOFF = 30.0
MIN_GAP = 0.02  # seconds between two polls while updates are in hand, however fast they are done
READ_MARGIN = 5.0  # seconds to wait for getUpdates beyond its long poll


def resume_from(kept: tuple[int, datetime] | None, now: datetime) -> int | None:
    """The kept update id if it can still matter, else None (Telegram's oldest)."""
    if kept is None or now - kept[1] >= FRESH:
        return None
    return kept[0]


class UpdateWindow:
    """Which fetched updates are in hand, and the offset that confirms only
    handled ones: `handled` is the highest update id handled with every
    lower fetched one handled too (None: poll from Telegram's oldest)."""

    def __init__(self, handled: int | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.handled = handled
        self.fetched = handled  # the highest update id taken so far
        self.in_hand: set[int] = set()
        self._clock = clock
        self._last_seen = clock()

    def offset(self) -> int | None:
        """The getUpdates offset: confirms what is handled, nothing more."""
        if not self.in_hand and self._clock() - self._last_seen > FRESH.total_seconds():
            self.handled = self.fetched = None  # idle for a day: Telegram's count may restart
        return None if self.handled is None else self.handled + 1

    def take(self, updates: Sequence[dict]) -> list[dict]:
        """The updates (as Telegram sent them) not taken before: the rest are
        in hand, or handled behind one that is."""
        new = [u for u in updates if self.fetched is None or u["update_id"] > self.fetched]
        for update in new:
            self.in_hand.add(update["update_id"])
        if new:
            self.fetched = new[-1]["update_id"]
            self._last_seen = self._clock()
            if self.handled is None:
                self.handled = new[0]["update_id"] - 1
        return new

    def done(self, update_id: int) -> bool:
        """Mark one handled; True when `handled` moved."""
        self.in_hand.discard(update_id)
        handled = min(self.in_hand) - 1 if self.in_hand else self.fetched
        moved = handled != self.handled
        self.handled = handled
        return moved


class ConfirmingPoller:
    """Polls Telegram, hands each new update to the application's update
    processor (each supporter's in order), and confirms it once handled."""

    def __init__(self, application: Application, store: Store, allowed_updates: list[str] | None = None,
                 busy_poll: float = BUSY_POLL) -> None:
        self.application = application
        self.store = store
        self.allowed_updates = allowed_updates
        self.busy_poll = busy_poll
        self.window = UpdateWindow()
        self._progress = asyncio.Event()
        self._unsaved = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    async def start(self, drop_pending_updates: bool = False) -> None:
        """Resume from the kept update id (if recent), then poll in the background."""
        await self.application.bot.delete_webhook(drop_pending_updates=drop_pending_updates)
        handled = resume_from(await self.store.handled_update(), datetime.now(UTC))
        self.window = UpdateWindow(handled)
        if handled is not None:
            log.info("polling from update %d (handled before the last stop)", handled + 1)
        self._tasks = [asyncio.create_task(self._poll(), name="poller"),
                       asyncio.create_task(self._keep_offset(), name="poller:offset")]

    async def stop_fetching(self) -> None:
        """Fetch no more; updates in hand go on (`Application.stop` waits for them)."""
        poll = self._tasks[0] if self._tasks else None
        if poll is not None:
            poll.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poll

    async def finish(self) -> None:
        """After the updates in hand: keep the offset, and confirm it to Telegram."""
        for task in self._tasks[1:]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._save()
        offset = self.window.offset()
        if offset is not None:
            try:
                await self.application.bot.get_updates(offset=offset, timeout=0, limit=1,
                                                       allowed_updates=self.allowed_updates)
            except TelegramError as error:  # kept in the store: the next start skips them anyway
                log.warning("could not confirm the handled updates to Telegram (%s)", error)

    async def _poll(self) -> None:
        failures = 0
        loop = asyncio.get_running_loop()
        while True:
            busy = bool(self.window.in_hand)
            self._progress.clear()
            started = loop.time()
            try:
                updates = await self._get_updates(timeout=0 if busy else LONG_POLL)
            except Exception as error:  # noqa: BLE001 - Telegram down, or an answer that is no list: retried
                failures += 1
                wait = min(MAX_BACKOFF, 0.5 * 2 ** min(failures, 8))
                log.warning("getUpdates failed (%s: %s); again in %.1f s", type(error).__name__, error, wait)
                await asyncio.sleep(wait)
                continue
            failures = 0
            for data in self.window.take(updates):
                self._dispatch(data)
            if self.window.in_hand:  # the same ones would come back: wait for one to be done
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._progress.wait(), self.busy_poll)
                await asyncio.sleep(max(0.0, started + MIN_GAP - loop.time()))

    def _dispatch(self, data: dict) -> None:
        try:
            update = Update.de_json(data, self.application.bot)
        except Exception:  # noqa: BLE001 - one update python-telegram-bot cannot read must not hold the rest
            log.exception("update %d could not be read; skipped", data["update_id"])
            self._done(data["update_id"])
            return
        self.application.create_task(self._handle(update), update=update)

    def _done(self, update_id: int) -> None:
        if self.window.done(update_id):
            self._progress.set()
            self._unsaved.set()

    async def _get_updates(self, timeout: int) -> list[dict]:
        """getUpdates, answered as JSON: while updates are in hand most of each
        answer is updates taken already, and only new ones are worth parsing
        (`Bot.get_updates` parses all). Through the bot's getUpdates connection."""
        data = {"offset": self.window.offset(), "timeout": timeout, "limit": BATCH,
                "allowed_updates": self.allowed_updates}
        updates = await self.application.bot._post("getUpdates", data, read_timeout=timeout + READ_MARGIN)
        if not isinstance(updates, list) or not all(isinstance(u.get("update_id"), int) for u in updates):
            raise TypeError("getUpdates answered no list of updates")
        return updates

    async def _handle(self, update: Update) -> None:
        application = self.application
        try:
            await application.update_processor.process_update(update, application.process_update(update))
        except Exception:  # noqa: BLE001 - logged; an update that always fails must not block the rest
            log.exception("update %d failed outside its handlers", update.update_id)
        await self._outbox_sent(update)
        # Cancelled (a stop before its turn): not done, so never confirmed; the next start gets it again.
        self._done(update.update_id)

    async def _outbox_sent(self, update: Update) -> None:
        """Messages the handlers queued to send after it (a per-chat outbox,
        when the application has one) are part of handling the update."""
        outbox = self.application.bot_data.get(OUTBOX_KEY)
        chat = update.effective_chat
        if outbox is not None and chat is not None:
            await outbox.sent(chat.id)

    async def _keep_offset(self) -> None:
        """Write the handled update id as it moves: one write at a time, the latest."""
        while True:
            await self._unsaved.wait()
            self._unsaved.clear()
            await self._save()

    async def _save(self) -> None:
        if self.window.handled is None:
            return
        try:
            await self.store.save_handled_update(self.window.handled)
        except Exception:  # noqa: BLE001 - the offset is an optimisation over Telegram's own; keep serving
            log.warning("could not keep the handled update id", exc_info=True)
