"""Follower chat ids on PostgreSQL: sealed under the person's own key.

To send (case updates, announcements, "Not yet" reminders) the bot needs the
chat id, so a follow, a sign-up, a reminder and a pending delivery keep it.
PostgreSQL does not erase: a deleted row stays in `pg_wal` (and in WAL
archives, base backups and dead tuples) until the segment is recycled. So
the id is never written there in the clear: each row keeps it sealed
(AES-GCM, `keyring.seal`) under the key of the person it belongs to, and
names that key by the person's `alias` (the value their actions are stored
under, not a new hash). /forget destroys the key in the key file, and every
copy of the row left in PostgreSQL's files becomes unreadable.

Rows are found by the alias: a method given only a chat id (unfollow, "what
do I follow?") computes it as `Services.supporter` does, from the keyed hash
of the id under the deployment's secret, which the store is given at start
(`use_secret`). A chat that never stored anything has no key, hence no rows.

SQLite does not need this: its deleted rows are overwritten (`secure_delete`)
and its write-ahead log is checkpointed and truncated right after /forget
(docs/privacy-erasure.md), so it keeps the id as a plain integer."""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.identity import supporter_key
from bot.store.keyring import Keyring, open_with

CHAT_PURPOSE = "chat_id"  # bound to every sealed chat id: a value moved from another column does not open


class ChatSeal:
    """Seals, finds and opens the chat ids of one store."""

    # The secret of a store nobody gave one (`use_secret`): none, so such a
    # store refuses chat rows rather than file them under a wrong alias. The
    # test suite sets it, for the store tests that run without `Services`.
    unset_secret: bytes | None = None

    def __init__(self, keyring: Keyring, secret: bytes | None = None) -> None:
        self.keyring = keyring
        self.secret = secret if secret is not None else self.unset_secret

    def owner(self, chat_id: int, create: bool = False) -> str | None:
        """The alias a chat's rows are stored under (the private chat is the
        person); None if the chat has no key and `create` is false."""
        if self.secret is None:
            raise RuntimeError("the PostgreSQL store finds a chat's rows with the deployment's secret;"
                               " call use_secret() first (Services does at start)")
        return self.keyring.alias(supporter_key(chat_id, self.secret), create=create)

    def seal(self, chat_id: int) -> tuple[str, str]:
        """(alias, sealed chat id) for a row that must be able to send to `chat_id`."""
        owner = self.owner(chat_id, create=True)
        return owner, self.keyring.seal(owner, str(chat_id), CHAT_PURPOSE)

    def open_all(self, rows: Iterable[tuple[str, str | None]]) -> list[int | None]:
        """The chat ids of (alias, sealed) pairs, with one key-file query per
        500 people; None where the key is gone (the person used /forget)."""
        rows = list(rows)
        keys = self.keyring.keys_of({owner for owner, _ in rows if owner is not None})
        opened = []
        for owner, sealed in rows:
            text = open_with(keys.get(owner), sealed, CHAT_PURPOSE) if sealed else None
            opened.append(int(text) if text is not None else None)
        return opened
