"""/start, the main menu, /language, About/Privacy, and what is left over:
unknown commands and text the bot has no handler for."""

from __future__ import annotations

from babel.lists import format_list
from telegram import Update

from bot.catalog import Campaign
from bot.catalog.cases import actionable_cases
from bot.catalog.i18n import Html, locale_of
from bot.catalog.sources import seed_years
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


def _channels(context: BotContext, update: Update, campaign: Campaign) -> str:
    """What a case lets a supporter do, as words: "write, email or tweet"."""
    lang = context.lang(update)
    verbs = [context.label(update, f"channel_verb.{channel}") for channel in campaign.channels]
    return format_list(verbs, style="or", locale=locale_of(lang))


def _cases_line(context: BotContext, update: Update) -> str:
    """What the bot can do today, by its clock: the open case and its channels,
    each open case, or what to do when none is open."""
    running = actionable_cases(context.services.catalog, context.services.today())
    if not running:
        return context.t(update, "start.no_open_case")
    lang = context.lang(update)
    if len(running) > 1:
        lines = [context.t(update, "start.case_line", reference=s.campaign.reference,
                           title=s.campaign.title.get(lang), channels=_channels(context, update, s.campaign))
                 for s in running]
        return context.t(update, "start.several_cases", count=len(running), cases=Html("\n".join(lines)))
    campaign = running[0].campaign
    return context.t(update, "start.one_case", reference=campaign.reference, title=campaign.title.get(lang),
                     channels=_channels(context, update, campaign))


async def start(update: Update, context: BotContext) -> None:
    name = update.effective_user.first_name if update.effective_user else ""
    group = context.services.catalog.group
    lang = context.lang(update)
    text = context.t(update, "start.greeting", name=name, group=group.name.get(lang),
                     works_on=group.works_on.get(lang), cases=Html(_cases_line(context, update)))
    await reply(update, *with_offer(context, update, text, main_menu(context, update)))


async def home(update: Update, context: BotContext) -> None:
    await reply(update, context.t(update, "menu.prompt"), main_menu(context, update), edit=True)


def _other_language(context: BotContext, update: Update) -> tuple[str, str]:
    """The one-tap switch to the other language, as a button."""
    other = "en" if context.lang(update) == "es" else "es"
    return context.label(update, "menu.other_language"), f"{LANGUAGE_PREFIX}{other}"


async def about(update: Update, context: BotContext) -> None:
    """Who runs the bot, what its knowledge rests on (each topic's documents and
    their years, from content), the network's contact and what is kept."""
    catalog, lang = context.services.catalog, context.lang(update)
    group, network = catalog.group, catalog.group.network
    topics = [context.t(update, "about.topic", title=topic.title.get(lang), count=len(topic.seeds),
                        years=seed_years(catalog, topic.seeds)) for topic in catalog.topics.values()]
    contact = ", ".join(w for w in (network.email, network.phone, network.url) if w)
    text = context.t(update, "about.text", group=group.name.get(lang), works_on=group.works_on.get(lang),
                     topics=Html("\n".join(topics)), network=network.name.get(lang), contact=contact)
    markup = keyboard([[_other_language(context, update)], [(context.label(update, "menu.back"), HOME)]])
    await reply(update, text, markup, edit=True)


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
        await store.set_language(context.services.supporter(update.effective_user.id, create=True), chosen,
                                 chat_id=update.effective_chat.id)
    await reply(update, context.t(update, "language.changed"), main_menu(context, update), edit=True)


async def unknown_command(update: Update, context: BotContext) -> None:
    command = (update.effective_message.text or "").split()[0][:64]
    await reply(update, context.t(update, "unknown_command", command=command),
                main_menu(context, update))


async def not_text(update: Update, context: BotContext) -> None:
    """A photo, sticker or voice message: say what the bot can read."""
    await reply(update, context.t(update, "not_text"), main_menu(context, update))


