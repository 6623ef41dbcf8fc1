"""Ask: free text answered from the FAQ, asked back, or declined.

A confident answer to a different question is worse than "I don't know", so
the bot answers only when one entry is clearly ahead (``combined_matcher``);
when two or three are close it asks back ("Did you mean…?", one button per
entry, in the question's language) and answers the one pressed; when nothing
is close it says what it can answer. A person's own legal situation gets the
legal-help answer, with the topic entries it touched as buttons beneath.

The answer is in the language of the question, whatever language the menus
are in: each message is read on its own (``bot.ask.question_language``), and the
answer, the decline, the suggestions and the buttons around them follow it.
A suggestion or related-topic button carries that language in its data
(``faq:<id>:es``), so pressing it shows the entry in the same language;
buttons sent before the language was carried (``faq:<id>``) show it in the
supporter's interface language, as they always did.
"""

from __future__ import annotations

from telegram import Update

from bot.ask.combined_matcher import ask_off_loop
from bot.ask.faq_answers import Style, answer_body, answer_sources
from bot.ask.text_normalise import LANGUAGES
from bot.catalog import FaqEntry
from bot.catalog.cases import actionable_cases
from bot.catalog.i18n import Html
from bot.catalog.sources import as_of_note, source_line, sources_view
from bot.chat.context import BotContext, keyboard, reply, short_label
from bot.chat.delivery import send_long
from bot.chat.menu import ACT, HOME, LEARN, PAST
from bot.chat.ordering import place_released
from bot.core.telegram_html import escape

SHOW = "faq:"
SOURCES = "faqsrc:"
BUTTON_LABEL_MAX = 60


def button_data(prefix: str, entry_id: str, lang: str) -> str:
    """``faq:<id>:<lang>``: what a button needs to show an entry in a language
    (at most 64 bytes; the content check keeps FAQ ids short enough)."""
    return f"{prefix}{entry_id}:{lang}"


def _pressed(update: Update, context: BotContext, prefix: str) -> tuple[FaqEntry | None, str]:
    """The entry a button names and the language to show it in: the one in
    its data, else (an older button) the supporter's."""
    data = update.callback_query.data.removeprefix(prefix)
    entry_id, _, lang = data.rpartition(":")
    if lang not in LANGUAGES or not entry_id:
        entry_id, lang = data, context.lang(update)
    return context.services.catalog.faq.get(entry_id), lang


def question_label(entry: FaqEntry, lang: str) -> str:
    """An entry's first phrasing, short enough for a button."""
    phrasings = entry.questions.es if lang == "es" else entry.questions.en
    return short_label(phrasings[0], BUTTON_LABEL_MAX)


def _topic_rows(context: BotContext, lang: str, ids) -> list[list[tuple[str, str]]]:
    faq = context.services.catalog.faq
    return [[(question_label(faq[i], lang), button_data(SHOW, i, lang))] for i in ids if i in faq]


async def prompt(update: Update, context: BotContext) -> None:
    lang = context.lang(update)
    markup = keyboard([[(context.services.texts.plain(lang, "menu.home"), HOME)]])
    await reply(update, context.t(update, "ask.prompt"), markup, edit=True)


async def answer_entry(update: Update, context: BotContext, entry: FaqEntry, lang: str,
                       beside: tuple[str, ...] = ()) -> None:
    """The answer in `lang`, its sources and related topics (``beside``, the
    entries the question touched, first). A generated answer (the open cases'
    officials) can be long, so the answer goes out in as many messages as
    Telegram needs, the buttons on the last."""
    services, today = context.services, context.services.today()
    plain = services.texts.plain
    chat_style = Style(say=services.texts, text=escape, strong=lambda text: f"<b>{text}</b>")
    sources = answer_sources(services.catalog, entry, today)
    parts = [
        f"<b>{escape(entry.questions.as_mapping()[lang][0])}</b>",
        answer_body(services.catalog, entry, lang, today, chat_style),
    ]
    if sources:  # an answer about the bot itself may rest on no document
        parts.append(source_line(services.catalog, services.texts, lang, sources))
    if entry.as_of is not None:  # entries about the bot itself are not dated
        parts.append(as_of_note(services.texts, lang, entry.as_of))
    text = Html("\n\n".join(parts))
    topics = tuple(dict.fromkeys((*beside, *entry.related)))
    rows = _topic_rows(context, lang, topics[:3])
    if sources:
        rows.append([(plain(lang, "content.sources_button"), button_data(SOURCES, entry.id, lang))])
    if entry.answer_from is not None and not actionable_cases(services.catalog, today):
        rows.append([(plain(lang, "menu.past"), PAST)])
    rows.append([(plain(lang, "menu.act"), ACT), (plain(lang, "menu.home"), HOME)])
    if update.callback_query is not None:
        await update.callback_query.answer()
    await send_long(update, context, text, keyboard(rows))


async def free_text(update: Update, context: BotContext) -> None:
    """Any text outside a conversation is a question for the FAQ, answered in
    its own language (the supporter's when it does not tell)."""
    services = context.services
    # The wait for the semantic ranking holds no processing place (bot/chat/ordering.py).
    asked = await ask_off_loop(services.matcher, services.semantic_tier(),
                               update.effective_message.text or "", context.lang(update),
                               waiting=place_released)
    match, lang = asked.match, asked.lang
    home = [(services.texts.plain(lang, "menu.home"), HOME)]
    if asked.outcome == "answered":
        await answer_entry(update, context, services.catalog.faq[match.id], lang, asked.offered)
    elif asked.outcome == "asked_back":
        rows = _topic_rows(context, lang, asked.offered) + [home]
        await reply(update, services.texts(lang, "ask.declined"), keyboard(rows))
    elif not match.suggestions:  # nothing to go on: empty, emoji or punctuation only
        await reply(update, services.texts(lang, "ask.prompt"), keyboard([home]))
    else:
        learn = [(services.texts.plain(lang, "menu.learn"), LEARN)]
        await reply(update, services.texts(lang, "ask.not_covered"), keyboard([learn, home]))


async def show(update: Update, context: BotContext) -> None:
    entry, lang = _pressed(update, context, SHOW)
    if entry is None:
        await update.callback_query.answer()
        return
    await answer_entry(update, context, entry, lang)


async def show_sources(update: Update, context: BotContext) -> None:
    entry, lang = _pressed(update, context, SOURCES)
    if entry is None:
        await update.callback_query.answer()
        return
    services = context.services
    sources = answer_sources(services.catalog, entry, services.today())
    text = sources_view(services.catalog, services.texts, lang, question_label(entry, lang), sources)
    markup = keyboard([[(services.texts.plain(lang, "learn.back"), button_data(SHOW, entry.id, lang))]])
    await reply(update, text, markup)
