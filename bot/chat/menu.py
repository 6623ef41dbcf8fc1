"""/start, the main menu, /language, About/Privacy, and what is left over:
unknown commands and text the bot has no handler for."""

from __future__ import annotations

from telegram import Update

from .context import LANG_KEY, BotContext, keyboard, reply

HOME = "menu:home"
LEARN = "menu:learn"
ASK = "menu:ask"
ACT = "menu:act"
ABOUT = "menu:about"
LANGUAGE_PREFIX = "lang:"


def main_menu(context: BotContext, update: Update):
    t = context.services.texts.plain
    lang = context.lang(update)
    return keyboard([
        [(t(lang, "menu.learn"), LEARN), (t(lang, "menu.ask"), ASK)],
        [(t(lang, "menu.act"), ACT)],
        [(t(lang, "menu.about"), ABOUT)],
    ])


def _campaign_line(context: BotContext, update: Update) -> str:
    campaigns = context.services.catalog.open_campaigns() or list(context.services.catalog.campaigns.values())
    if not campaigns:
        return ""
    campaign = campaigns[0]
    return context.t(update, "start.campaign", reference=campaign.reference,
                     title=campaign.title.get(context.lang(update)))


async def start(update: Update, context: BotContext) -> None:
    name = update.effective_user.first_name if update.effective_user else ""
    text = context.t(update, "start.greeting", name=name, campaign=_campaign_line(context, update))
    await reply(update, text, main_menu(context, update))


async def home(update: Update, context: BotContext) -> None:
    await reply(update, context.t(update, "menu.prompt"), main_menu(context, update), edit=True)


async def about(update: Update, context: BotContext) -> None:
    markup = keyboard([[(context.services.texts.plain(context.lang(update), "menu.back"), HOME)]])
    await reply(update, context.t(update, "about.text"), markup, edit=True)


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
        await store.set_language(context.services.supporter(update.effective_user.id), chosen)
    await reply(update, context.t(update, "language.changed"), main_menu(context, update), edit=True)


async def unknown_command(update: Update, context: BotContext) -> None:
    command = (update.effective_message.text or "").split()[0][:64]
    await reply(update, context.t(update, "unknown_command", command=command),
                main_menu(context, update))


async def not_text(update: Update, context: BotContext) -> None:
    """A photo, sticker or voice message: say what the bot can read."""
    await reply(update, context.t(update, "not_text"), main_menu(context, update))


