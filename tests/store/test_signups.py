"""Sign-ups for new cases and their announcements in the store, on SQLite and
PostgreSQL: choices replaced as a whole, counts by choice, who a case's
announcement reaches (matching choices, not following it, once), language
changes, /stop; and migration 0009 keeping the broadcasts it rebuilds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.store import ANNOUNCEMENT_AUDIENCE, SignupCounts, open_store
from tests.store.test_store import key, open_backend, raw, store  # noqa: F401 (fixtures)

NOW = datetime(2018, 9, 20, 12, tzinfo=UTC)
CASE = ["all", "topic:test-free-press", "region:africa"]  # what a case of that topic in Africa matches


async def sign_up(store, chat: int, *choices: str, lang: str = "en") -> None:
    await store.set_signup(chat, key(1000 + chat), lang, list(choices))


async def test_choices_are_replaced_counted_and_ended(store):
    await sign_up(store, 1, "all")
    await sign_up(store, 2, "topic:test-free-press", "region:americas")
    await sign_up(store, 3, "region:americas")
    await sign_up(store, 2, "region:americas", "region:africa", "region:africa")  # replaces 2's choices
    assert await store.signup_of(2) == ["region:africa", "region:americas"]
    assert await store.signup_counts() == SignupCounts(
        people=3, by_choice={"all": 1, "region:africa": 1, "region:americas": 2})
    await store.set_signup(3, key(1003), "en", [])  # none: the sign-up ends
    assert await store.signup_of(3) == []
    assert await store.unsubscribe_chat(1) == 0  # /stop, a blocked chat: no subscription, but the sign-up
    assert await store.signup_counts() == SignupCounts(people=1, by_choice={"region:africa": 1,
                                                                            "region:americas": 1})
    for bad in (["everything"], ["topic:"], ["topic:Bad Id"], "all"):
        with pytest.raises(ValueError, match="sign-up choices"):
            await store.set_signup(4, key(1004), "en", bad)
    with pytest.raises(ValueError, match="recipient"):
        await store.set_signup(4, "4", "en", ["all"])


async def test_an_announcement_reaches_matching_chats_not_following_it_once(store):
    await sign_up(store, 1, "all")
    await sign_up(store, 2, "topic:test-free-press", lang="es")
    await sign_up(store, 3, "region:americas")  # another region: not reached
    await sign_up(store, 4, "region:africa", "topic:test-free-press")  # two matches: reached once
    await sign_up(store, 5, "all")
    await store.subscribe(5, "test-ua-777-77", key(1005), "en")  # follows the case already: not told again
    assert await store.announcement_size("test-ua-777-77", CASE) == 3
    announcement = await store.open_announcement("test-ua-777-77", CASE, NOW)
    assert (announcement.update_number, announcement.audience, announcement.status) == (
        0, ANNOUNCEMENT_AUDIENCE, "sending")
    pending = await store.pending_deliveries(announcement.id, NOW, 10)
    assert sorted((d.chat_id, d.language) for d in pending) == [(1, "en"), (2, "es"), (4, "en")]
    assert await store.announcement_size("test-ua-777-77", CASE) == 3  # still pending: still to send

    owner = "test:owner"
    assert await store.acquire_broadcast(announcement.id, owner, NOW, NOW + timedelta(minutes=1))
    for delivery in pending:
        assert await store.claim_delivery(announcement.id, delivery.recipient, owner, NOW)
        await store.finish_delivery(announcement.id, delivery.recipient, "sent", NOW)
    await store.release_broadcast(announcement.id, owner, NOW)
    assert await store.announcement_size("test-ua-777-77", CASE) == 0
    again = await store.open_announcement("test-ua-777-77", CASE, NOW)  # one announcement per case
    assert (again.id, again.status) == (announcement.id, "done")

    await sign_up(store, 6, "region:africa")  # signed up since: added, and the announcement resumes
    await sign_up(store, 1, "region:africa")  # changed choices: still not sent twice
    assert await store.announcement_size("test-ua-777-77", CASE) == 1
    resumed = await store.open_announcement("test-ua-777-77", CASE, NOW)
    assert resumed.status == "sending"
    assert [d.chat_id for d in await store.pending_deliveries(announcement.id, NOW, 10)] == [6]
    # An update's broadcast of the same case is another thing: followers only.
    assert await store.audience_size("test-ua-777-77", 1, "followers") == 1


async def test_a_language_change_and_stop_reach_the_signup(store):
    await sign_up(store, 7, "all")
    await store.set_language(key(7), "es", chat_id=7)
    announcement = await store.open_announcement("test-ua-777-77", ["all"], NOW)
    (delivery,) = await store.pending_deliveries(announcement.id, NOW, 10)
    assert delivery.language == "es"
    await store.unsubscribe_chat(7)  # /stop: the sign-up and its pending announcement go
    assert await store.pending_deliveries(announcement.id, NOW, 10) == []
    assert await store.signup_of(7) == []


async def test_migration_9_keeps_broadcasts_and_their_deliveries(tmp_path):
    path = tmp_path / "old.sqlite3"
    async with await open_store(path, migrate_to=8) as old:
        await old.subscribe(11, "ua-150-18", key(11), "en")
        broadcast = await old.open_broadcast("ua-150-18", 1, "followers", NOW)
    async with await open_store(path) as store:
        assert (await store.get_broadcast(broadcast.id)).audience == "followers"
        assert [d.chat_id for d in await store.pending_deliveries(broadcast.id, NOW, 10)] == [11]
        assert raw(path).execute("PRAGMA foreign_key_check").fetchall() == []
        with pytest.raises(Exception, match="FOREIGN KEY"):  # deliveries still refer to broadcasts
            await store._db.execute("INSERT INTO deliveries (broadcast_id, recipient, chat_id, language,"
                                    " status, updated_at) VALUES (99, 'x', 1, 'en', 'pending', 'now')")
        with pytest.raises(Exception, match="CHECK"):  # an announcement is update 0, and only it
            await store._db.execute("INSERT INTO broadcasts (campaign_id, update_number, audience, status,"
                                    " created_at) VALUES ('x', 0, 'followers', 'sending', 'now')")
