"""Learn: the explainers, one screen each, with Back/Next, Sources and Take action."""

from __future__ import annotations

from telegram import Update

from bot.catalog.i18n import Html
from bot.catalog.sources import as_of_note, source_line, sources_view
from bot.chat.context import BotContext, keyboard, reply
from bot.chat.menu import ACT, HOME
from bot.core.telegram_html import escape

LIST = "learn"
SHOW = "ex:"
SOURCES = "exsrc:"


async def show_list(update: Update, context: BotContext) -> None:
    lang = context.lang(update)
    explainers = context.services.catalog.explainers
    rows = [[(e.title.get(lang), f"{SHOW}{e.id}")] for e in explainers]
    rows.append([(context.services.texts.plain(lang, "menu.home"), HOME)])
    await reply(update, context.t(update, "learn.list"), keyboard(rows), edit=True)


def _position(context: BotContext, explainer_id: str) -> int | None:
    ids = [e.id for e in context.services.catalog.explainers]
    return ids.index(explainer_id) if explainer_id in ids else None


async def show(update: Update, context: BotContext) -> None:
    index = _position(context, update.callback_query.data.removeprefix(SHOW))
    if index is None:
        await show_list(update, context)
        return
    services, lang = context.services, context.lang(update)
    explainers = services.catalog.explainers
    explainer = explainers[index]
    plain = services.texts.plain
    text = Html("\n\n".join([
        f"<b>{escape(explainer.title.get(lang))}</b>",
        escape(explainer.body.get(lang)),
        source_line(services.catalog, services.texts, lang, explainer.sources),
        as_of_note(services.texts, lang, explainer.as_of),
    ]))
    back = f"{SHOW}{explainers[index - 1].id}" if index > 0 else LIST
    navigation = [(plain(lang, "learn.back"), back)]
    if index + 1 < len(explainers):
        navigation.append((plain(lang, "learn.next"), f"{SHOW}{explainers[index + 1].id}"))
    markup = keyboard([
        navigation,
        [(plain(lang, "content.sources_button"), f"{SOURCES}{explainer.id}"),
         (plain(lang, "learn.all"), LIST)],
        [(plain(lang, "menu.act"), ACT), (plain(lang, "menu.home"), HOME)],
    ])
    await reply(update, text, markup, edit=True)


async def show_sources(update: Update, context: BotContext) -> None:
    index = _position(context, update.callback_query.data.removeprefix(SOURCES))
    if index is None:
        await show_list(update, context)
        return
    services, lang = context.services, context.lang(update)
    explainer = services.catalog.explainers[index]
    text = sources_view(services.catalog, services.texts, lang, explainer.title.get(lang),
                        explainer.sources)
    markup = keyboard([[(services.texts.plain(lang, "learn.back"), f"{SHOW}{explainer.id}")],
                       [(services.texts.plain(lang, "menu.act"), ACT)]])
    await reply(update, text, markup, edit=True)
