"""An FAQ answer as it is shown on a given day.

Most answers are their text. An entry with `answer_from` adds a part made
when it is asked, from the content as it stands that day, so the officials
and contacts in it are never typed into an answer by hand and never outlive
their case: `open_cases` lists each case open for action (by the one rule of
`bot.catalog.cases`), the officials who can be written to, every contact the case
offers for each, and the deadline. With nothing to list, the answer says so,
dated, followed by the entry's own `when_empty` text. `case_status` says,
before the entry's text, where every case stands that day: open (with its
deadline), closed (since its closing update), or with no one left to write to.

The chat writes answers in Telegram HTML and the command line in plain text;
both go through `answer_body` with their own `Style`, so they say the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.catalog import Catalog, FaqEntry, Official, format_date, offered_channels
from bot.catalog.cases import CaseStatus, actionable_cases, past_cases


@dataclass(frozen=True)
class Style:
    """How an answer is written out."""

    say: Callable[..., str]  # (lang, key, **values): an interface string, values made safe
    text: Callable[[str], str]  # a content text made safe
    strong: Callable[[str], str]  # emphasis (bold in the chat)


def plain_style(say: Callable[..., str]) -> Style:
    """For the command line: strings and texts as they are, no markup."""
    return Style(say=say, text=str, strong=str)


def answer_body(catalog: Catalog, entry: FaqEntry, lang: str, today: date, style: Style) -> str:
    """The entry's answer in `lang` on `today`: its text and any generated part
    (after the text, or before it for what answers the question itself)."""
    parts = [style.text(entry.answer.get(lang).strip())]
    if entry.answer_from is not None:
        generated = GENERATORS[entry.answer_from](catalog, entry, lang, today, style)
        parts = [*generated, *parts] if entry.answer_from in LEADING else [*parts, *generated]
    return "\n\n".join(parts)


def _open_cases(catalog: Catalog, entry: FaqEntry, lang: str, today: date, style: Style) -> list[str]:
    """One paragraph per open case, soonest deadline first; or, with none open,
    a dated line saying so and the entry's `when_empty` text."""
    running = actionable_cases(catalog, today)
    if not running:
        empty = entry.when_empty.get(lang).strip() if entry.when_empty is not None else ""
        return [p for p in (style.say(lang, "faq.open_cases.none", date=format_date(today, lang)),
                            style.text(empty)) if p]
    return [_case_paragraph(catalog, status, lang, style) for status in running]


def _case_paragraph(catalog: Catalog, status: CaseStatus, lang: str, style: Style) -> str:
    campaign = status.campaign
    lines = [style.strong(style.say(lang, "faq.open_cases.case", reference=campaign.reference,
                                    title=campaign.title.get(lang)))]
    if status.deadline is not None:
        key = "faq.open_cases.deadline_passed" if status.deadline_passed else "faq.open_cases.deadline"
        lines.append(style.say(lang, key, deadline=format_date(status.deadline, lang),
                               contact=catalog.group.network.email))
    for target in status.writable:
        official = catalog.officials[target.official]
        lines.append(style.say(lang, "faq.open_cases.official", name=official.name,
                               title=official.title.get(lang)))
        for channel in offered_channels(campaign, official):
            lines.append(style.say(lang, f"faq.open_cases.{channel}", contact=contact(official, channel)))
    return "\n".join(lines)


def _case_status(catalog: Catalog, entry: FaqEntry, lang: str, today: date, style: Style) -> list[str]:
    """Every case on `today`, open ones first (soonest deadline first), then the
    others, most recently ended first; with no case at all, `when_empty`."""
    lines = [_open_line(status, lang, style) for status in actionable_cases(catalog, today)]
    lines += [_past_line(status, lang, style) for status in past_cases(catalog, today)]
    if not lines:
        return [style.text(entry.when_empty.get(lang).strip())] if entry.when_empty is not None else []
    heading = style.strong(style.say(lang, "faq.case_status.heading", date=format_date(today, lang)))
    return ["\n".join([heading, *lines])]


def _open_line(status: CaseStatus, lang: str, style: Style) -> str:
    reference = status.campaign.reference
    if status.deadline is None:
        return style.say(lang, "faq.case_status.open_no_deadline", reference=reference)
    key = "faq.case_status.open_late" if status.deadline_passed else "faq.case_status.open"
    return style.say(lang, key, reference=reference, deadline=format_date(status.deadline, lang))


def _past_line(status: CaseStatus, lang: str, style: Style) -> str:
    reference = status.campaign.reference
    if not status.closed:
        return style.say(lang, "faq.case_status.no_one_left", reference=reference)
    if status.closing_update is None:
        return style.say(lang, "faq.case_status.closed_undated", reference=reference)
    return style.say(lang, "faq.case_status.closed", reference=reference,
                     date=status.closing_update.date.display(lang))


def contact(official: Official, channel: str) -> str:
    """Where a channel reaches the official: the postal address on one line,
    the email, the phone number, or the Twitter handle (without @)."""
    return {"letter": ", ".join(official.address), "email": official.email or "",
            "call": official.phone or "", "tweet": official.twitter or ""}[channel]


# One function per name `answer_from` may take (schema.AnswerGenerator).
GENERATORS: dict[str, Callable[[Catalog, FaqEntry, str, date, Style], list[str]]] = {
    "open_cases": _open_cases,
    "case_status": _case_status,
}
LEADING = frozenset({"case_status"})  # the generated part answers the question: it comes first
