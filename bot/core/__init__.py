"""Plain building blocks with no knowledge of the campaign: settings, clocks,
logging, keyed identities, metrics, the flood gate, Telegram's HTML subset and
the loaded heap kept out of the garbage collector's scans (heap.py).

May import: the standard library and third-party packages only, never another
`bot` package (python-telegram-bot's `telegram.ext` neither)."""
