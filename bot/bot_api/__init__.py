"""The Telegram Bot API edge below the chat: the in-memory Bot API the
console and the tests talk to (`transport`, `simulator`), and the retrying
request used against Telegram for real.

May import: `bot.core` and the domain packages below `bot.services`, and
python-telegram-bot (`telegram.ext` included). Never `bot.chat`, `bot.web`
or an entry point."""
