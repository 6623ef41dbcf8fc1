"""Per-supporter keys, so that /forget erases by destroying a key.

What a supporter types and the bot must keep (an official's reply, a
contact problem's note) and where they are in a flow are stored sealed
(AES-GCM, from the `cryptography` package) under a key of their own. /forget
deletes the key: every copy of the sealed text, wherever it went (a
PostgreSQL WAL segment, a dead row version, a backup of the main database),
becomes unreadable at once. The same key also derives the "handles" that
stand for the person where a value must be found again (the idempotency key
of a report, the row of a flow in progress): once the key is gone they
cannot be recomputed, even with the deployment's secret.

So the keys must not outlive their deletion where the ciphertext is. They
live in a small SQLite file of their own, never in the main database (on
PostgreSQL a deleted key would stay in `pg_wal`): `secure_delete` zeroes a
deleted key in the file, and the write-ahead log is truncated right after
(`checkpoint`). A checkpoint cannot finish while another connection reads
the file; it then does not wait (updates must not stall), says so in the
log without anything personal, and `settle` (the sweep) retries it until it
succeeds.

A key is found by the supporter's keyed hash (`bot.core.identity`, the
HMAC of their Telegram id under the deployment's secret: the `owner`) or by
its `alias`, a hash under the key itself. The main database knows supporters
only by their alias, so once the key row is gone nothing in it or in any
older copy of it (PostgreSQL's WAL) can be tied to a Telegram id, even with
the secret. Supporters who reported before keys existed keep their old
keyed hash as their alias (`adopt`). A backup of this file taken before
/forget still opens that person's texts in a backup of the main database
taken at the same time (docs/privacy-erasure.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger(__name__)

SEALED = "sealed:"  # prefix of a sealed value in a text column
NONCE_BYTES = 12
KEY_BYTES = 32
BUSY_MS = 5000
SCHEMA = ("CREATE TABLE IF NOT EXISTS supporter_keys ("
          " owner TEXT PRIMARY KEY, alias TEXT NOT NULL UNIQUE, key BLOB NOT NULL, created_at TEXT NOT NULL)"
          " WITHOUT ROWID")
FIND = "SELECT key, alias FROM supporter_keys WHERE owner = ? OR alias = ?"
CREATE = ("INSERT INTO supporter_keys (owner, alias, key, created_at) VALUES (?, ?, ?, ?)"
          " ON CONFLICT DO NOTHING")
# Every change to the file is synced before it returns (`synchronous = FULL`):
# a destroyed key must not come back after a power cut. Creating a key is the
# exception: a supporter's first report or flow step creates one, and waiting
# for the disk there (0.4 ms alone, milliseconds on a busy disk) held up the
# event loop and every other supporter with it. A key lost to a power cut
# before SQLite synced it (its next checkpoint, or the next synced write)
# takes nothing readable with it: what was sealed under it becomes
# unreadable and its alias ties to no one, as after /forget.
SYNC = "FULL"
CREATE_SYNC = "NORMAL"
# Keys found are remembered (a report looks one up five times), at most this
# many, and forgotten at once when a key is destroyed here or the file is
# changed by another process (SQLite's `data_version`, checked on every call).
REMEMBERED = 4096


class Keyring:
    """The key file: one 256-bit key per supporter key, created on first use.

    Calls are synchronous (a local file, microseconds) and safe from several
    threads; several processes may share the file (SQLite's locking)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        self.checkpoint_owed = False
        self._found: dict[str, tuple[bytes, str]] = {}  # name (owner or alias) -> (key, alias)
        self._version: int | None = None  # the file's data_version when _found was filled
        for pragma in (f"busy_timeout = {BUSY_MS}", "journal_mode = WAL", f"synchronous = {SYNC}",
                       "secure_delete = ON"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute(SCHEMA)

    # -- keys ---------------------------------------------------------------

    def _find(self, owner: str, create: bool) -> tuple[bytes, str] | None:
        """(key, alias) of `owner` (or of the alias `owner`), created if asked."""
        with self._lock:
            version = self._db.execute("PRAGMA data_version").fetchone()[0]
            if version != self._version or len(self._found) >= REMEMBERED:
                self._found.clear()  # another process changed the file: a key may be gone
                self._version = version
            if owner in self._found:
                return self._found[owner]
            row = self._db.execute(FIND, (owner, owner)).fetchone()
            if row is not None:
                self._found[owner] = row
            if row is not None or not create:
                return row
            key = secrets.token_bytes(KEY_BYTES)
            alias = hmac.new(key, b"supporter", hashlib.sha256).hexdigest()
            # A new key is not synced to the disk on its own (see CREATE_SYNC).
            self._db.execute(f"PRAGMA synchronous = {CREATE_SYNC}")
            try:
                self._db.execute(CREATE, (owner, alias, key, datetime.now(UTC).isoformat()))
            finally:
                self._db.execute(f"PRAGMA synchronous = {SYNC}")
            row = self._db.execute(FIND, (owner, owner)).fetchone()
            self._found[owner] = row
            return row

    def key(self, owner: str, create: bool = True) -> bytes | None:
        """The key of `owner` (or of the alias `owner`); a new one if there is
        none and `create`."""
        found = self._find(owner, create)
        return found[0] if found else None

    def alias(self, owner: str, create: bool = True) -> str | None:
        """What the main database calls this supporter (see the module's docstring)."""
        found = self._find(owner, create)
        return found[1] if found else None

    def keys_of(self, aliases: set[str]) -> dict[str, bytes]:
        """The keys of these aliases, in one query per 500 (a broadcast opens
        thousands of sealed chat ids: one lookup each would cost more than
        the sending); an alias whose key is gone is missing."""
        found: dict[str, bytes] = {}
        names = sorted(aliases)
        with self._lock:
            for start in range(0, len(names), 500):
                chunk = names[start:start + 500]
                marks = ", ".join("?" * len(chunk))
                found.update(self._db.execute(
                    f"SELECT alias, key FROM supporter_keys WHERE alias IN ({marks})", chunk).fetchall())
        return found

    def is_empty(self) -> bool:
        with self._lock:
            return not self._db.execute("SELECT EXISTS (SELECT 1 FROM supporter_keys)").fetchone()[0]

    def adopt(self, legacy: list[str]) -> None:
        """Supporter keys written before this file existed (an upgrade) become
        the alias of a new key each, so that their rows stay theirs."""
        now = datetime.now(UTC).isoformat()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT INTO supporter_keys (owner, alias, key, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                [(owner, owner, secrets.token_bytes(KEY_BYTES), now) for owner in legacy])
            self._db.execute("COMMIT")
            self._found.clear()

    def destroy(self, owner: str) -> None:
        """Delete the key of `owner` (or of the alias `owner`) for good: zeroed
        in the file, the log truncated."""
        with self._lock:
            self._found.clear()  # nothing remembered outlives a destroyed key
            self._db.execute("DELETE FROM supporter_keys WHERE owner = ? OR alias = ?", (owner, owner))
            self.checkpoint_owed = True
            self._checkpoint()

    def settle(self) -> bool:
        """Retry a checkpoint that could not finish; True when none is owed."""
        with self._lock:
            if self.checkpoint_owed:
                self._checkpoint()
            return not self.checkpoint_owed

    def _checkpoint(self) -> None:
        """Truncate the write-ahead log without waiting for readers."""
        self._db.execute("PRAGMA busy_timeout = 0")
        try:
            busy = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except sqlite3.OperationalError:
            busy = 1
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        self.checkpoint_owed = bool(busy)
        if busy:
            log.warning("key file: checkpoint after an erasure could not finish (another connection"
                        " is reading); retried by the sweep")

    # -- sealing --------------------------------------------------------------

    def seal(self, owner: str, text: str, purpose: str) -> str:
        """`text` sealed under the owner's key, as text for a text column.
        `purpose` (e.g. the column) is bound to it: a value moved to another
        column does not open."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.key(owner)).encrypt(nonce, text.encode(), purpose.encode())
        return SEALED + base64.b64encode(nonce + sealed).decode()

    def open(self, owner: str | None, value: str | None, purpose: str) -> str | None:
        """The text of a sealed value, None when its key is gone; a value that
        is not sealed (older rows, anonymous reports) comes back as it is."""
        if value is None or not value.startswith(SEALED):
            return value
        return open_with(self.key(owner, create=False) if owner else None, value, purpose)

    def handle(self, owner: str, value: str) -> str:
        """A keyed hash of `value` under the owner's key: stable while the key
        lives, impossible to recompute once it is destroyed."""
        return hmac.new(self.key(owner), value.encode(), hashlib.sha256).hexdigest()

    def close(self) -> None:
        with self._lock:
            self._db.close()


def open_with(key: bytes | None, value: str, purpose: str) -> str | None:
    """A sealed value opened with `key` (from `Keyring.keys_of`); None when the
    key is gone or is not the one it was sealed with."""
    if key is None:
        return None
    raw = base64.b64decode(value.removeprefix(SEALED))
    try:
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()).decode()
    except InvalidTag:
        return None


def key_file_beside(database: str | os.PathLike[str]) -> str:
    """Where a SQLite store keeps its key file: beside it, `<file>.keys`."""
    if str(database) == ":memory:":
        return ":memory:"
    return f"{database}.keys"
