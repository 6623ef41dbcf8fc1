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
from .sqlite import SQLiteStore, open_store

__all__ = [
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
