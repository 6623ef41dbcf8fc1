-- Case updates: broadcasts to the followers of a case, one row per recipient
-- in `deliveries` (written before and after each send, so a broadcast
-- resumes after a crash without sending anyone twice), and the persisted
-- "Not yet" reminders. Times are UTC ISO-8601 text ('YYYY-MM-DDTHH:MM:SS.ffffffZ'),
-- which sorts like the instants it names. Plain SQL only: the PostgreSQL
-- store ports this file as it is.

-- One broadcast per case update and audience. `owner` is the process sending
-- it ('bot:host:pid:token' or 'cli:host:pid:token') while `lease_until` is in
-- the future: only the owner may claim recipients, so the bot and the CLI
-- never send the same broadcast at once.
CREATE TABLE broadcasts (
    id                  INTEGER PRIMARY KEY,
    campaign_id         TEXT NOT NULL,
    update_number       INTEGER NOT NULL CHECK (update_number >= 1),
    audience            TEXT NOT NULL CHECK (audience IN ('acted', 'followers')),
    status              TEXT NOT NULL CHECK (status IN ('sending', 'done')),
    owner               TEXT,
    lease_until         TEXT,
    progress_chat_id    INTEGER,
    progress_message_id INTEGER,
    created_at          TEXT NOT NULL,
    finished_at         TEXT,
    UNIQUE (campaign_id, update_number, audience)
);

-- One row per recipient of a broadcast. Status moves
--   pending -> sending -> sent | failed | blocked | pending (retry later)
-- and a row left in 'sending' by a process that died becomes 'unknown': the
-- message may or may not have reached Telegram, and it is never sent again.
-- `supporter` is kept so /forget can delete the row with the subscription.
CREATE TABLE deliveries (
    broadcast_id    INTEGER NOT NULL REFERENCES broadcasts (id),
    chat_id         INTEGER NOT NULL,
    supporter       TEXT NOT NULL,
    language        TEXT NOT NULL CHECK (language IN ('en', 'es')),
    status          TEXT NOT NULL
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'blocked', 'unknown')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    error           TEXT,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (broadcast_id, chat_id)
);
CREATE INDEX deliveries_status ON deliveries (broadcast_id, status, next_attempt_at);
CREATE INDEX deliveries_chat ON deliveries (chat_id);
CREATE INDEX deliveries_supporter ON deliveries (supporter);
-- A blocked chat's subscriptions are found by chat id.
CREATE INDEX subscriptions_chat ON subscriptions (chat_id);

-- The one reminder a supporter asked for with "Not yet": at most one per
-- supporter and case. The row is deleted once the reminder is sent (or the
-- supporter reports the action, uses /stop or /forget).
CREATE TABLE reminders (
    id              INTEGER PRIMARY KEY,
    supporter       TEXT NOT NULL,
    chat_id         INTEGER NOT NULL,
    campaign_id     TEXT NOT NULL,
    official_id     TEXT NOT NULL,
    channel         TEXT NOT NULL,
    appeal_language TEXT NOT NULL CHECK (appeal_language IN ('en', 'es')),
    language        TEXT NOT NULL CHECK (language IN ('en', 'es')),
    due_at          TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    claimed_at      TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (supporter, campaign_id)
);
CREATE INDEX reminders_due ON reminders (status, due_at);
CREATE INDEX reminders_chat ON reminders (chat_id);
