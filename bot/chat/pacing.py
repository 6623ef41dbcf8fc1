"""What broadcasts and reminders share in the bot process: one rate limiter
(so that together they stay under Telegram's limits), the delivery policy,
and a Bot without the application's generic retry layer."""

from __future__ import annotations

from telegram import Bot
from telegram.ext import Application

from bot.broadcasts.engine import DeliveryPolicy
from bot.broadcasts.rate_limit import Pacer, RateLimiter
from bot.chat.context import SERVICES_KEY, Services

LIMITER_KEY = "rate_limiter"
POLICY_KEY = "broadcast_policy"
SENDING_BOT_KEY = "sending_bot"


def limiter_for(services: Services) -> RateLimiter:
    """Created on first use, on the services' clock and sleep (tests control both)."""
    limiter = services.extras.get(LIMITER_KEY)
    if limiter is None:
        limiter = RateLimiter(services.settings.broadcast_rate, Pacer(services.clock, services.sleep))
        services.extras[LIMITER_KEY] = limiter
    return limiter


def policy_for(services: Services) -> DeliveryPolicy:
    return services.extras.get(POLICY_KEY) or DeliveryPolicy()


def sending_bot(application: Application) -> Bot:
    """A Bot on the application's own transport minus any retry wrapper around it.

    Broadcasts and reminders decide retries themselves (`bot.broadcasts.engine`): a
    blind retry after a timeout can send a message twice, and a 429 must
    pause every send, not only the one that got it.
    """
    bot = application.bot_data.get(SENDING_BOT_KEY)
    if bot is None:
        request = application.bot.request
        raw = getattr(request, "inner", request)
        if raw is request:
            bot = application.bot
        else:
            settings = application.bot_data[SERVICES_KEY].settings
            bot = Bot(application.bot.token, base_url=settings.telegram_api_base_url, request=raw,
                      get_updates_request=raw)
        application.bot_data[SENDING_BOT_KEY] = bot
    return bot
