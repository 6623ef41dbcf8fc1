-- Sign-ups for new cases, and their announcements.
--
-- * signups: one row per chat and choice ('all', 'topic:<id>' or
--   'region:<id>'): the chat to send to, its delivery key (`recipient`, as in
--   subscriptions), the language to send in. No supporter key. /stop,
--   /forget and a chat that blocked the bot delete its rows.
-- * An announcement is a broadcast like a case update's, through the same
--   engine and `deliveries`: update number 0 and audience 'signups', one per
--   case (the UNIQUE constraint), so a chat gets a case's announcement at most
--   once. The broadcasts table is rebuilt to widen its two CHECKs; deliveries
--   refer to it, so the foreign keys are checked at COMMIT, once the rows are
--   back under the same ids.

CREATE TABLE signups (
    chat_id    INTEGER NOT NULL,
    choice     TEXT NOT NULL
               CHECK (choice = 'all' OR choice LIKE 'topic:_%' OR choice LIKE 'region:_%'),
    recipient  TEXT NOT NULL,
    language   TEXT NOT NULL CHECK (language IN ('en', 'es')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, choice)
);
CREATE INDEX signups_choice ON signups (choice);

PRAGMA defer_foreign_keys = ON;

CREATE TABLE broadcasts_before_9 (
    id                  INTEGER PRIMARY KEY,
    campaign_id         TEXT NOT NULL,
    update_number       INTEGER NOT NULL,
    audience            TEXT NOT NULL,
    status              TEXT NOT NULL,
    owner               TEXT,
    lease_until         TEXT,
    progress_chat_id    INTEGER,
    progress_message_id INTEGER,
    created_at          TEXT NOT NULL,
    finished_at         TEXT
);
INSERT INTO broadcasts_before_9 SELECT id, campaign_id, update_number, audience, status, owner,
    lease_until, progress_chat_id, progress_message_id, created_at, finished_at FROM broadcasts;
DROP TABLE broadcasts;
CREATE TABLE broadcasts (
    id                  INTEGER PRIMARY KEY,
    campaign_id         TEXT NOT NULL,
    update_number       INTEGER NOT NULL CHECK (update_number >= 0),
    audience            TEXT NOT NULL CHECK (audience IN ('acted', 'followers', 'signups')),
    status              TEXT NOT NULL CHECK (status IN ('sending', 'done')),
    owner               TEXT,
    lease_until         TEXT,
    progress_chat_id    INTEGER,
    progress_message_id INTEGER,
    created_at          TEXT NOT NULL,
    finished_at         TEXT,
    UNIQUE (campaign_id, update_number, audience),
    CHECK ((audience = 'signups') = (update_number = 0))
);
INSERT INTO broadcasts SELECT * FROM broadcasts_before_9;
DROP TABLE broadcasts_before_9;
