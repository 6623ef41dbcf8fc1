"""Benchmarks of case-update broadcasts (bot.broadcasts.engine) on the in-memory Bot API,
in real time.

1. Paced: 2,000 followers with the limiter at 25 messages/s. Targets: the
   achieved rate is >= 95% of 25/s (24/s), and no one-second window (at the
   moment the Bot API receives each message) holds more than 25 sends.
   Takes about 80 seconds, by design. Both are reported as met or not, not
   asserted: a stall of the event loop on a busy machine moves either (the
   limiter's own guarantees are tested in tests/broadcasts/test_broadcast.py).
2. Ceiling: 5,000 followers with the limiter lifted: what the pipeline
   itself (claim, send through python-telegram-bot, record, in SQLite) can do.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime

from telegram import Bot

from bot.bot_api.transport import InMemoryBotAPI
from bot.broadcasts.engine import Broadcaster, DeliveryPolicy, bot_sender, new_owner
from bot.broadcasts.rate_limit import RateLimiter
from bot.store import open_store

RATE = 25.0
PACED = 2_000
UNPACED = 5_000
MESSAGES = {"en": ("<b>UA 150.18 update</b>\nNo further action is needed.", None),
            "es": ("<b>Novedad de la UA 150.18</b>\nNo se necesitan más acciones.", None)}


async def broadcast(tmp_path, name: str, followers: int, rate: float | None) -> list[float]:
    """Send one update to `followers`; the monotonic time each message reached the API."""
    path = tmp_path / f"{name}.sqlite3"
    async with await open_store(path):
        pass
    db = sqlite3.connect(path)
    db.executemany("INSERT INTO subscriptions (chat_id, campaign_id, recipient, language, created_at) "
                   "VALUES (?, 'ua-150-18', ?, 'en', '2018-10-01T00:00:00Z')",
                   [(chat, f"{chat:064x}") for chat in range(1, followers + 1)])
    db.commit()
    db.close()
    api = InMemoryBotAPI()
    received: list[float] = []
    api.listeners.append(
        lambda call: received.append(time.monotonic()) if call.method == "sendMessage" else None)
    bot = Bot("1000001:in-memory", request=api)
    async with await open_store(path) as store:
        opened = await store.open_broadcast("ua-150-18", 1, "followers", datetime.now(UTC))
        progress = await Broadcaster(store, opened, bot_sender(bot, MESSAGES), RateLimiter(rate),
                                     owner=new_owner("bench"), policy=DeliveryPolicy()).run()
    assert progress.counts.sent == followers
    return received


def busiest_second(times: list[float]) -> int:
    """The most sends in any half-open one-second window [t, t + 1)."""
    most, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


async def test_paced_broadcast_keeps_to_the_rate(tmp_path, record):
    times = await broadcast(tmp_path, "paced", PACED, RATE)
    rate = (len(times) - 1) / (times[-1] - times[0])
    window = busiest_second(times)
    record("broadcast_rate_per_s", round(rate, 3), "msg/s", f"{PACED:,} followers, limiter at {RATE:g}/s")
    record("broadcast_rate_fraction", round(rate / RATE, 4), "", "achieved / configured rate",
           target=">= 0.95", met=rate >= 0.95 * RATE)
    record("broadcast_max_window", window, "msg", "most sends in any 1-s window",
           target=f"<= {RATE:g}", met=window <= RATE)


async def test_unpaced_broadcast_ceiling(tmp_path, record):
    started = time.monotonic()
    times = await broadcast(tmp_path, "ceiling", UNPACED, None)
    ceiling = len(times) / (time.monotonic() - started)
    record("broadcast_ceiling_per_s", round(ceiling, 1), "msg/s",
           f"{UNPACED:,} followers, no limiter: claim + send + record in SQLite")
    print(f"\nbroadcast pipeline ceiling: {ceiling:,.0f} messages/s")


async def test_unpaced_broadcast_ceiling_on_postgresql(pg_url, record):
    """The same ceiling on PostgreSQL, where every follower's chat id is sealed
    under their own key (bot/store/chat_seal.py): opening it costs a key-file
    lookup per batch of 500 and an AES-GCM open per recipient."""
    from bot.store.postgres import open_postgres_store

    async with await open_postgres_store(pg_url) as store:
        for chat in range(1, UNPACED + 1):  # through the store, as the bot writes them
            await store.subscribe(chat, "ua-150-18", f"{chat:064x}", "en")
        bot = Bot("1000001:in-memory", request=InMemoryBotAPI())
        started = time.monotonic()
        opened = await store.open_broadcast("ua-150-18", 1, "followers", datetime.now(UTC))
        progress = await Broadcaster(store, opened, bot_sender(bot, MESSAGES), RateLimiter(None),
                                     owner=new_owner("bench"), policy=DeliveryPolicy()).run()
        ceiling = UNPACED / (time.monotonic() - started)
    assert progress.counts.sent == UNPACED
    record("broadcast_ceiling_pg_per_s", round(ceiling, 1), "msg/s",
           f"{UNPACED:,} followers, no limiter: claim + send + record in PostgreSQL")
    print(f"\nbroadcast pipeline ceiling on PostgreSQL: {ceiling:,.0f} messages/s")
