"""Erasure as a reviewer checks it on the disk itself (issue 26).

Not the tables, not a dump: the bytes. A supporter reports a letter, tells
of an official's reply, follows the case (and receives an update), asks to
be reminded, then starts another letter, types their name and city, and
uses /forget in the middle of it. Then:

- on SQLite, a copy of the main file, its -wal and -shm, and the key file,
  taken while the bot still runs, holds no Telegram id (as decimal text,
  inside JSON, and as 4-, 6- and 8-byte integers in both byte orders), no
  typed name, city, sentence or reply, and not the destroyed key;
- on PostgreSQL, after VACUUM and CHECKPOINT, the data folder itself (table
  and index files, pg_wal) holds no id in those forms, no readable reply and
  no byte of the destroyed key (which never went there), although the
  journey followed the case, signed up for new cases and left a reminder
  and a pending delivery: their chat id was only ever written sealed;
- with the deployment's secret, trying every message id from 1 to 10,000
  recomputes none of the person's idempotency or delivery keys;
- a reader holding a transaction across /forget (a backup tool) neither
  stalls the bot nor makes the failed checkpoint pass silently: it is
  logged, without personal data, and the sweep finishes it once the reader
  lets go.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import struct
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.bot_api.simulator import Simulator
from bot.core.identity import domain_key, supporter_key
from bot.store.postgres import open_postgres_store
from tests.chat.test_case_updates import run_sweep, wait_for_broadcasts
from tests.conftest import ORGANIZER_ID, make_services, start_bot, stop_bot, texts_of

TELEGRAM_ID = 1_799_000_519  # 0x6B3A91C7: fits the 4-byte forms too
NAME, CITY = "Yqvanda Orriname", "Yqvcitytown"
REPLY = "Yqvreply: the minister's office wrote back"
TYPED = (NAME, "Orriname", CITY, REPLY, "Yqvreply")


def id_forms(telegram_id: int) -> dict[str, bytes]:
    """The id as it could sit in a file: text (alone or inside JSON) and
    binary integers of 4, 6 (SQLite's record format) and 8 bytes, both orders."""
    forms = {"decimal": str(telegram_id).encode()}
    for size in (4, 6, 8):
        if telegram_id < 1 << (8 * size - 1):
            for order in ("big", "little"):
                forms[f"{size}-byte {order}"] = telegram_id.to_bytes(size, order)
    return forms


def test_the_id_forms_are_the_ones_sqlite_and_postgresql_write():
    assert set(id_forms(TELEGRAM_ID)) == {"decimal", "4-byte big", "4-byte little", "6-byte big",
                                          "6-byte little", "8-byte big", "8-byte little"}
    assert id_forms(TELEGRAM_ID)["8-byte little"] == struct.pack("<q", TELEGRAM_ID)  # a BIGINT on disk


def assert_nothing_leads_back(disk: dict[str, bytes], destroyed_key: bytes, secret: bytes) -> None:
    """No id, no typed text, no byte of the key, and not the keyed hash
    anyone holding the deployment's secret can compute from the id."""
    keyed = supporter_key(TELEGRAM_ID, secret).encode()
    for name, content in disk.items():
        assert keyed not in content, f"{name} holds the id's keyed hash"
        for form, needle in id_forms(TELEGRAM_ID).items():
            assert needle not in content, f"{name} holds the Telegram id ({form})"
        for text in TYPED:
            assert text.encode() not in content, f"{name} holds {text!r}"
        assert destroyed_key not in content, f"{name} holds the destroyed key"
        assert destroyed_key[:8] not in content, f"{name} holds bytes of the destroyed key"


async def act_then_forget_mid_letter(sim, api, store, services, *, follow: bool) -> bytes:
    """The journey; returns the person's key as it was before /forget."""
    user = sim.user(user_id=TELEGRAM_ID, first_name="Yqvanda")
    await user.send("/start")
    await user.press("menu:act")
    await user.press("act:off:geronimo-gutierrez")
    await user.press("⭐ ✉️ Letter (print and post) (recommended)")
    await user.send(NAME)
    await user.send(CITY)
    await user.press("act:lang:es")
    await user.press("act:skip")
    await user.press("👥 We sent more than one")
    await user.send("3")
    if follow:
        await user.press("🔔 Follow this case for updates")
        organizer, clock, running = sim.user(user_id=ORGANIZER_ID), services.clock, services.clock.now
        clock.now = datetime(2018, 10, 30, 12, tzinfo=UTC).timestamp()  # an update goes out from its date on
        await organizer.send("/broadcast ua-150-18")
        await organizer.press("✅ Send now")
        await wait_for_broadcasts(sim.application, store)
        assert (await store.delivery_counts(1)).sent == 1
        clock.now = running  # back while the case runs
    await user.press("📬 An official replied")
    await user.press("Gerónimo Gutiérrez (UA 150.18)")
    await user.send(REPLY)
    if follow:
        await user.send("/start")
        message, _ = user.find_button("📚 Learn")
        await user.press_data(message, "rep:l:ua-150-18:geronimo-gutierrez:call:en")  # "Not yet"
        await user.send("/signup")  # new cases too
        await user.press("▫️ 🌍 All new cases")
        await user.press("✔️ Done")
        assert await store.signup_of(TELEGRAM_ID) == ["all"]
        # A second update opened, its delivery to them still pending at /forget.
        pending = await store.open_broadcast("ua-150-18", 2, "followers", datetime.now(UTC))
        assert (await store.delivery_counts(pending.id)).pending == 1
        assert [r.campaign_id for r in (await store.supporter_data(services.supporter(TELEGRAM_ID),
                                                                   TELEGRAM_ID)).reminders] == ["ua-150-18"]
    # Another letter, left in the middle: the name and city typed, the sentence not yet.
    await user.send("/start")
    await user.press("menu:act")
    await user.press("act:off:geronimo-gutierrez")
    await user.press("⭐ ✉️ Letter (print and post) (recommended)")
    await user.send(NAME)
    await user.send(CITY)
    assert await store.count_flows() == 1  # the flow is on disk, sealed, as it runs
    supporter = services.supporter(TELEGRAM_ID)
    key = store.keyring.key(supporter, create=False)
    assert key is not None and len(key) == 32
    (mine,) = await user.send("/mydata")
    assert REPLY in mine.text and "writing an appeal (UA 150.18 · Gerónimo Gutiérrez · letter)" in mine.text
    await user.send("/forget")
    calls = await user.press("🗑 Yes, delete my data")
    assert texts_of(calls, "editMessageText")[0].startswith("Done. Everything kept about you")
    assert store.keyring.key(supporter, create=False) is None
    assert await store.count_flows() == 0
    return key


def sqlite_files(store) -> dict[str, bytes]:
    """The main file, -wal, -shm and the key file with its own, as a backup would copy them."""
    folder = store.path.parent
    return {path.name: path.read_bytes() for path in sorted(folder.glob(store.path.name + "*"))}


async def test_on_sqlite_a_copy_taken_while_the_bot_runs_after_forget_mid_letter_holds_nothing(
        bot, services, store):
    sim, api = bot
    key = await act_then_forget_mid_letter(sim, api, store, services, follow=True)
    disk = sqlite_files(store)  # the bot is still running
    assert {"bot.sqlite3", "bot.sqlite3-wal", "bot.sqlite3.keys"} <= set(disk)
    assert_nothing_leads_back(disk, key, services.secret)
    stats = await store.campaign_stats("ua-150-18", today=services.today())
    assert (stats.actions, stats.open_replies) == (3, 1)  # still counted, anonymously


async def test_on_postgresql_the_data_folder_holds_no_id_no_reply_and_no_key_after_forget(
        pg_server, pg_url, settings, clock, matcher, catalog, tmp_path):
    if not hasattr(pg_server, "data"):
        pytest.skip("a shared server's data folder is not ours to read")
    async with await open_postgres_store(pg_url, key_file=tmp_path / "keys.sqlite3") as store:
        services = make_services(catalog, settings, clock, matcher, store)
        application, api = await start_bot(services)
        sim = Simulator(application, api, clock=clock)
        try:
            key = await act_then_forget_mid_letter(sim, api, store, services, follow=True)
        finally:
            await stop_bot(application)
        async with store._pool.acquire() as conn:
            await conn.execute("VACUUM")
            await conn.execute("CHECKPOINT")
    disk = {str(path.relative_to(pg_server.data)): path.read_bytes()
            for path in Path(pg_server.data).rglob("*") if path.is_file()}
    assert any(name.startswith("pg_wal/") for name in disk) and any(name.startswith("base/") for name in disk)
    assert_nothing_leads_back(disk, key, services.secret)
    keys = {str(path.name): path.read_bytes() for path in tmp_path.glob("keys.sqlite3*")}
    assert_nothing_leads_back(keys, key, services.secret)


async def test_with_the_secret_no_key_of_a_forgotten_person_can_be_recomputed(bot, services, store, settings):
    sim, api = bot
    await act_then_forget_mid_letter(sim, api, store, services, follow=True)
    secret = settings.supporter_id_secret
    chat = TELEGRAM_ID
    guesses = {domain_key("recipient", str(chat), secret), supporter_key(chat, secret),
               domain_key("limits", str(chat), secret)} - {services.limits(chat).limiter}
    for message_id in range(1, 10_001):
        for kind in ("report", "reply", "problem"):
            guesses.add(domain_key(kind, f"{chat}:{message_id}", secret))
    # And what the keys are made of now, with every key the key file still holds.
    for (owner, other_key) in sqlite3.connect(f"{store.path}.keys").execute(
            "SELECT owner, key FROM supporter_keys"):
        from bot.store.keyring import Keyring
        ring = Keyring(":memory:")
        ring._db.execute("INSERT INTO supporter_keys VALUES (?, ?, '')", (owner, other_key))
        for message_id in range(1, 200):
            for kind in ("report", "reply", "problem"):
                guesses.add(ring.handle(owner, f"{kind}:{chat}:{message_id}"))
        guesses.add(ring.handle(owner, f"recipient:{chat}"))
    database = sqlite3.connect(store.path)
    stored = set()
    for (table,) in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for row in database.execute(f"SELECT * FROM {table}"):
            stored |= {value for value in row if isinstance(value, str)}
    on_disk = set(re.findall(rb"[0-9a-f]{64}", b"".join(sqlite_files(store).values())))
    assert len(guesses) > 30_000
    assert guesses.isdisjoint(stored), "a table holds a key recomputed with the secret"
    assert {g.encode() for g in guesses}.isdisjoint(on_disk), "the disk holds a key recomputed with it"
    # What stayed, under keys nobody can recompute: the actions, the reply, the delivery.
    forgotten = "SELECT COUNT(*) FROM {} WHERE {} LIKE 'forgotten:%'"
    assert database.execute(forgotten.format("actions", "idempotency_key")).fetchone() == (1,)
    assert database.execute(forgotten.format("official_replies", "idempotency_key")).fetchone() == (1,)
    assert database.execute(forgotten.format("deliveries", "recipient")).fetchone() == (1,)


async def test_a_reader_holding_a_transaction_across_forget_neither_stalls_the_bot_nor_hides_the_failure(
        bot, services, store, caplog):
    sim, api = bot
    user = sim.user(user_id=TELEGRAM_ID)
    await user.send("/updates")
    await user.press("upd:lon:ua-150-18")
    key = store.keyring.key(services.supporter(TELEGRAM_ID), create=False)  # made for the delivery key
    reader = sqlite3.connect(store.path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM subscriptions").fetchone()  # a snapshot held, as Litestream does
    try:
        await user.send("/forget")
        caplog.set_level(logging.INFO)
        started = time.monotonic()
        calls = await user.press("🗑 Yes, delete my data")
        elapsed = time.monotonic() - started
        assert texts_of(calls, "editMessageText")[0].startswith("Done.")
        assert elapsed < 1.0, f"/forget stalled {elapsed:.1f} s behind the reader"
        (warning,) = [r for r in caplog.records if "checkpoint after an erasure" in r.getMessage()]
        assert warning.levelno == logging.WARNING and str(TELEGRAM_ID) not in warning.getMessage()
        wal = Path(f"{store.path}-wal")
        assert id_forms(TELEGRAM_ID)["4-byte big"] in wal.read_bytes()  # the log still holds the follow
        await run_sweep(sim.application)  # the reader still reads: still owed, and the sweep does not wait
        assert store.checkpoint_owed
        # Another update meanwhile is answered at once.
        started = time.monotonic()
        await sim.user(user_id=TELEGRAM_ID + 1).send("/start")
        assert time.monotonic() - started < 1.0
    finally:
        reader.execute("COMMIT")
        reader.close()
    await run_sweep(sim.application)
    assert not store.checkpoint_owed
    assert wal.stat().st_size == 0
    assert_nothing_leads_back(sqlite_files(store), key, services.secret)
    assert any("checkpoint owed since an erasure is done" in r.getMessage() for r in caplog.records)


async def test_the_checkpoint_does_not_wait_for_the_busy_timeout(store):
    """The store's own check of the same: a reader holding the WAL, /forget returns at once."""
    await store.subscribe(TELEGRAM_ID, "ua-150-18", "b" * 64, "en")
    reader = sqlite3.connect(store.path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM subscriptions").fetchone()
    try:
        started = time.monotonic()
        await asyncio.wait_for(store.forget("a" * 64, TELEGRAM_ID), timeout=4)
        assert time.monotonic() - started < 1.0
        assert store.checkpoint_owed and not await store.finish_erasure()
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert await store.finish_erasure() and not store.checkpoint_owed
