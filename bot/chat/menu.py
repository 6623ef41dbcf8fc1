"""/start, the main menu, /language, About/Privacy, and what is left over:
unknown commands and text the bot has no handler for."""

from __future__ import annotations

from telegram import Update

from bot.catalog.cases import actionable_cases
from bot.chat.context import LANG_KEY, BotContext, keyboard, reply
from bot.chat.signup_offer import with_offer

HOME = "menu:home"
LEARN = "menu:learn"
ASK = "menu:ask"
ACT = "menu:act"
PAST = "menu:past"
ABOUT = "menu:about"
LANGUAGE_PREFIX = "lang:"


def main_menu(context: BotContext, update: Update):
    """The menu, with a one-tap switch to the other language (many Spanish
    speakers keep their phone in English)."""
    label = context.label
    return keyboard([
        [(label(update, "menu.learn"), LEARN), (label(update, "menu.ask"), ASK)],
        [(label(update, "menu.act"), ACT)],
        [(label(update, "menu.past"), PAST), (label(update, "menu.about"), ABOUT)],
        [_other_language(context, update)],
    ])


def _cases_line(context: BotContext, update: Update) -> str:
    running = actionable_cases(context.services.catalog, context.services.today())
    if not running:
        return context.t(update, "start.no_open_case")
    if len(running) > 1:
        return context.t(update, "start.several_cases", count=len(running))
    campaign = running[0].campaign
    return context.t(update, "start.one_case", reference=campaign.reference,
                     title=campaign.title.get(context.lang(update)))


async def start(update: Update, context: BotContext) -> None:
    name = update.effective_user.first_name if update.effective_user else ""
    text = context.t(update, "start.greeting", name=name, campaign=_cases_line(context, update))
    await reply(update, *with_offer(context, update, text, main_menu(context, update)))


async def home(update: Update, context: BotContext) -> None:
    await reply(update, context.t(update, "menu.prompt"), main_menu(context, update), edit=True)


def _other_language(context: BotContext, update: Update) -> tuple[str, str]:
    """The one-tap switch to the other language, as a button."""
    other = "en" if context.lang(update) == "es" else "es"
    return context.label(update, "menu.other_language"), f"{LANGUAGE_PREFIX}{other}"


async def about(update: Update, context: BotContext) -> None:
    markup = keyboard([[_other_language(context, update)], [(context.label(update, "menu.back"), HOME)]])
    await reply(update, context.t(update, "about.text"), markup, edit=True)


async def help_text(update: Update, context: BotContext) -> None:
    """/help: what the bot does and its commands."""
    await reply(update, context.t(update, "help.text"), main_menu(context, update))


async def nothing_to_cancel(update: Update, context: BotContext) -> None:
    """/cancel outside any flow (inside one, the flow's own /cancel answers)."""
    await reply(update, context.t(update, "cancel.nothing"), main_menu(context, update))


async def language(update: Update, context: BotContext) -> None:
    markup = keyboard([[("English", f"{LANGUAGE_PREFIX}en"), ("Español", f"{LANGUAGE_PREFIX}es")]])
    await reply(update, context.t(update, "language.prompt"), markup)


async def set_language(update: Update, context: BotContext) -> None:
    chosen = update.callback_query.data.removeprefix(LANGUAGE_PREFIX)
    if chosen not in context.services.catalog.strings:
        await update.callback_query.answer()
        return
    context.user_data[LANG_KEY] = chosen
    store = context.services.store
    if store is not None and update.effective_user:
        await store.set_language(context.services.supporter(update.effective_user.id), chosen,
                                 chat_id=update.effective_chat.id)
    await reply(update, context.t(update, "language.changed"), main_menu(context, update), edit=True)


async def unknown_command(update: Update, context: BotContext) -> None:
    command = (update.effective_message.text or "").split()[0][:64]
    await reply(update, context.t(update, "unknown_command", command=command),
                main_menu(context, update))


async def not_text(update: Update, context: BotContext) -> None:
    """A photo, sticker or voice message: say what the bot can read."""
    await reply(update, context.t(update, "not_text"), main_menu(context, update))


