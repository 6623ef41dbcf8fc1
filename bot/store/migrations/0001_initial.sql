-- The first schema: one row per report, plus what a supporter chose
-- (subscriptions, language). Supporter columns hold the keyed hash from
-- bot.core.identity or NULL (anonymous, or forgotten by /forget).

CREATE TABLE supporters (
    supporter  TEXT PRIMARY KEY,
    language   TEXT NOT NULL CHECK (language IN ('en', 'es')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE subscriptions (
    supporter   TEXT NOT NULL,
    chat_id     INTEGER NOT NULL,
    campaign_id TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (supporter, campaign_id)
);

CREATE TABLE actions (
    id              INTEGER PRIMARY KEY,
    campaign_id     TEXT NOT NULL,
    official_id     TEXT NOT NULL,
    channel         TEXT NOT NULL
                    CHECK (channel IN ('letter', 'email', 'call', 'tweet', 'fax', 'other')),
    count           INTEGER NOT NULL CHECK (count BETWEEN 1 AND 500),
    status          TEXT NOT NULL CHECK (status IN ('done', 'attempted')),
    language        TEXT NOT NULL CHECK (language IN ('en', 'es')),
    country         TEXT CHECK (country IS NULL OR length(country) <= 80),
    supporter       TEXT,
    created_at      TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE
);

CREATE TABLE official_replies (
    id              INTEGER PRIMARY KEY,
    campaign_id     TEXT NOT NULL,
    official_id     TEXT NOT NULL,
    summary         TEXT NOT NULL CHECK (length(summary) <= 500),
    supporter       TEXT,
    created_at      TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    reviewed_at     TEXT
);

CREATE TABLE contact_problems (
    id              INTEGER PRIMARY KEY,
    campaign_id     TEXT NOT NULL,
    official_id     TEXT NOT NULL,
    channel         TEXT NOT NULL
                    CHECK (channel IN ('letter', 'email', 'call', 'tweet', 'fax', 'other')),
    kind            TEXT NOT NULL CHECK (kind IN ('bounced', 'disconnected', 'wrong', 'other')),
    note            TEXT CHECK (note IS NULL OR length(note) <= 500),
    supporter       TEXT,
    created_at      TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    resolved_at     TEXT
);
