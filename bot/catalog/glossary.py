"""The glossary (content/glossary.yaml): one term per language for each name
that recurs in the content, and the variants `check` refuses.

A reader who meets "Permanecer en México" in one answer and "Quédate en
México" in the next cannot tell that they are one programme, so every
variant is reported wherever it appears, with its line. Matching is
case-sensitive on whole words; a space in a variant matches any run of
whitespace, so a variant folded across two lines of a YAML block is found
too. A variant listed for one language is flagged in that language's texts;
a field that is the same in every language (a reference, an address) is
checked against every variant that is not also some language's term.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.catalog.build import Builder, Problems
from bot.catalog.content_texts import Passage
from bot.catalog.schema import LANGUAGES, NOWHERE, Where
from bot.catalog.yaml_source import SourceList, YamlProblem, load_yaml

GLOSSARY_FILE = "glossary.yaml"


@dataclass(frozen=True)
class Variants:
    en: tuple[str, ...] = ()
    es: tuple[str, ...] = ()


@dataclass(frozen=True)
class GlossaryTerm:
    id: str
    en: str
    es: str
    flag: Variants = field(default_factory=Variants)
    note: str | None = None
    where: Where = field(default=NOWHERE, compare=False, repr=False)


def _words(variant: str) -> str:
    """The variant's words as a regex; a space matches any whitespace (line folds)."""
    return r"\s+".join(re.escape(word) for word in variant.split())


def variant_pattern(variant: str) -> re.Pattern[str]:
    """Whole words, case-sensitive."""
    return re.compile(r"(?<!\w)" + _words(variant) + r"(?!\w)")


@dataclass(frozen=True)
class _Rule:
    term: GlossaryTerm
    lang: str
    variant: str
    pattern: re.Pattern[str]

    def message(self) -> str:
        term = getattr(self.term, self.lang)
        return f"{self.variant!r} is not the glossary term: write {term!r} (glossary: {self.term.id})"


def load_glossary(path: Path, display, problems: Problems) -> list[GlossaryTerm]:
    """The terms, or none when the file is absent (nothing recurs yet)."""
    if not path.exists():
        return []
    shown = display(path)
    try:
        data = load_yaml(path)
    except YamlProblem as error:
        problems.add(shown, error.line, str(error))
        return []
    builder = Builder(shown, problems)
    if not isinstance(data, SourceList):
        builder.problem(1, "expected a list of glossary terms")
        return []
    terms = [builder.build(GlossaryTerm, item, data.line_of(i)) for i, item in enumerate(data)]
    terms = [t for t in terms if t is not None]
    for term in terms:  # a variant must never flag a term written as the glossary says
        for lang in LANGUAGES:
            for variant in getattr(term.flag, lang):
                pattern = variant_pattern(variant)
                for other in terms:
                    if pattern.search(getattr(other, lang)):
                        problems.add(shown, term.where.of("flag"),
                                     f"variant {variant!r} ({lang}) would flag the term "
                                     f"{getattr(other, lang)!r} of {other.id!r}")
    return terms


def _rules(terms: Iterable[GlossaryTerm]) -> dict[str | None, list[_Rule]]:
    """The variants to look for in each language, and in language-neutral fields."""
    by_lang: dict[str | None, list[_Rule]] = {lang: [] for lang in LANGUAGES}
    terms = list(terms)
    for term in terms:
        for lang in LANGUAGES:
            for variant in getattr(term.flag, lang):
                by_lang[lang].append(_Rule(term, lang, variant, variant_pattern(variant)))
    preferred = {getattr(t, lang) for t in terms for lang in LANGUAGES}
    by_lang[None] = [r for lang in LANGUAGES for r in by_lang[lang] if r.variant not in preferred]
    return by_lang


def _one_pattern(rules: list[_Rule]) -> re.Pattern[str] | None:
    """All of a language's variants in one alternation (longest first), so each
    text is scanned once, not once per variant."""
    if not rules:
        return None
    ordered = sorted(rules, key=lambda r: -len(r.variant))
    return re.compile(r"(?<!\w)(?:" + "|".join(_words(r.variant) for r in ordered) + r")(?!\w)")


def check_glossary(terms: list[GlossaryTerm], texts: Iterable[Passage], problems: Problems,
                   already_reported: frozenset | set = frozenset()) -> None:
    """Report every variant; `already_reported` holds (path, passage line, offset)
    of words another rule has reported already."""
    rules = _rules(terms)
    scanners = {lang: (_one_pattern(found), {" ".join(r.variant.split()): r for r in found})
                for lang, found in rules.items()}
    for passage in texts:
        pattern, by_words = scanners.get(passage.lang, scanners[None])
        if pattern is None:
            continue
        for found in pattern.finditer(passage.text):
            rule = by_words[" ".join(found.group(0).split())]
            if (passage.path, passage.line, found.start()) not in already_reported:
                problems.add(passage.path, passage.line_at(found.start()), rule.message())
