"""Answering questions typed in a supporter's own words: the text pipeline,
the language of a question, the lexical and semantic tiers, the decision
that combines them, and the answer made from the content.

May import: `bot.core`, `bot.catalog`. Never python-telegram-bot (`telegram`)."""
