"""Dates as case sheets print them, in English and Spanish: "28 August 2018",
"27 September, 2018", "September 27, 2018", "27 DE SEPTIEMBRE DE 2018"."""

from __future__ import annotations

import re
from datetime import date

MONTH_NUMBERS = {
    **{
        name: n
        for n, name in enumerate(
            (
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ),
            start=1,
        )
    },
    **{
        name: n
        for n, name in enumerate(
            (
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ),
            start=1,
        )
    },
    "setiembre": 9,
}
_MONTH = "(" + "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True)) + ")"
# 27 September 2018, 27 September, 2018, 27 de septiembre de 2018, 27 DE SEPTIEMBRE DEL 2018
DAY_FIRST = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:de\s+)?{_MONTH},?\s+(?:de[l]?\s+)?(\d{{4}})\b", re.IGNORECASE
)
# September 27, 2018
MONTH_FIRST = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE)


def _make(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), MONTH_NUMBERS[month.lower()], int(day))
    except ValueError:
        return None


def find_date(text: str) -> tuple[date, str] | None:
    """The first date written out in `text`, with the words that wrote it."""
    found = []
    for match in DAY_FIRST.finditer(text):
        if (value := _make(match[3], match[2], match[1])) is not None:
            found.append((match.start(), value, match[0]))
            break
    for match in MONTH_FIRST.finditer(text):
        if (value := _make(match[3], match[1], match[2])) is not None:
            found.append((match.start(), value, match[0]))
            break
    if not found:
        return None
    _, value, words = min(found, key=lambda f: f[0])
    return value, words
