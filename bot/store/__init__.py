"""The action log: what supporters did, official replies, contact problems,
subscriptions and language choices. See `base` for the interface and
`sqlite` for the implementation used today."""

from .base import (
    ALL_CAMPAIGNS,
    BY_DAY_WINDOW,
    CHANNELS,
    LANGUAGES,
    PROBLEM_KINDS,
    STATUSES,
    ActionReport,
    ActionRow,
    CampaignStats,
    ProblemReport,
    Recorded,
    RecordResult,
    ReplyReport,
    ReviewItem,
    Store,
    Subscription,
    SupporterData,
)
from ..config import ConfigError
from .sqlite import SQLiteStore, open_store


async def open_configured_store(settings) -> Store:
    """The store the settings name: DATABASE_URL if set, else the SQLite file."""
    url = settings.database_url
    if url and url.startswith("sqlite:///"):
        return await open_store(url.removeprefix("sqlite:///"))
    if url:
        raise ConfigError("DATABASE_URL: PostgreSQL is not supported by this version; unset it")
    return await open_store(settings.database_path)

__all__ = [
    "open_configured_store",
    "ALL_CAMPAIGNS",
    "BY_DAY_WINDOW",
    "CHANNELS",
    "LANGUAGES",
    "PROBLEM_KINDS",
    "STATUSES",
    "ActionReport",
    "ActionRow",
    "CampaignStats",
    "ProblemReport",
    "RecordResult",
    "Recorded",
    "ReplyReport",
    "ReviewItem",
    "SQLiteStore",
    "Store",
    "Subscription",
    "SupporterData",
    "open_store",
]
