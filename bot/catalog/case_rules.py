"""What a case's own fields must agree on, checked without a clock.

Whether a case is open on a given day is `bot.catalog.cases`' job; here `check`
refuses a case that could never be told truthfully: an open case naming an
official who had left the post before it was issued, a closing update that
also sets a new deadline, dates out of order, an official with no channel the
case offers. Each problem points at the line of the field at fault.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.catalog.build import Problems
from bot.catalog.schema import LANGUAGES, Campaign, Official, PartialDate, offered_channels


def _day(value: PartialDate | None):
    return None if value is None else value.first_day()


def check_case(campaign: Campaign, officials: Mapping[str, Official], problems: Problems,
               appeal_languages: tuple[str, ...] = LANGUAGES) -> None:
    where = campaign.where

    def problem(field: str, message: str, index: int | None = None, line: int | None = None) -> None:
        problems.add(where.path, line or where.of(field, index), message)

    if not campaign.asks:
        problem("asks", "a case needs at least one ask")
    if not campaign.targets:
        problem("targets", "a case needs at least one official to write to")
    if not campaign.channels:
        problem("channels", "a case needs at least one channel")
    issued = _day(campaign.issued)
    if issued and campaign.deadline and campaign.deadline < issued:
        problem("deadline", f"the deadline {campaign.deadline} is before the case was issued ({issued})")
    seen: set[str] = set()
    for target in campaign.targets:
        line = target.where.of("official")
        if target.official in seen:
            problem("targets", f"official {target.official!r} is named twice", line=line)
        seen.add(target.official)
        if not target.asks:
            problem("targets", f"say what the appeal asks of {target.official} ('asks')", line=line)
        official = officials.get(target.official)
        if official is None:
            continue  # reported as an unknown official
        for number, ask in enumerate(target.asks, start=1):
            # (a language without layouts is reported once, at the official)
            if official.language in appeal_languages and official.language not in ask.languages():
                problems.add(where.path, target.where.of("asks", number - 1),
                             f"targets: ask {number} for {target.official} has no {official.language} "
                             f"text ({official.name} reads {official.language}; add `{official.language}:` "
                             f"beside {', '.join(LANGUAGES)})")
        if not offered_channels(campaign, official):
            problem("targets", f"{official.name} has no contact for any channel this case offers "
                               f"({', '.join(campaign.channels)})", line=line)
        term = official.in_office
        if campaign.status == "open" and term is not None and issued is not None:
            if term.until is not None and term.until.first_day() <= issued:
                problem("targets", f"{official.name} left the post in {term.until.display('en')}, before "
                                   f"this open case was issued ({campaign.issued.display('en')})", line=line)
            elif term.start is not None and campaign.deadline and term.start.first_day() > campaign.deadline:
                problem("targets", f"{official.name} took up the post in {term.start.display('en')}, after "
                                   f"this case's deadline ({campaign.deadline})", line=line)
    closed_by_file = campaign.status == "closed"
    for update in campaign.updates:
        day = update.date.first_day()
        if issued and day < issued:
            problems.add(update.where.path, update.where.of("date"),
                         f"an update dated {day} is before the case was issued ({issued})")
        if update.status == "closed" and update.deadline is not None:
            problems.add(update.where.path, update.where.of("deadline"),
                         "a closing update cannot also set a new deadline")
        if closed_by_file and update.status == "open":
            problems.add(update.where.path, update.where.of("status"),
                         "this update reopens the case, but campaign.yaml says status: closed "
                         "(which closes it whatever the updates say)")
