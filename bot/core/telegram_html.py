"""Telegram's HTML parse mode: what it accepts, and escaping for it.

Everything a supporter types is escaped with `escape` before it is put into a
message. `check_html` mirrors the Bot API's own parser closely enough that the
in-memory transport refuses what Telegram would refuse, and `check` uses it to
catch a broken interface string before a supporter sees an error.
"""

import html
import re

ALLOWED_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code",
                          "pre", "tg-spoiler", "span", "blockquote", "tg-emoji"})


class HtmlRefused(ValueError):
    """Telegram would answer "can't parse entities" for this text."""


def escape(text: str) -> str:
    """Supporter text made inert for parse_mode=HTML (quotes left as they are)."""
    return html.escape(text, quote=False)


# One pass over the markup: a tag, an entity, or a bare '<' or '&' (refused).
_MARKUP = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[<&]")
ENTITIES = frozenset({"lt", "gt", "amp", "quot"})


def check_html(text: str) -> None:
    """Raise HtmlRefused where Telegram's HTML parser would: unknown tags,
    unbalanced tags, unknown named entities, or a bare '<' or '&'."""
    if "<" not in text and "&" not in text:
        return
    open_tags: list[str] = []
    for match in _MARKUP.finditer(text):
        closing, tag, _attributes, entity = match.groups()
        if tag is None and entity is None:
            raise HtmlRefused(f"unescaped '{match.group()}'")
        if entity is not None:
            if not entity.startswith("#") and entity not in ENTITIES:
                raise HtmlRefused(f'unsupported entity "&{entity};"')
            continue
        tag = tag.lower()
        if tag not in ALLOWED_TAGS:
            raise HtmlRefused(f'unsupported tag "{tag}"')
        if not closing:
            open_tags.append(tag)
        elif not open_tags or open_tags.pop() != tag:
            raise HtmlRefused(f'unmatched end tag "{tag}"')
    if open_tags:
        raise HtmlRefused(f'no end tag for "{open_tags[-1]}"')


_TAG = re.compile(r"<[^<>]*>")


def visible_length(text: str) -> int:
    """How long Telegram counts an HTML text against its limits (a caption's
    1,024 characters): after entities parsing, so tags do not count and an
    entity counts as the one character it stands for. Counted in UTF-16 code
    units, as Telegram counts entity offsets: an emoji outside the Basic
    Multilingual Plane counts two, which errs on the short side."""
    plain = html.unescape(_TAG.sub("", text))
    return len(plain.encode("utf-16-le")) // 2
