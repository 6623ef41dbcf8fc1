"""YAML that remembers where each value came from.

Content errors must point at `path:line`, so mappings and lists are loaded as
`SourceMap`/`SourceList`: ordinary dicts and lists that also know the line of
each key and item. Duplicate keys, which plain PyYAML silently overwrites,
are reported instead.
"""

from __future__ import annotations

from pathlib import Path

import yaml


class SourceMap(dict):
    """A dict with the 1-based line of itself (`line`) and of each key."""

    line: int
    key_lines: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class SourceList(list):
    """A list with the 1-based line of itself and of each item."""

    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class DuplicateKey(yaml.YAMLError):
    def __init__(self, key, line: int):
        super().__init__(f"key {key!r} appears twice")
        self.key, self.line = key, line


class _Lines:
    """Constructors that keep each mapping's and list's lines (mixed into a loader)."""

    def construct_mapping(self, node, deep=False):
        result = SourceMap()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in result:
                raise DuplicateKey(key, key_node.start_mark.line + 1)
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sequence(self, node, deep=False):
        result = SourceList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result

    def construct_yaml_timestamp(self, node):
        """An impossible date (2018-09-31) stays text, so the schema can say why."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


def _line_loader(base: type) -> type:
    loader = type(f"Line{base.__name__}", (_Lines, base), {})
    loader.add_constructor("tag:yaml.org,2002:timestamp", _Lines.construct_yaml_timestamp)
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Lines.construct_mapping)
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _Lines.construct_sequence)
    return loader


# libyaml's parser when PyYAML was built with it (its wheels are): the same
# nodes and marks as the pure-Python parser, several times faster, which is
# most of loading the content at start.
PURE_LOADER = _line_loader(yaml.SafeLoader)
LOADER = _line_loader(yaml.CSafeLoader) if yaml.__with_libyaml__ else PURE_LOADER


class YamlProblem(Exception):
    """The file is not valid YAML; `line` says where."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def load_yaml(path: Path, loader: type = LOADER):
    """Parse one file into SourceMap/SourceList/scalars, or raise YamlProblem."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise YamlProblem(f"not UTF-8 text ({error.reason})", 1) from None
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a (C)SafeLoader subclass
    except DuplicateKey as error:
        raise YamlProblem(str(error), error.line) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlProblem(_explained(error, text, line), line) from None


def _explained(error: yaml.MarkedYAMLError, text: str, line: int) -> str:
    """The parser's words, with what to do for the two mistakes people make
    most: a value holding ": " (an Urgent Action title, "Brazil: …") and a tab."""
    said = error.problem or error.context or "cannot be read"
    lines = text.splitlines()
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in here or "tab character" in said:
        return (f"invalid YAML: a tab character ({said}); YAML indents with spaces only: "
                "replace the tab with spaces")
    if "mapping values are not allowed" in said:
        return (f"invalid YAML: a value holds a colon followed by a space ({said}); put the whole "
                'value in double quotes, e.g. title: "Brazil: …"')
    return f"invalid YAML: {said}"
