"""A new case as those signed up for it receive it: who it reaches, whether
it may go yet, and the message in each language with its buttons. The same
in the broadcast, the organizer's preview and the CLI's dry run.

A case reaches a chat signed up for "all", or for one of the case's topics,
or for its region (Amnesty's five): `case_choices` lists those, and the store
matches them against each chat's choices.
"""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.catalog import LANGUAGES, Campaign, Catalog, format_date
from bot.catalog.cases import status_of, visible
from bot.catalog.i18n import Html, Texts
from bot.catalog.schema import REGIONS
from bot.store import SIGNUP_ALL, SignupCounts

# Callback data of the message's buttons (handled in bot/chat/): Take action
# (the menu's), follow this case (bot/chat/updates.py), stop announcements
# (bot/chat/signup.py). The broadcasts layer cannot import the chat's names;
# tests/chat/test_signup.py checks they agree.
TAKE_ACTION = "menu:act"
FOLLOW = "upd:on:"
SIGNUP_OFF = "sig:off"


def case_choices(campaign: Campaign) -> list[str]:
    """The sign-up choices this case matches: all, its topics, its region."""
    choices = [SIGNUP_ALL, *(f"topic:{topic}" for topic in campaign.topics)]
    if campaign.region is not None:
        choices.append(f"region:{campaign.region}")
    return choices


def choice_names(catalog: Catalog, texts: Texts, lang: str) -> dict[str, str]:
    """Every sign-up choice the bot offers, to its name in `lang`: all new
    cases, each topic (its title), each region; in the order they are offered."""
    names = {SIGNUP_ALL: texts.plain(lang, "signup.all")}
    names.update({f"topic:{topic.id}": topic.title.get(lang) for topic in catalog.topics.values()})
    names.update({f"region:{region}": texts.plain(lang, f"region.{region}") for region in REGIONS})
    return names


def signup_rows(counts: SignupCounts, names: dict[str, str]) -> list[tuple[str, str, int]]:
    """(choice, name, people) for the organizers' figures: every choice offered,
    zeros included, then any chosen that content no longer has (named by id)."""
    rows = [(choice, name, counts.by_choice.get(choice, 0)) for choice, name in names.items()]
    rows += [(choice, f"{choice} (not in content)", n) for choice, n in sorted(counts.by_choice.items())
             if choice not in names]
    return rows


def refusal(catalog: Catalog, campaign: Campaign, today: date) -> tuple[str, dict[str, object]] | None:
    """Why this case cannot be announced today (an interface string's key and
    values), or None when it can: visible to supporters (not a draft, issued
    by today: bot.catalog.cases, rule 6) and open for action."""
    values: dict[str, object] = {"reference": campaign.reference}
    if campaign.status == "draft":
        return "announce.draft", values
    if not visible(campaign, today):  # not issued yet
        return "announce.not_yet", {**values, "date": campaign.issued.first_day()}
    if not status_of(campaign, catalog.officials, today).actionable:
        return "announce.not_open", values
    return None


def refusal_text(texts: Texts, lang: str, reason: tuple[str, dict[str, object]]) -> Html:
    key, values = reason
    shown = {k: format_date(v, lang) if isinstance(v, date) else v for k, v in values.items()}
    return texts(lang, key, **shown)


def announcement_message(catalog: Catalog, texts: Texts, campaign: Campaign, lang: str, today: date) -> Html:
    """The announcement of `campaign` in `lang`: what it is about, where, by when."""
    parts = [texts(lang, "announce.message", reference=campaign.reference, title=campaign.title.get(lang),
                   summary=campaign.summary.get(lang))]
    topics = [catalog.topics[t].title.get(lang) for t in campaign.topics if t in catalog.topics]
    if campaign.region is not None:
        parts.append(texts(lang, "announce.region", region=texts.plain(lang, f"region.{campaign.region}")))
    if topics:
        parts.append(texts(lang, "announce.topics", topics="; ".join(topics)))
    deadline = status_of(campaign, catalog.officials, today).deadline
    if deadline is not None:
        parts.append(texts(lang, "announce.deadline", deadline=format_date(deadline, lang)))
    parts.append(texts(lang, "announce.footer"))
    return Html("\n\n".join(parts))


def announcement_markup(texts: Texts, campaign: Campaign, lang: str) -> InlineKeyboardMarkup:
    def button(key: str, data: str) -> list[InlineKeyboardButton]:
        return [InlineKeyboardButton(texts.plain(lang, key), callback_data=data)]

    return InlineKeyboardMarkup([button("announce.act_button", TAKE_ACTION),
                                 button("updates.follow", f"{FOLLOW}{campaign.id}"),
                                 button("signup.off_button", SIGNUP_OFF)])


def announcement_messages(catalog: Catalog, texts: Texts, campaign: Campaign,
                          today: date) -> dict[str, tuple[Html, InlineKeyboardMarkup]]:
    """The message and buttons for each language, as the broadcast sends them."""
    return {lang: (announcement_message(catalog, texts, campaign, lang, today),
                   announcement_markup(texts, campaign, lang)) for lang in LANGUAGES}
