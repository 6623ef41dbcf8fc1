"""Which of a campaign's updates a supporter can see, as of the bot's clock.

An update is published once its date has come: organizers can write one in
advance, and the bot (whose clock tests set to 2018) shows the case as it
stood then. Updates are news: their `status` and `deadline` are told to
supporters, but only the campaign's own `status` and `deadline` fields
change what the take-action flow does (see README, "Case updates").
"""

from __future__ import annotations

from datetime import date

from .catalog import Campaign, CampaignUpdate, PartialDate


def _start(when: PartialDate) -> date:
    """The first day a partial date covers (2018-10 -> 1 October 2018)."""
    return date(when.year, when.month or 1, when.day or 1)


def published(update: CampaignUpdate, today: date) -> bool:
    return _start(update.date) <= today


def published_updates(campaign: Campaign, today: date) -> list[tuple[int, CampaignUpdate]]:
    """(number from 1, update) for the updates published by `today`, oldest first."""
    return [(n, u) for n, u in enumerate(campaign.updates, start=1) if published(u, today)]


def latest_update(campaign: Campaign, today: date) -> tuple[int, CampaignUpdate] | None:
    shown = published_updates(campaign, today)
    return shown[-1] if shown else None


def update_by_number(campaign: Campaign, number: int) -> CampaignUpdate | None:
    """Updates are numbered from 1 in the order of the campaign file."""
    return campaign.updates[number - 1] if 1 <= number <= len(campaign.updates) else None
