"""The web edge: the organizers' dashboard (sign-in, sessions, throttling,
trusted proxies; figures, chart and CSV) and the webhook server with
/healthz and /metrics.

May import: everything below it (`bot.core` to `bot.services`, `bot.bot_api`).
Never `bot.chat` or an entry point."""
