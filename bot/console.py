"""Chat with the bot in a terminal: the real Application on the in-memory Bot API.

Bot messages are printed as plain text (bold and italics as *emphasis*),
their buttons numbered: type a number to press one, anything else is sent as
a message, /commands as commands, Ctrl-D (or the end of piped input) quits.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
from pathlib import Path
from typing import TextIO

from telegram.ext import Application

from .simulator import Simulator
from .transport import ApiCall, InMemoryBotAPI

_EMPHASIS = re.compile(r"</?(b|strong|i|em|u)>")
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Telegram HTML as readable terminal text."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = _EMPHASIS.sub("*", text)
    return html.unescape(_TAG.sub("", text))


class ConsolePrinter:
    """Prints what the bot sends and remembers the buttons of the last keyboard."""

    def __init__(self, out: TextIO, documents_dir: Path):
        self.out = out
        self.documents_dir = documents_dir
        self.buttons: list[dict] = []
        self.message: dict | None = None

    def __call__(self, call: ApiCall) -> None:
        if call.method not in {"sendMessage", "editMessageText", "sendDocument", "sendPhoto"}:
            return
        if call.text:
            self.out.write("\n" + plain(call.text) + "\n")
        for filename, data, _mime in call.files.values():
            self.documents_dir.mkdir(parents=True, exist_ok=True)
            path = self.documents_dir / Path(filename).name
            path.write_bytes(data)
            self.out.write(f"[document saved: {path}]\n")
        if call.buttons():
            self.buttons = call.buttons()
            self.message = call.result
            rows = call.params["reply_markup"]["inline_keyboard"]
            number = 0
            for row in rows:
                labels = []
                for button in row:
                    number += 1
                    suffix = f" → {button['url']}" if "url" in button else ""
                    labels.append(f"[{number}] {button['text']}{suffix}")
                self.out.write("  ".join(labels) + "\n")
        self.out.flush()


async def run_console(application: Application, api: InMemoryBotAPI, stdin: TextIO = sys.stdin,
                      out: TextIO = sys.stdout, documents_dir: Path = Path("data/console-documents"),
                      language_code: str = "en") -> None:
    """Read lines until end of input, answering each before reading the next."""
    printer = ConsolePrinter(out, documents_dir)
    api.listeners.append(printer)
    simulator = Simulator(application, api)
    user = simulator.user(user_id=1, first_name="Console", language_code=language_code)
    interactive = stdin.isatty()
    loop = asyncio.get_running_loop()
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()
    try:
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
            if text.isdigit() and printer.buttons:
                index = int(text) - 1
                if not 0 <= index < len(printer.buttons):
                    out.write(f"(no button {text}; there are {len(printer.buttons)})\n")
                    continue
                button = printer.buttons[index]
                if "callback_data" not in button:
                    out.write(f"(that button opens {button['url']})\n")
                    continue
                await user.press_data(printer.message, button["callback_data"])
            else:
                await user.send(text)
    finally:
        if interactive:
            out.write("\n")
        await application.stop()
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
