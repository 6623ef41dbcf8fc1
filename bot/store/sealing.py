"""Which stored values are sealed under a supporter's key, shared by both
backends: the reply summary and the problem note they typed (see `keyring`).

A report without a supporter key (the CLI, an import) has nobody to erase
it for, and is stored as typed. A sealed value whose key is gone opens as
`ERASED_TEXT` (reply) or None (note), as /forget leaves them."""

from __future__ import annotations

from bot.store.base import ERASED_TEXT
from bot.store.keyring import Keyring

REPLY_PURPOSE = "official_replies.summary"
NOTE_PURPOSE = "contact_problems.note"
# A fresh random key for a row /forget unlinks (idempotency, delivery).
FORGOTTEN_SQLITE = "('forgotten:' || lower(hex(randomblob(16))))"
FORGOTTEN_POSTGRES = "('forgotten:' || gen_random_uuid()::text)"
# Every supporter key the main database holds (both dialects), for `Keyring.adopt`.
LEGACY_SUPPORTERS = (
    "SELECT supporter FROM actions WHERE supporter IS NOT NULL"
    " UNION SELECT supporter FROM official_replies WHERE supporter IS NOT NULL"
    " UNION SELECT supporter FROM contact_problems WHERE supporter IS NOT NULL"
    " UNION SELECT supporter FROM supporters"
)


def seal_reply(keyring: Keyring, values: tuple) -> tuple:
    """`validate.reply`'s values with the summary sealed."""
    summary, supporter = values[2], values[3]
    if supporter is None:
        return values
    return (*values[:2], keyring.seal(supporter, summary, REPLY_PURPOSE), *values[3:])


def seal_problem(keyring: Keyring, values: tuple) -> tuple:
    """`validate.problem`'s values with the note sealed."""
    note, supporter = values[4], values[5]
    if supporter is None or note is None:
        return values
    return (*values[:4], keyring.seal(supporter, note, NOTE_PURPOSE), *values[5:])


def open_item(keyring: Keyring, kind: str, supporter: str | None, text: str | None) -> str | None:
    """The text of a review item ("reply" or "problem") as its reader sees it."""
    opened = keyring.open(supporter, text, REPLY_PURPOSE if kind == "reply" else NOTE_PURPOSE)
    if opened is None and kind == "reply" and text is not None:
        return ERASED_TEXT
    return opened
