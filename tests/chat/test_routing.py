"""An update's handler is found without asking every handler (bot/chat/routing.py),
and it is always the handler python-telegram-bot's own scan would have found."""

from __future__ import annotations

import itertools
import re

from telegram import Update
from telegram.ext import Application, BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.bot_api.transport import InMemoryBotAPI
from bot.chat.routing import QuickConversation, Routed, literal_prefixes, route_handlers
from tests.bench.stack import fixed_clock, run_ours
from tests.chat.test_lazy_answers import mix_traffic
from tests.conftest import start_bot, stop_bot

USER = {"id": 4242, "is_bot": False, "first_name": "Ana", "language_code": "en"}
CHAT = {"id": 4242, "type": "private"}


def first_accepting(handlers, update) -> tuple[BaseHandler | None, object]:
    """python-telegram-bot's scan of one group: the first handler that accepts."""
    for handler in handlers:
        check = handler.check_update(update)
        if check is not None and check is not False:
            if isinstance(handler, Routed):
                return check
            return handler, check
    return None, None


def message(text: str | None, entities=None, **more) -> dict:
    body = {"message_id": 7, "date": 1_537_000_000, "chat": CHAT, "from": USER, **more}
    if text is not None:
        body["text"] = text
    if entities is not None:
        body["entities"] = entities
    return body


def command(text: str, length: int | None = None, offset: int = 0) -> dict:
    word = text.split()[0]
    return message(text, [{"type": "bot_command", "offset": offset, "length": length or len(word)}])


def press(data: str | None, on: dict | None = None, game: str | None = None) -> dict:
    query = {"id": "1", "from": USER, "chat_instance": "1", "message": on or message("Menu")}
    if data is not None:
        query["data"] = data
    if game is not None:
        query["game_short_name"] = game
    return {"callback_query": query}


def cases(plain: list[BaseHandler], seen_data: set[str]) -> list[dict]:
    """Updates of every kind: each handler's own prefixes and commands and near
    misses of them, every button the bot sent in the mix, typed text, oddities."""
    data = set(seen_data) | {"", "zzz", "m", "menu", "menu:", "ménu:learn", "learn", "learnx", "x" * 64}
    for handler in plain:
        for prefix in literal_prefixes(getattr(handler, "pattern", None)) or ():
            data |= {prefix, prefix + "x", prefix[:-1], prefix + "1:2:3", prefix.upper(), " " + prefix}
        pattern = getattr(getattr(handler, "pattern", None), "pattern", None)
        if isinstance(pattern, str):
            data.add(re.sub(r"[\^$()|\\]", "", pattern))
    inner = [h for conversation in plain if isinstance(conversation, ConversationHandler)
             for h in (*conversation.entry_points, *itertools.chain(*conversation.states.values()),
                       *conversation.fallbacks)]
    for handler in inner:
        for prefix in literal_prefixes(getattr(handler, "pattern", None)) or ():
            data |= {prefix, prefix + "x", prefix[:-1]}
    commands = {c for h in (*plain, *inner) for c in getattr(h, "commands", ())} | {"nope", "Start", "STATS"}
    updates = [press(d) for d in sorted(data)]
    updates += [press(d, on=command("/start")) for d in ("menu:home", "nope", "")]  # a command's message
    updates += [press(None), press(None, game="game"), press("faq:x", game="game")]
    for name in sorted(commands):
        updates += [{"message": command(f"/{name}")}, {"message": command(f"/{name}@advocacy_test_bot")},
                    {"message": command(f"/{name}@other_bot")}, {"message": command(f"/{name} now")},
                    {"message": command(f"/{name}", length=3)}, {"message": message(f"/{name}")},
                    {"message": command(f"hi /{name}", offset=3)}, {"edited_message": command(f"/{name}")}]
    updates += [{"message": message(text)} for text in ("hello", "/", "", "¿qué es un tercer país seguro?")]
    updates += [{"message": message(None, photo=[{"file_id": "p", "file_unique_id": "p", "width": 1,
                                                   "height": 1}])},
                {"channel_post": {"message_id": 1, "date": 0, "chat": {"id": -5, "type": "channel"},
                                  "text": "/start", "entities": [{"type": "bot_command", "offset": 0,
                                                                   "length": 6}]}}]
    return updates


async def test_every_update_goes_to_the_handler_the_plain_scan_finds(services, catalog, matcher, tmp_path):
    """Hundreds of updates (every prefix and command and their near misses,
    every button of the benchmark mix, oddities), checked against each group as
    routed and as python-telegram-bot would scan it: the same handler, with the
    same check result, every time."""
    api = InMemoryBotAPI(clock=fixed_clock)
    calls = []
    api.listeners.append(calls.append)
    await run_ours(tmp_path / "mix.sqlite3", catalog, matcher, supporters=14, api=api)
    seen_data = {b["callback_data"] for c in calls for row in (c.params.get("reply_markup") or {}).get(
        "inline_keyboard", []) for b in row if "callback_data" in b}
    assert len(seen_data) > 30
    application, api = await start_bot(services)
    routed_groups = {group: list(handlers) for group, handlers in application.handlers.items()}
    plain_groups = {group: list(itertools.chain.from_iterable(
        h.handlers if isinstance(h, Routed) else (h,) for h in handlers))
        for group, handlers in routed_groups.items()}
    assert sum(isinstance(h, Routed) for h in routed_groups[0]) >= 2
    assert len(plain_groups[0]) > 40 and len(routed_groups[0]) < 10
    updates = cases(plain_groups[0], seen_data)
    assert len(updates) > 300
    matched = set()
    for payload in updates:
        update = Update.de_json({"update_id": 1, **payload}, application.bot)
        for group, routed in routed_groups.items():
            expected, found = first_accepting(plain_groups[group], update), first_accepting(routed, update)
            assert found[0] is expected[0], (payload, group)
            assert type(found[1]) is type(expected[1]) and repr(found[1]) == repr(expected[1])
            matched.add(expected[0])
    assert len(matched) > 40  # nearly every handler was the one found for some update
    assert first_accepting(routed_groups[0], "not an update") == (None, None)
    conversations = [h for h in routed_groups[0] if isinstance(h, ConversationHandler)]
    assert len(conversations) == 3 and all(type(h) is QuickConversation for h in conversations)
    outside = 0
    for conversation in conversations:  # in no state, then in each of its states
        for state in (None, *conversation.states):
            if state is not None:
                conversation._conversations[(4242, 4242)] = state
            for payload in updates:
                update = Update.de_json({"update_id": 1, **payload}, application.bot)
                quick = conversation.check_update(update)
                plain = ConversationHandler.check_update(conversation, update)
                assert repr(quick) == repr(plain), (payload, state)
                outside += state is None and quick is None
            conversation._conversations.pop((4242, 4242), None)
    assert outside > 600
    for routed in (h for h in routed_groups[0] if isinstance(h, Routed)):  # nothing typed is kept as a key
        assert {first for _, first, _ in routed._plans} <= routed._firsts | {""}
        assert {name for _, _, name in routed._plans} <= routed._commands | {""}
    await stop_bot(application)


async def test_the_mix_is_answered_the_same_routed_or_scanned(tmp_path, catalog, matcher, monkeypatch):
    """The benchmark's mix of 35 supporters with the handlers routed and as
    python-telegram-bot scans them: the very same Bot API calls."""
    import bot.chat.app as app_module

    seen = {}
    for routed in (False, True):
        if not routed:
            monkeypatch.setattr(app_module, "route_handlers", lambda application: None)
        seen[routed] = await mix_traffic(tmp_path / f"mix-{routed}.sqlite3", catalog, matcher)
        monkeypatch.undo()
    assert seen[True] == seen[False]


def test_prefixes_are_only_read_where_they_are_certain():
    cases = {"^faq:": ("faq:",), "^(menu:learn|learn)$": ("menu:learn", "learn"),
             r"^(menu:past|arch:list:\d+)$": ("menu:past", "arch:list:"), "^ab?c": ("a",), "^a+": ("a",),
             "^(a(b|c)|d)": ("a", "d"), "^(ab|cd)x": ("ab", "cd"), "faq:": None, "^(a|)": None,
             "^(ab|cd)?x": None, "^a{2}": None, r"^\.a": None, r"^(a\|b)": None, "^([ab]|c)": None,
             "^(?:ab)": None, "^.a": None}
    for pattern, prefixes in cases.items():
        assert literal_prefixes(re.compile(pattern)) == prefixes, pattern
    assert literal_prefixes(re.compile("^faq:", re.IGNORECASE)) is None
    assert literal_prefixes("^faq:") is None and literal_prefixes(None) is None


def test_a_run_of_handlers_that_do_not_block_stays_not_blocking():
    """python-telegram-bot awaits a handler or runs it as a task by its `block`:
    a run is made only of handlers that block alike, and the `Routed` handler
    that stands for it blocks as they do (none of ours is non-blocking)."""
    async def callback(update, context) -> None:  # pragma: no cover
        return None

    application = Application.builder().token("1:test").build()
    blocking = CommandHandler("a", callback)
    free = [CommandHandler("b", callback, block=False), CommandHandler("c", callback, block=False)]
    application.add_handlers([blocking, *free])
    route_handlers(application)
    first, routed = application.handlers[0]
    assert first is blocking and type(routed) is Routed
    assert routed.handlers == tuple(free) and routed.block is False


def test_a_press_without_data_goes_where_the_plain_scan_sends_it():
    """python-telegram-bot lets a button handler with a pattern take a press that
    carries no data (nor a game): the first such handler of the run, as scanned."""
    async def callback(update, context) -> None:  # pragma: no cover
        return None

    handlers = [CallbackQueryHandler(callback, pattern="^faq:"),
                CallbackQueryHandler(callback, pattern="^menu:")]
    routed = Routed(handlers)
    for data in (None, ""):
        update = Update.de_json({"update_id": 1, **press(data)}, None)
        assert first_accepting(handlers, update) == (handlers[0], True)
        assert routed.check_update(update) == (handlers[0], True), data
