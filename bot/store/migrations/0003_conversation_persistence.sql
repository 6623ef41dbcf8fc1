-- The bot's conversation persistence (bot/chat/persistence.py): where a
-- supporter is in a flow, so a restart does not lose it. Rows exist only
-- while a flow is in progress; they are deleted when it ends or times out.

CREATE TABLE conversation_states (
    name  TEXT NOT NULL,
    key   TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (name, key)
);

CREATE TABLE flow_data (
    user_id INTEGER PRIMARY KEY,
    data    TEXT NOT NULL
);
