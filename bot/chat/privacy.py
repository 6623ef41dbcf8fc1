"""A supporter's own data: /mydata shows everything kept about them, /forget
deletes it after a confirmation. Past actions stay in the campaign counts
only as anonymous rows.

/mydata is a list of parts (`PARTS`), one per kind of thing kept: a new kind
of row (sign-ups for new cases, say) is one more `Part` with its heading
string and a function listing its lines, not another branch here. /forget
ends the person's flows first (their row is found with the person's key),
then unlinks everything in the store and destroys the key (`Store.forget`),
then runs the erasers other parts of the program registered (the console's
saved PDFs)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Update

from bot.catalog.i18n import Html
from bot.chat.context import LANG_KEY, BotContext, keyboard, reply
from bot.chat.flows import APPEAL_KEY, COUNT_KEY, FEEDBACK_KEY
from bot.chat.leaving import end_conversations
from bot.chat.menu import main_menu
from bot.chat.signup import chosen_names
from bot.core.telegram_html import escape
from bot.store import SupporterData

CONFIRM = "forget:yes"
KEEP = "forget:no"
SHOWN_ACTIONS = 20
MESSAGE_LIMIT = 4000  # Telegram's is 4096 characters: longer lists go in several messages
ERASERS_KEY = "erasers"  # Services.extras: callables run with the chat id at /forget
FLOW_NAMES = {APPEAL_KEY: "privacy.flow.appeal", FEEDBACK_KEY: "privacy.flow.feedback",
              COUNT_KEY: "privacy.flow.report"}


@dataclass(frozen=True)
class Shown:
    """What a part's lines are made from."""

    context: BotContext
    update: Update
    data: SupporterData

    def label(self, key: str, **values) -> str:
        return self.context.label(self.update, key, **values)

    def case(self, campaign_id: str) -> str:
        campaign = self.context.services.catalog.campaigns.get(campaign_id)
        return escape(campaign.reference if campaign else campaign_id)

    def official(self, official_id: str) -> str:
        official = self.context.services.catalog.officials.get(official_id)
        return escape(official.name if official else official_id)

    def heading(self, row) -> str:
        """"• day case · official" for an action, a reply or a problem."""
        return f"• {row.created_at:%Y-%m-%d} {self.case(row.campaign_id)} · {self.official(row.official_id)}"


@dataclass(frozen=True)
class Part:
    """One kind of thing kept: its heading (a string with {count} and {items})
    and its lines, HTML. `inline` parts list their items on the heading's line."""

    heading: str
    lines: Callable[[Shown], list[str]]
    inline: bool = False
    empty: str = "privacy.none"
    count: Callable[[Shown], int] | None = None  # when not every item gets a line


def _language(shown: Shown) -> list[str]:
    language = shown.data.language
    name = shown.label(f"language.name.{language}") if language else shown.label("privacy.no_language")
    return [escape(name)]


def _follows(shown: Shown) -> list[str]:
    return [escape(campaign) for campaign in shown.data.subscriptions]


def _reminders(shown: Shown) -> list[str]:
    return [f"• {shown.case(r.campaign_id)} · {shown.official(r.official_id)} · {escape(r.channel)}"
            f" · {r.due_at:%Y-%m-%d %H:%M} UTC" for r in shown.data.reminders]


def _flows(shown: Shown) -> list[str]:
    """Flows in progress, from memory (the store keeps them sealed, for restarts)."""
    user_data = shown.context.user_data or {}
    lines = []
    for key, name in FLOW_NAMES.items():
        state = user_data.get(key)
        if not isinstance(state, dict):
            continue
        details = [shown.case(state["campaign"])] if state.get("campaign") else []
        details += [shown.official(state["official"])] if state.get("official") else []
        details += [escape(state["channel"])] if state.get("channel") else []
        lines.append(f"• {escape(shown.label(name))}" + (f" ({' · '.join(details)})" if details else ""))
    return lines


def _actions(shown: Shown) -> list[str]:
    lines = []
    for action in shown.data.actions[:SHOWN_ACTIONS]:
        status = "" if action.status == "done" else f" ({action.status})"
        lines.append(f"{shown.heading(action)} · {escape(action.channel)} ×{action.count}{status}")
    return lines


def _replies(shown: Shown) -> list[str]:
    return [f"{shown.heading(item)}: “{escape(item.text or '')}”" for item in shown.data.replies]


def _problems(shown: Shown) -> list[str]:
    return [f"{shown.heading(item)} · {escape(item.channel or '')} · {escape(item.problem or '')}"
            + (f": “{escape(item.text)}”" if item.text else "") for item in shown.data.problems]


PARTS: tuple[Part, ...] = (
    Part("privacy.part.language", _language, inline=True),
    Part("privacy.part.follows", _follows, inline=True),
    Part("signup.mydata", lambda shown: [escape(name) for name in chosen_names(
        shown.context, shown.update, shown.data.signups)], inline=True),
    Part("privacy.part.reminders", _reminders),
    Part("privacy.part.flows", _flows),
    Part("privacy.part.actions", _actions, empty="privacy.no_actions",
         count=lambda shown: len(shown.data.actions)),
    Part("privacy.part.replies", _replies),
    Part("privacy.part.problems", _problems),
)


def _render(shown: Shown, part: Part) -> str:
    lines = part.lines(shown)
    if part.inline:
        items = ", ".join(lines) or escape(shown.label(part.empty))
    else:
        items = "\n".join(lines) or escape(shown.label(part.empty))
    count = part.count(shown) if part.count else len(lines)
    return shown.context.t(shown.update, part.heading, count=count, items=Html(items))


async def my_data(update: Update, context: BotContext) -> None:
    services = context.services
    data = await services.store.supporter_data(services.supporter(update.effective_user.id),
                                               update.effective_chat.id)
    shown = Shown(context, update, data)
    label = functools.partial(context.t, update)
    pieces = [label("privacy.mydata", hash=Html(f"<code>{data.supporter[:12]}…</code>")),
              *(_render(shown, part) for part in PARTS), label("privacy.mydata_end")]
    for message in _messages(pieces):
        await reply(update, message)


def _messages(pieces: list[str]) -> list[str]:
    """The pieces joined into as few messages as fit Telegram's limit; a piece
    too long for one (many long replies) is cut between its lines, where no
    HTML tag is open."""
    messages = [""]

    def add(text: str, separator: str) -> None:
        if messages[-1] and len(messages[-1]) + len(separator) + len(text) > MESSAGE_LIMIT:
            messages.append("")
        messages[-1] = f"{messages[-1]}{separator}{text}" if messages[-1] else text

    for piece in pieces:
        lines = [piece] if len(piece) <= MESSAGE_LIMIT else piece.split("\n")
        for number, line in enumerate(lines):
            add(line, "\n" if number else "\n\n")
    return messages


async def forget(update: Update, context: BotContext) -> None:
    label = context.services.texts.plain
    lang = context.lang(update)
    markup = keyboard([[(label(lang, "privacy.confirm"), CONFIRM)], [(label(lang, "privacy.keep"), KEEP)]])
    await reply(update, context.t(update, "privacy.forget_confirm"), markup)


async def forget_confirmed(update: Update, context: BotContext) -> None:
    services = context.services
    user, chat_id = update.effective_user, update.effective_chat.id
    language = context.lang(update)
    # Flows first: their row is found with the person's key, which the store then destroys.
    await end_conversations(context.application, chat_id, user.id)
    context.user_data.clear()
    context.user_data[LANG_KEY] = ""  # nothing stored; the client's language from now on
    persistence = context.application.persistence
    if persistence is not None:
        await persistence.drop_user_data(user.id)
        if hasattr(persistence, "write_pending"):
            await persistence.write_pending()
    limiter, recipient = services.limits(user.id).limiter, services.recipient(chat_id)
    await services.store.forget(services.supporter(user.id), chat_id, limiter=limiter, today=services.today(),
                                recipient=recipient)
    for erase in services.extras.get(ERASERS_KEY, ()):
        erase(chat_id)
    await reply(update, services.texts(language, "privacy.forgotten"), edit=True)


async def forget_cancelled(update: Update, context: BotContext) -> None:
    await reply(update, context.t(update, "privacy.kept"), main_menu(context, update), edit=True)
