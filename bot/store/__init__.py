"""The action log: what supporters did, official replies, contact problems,
subscriptions and language choices. See `base` for the interface and
`sqlite` (the default) and `postgres` (DATABASE_URL=postgresql://…) for
the implementations."""

import os

from ..config import ConfigError
from .base import (
    ALL_CAMPAIGNS,
    AUDIENCES,
    BY_DAY_WINDOW,
    CHANNELS,
    ERASED_TEXT,
    LANGUAGES,
    PROBLEM_KINDS,
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
    ProblemReport,
    Recorded,
    RecordResult,
    ReminderRequest,
    ReplyReport,
    ReviewItem,
    Store,
    Subscription,
    SupporterData,
)
from .sqlite import SQLiteStore, open_store


async def open_configured_store(settings) -> Store:
    """The store the settings name: DATABASE_URL if set, else the SQLite file."""
    return await open_store_at(settings.database_url or settings.database_path)


async def open_store_at(location: str | os.PathLike[str]) -> Store:
    """A `postgresql://`/`postgres://` URL, a `sqlite:///path` URL or a SQLite file path."""
    text = str(location)
    if text.startswith("sqlite:///"):
        return await open_store(text.removeprefix("sqlite:///"))
    if text.startswith(("postgresql://", "postgres://")):
        from .postgres import open_postgres_store  # asyncpg is only loaded when it is used

        return await open_postgres_store(text)
    if "://" in text:
        raise ConfigError("DATABASE_URL: must be postgresql://… or sqlite:///path")
    return await open_store(location)

__all__ = [
    "open_configured_store",
    "open_store_at",
    "ALL_CAMPAIGNS",
    "AUDIENCES",
    "BY_DAY_WINDOW",
    "CHANNELS",
    "ERASED_TEXT",
    "LANGUAGES",
    "PROBLEM_KINDS",
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
    "ProblemReport",
    "RecordResult",
    "Recorded",
    "ReminderRequest",
    "ReplyReport",
    "ReviewItem",
    "SQLiteStore",
    "Store",
    "Subscription",
    "SupporterData",
    "open_store",
]
