"""Flood control in the chat: past the limit (bot/core/flood_gate.py), one polite
notice, then silence until the window has passed."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.chat.context import BotContext


async def guard(update: Update, context: BotContext) -> None:
    user = update.effective_user
    if user is None or context.services.is_organizer(user.id):
        return
    allowed, warn = context.services.flood.allow(user.id, context.services.clock())
    if allowed:
        return
    context.services.metrics.flood_limited.inc()
    if warn and update.effective_chat is not None:
        await update.effective_chat.send_message(context.t(update, "flood.slow_down"))
    elif update.callback_query is not None:
        await update.callback_query.answer()
    raise ApplicationHandlerStop
