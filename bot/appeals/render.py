"""Render appeals (letter, email, call script, tweet) from content templates.

Each case has its own templates (`campaigns/<id>/templates/`), extending the
shared layouts in `templates/`. They are compiled once, in a sandboxed Jinja2
environment where an undefined name is an error. What a supporter typed enters only as the values
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

from bot.catalog import LANGUAGES, Campaign, Catalog, Official, format_date
from bot.catalog.template_contract import INTERFACE_ONLY
from bot.catalog.templates import case_template, environment

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
    """All case templates compiled at start; `render` only fills them in."""

    def __init__(self, catalog: Catalog):
        env = environment(dict(catalog.templates), undefined=StrictUndefined, autoescape=False,
                          keep_trailing_newline=False, trim_blocks=False)
        self._templates = {name: env.get_template(name) for name in catalog.templates
                           if name.startswith("campaigns/") and not name.rsplit("/", 1)[1].startswith("_")}

    def render(self, campaign: Campaign, official: Official, channel: str, lang: str,
               supporter: SupporterDetails, today: date) -> Appeal:
        template = self._templates[case_template(campaign.id, channel, lang)]
        target = campaign.target(official.id)
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
                "issued": campaign.issued.display(lang) if campaign.issued else "",
                "deadline": format_date(campaign.deadline, lang) if campaign.deadline else "",
            },
            "asks": [a.get(lang) for a in target.asks] if target else [],
            "supporter": {"name": supporter.name, "city": supporter.city, "sentence": supporter.sentence},
            "today": format_date(today, lang),
            "lang": lang,
        }
        if lang not in LANGUAGES:  # no text in this language: left out, as `check` requires
            for name, attribute in INTERFACE_ONLY:
                del variables[name][attribute]
        context = template.new_context(variables)
        whole = "".join(template.root_render_func(context))
        # After a full render the context holds every block of the chain (its
        # own and the layouts' it extends), so an email's subject and body
        # can be rendered on their own.
        if "subject" in context.blocks:
            subject = "".join(context.blocks["subject"][0](context)).strip()
            body = "".join(context.blocks["body"][0](context))
        else:
            subject, body = None, whole
        return Appeal(channel, lang, _BLANK_LINES.sub("\n\n", body).strip() + "\n", subject)
