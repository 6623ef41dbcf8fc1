"""Telegram's HTML parse mode (bot/core/telegram_html.py): escaping what a supporter
types, and the checker the in-memory Bot API and `check` use to refuse what
Telegram would refuse, with Telegram's reasons."""

from __future__ import annotations

import pytest

from bot.core.telegram_html import HtmlRefused, check_html, escape


def test_escape_makes_markup_inert_and_leaves_quotes():
    assert escape("""<a href='x'>"Tom" & Jerry</a>""") == """&lt;a href='x'&gt;"Tom" &amp; Jerry&lt;/a&gt;"""


@pytest.mark.parametrize("text", [
    "", "plain text, no markup", "<b>bold</b> and <i>it</i>", "<B>upper</b>", "<b><i>nested</i></b>",
    '<a href="https://example.org/?a=1&amp;b=2">link</a>', "&lt; &gt; &amp; &quot; &#60; &#x3C;",
    "<tg-spoiler>x</tg-spoiler>", '<span class="tg-spoiler">x</span>', "<pre><code>x</code></pre>",
    "<blockquote>q</blockquote>", '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    "<u>u</u><ins>i</ins><s>s</s><strike>s</strike><del>d</del><em>e</em><strong>s</strong>",
])
def test_what_telegram_accepts(text):
    check_html(text)


@pytest.mark.parametrize("text, reason", [
    ("a < b", "unescaped '<'"),
    ("a & b", "unescaped '&'"),
    ("<b>x</b", "unescaped '<'"),
    ("&nbsp;", 'unsupported entity "&nbsp;"'),
    ("<script>x</script>", 'unsupported tag "script"'),
    ("<b>x</i>", 'unmatched end tag "i"'),
    ("</b>", 'unmatched end tag "b"'),
    ("<b>x", 'no end tag for "b"'),
    ("<b><i>x</i>", 'no end tag for "b"'),
    ("<i><b>x</i></b>", 'unmatched end tag "i"'),
    ("Tom &amp; Jerry <script>", 'unsupported tag "script"'),  # checking goes on after an entity
])
def test_what_telegram_refuses_and_why(text, reason):
    with pytest.raises(HtmlRefused) as refused:
        check_html(text)
    assert str(refused.value) == reason
