"""Organizers announce a new case to those signed up for it, from Telegram.

`/announce CASE` shows the announcement exactly as it will arrive and how
many will get it, with a button to confirm, as `/broadcast` does for an
update; the sending is `/broadcast`'s too (bot/chat/broadcasting.py: the job
queue, the progress message, the sweep that resumes it after a restart), and
so are the delivery guarantees (bot/broadcasts/engine.py). A case is not
announced before it is issued, while a draft, or when it is not open for
action: the organizer is told why in one line.
"""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.broadcasts.announcement import (
    announcement_markup,
    announcement_message,
    case_choices,
    refusal,
    refusal_text,
)
from bot.broadcasts.engine import Progress
from bot.catalog import Campaign
from bot.catalog.i18n import Html
from bot.chat import broadcasting
from bot.chat.context import BotContext, answer_stale, keyboard, reply
from bot.chat.organizer import organizers_only
from bot.core.telegram_html import escape

CONFIRM = "an:go:"  # + case id
CANCEL = "an:no"


def _usage(context: BotContext, update: Update) -> Html:
    lang = context.lang(update)
    lines = [f"• <code>{escape(c.id)}</code> {escape(c.reference)} · {escape(c.title.get(lang))}"
             for c in context.services.catalog.campaigns.values()]
    return context.t(update, "announce.usage", cases=Html("\n".join(lines)))


async def _announceable(update: Update, context: BotContext, campaign_id: str) -> Campaign | None:
    """The case, if it can be announced today; else the organizer is told why."""
    services = context.services
    campaigns = services.catalog.campaigns
    campaign = campaigns.get(campaign_id)
    if campaign is None:
        await reply(update, context.t(update, "organizer.unknown_campaign", campaign=campaign_id,
                                      known=", ".join(campaigns)))
        return None
    if (reason := refusal(services.catalog, campaign, services.today())) is not None:
        await reply(update, refusal_text(services.texts, context.lang(update), reason))
        return None
    return campaign


@organizers_only
async def command(update: Update, context: BotContext) -> None:
    """/announce CASE: the preview and the question, nothing sent yet."""
    args = context.args or []
    if len(args) != 1:
        await reply(update, _usage(context, update))
        return
    campaign = await _announceable(update, context, args[0])
    if campaign is None:
        return
    services, lang = context.services, context.lang(update)
    message = announcement_message(services.catalog, services.texts, campaign, lang, services.today())
    await reply(update, message, announcement_markup(services.texts, campaign, lang))
    count = await services.store.announcement_size(campaign.id, case_choices(campaign))
    if count == 0:
        await update.effective_chat.send_message(context.t(update, "announce.nobody",
                                                           reference=campaign.reference))
        return
    text = Html(context.t(update, "announce.preview", reference=campaign.reference)
                + "\n\n" + context.t(update, "announce.confirm", count=count))
    label = services.texts.plain
    markup = keyboard([[(label(lang, "broadcast.confirm_button"), f"{CONFIRM}{campaign.id}")],
                       [(label(lang, "broadcast.cancel_button"), CANCEL)]])
    await update.effective_chat.send_message(text, reply_markup=markup)


@organizers_only
async def confirmed(update: Update, context: BotContext) -> None:
    """Send now: the confirmation becomes the progress message, the job sends."""
    query = update.callback_query
    services = context.services
    campaign = services.catalog.campaigns.get(query.data.removeprefix(CONFIRM))
    if campaign is None:
        await answer_stale(update, context)
        return
    if (reason := refusal(services.catalog, campaign, services.today())) is not None:  # content changed
        await reply(update, refusal_text(services.texts, context.lang(update), reason), edit=True)
        return
    now = datetime.fromtimestamp(services.clock(), tz=UTC)
    announcement = await services.store.open_announcement(campaign.id, case_choices(campaign), now)
    counts = await services.store.delivery_counts(announcement.id)
    progress = Progress(announcement.id, counts, 0, 0.0, finished=False)
    await reply(update, broadcasting.progress_text(services.texts, context.lang(update), campaign,
                                                   announcement.update_number, progress), edit=True)
    message = query.message
    await services.store.set_progress_message(announcement.id, message.chat_id, message.message_id)
    broadcasting.start(context.application, announcement.id, context.lang(update))


@organizers_only
async def cancelled(update: Update, context: BotContext) -> None:
    await reply(update, context.t(update, "broadcast.cancelled"), edit=True)


def handlers() -> list:
    return [
        CommandHandler("announce", command),
        CallbackQueryHandler(confirmed, pattern=f"^{CONFIRM}"),
        CallbackQueryHandler(cancelled, pattern=f"^{CANCEL}$"),
    ]
