"""Numbered schema migrations, applied in order when a store opens.

The numbering (discovery, gaps, "newer than this code") is shared by both
backends: `migrations/` holds the SQLite scripts and `migrations_pg/` the
PostgreSQL ones, with the same versions and names (`postgres_schema` applies
those). Each `migrations/NNNN_name.sql` file runs in its own transaction together
with the row that records it in `schema_migrations`, so a failed migration
leaves the database at the previous version. Files are never edited once
released: a change to the schema is a new file. Several processes may open
the same database at once (bot, CLI, dashboard): `BEGIN IMMEDIATE` makes them
take turns, and each re-checks inside its transaction whether another
process already applied the version.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources

import aiosqlite

_FILE = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


SQLITE_FOLDER = "migrations"
POSTGRES_FOLDER = "migrations_pg"  # same versions and names, PostgreSQL dialect


def available(folder: str = SQLITE_FOLDER) -> list[Migration]:
    """The migration files shipped with this code in `folder` (a folder of
    `bot.store`, one per SQL dialect), by version; gaps are an error."""
    found = []
    for entry in resources.files("bot.store").joinpath(folder).iterdir():
        match = _FILE.fullmatch(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n: {[m.version for m in found]}")
    return found


def statements(sql: str) -> list[str]:
    """Split a script into statements (sqlite3.complete_statement knows about
    strings, comments and trigger bodies, unlike a split on ';')."""
    out: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            out.append(buffer.strip())
            buffer = ""
    leftover = [ln for ln in buffer.splitlines() if ln.strip() and not ln.strip().startswith("--")]
    if leftover:
        raise ValueError(f"incomplete SQL statement at end of migration: {leftover[0]!r}")
    return out


def refuse_newer(done: set[int], newest: int) -> None:
    """Old code must not write to a schema it does not know (both backends)."""
    if done and max(done) > newest:
        raise RuntimeError(
            f"database schema version {max(done)} is newer than this code ({newest}); upgrade advocacy-bot"
        )


async def applied_versions(db: aiosqlite.Connection) -> list[int]:
    rows = await db.execute_fetchall("SELECT version FROM schema_migrations ORDER BY version")
    return [row[0] for row in rows]


async def migrate(db: aiosqlite.Connection, upto: int | None = None) -> list[int]:
    """Apply every missing migration up to `upto` (default: all). Returns the
    versions this call applied. `db` must be in autocommit mode."""
    await db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    migrations = available()
    done = set(await applied_versions(db))
    refuse_newer(done, len(migrations))
    applied = []
    for migration in migrations:
        if upto is not None and migration.version > upto:
            break
        if migration.version in done:
            continue
        await db.execute("BEGIN IMMEDIATE")
        try:
            rows = await db.execute_fetchall(
                "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
            )
            if not rows:  # another process may have got there first
                for statement in statements(migration.sql):
                    await db.execute(statement)
                await db.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (
                        migration.version,
                        migration.name,
                        datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    ),
                )
                applied.append(migration.version)
            await db.execute("COMMIT")
        except BaseException:
            await db.execute("ROLLBACK")
            raise
    return applied
