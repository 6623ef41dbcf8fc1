"""Load the appeal templates and hold them to the contract.

Each case writes its own appeals: `campaigns/<id>/templates/<channel>.<lang>.j2`.
What every case shares (the letter's address block and layout, the sign-off,
the email's `subject`/`body` blocks) lives in `templates/` and is reached with
Jinja2 `extends` and `include`. A template is named by its path under
`content/` ("templates/letter.en.j2"); a name starting with "./" is relative to
the including template's folder, so a case folder can be copied to start the
next case without editing its includes. Files starting with "_" in a case's
templates folder are partials (a paragraph shared by its letter and email).

The appeal languages are the languages with layouts in `templates/`
(`letter.pt.j2`…), separate from the interface languages: adding a language
is adding its layouts. A case has templates in every interface language (the
supporter reads the appeal, or its translation, in theirs) and in the
language of each official it writes to.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from jinja2 import BaseLoader, TemplateNotFound, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from bot.catalog.build import Problems
from bot.catalog.dates import known_language
from bot.catalog.schema import CHANNELS, LANGUAGES
from bot.catalog.template_contract import (
    INTERFACE_ONLY,
    JINJA_BUILTINS,
    REQUIRED_BLOCKS,
    TEMPLATE_VARIABLES,
)

SHARED_DIR = "templates"
# The layouts each appeal language has in templates/ (the address blocks are shared).
LAYOUTS: tuple[str, ...] = (*CHANNELS, "signoff")
_LAYOUT_NAME = re.compile(rf"{SHARED_DIR}/(?:{'|'.join(LAYOUTS)})\.([a-z]{{2}})\.j2")


def appeal_languages(names: Iterable[str]) -> tuple[str, ...]:
    """The languages an appeal can be written in: those with layouts among
    the template `names` (a catalog's `templates`), sorted."""
    return tuple(sorted({m[1] for name in names if (m := _LAYOUT_NAME.fullmatch(name))}))


def case_template(campaign_id: str, channel: str, lang: str) -> str:
    """The name of a case's template for one channel and language."""
    return f"campaigns/{campaign_id}/templates/{channel}.{lang}.j2"


class ContentTemplates(BaseLoader):
    """Template sources by name, with "./" names relative to the includer."""

    def __init__(self, sources: dict[str, str]):
        self.sources = sources

    def get_source(self, environment, template):
        if template not in self.sources:
            raise TemplateNotFound(template)
        return self.sources[template], None, lambda: True


class AppealEnvironment(SandboxedEnvironment):
    """Sandboxed, so a template can read only what it is given."""

    def join_path(self, template: str, parent: str) -> str:
        if template.startswith("./"):
            return posixpath.normpath(posixpath.join(posixpath.dirname(parent), template))
        return template


def environment(sources: dict[str, str], **options) -> AppealEnvironment:
    return AppealEnvironment(loader=ContentTemplates(sources), **options)


def _check_names(tree: nodes.Template, report) -> None:
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    for node in tree.find_all(nodes.Name):
        if node.ctx != "load" or node.name in assigned or node.name in JINJA_BUILTINS:
            continue
        if node.name not in TEMPLATE_VARIABLES:
            known = ", ".join(TEMPLATE_VARIABLES)
            report(node.lineno, f"unknown template variable {node.name!r} (provided: {known})")
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name in TEMPLATE_VARIABLES:
            allowed = TEMPLATE_VARIABLES[node.node.name]
            if allowed is not None and node.attr not in allowed:
                report(
                    node.lineno,
                    f"unknown template variable '{node.node.name}.{node.attr}' "
                    f"(provided: {', '.join(sorted(allowed))})",
                )


def _references(tree: nodes.Template) -> Iterable[tuple[nodes.Node, object]]:
    """(node, the template name it extends or includes) for each extends/include."""
    for node in tree.find_all((nodes.Extends, nodes.Include)):
        yield node, node.template.value if isinstance(node.template, nodes.Const) else None


class _Checker:
    """Parses every template once and answers questions about the chains."""

    def __init__(self, sources: dict[str, str], paths: dict[str, str], problems: Problems):
        self.env = environment(sources)
        self.sources, self.paths, self.problems = sources, paths, problems
        self.trees: dict[str, nodes.Template] = {}
        for name in sources:
            self._parse(name)

    def report(self, name: str, line: int, message: str) -> None:
        self.problems.add(self.paths[name], line, message)

    def _parse(self, name: str) -> None:
        try:
            tree = self.env.parse(self.sources[name])
        except TemplateSyntaxError as error:
            self.report(name, error.lineno or 1, f"template syntax error: {error.message}")
            return
        self.trees[name] = tree
        _check_names(tree, lambda line, message: self.report(name, line, message))
        for node, target in _references(tree):
            if target is None:
                self.report(name, node.lineno, "extends/include must name a template in quotes")
            elif self.env.join_path(str(target), name) not in self.sources:
                self.report(name, node.lineno, f"no template {target!r} (names are paths under content/, "
                                               "like \"templates/letter.en.j2\", or \"./_part.j2\")")

    def chain(self, name: str, seen: frozenset = frozenset()) -> list[str]:
        """`name` and every template it extends or includes, each once."""
        tree = self.trees.get(name)
        if tree is None or name in seen:
            return []
        found = [name]
        for _, target in _references(tree):
            if target is not None:
                found += [n for n in self.chain(self.env.join_path(str(target), name), seen | {name, *found})
                          if n not in found]
        return found

    def interface_only(self, campaign_id: str, languages: list[str]) -> None:
        """Texts the content has only in the interface languages (a case's
        title, an official's title) cannot go into a case's appeal in another
        language: the case's template writes them itself."""
        reported: set[str] = set()
        for lang in languages:
            for channel in CHANNELS:
                for part in self.chain(case_template(campaign_id, channel, lang)):
                    if part not in reported:
                        reported.add(part)
                        self._interface_only(part, lang)

    def _interface_only(self, part: str, lang: str) -> None:
        for node in self.trees[part].find_all(nodes.Getattr):
            if isinstance(node.node, nodes.Name) and (node.node.name, node.attr) in INTERFACE_ONLY:
                self.report(part, node.lineno, f"'{node.node.name}.{node.attr}' has no {lang} text "
                                               f"(it is written in {', '.join(LANGUAGES)} only): write "
                                               f"it in the {lang} template itself")

    def blocks(self, name: str, seen: frozenset = frozenset()) -> set[str]:
        """Block names defined by a template and every template it extends."""
        tree = self.trees.get(name)
        if tree is None or name in seen:
            return set()
        found = {block.name for block in tree.find_all(nodes.Block)}
        for node, target in _references(tree):
            if isinstance(node, nodes.Extends) and target is not None:
                found |= self.blocks(self.env.join_path(str(target), name), seen | {name})
        return found


def _check_layouts(content_dir: Path, sources: Mapping[str, str], languages: tuple[str, ...],
                   display: Callable[[Path], str], problems: Problems) -> None:
    """Each appeal language has the whole set of layouts, and Babel knows it
    (the date line and the language's name come from there)."""
    for lang in languages:
        shown = display(content_dir / SHARED_DIR / f"letter.{lang}.j2")
        present = [kind for kind in LAYOUTS if f"{SHARED_DIR}/{kind}.{lang}.j2" in sources]
        if not known_language(lang):
            first = display(content_dir / SHARED_DIR / f"{present[0]}.{lang}.j2")
            problems.add(first, 1, f"{lang!r} is not a language code Babel knows (ISO 639-1, like pt); "
                                   "dates and language names come from it")
        for kind in LAYOUTS:
            if kind not in present:
                problems.add(shown if "letter" in present else display(content_dir / SHARED_DIR), 1,
                             f"missing layout {SHARED_DIR}/{kind}.{lang}.j2: every appeal language has "
                             f"{', '.join(f'{k}.{lang}.j2' for k in LAYOUTS)}")


def check_cases_apart(sources: dict[str, str], paths: dict[str, str], references: dict[str, str],
                      problems: Problems) -> None:
    """A case's templates are its own: none is byte-identical to another case's
    template, and none names another case's reference. Both are what a case
    folder copied to start the next one keeps until every template is rewritten.
    `references` maps each case id to its reference ("UA 150.18"), oldest case
    first: of two identical templates, the newer case's is the copy."""
    order = {case_id: place for place, case_id in enumerate(references)}
    first_with: dict[str, str] = {}
    for name, text in sorted(sources.items(), key=lambda item: order.get(_case_of(item[0]) or "", -1)):
        case_id = _case_of(name)
        if case_id is None:
            continue
        earlier = first_with.setdefault(_with_own_partials(text, name, sources), name)
        if earlier != name and _case_of(earlier) != case_id:
            problems.add(paths[name], 1, f"this template is the same as {paths[earlier]}: "
                                         "write this case's own text")
        for other, reference in references.items():
            if other != case_id and (line := _line_naming(text, reference)) is not None:
                problems.add(paths[name], line, f"names another case's reference, {reference!r}: "
                                                "was this template copied from that case?")


_OWN_PARTIAL = re.compile(r"""\{%-?\s*include\s+["'](\./[^"']+)["']""")


def _with_own_partials(text: str, name: str, sources: dict[str, str]) -> str:
    """The template with the partials of its own folder it includes ("./_situation.en.j2"):
    two cases whose letters both say "include ./_situation.en.j2" are not copies
    when their situations differ (that include is what a copied folder keeps, by design)."""
    folder = posixpath.dirname(name)
    parts = [sources.get(posixpath.normpath(posixpath.join(folder, partial)), "")
             for partial in _OWN_PARTIAL.findall(text)]
    return "\0".join((text, *parts))


def _case_of(name: str) -> str | None:
    """"campaigns/ua-150-18/templates/letter.en.j2" -> "ua-150-18"."""
    parts = name.split("/")
    return parts[1] if len(parts) == 4 and parts[0] == "campaigns" else None


def _line_naming(text: str, reference: str) -> int | None:
    """The line of `text` that names `reference` (as written, or with the
    slash the network's sheets use: "UA 150/18"), or None."""
    forms = {reference, reference.replace(".", "/")}
    for number, line in enumerate(text.splitlines(), start=1):
        if any(form in line for form in forms):
            return number
    return None


def load_templates(content_dir: Path, cases: dict[str, set[str]], display: Callable[[Path], str],
                   problems: Problems, readers: Mapping[str, Iterable[str]] | None = None,
                   references: dict[str, str] | None = None) -> dict[str, str]:
    """Every template source by name, checked.

    `cases` maps each case id to the channels it offers, `readers` each case
    id to the languages its officials read; each channel needs a template in
    every interface language and in each of those.
    """
    sources: dict[str, str] = {}
    paths: dict[str, str] = {}

    def read(path: Path, name: str) -> None:
        paths[name] = display(path)
        try:
            sources[name] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.add(paths[name], 1, f"cannot read template: {error}")

    for path in sorted((content_dir / SHARED_DIR).glob("*.j2")):
        read(path, f"{SHARED_DIR}/{path.name}")
    languages = appeal_languages(sources)
    _check_layouts(content_dir, sources, languages, display, problems)
    for campaign_id, channels in cases.items():
        folder = content_dir / "campaigns" / campaign_id / "templates"
        for path in sorted(folder.glob("*.j2")):
            channel, _, lang = path.name.removesuffix(".j2").partition(".")
            if not path.name.startswith("_") and (channel not in CHANNELS or lang not in languages):
                problems.add(display(path), 1, "a case's template is named <channel>.<lang>.j2 (channel "
                                               f"{', '.join(CHANNELS)}; lang {', '.join(languages)}, the "
                                               "languages with layouts in templates/), "
                                               "or starts with _ for a partial")
                continue
            if not path.name.startswith("_") and channel not in channels:
                offered = ", ".join(sorted(channels, key=CHANNELS.index))
                problems.add(display(path), 1, f"template for {channel}, which the case does not offer "
                                               f"(its channels: {offered}): delete it, or add the channel")
                continue
            read(path, f"campaigns/{campaign_id}/templates/{path.name}")
        officials_read = [lang for lang in dict.fromkeys((readers or {}).get(campaign_id, ()))
                          if lang in languages and lang not in LANGUAGES]
        for channel in sorted(channels, key=CHANNELS.index):
            for lang in LANGUAGES:
                if case_template(campaign_id, channel, lang) not in sources:
                    problems.add(display(folder), 1, f"missing template {channel}.{lang}.j2: the case "
                                                     f"offers {channel} and supporters read {lang}")
            for lang in officials_read:
                if case_template(campaign_id, channel, lang) not in sources:
                    problems.add(display(folder), 1, f"missing template {channel}.{lang}.j2: the case "
                                                     f"offers {channel} and an official it writes to "
                                                     f"reads {lang}")
    check_cases_apart(sources, paths, references or {}, problems)
    checker = _Checker(sources, paths, problems)
    for campaign_id in cases:
        checker.interface_only(campaign_id, [lang for lang in languages if lang not in LANGUAGES])
        for channel, required in REQUIRED_BLOCKS.items():
            for lang in dict.fromkeys((*LANGUAGES, *languages)):
                name = case_template(campaign_id, channel, lang)
                if name in checker.trees:
                    missing = [b for b in required if b not in checker.blocks(name)]
                    if missing:
                        checker.report(name, 1, f"missing block {missing[0]!r} ({channel} templates need "
                                                f"{', '.join(required)}, here or in a template extended)")
    return sources
