"""Organizers send a case update to its followers from Telegram.

`/broadcast CASE [UPDATE] [acted|followers]` shows the message exactly as
followers will get it and how many will, with a button to confirm. The bot
then sends it in the background (its job queue), editing the confirmation
into a progress message. Only organizers (ORGANIZER_IDS) can do any of this;
anyone else gets "This command is for organizers" and nothing more.

The sweep job, every 30 seconds, sends due "Not yet" reminders and resumes
broadcasts whose sender stopped (a restart of the bot, a killed CLI run).
`bot.broadcasts.engine` holds the delivery guarantee; this module is only the chat.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.broadcasts.announcement import announcement_messages
from bot.broadcasts.case_update import update_markup, update_message, update_messages
from bot.broadcasts.engine import (
    BroadcastBusy,
    Broadcaster,
    LostLease,
    Progress,
    bot_sender,
    holder_is_dead,
    new_owner,
)
from bot.catalog import Campaign, format_date
from bot.catalog.cases import published
from bot.catalog.i18n import Html, Texts
from bot.chat.context import SERVICES_KEY, BotContext, Services, answer_stale, keyboard, reply
from bot.chat.flows import expire_abandoned_flows
from bot.chat.organizer import organizers_only
from bot.chat.pacing import limiter_for, policy_for, sending_bot
from bot.chat.reminders import send_due_reminders
from bot.core.telegram_html import escape
from bot.store import ANNOUNCEMENT_AUDIENCE, ANNOUNCEMENT_NUMBER, AUDIENCES, Broadcast

log = logging.getLogger(__name__)

CONFIRM = "bc:go:"
CANCEL = "bc:no"
SWEEP_EVERY = 30.0  # seconds
SWEEP_JOB = "case-updates:sweep"
RUNNING_KEY = "broadcasts_running"  # ids this process is sending (bot_data)


def _usage(context: BotContext, update: Update) -> Html:
    lang = context.lang(update)
    lines = [f"• <code>{escape(c.id)}</code> {n}: {escape(u.date.display(lang))} · "
             f"{escape(u.title.get(lang))}"
             for c in context.services.catalog.campaigns.values()
             for n, u in enumerate(c.updates, start=1)]
    none = context.services.texts.plain(lang, "broadcast.no_updates")
    return context.t(update, "broadcast.usage", updates=Html("\n".join(lines) or escape(none)))


def _parse(context: BotContext, update: Update, args: list[str]) -> tuple[Campaign, int, str] | Html | None:
    """(campaign, update number, audience) from the arguments, an error to show, or None for usage."""
    if not args or len(args) > 3:
        return None
    campaigns = context.services.catalog.campaigns
    campaign = campaigns.get(args[0])
    if campaign is None:
        return context.t(update, "organizer.unknown_campaign", campaign=args[0], known=", ".join(campaigns))
    number, audience = len(campaign.updates), "followers"
    for arg in args[1:]:
        if arg.isascii() and arg.isdigit():
            number = int(arg)
        elif arg in AUDIENCES:
            audience = arg
        else:
            return None
    if not 1 <= number <= len(campaign.updates):
        return context.t(update, "broadcast.unknown_update", reference=campaign.reference, number=number,
                         count=len(campaign.updates))
    item = campaign.updates[number - 1]
    if not published(item, context.services.today()):
        lang = context.lang(update)
        return context.t(update, "broadcast.too_early", reference=campaign.reference, number=number,
                         date=item.date.display(lang), first_day=format_date(item.date.first_day(), lang))
    return campaign, number, audience


@organizers_only
async def command(update: Update, context: BotContext) -> None:
    """/broadcast: the preview and the question, nothing sent yet."""
    parsed = _parse(context, update, context.args or [])
    if parsed is None:
        await reply(update, _usage(context, update))
        return
    if isinstance(parsed, str):
        await reply(update, Html(parsed))
        return
    campaign, number, audience = parsed
    services, lang = context.services, context.lang(update)
    await reply(update, update_message(services.catalog, services.texts, campaign, number, lang),
                update_markup(services.texts, campaign, lang))
    count = await services.store.audience_size(campaign.id, number, audience)
    if count == 0:
        await update.effective_chat.send_message(context.t(
            update, f"broadcast.nobody.{audience}", reference=campaign.reference, number=number))
        return
    text = Html(context.t(update, "broadcast.preview", number=number, reference=campaign.reference)
                + "\n\n" + context.t(update, f"broadcast.confirm.{audience}", count=count))
    label = services.texts.plain
    go = f"{CONFIRM}{campaign.id}:{number}:{audience}"
    markup = keyboard([[(label(lang, "broadcast.confirm_button"), go)],
                       [(label(lang, "broadcast.cancel_button"), CANCEL)]])
    await update.effective_chat.send_message(text, reply_markup=markup)


@organizers_only
async def confirmed(update: Update, context: BotContext) -> None:
    """Send now: the confirmation becomes the progress message, the job sends."""
    query = update.callback_query
    campaign_id, _, rest = query.data.removeprefix(CONFIRM).partition(":")
    number, _, audience = rest.partition(":")
    parsed = _parse(context, update, [campaign_id, number, audience])
    if not isinstance(parsed, tuple):
        await answer_stale(update, context)
        return
    campaign, number, audience = parsed
    services = context.services
    now = datetime.fromtimestamp(services.clock(), tz=UTC)
    broadcast = await services.store.open_broadcast(campaign.id, number, audience, now)
    counts = await services.store.delivery_counts(broadcast.id)
    progress = Progress(broadcast.id, counts, 0, 0.0, finished=False)
    await reply(update, progress_text(services.texts, context.lang(update), campaign, number, progress),
                edit=True)
    await services.store.set_progress_message(broadcast.id, query.message.chat_id, query.message.message_id)
    start(context.application, broadcast.id, context.lang(update))


@organizers_only
async def cancelled(update: Update, context: BotContext) -> None:
    await reply(update, context.t(update, "broadcast.cancelled"), edit=True)


def progress_text(texts: Texts, lang: str, campaign: Campaign, number: int, progress: Progress) -> Html:
    """Where an update's broadcast stands, or a new case's announcement (number 0)."""
    counts = progress.counts
    values = dict(number=number, reference=campaign.reference, sent=counts.sent, failed=counts.failed,
                  blocked=counts.blocked, unknown=counts.unknown)
    kind = "announce" if number == ANNOUNCEMENT_NUMBER else "broadcast"
    if progress.finished:
        return texts(lang, f"{kind}.done", **values)
    left = progress.seconds_left
    return texts(lang, f"{kind}.progress", remaining=counts.remaining, rate=f"{progress.rate:.1f}",
                 left="–" if left is None else f"{int(left) // 60}:{int(left) % 60:02d}", **values)


def start(application: Application, broadcast_id: int, lang: str | None = None) -> None:
    """Send a broadcast in the background of this process (its job queue)."""
    application.job_queue.run_once(_run_job, when=0, data=(broadcast_id, lang),
                                   name=f"broadcast:{broadcast_id}")


async def _run_job(context: BotContext) -> None:
    broadcast_id, lang = context.job.data
    await run_in_bot(context.application, broadcast_id, lang)


async def run_in_bot(application: Application, broadcast_id: int, lang: str | None = None) -> None:
    services: Services = application.bot_data[SERVICES_KEY]
    running: set[int] = application.bot_data.setdefault(RUNNING_KEY, set())
    broadcast = await services.store.get_broadcast(broadcast_id)
    if broadcast is None or broadcast.status == "done" or broadcast_id in running:
        return
    campaign = services.catalog.campaigns.get(broadcast.campaign_id)
    if campaign is None or broadcast.update_number > len(campaign.updates):
        log.error("broadcast %s: update %s of %s is no longer in content; not sent",
                  broadcast_id, broadcast.update_number, broadcast.campaign_id)
        return
    if lang is None and broadcast.progress_chat_id is not None:
        lang = await services.store.get_language(services.supporter(broadcast.progress_chat_id))
    running.add(broadcast_id)
    if broadcast.audience == ANNOUNCEMENT_AUDIENCE:  # a new case, to those signed up (bot/chat/announcing.py)
        messages = announcement_messages(services.catalog, services.texts, campaign, services.today())
    else:
        messages = update_messages(services.catalog, services.texts, campaign, broadcast.update_number)
    broadcaster = Broadcaster(
        services.store, broadcast, bot_sender(sending_bot(application), messages),
        limiter_for(services), owner=new_owner("bot"), policy=policy_for(services),
        stopping=services.stopping,
        on_progress=_progress_editor(application, broadcast, campaign, lang or "en"))
    try:
        await broadcaster.run()
    except BroadcastBusy as busy:
        await _edit_progress(application, broadcast, services.texts(lang or "en", "broadcast.busy",
                                                                     holder=busy.holder or "?"))
    except LostLease:
        log.warning("broadcast %s: another process took it over", broadcast_id)
    finally:
        running.discard(broadcast_id)


def _progress_editor(application: Application, broadcast: Broadcast, campaign: Campaign, lang: str):
    services: Services = application.bot_data[SERVICES_KEY]
    texts = services.texts

    async def on_progress(progress: Progress) -> None:
        for state in ("pending", "sending", "sent", "failed", "blocked", "unknown"):
            services.metrics.broadcast.set(getattr(progress.counts, state), state)
        await _edit_progress(application, broadcast,
                             progress_text(texts, lang, campaign, broadcast.update_number, progress))

    return on_progress


async def _edit_progress(application: Application, broadcast: Broadcast, text: str) -> None:
    if broadcast.progress_chat_id is None:
        return
    try:
        await application.bot.edit_message_text(text, chat_id=broadcast.progress_chat_id,
                                                message_id=broadcast.progress_message_id)
    except BadRequest as error:
        if "not modified" not in str(error):
            raise


async def sweep(context: BotContext) -> None:
    """Due reminders, then broadcasts nobody alive is sending."""
    application = context.application
    services: Services = application.bot_data[SERVICES_KEY]
    await send_due_reminders(application)
    await expire_abandoned_flows(application)
    await services.store.prune_limits(services.today())  # a day's limits key is kept until the day ends
    now = datetime.fromtimestamp(services.clock(), tz=UTC)
    await services.store.prune_flows(now - timedelta(seconds=services.flow_timeout))  # nobody came back
    await services.store.finish_erasure()  # a checkpoint a reader blocked at /forget
    running = application.bot_data.get(RUNNING_KEY, set())
    for broadcast in await services.store.unfinished_broadcasts():
        if broadcast.id in running:
            continue
        free = broadcast.owner is None or (broadcast.lease_until is not None and broadcast.lease_until < now)
        if free or holder_is_dead(broadcast.owner):
            start(application, broadcast.id)


def schedule_sweep(application: Application) -> None:
    application.job_queue.run_repeating(sweep, interval=SWEEP_EVERY, first=SWEEP_EVERY, name=SWEEP_JOB)


def handlers() -> list:
    return [
        CommandHandler("broadcast", command),
        CallbackQueryHandler(confirmed, pattern=f"^{CONFIRM}"),
        CallbackQueryHandler(cancelled, pattern=f"^{CANCEL}$"),
    ]
