"""Supporters tell the organizers what happened after they acted: an official
replied (a short summary), or a contact did not work (an email bounced, a
number is disconnected or wrong). Organizers review these with /problems."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.appeals.supporter_input import SENTENCE_MAX, Refused, clean
from bot.catalog import CHANNELS, Campaign
from bot.catalog.cases import actionable_cases, past_cases
from bot.chat import flows
from bot.chat.context import BotContext, answer_stale, keyboard, reply, short_label
from bot.chat.flows import FEEDBACK_KEY
from bot.chat.menu import HOME, main_menu
from bot.chat.routing import QuickConversation
from bot.store import ProblemReport, ReplyReport

REPLY, PROBLEM = "fb:reply", "fb:problem"
PICK_OFFICIAL = "fb:off:"
PICK_CHANNEL = "fb:ch:"
PICK_KIND = "fb:kind:"
BACK = "fb:back"
OFFICIAL, SUMMARY, CHANNEL, KIND = range(4)
KEY = FEEDBACK_KEY
REPLY_WINDOW = timedelta(days=90)
# What can go wrong with each kind of contact (an email cannot be disconnected).
KINDS_BY_CHANNEL = {"letter": ("wrong", "other"), "email": ("bounced", "wrong", "other"),
                    "call": ("disconnected", "wrong", "other"), "tweet": ("wrong", "other")}


def _label(context: BotContext, update: Update, key: str) -> str:
    return context.services.texts.plain(context.lang(update), key)


def _choices(context: BotContext, kind: str) -> list[tuple[Campaign, str]]:
    """(case, official id) a supporter can report on: the officials of cases open
    for action; for a reply also those of cases that ended lately, since
    officials often answer after a case closes."""
    services = context.services
    today = services.today()
    running = actionable_cases(services.catalog, today)
    choices = [(s.campaign, t.official) for s in running for t in s.writable]
    if kind == "reply":
        choices += [(s.campaign, t.official) for s in past_cases(services.catalog, today)
                    if s.ended is not None and today - s.ended <= REPLY_WINDOW for t in s.campaign.targets]
    return choices


def _back_and_cancel(context: BotContext, update: Update) -> list[tuple[str, str]]:
    return [(_label(context, update, "act.back"), BACK), (_label(context, update, "act.cancel"), HOME)]


async def start(update: Update, context: BotContext) -> int:
    kind = "reply" if update.callback_query.data == REPLY else "problem"
    flows.begin(context, KEY, {"kind": kind})
    return await _show_officials(update, context, kind)


async def _show_officials(update: Update, context: BotContext, kind: str) -> int:
    officials = context.services.catalog.officials
    rows = [[(short_label(f"{officials[official].name} ({campaign.reference})", 64),
              f"{PICK_OFFICIAL}{campaign.id}:{official}")] for campaign, official in _choices(context, kind)]
    rows.append([(_label(context, update, "act.cancel"), HOME)])
    await reply(update, context.t(update, f"feedback.{kind}_official"), keyboard(rows), edit=True)
    return OFFICIAL


async def _show_channels(update: Update, context: BotContext, official_id: str) -> int:
    """"Which contact?", with Back (to the officials) and Cancel, as every step of a flow has."""
    official = context.services.catalog.officials[official_id]
    rows = [[(_label(context, update, f"channel.{c}"), f"{PICK_CHANNEL}{c}")]
            for c in CHANNELS if official.has_channel(c)]
    rows.append(_back_and_cancel(context, update))
    await reply(update, context.t(update, "feedback.which_channel"), keyboard(rows), edit=True)
    return CHANNEL


async def back(update: Update, context: BotContext) -> int:
    """One step back: from "What went wrong?" to "Which contact?", from there to the officials."""
    pending = context.user_data.get(KEY)
    if pending is None or "official" not in pending:
        await answer_stale(update, context)
        return OFFICIAL
    if pending.pop("channel", None) is not None:
        return await _show_channels(update, context, pending["official"])
    del pending["official"], pending["campaign"]
    return await _show_officials(update, context, pending["kind"])


async def pick_official(update: Update, context: BotContext) -> int:
    campaign_id, _, official_id = update.callback_query.data.removeprefix(PICK_OFFICIAL).partition(":")
    pending = context.user_data.get(KEY)
    if pending is None or not any(c.id == campaign_id and o == official_id
                                  for c, o in _choices(context, pending["kind"])):
        await answer_stale(update, context)  # forged, or no longer offered: the screen stays
        return OFFICIAL

    pending.update(campaign=campaign_id, official=official_id)
    if pending["kind"] == "reply":
        await reply(update, context.t(update, "feedback.summary", limit=SENTENCE_MAX), edit=True)
        return SUMMARY
    return await _show_channels(update, context, official_id)


async def got_summary(update: Update, context: BotContext) -> int:
    summary = clean(update.effective_message.text or "", SENTENCE_MAX)
    if isinstance(summary, Refused):
        await reply(update, context.t(update, summary.reason, limit=summary.limit, length=summary.length))
        return SUMMARY
    pending = context.user_data.pop(KEY)
    services = context.services
    message, user_id = update.effective_message, update.effective_user.id
    recorded = await services.store.record_reply(ReplyReport(
        campaign_id=pending["campaign"], official_id=pending["official"], summary=summary,
        supporter=services.supporter(user_id, create=True),
        idempotency_key=services.idempotency_key("reply", message.chat_id, message.message_id),
        at=datetime.fromtimestamp(services.clock(), tz=UTC)), limits=services.limits(user_id))
    key = "feedback.cap" if recorded.capped else "feedback.thanks"
    await reply(update, context.t(update, key), main_menu(context, update))
    return ConversationHandler.END


async def pick_channel(update: Update, context: BotContext) -> int:
    channel = update.callback_query.data.removeprefix(PICK_CHANNEL)
    pending = context.user_data.get(KEY)
    official = context.services.catalog.officials.get(pending.get("official", "")) if pending else None
    if official is None or channel not in CHANNELS or not official.has_channel(channel):
        await answer_stale(update, context)  # a forged button: nothing stored
        return CHANNEL
    pending["channel"] = channel
    labels = {k: f"feedback.kind.{k}.{channel}" if k == "wrong" else f"feedback.kind.{k}"
              for k in KINDS_BY_CHANNEL[channel]}
    rows = [[(_label(context, update, key), f"{PICK_KIND}{kind}")] for kind, key in labels.items()]
    rows.append(_back_and_cancel(context, update))
    await reply(update, context.t(update, "feedback.which_problem"), keyboard(rows), edit=True)
    return KIND


async def pick_kind(update: Update, context: BotContext) -> int:
    kind = update.callback_query.data.removeprefix(PICK_KIND)
    pending = context.user_data.get(KEY)
    if pending is None or "channel" not in pending or kind not in KINDS_BY_CHANNEL[pending["channel"]]:
        await answer_stale(update, context)
        return KIND
    context.user_data.pop(KEY)
    services = context.services
    message, user_id = update.callback_query.message, update.effective_user.id
    recorded = await services.store.record_contact_problem(ProblemReport(
        campaign_id=pending["campaign"], official_id=pending["official"], channel=pending["channel"],
        kind=kind, note=None, supporter=services.supporter(user_id, create=True),
        idempotency_key=services.idempotency_key("problem", message.chat_id, message.message_id),
        at=datetime.fromtimestamp(services.clock(), tz=UTC)), limits=services.limits(user_id))
    key = "feedback.cap" if recorded.capped else "feedback.thanks"
    await reply(update, context.t(update, key), main_menu(context, update), edit=True)
    return ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    context.user_data.pop(KEY, None)
    await reply(update, context.t(update, "menu.prompt"), main_menu(context, update), edit=True)
    return ConversationHandler.END


def conversation(persistent: bool) -> ConversationHandler:
    return QuickConversation(
        entry_points=[CallbackQueryHandler(start, pattern=f"^({REPLY}|{PROBLEM})$")],
        states={
            OFFICIAL: [CallbackQueryHandler(pick_official, pattern=f"^{PICK_OFFICIAL}")],
            SUMMARY: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_summary)],
            CHANNEL: [CallbackQueryHandler(pick_channel, pattern=f"^{PICK_CHANNEL}"),
                      CallbackQueryHandler(back, pattern=f"^{BACK}$")],
            KIND: [CallbackQueryHandler(pick_kind, pattern=f"^{PICK_KIND}"),
                   CallbackQueryHandler(back, pattern=f"^{BACK}$")],
        },
        fallbacks=[CommandHandler("cancel", cancel), CallbackQueryHandler(cancel, pattern=f"^{HOME}$")],
        allow_reentry=True,
        name="feedback",
        persistent=persistent,
    )
