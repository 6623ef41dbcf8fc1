"""Sign-ups for new cases and their announcements in the store, on SQLite and
PostgreSQL: choices replaced as a whole, counts by choice, who a case's
announcement reaches (matching choices, not following it, once), language
changes, /stop; and migration 0009 keeping the broadcasts it rebuilds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.store import ANNOUNCEMENT_AUDIENCE, SignupCounts, open_store
from bot.store.postgres import open_postgres_store
from tests.store.test_store import key, raw

NOW = datetime(2018, 9, 20, 12, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def opener(request, tmp_path):
    """Opens this test's store: a SQLite file, or a fresh PostgreSQL database (as test_store.py does)."""
    if request.param == "sqlite":
        return lambda: open_store(tmp_path / "data" / "store.sqlite3")
    url = request.getfixturevalue("pg_url")
    return lambda: open_postgres_store(url)


@pytest.fixture
async def backend(opener):
    async with await opener() as opened:
        yield opened
CASE = ["all", "topic:test-free-press", "region:africa"]  # what a case of that topic in Africa matches


async def sign_up(backend, chat: int, *choices: str, lang: str = "en") -> None:
    await backend.set_signup(chat, key(1000 + chat), lang, list(choices))


async def test_choices_are_replaced_counted_and_ended(backend):
    await sign_up(backend, 1, "all")
    await sign_up(backend, 2, "topic:test-free-press", "region:americas")
    await sign_up(backend, 3, "region:americas")
    await sign_up(backend, 2, "region:americas", "region:africa", "region:africa")  # replaces 2's choices
    assert await backend.signup_of(2) == ["region:africa", "region:americas"]
    assert await backend.signup_counts() == SignupCounts(
        people=3, by_choice={"all": 1, "region:africa": 1, "region:americas": 2})
    await backend.set_signup(3, key(1003), "en", [])  # none: the sign-up ends
    assert await backend.signup_of(3) == []
    assert await backend.unsubscribe_chat(1) == 0  # /stop, a blocked chat: no subscription, but the sign-up
    assert await backend.signup_counts() == SignupCounts(people=1, by_choice={"region:africa": 1,
                                                                            "region:americas": 1})
    for bad in (["everything"], ["topic:"], ["topic:Bad Id"], "all"):
        with pytest.raises(ValueError, match="sign-up choices"):
            await backend.set_signup(4, key(1004), "en", bad)
    with pytest.raises(ValueError, match="recipient"):
        await backend.set_signup(4, "4", "en", ["all"])


async def test_an_announcement_reaches_matching_chats_not_following_it_once(backend):
    await sign_up(backend, 1, "all")
    await sign_up(backend, 2, "topic:test-free-press", lang="es")
    await sign_up(backend, 3, "region:americas")  # another region: not reached
    await sign_up(backend, 4, "region:africa", "topic:test-free-press")  # two matches: reached once
    await sign_up(backend, 5, "all")
    await backend.subscribe(5, "test-ua-777-77", key(1005), "en")  # follows the case already: not told again
    assert await backend.announcement_size("test-ua-777-77", CASE) == 3
    announcement = await backend.open_announcement("test-ua-777-77", CASE, NOW)
    assert (announcement.update_number, announcement.audience, announcement.status) == (
        0, ANNOUNCEMENT_AUDIENCE, "sending")
    pending = await backend.pending_deliveries(announcement.id, NOW, 10)
    assert sorted((d.chat_id, d.language) for d in pending) == [(1, "en"), (2, "es"), (4, "en")]
    assert await backend.announcement_size("test-ua-777-77", CASE) == 3  # still pending: still to send

    owner = "test:owner"
    assert await backend.acquire_broadcast(announcement.id, owner, NOW, NOW + timedelta(minutes=1))
    for delivery in pending:
        assert await backend.claim_delivery(announcement.id, delivery.recipient, owner, NOW)
        await backend.finish_delivery(announcement.id, delivery.recipient, "sent", NOW)
    await backend.release_broadcast(announcement.id, owner, NOW)
    assert await backend.announcement_size("test-ua-777-77", CASE) == 0
    again = await backend.open_announcement("test-ua-777-77", CASE, NOW)  # one announcement per case
    assert (again.id, again.status) == (announcement.id, "done")

    await sign_up(backend, 6, "region:africa")  # signed up since: added, and the announcement resumes
    await sign_up(backend, 1, "region:africa")  # changed choices: still not sent twice
    assert await backend.announcement_size("test-ua-777-77", CASE) == 1
    resumed = await backend.open_announcement("test-ua-777-77", CASE, NOW)
    assert resumed.status == "sending"
    assert [d.chat_id for d in await backend.pending_deliveries(announcement.id, NOW, 10)] == [6]
    # An update's broadcast of the same case is another thing: followers only.
    assert await backend.audience_size("test-ua-777-77", 1, "followers") == 1


async def test_a_language_change_and_stop_reach_the_signup(backend):
    await sign_up(backend, 7, "all")
    await backend.set_language(key(7), "es", chat_id=7)
    announcement = await backend.open_announcement("test-ua-777-77", ["all"], NOW)
    (delivery,) = await backend.pending_deliveries(announcement.id, NOW, 10)
    assert delivery.language == "es"
    await backend.unsubscribe_chat(7)  # /stop: the sign-up and its pending announcement go
    assert await backend.pending_deliveries(announcement.id, NOW, 10) == []
    assert await backend.signup_of(7) == []


async def test_migration_9_keeps_broadcasts_and_their_deliveries(tmp_path):
    path = tmp_path / "old.sqlite3"
    async with await open_store(path, migrate_to=8) as old:
        await old.subscribe(11, "ua-150-18", key(11), "en")
        broadcast = await old.open_broadcast("ua-150-18", 1, "followers", NOW)
    async with await open_store(path) as upgraded:
        assert (await upgraded.get_broadcast(broadcast.id)).audience == "followers"
        assert [d.chat_id for d in await upgraded.pending_deliveries(broadcast.id, NOW, 10)] == [11]
        assert raw(path).execute("PRAGMA foreign_key_check").fetchall() == []
        with pytest.raises(Exception, match="FOREIGN KEY"):  # deliveries still refer to broadcasts
            await upgraded._db.execute("INSERT INTO deliveries (broadcast_id, recipient, chat_id, language,"
                                    " status, updated_at) VALUES (99, 'x', 1, 'en', 'pending', 'now')")
        with pytest.raises(Exception, match="CHECK"):  # an announcement is update 0, and only it
            await upgraded._db.execute("INSERT INTO broadcasts (campaign_id, update_number, audience, status,"
                                    " created_at) VALUES ('x', 0, 'followers', 'sending', 'now')")
