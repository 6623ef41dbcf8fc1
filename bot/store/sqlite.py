"""The action log in one SQLite file (aiosqlite), shared by bot, CLI and dashboard.

Concurrency: each process opens its own connection; WAL lets readers run
while one writer commits, and `busy_timeout` makes writers from different
processes wait for each other instead of failing. Inside a process, one
connection is shared by many asyncio tasks, so an `asyncio.Lock` keeps one
transaction at a time on it. Every write is `BEGIN IMMEDIATE ... COMMIT`:
taking the write lock up front means a transaction never has to be retried
halfway through because another process started writing.

Why rollup tables: with a million actions, `SUM(count) ... GROUP BY channel`
or `COUNT(DISTINCT supporter)` have to visit every matching row (hundreds of
milliseconds, growing with the log), even from a covering index. The figures
the network asks for only need sums per campaign x day x official x channel
x status, so `record_action` adds each report to `action_daily` and to
`campaign_totals` in the same transaction as the insert, and
`campaign_stats` reads at most a few tens of thousands of small rollup rows
whatever the size of the log. Unique supporters are counted when a
supporter's first report for a campaign (and overall) arrives, found with
the (supporter, campaign_id) index; `forget` does not lower the count, since
the forgotten supporter's actions stay in the counts. `rebuild_rollups`
recomputes the rollups from `actions` (after a bulk import, or to repair).

Why a report is one hop: aiosqlite runs each statement on its own thread
and hands the result back to the event loop, and that hop (about 0.1 ms)
costs more than SQLite's own work. So a report (and a reply, a problem) runs
as one plain function on that thread: the daily limits checked and counted,
the insert, the rollups, one COMMIT, with SQLite's cached prepared
statements. A single-statement write (the conversation persistence) runs in
autocommit, without BEGIN/COMMIT.

Privacy: `secure_delete` overwrites deleted content in the file, and
`forget` checkpoints the WAL afterwards, so a forgotten key does not linger
in free pages or in the log. That checkpoint never waits: a reader holding a
transaction (a backup tool such as Litestream) would stall every update for
the busy timeout and still leave the log in place. When it cannot finish it
is logged (nothing personal) and `finish_erasure`, called by the sweep,
retries it until it does. What supporters type is sealed under their own key
(`keyring`, a file of its own beside this one) and /forget destroys the key.
The file and its folder are created owner-only.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal, Self, TypeVar

import aiosqlite

from bot.store import validate
from bot.store.base import (
    ALL_CAMPAIGNS,
    AUDIENCES,
    BY_DAY_WINDOW,
    DELIVERY_STATUSES,
    ERASED_TEXT,
    LANGUAGES,
    ActionReport,
    ActionRow,
    AppealLanguages,
    AuditEntry,
    Broadcast,
    CampaignStats,
    Delivery,
    DeliveryCounts,
    DueReminder,
    Limits,
    PendingReminder,
    ProblemReport,
    Recorded,
    RecordResult,
    ReminderRequest,
    ReplyReport,
    ReviewItem,
    Subscription,
    SupporterData,
)
from bot.store.flow_rows import flow_statements
from bot.store.keyring import Keyring, key_file_beside
from bot.store.migrate import migrate
from bot.store.sealing import FORGOTTEN_SQLITE, LEGACY_SUPPORTERS, open_item, seal_problem, seal_reply
from bot.store.sqlite_signups import SQLiteSignups

BUSY_MS = 5000  # how long a writer waits for another process's write
PRAGMAS = (
    ("busy_timeout", str(BUSY_MS)),  # first, so switching to WAL waits for other openers
    ("journal_mode", "WAL"),
    ("synchronous", "NORMAL"),
    ("foreign_keys", "ON"),
    ("secure_delete", "ON"),
)
EXPORT_BATCH = 2000
T = TypeVar("T")
log = logging.getLogger(__name__)

INSERT_ACTION = """
INSERT INTO actions (campaign_id, official_id, channel, count, status, language, country,
                     supporter, created_at, idempotency_key)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id
"""
# Adds one report to the campaign's row and to the all-campaigns row; a
# supporter counts once per row, on their first report (found before the
# insert with the (supporter, campaign_id) index), and not again on the day
# they deleted their data.
ACTED_BEFORE = """
SELECT EXISTS (SELECT 1 FROM actions WHERE supporter = :supporter AND campaign_id = :campaign AND id <> :id),
       EXISTS (SELECT 1 FROM actions WHERE supporter = :supporter AND id <> :id)
"""
ACTED_HERE = "SELECT EXISTS (SELECT 1 FROM actions WHERE supporter = ? AND campaign_id = ?)"
ADD_CAMPAIGN_TOTALS = """
INSERT INTO campaign_totals (campaign_id, supporters, actions, attempted, reports)
VALUES (:campaign, :new_here, :done, :attempted, 1), (:all, :new_anywhere, :done, :attempted, 1)
ON CONFLICT (campaign_id) DO UPDATE SET
    supporters = campaign_totals.supporters + excluded.supporters,
    actions = campaign_totals.actions + excluded.actions,
    attempted = campaign_totals.attempted + excluded.attempted,
    reports = campaign_totals.reports + 1
RETURNING campaign_id, supporters, actions
"""
ADD_ACTION_DAILY = """
INSERT INTO action_daily (campaign_id, day, official_id, channel, status, actions, reports)
VALUES (?, ?, ?, ?, ?, ?, 1)
ON CONFLICT (campaign_id, day, official_id, channel, status) DO UPDATE SET
    actions = action_daily.actions + excluded.actions,
    reports = action_daily.reports + 1
"""
CAMPAIGN_TOTALS = "SELECT supporters, actions FROM campaign_totals WHERE campaign_id = ?"
# One more of `kind` today for one person, counted first and checked after
# (over the cap, the whole transaction is rolled back): {kind} is one of
# reports, replies, problems; `actions` adds the report's count.
COUNT_TODAY = """
INSERT INTO daily_limits (limiter, day, {kind}, actions) VALUES (?, ?, 1, ?)
ON CONFLICT (limiter, day) DO UPDATE SET {kind} = {kind} + 1, actions = actions + excluded.actions
RETURNING {kind}, actions, forgot
"""
COUNT_REFUSED = """
INSERT INTO daily_limits (limiter, day, capped) VALUES (?, ?, 1)
ON CONFLICT (limiter, day) DO UPDATE SET capped = capped + 1
"""
COUNT_CAPPED = """
INSERT INTO campaign_totals (campaign_id, capped) VALUES (?, 1), (?, 1)
ON CONFLICT (campaign_id) DO UPDATE SET capped = campaign_totals.capped + 1
"""

REBUILD_ROLLUPS = (
    # Refused attempts (`capped`) are in no action log: they are kept.
    "UPDATE campaign_totals SET supporters = 0, actions = 0, attempted = 0, reports = 0",
    "DELETE FROM action_daily",
    """INSERT INTO campaign_totals (campaign_id, supporters, actions, attempted, reports)
    SELECT campaign_id, COUNT(DISTINCT supporter),
           SUM(CASE WHEN status = 'done' THEN count ELSE 0 END),
           SUM(CASE WHEN status = 'attempted' THEN count ELSE 0 END), COUNT(*)
    FROM actions WHERE true GROUP BY campaign_id
    ON CONFLICT (campaign_id) DO UPDATE SET supporters = excluded.supporters, actions = excluded.actions,
        attempted = excluded.attempted, reports = excluded.reports""",
    """INSERT INTO campaign_totals (campaign_id, supporters, actions, attempted, reports)
    SELECT '*', COUNT(DISTINCT supporter),
           COALESCE(SUM(CASE WHEN status = 'done' THEN count ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN status = 'attempted' THEN count ELSE 0 END), 0), COUNT(*)
    FROM actions WHERE true
    ON CONFLICT (campaign_id) DO UPDATE SET supporters = excluded.supporters, actions = excluded.actions,
        attempted = excluded.attempted, reports = excluded.reports""",
    """INSERT INTO action_daily (campaign_id, day, official_id, channel, status, actions, reports)
    SELECT campaign_id, substr(created_at, 1, 10), official_id, channel, status,
           SUM(count), COUNT(*)
    FROM actions GROUP BY campaign_id, substr(created_at, 1, 10), official_id, channel, status""",
)


def stats_queries(campaign_id: str | None) -> dict[str, str]:
    """The SQL behind `campaign_stats`, one query per figure (also used by the
    EXPLAIN QUERY PLAN test). Parameters: see `SQLiteStore.campaign_stats`."""
    where = "campaign_id = ? AND " if campaign_id is not None else ""
    return {
        "totals": "SELECT supporters, actions, attempted, capped FROM campaign_totals WHERE campaign_id = ?",
        "by_channel": f"SELECT channel, SUM(actions) FROM action_daily"
        f" WHERE {where}status = 'done' GROUP BY channel",
        "by_official": f"SELECT official_id, SUM(actions) FROM action_daily"
        f" WHERE {where}status = 'done' GROUP BY official_id",
        "by_day": f"SELECT day, SUM(actions) FROM action_daily"
        f" WHERE {where}day >= ? AND day <= ? AND status = 'done' GROUP BY day",
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
        "by_day": (*scope, first.isoformat(), last.isoformat()),
        "open_problems": scope,
        "open_replies": scope,
        "campaigns": (),
    }


def _now() -> str:
    return validate.timestamp(None)



def _instant(at: datetime) -> str:
    """UTC to the microsecond, fixed width, so it sorts as text (broadcasts, reminders)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_instant(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


BROADCAST_COLUMNS = (
    "id, campaign_id, update_number, audience, status, owner, lease_until, progress_chat_id,"
    " progress_message_id, created_at, finished_at"
)


def _broadcast(row: Sequence) -> Broadcast:
    return Broadcast(
        id=row[0], campaign_id=row[1], update_number=row[2], audience=row[3], status=row[4],
        owner=row[5], lease_until=_parse_instant(row[6]), progress_chat_id=row[7],
        progress_message_id=row[8], created_at=_parse_instant(row[9]),  # type: ignore[arg-type]
        finished_at=_parse_instant(row[10]),
    )


# The followers of a campaign a broadcast of one update reaches: everyone for
# 'followers', those with a reported action for 'acted', never a chat that any
# broadcast of the same update already has (so sending an update to 'acted'
# and then to 'followers' reaches each chat once).
AUDIENCE_WHERE = """
WHERE s.campaign_id = :campaign
  AND (:audience = 'followers' OR s.acted = 1)
  AND NOT EXISTS (
        SELECT 1 FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id
        WHERE d.recipient = s.recipient AND b.campaign_id = s.campaign_id AND b.update_number = :number)
"""
ADD_RECIPIENTS = f"""
INSERT INTO deliveries (broadcast_id, recipient, chat_id, language, status, attempts, updated_at)
SELECT :id, s.recipient, s.chat_id, s.language, 'pending', 0, :now
FROM subscriptions s
{AUDIENCE_WHERE}
ON CONFLICT (broadcast_id, recipient) DO NOTHING
"""
# A delivery that is over keeps only its recipient key.
FINAL = "('sent', 'failed', 'blocked', 'unknown')"
REMINDER_COLUMNS = (
    "id, chat_id, campaign_id, official_id, channel, appeal_language, language, attempts"
)
STALE_REMINDER = timedelta(hours=1)

def _action_row(row: Sequence) -> ActionRow:
    return ActionRow(
        id=row[0],
        created_at=validate.parse_timestamp(row[1]),  # type: ignore[arg-type]
        campaign_id=row[2],
        official_id=row[3],
        channel=row[4],
        count=row[5],
        status=row[6],
        language=row[7],
        country=row[8],
        supporter=row[9],
    )


def _review_item(row: Sequence, keyring: Keyring) -> ReviewItem:
    """A row of PROBLEM_ITEMS / REPLY_ITEMS, its text opened with the key of
    the supporter in its last column."""
    return ReviewItem(
        kind=row[0],
        id=row[1],
        campaign_id=row[2],
        official_id=row[3],
        channel=row[4],
        problem=row[5],
        text=open_item(keyring, row[0], row[9], row[6]),
        created_at=validate.parse_timestamp(row[7]),  # type: ignore[arg-type]
        closed_at=validate.parse_timestamp(row[8]),
    )


SENT_AT = ("SELECT created_at FROM actions WHERE supporter = ? AND campaign_id = ? AND official_id = ?"
           " AND channel = ? AND status = 'done'")
ACTION_COLUMNS = (
    "id, created_at, campaign_id, official_id, channel, count, status, language, country, supporter"
)
PROBLEM_ITEMS = (
    "SELECT 'problem', id, campaign_id, official_id, channel, kind, note, created_at,"
    " resolved_at, supporter FROM contact_problems"
)
REPLY_ITEMS = (
    "SELECT 'reply', id, campaign_id, official_id, NULL, NULL, summary, created_at,"
    " reviewed_at, supporter FROM official_replies"
)


# -- reports, replies and problems: one hop each ---------------------------------
# These run on aiosqlite's thread with the plain sqlite3 connection (see
# `SQLiteStore._in_thread`): the whole transaction in one hop.

@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class _OverLimit(Exception):
    """A daily limit refused the write: its transaction is rolled back."""


def _day(created_at: str) -> str:
    return created_at[:10]


def _count_today(conn: sqlite3.Connection, limits: Limits | None, day: str, kind: str,
                 actions: int = 0) -> bool:
    """Count one more `kind` today; raise _OverLimit past a cap. Whether the
    person deleted their data today (then they are not counted as new again)."""
    if limits is None:
        return False
    done, actions_today, forgot = conn.execute(COUNT_TODAY.format(kind=kind),
                                               (limits.limiter, day, actions)).fetchone()
    if done > getattr(limits, kind) or actions_today > limits.actions:
        raise _OverLimit
    return bool(forgot)


def _refused(conn: sqlite3.Connection, limits: Limits, day: str, campaign: str) -> None:
    """The refused attempt itself is counted, for the person and for /stats."""
    with _immediate(conn):
        conn.execute(COUNT_REFUSED, (limits.limiter, day))
        conn.execute(COUNT_CAPPED, (campaign, ALL_CAMPAIGNS))


def _record_action_now(conn: sqlite3.Connection, values: tuple, limits: Limits | None,
                       follower_chat: int | None) -> RecordResult:
    campaign, official, channel, count, status = values[:5]
    supporter, day = values[7], _day(values[8])
    try:
        with _immediate(conn):
            inserted = conn.execute(INSERT_ACTION, values).fetchone()
            if inserted is None:  # the same report again: counted once
                return RecordResult(False, *(conn.execute(CAMPAIGN_TOTALS, (campaign,)).fetchone() or (0, 0)))
            forgot = _count_today(conn, limits, day, "reports", count)
            acted_here, acted_anywhere = (1, 1) if supporter is None or forgot else conn.execute(
                ACTED_BEFORE, {"supporter": supporter, "campaign": campaign, "id": inserted[0]}).fetchone()
            conn.execute(ADD_ACTION_DAILY, (campaign, day, official, channel, status, count))
            done = count if status == "done" else 0
            rows = conn.execute(ADD_CAMPAIGN_TOTALS, {
                "campaign": campaign, "all": ALL_CAMPAIGNS, "new_here": 1 - acted_here,
                "new_anywhere": 1 - acted_anywhere, "done": done, "attempted": count - done}).fetchall()
            if follower_chat is not None:
                conn.execute("UPDATE subscriptions SET acted = 1 WHERE chat_id = ? AND campaign_id = ?",
                             (follower_chat, campaign))
    except _OverLimit:
        _refused(conn, limits, day, campaign)
        return RecordResult(False, *(conn.execute(CAMPAIGN_TOTALS, (campaign,)).fetchone() or (0, 0)),
                            capped=True)
    (supporters, actions), = [row[1:] for row in rows if row[0] == campaign]
    return RecordResult(True, supporters, actions, new_supporter=not acted_here)


def _record_item_now(conn: sqlite3.Connection, table: str, columns: str, values: tuple,
                     limits: Limits | None, kind: str) -> Recorded:
    """A reply or a contact problem: idempotent on its key, within its daily limit."""
    campaign, key, day = values[0], values[-1], _day(values[-2])
    insert = (f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(values))})"
              " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id")
    try:
        with _immediate(conn):
            inserted = conn.execute(insert, values).fetchone()
            if inserted is None:
                (seen,) = conn.execute(f"SELECT id FROM {table} WHERE idempotency_key = ?", (key,)).fetchone()
                return Recorded(False, seen)
            _count_today(conn, limits, day, kind)
    except _OverLimit:
        _refused(conn, limits, day, campaign)
        return Recorded(False, None, capped=True)
    return Recorded(True, inserted[0])


def _run_statements(conn: sqlite3.Connection, statements: list[tuple[str, tuple]]) -> None:
    if len(statements) == 1:  # autocommit: no BEGIN/COMMIT
        conn.execute(*statements[0])
        return
    with _immediate(conn):
        for statement in statements:
            conn.execute(*statement)


class SQLiteStore(AppealLanguages, SQLiteSignups):
    """`bot.store.base.Store` on SQLite. Create with `open_store`."""

    def __init__(self, db: aiosqlite.Connection, path: Path, keyring: Keyring) -> None:
        self._db = db
        self.path = path
        self.keyring = keyring
        self._lock = asyncio.Lock()
        self.checkpoint_owed = False

    # -- plumbing ---------------------------------------------------------

    @asynccontextmanager
    async def _transaction(self, write: bool = True) -> AsyncIterator[aiosqlite.Connection]:
        """One transaction at a time on this connection; IMMEDIATE for writes so
        the write lock is taken (or waited for) before anything is read."""
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield self._db
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

    async def _fetch(self, sql: str, params: Sequence = ()) -> list:
        async with self._lock:
            return list(await self._db.execute_fetchall(sql, params))

    async def _write(self, sql: str, params: Sequence = ()) -> int:
        """One statement in autocommit: no BEGIN/COMMIT hops. Rows changed."""
        async with self._lock:
            cursor = await self._db.execute(sql, params)
            return cursor.rowcount

    async def _in_thread(self, work: Callable[..., T], *args) -> T:
        """`work(connection, *args)` on aiosqlite's own thread: a whole transaction
        in one hop. aiosqlite has no public call for this; `_execute` is the one
        its every method goes through (the version is pinned in pyproject.toml,
        and every test of the store runs through here)."""
        async with self._lock:
            return await self._db._execute(work, self._db._conn, *args)

    async def close(self) -> None:
        await self._db.close()
        self.keyring.close()

    async def audit(self, organizer_id: int, command: str, detail: str | None,
                    at: datetime | None = None) -> None:
        async with self._transaction() as db:
            await db.execute("INSERT INTO organizer_audit (organizer_id, command, detail, created_at) "
                             "VALUES (?, ?, ?, ?)", (organizer_id, command, detail, validate.timestamp(at)))

    async def audit_log(self, limit: int = 100) -> list[AuditEntry]:
        rows = await self._fetch("SELECT organizer_id, command, detail, created_at FROM organizer_audit "
                                 "ORDER BY created_at DESC, id DESC LIMIT ?", (limit,))
        return [AuditEntry(o, c, d, validate.parse_timestamp(t)) for o, c, d, t in rows]

    async def ping(self) -> bool:
        return (await self._fetch("SELECT 1"))[0][0] == 1

    # -- conversation persistence ------------------------------------------

    async def load_flows(self) -> list[tuple[str, str]]:
        return [tuple(row) for row in await self._fetch("SELECT owner, sealed FROM flows ORDER BY owner")]

    async def save_flows(self, rows: dict[str, str | None], at: datetime | None = None) -> None:
        """Everything an update changed in the conversation persistence, in one
        hop: one statement in autocommit, or several in one transaction."""
        statements = flow_statements(rows, _instant(at or datetime.now(UTC)), "?")
        if statements:
            await self._in_thread(_run_statements, statements)

    async def handled_update(self) -> tuple[int, datetime] | None:
        rows = await self._fetch("SELECT update_id, saved_at FROM update_offset WHERE id = 1")
        return (rows[0][0], _parse_instant(rows[0][1])) if rows else None

    async def save_handled_update(self, update_id: int, at: datetime | None = None) -> None:
        await self._write("INSERT INTO update_offset (id, update_id, saved_at) VALUES (1, ?, ?)"
                          " ON CONFLICT (id) DO UPDATE SET update_id = excluded.update_id,"
                          " saved_at = excluded.saved_at",
                          (update_id, _instant(at or datetime.now(UTC))))

    async def prune_flows(self, before: datetime) -> int:
        return await self._write("DELETE FROM flows WHERE touched_at < ?", (_instant(before),))

    async def count_flows(self) -> int:
        return (await self._fetch("SELECT COUNT(*) FROM flows"))[0][0]

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- reports ----------------------------------------------------------

    async def record_action(self, report: ActionReport, limits: Limits | None = None,
                            follower_chat: int | None = None) -> RecordResult:
        values = validate.action(report, self.appeal_languages)
        if limits is not None:
            validate.key_hash(limits.limiter, "limiter")
        return await self._in_thread(_record_action_now, values, limits, follower_chat)

    async def record_reply(self, report: ReplyReport, limits: Limits | None = None) -> Recorded:
        return await self._in_thread(
            _record_item_now, "official_replies",
            "campaign_id, official_id, summary, supporter, created_at, idempotency_key",
            seal_reply(self.keyring, validate.reply(report)), limits, "replies")

    async def record_contact_problem(self, report: ProblemReport, limits: Limits | None = None) -> Recorded:
        return await self._in_thread(
            _record_item_now, "contact_problems",
            "campaign_id, official_id, channel, kind, note, supporter, created_at, idempotency_key",
            seal_problem(self.keyring, validate.problem(report)), limits, "problems")

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
            problem_where.append("campaign_id = ?")
            reply_where.append("campaign_id = ?")
            params = [campaign_id, campaign_id]

        def where(terms: list[str]) -> str:
            return f" WHERE {' AND '.join(terms)}" if terms else ""

        sql = (
            f"{PROBLEM_ITEMS}{where(problem_where)} UNION ALL {REPLY_ITEMS}{where(reply_where)}"
            " ORDER BY 8 DESC, 1, 2 DESC LIMIT ?"
        )
        rows = await self._fetch(sql, (*params, max(0, int(limit))))
        return [_review_item(row, self.keyring) for row in rows]

    async def resolve_problem(self, item_id: int, kind: Literal["problem", "reply"] = "problem") -> bool:
        """Mark a problem resolved (or a reply reviewed); False if not open."""
        table, column = {
            "problem": ("contact_problems", "resolved_at"),
            "reply": ("official_replies", "reviewed_at"),
        }[kind]
        async with self._transaction() as db:
            cursor = await db.execute(
                f"UPDATE {table} SET {column} = ? WHERE id = ? AND {column} IS NULL",
                (_now(), item_id),
            )
            return cursor.rowcount == 1

    # -- figures ------------------------------------------------------------

    async def campaign_stats(
        self, campaign_id: str | None = None, today: date | None = None, since: date | None = None
    ) -> CampaignStats:
        today = today or datetime.now(UTC).date()
        first = min(since, today) if since else today - timedelta(days=BY_DAY_WINDOW - 1)
        queries = stats_queries(campaign_id)
        params = stats_params(campaign_id, first, today)
        results: dict[str, list] = {}
        async with self._transaction(write=False) as db:  # one consistent snapshot
            for name, sql in queries.items():
                results[name] = list(await db.execute_fetchall(sql, params[name]))
            page = await db.execute_fetchall("PRAGMA page_count")
            size = await db.execute_fetchall("PRAGMA page_size")
        supporters, actions, attempted, capped = results["totals"][0] if results["totals"] else (0, 0, 0, 0)
        per_day = {row[0]: row[1] for row in results["by_day"]}
        by_day = []
        for offset in range((today - first).days + 1):
            day = first + timedelta(days=offset)
            by_day.append((day, per_day.get(day.isoformat(), 0)))
        return CampaignStats(
            campaign_id=campaign_id,
            today=today,
            actions=actions,
            attempted=attempted,
            supporters=supporters,
            capped=capped,
            by_channel={row[0]: row[1] for row in sorted(results["by_channel"])},
            by_official={row[0]: row[1] for row in sorted(results["by_official"])},
            by_day=by_day,
            last_7_days=sum(n for _, n in by_day[-7:]),
            open_problems=results["open_problems"][0][0],
            open_replies=results["open_replies"][0][0],
            db_bytes=page[0][0] * size[0][0],
            campaigns=[row[0] for row in results["campaigns"]],
        )

    async def export_actions(
        self, campaign_id: str | None = None, since: date | None = None
    ) -> AsyncIterator[ActionRow]:
        """Every action (oldest id first), in batches so that a long download
        never holds the connection or a read snapshot for long."""
        terms, params = ["id > ?"], []
        if campaign_id is not None:
            terms.append("campaign_id = ?")
            params.append(campaign_id)
        if since is not None:
            terms.append("created_at >= ?")
            params.append(since.isoformat())
        sql = (
            f"SELECT {ACTION_COLUMNS} FROM actions WHERE {' AND '.join(terms)}"
            f" ORDER BY id LIMIT {EXPORT_BATCH}"
        )
        last = 0
        while True:
            rows = await self._fetch(sql, (last, *params))
            for row in rows:
                yield _action_row(row)
            if len(rows) < EXPORT_BATCH:
                return
            last = rows[-1][0]

    async def rebuild_rollups(self) -> None:
        """Recompute the rollup tables from `actions` (after a bulk import)."""
        async with self._transaction() as db:
            for statement in REBUILD_ROLLUPS:
                await db.execute(statement)

    # -- subscriptions and language ------------------------------------------

    async def subscribe(self, chat_id: int, campaign_id: str, recipient: str, language: str,
                        supporter: str | None = None) -> None:
        validate.subscription(chat_id, campaign_id, recipient, language)
        acted = supporter is not None and bool(await self._fetch(
            "SELECT 1 FROM actions WHERE supporter = ? AND campaign_id = ? LIMIT 1",
            (validate.key_hash(supporter, "supporter"), campaign_id)))
        await self._write(
            "INSERT INTO subscriptions (chat_id, campaign_id, recipient, language, acted, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id, campaign_id) DO UPDATE SET"
            " recipient = excluded.recipient, language = excluded.language,"
            " acted = max(subscriptions.acted, excluded.acted)",
            (chat_id, campaign_id, recipient, language, int(acted), _now()))

    async def unsubscribe(self, chat_id: int, campaign_id: str) -> bool:
        return await self._write("DELETE FROM subscriptions WHERE chat_id = ? AND campaign_id = ?",
                                 (chat_id, campaign_id)) > 0

    async def subscriptions_of(self, chat_id: int) -> list[str]:
        rows = await self._fetch(
            "SELECT campaign_id FROM subscriptions WHERE chat_id = ? ORDER BY campaign_id", (chat_id,))
        return [row[0] for row in rows]

    async def subscribers_of(self, campaign_id: str) -> list[Subscription]:
        """Who gets a campaign's case updates: the chat, its key and language."""
        rows = await self._fetch(
            "SELECT chat_id, campaign_id, recipient, language, acted FROM subscriptions"
            " WHERE campaign_id = ? ORDER BY created_at, chat_id", (campaign_id,))
        return [Subscription(chat, campaign, recipient, language, bool(acted))
                for chat, campaign, recipient, language, acted in rows]

    async def unsubscribe_chat(self, chat_id: int) -> int:
        async with self._transaction() as db:
            cursor = await db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
            await db.execute("DELETE FROM signups WHERE chat_id = ?", (chat_id,))
            await db.execute("DELETE FROM reminders WHERE chat_id = ?", (chat_id,))
            await db.execute("DELETE FROM deliveries WHERE chat_id = ? AND status = 'pending'", (chat_id,))
            return cursor.rowcount

    # -- case-update broadcasts ------------------------------------------------

    async def audience_size(self, campaign_id: str, update_number: int, audience: str) -> int:
        validate.choice(audience, AUDIENCES, "audience")
        rows = await self._fetch(
            f"SELECT COUNT(*) FROM subscriptions s {AUDIENCE_WHERE}",
            {"campaign": campaign_id, "audience": audience, "number": update_number},
        )
        return rows[0][0]

    async def open_broadcast(
        self, campaign_id: str, update_number: int, audience: str, now: datetime
    ) -> Broadcast:
        validate.ident(campaign_id, "campaign_id")
        validate.choice(audience, AUDIENCES, "audience")
        if isinstance(update_number, bool) or not isinstance(update_number, int) or update_number < 1:
            raise ValueError("update_number must be a whole number from 1")
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO broadcasts (campaign_id, update_number, audience, status, created_at)"
                " VALUES (?, ?, ?, 'sending', ?)"
                " ON CONFLICT (campaign_id, update_number, audience) DO NOTHING",
                (campaign_id, update_number, audience, _instant(now)),
            )
            rows = await db.execute_fetchall(
                f"SELECT {BROADCAST_COLUMNS} FROM broadcasts"
                " WHERE campaign_id = ? AND update_number = ? AND audience = ?",
                (campaign_id, update_number, audience),
            )
            broadcast = _broadcast(rows[0])
            cursor = await db.execute(ADD_RECIPIENTS, {
                "id": broadcast.id, "now": _instant(now), "campaign": campaign_id,
                "audience": audience, "number": update_number,
            })
            if cursor.rowcount > 0 and broadcast.status == "done":  # newcomers since it finished
                await db.execute("UPDATE broadcasts SET status = 'sending', finished_at = NULL WHERE id = ?",
                                 (broadcast.id,))
                rows = await db.execute_fetchall(
                    f"SELECT {BROADCAST_COLUMNS} FROM broadcasts WHERE id = ?", (broadcast.id,))
                broadcast = _broadcast(rows[0])
        return broadcast

    async def get_broadcast(self, broadcast_id: int) -> Broadcast | None:
        rows = await self._fetch(f"SELECT {BROADCAST_COLUMNS} FROM broadcasts WHERE id = ?", (broadcast_id,))
        return _broadcast(rows[0]) if rows else None

    async def unfinished_broadcasts(self) -> list[Broadcast]:
        rows = await self._fetch(
            f"SELECT {BROADCAST_COLUMNS} FROM broadcasts WHERE status = 'sending' ORDER BY id")
        return [_broadcast(row) for row in rows]

    async def acquire_broadcast(
        self, broadcast_id: int, owner: str, now: datetime, lease_until: datetime,
        takeover_from: str | None = None,
    ) -> bool:
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE broadcasts SET owner = :owner, lease_until = :until"
                " WHERE id = :id AND status = 'sending' AND (owner IS NULL OR owner = :owner"
                " OR lease_until < :now OR owner = :takeover)",
                {"owner": owner, "until": _instant(lease_until), "id": broadcast_id,
                 "now": _instant(now), "takeover": takeover_from},
            )
            if cursor.rowcount != 1:
                return False
            await db.execute(
                "UPDATE deliveries SET status = 'unknown', updated_at = ?, chat_id = NULL,"
                " error = 'in flight when its sender stopped; not sent again'"
                " WHERE broadcast_id = ? AND status = 'sending'",
                (_instant(now), broadcast_id),
            )
            return True

    async def renew_broadcast(self, broadcast_id: int, owner: str, lease_until: datetime) -> bool:
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE broadcasts SET lease_until = ? WHERE id = ? AND owner = ?",
                (_instant(lease_until), broadcast_id, owner),
            )
            return cursor.rowcount == 1

    async def release_broadcast(self, broadcast_id: int, owner: str, finished_at: datetime | None) -> None:
        async with self._transaction() as db:
            if finished_at is None:
                await db.execute(
                    "UPDATE broadcasts SET owner = NULL, lease_until = NULL WHERE id = ? AND owner = ?",
                    (broadcast_id, owner))
            else:
                await db.execute(
                    "UPDATE broadcasts SET owner = NULL, lease_until = NULL, status = 'done',"
                    " finished_at = ? WHERE id = ? AND owner = ?",
                    (_instant(finished_at), broadcast_id, owner))

    async def set_progress_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        async with self._transaction() as db:
            await db.execute(
                "UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
                (chat_id, message_id, broadcast_id))

    async def pending_deliveries(self, broadcast_id: int, now: datetime, limit: int) -> list[Delivery]:
        rows = await self._fetch(
            "SELECT broadcast_id, recipient, chat_id, language, attempts FROM deliveries"
            " WHERE broadcast_id = ? AND status = 'pending'"
            " AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY recipient LIMIT ?",
            (broadcast_id, _instant(now), limit),
        )
        return [Delivery(*row) for row in rows]

    async def next_retry_at(self, broadcast_id: int) -> datetime | None:
        rows = await self._fetch(
            "SELECT MIN(next_attempt_at) FROM deliveries WHERE broadcast_id = ? AND status = 'pending'",
            (broadcast_id,))
        return _parse_instant(rows[0][0]) if rows else None

    async def claim_delivery(self, broadcast_id: int, recipient: str, owner: str, now: datetime) -> bool:
        return await self._write(
            "UPDATE deliveries SET status = 'sending', updated_at = :now"
            " WHERE broadcast_id = :id AND recipient = :recipient AND status = 'pending'"
            " AND EXISTS (SELECT 1 FROM broadcasts WHERE id = :id AND owner = :owner)",
            {"now": _instant(now), "id": broadcast_id, "recipient": recipient, "owner": owner}) == 1

    async def finish_delivery(
        self, broadcast_id: int, recipient: str, status: str, now: datetime, error: str | None = None,
        retry_at: datetime | None = None, failed_attempt: bool = False,
    ) -> None:
        validate.choice(status, DELIVERY_STATUSES, "delivery status")
        # From 'unknown' too, to a final status: a sender that lost its lease
        # mid-send may still learn the outcome, which is better than not knowing.
        # A final status drops the chat id: only the recipient key stays.
        await self._write(
            "UPDATE deliveries SET status = :status, error = :error, next_attempt_at = :retry,"
            " attempts = attempts + :failed, updated_at = :now,"
            f" chat_id = CASE WHEN :status IN {FINAL} THEN NULL ELSE chat_id END"
            " WHERE broadcast_id = :id AND recipient = :recipient"
            f" AND (status = 'sending' OR (status = 'unknown' AND :status IN {FINAL}))",
            {"status": status, "error": error[:300] if error else None,
             "retry": _instant(retry_at) if retry_at else None, "failed": 1 if failed_attempt else 0,
             "now": _instant(now), "id": broadcast_id, "recipient": recipient})

    async def delivery_counts(self, broadcast_id: int) -> DeliveryCounts:
        rows = await self._fetch(
            "SELECT status, COUNT(*) FROM deliveries WHERE broadcast_id = ? GROUP BY status",
            (broadcast_id,))
        return DeliveryCounts(**{status: count for status, count in rows})

    # -- reminders -------------------------------------------------------------

    async def schedule_reminder(self, reminder: ReminderRequest) -> bool:
        validate.reminder(reminder, self.appeal_languages)
        return await self._write(
            "INSERT INTO reminders (chat_id, campaign_id, official_id, channel,"
            " appeal_language, language, due_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (chat_id, campaign_id) DO NOTHING",
            (reminder.chat_id, reminder.campaign_id, reminder.official_id, reminder.channel,
             reminder.appeal_language, reminder.language, _instant(reminder.due_at), _now())) == 1

    async def cancel_reminders(self, chat_id: int, campaign_id: str | None = None) -> int:
        if campaign_id is None:
            return await self._write("DELETE FROM reminders WHERE chat_id = ?", (chat_id,))
        return await self._write("DELETE FROM reminders WHERE chat_id = ? AND campaign_id = ?",
                                 (chat_id, campaign_id))

    async def claim_due_reminders(self, now: datetime, limit: int) -> list[DueReminder]:
        async with self._transaction() as db:
            await db.execute("DELETE FROM reminders WHERE status = 'sending' AND claimed_at < ?",
                             (_instant(now - STALE_REMINDER),))
            rows = await db.execute_fetchall(
                f"UPDATE reminders SET status = 'sending', claimed_at = :now WHERE id IN ("
                " SELECT id FROM reminders WHERE status = 'pending' AND due_at <= :now"
                f" ORDER BY due_at LIMIT :limit) RETURNING {REMINDER_COLUMNS}",
                {"now": _instant(now), "limit": limit},
            )
        return [DueReminder(*row) for row in sorted(rows)]

    async def finish_reminder(self, reminder_id: int, retry_at: datetime | None = None) -> None:
        async with self._transaction() as db:
            if retry_at is None:
                await db.execute("DELETE FROM reminders WHERE id = ?", (reminder_id,))
            else:
                await db.execute(
                    "UPDATE reminders SET status = 'pending', due_at = ?, claimed_at = NULL,"
                    " attempts = attempts + 1 WHERE id = ?", (_instant(retry_at), reminder_id))

    async def set_language(self, supporter: str, lang: str, chat_id: int | None = None) -> None:
        validate.supporter(supporter)
        validate.choice(lang, LANGUAGES, "language")
        now = _now()
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO supporters (supporter, language, created_at, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (supporter)"
                " DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at",
                (supporter, lang, now, now),
            )
            if chat_id is not None:
                await db.execute("UPDATE subscriptions SET language = ? WHERE chat_id = ?", (lang, chat_id))
                await db.execute("UPDATE signups SET language = ? WHERE chat_id = ?", (lang, chat_id))

    async def get_language(self, supporter: str) -> str | None:
        rows = await self._fetch("SELECT language FROM supporters WHERE supporter = ?", (supporter,))
        return rows[0][0] if rows else None

    async def action_recorded(self, idempotency_key: str) -> bool:
        return bool(await self._fetch("SELECT 1 FROM actions WHERE idempotency_key = ?", (idempotency_key,)))

    async def sent_at(self, supporter: str, campaign_id: str, official_id: str,
                      channel: str) -> list[datetime]:
        validate.supporter(supporter)
        rows = await self._fetch(SENT_AT, (supporter, campaign_id, official_id, channel))
        return [validate.parse_timestamp(row[0]) for row in rows]  # type: ignore[misc]

    # -- a supporter's own data --------------------------------------------------

    async def supporter_data(self, supporter: str, chat_id: int) -> SupporterData:
        validate.supporter(supporter)
        async with self._transaction(write=False) as db:
            language = await db.execute_fetchall(
                "SELECT language FROM supporters WHERE supporter = ?", (supporter,))
            subscriptions = await db.execute_fetchall(
                "SELECT campaign_id FROM subscriptions WHERE chat_id = ? ORDER BY campaign_id", (chat_id,))
            actions = await db.execute_fetchall(
                f"SELECT {ACTION_COLUMNS} FROM actions WHERE supporter = ? ORDER BY id", (supporter,))
            mine = " WHERE supporter = ? ORDER BY id"
            problems = await db.execute_fetchall(PROBLEM_ITEMS + mine, (supporter,))
            replies = await db.execute_fetchall(REPLY_ITEMS + mine, (supporter,))
            reminders = await db.execute_fetchall(
                "SELECT campaign_id, official_id, channel, due_at FROM reminders WHERE chat_id = ?"
                " ORDER BY due_at", (chat_id,))
            signups = await db.execute_fetchall(
                "SELECT choice FROM signups WHERE chat_id = ? ORDER BY choice", (chat_id,))
        return SupporterData(
            supporter=supporter,
            language=language[0][0] if language else None,
            subscriptions=[row[0] for row in subscriptions],
            actions=[_action_row(row) for row in actions],
            replies=[_review_item(row, self.keyring) for row in replies],
            problems=[_review_item(row, self.keyring) for row in problems],
            reminders=[PendingReminder(c, o, ch, _parse_instant(due)) for c, o, ch, due in reminders],
            signups=[row[0] for row in signups],
        )

    async def forget(self, supporter: str, chat_id: int, limiter: str | None = None,
                     today: date | None = None, recipient: str | None = None) -> None:
        validate.supporter(supporter)
        validate.chat(chat_id)
        day = (today or datetime.now(UTC).date()).isoformat()
        fresh = FORGOTTEN_SQLITE  # a new random key per row: nothing to recompute
        async with self._transaction() as db:
            await db.execute(f"UPDATE actions SET supporter = NULL, idempotency_key = {fresh}"
                             " WHERE supporter = ?", (supporter,))
            await db.execute(f"UPDATE official_replies SET supporter = NULL, summary = ?,"
                             f" idempotency_key = {fresh} WHERE supporter = ?", (ERASED_TEXT, supporter))
            await db.execute(f"UPDATE contact_problems SET supporter = NULL, note = NULL,"
                             f" idempotency_key = {fresh} WHERE supporter = ?", (supporter,))
            await db.execute("DELETE FROM supporters WHERE supporter = ?", (supporter,))
            await db.execute("DELETE FROM flows WHERE owner = ?", (supporter,))  # the bot ended them already
            # a delivery keeps no chat once over
            for table in ("subscriptions", "signups", "reminders", "deliveries"):
                await db.execute(f"DELETE FROM {table} WHERE chat_id = ?", (chat_id,))
            if recipient is not None:  # deliveries that happened stay counted, under no key of theirs
                await db.execute(f"UPDATE deliveries SET recipient = {fresh} WHERE recipient = ?",
                                 (validate.key_hash(recipient, "recipient"),))
            if limiter is not None:
                await db.execute("INSERT INTO daily_limits (limiter, day, forgot) VALUES (?, ?, 1)"
                                 " ON CONFLICT (limiter, day) DO UPDATE SET forgot = 1",
                                 (validate.key_hash(limiter, "limiter"), day))
        self.keyring.destroy(supporter)
        if not await self._checkpoint():
            self.checkpoint_owed = True
            log.warning("store: checkpoint after an erasure could not finish (another connection is"
                        " reading the database); the sweep retries it")

    async def _checkpoint(self) -> bool:
        """Truncate the WAL now, without waiting for a reader; whether it did."""
        async with self._lock:
            await self._db.execute_fetchall("PRAGMA busy_timeout = 0")
            try:
                busy = (await self._db.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)"))[0][0]
            except sqlite3.OperationalError:
                busy = 1
            finally:
                await self._db.execute_fetchall(f"PRAGMA busy_timeout = {BUSY_MS}")
        return not busy

    async def finish_erasure(self) -> bool:
        """Retry what an erasure could not finish (the checkpoints); True when
        nothing is owed. Called by the sweep."""
        if self.checkpoint_owed and await self._checkpoint():
            self.checkpoint_owed = False
            log.info("store: the checkpoint owed since an erasure is done")
        return self.keyring.settle() and not self.checkpoint_owed

    async def prune_limits(self, before: date) -> int:
        return await self._write("DELETE FROM daily_limits WHERE day < ?", (before.isoformat(),))

    def use_secret(self, secret: bytes) -> None:
        """Nothing to do: SQLite keeps chat ids plain, erased on disk at /forget
        (`secure_delete` and the checkpoint; migrations/0010_sealed_chats.sql)."""

    async def rekey_legacy_rows(self, recipient_of: Callable[[int], str]) -> int:
        """Rows migration 6 left keyed 'chat:<id>' get their keyed hash."""
        rows = await self._fetch(
            "SELECT DISTINCT recipient FROM subscriptions WHERE recipient LIKE 'chat:%'"
            " UNION SELECT DISTINCT recipient FROM deliveries WHERE recipient LIKE 'chat:%'")
        if not rows:
            return 0
        async with self._transaction() as db:
            for (legacy,) in rows:
                keyed = recipient_of(int(legacy.removeprefix("chat:")))
                await db.execute("UPDATE subscriptions SET recipient = ? WHERE recipient = ?",
                                 (keyed, legacy))
                await db.execute(f"UPDATE deliveries SET recipient = ?, chat_id = CASE WHEN status IN {FINAL}"
                                 " THEN NULL ELSE chat_id END WHERE recipient = ?", (keyed, legacy))
        return len(rows)


async def open_store(path: str | os.PathLike[str], *, migrate_to: int | None = None,
                     key_file: str | os.PathLike[str] | None = None) -> SQLiteStore:
    """Open (creating the file and its folder if needed) and migrate the database.

    A new file and folder are created readable by their owner only (SQLite
    gives the -wal and -shm files the database file's permissions).
    `migrate_to` stops at an older schema version; only tests of the upgrade
    path want that. The supporters' keys are in `key_file`, by default
    `<path>.keys` (`keyring`).
    """
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    db = await aiosqlite.connect(path, isolation_level=None)
    try:
        for name, value in PRAGMAS:
            await db.execute_fetchall(f"PRAGMA {name} = {value}")
        await migrate(db, migrate_to)
    except BaseException:
        await db.close()
        raise
    keyring = Keyring(key_file or key_file_beside(path))
    if keyring.is_empty():  # a new key file: supporters from before it keep their rows
        keyring.adopt([row[0] for row in await db.execute_fetchall(LEGACY_SUPPORTERS)])
    return SQLiteStore(db, path, keyring)
