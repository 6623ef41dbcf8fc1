"""Apply `migrations_pg/NNNN_name.sql` to a PostgreSQL database at open.

Same numbering and rules as the SQLite runner (`migrate`): each migration
runs in its own transaction with the row recording it in
`schema_migrations`, and a database newer than the code is refused. Several
processes may open the same empty database at once (web workers behind a
load balancer): every transaction here first takes one transaction-scoped
advisory lock, so they take turns, and each re-checks inside its
transaction whether another process already applied the version.
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from bot.store.migrate import POSTGRES_FOLDER, available, refuse_newer

# Any constant works as long as nothing else in the database uses it; this is
# "advocacy" on a phone keypad. The store's per-supporter locks use the
# two-key form of advisory locks, a separate key space.
MIGRATION_LOCK = 2386224_2279

CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
)


async def applied_versions(conn: asyncpg.Connection) -> list[int]:
    rows = await conn.fetch("SELECT version FROM schema_migrations ORDER BY version")
    return [row[0] for row in rows]


async def migrate(conn: asyncpg.Connection, upto: int | None = None) -> list[int]:
    """Apply every missing migration up to `upto` (default: all); returns the
    versions this call applied."""
    migrations = available(POSTGRES_FOLDER)
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await conn.execute(CREATE_TABLE)
        done = set(await applied_versions(conn))
    refuse_newer(done, len(migrations))
    applied = []
    for migration in migrations:
        if upto is not None and migration.version > upto:
            break
        if migration.version in done:
            continue
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            if not await conn.fetchval(
                "SELECT 1 FROM schema_migrations WHERE version = $1", migration.version
            ):  # another process may have got there first
                await conn.execute(migration.sql)  # a whole script: simple query protocol
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    migration.version,
                    migration.name,
                    datetime.now(UTC).replace(microsecond=0),
                )
                applied.append(migration.version)
    return applied
