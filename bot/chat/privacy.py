"""A supporter's own data: /mydata shows everything kept under their keyed
hash, /forget deletes it after a confirmation. Past actions stay in the
campaign counts only as anonymous rows."""

from __future__ import annotations

import functools

from telegram import Update

from bot.catalog.i18n import Html
from bot.chat.context import LANG_KEY, BotContext, keyboard, reply
from bot.chat.leaving import end_conversations
from bot.chat.menu import main_menu
from bot.chat.signup import mydata_line
from bot.core.telegram_html import escape

CONFIRM = "forget:yes"
KEEP = "forget:no"
SHOWN_ACTIONS = 20


async def my_data(update: Update, context: BotContext) -> None:
    services = context.services
    data = await services.store.supporter_data(services.supporter(update.effective_user.id),
                                               update.effective_chat.id)
    actions = [_action_line(context, a) for a in data.actions[:SHOWN_ACTIONS]]
    label = functools.partial(context.label, update)
    none = label("privacy.none")
    text = context.t(
        update, "privacy.mydata",
        hash=Html(f"<code>{data.supporter[:12]}…</code>"),
        language=label(f"language.name.{data.language}") if data.language else label("privacy.no_language"),
        actions=Html("\n".join(actions) or escape(label("privacy.no_actions"))), count=len(data.actions),
        subscriptions=", ".join(data.subscriptions) or none,
        reports=len(data.replies) + len(data.problems),
    )
    if signed_up := mydata_line(context, update, data.signups):
        text = Html(f"{text}\n{signed_up}")
    await reply(update, text)


def _action_line(context: BotContext, action) -> str:
    catalog = context.services.catalog
    campaign = catalog.campaigns.get(action.campaign_id)
    official = catalog.officials.get(action.official_id)
    status = "" if action.status == "done" else f" ({action.status})"
    return (f"• {action.created_at:%Y-%m-%d} {escape(campaign.reference if campaign else action.campaign_id)}"
            f" · {escape(official.name if official else action.official_id)}"
            f" · {escape(action.channel)} ×{action.count}{status}")


async def forget(update: Update, context: BotContext) -> None:
    label = context.services.texts.plain
    lang = context.lang(update)
    markup = keyboard([[(label(lang, "privacy.confirm"), CONFIRM)], [(label(lang, "privacy.keep"), KEEP)]])
    await reply(update, context.t(update, "privacy.forget_confirm"), markup)


async def forget_confirmed(update: Update, context: BotContext) -> None:
    services = context.services
    user = update.effective_user
    await services.store.forget(services.supporter(user.id), update.effective_chat.id,
                                limiter=services.limits(user.id).limiter, today=services.today())
    await end_conversations(context.application, update.effective_chat.id, user.id)
    language = context.lang(update)
    context.user_data.clear()
    context.user_data[LANG_KEY] = ""  # nothing stored; the client's language from now on
    if context.application.persistence is not None:
        await context.application.persistence.drop_user_data(user.id)
    await reply(update, services.texts(language, "privacy.forgotten"), edit=True)


async def forget_cancelled(update: Update, context: BotContext) -> None:
    await reply(update, context.t(update, "privacy.kept"), main_menu(context, update), edit=True)
