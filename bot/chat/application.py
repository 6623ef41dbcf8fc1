"""The Application subclass every mode runs: after each update it writes the
persistence (not once a minute), counts the update for /metrics, and tags
log records with the update id. Once initialised it freezes the heap it
loaded (bot/core/heap.py: no full garbage collection rescans it while
supporters wait), and thaws it on shutdown."""

from __future__ import annotations

import functools
import logging
import time

from telegram import Update
from telegram.ext import Application, ConversationHandler
from telegram.ext._handlers.conversationhandler import PendingState
from telegram.ext._utils.trackingdict import TrackingDict

from bot.chat.context import SERVICES_KEY
from bot.chat.outbox import OUTBOX_KEY
from bot.chat.persistence import StorePersistence
from bot.core import heap
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


# python-telegram-bot's own (private) bookkeeping `_hand_over` reads; should a
# release rename any of it, its public hand-over is used instead (slower, same).
_HAND_OVER_STATE = {"_user_ids_to_be_updated_in_persistence", "_user_ids_to_be_deleted_in_persistence",
                    "_chat_ids_to_be_updated_in_persistence", "_chat_ids_to_be_deleted_in_persistence",
                    "_conversation_handler_conversations"}


class BotApplication(Application):
    async def initialize(self) -> None:
        await super().initialize()
        heap.freeze()  # the catalog, matchers, handlers, store: loaded for good (bot/core/heap.py)

    async def shutdown(self) -> None:
        try:
            await super().shutdown()
        finally:
            heap.thaw()

    async def update_persistence(self) -> None:
        """What changed handed to the persistence, then written at once.

        python-telegram-bot's own hand-over (kept for any other persistence)
        deep-copies the user data of every supporter an update touched and
        wraps each hand-over in a task of its own (`asyncio.gather`), after
        every update, though most updates change nothing that is written.
        `StorePersistence` keeps only user data and conversation states, and
        its hand-overs never wait: they are made here one after another, and
        the live user data is compared before it is copied
        (`StorePersistence.note_user_data`). What is handed over, and when, is
        python-telegram-bot's: the supporters marked during the update, and
        every conversation state written since the last hand-over."""
        persistence = self.persistence
        if not isinstance(persistence, StorePersistence) or not self.hands_over_itself():
            await super().update_persistence()
            if hasattr(persistence, "write_pending"):
                await persistence.write_pending()
            return
        for error in await self._hand_over(persistence):
            await self.process_error(update=None, error=error)
        await persistence.write_pending()

    def hands_over_itself(self) -> bool:
        """Whether python-telegram-bot still has the bookkeeping `_hand_over` reads."""
        return all(hasattr(self, name) for name in _HAND_OVER_STATE)

    async def _hand_over(self, persistence: StorePersistence) -> list[Exception]:
        """python-telegram-bot's `Application.__update_persistence` for our
        persistence (user data and conversations only); the errors raised."""
        errors: list[Exception] = []
        updated = self._user_ids_to_be_updated_in_persistence
        deleted = self._user_ids_to_be_deleted_in_persistence
        self._user_ids_to_be_updated_in_persistence = set()
        self._user_ids_to_be_deleted_in_persistence = set()
        self._chat_ids_to_be_updated_in_persistence.clear()  # no chat data is kept
        self._chat_ids_to_be_deleted_in_persistence.clear()
        for user_id in updated - deleted:
            try:
                persistence.note_user_data(user_id, self.user_data[user_id])
            except Exception as error:  # noqa: BLE001 - dispatched, as python-telegram-bot does
                errors.append(error)
        for user_id in deleted:
            try:
                await persistence.drop_user_data(user_id)
            except Exception as error:  # noqa: BLE001
                errors.append(error)
        for name, states in self._conversation_handler_conversations.items():
            for key, state in states.pop_accessed_write_items():
                if isinstance(state, PendingState):  # a handler run with block=False (none of ours)
                    if state.done():
                        state = state.resolve()
                    else:
                        state = state.old_state
                        states.mark_as_accessed(key)  # looked at again next time
                try:
                    await persistence.update_conversation(
                        name=name, key=key, new_state=None if state is TrackingDict.DELETED else state)
                except Exception as error:  # noqa: BLE001
                    errors.append(error)
        return errors

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
