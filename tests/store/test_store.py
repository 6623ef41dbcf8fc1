"""The action log on both backends: idempotency, validation, exact figures,
/forget and concurrency run on SQLite and on a real PostgreSQL server (the
`store` fixture's ids `sqlite` / `postgresql`); migrations, pragmas and query
plans of SQLite are tested here, their PostgreSQL counterparts in
test_store_postgres.py."""

from __future__ import annotations

import asyncio
import itertools
import re
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest

from bot.core.identity import supporter_key
from bot.store import (
    BY_DAY_WINDOW,
    ERASED_TEXT,
    ActionReport,
    DeliveryCounts,
    Limits,
    ProblemReport,
    Recorded,
    ReminderRequest,
    ReplyReport,
    SQLiteStore,
    Store,
    open_store,
)
from bot.store import migrate as migrations
from bot.store.postgres import open_postgres_store
from bot.store.sqlite import ACTED_BEFORE, ACTED_HERE, stats_params, stats_queries

SECRET = b"test-secret"
TODAY = date(2024, 6, 30)
NOW = datetime(2024, 6, 30, 12, tzinfo=UTC)
LATEST = len(migrations.available())


def key(n: int) -> str:
    return supporter_key(n, SECRET)


def at(days_ago: int, hour: int = 12) -> datetime:
    day = TODAY - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def report(n: int, **changes) -> ActionReport:
    base = ActionReport(
        campaign_id="ua-150-18",
        official_id="luis-videgaray",
        channel="email",
        count=1,
        status="done",
        language="en",
        country=None,
        supporter=key(1),
        idempotency_key=f"k{n}",
        at=at(0),
    )
    return replace(base, **changes)


@pytest.fixture(params=["sqlite", "postgresql"])
def open_backend(request, tmp_path):
    """Opens a store on this test's database, the same one at each call (as
    several processes would): a SQLite file, or a fresh PostgreSQL database
    (skipped, with the reason shown, where no server binaries are installed)."""
    if request.param == "sqlite":
        return lambda: open_store(tmp_path / "data" / "store.sqlite3")
    url = request.getfixturevalue("pg_url")
    # one key file, shared as processes share it
    return lambda: open_postgres_store(url, key_file=tmp_path / "keys.sqlite3")


@pytest.fixture
async def store(open_backend):
    async with await open_backend() as opened:
        yield opened


@pytest.fixture
async def sqlite_store(tmp_path):
    async with await open_store(tmp_path / "data" / "store.sqlite3") as opened:
        yield opened


def raw(path) -> sqlite3.Connection:
    return sqlite3.connect(path)


async def query(store, sql: str, *params) -> list[tuple]:
    """Raw SQL on either backend, written with `?` placeholders."""
    if isinstance(store, SQLiteStore):
        return [tuple(row) for row in await store._db.execute_fetchall(sql, params)]
    numbers = itertools.count(1)
    sql = re.sub(r"\?", lambda _: f"${next(numbers)}", sql)
    return [tuple(row) for row in await store._pool.fetch(sql, *params)]


# -- opening and migrations -----------------------------------------------------


async def test_open_creates_folder_and_applies_every_migration(tmp_path):
    path = tmp_path / "a" / "b" / "store.sqlite3"
    async with await open_store(path) as store:
        assert isinstance(store, Store)
    rows = raw(path).execute("SELECT version, name FROM schema_migrations ORDER BY 1").fetchall()
    assert rows == [(m.version, m.name) for m in migrations.available()]
    assert [v for v, _ in rows] == list(range(1, LATEST + 1))
    assert LATEST >= 2
    async with await open_store(path):  # reopening applies nothing twice
        pass
    assert raw(path).execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == LATEST


async def test_pragmas(sqlite_store):  # SQLite only: PostgreSQL has no per-connection pragmas
    async def pragma(name):
        return (await sqlite_store._db.execute_fetchall(f"PRAGMA {name}"))[0][0]

    assert await pragma("journal_mode") == "wal"
    assert await pragma("foreign_keys") == 1
    assert await pragma("synchronous") == 1  # NORMAL
    assert await pragma("busy_timeout") == 5000


@pytest.mark.parametrize("version", range(1, LATEST))
async def test_upgrade_from_every_earlier_version_keeps_data(tmp_path, version):
    path = tmp_path / "old.sqlite3"
    async with await open_store(path, migrate_to=version):
        pass
    db = raw(path)
    assert db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] == version
    # rows written by the old code: only the columns 0001 created
    rows = [
        ("ua-150-18", "luis-videgaray", "letter", 3, "done", "es", "Mexico", key(1),
         "2024-06-29T10:00:00Z", "old-1"),
        ("ua-150-18", "luis-videgaray", "call", 1, "attempted", "en", None, key(2),
         "2024-06-30T10:00:00Z", "old-2"),
        ("other", "alfonso-navarrete", "email", 2, "done", "en", None, None,
         "2024-06-30T11:00:00Z", "old-3"),
    ]  # fmt: skip
    db.executemany(
        "INSERT INTO actions (campaign_id, official_id, channel, count, status, language,"
        " country, supporter, created_at, idempotency_key) VALUES (?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    if version < 6:
        db.execute("INSERT INTO subscriptions VALUES (?, 42, 'ua-150-18', '2024-06-30T10:00:00Z')", (key(1),))
    else:  # 0006 keyed subscriptions by chat
        db.execute("INSERT INTO subscriptions VALUES (42, 'ua-150-18', 'chat:42', 'en', 1,"
                   " '2024-06-30T10:00:00Z')")
    db.execute("INSERT INTO official_replies (campaign_id, official_id, summary, supporter, created_at,"
               " idempotency_key) VALUES ('ua-150-18', 'luis-videgaray', 'An old reply', ?,"
               " '2024-06-30T10:00:00Z', 'old-reply')", (key(1),))
    db.commit()
    db.close()
    async with await open_store(path) as store:
        applied = raw(path).execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
        assert [v for (v,) in applied] == list(range(1, LATEST + 1))
        if version >= 2:  # rollups existed but old rows bypassed them
            await store.rebuild_rollups()
        stats = await store.campaign_stats("ua-150-18", today=TODAY)
        assert (stats.actions, stats.attempted, stats.supporters) == (3, 1, 2)
        assert stats.by_channel == {"letter": 3}
        everything = await store.campaign_stats(today=TODAY)
        assert (everything.actions, everything.supporters) == (5, 2)
        assert await store.subscriptions_of(42) == ["ua-150-18"]
        (follower,) = await store.subscribers_of("ua-150-18")
        assert (follower.recipient, follower.acted) == ("chat:42", True)  # keyed at the bot's start:
        assert await store.rekey_legacy_rows(lambda chat: key(1000 + chat)) == 1
        assert [s.recipient for s in await store.subscribers_of("ua-150-18")] == [key(1042)]
        assert "chat:" not in "".join(map(str, raw(path).execute("SELECT * FROM subscriptions").fetchall()))
        # a reply kept before texts were sealed still reads (0007 rebuilt its table)
        assert [item.text for item in await store.list_problems()] == ["An old reply"]
        # and the supporters from before the key file keep their rows: their keyed hash is their alias
        assert [store.keyring.alias(k, create=False) for k in (key(1), key(2))] == [key(1), key(2)]
        exported = [row async for row in store.export_actions()]
        assert [row.country for row in exported] == ["Mexico", None, None]
        # and the upgraded store keeps counting
        result = await store.record_action(report(9, supporter=key(3)))
        assert (result.campaign_supporters, result.campaign_actions) == (3, 4)


async def test_database_newer_than_code_is_refused(tmp_path):
    path = tmp_path / "s.sqlite3"
    async with await open_store(path):
        pass
    db = raw(path)
    db.execute("INSERT INTO schema_migrations VALUES (999, 'future', '2030-01-01T00:00:00Z')")
    db.commit()
    with pytest.raises(RuntimeError, match="newer than this code"):
        await open_store(path)


async def test_processes_opening_a_new_file_at_once_migrate_it_once(tmp_path):
    path = tmp_path / "s.sqlite3"
    stores = await asyncio.gather(*(open_store(path) for _ in range(4)))
    for store in stores:
        await store.close()
    assert raw(path).execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == LATEST


def test_statement_splitter_respects_strings_and_comments():
    sql = "-- a; comment\nCREATE TABLE t (x TEXT DEFAULT ';');\n\nINSERT INTO t VALUES ('a;b');\n"
    assert migrations.statements(sql) == [
        "-- a; comment\nCREATE TABLE t (x TEXT DEFAULT ';');",
        "INSERT INTO t VALUES ('a;b');",
    ]
    with pytest.raises(ValueError):
        migrations.statements("SELECT 1; SELECT")


# -- reporting ----------------------------------------------------------------------


async def test_same_idempotency_key_counts_once(store):
    first = await store.record_action(report(1, count=3))
    again = await store.record_action(report(1, count=3))
    assert (first.created, first.campaign_supporters, first.campaign_actions) == (True, 1, 3)
    assert (again.created, again.campaign_supporters, again.campaign_actions) == (False, 1, 3)
    second = await store.record_action(report(2, supporter=key(2), count=2))
    assert (second.created, second.campaign_supporters, second.campaign_actions) == (True, 2, 5)
    stats = await store.campaign_stats(today=TODAY)
    assert (stats.actions, stats.supporters) == (5, 2)

    reply = ReplyReport("ua-150-18", "luis-videgaray", "They answered", key(1), "r1")
    first_reply, again_reply = await store.record_reply(reply), await store.record_reply(reply)
    assert first_reply == Recorded(True, first_reply.id) and first_reply.id is not None
    assert again_reply == Recorded(False, first_reply.id)  # the same row, not created again
    problem = ProblemReport("ua-150-18", "luis-videgaray", "email", "bounced", None, None, "p1")
    first_problem = await store.record_contact_problem(problem)
    assert first_problem.created
    assert await store.record_contact_problem(problem) == Recorded(False, first_problem.id)
    assert len(await store.list_problems()) == 2


async def test_replies_and_problems_past_their_daily_cap_are_refused_and_say_so(store):
    limits = Limits(key(79), replies=1, problems=1)

    def reply(n: int) -> ReplyReport:
        return ReplyReport("ua-150-18", "luis-videgaray", f"They answered {n}", key(1), f"r{n}")

    def problem(n: int) -> ProblemReport:
        return ProblemReport("ua-150-18", "luis-videgaray", "email", "bounced", None, key(1), f"p{n}")

    assert (await store.record_reply(reply(1), limits=limits)).created
    assert await store.record_reply(reply(2), limits=limits) == Recorded(False, None, capped=True)
    assert (await store.record_contact_problem(problem(1), limits=limits)).created
    assert await store.record_contact_problem(problem(2), limits=limits) == Recorded(False, None, capped=True)
    assert sorted(i.kind for i in await store.list_problems()) == ["problem", "reply"]
    assert (await store.campaign_stats("ua-150-18", today=datetime.now(UTC).date())).capped == 2


async def test_the_actions_cap_counts_actions_and_allows_its_exact_total(store):
    """10 actions a day: a report that brings the day to exactly 10 is counted, one
    more is refused. Replies and problems are not actions."""
    limits = Limits(key(79), actions=10, replies=5, problems=5)
    now = datetime.now(UTC)
    assert (await store.record_action(report(1, count=6, at=now), limits=limits)).created
    assert (await store.record_reply(ReplyReport("ua-150-18", "luis-videgaray", "Yes", key(1), "r1", at=now),
                                     limits=limits)).created
    assert (await store.record_contact_problem(
        ProblemReport("ua-150-18", "luis-videgaray", "email", "bounced", None, key(1), "p1", at=now),
        limits=limits)).created
    assert (await store.record_action(report(2, count=4, at=now), limits=limits)).created  # 10: the cap
    refused = await store.record_action(report(3, count=1, at=now), limits=limits)
    assert (refused.created, refused.capped) == (False, True)
    assert (await store.campaign_stats("ua-150-18", today=now.date())).actions == 10


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": "sms"}, "channel"),
        ({"count": 0}, "count"),
        ({"count": 501}, "count"),
        ({"count": True}, "count"),
        ({"count": "3"}, "count"),
        ({"status": "maybe"}, "status"),
        ({"language": "fr"}, "language"),
        ({"country": "x" * 81}, "country"),
        ({"supporter": "123456789"}, "supporter"),  # a raw Telegram id is refused
        ({"campaign_id": ""}, "campaign_id"),
        ({"campaign_id": "*"}, "campaign_id"),
        ({"official_id": None}, "official_id"),
        ({"idempotency_key": ""}, "idempotency_key"),
    ],
)
async def test_invalid_reports_are_refused_with_a_clear_error(store, changes, field):
    with pytest.raises(ValueError, match=field):
        await store.record_action(report(1, **changes))
    assert (await store.campaign_stats(today=TODAY)).actions == 0


async def test_invalid_problem_and_reply_are_refused(store):
    with pytest.raises(ValueError, match="kind"):
        await store.record_contact_problem(ProblemReport("c", "o", "email", "lost", None, None, "p1"))
    with pytest.raises(ValueError, match="summary"):
        await store.record_reply(ReplyReport("c", "o", "x" * 501, None, "r1"))


async def test_database_checks_back_up_the_validation(store):
    error = sqlite3.IntegrityError if isinstance(store, SQLiteStore) else asyncpg.CheckViolationError
    with pytest.raises(error):
        await query(
            store,
            "INSERT INTO actions (campaign_id, official_id, channel, count, status, language,"
            " created_at, idempotency_key) VALUES ('c','o','email',0,'done','en',CURRENT_TIMESTAMP,'k')",
        )


# -- figures ---------------------------------------------------------------------------


async def seed_figures(store) -> None:
    """A small data set whose figures are worked out by hand in the tests."""
    rows = [
        # n, campaign, official, channel, count, status, supporter, days ago
        (1, "ua-150-18", "luis-videgaray", "letter", 2, "done", 1, 0),
        (2, "ua-150-18", "luis-videgaray", "email", 1, "done", 1, 1),
        (3, "ua-150-18", "alfonso-navarrete", "call", 1, "done", 2, 6),
        (4, "ua-150-18", "alfonso-navarrete", "call", 3, "attempted", 2, 6),
        (5, "ua-150-18", "luis-videgaray", "tweet", 5, "done", 3, 7),
        (6, "ua-150-18", "luis-videgaray", "email", 4, "done", None, 89),
        (7, "ua-150-18", "luis-videgaray", "fax", 10, "done", 4, 90),  # outside by_day
        (8, "other-case", "luis-videgaray", "email", 7, "done", 1, 0),
        (9, "other-case", "someone", "letter", 1, "attempted", 5, 2),
    ]
    for n, campaign, official, channel, count, status, who, days in rows:
        await store.record_action(
            report(
                n,
                campaign_id=campaign,
                official_id=official,
                channel=channel,
                count=count,
                status=status,
                supporter=None if who is None else key(who),
                at=at(days),
            )
        )
    # Each at a time of its own, so that two stores seeded a second apart hold the same rows.
    await store.record_contact_problem(
        ProblemReport("ua-150-18", "luis-videgaray", "call", "disconnected", None, key(1), "p1", at=at(0, 9))
    )
    solved = await store.record_contact_problem(
        ProblemReport("ua-150-18", "luis-videgaray", "email", "bounced", "550", key(2), "p2", at=at(0, 10))
    )
    await store.record_contact_problem(
        ProblemReport("other-case", "someone", "email", "wrong", None, None, "p3", at=at(0, 11))
    )
    assert await store.resolve_problem(solved.id)
    await store.record_reply(
        ReplyReport("ua-150-18", "luis-videgaray", "Form letter", None, "r1", at=at(0, 12))
    )


async def test_campaign_figures_are_exact(store):
    await seed_figures(store)
    stats = await store.campaign_stats("ua-150-18", today=TODAY)
    assert stats.actions == 2 + 1 + 1 + 5 + 4 + 10
    assert stats.attempted == 3
    assert stats.supporters == 4
    assert stats.by_channel == {"call": 1, "email": 5, "fax": 10, "letter": 2, "tweet": 5}
    assert stats.by_official == {"alfonso-navarrete": 1, "luis-videgaray": 22}
    assert stats.last_7_days == 2 + 1 + 1  # days 0..6
    assert stats.open_problems == 1
    assert stats.open_replies == 1
    assert stats.db_bytes > 0
    assert stats.campaigns == ["other-case", "ua-150-18"]


async def test_all_campaign_figures_are_exact(store):
    await seed_figures(store)
    stats = await store.campaign_stats(today=TODAY)
    assert stats.campaign_id is None
    assert stats.actions == 23 + 7
    assert stats.attempted == 4
    assert stats.supporters == 5  # supporter 1 reported in both campaigns
    assert stats.by_channel == {"call": 1, "email": 12, "fax": 10, "letter": 2, "tweet": 5}
    assert stats.by_official == {"alfonso-navarrete": 1, "luis-videgaray": 29}
    assert stats.last_7_days == 11
    assert stats.open_problems == 2
    assert (await store.campaign_stats("nobody", today=TODAY)).actions == 0


async def test_figures_default_to_the_utc_day_whatever_the_zone(store, far_from_utc):
    assert (await store.campaign_stats()).today == datetime.now(UTC).date()


async def test_figures_are_read_while_another_process_writes(sqlite_store):
    """A read snapshot (WAL): /stats and the dashboard answer at once while a
    writer holds the database, rather than queueing behind it."""
    await sqlite_store.record_action(report(1))
    writer = raw(sqlite_store.path)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM daily_limits")
    try:
        stats = await asyncio.wait_for(sqlite_store.campaign_stats(today=TODAY), timeout=2)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert stats.actions == 1
    pages, page_size = (raw(sqlite_store.path).execute(f"PRAGMA {p}").fetchone()[0]
                        for p in ("page_count", "page_size"))
    assert stats.db_bytes == pages * page_size >= 4096  # bytes, as /stats shows them


async def test_by_day_window_is_the_last_90_days_with_zeros(store):
    await seed_figures(store)
    await store.record_action(report(50, at=at(-1), count=9))  # tomorrow: not shown yet
    by_day = (await store.campaign_stats("ua-150-18", today=TODAY)).by_day
    assert len(by_day) == BY_DAY_WINDOW == 90
    assert by_day[0] == (TODAY - timedelta(days=89), 4)
    assert by_day[-1] == (TODAY, 2)
    assert dict(by_day)[TODAY - timedelta(days=7)] == 5
    assert sum(n for _, n in by_day) == 23 - 10  # day 90 falls outside
    assert [d for d, _ in by_day] == sorted(d for d, _ in by_day)


async def test_rollups_match_a_rebuild_from_the_log(store):
    """Refused attempts included: the log does not hold them, so the rebuild keeps them."""
    await seed_figures(store)
    refused = await store.record_action(report(900), limits=Limits(key(901), reports=0))
    assert refused.capped
    before = {
        table: await query(store, f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4, 5")
        for table in ("campaign_totals", "action_daily")
    }
    await store.rebuild_rollups()
    for table, rows in before.items():
        assert await query(store, f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4, 5") == rows


async def test_review_list_newest_first_and_resolving(store):
    await seed_figures(store)
    items = await store.list_problems()
    assert {(i.kind, i.campaign_id) for i in items} == {
        ("problem", "ua-150-18"),
        ("problem", "other-case"),
        ("reply", "ua-150-18"),
    }
    assert [i.created_at for i in items] == sorted((i.created_at for i in items), reverse=True)
    assert len(await store.list_problems(open_only=False)) == 4
    assert len(await store.list_problems(open_only=False, limit=2)) == 2
    assert len(await store.list_problems(campaign_id="other-case")) == 1
    reply = next(i for i in items if i.kind == "reply")
    assert reply.text == "Form letter" and reply.channel is None
    assert await store.resolve_problem(reply.id, kind="reply")
    assert not await store.resolve_problem(reply.id, kind="reply")
    assert len(await store.list_problems()) == 2


async def test_export_has_the_documented_columns_only(store):
    await seed_figures(store)
    rows = [row async for row in store.export_actions()]
    assert len(rows) == 9
    assert [r.id for r in rows] == sorted(r.id for r in rows)
    assert rows[0].supporter == key(1) and rows[0].created_at == at(0)
    only = [row async for row in store.export_actions("other-case")]
    assert {r.campaign_id for r in only} == {"other-case"}
    recent = [row async for row in store.export_actions(since=TODAY - timedelta(days=6))]
    assert sorted(r.id for r in recent) == [1, 2, 3, 4, 8, 9]


async def test_export_pages_through_large_logs(store, monkeypatch):
    monkeypatch.setattr("bot.store.sqlite.EXPORT_BATCH", 3)
    monkeypatch.setattr("bot.store.postgres.EXPORT_BATCH", 3)
    for n in range(10):
        await store.record_action(report(n, campaign_id="a" if n % 2 else "b"))
    assert len([r async for r in store.export_actions()]) == 10
    assert len([r async for r in store.export_actions("a")]) == 5


# -- supporter data, subscriptions, /forget ------------------------------------------------


async def test_subscriptions_and_language(store):
    await store.record_action(report(1, supporter=key(1)))  # chat 1001's person acted on ua-150-18
    await store.subscribe(1001, "ua-150-18", key(501), "en", supporter=key(1))
    await store.subscribe(1001, "other-case", key(501), "en", supporter=key(1))
    await store.subscribe(1001, "ua-150-18", key(501), "es")  # again: the language follows
    await store.subscribe(2001, "ua-150-18", key(502), "en", supporter=key(2))
    assert await store.subscriptions_of(1001) == ["other-case", "ua-150-18"]
    followers = await store.subscribers_of("ua-150-18")
    assert [(s.chat_id, s.recipient, s.language, s.acted) for s in followers] == [
        (1001, key(501), "es", True),  # acted stays once known
        (2001, key(502), "en", False),
    ]
    assert await store.unsubscribe(1001, "other-case")
    assert not await store.unsubscribe(1001, "other-case")
    assert await store.unsubscribe_chat(1001) == 1
    assert await store.subscriptions_of(1001) == []
    # No subscription row holds a supporter key: only the chat and its own keys.
    assert all(key(1) not in map(str, s.__dict__.values()) for s in await store.subscribers_of("ua-150-18"))

    assert await store.get_language(key(1)) is None
    await store.set_language(key(1), "es")
    await store.set_language(key(2), "es", chat_id=2001)  # and the language of that chat's updates
    assert await store.get_language(key(1)) == "es"
    assert [s.language for s in await store.subscribers_of("ua-150-18")] == ["es"]
    with pytest.raises(ValueError, match="language"):
        await store.set_language(key(1), "de")


async def test_supporter_data_lists_everything_of_one_supporter(store):
    await seed_figures(store)
    await store.subscribe(1001, "ua-150-18", key(501), "es")
    await store.set_language(key(1), "es")
    mine = await store.supporter_data(key(1), 1001)
    assert mine.language == "es"
    assert mine.subscriptions == ["ua-150-18"]
    assert sorted(a.id for a in mine.actions) == [1, 2, 8]
    assert [p.problem for p in mine.problems] == ["disconnected"]
    assert mine.replies == []
    nobody = await store.supporter_data(key(99), 9999)
    assert (nobody.language, nobody.actions, nobody.subscriptions) == (None, [], [])


async def test_sent_at_lists_when_one_supporter_reported_one_appeal_as_sent(store):
    """The report prompt's "sent it again today?" check: only this supporter's
    "done" reports of this case, official and channel, with their times."""
    await store.record_action(report(1, at=at(2)))
    await store.record_action(report(2, at=at(0, hour=9)))
    for n, change in enumerate(({"supporter": key(2)}, {"channel": "letter"}, {"status": "attempted"},
                                {"official_id": "kirstjen-nielsen"}), start=3):
        await store.record_action(report(n, **change))
    sent = await store.sent_at(key(1), "ua-150-18", "luis-videgaray", "email")
    assert sorted(t.astimezone(UTC) for t in sent) == [at(2), at(0, hour=9)]
    assert await store.sent_at(key(99), "ua-150-18", "luis-videgaray", "email") == []


async def test_forget_removes_the_key_everywhere_and_keeps_the_counts(store, tmp_path):
    """/forget as a reviewer checks it: every table that can hold the person is
    filled first (and the test fails if the schema gains one it does not
    fill), then neither the supporter key nor the chat id is anywhere, and
    what they typed is gone; the anonymous counts stay."""
    chat, victim, limiter = 7_319_446_002, key(1), key(77)
    await seed_figures(store)
    await store.subscribe(chat, "ua-150-18", key(501), "es", supporter=victim)
    await store.set_language(victim, "es", chat_id=chat)
    await store.record_reply(ReplyReport("ua-150-18", "luis-videgaray", "Sí, lo recibió Quetzalcoatl",
                                         victim, "r2"), limits=Limits(limiter))
    await store.record_contact_problem(ProblemReport("ua-150-18", "luis-videgaray", "email", "bounced",
                                                     "note by Quetzalcoatl", victim, "p9"))
    await store.schedule_reminder(ReminderRequest(chat, "ua-150-18", "luis-videgaray", "email", "es", "es",
                                                  datetime.now(UTC)))
    await store.set_signup(chat, key(501), "es", ["topic:safe-third-country", "region:americas"])
    await store.subscribe(2001, "ua-150-18", key(502), "en", supporter=key(2))
    broadcast = await store.open_broadcast("ua-150-18", 1, "followers", datetime.now(UTC))  # pending to both
    await store.save_flows({victim: store.keyring.seal(victim, '{"user": 7319446002}', "flows")})
    before = await store.campaign_stats(today=TODAY)
    holds = {"actions", "official_replies", "contact_problems", "subscriptions", "reminders", "deliveries",
             "supporters", "flows", "signups"}  # every table that can hold the person
    columns = await columns_by_table(store)
    personal = {t for t, names in columns.items() if {"supporter", "chat_id", "owner"} & set(names)}
    assert personal <= holds | {"broadcasts"}, f"fill these in this test too: {personal - holds}"
    # PostgreSQL keeps the chat id sealed, under the chat's alias (chat_seal)
    sealed_under = [] if isinstance(store, SQLiteStore) else [store.chats.owner(chat)]
    for table in holds:
        assert await _holding(store, columns, table, victim, chat, *sealed_under), (
            f"setup did not fill {table}")

    await store.forget(victim, chat, limiter=limiter, today=datetime.now(UTC).date())

    for table in columns:
        assert not await _holding(store, columns, table, victim, chat, *sealed_under), (
            f"{table} still holds the person")
        assert not await _holding(store, columns, table, "Quetzalcoatl", None), f"{table} keeps typed text"
    after = await store.campaign_stats(today=TODAY)
    assert (after.actions, after.attempted, after.supporters, after.by_day) == (
        before.actions, before.attempted, before.supporters, before.by_day)
    assert (await store.supporter_data(victim, chat)).actions == []
    assert await store.subscriptions_of(2001) == ["ua-150-18"]  # others untouched
    assert len((await store.supporter_data(key(2), 2001)).actions) == 2
    assert await store.delivery_counts(broadcast.id) == DeliveryCounts(pending=1)  # chat 2001's only
    items = await store.list_problems(open_only=False)
    assert [i.text for i in items if i.kind == "reply" and i.id == 2] == [ERASED_TEXT]
    # Today's limits stay, under their own key: forgetting does not reset them.
    assert await query(store, "SELECT replies, forgot FROM daily_limits WHERE limiter = ?", limiter) in (
        [(1, 1)], [(1, True)])

    if isinstance(store, SQLiteStore):
        # nor in free pages or the WAL (secure_delete). SQLite only: PostgreSQL
        # keeps dead row versions on disk until vacuum reuses their space.
        await store.close()
        path = tmp_path / "data" / "store.sqlite3"
        for file in path.parent.iterdir():
            content = file.read_bytes()
            assert victim.encode() not in content and b"Quetzalcoatl" not in content, file.name


async def test_forget_marks_the_utc_day_the_caps_count_in_and_names_a_bad_limiter(store, far_from_utc):
    """Without `today`, /forget marks today's limits on the UTC day, the day a
    report is counted on, whatever the machine's zone; a limiter that is no key
    is refused by name, by /forget (which then deletes nothing) and by a report."""
    limiter = key(78)
    await store.subscribe(3003, "ua-150-18", key(503), "en", supporter=key(3))
    with pytest.raises(ValueError, match="^limiter must be a 64-character lowercase hex key"):
        await store.forget(key(3), 3003, limiter="not-a-key")
    assert await store.subscriptions_of(3003) == ["ua-150-18"]
    with pytest.raises(ValueError, match="^limiter must be a 64-character lowercase hex key"):
        await store.record_action(report(3, supporter=key(3)), limits=Limits("not-a-key"))
    await store.forget(key(3), 3003, limiter=limiter)
    rows = await query(store, "SELECT day, forgot FROM daily_limits WHERE limiter = ?", limiter)
    assert [(str(day)[:10], bool(forgot)) for day, forgot in rows] == [(datetime.now(UTC).date().isoformat(),
                                                                         True)]


async def _holding(store, columns: dict, table: str, text: str, chat: int | None, *more: str) -> bool:
    """Whether any column of `table` holds `text`, the integer `chat`, or any of `more`."""
    for other in more:
        if await _holding(store, columns, table, other, None):
            return True
    for column in columns[table]:
        if isinstance(store, SQLiteStore):
            sql = f"SELECT COUNT(*) FROM {table} WHERE instr(CAST({column} AS TEXT), ?) > 0"
        else:
            sql = f"SELECT COUNT(*) FROM {table} WHERE strpos(CAST({column} AS TEXT), ?) > 0"
        if (await query(store, sql, text))[0][0]:
            return True
        if chat is not None and (await query(store, sql, str(chat)))[0][0]:
            return True
    return False


async def columns_by_table(store) -> dict[str, list[str]]:
    """Every column of every table in the store's database."""
    if isinstance(store, SQLiteStore):
        tables = [r[0] for r in await query(store, "SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: [r[1] for r in await query(store, f"PRAGMA table_info({t})")] for t in tables}
    columns: dict[str, list[str]] = {}
    for table, column in await query(
        store,
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
    ):
        columns.setdefault(table, []).append(column)
    return columns


# -- concurrency -------------------------------------------------------------------------


async def test_50_tasks_reporting_at_once_lose_nothing(store):
    async def supporter_task(t: int) -> None:
        for i in range(20):
            await store.record_action(report(t * 100 + i, supporter=key(t), count=1 + i % 3, at=None))

    await asyncio.gather(*(supporter_task(t) for t in range(50)))
    stats = await store.campaign_stats()
    assert stats.actions == 50 * (1 * 7 + 2 * 7 + 3 * 6)  # counts 1,2,3,1,... (20 reports)
    assert stats.supporters == 50
    count = await query(store, "SELECT COUNT(*) FROM actions")
    assert count[0][0] == 1000


async def test_one_supporters_simultaneous_first_reports_count_them_once(open_backend):
    """Several reports from a new supporter in flight at once, from two
    connections: each must see the others, or the supporter is counted twice."""
    first, second = await open_backend(), await open_backend()
    try:
        for round_ in range(5):
            who = key(100 + round_)
            await asyncio.gather(*(store.record_action(report(0, idempotency_key=f"{round_}-{i}-{n}",
                                                              supporter=who, campaign_id=f"c{i % 2}"))
                                   for n, store in enumerate((first, second)) for i in range(6)))
        stats = await first.campaign_stats()
        assert (stats.supporters, stats.actions) == (5, 60)
        assert [(await first.campaign_stats(c)).supporters for c in ("c0", "c1")] == [5, 5]
    finally:
        await first.close()
        await second.close()


async def test_two_connections_writing_at_once_lose_nothing(open_backend):
    first, second = await open_backend(), await open_backend()
    try:

        async def writer(store, prefix: str, t: int) -> None:
            for i in range(30):
                # the same keys from both connections: each report is counted once
                await store.record_action(report(0, idempotency_key=f"{t}-{i}", supporter=key(t), at=None))
                await store.record_action(
                    report(0, idempotency_key=f"{prefix}{t}-{i}", supporter=key(t), at=None)
                )

        await asyncio.gather(
            *(writer(first, "a", t) for t in range(10)),
            *(writer(second, "b", t) for t in range(10)),
        )
        seen_first = await first.campaign_stats()
        seen_second = await second.campaign_stats()
        assert seen_first.actions == seen_second.actions == 10 * 30 * 3
        assert seen_first.supporters == 10
        await first.rebuild_rollups()
        rebuilt = await second.campaign_stats()
        assert (rebuilt.actions, rebuilt.supporters) == (900, 10)
    finally:
        await first.close()
        await second.close()


# -- query plans (SQLite's EXPLAIN QUERY PLAN; PostgreSQL's EXPLAIN: test_store_postgres.py) ------


async def plan(store, sql: str, params) -> str:
    rows = await store._db.execute_fetchall(f"EXPLAIN QUERY PLAN {sql}", params)
    return "\n".join(row[3] for row in rows)


@pytest.mark.parametrize("campaign", [None, "ua-150-18"])
async def test_stats_queries_never_read_the_action_log(sqlite_store, campaign):
    await seed_figures(sqlite_store)
    params = stats_params(campaign, TODAY - timedelta(days=89), TODAY)
    for name, sql in stats_queries(campaign).items():
        detail = await plan(sqlite_store, sql, params[name])
        assert "actions" not in detail, f"{name}: {detail}"
        if campaign is not None and name not in ("campaigns",):
            assert detail.startswith("SEARCH"), f"{name} is not indexed: {detail}"


async def test_per_report_and_per_supporter_queries_use_indexes(sqlite_store):
    store = sqlite_store
    for sql, params in ((ACTED_BEFORE, {"supporter": key(1), "campaign": "c", "id": 1}),
                        (ACTED_HERE, (key(1), "c"))):
        detail = await plan(store, sql, params)
        assert "SCAN actions" not in detail and "actions_supporter" in detail, detail
    for sql in (
        "SELECT * FROM actions WHERE supporter = ?",
        "UPDATE actions SET supporter = NULL WHERE supporter = ?",
        "UPDATE official_replies SET supporter = NULL WHERE supporter = ?",
        "UPDATE contact_problems SET supporter = NULL WHERE supporter = ?",
    ):
        detail = await plan(store, sql, (key(1),))
        assert "SCAN" not in detail, f"{sql}: {detail}"
    detail = await plan(store, "SELECT * FROM actions WHERE id > ? AND campaign_id = ?", (0, "c"))
    assert "SCAN" not in detail, detail


async def test_what_a_supporter_types_is_sealed_under_their_key_and_destroying_it_erases_it(store):
    """A reply summary and a problem note are stored sealed (no readable text
    in the table, so none in a dump, a WAL or a backup); the review list and
    /mydata open them with the person's key; once /forget destroys the key
    they cannot be opened, wherever a copy went. Anonymous reports (the CLI)
    have nobody's key and are kept as typed."""
    victim = key(1)
    await store.record_reply(ReplyReport("ua-150-18", "luis-videgaray", "Quetzal wrote back", victim, "r1"))
    await store.record_contact_problem(ProblemReport("ua-150-18", "luis-videgaray", "email", "bounced",
                                                     "Quetzal's note", victim, "p1"))
    await store.record_reply(ReplyReport("ua-150-18", "luis-videgaray", "Anonymous reply", None, "r2"))
    raw_text = str(await query(store, "SELECT summary FROM official_replies"))
    raw_text += str(await query(store, "SELECT note FROM contact_problems"))
    assert "Quetzal" not in raw_text and "sealed:" in raw_text and "Anonymous reply" in raw_text
    assert {i.text for i in await store.list_problems()} == {"Quetzal wrote back", "Quetzal's note",
                                                            "Anonymous reply"}
    mine = await store.supporter_data(victim, 1001)
    assert [i.text for i in mine.replies + mine.problems] == ["Quetzal wrote back", "Quetzal's note"]
    sealed = (await query(store, "SELECT summary FROM official_replies WHERE supporter = ?", victim))[0][0]
    store.keyring.destroy(victim)  # what /forget does last: a copy of the row no longer opens
    assert store.keyring.open(victim, sealed, "official_replies.summary") is None
    assert {i.text for i in await store.list_problems()} == {ERASED_TEXT, None, "Anonymous reply"}


async def test_forget_gives_the_persons_rows_new_random_keys(store):
    """Idempotency and delivery keys were derived from the person: after
    /forget their rows carry random keys, each its own, that no one can
    recompute; other people's keys are untouched."""
    victim, chat, recipient = key(1), 7_319_446_002, key(501)
    await store.record_action(report(1, supporter=victim, idempotency_key="victim-report-1"))
    await store.record_action(report(2, supporter=victim, idempotency_key="victim-report-2"))
    await store.record_action(report(3, supporter=key(2), idempotency_key="other-report"))
    await store.record_reply(ReplyReport("ua-150-18", "luis-videgaray", "Yes", victim, "victim-reply"))
    await store.record_contact_problem(ProblemReport("ua-150-18", "luis-videgaray", "email", "bounced", None,
                                                     victim, "victim-problem"))
    await store.subscribe(chat, "ua-150-18", recipient, "en")
    broadcast = await store.open_broadcast("ua-150-18", 1, "followers", NOW)
    await store.acquire_broadcast(broadcast.id, "A", NOW, NOW + timedelta(minutes=1))
    await store.claim_delivery(broadcast.id, recipient, "A", NOW)
    await store.finish_delivery(broadcast.id, recipient, "sent", NOW)

    await store.forget(victim, chat, recipient=recipient)

    keys = [k for table in ("actions", "official_replies", "contact_problems")
            for (k,) in await query(store, f"SELECT idempotency_key FROM {table}")]
    assert "other-report" in keys and not any(k.startswith("victim") for k in keys)
    fresh = [k for k in keys if k.startswith("forgotten:")]
    assert len(fresh) == len(set(fresh)) == 4
    assert await query(store, "SELECT recipient FROM deliveries WHERE recipient = ?", recipient) == []
    assert await store.delivery_counts(broadcast.id) == DeliveryCounts(sent=1)  # still counted
    # A replayed report is a new one now: nothing can tell it was counted.
    assert (await store.record_action(report(1, supporter=None, idempotency_key="victim-report-1"))).created
