"""What the command line prints: FAQ answers as plain text and the stats
table. Organizer-facing, so English; supporters never see it."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from bot.ask.faq_answers import answer_body, answer_sources, plain_style
from bot.ask.faq_matcher import Match
from bot.broadcasts.announcement import choice_names, signup_rows
from bot.catalog import Catalog
from bot.catalog.i18n import Texts
from bot.store import CampaignStats, SignupCounts


def counted(count: int, one: str, other: str) -> str:
    """"1 follower", "2 followers", "1,234 followers": the command line's plurals."""
    return f"{count:,} {one if count == 1 else other}"


AUDIENCE_NOUNS = {"followers": ("follower", "followers"),
                  "acted": ("follower who reported an action", "followers who reported an action")}


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
    titles = dict.fromkeys(catalog.seeds[s.seed].title if s.seed else s.title
                           for s in answer_sources(catalog, entry, today))
    sources = "\n".join(f"  - {title}" for title in titles)
    dated = f", as of {entry.as_of.display(lang)}" if entry.as_of is not None else ""
    body = answer_body(catalog, entry, lang, today, plain_style(Texts(catalog.strings).plain))
    cited = f"\n\nSources:\n{sources}" if sources else ""  # an answer about the bot may cite nothing
    return f"[{entry.id}] (score {match.score:.2f}{dated})\n\n{body}{cited}"


def answer_json(catalog: Catalog, match: Match, lang: str, today: date, asked) -> dict:
    """`ask --json`: the decision (`outcome`: answered, asked_back or declined,
    with the entries `offered` in order), and the answer itself as the chat
    shows it (its title, the entry's first phrasing in `lang`, and its plain
    text), so a script needs no second lookup; both null unless answered."""
    entry = catalog.faq.get(match.id) if match.id is not None else None
    return {"id": match.id,
            "title": entry.questions.as_mapping()[lang][0] if entry else None,
            "text": (answer_body(catalog, entry, lang, today, plain_style(Texts(catalog.strings).plain))
                     if entry else None),
            "score": round(match.score, 4), "suggestions": list(match.suggestions), "lang": lang,
            "tier": asked.tier, "outcome": asked.outcome, "offered": list(asked.offered)}


def official_names(catalog: Catalog, stats: CampaignStats) -> dict[str, str | None]:
    """Each official id in the figures to their name (None: no longer in content)."""
    return {official: (catalog.officials[official].name if official in catalog.officials else None)
            for official in stats.by_official}


def signup_figures(catalog: Catalog, counts: SignupCounts) -> dict:
    """Who is signed up for new cases: people, and per choice (all, each topic,
    each region) its English name and how many chose it."""
    rows = signup_rows(counts, choice_names(catalog, Texts(catalog.strings), "en"))
    return {"people": counts.people,
            "by_choice": {choice: {"name": name, "people": n} for choice, name, n in rows}}


def stats_json(stats: CampaignStats, names: dict[str, str | None], signups: dict | None = None) -> dict:
    data = asdict(stats)
    if signups is not None:
        data["signups"] = signups
    data["today"] = stats.today.isoformat()
    data["by_day"] = [[day.isoformat(), n] for day, n in stats.by_day]
    data["official_names"] = names
    return data


def stats_table(stats: CampaignStats, names: dict[str, str | None], signups: dict | None = None) -> str:
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
        f"Unique supporters:    {stats.supporters:>9,}  (once per person; after /forget, again the next day)",
        f"Last 7 days:          {stats.last_7_days:>9,}",
        f"Open contact problems:{stats.open_problems:>9,}",
        f"Official replies:     {stats.open_replies:>9,}  (to review)",
        f"Refused by limits:    {stats.capped:>9,}  (daily caps per supporter)",
        *rows("By channel", stats.by_channel),
        *rows("By official", by_name),
    ]
    if signups is not None:
        lines.append(f"Signed up for new cases:{signups['people']:>7,}  (one may choose several below)")
        width = max((len(c["name"]) for c in signups["by_choice"].values()), default=0)
        lines += [f"  {c['name'].ljust(width)}  {c['people']:>9,}" for c in signups["by_choice"].values()]
    return "\n".join(lines)


def draft_warnings(warnings) -> str:
    """What is left in draft cases, in working order, numbered."""
    lines = [f"{len(warnings)} warning(s): draft cases, not shown to supporters until finished. In order:"]
    lines += [f"{number}. {problem.path}:{problem.line}: warning: {problem.message}"
              for number, problem in enumerate(warnings, start=1)]
    return "\n".join(lines)


def import_report(sheet, plan, content_dir, dry_run: bool) -> str:
    """What `advocacy-bot import` found in a sheet and what it could not find."""
    from bot.importer.report import found_and_missing

    found, missing = found_and_missing(sheet)
    verb = "Would import" if dry_run else "Imported"
    what = (f"further information on {sheet.reference.value}, as an update to case {plan.case_id}"
            if sheet.further else f"{sheet.reference.value} as draft case {plan.case_id} "
                                  f"({content_dir}/campaigns/{plan.case_id}/)")
    lines = [f"{verb} {what} from a {sheet.format}."]
    lines += ["Found:"] + [f"  {line}" for line in found]
    if missing:
        lines += ["Not in the sheet (left empty):"] + [f"  {line}" for line in missing]
    if plan.officials_reused:
        lines.append(f"Officials already in officials.yaml, reused: {', '.join(plan.officials_reused)}")
    if plan.officials_new:
        lines.append(f"New officials added to officials.yaml: {', '.join(plan.officials_new)}")
    if sheet.copies or sheet.notes:
        lines += ["Not imported:"] + [f"  {note}" for note in (*sheet.copies, *sheet.notes)]
    lines.append(f"Source document: seeds/{plan.seed_file} ({plan.seed_id})")
    if not dry_run:
        lines.append("Next: advocacy-bot check lists what is left, in order.")
    return "\n".join(lines)
