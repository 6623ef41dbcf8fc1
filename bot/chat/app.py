"""Build the one `telegram.ext.Application` that every mode runs.

Telegram, the console and the tests differ only in the `request` object
under the Bot; the handlers, their order and the error handler are declared
here once, top to bottom.
"""

from __future__ import annotations

import logging

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from . import menu
from .context import SERVICES_KEY, BotContext, Services

log = logging.getLogger(__name__)

COMMANDS = {
    "start": "menu.start_command",
    "language": "menu.language_command",
}


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure, apologise in the supporter's language, keep serving."""
    log.error("handler failed", exc_info=context.error,
              extra={"update_id": getattr(update, "update_id", None)})
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        await update.effective_chat.send_message(context.t(update, "error.generic"))
    except Exception:  # the apology itself failed (e.g. Telegram is down): logged, not raised
        log.warning("could not send the error apology", exc_info=True)


def register_handlers(application: Application) -> None:
    application.add_handler(CommandHandler("start", menu.start))
    application.add_handler(CommandHandler("language", menu.language))
    application.add_handler(CallbackQueryHandler(menu.home, pattern=f"^{menu.HOME}$"))
    application.add_handler(CallbackQueryHandler(menu.about, pattern=f"^{menu.ABOUT}$"))
    application.add_handler(CallbackQueryHandler(menu.set_language, pattern=f"^{menu.LANGUAGE_PREFIX}"))
    application.add_handler(CallbackQueryHandler(
        menu.not_built, pattern=f"^({menu.LEARN}|{menu.ASK}|{menu.ACT})$"))
    application.add_handler(MessageHandler(filters.COMMAND, menu.unknown_command))
    application.add_handler(MessageHandler(filters.TEXT, menu.not_built))
    application.add_handler(CallbackQueryHandler(menu.stale_button))
    application.add_error_handler(on_error)


def build_application(services: Services, request: BaseRequest | None = None,
                      token: str = "1000001:in-memory", base_url: str | None = None) -> Application:
    """The application for `services`; `request` None means real HTTPS to Telegram."""
    builder = (
        ApplicationBuilder()
        .token(token)
        .context_types(ContextTypes(context=BotContext))
        .defaults(Defaults(parse_mode=ParseMode.HTML,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
    )
    if base_url:
        builder = builder.base_url(base_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request).updater(None)
    application = builder.build()
    application.bot_data[SERVICES_KEY] = services
    register_handlers(application)
    return application
