"""Ask: free text answered from the FAQ, or declined with the closest topics.

A wrong legal answer is worse than "I don't know", so when the matcher is not
sure the supporter gets the three closest entries as buttons instead.
"""

from __future__ import annotations

from telegram import Update

from ..cases import actionable_cases
from ..catalog import FaqEntry
from ..faq_answers import Style, answer_body
from ..i18n import Html
from ..telegram_html import escape
from .context import BotContext, keyboard, reply, short_label
from .delivery import send_long
from .menu import ACT, HOME, PAST
from .sources import as_of_note, source_line, sources_view

SHOW = "faq:"
SOURCES = "faqsrc:"
BUTTON_LABEL_MAX = 60


def question_label(entry: FaqEntry, lang: str) -> str:
    """An entry's first phrasing, short enough for a button."""
    phrasings = entry.questions.es if lang == "es" else entry.questions.en
    return short_label(phrasings[0], BUTTON_LABEL_MAX)


def _topic_rows(context: BotContext, lang: str, ids) -> list[list[tuple[str, str]]]:
    faq = context.services.catalog.faq
    return [[(question_label(faq[i], lang), f"{SHOW}{i}")] for i in ids if i in faq]


async def prompt(update: Update, context: BotContext) -> None:
    lang = context.lang(update)
    markup = keyboard([[(context.services.texts.plain(lang, "menu.home"), HOME)]])
    await reply(update, context.t(update, "ask.prompt"), markup, edit=True)


async def answer_entry(update: Update, context: BotContext, entry: FaqEntry) -> None:
    """The answer, its sources and related topics. A generated answer (the open
    cases' officials) can be long, so the answer goes out in as many messages as
    Telegram needs, the buttons on the last."""
    services, lang, today = context.services, context.lang(update), context.services.today()
    plain = services.texts.plain
    heading = entry.questions.es[0] if lang == "es" else entry.questions.en[0]
    chat_style = Style(say=services.texts, text=escape, strong=lambda text: f"<b>{text}</b>")
    parts = [
        f"<b>{escape(heading)}</b>",
        answer_body(services.catalog, entry, lang, today, chat_style),
        source_line(services.catalog, services.texts, lang, entry.sources),
    ]
    if entry.as_of is not None:  # entries about the bot itself are not dated
        parts.append(as_of_note(services.texts, lang, entry.as_of))
    text = Html("\n\n".join(parts))
    rows = _topic_rows(context, lang, entry.related[:3])
    rows.append([(plain(lang, "content.sources_button"), f"{SOURCES}{entry.id}")])
    if entry.answer_from == "open_cases" and not actionable_cases(services.catalog, today):
        rows.append([(plain(lang, "menu.past"), PAST)])
    rows.append([(plain(lang, "menu.act"), ACT), (plain(lang, "menu.home"), HOME)])
    if update.callback_query is not None:
        await update.callback_query.answer()
    await send_long(update, context, text, keyboard(rows))


async def free_text(update: Update, context: BotContext) -> None:
    """Any text outside a conversation is a question for the FAQ."""
    lang = context.lang(update)
    match = context.services.matcher.match(update.effective_message.text or "", lang)
    if match.id is not None:
        await answer_entry(update, context, context.services.catalog.faq[match.id])
        return
    home = [(context.services.texts.plain(lang, "menu.home"), HOME)]
    if not match.suggestions:  # nothing to go on: empty, emoji or punctuation only
        await reply(update, context.t(update, "ask.prompt"), keyboard([home]))
        return
    rows = _topic_rows(context, lang, match.suggestions[:3]) + [home]
    await reply(update, context.t(update, "ask.declined"), keyboard(rows))


async def show(update: Update, context: BotContext) -> None:
    entry = context.services.catalog.faq.get(update.callback_query.data.removeprefix(SHOW))
    if entry is None:
        await update.callback_query.answer()
        return
    await answer_entry(update, context, entry)


async def show_sources(update: Update, context: BotContext) -> None:
    entry = context.services.catalog.faq.get(update.callback_query.data.removeprefix(SOURCES))
    if entry is None:
        await update.callback_query.answer()
        return
    services, lang = context.services, context.lang(update)
    text = sources_view(services.catalog, services.texts, lang, question_label(entry, lang), entry.sources)
    markup = keyboard([[(services.texts.plain(lang, "learn.back"), f"{SHOW}{entry.id}")]])
    await reply(update, text, markup)
