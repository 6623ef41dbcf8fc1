"""Plain building blocks with no knowledge of the campaign: settings, clocks,
logging, keyed identities, metrics, the flood gate and Telegram's HTML subset.

May import: the standard library and third-party packages only, never another
`bot` package (python-telegram-bot's `telegram.ext` neither)."""
