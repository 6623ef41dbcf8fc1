-- PostgreSQL version of migrations/0003_conversation_persistence.sql.
-- Keys and states stay JSON text, exactly as the SQLite store writes them,
-- so both backends hand python-telegram-bot back the same values.

CREATE TABLE conversation_states (
    name  TEXT NOT NULL,
    key   TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (name, key)
);

CREATE TABLE flow_data (
    user_id BIGINT PRIMARY KEY,
    data    TEXT NOT NULL
);
