"""The chat edge: python-telegram-bot handlers, thin over the domain services,
and the Application they run in (persistence, per-supporter ordering, lazy
answers).

May import: everything below it (`bot.core` to `bot.services`, `bot.bot_api`).
Never `bot.web` or an entry point."""
