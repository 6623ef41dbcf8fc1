"""What the conversations keep while they run, how long, and what never
reaches the disk.

Three flows keep state in `user_data`: writing an appeal ("flow"), telling
the organizers about a reply or a problem ("feedback") and "how many did you
send?" ("report"). Every one of them expires after `Services.flow_timeout`
of silence, including across a restart:

- before any update is handled, a supporter whose flow has gone stale is
  taken out of it first, so a question typed two hours later is answered as
  a question, never stored as an official's reply or taken as a name;
- the periodic sweep (every 30 seconds) ends stale flows of supporters who
  send nothing more, tells them, and so deletes their rows from the store.

There is no per-step timeout job: python-telegram-bot's conversation timeout
schedules one on every step and loses them all on a restart.

The name, city and sentence typed for an appeal live in memory only:
`for_disk` writes each as None (typed, not saved) or "" (skipped), so a
restart mid-flow loses them, and the flow asks again rather than signing
the appeal with nothing.
"""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.chat.context import LANG_KEY, SERVICES_KEY, BotContext

APPEAL_KEY = "flow"  # take_action.py
FEEDBACK_KEY = "feedback"  # feedback.py
COUNT_KEY = "report"  # report.py, "how many?"
FLOW_KEYS = (APPEAL_KEY, FEEDBACK_KEY, COUNT_KEY)
TOUCHED_KEY = "touched"  # when the supporter last did anything in a flow (the services clock)
PERSONAL_FIELDS = ("name", "city", "sentence")


def in_flow(user_data: dict | None) -> bool:
    return user_data is not None and any(key in user_data for key in FLOW_KEYS)


def begin(context: BotContext, key: str, state: dict) -> dict:
    """Start a flow's state under `key`, its silence counted from now."""
    context.user_data[key] = state
    context.user_data[TOUCHED_KEY] = context.services.clock()
    return state


def for_disk(user_data: dict) -> dict:
    """What the persistence may write: typed appeal fields become None, and
    the time of the last step goes with the flow."""
    if TOUCHED_KEY in user_data and not in_flow(user_data):
        user_data = {k: v for k, v in user_data.items() if k != TOUCHED_KEY}
    flow = user_data.get(APPEAL_KEY)
    if not flow or not any(flow.get(field) for field in PERSONAL_FIELDS):
        return user_data
    kept = {field: (None if flow.get(field) else flow[field]) for field in PERSONAL_FIELDS if field in flow}
    return {**user_data, APPEAL_KEY: {**flow, **kept}}


def _expiry_notice(services, user_data: dict) -> str:
    lang = user_data.get(LANG_KEY) or "en"
    key = "act.timed_out" if APPEAL_KEY in user_data else "flow.timed_out"
    return services.texts(lang, key)


async def touch_or_expire(update: Update, context: BotContext) -> None:
    """Before every update: end a stale flow first, else note the activity."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or context.user_data is None:
        return
    if not in_flow(context.user_data):
        context.user_data.pop(TOUCHED_KEY, None)  # left over from a flow that ended
        return
    services = context.services
    now = services.clock()
    if context.user_data.get(TOUCHED_KEY, now) < now - services.flow_timeout:
        notice = _expiry_notice(services, context.user_data)
        await end_conversations(context.application, chat.id, user.id)
        with contextlib.suppress(TelegramError):
            await chat.send_message(notice)
        return
    context.user_data[TOUCHED_KEY] = now


async def expire_abandoned_flows(application: Application) -> None:
    """The sweep: flows silent for longer than the timeout end, what was typed
    is dropped (in memory and in the store), and the supporter is told."""
    services = application.bot_data[SERVICES_KEY]
    now = services.clock()
    for user_id, data in list(application.user_data.items()):
        if not in_flow(data):
            continue
        if TOUCHED_KEY not in data:  # loaded after a restart by an older version: count from now
            data[TOUCHED_KEY] = now
        if data[TOUCHED_KEY] < now - services.flow_timeout:
            notice = _expiry_notice(services, data)
            await end_conversations(application, user_id, user_id)  # private chats: chat id = user id
            with contextlib.suppress(TelegramError):
                await application.bot.send_message(user_id, notice)


async def end_conversations(application: Application, chat_id: int, user_id: int) -> None:
    """End every conversation the supporter is in and drop what the flows kept,
    in memory and in the persistence, so nothing typed outlives the flow."""
    from telegram.ext import ConversationHandler

    key = (chat_id, user_id)
    user_data = application.user_data.get(user_id)
    conversations = [handler for group in application.handlers.values() for handler in group
                     if isinstance(handler, ConversationHandler)]
    if _nothing_to_end(application, user_id, user_data, key, conversations):
        return
    if user_data is not None:
        for data_key in (*FLOW_KEYS, TOUCHED_KEY):
            user_data.pop(data_key, None)
    for handler in conversations:
        # No public API ends another handler's conversation; its state map is the source of truth.
        ended = handler._conversations.pop(key, None) is not None
        if ended and handler.persistent and application.persistence is not None:
            await application.persistence.update_conversation(handler.name, key, None)
    if application.persistence is not None and user_data is not None:
        await application.persistence.update_user_data(user_id, user_data)
    if hasattr(application.persistence, "write_pending"):
        await application.persistence.write_pending()  # at once: this may run outside an update


def _nothing_to_end(application: Application, user_id: int, user_data: dict | None, key: tuple,
                    conversations: list) -> bool:
    """True when the supporter is in no flow and the persistence holds nothing
    of theirs: the usual case (every /start and main-menu button of someone
    not writing anything), in which ending their flows would change nothing,
    in memory or in the store. Other persistences are not asked: never true."""
    if user_data is not None and (in_flow(user_data) or TOUCHED_KEY in user_data):
        return False
    if any(key in handler._conversations for handler in conversations):
        return False
    persistence = application.persistence
    return persistence is None or (hasattr(persistence, "holds") and not persistence.holds(user_id))
