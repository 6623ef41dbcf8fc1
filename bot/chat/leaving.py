"""Leaving a flow from outside it: /start, a main-menu button, /forget.

python-telegram-bot ends a conversation only from inside it, so a supporter
who walked away from a half-written letter to read the menu would have their
next question taken as their name. `leaving_flows` wraps a handler so that it
first ends every conversation the supporter is in (see `flows.py`).
"""

from __future__ import annotations

from telegram import Update

from bot.chat.context import BotContext
from bot.chat.flows import end_conversations

__all__ = ["end_conversations", "leaving_flows"]


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
