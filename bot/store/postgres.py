"""The action log on PostgreSQL (asyncpg), for deployments that outgrow one process.

Same interface, validation (`validate`), rollups and queries as the SQLite
store (`sqlite`, whose docstring explains the rollups); only what the two
databases do differently is handled differently here:

- Connections: a small asyncpg pool per process instead of one connection
  behind a lock, so tasks run their transactions side by side. Every session
  uses the UTC time zone, so dates cut from timestamps are UTC days as in
  SQLite.
- Concurrency: SQLite serialises writers (`BEGIN IMMEDIATE`); PostgreSQL at
  READ COMMITTED does not, so two first reports from one supporter in two
  transactions could each see no earlier report and count the supporter
  twice, and two reports could each see room under a daily limit.
  `record_action` therefore takes a transaction-scoped advisory lock on the
  supporter key, and every write under a daily limit locks that person's
  `daily_limits` row (`FOR UPDATE`) before checking it: one person's reports
  take turns, everyone else's run in parallel. Idempotency is the unique key
  on `idempotency_key`, checked under those locks. `rebuild_rollups` locks
  the rollup tables (in the order writers touch them) so no report slips
  between its delete and its re-insert.
- Types: timestamps are TIMESTAMPTZ and days are DATE (text in SQLite); the
  values that come back are the same `datetime`/`date` objects.
- Broadcasts and reminders: see `postgres_broadcasts`.
- Privacy: `forget` is one transaction, like SQLite's. PostgreSQL keeps dead
  row versions until (auto)vacuum reuses their space, and every write in
  `pg_wal` until the segment is recycled, so nothing here is erased by
  deleting it: what a supporter types is sealed under their own key, which
  lives in a SQLite key file (`keyring`), never in PostgreSQL, and /forget
  destroys it; flows in progress are sealed too, under a handle that is not
  their Telegram id, and so is the chat id a follow, a sign-up, a reminder
  or a pending delivery needs to send (`chat_seal`; docs/privacy-erasure.md
  says what remains).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, Self

import asyncpg

from bot.store import validate
from bot.store.base import (
    ALL_CAMPAIGNS,
    BY_DAY_WINDOW,
    ERASED_TEXT,
    LANGUAGES,
    ActionReport,
    ActionRow,
    AuditEntry,
    CampaignStats,
    Limits,
    PendingReminder,
    ProblemReport,
    Recorded,
    RecordResult,
    ReplyReport,
    ReviewItem,
    Subscription,
    SupporterData,
)
from bot.store.chat_seal import ChatSeal
from bot.store.flow_rows import flow_statements
from bot.store.keyring import Keyring
from bot.store.postgres_broadcasts import PostgresBroadcasts
from bot.store.postgres_schema import migrate
from bot.store.postgres_signups import PostgresSignups
from bot.store.sealing import FORGOTTEN_POSTGRES, LEGACY_SUPPORTERS, open_item, seal_problem, seal_reply

POOL_SIZE = 8  # a bot process rarely has more transactions in flight
EXPORT_BATCH = 2000
SUPPORTER_LOCK = 0x5EED  # first key of the two-key advisory locks taken per supporter
SERVER_SETTINGS = {"timezone": "UTC", "application_name": "advocacy-bot"}

INSERT_ACTION = """
INSERT INTO actions (campaign_id, official_id, channel, count, status, language, country,
                     supporter, created_at, idempotency_key)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id
"""
# As in SQLite: the campaign's row and the all-campaigns row; a supporter
# counts once per row, on their first report (found before the insert).
ADD_CAMPAIGN_TOTALS = """
INSERT INTO campaign_totals (campaign_id, supporters, actions, attempted, reports)
VALUES ($1, $3::int, $5::bigint, $6::bigint, 1), ($2, $4::int, $5::bigint, $6::bigint, 1)
ON CONFLICT (campaign_id) DO UPDATE SET
    supporters = campaign_totals.supporters + excluded.supporters,
    actions = campaign_totals.actions + excluded.actions,
    attempted = campaign_totals.attempted + excluded.attempted,
    reports = campaign_totals.reports + 1
RETURNING campaign_id, supporters, actions
"""
ADD_ACTION_DAILY = """
INSERT INTO action_daily (campaign_id, day, official_id, channel, status, actions, reports)
VALUES ($1, $2, $3, $4, $5, $6, 1)
ON CONFLICT (campaign_id, day, official_id, channel, status) DO UPDATE SET
    actions = action_daily.actions + excluded.actions,
    reports = action_daily.reports + 1
"""
CAMPAIGN_TOTALS = "SELECT supporters, actions FROM campaign_totals WHERE campaign_id = $1"
LOCK_SUPPORTER = "SELECT pg_advisory_xact_lock($1, hashtext($2))"
ACTED_BEFORE = """
SELECT EXISTS (SELECT 1 FROM actions WHERE supporter = $1 AND campaign_id = $2 AND id <> $3),
       EXISTS (SELECT 1 FROM actions WHERE supporter = $1 AND id <> $3)
"""
ACTED_HERE = "SELECT EXISTS (SELECT 1 FROM actions WHERE supporter = $1 AND campaign_id = $2)"
# As in SQLite: one more of {kind} today, counted first and checked after. The
# upsert locks the person's row until the transaction ends, so two processes
# take turns on it and cannot both pass a cap.
COUNT_TODAY = """
INSERT INTO daily_limits (limiter, day, {kind}, actions) VALUES ($1, $2, 1, $3)
ON CONFLICT (limiter, day) DO UPDATE SET {kind} = daily_limits.{kind} + 1,
    actions = daily_limits.actions + excluded.actions
RETURNING {kind}, actions, forgot
"""
COUNT_REFUSED = """
INSERT INTO daily_limits (limiter, day, capped) VALUES ($1, $2, 1)
ON CONFLICT (limiter, day) DO UPDATE SET capped = daily_limits.capped + 1
"""
COUNT_CAPPED = """
INSERT INTO campaign_totals (campaign_id, capped) VALUES ($1, 1), ($2, 1)
ON CONFLICT (campaign_id) DO UPDATE SET capped = campaign_totals.capped + 1
"""
FINAL = "('sent', 'failed', 'blocked', 'unknown')"  # a delivery that is over keeps no chat id

REBUILD_ROLLUPS = (
    "LOCK TABLE action_daily, campaign_totals IN EXCLUSIVE MODE",
    # Refused attempts (`capped`) are in no action log: they are kept.
    "UPDATE campaign_totals SET supporters = 0, actions = 0, attempted = 0, reports = 0",
    "DELETE FROM action_daily",
    """INSERT INTO campaign_totals (campaign_id, supporters, actions, attempted, reports)
    SELECT campaign_id, COUNT(DISTINCT supporter),
           SUM(CASE WHEN status = 'done' THEN count ELSE 0 END),
           SUM(CASE WHEN status = 'attempted' THEN count ELSE 0 END), COUNT(*)
    FROM actions GROUP BY campaign_id
    ON CONFLICT (campaign_id) DO UPDATE SET supporters = excluded.supporters, actions = excluded.actions,
        attempted = excluded.attempted, reports = excluded.reports""",
    """INSERT INTO campaign_totals (campaign_id, supporters, actions, attempted, reports)
    SELECT '*', COUNT(DISTINCT supporter),
           COALESCE(SUM(CASE WHEN status = 'done' THEN count ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN status = 'attempted' THEN count ELSE 0 END), 0), COUNT(*)
    FROM actions
    ON CONFLICT (campaign_id) DO UPDATE SET supporters = excluded.supporters, actions = excluded.actions,
        attempted = excluded.attempted, reports = excluded.reports""",
    """INSERT INTO action_daily (campaign_id, day, official_id, channel, status, actions, reports)
    SELECT campaign_id, (created_at AT TIME ZONE 'UTC')::date, official_id, channel, status,
           SUM(count), COUNT(*)
    FROM actions
    GROUP BY campaign_id, (created_at AT TIME ZONE 'UTC')::date, official_id, channel, status""",
)

ACTION_COLUMNS = (
    "id, created_at, campaign_id, official_id, channel, count, status, language, country, supporter"
)
PROBLEM_ITEMS = (
    "SELECT 'problem'::text, id, campaign_id, official_id, channel, kind, note, created_at,"
    " resolved_at, supporter FROM contact_problems"
)
REPLY_ITEMS = (
    "SELECT 'reply'::text, id, campaign_id, official_id, NULL::text, NULL::text, summary, created_at,"
    " reviewed_at, supporter FROM official_replies"
)


def stats_queries(campaign_id: str | None) -> dict[str, str]:
    """The SQL behind `campaign_stats` (also used by the EXPLAIN test); the same
    figures from the same rollups as `sqlite.stats_queries`."""
    where = "campaign_id = $1 AND " if campaign_id is not None else ""
    first = 2 if campaign_id is not None else 1
    return {
        "totals": ("SELECT supporters, actions, attempted, capped FROM campaign_totals"
                   " WHERE campaign_id = $1"),
        "by_channel": f"SELECT channel, SUM(actions)::bigint FROM action_daily"
        f" WHERE {where}status = 'done' GROUP BY channel",
        "by_official": f"SELECT official_id, SUM(actions)::bigint FROM action_daily"
        f" WHERE {where}status = 'done' GROUP BY official_id",
        "by_day": f"SELECT day, SUM(actions)::bigint FROM action_daily"
        f" WHERE {where}day >= ${first} AND day <= ${first + 1} AND status = 'done' GROUP BY day",
        "open_problems": f"SELECT COUNT(*) FROM contact_problems WHERE {where}resolved_at IS NULL",
        "open_replies": f"SELECT COUNT(*) FROM official_replies WHERE {where}reviewed_at IS NULL",
        "campaigns": "SELECT campaign_id FROM campaign_totals WHERE campaign_id <> '*' ORDER BY campaign_id",
    }


def stats_params(campaign_id: str | None, first: date, last: date) -> dict[str, tuple]:
    scope: tuple = (campaign_id,) if campaign_id is not None else ()
    return {
        "totals": (campaign_id if campaign_id is not None else ALL_CAMPAIGNS,),
        "by_channel": scope,
        "by_official": scope,
        "by_day": (*scope, first, last),
        "open_problems": scope,
        "open_replies": scope,
        "campaigns": (),
    }


def moment(at: datetime | None) -> datetime:
    """The instant the SQLite store would write (UTC, to the second), as a datetime."""
    return validate.parse_timestamp(validate.timestamp(at))  # type: ignore[return-value]


def _count(status: str) -> int:
    """Rows touched, from asyncpg's command tag ("UPDATE 1", "DELETE 3")."""
    return int(status.rsplit(" ", 1)[-1])


class _OverLimit(Exception):
    """A daily limit refused the write: its transaction is rolled back."""


async def _count_today(conn: asyncpg.Connection, limits: Limits | None, day: date, kind: str,
                       actions: int = 0) -> bool:
    """As SQLite's: count one more, raise _OverLimit past a cap; whether the
    person deleted their data today."""
    if limits is None:
        return False
    done, actions_today, forgot = await conn.fetchrow(COUNT_TODAY.format(kind=kind), limits.limiter, day,
                                                      actions)
    if done > getattr(limits, kind) or actions_today > limits.actions:
        raise _OverLimit
    return forgot


def _action_row(row: Sequence) -> ActionRow:
    return ActionRow(*row)


def _review_item(row: Sequence, keyring: Keyring) -> ReviewItem:
    """A row of PROBLEM_ITEMS / REPLY_ITEMS, its text opened with the key of
    the supporter in its last column."""
    return ReviewItem(*row[:6], open_item(keyring, row[0], row[9], row[6]), *row[7:9])


class PostgresStore(PostgresBroadcasts, PostgresSignups):
    """`bot.store.base.Store` on PostgreSQL. Create with `open_postgres_store`.
    Broadcasts and reminders are in `postgres_broadcasts`."""

    def __init__(self, pool: asyncpg.Pool, keyring: Keyring) -> None:
        self._pool = pool
        self.keyring = keyring
        self.chats = ChatSeal(keyring)

    def use_secret(self, secret: bytes) -> None:
        """The deployment's secret, to find a chat's rows from its id (`chat_seal`)."""
        self.chats = ChatSeal(self.keyring, secret)

    def _owner(self, chat_id: int) -> str | None:
        """The alias a chat's rows are under; None: it has none, so no rows."""
        validate.chat(chat_id)
        return self.chats.owner(chat_id)

    # -- plumbing ---------------------------------------------------------

    @asynccontextmanager
    async def _transaction(self, **options) -> AsyncIterator[asyncpg.Connection]:
        async with self._pool.acquire() as conn, conn.transaction(**options):
            yield conn

    async def _fetch(self, sql: str, *params) -> list:
        return await self._pool.fetch(sql, *params)

    async def close(self) -> None:
        await self._pool.close()
        self.keyring.close()

    async def ping(self) -> bool:
        """True when the database answers (for /healthz)."""
        return await self._pool.fetchval("SELECT 1") == 1

    async def audit(self, organizer_id: int, command: str, detail: str | None,
                    at: datetime | None = None) -> None:
        await self._pool.execute(
            "INSERT INTO organizer_audit (organizer_id, command, detail, created_at)"
            " VALUES ($1, $2, $3, $4)", organizer_id, command, detail, moment(at))

    async def audit_log(self, limit: int = 100) -> list[AuditEntry]:
        rows = await self._fetch("SELECT organizer_id, command, detail, created_at FROM organizer_audit"
                                 " ORDER BY created_at DESC, id DESC LIMIT $1", limit)
        return [AuditEntry(*row) for row in rows]

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- conversation persistence ------------------------------------------

    async def load_flows(self) -> list[tuple[str, str]]:
        return [tuple(row) for row in await self._fetch("SELECT owner, sealed FROM flows ORDER BY owner")]

    async def handled_update(self) -> tuple[int, datetime] | None:
        row = await self._pool.fetchrow("SELECT update_id, saved_at FROM update_offset WHERE id = 1")
        return (row[0], row[1]) if row else None

    async def save_handled_update(self, update_id: int, at: datetime | None = None) -> None:
        await self._pool.execute(
            "INSERT INTO update_offset (id, update_id, saved_at) VALUES (1, $1, $2) ON CONFLICT (id)"
            " DO UPDATE SET update_id = excluded.update_id, saved_at = excluded.saved_at",
            update_id, at or datetime.now(UTC))

    async def prune_flows(self, before: datetime) -> int:
        return _count(await self._pool.execute("DELETE FROM flows WHERE touched_at < $1", before))

    async def count_flows(self) -> int:
        return await self._pool.fetchval("SELECT COUNT(*) FROM flows")

    async def finish_erasure(self) -> bool:
        """Only the key file can owe a checkpoint: PostgreSQL's own files are
        not erased by deleting (see the module's docstring)."""
        return self.keyring.settle()

    async def save_flows(self, rows: dict[str, str | None], at: datetime | None = None) -> None:
        """As SQLite's: one statement on its own, or several in one transaction."""
        statements = flow_statements(rows, at or datetime.now(UTC), "$")
        if len(statements) == 1:
            await self._pool.execute(statements[0][0], *statements[0][1])
        elif statements:
            async with self._transaction() as conn:
                for sql, params in statements:
                    await conn.execute(sql, *params)

    # -- reports ----------------------------------------------------------

    async def record_action(self, report: ActionReport, limits: Limits | None = None,
                            follower_chat: int | None = None) -> RecordResult:
        values = list(validate.action(report, self.appeal_languages))
        campaign, official, channel, count, status = values[:5]
        supporter = values[7]
        values[8] = created_at = validate.parse_timestamp(values[8])
        day = created_at.date()
        if limits is not None:
            validate.key_hash(limits.limiter, "limiter")
        try:
            async with self._transaction() as conn:
                if supporter is not None:
                    await conn.execute(LOCK_SUPPORTER, SUPPORTER_LOCK, supporter)
                new_id = await conn.fetchval(INSERT_ACTION, *values)
                if new_id is None:  # the same report again: counted once
                    return RecordResult(False, *await self._totals(conn, campaign))
                forgot = await _count_today(conn, limits, day, "reports", count)
                acted_here, acted_anywhere = (True, True) if supporter is None or forgot else (
                    await conn.fetchrow(ACTED_BEFORE, supporter, campaign, new_id))
                await conn.execute(ADD_ACTION_DAILY, campaign, day, official, channel, status, count)
                done = count if status == "done" else 0
                rows = await conn.fetch(ADD_CAMPAIGN_TOTALS, campaign, ALL_CAMPAIGNS, int(not acted_here),
                                        int(not acted_anywhere), done, count - done)
                if follower_chat is not None and (follower := self._owner(follower_chat)) is not None:
                    await conn.execute("UPDATE subscriptions SET acted = true"
                                       " WHERE owner = $1 AND campaign_id = $2", follower, campaign)
        except _OverLimit:
            await self._refused(limits, day, campaign)
            return RecordResult(False, *await self._totals(self._pool, campaign), capped=True)
        (supporters, actions), = [tuple(row[1:]) for row in rows if row[0] == campaign]
        return RecordResult(True, supporters, actions, new_supporter=not acted_here)

    @staticmethod
    async def _totals(conn, campaign: str) -> tuple[int, int]:
        row = await conn.fetchrow(CAMPAIGN_TOTALS, campaign)
        return tuple(row) if row else (0, 0)

    async def _refused(self, limits: Limits, day: date, campaign: str) -> None:
        """The refused attempt itself is counted, for the person and for /stats."""
        async with self._transaction() as conn:
            await conn.execute(COUNT_REFUSED, limits.limiter, day)
            await conn.execute(COUNT_CAPPED, campaign, ALL_CAMPAIGNS)

    async def _record(self, table: str, columns: str, values: Sequence, limits: Limits | None,
                      kind: str) -> Recorded:
        """A reply or a contact problem: idempotent on its key, within its daily limit."""
        campaign, key, day = values[0], values[-1], values[-2].date()
        marks = ", ".join(f"${n}" for n in range(1, len(values) + 1))
        insert = (f"INSERT INTO {table} ({columns}) VALUES ({marks})"
                  " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id")
        try:
            async with self._transaction() as conn:
                new_id = await conn.fetchval(insert, *values)
                if new_id is None:
                    return Recorded(False, await conn.fetchval(
                        f"SELECT id FROM {table} WHERE idempotency_key = $1", key))
                await _count_today(conn, limits, day, kind)
        except _OverLimit:
            await self._refused(limits, day, campaign)
            return Recorded(False, None, capped=True)
        return Recorded(True, new_id)

    async def record_reply(self, report: ReplyReport, limits: Limits | None = None) -> Recorded:
        values = list(seal_reply(self.keyring, validate.reply(report)))
        values[4] = validate.parse_timestamp(values[4])
        return await self._record(
            "official_replies",
            "campaign_id, official_id, summary, supporter, created_at, idempotency_key",
            values, limits, "replies")

    async def record_contact_problem(self, report: ProblemReport,
                                     limits: Limits | None = None) -> Recorded:
        values = list(seal_problem(self.keyring, validate.problem(report)))
        values[6] = validate.parse_timestamp(values[6])
        return await self._record(
            "contact_problems",
            "campaign_id, official_id, channel, kind, note, supporter, created_at, idempotency_key",
            values, limits, "problems")

    # -- review list --------------------------------------------------------

    async def list_problems(
        self, open_only: bool = True, limit: int = 50, campaign_id: str | None = None
    ) -> list[ReviewItem]:
        """Replies and contact problems together, newest first."""
        problem_where, reply_where, params = [], [], []
        if open_only:
            problem_where.append("resolved_at IS NULL")
            reply_where.append("reviewed_at IS NULL")
        if campaign_id is not None:
            problem_where.append("campaign_id = $1")
            reply_where.append("campaign_id = $1")
            params = [campaign_id]

        def where(terms: list[str]) -> str:
            return f" WHERE {' AND '.join(terms)}" if terms else ""

        sql = (
            f"{PROBLEM_ITEMS}{where(problem_where)} UNION ALL {REPLY_ITEMS}{where(reply_where)}"
            f" ORDER BY 8 DESC, 1, 2 DESC LIMIT ${len(params) + 1}"
        )
        rows = await self._fetch(sql, *params, max(0, int(limit)))
        return [_review_item(row, self.keyring) for row in rows]

    async def resolve_problem(self, item_id: int, kind: Literal["problem", "reply"] = "problem") -> bool:
        """Mark a problem resolved (or a reply reviewed); False if not open."""
        table, column = {
            "problem": ("contact_problems", "resolved_at"),
            "reply": ("official_replies", "reviewed_at"),
        }[kind]
        status = await self._pool.execute(
            f"UPDATE {table} SET {column} = $1 WHERE id = $2 AND {column} IS NULL",
            moment(None), item_id,
        )
        return _count(status) == 1

    # -- figures ------------------------------------------------------------

    async def campaign_stats(
        self, campaign_id: str | None = None, today: date | None = None, since: date | None = None
    ) -> CampaignStats:
        today = today or datetime.now(UTC).date()
        first = min(since, today) if since else today - timedelta(days=BY_DAY_WINDOW - 1)
        queries = stats_queries(campaign_id)
        params = stats_params(campaign_id, first, today)
        results: dict[str, list] = {}
        # one consistent snapshot for every figure, as SQLite's read transaction gives
        async with self._transaction(isolation="repeatable_read", readonly=True) as conn:
            for name, sql in queries.items():
                results[name] = await conn.fetch(sql, *params[name])
            size = await conn.fetchval("SELECT pg_database_size(current_database())")
        supporters, actions, attempted, capped = (results["totals"][0] if results["totals"]
                                                  else (0, 0, 0, 0))
        per_day = {row[0]: row[1] for row in results["by_day"]}
        by_day = [(first + timedelta(days=n), per_day.get(first + timedelta(days=n), 0))
                  for n in range((today - first).days + 1)]
        return CampaignStats(
            campaign_id=campaign_id,
            today=today,
            actions=actions,
            attempted=attempted,
            supporters=supporters,
            capped=capped,
            by_channel={row[0]: row[1] for row in sorted(map(tuple, results["by_channel"]))},
            by_official={row[0]: row[1] for row in sorted(map(tuple, results["by_official"]))},
            by_day=by_day,
            last_7_days=sum(n for _, n in by_day[-7:]),
            open_problems=results["open_problems"][0][0],
            open_replies=results["open_replies"][0][0],
            db_bytes=size,
            campaigns=[row[0] for row in results["campaigns"]],
        )

    async def export_actions(
        self, campaign_id: str | None = None, since: date | None = None
    ) -> AsyncIterator[ActionRow]:
        """Every action (oldest id first), in batches so that a long download
        never holds a connection or a snapshot for long."""
        terms, params = ["id > $1"], []
        if campaign_id is not None:
            params.append(campaign_id)
            terms.append(f"campaign_id = ${len(params) + 1}")
        if since is not None:
            params.append(datetime.combine(since, time(), UTC))
            terms.append(f"created_at >= ${len(params) + 1}")
        sql = (
            f"SELECT {ACTION_COLUMNS} FROM actions WHERE {' AND '.join(terms)}"
            f" ORDER BY id LIMIT {EXPORT_BATCH}"
        )
        last = 0
        while True:
            rows = await self._fetch(sql, last, *params)
            for row in rows:
                yield _action_row(row)
            if len(rows) < EXPORT_BATCH:
                return
            last = rows[-1][0]

    async def rebuild_rollups(self) -> None:
        """Recompute the rollup tables from `actions` (after a bulk import)."""
        async with self._transaction() as conn:
            for statement in REBUILD_ROLLUPS:
                await conn.execute(statement)

    # -- subscriptions and language ------------------------------------------

    async def subscribe(self, chat_id: int, campaign_id: str, recipient: str, language: str,
                        supporter: str | None = None) -> None:
        validate.subscription(chat_id, campaign_id, recipient, language)
        acted = supporter is not None and await self._pool.fetchval(
            ACTED_HERE, validate.key_hash(supporter, "supporter"), campaign_id)
        owner, chat = self.chats.seal(chat_id)
        await self._pool.execute(
            "INSERT INTO subscriptions (owner, chat, campaign_id, recipient, language, acted, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (owner, campaign_id) DO UPDATE SET"
            " recipient = excluded.recipient, language = excluded.language,"
            " acted = subscriptions.acted OR excluded.acted",
            owner, chat, campaign_id, recipient, language, bool(acted), moment(None))

    async def unsubscribe(self, chat_id: int, campaign_id: str) -> bool:
        owner = self._owner(chat_id)
        status = await self._pool.execute(
            "DELETE FROM subscriptions WHERE owner = $1 AND campaign_id = $2", owner, campaign_id)
        return _count(status) > 0

    async def subscriptions_of(self, chat_id: int) -> list[str]:
        rows = await self._fetch(
            "SELECT campaign_id FROM subscriptions WHERE owner = $1 ORDER BY campaign_id",
            self._owner(chat_id))
        return [row[0] for row in rows]

    async def subscribers_of(self, campaign_id: str) -> list[Subscription]:
        """Who gets a campaign's case updates: the chat (opened with its
        owner's key), its key and language."""
        rows = await self._fetch(
            "SELECT owner, chat, campaign_id, recipient, language, acted FROM subscriptions"
            " WHERE campaign_id = $1 ORDER BY created_at, recipient", campaign_id)
        chats = self.chats.open_all((row[0], row[1]) for row in rows)
        return [Subscription(chat, *row[2:]) for chat, row in zip(chats, rows, strict=True)
                if chat is not None]

    async def set_language(self, supporter: str, lang: str, chat_id: int | None = None) -> None:
        validate.supporter(supporter)
        validate.choice(lang, LANGUAGES, "language")
        now = moment(None)
        async with self._transaction() as conn:
            await conn.execute(
                "INSERT INTO supporters (supporter, language, created_at, updated_at)"
                " VALUES ($1, $2, $3, $3) ON CONFLICT (supporter)"
                " DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at",
                supporter, lang, now)
            if chat_id is not None and (owner := self._owner(chat_id)) is not None:
                await conn.execute("UPDATE subscriptions SET language = $1 WHERE owner = $2", lang, owner)
                await conn.execute("UPDATE signups SET language = $1 WHERE owner = $2", lang, owner)

    async def get_language(self, supporter: str) -> str | None:
        return await self._pool.fetchval("SELECT language FROM supporters WHERE supporter = $1", supporter)

    async def action_recorded(self, idempotency_key: str) -> bool:
        return bool(await self._pool.fetchval("SELECT 1 FROM actions WHERE idempotency_key = $1",
                                              idempotency_key))

    async def sent_at(self, supporter: str, campaign_id: str, official_id: str,
                      channel: str) -> list[datetime]:
        validate.supporter(supporter)
        rows = await self._pool.fetch(
            "SELECT created_at FROM actions WHERE supporter = $1 AND campaign_id = $2 AND official_id = $3"
            " AND channel = $4 AND status = 'done'", supporter, campaign_id, official_id, channel)
        return [row[0] for row in rows]

    # -- a supporter's own data --------------------------------------------------

    async def supporter_data(self, supporter: str, chat_id: int) -> SupporterData:
        validate.supporter(supporter)
        owner = self._owner(chat_id)
        async with self._transaction(isolation="repeatable_read", readonly=True) as conn:
            language = await conn.fetchval("SELECT language FROM supporters WHERE supporter = $1", supporter)
            subscriptions = await conn.fetch(
                "SELECT campaign_id FROM subscriptions WHERE owner = $1 ORDER BY campaign_id", owner)
            actions = await conn.fetch(
                f"SELECT {ACTION_COLUMNS} FROM actions WHERE supporter = $1 ORDER BY id", supporter)
            problems = await conn.fetch(f"{PROBLEM_ITEMS} WHERE supporter = $1 ORDER BY id", supporter)
            replies = await conn.fetch(f"{REPLY_ITEMS} WHERE supporter = $1 ORDER BY id", supporter)
            reminders = await conn.fetch(
                "SELECT campaign_id, official_id, channel, due_at FROM reminders WHERE owner = $1"
                " ORDER BY due_at", owner)
            signups = await conn.fetch("SELECT choice FROM signups WHERE owner = $1 ORDER BY choice", owner)
        return SupporterData(
            supporter=supporter,
            language=language,
            subscriptions=[row[0] for row in subscriptions],
            actions=[_action_row(row) for row in actions],
            replies=[_review_item(row, self.keyring) for row in replies],
            problems=[_review_item(row, self.keyring) for row in problems],
            reminders=[PendingReminder(*row) for row in reminders],
            signups=[row[0] for row in signups],
        )

    async def forget(self, supporter: str, chat_id: int, limiter: str | None = None,
                     today: date | None = None, recipient: str | None = None) -> None:
        """See `Store.forget`. The supporter lock makes a report arriving
        meanwhile land before or after."""
        validate.supporter(supporter)
        validate.chat(chat_id)
        day = today or datetime.now(UTC).date()
        owner = self.chats.owner(chat_id) if self.chats.secret is not None else None
        owners = [supporter] if owner in (None, supporter) else [supporter, owner]
        async with self._transaction() as conn:
            await conn.execute(LOCK_SUPPORTER, SUPPORTER_LOCK, supporter)
            fresh = FORGOTTEN_POSTGRES  # a new random key per row: nothing to recompute
            await conn.execute(f"UPDATE actions SET supporter = NULL, idempotency_key = {fresh}"
                               " WHERE supporter = $1", supporter)
            await conn.execute(f"UPDATE official_replies SET supporter = NULL, summary = $2,"
                               f" idempotency_key = {fresh} WHERE supporter = $1", supporter, ERASED_TEXT)
            await conn.execute(f"UPDATE contact_problems SET supporter = NULL, note = NULL,"
                               f" idempotency_key = {fresh} WHERE supporter = $1", supporter)
            await conn.execute("DELETE FROM supporters WHERE supporter = $1", supporter)
            await conn.execute("DELETE FROM flows WHERE owner = $1", supporter)  # the bot ended them already
            # the chat's rows, found by its alias (a delivery keeps no chat once over)
            for table in ("subscriptions", "signups", "reminders", "deliveries"):
                await conn.execute(f"DELETE FROM {table} WHERE owner = ANY($1::text[])", owners)
            if recipient is not None:  # deliveries that happened stay counted, under no key of theirs
                await conn.execute(f"UPDATE deliveries SET recipient = {fresh} WHERE recipient = $1",
                                   validate.key_hash(recipient, "recipient"))
            if limiter is not None:
                await conn.execute("INSERT INTO daily_limits (limiter, day, forgot) VALUES ($1, $2, true)"
                                   " ON CONFLICT (limiter, day) DO UPDATE SET forgot = true",
                                   validate.key_hash(limiter, "limiter"), day)
        self.keyring.destroy(supporter)

    async def prune_limits(self, before: date) -> int:
        return _count(await self._pool.execute("DELETE FROM daily_limits WHERE day < $1", before))

    async def rekey_legacy_rows(self, recipient_of: Callable[[int], str]) -> int:
        """Rows migration 6 left keyed 'chat:<id>' get their keyed hash, and
        rows migration 10 found with a plain chat id get it sealed
        (`chat_seal`); run at start, with the secret (`use_secret`)."""
        rows = await self._fetch(
            "SELECT recipient FROM subscriptions WHERE recipient LIKE 'chat:%'"
            " UNION SELECT recipient FROM deliveries WHERE recipient LIKE 'chat:%'")
        if rows:
            async with self._transaction() as conn:
                for (legacy,) in rows:
                    keyed = recipient_of(int(legacy.removeprefix("chat:")))
                    await conn.execute("UPDATE subscriptions SET recipient = $1 WHERE recipient = $2",
                                       keyed, legacy)
                    await conn.execute("UPDATE deliveries SET recipient = $1, chat_id = CASE WHEN status IN"
                                       f" {FINAL} THEN NULL ELSE chat_id END WHERE recipient = $2",
                                       keyed, legacy)
        return len(rows) + await self._seal_legacy_chats()

    async def _seal_legacy_chats(self) -> int:
        """Seal the chat ids migration 10 found in the clear; their old values
        stay in pg_wal until it is recycled (docs/privacy-erasure.md)."""
        sealed = 0
        async with self._transaction() as conn:
            for table, key in (("subscriptions", "campaign_id"), ("signups", "choice"),
                               ("reminders", "campaign_id"), ("deliveries", "broadcast_id")):
                plain = await conn.fetch(f"SELECT DISTINCT chat_id FROM {table} WHERE chat_id IS NOT NULL")
                for (chat_id,) in plain:
                    owner, chat = self.chats.seal(chat_id)  # one per chat: the rows share it
                    status = await conn.execute(
                        f"UPDATE {table} SET owner = $1, chat = $2, chat_id = NULL WHERE chat_id = $3"
                        f" AND NOT EXISTS (SELECT 1 FROM {table} t"
                        f" WHERE t.owner = $1 AND t.{key} = {table}.{key})",
                        owner, chat, chat_id)
                    await conn.execute(f"DELETE FROM {table} WHERE chat_id = $1", chat_id)  # a duplicate
                    sealed += _count(status)
        return sealed


async def open_postgres_store(url: str, *, migrate_to: int | None = None,
                              key_file: str | os.PathLike[str] = ":memory:") -> PostgresStore:
    """Connect a small pool to `url` (postgresql://… or postgres://…) and
    migrate the database. `migrate_to` stops at an older schema version (tests
    of the upgrade path). The supporters' keys are in `key_file`, a SQLite
    file on this machine (`keyring`); the bot passes KEY_FILE, the default
    keeps them in memory (tests, one-off CLI commands)."""
    pool = await asyncpg.create_pool(url, min_size=1, max_size=POOL_SIZE, server_settings=SERVER_SETTINGS)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, migrate_to)
    except BaseException:
        await pool.close()
        raise
    keyring = Keyring(key_file)
    if keyring.is_empty():  # a new key file: supporters from before it keep their rows
        keyring.adopt([row[0] for row in await pool.fetch(LEGACY_SUPPORTERS)])
    return PostgresStore(pool, keyring)
