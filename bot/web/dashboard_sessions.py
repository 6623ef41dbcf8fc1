"""Signed-in browsers of the dashboard, kept server-side so sign-out is real.

A cookie that only proves itself (an expiry and an HMAC) cannot be taken
back: deleting it in one browser leaves every copy working. Here the cookie
is a random id (256 bits) and the session lives in this table; signing out
deletes the row, so a copied cookie stops working at once.

The table is in the dashboard process's memory, on purpose: the dashboard
is one process (see docs/organizers.md), a restart signing everyone out is a fair
price for not keeping session secrets in the database, and no store
migration is needed. Several dashboard processes behind one address would
each need their own sign-in; that would be the moment to move this table
into the store.

Rows are keyed by a SHA-256 of the id, so the lookup never compares the
secret itself, and each holds the session's CSRF token and a short random
tag that the audit log uses to tell sessions apart (never the id).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

SESSION_SECONDS = 12 * 3600
MAX_SESSIONS = 1_000
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32), ASCII only


@dataclass(frozen=True)
class Session:
    csrf: str  # sent back by every form of this session
    tag: str  # 8 hex characters naming the session in the audit log
    expires: float


def _key(session_id: str) -> bytes:
    return hashlib.sha256(session_id.encode("ascii")).digest()


class SessionTable:
    def __init__(
        self,
        lifetime: float = SESSION_SECONDS,
        clock: Callable[[], float] = time.time,
        limit: int = MAX_SESSIONS,
    ) -> None:
        self.lifetime = lifetime
        self.clock = clock
        self.limit = limit
        self._sessions: dict[bytes, Session] = {}

    def open(self) -> tuple[str, Session]:
        """A new session: its id (for the cookie) and its row."""
        now = self.clock()
        if len(self._sessions) >= self.limit:
            self._sessions = {k: s for k, s in self._sessions.items() if s.expires > now}
            while len(self._sessions) >= self.limit:  # the oldest sign-in goes first
                del self._sessions[next(iter(self._sessions))]
        session_id = secrets.token_urlsafe(32)
        session = Session(csrf=secrets.token_urlsafe(32), tag=secrets.token_hex(4),
                          expires=now + self.lifetime)
        self._sessions[_key(session_id)] = session
        return session_id, session

    def find(self, session_id: str | None) -> Session | None:
        """The live session for a cookie value, or None (unknown, expired, malformed)."""
        if not session_id or not SESSION_ID.fullmatch(session_id):
            return None
        key = _key(session_id)
        session = self._sessions.get(key)
        if session is None:
            return None
        if session.expires <= self.clock():
            del self._sessions[key]
            return None
        return session

    def revoke(self, session_id: str | None) -> Session | None:
        """End a session (sign-out); the session it was, if it was live."""
        session = self.find(session_id)
        if session is not None:
            del self._sessions[_key(session_id)]
        return session

    def __len__(self) -> int:
        return len(self._sessions)
