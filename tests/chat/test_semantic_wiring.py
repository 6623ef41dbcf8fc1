"""The semantic tier wired into the bot: built in the background once the bot
is up, consulted by the chat (off the event loop) and by `ask` for every
question with words, the lexical tier answering alone until it is built.

The decision's wiring is pinned with a fixed ranking (no model needed); the
start-up and `ask` tests marked ``needs_semantic`` use the real model.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path

import pytest

from bot.ask.combined_matcher import ask, ask_off_loop
from bot.ask.semantic_matcher import CACHE_PREFIX, MISSING
from bot.chat.app import build_application
from tests.ask.test_semantic_matcher import FixedRanker
from tests.conftest import ROOT

needs_semantic = pytest.mark.skipif(MISSING is not None, reason=str(MISSING))

# A made-up question the lexical tier declines (no FAQ phrasing shares its words).
UNSURE = "xyzzy plugh frobnicate"
SURE = ("how-to-help", 0.9)


def ready(tier) -> Future:
    future: Future = Future()
    future.set_result(tier)
    return future


class ThreadNoting(FixedRanker):
    """A fixed ranking that notes the thread it is asked from."""

    def __init__(self, ranked) -> None:
        super().__init__(ranked)
        self.threads: list[int] = []

    def rank(self, question: str):
        self.threads.append(threading.get_ident())
        return super().rank(question)


# ------------------------------------------------------------- the reading


def test_ask_says_which_tier_decided(matcher) -> None:
    lexical = ask(matcher, None, "is mexico safe for refugees?", "es")
    assert (lexical.match.id, lexical.tier, lexical.lang, lexical.outcome) == (
        "is-mexico-safe", "lexical", "en", "answered")
    ranker = FixedRanker([("is-mexico-safe", 0.9), ("x", 0.1)])
    sure = ask(matcher, ranker, "is mexico safe for refugees?")  # sure and far ahead: the tier not asked
    assert (sure.match.id, sure.tier, sure.outcome, ranker.calls) == (
        "is-mexico-safe", "lexical", "answered", 0)
    unsure = ask(matcher, FixedRanker([SURE, ("x", 0.1)]), UNSURE, "es")
    assert (unsure.match.id, unsure.tier, unsure.lang, unsure.outcome) == (None, "both", "es", "asked_back")
    assert unsure.offered[0] == "how-to-help"  # close in meaning only: offered, not answered
    declined = ask(matcher, None, UNSURE)
    assert (declined.tier, declined.outcome, declined.offered) == (None, "declined", ())


async def test_ask_off_loop_gives_the_same_and_ranks_in_a_worker_thread(matcher) -> None:
    ranker = ThreadNoting([SURE, ("x", 0.1)])
    asked = await ask_off_loop(matcher, ranker, UNSURE, "en")
    assert asked == ask(matcher, FixedRanker([SURE, ("x", 0.1)]), UNSURE, "en")
    assert ranker.threads and threading.get_ident() not in ranker.threads


# ------------------------------------------------------------ in the chat


async def test_the_chat_answers_lexically_until_the_tier_is_built_then_with_it(services) -> None:
    from bot.bot_api.simulator import Simulator
    from bot.bot_api.transport import InMemoryBotAPI

    building: Future = Future()
    services.semantic = building
    api = InMemoryBotAPI(clock=services.clock)
    application = build_application(services, request=api)
    await application.initialize()
    await application.start()
    try:
        user = Simulator(application, api, clock=services.clock).user()
        (first,) = await user.send(UNSURE)
        assert first.text.startswith("I don't have an answer to that")  # lexical alone: nothing near
        ranker = ThreadNoting([SURE, ("x", 0.1)])
        building.set_result(ranker)
        (second,) = await user.send(UNSURE)
        assert second.text.startswith("I'm not sure I understood")  # the tier: one entry near in meaning
        assert second.buttons()[0]["callback_data"] == "faq:how-to-help:en"
        assert ranker.threads and threading.get_ident() not in ranker.threads  # off the event loop
    finally:
        await application.stop()
        await application.shutdown()


async def test_a_busy_tier_leaves_the_question_to_the_lexical_tier_after_its_wait(bot, services) -> None:
    """Many people at once: a question whose ranking is not there within the
    tier's wait is answered as if the tier were not built (the lexical tier
    alone), not after the batches ahead of it; the next question, the tier
    free again, gets the meaning-based reading."""
    from tests.ask.test_rank_batcher import GatedEncoder, diagonal_tier

    sim, _ = bot
    encoder = GatedEncoder()
    tier = diagonal_tier(encoder)
    tier.wait_s = 0.05
    services.semantic = ready(tier)
    user = sim.user()
    busy = tier.rank_soon("someone else's question")  # the worker is taken
    assert encoder.started.wait(5)
    try:
        (alone,) = await asyncio.wait_for(user.send(UNSURE), 5)
    finally:
        encoder.release.set()
    assert alone.text.startswith("I don't have an answer to that")  # lexical alone: nothing near
    assert tier.late == 1 and busy.result(timeout=5)
    (read,) = await asyncio.wait_for(user.send(UNSURE), 5)
    assert read.text.startswith("I'm not sure I understood")  # the tier: one entry near in meaning
    assert read.buttons()[0]["callback_data"] == "faq:how-to-help:en"
    assert encoder.texts == ["someone else's question", UNSURE] and tier.late == 1


async def test_a_tier_that_failed_to_build_leaves_the_lexical_tier_answering(bot, services) -> None:
    sim, _ = bot
    failed: Future = Future()
    failed.set_exception(RuntimeError("model file damaged"))
    services.semantic = failed
    (reply,) = await sim.user().send("¿Qué datos personales guarda el bot sobre mí?")
    assert reply.text.startswith("<b>¿Qué datos guarda este bot")


# --------------------------------------------------------------- start-up


def test_tests_and_subprocesses_run_without_the_tier_unless_asked() -> None:
    assert os.environ["SEMANTIC_TIER"] == "off"


async def test_without_a_cache_folder_nothing_is_built(services) -> None:
    assert services.semantic_cache is None  # as tests and SEMANTIC_TIER=off give
    services.start_semantic_tier()
    assert services.semantic is None and services.semantic_tier() is None


async def test_without_the_extra_the_start_says_so_and_builds_nothing(services, tmp_path, monkeypatch,
                                                                      caplog) -> None:
    from bot.ask import semantic_matcher

    monkeypatch.setattr(semantic_matcher, "MISSING", "the semantic tier needs the 'semantic' extra")
    services.semantic_cache = tmp_path / "semantic-cache"
    with caplog.at_level(logging.DEBUG, logger="bot.services"):
        services.start_semantic_tier()
    assert services.semantic is None
    said = [(r.levelno, r.getMessage()) for r in caplog.records]
    # At DEBUG only: without the extra (as `make run` installs) it is no news on every console start.
    assert said == [(logging.DEBUG, "FAQ: lexical tier only (the semantic tier needs the 'semantic' extra)")]


@needs_semantic
async def test_the_bot_starts_without_waiting_and_builds_the_tier_in_the_background(settings, caplog) -> None:
    from bot.bot_api.transport import InMemoryBotAPI
    from bot.runtime import load_services, semantic_cache

    services = load_services(settings)
    assert services.semantic_cache == settings.data_dir / "semantic-cache" == semantic_cache(settings)
    application = build_application(services, request=InMemoryBotAPI(clock=services.clock))
    with caplog.at_level(logging.INFO, logger="bot.services"):
        await application.initialize()
        await application.post_init(application)  # as serve() and the console do: starts the build
        try:
            assert services.semantic is not None
            assert not services.semantic.done()  # the model alone takes over a second to load
            assert services.semantic_tier() is None  # meanwhile: lexical only
            # round 4: the answers' sentences are indexed beside the tier, not on the start path
            assert not services.matcher.answers_indexed
            tier = await asyncio.wrap_future(services.semantic)
            assert services.semantic_tier() is tier
            assert services.matcher.answers_indexed  # the tier is handed out only with them
            assert list((settings.data_dir / "semantic-cache").glob(f"{CACHE_PREFIX}*.npy"))
            services.start_semantic_tier()  # once only
            assert services.semantic_tier() is tier
        finally:
            await application.shutdown()
            await application.post_shutdown(application)  # closes the store it opened
    assert any(m.startswith("FAQ: semantic tier ready after ") for m in caplog.messages)


# ------------------------------------------------------------- the CLI


def run_ask(tmp_path: Path, *args: str, semantic: str) -> list[dict]:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env.update(CONTENT_DIR=str(ROOT / "content"), SEEDS_DIR=str(ROOT / "seeds"),
               DATABASE_PATH=str(tmp_path / "data/bot.sqlite3"), SEMANTIC_TIER=semantic)
    result = subprocess.run([sys.executable, "-m", "bot", "ask", "--json", *args], capture_output=True,
                            text=True, cwd=tmp_path, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_ask_json_says_the_language_and_the_lexical_tier(tmp_path: Path) -> None:
    (answered,) = run_ask(tmp_path, "¿qué es el principio de no devolución?", semantic="off")
    assert (answered["id"], answered["lang"], answered["tier"]) == ("non-refoulement", "es", "lexical")
    (forced,) = run_ask(tmp_path, "what is non-refoulement", "--lang", "es", semantic="off")
    assert (forced["id"], forced["lang"]) == ("non-refoulement", "es")
    assert answered["outcome"] == "answered" and answered["offered"] == []
    (declined,) = run_ask(tmp_path, "recetas de pozole", semantic="off")
    assert (declined["id"], declined["lang"], declined["tier"]) == (None, "es", None)
    assert (declined["outcome"], declined["offered"]) == ("declined", [])
    assert not (tmp_path / "data" / "semantic-cache").exists()


@needs_semantic
def test_ask_json_says_when_it_asks_back_and_what_it_offers(tmp_path: Path, matcher) -> None:
    question = "Me gustaría colaborar, ¿qué hago?"  # shares no word with any phrasing
    assert matcher.match(question, "es").id is None
    (asked,) = run_ask(tmp_path, question, semantic="on")
    assert (asked["id"], asked["lang"], asked["tier"], asked["outcome"]) == (None, "es", "both", "asked_back")
    assert asked["offered"][0] == "how-to-help" and asked["offered"] == asked["suggestions"]
    assert list((tmp_path / "data" / "semantic-cache").glob(f"{CACHE_PREFIX}*.npy"))
    (lexical,) = run_ask(tmp_path, question, semantic="off")
    assert lexical["id"] is None and lexical["tier"] is None
