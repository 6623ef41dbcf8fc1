"""One worker thread that ranks every question waiting, in one batch.

Why: the sentence encoder streams its weight matrices once per call, so one
question costs about 2 ms of CPU and sixteen together about 15 ms, not 34
(tests/bench/test_bench_semantic.py prints both). Under load many questions
wait at once (the chat runs up to 16 updates side by side), so a single
worker that takes *all* that are waiting and encodes them in one call pays
that cost once per batch. It never waits for a batch to fill: a question
asked alone is ranked at once, as before.

**A gathering window, off** (``GATHER_S`` = 0): ``gather_s`` > 0 makes the
worker, once a question arrives, wait that long for others before it encodes
(at once when the batch is full): fewer encodes under load, as the tail with
the tier is the encoding's CPU wherever it runs. Measured at 5 ms in turns
with 0 on 300 people at once (23 pairs of rounds): batches 1.8 -> 3, /start's
p99 and the answer's p50 lower under load, the mix not lower, but the
answer's p99 lower in only 12 of the 23 pairs (and in none of the last four,
at load ~2): not the measured p99 gain it would need to be on, so it stays
off; the knob and its tests stay for the next measurement
(docs/ask-evaluation.md, "Speed and memory"; tests/bench/rank_elsewhere.py).

The worker is one thread, not the event loop's executor: numpy releases the
GIL in its matrix products, so the encoding runs on the second core while the
loop carries on, and one thread means no two encodings compete for a core.
It exits after ``IDLE_S`` without questions (a replaced tier's worker goes
away with it) and is started again by the next question.

The ranking function decides what a batch returns; it must give each question
the result it would give it alone (``SemanticTier.rank_many`` does, tested in
tests/ask/test_rank_batcher.py).

**A wait with a limit** (``rank_within``): a question waits ``WAIT_S`` at
most for its ranking, then the chat answers it with the lexical tier alone
(as before the tier is built) and the ranking, if it has not started, is
never done. Why: every update that waits holds one of the chat's 16 places
(bot/chat/ordering.py), so a stalled or swamped tier would make *every*
supporter wait, /start included. Why a quarter of a second and not the
~30 ms a 60 ms answer p99 would want: a late question loses the
meaning-based reading (on the development sets: wrong answers 2.6% -> 6.3%
on one of them), and at 30 ms a third to a half of the questions reaching
the tier were late with 300 people on the shared benchmark machine, for no
gain in the answer's p99 there (docs/ask-evaluation.md, "Speed and
memory"). Telegram's round trip is longer than a few tens of milliseconds;
a confident wrong answer is the failure to avoid. So this is a safety net
for overload, not the latency fix.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

__all__ = ["GATHER_S", "IDLE_S", "MAX_BATCH", "WAIT_S", "RankBatcher"]

R = TypeVar("R")

MAX_BATCH = 16  # as many as the chat handles at once (bot/chat/ordering.py)
IDLE_S = 30.0
GATHER_S = 0.0  # how long a batch's first question waits for others: off (the module docstring says why)
# The longest a question waits for its ranking before the lexical tier answers
# it alone (the module docstring says why not shorter). A question alone is
# ranked in ~3 ms; with 300 people at once on a busy machine the wait's p99
# was 65-155 ms.
WAIT_S = 0.25

_LATE = object()


def _hand_back(loop: asyncio.AbstractEventLoop, waiter: asyncio.Future, done: Future) -> None:
    """In the worker thread (or the loop's, on cancel): wake the waiter on its loop."""
    with contextlib.suppress(RuntimeError):  # the loop has closed meanwhile: nobody waits any more
        loop.call_soon_threadsafe(_settle, waiter, done)


def _settle(waiter: asyncio.Future, done: Future | None) -> None:
    """On the loop: the waiter gets the batch's result (or error), or _LATE
    when its time ran out first (``done`` None; ``done`` cancelled only once
    the waiter has given up)."""
    if waiter.done():
        return
    if done is None or done.cancelled():
        waiter.set_result(_LATE)
    elif done.exception() is not None:
        waiter.set_exception(done.exception())
    else:
        waiter.set_result(done.result())


class RankBatcher(Generic[R]):
    """``submit(question)`` returns a Future of ``rank_many([... question ...])``'s
    result for it; questions submitted while a batch runs go in the next one."""

    def __init__(self, rank_many: Callable[[Sequence[str]], Sequence[R]], *, max_batch: int = MAX_BATCH,
                 idle_s: float = IDLE_S, gather_s: float = GATHER_S, name: str = "semantic-rank") -> None:
        self._rank_many = rank_many
        self._max_batch = max_batch
        self._idle_s = idle_s
        self._gather_s = gather_s
        self._name = name
        self._waiting: queue.SimpleQueue[tuple[str, Future[R]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self.batches: deque[int] = deque(maxlen=1024)  # the latest batches' sizes, for tests and benchmarks
        self.late = 0  # questions whose wait ran out (``rank_within``), for benchmarks and logs

    def submit(self, question: str) -> Future[R]:
        future: Future[R] = Future()
        self._waiting.put((question, future))
        with self._lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name=self._name, daemon=True)
                self._worker.start()
        return future

    async def rank_within(self, question: str, wait_s: float | None) -> R | None:
        """``submit(question)``'s result, or None once ``wait_s`` seconds have
        passed without it (None: no limit). A question given up before its
        batch started is left out of it (``_run`` skips cancelled futures)."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[R | None] = loop.create_future()
        future = self.submit(question)
        # Straight from the worker to this waiter, one loop turn (``_settle``): not
        # asyncio.wait_for(wrap_future(...)), whose chained futures took three
        # turns of a busy loop (the hand-over's p99 24 -> 10 ms, 300 people).
        future.add_done_callback(lambda done: _hand_back(loop, waiter, done))
        timer = loop.call_later(wait_s, _settle, waiter, None) if wait_s is not None else None
        try:
            ranked = await waiter
        finally:
            if timer is not None:
                timer.cancel()
            future.cancel()  # nothing once it ran; a question given up before its batch is left out of it
        if ranked is _LATE:
            self.late += 1
            return None
        return ranked

    def _work(self) -> None:
        while True:
            try:
                first = self._waiting.get(timeout=self._idle_s)
            except queue.Empty:
                with self._lock:  # a question put in before this lock is taken is seen here
                    if self._waiting.empty():
                        self._worker = None
                        return
                continue
            batch = [first]
            until = time.monotonic() + self._gather_s
            while len(batch) < self._max_batch:  # a full batch is encoded at once
                left = until - time.monotonic()
                try:
                    batch.append(self._waiting.get(timeout=left) if left > 0 else self._waiting.get_nowait())
                except queue.Empty:
                    break
            self._run(batch)

    def _run(self, batch: list[tuple[str, Future[R]]]) -> None:
        live = [(question, future) for question, future in batch if future.set_running_or_notify_cancel()]
        if not live:
            return
        self.batches.append(len(live))
        try:
            results = self._rank_many([question for question, _ in live])
        except BaseException as error:  # noqa: BLE001 - handed to every caller of the batch
            for _, future in live:
                future.set_exception(error)
            return
        for (_, future), result in zip(live, results, strict=True):
            future.set_result(result)
