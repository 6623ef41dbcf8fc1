"""The machinery that measures `make bench`'s figures against the bot before
issue 29's change (tests/bench/before.py): the met rule and its orientation,
the turns alternating who goes first, the database copy the old bot can open,
and a worker process answering turns with its own tree's bot. Here because
`make test` never runs tests/bench/, and a wrong verdict there would pass
unseen."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3

import pytest

from bot.store import open_store
from tests.bench import before
from tests.bench.stack import ROOT


def rows():
    got: dict = {}

    def record(key, value, unit="", meaning="", target=None, met=None, also=None):
        got[key] = {"value": value, "meaning": meaning, "target": target, "met": met, "also": also}

    return got, record


def test_a_time_is_met_up_to_ten_percent_slower_than_before_and_not_beyond(tmp_path):
    got, record = rows()
    assert before.versus(record, "t_ms", [10.0, 10.0, 10.0], [9.0, 9.0, 9.0], " ms", "a time", False,
                         tmp_path)
    assert got["t_ms_vs_before"]["value"] == 0.9 and got["t_ms_vs_before"]["met"] is True
    assert got["t_ms_vs_before"]["also"] == {"t_ms_after": 10.0, "t_ms_before": 9.0,
                                             "t_ms_vs_before_range": [0.9, 0.9]}
    assert not before.versus(record, "t_ms", [11.0, 10.0, 12.0], [9.0, 9.0, 9.0], " ms", "a time", False,
                             tmp_path)
    assert got["t_ms_vs_before"]["value"] == 0.818 and got["t_ms_vs_before"]["met"] is False
    assert got["t_ms_vs_before"]["target"] == ">= 0.90 of before"
    assert not before.versus(record, "t_ms", [10.0], [8.9], " ms", "a time", False, tmp_path)  # 0.89


def test_a_throughput_is_better_when_higher_and_the_ratio_is_the_median_of_the_turns(tmp_path):
    got, record = rows()
    # turn ratios 2.0, 0.5, 0.8: their median is 0.8 (the ratio of the medians would be 1.0)
    assert not before.versus(record, "r", [200.0, 50.0, 80.0], [100.0, 100.0, 100.0], " /s", "a rate", True,
                             tmp_path)
    assert got["r_vs_before"]["value"] == 0.8
    assert got["r_vs_before"]["also"]["r_vs_before_range"] == [0.5, 2.0]
    assert before.versus(record, "r", [120.0, 95.0], [100.0, 100.0], " /s", "a rate", True, tmp_path)
    assert "after 107.500 /s, before 100.000 /s (this bot)" in got["r_vs_before"]["meaning"]


class Scripted:
    def __init__(self, name: str, order: list[str]) -> None:
        self.name, self.order = name, order

    def turn(self, **request) -> dict:
        self.order.append(self.name)
        return {"side": self.name, **request}


def test_turns_alternate_which_bot_goes_first():
    order: list[str] = []
    pair = {"before": Scripted("before", order), "after": Scripted("after", order)}
    answers = before.in_turns(pair, 4, lambda turn: {"turn": turn})
    assert order == ["before", "after", "after", "before", "before", "after", "after", "before"]
    assert [a["turn"] for a in answers["after"]] == [0, 1, 2, 3]
    assert {a["side"] for a in answers["before"]} == {"before"}


def old_tree(tmp_path, newest: int):
    """A stand-in for the bot before: its migrations folder, up to `newest`."""
    folder = tmp_path / "old" / "bot" / "store" / "migrations"
    folder.mkdir(parents=True)
    for migration in sorted((ROOT / "bot" / "store" / "migrations").glob("*.sql"))[:newest]:
        shutil.copy(migration, folder)
    return tmp_path / "old"


def created(path) -> None:
    async def create():
        async with await open_store(path):
            pass

    asyncio.run(create())


def test_a_database_copied_for_the_bot_before_is_at_its_schema_with_the_same_rows(tmp_path):
    source = tmp_path / "new.sqlite3"
    created(source)
    with sqlite3.connect(source) as db:
        db.execute("INSERT INTO actions (campaign_id, official_id, channel, count, status, language,"
                   " created_at, idempotency_key) VALUES ('ua-150-18', 'o', 'email', 2, 'done', 'en',"
                   " '2024-06-30T00:00:00Z', 'k1')")
        newest = db.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
    assert newest >= 11
    copy = before.copy_for_before(source, tmp_path / "copy.sqlite3", old_tree(tmp_path, 10))
    with sqlite3.connect(copy) as db:
        assert db.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == 10
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert db.execute("SELECT count, idempotency_key FROM actions").fetchall() == [(2, "k1")]
    assert "update_offset" not in tables
    with sqlite3.connect(source) as db:  # the source is left as it was
        assert db.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == newest


def test_a_migration_the_copy_cannot_undo_stops_the_benchmark(tmp_path):
    source = tmp_path / "new.sqlite3"
    created(source)
    with pytest.raises(AssertionError, match=r"does not know how to undo migrations \[10\]"):
        before.copy_for_before(source, tmp_path / "copy.sqlite3", old_tree(tmp_path, 9))


def test_a_worker_answers_turns_with_its_own_trees_bot(tmp_path):
    database = tmp_path / "store.sqlite3"
    created(database)
    worker = before.Worker(ROOT, "store", "--database", str(database))
    try:
        assert worker.wait_ready()["bot"] == str(ROOT / "bot" / "__init__.py")
        first = worker.turn(kind="reports", campaign="ua-150-18", reports=3)
        second = worker.turn(kind="reports", campaign="ua-150-18", reports=2)
    finally:
        worker.close()
    assert (first["reports"], second["reports"]) == (3, 2) and first["seconds"] > 0
    assert worker.process.returncode == 0
    with sqlite3.connect(database) as db:  # one new supporter per report, each counted once
        assert db.execute("SELECT count(*), count(DISTINCT supporter) FROM actions").fetchone() == (5, 5)
