"""What the command line prints: FAQ answers as plain text and the stats
table. Organizer-facing, so English; supporters never see it."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from .catalog import Catalog
from .faq_answers import answer_body, plain_style
from .faq_matcher import Match
from .i18n import Texts
from .store import CampaignStats


def answer_text(catalog: Catalog, match: Match, lang: str, today: date) -> str:
    """The entry's answer on `today` with its sources, or the decline with suggestions."""
    if match.id is None:
        if not match.suggestions:
            return "(no question found in that text)"
        closest = "\n".join(f"  - {s}: {catalog.faq[s].questions.as_mapping()[lang][0]}"
                            for s in match.suggestions)
        return f"(not sure; declined at score {match.score:.2f}) Closest topics:\n{closest}"
    entry = catalog.faq[match.id]
    # Several passages of one document are one source to a reader: each title once, in order.
    titles = dict.fromkeys(catalog.seeds[s.seed].title if s.seed else s.title for s in entry.sources)
    sources = "\n".join(f"  - {title}" for title in titles)
    dated = f", as of {entry.as_of.display(lang)}" if entry.as_of is not None else ""
    body = answer_body(catalog, entry, lang, today, plain_style(Texts(catalog.strings).plain))
    return f"[{entry.id}] (score {match.score:.2f}{dated})\n\n{body}\n\nSources:\n{sources}"


def stats_json(stats: CampaignStats) -> dict:
    data = asdict(stats)
    data["today"] = stats.today.isoformat()
    data["by_day"] = [[day.isoformat(), n] for day, n in stats.by_day]
    return data


def stats_table(stats: CampaignStats) -> str:
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
        *rows("By channel", stats.by_channel),
        *rows("By official", stats.by_official),
    ]
    return "\n".join(lines)
