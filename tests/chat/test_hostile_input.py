"""Hostile input: whatever a supporter types as name, city or sentence, the bot
neither crashes, nor evaluates it as a template, nor sends HTML Telegram would
refuse. Each value is either accepted verbatim (escaped) or refused with the
clear message and the same question again."""

from __future__ import annotations

import pytest

from bot.appeals.letter_pdf import unsupported_characters
from bot.appeals.supporter_input import Refused, clean
from bot.core.telegram_html import escape
from tests.chat.test_take_action import ASK_CITY_EN, ASK_NAME_EN, ASK_SENTENCE_EN, walk_to_name

BASES = [
    # HTML and Telegram's own tags
    "<b>", "</b>", "<i>x</i>", "<a href='javascript:alert(1)'>x</a>", "<script>alert(1)</script>",
    "&", "&amp;", "&lt;b&gt;", "a < b", "a > b", "<<>>", "&#x3C;", "&unknown;", "<tg-spoiler>", "</pre>",
    "<code>", "<b><i>unclosed",
    # Jinja2 and format strings
    "{{ 7*7 }}", "{% raw %}", "{% endraw %}", "{{ self.__init__.__globals__ }}",
    "{% for x in range(10**9) %}{% endfor %}", "{# comment", "{{", "}}", "{%", "%}",
    "{{ supporter.name }}", "{{ config }}", "{{ ''.__class__.__mro__ }}", "{name}", "{0}", "%s", "%(x)s",
    # direction marks, zero-width and invisible characters
    "\u202eevil", "abc\u202edef", "\u200f", "שלום", "مرحبا", "\u061c", "\u200b", "a\u200bb", "\ufeff",
    "\u2060", "\u00ad",
    # emoji and other scripts
    "🙂", "👩‍👩‍👧‍👦", "🏳️‍🌈", "🇲🇽", "李小龙", "日本語", "Ελένη", "Мария", "e\u0301", "𝕳𝖊𝖑𝖑𝖔", "Ⅻ",
    # lengths
    "x" * 10_000, "a" * 81, "a" * 80, "a" * 500, "a" * 501, "word " * 2000,
    # SQL and shells
    "'; DROP TABLE actions; --", "\" OR 1=1 --", "Robert'); DROP TABLE students;--", "$(rm -rf /)",
    "`id`",
    # NUL and control characters, line breaks
    "\x00", "a\x00b", "\x07\x08", "\r\n", "\t", "line1\nline2", "\x1b[31mred", "\x7f",
    # whitespace only, Markdown, links, odd values
    "   ", "\u00a0", "*bold*", "_it_", "`code`", "[x](http://e)", "https://evil.example",
    "javascript:alert(1)", "null", "None", "NaN", "-1", "1e309",
]
HOSTILE = [variant for base in BASES for variant in (base, f"Ana {base}", f"{base} Pérez")]
assert len(HOSTILE) >= 200

LANGUAGE_QUESTION = ("Which language should your appeal to Luis Videgaray be in? ⭐ marks the official's "
                     "language. If you choose one you don't read, I'll also show it in your language so you "
                     "know what you are signing.")
# The city leads to the language question, and the sentence (asked after it) to the appeal itself.
FIELDS = [("name", ASK_NAME_EN, ASK_CITY_EN, 80), ("city", ASK_CITY_EN, LANGUAGE_QUESTION, 80),
          ("sentence", ASK_SENTENCE_EN, None, 500)]


@pytest.mark.parametrize("raw, cleaned", [
    ("a\tb\nc", "a b c"), ("X\u2028Y\u2029Z", "X Y Z"),  # line breaks become spaces
    ("a\x07b", "ab"),  # a control character (Cc)
    ("a\u200bb", "ab"),  # a format character (Cf)
    ("a\ud800b", "ab"),  # a lone surrogate (Cs)
    ("a\ue000b", "ab"),  # private use (Co)
    ("a\u0378b", "ab"),  # unassigned (Cn)
])
def test_what_clean_drops_and_what_it_makes_a_space(raw, cleaned):
    assert clean(raw, 80) == cleaned


@pytest.mark.parametrize("field, prompt, next_prompt, limit", FIELDS)
async def test_hostile_strings_are_accepted_verbatim_or_refused(bot, field, prompt, next_prompt, limit):
    sim, api = bot
    user = sim.user()

    async def walk_to_field():
        await walk_to_name(user, "luis-videgaray", "letter")
        if field in ("city", "sentence"):
            await user.send("Ana")
        if field == "sentence":
            await user.send("Tijuana")
            await user.press("act:lang:en")  # the supporter's own language: the prompt as it stands

    await walk_to_field()
    for value in HOSTILE:
        calls = await user.send(value)
        texts = [c.text for c in calls if c.method == "sendMessage"]
        cleaned = clean(value, limit)
        delivered = field == "sentence" and not isinstance(cleaned, Refused) and not (
            unsupported_characters(cleaned))
        assert len(texts) == 1, (value, texts)  # the appeal (the report prompt is its PDF's caption)
        assert [c.method for c in calls if c.method.startswith("send")] == (
            ["sendMessage", "sendDocument"] if delivered else ["sendMessage"]), (value, calls)
        if isinstance(cleaned, Refused):
            expected = ("That looks empty. Please type something, or press Skip."
                        if cleaned.reason == "input.empty" else
                        f"That is {cleaned.length:,} characters; the limit here is {limit}. "
                        "Please shorten it.")
            assert texts == [f"{expected}\n\n{prompt}"], (value, texts)
        elif missing := unsupported_characters(cleaned):
            assert texts[0].startswith("The letter's PDF cannot show these characters: "
                                       + " ".join(missing[:10])), (value, texts)
            assert texts[0].endswith("\n\n" + prompt)
        else:
            if next_prompt is not None:
                assert texts == [next_prompt], (value, texts)
                await user.press("⬅️ Back")  # back to the same question for the next value
            else:  # the sentence leads to the appeal, delivered: the next value starts a new one
                assert texts[0].startswith("✉️ <b>Your letter to Luis Videgaray</b>"), (value, texts)
                await walk_to_field()
    assert api.refusals == [], [c.result for c in api.refusals]


# "What you are signing" fits a letter or an email; a call is said, a tweet posted.
TRANSLATION_EN = {"letter": "<i>So you know what you are signing, here it is in English:</i>",
                  "email": "<i>So you know what you are signing, here it is in English:</i>",
                  "call": "<i>So you know what you will say, here it is in English:</i>",
                  "tweet": "<i>So you know what you will post, here it is in English:</i>"}
# Every channel, each with an official it can reach (the minister has no phone).
CHANNELS = [("luis-videgaray", "letter"), ("luis-videgaray", "email"), ("geronimo-gutierrez", "call"),
            ("luis-videgaray", "tweet")]


@pytest.mark.parametrize("value", ["{{ 7*7 }}", "<b>Ana</b> & co", "<i>Ana</i>", "{% raw %}x", "a\x00b\u202e",
                                   "'; DROP TABLE actions; --", "Ελένη {0} %s"])
@pytest.mark.parametrize("official, channel", CHANNELS)
async def test_hostile_values_reach_the_appeal_as_plain_data(bot, services, value, official, channel):
    """Escaped in the appeal as sent by its channel's sender and in the
    translation after it; never evaluated, never raw HTML."""
    sim, api = bot
    user = sim.user()
    await walk_to_name(user, official, channel)
    for _field in () if channel == "tweet" else ("name", "city"):
        await user.send(value)
    await user.press("act:lang:es")
    calls = await user.send(value)  # the sentence, asked after the language
    texts = [c.text or "" for c in calls if c.method == "sendMessage"]
    # the translation follows the appeal in its message (issue 29)
    (joined,) = [t for t in texts if "\n\n" + TRANSLATION_EN[channel] in t]
    appeal, translation = joined.split("\n\n" + TRANSLATION_EN[channel])  # what the channel's sender sent
    appeal = "\n".join([*texts[:texts.index(joined)], appeal])
    cleaned = clean(value, 80)
    assert escape(cleaned) in appeal and escape(cleaned) in translation, (channel, texts)
    if escape(cleaned) != cleaned:
        assert not any(cleaned in t for t in texts), (channel, texts)
    assert "49" not in "\n".join(texts)  # {{ 7*7 }} was never evaluated
    assert api.refusals == []
    stats = await services.store.campaign_stats(today=services.today())
    assert stats.actions == 0  # nothing reported yet, and the tables are intact
