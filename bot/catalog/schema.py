"""The typed, frozen shape of everything in content/ and seeds/index.yaml.

The dataclasses here are the schema: `build.py` reads field names, types and
defaults straight from them, so adding a field to content means adding it
here and nowhere else. Every object also carries `where` (file and lines) so
later checks can point at the exact line of a bad reference.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from bot.catalog import dates

# The interface languages: every text a supporter reads is in each of them.
# Appeals may be in other languages too: any language with appeal layouts in
# content/templates/ (see `bot.catalog.templates.appeal_languages`).
LANGUAGES: tuple[str, ...] = ("en", "es")
# Amnesty International's five regions; a case names one, and supporters may
# sign up for the cases of some regions only.
REGIONS: tuple[str, ...] = ("africa", "americas", "asia-pacific", "europe-central-asia",
                            "middle-east-north-africa")
Region = Literal["africa", "americas", "asia-pacific", "europe-central-asia", "middle-east-north-africa"]
CHANNELS: tuple[str, ...] = ("letter", "email", "call", "tweet")
Lang = Literal["en", "es"]
Channel = Literal["letter", "email", "call", "tweet"]
SeedKind = Literal["news article", "analysis", "press release", "factsheet", "urgent action"]

@dataclass(frozen=True)
class Where:
    """Where an object was read: its file, its line, and the line of each field."""

    path: str
    line: int
    field_lines: dict[str, int] = field(default_factory=dict, compare=False)
    item_lines: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False)

    def of(self, name: str, index: int | None = None) -> int:
        if index is not None and index < len(self.item_lines.get(name, ())):
            return self.item_lines[name][index]
        return self.field_lines.get(name, self.line)


NOWHERE = Where("<code>", 0)


def format_date(value: date, lang: str) -> str:
    """27 September 2018 / 27 de septiembre de 2018 / 27 de setembro de 2018:
    the one way every date is written, in any language with layouts (Babel,
    see `bot.catalog.dates`)."""
    return dates.format_date(value, lang)


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date as precise as the source allows: a year, a month, or a day."""

    year: int
    month: int = 0
    day: int = 0

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        if isinstance(value, date):
            return cls(value.year, value.month, value.day)
        parts = str(value).strip().split("-")
        if not 1 <= len(parts) <= 3 or not all(p.isascii() and p.isdigit() for p in parts):
            raise ValueError(value)
        numbers = [int(p) for p in parts] + [0] * (3 - len(parts))
        year, month, day = numbers
        if not 1900 <= year <= 2100 or not 0 <= month <= 12:
            raise ValueError(value)
        if day:
            date(year, month, day)  # raises ValueError on 2018-02-31
        return cls(year, month, day)

    def first_day(self) -> date:
        """The first day the date covers (2018-10 -> 1 October 2018)."""
        return date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> date:
        """The end of the period this date stands for: 2018 ends on 31 December 2018."""
        month = self.month or 12
        return date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def display(self, lang: str) -> str:
        if self.day:
            return format_date(date(self.year, self.month, self.day), lang)
        if self.month:
            return dates.format_month(self.year, self.month, lang)
        return str(self.year)


@dataclass(frozen=True)
class Text:
    """One text in every supported language."""

    en: str
    es: str

    def get(self, lang: str) -> str:
        return self.es if lang == "es" else self.en


@dataclass(frozen=True)
class AppealText:
    """A text that goes into appeals: in each interface language, and in the
    language of the officials it is addressed to when that is another
    (`other`: {"pt": "…"}, written as extra keys `pt:` in the YAML). `check`
    makes sure an official's own language is there."""

    en: str
    es: str
    other: dict[str, str] = field(default_factory=dict, metadata={"yaml": "*"})

    def get(self, lang: str) -> str:
        if lang == "es":
            return self.es
        if lang == "en":
            return self.en
        return self.other.get(lang, self.en)

    def languages(self) -> tuple[str, ...]:
        return ("en", "es", *self.other)


@dataclass(frozen=True)
class Salutation(AppealText):
    """An official's salutation ("Dear Foreign Minister"), in the interface
    languages and in the language they read (`pt: Senhor Ministro`)."""


@dataclass(frozen=True)
class Phrasings:
    en: tuple[str, ...]
    es: tuple[str, ...]

    def as_mapping(self) -> dict[str, tuple[str, ...]]:
        return {"en": self.en, "es": self.es}


@dataclass(frozen=True)
class Source:
    """A seed document with the exact passage relied on, or a named public source."""

    seed: str | None = None
    quote: str | None = None
    title: str | None = None
    publisher: str | None = None
    # How Spanish readers see a public source's publisher, when it has a name
    # in Spanish ("Amnistía Internacional"); a title stays as published.
    publisher_es: str | None = None
    date: PartialDate | None = None
    url: str | None = None
    where: Where = field(default=NOWHERE, compare=False, repr=False)

    def publisher_in(self, lang: str) -> str | None:
        return (self.publisher_es or self.publisher) if lang == "es" else self.publisher


@dataclass(frozen=True)
class Seed:
    id: str
    file: str
    title: str
    kind: SeedKind
    date: PartialDate
    viewpoint: str
    publisher: str | None = None
    # How Spanish readers see the publisher, when its name or description is
    # not the same in Spanish ("Amnistía Internacional EE. UU.").
    publisher_es: str | None = None
    date_note: str | None = None
    where: Where = field(default=NOWHERE, compare=False, repr=False)

    def publisher_in(self, lang: str) -> str | None:
        return (self.publisher_es or self.publisher) if lang == "es" else self.publisher


@dataclass(frozen=True)
class Term:
    """When an official held the post the content names them by, as sourced.

    `until` is the end of the term. A day is the last day in office, counted
    in (`until: 2018-11-30`: in office that day, out from 1 December); a month
    or a year means "by then they no longer held the post", so the bot treats
    them as out of office from its first day and never offers an appeal to
    someone who may have left.
    """

    sources: tuple[Source, ...]
    start: PartialDate | None = field(default=None, metadata={"yaml": "from"})
    until: PartialDate | None = None
    where: Where = field(default=NOWHERE, compare=False, repr=False)

    def first_day_out(self) -> date | None:
        """The first day the official no longer holds the post, or None."""
        if self.until is None:
            return None
        if self.until.day:
            return self.until.first_day() + timedelta(days=1)
        return self.until.first_day()


@dataclass(frozen=True)
class Official:
    """Someone a case writes to. `language` is the language to write to them in
    (any language with appeal layouts, which `check` verifies); `salutation`
    has a text for it and for each interface language."""

    id: str
    name: str
    title: Text
    organisation: Text
    salutation: Salutation
    language: str
    address: tuple[str, ...] = ()
    email: str | None = None
    phone: str | None = None
    twitter: str | None = None
    in_office: Term | None = None
    sources: tuple[Source, ...] = ()
    where: Where = field(default=NOWHERE, compare=False, repr=False)

    def has_channel(self, channel: str) -> bool:
        needs = {"letter": self.address, "email": self.email, "call": self.phone,
                 "tweet": self.twitter}
        return bool(needs[channel])


@dataclass(frozen=True)
class CampaignUpdate:
    date: PartialDate
    title: Text
    text: Text
    status: Literal["open", "closed"] | None = None
    deadline: date | None = None
    sources: tuple[Source, ...] = ()
    where: Where = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class Target:
    """An official a case writes to, and what the appeal asks of them, in the
    second person ("I urge you to…"), as a caseworker would put it."""

    official: str
    asks: tuple[AppealText, ...]
    where: Where = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class Campaign:
    """One Urgent Action case: `content/campaigns/<id>/campaign.yaml`.

    `status` is what the organizers set; whether the case is open on a given
    day also depends on its updates (see `bot.catalog.cases`).
    """

    id: str
    reference: str
    status: Literal["open", "closed", "draft"]
    title: Text
    summary: Text
    asks: tuple[Text, ...]
    targets: tuple[Target, ...]
    channels: tuple[Channel, ...]
    sources: tuple[Source, ...]
    topics: tuple[str, ...] = ()
    country: str | None = None  # ISO 3166 code of the country the case is about ("MX")
    region: Region | None = None
    # Who is at risk, a sentence per language, for "who is at risk?", and the
    # names of the people the case is about, so "who is <name>?" finds it.
    at_risk: Text | None = None
    people: tuple[str, ...] = ()
    issued: PartialDate | None = None
    deadline: date | None = None
    updates: tuple[CampaignUpdate, ...] = ()
    where: Where = field(default=NOWHERE, compare=False, repr=False)

    @property
    def target_ids(self) -> tuple[str, ...]:
        return tuple(t.official for t in self.targets)

    def target(self, official_id: str) -> Target | None:
        return next((t for t in self.targets if t.official == official_id), None)


def offered_channels(campaign: Campaign, official: Official) -> list[str]:
    """The channels a supporter may use for this official in this campaign."""
    return [c for c in CHANNELS if c in campaign.channels and official.has_channel(c)]


@dataclass(frozen=True)
class Explainer:
    """A short explainer in a topic's folder (`topic` is the folder's id)."""

    id: str
    order: int
    as_of: PartialDate
    title: Text
    body: Text
    sources: tuple[Source, ...]
    related: tuple[str, ...] = ()
    topic: str | None = field(default=None, metadata={"derived": True})
    where: Where = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class Topic:
    """What a group works on (`content/topics/<id>/topic.yaml`), with its
    explainers and FAQ entries in the same folder. Its facts come from the
    source documents it lists in `seeds`, and only from those."""

    id: str
    title: Text
    summary: Text
    seeds: tuple[str, ...]
    order: int = 0
    where: Where = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class Contact:
    """How to reach the network behind the bot, as a source gives it."""

    name: Text
    sources: tuple[Source, ...]
    email: str | None = None
    phone: str | None = None
    url: str | None = None
    where: Where = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class Group:
    """The group running the bot (`content/group.yaml`): the welcome, About and
    the "ask the organizers" lines come from here, never from interface strings."""

    name: Text
    works_on: Text
    network: Contact
    where: Where = field(default=NOWHERE, compare=False, repr=False)


# What an FAQ entry's `answer_from` may name: the answer parts made at answer
# time from the content itself (bot/ask/faq_answers.py holds one function each).
AnswerGenerator = Literal["open_cases", "case_status", "case_at_risk", "case_asks", "case_news", "group"]
# The generators that answer from the cases' own files: their answers cite the
# cases' sources, not the entry's (which may then have none).
CASE_GENERATORS = frozenset({"open_cases", "case_at_risk", "case_asks", "case_news"})


@dataclass(frozen=True)
class FaqEntry:
    """One FAQ answer. Most are `about: sources` and dated by `as_of`; an entry
    `about: bot` (privacy, how to use the bot) describes the bot as it runs
    today, so it has no as_of and is shown without the "information as of" note.

    An entry with `answer_from` has part of its answer made when it is asked,
    from the content as it stands that day (`open_cases`: each open case's
    officials and how to reach them; `case_status`: where each case stands),
    so nobody types officials, contacts or a case's status into an answer by
    hand and the answer never outlives the case. `answer` is
    then the text before that part, and `when_empty` what is said instead of it
    when it has nothing to list.
    """

    id: str
    questions: Phrasings
    answer: Text
    sources: tuple[Source, ...] = ()  # required, except for answers made from the cases' files
    as_of: PartialDate | None = None
    about: Literal["sources", "bot"] = "sources"
    related: tuple[str, ...] = ()
    answer_from: AnswerGenerator | None = None
    when_empty: Text | None = None
    # True: the network's contact (content/group.yaml) ends the answer, so no
    # answer types an address or a phone number by hand.
    with_contact: bool = False
    topic: str | None = field(default=None, metadata={"derived": True})
    where: Where = field(default=NOWHERE, compare=False, repr=False)
