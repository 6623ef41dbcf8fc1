"""Build the one `telegram.ext.Application` that every mode runs.

Telegram, the console and the tests differ only in the `request` object
under the Bot; the handlers, their order and the error handler are declared
here once, top to bottom.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest
from telegram.warnings import PTBUserWarning

from bot.appeals import letter_pdf
from bot.bot_api.retrying_request import RetryingRequest
from bot.chat import (
    announcing,
    archive,
    ask,
    broadcasting,
    encoded_once,
    feedback,
    flood,
    flows,
    learn,
    letter_paper,
    menu,
    organizer,
    privacy,
    report,
    signup,
    take_action,
    updates,
)
from bot.chat.application import BotApplication, name_handlers
from bot.chat.context import LANG_KEY, SERVICES_KEY, BotContext, Services, answer_stale
from bot.chat.late_answers import TelegramExtBot, TelegramLazyAnswerBot
from bot.chat.lazy_answers import EagerAnswerBot, LazyAnswerBot
from bot.chat.leaving import leaving_flows
from bot.chat.ordering import PerSupporterUpdateProcessor
from bot.chat.outbox import OUTBOX_KEY, Outbox
from bot.chat.persistence import StorePersistence
from bot.chat.routing import route_handlers
from bot.chat.send_budget import SendBudget

log = logging.getLogger(__name__)
GET_UPDATES_POOL = 2  # the long poll, and the confirming getUpdates sent as it is cancelled
# The flows mix typed answers and buttons, so per_message must stay False (on purpose).
warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)

async def on_error(update: object, context: BotContext) -> None:
    """Log the failure, apologise in the supporter's language, keep serving."""
    log.error("handler failed", exc_info=context.error,
              extra={"update_id": getattr(update, "update_id", None)})
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):  # it may have been answered already
            await update.callback_query.answer()
    try:
        await update.effective_chat.send_message(context.t(update, "error.generic"))
    except TelegramError:  # the apology itself failed (Telegram is down): logged, not raised
        log.warning("could not send the error apology", exc_info=True)


def register_handlers(application: Application) -> None:
    persistent = application.persistence is not None
    # Before the handlers, in this order (one handler runs per group): groups and
    # channels dropped, floods held back, the language loaded, a stale flow ended.
    application.add_handler(TypeHandler(Update, private_chats_only), group=-4)
    application.add_handler(TypeHandler(Update, flood.guard), group=-3)
    application.add_handler(TypeHandler(Update, load_language), group=-2)
    application.add_handler(TypeHandler(Update, flows.touch_or_expire), group=-1)
    application.add_handler(take_action.conversation(persistent))
    for handler in report.handlers(persistent):
        application.add_handler(handler)
    for handler in letter_paper.handlers():
        application.add_handler(handler)
    application.add_handler(feedback.conversation(persistent))
    for handler in (*updates.handlers(), *broadcasting.handlers(), *archive.handlers(),
                    *signup.handlers(), *announcing.handlers()):
        application.add_handler(handler)
    broadcasting.schedule_sweep(application)  # due reminders, broadcasts to resume
    application.add_handler(CommandHandler("start", leaving_flows(menu.start)))
    application.add_handler(CommandHandler("stats", organizer.stats))
    application.add_handler(CommandHandler("problems", organizer.problems))
    application.add_handler(CommandHandler("reload", organizer.reload))
    application.add_handler(CallbackQueryHandler(organizer.resolve, pattern=f"^{organizer.RESOLVE}"))
    application.add_handler(CommandHandler("mydata", privacy.my_data))
    application.add_handler(CommandHandler("forget", privacy.forget))
    application.add_handler(CallbackQueryHandler(privacy.forget_confirmed, pattern=f"^{privacy.CONFIRM}$"))
    application.add_handler(CallbackQueryHandler(privacy.forget_cancelled, pattern=f"^{privacy.KEEP}$"))
    application.add_handler(CommandHandler("language", menu.language))
    application.add_handler(CommandHandler("help", menu.help_text))
    application.add_handler(CommandHandler("cancel", menu.nothing_to_cancel))  # flows answer their own
    application.add_handler(CallbackQueryHandler(leaving_flows(menu.home), pattern=f"^{menu.HOME}$"))
    application.add_handler(CallbackQueryHandler(leaving_flows(menu.about), pattern=f"^{menu.ABOUT}$"))
    application.add_handler(CallbackQueryHandler(menu.set_language, pattern=f"^{menu.LANGUAGE_PREFIX}"))
    application.add_handler(CallbackQueryHandler(leaving_flows(learn.show_list),
                                                 pattern=f"^({menu.LEARN}|{learn.LIST})$"))
    application.add_handler(CallbackQueryHandler(learn.show_topic, pattern=f"^{learn.TOPIC}"))
    application.add_handler(CallbackQueryHandler(learn.show, pattern=f"^{learn.SHOW}"))
    application.add_handler(CallbackQueryHandler(learn.show_sources, pattern=f"^{learn.SOURCES}"))
    application.add_handler(CallbackQueryHandler(leaving_flows(ask.prompt), pattern=f"^{menu.ASK}$"))
    application.add_handler(CallbackQueryHandler(ask.show, pattern=f"^{ask.SHOW}"))
    application.add_handler(CallbackQueryHandler(ask.show_sources, pattern=f"^{ask.SOURCES}"))
    application.add_handler(MessageHandler(filters.COMMAND, menu.unknown_command))
    application.add_handler(MessageHandler(filters.TEXT, ask.free_text))
    application.add_handler(MessageHandler(filters.ALL, menu.not_text))  # photos, stickers, voice…
    application.add_handler(CallbackQueryHandler(answer_stale))  # old or unknown buttons
    for group in application.handlers.values():
        name_handlers(group)
    route_handlers(application)  # the same handlers, in the same order, found faster (routing.py)
    application.add_error_handler(on_error)


async def private_chats_only(update: Update, context: BotContext) -> None:
    """The bot talks one to one: groups, channels and edited messages get no answer."""
    chat = update.effective_chat
    if update.edited_message or update.channel_post or update.edited_channel_post or (
            chat is not None and chat.type != ChatType.PRIVATE):
        raise ApplicationHandlerStop


async def load_language(update: Update, context: BotContext) -> None:
    """Before any handler: the supporter's chosen language, from the store
    (kept under the keyed hash, not in the conversation persistence)."""
    user, store = update.effective_user, context.services.store
    if user is None or store is None or context.user_data is None or LANG_KEY in context.user_data:
        return
    context.user_data[LANG_KEY] = await store.get_language(context.services.supporter(user.id)) or ""


# The commands Telegram lists in its menu, in each language (descriptions from content/i18n).
MENU_COMMANDS = ("start", "act", "cases", "updates", "signup", "language", "help", "mydata", "forget", "stop",
                 "cancel")


async def on_init(application: Application) -> None:
    """Open the store, start building the FAQ's semantic tier and warming the
    PDF renderer, then set
    Telegram's command menu. The menu is a
    convenience (every command works without it), so a Bot API that refuses
    it, even after the retries, costs a warning, not the start."""
    services: Services = application.bot_data[SERVICES_KEY]
    await services.ensure_store()
    services.start_semantic_tier()  # in the background: the lexical tier answers until it is built
    # The PDF renderer's first letter costs its imports: paid now, in a worker thread, not by a supporter.
    services.extras["pdf_warm_up"] = asyncio.get_running_loop().run_in_executor(None, letter_pdf.warm_up)
    for lang in services.catalog.strings:
        commands = [BotCommand(c, services.texts.plain(lang, f"command.{c}")) for c in MENU_COMMANDS]
        try:
            await application.bot.set_my_commands(commands, language_code=None if lang == "en" else lang)
        except TelegramError as error:
            log.warning("could not set the command menu (%s: %s); serving without it",
                        type(error).__name__, error)
            return


async def close_store(application: Application) -> None:
    await application.bot_data[SERVICES_KEY].close_store()


# Every reply is HTML without link previews unless a handler says otherwise.
BOT_DEFAULTS = Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))
# ...inserted into every send and edit: encoded for the Bot API once (encoded_once.py).
encoded_once.remember(BOT_DEFAULTS.link_preview_options)


def build_application(services: Services, request: BaseRequest | None = None,
                      token: str = "1000001:in-memory", base_url: str | None = None,
                      persistent: bool = True, lazy_answers: bool = True) -> Application:
    """The application for `services`; `request` None means real HTTPS to Telegram.

    The store is opened when the application initialises (in its event loop)
    unless `services.store` is already set, as tests do. The bot parses the
    answers to its sends only when a handler reads them (`lazy_answers`, see
    bot/chat/lazy_answers.py; False gives python-telegram-bot's ExtBot parsing
    every answer, for comparisons).
    """
    api = RetryingRequest(request or HTTPXRequest(connection_pool_size=16), metrics=services.metrics,
                          sleep=services.sleep, attempts=services.settings.telegram_api_retries + 1)
    # On stop, python-telegram-bot cancels the long poll and at once calls getUpdates
    # again to confirm the last offset. With one connection (its default) that call
    # waits for the cancelled poll's connection to close, which over TLS can outlast
    # the pool timeout: an ERROR with a traceback at every stop. Two connections.
    updates_request = request or HTTPXRequest(connection_pool_size=GET_UPDATES_POOL)
    # Paced messages to a chat are sent after the handler returns (outbox.py), within each chat's
    # budget (send_budget.py), on the services' clock and sleep.
    outbox = Outbox(sleep=lambda seconds: services.sleep(seconds),
                    budget=SendBudget(lambda: services.clock()))
    if request is None:  # Telegram itself: a redelivered press answered too late is no error
        bot_class = TelegramLazyAnswerBot if lazy_answers else TelegramExtBot
    else:
        bot_class = LazyAnswerBot if lazy_answers else EagerAnswerBot
    bot = bot_class(token, request=api, get_updates_request=updates_request, defaults=BOT_DEFAULTS,
                    **({"base_url": base_url} if base_url else {}))
    builder = (
        ApplicationBuilder()
        .application_class(BotApplication)
        .bot(bot)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(PerSupporterUpdateProcessor(outbox=outbox))  # concurrent, each supporter in order
        .post_init(on_init)
        .post_shutdown(close_store)
    )
    if persistent:
        builder = builder.persistence(StorePersistence(services))
    if request is not None:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data[SERVICES_KEY] = services
    application.bot_data[OUTBOX_KEY] = outbox
    register_handlers(application)
    return application
