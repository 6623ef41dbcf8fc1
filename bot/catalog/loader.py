"""Read content/ and seeds/ into one validated, frozen `Catalog`.

Validation covers the whole tree at once and reports every problem it finds,
each as `path:line: message`, so an organizer fixes everything in one pass.
The bot refuses to start while any problem remains.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

from bot.catalog.build import Builder, Problem, Problems
from bot.catalog.case_questions import with_case_phrasings
from bot.catalog.case_rules import check_case
from bot.catalog.drafts import Drafts
from bot.catalog.quotes import normalise_passage
from bot.catalog.rules import check_rules
from bot.catalog.schema import (
    CASE_GENERATORS,
    LANGUAGES,
    Campaign,
    Explainer,
    FaqEntry,
    Group,
    Official,
    PartialDate,
    Seed,
    Source,
    Topic,
    Where,
)
from bot.catalog.strings import load_strings
from bot.catalog.templates import appeal_languages, load_templates
from bot.catalog.yaml_source import SourceList, SourceMap, YamlProblem, load_yaml

EXPLAINER_MAX_CHARS = 900
GROUP_FILE = "group.yaml"
ID_SHAPE = re.compile(r"[a-z0-9][a-z0-9-]*")


class ContentError(Exception):
    """The content has problems; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (not p.root, p))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Catalog:
    """Everything a supporter can read, loaded once at start and never changed.

    `templates` holds every appeal template source by its name under content/
    (see `templates.py`); whether a case is open on a given day is for
    `bot.catalog.cases` to say, from these facts and a date.
    """

    seeds: Mapping[str, Seed]
    group: Group
    topics: Mapping[str, Topic]  # in the order Learn lists them
    campaigns: Mapping[str, Campaign]
    officials: Mapping[str, Official]
    explainers: tuple[Explainer, ...]
    faq: Mapping[str, FaqEntry]
    templates: Mapping[str, str]
    strings: Mapping[str, Mapping[str, str]]
    # What is left in draft cases (`status: draft`), in working order: warnings,
    # not errors, so the bot starts and reloads meanwhile (see drafts.py).
    warnings: tuple[Problem, ...] = ()

    @property
    def appeal_languages(self) -> tuple[str, ...]:
        """The languages an appeal can be written in: those with layouts."""
        return appeal_languages(self.templates)

    def summary(self) -> str:
        counts = ((len(self.topics), "topic", "topics"),
                  (len(self.campaigns), "case", "cases"),
                  (len(self.officials), "official", "officials"),
                  (len(self.explainers), "explainer", "explainers"),
                  (len(self.faq), "FAQ entry", "FAQ entries"))
        return "content OK: " + ", ".join(f"{n} {one if n == 1 else other}" for n, one, other in counts)


class _Reader:
    """Shared state while reading one tree: problems and path display."""

    def __init__(self, content_dir: Path, seeds_dir: Path):
        self.content_dir = content_dir
        self.seeds_dir = seeds_dir
        self.problems = Problems()
        # Ids (by kind) that a broken file or entry would have defined: a reference to
        # one is a follow-on of a problem already reported, so it is not reported again.
        kinds = ("seed", "official", "FAQ entry", "topic")
        self.broken: dict[str, set[str]] = {kind: set() for kind in kinds}
        self.unreadable: set[Path] = set()

    def display(self, path: Path) -> str:
        """Paths as the organizer typed them: relative to the working directory."""
        try:
            return os.path.relpath(path)
        except ValueError:
            return str(path)

    def read(self, path: Path):
        try:
            return load_yaml(path)
        except YamlProblem as error:
            self.problems.add(self.display(path), error.line, str(error), root=True)
        except OSError as error:
            self.problems.add(self.display(path), 1, f"cannot read: {error.strerror}", root=True)
        self.unreadable.add(path)
        return None

    def read_one_per_file(self, directory: Path, cls, topic: str | None = None) -> list:
        """Files holding one object each (explainers, FAQ), in `topic`'s folder or not."""
        return [replace(built, topic=topic) for path in sorted(directory.glob("*.yaml"))
                if (built := self.read_object(path, cls)) is not None]

    def read_topics(self) -> tuple[list[Topic], list[Explainer], list[FaqEntry]]:
        """One folder per topic: topics/<id>/topic.yaml, explainers/ and faq/."""
        topics, explainers, faq = [], [], []
        directory = self.content_dir / "topics"
        for folder in sorted(p for p in directory.iterdir() if p.is_dir()) if directory.is_dir() else ():
            path = folder / "topic.yaml"
            if not path.is_file():
                self.problems.add(self.display(folder), 1, "a topic folder needs a topic.yaml")
                continue
            topic = self.read_object(path, Topic)
            if topic is None:
                continue
            if topic.id != folder.name:
                self.problems.add(topic.where.path, topic.where.of("id"),
                                  f"topic id {topic.id!r} should match its folder name {folder.name!r}")
                continue
            topics.append(topic)
            explainers += self.read_one_per_file(folder / "explainers", Explainer, topic.id)
            faq += self.read_one_per_file(folder / "faq", FaqEntry, topic.id)
        return topics, explainers, faq

    def read_object(self, path: Path, cls):
        data = self.read(path)
        return None if data is None else Builder(self.display(path), self.problems).build(cls, data, 1)

    def read_cases(self) -> list[Campaign]:
        """One folder per case: campaigns/<id>/campaign.yaml (+ its templates/)."""
        directory = self.content_dir / "campaigns"
        for stray in sorted(directory.glob("*.yaml")):
            self.problems.add(self.display(stray), 1, "a case is a folder: move this file to "
                              f"campaigns/{stray.stem}/campaign.yaml, its templates to "
                              f"campaigns/{stray.stem}/templates/")
        cases = []
        for folder in sorted(p for p in directory.iterdir() if p.is_dir()) if directory.is_dir() else ():
            path = folder / "campaign.yaml"
            if not path.is_file():
                self.problems.add(self.display(folder), 1, "a case folder needs a campaign.yaml")
                continue
            campaign = self.read_object(path, Campaign)
            if campaign is None:
                continue
            if campaign.id != folder.name:
                self.problems.add(campaign.where.path, campaign.where.of("id"),
                                  f"case id {campaign.id!r} should match its folder name {folder.name!r}")
                continue
            cases.append(campaign)
        return cases

    def read_list_file(self, path: Path, cls) -> list:
        """Files holding a list of objects (officials, the seed index)."""
        data = self.read(path)
        if data is None:
            return []
        builder = Builder(self.display(path), self.problems)
        if not isinstance(data, SourceList):
            builder.problem(1, f"expected a list of {cls.__name__.lower()} entries", )
            return []
        objects = []
        for index, item in enumerate(data):
            built = builder.build(cls, item, data.line_of(index))
            if built is not None:
                objects.append(built)
            elif isinstance(item, dict) and isinstance(item.get("id"), str):
                self.broken.setdefault(cls.__name__.lower(), set()).add(item["id"])
        return objects

    def unique(self, objects: list, kind: str) -> dict:
        """By id; an id used twice, or not made of lowercase letters, digits and
        hyphens (ids travel in buttons' data, joined by ':'), is a problem."""
        by_id: dict = {}
        for obj in objects:
            if not ID_SHAPE.fullmatch(obj.id):
                self.problems.add(obj.where.path, obj.where.of("id"),
                                  f"{kind} id {obj.id!r}: use only lowercase letters, digits and hyphens")
            if obj.id in by_id:
                first = by_id[obj.id].where
                self.problems.add(obj.where.path, obj.where.of("id"),
                                  f"{kind} id {obj.id!r} is already used at {first.path}:{first.of('id')}")
            else:
                by_id[obj.id] = obj
        return by_id


def _check_sources(reader: _Reader, sources: tuple[Source, ...], seeds: dict, seed_texts: dict) -> None:
    for source in sources:
        where = source.where
        if source.seed is not None:
            if source.seed not in seeds:
                if reader.broken["seed"] or source.seed in reader.broken["seed"]:
                    continue  # the seed index itself has a problem, reported first
                reader.problems.add(where.path, where.of("seed"), f"unknown seed {source.seed!r} "
                                    f"(seeds/index.yaml has: {', '.join(seeds)})")
            elif not source.quote:
                reader.problems.add(where.path, where.line, "a seed source needs the 'quote' relied on")
            elif normalise_passage(source.quote) not in seed_texts[source.seed]:
                reader.problems.add(where.path, where.of("quote"),
                                    f"quote not found in seed {source.seed!r} ({seeds[source.seed].file})")
        elif not (source.title and source.publisher and source.date):
            reader.problems.add(where.path, where.line, "a source needs 'seed' and 'quote', or a named "
                                "public source with 'title', 'publisher' and 'date'")


def _check_official_language(reader: _Reader, official: Official, languages: tuple[str, ...]) -> None:
    """An official is written to in their language: it needs appeal layouts
    (content/templates/<channel>.<lang>.j2) and a salutation in it."""
    where = official.where
    if official.language not in languages:
        reader.problems.add(where.path, where.of("language"),
                            f"language {official.language!r} has no appeal layouts (content/templates/ "
                            f"has them for: {', '.join(languages)})")
    elif official.language not in official.salutation.languages():
        reader.problems.add(where.path, where.of("salutation"),
                            f"salutation has no {official.language} text ({official.name} reads "
                            f"{official.language}; add `{official.language}:` beside "
                            f"{', '.join(LANGUAGES)})")


def _issue_order(campaign: Campaign) -> tuple:
    """Oldest first; a case with no issue date counts as the newest."""
    return (campaign.issued is None, campaign.issued or PartialDate(0), campaign.id)


def _check_topic_seeds(reader: _Reader, item: Explainer | FaqEntry, topics: Mapping[str, Topic]) -> None:
    """A topic's explainers and answers quote its own source documents only,
    so a topic folder can be read, checked and retired on its own."""
    topic = topics.get(item.topic) if item.topic else None
    if topic is None:
        return
    for source in item.sources:
        if source.seed is not None and source.seed not in topic.seeds:
            reader.problems.add(source.where.path, source.where.of("seed"),
                                f"seed {source.seed!r} is not one of topic {topic.id!r}'s source documents "
                                f"(its topic.yaml lists: {', '.join(topic.seeds)})")


def _check_updates(reader: _Reader, campaign: Campaign, seeds: dict, seed_texts: dict) -> None:
    """Updates are numbered by their place in the file (`/broadcast ua-150-18 2`),
    so they must stay in date order: a new one goes at the end."""
    previous = None
    for update in campaign.updates:
        where = update.where
        _check_sources(reader, update.sources, seeds, seed_texts)
        if not update.sources:
            reader.problems.add(where.path, where.line, "an update needs at least one source")
        if previous is not None and update.date < previous.date:
            reader.problems.add(where.path, where.of("date"),
                                "updates must be in date order, oldest first (new ones go at the end)")
        if update.deadline is not None and update.deadline < update.date.first_day():
            reader.problems.add(where.path, where.of("deadline"),
                                "an update's new deadline is before its date")
        previous = update

def _check_refs(reader: _Reader, owner, field: str, ids: tuple[str, ...], known: Mapping, kind: str) -> None:
    for index, ref in enumerate(ids):
        if ref not in known and ref not in reader.broken[kind]:
            reader.problems.add(owner.where.path, owner.where.of(field, index), f"unknown {kind} {ref!r}")


def _load_seeds(reader: _Reader) -> tuple[dict[str, Seed], dict[str, str]]:
    index = reader.seeds_dir / "index.yaml"
    seeds = reader.unique(reader.read_list_file(index, Seed), "seed")
    if index in reader.unreadable:
        reader.broken["seed"].add("*")  # every seed reference would be "unknown": say it once
    texts = {}
    for seed in seeds.values():
        path = reader.seeds_dir / seed.file
        if not path.is_file():
            reader.problems.add(seed.where.path, seed.where.of("file"), f"seed file {seed.file!r} not found")
            continue
        texts[seed.id] = normalise_passage(path.read_text(encoding="utf-8"))
    return seeds, texts


def load_catalog(content_dir: Path, seeds_dir: Path) -> Catalog:
    """The validated catalog, or ContentError listing every problem."""
    reader = _Reader(Path(content_dir), Path(seeds_dir))
    problems = reader.problems
    if not reader.content_dir.is_dir():
        raise ContentError([Problem(reader.display(reader.content_dir), 1, "content folder not found")])
    seeds, seed_texts = _load_seeds(reader)
    officials_file = reader.content_dir / "officials.yaml"
    officials = reader.unique(reader.read_list_file(officials_file, Official), "official")
    campaigns = reader.unique(reader.read_cases(), "campaign")
    group = reader.read_object(reader.content_dir / GROUP_FILE, Group)
    topic_list, topic_explainers, topic_faq = reader.read_topics()
    topics = reader.unique(topic_list, "topic")
    explainers = reader.unique(topic_explainers, "explainer")
    faq_dir = reader.content_dir / "faq"
    faq = reader.unique([*reader.read_one_per_file(faq_dir, FaqEntry), *topic_faq], "FAQ")
    reader.broken["FAQ entry"] |= {p.stem for p in reader.content_dir.glob("**/faq/*.yaml")
                                   if p.stem not in faq}
    if officials_file in reader.unreadable:
        reader.broken["official"] |= {ref for c in campaigns.values() for ref in c.target_ids}
    strings = load_strings(reader.content_dir / "i18n", reader.display, problems)
    readers = {c.id: [officials[t].language for t in c.target_ids if t in officials]
               for c in campaigns.values()}
    templates = load_templates(reader.content_dir, {c.id: set(c.channels) for c in campaigns.values()},
                               reader.display, problems, readers,
                               references={c.id: c.reference for c in sorted(campaigns.values(),
                                                                             key=_issue_order)})
    languages = appeal_languages(templates)

    if group is not None:
        _check_sources(reader, group.network.sources, seeds, seed_texts)
    for topic in topics.values():
        _check_refs(reader, topic, "seeds", topic.seeds, seeds, "seed")
    for official in officials.values():
        _check_official_language(reader, official, languages)
        _check_sources(reader, official.sources, seeds, seed_texts)
        if official.in_office is not None:
            _check_sources(reader, official.in_office.sources, seeds, seed_texts)
    for campaign in campaigns.values():
        _check_refs(reader, campaign, "targets", campaign.target_ids, officials, "official")
        _check_refs(reader, campaign, "topics", campaign.topics, topics, "topic")
        _check_sources(reader, campaign.sources, seeds, seed_texts)
        _check_updates(reader, campaign, seeds, seed_texts)
        check_case(campaign, officials, problems, languages)
    for explainer in explainers.values():
        _check_refs(reader, explainer, "related", explainer.related, faq, "FAQ entry")
        _check_sources(reader, explainer.sources, seeds, seed_texts)
        _check_topic_seeds(reader, explainer, topics)
        for lang in LANGUAGES:
            length = len(explainer.body.get(lang))
            if length > EXPLAINER_MAX_CHARS:
                problems.add(explainer.where.path, explainer.where.of("body"),
                             f"body ({lang}) is {length} characters; the limit is {EXPLAINER_MAX_CHARS}")
    for entry in faq.values():
        expected = Path(entry.where.path).stem
        if entry.id != expected:
            problems.add(entry.where.path, entry.where.of("id"),
                         f"FAQ id {entry.id!r} should match its file name {expected!r}")
        _check_refs(reader, entry, "related", entry.related, faq, "FAQ entry")
        _check_sources(reader, entry.sources, seeds, seed_texts)
        _check_topic_seeds(reader, entry, topics)
        for lang, phrasings in entry.questions.as_mapping().items():
            if not phrasings:
                problems.add(entry.where.path, entry.where.of("questions"), f"no {lang} questions")
    # Answers made from the cases cite the cases' sources; an answer about the
    # bot itself (what it cannot do) may rest on no document.
    may_rest_on_no_document = [e for e in faq.values() if e.answer_from in CASE_GENERATORS or
                           (e.about == "bot" and not e.sources)]
    for item in (*campaigns.values(), *explainers.values(), *faq.values()):
        if not item.sources and item not in may_rest_on_no_document:
            problems.add(item.where.path, item.where.of("sources"), "at least one source is required")
    check_rules(reader.content_dir, reader.display, problems, seeds=seeds, campaigns=campaigns.values(),
                officials=officials.values(), explainers=explainers.values(), faq=faq.values())

    drafts = Drafts(reader.content_dir, reader.display)
    template_paths = {name: reader.display(reader.content_dir / name) for name in templates}
    problems, warnings, unfinished = drafts.split(problems, templates, template_paths)
    if problems:
        raise ContentError(problems)
    campaigns = {case_id: case for case_id, case in campaigns.items() if case_id not in unfinished}
    freeze = MappingProxyType
    topic_order = {t.id: (t.order, t.id) for t in topics.values()}
    return Catalog(
        seeds=freeze(seeds),
        group=group,
        topics=freeze({t.id: t for t in sorted(topics.values(), key=lambda t: topic_order[t.id])}),
        campaigns=freeze(campaigns),
        officials=freeze(officials),
        explainers=tuple(sorted(explainers.values(),
                                key=lambda e: (topic_order.get(e.topic, (0, "")), e.order, e.id))),
        faq=freeze(with_case_phrasings(faq, campaigns.values(), officials)),
        templates=freeze(templates),
        strings=freeze({lang: freeze(values) for lang, values in strings.items()}),
        warnings=tuple(warnings),
    )


__all__ = ["Catalog", "ContentError", "load_catalog", "SourceMap", "Where"]
