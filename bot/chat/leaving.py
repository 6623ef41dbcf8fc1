"""Leaving a flow from outside it: /start, a main-menu button, /forget, or a
flow abandoned across a restart.

python-telegram-bot ends a conversation only from inside it, so a supporter
who walked away from a half-written letter to read the menu would have their
next question taken as their name. These helpers end every conversation the
supporter is in, drop what the flows kept in user_data, and tell the
persistence, so nothing typed outlives the flow.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ConversationHandler

from .context import BotContext

# user_data keys where the flows keep their state (take_action, feedback, report).
FLOW_DATA_KEYS = ("flow", "feedback", "report")


def _conversation_handlers(application: Application) -> list[ConversationHandler]:
    return [h for group in application.handlers.values() for h in group
            if isinstance(h, ConversationHandler)]


async def end_conversations(application: Application, chat_id: int, user_id: int) -> None:
    key = (chat_id, user_id)
    user_data = application.user_data.get(user_id)
    if user_data is not None:
        for data_key in FLOW_DATA_KEYS:
            user_data.pop(data_key, None)
    for handler in _conversation_handlers(application):
        # No public API ends another handler's conversation; its state map is the source of truth.
        ended = handler._conversations.pop(key, None) is not None
        if ended and handler.persistent and application.persistence is not None:
            await application.persistence.update_conversation(handler.name, key, None)
    if application.persistence is not None and user_data is not None:
        await application.persistence.update_user_data(user_id, user_data)


def leaving_flows(callback):
    """A handler that first takes the supporter out of any flow they are in."""

    async def run(update: Update, context: BotContext):
        if update.effective_chat is not None and update.effective_user is not None:
            await end_conversations(context.application, update.effective_chat.id, update.effective_user.id)
        return await callback(update, context)

    run.__name__ = callback.__name__
    run.__module__ = callback.__module__
    run.__doc__ = callback.__doc__
    return run
