"""Shared fixtures: the shipped catalog, and a real Application on the
in-memory Bot API driven by simulated supporters."""

from __future__ import annotations

import itertools
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.appeals.render import AppealRenderer
from bot.bot_api.simulator import Simulator
from bot.bot_api.transport import InMemoryBotAPI
from bot.catalog import load_catalog
from bot.catalog.i18n import Texts
from bot.chat.app import build_application
from bot.core.config import Settings
from bot.core.flood_gate import FloodGate
from bot.runtime import build_matcher
from bot.services import Services
from bot.store import open_store
from bot.store.chat_seal import ChatSeal
from tests.pg_server import MISSING, SHARED_PORT_ENV, PostgresServer, SharedServer, find_bindir

# PostgreSQL stores opened bare (store tests, without `Services`) find chat
# rows with this secret; `Services` gives its own (bot/store/chat_seal.py).
ChatSeal.unset_secret = b"advocacy-bot-store-tests"

ROOT = Path(__file__).resolve().parent.parent

# Every bot and CLI these tests start in a subprocess inherits this: building
# the FAQ's semantic tier costs seconds of CPU per process, and an answer that
# changes once it is built would make their expected texts depend on timing.
# The tests of the semantic tier turn it on where they need it.
os.environ["SEMANTIC_TIER"] = "off"
ORGANIZER_ID = 777
FICTIONAL_CASE = ROOT / "tests" / "data" / "fictional_case"


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(ROOT / "content", ROOT / "seeds")


def two_case_tree(destination: Path) -> Path:
    """The shipped content plus the fictional second case, added the way an
    organizer adds one: a case folder and an official. Returns its content dir."""
    content = destination / "content"
    shutil.copytree(ROOT / "content", content)
    shutil.copytree(FICTIONAL_CASE / "campaigns", content / "campaigns", dirs_exist_ok=True)
    with (content / "officials.yaml").open("a", encoding="utf-8") as officials:
        officials.write((FICTIONAL_CASE / "officials.yaml").read_text(encoding="utf-8"))
    return content


NETWORK = ROOT / "tests" / "data" / "network"


def network_tree(destination: Path) -> tuple[Path, Path]:
    """The shipped content and seeds plus a second topic and two fictional
    cases (tests/data/network/README.md): (content dir, seeds dir)."""
    content, seeds = destination / "content", destination / "seeds"
    shutil.copytree(ROOT / "content", content)
    shutil.copytree(ROOT / "seeds", seeds)
    shutil.copytree(NETWORK / "content" / "topics", content / "topics", dirs_exist_ok=True)
    shutil.copytree(NETWORK / "content" / "campaigns", content / "campaigns", dirs_exist_ok=True)
    with (content / "officials.yaml").open("a", encoding="utf-8") as officials:
        officials.write("\n" + (NETWORK / "content" / "officials-network.yaml").read_text(encoding="utf-8"))
    with (seeds / "index.yaml").open("a", encoding="utf-8") as index:
        index.write("\n" + (NETWORK / "seeds" / "index-network.yaml").read_text(encoding="utf-8"))
    for sheet in (NETWORK / "seeds").glob("*.txt"):
        shutil.copy(sheet, seeds / sheet.name)
    return content, seeds


@pytest.fixture(scope="session")
def two_case_catalog(tmp_path_factory):
    return load_catalog(two_case_tree(tmp_path_factory.mktemp("two-cases")), ROOT / "seeds")


class Clock:
    """A controllable clock (seconds since the epoch) for deadlines and timeouts."""

    def __init__(self, now: float = 1_537_000_000.0):  # 2018-09-15, before the UA deadline
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def far_from_utc(monkeypatch):
    """A local time zone whose date is not UTC's right now (UTC+14 after 10:00
    UTC, else UTC-12), so that a date or time taken from the local clock shows."""
    zone = "Etc/GMT-14" if datetime.now(UTC).hour >= 10 else "Etc/GMT+12"
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    assert datetime.now().date() != datetime.now(UTC).date()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def settings(tmp_path):
    return Settings(database_path=tmp_path / "bot.sqlite3", organizer_ids=frozenset({ORGANIZER_ID}),
                    content_dir=ROOT / "content", seeds_dir=ROOT / "seeds",
                    supporter_id_secret=b"test-secret-0123456789")


class Sleeps(list):
    """Stands in for asyncio.sleep: records each pause instead of waiting."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture(scope="session")
def matcher(catalog):
    return build_matcher(catalog)


@pytest.fixture(scope="session")
def pg_server():
    """The throwaway PostgreSQL server (tests/pg_server.py), started by the
    first test that needs it and stopped at the end of the session, unless
    one is shared with this session (`make mutate` does that)."""
    if shared := os.environ.get(SHARED_PORT_ENV):
        yield SharedServer(int(shared))
        return
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(MISSING)
    server = PostgresServer.start(bindir)  # with a watchdog, should the session be killed
    yield server
    server.stop()


_databases = itertools.count(1)


@pytest.fixture
async def pg_url(pg_server):
    """The URL of a new, empty database for this test alone (about 15 ms to
    create), dropped afterwards."""
    import asyncpg

    name = f"test_{os.getpid()}_{next(_databases)}"  # unique on a shared server too
    admin = await asyncpg.connect(pg_server.url())
    try:
        await admin.execute(f"CREATE DATABASE {name} STRATEGY FILE_COPY")
        yield pg_server.url(name)
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
    finally:
        await admin.close()


@pytest.fixture
async def store(settings):
    async with await open_store(settings.database_path) as opened:
        yield opened


def make_services(catalog, settings, clock, matcher, store) -> Services:
    return Services(catalog=catalog, settings=settings, texts=Texts(catalog.strings), clock=clock,
                    sleep=Sleeps(), secret=settings.supporter_id_secret, matcher=matcher,
                    appeals=AppealRenderer(catalog), store=store,
                    # Scripted supporters type faster than people on a frozen clock; the
                    # flood-control test uses the real limits.
                    flood=FloodGate(limit=100_000))


@pytest.fixture
def services(catalog, settings, clock, matcher, store):
    return make_services(catalog, settings, clock, matcher, store)


async def start_bot(services):
    api = InMemoryBotAPI(clock=services.clock)
    application = build_application(services, request=api)
    await application.initialize()
    await application.start()
    return application, api


async def stop_bot(application) -> None:
    await application.stop()
    await application.shutdown()


@pytest.fixture
async def bot(services):
    """(simulator, api) over a started Application with SQLite persistence."""
    application, api = await start_bot(services)
    yield Simulator(application, api, clock=services.clock), api
    await stop_bot(application)


def texts_of(calls, method: str = "sendMessage") -> list[str]:
    """Texts the bot got through (refused or failed calls left out)."""
    return [c.text for c in calls if c.method == method and c.ok]
