"""The Application subclass every mode runs: after each update it writes the
persistence (not once a minute), counts the update for /metrics, and tags
log records with the update id."""

from __future__ import annotations

import functools
import logging
import time

from telegram import Update
from telegram.ext import Application, ConversationHandler

from bot.chat.context import SERVICES_KEY
from bot.chat.outbox import OUTBOX_KEY
from bot.core.logs import current_handler, current_update

log = logging.getLogger(__name__)


def update_type(update: object) -> str:
    if not isinstance(update, Update):
        return type(update).__name__
    for kind in ("message", "edited_message", "callback_query", "my_chat_member", "inline_query"):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


def _named(callback):
    """The callback, telling the logs its name while it runs (for this update)."""
    name = f"{callback.__module__.rsplit('.', 1)[-1]}.{callback.__name__}"

    @functools.wraps(callback)
    async def run(update, context):
        current_handler.set(name)
        return await callback(update, context)

    return run


def name_handlers(handlers) -> None:
    """Wrap every callback, inside conversations too, so log records name it."""
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            states = [h for group in handler.states.values() for h in group]
            name_handlers([*handler.entry_points, *states, *handler.fallbacks])
        else:
            handler.callback = _named(handler.callback)


class BotApplication(Application):
    async def update_persistence(self) -> None:
        """python-telegram-bot's, then the collected changes written at once."""
        await super().update_persistence()
        if hasattr(self.persistence, "write_pending"):
            await self.persistence.write_pending()

    async def process_update(self, update: object) -> None:
        token = current_update.set(getattr(update, "update_id", None))
        handler_token = current_handler.set(None)
        started = time.perf_counter()
        try:
            await super().process_update(update)
            if self.persistence is not None and isinstance(update, Update):
                await self.update_persistence()
        finally:
            elapsed = time.perf_counter() - started
            metrics = self.bot_data[SERVICES_KEY].metrics
            metrics.updates.inc(update_type(update))
            metrics.latency.observe(elapsed)
            log.debug("%s handled in %.1f ms", update_type(update), elapsed * 1000)
            current_handler.reset(handler_token)
            current_update.reset(token)

    async def queued_sent(self) -> None:
        """Once every message queued in the chats' outboxes is sent: what
        `process_update` called directly (the console, tests) waits for, as
        the update processor waits per chat."""
        outbox = self.bot_data.get(OUTBOX_KEY)
        if outbox is not None:
            await outbox.all_sent()
