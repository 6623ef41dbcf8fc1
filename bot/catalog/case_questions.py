"""The questions every case raises, found by the case's own words.

FAQ entries answered from the cases' files (`answer_from: case_at_risk`,
`case_asks`, `case_news`, `open_cases`) are phrased generally ("who is at
risk?"). A supporter may instead name the case: its reference, its title, or
the person it is about ("who is Ana Souza?"), or an official it writes to. Those words are in the case
files, so they are added here to the phrasings the matcher reads, never typed
into an FAQ file, and a new case is found by its own words from the moment it
is loaded. Only the first phrasing of each language is ever shown, and these
come after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from bot.catalog.schema import Campaign, FaqEntry, Official, Phrasings


def _words_of(campaign: Campaign, generator: str, officials: Mapping[str, Official]) -> dict[str, list[str]]:
    """The case's own words that point at `generator`'s answer, by language."""
    if generator == "open_cases":
        names = [officials[t].name for t in campaign.target_ids if t in officials]
        return {"en": names, "es": names}
    if generator == "case_at_risk":
        return {"en": list(campaign.people), "es": list(campaign.people)}
    if generator == "case_asks":  # its answer names the officials the appeal is addressed to
        names = [officials[t].name for t in campaign.target_ids if t in officials]
        return {"en": [campaign.reference, campaign.title.en, *names],
                "es": [campaign.reference, campaign.title.es, *names]}
    return {"en": [], "es": []}


def with_case_phrasings(faq: Mapping[str, FaqEntry], campaigns: Iterable[Campaign],
                        officials: Mapping[str, Official]) -> dict[str, FaqEntry]:
    """`faq` with each case-answered entry's phrasings extended by the cases' words."""
    campaigns = list(campaigns)
    extended = {}
    for entry_id, entry in faq.items():
        words = {"en": [], "es": []}
        for campaign in campaigns:
            for lang, found in _words_of(campaign, entry.answer_from or "", officials).items():
                words[lang] += [w for w in found if w not in words[lang]]
        if words["en"] or words["es"]:
            entry = replace(entry, questions=Phrasings(en=(*entry.questions.en, *words["en"]),
                                                       es=(*entry.questions.es, *words["es"])))
        extended[entry_id] = entry
    return extended
