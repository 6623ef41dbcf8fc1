"""Send one case update to every follower of a case: paced, resumable, never twice.

The bot (in its job queue) and the `advocacy-bot broadcast` command both run
`Broadcaster` against the same store; the store's `deliveries` table has one
row per recipient and is the only record of who got what.

Delivery guarantee
------------------
Each recipient's row goes `pending -> sending -> sent` (or `failed`,
`blocked`, or back to `pending` for a retry). "sending" is committed before
the request leaves and the outcome right after the answer, so at any moment
at most `concurrency` rows are "sending". A row is only claimed by the
process that holds the broadcast's lease (`owner`), in the same transaction
that checks it, so two processes never send the same broadcast.

The one window nothing can close is between Telegram accepting a message
and the "sent" commit: Telegram's sendMessage has no idempotency key and no
way to ask afterwards whether a message arrived. We choose **at most once**:
when a sender dies (SIGKILL, power cut, lost lease), the next sender turns
its leftover "sending" rows into `unknown` and never sends them again. So:

* no recipient is ever sent the same update twice, whatever and whenever the
  crash (and also across broadcasts of one update to different audiences);
* every other recipient is sent exactly once: nobody is skipped, except
* at most `concurrency` recipients per crash, the ones in flight at that
  moment, end as `unknown` (some got it, some did not). They are counted and
  shown to the organizer, not retried.

Errors: a 429 pauses every send for `retry_after` (the message was refused,
so it is retried, not counted as an attempt); 5xx, network errors and
timeouts where the request cannot have been processed are retried with
exponential backoff up to `max_attempts`, then `failed`; a read timeout (the
request went out, the answer did not come back) is `unknown`, by the same
at-most-once rule; 403 (the supporter blocked the bot or deleted their
account) is `blocked` and the chat is unsubscribed from everything; other
refusals (400) are `failed`.

A crash-safe store write is a committed transaction: with SQLite's WAL and
`synchronous=NORMAL` that survives the process being killed; surviving power
loss as well needs `synchronous=FULL` (or PostgreSQL).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.broadcasts.rate_limit import RateLimiter
from bot.store import Broadcast, Delivery, DeliveryCounts, Store

log = logging.getLogger(__name__)

Send = Callable[[int, str], Awaitable[Any]]  # (chat id, language) -> sends the update


@dataclass(frozen=True)
class DeliveryPolicy:
    concurrency: int = 8  # requests in flight: enough for 25/s at 300 ms a round trip
    max_attempts: int = 5  # for transient errors (5xx, network, timeouts before sending)
    backoff: float = 1.0  # seconds before the first retry, doubling each time
    backoff_cap: float = 60.0
    lease: float = 60.0  # seconds another process waits before taking over a silent sender
    progress_every: float = 3.0  # seconds between progress reports
    batch: int = 100  # recipients read from the store at a time


@dataclass(frozen=True)
class Progress:
    """Where a broadcast stands, for the organizer's progress message or bar."""

    broadcast_id: int
    counts: DeliveryCounts
    sent_this_run: int
    elapsed: float
    finished: bool

    @property
    def rate(self) -> float:
        """Messages per second sent by this run."""
        return self.sent_this_run / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def seconds_left(self) -> float | None:
        if self.counts.remaining == 0:
            return 0.0
        return self.counts.remaining / self.rate if self.rate > 0 else None


class BroadcastBusy(Exception):
    """Another live process is sending this broadcast."""

    def __init__(self, holder: str | None):
        super().__init__(f"broadcast is being sent by {holder}")
        self.holder = holder


class LostLease(Exception):
    """Another process took the broadcast over (this one was silent too long)."""


def new_owner(role: str) -> str:
    """Who is sending: role, host and pid (to spot a dead sender), and a token."""
    return f"{role}:{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def holder_is_dead(owner: str | None) -> bool:
    """True when `owner` was a process on this host that no longer exists, so
    its broadcast can be taken over at once rather than after its lease."""
    if not owner:
        return False
    parts = owner.split(":")
    if len(parts) != 4 or parts[1] != socket.gethostname() or not (parts[2].isascii() and parts[2].isdigit()):
        return False
    pid = int(parts[2])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass(frozen=True)
class Verdict:
    """What a failed send means for its recipient."""

    status: str  # pending (retry) | failed | blocked | unknown
    counts_as_attempt: bool = True
    retry_after: float | None = None  # a 429's pause


def classify(error: TelegramError) -> Verdict:
    if isinstance(error, RetryAfter):
        value = error._retry_after  # a timedelta; the public property warns about its int form
        return Verdict("pending", counts_as_attempt=False, retry_after=value.total_seconds())
    if isinstance(error, Forbidden):
        return Verdict("blocked")
    if isinstance(error, TimedOut):
        if isinstance(error.__cause__, httpx.ReadTimeout):
            return Verdict("unknown")  # sent, but no answer: Telegram may have delivered it
        return Verdict("pending")
    if isinstance(error, BadRequest):
        return Verdict("failed")
    if isinstance(error, NetworkError):  # 5xx and connection errors
        return Verdict("pending")
    return Verdict("failed")


def bot_sender(bot: Bot, messages: dict[str, tuple[str, Any]]) -> Send:
    """A send function over a `telegram.Bot`: `messages` maps a language to
    (HTML text, reply markup or None)."""

    async def send(chat_id: int, language: str) -> None:
        text, markup = messages.get(language) or messages["en"]
        await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup,
                               link_preview_options=LinkPreviewOptions(is_disabled=True))

    return send


class Broadcaster:
    """Sends one broadcast to completion (or until cancelled) from this process."""

    def __init__(self, store: Store, broadcast: Broadcast, send: Send, limiter: RateLimiter, *,
                 owner: str, policy: DeliveryPolicy | None = None,
                 on_progress: Callable[[Progress], Awaitable[None]] | None = None,
                 stopping: asyncio.Event | None = None):
        self.store = store
        # Set on SIGTERM: no new recipient is claimed, sends in flight finish and
        # are recorded, the lease is released, and a restart resumes the rest.
        self.stopping = stopping or asyncio.Event()
        self.broadcast = broadcast
        self.send = send
        self.limiter = limiter
        self.pacer = limiter.pacer
        self.owner = owner
        self.policy = policy or DeliveryPolicy()
        self.on_progress = on_progress
        self.sent_this_run = 0
        self._started = 0.0
        self._next_report = 0.0
        self._renew_at = 0.0
        self._reporting = False

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.pacer.now(), tz=UTC)

    async def acquire(self) -> None:
        """Take the lease, or take it over from a dead sender; else BroadcastBusy."""
        now = self._now()
        until = now + timedelta(seconds=self.policy.lease)
        store, broadcast_id = self.store, self.broadcast.id
        if await store.acquire_broadcast(broadcast_id, self.owner, now, until):
            return
        current = await store.get_broadcast(broadcast_id)
        if current is not None and current.status == "sending" and holder_is_dead(current.owner) and (
                await store.acquire_broadcast(broadcast_id, self.owner, now, until,
                                              takeover_from=current.owner)):
            log.warning("broadcast %s: took over from %s, which is no longer running",
                        broadcast_id, current.owner)
            return
        raise BroadcastBusy(current.owner if current else None)

    async def run(self) -> Progress:
        """Acquire, send every due recipient, wait for retries, finish."""
        await self.acquire()
        self._started = self.pacer.now()
        self._next_report = self._started + self.policy.progress_every
        self._renew_at = self._started + self.policy.lease / 3
        finished = False
        try:
            await self._send_all()
            finished = not self.stopping.is_set()
        finally:
            try:
                await asyncio.shield(self.store.release_broadcast(
                    self.broadcast.id, self.owner, self._now() if finished else None))
            except Exception:  # the store is gone: the lease expires on its own
                log.warning("broadcast %s: could not release", self.broadcast.id, exc_info=True)
        return await self.report(finished=finished and not self.stopping.is_set())

    async def _send_all(self) -> None:
        while not self.stopping.is_set():
            rows = await self.store.pending_deliveries(self.broadcast.id, self._now(), self.policy.batch)
            if not rows:
                retry_at = await self.store.next_retry_at(self.broadcast.id)
                if retry_at is None:
                    return
                await self.pacer.sleep_until(retry_at.timestamp())
                await self._keep_lease()
                continue
            slots = asyncio.Semaphore(self.policy.concurrency)
            async with asyncio.TaskGroup() as group:
                for row in rows:
                    group.create_task(self._deliver_in(slots, row))
            await self._keep_lease()

    async def _deliver_in(self, slots: asyncio.Semaphore, row: Delivery) -> None:
        async with slots:  # at most `concurrency` recipients are ever "sending"
            await self._deliver(row)

    async def _deliver(self, row: Delivery) -> None:
        store, broadcast_id = self.store, self.broadcast.id
        if self.stopping.is_set():  # paused: this recipient stays pending for the restart
            return
        async with self.limiter.turn(row.chat_id):
            claimed = await store.claim_delivery(broadcast_id, row.recipient, self.owner, self._now())
        if not claimed:  # another sender has it now, or it is no longer pending
            return
        try:
            await self.send(row.chat_id, row.language)
        except TelegramError as error:
            await self._failed(row, error)
        else:
            await store.finish_delivery(broadcast_id, row.recipient, "sent", self._now())
            self.sent_this_run += 1
        await self._maybe_report()

    async def _failed(self, row: Delivery, error: TelegramError) -> None:
        verdict = classify(error)
        store, broadcast_id, recipient = self.store, self.broadcast.id, row.recipient
        now = self._now()
        description = f"{type(error).__name__}: {error}"
        if verdict.retry_after is not None:
            self.limiter.pause(verdict.retry_after)
            retry_at = now + timedelta(seconds=verdict.retry_after)
            await store.finish_delivery(broadcast_id, recipient, "pending", now, description, retry_at)
            return
        if verdict.status == "pending" and row.attempts + 1 < self.policy.max_attempts:
            delay = min(self.policy.backoff * 2 ** row.attempts, self.policy.backoff_cap)
            await store.finish_delivery(broadcast_id, recipient, "pending", now, description,
                                        now + timedelta(seconds=delay), failed_attempt=True)
            return
        status = "failed" if verdict.status == "pending" else verdict.status
        await store.finish_delivery(broadcast_id, recipient, status, now, description, failed_attempt=True)
        if status == "blocked":
            await store.unsubscribe_chat(row.chat_id)
        # The recipient's key, shortened, is enough to find the row; never the chat id.
        log.info("broadcast %s: recipient %s… %s (%s)", broadcast_id, recipient[:8], status,
                 type(error).__name__)

    async def _keep_lease(self) -> None:
        if self.pacer.now() < self._renew_at:
            return
        until = self._now() + timedelta(seconds=self.policy.lease)
        if not await self.store.renew_broadcast(self.broadcast.id, self.owner, until):
            raise LostLease(f"broadcast {self.broadcast.id} was taken over")
        self._renew_at = self.pacer.now() + self.policy.lease / 3

    async def _maybe_report(self) -> None:
        if self._reporting or self.pacer.now() < self._next_report:
            return
        self._reporting = True  # one report at a time; other workers carry on sending
        try:
            self._next_report = self.pacer.now() + self.policy.progress_every
            await self._keep_lease()
            await self.report(finished=False)
        finally:
            self._reporting = False

    async def report(self, finished: bool) -> Progress:
        progress = Progress(self.broadcast.id, await self.store.delivery_counts(self.broadcast.id),
                            self.sent_this_run, self.pacer.now() - self._started, finished)
        if self.on_progress is not None:
            try:
                await self.on_progress(progress)
            except Exception:  # a progress message that cannot be edited must not stop the sending
                log.warning("broadcast %s: progress report failed", self.broadcast.id, exc_info=True)
        return progress
