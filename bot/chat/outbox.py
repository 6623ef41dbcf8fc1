"""Messages to one chat that must be paced, sent after the handler returns.

Telegram accepts about one message a second to one private chat, with short
bursts over it. An appeal is two messages (the appeal, then its PDF or the
report prompt), so the bot may have to wait between messages to a chat;
but waiting is not work. Waiting inside the handler held one of the update
processor's places (bot/chat/ordering.py) for seconds, and with every place
held by a delivery, an unrelated /start waited behind other people's letters.

So a handler queues such messages here (`Outbox.queue`) and returns at
once. One sender task per chat sends that chat's queue in order, waiting
before a message only when the chat's budget is spent (bot/chat/send_budget.py:
a few at once, then one a second; on the services' clock and sleep, which
tests control). An appeal's two messages go out back to back, so its update
is done, and in polling mode confirmed, in tens of milliseconds rather than
after a fixed second's pause (issue 29: that pause held getUpdates' window).
A message a handler sent itself is counted too (`Outbox.spent`).

Order for the supporter: the update processor waits for a chat's outbox to
be sent before it runs that chat's next update (`Outbox.sent`), so the next
update's replies come after everything queued, and the supporter's updates
stay one at a time. Waiting there holds no processing place.

A send that fails is handed to the application's error handling, as it
would have been from the handler (logged, the supporter told), and the rest
of that chat's queue is dropped: it would make no sense without the part
that failed, and a blocked chat refuses all of it anyway. Retries after
Telegram's "retry after" (a 429) happen below, in the request layer, as for
every send: the message waits there and the chat's queue behind it, so
nothing is lost and the order holds.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.chat.send_budget import SendBudget

log = logging.getLogger(__name__)

Send = Callable[[], Awaitable[object]]
OnError = Callable[[Exception], Awaitable[object]]


@dataclass(frozen=True)
class Queued:
    send: Send
    on_error: OnError


class Outbox:
    """Per chat, the queued sends and the task sending them."""

    def __init__(self, sleep: Callable[[float], Awaitable[None]], budget: SendBudget):
        self._sleep = sleep
        self.budget = budget
        self._queues: dict[int, deque[Queued]] = {}
        self._senders: dict[int, asyncio.Task] = {}

    def queue(self, chat_id: int, send: Send, on_error: OnError) -> None:
        """Send `send()` to `chat_id` after what is already queued for it, as soon as
        the chat's budget allows."""
        self._queues.setdefault(chat_id, deque()).append(Queued(send, on_error))
        if chat_id not in self._senders:
            self._senders[chat_id] = asyncio.get_running_loop().create_task(
                self._send_all(chat_id), name=f"outbox:{chat_id}")

    def spent(self, chat_id: int) -> None:
        """A message sent to `chat_id` directly (by a handler): it counts against the chat's budget."""
        self.budget.spend(chat_id)

    def pending(self, chat_id: int) -> bool:
        return chat_id in self._senders

    async def sent(self, chat_id: int) -> None:
        """Return once everything queued for `chat_id` is sent (or dropped)."""
        task = self._senders.get(chat_id)
        if task is not None:
            # asyncio.wait, not await: a caller cancelled while waiting must not cancel the sends
            await asyncio.wait((task,))

    async def all_sent(self) -> None:
        while self._senders:
            await asyncio.wait(tuple(self._senders.values()))

    async def _send_all(self, chat_id: int) -> None:
        queue = self._queues[chat_id]
        try:
            while queue:
                item = queue.popleft()
                if wait := self.budget.take(chat_id):
                    await self._sleep(wait)
                try:
                    await item.send()
                except Exception as error:  # noqa: BLE001 - handed on, as from a handler
                    queue.clear()
                    try:
                        await item.on_error(error)
                    except Exception:  # noqa: BLE001 - the error handling itself failed: logged
                        log.exception("the error handler failed for a queued message")
        finally:
            del self._queues[chat_id]
            del self._senders[chat_id]


OUTBOX_KEY = "outbox"  # in application.bot_data
