"""Chat with the bot in a terminal: the real Application on the in-memory Bot API.

Bot messages are printed as plain text (bold and italics as *emphasis*),
their buttons numbered `[#1]`, `[#2]`…: type `#2` to press one. Anything else,
numbers included, is sent as a message (the bot may have asked "how many?"),
/commands as commands; Ctrl-D (or the end of piped input) quits. Pop-up
notices (callback answers) are printed in brackets, and a keyboard the bot
changes is printed again, so the numbers always match what is shown.

The console user is Telegram user 1 (`CONSOLE_USER_ID`): put 1 in
ORGANIZER_IDS to try the organizer commands here.
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TextIO

from telegram.ext import Application, ConversationHandler

from bot.bot_api.simulator import Simulator
from bot.bot_api.transport import ApiCall, InMemoryBotAPI
from bot.chat.app import build_application
from bot.chat.context import SERVICES_KEY
from bot.chat.privacy import ERASERS_KEY
from bot.core.clocks import clock_from
from bot.core.config import Settings
from bot.runtime import load_services
from bot.services import Services

CONSOLE_USER_ID = 1
BUTTON = re.compile(r"#(\d+)")
MESSAGE_IDS_FILE = "console-message-ids"
_EMPHASIS = re.compile(r"</?(b|strong|i|em|u)>")
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)
_TAG = re.compile(r"<[^>]+>")

# What to tell someone who comes back to a flow a past session left open. The
# keyboard that went with it is gone (a new session has none), so say how to go on.
RESUME_NOTES = {
    "take_action": "You were taking action (writing an appeal) when the last session ended, and its "
                   "buttons are gone: type /act to start again, or /cancel to leave it.",
    "report_count": "You were asked how many you sent when the last session ended: type the number, "
                    "or /cancel to leave it.",
    "feedback": "You were telling about an official's reply or a contact problem when the last session "
                "ended: type /cancel to leave it, then start again from /start.",
}


def plain(text: str) -> str:
    """Telegram HTML as readable terminal text."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = _EMPHASIS.sub("*", text)
    return html.unescape(_TAG.sub("", text))


def hint(as_of: date | None) -> str:
    """The line printed when a session starts: how to use it, and who you are."""
    line = (f"Console chat as Telegram user {CONSOLE_USER_ID} (ORGANIZER_IDS={CONSOLE_USER_ID} to try "
            "organizer commands). Type a message or /start; #N presses button N; Ctrl-D quits.")
    if as_of is not None:
        line += f"\nThe bot's clock is set to {as_of.isoformat()} (--as-of)."
    return line


def as_of_hint(catalog, today: date) -> str | None:
    """One line for a newcomer when no case is open on the console's clock:
    how to see the latest past case as it ran. Telegram users are told
    nothing of the sort; this is the console's own."""
    from datetime import timedelta

    from bot.catalog.cases import actionable_cases, past_cases, status_of

    if actionable_cases(catalog, today):
        return None
    for past in past_cases(catalog, today):  # most recently ended first
        campaign = past.campaign
        issued = campaign.issued.first_day() if campaign.issued is not None else None
        candidates = [d for d in (campaign.deadline and campaign.deadline - timedelta(days=14),
                                  campaign.deadline, issued) if d is not None and d < today]
        for day in candidates:
            if status_of(campaign, catalog.officials, day).actionable:
                return (f"No case is open on {today.isoformat()}. To see {campaign.reference} as supporters "
                        f"met it: advocacy-bot console --as-of {day.isoformat()}")
    return None


class PersistentMessageIds:
    """One message-id sequence for the console chat, bot's and user's messages
    alike (as in a real Telegram chat), continued from session to session.

    Reports are counted once per prompt message (chat id + message id), so a
    second session that numbered its messages from 1 again would find its
    report "already counted". The last id is written as each is taken, so
    even a session that is killed leaves the next one a fresh start.
    """

    def __init__(self, path: Path):
        self.path = path
        try:
            self.last = int(path.read_text().strip() or 0)
        except (FileNotFoundError, ValueError):
            self.last = 0

    def __call__(self, _chat_id: int) -> int:
        self.last += 1
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(f"{self.last}\n")
        return self.last


def console_message_ids(data_dir: Path) -> PersistentMessageIds:
    return PersistentMessageIds(data_dir / MESSAGE_IDS_FILE)


@dataclass
class Console:
    """What one console session runs: the bot's services and Application on
    an in-memory Bot API whose message ids continue the last session's."""

    services: Services
    application: Application
    api: InMemoryBotAPI
    message_ids: PersistentMessageIds


def build_console(settings: Settings, as_of: date | None = None) -> Console:
    clock = clock_from(as_of)
    services = load_services(settings, clock=clock)
    # One person trying the bot, or a script piped in: never flood-limited (the
    # gate would drop the rest of a long script after its 20th line).
    services.flood.unlimited.add(CONSOLE_USER_ID)
    message_ids = console_message_ids(settings.data_dir)
    api = InMemoryBotAPI(clock=clock, message_ids=message_ids)
    return Console(services, build_application(services, request=api), api, message_ids)


class ConsolePrinter:
    """Prints what the bot sends and remembers the buttons of the last keyboard."""

    def __init__(self, out: TextIO, documents_dir: Path):
        self.out = out
        self.documents_dir = documents_dir
        self.buttons: list[dict] = []
        self.message: dict | None = None
        self.saved: list[Path] = []  # documents written this session, deleted at exit and at /forget

    def erase(self, _chat_id: int | None = None) -> None:
        """Delete the documents this session saved (a letter carries the typed name)."""
        for path in self.saved:
            path.unlink(missing_ok=True)
        self.saved.clear()

    def __call__(self, call: ApiCall) -> None:
        if call.method == "answerCallbackQuery":
            self._notice(call)
        elif call.method == "editMessageReplyMarkup":
            self._keyboard_changed(call)
        elif call.method == "deleteMessage":
            self._deleted(call)
        elif call.method in {"sendMessage", "editMessageText", "editMessageCaption", "sendDocument",
                             "sendPhoto"}:
            self._message(call)
        self.out.flush()

    def _message(self, call: ApiCall) -> None:
        if call.text:
            self.out.write("\n" + plain(call.text) + "\n")
        for filename, data, _mime in call.files.values():
            self.documents_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = self.documents_dir / Path(filename).name
            path.unlink(missing_ok=True)
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as document:
                document.write(data)
            self.saved.append(path)
            self.out.write(f"[document saved: {path} (deleted when the console exits)]\n")
        if call.buttons():
            self._show_buttons(call)

    def _notice(self, call: ApiCall) -> None:
        """A pop-up (show_alert) or a short notice at the top of the chat."""
        text = call.params.get("text")
        if text:
            alert = call.params.get("show_alert") in (True, "true")
            self.out.write(f"({'pop-up' if alert else 'notice'}: {text})\n")

    def _keyboard_changed(self, call: ApiCall) -> None:
        """Only the buttons of a message changed: show them again, numbered anew."""
        if call.buttons():
            self.out.write("(buttons changed)\n")
            self._show_buttons(call)
        elif self._is_current(call):
            self.out.write("(buttons removed)\n")
            self.buttons, self.message = [], None

    def _deleted(self, call: ApiCall) -> None:
        if self._is_current(call):
            self.buttons, self.message = [], None

    def _is_current(self, call: ApiCall) -> bool:
        return self.message is not None and str(self.message.get("message_id")) == str(
            call.params.get("message_id"))

    def _show_buttons(self, call: ApiCall) -> None:
        self.buttons = call.buttons()
        self.message = call.result
        markup = call.params["reply_markup"]
        rows = (markup if isinstance(markup, dict) else {}).get("inline_keyboard") or [self.buttons]
        number = 0
        for row in rows:
            labels = []
            for button in row:
                number += 1
                suffix = f" → {button['url']}" if "url" in button else ""
                labels.append(f"[#{number}] {button['text']}{suffix}")
            self.out.write("  ".join(labels) + "\n")


async def flows_in_progress(application: Application, user_id: int) -> list[str]:
    """The persistent conversations this private chat is in, by name."""
    if application.persistence is None:
        return []
    names = []
    for group in application.handlers.values():
        for handler in group:
            if isinstance(handler, ConversationHandler) and handler.persistent:
                states = await application.persistence.get_conversations(handler.name)
                if states.get((user_id, user_id)) is not None:
                    names.append(handler.name)
    return names


async def run_console(application: Application, api: InMemoryBotAPI, stdin: TextIO = sys.stdin,
                      out: TextIO = sys.stdout, documents_dir: Path = Path("data/console-documents"),
                      language_code: str = "en", choose_language: str | None = None,
                      message_ids=None, as_of: date | None = None,
                      started_notice: str | None = None) -> None:
    """Read lines until end of input, answering each before reading the next.

    `started_notice` goes to standard error once the bot has started (its store
    open), so a console that cannot start says only why.

    `choose_language` (console --lang) is stored as the user's choice, as
    /language would, so it wins over a language stored in an earlier session.
    `message_ids` numbers the chat's messages (see PersistentMessageIds).
    """
    printer = ConsolePrinter(out, documents_dir)
    printer.saved = sorted(documents_dir.glob("*")) if documents_dir.is_dir() else []
    printer.erase()  # what a session that did not exit cleanly left (a letter carries the typed name)
    api.listeners.append(printer)
    services = application.bot_data.get(SERVICES_KEY)
    if services is not None:
        services.extras.setdefault(ERASERS_KEY, []).append(printer.erase)
    simulator = Simulator(application, api, clock=api.clock, message_ids=message_ids)
    user = simulator.user(user_id=CONSOLE_USER_ID, first_name="Console", language_code=language_code)
    interactive = stdin.isatty()
    loop = asyncio.get_running_loop()
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()
    try:
        if started_notice:
            print(started_notice, file=sys.stderr)
        out.write(hint(as_of) + "\n")
        if services is not None and (line := as_of_hint(services.catalog, services.today())):
            out.write(line + "\n")
        if choose_language and services is not None and services.store is not None:
            supporter = services.supporter(CONSOLE_USER_ID, create=True)
            await services.store.set_language(supporter, choose_language)
        for name in await flows_in_progress(application, CONSOLE_USER_ID):
            out.write(RESUME_NOTES.get(name, f"A conversation ({name}) was left open by the last session: "
                                             "type /cancel to leave it.") + "\n")
        out.flush()
        while True:
            if interactive:
                out.write("> ")
                out.flush()
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                break
            text = line.strip()
            if not text:
                continue
            if pressed := BUTTON.fullmatch(text):
                await _press(pressed.group(1), printer, user, out)
            else:
                await user.send(text)
    finally:
        printer.erase()
        if interactive:
            out.write("\n")
        await application.stop()
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


async def _press(number: str, printer: ConsolePrinter, user, out: TextIO) -> None:
    if not printer.buttons:
        out.write("(no buttons to press)\n")
        return
    index = int(number) - 1
    if not 0 <= index < len(printer.buttons):
        out.write(f"(no button #{number}; there are {len(printer.buttons)})\n")
        return
    button = printer.buttons[index]
    if "callback_data" not in button:
        out.write(f"(that button opens {button['url']})\n")
        return
    await user.press_data(printer.message, button["callback_data"])
