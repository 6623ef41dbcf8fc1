"""`advocacy-bot import`: an Urgent Action case sheet, as the network
publishes it, turned into a draft case folder whose every field quotes the
sheet (kept as the case's source document in seeds/).

May import: `bot.core` and `bot.catalog`. Never `telegram`."""
