"""Shared fixtures: the shipped catalog, and a real Application on the
in-memory Bot API driven by simulated supporters."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog import load_catalog
from bot.chat.app import build_application
from bot.chat.context import Services
from bot.config import Settings
from bot.i18n import Texts
from bot.simulator import Simulator
from bot.transport import InMemoryBotAPI

ROOT = Path(__file__).resolve().parent.parent
ORGANIZER_ID = 777


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(ROOT / "content", ROOT / "seeds")


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
def settings(tmp_path):
    return Settings(database_path=tmp_path / "bot.sqlite3", organizer_ids=frozenset({ORGANIZER_ID}),
                    content_dir=ROOT / "content", seeds_dir=ROOT / "seeds",
                    supporter_id_secret=b"test-secret-0123456789")


@pytest.fixture
def services(catalog, settings, clock):
    return Services(catalog=catalog, settings=settings, texts=Texts(catalog.strings), clock=clock,
                    secret=settings.supporter_id_secret)


@pytest.fixture
async def bot(services):
    """(simulator, api) over a started Application; shut down afterwards."""
    api = InMemoryBotAPI(clock=services.clock)
    application = build_application(services, request=api)
    await application.initialize()
    await application.start()
    yield Simulator(application, api, clock=services.clock), api
    await application.stop()
    await application.shutdown()


def texts_of(calls, method: str = "sendMessage") -> list[str]:
    return [c.text for c in calls if c.method == method]
