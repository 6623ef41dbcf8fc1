"""A case update as its followers receive it: the message in each language
and its one button ("Stop following"). The same in a broadcast, in an
organizer's preview and in the CLI's dry run."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.catalog import LANGUAGES, Campaign, Catalog, format_date
from bot.catalog.cases import update_by_number
from bot.catalog.i18n import Html, Texts
from bot.catalog.sources import source_line

UNFOLLOW = "upd:off:"  # the button's callback data, then the case id (handled in bot/chat/updates.py)


def update_message(catalog: Catalog, texts: Texts, campaign: Campaign, number: int, lang: str) -> Html:
    """Update `number` (from 1) of `campaign`, in `lang`."""
    item = update_by_number(campaign, number)
    parts = [texts(lang, "updates.message", reference=campaign.reference, date=item.date.display(lang),
                   title=item.title.get(lang), text=item.text.get(lang))]
    if item.status == "closed":
        parts.append(texts(lang, "updates.now_closed"))
    if item.deadline is not None:
        parts.append(texts(lang, "updates.new_deadline", deadline=format_date(item.deadline, lang)))
    if item.sources:
        parts.append(source_line(catalog, texts, lang, item.sources))
    parts.append(texts(lang, "updates.footer", reference=campaign.reference))
    return Html("\n\n".join(parts))


def update_markup(texts: Texts, campaign: Campaign, lang: str) -> InlineKeyboardMarkup:
    label = f"{texts.plain(lang, 'updates.unfollow_button')} {campaign.reference}"
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=f"{UNFOLLOW}{campaign.id}")]])


def update_messages(catalog: Catalog, texts: Texts, campaign: Campaign,
                    number: int) -> dict[str, tuple[Html, InlineKeyboardMarkup]]:
    """The message and button for each language, as a broadcast sends them."""
    return {lang: (update_message(catalog, texts, campaign, number, lang),
                   update_markup(texts, campaign, lang)) for lang in LANGUAGES}
