"""Report: "Did you send it?", as the Urgent Action network asks.

The report buttons carry campaign, official, channel and language in their
callback data, so a report works whenever it is pressed: right away, after
the take-action flow ended, or after a restart. The idempotency key is the
prompt message itself, so pressing a button twice (or "Sent" and then "I sent
more") counts once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.catalog import LANGUAGES, offered_channels
from bot.catalog.i18n import Texts
from bot.chat import flows, prompt_message
from bot.chat.context import BotContext, answer_stale, keyboard, reply
from bot.chat.feedback import PROBLEM, REPLY
from bot.chat.flows import COUNT_KEY
from bot.chat.menu import ACT, HOME, LEARN, main_menu
from bot.chat.routing import QuickConversation
from bot.chat.signup_offer import offer_row
from bot.chat.updates import follow_row
from bot.store import ActionReport, RecordResult, ReminderRequest

PREFIX = "rep:"
DONE, ATTEMPTED, MORE, LATER = "d", "a", "m", "l"
AGAIN, SAME = "g", "s"  # after "Did you send it again?": yes (count it), no (it was counted)
COUNT = 0  # the one state: waiting for "how many?"
PENDING_KEY = COUNT_KEY
MAX_COUNT = 500
REMINDER_DELAY = timedelta(hours=24)
REMINDER_BEFORE_DEADLINE = timedelta(hours=48)


def _data(code: str, campaign_id: str, official_id: str, channel: str, lang: str) -> str:
    return f"{PREFIX}{code}:{campaign_id}:{official_id}:{channel}:{lang}"


def _parse(context: BotContext, data: str) -> dict | None:
    """The report a button stands for, or None if it is stale or forged: callback
    data comes from the client, so every part is checked against content."""
    parts = data.removeprefix(PREFIX).split(":")
    if len(parts) != 5:
        return None
    code, campaign_id, official_id, channel, lang = parts
    catalog = context.services.catalog
    campaign = catalog.campaigns.get(campaign_id)
    if campaign is None or official_id not in campaign.target_ids:
        return None
    official = catalog.officials[official_id]
    if (lang not in (official.language, *LANGUAGES)  # the official's, or the supporter's own
            or code not in (DONE, ATTEMPTED, MORE, LATER, AGAIN, SAME)
            or channel not in offered_channels(campaign, official)):
        return None
    return {"code": code, "campaign": campaign_id, "official": official_id, "channel": channel,
            "lang": lang}


def prompt(update: Update, context: BotContext, campaign_id: str, official_id: str,
           channel: str, lang: str):
    """The report prompt's text and buttons, sent after the appeal (from the
    chat's outbox, take_action.py): the caption of a letter's PDF, else a
    message of its own, never the appeal's text: pressing a button edits the
    prompt into the answer (`prompt_message.edit`), and the appeal must stay
    in the chat to be copied or sent later."""
    label = context.services.texts.plain
    mine = context.lang(update)
    rows = [[(label(mine, f"report.done.{channel}"), _data(DONE, campaign_id, official_id, channel, lang))]]
    if channel == "call":
        rows.append([(label(mine, "report.attempted"),
                      _data(ATTEMPTED, campaign_id, official_id, channel, lang))])
    else:
        rows.append([(label(mine, "report.more"), _data(MORE, campaign_id, official_id, channel, lang))])
    rows.append([(label(mine, "report.later"), _data(LATER, campaign_id, official_id, channel, lang))])
    reference = context.services.catalog.campaigns[campaign_id].reference
    return context.t(update, f"report.prompt.{channel}", reference=reference), keyboard(rows)


async def _record(update: Update, context: BotContext, report: dict, count: int, status: str,
                  key: str) -> RecordResult | None:
    """Record the report; None when a daily limit refused it (the supporter is
    told). The limits are checked in the same transaction as the insert."""
    services = context.services
    user_id = update.effective_user.id
    result = await services.store.record_action(ActionReport(
        campaign_id=report["campaign"], official_id=report["official"], channel=report["channel"],
        count=count, status=status, language=report["lang"], country=None,
        supporter=services.supporter(user_id, create=True), idempotency_key=key,
        at=datetime.fromtimestamp(services.clock(), tz=UTC),
    ), limits=services.limits(user_id), follower_chat=update.effective_chat.id)
    if result.capped:
        await update.effective_chat.send_message(context.t(update, "report.cap"))
        return None
    if result.created:
        services.metrics.actions.inc(report["channel"], amount=count)
    return result


def _key(context: BotContext, message) -> str:
    """The report prompt itself: a double press or a re-sent update counts once."""
    return context.services.idempotency_key("report", message.chat_id, message.message_id)


def _thanks(update: Update, context: BotContext, report: dict, result: RecordResult):
    campaign = context.services.catalog.campaigns[report["campaign"]]
    if result.campaign_supporters == 1:  # never "one of 1 people"
        key = "report.thanks_first" if result.new_supporter else "report.thanks_only"
        return context.t(update, key, reference=campaign.reference)
    return context.t(update, "report.thanks", people=result.campaign_supporters, reference=campaign.reference)


def _after_markup(update: Update, context: BotContext, campaign_id: str, *, sent: bool = True):
    """What comes after a report. After "Not yet" nothing was sent, so no
    official can have replied: no "An official replied" there."""
    label = context.services.texts.plain
    lang = context.lang(update)
    rows = [follow_row(context, update, campaign_id), offer_row(context, update),
            [(label(lang, "report.another"), ACT)]]
    if sent:
        rows.append([(label(lang, "feedback.reply_button"), REPLY)])
    rows += [[(label(lang, "feedback.problem_button"), PROBLEM)],
             [(label(lang, "menu.learn"), LEARN), (label(lang, "menu.home"), HOME)]]
    return keyboard(rows)


async def _refused_as_closed(update: Update, context: BotContext, report: dict) -> bool:
    """A prompt pressed after its case closed (or its official left office):
    nothing is counted or scheduled, and the supporter is told why."""
    campaign = context.services.catalog.campaigns[report["campaign"]]
    if context.status(campaign).can_write_to(report["official"]):
        return False
    await update.callback_query.answer(context.label(update, "report.closed"), show_alert=True)
    return True


async def _reported_today(update: Update, context: BotContext, report: dict) -> bool:
    """Whether this supporter already reported this appeal (case, official,
    channel) as sent today, by the bot's clock, from another prompt."""
    services = context.services
    sent = await services.store.sent_at(services.supporter(update.effective_user.id), report["campaign"],
                                        report["official"], report["channel"])
    today = services.today()
    return any(at.astimezone(UTC).date() == today for at in sent)


async def _ask_if_again(update: Update, context: BotContext, report: dict) -> None:
    """The same appeal reported twice in a day is more often one appeal
    reported twice than two sent: ask before counting it."""
    label = context.services.texts.plain
    mine = context.lang(update)
    parts = (report["campaign"], report["official"], report["channel"], report["lang"])
    rows = [[(label(mine, "report.again_yes"), _data(AGAIN, *parts))],
            [(label(mine, "report.again_no"), _data(SAME, *parts))]]
    name = context.services.catalog.officials[report["official"]].name
    await prompt_message.edit(update, context.t(update, f"report.again.{report['channel']}", name=name),
                              keyboard(rows))


async def pressed(update: Update, context: BotContext) -> None:
    """Sent / no answer / not yet; and the answer to "Did you send it again?"."""
    query = update.callback_query
    report = _parse(context, query.data)
    if report is None or report["code"] not in (DONE, ATTEMPTED, LATER, AGAIN, SAME):
        await answer_stale(update, context)
        return
    if await _refused_as_closed(update, context, report):
        return
    if report["code"] == LATER:
        delay = await _schedule_reminder(update, context, report)
        hours = max(1, round(delay.total_seconds() / 3600))  # no time zone needed to say "in 20 hours"
        when = context.label(update, "report.remind_in", count=hours)
        await prompt_message.edit(update, context.t(update, "report.will_remind", when=when),
                                  _after_markup(update, context, report["campaign"], sent=False))
        return
    if report["code"] == SAME:
        await prompt_message.edit(update, context.t(update, "report.same"),
                                  _after_markup(update, context, report["campaign"]))
        return
    store = context.services.store
    key = _key(context, query.message)
    if (report["code"] == DONE and not await store.action_recorded(key)
            and await _reported_today(update, context, report)):
        await _ask_if_again(update, context, report)
        return
    status = "attempted" if report["code"] == ATTEMPTED else "done"  # AGAIN: done, confirmed
    result = await _record(update, context, report, 1, status, key)
    if result is None:
        await query.answer()
        return
    if not result.created:
        await query.answer(context.services.texts.plain(context.lang(update), "report.already"))
        return
    await _cancel_reminder(update, context, report)
    await prompt_message.edit(update, _thanks(update, context, report, result),
                              _after_markup(update, context, report["campaign"]))


async def ask_count(update: Update, context: BotContext) -> int:
    query = update.callback_query
    report = _parse(context, query.data)
    if report is None:
        await answer_stale(update, context)
        return ConversationHandler.END
    if await _refused_as_closed(update, context, report):
        return ConversationHandler.END
    report["key"] = _key(context, query.message)
    flows.begin(context, PENDING_KEY, report)
    await prompt_message.edit(update, context.t(update, "report.how_many", limit=MAX_COUNT))
    return COUNT


async def got_count(update: Update, context: BotContext) -> int:
    text = (update.effective_message.text or "").strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_COUNT:
        await update.effective_message.reply_text(context.t(update, "report.bad_count", limit=MAX_COUNT))
        return COUNT
    report = context.user_data.pop(PENDING_KEY, None)
    if report is None:  # the data went with /forget: nothing to report against
        await reply(update, context.t(update, "menu.prompt"), main_menu(context, update))
        return ConversationHandler.END
    result = await _record(update, context, report, int(text), "done", report["key"])
    if result is None:
        return ConversationHandler.END
    text = _thanks(update, context, report, result) if result.created else context.t(update, "report.already")
    await _cancel_reminder(update, context, report)
    await update.effective_chat.send_message(text, reply_markup=_after_markup(update, context,
                                                                              report["campaign"]))
    return ConversationHandler.END


async def cancel_count(update: Update, context: BotContext) -> int:
    context.user_data.pop(PENDING_KEY, None)
    await reply(update, context.t(update, "act.cancelled"), main_menu(context, update))
    return ConversationHandler.END


def reminder_delay(context: BotContext, campaign_id: str) -> timedelta:
    """24 hours, or 48 hours before the deadline if that comes sooner."""
    status = context.status(context.services.catalog.campaigns[campaign_id])
    if status.deadline is None:
        return REMINDER_DELAY
    now = datetime.fromtimestamp(context.services.clock(), tz=UTC)
    deadline = datetime.combine(status.deadline, datetime.min.time(), tzinfo=UTC) + timedelta(days=1)
    before = deadline - REMINDER_BEFORE_DEADLINE - now
    return before if timedelta(0) < before < REMINDER_DELAY else REMINDER_DELAY


async def _schedule_reminder(update: Update, context: BotContext, report: dict) -> timedelta:
    """Kept in the store (see reminders.py), so a restart does not lose it; one
    per supporter and case, however often "Not yet" is pressed. Returns how
    long until it is due, for the supporter to be told."""
    services = context.services
    delay = reminder_delay(context, report["campaign"])
    due = datetime.fromtimestamp(services.clock(), tz=UTC) + delay
    await services.store.schedule_reminder(ReminderRequest(
        chat_id=update.effective_chat.id, campaign_id=report["campaign"], official_id=report["official"],
        channel=report["channel"], appeal_language=report["lang"], language=context.lang(update), due_at=due))
    return delay


async def _cancel_reminder(update: Update, context: BotContext, report: dict) -> None:
    """Reported after all: no reminder needed for this case."""
    await context.services.store.cancel_reminders(update.effective_chat.id, report["campaign"])


def reminder_markup(texts: Texts, lang: str, campaign_id: str, official_id: str, channel: str,
                    appeal_lang: str):
    """The reminder's one button: report the appeal as sent."""
    return keyboard([[(texts.plain(lang, f"report.done.{channel}"),
                       _data(DONE, campaign_id, official_id, channel, appeal_lang))]])


def handlers(persistent: bool) -> list:
    more = QuickConversation(
        entry_points=[CallbackQueryHandler(ask_count, pattern=f"^{PREFIX}{MORE}:")],
        states={COUNT: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_count)]},
        fallbacks=[CommandHandler("cancel", cancel_count)],
        allow_reentry=True,
        name="report_count",
        persistent=persistent,
    )
    return [more, CallbackQueryHandler(pressed, pattern=f"^{PREFIX}")]
