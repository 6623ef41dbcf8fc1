"""Render appeals (letter, email, call script, tweet) from content templates.

Templates are compiled once, in a sandboxed Jinja2 environment where an
undefined name is an error. What a supporter typed enters only as the values
of `supporter.*`: it is data, never template source, so `{{ 7*7 }}` typed as
a name is printed as those characters. Appeals are plain text; the chat layer
escapes them for Telegram.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlencode

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from .catalog import Campaign, Catalog, Official, format_date

TWEET_LIMIT = 280
TWITTER_URL_LENGTH = 23
CALL_WORDS_PER_MINUTE = 150
COMPOSE_URL_MAX = 2000
_URL = re.compile(r"https?://\S+")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class SupporterDetails:
    """What the supporter typed (already cleaned); empty strings when skipped."""

    name: str = ""
    city: str = ""
    sentence: str = ""


@dataclass(frozen=True)
class Appeal:
    channel: str
    lang: str
    body: str
    subject: str | None = None


def tweet_length(text: str) -> int:
    """Length as Twitter counts it: URLs are 23, CJK and emoji count double."""
    text = _URL.sub("x" * TWITTER_URL_LENGTH, unicodedata.normalize("NFC", text))
    light = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
    return sum(1 if any(lo <= ord(ch) <= hi for lo, hi in light) else 2 for ch in text)


def speaking_seconds(text: str) -> float:
    return len(text.split()) / CALL_WORDS_PER_MINUTE * 60


def tweet_intent_url(text: str) -> str:
    return "https://twitter.com/intent/tweet?" + urlencode({"text": text}, quote_via=quote)


def email_compose_url(to: str, subject: str, body: str) -> str:
    """A Gmail compose link (https: Telegram refuses mailto: buttons).

    The body is left out when it would make the link too long for a button.
    """
    params = {"view": "cm", "fs": "1", "to": to, "su": subject, "body": body}
    url = "https://mail.google.com/mail/?" + urlencode(params, quote_via=quote)
    if len(url) > COMPOSE_URL_MAX:
        del params["body"]
        url = "https://mail.google.com/mail/?" + urlencode(params, quote_via=quote)
    return url


class AppealRenderer:
    """All templates compiled at start; `render` only fills them in."""

    def __init__(self, catalog: Catalog):
        environment = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                                           keep_trailing_newline=False, trim_blocks=False)
        self._templates = {key: environment.from_string(source)
                           for key, source in catalog.templates.items()}

    def render(self, campaign: Campaign, official: Official, channel: str, lang: str,
               supporter: SupporterDetails, today: date) -> Appeal:
        template = self._templates[(channel, lang)]
        variables = {
            "official": {
                "name": official.name, "title": official.title.get(lang),
                "organisation": official.organisation.get(lang),
                "salutation": official.salutation.get(lang), "address": list(official.address),
                "email": official.email or "", "phone": official.phone or "",
                "twitter": official.twitter or "",
            },
            "campaign": {
                "reference": campaign.reference, "title": campaign.title.get(lang),
                "summary": campaign.summary.get(lang), "asks": [a.get(lang) for a in campaign.asks],
                "deadline": format_date(campaign.deadline, lang) if campaign.deadline else "",
            },
            "supporter": {"name": supporter.name, "city": supporter.city, "sentence": supporter.sentence},
            "today": format_date(today, lang),
            "lang": lang,
        }
        if "subject" in template.blocks:
            context = template.new_context(variables)
            subject = "".join(template.blocks["subject"](context)).strip()
            body = "".join(template.blocks["body"](context))
        else:
            subject, body = None, template.render(variables)
        return Appeal(channel, lang, _BLANK_LINES.sub("\n\n", body).strip() + "\n", subject)
