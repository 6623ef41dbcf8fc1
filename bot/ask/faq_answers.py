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

from bot.catalog import Catalog, FaqEntry, Official, Source, format_date, offered_channels
from bot.catalog.cases import CaseStatus, actionable_cases, latest_update, past_cases
from bot.catalog.schema import CASE_GENERATORS


def answer_texts(catalog: Catalog) -> dict[str, dict[str, str]]:
    """{faq id: {"en": answer, "es": answer}}: what the lexical tier indexes
    of the answers (``FaqMatcher.index_answers``)."""
    return {entry.id: {"en": entry.answer.en, "es": entry.answer.es} for entry in catalog.faq.values()}


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
    (after the text, or before it for what answers the question itself), then
    the network's contact when the entry asks for it."""
    parts = [style.text(entry.answer.get(lang).strip())]
    if entry.answer_from is not None:
        generated = GENERATORS[entry.answer_from](catalog, entry, lang, today, style)
        parts = [*generated, *parts] if entry.answer_from in LEADING else [*parts, *generated]
    if entry.with_contact:
        parts.append(network_contact(catalog, lang, style))
    return "\n\n".join(p for p in parts if p)


def network_contact(catalog: Catalog, lang: str, style: Style) -> str:
    """Who to ask about the cases, from content/group.yaml."""
    network = catalog.group.network
    ways = [w for w in (network.email, network.phone, network.url) if w]
    return style.say(lang, "faq.network_contact", network=network.name.get(lang), contact=", ".join(ways))


def answer_sources(catalog: Catalog, entry: FaqEntry, today: date) -> tuple[Source, ...]:
    """What an answer relies on: for an answer made from the cases' files, the
    sources of the cases (and officials, and updates) it lists that day; for any
    other, the entry's own. The network's contact is the group's own
    (content/group.yaml), so it adds no source to the answer."""
    sources = list(entry.sources)
    if entry.answer_from in CASE_GENERATORS:
        sources = []
        for status in cases_to_answer_about(catalog, today, entry.answer_from):
            campaign = status.campaign
            sources += campaign.sources
            if entry.answer_from == "open_cases":
                for target in status.writable:
                    sources += catalog.officials[target.official].sources
            if entry.answer_from == "case_asks":
                for target in campaign.targets:
                    sources += catalog.officials[target.official].sources
            if entry.answer_from == "case_news" and (latest := latest_update(campaign, today)) is not None:
                sources += latest[1].sources
        sources = sources or list(entry.sources)
    return tuple(dict.fromkeys(sources))


def cases_to_answer_about(catalog: Catalog, today: date, generator: str) -> list[CaseStatus]:
    """The cases a case question is answered about: those open for action, or,
    with none open, the most recently ended one (whom to write to lists open
    cases only: nobody is asked to write on a closed case)."""
    running = actionable_cases(catalog, today)
    if running or generator == "open_cases":
        return running
    return past_cases(catalog, today)[:1]


def _case_heading(status: CaseStatus, lang: str, style: Style) -> str:
    campaign = status.campaign
    heading = style.strong(style.say(lang, "faq.open_cases.case", reference=campaign.reference,
                                     title=campaign.title.get(lang)))
    if status.actionable:
        return heading
    return heading + "\n" + _past_line(status, lang, style)


def _per_case(catalog: Catalog, entry: FaqEntry, lang: str, today: date, style: Style,
              body: Callable[[CaseStatus], list[str]]) -> list[str]:
    """One paragraph per case the question is about; `when_empty` with none."""
    statuses = cases_to_answer_about(catalog, today, entry.answer_from or "")
    if not statuses:
        return [style.text(entry.when_empty.get(lang).strip())] if entry.when_empty is not None else []
    return ["\n".join([_case_heading(status, lang, style), *body(status)]) for status in statuses]


def _case_at_risk(catalog: Catalog, entry: FaqEntry, lang: str, today: date, style: Style) -> list[str]:
    """Who each case is about: its `at_risk` sentence, else its summary."""
    def body(status: CaseStatus) -> list[str]:
        campaign = status.campaign
        return [style.text((campaign.at_risk or campaign.summary).get(lang).strip())]
    return _per_case(catalog, entry, lang, today, style, body)


def _case_asks(catalog: Catalog, entry: FaqEntry, lang: str, today: date, style: Style) -> list[str]:
    """What each case's appeal asks, of whom, and by when: "who was it
    addressed to?" is the same question seen from the officials' side."""
    def body(status: CaseStatus) -> list[str]:
        lines = [style.say(lang, "faq.case.asks")]
        lines += [style.say(lang, "faq.case.ask", ask=ask.get(lang)) for ask in status.campaign.asks]
        if status.campaign.targets:
            lines.append(style.say(lang, "faq.case.addressed_to"))
            for target in status.campaign.targets:
                official = catalog.officials[target.official]
                lines.append(style.say(lang, "faq.open_cases.official", name=official.name,
                                       title=official.title.get(lang)))
        if status.actionable and status.deadline is not None:
            lines.append(_deadline_line(catalog, status, lang, style))
        return lines
    return _per_case(catalog, entry, lang, today, style, body)


def _case_news(catalog: Catalog, entry: FaqEntry, lang: str, today: date, style: Style) -> list[str]:
    """What happened since each case was issued: its latest published update."""
    def body(status: CaseStatus) -> list[str]:
        latest = latest_update(status.campaign, today)
        if latest is None:
            issued = status.campaign.issued
            return [style.say(lang, "faq.case.no_news", date=issued.display(lang) if issued else "")
                    if issued else style.say(lang, "faq.case.no_news_undated")]
        _, item = latest
        return [style.say(lang, "faq.case.latest", date=item.date.display(lang), title=item.title.get(lang)),
                style.text(item.text.get(lang).strip())]
    return _per_case(catalog, entry, lang, today, style, body)


def _open_cases(catalog: Catalog, entry: FaqEntry, lang: str, today: date, style: Style) -> list[str]:
    """One paragraph per open case, soonest deadline first; or, with none open,
    a dated line saying so and the entry's `when_empty` text."""
    running = actionable_cases(catalog, today)
    if not running:
        empty = entry.when_empty.get(lang).strip() if entry.when_empty is not None else ""
        return [p for p in (style.say(lang, "faq.open_cases.none", date=format_date(today, lang)),
                            style.text(empty)) if p]
    return [_case_paragraph(catalog, status, lang, style) for status in running]


def _deadline_line(catalog: Catalog, status: CaseStatus, lang: str, style: Style) -> str:
    """The deadline, or that it has passed and whom to ask before sending late."""
    if status.deadline_passed:
        return style.say(lang, "faq.open_cases.deadline_passed", deadline=format_date(status.deadline, lang),
                         contact=catalog.group.network.email)
    return style.say(lang, "faq.open_cases.deadline", deadline=format_date(status.deadline, lang))


def _case_paragraph(catalog: Catalog, status: CaseStatus, lang: str, style: Style) -> str:
    campaign = status.campaign
    lines = [style.strong(style.say(lang, "faq.open_cases.case", reference=campaign.reference,
                                    title=campaign.title.get(lang)))]
    if status.deadline is not None:
        lines.append(_deadline_line(catalog, status, lang, style))
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
    lines = [_open_line(catalog, status, lang, style) for status in actionable_cases(catalog, today)]
    lines += [_past_line(status, lang, style) for status in past_cases(catalog, today)]
    if not lines:
        return [style.text(entry.when_empty.get(lang).strip())] if entry.when_empty is not None else []
    heading = style.strong(style.say(lang, "faq.case_status.heading", date=format_date(today, lang)))
    return ["\n".join([heading, *lines])]


def _open_line(catalog: Catalog, status: CaseStatus, lang: str, style: Style) -> str:
    """An open case's line; past its deadline, whom to ask before sending late
    (the network's contact, as in the "who do I write to" answer)."""
    reference = status.campaign.reference
    if status.deadline is None:
        return style.say(lang, "faq.case_status.open_no_deadline", reference=reference)
    deadline = format_date(status.deadline, lang)
    if status.deadline_passed:
        return style.say(lang, "faq.case_status.open_late", reference=reference, deadline=deadline,
                         contact=catalog.group.network.email)
    return style.say(lang, "faq.case_status.open", reference=reference, deadline=deadline)


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


def _group(catalog: Catalog, entry: FaqEntry, lang: str, today: date, style: Style) -> list[str]:
    """Who runs this bot, from content/group.yaml: "is this bot run by the
    government?" is answered by the group's own file, never typed in an answer."""
    group = catalog.group
    return [style.say(lang, "faq.group", group=group.name.get(lang),
                      works_on=group.works_on.get(lang).strip())]


# One function per name `answer_from` may take (schema.AnswerGenerator).
GENERATORS: dict[str, Callable[[Catalog, FaqEntry, str, date, Style], list[str]]] = {
    "open_cases": _open_cases,
    "case_status": _case_status,
    "case_at_risk": _case_at_risk,
    "case_asks": _case_asks,
    "case_news": _case_news,
    "group": _group,
}
# The generated part answers the question: it comes first.
LEADING = frozenset({"case_status", "case_at_risk", "case_asks", "case_news", "group"})
