"""The conversation persistence's writes (bot/chat/persistence.py), the same
SQL on both backends but for the placeholders.

A flow in progress is one row per supporter: `handle` is derived from the
supporter's own key (`Keyring.handle`), `sealed` is what the flow keeps,
sealed under that key, and `touched_at` is when it was last written, so
that a flow nobody comes back to can be deleted by age without knowing
whose it is. No Telegram id is in any of them."""

from __future__ import annotations


def flow_statements(rows: dict[str, str | None], touched_at: object, mark: str) -> list[tuple[str, tuple]]:
    """(SQL, parameters) writing these flows (None deletes); `mark` is the
    placeholder style ("?", or "$" for PostgreSQL's $1, $2…)."""
    def marks(n: int) -> list[str]:
        return ["?"] * n if mark == "?" else [f"${i}" for i in range(1, n + 1)]

    statements = []
    for handle, sealed in rows.items():
        if sealed is None:
            (a,) = marks(1)
            statements.append((f"DELETE FROM flows WHERE handle = {a}", (handle,)))
        else:
            a, b, c = marks(3)
            statements.append((f"INSERT INTO flows (handle, sealed, touched_at) VALUES ({a}, {b}, {c})"
                               " ON CONFLICT (handle) DO UPDATE SET sealed = excluded.sealed,"
                               " touched_at = excluded.touched_at", (handle, sealed, touched_at)))
    return statements
