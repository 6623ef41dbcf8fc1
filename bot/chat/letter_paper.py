"""The letter's PDF on the paper the supporter prints on, A4 or US Letter.

Paper follows the supporter, not the official: the first PDF is on the paper
their Telegram language tag names (`paper_for_language`: "en-US" → US Letter,
a bare "en" or "es" → A4, the paper most of the world uses), and a button
under it gets the same letter on the other paper.

The first PDF carries the report prompt as its caption, with its buttons
(`bot/chat/prompt_message.py`): one message fewer for every letter.

The letter holds what the supporter typed, which is never written to disk and
leaves the flow once the appeal is delivered. So the button does not carry
the letter, and nothing is persisted: the delivered text waits in this
process's memory only (`RecentLetters`), for as long as an unfinished flow
would (30 minutes), and is dropped when the other paper is sent, when it
expires, or on restart. A button pressed after that says the letter is gone.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import OrderedDict
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CallbackQueryHandler

from bot.appeals.letter_pdf import PAPERS, Paper, letter_filename, render_letter_pdf
from bot.catalog.i18n import Html
from bot.chat.context import BotContext, keyboard
from bot.chat.privacy import ERASERS_KEY

OTHER_PAPER = "act:paper:"
KEEP_AT_MOST = 1000  # letters held at once; the oldest goes first
_EXTRAS_KEY = "recent_letters"


@dataclass(frozen=True)
class DeliveredLetter:
    body: str
    title: str
    official_id: str
    lang: str
    chat_id: int  # whose it is: /forget drops it (`RecentLetters.forget_chat`)


class RecentLetters:
    """Letters just delivered, in memory, by an unguessable token."""

    def __init__(self, keep_seconds: float):
        self.keep_seconds = keep_seconds
        self._letters: OrderedDict[str, tuple[float, DeliveredLetter]] = OrderedDict()

    def keep(self, letter: DeliveredLetter, now: float) -> str:
        self._expire(now)
        token = secrets.token_hex(8)
        self._letters[token] = (now, letter)
        while len(self._letters) > KEEP_AT_MOST:
            self._letters.popitem(last=False)
        return token

    def take(self, token: str, now: float) -> DeliveredLetter | None:
        """The letter, removed: the other paper is sent once."""
        self._expire(now)
        kept = self._letters.pop(token, None)
        return None if kept is None else kept[1]

    def forget_chat(self, chat_id: int) -> None:
        """/forget: the letters of this chat are dropped, not kept for their 30 minutes."""
        for token in [t for t, (_, letter) in self._letters.items() if letter.chat_id == chat_id]:
            del self._letters[token]

    def _expire(self, now: float) -> None:
        while self._letters and next(iter(self._letters.values()))[0] + self.keep_seconds < now:
            self._letters.popitem(last=False)

    def __len__(self) -> int:
        return len(self._letters)


def recent_letters(context: BotContext) -> RecentLetters:
    extras = context.services.extras
    if _EXTRAS_KEY not in extras:
        extras[_EXTRAS_KEY] = RecentLetters(context.services.flow_timeout)
        # the PDF's caption carries the report prompt, so the PDF stays in the chat after /forget:
        # its other-paper button must not bring back what was typed
        extras.setdefault(ERASERS_KEY, []).append(extras[_EXTRAS_KEY].forget_chat)
    return extras[_EXTRAS_KEY]


def paper_for_language(language_code: str | None) -> Paper:
    """US Letter when the supporter's Telegram language tag names a territory
    that prints on it ("en-US", "es_MX", "fr-CA"), else A4. Most clients send
    the language alone ("en"): that says nothing of where someone lives, and
    A4 is the paper of most of the world, so it is the default."""
    from bot.appeals.letter_pdf import LETTER_TERRITORIES

    parts = (language_code or "").replace("_", "-").split("-")
    return "Letter" if any(part.upper() in LETTER_TERRITORIES for part in parts[1:]) else "A4"


def other_paper(paper: Paper) -> Paper:
    return next(p for p in PAPERS if p != paper)


def caption(update: Update, context: BotContext, paper: Paper, prompt: str | None = None) -> Html:
    """The PDF's caption: what it is, then the report prompt when it carries one."""
    said = context.t(update, "act.letter_pdf", paper=context.t(update, f"act.paper.{paper}"))
    return Html(said + "\n\n" + prompt) if prompt else said


def start_rendering(letter: DeliveredLetter, paper: Paper) -> asyncio.Future[bytes]:
    """The PDF, rendered in a thread from now on: the delivery starts it when it
    queues the PDF, so that it renders while the messages before it are sent."""
    rendering = asyncio.ensure_future(asyncio.to_thread(render_letter_pdf, letter.body, letter.title, paper))
    # Not awaited when a send before it fails and the outbox drops the rest: its error, if any, is seen here.
    rendering.add_done_callback(lambda done: done.cancelled() or done.exception())
    return rendering


async def send_pdf(update: Update, context: BotContext, letter: DeliveredLetter, paper: Paper,
                   offer_other: bool, prompt: tuple[str, InlineKeyboardMarkup] | None = None,
                   rendering: asyncio.Future[bytes] | None = None) -> None:
    """The PDF on `paper` (`rendering` when it was started already); with a
    button for the other paper when `offer_other`; carrying the report prompt
    (its text in the caption, its buttons first) when `prompt` is given and
    the caller found it fits (`prompt_message`)."""
    pdf = await (rendering or start_rendering(letter, paper))
    filename = letter_filename(letter.official_id, letter.lang, context.services.today())
    rows = list(prompt[1].inline_keyboard) if prompt else []
    if offer_other:
        token = recent_letters(context).keep(letter, context.services.clock())
        other = other_paper(paper)
        label = context.services.texts.plain(context.lang(update), "act.paper_other",
                                             paper=context.services.texts.plain(context.lang(update),
                                                                                f"act.paper.{other}"))
        rows += keyboard([[(label, f"{OTHER_PAPER}{other}:{token}")]]).inline_keyboard
    await update.effective_chat.send_document(
        InputFile(pdf, filename=filename), reply_markup=InlineKeyboardMarkup(rows) if rows else None,
        caption=caption(update, context, paper, prompt[0] if prompt else None))


async def pressed_other_paper(update: Update, context: BotContext) -> None:
    """The same letter on the other paper, once; or why it is gone."""
    query = update.callback_query
    paper, _, token = query.data.removeprefix(OTHER_PAPER).partition(":")
    letter = recent_letters(context).take(token, context.services.clock())
    await query.answer()
    if paper not in PAPERS or letter is None:
        await update.effective_chat.send_message(context.t(update, "act.paper_gone"))
        return
    await send_pdf(update, context, letter, paper, offer_other=False)


def handlers() -> list[CallbackQueryHandler]:
    """Outside the take-action flow: the flow has ended when the PDF arrives."""
    return [CallbackQueryHandler(pressed_other_paper, pattern=f"^{OTHER_PAPER}")]
