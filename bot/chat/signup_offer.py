"""Where the sign-up for new cases is offered: one button (and, on the
welcome when no case is open, one line saying what a supporter can still
do). Kept apart from the sign-up screen (bot/chat/signup.py) so the menu,
the archive, Take action and the report's thanks can offer it without
importing the screen, which imports them."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.catalog.cases import actionable_cases
from bot.catalog.i18n import Html
from bot.chat.context import BotContext, keyboard

SHOW = "sig:show"  # opens the sign-up screen


def offer_row(context: BotContext, update: Update) -> list[tuple[str, str]]:
    """"Tell me about new cases", as a keyboard row."""
    return [(context.label(update, "signup.offer_button"), SHOW)]


def with_offer(context: BotContext, update: Update, text: str,
               markup: InlineKeyboardMarkup) -> tuple[Html, InlineKeyboardMarkup]:
    """The welcome with the sign-up offered: its button above the language
    switch (the last row), and, when no case is open, what one can still do."""
    rows = [[(b.text, b.url or b.callback_data) for b in row] for row in markup.inline_keyboard]
    rows.insert(max(len(rows) - 1, 0), offer_row(context, update))
    if not actionable_cases(context.services.catalog, context.services.today()):
        text = f"{text}\n\n{context.t(update, 'signup.offer_line')}"
    return Html(text), keyboard(rows)
