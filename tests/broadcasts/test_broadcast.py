"""The broadcast engine on its own (bot.broadcasts.engine): faults from the Bot API at
chosen points, retries and their bounds, pacing, leases, audiences.

Time is virtual: the conftest clock and a sleep that only records, so a 429
asking for 30 seconds costs nothing and the recorded pauses can be checked.
"""

from __future__ import annotations

import asyncio
import collections
import io
import os
import re
import socket
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.bot_api.transport import BotApiRefusal, InMemoryBotAPI
from bot.broadcast_command import ProgressBar
from bot.broadcasts.engine import (
    BroadcastBusy,
    Broadcaster,
    DeliveryPolicy,
    LostLease,
    Progress,
    Verdict,
    bot_sender,
    classify,
    holder_is_dead,
    new_owner,
)
from bot.broadcasts.rate_limit import Pacer, RateLimiter
from bot.store import ActionReport, DeliveryCounts, open_store
from tests.conftest import Sleeps

CAMPAIGN = "ua-150-18"


def key(n: int) -> str:
    return f"{n:064x}"


async def follow(store, chats: range | list[int], lang: str = "en") -> None:
    """Chat n follows the case; its recipient key (and supporter key) is key(n)."""
    for chat in chats:
        await store.subscribe(chat, CAMPAIGN, key(chat), lang, supporter=key(chat))


def messages() -> dict:
    return {"en": ("update in English", None), "es": ("novedad en español", None)}


class Harness:
    """A Bot over the in-memory API, a virtual-time limiter, and a broadcaster factory."""

    def __init__(self, store, clock, rate: float | None = 25.0):
        self.store = store
        self.api = InMemoryBotAPI(clock=clock)
        self.bot = Bot("1000001:in-memory", request=self.api)
        self.sleeps = Sleeps()
        self.pacer = Pacer(clock, self.sleeps)
        self.limiter = RateLimiter(rate, self.pacer)
        self.progress = []

    async def broadcaster(self, audience: str = "followers", policy: DeliveryPolicy | None = None,
                          owner: str | None = None) -> Broadcaster:
        now = datetime.fromtimestamp(self.pacer.now(), tz=UTC)
        broadcast = await self.store.open_broadcast(CAMPAIGN, 1, audience, now)

        async def record(progress):
            self.progress.append(progress)

        return Broadcaster(self.store, broadcast, bot_sender(self.bot, messages()), self.limiter,
                           owner=owner or new_owner("test"), policy=policy or DeliveryPolicy(),
                           on_progress=record)

    def delivered(self) -> collections.Counter:
        """Chat id -> messages the API accepted."""
        return collections.Counter(c.chat_id for c in self.api.calls
                                   if c.method == "sendMessage" and c.ok)


@pytest.fixture
def harness(store, clock):
    return Harness(store, clock)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter's int form
async def test_faults_at_chosen_points_still_reach_everyone_exactly_once(harness, store, settings):
    await follow(store, range(1, 41))
    await follow(store, range(41, 61), lang="es")
    attempts = collections.Counter()

    def fault(method, params):
        if method != "sendMessage":
            return None
        chat = int(params["chat_id"])
        attempts[chat] += 1
        first = attempts[chat] == 1
        if chat == 5 and first:
            return BotApiRefusal(429, "Too Many Requests: retry after 30", {"retry_after": 30})
        if chat in (10, 11) and attempts[chat] <= 2:
            return BotApiRefusal(502, "Bad Gateway")
        if chat == 20 and first:
            raise TimedOut("Timed out")  # what the HTTP layer raises before anything was sent
        if chat == 21 and first:
            raise TimedOut("Timed out") from httpx.ConnectTimeout("connect")
        if chat == 30:
            return BotApiRefusal(403, "Forbidden: bot was blocked by the user")
        return None

    harness.api.fault = fault
    progress = await (await harness.broadcaster()).run()

    delivered = harness.delivered()
    assert set(delivered) == set(range(1, 61)) - {30}
    assert set(delivered.values()) == {1}  # nobody twice
    assert attempts[5] == 2 and attempts[10] == 3 and attempts[20] == 2 and attempts[21] == 2
    texts = {c.chat_id: c.text for c in harness.api.calls if c.method == "sendMessage" and c.ok}
    assert texts[1] == "update in English" and texts[50] == "novedad en español"
    # The 429 paused everyone for the 30 seconds it asked for.
    assert any(29.9 <= pause <= 30.0 for pause in harness.sleeps)
    counts = progress.counts
    assert (counts.sent, counts.blocked, counts.failed, counts.unknown, counts.remaining) == (59, 1, 0, 0, 0)
    assert progress.finished
    # The chat that blocked the bot follows nothing any more.
    assert await store.subscriptions_of(30) == []
    assert await store.subscriptions_of(31) == [CAMPAIGN]
    broadcast = await store.get_broadcast(progress.broadcast_id)
    assert (broadcast.status, broadcast.owner) == ("done", None)
    rows = sqlite3.connect(settings.database_path).execute(
        "SELECT recipient, chat_id, attempts, status FROM deliveries WHERE recipient IN (?, ?, ?)",
        (key(5), key(10), key(20))).fetchall()
    # Once sent, a delivery keeps its recipient key and no chat id.
    assert sorted(rows) == [(key(5), None, 0, "sent"), (key(10), None, 2, "sent"), (key(20), None, 1, "sent")]


async def test_transient_errors_are_retried_with_backoff_a_bounded_number_of_times(harness, store):
    await follow(store, [1, 2])
    harness.api.fault = lambda method, params: (
        BotApiRefusal(502, "Bad Gateway") if method == "sendMessage" and params["chat_id"] == 1 else None)
    progress = await (await harness.broadcaster(policy=DeliveryPolicy(max_attempts=5))).run()
    tries = [c for c in harness.api.calls if c.method == "sendMessage" and c.chat_id == 1]
    assert len(tries) == 5
    # Waits between the tries: 1, 2, 4 and 8 seconds (exponential backoff), seen as the
    # sleeps the engine took beyond the 40 ms pacing between sends.
    waits = [s for s in harness.sleeps if s > 0.5]
    assert waits == pytest.approx([1.0, 2.0, 4.0, 8.0], abs=0.05)
    assert (progress.counts.sent, progress.counts.failed) == (1, 1)
    (row,) = await store._db.execute_fetchall(
        "SELECT status, error, attempts, next_attempt_at FROM deliveries WHERE recipient = ?", (key(1),))
    assert tuple(row) == ("failed", "NetworkError: Bad Gateway", 5, None)


async def test_a_timeout_after_the_request_went_out_is_never_resent(harness, store):
    """httpx's ReadTimeout: Telegram may have delivered it. At most once wins."""
    await follow(store, [1, 2, 3])
    delivered_without_answer = []

    def fault(method, params):
        if method == "sendMessage" and params["chat_id"] == 2:
            delivered_without_answer.append(2)  # Telegram got it and delivered it...
            raise TimedOut("Timed out") from httpx.ReadTimeout("read")  # ...but the answer was lost
        return None

    harness.api.fault = fault
    progress = await (await harness.broadcaster()).run()
    assert delivered_without_answer == [2]  # tried once, never again
    assert set(harness.delivered()) == {1, 3}
    assert (progress.counts.sent, progress.counts.unknown) == (2, 1)


async def test_pacing_spaces_sends_at_the_rate_one_per_chat_and_pauses_for_everyone(store, clock):
    harness = Harness(store, clock, rate=25.0)
    await follow(store, range(1, 101))
    sent_at = []  # virtual time of each send, as the API receives it
    harness.api.listeners.append(lambda call: sent_at.append(harness.pacer.now()))
    await (await harness.broadcaster()).run()
    assert len(sent_at) == 100
    busiest = max(sum(1 for t in sent_at if start <= t < start + 1.0) for start in sent_at)
    assert busiest == 25
    assert 24.5 <= 99 / (sent_at[-1] - sent_at[0]) <= 25.0

    limiter, sleeps = harness.limiter, harness.sleeps
    sleeps.clear()
    async with limiter.turn(7):
        pass
    async with limiter.turn(7):  # the same chat: a second later
        pass
    assert sum(sleeps) == pytest.approx(1.04, abs=0.01)
    sleeps.clear()
    limiter.pause(12)
    async with limiter.turn(8):
        pass
    assert sum(sleeps) == pytest.approx(12.0, abs=0.01)


async def test_a_second_sender_is_refused_while_the_first_holds_the_lease(harness, store):
    await follow(store, [1, 2])
    first = await harness.broadcaster()
    await first.acquire()
    second = await harness.broadcaster()
    with pytest.raises(BroadcastBusy):
        await second.run()
    assert harness.delivered() == {}


async def test_a_dead_senders_broadcast_is_taken_over_and_its_in_flight_rows_are_not_resent(
        harness, store, settings):
    await follow(store, [1, 2, 3])
    dead = "cli:" + __import__("socket").gethostname() + ":999999999:deadbeef"  # no such pid
    first = await harness.broadcaster(owner=dead)
    await first.acquire()
    assert await store.claim_delivery(first.broadcast.id, key(2), dead, datetime.now(UTC))  # killed mid-send
    progress = await (await harness.broadcaster()).run()
    assert set(harness.delivered()) == {1, 3}
    assert (progress.counts.sent, progress.counts.unknown) == (2, 1)


async def test_acted_and_followers_are_addressed_apart_and_nobody_gets_an_update_twice(harness, store):
    await follow(store, [1, 2, 3])
    await store.record_action(ActionReport(CAMPAIGN, "luis-videgaray", "email", 1, "done", "en", None,
                                           key(2), "k-2"), follower_chat=2)
    assert await store.audience_size(CAMPAIGN, 1, "acted") == 1
    assert await store.audience_size(CAMPAIGN, 1, "followers") == 3
    await (await harness.broadcaster("acted")).run()
    assert set(harness.delivered()) == {2}
    assert await store.audience_size(CAMPAIGN, 1, "followers") == 2  # chat 2 already has update 1
    await (await harness.broadcaster("followers")).run()
    assert harness.delivered() == {1: 1, 2: 1, 3: 1}
    # Running it again sends nothing; a new follower since is added and sent to.
    await follow(store, [4])
    await (await harness.broadcaster("followers")).run()
    assert harness.delivered() == {1: 1, 2: 1, 3: 1, 4: 1}


def test_the_broadcast_command_dry_run_and_its_refusals(tmp_path):
    from tests.cli.test_cli import run

    async def two_followers():
        async with await open_store(tmp_path / "data/bot.sqlite3") as store:
            await follow(store, [1])
            await follow(store, [2], lang="es")

    asyncio.run(two_followers())
    result = run(tmp_path, "broadcast", "--campaign", "ua-150-18", "--update", "1", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "--- en ---\n📣 *UA 150.18 update (30 October 2018)*" in result.stdout
    assert "--- es ---\n📣 *Novedad de la UA 150.18 (30 de octubre de 2018)*" in result.stdout
    assert result.stdout.endswith("Would send update 1 of UA 150.18 to 2 followers (nothing sent: "
                                  "--dry-run).\n")
    one = run(tmp_path, "broadcast", "--campaign", "ua-150-18", "--update", "1", "--dry-run",
              "--audience", "acted")
    assert one.stdout.endswith("to 0 followers who reported an action (nothing sent: --dry-run).\n")
    refused = run(tmp_path, "broadcast", "--campaign", "ua-150-18", "--update", "1")
    assert (refused.returncode, refused.stderr) == (
        2, "error: TELEGRAM_BOT_TOKEN is not set (needed to send; --dry-run works without)\n")
    unknown = run(tmp_path, "broadcast", "--campaign", "ua-150-18", "--update", "7", "--dry-run")
    assert (unknown.returncode, unknown.stderr) == (2, "error: ua-150-18 has no update 7 (it has 1)\n")
    progress = ProgressBar(io.StringIO())
    counts = DeliveryCounts(pending=50, sent=48, failed=1, blocked=1)
    line = progress.line(Progress(1, counts, 48, 2.0, False))
    assert line == ("[###############---------------] 50/100  sent 48  failed 1  blocked 1  uncertain 0"
                    "  remaining 50  24.0/s  left 0:02")


async def test_a_stop_request_pauses_at_a_resumable_point_and_a_restart_finishes(harness, store):
    await follow(store, range(1, 41))
    first = await harness.broadcaster()
    original_send = first.send

    async def send_then_stop(chat_id, lang):  # SIGTERM arrives after the 10th message
        await original_send(chat_id, lang)
        if len(harness.delivered()) == 10:
            first.stopping.set()

    first.send = send_then_stop
    paused = await first.run()
    assert not paused.finished
    assert 10 <= paused.counts.sent < 40 and paused.counts.unknown == 0  # nothing left in doubt
    second = await harness.broadcaster()  # the restart picks up the same broadcast
    assert second.broadcast.id == first.broadcast.id
    done = await second.run()
    assert done.finished and done.counts.sent == 40
    assert set(harness.delivered().values()) == {1}  # each follower exactly once


# -- the engine's rules, one by one ------------------------------------------------------


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
@pytest.mark.parametrize("error, verdict", [
    (RetryAfter(timedelta(seconds=30)), Verdict("pending", counts_as_attempt=False, retry_after=30.0)),
    (Forbidden("blocked"), Verdict("blocked")),
    (TimedOut("read"), Verdict("pending")),  # before the request went out
    (BadRequest("chat not found"), Verdict("failed")),
    (NetworkError("Bad Gateway"), Verdict("pending")),
    (TelegramError("anything else"), Verdict("failed")),
])
def test_what_each_failure_means_for_its_recipient(error, verdict):
    assert classify(error) == verdict


def test_a_timeout_after_sending_is_unknown():
    try:
        raise TimedOut("read") from httpx.ReadTimeout("read")
    except TimedOut as error:
        assert classify(error) == Verdict("unknown")


def test_only_a_vanished_process_on_this_host_counts_as_a_dead_holder():
    host, me = socket.gethostname(), os.getpid()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    # The living holder takes SIGHUP's default (dying), even under nohup, and says when it
    # is ready: a signal sent by mistake instead of the harmless 0 would end it.
    alive = subprocess.Popen([sys.executable, "-c", "import signal, time; "
                              "signal.signal(signal.SIGHUP, signal.SIG_DFL); print('ready', flush=True); "
                              "time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        assert alive.stdout.readline() == "ready\n"
        assert holder_is_dead(f"cli:{host}:{gone.pid}:feed")
        for owner in (None, "", f"cli:{host}:{alive.pid}:feed",  # running
                      f"cli:{host}:{me}:feed",  # this very process
                      f"cli:other-{host}:{gone.pid}:feed",  # another host: cannot tell
                      f"cli:{host}:{gone.pid}", f"cli:{host}:{gone.pid}:feed:x",  # not an owner
                      f"cli:{host}:-{gone.pid}:feed", f"cli:{host}:²³:feed", f"cli:{host}:{gone.pid}x:feed"):
            assert not holder_is_dead(owner), owner
        with pytest.raises(subprocess.TimeoutExpired):  # asked, not signalled
            alive.wait(timeout=0.5)
    finally:
        alive.kill()
        alive.wait()
        alive.stdout.close()


async def test_a_busy_broadcast_names_its_holder(harness, store):
    await follow(store, [1])
    first = await harness.broadcaster()
    await first.acquire()
    with pytest.raises(BroadcastBusy) as busy:
        await (await harness.broadcaster()).acquire()
    assert busy.value.holder == first.owner
    assert str(busy.value) == f"broadcast is being sent by {first.owner}"


def test_an_owner_names_the_role_host_process_and_a_short_token():
    owner = new_owner("cli")
    assert re.fullmatch(rf"cli:{re.escape(socket.gethostname())}:{os.getpid()}:[0-9a-f]{{8}}", owner)
    assert new_owner("cli") != owner


async def test_the_update_goes_as_html_without_link_previews_in_the_follower_s_language(harness):
    send = bot_sender(harness.bot, {"en": ("<b>update</b>", None), "es": ("<b>novedad</b>", None)})
    for language, text in (("es", "<b>novedad</b>"), ("fr", "<b>update</b>")):  # no French: English
        await send(7, language)
        (call,) = [c for c in harness.api.take_calls() if c.method == "sendMessage"]
        assert (call.params["text"], call.params["parse_mode"]) == (text, "HTML")
        assert call.params["link_preview_options"] in ({"is_disabled": True}, '{"is_disabled": true}')
    assert harness.api.refusals == []


async def test_progress_is_reported_every_few_seconds_and_once_finished(harness, store):
    await follow(store, range(1, 101))  # 100 followers at 25 a second: 4 seconds of sending
    started = harness.pacer.now()
    final = await (await harness.broadcaster(policy=DeliveryPolicy(progress_every=1.0))).run()
    *during, last = harness.progress
    assert last == final and final.finished and final.counts.sent == 100
    assert (final.sent_this_run, final.elapsed) == (100, pytest.approx(harness.pacer.now() - started))
    assert 3 <= len(during) <= 5 and all(p.finished is False for p in during)
    for before, after in zip(during, during[1:], strict=False):
        assert after.elapsed - before.elapsed >= 1.0  # at most one report a second
        assert before.sent_this_run < after.sent_this_run


async def row_of(store, chat: int) -> tuple:
    (row,) = await store._db.execute_fetchall(
        "SELECT status, error, attempts, next_attempt_at FROM deliveries WHERE recipient = ?", (key(chat),))
    return tuple(row)


async def engine(harness, store, send, policy: DeliveryPolicy | None = None) -> Broadcaster:
    """A broadcaster over its own send function (the harness's limiter and clock)."""
    now = datetime.fromtimestamp(harness.pacer.now(), tz=UTC)
    broadcast = await store.open_broadcast(CAMPAIGN, 1, "followers", now)
    return Broadcaster(store, broadcast, send, harness.limiter, owner=new_owner("test"),
                       policy=policy or DeliveryPolicy())


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_refused_send_is_put_back_with_when_and_why(harness, store, far_from_utc):
    """A 429: back to pending at its retry time, not counted as an attempt. A 502:
    pending after the backoff, counted. Both keep the reason. Times in UTC,
    whatever the machine's time zone."""
    await follow(store, [1])
    started = harness.pacer.now()
    seen = []

    async def send(chat_id, language):
        seen.append(await row_of(store, chat_id))  # as the previous try left it
        if len(seen) == 1:
            raise RetryAfter(timedelta(seconds=30))
        if len(seen) == 2:
            raise NetworkError("Bad Gateway")

    await (await engine(harness, store, send)).run()

    def at(seconds):
        return datetime.fromtimestamp(started + seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    assert seen[1][:3] == ("sending", "RetryAfter: Flood control exceeded. Retry in 30 seconds", 0)
    assert seen[1][3][:19] == at(30)[:19]
    assert seen[2][:3] == ("sending", "NetworkError: Bad Gateway", 1)
    assert seen[2][3][:19] == at(31)[:19]  # the first backoff: one second after the 429's pause
    assert (await row_of(store, 1))[0] == "sent"


async def test_the_lease_is_renewed_every_third_of_it_for_a_lease_ahead(harness, store, clock):
    await follow(store, range(1, 41))  # 40 followers at 2 a second: 20 seconds of sending
    harness.limiter = RateLimiter(2.0, harness.pacer)
    policy = DeliveryPolicy(lease=6.0, concurrency=1, progress_every=0.5)  # the lease is checked often
    broadcaster = await harness.broadcaster(policy=policy)
    renewals = []
    renew = store.renew_broadcast

    async def spy(broadcast_id, owner, lease_until):
        renewals.append((harness.pacer.now(), lease_until.timestamp()))
        return await renew(broadcast_id, owner, lease_until)

    store.renew_broadcast = spy
    started = clock.now
    await broadcaster.run()
    assert len(renewals) >= 8
    for (at, until), (after, _) in zip(renewals, renewals[1:], strict=False):
        assert until - at == pytest.approx(6.0)  # not approx(at + 6.0): its tolerance, relative to the
        # epoch seconds, would be half an hour
        assert 2.0 <= after - at <= 2.6  # a third of the lease, give or take a send
    assert 2.0 <= renewals[0][0] - started <= 2.6


async def test_a_sender_whose_lease_was_taken_over_stops_and_does_not_finish_it(harness, store):
    await follow(store, range(1, 41))
    harness.limiter = RateLimiter(2.0, harness.pacer)
    first = await harness.broadcaster(policy=DeliveryPolicy(lease=6.0, concurrency=1))
    store.renew_broadcast = lambda *args: asyncio.sleep(0, result=False)  # someone else holds it now
    with pytest.raises(ExceptionGroup) as lost:  # raised by the sending task that found out
        await first.run()
    assert lost.group_contains(LostLease, match=rf"^broadcast {first.broadcast.id} was taken over$")
    broadcast = await store.get_broadcast(first.broadcast.id)
    assert broadcast.status == "sending"


async def test_a_stop_asked_while_releasing_is_not_reported_finished(harness, store):
    await follow(store, [1, 2])
    broadcaster = await harness.broadcaster()
    release = store.release_broadcast

    async def stop_then_release(*args):
        broadcaster.stopping.set()
        await release(*args)

    store.release_broadcast = stop_then_release
    progress = await broadcaster.run()
    assert progress.finished is False and harness.progress[-1].finished is False


def test_a_holder_is_alive_when_this_process_may_not_signal_it(monkeypatch):
    def refused(pid, signal):
        raise PermissionError(pid)

    monkeypatch.setattr(os, "kill", refused)
    assert not holder_is_dead(f"cli:{socket.gethostname()}:1:feed")


async def test_a_broadcast_that_is_gone_is_busy_with_no_holder(harness, store):
    await follow(store, [1])
    sender = await harness.broadcaster()
    missing = replace(sender.broadcast, id=sender.broadcast.id + 1)
    gone = Broadcaster(store, missing, sender.send, harness.limiter, owner=new_owner("test"))
    with pytest.raises(BroadcastBusy) as busy:
        await gone.run()
    assert busy.value.holder is None
