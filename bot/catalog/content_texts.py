"""Every text under content/ that a supporter may read, with its file, line
and language.

The glossary and the reference rule look for words, not fields, so they read
the files themselves instead of the built catalog: that way they cover every
YAML and Jinja2 file whatever its kind (campaigns, officials, templates,
interface strings, and kinds or folders added later). Lines come from the YAML
node marks, so a word inside a block scalar is reported at its own line.

Left out, on purpose:
- `sources` (quotes, titles and publishers are copied verbatim from the
  documents, variants and all);
- FAQ `questions` after the first of each language: they are what supporters
  type, in every spelling people use, and only the first is ever shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.catalog.schema import LANGUAGES

VERBATIM_KEYS = frozenset({"sources"})
# libyaml's composer gives the same marks (character index, line) as the
# pure-Python one, fifty times faster; this pass reads every file a second time.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Passage:
    """One text as it stands in its file: `text` is the raw slice of the file."""

    path: str
    lang: str | None  # None: a field that is the same in every language
    text: str
    line: int  # the 1-based line on which `text` starts

    def line_at(self, offset: int) -> int:
        return self.line + self.text.count("\n", 0, offset)


def _template_lang(path: Path) -> str | None:
    """letter.es.j2 -> es."""
    parts = path.name.split(".")
    return parts[-2] if len(parts) >= 3 and parts[-2] in LANGUAGES else None


def _walk(node: yaml.Node, source: str, path: str, lang: str | None) -> Iterator[Passage]:
    if isinstance(node, yaml.ScalarNode):
        start, end = node.start_mark, node.end_mark
        yield Passage(path, lang, source[start.index:end.index], start.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            yield from _walk(child, source, path, lang)
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key in VERBATIM_KEYS:
                continue
            if key == "questions" and isinstance(value_node, yaml.MappingNode):
                yield from _first_questions(value_node, source, path)
                continue
            yield from _walk(value_node, source, path, key if key in LANGUAGES else lang)


def _first_questions(node: yaml.MappingNode, source: str, path: str) -> Iterator[Passage]:
    for key_node, value_node in node.value:
        lang = key_node.value if key_node.value in LANGUAGES else None
        if isinstance(value_node, yaml.SequenceNode) and value_node.value:
            yield from _walk(value_node.value[0], source, path, lang)


def passages(content_dir: Path, display: Callable[[Path], str], skip: frozenset[Path] = frozenset(),
             ) -> Iterator[Passage]:
    """Each readable text in every .yaml and .j2 file under `content_dir`.

    A file that is not valid YAML yields nothing: the loader reports it."""
    for path in sorted(content_dir.rglob("*")):
        if path in skip or not path.is_file():
            continue
        if path.suffix == ".j2":
            yield Passage(display(path), _template_lang(path), path.read_text(encoding="utf-8"), 1)
        elif path.suffix == ".yaml":
            try:
                source = path.read_text(encoding="utf-8")
                root = yaml.compose(source, Loader=_COMPOSER)
            except (UnicodeDecodeError, yaml.YAMLError):
                continue
            if root is None:
                continue
            is_strings = path.parent.name == "i18n" and path.stem in LANGUAGES
            yield from _walk(root, source, display(path), path.stem if is_strings else None)
