"""Shared keyboards and the link-preview default, encoded for the Bot API once.

Before each call python-telegram-bot turns every object among its
parameters into a dict with `to_dict`, walking the object's attributes: a
menu of five buttons costs about 80 µs, the bot's `LinkPreviewOptions`
default (inserted into every send and edit) about 17 µs, on the 2-core
machine of `make bench`. Most replies carry one of the keyboards
`bot.chat.context.keyboard` builds once and shares (python-telegram-bot's
objects are frozen, so the same object always encodes to the same dict),
so that work was done again for the same objects over and over: about a
tenth of the bot's time per update in the benchmark mix.

`remember(obj)` encodes such an object once; `EncodedOnce` (mixed into the
application's bot) hands the Bot API the remembered encoding wherever that
very object is a parameter. Each call gets a fresh copy (`marshal`, about
1.5 µs), so nothing downstream that changes what it was given (the
in-memory Bot API keeps the dicts it is sent) can reach the next call.
What is sent is exactly what python-telegram-bot would have sent: the dict
is its own `to_dict`. Only objects that are built once and shared are
remembered; a keyboard holding a link may carry what a supporter typed
and is built, encoded and forgotten each time, as before.
"""

from __future__ import annotations

import contextlib
import marshal
from typing import Any

from telegram import TelegramObject

# id -> (the object, kept so that its id is not reused while remembered; its encoding)
_ENCODED: dict[int, tuple[TelegramObject, bytes]] = {}
# At most this many (the shared keyboards are bounded by the content; past this
# the oldest is dropped and simply encoded by python-telegram-bot again).
REMEMBERED = 4096


def remember(obj: TelegramObject) -> TelegramObject:
    """Encode a frozen, shared `obj` once; returns it."""
    if len(_ENCODED) >= REMEMBERED:
        with contextlib.suppress(StopIteration, RuntimeError, KeyError):  # another thread got there first
            del _ENCODED[next(iter(_ENCODED))]
    _ENCODED[id(obj)] = (obj, marshal.dumps(obj.to_dict()))
    return obj


def encoded(value: object) -> Any:
    """A fresh copy of the remembered encoding of `value`, else `value` itself."""
    found = _ENCODED.get(id(value))
    if found is None or found[0] is not value:
        return value
    return marshal.loads(found[1])


class EncodedOnce:
    """Mixed into an ExtBot: remembered objects go to the Bot API already encoded."""

    __slots__ = ()

    async def _do_post(self, endpoint: str, data: dict[str, Any], **kwargs: Any) -> Any:
        # `data` is the call's own dict (Bot._post builds it anew for each call)
        for key, value in data.items():
            if isinstance(value, TelegramObject):
                data[key] = encoded(value)
        return await super()._do_post(endpoint, data, **kwargs)  # type: ignore[misc]
