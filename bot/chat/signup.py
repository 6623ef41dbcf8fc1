"""Sign up for new cases: /signup (or "Tell me about new cases" wherever it
is offered) shows one screen of toggles: all new cases, or any of the
topics and Amnesty's five regions. Each press is saved at once; a case then
reaches the chat when it matches one of its choices (its announcement is
made in bot/broadcasts/announcement.py, sent by bot/chat/announcing.py).

A sign-up keeps what a follow keeps: the chat to send to, its delivery key,
the language and the choices; no supporter key. "No more new cases" ends it
and leaves the cases followed alone; /stop and /forget end it too.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.broadcasts.announcement import SIGNUP_OFF, choice_names
from bot.catalog import Catalog
from bot.catalog.i18n import Html, Texts
from bot.catalog.schema import REGIONS
from bot.chat.context import BotContext, answer_stale, keyboard, reply, short_label
from bot.chat.menu import main_menu
from bot.chat.signup_offer import SHOW
from bot.store import SIGNUP_ALL

ALL = "sig:all"
TOPIC = "sig:t:"  # + topic id
REGION = "sig:r:"  # + region id
DONE = "sig:done"
ON, OFF = "✅", "▫️"


def describe(catalog: Catalog, texts: Texts, lang: str, choices: list[str]) -> str:
    """The choices in words: "all new cases", or the topics' titles and the regions' names."""
    if SIGNUP_ALL in choices:
        return texts.plain(lang, "signup.all")
    names = choice_names(catalog, texts, lang)  # in the order offered: topics, then regions
    return "; ".join([name for choice, name in names.items() if choice in choices]
                     + [choice for choice in choices if choice not in names])


def _screen(context: BotContext, update: Update, choices: list[str]) -> tuple[Html, InlineKeyboardMarkup]:
    services, lang = context.services, context.lang(update)
    label = context.label
    if choices:
        current = context.t(update, "signup.current",
                            choices=describe(services.catalog, services.texts, lang, choices))
    else:
        current = context.t(update, "signup.current_none")

    def mark(choice: str) -> str:
        return ON if choice in choices else OFF

    rows = [[(f"{mark(SIGNUP_ALL)} {label(update, 'signup.all_button')}", ALL)]]
    rows += [[(short_label(f"{mark('topic:' + topic.id)} {topic.title.get(lang)}"), f"{TOPIC}{topic.id}")]
             for topic in services.catalog.topics.values()]
    regions = [(f"{mark('region:' + region)} {label(update, f'region.{region}')}", f"{REGION}{region}")
               for region in REGIONS]
    rows += [regions[i:i + 2] for i in range(0, len(regions), 2)]
    last = [(label(update, "signup.done_button"), DONE)]
    if choices:
        last.append((label(update, "signup.off_button"), SIGNUP_OFF))
    rows.append(last)
    return context.t(update, "signup.prompt", current=current), keyboard(rows)


async def show(update: Update, context: BotContext) -> None:
    """/signup, or an offer's button: the choices as they stand."""
    choices = await context.services.store.signup_of(update.effective_chat.id)
    text, markup = _screen(context, update, choices)
    await reply(update, text, markup)  # a new message: the one offering it stays as it was


def _toggled(context: BotContext, choices: list[str], data: str) -> list[str] | None:
    """The choices after one press, or None for a button that means nothing now."""
    if data == ALL:
        return [] if SIGNUP_ALL in choices else [SIGNUP_ALL]
    if data.startswith(TOPIC):
        if data.removeprefix(TOPIC) not in context.services.catalog.topics:
            return None
        choice = "topic:" + data.removeprefix(TOPIC)
    elif data.removeprefix(REGION) in REGIONS:
        choice = "region:" + data.removeprefix(REGION)
    else:
        return None
    specific = [c for c in choices if c != SIGNUP_ALL]
    return [c for c in specific if c != choice] if choice in specific else [*specific, choice]


async def toggle(update: Update, context: BotContext) -> None:
    """One choice pressed: saved at once, the screen shown again."""
    services, chat_id = context.services, update.effective_chat.id
    choices = _toggled(context, await services.store.signup_of(chat_id), update.callback_query.data)
    if choices is None:
        await answer_stale(update, context)
        return
    await services.store.set_signup(chat_id, services.recipient(chat_id), context.lang(update), choices)
    text, markup = _screen(context, update, sorted(choices))
    await reply(update, text, markup, edit=True)


async def done(update: Update, context: BotContext) -> None:
    services = context.services
    choices = await services.store.signup_of(update.effective_chat.id)
    if choices:
        text = context.t(update, "signup.saved",
                         choices=describe(services.catalog, services.texts, context.lang(update), choices))
    else:
        text = context.t(update, "signup.current_none")
    await reply(update, text, main_menu(context, update), edit=True)


async def stop(update: Update, context: BotContext) -> None:
    """"No more new cases" (on the screen or under an announcement): the
    sign-up ends; the cases followed go on sending their updates."""
    services, chat_id = context.services, update.effective_chat.id
    had = await services.store.signup_of(chat_id)
    await services.store.set_signup(chat_id, services.recipient(chat_id), context.lang(update), [])
    await reply(update, context.t(update, "signup.stopped" if had else "signup.not_signed_up"))


def chosen_names(context: BotContext, update: Update, choices: list[str]) -> list[str]:
    """The chosen topics' titles and regions' names in the supporter's
    language, in the order offered (for /mydata)."""
    services = context.services
    names = choice_names(services.catalog, services.texts, context.lang(update))
    return [name for choice, name in names.items() if choice in choices] + [
        choice for choice in choices if choice not in names]


def handlers() -> list:
    return [
        CommandHandler("signup", show),
        CallbackQueryHandler(show, pattern=f"^{SHOW}$"),
        CallbackQueryHandler(toggle, pattern=f"^({ALL}$|{TOPIC}|{REGION})"),
        CallbackQueryHandler(done, pattern=f"^{DONE}$"),
        CallbackQueryHandler(stop, pattern=f"^{SIGNUP_OFF}$"),
    ]
