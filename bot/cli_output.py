"""What the command line prints: FAQ answers as plain text and the stats
table. Organizer-facing, so English; supporters never see it."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from bot.ask.faq_answers import answer_body, plain_style
from bot.ask.faq_matcher import Match
from bot.catalog import Catalog
from bot.catalog.i18n import Texts
from bot.store import CampaignStats


def answer_text(catalog: Catalog, match: Match, lang: str, today: date, outcome: str | None = None) -> str:
    """The entry's answer on `today` with its sources; when asking back, the
    entries offered; when declining, the closest entries (for the organizer)."""
    if match.id is None:
        if not match.suggestions:
            return "(no question found in that text)"
        closest = "\n".join(f"  - {s}: {catalog.faq[s].questions.as_mapping()[lang][0]}"
                            for s in match.suggestions)
        if outcome == "asked_back":
            return f"(not sure; asking back at score {match.score:.2f}) Did you mean:\n{closest}"
        return f"(not sure; declined at score {match.score:.2f}) Closest topics:\n{closest}"
    entry = catalog.faq[match.id]
    # Several passages of one document are one source to a reader: each title once, in order.
    titles = dict.fromkeys(catalog.seeds[s.seed].title if s.seed else s.title for s in entry.sources)
    sources = "\n".join(f"  - {title}" for title in titles)
    dated = f", as of {entry.as_of.display(lang)}" if entry.as_of is not None else ""
    body = answer_body(catalog, entry, lang, today, plain_style(Texts(catalog.strings).plain))
    return f"[{entry.id}] (score {match.score:.2f}{dated})\n\n{body}\n\nSources:\n{sources}"


def official_names(catalog: Catalog, stats: CampaignStats) -> dict[str, str | None]:
    """Each official id in the figures to their name (None: no longer in content)."""
    return {official: (catalog.officials[official].name if official in catalog.officials else None)
            for official in stats.by_official}


def stats_json(stats: CampaignStats, names: dict[str, str | None]) -> dict:
    data = asdict(stats)
    data["today"] = stats.today.isoformat()
    data["by_day"] = [[day.isoformat(), n] for day, n in stats.by_day]
    data["official_names"] = names
    return data


def stats_table(stats: CampaignStats, names: dict[str, str | None]) -> str:
    """The figures for an organizer: officials by name, never by id alone."""
    by_name = {names.get(k) or f"{k} (not in content)": v for k, v in stats.by_official.items()}

    def rows(title: str, counts: dict[str, int]) -> list[str]:
        if not counts:
            return [f"{title}: none yet"]
        width = max(len(k) for k in counts)
        return [f"{title}:"] + [f"  {k.ljust(width)}  {v:>9,}" for k, v in
                                sorted(counts.items(), key=lambda kv: -kv[1])]

    lines = [
        f"Campaign: {stats.campaign_id or 'all campaigns'} (as of {stats.today.isoformat()})",
        f"Actions done:         {stats.actions:>9,}",
        f"Calls attempted:      {stats.attempted:>9,}  (no answer / voicemail, counted apart)",
        f"Unique supporters:    {stats.supporters:>9,}",
        f"Last 7 days:          {stats.last_7_days:>9,}",
        f"Open contact problems:{stats.open_problems:>9,}",
        f"Official replies:     {stats.open_replies:>9,}  (to review)",
        f"Refused by limits:    {stats.capped:>9,}  (daily caps per supporter)",
        *rows("By channel", stats.by_channel),
        *rows("By official", by_name),
    ]
    return "\n".join(lines)
