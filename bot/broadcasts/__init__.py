"""Case updates delivered to everyone who follows a case: the engine that
leases a broadcast, paces and retries its sends and survives a crash, and
the rate limiter that paces them.

May import: `bot.core`, `bot.catalog`, `bot.store`, and python-telegram-bot's
Bot API types (`telegram`, its errors). Never `telegram.ext`."""
