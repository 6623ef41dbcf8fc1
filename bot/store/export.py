"""The action log as CSV: one row per action, the supporter's keyed hash and
nothing else about them, the official by id and by name. Shared by
`advocacy-bot export` and the dashboard."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Mapping
from datetime import date, datetime

from bot.store import ActionRow, Store

CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 1000


def csv_cell(value: object) -> object:
    """Free text (e.g. an official's name) that starts like a formula is quoted so a
    spreadsheet shows it instead of running it."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_START):
        return "'" + value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


# The store's `country` is left out: nothing fills it (the bot never asks where
# a supporter is), and an always-empty column only raises questions.
COLUMNS = tuple(c for c in (*ActionRow.FIELDS[:4], "official_name", *ActionRow.FIELDS[4:]) if c != "country")


async def csv_chunks(store: Store, campaign_id: str | None = None, since: date | None = None,
                     official_names: Mapping[str, str] | None = None) -> AsyncIterator[str]:
    """The CSV text in chunks of about a thousand rows, header first; an
    official no longer in content has an empty name."""
    names = official_names or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    rows = 0
    async for row in store.export_actions(campaign_id, since):
        values = {f: getattr(row, f) for f in ActionRow.FIELDS}
        values["official_name"] = names.get(row.official_id)
        writer.writerow([csv_cell(values[c]) for c in COLUMNS])
        rows += 1
        if rows % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
