"""`advocacy-bot migrate --from sqlite:///… --to postgresql://…`: a populated
SQLite store arrives whole in PostgreSQL (every table, ids, timestamps), the
figures are the same, the copy refuses a target holding data unless
--force, and the PostgreSQL store carries on from there."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta

import asyncpg

from bot.store import Limits, ProblemReport, ReplyReport, open_store
from bot.store.base import ReminderRequest
from bot.store.postgres import open_postgres_store
from bot.store.transfer import copy_order, redact
from tests.cli.test_cli import run
from tests.store.test_store import TODAY, at, key, report, seed_figures
from tests.store.test_store_postgres import NOW


async def populate(path) -> None:
    """Every kind of row the bot writes, including ones /forget anonymised."""
    async with await open_store(path) as store:
        await seed_figures(store)  # actions, problems (one resolved), a reply
        await store.record_reply(ReplyReport("other-case", "someone", "Acknowledged", key(3), "r2", at=at(3)))
        reviewed = await store.record_reply(ReplyReport("ua-150-18", "luis-videgaray", "Later", None, "r3"))
        await store.resolve_problem(reviewed.id, kind="reply")
        await store.record_contact_problem(
            ProblemReport("ua-150-18", "alfonso-navarrete", "call", "other", "busy", key(4), "p4"))
        for n, campaign in ((1, "ua-150-18"), (2, "ua-150-18"), (2, "other-case"), (6, "ua-150-18")):
            await store.subscribe(-100_000_000_000 - n, campaign, key(500 + n), "en",  # 64-bit group ids
                                  supporter=key(n))
        await store.set_language(key(1), "es", chat_id=-100_000_000_001)
        await store.set_language(key(2), "en")
        await store.save_flows({key(1): store.keyring.seal(key(1), '{"user": 1001}', "flows"),
                                key(2): store.keyring.seal(key(2), '{"user": 1002}', "flows")}, at(1))
        await store.record_action(report(70, supporter=key(6), at=at(1)))
        await store.forget(key(6), -100_000_000_006, limiter=key(906), today=at(1).date())
        # a refused attempt: counted only in the totals, not in the action log
        refused = await store.record_action(report(71, at=at(1)), limits=Limits(key(907), reports=0))
        assert refused.capped
        await store.audit(777, "broadcast", "ua-150-18 update 1", at=at(0))
        await store.audit(777, "stats", None)
        await store.save_handled_update(123_456_789, at(1))  # the poller's kept update id (0011)
        # case updates and reminders (migration 0004)
        broadcast = await store.open_broadcast("ua-150-18", 1, "followers", NOW)
        await store.acquire_broadcast(broadcast.id, "A", NOW, NOW + timedelta(minutes=1))
        await store.claim_delivery(broadcast.id, key(501), "A", NOW)
        await store.finish_delivery(broadcast.id, key(501), "sent", NOW)
        await store.schedule_reminder(ReminderRequest(
            2002, "ua-150-18", "luis-videgaray", "email", "es", "en", NOW + timedelta(days=1)))
        # sign-ups for new cases and an announcement (migration 0009)
        await store.set_signup(-100_000_000_009, key(509), "es",
                               ["topic:safe-third-country", "region:africa"])
        await store.open_announcement("ua-150-18", ["all", "topic:safe-third-country"], NOW)


def comparable(value):
    """A PostgreSQL DATE as SQLite's text for it (timestamps: see `as_instant`)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value


def as_instant(value: str | None) -> datetime | None:
    """SQLite's ISO text (with Z) as the instant it names."""
    return None if value is None else datetime.fromisoformat(value)


async def table_contents(sqlite_path, url) -> dict[str, tuple[list, list]]:
    """Every table of the SQLite file with the same table on PostgreSQL, rows sorted."""
    import sqlite3

    db = sqlite3.connect(sqlite_path)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    conn = await asyncpg.connect(url)
    contents = {}
    try:
        for table in tables:
            columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
            if table == "schema_migrations":
                columns = ["version", "name"]  # applied_at: when each database was migrated
            listed = ", ".join(columns)
            pg_rows = [tuple(map(comparable, r)) for r in await conn.fetch(f"SELECT {listed} FROM {table}")]
            lite_rows = db.execute(f"SELECT {listed} FROM {table}").fetchall()
            instants = {i for row in pg_rows for i, v in enumerate(row) if isinstance(v, datetime)}
            lite_rows = [tuple(as_instant(v) if i in instants else v for i, v in enumerate(row))
                         for row in lite_rows]
            key_of = repr  # None and mixed types sort by their text
            contents[table] = (sorted(lite_rows, key=key_of), sorted(pg_rows, key=key_of))
    finally:
        await conn.close()
        db.close()
    return contents


async def test_migrate_copies_a_populated_sqlite_database(tmp_path, pg_url):
    source = tmp_path / "data" / "bot.sqlite3"
    await populate(source)

    result = run(tmp_path, "migrate", "--from", f"sqlite:///{source}", "--to", pg_url)
    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip()
    assert "\n" not in summary and summary.startswith("copied ") and "rollups rebuilt" in summary
    assert "10 actions" in summary and "4 contact_problems" in summary and "3 official_replies" in summary
    assert "3 subscriptions" in summary and "2 supporters" in summary and "2 flows" in summary

    contents = await table_contents(source, pg_url)
    assert {"actions", "official_replies", "contact_problems", "subscriptions", "supporters",
            "flows", "campaign_totals", "action_daily"} <= set(contents)
    for table, (lite, pg) in contents.items():
        assert pg == lite, table
        assert lite, f"{table} was not populated"

    # The supporters' keys stay in their file (KEY_FILE: by default beside DATABASE_PATH).
    async with await open_store(source) as lite, await open_postgres_store(
            pg_url, key_file=f"{source}.keys") as pg:
        # the bot's first start seals the chat ids copied in the clear (migration 10)
        assert await pg.rekey_legacy_rows(key) >= 3
        for table in ("subscriptions", "signups", "reminders", "deliveries"):
            assert await pg._pool.fetchval(f"SELECT COUNT(*) FROM {table} WHERE chat_id IS NOT NULL") == 0
        for campaign in (None, "ua-150-18", "other-case"):
            assert replace(await pg.campaign_stats(campaign, today=TODAY), db_bytes=0) == replace(
                await lite.campaign_stats(campaign, today=TODAY), db_bytes=0)
        assert [r async for r in pg.export_actions()] == [r async for r in lite.export_actions()]
        assert await pg.supporter_data(key(1), -100_000_000_001) == await lite.supporter_data(
            key(1), -100_000_000_001)
        assert await pg.list_problems(open_only=False) == await lite.list_problems(open_only=False)
        assert await pg.load_flows() == await lite.load_flows()
        # the copy carries on: new ids follow the copied ones, counts add up
        result_ = await pg.record_action(report(99, supporter=key(7)))
        assert result_.created and result_.campaign_actions == 23 + 1 + 1
        newest = [r async for r in pg.export_actions()][-1]
        assert newest.id == 11 and newest.supporter == key(7)
        reply = await pg.record_reply(ReplyReport("c", "o", "New", None, "r-new"))
        assert reply.id == 4

    # a target holding data is refused, and nothing changes
    again = run(tmp_path, "migrate", "--from", f"sqlite:///{source}", "--to", pg_url)
    assert again.returncode == 2 and "already holds data" in again.stderr and "--force" in again.stderr
    assert "Traceback" not in again.stderr
    # --force replaces it with the source's content (not added twice)
    forced = run(tmp_path, "migrate", "--from", f"sqlite:///{source}", "--to", pg_url, "--force")
    assert forced.returncode == 0, forced.stderr
    async with await open_postgres_store(pg_url) as pg:
        assert (await pg.campaign_stats(today=TODAY)).actions == 23 + 7 + 1
        assert len([r async for r in pg.export_actions()]) == 10

    # and with DATABASE_URL set, the organizers' commands read PostgreSQL
    lite_stats = json.loads(run(tmp_path, "stats", "--json").stdout)  # DATABASE_PATH: the source
    pg_stats = run(tmp_path, "stats", "--json", extra_env={"DATABASE_URL": pg_url})
    assert pg_stats.returncode == 0, pg_stats.stderr
    assert {k: v for k, v in json.loads(pg_stats.stdout).items() if k != "db_bytes"} == {
        k: v for k, v in lite_stats.items() if k != "db_bytes"}
    pg_csv = run(tmp_path, "export", "--format", "csv", extra_env={"DATABASE_URL": pg_url}).stdout
    lite_csv = run(tmp_path, "export", "--format", "csv").stdout
    assert pg_csv == lite_csv and len(pg_csv.splitlines()) == 11


def test_migrate_refuses_bad_sources_and_targets_in_one_line(tmp_path):
    missing = run(tmp_path, "migrate", "--from", f"sqlite:///{tmp_path}/none.sqlite3",
                  "--to", "postgresql://nobody@127.0.0.1:1/x")
    assert missing.returncode == 2 and "no such SQLite file" in missing.stderr
    assert not (tmp_path / "none.sqlite3").exists()
    wrong = run(tmp_path, "migrate", "--from", "postgresql://a/b", "--to", "postgresql://c/d")
    assert wrong.returncode == 2 and "--from must be sqlite:///path" in wrong.stderr
    assert "Traceback" not in missing.stderr + wrong.stderr


def test_copy_order_puts_referenced_tables_first_and_urls_lose_passwords():
    assert copy_order(["deliveries", "actions", "broadcasts"], {"deliveries": {"broadcasts"}}) == [
        "actions", "broadcasts", "deliveries"]
    assert redact("postgresql://bot:s3cret@db:5432/advocacy") == "postgresql://bot:***@db:5432/advocacy"
    assert redact("postgresql://bot@db/advocacy") == "postgresql://bot@db/advocacy"
