"""Sending long texts the way Telegram allows: at most 4096 characters a
message, split on paragraph boundaries, at most one message a second to the
same chat."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.bot_api.transport import MAX_TEXT
from bot.chat.context import BotContext

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


async def send_long(update: Update, context: BotContext, html_text: str,
                    markup: InlineKeyboardMarkup | None = None) -> None:
    """Send `html_text` (tag-free or with tags not spanning paragraphs) in pieces;
    the keyboard goes on the last piece."""
    pieces = split_message(html_text)
    for index, piece in enumerate(pieces):
        if index:
            await context.services.sleep(SAME_CHAT_INTERVAL)
        last = index == len(pieces) - 1
        await update.effective_chat.send_message(piece, reply_markup=markup if last else None)
