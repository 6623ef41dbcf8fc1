"""A button press answered too late is not an error.

Telegram accepts one answer to a callback query, within a short time of
the press. An update delivered again after a crash (bot/chat/polling.py; a
webhook Telegram re-sends) may be a press the bot answered already, or one
fetched long enough ago that its answer window closed: Telegram refuses the
answer with "query is too old ... or query id is invalid". Raised, that
refusal would stop the handler before its real work and send the apology
instead; here it is logged and the handler goes on (its reply is a message
or an edit, which Telegram still takes).

Only the bot that talks to Telegram tolerates it: over the in-memory Bot API
(tests, the console) a second answer stays an error, so a handler that
answers twice is still caught.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.chat.encoded_once import EncodedOnce
from bot.chat.lazy_answers import LazyAnswerBot

log = logging.getLogger(__name__)
TOO_LATE = "query is too old"  # Telegram's words, the start of its refusal


class LateAnswersTolerated:
    __slots__ = ()

    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        try:
            return await super().answer_callback_query(*args, **kwargs)  # type: ignore[misc]
        except BadRequest as error:
            if TOO_LATE not in str(error).lower():
                raise
            log.info("a button press answered too late (delivered again after a restart?); going on")
            return False


class TelegramLazyAnswerBot(LateAnswersTolerated, LazyAnswerBot):
    __slots__ = ()


class TelegramExtBot(LateAnswersTolerated, EncodedOnce, ExtBot):
    __slots__ = ()
