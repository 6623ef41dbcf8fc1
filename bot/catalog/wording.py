"""Wording rules for the interface strings, from the second content review
(issue 28): what a screen says must match what the bot did.

- `_check_archive_wording`: a closed case's archive shows the model appeal the
  bot offered, never "the appeal as sent": the bot does not know what anyone
  sent, and the same screen can say that no action was reported.
- `_check_counts_say_through_this_bot`: a count of reported actions says
  "through this bot", since the network's own count is larger and unknown here.
- `_check_spanish_reference_article`: in Spanish the reference takes its
  article inside a sentence ("por la UA 150.18", "de la UA 150.18": it is
  "la Acción Urgente"), never "por UA 150.18".

The dash between two country names ("US–Mexico", "Canada–US") is a glossary
term (content/glossary.yaml), checked with every other term.
Each problem is `path:line: message` at the string's key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from bot.catalog.build import Problems

ARCHIVE_KEYS = re.compile(r"archive\.")
# What the archive must not claim, per language.
AS_SENT = {"en": re.compile(r"\bas sent\b|\bsupporters sent\b", re.I),
           "es": re.compile(r"tal como se envi[óo]|las personas enviaron", re.I)}
# Strings that count reported actions, and the words each must contain.
COUNT_KEYS = re.compile(r"report\.thanks(_first|_only)?$|archive\.(actions|no_actions)$")
THROUGH_THIS_BOT = {"en": "through this bot", "es": "a través de este bot"}
# A preposition or verb right before the reference, with no article between.
NO_ARTICLE = {"es": re.compile(
    r"(?<!\w)(por|para|de|sobre|con|en|a|sigues|sigue|seguir)\s+(?:<b>)?\{reference\}", re.I)}


def _forms(value: object) -> list[str]:
    return list(value.values()) if isinstance(value, Mapping) else [str(value)]


def _check_archive_wording(lang: str, strings: Mapping[str, object], where: Callable[[str], tuple[str, int]],
                           problems: Problems) -> None:
    pattern = AS_SENT.get(lang)
    for key, value in strings.items():
        if pattern is None or not ARCHIVE_KEYS.match(key):
            continue
        for text in _forms(value):
            if found := pattern.search(text):
                problems.add(*where(key), f"string {key!r} says {found.group(0)!r}: the archive shows the "
                                          "model appeal the bot offered, not what anyone sent")


def _check_counts_say_through_this_bot(lang: str, strings: Mapping[str, object],
                                       where: Callable[[str], tuple[str, int]], problems: Problems) -> None:
    words = THROUGH_THIS_BOT.get(lang)
    for key, value in strings.items():
        if words is None or not COUNT_KEYS.match(key):
            continue
        if any(words not in text for text in _forms(value)):
            problems.add(*where(key), f"string {key!r} counts reported actions: say {words!r} "
                                      "(the network's own count is not the bot's)")


def _check_spanish_reference_article(lang: str, strings: Mapping[str, object],
                                      where: Callable[[str], tuple[str, int]], problems: Problems) -> None:
    pattern = NO_ARTICLE.get(lang)
    if pattern is None:
        return
    for key, value in strings.items():
        for text in _forms(value):
            if found := pattern.search(text):
                problems.add(*where(key), f"string {key!r} says {found.group(0)!r}: the reference takes "
                                          f"its article ('{found.group(1)} la {{reference}}')")


def check_wording(lang: str, strings: Mapping[str, object], where: Callable[[str], tuple[str, int]],
                  problems: Problems) -> None:
    """Every wording rule on one language's interface strings."""
    _check_archive_wording(lang, strings, where, problems)
    _check_counts_say_through_this_bot(lang, strings, where, problems)
    _check_spanish_reference_article(lang, strings, where, problems)
