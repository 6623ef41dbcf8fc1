"""Sending long texts the way Telegram allows: at most 4096 characters a
message, split on paragraph boundaries, and to one chat about one message a
second on average (a few at once, then one a second: send_budget.py). Any
wait between messages is taken in the chat's outbox (`outbox.py`), after the
handler has returned, never inside it."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.bot_api.transport import MAX_TEXT
from bot.chat.context import BotContext
from bot.chat.outbox import OUTBOX_KEY, Outbox, Send


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


def send_later(update: Update, context: BotContext, send: Send) -> None:
    """Queue `send` for this chat, after what is queued before it; it is sent
    once the handler has returned, when the chat's budget allows. A failure
    goes to the application's error handlers with this update, as from the
    handler."""
    application = context.application
    outbox_of(context).queue(update.effective_chat.id, send,
                             lambda error: application.process_error(update, error))


def queue_long(update: Update, context: BotContext, html_text: str,
               markup: InlineKeyboardMarkup | None = None) -> None:
    """`send_long`, every piece queued (in order, paced by the chat's budget)."""
    pieces = split_message(html_text)
    chat = update.effective_chat
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        send_later(update, context, _sender(chat, piece, markup if last else None))


def _sender(chat, text: str, markup: InlineKeyboardMarkup | None) -> Send:
    return lambda: chat.send_message(text, reply_markup=markup)


async def send_long(update: Update, context: BotContext, html_text: str,
                    markup: InlineKeyboardMarkup | None = None) -> None:
    """Send `html_text` (tag-free or with tags not spanning paragraphs) in pieces;
    the keyboard goes on the last piece. The first piece now (counted in the
    chat's budget), the others queued, paced by it (most texts are one piece)."""
    pieces = split_message(html_text)
    if not pieces:
        return
    first, *rest = pieces
    chat = update.effective_chat
    await chat.send_message(first, reply_markup=None if rest else markup)
    outbox_of(context).spent(chat.id)
    for index, piece in enumerate(rest):
        last = index == len(rest) - 1
        send_later(update, context, _sender(chat, piece, markup if last else None))
