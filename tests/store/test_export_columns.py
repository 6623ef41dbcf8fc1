"""The CSV's columns and cells: no column the bot never fills, and text that
starts like a spreadsheet formula quoted."""

from bot.store.export import COLUMNS, csv_cell


def test_the_csv_has_no_country_column():
    assert COLUMNS == ("id", "created_at", "campaign_id", "official_id", "official_name", "channel",
                       "count", "status", "language", "supporter")


def test_text_that_starts_like_a_formula_is_quoted():
    assert [csv_cell(v) for v in ('=HYPERLINK("x")', "+1", "-2", "@a", "Luis Videgaray", 3)] == [
        '\'=HYPERLINK("x")', "'+1", "'-2", "'@a", "Luis Videgaray", 3]
