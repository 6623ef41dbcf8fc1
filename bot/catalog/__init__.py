"""The content layer: everything a supporter reads, loaded and validated once;
where each case stands on a day (`cases`) and the interface texts (`i18n`).

May import: `bot.core` only. Never `telegram`."""

from bot.catalog.build import Problem
from bot.catalog.loader import Catalog, ContentError, load_catalog
from bot.catalog.schema import (
    CHANNELS,
    LANGUAGES,
    Campaign,
    CampaignUpdate,
    Explainer,
    FaqEntry,
    Official,
    PartialDate,
    Seed,
    Source,
    Target,
    Term,
    Text,
    format_date,
    offered_channels,
)

__all__ = [
    "CHANNELS", "LANGUAGES", "Campaign", "CampaignUpdate", "Catalog", "ContentError",
    "Explainer", "FaqEntry", "Official", "PartialDate", "Problem", "Seed", "Source", "Target", "Term", "Text",
    "format_date", "load_catalog", "offered_channels",
]
