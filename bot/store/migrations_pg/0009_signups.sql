-- Sign-ups for new cases, and their announcements (see migrations/0009_signups.sql).

CREATE TABLE signups (
    chat_id    BIGINT NOT NULL,
    choice     TEXT NOT NULL
               CHECK (choice = 'all' OR choice LIKE 'topic:_%' OR choice LIKE 'region:_%'),
    recipient  TEXT NOT NULL,
    language   TEXT NOT NULL CHECK (language IN ('en', 'es')),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (chat_id, choice)
);
CREATE INDEX signups_choice ON signups (choice);

ALTER TABLE broadcasts DROP CONSTRAINT broadcasts_update_number_check;
ALTER TABLE broadcasts DROP CONSTRAINT broadcasts_audience_check;
ALTER TABLE broadcasts ADD CONSTRAINT broadcasts_update_number_check CHECK (update_number >= 0);
ALTER TABLE broadcasts ADD CONSTRAINT broadcasts_audience_check
    CHECK (audience IN ('acted', 'followers', 'signups'));
ALTER TABLE broadcasts ADD CONSTRAINT broadcasts_announcement_check
    CHECK ((audience = 'signups') = (update_number = 0));
