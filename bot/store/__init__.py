"""The action log: what supporters did, official replies, contact problems,
subscriptions and language choices. See `base` for the interface and
`sqlite` (the default) and `postgres` (DATABASE_URL=postgresql://…) for
the implementations; `export` (the CSV) and `charts` (the /stats picture)
read it for organizers.

May import: `bot.core`, `bot.catalog`. Never `telegram`."""

import os
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

from bot.core.config import ConfigError
from bot.store.base import (
    ALL_CAMPAIGNS,
    ANNOUNCEMENT_AUDIENCE,
    ANNOUNCEMENT_NUMBER,
    AUDIENCES,
    BY_DAY_WINDOW,
    CHANNELS,
    ERASED_TEXT,
    LANGUAGES,
    PROBLEM_KINDS,
    SIGNUP_ALL,
    STATUSES,
    ActionReport,
    ActionRow,
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
    SignupCounts,
    Store,
    Subscription,
    SupporterData,
)
from bot.store.sqlite import SQLiteStore, open_store


class StoreUnavailable(ConfigError):
    """The configured database cannot be opened; the message names the setting."""


async def open_configured_store(settings, *, must_exist: bool = False) -> Store:
    """The store the settings name: DATABASE_URL if set, else the SQLite file.

    `must_exist` is for commands that only read (`stats`, `export`): a
    mistyped SQLite path must not silently create folders and an empty
    database that then reports zero actions."""
    if settings.database_url:
        store = await open_store_at(settings.database_url, setting="DATABASE_URL",
                                    key_file=settings.store_key_file(), must_exist=must_exist)
        if not must_exist:  # a command that sends (broadcast, announce) finds chats' rows with it
            store.use_secret(settings.secret())
        return store
    return await open_store_at(settings.database_path, setting="DATABASE_PATH",
                               key_file=settings.store_key_file(), must_exist=must_exist)


def _missing_sqlite(path: str, setting: str | None) -> StoreUnavailable:
    where = Path(path)
    shown = path if where.is_absolute() else f"{path} ({where.resolve()})"
    prefix = f"{setting}: " if setting else ""
    return StoreUnavailable(f"{prefix}no SQLite database at {shown}; this command reads one and does not "
                            f"create it (check {setting or 'the path'}, or start the bot once)")


async def open_store_at(location: str | os.PathLike[str], setting: str | None = None,
                        key_file: str | os.PathLike[str] | None = None, *,
                        must_exist: bool = False) -> Store:
    """A `postgresql://`/`postgres://` URL, a `sqlite:///path` URL or a SQLite file path.

    `sqlite:///` URLs follow SQLAlchemy's convention: `sqlite:///data/x.db` is
    relative to the working folder, `sqlite:////var/lib/x.db` absolute.
    A database that cannot be opened (a closed port, a folder that cannot be
    written, a file that is not SQLite) raises StoreUnavailable, one line
    naming `setting` and the place, never the password. `key_file` is where
    the supporters' keys are (`keyring`): by default beside a SQLite file, and
    in memory for PostgreSQL (a one-off command that types no text)."""
    text = str(location)
    if must_exist and not text.startswith(("postgresql://", "postgres://")):
        path = text.removeprefix("sqlite:///")
        if "://" not in path and not Path(path).is_file():
            raise _missing_sqlite(path, setting)
    try:
        if text.startswith("sqlite:///"):
            return await open_store(text.removeprefix("sqlite:///"), key_file=key_file)
        if text.startswith(("postgresql://", "postgres://")):
            from bot.store.postgres import open_postgres_store  # asyncpg is only loaded when it is used

            return await open_postgres_store(text, key_file=key_file or ":memory:")
        if "://" in text:
            raise ConfigError("DATABASE_URL: must be postgresql://… or sqlite:///path")
        return await open_store(location, key_file=key_file)
    except (OSError, sqlite3.Error) as error:
        reason = getattr(error, "strerror", None) or str(error)
        if getattr(error, "filename", None):
            reason = f"{error.filename}: {reason}"
        raise StoreUnavailable(_unavailable(text, setting, reason)) from None
    except Exception as error:  # asyncpg's own errors: wrong password, no such database…
        if type(error).__module__.startswith("asyncpg"):
            raise StoreUnavailable(_unavailable(text, setting, str(error).splitlines()[0])) from None
        raise


def _unavailable(location: str, setting: str | None, reason: str) -> str:
    if location.startswith(("postgresql://", "postgres://")):
        parts = urlsplit(location)  # no user name or password in the message
        place = f"PostgreSQL at {parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"
    else:
        place = f"the SQLite database {location.removeprefix('sqlite:///')}"
    prefix = f"{setting}: " if setting else ""
    return f"{prefix}cannot open {place} ({reason})"

__all__ = [
    "open_configured_store",
    "open_store_at",
    "ALL_CAMPAIGNS",
    "ANNOUNCEMENT_AUDIENCE",
    "ANNOUNCEMENT_NUMBER",
    "AUDIENCES",
    "BY_DAY_WINDOW",
    "CHANNELS",
    "ERASED_TEXT",
    "LANGUAGES",
    "PROBLEM_KINDS",
    "SIGNUP_ALL",
    "STATUSES",
    "ActionReport",
    "ActionRow",
    "AuditEntry",
    "Broadcast",
    "CampaignStats",
    "Delivery",
    "DeliveryCounts",
    "DueReminder",
    "Limits",
    "PendingReminder",
    "ProblemReport",
    "RecordResult",
    "Recorded",
    "ReminderRequest",
    "ReplyReport",
    "ReviewItem",
    "SQLiteStore",
    "SignupCounts",
    "StoreUnavailable",
    "Store",
    "Subscription",
    "SupporterData",
    "open_store",
]
