"""The services one running bot uses, built once at start and handed to every
handler, the web server and the CLI: content, texts, the store, the matcher,
the renderer, the clock. Tests build it around their own store and clock."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.catalog import Catalog
from bot.catalog.i18n import Texts
from bot.core import heap
from bot.core.clocks import day_of
from bot.core.config import Settings
from bot.core.flood_gate import FloodGate
from bot.core.identity import domain_key, supporter_key
from bot.core.metrics import Metrics
from bot.store import Limits, open_configured_store
from bot.store.base import Store

if TYPE_CHECKING:  # for the types only: importing them here would slow every start
    from bot.appeals.render import AppealRenderer
    from bot.ask.combined_matcher import Ranker
    from bot.ask.faq_matcher import FaqMatcher

log = logging.getLogger(__name__)


@dataclass
class Services:
    """The domain services one running bot uses, built once at start."""

    catalog: Catalog
    settings: Settings
    texts: Texts
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    secret: bytes = b"advocacy-bot-test-secret"
    flow_timeout: float = 30 * 60  # seconds of silence that end a flow
    store: Store | None = None  # SQLite or PostgreSQL; opened by ensure_store() unless given
    appeals: AppealRenderer | None = None
    matcher: FaqMatcher | None = None  # the FAQ's lexical tier
    # The FAQ's semantic tier: a Future while it builds in the background, its
    # SemanticTier once built. `semantic_cache` is where its vectors are kept;
    # None means it is not to be built (tests, SEMANTIC_TIER=off).
    semantic: Future[Ranker] | None = None
    semantic_cache: Path | None = None
    metrics: Metrics = field(default_factory=Metrics)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)  # set on SIGTERM
    flood: FloodGate = field(default_factory=lambda: FloodGate())
    caps: Limits = field(default_factory=lambda: Limits(limiter="0" * 64))  # the limits; limiter per person
    extras: dict[str, Any] = field(default_factory=dict)

    def __setattr__(self, name: str, value: Any) -> None:
        """The store accepts appeals in the languages the content has layouts
        for, and knows the secret its chat rows are found with: set here, so
        that a store given later and content reloaded while the bot runs (a
        new `catalog`) are kept in step without anyone having
        to remember it."""
        super().__setattr__(name, value)
        if name in ("catalog", "store"):
            catalog, store = getattr(self, "catalog", None), getattr(self, "store", None)
            if catalog is not None and store is not None:
                store.accept_appeal_languages(catalog.appeal_languages)
        if name in ("secret", "store") and getattr(self, "store", None) is not None:
            # PostgreSQL finds a chat's sealed rows by the alias `supporter` computes
            self.store.use_secret(self.secret)

    def start_semantic_tier(self) -> None:
        """Start building the semantic tier in a worker thread, once, if it is
        wanted and installed; until it is built the lexical tier answers alone.
        Called once the bot is up (the model load holds the GIL for about a
        second, which would slow the rest of start-up)."""
        if self.semantic is not None or self.semantic_cache is None:
            return
        from bot.ask import semantic_matcher

        if semantic_matcher.MISSING is not None:
            # `make run` does not install the extra: the usual case, not news on every start.
            log.debug("FAQ: lexical tier only (%s)", semantic_matcher.MISSING)
            return
        entries = [(entry.id, entry.questions.as_mapping()) for entry in self.catalog.faq.values()]
        started = time.monotonic()
        building = semantic_matcher.start_building(entries, cache_dir=self.semantic_cache)
        building.add_done_callback(lambda built: _log_built(built, time.monotonic() - started))
        self.semantic = _with_answers_indexed(building, self.matcher, self.catalog)
        # The model and the answers' index live as long as the bot: out of the collector's scans
        # (bot/core/heap.py).
        self.semantic.add_done_callback(lambda _: heap.freeze())

    def semantic_tier(self) -> Ranker | None:
        """The semantic tier if it is built, else None (the lexical tier alone)."""
        future = self.semantic
        if future is None or not future.done() or future.exception() is not None:
            return None
        return future.result()

    def today(self) -> date:
        return day_of(self.clock)

    def supporter(self, user_id: int, create: bool = False) -> str:
        """What stands for this Telegram user in the store: the alias of their
        own key (`bot.store.keyring`), which nobody can tie back to them once
        /forget destroyed the key, not even with the secret. `create` makes the
        key on first use (a write); a reader without one gets the keyed hash,
        under which nothing new is stored (so a visitor who only reads leaves
        no key behind)."""
        owner = supporter_key(user_id, self.secret)
        return self.store.keyring.alias(owner, create=create) or owner

    def limits(self, user_id: int) -> Limits:
        """This person's daily limits, under a key of its own (see bot.core.identity)."""
        return replace(self.caps, limiter=domain_key("limits", str(user_id), self.secret))

    def recipient(self, chat_id: int) -> str:
        """The key a chat's case-update deliveries are recorded under: derived
        from the person's own key (private chats: the chat is the user), so
        that once /forget destroys it nobody can recompute it, not even with
        the secret. After /forget a chat is a new recipient."""
        return self.store.keyring.handle(self.supporter(chat_id, create=True), f"recipient:{chat_id}")

    def idempotency_key(self, kind: str, chat_id: int, message_id: int) -> str:
        """A key for "this press of this message", with no id readable in it,
        derived from the person's own key like `recipient`."""
        supporter = self.supporter(chat_id, create=True)
        return self.store.keyring.handle(supporter, f"{kind}:{chat_id}:{message_id}")

    def is_organizer(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.organizer_ids

    async def ensure_store(self) -> None:
        """Open the configured store unless one was given (tests give their own),
        and key any rows an older schema left keyed by chat id (only this
        process has the secret to)."""
        if self.store is None:
            self.store = await open_configured_store(self.settings)  # its appeal languages: __setattr__
            self.extras["owns_store"] = True
        if not self.extras.get("rekeyed"):
            await self.store.rekey_legacy_rows(self.recipient)
            self.extras["rekeyed"] = True

    async def close_store(self) -> None:
        """Close the store if this object opened it."""
        if self.extras.pop("owns_store", False):
            await self.store.close()
            self.store = None


def _log_built(future: Future, seconds: float) -> None:
    error = future.exception()
    if error is None:
        log.info("FAQ: semantic tier ready after %.1f s", seconds)
    else:  # the lexical tier goes on answering alone
        log.warning("FAQ: semantic tier not built (%s: %s); lexical tier only", type(error).__name__, error)


def _with_answers_indexed(building: Future, matcher: FaqMatcher | None, catalog: Catalog) -> Future:
    """The semantic tier's future, done only once the lexical tier has also
    indexed the FAQ's answers (``FaqMatcher.index_answers``, in the build's
    thread, after the tier): the fused decision reads both, so it starts with
    both, and neither is built on the start path."""
    from bot.ask.faq_answers import answer_texts

    ready: Future = Future()
    ready.set_running_or_notify_cancel()

    def index(built: Future) -> None:
        if built.exception() is not None:
            ready.set_exception(built.exception())
            return
        try:
            if matcher is not None and not matcher.answers_indexed:
                matcher.index_answers(answer_texts(catalog))
        except Exception as error:  # noqa: BLE001 - the tier without the answers' passages still helps
            log.warning("FAQ: answers not indexed (%s); the tiers decide without them", type(error).__name__)
        ready.set_result(built.result())

    building.add_done_callback(index)
    return ready
