"""Telegram's HTML parse mode: what it accepts, and escaping for it.

Everything a supporter types is escaped with `escape` before it is put into a
message. `check_html` mirrors the Bot API's own parser closely enough that the
in-memory transport refuses what Telegram would refuse, and `check` uses it to
catch a broken interface string before a supporter sees an error.
"""

import html
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code",
                          "pre", "tg-spoiler", "span", "blockquote", "tg-emoji"})


class HtmlRefused(ValueError):
    """Telegram would answer "can't parse entities" for this text."""


def escape(text: str) -> str:
    """Supporter text made inert for parse_mode=HTML (quotes left as they are)."""
    return html.escape(text, quote=False)


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.error = self.error or f'unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f'unmatched end tag "{tag}"'
        else:
            self.stack.pop()

    def handle_entityref(self, name):
        if name not in ("lt", "gt", "amp", "quot"):
            self.error = self.error or f'unsupported entity "&{name};"'


def check_html(text: str) -> None:
    """Raise HtmlRefused where Telegram's HTML parser would."""
    for index, char in enumerate(text):
        if char == "&":
            end = text.find(";", index, index + 12)
            name = text[index + 1 : end] if end != -1 else ""
            if not name or not (name.isalnum() or name.startswith("#")):
                raise HtmlRefused("unescaped '&'")
        elif char == "<":
            following = text[index + 1 : index + 2]
            if not (following.isalpha() or following == "/"):
                raise HtmlRefused("unescaped '<'")
    parser = _Parser()
    parser.feed(text)
    parser.close()
    if parser.error:
        raise HtmlRefused(parser.error)
    if parser.stack:
        raise HtmlRefused(f'no end tag for "{parser.stack[-1]}"')
