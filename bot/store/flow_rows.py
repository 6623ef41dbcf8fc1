"""The conversation persistence's writes (bot/chat/persistence.py), the same
SQL on both backends but for the placeholders.

A flow in progress is one row per supporter: `owner` is their supporter key
(the keyed hash their actions are stored under), `sealed` is what the flow
keeps, the Telegram id included, sealed under their own key (`keyring`), and
`touched_at` is when it was last written. No Telegram id is readable in any
of them, and none at all once /forget destroyed the key."""

from __future__ import annotations


def flow_statements(rows: dict[str, str | None], touched_at: object, mark: str) -> list[tuple[str, tuple]]:
    """(SQL, parameters) writing these flows (None deletes); `mark` is the
    placeholder style ("?", or "$" for PostgreSQL's $1, $2…)."""
    def marks(n: int) -> list[str]:
        return ["?"] * n if mark == "?" else [f"${i}" for i in range(1, n + 1)]

    statements = []
    for owner, sealed in rows.items():
        if sealed is None:
            (a,) = marks(1)
            statements.append((f"DELETE FROM flows WHERE owner = {a}", (owner,)))
        else:
            a, b, c = marks(3)
            statements.append((f"INSERT INTO flows (owner, sealed, touched_at) VALUES ({a}, {b}, {c})"
                               " ON CONFLICT (owner) DO UPDATE SET sealed = excluded.sealed,"
                               " touched_at = excluded.touched_at", (owner, sealed, touched_at)))
    return statements
