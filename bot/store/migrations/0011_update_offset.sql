-- The long-polling offset the bot keeps itself (bot/chat/polling.py).
--
-- Telegram forgets an update as soon as getUpdates is called with a higher
-- offset, so python-telegram-bot's own poller lost every update fetched and
-- still queued when the process died. The bot now confirms an update only
-- once it is handled, and keeps here the highest update id handled with
-- every lower one handled too: after a crash it polls from the next one, so
-- what was handled but not yet confirmed to Telegram is not handled twice.
-- One row. An update id is Telegram's counter, not personal data; no update
-- itself is ever written to disk.
CREATE TABLE update_offset (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    update_id INTEGER NOT NULL,
    saved_at TEXT NOT NULL
);
