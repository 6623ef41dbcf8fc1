-- Appeals in any language with layouts (content/templates/<channel>.<lang>.j2),
-- not only English and Spanish. The language an appeal was written in is
-- `actions.language` and `reminders.appeal_language`; their CHECKs listed
-- ('en', 'es'). Which languages have layouts is content, which changes
-- without a migration, so the database now checks only the shape of a
-- language code (two lowercase letters, ISO 639-1) and the store refuses,
-- before writing, a language the running content has no layouts for
-- (bot/store/validate.py). The interface language columns keep ('en', 'es').
--
-- SQLite cannot alter a CHECK: each table is rebuilt under the same name,
-- with its rows and its indexes.

CREATE TABLE actions_any_language (
    id              INTEGER PRIMARY KEY,
    campaign_id     TEXT NOT NULL,
    official_id     TEXT NOT NULL,
    channel         TEXT NOT NULL
                    CHECK (channel IN ('letter', 'email', 'call', 'tweet', 'fax', 'other')),
    count           INTEGER NOT NULL CHECK (count BETWEEN 1 AND 500),
    status          TEXT NOT NULL CHECK (status IN ('done', 'attempted')),
    language        TEXT NOT NULL CHECK (language GLOB '[a-z][a-z]'),
    country         TEXT CHECK (country IS NULL OR length(country) <= 80),
    supporter       TEXT,
    created_at      TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE
);
INSERT INTO actions_any_language (id, campaign_id, official_id, channel, count, status, language, country,
                                  supporter, created_at, idempotency_key)
SELECT id, campaign_id, official_id, channel, count, status, language, country, supporter, created_at,
       idempotency_key
FROM actions;
DROP TABLE actions;
ALTER TABLE actions_any_language RENAME TO actions;
CREATE INDEX actions_supporter ON actions (supporter, campaign_id) WHERE supporter IS NOT NULL;
CREATE INDEX actions_campaign_created ON actions (campaign_id, created_at);

CREATE TABLE reminders_any_language (
    id              INTEGER PRIMARY KEY,
    chat_id         INTEGER NOT NULL,
    campaign_id     TEXT NOT NULL,
    official_id     TEXT NOT NULL,
    channel         TEXT NOT NULL,
    appeal_language TEXT NOT NULL CHECK (appeal_language GLOB '[a-z][a-z]'),
    language        TEXT NOT NULL CHECK (language IN ('en', 'es')),
    due_at          TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    claimed_at      TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (chat_id, campaign_id)
);
INSERT INTO reminders_any_language (id, chat_id, campaign_id, official_id, channel, appeal_language,
                                    language, due_at, status, attempts, claimed_at, created_at)
SELECT id, chat_id, campaign_id, official_id, channel, appeal_language, language, due_at, status, attempts,
       claimed_at, created_at
FROM reminders;
DROP TABLE reminders;
ALTER TABLE reminders_any_language RENAME TO reminders;
CREATE INDEX reminders_due ON reminders (status, due_at);
