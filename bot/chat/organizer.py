"""Organizer commands: /stats, /problems and /reload. Organizers are the Telegram ids in
ORGANIZER_IDS; everyone else is told the command is for organizers, and
nothing else."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import wraps

from telegram import InputFile, Update

from bot.broadcasts.announcement import choice_names, signup_rows
from bot.catalog import ContentError
from bot.catalog.i18n import Html
from bot.chat.context import BotContext, answer_stale, keyboard, reply
from bot.chat.delivery import send_long
from bot.core.telegram_html import escape
from bot.runtime import reload_content
from bot.store.charts import StatsCharts

log = logging.getLogger(__name__)

RESOLVE = "org:resolve:"
CHARTS_KEY = "stats_charts"  # in services.extras: the StatsCharts of this bot
REVIEW_LIMIT = 10
RELOAD_PROBLEMS_SHOWN = 10


def organizers_only(handler):
    @wraps(handler)
    async def guarded(update: Update, context: BotContext):
        user = update.effective_user
        if not context.services.is_organizer(user.id if user else None):
            if update.callback_query:
                await update.callback_query.answer(
                    context.services.texts.plain(context.lang(update), "organizer.only"))
            else:
                await reply(update, context.t(update, "organizer.only"))
            return None
        detail = update.callback_query.data if update.callback_query else " ".join(context.args or [])
        await context.services.store.audit(user.id, handler.__name__, detail or None,
                                           at=datetime.fromtimestamp(context.services.clock(), tz=UTC))
        return await handler(update, context)

    return guarded


def _counts(counts: dict[str, int]) -> str:
    return "\n".join(f"• {escape(k)}: {v:,}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])) or "–"


async def _case_argument(update: Update, context: BotContext) -> tuple[bool, str | None]:
    """(ok, case id or None for all cases) from the command's argument; an
    unknown case is answered with the known ones and not ok."""
    campaigns = context.services.catalog.campaigns
    campaign_id = context.args[0] if context.args else None
    if campaign_id is not None and campaign_id not in campaigns:
        await reply(update, context.t(update, "organizer.unknown_campaign", campaign=campaign_id,
                                      known=", ".join(campaigns)))
        return False, None
    return True, campaign_id


@organizers_only
async def stats(update: Update, context: BotContext) -> None:
    """/stats [case]: one case's figures, or all cases together."""
    services = context.services
    ok, campaign_id = await _case_argument(update, context)
    if not ok:
        return
    figures = await services.store.campaign_stats(campaign_id, today=services.today())
    officials = {services.catalog.officials[k].name if k in services.catalog.officials else k: v
                 for k, v in figures.by_official.items()}
    label = services.catalog.campaigns[campaign_id].reference if campaign_id else services.texts.plain(
        context.lang(update), "organizer.all_campaigns")
    text = context.t(update, "organizer.stats", campaign=label, actions=figures.actions,
                     attempted=figures.attempted, supporters=figures.supporters,
                     week=figures.last_7_days, problems=figures.open_problems, capped=figures.capped,
                     by_channel=Html(_counts(figures.by_channel)), by_official=Html(_counts(officials)))
    signups = await services.store.signup_counts()
    names = choice_names(services.catalog, services.texts, context.lang(update))
    lines = "\n".join(f"• {escape(name)}: {n:,}" for _, name, n in signup_rows(signups, names))
    signed_up = context.t(update, "organizer.signups", people=signups.people, by_choice=Html(lines))
    await reply(update, Html(f"{text}\n\n{context.t(update, 'organizer.supporters_rule')}\n\n{signed_up}"))
    charts = services.extras.setdefault(CHARTS_KEY, StatsCharts(services.clock))
    png = await charts.png(campaign_id, figures, label)  # at most once a minute per case
    await update.effective_chat.send_photo(InputFile(png, filename="stats.png"))


@organizers_only
async def problems(update: Update, context: BotContext) -> None:
    """/problems [case]: open replies and contact problems, newest first."""
    services = context.services
    ok, campaign_id = await _case_argument(update, context)
    if not ok:
        return
    items = await services.store.list_problems(open_only=True, limit=REVIEW_LIMIT, campaign_id=campaign_id)
    if not items:
        await reply(update, context.t(update, "organizer.no_problems"))
        return
    lines, rows = [], []
    for item in items:
        who = services.catalog.officials.get(item.official_id)
        case = services.catalog.campaigns.get(item.campaign_id)
        kind = item.problem or "reply"
        lines.append(f"#{item.id} {escape(case.reference if case else item.campaign_id)} · {escape(kind)}"
                     f" · {escape(who.name if who else item.official_id)}"
                     f"{' · ' + escape(item.channel) if item.channel else ''} · "
                     f"{item.created_at:%Y-%m-%d}\n{escape(item.text or '')}".rstrip())
        rows.append([(f"✅ #{item.id} {kind}", f"{RESOLVE}{item.kind}:{item.id}")])
    text = Html(context.t(update, "organizer.problems") + "\n\n" + "\n\n".join(lines))
    await send_long(update, context, text, keyboard(rows))  # ten long summaries exceed one message


@organizers_only
async def resolve(update: Update, context: BotContext) -> None:
    kind, _, item_id = update.callback_query.data.removeprefix(RESOLVE).partition(":")
    if kind not in ("problem", "reply") or not (item_id.isascii() and item_id.isdigit()):
        await answer_stale(update, context)
        return
    done = await context.services.store.resolve_problem(int(item_id), kind=kind)
    key = "organizer.resolved" if done else "organizer.already_resolved"
    await update.callback_query.answer(context.services.texts.plain(context.lang(update), key))


@organizers_only
async def reload(update: Update, context: BotContext) -> None:
    """/reload: read content/ again after `check`; on any problem the running
    content stays, and the organizer sees the problems as `check` prints them."""
    try:
        catalog = reload_content(context.services)
    except ContentError as error:
        shown = "\n".join(escape(str(p)) for p in error.problems[:RELOAD_PROBLEMS_SHOWN])
        await reply(update, context.t(update, "organizer.reload_refused", count=len(error.problems),
                                      problems=Html(f"<code>{shown}</code>")))
        return
    log.info("content reloaded by an organizer: %s", catalog.summary())
    await reply(update, context.t(update, "organizer.reloaded", summary=catalog.summary()))
