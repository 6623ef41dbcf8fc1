-- Follower chat ids sealed under the person's own key (bot/store/chat_seal.py).
--
-- A follow, a sign-up, a "Not yet" reminder and a pending delivery keep the
-- chat to send to. PostgreSQL keeps every write in pg_wal (and dead row
-- versions in the table files) after it is deleted, so a plain BIGINT
-- outlived /forget there. From now on each of these rows keeps `owner` (the
-- person's alias, as in `actions.supporter`) and `chat` (the chat id sealed
-- under their key, AES-GCM); /forget destroys the key in the key file.
--
-- SQL cannot seal: the key file and the deployment's secret are outside the
-- database. So this migration only makes room: `chat_id` becomes nullable
-- and loses its keys, and rows are found by (owner, …). The rows it finds
-- keep their plain `chat_id` until the bot's first start on this schema
-- seals them (`PostgresStore.rekey_legacy_rows`, run with the secret) and
-- sets it to NULL. Nothing writes `chat_id` any more; the old values stay in
-- pg_wal until it is recycled (docs/privacy-erasure.md, "Upgrading").

ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_pkey;
ALTER TABLE subscriptions ALTER COLUMN chat_id DROP NOT NULL, ADD COLUMN owner TEXT, ADD COLUMN chat TEXT;
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_chat_check
    CHECK ((owner IS NOT NULL AND chat IS NOT NULL) OR chat_id IS NOT NULL);
CREATE UNIQUE INDEX subscriptions_owner ON subscriptions (owner, campaign_id);

ALTER TABLE signups DROP CONSTRAINT signups_pkey;
ALTER TABLE signups ALTER COLUMN chat_id DROP NOT NULL, ADD COLUMN owner TEXT, ADD COLUMN chat TEXT;
ALTER TABLE signups ADD CONSTRAINT signups_chat_check
    CHECK ((owner IS NOT NULL AND chat IS NOT NULL) OR chat_id IS NOT NULL);
CREATE UNIQUE INDEX signups_owner ON signups (owner, choice);

-- The unique key on (chat_id, campaign_id) of reminders and the check that a
-- pending delivery has a chat_id were named by the tables they were created
-- in (0006): found by what they say, not by name.
DO $$
DECLARE found record;
BEGIN
    FOR found IN SELECT conrelid::regclass AS tbl, conname FROM pg_constraint
                 WHERE conrelid IN ('reminders'::regclass, 'deliveries'::regclass)
                   AND contype IN ('u', 'c') AND pg_get_constraintdef(oid) LIKE '%chat_id%'
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', found.tbl, found.conname);
    END LOOP;
END $$;

ALTER TABLE reminders ALTER COLUMN chat_id DROP NOT NULL, ADD COLUMN owner TEXT, ADD COLUMN chat TEXT;
ALTER TABLE reminders ADD CONSTRAINT reminders_chat_check
    CHECK ((owner IS NOT NULL AND chat IS NOT NULL) OR chat_id IS NOT NULL);
CREATE UNIQUE INDEX reminders_owner ON reminders (owner, campaign_id);

ALTER TABLE deliveries ADD COLUMN owner TEXT, ADD COLUMN chat TEXT;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_chat_check
    CHECK (chat IS NOT NULL OR chat_id IS NOT NULL OR status NOT IN ('pending', 'sending'));
CREATE INDEX deliveries_owner ON deliveries (owner) WHERE owner IS NOT NULL;
