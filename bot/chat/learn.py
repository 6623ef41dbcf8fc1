"""Learn: the topics, then a topic's explainers, one screen each, with
Back/Next within the topic, Sources and Take action."""

from __future__ import annotations

from telegram import Update

from bot.catalog import Explainer
from bot.catalog.i18n import Html
from bot.catalog.schema import Topic
from bot.catalog.sources import as_of_note, source_line, sources_view
from bot.chat.context import BotContext, keyboard, reply
from bot.chat.menu import ACT, HOME
from bot.core.telegram_html import escape

LIST = "learn"
TOPIC = "lt:"
SHOW = "ex:"
SOURCES = "exsrc:"


def _explainers_of(context: BotContext, topic_id: str | None) -> list[Explainer]:
    return [e for e in context.services.catalog.explainers if e.topic == topic_id]


async def show_list(update: Update, context: BotContext) -> None:
    """Learn: the topics, or, when the bot has one topic, its explainers."""
    topics = list(context.services.catalog.topics.values())
    if len(topics) == 1:
        await _show_topic(update, context, topics[0])
        return
    lang = context.lang(update)
    rows = [[(t.title.get(lang), f"{TOPIC}{t.id}")] for t in topics]
    rows.append([(context.label(update, "menu.home"), HOME)])
    await reply(update, context.t(update, "learn.list"), keyboard(rows), edit=True)


async def show_topic(update: Update, context: BotContext) -> None:
    topic = context.services.catalog.topics.get(update.callback_query.data.removeprefix(TOPIC))
    if topic is None:
        await show_list(update, context)
        return
    await _show_topic(update, context, topic)


async def _show_topic(update: Update, context: BotContext, topic: Topic) -> None:
    lang = context.lang(update)
    rows = [[(e.title.get(lang), f"{SHOW}{e.id}")] for e in _explainers_of(context, topic.id)]
    last = [(context.label(update, "menu.home"), HOME)]
    if len(context.services.catalog.topics) > 1:
        last.insert(0, (context.label(update, "learn.topics"), LIST))
    rows.append(last)
    text = context.t(update, "learn.topic", title=topic.title.get(lang), summary=topic.summary.get(lang))
    await reply(update, text, keyboard(rows), edit=True)


def _find(context: BotContext, explainer_id: str) -> tuple[list[Explainer], int] | None:
    """The explainers of the pressed one's topic, and its place among them."""
    explainer = next((e for e in context.services.catalog.explainers if e.id == explainer_id), None)
    if explainer is None:
        return None
    siblings = _explainers_of(context, explainer.topic)
    return siblings, siblings.index(explainer)


async def show(update: Update, context: BotContext) -> None:
    found = _find(context, update.callback_query.data.removeprefix(SHOW))
    if found is None:
        await show_list(update, context)
        return
    explainers, index = found
    services, lang = context.services, context.lang(update)
    explainer = explainers[index]
    plain = services.texts.plain
    text = Html("\n\n".join([
        f"<b>{escape(explainer.title.get(lang))}</b>",
        escape(explainer.body.get(lang)),
        source_line(services.catalog, services.texts, lang, explainer.sources),
        as_of_note(services.texts, lang, explainer.as_of),
    ]))
    topic_list = f"{TOPIC}{explainer.topic}"
    back = f"{SHOW}{explainers[index - 1].id}" if index > 0 else topic_list
    navigation = [(plain(lang, "learn.back"), back)]
    if index + 1 < len(explainers):
        navigation.append((plain(lang, "learn.next"), f"{SHOW}{explainers[index + 1].id}"))
    markup = keyboard([
        navigation,
        [(plain(lang, "content.sources_button"), f"{SOURCES}{explainer.id}"),
         (plain(lang, "learn.all"), topic_list)],
        [(plain(lang, "menu.act"), ACT), (plain(lang, "menu.home"), HOME)],
    ])
    await reply(update, text, markup, edit=True)


async def show_sources(update: Update, context: BotContext) -> None:
    found = _find(context, update.callback_query.data.removeprefix(SOURCES))
    if found is None:
        await show_list(update, context)
        return
    services, lang = context.services, context.lang(update)
    explainers, index = found
    explainer = explainers[index]
    text = sources_view(services.catalog, services.texts, lang, explainer.title.get(lang),
                        explainer.sources)
    markup = keyboard([[(services.texts.plain(lang, "learn.back"), f"{SHOW}{explainer.id}")],
                       [(services.texts.plain(lang, "menu.act"), ACT)]])
    await reply(update, text, markup, edit=True)
