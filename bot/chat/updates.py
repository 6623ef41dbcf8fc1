"""Case updates for supporters: follow a case (from the campaign screen or
after reporting an action), /updates to see and toggle what they follow,
/stop to stop everything the bot would send unasked. The update message
itself is made in bot/broadcasts/case_update.py.

Following keeps the least the bot needs to deliver: the chat to send to, the
case, the language, a keyed hash of the chat for its deliveries, and whether
the follower acted on the case; no supporter key. /stop and /forget delete
them.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.broadcasts.case_update import UNFOLLOW
from bot.catalog import Campaign
from bot.catalog.cases import actionable_cases, latest_update
from bot.catalog.i18n import Html
from bot.chat.context import BotContext, answer_stale, keyboard, reply
from bot.chat.menu import PAST
from bot.chat.signup_offer import offer_row

FOLLOW = "upd:on:"  # from the campaign screen, a report's thanks: answer with a notice
LIST_FOLLOW = "upd:lon:"  # from the /updates list: show the list again
LIST_UNFOLLOW = "upd:loff:"
STOP_ALL = "upd:stop"


def follow_row(context: BotContext, update: Update, campaign_id: str,
               closed: bool = False) -> list[tuple[str, str]]:
    """The "Follow this case" button, as a keyboard row. A closed case is
    followed only in case it reopens or has news, and the button says so."""
    key = "updates.follow_closed" if closed else "updates.follow"
    return [(context.services.texts.plain(context.lang(update), key), f"{FOLLOW}{campaign_id}")]


def _campaign(context: BotContext, data: str, prefix: str) -> Campaign | None:
    return context.campaign(data.removeprefix(prefix))


async def _follow(update: Update, context: BotContext, campaign: Campaign) -> bool:
    """Subscribe this chat; False if it already followed the case."""
    services = context.services
    chat_id = update.effective_chat.id
    already = campaign.id in await services.store.subscriptions_of(chat_id)
    await services.store.subscribe(chat_id, campaign.id, services.recipient(chat_id), context.lang(update),
                                   supporter=services.supporter(update.effective_user.id))
    return not already


async def _without_pressed_button(update: Update) -> None:
    """Take the pressed button off its message, so it is not pressed again."""
    query = update.callback_query
    markup = query.message.reply_markup if query.message is not None else None
    if markup is None:
        return
    rows = [kept for row in markup.inline_keyboard
            if (kept := [b for b in row if b.callback_data != query.data])]
    await query.edit_message_reply_markup(InlineKeyboardMarkup(rows) if rows else None)


async def follow(update: Update, context: BotContext) -> None:
    """"Follow this case": a short notice; the rest of the screen stays as it was."""
    query = update.callback_query
    label = context.services.texts.plain
    campaign = _campaign(context, query.data, FOLLOW)
    if campaign is None:
        await answer_stale(update, context)
        return
    new = await _follow(update, context, campaign)
    closed = context.status(campaign).closed
    followed = "updates.followed_closed" if closed else "updates.followed"
    notice = followed if new else "updates.already_following"
    await query.answer(label(context.lang(update), notice), show_alert=new)
    await _without_pressed_button(update)


async def unfollow(update: Update, context: BotContext) -> None:
    """"Stop following" under an update message."""
    query = update.callback_query
    campaign = _campaign(context, query.data, UNFOLLOW)
    if campaign is not None:
        await context.services.store.unsubscribe(update.effective_chat.id, campaign.id)
    await query.answer(context.services.texts.plain(context.lang(update), "updates.unfollowed"))
    await _without_pressed_button(update)


async def _list(update: Update, context: BotContext) -> tuple[Html, InlineKeyboardMarkup]:
    """The cases followed and those open for action (past ones are under Past
    cases), each with its latest update in full."""
    services, lang = context.services, context.lang(update)
    following = set(await services.store.subscriptions_of(update.effective_chat.id))
    running = [s.campaign for s in actionable_cases(services.catalog, services.today())]
    followed = [c for c in services.catalog.campaigns.values() if c.id in following and c not in running]
    lines, rows = [], []
    for campaign in (*running, *followed):
        key = "updates.line_following" if campaign.id in following else "updates.line_not_following"
        lines.append(context.t(update, key, reference=campaign.reference, title=campaign.title.get(lang)))
        if (latest := latest_update(campaign, services.today())) is not None:
            _, item = latest
            lines.append(context.t(update, "updates.latest", date=item.date.display(lang),
                                   title=item.title.get(lang), text=item.text.get(lang)))
        if campaign.id in following:
            rows.append([(f"{services.texts.plain(lang, 'updates.unfollow_button')} {campaign.reference}",
                          f"{LIST_UNFOLLOW}{campaign.id}")])
        else:
            rows.append([(f"{services.texts.plain(lang, 'updates.follow_button')} {campaign.reference}",
                          f"{LIST_FOLLOW}{campaign.id}")])
    if not lines:  # nothing open, nothing followed: say so, and where the earlier cases are
        past = services.texts.plain(lang, "menu.past")
        return context.t(update, "updates.none"), keyboard([offer_row(context, update), [(past, PAST)]])
    if following:
        rows.append([(services.texts.plain(lang, "updates.stop_all_button"), STOP_ALL)])
    return context.t(update, "updates.list", cases=Html("\n".join(lines))), keyboard(rows)


async def show(update: Update, context: BotContext) -> None:
    """/updates: every case, whether it is followed, its latest update."""
    text, markup = await _list(update, context)
    await reply(update, text, markup)


async def toggle(update: Update, context: BotContext) -> None:
    """A case's button in the /updates list: follow or stop, then the list again."""
    query = update.callback_query
    prefix = LIST_FOLLOW if query.data.startswith(LIST_FOLLOW) else LIST_UNFOLLOW
    campaign = _campaign(context, query.data, prefix)
    if campaign is None:
        await answer_stale(update, context)
        return
    if prefix == LIST_FOLLOW:
        await _follow(update, context, campaign)
    else:
        await context.services.store.unsubscribe(update.effective_chat.id, campaign.id)
    text, markup = await _list(update, context)
    await reply(update, text, markup, edit=True)


async def stop(update: Update, context: BotContext) -> None:
    """/stop (or the button): no more case updates and no pending reminder."""
    # Subscriptions, the sign-up for new cases, the pending reminder and any
    # message still queued for this chat.
    store = context.services.store
    signed_up = await store.signup_of(update.effective_chat.id)
    await store.unsubscribe_chat(update.effective_chat.id)
    text = context.t(update, "updates.stopped")
    if signed_up:
        text = Html(f"{text}\n{context.t(update, 'signup.stop_also')}")
    await reply(update, text, edit=update.callback_query is not None)


def handlers() -> list:
    return [
        CommandHandler("updates", show),
        CommandHandler("stop", stop),
        CallbackQueryHandler(follow, pattern=f"^{FOLLOW}"),
        CallbackQueryHandler(unfollow, pattern=f"^{UNFOLLOW}"),
        CallbackQueryHandler(toggle, pattern=f"^({LIST_FOLLOW}|{LIST_UNFOLLOW})"),
        CallbackQueryHandler(stop, pattern=f"^{STOP_ALL}$"),
    ]
