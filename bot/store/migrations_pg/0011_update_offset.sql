-- The long-polling offset the bot keeps itself: see migrations/0011_update_offset.sql.
CREATE TABLE update_offset (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    update_id BIGINT NOT NULL,
    saved_at TIMESTAMPTZ NOT NULL
);
