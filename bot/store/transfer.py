"""Copy a SQLite store into PostgreSQL (`advocacy-bot migrate --from … --to …`).

Why table by table and not through the `Store` interface: the interface
re-validates and re-timestamps, and has no way to write conversation state or
a reply's review date as they were. This copies rows as they are (ids and
timestamps kept), so a deployment can move to PostgreSQL without the counts,
exports or supporters' /mydata changing.

Both schemas come from migrations with the same versions, so each table and
column has the same name on both sides; values are converted where the types
differ (ISO text to TIMESTAMPTZ/DATE). Every table is copied, whatever
migrations added it, except the two that are derived: the rollups are rebuilt
from `actions` afterwards, as `rebuild_rollups` does, except that a
campaign's supporter count never drops below the source's (supporters who
used /forget left no key in `actions` but are still counted) and the refused
attempts, which no log holds, are copied. The copy is one
PostgreSQL transaction: it lands whole or not at all. A target that already
holds data is refused unless `force`, which replaces that data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg

from bot.store.postgres import REBUILD_ROLLUPS, open_postgres_store
from bot.store.sqlite import open_store

NOT_COPIED = frozenset({"schema_migrations", "campaign_totals", "action_daily"})
BATCH = 5000


class TransferError(Exception):
    """The copy cannot be done as asked; the message says why (nothing was written)."""


@dataclass(frozen=True)
class Copied:
    counts: dict[str, int]  # rows per table, in copy order

    def summary(self, source: str, target: str) -> str:
        rows = ", ".join(f"{n} {table}" for table, n in self.counts.items())
        return f"copied {rows} from {source} to {redact(target)}; rollups rebuilt"


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"


def sqlite_path(url: str) -> Path:
    if not url.startswith("sqlite:///"):
        raise TransferError(f"--from must be sqlite:///path, not {url!r}")
    path = Path(url.removeprefix("sqlite:///"))
    if not path.is_file():
        raise TransferError(f"{path}: no such SQLite file")
    return path


def _timestamp(value):
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _date(value):
    return value if value is None or isinstance(value, date) else date.fromisoformat(value[:10])


def _bool(value):
    return value if value is None else bool(value)


CONVERTERS: dict[str, Callable] = {
    "timestamp with time zone": _timestamp,
    "timestamp without time zone": lambda v: None if v is None else _timestamp(v).replace(tzinfo=None),
    "date": _date,
    "boolean": _bool,
}


def copy_order(tables: list[str], references: dict[str, set[str]]) -> list[str]:
    """Tables ordered so that a table comes after those its foreign keys name."""
    ordered: list[str] = []
    pending = sorted(tables)
    while pending:
        ready = [t for t in pending if not (references.get(t, set()) & set(pending)) - {t}]
        if not ready:
            raise TransferError(f"circular foreign keys between {', '.join(pending)}")
        ordered += ready
        pending = [t for t in pending if t not in ready]
    return ordered


async def _source_tables(db) -> tuple[list[str], dict[str, list[str]]]:
    rows = await db.execute_fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    names = [r[0] for r in rows if r[0] not in NOT_COPIED]
    references = {
        name: {r[2] for r in await db.execute_fetchall(f"PRAGMA foreign_key_list({name})")} for name in names
    }
    columns = {
        name: [r[1] for r in await db.execute_fetchall(f"PRAGMA table_info({name})")] for name in names
    }
    return copy_order(names, references), columns


async def _target_types(conn: asyncpg.Connection) -> dict[str, dict[str, str]]:
    types: dict[str, dict[str, str]] = {}
    for row in await conn.fetch(
        "SELECT table_name, column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema()"
    ):
        types.setdefault(row["table_name"], {})[row["column_name"]] = row["data_type"]
    return types


async def copy_sqlite_to_postgres(source_url: str, target_url: str, *, force: bool = False) -> Copied:
    """Copy every table of the SQLite store at `source_url` into the PostgreSQL
    database at `target_url` (both migrated to this code's schema first)."""
    path = sqlite_path(source_url)
    if not target_url.startswith(("postgresql://", "postgres://")):
        raise TransferError(f"--to must be postgresql://…, not {redact(target_url)!r}")
    source = await open_store(path)  # brings an older file up to this code's schema, as the bot would
    try:
        target = await open_postgres_store(target_url)
        try:
            return await _copy(source._db, target._pool, force)
        finally:
            await target.close()
    finally:
        await source.close()


async def _copy(db, pool: asyncpg.Pool, force: bool) -> Copied:
    order, columns = await _source_tables(db)
    async with pool.acquire() as conn, conn.transaction():
        types = await _target_types(conn)
        missing = [t for t in order if t not in types] + [
            f"{t}.{c}" for t in order if t in types for c in columns[t] if c not in types[t]
        ]
        if missing:
            raise TransferError(f"the PostgreSQL schema lacks {', '.join(missing)}; is it this version's?")
        occupied = {t: n for t in order if (n := await conn.fetchval(f"SELECT COUNT(*) FROM {t}"))}
        if occupied and not force:
            held = ", ".join(f"{n} {t}" for t, n in occupied.items())
            raise TransferError(f"the target already holds data ({held}); use --force to replace it")
        if occupied:
            await conn.execute(f"TRUNCATE {', '.join(order)} RESTART IDENTITY CASCADE")
        counts = {}
        for table in order:
            counts[table] = await _copy_table(db, conn, table, columns[table], types[table])
        await _advance_identities(conn, order)
        for statement in REBUILD_ROLLUPS:
            await conn.execute(statement)
        await _keep_what_the_log_does_not_hold(db, conn)
    return Copied(counts)


async def _keep_what_the_log_does_not_hold(db, conn: asyncpg.Connection) -> None:
    """The rebuild counts from `actions`, which cannot tell two things the
    source's totals know: supporters who used /forget left no key there (their
    actions stay in the figures, so they are still counted: keep the higher
    count), and refused attempts are in no log at all (copy them)."""
    rows = await db.execute_fetchall("SELECT campaign_id, supporters, capped FROM campaign_totals")
    await conn.executemany(
        "INSERT INTO campaign_totals (campaign_id, supporters, capped) VALUES ($1, $2, $3)"
        " ON CONFLICT (campaign_id) DO UPDATE SET"
        " supporters = GREATEST(campaign_totals.supporters, excluded.supporters), capped = excluded.capped",
        [tuple(row) for row in rows],
    )


async def _copy_table(db, conn: asyncpg.Connection, table: str, columns: list[str],
                      types: dict[str, str]) -> int:
    convert = [CONVERTERS.get(types[c], lambda v: v) for c in columns]
    cursor = await db.execute(f"SELECT {', '.join(columns)} FROM {table}")
    total = 0
    try:
        while rows := await cursor.fetchmany(BATCH):
            records = [tuple(f(v) for f, v in zip(convert, row, strict=True)) for row in rows]
            await conn.copy_records_to_table(table, records=records, columns=columns)
            total += len(records)
    finally:
        await cursor.close()
    return total


async def _advance_identities(conn: asyncpg.Connection, tables: list[str]) -> None:
    """Copied ids were given explicitly, so move each id sequence past them."""
    rows = await conn.fetch(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval%')"
    )
    for table, column in rows:
        if table in tables:
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence($1, $2), MAX({column})) FROM {table}"
                f" HAVING MAX({column}) IS NOT NULL",
                table, column,
            )
