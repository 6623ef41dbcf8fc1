"""Cross-field content rules: what a caseworker checks before signing.

The schema proves that each field is well formed and the source check that
each quote exists; these rules check what the sentences around them claim:
- `as_of` does not end before the newest source an entry relies on;
- a month named without its year is not read in the wrong year;
- an FAQ entry about the bot itself carries no source date;
- both languages of every text hold the same figures (see `figures.py`);
- an Urgent Action reference is written one way, "UA 150.18", and not
  after the words it abbreviates ("Urgent Action UA 150.18" reads "Urgent
  Action Urgent Action 150.18");
- an Urgent Action's issuer is named as its seed names it (UA 150.18 was
  issued by Amnesty International USA, not by "Amnesty International");
- no glossary variant appears anywhere (see `glossary.py`).
Each problem is `path:line: message` at the line of the offending field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from bot.catalog.build import Problems
from bot.catalog.content_texts import Passage, passages
from bot.catalog.figures import figures
from bot.catalog.glossary import GLOSSARY_FILE, check_glossary, load_glossary
from bot.catalog.month_mentions import month_mentions
from bot.catalog.schema import (
    LANGUAGES,
    Campaign,
    Explainer,
    FaqEntry,
    Official,
    PartialDate,
    Seed,
    Source,
    Text,
    Where,
)

# "AU 150.18", "UA150.18", "UA 150/18", "Urgent Action 150.18": anything that
# looks like a reference must be the one form the campaigns use.
_REFERENCE_LIKE = re.compile(
    r"(?<!\w)(?:UA|AU|Urgent Action|Acci[oó]n [Uu]rgente)"
    r"\s*(?:No\.\s*)?[-–]?\s*\d{1,4}\s*[./-]\s*\d{2}(?!\d)")
_REFERENCE = re.compile(r"UA \d{1,4}\.\d{2}")
# "Urgent Action UA 150.18", "Acción Urgente {reference}", "Urgent Action
# {{ campaign.reference }}": the reference right after the words "UA" stands for.
_DOUBLED_REFERENCE = re.compile(
    r"(?<!\w)(?:Urgent Action|Acci[oó]n Urgente)\s+(?:<b>|\*)?"
    r"(?:UA\s*\d{1,4}(?:[./]\d{2})?|\{reference\}|\{\{\s*campaign\.reference\s*\}\})")
# The Urgent Action named as Amnesty International's when its seed's publisher
# is a section: "Amnesty International's Urgent Action", "la Acción Urgente de
# Amnistía Internacional" (the section's name continues with USA / EE. UU.).
_ISSUER = re.compile(
    r"(?<!\w)(?:Amnesty International(?! USA)(?:'s|’s) Urgent Action"
    r"|Amnesty International(?! USA) issued its Urgent Action"
    r"|Urgent Action (?:of|by|from) Amnesty International(?! USA)"
    r"|Acci[oó]n Urgente (?:de|que) Amnist[ií]a Internacional(?! EE\.\s*UU\.))")


def _source_date(source: Source, seeds: Mapping[str, Seed]) -> tuple[PartialDate, str] | None:
    if source.seed is not None:
        seed = seeds.get(source.seed)
        return (seed.date, seed.id) if seed else None
    return (source.date, source.title or "") if source.date else None


def _newest_source(sources: Iterable[Source], seeds: Mapping[str, Seed]) -> tuple[PartialDate, str] | None:
    dated = [d for d in (_source_date(s, seeds) for s in sources) if d is not None]
    return max(dated, key=lambda d: d[0].last_day()) if dated else None


def _iso(value: PartialDate) -> str:
    return "-".join([f"{value.year:04d}"] + [f"{n:02d}" for n in (value.month, value.day) if n])


def _check_as_of(item: Explainer | FaqEntry, seeds: Mapping[str, Seed], problems: Problems) -> None:
    """A date of a year or a month stands for the whole period, so `as_of: 2018`
    covers a source of August 2018 but `as_of: 2018-08` does not cover one that
    says only 2018 (it may be from November)."""
    where = item.where
    if isinstance(item, FaqEntry) and item.about == "bot":
        if item.as_of is not None:
            problems.add(where.path, where.of("as_of"), "an entry about the bot itself has no 'as_of': "
                         "it describes the bot as it runs, not a source")
        return
    if item.as_of is None:
        problems.add(where.path, where.line, "missing field 'as_of' (an entry about the sources needs "
                     "the date of the newest one; write 'about: bot' for an entry about the bot itself)")
        return
    newest = _newest_source(item.sources, seeds)
    if newest is not None and item.as_of.last_day() < newest[0].last_day():
        problems.add(where.path, where.of("as_of"),
                     f"as_of {_iso(item.as_of)} is earlier than the newest source relied on "
                     f"({newest[1]}, dated {_iso(newest[0])})")


def _check_months(item: Explainer | FaqEntry, field: str, text: Text, seeds: Mapping[str, Seed],
                  problems: Problems) -> None:
    """A month without a year reads as a month of the as_of year. That reading
    is wrong, or cannot be trusted, when the month comes after the as_of month
    or when the entry relies on a source from an earlier year."""
    as_of = item.as_of
    if as_of is None:
        return
    years = [d[0].year for d in (_source_date(s, seeds) for s in item.sources) if d is not None]
    older = min((y for y in years if y < as_of.year), default=None)
    for lang in LANGUAGES:
        for mention in month_mentions(text.get(lang), lang):
            if mention.has_year:
                continue
            if as_of.month and mention.month > as_of.month:
                reason = f"it comes after the entry's as_of ({_iso(as_of)}), so it is not in {as_of.year}"
            elif older is not None:
                reason = f"the entry is as of {_iso(as_of)} and relies on a source from {older}"
            else:
                continue
            problems.add(item.where.path, item.where.of(field),
                         f"{field}: {mention.words!r} ({lang}) needs its year: {reason}")


def _check_answer_from(entry: FaqEntry, problems: Problems) -> None:
    """A generated part can come out empty (no case open today): the entry must
    say what to say then, and a `when_empty` with nothing generated would never
    be shown."""
    where = entry.where
    if entry.answer_from is not None and entry.when_empty is None:
        problems.add(where.path, where.of("answer_from"), f"answer_from: {entry.answer_from} needs "
                     "'when_empty', the text shown when there is nothing to list")
    if entry.answer_from is None and entry.when_empty is not None:
        problems.add(where.path, where.of("when_empty"), "'when_empty' is only shown with 'answer_from' "
                     "(add it, or remove 'when_empty')")


def _check_figures(where: Where, line: int, label: str, text: Text, problems: Problems) -> None:
    found = {lang: figures(text.get(lang)) for lang in LANGUAGES}
    for lang in LANGUAGES:
        for other in LANGUAGES:
            if other == lang:
                continue
            for value, written in found[lang].items():
                if value not in found[other]:
                    problems.add(where.path, line, f"{label}: {written} in {lang} is not in {other}")


def _texts_of(item) -> Iterable[tuple[Where, int, str, Text]]:
    """Every two-language text of an object: (where, line, label, text)."""
    where = item.where
    if isinstance(item, Explainer):
        yield where, where.of("title"), "title", item.title
        yield where, where.of("body"), "body", item.body
    elif isinstance(item, FaqEntry):
        yield where, where.of("answer"), "answer", item.answer
        if item.when_empty is not None:
            yield where, where.of("when_empty"), "when_empty", item.when_empty
    elif isinstance(item, Official):
        for name in ("title", "organisation", "salutation"):
            yield where, where.of(name), name, getattr(item, name)
    elif isinstance(item, Campaign):
        yield where, where.of("title"), "title", item.title
        yield where, where.of("summary"), "summary", item.summary
        for index, ask in enumerate(item.asks):
            yield where, where.of("asks", index), f"asks[{index + 1}]", ask
        for number, update in enumerate(item.updates, start=1):
            yield update.where, update.where.of("title"), f"updates[{number}].title", update.title
            yield update.where, update.where.of("text"), f"updates[{number}].text", update.text


def _check_references(texts: Iterable[Passage], problems: Problems) -> set[tuple[str, int, int]]:
    """Report each badly written reference; return where, so that the glossary
    does not report the same words a second time."""
    reported = set()
    for passage in texts:
        for found in _REFERENCE_LIKE.finditer(passage.text):
            written = " ".join(found.group(0).split())
            if not _REFERENCE.fullmatch(written):
                problems.add(passage.path, passage.line_at(found.start()),
                             f"{written!r}: write an Urgent Action reference as 'UA 150.18' "
                             "(letters UA, a space, number.year)")
                reported.add((passage.path, passage.line, found.start()))
    return reported


def _check_reference_wording(texts: Iterable[Passage], issuers: Mapping[str, str],
                             problems: Problems) -> None:
    """The reference is not written after the words it abbreviates, and the
    Urgent Action is not credited to the whole movement in a file that relies
    on one a section issued (`issuers`: file -> the seed's publisher)."""
    for passage in texts:
        for found in _DOUBLED_REFERENCE.finditer(passage.text):
            written = " ".join(found.group(0).split())
            problems.add(passage.path, passage.line_at(found.start()),
                         f"{written!r}: the reference already says Urgent Action; write 'UA 150.18' alone, "
                         "or 'the Urgent Action (UA 150.18)'")
        if (issuer := issuers.get(passage.path)) is None:
            continue
        for found in _ISSUER.finditer(passage.text):
            written = " ".join(found.group(0).split())
            problems.add(passage.path, passage.line_at(found.start()),
                         f"{written!r}: the Urgent Action was issued by {issuer} (its seed's publisher); "
                         "name the issuer as the seed does")


_CITED_SEED = re.compile(r"(?m)^\s*-?\s*seed:\s*([\w.-]+)")


def _urgent_action_issuers(content_dir: Path, display: Callable[[Path], str],
                           seeds: Mapping[str, Seed]) -> dict[str, str]:
    """Each file relying on an Urgent Action that a section issued (its seed's
    publisher is not plain "Amnesty International"), with that section: the
    files citing the seed, and every file of a case whose campaign.yaml does.
    A case imported from an Amnesty International case sheet is not held to
    another case's issuer."""
    by_seed = {s.id: s.publisher for s in seeds.values()
               if s.kind == "urgent action" and s.publisher and s.publisher != "Amnesty International"}
    found: dict[str, str] = {}
    if not by_seed:
        return found
    for path in sorted(content_dir.rglob("*.yaml")):
        cited = {by_seed[i] for i in _CITED_SEED.findall(path.read_text(encoding="utf-8")) if i in by_seed}
        if len(cited) != 1:
            continue
        issuer = cited.pop()
        for file in (path.parent.rglob("*") if path.name == "campaign.yaml" else [path]):
            if file.is_file():
                found[display(file)] = issuer
    return found


def check_rules(content_dir: Path, display: Callable[[Path], str], problems: Problems, *,
                seeds: Mapping[str, Seed], campaigns: Iterable[Campaign], officials: Iterable[Official],
                explainers: Iterable[Explainer], faq: Iterable[FaqEntry]) -> None:
    """Add every rule's problems to `problems`; the loader calls this once."""
    explainers, faq = list(explainers), list(faq)
    for item in (*explainers, *faq):
        _check_as_of(item, seeds, problems)
    for explainer in explainers:
        _check_months(explainer, "title", explainer.title, seeds, problems)
        _check_months(explainer, "body", explainer.body, seeds, problems)
    for entry in faq:
        _check_months(entry, "answer", entry.answer, seeds, problems)
        if entry.when_empty is not None:
            _check_months(entry, "when_empty", entry.when_empty, seeds, problems)
        _check_answer_from(entry, problems)
    for item in (*campaigns, *officials, *explainers, *faq):
        for where, line, label, text in _texts_of(item):
            _check_figures(where, line, label, text, problems)
    glossary_path = content_dir / GLOSSARY_FILE
    terms = load_glossary(glossary_path, display, problems)
    texts = list(passages(content_dir, display, skip=frozenset({glossary_path})))
    reported = _check_references(texts, problems)
    _check_reference_wording(texts, _urgent_action_issuers(content_dir, display, seeds), problems)
    check_glossary(terms, texts, problems, already_reported=reported)
