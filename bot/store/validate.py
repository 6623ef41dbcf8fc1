"""Checks run before anything is written, shared by every backend.

The database has CHECK constraints too, but their errors name no field; these
raise `ValueError` with a message a developer (or the bot's log) can act on.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.store.base import (
    ALL_CAMPAIGNS,
    CHANNELS,
    LANGUAGES,
    MAX_COUNT,
    PROBLEM_KINDS,
    STATUSES,
    ActionReport,
    ProblemReport,
    ReplyReport,
)

_SUPPORTER = re.compile(r"[0-9a-f]{64}")
MAX_ID = 100
MAX_KEY = 200
MAX_COUNTRY = 80
MAX_TEXT = 500


def ident(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_ID:
        raise ValueError(f"{what} must be a non-empty string of at most {MAX_ID} characters")
    if value == ALL_CAMPAIGNS:
        raise ValueError(f"{what} {ALL_CAMPAIGNS!r} is reserved")
    return value


def supporter(value: object, *, optional: bool = False) -> str | None:
    """A supporter key: the 64-hex HMAC from bot.core.identity, never a Telegram id."""
    if value is None and optional:
        return None
    if not isinstance(value, str) or not _SUPPORTER.fullmatch(value):
        raise ValueError("supporter must be a 64-character lowercase hex key (bot.core.identity)")
    return value


def choice(value: object, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")
    return value  # type: ignore[return-value]


def text(value: object, what: str, limit: int, *, optional: bool = False) -> str | None:
    """Trimmed free text; empty becomes None when optional."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text")
    value = value.strip()
    if not value:
        if optional:
            return None
        raise ValueError(f"{what} must not be empty")
    if len(value) > limit:
        raise ValueError(f"{what} must be at most {limit} characters")
    return value


def key(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_KEY:
        raise ValueError(f"idempotency_key must be a non-empty string of at most {MAX_KEY}")
    return value


def timestamp(at: datetime | None) -> str:
    """UTC, ISO 8601 to the second with a Z: sorts as text, reads in any SQL."""
    if at is None:
        at = datetime.now(UTC)
    elif at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def action(report: ActionReport, appeal_languages: tuple[str, ...] = LANGUAGES) -> tuple:
    """The row values for `actions`, in column order, or ValueError.
    `report.language` is the appeal's: one of `appeal_languages`."""
    count = report.count
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise ValueError(f"count must be a whole number from 1 to {MAX_COUNT}; got {count!r}")
    return (
        ident(report.campaign_id, "campaign_id"),
        ident(report.official_id, "official_id"),
        choice(report.channel, CHANNELS, "channel"),
        count,
        choice(report.status, STATUSES, "status"),
        choice(report.language, appeal_languages, "language"),
        text(report.country, "country", MAX_COUNTRY, optional=True),
        supporter(report.supporter, optional=True),
        timestamp(report.at),
        key(report.idempotency_key),
    )


def reply(report: ReplyReport) -> tuple:
    return (
        ident(report.campaign_id, "campaign_id"),
        ident(report.official_id, "official_id"),
        text(report.summary, "summary", MAX_TEXT),
        supporter(report.supporter, optional=True),
        timestamp(report.at),
        key(report.idempotency_key),
    )


def problem(report: ProblemReport) -> tuple:
    return (
        ident(report.campaign_id, "campaign_id"),
        ident(report.official_id, "official_id"),
        choice(report.channel, CHANNELS, "channel"),
        choice(report.kind, PROBLEM_KINDS, "kind"),
        text(report.note, "note", MAX_TEXT, optional=True),
        supporter(report.supporter, optional=True),
        timestamp(report.at),
        key(report.idempotency_key),
    )


def chat(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("chat_id must be an integer")
    return value


def subscription(chat_id: int, campaign_id: str, recipient: str, language: str) -> None:
    """A subscription's parts, or ValueError (shared by every backend)."""
    chat(chat_id)
    ident(campaign_id, "campaign_id")
    key_hash(recipient, "recipient")
    choice(language, LANGUAGES, "language")


def key_hash(value: object, what: str) -> str:
    """A 64-hex keyed hash (bot.core.identity): a supporter, recipient or limiter key."""
    if not isinstance(value, str) or not _SUPPORTER.fullmatch(value):
        raise ValueError(f"{what} must be a 64-character lowercase hex key (bot.core.identity)")
    return value


def reminder(request, appeal_languages: tuple[str, ...] = LANGUAGES) -> None:
    """A reminder request's parts, or ValueError (shared by every backend)."""
    chat(request.chat_id)
    ident(request.campaign_id, "campaign_id")
    choice(request.language, LANGUAGES, "language")
    choice(request.appeal_language, appeal_languages, "appeal language")


_SIGNUP_CHOICE = re.compile(r"all|(topic|region):[a-z0-9][a-z0-9-]{0,99}")


def signup_choices(choices: object) -> list[str]:
    """Sign-up choices ("all", "topic:<id>", "region:<id>"), sorted, each once."""
    if isinstance(choices, str) or not all(isinstance(c, str) and _SIGNUP_CHOICE.fullmatch(c)
                                           for c in choices):  # type: ignore[union-attr]
        raise ValueError("sign-up choices must be 'all', 'topic:<id>' or 'region:<id>'")
    return sorted(set(choices))  # type: ignore[arg-type]


def signup(chat_id: int, recipient: str, language: str, choices: object) -> list[str]:
    """A sign-up's parts, or ValueError; the choices, normalised."""
    chat(chat_id)
    key_hash(recipient, "recipient")
    choice(language, LANGUAGES, "language")
    return signup_choices(choices)
