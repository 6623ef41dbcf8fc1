-- PostgreSQL version of migrations/0008_appeal_languages.sql (see that file
-- for why): the appeal language columns check the shape of a language code,
-- not a fixed list. PostgreSQL alters a CHECK in place; the constraints keep
-- the names PostgreSQL gave them (reminders was created as reminders_keyed).

ALTER TABLE actions DROP CONSTRAINT actions_language_check;
ALTER TABLE actions ADD CONSTRAINT actions_language_check CHECK (language ~ '^[a-z]{2}$');
ALTER TABLE reminders DROP CONSTRAINT reminders_keyed_appeal_language_check;
ALTER TABLE reminders ADD CONSTRAINT reminders_keyed_appeal_language_check
    CHECK (appeal_language ~ '^[a-z]{2}$');
