"""Past cases: a closed case is an archive, not a dead end.

"Past cases" in the menu (and /cases) lists the cases that can no longer be
acted on, most recently ended first. A case's archive screen says that it is
closed, since when and why (its closing update), thanks the people who acted
with the count of actions reported, names the officials who have since left
their posts, and offers the appeal as supporters sent it: the text as it
stood within the case's dates, marked as a past appeal, with no links to
send it and no report buttons. Following the case stays possible; Learn and
Ask keep working.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.appeals.render import SupporterDetails
from bot.catalog import CHANNELS, format_date, offered_channels
from bot.catalog.cases import CaseStatus, appeal_date, past_cases
from bot.catalog.i18n import Html
from bot.chat.case_screens import case_heading, departed_lines
from bot.chat.context import BotContext, answer_stale, keyboard, reply, short_label
from bot.chat.delivery import send_long
from bot.chat.leaving import leaving_flows
from bot.chat.menu import ASK, HOME, LEARN, PAST
from bot.chat.signup_offer import offer_row
from bot.chat.updates import follow_row
from bot.core.telegram_html import escape

LIST = "arch:list:"  # + page number
CASE = "arch:case:"  # + case id
APPEAL = "arch:appeal:"  # + case id : official id
PAGE_SIZE = 8


async def show_list(update: Update, context: BotContext) -> None:
    """Past cases, a page at a time (the network runs hundreds a year)."""
    query = update.callback_query
    data = query.data if query is not None else ""
    page = int(data.removeprefix(LIST)) if data.startswith(LIST) and data[len(LIST):].isdecimal() else 0
    lang = context.lang(update)
    cases = past_cases(context.services.catalog, context.services.today())
    if not cases:
        await reply(update, context.t(update, "archive.none"),
                    keyboard([offer_row(context, update), [(context.label(update, "menu.home"), HOME)]]),
                    edit=True)
        return
    page = min(page, (len(cases) - 1) // PAGE_SIZE)
    shown = cases[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    rows = [[(short_label(context.label(update, "archive.case_button", reference=s.campaign.reference,
                                        title=s.campaign.title.get(lang))), f"{CASE}{s.campaign.id}")]
            for s in shown]
    paging = []
    if page > 0:
        paging.append((context.label(update, "archive.newer"), f"{LIST}{page - 1}"))
    if (page + 1) * PAGE_SIZE < len(cases):
        paging.append((context.label(update, "archive.older"), f"{LIST}{page + 1}"))
    if paging:
        rows.append(paging)
    rows.append(offer_row(context, update))
    rows.append([(context.label(update, "menu.home"), HOME)])
    await reply(update, context.t(update, "archive.list"), keyboard(rows), edit=True)


def _ending(context: BotContext, update: Update, status: CaseStatus) -> Html:
    """Closed since when and why, or who can no longer be written to."""
    lang = context.lang(update)
    closing = status.closing_update
    if closing is not None:
        return Html(context.t(update, "archive.closed_since", date=closing.date.display(lang)) + "\n"
                    + f"<b>{escape(closing.title.get(lang))}</b>: {escape(closing.text.get(lang))}")
    if status.closed:
        return context.t(update, "archive.closed")
    return Html(context.t(update, "archive.no_one_left") + "\n" + departed_lines(context, update, status))


async def _thanks(context: BotContext, update: Update, status: CaseStatus) -> Html:
    figures = await context.services.store.campaign_stats(status.campaign.id, today=status.today)
    if figures.actions == 0:
        return context.t(update, "archive.no_actions")
    people = context.t(update, "archive.people", count=figures.supporters)
    return Html(context.t(update, "archive.thanks") + " "
                + context.t(update, "archive.actions", count=figures.actions, people=people))


async def show_case(update: Update, context: BotContext, status: CaseStatus) -> None:
    """The archive screen of a case that can no longer be acted on."""
    campaign = status.campaign
    parts = [case_heading(context, update, campaign), _ending(context, update, status),
             await _thanks(context, update, status)]
    if status.closing_update is not None or status.closed:
        parts.append(departed_lines(context, update, status))
    officials = context.services.catalog.officials
    rows = [[(short_label(context.label(update, "archive.model_appeal_button",
                                        name=officials[t.official].name), 64),
              f"{APPEAL}{campaign.id}:{t.official}")] for t in campaign.targets]
    rows.append(follow_row(context, update, campaign.id, closed=status.closed))
    rows.append([(context.label(update, "menu.learn"), LEARN), (context.label(update, "menu.ask"), ASK)])
    rows.append([(context.label(update, "menu.past"), PAST), (context.label(update, "menu.home"), HOME)])
    await reply(update, Html("\n\n".join(p for p in parts if p)), keyboard(rows), edit=True)


async def open_case(update: Update, context: BotContext) -> None:
    """A past case's button: its archive screen (or, if it has reopened, say so)."""
    campaign = context.campaign(update.callback_query.data.removeprefix(CASE))
    if campaign is None:
        await answer_stale(update, context)
        return
    status = context.status(campaign)
    if status.actionable:  # reopened since the list was shown: Take action offers it
        await update.callback_query.answer(context.label(update, "archive.reopened"), show_alert=True)
        return
    await show_case(update, context, status)


def _past_channel(campaign, official) -> str:
    """The appeal to show: the letter if the case had one for them, else the first channel."""
    offered = offered_channels(campaign, official)
    return "letter" if "letter" in offered else (offered or list(CHANNELS))[0]


async def show_appeal(update: Update, context: BotContext) -> None:
    """The appeal as supporters sent it: for the record, never to be sent again."""
    campaign_id, _, official_id = update.callback_query.data.removeprefix(APPEAL).partition(":")
    catalog = context.services.catalog
    campaign = context.campaign(campaign_id)
    if campaign is None or campaign.target(official_id) is None:
        await answer_stale(update, context)
        return
    if context.status(campaign).actionable:
        await update.callback_query.answer(context.label(update, "archive.reopened"), show_alert=True)
        return
    await update.callback_query.answer()
    lang, official = context.lang(update), catalog.officials[official_id]
    channel = _past_channel(campaign, official)
    when = appeal_date(campaign)
    appeal = context.services.appeals.render(campaign, official, channel, lang, SupporterDetails(), when)
    noun = context.label(update, f"channel_noun.{channel}")
    heading = context.t(update, "archive.model_appeal_heading", channel=noun, name=official.name,
                        title=official.title.get(lang), reference=campaign.reference,
                        date=format_date(when, lang))
    body = f"{appeal.subject}\n\n{appeal.body}" if appeal.subject else appeal.body
    markup = keyboard([[(context.label(update, "archive.back"), f"{CASE}{campaign.id}")],
                       [(context.label(update, "menu.home"), HOME)]])
    await send_long(update, context, Html(heading + "\n\n" + escape(body)), markup)


def handlers() -> list:
    return [
        CommandHandler("cases", leaving_flows(show_list)),
        CallbackQueryHandler(leaving_flows(show_list), pattern=f"^({PAST}|{LIST}\\d+)$"),
        CallbackQueryHandler(open_case, pattern=f"^{CASE}"),
        CallbackQueryHandler(show_appeal, pattern=f"^{APPEAL}"),
    ]
