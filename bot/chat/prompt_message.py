"""The report prompt's message, wherever it sits, and its later edits.

To make an appeal as few messages as Telegram allows (each message to one
chat is paced a second apart, issue 29), a letter's report prompt is the
caption of its PDF, with the prompt's buttons under the document and the
button for the other paper after them; every other prompt, and a letter's
whose caption would be too long, is a message of its own.

Pressing a prompt's button edits the prompt into the answer ("Thank you",
"How many?", "Did you send it again?"): `edit` edits the text of a message,
or the caption of a document (a document has no text to edit, and Telegram
refuses the text edit). A caption keeps the other-paper row, so the letter
can still be had on the other paper after "Not yet". A press delivered again
after a crash edits the prompt into what it already says: Telegram answers
"message is not modified", which means the work is done, not an error.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.bot_api.transport import MAX_CAPTION
from bot.chat.context import captioned
from bot.chat.letter_paper import OTHER_PAPER
from bot.core.telegram_html import visible_length

log = logging.getLogger(__name__)
NOT_MODIFIED = "message is not modified"  # Telegram's words


def fits_caption(html_text: str) -> bool:
    """Whether Telegram takes this as a caption: 1,024 characters after entities."""
    return visible_length(html_text) <= MAX_CAPTION


def _paper_rows(message: Message) -> list:
    markup = message.reply_markup
    return [row for row in (markup.inline_keyboard if markup else ())
            if all((button.callback_data or "").startswith(OTHER_PAPER) for button in row)]


async def edit(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Answer the press and edit the pressed prompt into `text` with `markup`."""
    query = update.callback_query
    await query.answer()
    message = query.message
    try:
        if not captioned(message):
            await query.edit_message_text(text, reply_markup=markup)
            return
        kept = _paper_rows(message)
        rows = [*(markup.inline_keyboard if markup else ()), *kept]
        if fits_caption(text):
            await query.edit_message_caption(text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)
            return
        # An answer too long for a caption: the prompt's buttons come off the PDF, the answer comes anew.
        await query.edit_message_reply_markup(InlineKeyboardMarkup(kept) if kept else None)
        await update.effective_chat.send_message(text, reply_markup=markup)
    except BadRequest as error:
        if NOT_MODIFIED not in str(error).lower():
            raise
        log.info("a prompt already says this (a press delivered again?); going on")
