-- Privacy that holds under inspection, and limits one person cannot reset.
--
-- * Idempotency keys are now keyed hashes (bot.core.identity); keys written by
--   older code held the chat id and are replaced by an opaque one.
-- * No chat id beside a supporter key. Subscriptions and reminders are found
--   by chat id and hold no supporter key; a subscription keeps the language to
--   send in and whether the follower acted on the case (the `acted` audience).
-- * Deliveries are keyed by `recipient`, a keyed hash of the chat in its own
--   domain: the chat id is kept only until the message is sent (or given up),
--   and the recipient key lets a chat that deletes its data and follows again
--   never get the same update twice. Rows from older code get a placeholder
--   recipient ('chat:<id>') that the bot replaces with the keyed hash at start
--   (`rekey_legacy_rows`: the secret is not in the database).
-- * daily_limits: what one person did today, under a third keyed hash, kept
--   across /forget until the day is over (then pruned).

UPDATE actions SET idempotency_key = 'legacy:' || id WHERE idempotency_key LIKE 'tg:%';
UPDATE official_replies SET idempotency_key = 'legacy:' || id WHERE idempotency_key LIKE 'tg:%';
UPDATE contact_problems SET idempotency_key = 'legacy:' || id WHERE idempotency_key LIKE 'tg:%';

CREATE TABLE subscriptions_keyed (
    chat_id     INTEGER NOT NULL,
    campaign_id TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    language    TEXT NOT NULL CHECK (language IN ('en', 'es')),
    acted       INTEGER NOT NULL DEFAULT 0 CHECK (acted IN (0, 1)),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (chat_id, campaign_id)
);
INSERT INTO subscriptions_keyed (chat_id, campaign_id, recipient, language, acted, created_at)
SELECT s.chat_id, s.campaign_id, 'chat:' || s.chat_id, COALESCE(p.language, 'en'),
       EXISTS (SELECT 1 FROM actions a WHERE a.supporter = s.supporter AND a.campaign_id = s.campaign_id),
       MIN(s.created_at)
FROM subscriptions s LEFT JOIN supporters p ON p.supporter = s.supporter
GROUP BY s.chat_id, s.campaign_id;
DROP TABLE subscriptions;
ALTER TABLE subscriptions_keyed RENAME TO subscriptions;
CREATE INDEX subscriptions_campaign ON subscriptions (campaign_id);

CREATE TABLE reminders_keyed (
    id              INTEGER PRIMARY KEY,
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
    UNIQUE (chat_id, campaign_id)
);
INSERT OR IGNORE INTO reminders_keyed (id, chat_id, campaign_id, official_id, channel, appeal_language,
                                       language, due_at, status, attempts, claimed_at, created_at)
SELECT id, chat_id, campaign_id, official_id, channel, appeal_language, language, due_at, status, attempts,
       claimed_at, created_at
FROM reminders ORDER BY id;
DROP TABLE reminders;
ALTER TABLE reminders_keyed RENAME TO reminders;
CREATE INDEX reminders_due ON reminders (status, due_at);

CREATE TABLE deliveries_keyed (
    broadcast_id    INTEGER NOT NULL REFERENCES broadcasts (id),
    recipient       TEXT NOT NULL,
    chat_id         INTEGER,
    language        TEXT NOT NULL CHECK (language IN ('en', 'es')),
    status          TEXT NOT NULL
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'blocked', 'unknown')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    error           TEXT,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (broadcast_id, recipient),
    CHECK (chat_id IS NOT NULL OR status NOT IN ('pending', 'sending'))
);
INSERT INTO deliveries_keyed (broadcast_id, recipient, chat_id, language, status, attempts,
                              next_attempt_at, error, updated_at)
SELECT broadcast_id, 'chat:' || chat_id, chat_id, language, status, attempts, next_attempt_at, error,
       updated_at
FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_keyed RENAME TO deliveries;
CREATE INDEX deliveries_status ON deliveries (broadcast_id, status, next_attempt_at);
CREATE INDEX deliveries_chat ON deliveries (chat_id) WHERE chat_id IS NOT NULL;

CREATE TABLE daily_limits (
    limiter  TEXT NOT NULL,
    day      TEXT NOT NULL,
    reports  INTEGER NOT NULL DEFAULT 0,
    actions  INTEGER NOT NULL DEFAULT 0,
    replies  INTEGER NOT NULL DEFAULT 0,
    problems INTEGER NOT NULL DEFAULT 0,
    capped   INTEGER NOT NULL DEFAULT 0,
    forgot   INTEGER NOT NULL DEFAULT 0 CHECK (forgot IN (0, 1)),
    PRIMARY KEY (limiter, day)
);
CREATE INDEX daily_limits_day ON daily_limits (day);

ALTER TABLE campaign_totals ADD COLUMN capped INTEGER NOT NULL DEFAULT 0;
