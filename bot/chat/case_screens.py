"""What a case screen says, live or archived: its heading and asks, the
deadline as it stands today, its latest news, and the officials it named who
no longer hold their posts."""

from __future__ import annotations

from telegram import Update

from bot.catalog import Campaign, format_date
from bot.catalog.cases import CaseStatus, latest_update
from bot.catalog.i18n import Html
from bot.chat.context import BotContext
from bot.core.telegram_html import escape


def deadline_line(context: BotContext, update: Update, status: CaseStatus) -> Html:
    """The deadline as it stands today: days left, today, or passed."""
    if status.deadline is None:
        return Html("")
    deadline = format_date(status.deadline, context.lang(update))
    if status.deadline_passed:
        # "check with the organizers" with no way to reach them helped nobody: the network's address
        return context.t(update, "act.deadline_passed", deadline=deadline,
                         contact=context.services.catalog.group.network.email)
    if status.days_left == 0:
        return context.t(update, "act.deadline_today", deadline=deadline)
    return context.t(update, "act.deadline", deadline=deadline, count=status.days_left)


def departed_lines(context: BotContext, update: Update, status: CaseStatus) -> Html:
    """Who this case named but can no longer be written to, and since when."""
    lang, officials = context.lang(update), context.services.catalog.officials
    lines = []
    for target in status.departed:
        official = officials[target.official]
        until = official.in_office.until if official.in_office else None
        # A day is the last day in office ("until 30 November 2018"); a month or
        # a year only says when they had left ("left that post in December 2018").
        key = "act.departed" if until is None or until.day else "act.departed_in"
        lines.append(context.t(update, key, name=official.name, title=official.title.get(lang),
                               date=until.display(lang) if until else "–"))
    return Html("\n".join(lines))


def case_heading(context: BotContext, update: Update, campaign: Campaign) -> Html:
    """Reference, title, summary and the asks: the top of every case screen."""
    lang = context.lang(update)
    asks = "\n".join(f"{n}. {escape(a.get(lang))}" for n, a in enumerate(campaign.asks, start=1))
    return Html("\n\n".join([
        f"<b>{escape(campaign.reference)}: {escape(campaign.title.get(lang))}</b>",
        escape(campaign.summary.get(lang)),
        context.t(update, "act.asks_heading") + "\n" + asks,
    ]))


def campaign_screen(context: BotContext, update: Update, status: CaseStatus) -> Html:
    """An actionable case: what it asks, its deadline, its latest news."""
    lang, campaign = context.lang(update), status.campaign
    parts = [case_heading(context, update, campaign), deadline_line(context, update, status)]
    if (latest := latest_update(campaign, status.today)) is not None:
        _, news = latest
        parts.append(context.t(update, "act.latest_update", date=news.date.display(lang),
                               title=news.title.get(lang)))
    parts.append(departed_lines(context, update, status))
    return Html("\n\n".join(p for p in parts if p))
