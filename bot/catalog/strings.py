"""Interface strings (content/i18n/<lang>.yaml): every key in every language."""

from __future__ import annotations

import string
from pathlib import Path

from .build import Problems
from .schema import LANGUAGES
from .yaml_source import SourceMap, YamlProblem, load_yaml


def placeholders(text: str) -> set[str]:
    """The {names} a string expects from str.format."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return {"<malformed braces>"}


def load_strings(directory: Path, display, problems: Problems) -> dict[str, dict[str, str]]:
    loaded: dict[str, SourceMap] = {}
    for lang in LANGUAGES:
        path = directory / f"{lang}.yaml"
        shown = display(path)
        if not path.exists():
            problems.add(shown, 1, f"missing interface strings for {lang!r}")
            continue
        try:
            data = load_yaml(path)
        except YamlProblem as error:
            problems.add(shown, error.line, str(error))
            continue
        if not isinstance(data, SourceMap):
            problems.add(shown, 1, "expected a mapping of key: text")
            continue
        for key, value in data.items():
            if not isinstance(value, str) or not value.strip():
                problems.add(shown, data.line_of(key), f"string {key!r} should be non-empty text")
            elif placeholders(value) == {"<malformed braces>"}:
                problems.add(shown, data.line_of(key), f"string {key!r} has unbalanced {{ }}")
        loaded[lang] = data
    if len(loaded) == len(LANGUAGES):
        for lang, data in loaded.items():
            for other, other_data in loaded.items():
                if other == lang:
                    continue
                for key in data:
                    if key not in other_data:
                        problems.add(display(directory / f"{lang}.yaml"), data.line_of(key),
                                     f"string {key!r} is missing in {other}.yaml")
                    elif lang < other and isinstance(data[key], str) and isinstance(other_data[key], str):
                        mine, theirs = placeholders(data[key]), placeholders(other_data[key])
                        if mine != theirs:
                            problems.add(display(directory / f"{other}.yaml"), other_data.line_of(key),
                                         f"string {key!r} has placeholders {sorted(theirs)} but "
                                         f"{lang}.yaml has {sorted(mine)}")
    return {lang: {k: str(v) for k, v in data.items()} for lang, data in loaded.items()}
