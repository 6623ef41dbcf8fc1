"""An in-memory Bot API: the transport under `telegram.Bot` for the console
and the tests.

The real `telegram.ext.Application` runs unchanged on top of it; only the
HTTPS round trip to Telegram is replaced by `InMemoryBotAPI.do_request`, which
answers like the Bot API does (including its refusals: malformed HTML, texts
over 4096 characters, oversized callback data, non-https button URLs) and
records every call so tests can assert on exactly what the bot sent.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.core.telegram_html import HtmlRefused, check_html, visible_length

BOT_USER = {
    "id": 1000001,
    "is_bot": True,
    "first_name": "Advocacy Bot",
    "username": "advocacy_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
MAX_TEXT = 4096
MAX_CAPTION = 1024


@dataclass
class ApiCall:
    """One Bot API request the bot made, with its parameters and any files."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)
    result: Any = None

    @property
    def ok(self) -> bool:
        """False when the API refused or failed this call."""
        return not (isinstance(self.result, dict) and "error_code" in self.result)

    @property
    def text(self) -> str | None:
        return self.params.get("text") or self.params.get("caption")

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    def buttons(self) -> list[dict]:
        """Inline buttons in reading order (rows flattened)."""
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    def button_texts(self) -> list[str]:
        return [b["text"] for b in self.buttons()]


class BotApiRefusal(Exception):
    """The Bot API would answer this request with an error."""

    def __init__(self, code: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def _check_markup(markup: dict | None) -> None:
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise BotApiRefusal(400, "Bad Request: BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and not url.startswith(("https://", "http://", "tg://")):
                raise BotApiRefusal(400, "Bad Request: BUTTON_URL_INVALID")


class InMemoryBotAPI(BaseRequest):
    """Plays the Bot API in memory and records every call.

    `listeners` are called with each successful ApiCall (the console prints
    them). `fault` may return a BotApiRefusal (or raise an exception such as
    a timeout) for a given call, so tests can make the API misbehave.
    `message_ids` (chat id -> the next message id) numbers the bot's
    messages; by default each chat counts from 1, and the console passes one
    sequence that continues across sessions (see bot/console.py).
    """

    def __init__(self, clock: Callable[[], float] = time.time,
                 message_ids: Callable[[int], int] | None = None):
        self.calls: list[ApiCall] = []
        self.refusals: list[ApiCall] = []
        self.messages: dict[tuple[int, int], dict] = {}
        self.listeners: list[Callable[[ApiCall], None]] = []
        self.fault: Callable[[str, dict], BotApiRefusal | None] | None = None
        self.clock = clock
        self._message_ids: dict[int, itertools.count] = {}
        self._next_message_id = message_ids or self._per_chat_message_id
        self._file_ids = itertools.count(1)
        self._answered: set[str] = set()
        self.webhook: dict | None = None

    # -- BaseRequest ---------------------------------------------------------
    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, url, method, request_data: RequestData | None = None, **_timeouts):
        params = dict(request_data.parameters) if request_data else {}
        files = {}
        if request_data:
            for name, (filename, content, mimetype) in request_data.multipart_data.items():
                data = content if isinstance(content, bytes) else content.read()
                files[name] = (filename, data, mimetype)
        return self.answer(url.rsplit("/", 1)[-1], params, files)

    def answer(self, api_method: str, params: dict, files: dict) -> tuple[int, bytes]:
        """(HTTP status, JSON body) for one Bot API call, recorded in `calls`."""
        call = ApiCall(api_method, params, files)
        try:
            if self.fault and (refusal := self.fault(api_method, params)) is not None:
                raise refusal
            handler = getattr(self, f"_api_{api_method}", None)
            if handler is None:
                raise BotApiRefusal(400, f"Bad Request: in-memory Bot API has no {api_method}")
            call.result = handler(params, files)
        except BotApiRefusal as refusal:
            call.result = {"error_code": refusal.code, "description": refusal.description}
            self.calls.append(call)
            self.refusals.append(call)
            body = {"ok": False, "error_code": refusal.code, "description": refusal.description}
            if refusal.parameters:
                body["parameters"] = refusal.parameters
            return refusal.code, json.dumps(body).encode()
        self.calls.append(call)
        for listener in self.listeners:
            listener(call)
        return 200, json.dumps({"ok": True, "result": call.result}).encode()

    # -- helpers -------------------------------------------------------------
    def take_calls(self) -> list[ApiCall]:
        """The calls made since the last take, and forget them."""
        calls, self.calls = self.calls, []
        return calls

    def _per_chat_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _new_message(self, chat_id: int, **content) -> dict:
        message = {
            "message_id": self._next_message_id(chat_id),
            "date": int(self.clock()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            **{k: v for k, v in content.items() if v is not None},
        }
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _stored(self, params: dict) -> dict:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise BotApiRefusal(400, "Bad Request: message to edit not found")
        return self.messages[key]

    @staticmethod
    def _checked_text(params: dict, key: str = "text", limit: int = MAX_TEXT) -> str | None:
        text = params.get(key)
        if text is None:
            return None
        if key == "text" and not text.strip():
            raise BotApiRefusal(400, "Bad Request: message text is empty")
        # Telegram counts a caption after entities parsing; texts are held to their raw length here
        # (stricter than Telegram: what the bot splits on, see bot/chat/delivery.py).
        length = visible_length(text) if key == "caption" else len(text)
        if length > limit:
            raise BotApiRefusal(400, "Bad Request: message caption is too long" if key == "caption"
                                else "Bad Request: message is too long")
        if params.get("parse_mode") == "HTML":
            try:
                check_html(text)
            except HtmlRefused as refused:
                raise BotApiRefusal(400, f"Bad Request: can't parse entities: {refused}") from None
        return text

    # -- the Bot API methods the bot uses -------------------------------------
    def _api_getMe(self, params, files):
        return BOT_USER

    def _api_setMyCommands(self, params, files):
        return True

    def _api_setWebhook(self, params, files):
        self.webhook = {"url": params["url"], "secret_token": params.get("secret_token"),
                        "drop_pending_updates": params.get("drop_pending_updates") in (True, "true")}
        return True

    def _api_deleteWebhook(self, params, files):
        self.webhook = None
        return True

    def _api_sendMessage(self, params, files):
        text = self._checked_text(params)
        _check_markup(params.get("reply_markup"))
        return self._new_message(int(params["chat_id"]), text=text, reply_markup=params.get("reply_markup"))

    def _api_editMessageText(self, params, files):
        return self._edited(params, "text", MAX_TEXT)

    def _api_editMessageCaption(self, params, files):
        return self._edited(params, "caption", MAX_CAPTION)

    def _edited(self, params, field: str, limit: int) -> dict:
        """editMessageText / editMessageCaption: the message's `field` and
        keyboard replaced, refused as Telegram refuses it (a document's
        caption is edited with editMessageCaption, a text with
        editMessageText; nothing changed)."""
        message = self._stored(params)
        if ("text" in message) != (field == "text"):  # a text message has no caption, a document no text
            raise BotApiRefusal(400, f"Bad Request: there is no {field} in the message to edit")
        value = self._checked_text(params, field, limit)
        _check_markup(params.get("reply_markup"))
        if value == message.get(field) and params.get("reply_markup") == message.get("reply_markup"):
            raise BotApiRefusal(400, "Bad Request: message is not modified")
        message[field] = value
        message["reply_markup"] = params.get("reply_markup")
        message["edit_date"] = int(self.clock())
        return {k: v for k, v in message.items() if v is not None}

    def _api_editMessageReplyMarkup(self, params, files):
        message = self._stored(params)
        _check_markup(params.get("reply_markup"))
        message["reply_markup"] = params.get("reply_markup")
        return {k: v for k, v in message.items() if v is not None}

    def _api_deleteMessage(self, params, files):
        self.messages.pop((int(params["chat_id"]), int(params["message_id"])), None)
        return True

    def _api_answerCallbackQuery(self, params, files):
        if params["callback_query_id"] in self._answered:
            raise BotApiRefusal(400, "Bad Request: query is too old and response timeout expired "
                                     "or query id is invalid")
        self._answered.add(params["callback_query_id"])
        if len(params.get("text") or "") > 200:
            raise BotApiRefusal(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _send_file(self, params, files, kind: str):
        caption = self._checked_text(params, "caption", MAX_CAPTION)
        _check_markup(params.get("reply_markup"))
        if not files:
            raise BotApiRefusal(400, f"Bad Request: there is no {kind} in the request")
        (filename, data, mimetype), = files.values()
        file_id = f"file-{next(self._file_ids)}"
        attachment = {"file_id": file_id, "file_unique_id": file_id, "file_size": len(data)}
        if kind == "document":
            attachment.update(file_name=filename, mime_type=mimetype)
        else:
            attachment.update(width=800, height=400)
            attachment = [attachment]
        return self._new_message(int(params["chat_id"]), caption=caption, **{kind: attachment},
                                 reply_markup=params.get("reply_markup"))

    def _api_sendDocument(self, params, files):
        return self._send_file(params, files, "document")

    def _api_sendPhoto(self, params, files):
        return self._send_file(params, files, "photo")
