"""Where each case stands on a given day: one rule for the chat, the CLI and
the dashboard (README, "Cases: open, closed, archived").

1. An update is published from its date on (a month or a year: from its
   first day), so organizers can write one in advance.
2. A case is closed on day D when its campaign.yaml says `status: closed`, or
   when the newest update published by D that has a `status` says `closed`
   (a later update with `status: open` reopens it). Since when, and why, is
   that update's date and text.
3. Its deadline on D is the newest published update's `deadline`, else the
   campaign's. A deadline before D has passed: an open case says so and is
   listed after those still running, but late appeals are not refused.
4. An official can be written to on D unless their term (`in_office`) has not
   begun or has ended by D. A month or a year counts from its first day, so
   someone who may have left is never offered.
5. A case is actionable on D when it is open and at least one of its
   officials can be written to. Only actionable cases are offered in Take
   action; the others are archives.
6. A case is invisible to supporters before its `issued` date (a month or a
   year: before its first day) and while its `status` is `draft`: no screen,
   answer, announcement or button shows it. Organizers still see it in
   `/stats`, `check` and `letter --as-of`. A case without `issued` is visible.

The bot's clock decides D (`--as-of` moves it for a preview; tests keep their
own clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.catalog import Campaign, CampaignUpdate, Catalog, Official, Target


def published(update: CampaignUpdate, today: date) -> bool:
    return update.date.first_day() <= today


def published_updates(campaign: Campaign, today: date) -> list[tuple[int, CampaignUpdate]]:
    """(number from 1, update) for the updates published by `today`, oldest first."""
    return [(n, u) for n, u in enumerate(campaign.updates, start=1) if published(u, today)]


def latest_update(campaign: Campaign, today: date) -> tuple[int, CampaignUpdate] | None:
    shown = published_updates(campaign, today)
    return shown[-1] if shown else None


def update_by_number(campaign: Campaign, number: int) -> CampaignUpdate | None:
    """Updates are numbered from 1 in the order of the campaign file."""
    return campaign.updates[number - 1] if 1 <= number <= len(campaign.updates) else None


def visible(campaign: Campaign, today: date) -> bool:
    """Whether supporters may see the case on `today` (rule 6)."""
    if campaign.status == "draft":
        return False
    return campaign.issued is None or campaign.issued.first_day() <= today


def visible_campaigns(catalog: Catalog, today: date) -> list[Campaign]:
    """The cases supporters may see on `today`, in the catalog's order."""
    return [c for c in catalog.campaigns.values() if visible(c, today)]


def in_office(official: Official, today: date) -> bool:
    term = official.in_office
    if term is None:
        return True
    if term.start is not None and term.start.first_day() > today:
        return False
    return term.until is None or today < term.until.first_day()


@dataclass(frozen=True)
class CaseStatus:
    """One case as it stands on `today`."""

    campaign: Campaign
    today: date
    closed: bool
    closing_update: CampaignUpdate | None  # the update that closed it; None if campaign.yaml did
    deadline: date | None
    writable: tuple[Target, ...]  # targets whose officials hold the post today
    departed: tuple[Target, ...]  # targets whose officials do not
    ended: date | None  # when it stopped being actionable, as far as content tells
    visible: bool = True  # False before it is issued, and while a draft (rule 6)

    @property
    def actionable(self) -> bool:
        return self.visible and not self.closed and bool(self.writable)

    @property
    def days_left(self) -> int | None:
        return None if self.deadline is None else (self.deadline - self.today).days

    @property
    def deadline_passed(self) -> bool:
        """The deadline day itself is still in time."""
        return self.deadline is not None and self.deadline < self.today

    def can_write_to(self, official_id: str) -> bool:
        return self.actionable and any(t.official == official_id for t in self.writable)


def status_of(campaign: Campaign, officials, today: date) -> CaseStatus:
    shown = [update for _, update in published_updates(campaign, today)]
    with_status = [u for u in shown if u.status is not None]
    closing = with_status[-1] if with_status and with_status[-1].status == "closed" else None
    new_deadlines = [u.deadline for u in shown if u.deadline is not None]
    writable = tuple(t for t in campaign.targets if in_office(officials[t.official], today))
    departed = tuple(t for t in campaign.targets if t not in writable)
    term_ends = [term.until.first_day() for t in departed
                 if (term := officials[t.official].in_office) is not None and term.until is not None]
    if closing is not None:
        ended = closing.date.first_day()
    elif campaign.status != "closed" and not writable and term_ends:
        ended = max(term_ends)
    else:
        ended = None
    return CaseStatus(
        campaign=campaign, today=today,
        closed=campaign.status == "closed" or closing is not None,
        closing_update=closing,
        deadline=new_deadlines[-1] if new_deadlines else campaign.deadline,
        writable=writable,
        departed=departed,
        ended=ended,
        visible=visible(campaign, today),
    )


def _running_order(status: CaseStatus) -> tuple:
    """Soonest deadline first; no deadline next; passed deadlines last."""
    if status.deadline is None:
        return (1, date.max, status.campaign.id)
    return (2 if status.deadline_passed else 0, status.deadline, status.campaign.id)


def actionable_cases(catalog: Catalog, today: date) -> list[CaseStatus]:
    """The cases supporters can act on today, soonest deadline first."""
    statuses = (status_of(c, catalog.officials, today) for c in catalog.campaigns.values())
    return sorted((s for s in statuses if s.actionable), key=_running_order)


def past_cases(catalog: Catalog, today: date) -> list[CaseStatus]:
    """Closed cases and those with no one left to write to, most recently ended first."""
    statuses = [status_of(c, catalog.officials, today) for c in visible_campaigns(catalog, today)]
    return sorted((s for s in statuses if not s.actionable),
                  key=lambda s: (s.ended or s.deadline or date.min, s.campaign.id), reverse=True)


def appeal_date(campaign: Campaign) -> date:
    """The date a past appeal is shown with: the last day it could be sent
    (its deadline, or the day before it closed), else the day it was issued."""
    if campaign.deadline is not None:
        return campaign.deadline
    closing = [u for u in campaign.updates if u.status == "closed"]
    if closing:
        return closing[0].date.first_day() - timedelta(days=1)
    if campaign.issued is not None:
        return campaign.issued.first_day()
    return date.min
