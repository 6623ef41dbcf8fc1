"""PostgreSQL counterparts of the SQLite-only store tests: migrations (same
numbering, applied once even when processes open at once, upgrades keep
data), index use checked with EXPLAIN, selection through DATABASE_URL, and
the two backends giving identical answers on the same reports. The shared
behaviour is tested on both backends in test_store.py."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from bot.core.config import Settings
from bot.store import ReplyReport, Store, open_configured_store, open_store, validate
from bot.store import migrate as migrations
from bot.store.base import Limits, ReminderRequest
from bot.store.chat_seal import ChatSeal
from bot.store.postgres import (
    ACTED_BEFORE,
    ACTED_HERE,
    INSERT_ACTION,
    LOCK_SUPPORTER,
    SUPPORTER_LOCK,
    PostgresStore,
    open_postgres_store,
    stats_params,
    stats_queries,
)
from tests.store.test_store import TODAY, at, key, report, seed_figures

PG_MIGRATIONS = migrations.available(migrations.POSTGRES_FOLDER)
LATEST = len(PG_MIGRATIONS)


@pytest.fixture
async def pg_store(pg_url):
    async with await open_postgres_store(pg_url) as opened:
        yield opened


# -- migrations --------------------------------------------------------------------------


def test_postgres_migrations_mirror_the_sqlite_ones():
    """Same versions and names, so a database's schema_migrations means the same on both."""
    assert [(m.version, m.name) for m in PG_MIGRATIONS] == [
        (m.version, m.name) for m in migrations.available()
    ]


async def test_open_applies_every_migration_once(pg_url):
    async with await open_postgres_store(pg_url) as store:
        assert isinstance(store, Store)
        rows = await store._pool.fetch("SELECT version, name, applied_at FROM schema_migrations ORDER BY 1")
        assert [(r[0], r[1]) for r in rows] == [(m.version, m.name) for m in PG_MIGRATIONS]
        assert all(r[2].tzinfo is not None for r in rows)
    async with await open_postgres_store(pg_url) as store:  # reopening applies nothing twice
        assert await store._pool.fetchval("SELECT COUNT(*) FROM schema_migrations") == LATEST


async def test_schema_has_the_same_tables_columns_and_indexes_as_sqlite(pg_store, tmp_path):
    """So a migration ported with a column or index missing is caught here."""
    import sqlite3

    async with await open_store(tmp_path / "schema.sqlite3"):
        pass
    db = sqlite3.connect(tmp_path / "schema.sqlite3")
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    sqlite_columns = {t: [r[1] for r in db.execute(f"PRAGMA table_info({t})")] for t in tables}
    sqlite_indexes = {r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    db.close()
    pg_columns: dict[str, list[str]] = {}
    for table, column in await pg_store._pool.fetch(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
    ):
        pg_columns.setdefault(table, []).append(column)
    pg_indexes = {r[0] for r in await pg_store._pool.fetch(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
        " AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'")}
    # The one intended difference: PostgreSQL's chat ids are sealed (migration
    # 10, bot/store/chat_seal.py), SQLite's are erased on disk at /forget.
    sealed = ("subscriptions", "signups", "reminders", "deliveries")
    assert {t: [c for c in columns if not (t in sealed and c in ("owner", "chat"))]
            for t, columns in pg_columns.items()} == sqlite_columns
    assert all(pg_columns[t][-2:] == ["owner", "chat"] for t in sealed)
    assert pg_indexes - sqlite_indexes == {f"{t}_owner" for t in sealed}
    assert sqlite_indexes <= pg_indexes


async def test_processes_opening_a_new_database_at_once_migrate_it_once(pg_url):
    stores = await asyncio.gather(*(open_postgres_store(pg_url) for _ in range(4)))
    try:
        assert await stores[0]._pool.fetchval("SELECT COUNT(*) FROM schema_migrations") == LATEST
    finally:
        for store in stores:
            await store.close()


async def test_database_newer_than_code_is_refused(pg_url):
    async with await open_postgres_store(pg_url) as store:
        await store._pool.execute("INSERT INTO schema_migrations VALUES (999, 'future', now())")
    with pytest.raises(RuntimeError, match="newer than this code"):
        await open_postgres_store(pg_url)


@pytest.mark.parametrize("version", range(1, LATEST))
async def test_upgrade_from_every_earlier_version_keeps_data(pg_url, version):
    async with await open_postgres_store(pg_url, migrate_to=version) as old:
        assert await old._pool.fetchval("SELECT MAX(version) FROM schema_migrations") == version
        # rows written by the old code: only the columns 0001 created
        def t(text):
            return datetime.fromisoformat(text)

        rows = [
            ("ua-150-18", "luis-videgaray", "letter", 3, "done", "es", "Mexico", key(1),
             t("2024-06-29T10:00:00Z"), "old-1"),
            ("ua-150-18", "luis-videgaray", "call", 1, "attempted", "en", None, key(2),
             t("2024-06-30T10:00:00Z"), "old-2"),
            ("other", "alfonso-navarrete", "email", 2, "done", "en", None, None,
             t("2024-06-30T11:00:00Z"), "old-3"),
        ]  # fmt: skip
        await old._pool.executemany(
            "INSERT INTO actions (campaign_id, official_id, channel, count, status, language,"
            " country, supporter, created_at, idempotency_key) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
            rows,
        )
        if version < 6:
            await old._pool.execute("INSERT INTO subscriptions VALUES ($1, 42, 'ua-150-18', now())", key(1))
        else:  # 0006 keyed subscriptions by chat
            await old._pool.execute(
                "INSERT INTO subscriptions VALUES (42, 'ua-150-18', 'chat:42', 'en', true, now())")
        await old._pool.execute(
            "INSERT INTO official_replies (campaign_id, official_id, summary, supporter, created_at,"
            " idempotency_key) VALUES ('ua-150-18', 'luis-videgaray', 'An old reply', $1, now(),"
            " 'old-reply')",
            key(1))
    async with await open_postgres_store(pg_url) as store:
        versions = await store._pool.fetch("SELECT version FROM schema_migrations ORDER BY 1")
        assert [v for (v,) in versions] == list(range(1, LATEST + 1))
        if version >= 2:  # rollups existed but old rows bypassed them
            await store.rebuild_rollups()
        stats = await store.campaign_stats("ua-150-18", today=TODAY)
        assert (stats.actions, stats.attempted, stats.supporters) == (3, 1, 2)
        assert stats.by_channel == {"letter": 3}
        everything = await store.campaign_stats(today=TODAY)
        assert (everything.actions, everything.supporters) == (5, 2)
        # the bot's start keys the old recipient and seals the plain chat id (0010)
        assert await store.rekey_legacy_rows(lambda chat: key(1000 + chat)) == 2
        assert await store.subscriptions_of(42) == ["ua-150-18"]
        (follower,) = await store.subscribers_of("ua-150-18")
        assert (follower.chat_id, follower.recipient, follower.acted) == (42, key(1042), True)
        assert [tuple(row) for row in await store._pool.fetch(
            "SELECT chat_id, chat LIKE 'sealed:%' FROM subscriptions")] == [(None, True)]
        assert await store.rekey_legacy_rows(lambda chat: key(1000 + chat)) == 0  # once
        # a reply kept before texts were sealed still reads, and a new one fits sealed (0007)
        assert [item.text for item in await store.list_problems()] == ["An old reply"]
        assert [store.keyring.alias(k, create=False) for k in (key(1), key(2))] == [key(1), key(2)]
        await store.record_reply(ReplyReport("ua-150-18", "luis-videgaray", "é" * 500, key(1), "new-reply"))
        exported = [row async for row in store.export_actions()]
        assert [row.country for row in exported] == ["Mexico", None, None]
        result = await store.record_action(report(9, supporter=key(3)))  # ids continue after 3
        assert (result.campaign_supporters, result.campaign_actions) == (3, 4)


# -- selection -----------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["postgresql://", "postgres://"])
async def test_database_url_selects_postgresql(pg_url, tmp_path, scheme):
    settings = Settings(database_path=tmp_path / "unused.sqlite3",
                        database_url=pg_url.replace("postgresql://", scheme))
    async with await open_configured_store(settings) as store:
        assert isinstance(store, PostgresStore)
        assert await store.ping()
    assert not (tmp_path / "unused.sqlite3").exists()


# -- both backends agree ----------------------------------------------------------------


async def test_both_backends_give_the_same_answers(pg_store, tmp_path):
    """Types are where the two differ (TEXT vs TIMESTAMPTZ/DATE, BIGINT sums):
    every value that reaches the bot must come back equal, naive and
    sub-second timestamps included."""
    async with await open_store(tmp_path / "same.sqlite3") as sqlite_store:
        for store in (sqlite_store, pg_store):
            await seed_figures(store)
            await store.record_action(report(60, at=datetime(2024, 6, 30, 23, 59, 59, 999_999)))
            await store.record_reply(ReplyReport("ua-150-18", "luis-videgaray", "Yes", key(1), "r9",
                                                 at=datetime(2024, 6, 29, 8, 0, 0, 500, tzinfo=UTC)))
            await store.subscribe(1001, "ua-150-18", key(501), "es", supporter=key(1))
            await store.set_language(key(1), "es", chat_id=1001)
            await store.save_flows({key(5): "sealed:x", key(6): "sealed:y"},
                                   datetime(2024, 6, 30, 12, tzinfo=UTC))
            await store.save_flows({key(6): None})
        for campaign in (None, "ua-150-18", "other-case", "nobody"):
            expected = replace(await sqlite_store.campaign_stats(campaign, today=TODAY), db_bytes=0)
            assert replace(await pg_store.campaign_stats(campaign, today=TODAY), db_bytes=0) == expected
        since = TODAY - timedelta(days=6)
        for args in ((), ("ua-150-18", since)):
            assert [r async for r in pg_store.export_actions(*args)] == [
                r async for r in sqlite_store.export_actions(*args)
            ]
        for method, args in (("list_problems", ()), ("supporter_data", (key(1), 1001)), ("load_flows", ()),
                             ("count_flows", ()), ("subscribers_of", ("ua-150-18",))):
            expected = await getattr(sqlite_store, method)(*args)
            assert await getattr(pg_store, method)(*args) == expected, method


# -- query plans (EXPLAIN with sequential scans disabled, so a missing index shows) ---------


async def plan_nodes(store: PostgresStore, sql: str, params=()) -> list[dict]:
    async with store._pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL enable_seqscan = off")
        plan = json.loads(await conn.fetchval(f"EXPLAIN (FORMAT JSON) {sql}", *params))[0]["Plan"]
    nodes, pending = [], [plan]
    while pending:
        node = pending.pop()
        nodes.append(node)
        pending.extend(node.get("Plans", []))
    return nodes


def seq_scans(nodes: list[dict]) -> list[str]:
    return [n.get("Relation Name", "?") for n in nodes if n["Node Type"] == "Seq Scan"]


@pytest.mark.parametrize("campaign", [None, "ua-150-18"])
async def test_stats_queries_never_read_the_action_log(pg_store, campaign):
    await seed_figures(pg_store)
    params = stats_params(campaign, TODAY - timedelta(days=89), TODAY)
    for name, sql in stats_queries(campaign).items():
        nodes = await plan_nodes(pg_store, sql, params[name])
        assert "actions" not in {n.get("Relation Name") for n in nodes}, name
        if campaign is not None and name != "campaigns":
            assert not seq_scans(nodes), f"{name} is not indexed: {nodes}"


async def test_per_report_and_per_supporter_queries_use_indexes(pg_store):
    for sql, params in ((ACTED_BEFORE, (key(1), "c", 1)), (ACTED_HERE, (key(1), "c"))):
        nodes = await plan_nodes(pg_store, sql, params)
        assert "actions" not in seq_scans(nodes)
        assert "actions_supporter" in {n.get("Index Name") for n in nodes}
    for sql in (
        "SELECT * FROM actions WHERE supporter = $1",
        "UPDATE actions SET supporter = NULL WHERE supporter = $1",
        "UPDATE official_replies SET supporter = NULL WHERE supporter = $1",
        "UPDATE contact_problems SET supporter = NULL WHERE supporter = $1",
    ):
        assert not seq_scans(await plan_nodes(pg_store, sql, (key(1),))), sql
    for table in ("subscriptions", "signups", "reminders", "deliveries"):  # found by alias (0010)
        for sql in (f"DELETE FROM {table} WHERE owner = $1", f"DELETE FROM {table} WHERE owner = ANY($1)"):
            param = [key(1)] if "ANY" in sql else key(1)
            assert not seq_scans(await plan_nodes(pg_store, sql, (param,))), sql
    nodes = await plan_nodes(pg_store, "SELECT * FROM actions WHERE id > $1 AND campaign_id = $2", (0, "c"))
    assert not seq_scans(nodes)


# -- every method of the interface, and broadcasts/reminders on both backends -----------


def test_postgres_store_has_every_store_method_with_the_same_signature():
    import inspect

    from bot.store import SQLiteStore

    for name, member in vars(Store).items():
        if callable(member) and (not name.startswith("_") or name in ("__aenter__", "__aexit__")):
            assert hasattr(PostgresStore, name), f"PostgresStore lacks {name}"
            assert inspect.signature(getattr(PostgresStore, name)) == inspect.signature(
                getattr(SQLiteStore, name)), name


NOW = datetime(2024, 6, 30, 12, 0, 0, 123_456, tzinfo=UTC)


def recipient(n: int) -> str:
    return key(500 + n)


async def broadcast_story(store) -> list:
    """Case updates and reminders from start to end; returns what the store said at each step."""
    seen: list = []
    for n in range(1, 5):
        await store.subscribe(1000 + n, "ua-150-18", recipient(n), "es" if n == 2 else "en")
    for n in (1, 2):
        await store.record_action(report(100 + n, supporter=key(n)), follower_chat=1000 + n)
    seen.append([await store.audience_size("ua-150-18", 1, a) for a in ("acted", "followers")])
    acted = await store.open_broadcast("ua-150-18", 1, "acted", NOW)
    followers = await store.open_broadcast("ua-150-18", 1, "followers", NOW)
    seen += [acted, followers]
    seen += [await store.delivery_counts(acted.id), await store.delivery_counts(followers.id)]
    seen.append(await store.audience_size("ua-150-18", 1, "followers"))
    later = NOW + timedelta(seconds=60)
    seen.append([await store.acquire_broadcast(acted.id, "A", NOW, later),
                 await store.acquire_broadcast(acted.id, "B", NOW, later),
                 await store.renew_broadcast(acted.id, "A", later + timedelta(seconds=1)),
                 await store.renew_broadcast(acted.id, "B", later)])
    seen.append(await store.pending_deliveries(acted.id, NOW, 10))
    seen.append([await store.claim_delivery(acted.id, recipient(1), "B", NOW),
                 await store.claim_delivery(acted.id, recipient(1), "A", NOW),
                 await store.claim_delivery(acted.id, recipient(2), "A", NOW),
                 await store.claim_delivery(acted.id, recipient(2), "A", NOW)])
    await store.finish_delivery(acted.id, recipient(1), "sent", NOW)
    await store.finish_delivery(acted.id, recipient(2), "pending", NOW, error="x" * 400,
                                retry_at=NOW + timedelta(seconds=30), failed_attempt=True)
    seen += [await store.delivery_counts(acted.id), await store.next_retry_at(acted.id),
             await store.pending_deliveries(acted.id, NOW, 10),
             await store.pending_deliveries(acted.id, NOW + timedelta(seconds=30), 10)]
    await store.claim_delivery(acted.id, recipient(2), "A", NOW)  # the sender dies with this one in flight
    seen.append([await store.acquire_broadcast(acted.id, "C", NOW, later, takeover_from="A"),
                 await store.delivery_counts(acted.id)])
    await store.set_progress_message(acted.id, 777, 42)
    await store.release_broadcast(acted.id, "C", finished_at=later)
    seen += [await store.get_broadcast(acted.id), await store.get_broadcast(999),
             await store.unfinished_broadcasts()]
    await store.record_action(report(105, supporter=key(5)))
    await store.subscribe(1005, "ua-150-18", recipient(5), "en", supporter=key(5))  # acted already
    seen.append(await store.open_broadcast("ua-150-18", 1, "acted", later))  # a newcomer reopens it

    for n, campaign in ((1, "ua-150-18"), (3, "ua-150-18"), (3, "other-case")):
        seen.append(await store.schedule_reminder(ReminderRequest(
            1000 + n, campaign, "luis-videgaray", "email", "es", "en", NOW + timedelta(hours=n))))
    seen.append(await store.schedule_reminder(ReminderRequest(
        1001, "ua-150-18", "luis-videgaray", "call", "en", "en", NOW)))  # one per case
    seen.append(await store.claim_due_reminders(NOW, 10))
    claimed = await store.claim_due_reminders(NOW + timedelta(hours=3), 10)
    seen += [claimed, await store.claim_due_reminders(NOW + timedelta(hours=3), 10)]
    await store.finish_reminder(claimed[0].id, retry_at=NOW + timedelta(hours=4))
    await store.finish_reminder(claimed[1].id)
    seen.append(await store.claim_due_reminders(NOW + timedelta(hours=5), 10))  # the retried one
    seen.append(await store.claim_due_reminders(NOW + timedelta(hours=7), 10))  # stale: dropped
    await store.schedule_reminder(ReminderRequest(1004, "ua-150-18", "luis-videgaray", "email", "en", "en",
                                                  NOW))
    seen += [await store.cancel_reminders(1003), await store.unsubscribe_chat(1004),
             await store.subscriptions_of(1004), await store.claim_due_reminders(NOW, 10)]
    await store.schedule_reminder(ReminderRequest(1002, "ua-150-18", "luis-videgaray", "email", "en", "en",
                                                  NOW))
    await store.forget(key(2), 1002, limiter=key(902), today=NOW.date())
    seen += [await store.delivery_counts(acted.id), await store.claim_due_reminders(NOW, 10)]
    # the organizers' audit log (migration 0005)
    await store.audit(777, "stats", None, at=NOW)
    await store.audit(778, "broadcast", "ua-150-18 update 1", at=NOW + timedelta(seconds=1))
    await store.audit(777, "problems", "open", at=NOW)
    seen += [await store.audit_log(), await store.audit_log(limit=1)]
    # daily limits (migration 0006): refused past the cap, counted for /stats, pruned after the day
    limits = Limits(key(901), reports=1)
    seen += [await store.record_action(report(200, supporter=key(9), at=NOW), limits=limits),
             await store.record_action(report(201, supporter=key(9), at=NOW), limits=limits),
             (await store.campaign_stats("ua-150-18", today=NOW.date())).capped,
             await store.prune_limits(NOW.date()), await store.prune_limits(NOW.date() + timedelta(days=1))]
    return seen


async def test_broadcasts_and_reminders_behave_the_same_on_both_backends(pg_store, tmp_path):
    async with await open_store(tmp_path / "same.sqlite3") as sqlite_store:
        expected = await broadcast_story(sqlite_store)
    got = await broadcast_story(pg_store)
    for step, (mine, theirs) in enumerate(zip(got, expected, strict=True)):
        assert mine == theirs, f"step {step}"
    # and a few facts worked out by hand, so equal-but-wrong cannot pass
    assert got[0] == [2, 4]
    assert (got[3].pending, got[4].pending, got[5]) == (2, 2, 0)
    assert got[6] == [True, False, True, False]
    assert [d.language for d in got[7]] == ["en", "es"]
    assert got[8] == [False, True, True, False]
    assert got[10] == NOW + timedelta(seconds=30)
    assert got[13][0] is True and got[13][1].unknown == 1
    assert got[14].status == "done" and got[14].progress_message_id == 42 and got[14].finished_at.tzinfo
    assert got[17].status == "sending"
    assert got[18:22] == [True, True, True, False]
    assert [e.command for e in got[-7]] == ["broadcast", "problems", "stats"] and len(got[-6]) == 1
    assert (got[-5].created, got[-4].created, got[-4].capped, got[-3]) == (True, False, True, 1)
    assert got[-2:] == [0, 2]  # kept on their day; the next day both limits rows go


async def test_two_processes_never_claim_the_same_reminder(pg_url, tmp_path):
    keys = tmp_path / "keys.sqlite3"  # processes share the key file, or cannot open each other's chat ids
    first, second = (await open_postgres_store(pg_url, key_file=keys),
                     await open_postgres_store(pg_url, key_file=keys))
    try:
        for n in range(40):
            await first.schedule_reminder(ReminderRequest(
                n, "ua-150-18", "luis-videgaray", "email", "en", "en", NOW))
        batches = await asyncio.gather(*(store.claim_due_reminders(NOW, 7)
                                         for _ in range(4) for store in (first, second)))
        ids = [r.id for batch in batches for r in batch]
        assert len(ids) == len(set(ids)) == 40
        assert sorted(r.chat_id for batch in batches for r in batch) == list(range(40))
    finally:
        await first.close()
        await second.close()


async def test_opening_both_audiences_at_once_reaches_each_chat_once(pg_url, tmp_path):
    keys = tmp_path / "keys.sqlite3"
    first, second = (await open_postgres_store(pg_url, key_file=keys),
                     await open_postgres_store(pg_url, key_file=keys))
    try:
        for n in range(30):
            await first.record_action(report(n, supporter=key(n)))
            await first.subscribe(5000 + n, "ua-150-18", key(n + 500), "en", supporter=key(n))
        opened = await asyncio.gather(first.open_broadcast("ua-150-18", 1, "acted", NOW),
                                      second.open_broadcast("ua-150-18", 1, "followers", NOW))
        counts = [(await first.delivery_counts(b.id)).total for b in opened]
        assert sum(counts) == 30
    finally:
        await first.close()
        await second.close()


async def test_forget_waits_for_a_report_in_flight_and_then_erases_it(pg_store, pg_url):
    """A report of the same person that commits while /forget runs lands wholly
    before it (and is erased) or after it: never kept under the key because
    forget looked before it committed. The report in flight holds the supporter
    lock and has inserted its action, as `record_action` does."""
    supporter = key(1)
    values = list(validate.action(report(1)))
    values[8] = validate.parse_timestamp(values[8])
    in_flight = await asyncpg.connect(pg_url)
    try:
        transaction = in_flight.transaction()
        await transaction.start()
        await in_flight.execute(LOCK_SUPPORTER, SUPPORTER_LOCK, supporter)
        await in_flight.fetchval(INSERT_ACTION, *values)
        forgetting = asyncio.create_task(pg_store.forget(supporter, 1))
        waiting = ("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                   " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
        while not forgetting.done() and not await pg_store._pool.fetchval(waiting):
            await asyncio.sleep(0.01)
        await transaction.commit()
    finally:
        await in_flight.close()
    await forgetting
    assert await pg_store._pool.fetchval("SELECT count(*) FROM actions WHERE supporter = $1", supporter) == 0
    assert await pg_store._pool.fetchval("SELECT count(*) FROM actions") == 1  # counted, not kept as theirs


class ReportAfterTheFirstQuery:
    """A connection that, once its first query has run, lets another report
    commit: what a busy bot does while /stats reads its figures."""

    def __init__(self, conn, report_meanwhile):
        self._conn, self._report_meanwhile = conn, report_meanwhile

    async def fetch(self, *args):
        rows = await self._conn.fetch(*args)
        if self._report_meanwhile is not None:
            report_meanwhile, self._report_meanwhile = self._report_meanwhile, None
            await report_meanwhile()
        return rows

    def __getattr__(self, name):
        return getattr(self._conn, name)


async def test_stats_are_one_snapshot_while_reports_arrive(pg_store, monkeypatch):
    """Every figure of one /stats comes from the same moment (REPEATABLE READ):
    a report committing between two of its queries shows in none of them, and
    in all of them on the next /stats."""
    await seed_figures(pg_store)
    before = replace(await pg_store.campaign_stats("ua-150-18", today=TODAY), db_bytes=0)
    transaction = pg_store._transaction

    @contextlib.asynccontextmanager
    async def transaction_with_a_report_meanwhile(**options):
        monkeypatch.undo()  # the report itself runs as usual
        async with transaction(**options) as conn:
            yield ReportAfterTheFirstQuery(conn, lambda: pg_store.record_action(
                report(99, channel="call", official_id="geronimo-gutierrez", at=at(0))))

    monkeypatch.setattr(pg_store, "_transaction", transaction_with_a_report_meanwhile)
    assert replace(await pg_store.campaign_stats("ua-150-18", today=TODAY), db_bytes=0) == before
    after = await pg_store.campaign_stats("ua-150-18", today=TODAY)
    assert (after.actions, after.by_channel["call"]) == (before.actions + 1, before.by_channel["call"] + 1)


# -- sealed chat ids (migration 10, bot/store/chat_seal.py) ------------------------------------


async def test_chat_ids_are_written_sealed_and_found_by_alias(pg_store):
    chat = 1_799_000_519
    await pg_store.subscribe(chat, "ua-150-18", key(601), "es")
    await pg_store.set_signup(chat, key(601), "es", ["all"])
    await pg_store.schedule_reminder(ReminderRequest(chat, "ua-150-18", "luis-videgaray", "email", "es", "es",
                                                     NOW))
    broadcast = await pg_store.open_broadcast("ua-150-18", 1, "followers", NOW)
    alias = pg_store.chats.owner(chat)
    for table in ("subscriptions", "signups", "reminders", "deliveries"):
        rows = await pg_store._pool.fetch(
            f"SELECT owner, chat, chat_id, row_to_json({table})::text FROM {table}")
        assert [(r[0], r[1].startswith("sealed:"), r[2]) for r in rows] == [(alias, True, None)], table
        assert str(chat) not in rows[0][3], table  # no column holds the id, in any form PostgreSQL shows
    # ... and every reader opens it with the person's key
    assert await pg_store.subscriptions_of(chat) == ["ua-150-18"]
    assert await pg_store.signup_of(chat) == ["all"]
    assert [s.chat_id for s in await pg_store.subscribers_of("ua-150-18")] == [chat]
    assert [d.chat_id for d in await pg_store.pending_deliveries(broadcast.id, NOW, 10)] == [chat]
    assert [r.chat_id for r in await pg_store.claim_due_reminders(NOW, 10)] == [chat]
    # a final delivery keeps neither the sealed chat nor whose it was
    assert await pg_store.claim_delivery(broadcast.id, key(601), "me", NOW) is False  # not its owner
    assert await pg_store.acquire_broadcast(broadcast.id, "me", NOW, NOW + timedelta(minutes=1))
    assert await pg_store.claim_delivery(broadcast.id, key(601), "me", NOW)
    await pg_store.finish_delivery(broadcast.id, key(601), "sent", NOW)
    final = await pg_store._pool.fetch("SELECT owner, chat FROM deliveries")
    assert [tuple(r) for r in final] == [(None, None)]


async def test_a_chat_whose_key_is_gone_is_neither_sent_to_nor_left_pending(pg_store):
    """/forget deletes the rows before it destroys the key; a row read in
    between (or a process given another key file) cannot be opened: it is
    failed, not sent and not left pending for ever."""
    await pg_store.subscribe(7001, "ua-150-18", key(701), "en")
    await pg_store.subscribe(7002, "ua-150-18", key(702), "en")
    await pg_store.schedule_reminder(ReminderRequest(7001, "ua-150-18", "luis-videgaray", "email", "en", "en",
                                                     NOW))
    broadcast = await pg_store.open_broadcast("ua-150-18", 1, "followers", NOW)
    pg_store.keyring.destroy(pg_store.chats.owner(7001))
    assert [d.chat_id for d in await pg_store.pending_deliveries(broadcast.id, NOW, 10)] == [7002]
    counts = await pg_store.delivery_counts(broadcast.id)
    assert (counts.pending, counts.failed) == (1, 1)
    assert await pg_store.claim_due_reminders(NOW, 10) == []
    assert await pg_store._pool.fetchval("SELECT COUNT(*) FROM reminders") == 0


async def test_upgrading_to_sealed_chats_seals_every_plain_chat_id_and_keeps_sending(pg_url):
    """Migration 10 makes room; the bot's start (`rekey_legacy_rows`, with the
    secret) seals the chat ids it finds, in all four tables, once."""
    async with await open_postgres_store(pg_url, migrate_to=9) as old:  # rows as version 9 wrote them
        for sql in (
            "INSERT INTO subscriptions (chat_id, campaign_id, recipient, language, acted, created_at)"
            " VALUES (8001, 'ua-150-18', $1, 'en', false, now())",
            "INSERT INTO signups (chat_id, choice, recipient, language, created_at)"
            " VALUES (8001, 'all', $1, 'en', now()), (8001, 'region:americas', $1, 'en', now())",
            "INSERT INTO broadcasts (id, campaign_id, update_number, audience, status, created_at)"
            " VALUES (1, 'ua-150-18', 1, 'followers', 'sending', now())",
            "INSERT INTO deliveries (broadcast_id, recipient, chat_id, language, status, attempts,"
            " updated_at) VALUES (1, $1, 8001, 'en', 'pending', 0, now())",
        ):
            await old._pool.execute(sql, *([key(801)] if "$1" in sql else []))
        await old._pool.execute(
            "INSERT INTO reminders (chat_id, campaign_id, official_id, channel, appeal_language, language,"
            " due_at, created_at) VALUES (8001, 'ua-150-18', 'luis-videgaray', 'email', 'en', 'en', $1, $1)",
            NOW)
    async with await open_postgres_store(pg_url) as store:
        assert await store.rekey_legacy_rows(lambda chat: key(chat)) == 5  # 1 + 2 + 1 + 1 rows
        alias = store.chats.owner(8001)
        for table in ("subscriptions", "signups", "reminders", "deliveries"):
            rows = await store._pool.fetch(f"SELECT owner, chat LIKE 'sealed:%', chat_id FROM {table}")
            assert {tuple(row) for row in rows} == {(alias, True, None)}, table
        assert await store.subscriptions_of(8001) == ["ua-150-18"]
        assert await store.signup_of(8001) == ["all", "region:americas"]
        assert [d.chat_id for d in await store.pending_deliveries(1, NOW, 10)] == [8001]
        assert [r.chat_id for r in await store.claim_due_reminders(NOW, 10)] == [8001]
        assert await store.rekey_legacy_rows(lambda chat: key(chat)) == 0
        await store.subscribe(8001, "ua-150-18", key(801), "es")  # the sealed row, not a second one
        assert await store._pool.fetchval("SELECT COUNT(*) FROM subscriptions") == 1


async def test_the_running_bot_and_its_cli_give_the_store_their_secret(pg_url, catalog, settings, clock,
                                                                        matcher, tmp_path):
    """A follow's row is under the alias `Services.supporter` gives the chat,
    with the deployment's secret, not the store tests' default; and the
    commands that send (`open_configured_store`) get the same secret."""
    from tests.conftest import make_services

    assert settings.supporter_id_secret != ChatSeal.unset_secret
    async with await open_postgres_store(pg_url, key_file=tmp_path / "keys") as store:
        services = make_services(catalog, settings, clock, matcher, store)
        await store.subscribe(9001, "ua-150-18", services.recipient(9001), "en")
        owners = await store._pool.fetch("SELECT owner FROM subscriptions")
        assert [row[0] for row in owners] == [services.supporter(9001)]
    configured = replace(settings, database_url=pg_url, key_file=tmp_path / "keys")
    async with await open_configured_store(configured) as store:
        assert await store.subscriptions_of(9001) == ["ua-150-18"]
