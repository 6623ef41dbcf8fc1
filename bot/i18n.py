"""Interface strings from content/i18n, formatted safely for Telegram HTML.

The strings themselves are written by organizers and may use Telegram's HTML
tags. Values put into them (a supporter's name, a number) are escaped unless
they are wrapped in `Html`, which marks text the bot itself already made safe.
"""

from __future__ import annotations

from collections.abc import Mapping

from .telegram_html import escape

DEFAULT_LANGUAGE = "en"


class Html(str):
    """Text already safe for parse_mode=HTML: inserted into strings as is."""


def language_for(code: str | None) -> str:
    """Telegram's language_code to ours: Spanish for es*, English otherwise."""
    return "es" if (code or "").lower().startswith("es") else DEFAULT_LANGUAGE


class Texts:
    """`texts(lang, key, **values)`: the string for `key`, values escaped."""

    def __init__(self, strings: Mapping[str, Mapping[str, str]]):
        self._strings = strings

    def __call__(self, lang: str, key: str, **values: object) -> Html:
        template = self._strings[lang if lang in self._strings else DEFAULT_LANGUAGE][key]
        if not values:
            return Html(template)
        safe = {
            name: value if isinstance(value, Html | int | float) else escape(str(value))
            for name, value in values.items()
        }
        return Html(template.format(**safe))

    def plain(self, lang: str, key: str) -> str:
        """A string for places that take no HTML (button labels, alerts)."""
        return self._strings[lang if lang in self._strings else DEFAULT_LANGUAGE][key]

    def keys(self) -> set[str]:
        return set(self._strings[DEFAULT_LANGUAGE])
