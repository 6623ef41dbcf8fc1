"""Shared keyboards and the link-preview default are encoded for the Bot API
once (bot/chat/encoded_once.py): the bot sends exactly what python-telegram-
bot's own encoding sends, no call can change what a later one sends, and a
keyboard that may hold something typed is never remembered."""

from __future__ import annotations

import pytest

from bot.bot_api.transport import InMemoryBotAPI
from bot.chat import encoded_once
from bot.chat.app import build_application
from bot.chat.context import keyboard
from tests.chat.test_lazy_answers import mix_traffic


async def test_the_mix_sends_what_python_telegram_bot_encodes(tmp_path, catalog, matcher, monkeypatch):
    """The benchmark's mix of 35 supporters (menus, questions, the letter flow,
    reports, both languages), with the remembered encodings and with python-
    telegram-bot encoding every object itself: the very same calls."""
    used = [0]
    original = encoded_once.encoded

    def counted(value):
        found = original(value)
        used[0] += found is not value
        return found

    seen = {}
    for remembered in (False, True):
        monkeypatch.setattr(encoded_once, "encoded", counted if remembered else (lambda value: value))
        seen[remembered] = await mix_traffic(tmp_path / f"mix-{remembered}.sqlite3", catalog, matcher)
    assert seen[True] == seen[False]
    sends = sum(1 for c in seen[True].values() for method, *_ in c if method != "answerCallbackQuery")
    assert used[0] >= sends  # every send has the link-preview default, most a shared keyboard too


async def test_what_one_call_was_given_cannot_change_the_next(bot):
    """The in-memory Bot API keeps the dicts it is sent: changing the menu one
    /start got leaves the next /start's menu as python-telegram-bot encodes it."""
    sim, api = bot
    ana = sim.user(4242)
    first = [c for c in await ana.send("/start") if c.params.get("reply_markup")][-1]
    menu = first.params["reply_markup"]
    expected = {"inline_keyboard": [[dict(button) for button in row] for row in menu["inline_keyboard"]]}
    menu["inline_keyboard"][0][0]["text"] = "changed"
    menu["inline_keyboard"].append([{"text": "added", "callback_data": "x"}])
    first.params["link_preview_options"]["is_disabled"] = False
    again = [c for c in await ana.send("/start") if c.params.get("reply_markup")][-1]
    assert again.params["reply_markup"] == expected
    assert again.params["link_preview_options"] == {"is_disabled": True}


def test_only_keyboards_without_links_are_remembered():
    """A link may carry what a supporter typed (a tweet, an email): such a
    keyboard is built and encoded each time and never kept."""
    shared = keyboard([[("Menu", "menu:home")], [("Learn", "menu:learn")]])
    assert keyboard([[("Menu", "menu:home")], [("Learn", "menu:learn")]]) is shared
    assert encoded_once.encoded(shared) == shared.to_dict()
    assert encoded_once.encoded(shared) is not encoded_once.encoded(shared)
    typed = keyboard([[("Tweet it", "https://twitter.com/intent/tweet?text=my+own+words")],
                      [("Menu", "menu:home")]])
    assert encoded_once.encoded(typed) is typed
    assert not any(kept is typed or b"my+own+words" in encoding
                   for kept, encoding in encoded_once._ENCODED.values())


def test_at_most_so_many_are_remembered_the_oldest_encoded_by_python_telegram_bot_again(monkeypatch):
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    monkeypatch.setattr(encoded_once, "_ENCODED", {})
    monkeypatch.setattr(encoded_once, "REMEMBERED", 3)
    buttons = [InlineKeyboardButton(f"{n}", callback_data=f"{n}") for n in range(5)]
    made = [encoded_once.remember(InlineKeyboardMarkup([[button]])) for button in buttons]
    assert len(encoded_once._ENCODED) == 3
    assert [encoded_once.encoded(m) is m for m in made] == [True, True, False, False, False]
    assert [encoded_once.encoded(m) for m in made[2:]] == [m.to_dict() for m in made[2:]]


class TimedBotAPI(InMemoryBotAPI):
    """The in-memory Bot API, noting the timeouts each request came with."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.timeouts: list[tuple[str, dict]] = []

    async def do_request(self, url, method, request_data=None, **timeouts):
        self.timeouts.append((url.rsplit("/", 1)[-1], timeouts))
        return await super().do_request(url, method, request_data, **timeouts)


async def test_a_calls_own_timeouts_still_reach_the_request(services):
    """The bot hands a call's timeouts on with its parameters: polling's long
    getUpdates waits its read timeout (bot/chat/polling.py), not the request's
    five seconds."""
    api = TimedBotAPI(clock=services.clock)
    application = build_application(services, request=api)
    async with application:
        await application.bot.get_me(read_timeout=42, write_timeout=43)
    (timeouts,) = [timeouts for method, timeouts in api.timeouts if method == "getMe"][-1:]
    assert (timeouts["read_timeout"], timeouts["write_timeout"]) == (42, 43)


@pytest.mark.parametrize("race", [StopIteration, RuntimeError, KeyError])
def test_a_thread_dropping_the_oldest_first_does_not_stop_another_remembering(monkeypatch, race):
    """Two threads may remember at once when the store is full: the other one
    emptied it (StopIteration), changed it while this one looked for the oldest
    (RuntimeError), or dropped the oldest itself (KeyError). Each time, this one
    still remembers its object."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    class Raced(dict):
        """Full by its size; what the other thread did shows when the oldest is looked for or dropped."""

        def __len__(self) -> int:
            return encoded_once.REMEMBERED

        def __iter__(self):
            if race is RuntimeError:
                raise RuntimeError("dictionary changed size during iteration")
            return iter(() if race is StopIteration else list(self.keys()))

        def __delitem__(self, key) -> None:
            raise KeyError(key)

    raced = Raced({0: (None, b"")})
    monkeypatch.setattr(encoded_once, "_ENCODED", raced)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Menu", callback_data="menu:home")]])
    assert encoded_once.remember(markup) is markup
    assert encoded_once.encoded(markup) == markup.to_dict()
