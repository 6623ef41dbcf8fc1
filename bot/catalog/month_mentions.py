"""Months named in a text, and whether each carries its year.

"10 July" in an answer dated 2020 reads as July 2020; the event was in
2018. So the content rules need to find the months a text names without a
year. A month has its year when one follows it ("10 July 2018", "July 10,
2018", "junio de 2019") or when it opens a range that ends in one ("from
January to September 2019", "entre enero y septiembre de 2019").

English month names count only when capitalised, so the verb "may" is not
May; Spanish ones in any case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.catalog.dates import month_names

_YEAR = r"(?:1[89]|20)\d\d(?!\d)"
_MONTH_WORDS = {
    "en": re.compile(r"(?<!\w)(" + "|".join(month_names("en")) + r")(?!\w)"),
    "es": re.compile(r"(?<!\w)(" + "|".join(month_names("es")) + r")(?!\w)", re.IGNORECASE),
}
_YEAR_AFTER = {
    "en": re.compile(r"(?:\s+\d{1,2}(?:st|nd|rd|th)?(?:\s*[-–]\s*\d{1,2})?)?,?\s+(?:of\s+)?" + _YEAR),
    "es": re.compile(r"(?:\s+(?:de|del)(?:\s+año)?)?\s+" + _YEAR),
}
_RANGE_TO_NEXT = {
    "en": re.compile(r"(?:\s+\d{1,2})?\s*(?:to|and|through|until|or|-|–)\s*(?:\d{1,2}\s+)?"),
    "es": re.compile(r"\s*(?:y|a|al|hasta|o|-|–)\s*(?:(?:el\s+)?\d{1,2}\s+de\s+)?", re.IGNORECASE),
}
_DAYS_BEFORE = {
    "en": re.compile(r"\d{1,2}(?:\s*[-–]\s*\d{1,2})?\s+$"),
    "es": re.compile(r"\d{1,2}(?:\s*(?:y|al|-|–)\s*\d{1,2})?\s+de\s+$"),
}


@dataclass(frozen=True)
class MonthMention:
    month: int  # 1-12
    words: str  # as written, with its day if it has one: "17-18 May", "10 de julio"
    has_year: bool


def month_mentions(text: str, lang: str) -> list[MonthMention]:
    found = list(_MONTH_WORDS[lang].finditer(text))
    names = [name.lower() for name in month_names(lang)]
    mentions: list[MonthMention] = []
    next_has_year = False
    for index in range(len(found) - 1, -1, -1):  # right to left: a range takes its end's year
        match = found[index]
        has_year = bool(_YEAR_AFTER[lang].match(text, match.end()))
        if not has_year and index + 1 < len(found):
            link = _RANGE_TO_NEXT[lang].fullmatch(text, match.end(), found[index + 1].start())
            has_year = bool(link) and next_has_year
        days = _DAYS_BEFORE[lang].search(text[max(0, match.start() - 16):match.start()])
        words = (days.group(0) if days else "") + match.group(0)
        mentions.append(MonthMention(names.index(match.group(0).lower()) + 1, words, has_year))
        next_has_year = has_year
    return mentions[::-1]
