"""The full-stack harness: a mixed stream of updates from simulated supporters,
fed through a real `Application` on the in-memory Bot API, and the same
stream fed to a minimal python-telegram-bot echo bot (the floor), plain and
set up like ours.

A third kind of bot measures what python-telegram-bot alone costs for our
traffic: the zero-work replay (`Recording`, `started_replay`). It gets the
same updates and makes exactly the Bot API calls our bot made for each one
(same methods, texts and keyboards, through the same lazy bot, Defaults,
update processor and retrying request), with no handler logic, store,
templates or persistence: the ceiling our bot could reach if its own work
cost nothing.

Used by test_bench_stack.py (throughput and CPU per update), by
startup_probe.py (peak RSS after the stream, in a fresh process),
profile_mix.py (where the time goes, with py-spy) and by hand:

    .venv/bin/python -m tests.bench.stack [--profile]

How the stream is fed: updates go through `application.update_queue` with the
application started, as the Updater delivers them in production, so
python-telegram-bot's own update fetcher and update processor (and its
concurrency setting) are part of what is measured. The stream is cut in
rounds: each round holds the next step of every supporter, and a round's
updates are built only after the previous round was processed, because a
button press names the message the bot sent (or edited) last. Building the
payloads is outside the timed region; `Update.de_json` (which the Updater
does in production) is inside it.

The mix, per supporter (10 updates each, in this order within each profile):
- writers (2 of 7): /start, then the letter flow (Take action, official,
  email, typed name, typed city, Skip, language → the appeal is delivered),
  then "Sent" on the report prompt, then one question;
- readers (5 of 7): /start, Learn, an explainer, a question, Menu, a question,
  About, a question, "Sent" on a reminder's report prompt, a question.
Overall ≈ 39% /start and menu taps, 31% free-text questions, 20% letter-flow
steps, 10% action reports. Readers alternate English and Spanish clients.

The pauses the bot takes between messages to one chat (Telegram's one
message a second per chat) are skipped: they are waiting, not work, and are
measured by the broadcast benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.appeals.render import AppealRenderer
from bot.bot_api.retrying_request import RetryingRequest
from bot.bot_api.transport import ApiCall, InMemoryBotAPI
from bot.catalog import load_catalog
from bot.catalog.i18n import Texts
from bot.chat.app import BOT_DEFAULTS, build_application
from bot.chat.lazy_answers import LazyAnswerBot
from bot.chat.ordering import PerSupporterUpdateProcessor
from bot.core.config import Settings
from bot.runtime import build_matcher
from bot.services import Services
from bot.store import open_store

ROOT = Path(__file__).resolve().parents[2]
SUPPORTERS = 1_000
NOW = 1_537_000_000.0  # 2018-09-15, while UA 150.18 was open
REPORT_DATA = "rep:d:ua-150-18:luis-videgaray:email:es"


def fixed_clock() -> float:
    return NOW


async def no_sleep(seconds: float) -> None:
    return None


# Fillers people put before a question: with the noisy variants they make
# every question of the mix a new string, so no cache of any kind flatters it.
FILLERS = ("", "hi, ", "ok so ", "pls ", "hey ", "one more: ", "also ", "quick question: ", "and ")


def questions() -> dict[str, Iterator[str]]:
    """Per language, an endless supply of questions that never repeat: the
    three evaluation sets, as written and noisy (tests/ask/noisy_questions.py),
    each behind every filler in turn."""
    from tests.ask.noisy_questions import variants

    items = []
    for name in ("faq_eval.yaml", "faq_eval_fresh.yaml", "faq_eval_blind.yaml"):
        written = yaml.safe_load((ROOT / "tests" / "data" / name).read_text("utf-8"))
        items += written + variants(written)
    by_lang: dict[str, list[str]] = {"en": [], "es": []}
    for item in items:
        by_lang[item["lang"]].append(item["q"])

    def supply(pool: list[str]) -> Iterator[str]:
        seen: set[str] = set()
        for filler in FILLERS:
            for question in pool:
                if (text := filler + question) not in seen:
                    seen.add(text)
                    yield text
        raise RuntimeError("the mix ran out of distinct questions")

    return {lang: supply(pool) for lang, pool in by_lang.items()}


@dataclass
class Step:
    kind: str  # menu | text | letter | report
    send: str | None = None  # text to type
    press: str | None = None  # callback data to press on the newest message with that button
    reminder: bool = False  # press it on a freshly sent reminder prompt


def script(n: int, asked: dict[str, Iterator[str]]) -> tuple[str, list[Step]]:
    """(language code, the steps) of supporter number n."""
    lang = "es" if n % 7 >= 2 and n % 2 else "en"
    q = [next(asked[lang]) for _ in range(4 if n % 7 >= 2 else 1)]
    if n % 7 < 2:  # a writer
        return "en", [
            Step("menu", send="/start"),
            Step("letter", press="menu:act"),
            Step("letter", press="act:off:luis-videgaray"),
            Step("letter", press="act:ch:email"),
            Step("letter", send=f"Ana {n}"),
            Step("letter", send="Tijuana"),
            Step("letter", press="act:lang:es"),
            Step("letter", press="act:skip"),
            Step("report", press=REPORT_DATA),
            Step("text", send=q[0]),
        ]
    return lang, [
        Step("menu", send="/start"),
        Step("menu", press="menu:learn"),
        Step("menu", press="ex:what-is-safe-third-country"),
        Step("text", send=q[0]),
        Step("menu", press="menu:home"),
        Step("text", send=q[1]),
        Step("menu", press="menu:about"),
        Step("text", send=q[2]),
        Step("report", press=REPORT_DATA, reminder=True),
        Step("text", send=q[3]),
    ]


def remind(api: InMemoryBotAPI, chat_id: int, press: str) -> None:
    """Put the reminder the bot sends a day after "Not yet" in the chat."""
    api._new_message(chat_id, text="Did you send it?", reply_markup={
        "inline_keyboard": [[{"text": "Sent", "callback_data": press}]]})


@dataclass
class Chat:
    """What the simulated supporter sees: the bot's messages that have buttons."""

    user: dict
    steps: list[Step]
    with_buttons: dict[int, dict] = field(default_factory=dict)

    def message_with(self, data: str) -> dict | None:
        for message_id in sorted(self.with_buttons, reverse=True):
            message = self.with_buttons[message_id]
            for row in message["reply_markup"]["inline_keyboard"]:
                if any(b.get("callback_data") == data for b in row):
                    return message
        return None


class Stream:
    """Builds each round's payloads from what the bot answered so far."""

    def __init__(self, api: InMemoryBotAPI, supporters: int = SUPPORTERS):
        asked = questions()
        self.api = api
        self.chats: dict[int, Chat] = {}
        for n in range(supporters):
            user_id = 500_000 + n
            lang, steps = script(n, asked)
            user = {"id": user_id, "is_bot": False, "first_name": f"Ana{n}", "language_code": lang}
            self.chats[user_id] = Chat(user, steps)
        self.rounds = max(len(c.steps) for c in self.chats.values())
        self.kinds: Counter[str] = Counter()
        self.round_kinds: list[str] = []  # the kind of each payload of the last round built
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1_000_000)
        self._callback_ids = itertools.count(1)
        self.reminded: list[tuple[int, str]] = []  # (chat, button) of this round's reminders
        api.listeners.append(self._seen)

    def _seen(self, call) -> None:
        message = call.result
        if not isinstance(message, dict) or "message_id" not in message:
            return
        chat = self.chats.get(message["chat"]["id"])
        if chat is None:
            return
        if (message.get("reply_markup") or {}).get("inline_keyboard"):
            chat.with_buttons[message["message_id"]] = message
        else:
            chat.with_buttons.pop(message["message_id"], None)

    def payloads(self, round_: int) -> list[dict]:
        out = []
        self.reminded = []
        self.round_kinds = []
        for user_id, chat in self.chats.items():
            if round_ >= len(chat.steps):
                continue
            step = chat.steps[round_]
            self.kinds[step.kind] += 1
            self.round_kinds.append(step.kind)
            if step.send is not None:
                message = {"message_id": next(self._message_ids), "date": int(NOW),
                           "chat": {"id": user_id, "type": "private"}, "from": chat.user, "text": step.send}
                if step.send.startswith("/"):
                    command = step.send.split()[0]
                    message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
                out.append({"update_id": next(self._update_ids), "message": message})
                continue
            if step.reminder:  # the reminder the bot sends a day after "Not yet"
                remind(self.api, user_id, step.press)
                self.reminded.append((user_id, step.press))
                self._seen_last(user_id)
            message = chat.message_with(step.press) or {
                "message_id": 1, "date": int(NOW), "chat": {"id": user_id, "type": "private"}}
            query = {"id": str(next(self._callback_ids)), "from": chat.user, "message": message,
                     "chat_instance": str(user_id), "data": step.press}
            out.append({"update_id": next(self._update_ids), "callback_query": query})
        return out

    def _seen_last(self, chat_id: int) -> None:
        key = max(k for k in self.api.messages if k[0] == chat_id)
        self.chats[chat_id].with_buttons[key[1]] = self.api.messages[key]


@dataclass
class Run:
    updates: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    api_calls: int = 0
    errors: int = 0

    @property
    def per_s(self) -> float:
        return self.updates / self.wall_s

    @property
    def cpu_us(self) -> float:
        return self.cpu_s / self.updates * 1e6

    def __add__(self, other: Run) -> Run:
        """Two parts of one run (rounds) together; refusals are counted to date, not added."""
        return Run(self.updates + other.updates, self.wall_s + other.wall_s, self.cpu_s + other.cpu_s,
                   self.api_calls + other.api_calls, max(self.errors, other.errors))


async def feed_round(application: Application, payloads: list[dict], api: InMemoryBotAPI) -> Run:
    """Feed one round through the started application's update queue and wait
    until it is processed; time only the processing (de_json included)."""
    queue, bot = application.update_queue, application.bot
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for payload in payloads:
        queue.put_nowait(Update.de_json(payload, bot))
    await queue.join()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return Run(len(payloads), wall, cpu, len(api.take_calls()), len(api.refusals))


async def feed_by_kind(bot: StartedBot) -> dict[str, Run]:
    """The whole mix through our started bot, each round fed kind by kind (a
    round holds one step of each supporter, so the order within it does not
    matter): CPU and time per update of each kind of update."""
    totals: dict[str, Run] = {}
    for round_ in range(bot.stream.rounds):
        payloads = bot.stream.payloads(round_)
        for kind in dict.fromkeys(bot.stream.round_kinds):
            part = [p for p, k in zip(payloads, bot.stream.round_kinds, strict=True) if k == kind]
            totals[kind] = totals.get(kind, Run()) + await feed_round(bot.application, part, bot.api)
    return totals


async def feed(application: Application, rounds: list[list[dict]] | Callable[[int], list[dict]],
               count: int, api: InMemoryBotAPI) -> Run:
    """Feed `count` rounds, one after another."""
    total = Run()
    for round_ in range(count):
        payloads = rounds(round_) if callable(rounds) else rounds[round_]
        total += await feed_round(application, payloads, api)
    return total


# -- the bots ------------------------------------------------------------------

_TIERS: dict[int, Future] = {}


def semantic_tier(catalog) -> Future:
    """The FAQ's semantic tier for ``catalog``, built once per process (the
    default install has it, so the benchmarks run with it), as a done Future
    like the one the bot holds once it is built."""
    if id(catalog) not in _TIERS:
        from bot.ask.semantic_matcher import SemanticTier

        future: Future = Future()
        future.set_result(SemanticTier.build(
            ((entry.id, entry.questions.as_mapping()) for entry in catalog.faq.values()),
            cache_dir=Path(tempfile.gettempdir()) / "advocacy-bot-bench-semantic"))
        _TIERS[id(catalog)] = future
    return _TIERS[id(catalog)]


def services_for(database: Path, catalog=None, matcher=None,
                 organizers: frozenset[int] = frozenset(), semantic: bool = True) -> Services:
    settings = Settings(database_path=database, content_dir=ROOT / "content", seeds_dir=ROOT / "seeds",
                        supporter_id_secret=b"bench-secret-0123456789", organizer_ids=organizers)
    catalog = catalog or load_catalog(settings.content_dir, settings.seeds_dir)
    services = Services(catalog=catalog, settings=settings, texts=Texts(catalog.strings), clock=fixed_clock,
                        sleep=no_sleep, secret=settings.supporter_id_secret,
                        matcher=matcher or build_matcher(catalog), appeals=AppealRenderer(catalog))
    if semantic:
        services.semantic = semantic_tier(catalog)
    return services


def echo_application(api: InMemoryBotAPI, like_ours: bool = False) -> Application:
    """The floor: python-telegram-bot doing almost nothing per update.

    Plain, it is python-telegram-bot as it comes: one update at a time, no
    Defaults, the transport as it is. `like_ours` sets it up as our bot is
    (bot.chat.app): the same Defaults (HTML, no link previews), the same
    PerSupporterUpdateProcessor and the same RetryingRequest around the
    transport, so the ratio against it shows what our handlers, store and
    persistence cost, not python-telegram-bot's configuration. Its bot is
    python-telegram-bot's ExtBot: lazy answers (bot/chat/lazy_answers.py) are
    part of what our bot does, not of the floor. The echo escapes the text,
    as every reply of ours is HTML.
    """

    async def echo(update: Update, context) -> None:
        text = update.effective_message.text
        await update.effective_chat.send_message(html.escape(text) if like_ours else text)

    async def answer(update: Update, context) -> None:
        await update.callback_query.answer()

    builder = ApplicationBuilder().token("1000001:in-memory").get_updates_request(api).updater(None)
    if like_ours:
        builder = (builder.request(RetryingRequest(api, sleep=no_sleep)).defaults(BOT_DEFAULTS)
                   .concurrent_updates(PerSupporterUpdateProcessor()))
    else:
        builder = builder.request(api)
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(answer))
    return application


# The Bot API methods our bot calls in the mix, as python-telegram-bot's methods.
REPLAYED_METHODS = {"sendMessage": "send_message", "editMessageText": "edit_message_text",
                    "editMessageReplyMarkup": "edit_message_reply_markup",
                    "answerCallbackQuery": "answer_callback_query"}


@dataclass
class Recording:
    """Our bot's Bot API calls for each update of the mix, ready to replay.

    `calls` maps an update id to (python-telegram-bot method, its arguments),
    keyboards already built as `InlineKeyboardMarkup` (building them is our
    handlers' work; encoding them is python-telegram-bot's). Parse mode and
    link previews are left to the Defaults, as our handlers leave them.
    `reminders[round]` lists the reminders (chat, button) the stream put in
    before that round (Stream.payloads), to be put in the replay's in-memory
    Bot API too: it then numbers messages as ours did and every edit finds
    its message.
    """

    calls: dict[int, list[tuple[str, dict]]] = field(default_factory=dict)
    reminders: list[list[tuple[int, str]]] = field(default_factory=list)

    def add_round(self, payloads: list[dict], api_calls: list[ApiCall],
                  reminded: list[tuple[int, str]]) -> None:
        update_of_chat, update_of_query = {}, {}
        for payload in payloads:
            if "message" in payload:
                update_of_chat[payload["message"]["chat"]["id"]] = payload["update_id"]
            else:
                query = payload["callback_query"]
                update_of_chat[query["from"]["id"]] = payload["update_id"]
                update_of_query[query["id"]] = payload["update_id"]
            self.calls[payload["update_id"]] = []
        for call in api_calls:
            if call.method not in REPLAYED_METHODS:
                raise ValueError(f"the replay does not know {call.method}")
            kwargs = {k: v for k, v in call.params.items() if k not in ("parse_mode", "link_preview_options")}
            if "reply_markup" in kwargs:
                kwargs["reply_markup"] = InlineKeyboardMarkup.de_json(kwargs["reply_markup"], None)
            update_id = (update_of_query[kwargs["callback_query_id"]] if "callback_query_id" in kwargs
                         else update_of_chat[int(kwargs["chat_id"])])
            self.calls[update_id].append((REPLAYED_METHODS[call.method], kwargs))
        self.reminders.append(list(reminded))

    def prepare_round(self, round_: int, api: InMemoryBotAPI) -> None:
        """Put the round's reminders in the replay's Bot API, before it is fed."""
        for chat_id, press in self.reminders[round_]:
            remind(api, chat_id, press)


class SlowBotAPI(InMemoryBotAPI):
    """The in-memory Bot API with a round trip: each call waits `latency` seconds
    first, as a call over HTTPS to Telegram does (without using the CPU)."""

    def __init__(self, latency: float, **kwargs):
        super().__init__(**kwargs)
        self.latency = latency

    async def do_request(self, url, method, request_data=None, **timeouts):
        await asyncio.sleep(self.latency)
        return await super().do_request(url, method, request_data, **timeouts)


@dataclass
class StartedBot:
    """A started application on its own in-memory Bot API; `stream` builds the
    mix's rounds from what this bot answered (None for an echo bot)."""

    application: Application
    api: InMemoryBotAPI
    stream: Stream | None = None


@contextlib.asynccontextmanager
async def started_ours(database: Path, catalog=None, matcher=None, supporters: int = SUPPORTERS,
                       api: InMemoryBotAPI | None = None, processor=None,
                       lazy_answers: bool = True, semantic: bool = True) -> AsyncIterator[StartedBot]:
    """Our bot, started on a new store, with the mix's stream.

    `processor` replaces the bot's update processor (to compare concurrency settings);
    `lazy_answers` False makes the bot parse every answer, as python-telegram-bot does;
    `semantic` False leaves the semantic tier out (the lexical tier answers alone).
    """
    services = services_for(database, catalog, matcher, semantic=semantic)
    api = api or InMemoryBotAPI(clock=fixed_clock)
    stream = Stream(api, supporters)
    # The store is opened here, as run_polling's post_init would (python-telegram-bot
    # calls post_init and post_shutdown only from run_polling / run_webhook).
    async with await open_store(database) as store:
        services.store = store
        application = build_application(services, request=api, lazy_answers=lazy_answers)
        if processor is not None:
            application._update_processor = processor  # a benchmark-only swap
        async with application:
            await application.start()
            try:
                yield StartedBot(application, api, stream)
            finally:
                await application.stop()


@contextlib.asynccontextmanager
async def started_echo(like_ours: bool = False) -> AsyncIterator[StartedBot]:
    api = InMemoryBotAPI(clock=fixed_clock)
    application = echo_application(api, like_ours)
    async with application:
        await application.start()
        try:
            yield StartedBot(application, api)
        finally:
            await application.stop()


@contextlib.asynccontextmanager
async def started_replay(recording: Recording) -> AsyncIterator[StartedBot]:
    """The zero-work bot: replays `recording` (see the module docstring)."""

    async def replay(update: Update, context) -> None:
        for method, kwargs in recording.calls[update.update_id]:
            await getattr(context.bot, method)(**kwargs)

    api = InMemoryBotAPI(clock=fixed_clock)
    bot = LazyAnswerBot("1000001:in-memory", request=RetryingRequest(api, sleep=no_sleep),
                        get_updates_request=api, defaults=BOT_DEFAULTS)
    application = (ApplicationBuilder().bot(bot).updater(None)
                   .concurrent_updates(PerSupporterUpdateProcessor()).build())
    application.add_handler(TypeHandler(Update, replay))
    async with application:
        await application.start()
        try:
            yield StartedBot(application, api)
        finally:
            await application.stop()


async def record_ours(database: Path, catalog=None, matcher=None, supporters: int = SUPPORTERS) -> Recording:
    """Our bot's calls for each update of the mix, untimed."""
    recording = Recording()
    async with started_ours(database, catalog, matcher, supporters) as ours:
        calls: list[ApiCall] = []
        ours.api.listeners.append(calls.append)
        for round_ in range(ours.stream.rounds):
            payloads = ours.stream.payloads(round_)
            run = await feed_round(ours.application, payloads, ours.api)
            assert run.errors == 0, "the Bot API refused a call of ours while recording"
            recording.add_round(payloads, calls, ours.stream.reminded)
            calls.clear()
    return recording


async def run_ours(database: Path, catalog=None, matcher=None, supporters: int = SUPPORTERS,
                   api: InMemoryBotAPI | None = None, processor=None,
                   lazy_answers: bool = True) -> tuple[Run, list[list[dict]], Counter]:
    """The mixed stream through our bot; also returns the payloads, for the echo bot.
    The arguments are those of `started_ours`."""
    recorded: list[list[dict]] = []
    async with started_ours(database, catalog, matcher, supporters, api, processor, lazy_answers) as ours:

        def rounds(round_: int) -> list[dict]:
            recorded.append(ours.stream.payloads(round_))
            return recorded[-1]

        result = await feed(ours.application, rounds, ours.stream.rounds, ours.api)
    return result, recorded, ours.stream.kinds


async def run_echo(recorded: list[list[dict]], like_ours: bool = False) -> Run:
    async with started_echo(like_ours) as echo:
        return await feed(echo.application, recorded, len(recorded), echo.api)


def main() -> None:  # pragma: no cover - a tool for profiling by hand
    import argparse
    import tempfile

    parser = argparse.ArgumentParser()
    parser.add_argument("--supporters", type=int, default=SUPPORTERS)
    parser.add_argument("--profile", action="store_true", help="pyinstrument the run of our bot")
    parser.add_argument("--by-kind", action="store_true",
                        help="CPU per update of each kind of update, lexical tier alone and both")
    args = parser.parse_args()
    catalog = load_catalog(ROOT / "content", ROOT / "seeds")
    matcher = build_matcher(catalog)
    if args.by_kind:
        asyncio.run(_by_kind(catalog, matcher, args.supporters))
        return
    with tempfile.TemporaryDirectory() as tmp:
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(async_mode="disabled", interval=0.0005)
            profiler.start()
        ours, recorded, kinds = asyncio.run(run_ours(Path(tmp) / "bench.sqlite3", catalog, matcher,
                                                     args.supporters))
        if args.profile:
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        echo = asyncio.run(run_echo(recorded))
        like = asyncio.run(run_echo(recorded, like_ours=True))
    print(dict(kinds))
    for name, run in (("ours", ours), ("echo", echo), ("echo like ours", like)):
        print(f"{name}: {run.updates} updates, {run.per_s:,.0f}/s, {run.cpu_us:,.0f} µs CPU/update, "
              f"{run.api_calls} API calls, {run.errors} refusals")
    print(f"ratio {ours.per_s / echo.per_s:.3f}, like ours {ours.per_s / like.per_s:.3f}")


async def _by_kind(catalog, matcher, supporters: int) -> None:  # pragma: no cover - by hand
    with tempfile.TemporaryDirectory() as tmp:
        for semantic in (False, True):
            async with started_ours(Path(tmp) / f"kinds-{semantic}.sqlite3", catalog, matcher, supporters,
                                    semantic=semantic) as ours:
                runs = await feed_by_kind(ours)
            every = sum(runs.values(), Run())
            print(f"{'both tiers' if semantic else 'lexical tier alone'}: " + ", ".join(
                f"{kind} {runs[kind].cpu_us:,.0f} µs" for kind in ("menu", "text", "letter", "report"))
                + f"; all {every.cpu_us:,.0f} µs CPU per update")


if __name__ == "__main__":  # pragma: no cover
    main()
