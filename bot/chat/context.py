"""What every handler needs: the services, the supporter's language, replies.

Handlers get `BotContext` (python-telegram-bot's CallbackContext plus
`services`), so they never reach for globals and tests can build an
application around any catalog, store or clock.
"""

from __future__ import annotations

import functools

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackContext, ExtBot

from bot.catalog import Campaign
from bot.catalog.cases import CaseStatus, status_of, visible
from bot.catalog.i18n import Html, language_for
from bot.chat import encoded_once
from bot.services import Services

SERVICES_KEY = "services"
LANG_KEY = "lang"


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    @property
    def services(self) -> Services:
        return self.application.bot_data[SERVICES_KEY]

    def lang(self, update: Update) -> str:
        """The supporter's chosen language, else their Telegram client's."""
        chosen = self.user_data.get(LANG_KEY) if self.user_data is not None else None
        if chosen:
            return chosen
        user = update.effective_user
        return language_for(user.language_code if user else None)

    def t(self, update: Update, key: str, **values: object) -> Html:
        return self.services.texts(self.lang(update), key, **values)

    def label(self, update: Update, key: str, **values: object) -> str:
        """A button label or alert (no HTML) in the supporter's language."""
        return self.services.texts.plain(self.lang(update), key, **values)

    def campaign(self, campaign_id: str) -> Campaign | None:
        """The case a button names, if supporters may see it today: a forged
        button, or one for a case not yet issued or a draft, gets None."""
        campaign = self.services.catalog.campaigns.get(campaign_id)
        return campaign if campaign is not None and visible(campaign, self.services.today()) else None

    def status(self, campaign: Campaign) -> CaseStatus:
        """Where the case stands today, by the bot's clock (see bot.catalog.cases)."""
        return status_of(campaign, self.services.catalog.officials, self.services.today())


def short_label(text: str, limit: int = 60) -> str:
    """Text short enough for a button, cut between words with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip(" :,;—-") + "…"


async def answer_stale(update: Update, context: BotContext) -> None:
    """A button that no longer means anything (old, or forged): say so briefly."""
    await update.callback_query.answer(context.services.texts.plain(context.lang(update), "stale_button"))


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Inline keyboard from rows of (label, callback data or https:// URL).

    Button-only keyboards come from content (menus, lists, report buttons), so
    each is built once and reused: python-telegram-bot's objects are frozen,
    and building one costs more than the rest of a menu tap. Keyboards with a
    link are built anew each time: a link may carry what a supporter typed
    (a tweet, an email), which is never kept.
    """
    key = tuple(tuple(row) for row in rows)
    if any(target.startswith("https://") for row in key for _, target in row):
        return _build_keyboard(key)
    return _shared_keyboard(key)


def _build_keyboard(rows: tuple[tuple[tuple[str, str], ...], ...]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(label, url=target) if target.startswith("https://")
         else InlineKeyboardButton(label, callback_data=target) for label, target in row]
        for row in rows
    ])


@functools.lru_cache(maxsize=1024)
def _shared_keyboard(rows: tuple[tuple[tuple[str, str], ...], ...]) -> InlineKeyboardMarkup:
    """Built and encoded for the Bot API once (bot/chat/encoded_once.py)."""
    return encoded_once.remember(_build_keyboard(rows))


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None,
                edit: bool = False) -> None:
    """Answer in the chat: edit the pressed message when `edit` (unless it is a
    document, see `captioned`), else send anew.

    Parse mode (HTML) and link previews (off) come from the application's Defaults.
    """
    query = update.callback_query
    if query is not None:
        await query.answer()
        if edit and query.message is not None and not captioned(query.message):
            await query.edit_message_text(text, reply_markup=markup)
            return
    await update.effective_chat.send_message(text, reply_markup=markup)


def captioned(message: object) -> bool:
    """A document (the letter's PDF, which carries the report prompt): it has no
    text to edit, and a menu does not belong in its caption, so what a button
    under it leads to comes as a new message and the PDF stays as it is."""
    return getattr(message, "text", None) is None and (
        getattr(message, "caption", None) is not None or getattr(message, "document", None) is not None)
