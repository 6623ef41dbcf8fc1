"""Feed a real `Application` the updates Telegram would send.

Used by the console (a person typing) and by the tests (scripted supporters).
Each call processes one update to completion through python-telegram-bot's
own machinery and returns the Bot API calls the bot made in response.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

from telegram import Update
from telegram.ext import Application

from bot.bot_api.transport import ApiCall, InMemoryBotAPI


class Simulator:
    """`message_ids` (chat id -> next id) numbers what the users send; by
    default one count from 10,000, and the console passes the sequence the
    bot's messages use too, continued across sessions, as in a real chat."""

    def __init__(self, application: Application, api: InMemoryBotAPI,
                 clock: Callable[[], float] = time.time,
                 message_ids: Callable[[int], int] | None = None):
        self.application = application
        self.api = api
        self.clock = clock
        self._update_ids = itertools.count(1)
        counter = itertools.count(10_000)
        self.next_message_id = message_ids or (lambda _chat_id: next(counter))
        self._callback_ids = itertools.count(1)

    def user(self, user_id: int = 4242, first_name: str = "Ana",
             language_code: str | None = "en") -> SimulatedUser:
        return SimulatedUser(self, user_id, first_name, language_code)

    async def process(self, payload: dict) -> list[ApiCall]:
        """Process one update; the calls the bot made while handling it."""
        payload = {"update_id": next(self._update_ids), **payload}
        self.api.take_calls()
        update = Update.de_json(payload, self.application.bot)
        await self.application.process_update(update)
        settle = getattr(self.application, "queued_sent", None)  # messages paced after the handler
        if settle is not None:
            await settle()
        return self.api.take_calls()


class SimulatedUser:
    """One Telegram user in a private chat with the bot."""

    def __init__(self, sim: Simulator, user_id: int, first_name: str, language_code: str | None):
        self.sim = sim
        self.id = user_id
        self.profile = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            self.profile["language_code"] = language_code

    @property
    def chat(self) -> dict:
        return {"id": self.id, "type": "private", "first_name": self.profile["first_name"]}

    async def send(self, text: str) -> list[ApiCall]:
        message = {
            "message_id": self.sim.next_message_id(self.id),
            "date": int(self.sim.clock()),
            "chat": self.chat,
            "from": self.profile,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self.sim.process({"message": message})

    def messages_with_buttons(self) -> list[dict]:
        """The bot's messages in this chat that still show a keyboard, newest first."""
        found = [m for (chat, _), m in self.sim.api.messages.items()
                 if chat == self.id and (m.get("reply_markup") or {}).get("inline_keyboard")]
        return sorted(found, key=lambda m: m["message_id"], reverse=True)

    def find_button(self, label: str) -> tuple[dict, dict]:
        """The newest button whose text or callback data is `label`."""
        for message in self.messages_with_buttons():
            for row in message["reply_markup"]["inline_keyboard"]:
                for button in row:
                    if label in (button.get("text"), button.get("callback_data")):
                        return message, button
        raise LookupError(f"no button {label!r} in the chat")

    async def press(self, label: str) -> list[ApiCall]:
        """Press a callback button by its text or data (newest message first)."""
        message, button = self.find_button(label)
        if "callback_data" not in button:
            raise LookupError(f"button {label!r} opens a link, it cannot be pressed")
        return await self.press_data(message, button["callback_data"])

    async def press_data(self, message: dict, data: str) -> list[ApiCall]:
        query = {
            "id": str(next(self.sim._callback_ids)),
            "from": self.profile,
            "message": message,
            "chat_instance": str(self.id),
            "data": data,
        }
        return await self.sim.process({"callback_query": query})
