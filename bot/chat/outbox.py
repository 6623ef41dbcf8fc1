"""Messages to one chat that must be spaced out, sent after the handler returns.

Telegram accepts about one message a second to one private chat. An appeal
is several messages (the appeal, its PDF, the report prompt), so the bot
must wait between them; but waiting is not work. Waiting inside the handler
held one of the update processor's places (bot/chat/ordering.py) for
seconds, and with every place held by a delivery, an unrelated /start
waited behind other people's letters.

So a handler queues such messages here (`Outbox.queue`) and returns at
once. One sender task per chat sends that chat's queue in order, pausing
before each message as asked (on the services' sleep, which tests control).
Order for the supporter: the update processor waits for a chat's outbox to
be sent before it runs that chat's next update (`Outbox.sent`), so the next
update's replies come after everything queued, and the supporter's updates
stay one at a time. Waiting there holds no processing place.

A send that fails is handed to the application's error handling, as it
would have been from the handler (logged, the supporter told), and the rest
of that chat's queue is dropped: it would make no sense without the part
that failed, and a blocked chat refuses all of it anyway. Retries after
Telegram's "retry after" happen below, in the request layer, as for every
send.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

Send = Callable[[], Awaitable[object]]
OnError = Callable[[Exception], Awaitable[object]]


@dataclass(frozen=True)
class Queued:
    send: Send
    pause: float  # seconds to wait before sending it
    on_error: OnError


class Outbox:
    """Per chat, the queued sends and the task sending them."""

    def __init__(self, sleep: Callable[[float], Awaitable[None]]):
        self._sleep = sleep
        self._queues: dict[int, deque[Queued]] = {}
        self._senders: dict[int, asyncio.Task] = {}

    def queue(self, chat_id: int, send: Send, pause: float, on_error: OnError) -> None:
        """Send `send()` to `chat_id` after what is already queued for it, `pause` s later."""
        self._queues.setdefault(chat_id, deque()).append(Queued(send, pause, on_error))
        if chat_id not in self._senders:
            self._senders[chat_id] = asyncio.get_running_loop().create_task(
                self._send_all(chat_id), name=f"outbox:{chat_id}")

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
                if item.pause:
                    await self._sleep(item.pause)
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
