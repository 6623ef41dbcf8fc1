"""The content layer: everything a supporter reads, loaded and validated once."""

from .build import Problem
from .loader import Catalog, ContentError, load_catalog
from .schema import (
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
