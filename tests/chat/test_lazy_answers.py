"""Answers to sends are parsed only when read (bot/chat/lazy_answers.py).

Each test sets `LazyAnswerBot` next to python-telegram-bot's own `ExtBot`
on identical in-memory Bot APIs and holds it to the same result: the same
Message, attribute for attribute, once read; the same exceptions; the same
Bot API traffic for the whole benchmark mix.
"""

from __future__ import annotations

import asyncio
import copy
import pickle
from collections import defaultdict

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyParameters,
    Update,
    User,
)
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import ExtBot

from bot.bot_api.transport import BotApiRefusal, InMemoryBotAPI
from bot.chat.app import BOT_DEFAULTS, build_application
from bot.chat.lazy_answers import EagerAnswerBot, LazyAnswerBot, UnparsedMessage
from tests.bench.stack import fixed_clock, run_ours

TOKEN = "1000001:in-memory"
CHAT = 4242
KEYBOARD = InlineKeyboardMarkup([
    [InlineKeyboardButton("Sent", callback_data="rep:d:ua-150-18:luis-videgaray:email:es"),
     InlineKeyboardButton("Not yet", callback_data="rep:n")],
    [InlineKeyboardButton("Open the tweet", url="https://twitter.com/intent/tweet?text=Hola")],
])


class InlineEditingBotAPI(InMemoryBotAPI):
    """Also edits messages sent via inline mode, which Telegram answers with `true`."""

    def _api_editMessageText(self, params, files):
        if "inline_message_id" in params:
            return True
        return super()._api_editMessageText(params, files)


async def both_bots():
    """(ExtBot, LazyAnswerBot), each on its own in-memory Bot API, same clock and Defaults."""
    bots = []
    for cls in (ExtBot, LazyAnswerBot):
        api = InlineEditingBotAPI(clock=fixed_clock)
        bot = cls(TOKEN, request=api, get_updates_request=api, defaults=BOT_DEFAULTS)
        await bot.initialize()
        bots.append(bot)
    return bots


@pytest.fixture
def parses(monkeypatch):
    """How many times Message.de_json ran (python-telegram-bot's parse of a message)."""
    count = [0]
    original = Message.de_json.__func__

    def counting(cls, data, bot=None):
        count[0] += 1
        return original(cls, data, bot)

    monkeypatch.setattr(Message, "de_json", classmethod(counting))
    return count


def assert_same_message(lazy: Message, eager: Message) -> None:
    """Everything a caller can see, compared with python-telegram-bot's own parse."""
    assert type(eager) is Message
    assert lazy.to_dict() == eager.to_dict()
    assert type(lazy) is Message  # reading it made it a plain Message
    assert repr(lazy) == repr(eager)
    assert lazy == eager and eager == lazy and hash(lazy) == hash(eager)
    assert lazy.date == eager.date and lazy.date.tzinfo == eager.date.tzinfo
    assert lazy.chat == eager.chat and lazy.chat_id == eager.chat_id == CHAT
    assert lazy.from_user == eager.from_user and lazy.from_user.username == eager.from_user.username
    assert lazy.api_kwargs == eager.api_kwargs
    assert lazy.get_bot() is not None


async def test_an_unread_answer_is_not_parsed_and_a_read_one_equals_ptbs_parse(parses):
    eager_bot, lazy_bot = await both_bots()
    eager = await eager_bot.send_message(CHAT, "<b>Thank you</b>", reply_markup=KEYBOARD)
    assert parses[0] == 1
    lazy = await lazy_bot.send_message(CHAT, "<b>Thank you</b>", reply_markup=KEYBOARD)
    assert parses[0] == 1 and type(lazy) is UnparsedMessage  # nothing parsed yet
    assert isinstance(lazy, Message)
    assert parses[0] == 1  # isinstance does not parse it either
    assert lazy.message_id == eager.message_id == 1
    assert parses[0] == 2  # the first read parses it, once
    assert lazy.reply_markup == eager.reply_markup == KEYBOARD
    assert lazy.reply_markup.inline_keyboard[0][1].callback_data == "rep:n"
    assert lazy.reply_markup.inline_keyboard[1][0].url == "https://twitter.com/intent/tweet?text=Hola"
    assert lazy.text == eager.text == "<b>Thank you</b>"
    assert_same_message(lazy, eager)
    assert parses[0] == 2
    assert lazy.get_bot() is lazy_bot


async def test_the_first_read_may_be_anything(parses):
    """A method, hash, equality, repr, pickling or a copy each parse first."""
    eager_bot, lazy_bot = await both_bots()
    eager = await eager_bot.send_message(CHAT, "Menu", reply_markup=KEYBOARD)
    firsts = {
        "hash": lambda m: hash(m) == hash(eager),
        "equals": lambda m: m == eager,
        "equals, reflected": lambda m: eager == m,
        "repr": lambda m: repr(m) == repr(eager),
        "to_dict": lambda m: m.to_dict() == eager.to_dict(),
        "a property": lambda m: m.chat_id == CHAT,
        "subscript": lambda m: m["message_id"] == eager.message_id,
        "pickle": lambda m: pickle.loads(pickle.dumps(m)).to_dict() == eager.to_dict(),
        "deepcopy": lambda m: copy.deepcopy(m).to_dict() == eager.to_dict(),
        "copy": lambda m: copy.copy(m).to_dict() == eager.to_dict(),
    }
    for name, first_read in firsts.items():
        lazy_bot.request.messages.clear()
        lazy_bot.request._message_ids.clear()
        lazy = await lazy_bot.send_message(CHAT, "Menu", reply_markup=KEYBOARD)
        assert type(lazy) is UnparsedMessage, name
        assert first_read(lazy), name
        assert_same_message(lazy, eager)


async def test_a_document_and_a_photo_read_like_ptbs():
    eager_bot, lazy_bot = await both_bots()
    answers = []
    for bot in (eager_bot, lazy_bot):
        pdf = InputFile(b"%PDF-1.4 letter", filename="letter-videgaray.pdf")
        document = await bot.send_document(CHAT, pdf, caption="Your letter", reply_markup=KEYBOARD)
        photo = await bot.send_photo(CHAT, InputFile(b"\x89PNG chart", filename="stats.png"))
        answers.append((document, photo))
    (eager_doc, eager_photo), (lazy_doc, lazy_photo) = answers
    assert type(lazy_doc) is UnparsedMessage and type(lazy_photo) is UnparsedMessage
    assert lazy_doc.document.file_id == eager_doc.document.file_id == "file-1"
    assert lazy_doc.document.file_name == "letter-videgaray.pdf"
    assert lazy_doc.document.mime_type == eager_doc.document.mime_type
    assert lazy_doc.document.file_size == len(b"%PDF-1.4 letter")
    assert lazy_doc.document == eager_doc.document
    assert lazy_doc.caption == "Your letter" and lazy_doc.reply_markup == KEYBOARD
    assert_same_message(lazy_doc, eager_doc)
    assert lazy_photo.photo == eager_photo.photo and lazy_photo.photo[0].width == 800
    assert_same_message(lazy_photo, eager_photo)


async def test_edits_and_shortcuts_on_an_unread_answer():
    eager_bot, lazy_bot = await both_bots()
    results = []
    for bot in (eager_bot, lazy_bot):
        sent = await bot.send_message(CHAT, "Sending: 0 of 2,000", reply_markup=KEYBOARD)
        edited = await bot.edit_message_text("Sending: 25 of 2,000", chat_id=CHAT, message_id=1)
        via_shortcut = await sent.edit_text("Sending: 50 of 2,000")  # needs the bot and the chat
        markup_only = await bot.edit_message_reply_markup(chat_id=CHAT, message_id=1, reply_markup=None)
        inline = await bot.edit_message_text("Done", inline_message_id="inline-1")
        results.append((edited, via_shortcut, markup_only, inline))
    for eager, lazy in zip(*results, strict=True):
        if eager is True:
            assert lazy is True  # Telegram's `true` for an inline message stays True
            continue
        assert type(lazy) is UnparsedMessage
        assert lazy.text == eager.text and lazy.edit_date == eager.edit_date
        assert_same_message(lazy, eager)
    assert results[1][1].get_bot() is lazy_bot


REFUSALS = [
    ("too long", BotApiRefusal(400, "Bad Request: message is too long"), BadRequest),
    ("blocked", BotApiRefusal(403, "Forbidden: bot was blocked by the user"), Forbidden),
    ("flood", BotApiRefusal(429, "Too Many Requests: retry after 7", {"retry_after": 7}), RetryAfter),
]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # retry_after's type
@pytest.mark.parametrize(("name", "refusal", "error"), REFUSALS, ids=[r[0] for r in REFUSALS])
async def test_refusals_raise_the_same_exceptions(name, refusal, error):
    raised = []
    for bot in await both_bots():
        bot.request.fault = lambda method, params: refusal if method == "sendMessage" else None
        with pytest.raises(error) as caught:
            await bot.send_message(CHAT, "Hello", reply_markup=KEYBOARD)
        raised.append(caught.value)
        assert isinstance(await bot.get_me(), User)  # the next call is not affected
        bot.request.fault = None
        assert (await bot.send_message(CHAT, "Hello")).text == "Hello"
    eager, lazy = raised
    assert type(lazy) is type(eager) and str(lazy) == str(eager)
    if isinstance(eager, RetryAfter):
        assert lazy.retry_after == eager.retry_after


async def test_an_edit_of_a_missing_message_and_a_bad_call_raise_as_before():
    for bot in await both_bots():
        with pytest.raises(BadRequest, match="Message to edit not found"):
            await bot.edit_message_text("x", chat_id=CHAT, message_id=99)
        # refused by python-telegram-bot before any request: nothing may stay armed
        with pytest.raises(ValueError, match="mutually exclusive"):
            await bot.send_message(CHAT, "x", reply_to_message_id=1, reply_parameters=ReplyParameters(1))
        me = await bot.get_me()
        assert isinstance(me, User) and me.username == "advocacy_test_bot"
        assert await bot.set_my_commands([("start", "Start")]) is True


async def test_the_application_bot_answers_lazily_and_keeps_errors(services):
    """Through build_application: Defaults, the retrying request and Chat's shortcut."""
    api = InMemoryBotAPI(clock=services.clock)
    application = build_application(services, request=api)
    assert type(application.bot) is LazyAnswerBot
    async with application:
        chat = Update.de_json({"update_id": 1, "message": {
            "message_id": 5, "date": int(services.clock()), "chat": {"id": CHAT, "type": "private"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "Ana"}, "text": "hi"}},
            application.bot).effective_chat
        message = await chat.send_message("<i>Saved</i>", reply_markup=KEYBOARD)
        assert type(message) is UnparsedMessage
        assert message.message_id == api.calls[-1].result["message_id"]
        assert message.reply_markup == KEYBOARD and message.text == "<i>Saved</i>"
        assert api.calls[-1].params["parse_mode"] == "HTML"  # the Defaults still apply
        api.fault = lambda method, params: BotApiRefusal(400, "Bad Request: can't parse entities")
        with pytest.raises(BadRequest, match="parse entities"):
            await chat.send_message("<b>")
        api.fault = lambda method, params: BotApiRefusal(502, "Bad Gateway") if len(api.refusals) < 3 \
            else None
        retried = await chat.send_message("after the retries")  # RetryingRequest still retries
        assert retried.text == "after the retries"
    assert type(build_application(services, request=api, lazy_answers=False).bot) is EagerAnswerBot


def traffic(calls) -> dict:
    """The Bot API calls per supporter, in order (each supporter's updates run in order;
    different supporters' interleave as the SQLite thread answers)."""
    per_chat = defaultdict(list)
    owner = {}
    for call in calls:
        if call.method == "answerCallbackQuery":
            key = owner.get(call.params["callback_query_id"], ("query", call.params["callback_query_id"]))
        else:
            key = call.chat_id
        per_chat[key].append((call.method, call.params, call.files, call.result))
    return dict(per_chat)


async def mix_traffic(path, catalog, matcher) -> dict:
    """The benchmark's mix of 35 supporters run once: its Bot API calls per
    supporter (`traffic`), after checking every update was answered."""
    api = InMemoryBotAPI(clock=fixed_clock)
    calls = []
    api.listeners.append(calls.append)
    run, _, _ = await run_ours(path, catalog, matcher, supporters=35, api=api)
    assert run.errors == 0 and run.updates == 350
    return traffic(calls)


async def test_the_mix_makes_the_same_bot_api_calls(tmp_path, catalog, matcher, parses):
    """The benchmark's mix of 35 supporters (every profile: writers, readers, both
    languages) with and without lazy answers: identical calls, answers and refusals."""
    seen, parsed = {}, {}
    for lazy in (False, True):
        api = InMemoryBotAPI(clock=fixed_clock)
        calls = []
        api.listeners.append(calls.append)
        before = parses[0]
        run, _, kinds = await run_ours(tmp_path / f"mix-{lazy}.sqlite3", catalog, matcher, supporters=35,
                                       api=api, lazy_answers=lazy)
        parsed[lazy] = parses[0] - before
        assert run.errors == 0 and run.updates == 350 and set(kinds) == {"menu", "text", "letter", "report"}
        seen[lazy] = traffic(calls)
        assert len(calls) == run.api_calls
    assert seen[True] == seen[False]
    assert sum(len(c) for c in seen[True].values()) > 500
    sends = sum(1 for c in seen[True].values() for method, *_ in c if method != "answerCallbackQuery")
    assert parsed[False] - parsed[True] >= sends - 10  # nearly every answer went unread


class AnswersInReverse(InMemoryBotAPI):
    """Holds each send's answer until the next chat's send was answered: sends
    started for chats 1..n in order are answered n first, 1 last."""

    def __init__(self, chats: int, **kwargs):
        super().__init__(**kwargs)
        self.chats = chats
        self.answered: dict[int, asyncio.Event] = {}

    async def do_request(self, url, method, request_data=None, **timeouts):
        chat = int(dict(request_data.parameters).get("chat_id", 0)) if request_data else 0
        if 0 < chat < self.chats:
            await self.answered.setdefault(chat + 1, asyncio.Event()).wait()
        answer = await super().do_request(url, method, request_data, **timeouts)
        self.answered.setdefault(chat, asyncio.Event()).set()
        return answer


async def test_concurrent_sends_keep_their_own_answers():
    """Tasks sending at once (the bot runs 16 updates at a time), answered out of
    order: each gets the answer to its own send."""
    api = AnswersInReverse(40, clock=fixed_clock)
    bot = LazyAnswerBot(TOKEN, request=api, get_updates_request=api, defaults=BOT_DEFAULTS)
    await bot.initialize()
    answers = await asyncio.gather(*(bot.send_message(chat, f"for {chat}") for chat in range(1, 41)))
    assert [call.chat_id for call in api.calls[-40:]] == list(range(40, 0, -1))
    assert [(m.chat_id, m.text) for m in answers] == [(c, f"for {c}") for c in range(1, 41)]
