"""Clean what a supporter types before it goes into an appeal.

Everything typed is untrusted. It is normalised (NFC), stripped of control
and invisible formatting characters (NUL, zero-width spaces, direction
marks), its whitespace collapsed, and held to a length limit. What is left
is data: it only ever reaches a template as a variable, and is escaped for
Telegram HTML where it is shown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

NAME_MAX = 80
CITY_MAX = 80
SENTENCE_MAX = 500
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Refused:
    """Why a value was refused: `reason` is an i18n key, `limit`/`length` fill it."""

    reason: str
    limit: int = 0
    length: int = 0


def clean(raw: str, limit: int) -> str | Refused:
    """The cleaned value, or why it cannot be used."""
    text = unicodedata.normalize("NFC", raw)
    text = "".join(" " if ch in "\t\n\r\v\f\u2028\u2029" else ch for ch in text
                   if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn") or ch in "\t\n\r")
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return Refused("input.empty")
    if len(text) > limit:
        return Refused("input.too_long", limit=limit, length=len(text))
    return text
