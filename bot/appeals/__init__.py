"""An appeal to an official, made from the case's templates: rendering with
what a supporter typed (cleaned, bounded, kept out of template source), its
measures (a tweet's length), and the letter as a PDF with its font.

May import: `bot.core`, `bot.catalog`. Never python-telegram-bot (`telegram`)."""
