"""A question waiting for its ranking holds none of the chat's processing
places (bot/chat/ordering.py ``place_released``), and the bot's loaded heap
is out of the garbage collector's scans once it runs (bot/core/heap.py).

Through the real `Application` on the in-memory Bot API, with a semantic tier
whose encoder is held until the test lets it go: what is proved is the order
of the Bot API calls, not a time.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
from concurrent.futures import Future

from telegram import Update

import bot.ask.semantic_matcher as semantic_matcher
from bot.bot_api.transport import InMemoryBotAPI
from bot.chat.app import build_application
from bot.chat.ordering import DEFAULT_LIMIT, Places
from bot.core import heap
from tests.ask.test_rank_batcher import GatedEncoder, diagonal_tier
from tests.chat.test_update_ordering import text_update

UNSURE = "xyzzy plugh frobnicate"  # the lexical tier is not sure: the tier is asked
ASKERS = range(7001, 7001 + DEFAULT_LIMIT)  # as many questions as there are places
NEWCOMER = 7999


def ready(value) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


async def until(condition, timeout: float = 2.0) -> bool:
    for _ in range(int(timeout / 0.01)):
        if condition():
            return True
        await asyncio.sleep(0.01)
    return condition()


def first_call_to(api: InMemoryBotAPI, chat: int) -> int:
    return next(i for i, call in enumerate(api.calls) if call.chat_id == chat)


def gated_bot(services):
    """The application with a semantic tier whose encoder waits for the test
    (``encoder.release``), each question waiting as long as it takes."""
    encoder = GatedEncoder()
    tier = diagonal_tier(encoder)
    tier.wait_s = None
    services.semantic = ready(tier)
    api = InMemoryBotAPI(clock=services.clock)
    return encoder, api, build_application(services, request=api)


async def test_questions_waiting_for_their_ranking_leave_the_places_to_others(services) -> None:
    """Sixteen people's questions wait for the tier (every place, before);
    someone else's /start is answered meanwhile, before any of them; then
    each question gets the tier's reading."""
    encoder, api, application = gated_bot(services)
    ids = itertools.count(1)
    async with application:
        await application.start()
        try:
            for user in ASKERS:
                application.update_queue.put_nowait(Update.de_json(text_update(next(ids), user, UNSURE),
                                                                   application.bot))
            assert await until(encoder.started.is_set)
            application.update_queue.put_nowait(Update.de_json(text_update(next(ids), NEWCOMER, "/start"),
                                                               application.bot))
            started = await until(lambda: any(call.chat_id == NEWCOMER for call in api.calls), 1.0)
        finally:
            encoder.release.set()
        await asyncio.wait_for(application.update_queue.join(), 10)  # a deadlock fails, not hangs
        await application.stop()
    assert started, "/start waited for the rankings"
    answers = [first_call_to(api, user) for user in ASKERS]
    assert first_call_to(api, NEWCOMER) < min(answers)
    for user in ASKERS:  # the tier's reading: one entry near in meaning, offered
        (reply,) = [call for call in api.calls if call.chat_id == user]
        assert reply.text.startswith("I'm not sure I understood")
    assert application.update_processor.taken == 0


async def test_at_most_as_many_questions_wait_as_there_are_places(services) -> None:
    """A burst: sixteen questions wait for the tier without their places, the
    next sixteen wait for their turn in theirs, so the tier's queue stays as
    short as when every wait held a place (each question's wait for its
    ranking is limited), and someone else's /start waits for a place."""
    encoder, api, application = gated_bot(services)
    askers = range(7001, 7001 + 2 * DEFAULT_LIMIT)
    ids = itertools.count(1)
    async with application:
        await application.start()
        processor = application.update_processor
        try:
            for user in askers:
                application.update_queue.put_nowait(Update.de_json(text_update(next(ids), user, UNSURE),
                                                                   application.bot))
            assert await until(lambda: processor.taken == DEFAULT_LIMIT
                               and processor._slots.lent == DEFAULT_LIMIT)
            assert await until(encoder.started.is_set)
            batcher = services.semantic.result()._batcher
            # the first batch (what arrived within its gathering window) is in the encoder
            assert batcher._waiting.qsize() + batcher.batches[-1] == DEFAULT_LIMIT
            application.update_queue.put_nowait(Update.de_json(text_update(next(ids), NEWCOMER, "/start"),
                                                               application.bot))
            assert not await until(lambda: any(call.chat_id == NEWCOMER for call in api.calls), 0.3)
        finally:
            encoder.release.set()
        await asyncio.wait_for(application.update_queue.join(), 10)  # a deadlock fails, not hangs
        await application.stop()
    assert first_call_to(api, NEWCOMER) > min(first_call_to(api, user) for user in askers)
    assert processor.taken == 0 and processor._slots.lent == 0
    for user in askers:
        (reply,) = [call for call in api.calls if call.chat_id == user]
        assert reply.text.startswith("I'm not sure I understood")  # none ran out of time


async def test_a_supporter_s_next_update_still_waits_for_their_question(services) -> None:
    """The place is given back, the order is not: the asker's own /start,
    sent while the question waits, is answered after the question."""
    encoder, api, application = gated_bot(services)
    asker = ASKERS[0]
    async with application:
        await application.start()
        try:
            application.update_queue.put_nowait(Update.de_json(text_update(1, asker, UNSURE),
                                                               application.bot))
            assert await until(encoder.started.is_set)
            application.update_queue.put_nowait(Update.de_json(text_update(2, asker, "/start"),
                                                               application.bot))
            application.update_queue.put_nowait(Update.de_json(text_update(3, NEWCOMER, "/start"),
                                                               application.bot))
            assert await until(lambda: any(call.chat_id == NEWCOMER for call in api.calls))
            assert not any(call.chat_id == asker for call in api.calls)  # still waiting, both
        finally:
            encoder.release.set()
        await asyncio.wait_for(application.update_queue.join(), 10)  # a deadlock fails, not hangs
        await application.stop()
    own = [call.text for call in api.calls if call.chat_id == asker and call.method == "sendMessage"]
    assert own[0].startswith("I'm not sure I understood") and len(own) == 2


# ------------------------------------------------------------------ places


async def test_an_update_coming_back_to_a_place_goes_before_those_not_started() -> None:
    places = Places(1)
    order: list[str] = []

    async def take(name: str, back: bool = False) -> None:
        await (places.take(back=True) if back else places.take())  # a newcomer takes as the processor does
        order.append(name)

    await places.take()  # the question, reading
    places.give()  # ...gives its place back to wait for its ranking
    await places.take()  # someone else's update takes it
    newcomer = asyncio.create_task(take("newcomer"))
    await asyncio.sleep(0)
    returning = asyncio.create_task(take("question", back=True))  # its ranking is there
    await asyncio.sleep(0)
    assert order == [] and places.taken == 1
    places.give()
    await asyncio.sleep(0)
    assert order == ["question"]
    places.give()
    await asyncio.gather(newcomer, returning)
    assert order == ["question", "newcomer"] and places.taken == 1
    places.give()
    assert places.taken == 0


async def test_a_place_handed_to_a_cancelled_waiter_is_passed_on() -> None:
    places = Places(1)
    await places.take()
    first = asyncio.create_task(places.take())
    second = asyncio.create_task(places.take())
    await asyncio.sleep(0)
    places.give()  # handed to `first`...
    first.cancel()  # ...which is cancelled before it runs: `second` gets it
    await asyncio.sleep(0)
    await asyncio.wait_for(second, 1)
    assert first.cancelled() and places.taken == 1


async def test_a_waiter_cancelled_before_its_turn_gives_no_place_and_leaves_no_trace() -> None:
    """Shutdown cancels updates waiting for a place: one cancelled while it waits
    was handed nothing, so it passes nothing on; one cancelled just as its place
    was given elsewhere (the place went past it) ends cancelled all the same."""
    places = Places(1)
    await places.take()
    first = asyncio.create_task(places.take())
    second = asyncio.create_task(places.take())
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.wait((first,))
    await asyncio.sleep(0)
    assert first.cancelled() and not second.done()  # no place to pass on: `second` still waits
    second.cancel()
    places.give()  # before `second` has seen its cancellation: it is passed over, the place is free
    await asyncio.wait((second,))
    assert second.cancelled() and places.taken == 0
    await asyncio.wait_for(places.take(), 1)  # free: taken at once
    assert places.taken == 1


# -------------------------------------------------------------------- heap


def tracked(obj) -> bool:
    """Whether the collector still scans ``obj`` (frozen objects are in no generation)."""
    return any(o is obj for o in gc.get_objects())


async def test_the_heap_loaded_at_start_is_frozen_while_the_bot_runs_and_thawed_after(services) -> None:
    application = build_application(services, request=InMemoryBotAPI(clock=services.clock))
    handlers = application.handlers  # a dict made at build: tracked by the collector
    threshold = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's own, whatever ran before
    try:
        assert heap.frozen() == 0 and tracked(handlers)
        async with application:
            assert heap.frozen() > 0 and not tracked(handlers)
            loaded = object.__new__(type("Loaded", (), {}))  # made after start: scanned as usual
            assert tracked(loaded)
            assert gc.get_threshold() == (heap.YOUNG, 10, 10)
        assert heap.frozen() == 0 and tracked(handlers) and gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*threshold)


async def test_the_tier_built_in_the_background_is_frozen_once_built(services, tmp_path,
                                                                    monkeypatch) -> None:
    """The model loads after start (``start_semantic_tier``): frozen too, once built."""
    building: Future = Future()
    built = diagonal_tier(GatedEncoder())
    monkeypatch.setattr(semantic_matcher, "start_building", lambda entries, cache_dir: building)
    monkeypatch.setattr(services, "semantic_cache", tmp_path)
    monkeypatch.setattr(services.matcher, "index_answers", lambda texts: None)
    try:
        services.start_semantic_tier()
        assert tracked(built)
        building.set_result(built)  # (in the build thread, in the bot)
        assert services.semantic_tier() is built and not tracked(built)
    finally:
        heap.thaw()
