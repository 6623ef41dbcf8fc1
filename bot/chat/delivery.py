"""Sending long texts the way Telegram allows: at most 4096 characters a
message, split on paragraph boundaries, at most one message a second to the
same chat. The pauses between messages are taken in the chat's outbox
(`outbox.py`), after the handler has returned, never inside it."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.bot_api.transport import MAX_TEXT
from bot.chat.context import BotContext
from bot.chat.outbox import OUTBOX_KEY, Outbox, Send

SAME_CHAT_INTERVAL = 1.0


def split_message(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most `limit` characters, cut between paragraphs where possible,
    else between lines, else between words, else anywhere."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = next((window.rfind(sep) for sep in ("\n\n", "\n", " ") if window.rfind(sep) > 0), limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def outbox_of(context: BotContext) -> Outbox:
    return context.application.bot_data[OUTBOX_KEY]


def send_later(update: Update, context: BotContext, send: Send, pause: float = SAME_CHAT_INTERVAL) -> None:
    """Queue `send` for this chat, `pause` s after what is queued before it;
    it is sent once the handler has returned. A failure goes to the
    application's error handlers with this update, as from the handler."""
    application = context.application
    outbox_of(context).queue(update.effective_chat.id, send, pause,
                             lambda error: application.process_error(update, error))


def queue_long(update: Update, context: BotContext, html_text: str,
               markup: InlineKeyboardMarkup | None = None, pause: float = SAME_CHAT_INTERVAL) -> None:
    """`send_long`, every piece queued: the first `pause` s after what is queued
    before it, the others a second apart."""
    pieces = split_message(html_text)
    chat = update.effective_chat
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        send_later(update, context, _sender(chat, piece, markup if last else None),
                   pause if index == 0 else SAME_CHAT_INTERVAL)


def _sender(chat, text: str, markup: InlineKeyboardMarkup | None) -> Send:
    return lambda: chat.send_message(text, reply_markup=markup)


async def send_long(update: Update, context: BotContext, html_text: str,
                    markup: InlineKeyboardMarkup | None = None) -> None:
    """Send `html_text` (tag-free or with tags not spanning paragraphs) in pieces;
    the keyboard goes on the last piece. The first piece now, the others
    queued a second apart (most texts are one piece)."""
    pieces = split_message(html_text)
    if not pieces:
        return
    first, *rest = pieces
    chat = update.effective_chat
    await chat.send_message(first, reply_markup=None if rest else markup)
    for index, piece in enumerate(rest):
        last = index == len(rest) - 1
        send_later(update, context, _sender(chat, piece, markup if last else None))
