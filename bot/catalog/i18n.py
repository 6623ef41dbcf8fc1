"""Interface strings from content/i18n, formatted safely for Telegram HTML.

The strings themselves are written by organizers and may use Telegram's HTML
tags. Values put into them (a supporter's name, a number) are escaped unless
they are wrapped in `Html`, which marks text the bot itself already made safe.
A whole number is written as the language writes it, by Babel (CLDR), never
by hand per language: "1,234" in English and, in Spanish, the Mexican
convention the content's own figures follow ("14,596"; content/README.md,
"Spanish"), so a count and a figure in one answer agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from babel.numbers import format_decimal

from bot.catalog.strings import plural_form
from bot.core.telegram_html import escape

DEFAULT_LANGUAGE = "en"


class Html(str):
    """Text already safe for parse_mode=HTML: inserted into strings as is."""


def locale_of(lang: str) -> str:
    """The Babel locale for a language: British English (27 September 2018,
    "a, b or c"), the language itself otherwise."""
    return "en_GB" if lang == "en" else lang


def language_for(code: str | None) -> str:
    """Telegram's language_code to ours: Spanish for es*, English otherwise."""
    return "es" if (code or "").lower().startswith("es") else DEFAULT_LANGUAGE


# The CLDR locale a language's numbers follow, when it is not locale_of's.
_NUMBER_LOCALES = {"es": "es_MX"}


@lru_cache(maxsize=4096)  # Babel takes about 100 µs a number; counts repeat
def format_number(value: int, lang: str) -> str:
    """A count as `lang` writes it (grouping by the locale's rules)."""
    return format_decimal(value, locale=_NUMBER_LOCALES.get(lang) or locale_of(lang))


def _localised(values: Mapping[str, object], lang: str) -> dict[str, object]:
    """Whole numbers (not booleans) written in the language; the rest as given."""
    return {name: format_number(value, lang) if isinstance(value, int) and not isinstance(value, bool)
            else value for name, value in values.items()}


class Texts:
    """`texts(lang, key, **values)`: the string for `key`, values escaped.

    A plural string (forms `one`/`other`) takes its form from `count`.
    """

    def __init__(self, strings: Mapping[str, Mapping[str, object]]):
        self._strings = strings

    def _template(self, lang: str, key: str, count: object = None) -> str:
        template = self._strings[lang if lang in self._strings else DEFAULT_LANGUAGE][key]
        if isinstance(template, Mapping):
            if not isinstance(count, int):
                raise TypeError(f"string {key!r} has plural forms: give it count=")
            return template[plural_form(count)]
        return template

    def __call__(self, lang: str, key: str, **values: object) -> Html:
        template = self._template(lang, key, values.get("count"))
        if not values:
            return Html(template)
        safe = {
            name: value if isinstance(value, Html | float) else escape(str(value))
            for name, value in _localised(values, lang).items()
        }
        return Html(template.format(**safe))

    def plain(self, lang: str, key: str, **values: object) -> str:
        """A string for places that take no HTML (button labels, alerts):
        values are put in as they are, not escaped."""
        template = self._template(lang, key, values.get("count"))
        return template.format(**_localised(values, lang)) if values else template

    def keys(self) -> set[str]:
        return set(self._strings[DEFAULT_LANGUAGE])
