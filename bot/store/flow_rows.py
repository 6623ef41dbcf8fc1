"""The conversation persistence's writes (bot/chat/persistence.py), the same
SQL on both backends but for the placeholders: what one update changed, as
a list of statements the backend runs in one go."""

from __future__ import annotations

import json


def flow_statements(users: dict[int, dict | None], conversations: dict[tuple[str, tuple], object | None],
                    mark: str) -> list[tuple[str, tuple]]:
    """(SQL, parameters) writing these users' flow data and conversation states;
    `mark` is the placeholder style ("?", or "$" for PostgreSQL's $1, $2…)."""
    def marks(n: int) -> list[str]:
        return ["?"] * n if mark == "?" else [f"${i}" for i in range(1, n + 1)]

    statements = []
    for user_id, data in users.items():
        if data:
            a, b = marks(2)
            statements.append((f"INSERT INTO flow_data (user_id, data) VALUES ({a}, {b})"
                               " ON CONFLICT (user_id) DO UPDATE SET data = excluded.data",
                               (user_id, json.dumps(data))))
        else:
            (a,) = marks(1)
            statements.append((f"DELETE FROM flow_data WHERE user_id = {a}", (user_id,)))
    for (name, key), state in conversations.items():
        if state is None:
            a, b = marks(2)
            statements.append((f"DELETE FROM conversation_states WHERE name = {a} AND key = {b}",
                               (name, json.dumps(list(key)))))
        else:
            a, b, c = marks(3)
            statements.append((f"INSERT INTO conversation_states (name, key, state) VALUES ({a}, {b}, {c})"
                               " ON CONFLICT (name, key) DO UPDATE SET state = excluded.state",
                               (name, json.dumps(list(key)), json.dumps(state))))
    return statements
