"""The one rule by which `make mutate` takes a survivor as equivalent without
a row of its own in tests/MUTANTS.md: a change of letter case in SQL text."""

from __future__ import annotations

import pytest

from tests.mutate import sql_letter_case_only


@pytest.mark.parametrize("removed, added", [
    ('await db.execute("DELETE FROM reminders WHERE chat_id = ?", (chat_id,))',
     'await db.execute("delete from reminders where chat_id = ?", (chat_id,))'),
    ('" ON CONFLICT (idempotency_key) DO NOTHING RETURNING id")',
     '" on conflict (idempotency_key) do nothing returning id")'),
    ('page = await db.execute_fetchall("PRAGMA page_count")',
     'page = await db.execute_fetchall("PRAGMA PAGE_COUNT")'),
])
def test_sql_keywords_and_names_in_another_case_are_the_same_statement(removed, added):
    assert sql_letter_case_only(removed, added)


@pytest.mark.parametrize("removed, added", [
    # a quoted value is data: 'DONE' is not 'done'
    ('"UPDATE reminders SET status = \'sending\' WHERE id = ?"',
     '"update reminders set status = \'SENDING\' where id = ?"'),
    ('"DELETE FROM reminders WHERE chat_id = ?"',
     '"XXDELETE FROM reminders WHERE chat_id = ?XX"'),  # more than the case
    ('key = "report.thanks"', 'key = "REPORT.THANKS"'),  # not SQL: a text's name
    ('for table in ("subscriptions", "reminders"):',
     'for table in ("SUBSCRIPTIONS", "reminders"):'),  # a bare name: may be a key, not SQL
    ('if status == "done":', 'if status == "DONE":'),
    ('x = f(a, "WHERE")', 'x = g(a, "where")'),  # more than the case changed
])
def test_anything_else_needs_a_row_of_its_own(removed, added):
    assert not sql_letter_case_only(removed, added)
