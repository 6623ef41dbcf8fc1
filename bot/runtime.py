"""Assemble the services a running bot needs, in the order start-up needs them.

Content is validated first: the bot refuses to start with broken content,
printing the same `path:line: message` list as `advocacy-bot check`.
"""

from __future__ import annotations

import time
from pathlib import Path

from bot.appeals.render import AppealRenderer
from bot.ask.faq_answers import answer_texts
from bot.ask.faq_matcher import FaqMatcher
from bot.catalog import Catalog, load_catalog
from bot.catalog.i18n import Texts
from bot.core.clocks import Clock
from bot.core.config import Settings
from bot.services import Services

SEMANTIC_CACHE = "semantic-cache"  # folder in the data folder


def load_services(settings: Settings, clock: Clock = time.time) -> Services:
    """Catalog and texts (raises ContentError on bad content, ConfigError on a
    content or seeds folder that is not there); `clock` is the bot's clock
    (see bot/core/clocks.py: real time, or moved by --as-of). The semantic tier is
    not built here: `Services.start_semantic_tier` builds it once the bot is
    up."""
    catalog = load_configured_catalog(settings)
    return Services(catalog=catalog, settings=settings, texts=Texts(catalog.strings), clock=clock,
                    secret=settings.secret(), matcher=build_matcher(catalog, answers=False),
                    appeals=AppealRenderer(catalog), semantic_cache=semantic_cache(settings))


def semantic_cache(settings: Settings) -> Path | None:
    """Where the semantic tier keeps its phrasing vectors (the data folder,
    never content/), or None when SEMANTIC_TIER=off."""
    return settings.data_dir / SEMANTIC_CACHE if settings.semantic_tier else None


def load_configured_catalog(settings: Settings) -> Catalog:
    """The catalog from CONTENT_DIR and SEEDS_DIR (a missing folder is one ConfigError line)."""
    settings.check_folders()
    return load_catalog(settings.content_dir, settings.seeds_dir)


def reload_content(services: Services) -> Catalog:
    """Read content/ and seeds/ again and, only if they pass `check`, put them
    in place of the running content: catalog, texts, the FAQ's lexical tier and
    the appeal renderer at once (no await between, so no update sees half of
    it), then rebuild the semantic tier in the background (the lexical tier
    answers meanwhile). On any problem ContentError is raised and the running
    content stays as it was."""
    catalog = load_configured_catalog(services.settings)  # raises ContentError; nothing changed yet
    matcher = build_matcher(catalog, answers=False)  # its answers are indexed beside the semantic tier
    appeals, texts = AppealRenderer(catalog), Texts(catalog.strings)
    services.catalog, services.matcher, services.appeals, services.texts = catalog, matcher, appeals, texts
    services.semantic = None
    services.start_semantic_tier()
    return catalog


def build_matcher(catalog: Catalog, answers: bool = True) -> FaqMatcher:
    """The lexical FAQ index: every entry's phrasings and, with ``answers``,
    its answer's sentences (read only when the semantic tier is there too).
    The bot starts without them and `Services.start_semantic_tier` indexes
    them beside the semantic tier, off the start path; the command line and
    tests index them at once."""
    phrasings = ((entry.id, entry.questions.as_mapping()) for entry in catalog.faq.values())
    return FaqMatcher.build(phrasings, answers=answer_texts(catalog) if answers else None)
