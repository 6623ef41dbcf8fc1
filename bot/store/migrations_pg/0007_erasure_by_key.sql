-- PostgreSQL version of migrations/0007_erasure_by_key.sql (see that file
-- for why): flows under the supporter key and sealed, room for sealed texts.

DROP TABLE conversation_states;
DROP TABLE flow_data;
CREATE TABLE flows (
    owner      TEXT PRIMARY KEY,
    sealed     TEXT NOT NULL,
    touched_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX flows_touched ON flows (touched_at);

ALTER TABLE official_replies DROP CONSTRAINT official_replies_summary_check;
ALTER TABLE official_replies ADD CONSTRAINT official_replies_summary_check CHECK (length(summary) <= 4000);
ALTER TABLE contact_problems DROP CONSTRAINT contact_problems_note_check;
ALTER TABLE contact_problems ADD CONSTRAINT contact_problems_note_check
    CHECK (note IS NULL OR length(note) <= 4000);
