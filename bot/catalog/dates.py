"""Dates and language names as a native reader writes them, from Babel (CLDR).

Every appeal language needs its date line ("27 de setembro de 2018") and
every interface language the names of the appeal languages ("portugués"):
hand-made month tables only ever covered English and Spanish. English uses
the British long form ("27 September 2018"), the form the Urgent Actions and
this bot have always written, not the American "September 27, 2018".
"""

from __future__ import annotations

from datetime import date
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton, get_month_names

# The CLDR locale a language's dates follow, when it is not the language itself.
_DATE_LOCALES = {"en": "en_GB"}
_FIRST_OF_THE_MONTH = {"fr": "1er", "pt": "1º"}


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(_DATE_LOCALES.get(lang, lang))


def known_language(lang: str) -> bool:
    """Whether Babel has dates and names for `lang` (an appeal language must)."""
    try:
        _locale(lang)
    except (UnknownLocaleError, ValueError):
        return False
    return True


@lru_cache(maxsize=4096)  # the same few dates on every answer: Babel takes 50-100 µs each
def format_date(value: date, lang: str) -> str:
    """27 September 2018 / 27 de septiembre de 2018 / 27 de setembro de 2018 /
    27 septembre 2018. French and Brazilian Portuguese write the first of the
    month as an ordinal ("1er octobre 2018", "1º de outubro de 2018"), which
    CLDR's pattern does not; the Portuguese layouts are Brazilian."""
    text = babel_format_date(value, "long", locale=_locale(lang))
    if value.day == 1 and lang in _FIRST_OF_THE_MONTH:
        text = text.replace("1", _FIRST_OF_THE_MONTH[lang], 1)
    return text


@lru_cache(maxsize=1024)  # as format_date
def format_month(year: int, month: int, lang: str) -> str:
    """August 2018 / agosto de 2018 / août 2018."""
    return format_skeleton("yMMMM", date(year, month, 1), locale=_locale(lang))


@cache
def month_names(lang: str) -> tuple[str, ...]:
    """The twelve month names as a date writes them ("January"; "enero")."""
    names = get_month_names("wide", locale=_locale(lang))
    return tuple(names[number] for number in range(1, 13))


def language_name(lang: str, reader: str) -> str:
    """The name of language `lang` as `reader` writes it in a sentence
    ("Portuguese"; "portugués"), from CLDR rather than one string per pair."""
    return _locale(reader).languages.get(lang, lang)
