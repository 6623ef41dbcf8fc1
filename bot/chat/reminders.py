"""The one "Not yet" reminder, kept in the store so a restart does not lose it.

`report.py` writes the reminder when "Not yet" is pressed; the bot's sweep
job (see `broadcasting.schedule_sweep`) sends those that are due, through the
same rate limiter as broadcasts. Like a broadcast, a reminder is sent at most
once: it is marked as being sent before the request and deleted after it, and
one a dead process left half-sent is dropped, not repeated.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from bot.broadcasts.engine import classify
from bot.catalog.cases import status_of
from bot.chat.context import SERVICES_KEY, Services
from bot.chat.pacing import limiter_for, sending_bot
from bot.chat.report import reminder_markup
from bot.store import DueReminder

log = logging.getLogger(__name__)

BATCH = 100
MAX_ATTEMPTS = 5


async def send_due_reminders(application: Application) -> int:
    """Send every reminder due by the bot's clock; how many were sent."""
    services: Services = application.bot_data[SERVICES_KEY]
    now = datetime.fromtimestamp(services.clock(), tz=UTC)
    sent = 0
    while due := await services.store.claim_due_reminders(now, BATCH):
        for reminder in due:
            try:
                sent += await _send(application, services, reminder, now)
            except Exception:  # one broken reminder must not strand the rest of the batch
                log.exception("reminder %s could not be sent; dropped", reminder.id)
                await services.store.finish_reminder(reminder.id)
        if len(due) < BATCH:
            break
    return sent


async def _send(application: Application, services: Services, reminder: DueReminder,
                now: datetime) -> int:
    store, texts = services.store, services.texts
    campaign = services.catalog.campaigns.get(reminder.campaign_id)
    if campaign is None or not status_of(campaign, services.catalog.officials,
                                         services.today()).can_write_to(reminder.official_id):
        await store.finish_reminder(reminder.id)  # gone from content, closed, or out of office: not sent
        return 0
    limiter = limiter_for(services)
    async with limiter.turn(reminder.chat_id):
        pass
    try:
        await sending_bot(application).send_message(
            reminder.chat_id, texts(reminder.language, "report.reminder", reference=campaign.reference),
            reply_markup=reminder_markup(texts, reminder.language, reminder.campaign_id,
                                         reminder.official_id, reminder.channel, reminder.appeal_language),
            parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))
    except TelegramError as error:
        verdict = classify(error)
        if verdict.retry_after is not None:
            limiter.pause(verdict.retry_after)
            await store.finish_reminder(reminder.id, now + timedelta(seconds=verdict.retry_after))
        elif verdict.status == "pending" and reminder.attempts + 1 < MAX_ATTEMPTS:
            await store.finish_reminder(reminder.id, now + timedelta(minutes=2 ** reminder.attempts))
        else:
            await store.finish_reminder(reminder.id)
            if verdict.status == "blocked":
                await store.unsubscribe_chat(reminder.chat_id)
            log.info("reminder %s not sent: %s", reminder.id, error)
        return 0
    await store.finish_reminder(reminder.id)
    return 1
