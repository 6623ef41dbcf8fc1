"""Round 10: the questions asking the appeal's deadline are answered with
``deadline-passed``, so its answer must say the deadline, quoted from the
Urgent Action (a seed), in both languages, whatever the day it is asked."""

from __future__ import annotations

from datetime import date

import pytest

from bot.ask.faq_answers import answer_body, plain_style
from bot.catalog.i18n import Texts

QUOTE = "Contact these two officials by 27 September, 2018"


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("today", [date(2018, 9, 1), date(2026, 12, 7)])
def test_deadline_passed_states_the_deadline_quoted(catalog, lang: str, today: date) -> None:
    entry = catalog.faq["deadline-passed"]
    body = answer_body(catalog, entry, lang, today, plain_style(Texts(catalog.strings).plain))
    assert QUOTE in body
    # the quote is the passage the entry cites from the seed (checked by `advocacy-bot check`)
    assert any(source.quote and QUOTE in source.quote for source in entry.sources)
