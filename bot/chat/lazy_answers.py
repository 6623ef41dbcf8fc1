"""The Bot API's answer to a send, turned into a `telegram.Message` only when
someone looks at it.

Every send or edit returns the message as Telegram stored it, keyboard
included, and python-telegram-bot parses it into a tree of frozen objects
(0.2 to 0.3 ms for one of our messages with a keyboard). Almost no handler
of ours reads that answer: `await chat.send_message(...)` and move on.
Profiles of the benchmark mix put this parsing at 14% of the bot's time
(docs/development.md, Performance).

`LazyAnswerBot` (the application's bot, see `bot.chat.app`) returns an
`UnparsedMessage` instead: a `Message` whose fields are still the answer's
JSON. The first time anything reads it (an attribute, a method, `repr`,
`==`, `hash`, pickling), it is parsed with python-telegram-bot's own
`Message.de_json`, its fields are filled in, and its class becomes `Message`
itself; from then on it is, in every respect, the object python-telegram-bot
would have returned (`type(m) is Message`, same `repr`, same hash). An answer
nobody reads is dropped unparsed. Why a changed class rather than a proxy:
`isinstance(answer, Message)` holds before and after, python-telegram-bot's
shortcuts (`answer.edit_text(...)`) work unchanged, and once parsed nothing
is left in the way of each attribute read.

What differs: an answer python-telegram-bot could not parse (a malformed
answer from a broken Bot API server) raises where it is first read instead
of at the send. Errors of the call itself (400, 403, 429, network) are raised
by the send, exactly as before: they happen before any answer exists.

How the answer is kept from the parser: `Bot._send_message` (python-telegram-
bot's one path for methods that answer with a message) passes a `True`
answer through untouched. During a send, `_post` hands the JSON answer to
the waiting `_send_message` through a context variable (one per asyncio
task, so concurrent sends never mix) and returns `True` in its place.
`tests/chat/test_lazy_answers.py` holds this to python-telegram-bot's own parse.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar
from typing import Any

from telegram import Message
from telegram.ext import ExtBot

from bot.chat.encoded_once import EncodedOnce

# During one send: a list the answer's JSON is put in; None outside a send.
_answer_of_send: ContextVar[list[Any] | None] = ContextVar("answer_of_send", default=None)
# Two threads reading one unparsed answer at once parse it once (the bot reads
# answers on its event loop only; this costs nothing there).
_parsing = threading.Lock()


class UnparsedMessage(Message):
    """A Message still holding the Bot API's JSON answer; parsed on first read.

    Until then the answer's dict waits in the `api_kwargs` slot and the bot
    in `_bot`; the class adds no slot of its own, so that an instance can
    become a plain `Message` in place.
    """

    __slots__ = ()

    @classmethod
    def of(cls, answer: dict[str, Any], bot: ExtBot) -> Message:
        message = object.__new__(cls)
        object.__setattr__(message, "api_kwargs", answer)
        object.__setattr__(message, "_bot", bot)
        return message

    def __getattribute__(self, name: str) -> Any:
        _parse_in_place(self)
        return object.__getattribute__(self, name)


def _parse_in_place(message: UnparsedMessage) -> None:
    """Fill in `message` from python-telegram-bot's parse and make it a Message."""
    with _parsing:
        if type(message) is not UnparsedMessage:  # parsed meanwhile by another thread
            return
        answer = object.__getattribute__(message, "api_kwargs")
        bot = object.__getattribute__(message, "_bot")
        parsed = Message.de_json(answer, bot)
        for name in parsed._get_attrs_names(include_private=True):
            object.__setattr__(message, name, object.__getattribute__(parsed, name))
        object.__setattr__(message, "__class__", Message)


class LazyAnswerBot(EncodedOnce, ExtBot):
    """python-telegram-bot's ExtBot, returning sent and edited messages unparsed
    (and sending shared keyboards encoded once, bot/chat/encoded_once.py).

    With arbitrary callback data on (not used by this bot) python-telegram-bot
    must rewrite the answer's buttons at once, so sends answer as before.
    """

    __slots__ = ()

    async def _send_message(self, endpoint: str, data: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        if self.callback_data_cache is not None:
            return await super()._send_message(endpoint, data, *args, **kwargs)
        held: list[Any] = []
        token = _answer_of_send.set(held)
        try:
            result = await super()._send_message(endpoint, data, *args, **kwargs)
        finally:
            _answer_of_send.reset(token)
        if held:
            return UnparsedMessage.of(held[0], self)
        return result

    async def _post(self, endpoint: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, data, **kwargs)
        held = _answer_of_send.get()
        if held is not None and not held and isinstance(result, dict):
            held.append(result)
            return True  # passed through by Bot._send_message, unparsed
        return result


class EagerAnswerBot(EncodedOnce, ExtBot):
    """python-telegram-bot's ExtBot parsing every answer, as it comes (for
    comparisons: the bot before lazy answers), with shared keyboards encoded once."""

    __slots__ = ()
