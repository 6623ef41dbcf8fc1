-- Erasure that holds on disk and in backups (bot/store/keyring.py).
--
-- * Flows in progress are no longer kept under Telegram ids: one row per
--   supporter, under their keyed hash (as their actions are), its content
--   sealed under their own key, with the time of its last write. Flows in
--   progress when this migration runs are dropped (their rows held the raw ids).
-- * Reply summaries and problem notes are stored sealed under the
--   supporter's key, which is longer than the text: the length checks allow
--   for it (the store still refuses texts over 500 characters).

DROP TABLE conversation_states;
DROP TABLE flow_data;
CREATE TABLE flows (
    owner      TEXT PRIMARY KEY,
    sealed     TEXT NOT NULL,
    touched_at TEXT NOT NULL
);
CREATE INDEX flows_touched ON flows (touched_at);

CREATE TABLE official_replies_sealed (
    id              INTEGER PRIMARY KEY,
    campaign_id     TEXT NOT NULL,
    official_id     TEXT NOT NULL,
    summary         TEXT NOT NULL CHECK (length(summary) <= 4000),
    supporter       TEXT,
    created_at      TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    reviewed_at     TEXT
);
INSERT INTO official_replies_sealed SELECT id, campaign_id, official_id, summary, supporter, created_at,
    idempotency_key, reviewed_at FROM official_replies;
DROP TABLE official_replies;
ALTER TABLE official_replies_sealed RENAME TO official_replies;
CREATE INDEX official_replies_supporter ON official_replies (supporter) WHERE supporter IS NOT NULL;
CREATE INDEX official_replies_created ON official_replies (created_at);
CREATE INDEX official_replies_open ON official_replies (campaign_id) WHERE reviewed_at IS NULL;

CREATE TABLE contact_problems_sealed (
    id              INTEGER PRIMARY KEY,
    campaign_id     TEXT NOT NULL,
    official_id     TEXT NOT NULL,
    channel         TEXT NOT NULL
                    CHECK (channel IN ('letter', 'email', 'call', 'tweet', 'fax', 'other')),
    kind            TEXT NOT NULL CHECK (kind IN ('bounced', 'disconnected', 'wrong', 'other')),
    note            TEXT CHECK (note IS NULL OR length(note) <= 4000),
    supporter       TEXT,
    created_at      TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    resolved_at     TEXT
);
INSERT INTO contact_problems_sealed SELECT id, campaign_id, official_id, channel, kind, note, supporter,
    created_at, idempotency_key, resolved_at FROM contact_problems;
DROP TABLE contact_problems;
ALTER TABLE contact_problems_sealed RENAME TO contact_problems;
CREATE INDEX contact_problems_supporter ON contact_problems (supporter) WHERE supporter IS NOT NULL;
CREATE INDEX contact_problems_created ON contact_problems (created_at);
CREATE INDEX contact_problems_open ON contact_problems (campaign_id) WHERE resolved_at IS NULL;
