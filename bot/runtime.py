"""Assemble the services a running bot needs, in the order start-up needs them.

Content is validated first: the bot refuses to start with broken content,
printing the same `path:line: message` list as `advocacy-bot check`.
"""

from __future__ import annotations

from .appeals import AppealRenderer
from .catalog import Catalog, load_catalog
from .config import Settings
from .faq_matcher import FaqMatcher
from .i18n import Texts
from .services import Services


def load_services(settings: Settings) -> Services:
    """Catalog and texts (raises ContentError on bad content)."""
    catalog = load_catalog(settings.content_dir, settings.seeds_dir)
    return Services(catalog=catalog, settings=settings, texts=Texts(catalog.strings),
                    secret=settings.secret(), matcher=build_matcher(catalog),
                    appeals=AppealRenderer(catalog))


def build_matcher(catalog: Catalog) -> FaqMatcher:
    return FaqMatcher.build((entry.id, entry.questions.as_mapping()) for entry in catalog.faq.values())
