"""Finding an update's handler without asking every handler in turn.

python-telegram-bot asks the handlers of a group one by one, in the order
they were added, until one accepts the update. The bot's main group holds
about fifty (every command, every kind of button, the conversations), and a
button near the end of the list (Learn, an explainer, Menu) was checked
against some forty regular expressions and command parsers first: 40 µs of
each such tap on the 2-core machine of `make bench`, a /start 19 µs.

`route_handlers` replaces each run of consecutive plain handlers in a group
with one `Routed` handler that checks the same handlers in the same order,
but passes over those that cannot accept the update, from a test that
costs next to nothing:

- a button handler whose pattern begins with fixed text (``^faq:``) when
  the button's data does not begin with that text (its regular expression
  could not match);
- a command handler when the message does not begin with one of its
  commands (it would return None).

Every other handler, and every handler for which that cannot be told from
its pattern, is asked as before; the first to accept gets the update, as
before, and runs as it would have (its own `handle_update`). Conversations
are never wrapped: python-telegram-bot finds them in the group to load and
save their states.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import MessageEntity, Update
from telegram.ext import Application, BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler

_SPECIAL = set(".^$*+?{}[]\\|()")
_QUANTIFIERS = set("*?{")
# The flags python-telegram-bot compiles a str pattern with: its text is then literal as written.
_PLAIN_FLAGS = re.compile("").flags


def _literal_start(text: str) -> str:
    """The fixed text `text` (a regular expression) begins with."""
    end = 0
    while end < len(text) and text[end] not in _SPECIAL:
        end += 1
    if end < len(text) and text[end] in _QUANTIFIERS:
        end -= 1  # "ab?": the b may be absent
    return text[:end]


def literal_prefixes(pattern: object) -> tuple[str, ...] | None:
    """The fixed texts every match of `pattern` (a compiled regular expression
    matched from the start, as python-telegram-bot matches button data) begins
    with, one of them: ``^faq:`` gives ("faq:",), ``^(menu:learn|learn)$``
    ("menu:learn", "learn"). None when that cannot be relied on (another kind
    of pattern, flags, no ``^``, an alternative with no fixed start)."""
    if not isinstance(pattern, re.Pattern) or pattern.flags != _PLAIN_FLAGS:
        return None
    source = pattern.pattern
    if not isinstance(source, str) or not source.startswith("^"):
        return None
    if not source.startswith("^("):
        prefix = _literal_start(source[1:])
        return (prefix,) if prefix else None
    if source.startswith("^(?"):
        return None  # an extension (flags, lookahead, a named group): not read here
    if any(tricky in source for tricky in ("\\(", "\\)", "\\|", "[")):
        return None  # an escaped bracket or bar, or a set: not split here
    depth, alternatives, current, index = 1, [], [], 2
    while depth:  # the first group's alternatives, split at its own level
        if index == len(source):
            return None
        char = source[index]
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 1:
            alternatives.append("".join(current))
            current = []
        elif depth:
            current.append(char)
        index += 1
    if source[index:index + 1] in ("?", "*", "{"):
        return None  # the group itself may be absent
    alternatives.append("".join(current))
    prefixes = tuple(_literal_start(alternative) for alternative in alternatives)
    return prefixes if all(prefixes) else None  # an alternative with no fixed start: asked


def _command_of(update: Update) -> str | None:
    """The command python-telegram-bot's CommandHandler would look up
    (lower-cased, without @bot), or None when the message does not begin
    with one (every CommandHandler then returns None)."""
    message = update.effective_message
    if message is None or not message.entities or not message.text:
        return None
    first = message.entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    return message.text[1:first.length].split("@")[0].lower()


_MESSAGE, _BUTTON, _OTHER = "message", "button", "other"  # what an update is, for the plans


class Routed(BaseHandler[Update, Any, Any]):
    """Consecutive handlers of one group, checked in order (see the module)."""

    __slots__ = ("handlers", "_prefixes", "_firsts", "_commands", "_plans")

    def __init__(self, handlers: list[BaseHandler]):
        super().__init__(self._never_called, block=handlers[0].block)
        self.handlers = tuple(handlers)
        # per handler: the prefixes of a button handler's pattern (None: asked whatever the data)
        self._prefixes = tuple(literal_prefixes(h.pattern) if type(h) is CallbackQueryHandler
                               and h.game_pattern is None else None for h in handlers)
        self._firsts = frozenset(p[0] for prefixes in self._prefixes if prefixes for p in prefixes)
        self._commands = frozenset(c for h in handlers if type(h) is CommandHandler for c in h.commands)
        # (what the update is, its data's first character, its command) -> the handlers that may
        # accept it, in order, each with the prefixes to test; made on first use. Only the
        # handlers' own characters and commands are keys (anything else is "other"), so
        # nothing a person types is kept here.
        self._plans: dict[tuple[str, str, str], tuple[tuple[BaseHandler, tuple[str, ...] | None], ...]] = {}

    @staticmethod
    async def _never_called(update: object, context: object) -> None:  # pragma: no cover
        raise AssertionError("a Routed handler runs the handler it found")

    def _plan(self, kind: str, first: str, command: str) -> tuple:
        steps = []
        for handler, prefixes in zip(self.handlers, self._prefixes, strict=True):
            if type(handler) is CallbackQueryHandler:
                if kind == _MESSAGE:
                    continue  # no callback query: it returns None
                if kind == _BUTTON and prefixes is not None:
                    if all(p[0] != first for p in prefixes):
                        continue  # the button's data cannot begin with any of its prefixes
                    steps.append((handler, prefixes))
                    continue
            elif type(handler) is CommandHandler and command not in handler.commands:
                continue  # not one of its commands, or no command: it returns None
            steps.append((handler, None))
        return tuple(steps)

    def check_update(self, update: object) -> tuple[BaseHandler, object] | None:
        data, kind, first, command = None, _OTHER, "", ""
        if isinstance(update, Update):
            query = update.callback_query
            if query is None:
                kind = _MESSAGE
            elif isinstance(query.data, str) and query.data:
                data, kind = query.data, _BUTTON
                first = data[0] if data[0] in self._firsts else ""
            typed = _command_of(update)
            command = typed if typed in self._commands else ""
        key = (kind, first, command)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._plan(kind, first, command)
        for handler, prefixes in plan:
            if prefixes is not None and not data.startswith(prefixes):
                continue  # its pattern cannot match this button's data
            check = handler.check_update(update)
            if check is not None and check is not False:
                return handler, check
        return None

    async def handle_update(self, update: Update, application: Application, check_result: Any,
                            context: Any) -> Any:
        handler, check = check_result
        return await handler.handle_update(update, application, check, context)


class QuickConversation(ConversationHandler):
    """A ConversationHandler that answers at once for a supporter who is not in
    it and whom none of its entry points could accept.

    python-telegram-bot asks every conversation about every update, before
    the other handlers (about 3.5 µs each, a debug message formatted every
    time). For a supporter not in the conversation it only asks its entry
    points, so when each of those would certainly refuse (a button whose
    data cannot match its pattern's fixed prefix, another command, no
    button at all: the tests of `Routed`) the answer is None without asking.
    Otherwise, and always for a supporter in the conversation, it is
    python-telegram-bot's own check.
    """

    __slots__ = ("_entry_plan",)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._entry_plan = tuple(
            (handler, literal_prefixes(handler.pattern) if type(handler) is CallbackQueryHandler
             and handler.game_pattern is None else None) for handler in self.entry_points)

    def check_update(self, update: object) -> Any:
        if isinstance(update, Update) and self.per_chat and self.per_user and not self.per_message:
            chat, user = update.effective_chat, update.effective_user
            outside = chat is not None and user is not None and (chat.id, user.id) not in self._conversations
            if outside and not any(_may_accept(h, prefixes, update) for h, prefixes in self._entry_plan):
                return None
        return super().check_update(update)


def _may_accept(handler: BaseHandler, prefixes: tuple[str, ...] | None, update: Update) -> bool:
    """False only when `handler` would certainly refuse `update`."""
    if type(handler) is CallbackQueryHandler:
        query = update.callback_query
        if query is None:
            return False
        data = query.data
        return prefixes is None or not (isinstance(data, str) and data) or data.startswith(prefixes)
    if type(handler) is CommandHandler:
        return _command_of(update) in handler.commands
    return True


def route_handlers(application: Application) -> None:
    """In every group, each run of two or more consecutive handlers that are
    not conversations (and block alike) becomes one `Routed` handler."""
    for group, handlers in application.handlers.items():
        routed: list[BaseHandler] = []
        run: list[BaseHandler] = []
        for handler in [*handlers, None]:
            if handler is not None and not isinstance(handler, ConversationHandler | Routed) and (
                    not run or handler.block is run[0].block):
                run.append(handler)
                continue
            routed.extend([Routed(run)] if len(run) > 1 else run)
            run = []
            if handler is not None and (isinstance(handler, ConversationHandler | Routed)):
                routed.append(handler)
            elif handler is not None:
                run = [handler]
        application.handlers[group][:] = routed
