-- Who ran which organizer command, and when (/stats, /problems, /broadcast,
-- resolving a review item). Organizers are staff listed in ORGANIZER_IDS, so
-- their Telegram id is kept: the log exists to answer "who did this".

CREATE TABLE organizer_audit (
    id           INTEGER PRIMARY KEY,
    organizer_id INTEGER NOT NULL,
    command      TEXT NOT NULL,
    detail       TEXT,
    created_at   TEXT NOT NULL
);

CREATE INDEX organizer_audit_by_time ON organizer_audit (created_at);
