"""Interface strings (content/i18n/<lang>.yaml): every key in every language.

A string that depends on a number is a mapping of plural forms, `one` and
`other` (English and Spanish need no more), chosen by the `count` value it is
formatted with:

    report.thanks:
      one: "You are the first person to report acting on {reference}."
      other: "You are one of {count} people who acted on {reference}."
"""

from __future__ import annotations

import string
from pathlib import Path

from bot.catalog.build import Problems
from bot.catalog.schema import LANGUAGES
from bot.catalog.wording import check_wording
from bot.catalog.yaml_source import SourceMap, YamlProblem, load_yaml

PLURAL_FORMS = ("one", "other")


def placeholders(text: str) -> set[str]:
    """The {names} a string expects from str.format."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return {"<malformed braces>"}


def plural_form(count: int) -> str:
    """English and Spanish: one for exactly 1, other for everything else (0 too)."""
    return "one" if count == 1 else "other"


def _value_problem(value) -> str | None:
    """Why a string's value is unusable, or None."""
    if isinstance(value, dict):
        if set(value) != set(PLURAL_FORMS):
            return f"a plural string needs exactly the forms {', '.join(PLURAL_FORMS)}"
        forms = list(value.values())
        if not all(isinstance(v, str) and v.strip() for v in forms):
            return "each plural form should be non-empty text"
        if any(placeholders(v) == {"<malformed braces>"} for v in forms):
            return "has unbalanced { }"
        if "count" not in placeholders(value["other"]):
            return "the plural form 'other' should show {count}"
        return None
    if not isinstance(value, str) or not value.strip():
        return "should be non-empty text (or one/other plural forms)"
    if placeholders(value) == {"<malformed braces>"}:
        return "has unbalanced { }"
    return None


def _placeholders_of(value) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(placeholders(v) for v in value.values())) | {"count"}
    return placeholders(value)


def load_strings(directory: Path, display, problems: Problems) -> dict[str, dict[str, object]]:
    loaded: dict[str, SourceMap] = {}
    for lang in LANGUAGES:
        path = directory / f"{lang}.yaml"
        shown = display(path)
        if not path.exists():
            problems.add(shown, 1, f"missing interface strings for {lang!r}", root=True)
            continue
        try:
            data = load_yaml(path)
        except YamlProblem as error:
            problems.add(shown, error.line, str(error), root=True)
            continue
        if not isinstance(data, SourceMap):
            problems.add(shown, 1, "expected a mapping of key: text")
            continue
        for key, value in data.items():
            if (problem := _value_problem(value)) is not None:
                problems.add(shown, data.line_of(key), f"string {key!r} {problem}")
        loaded[lang] = data
        check_wording(lang, data, lambda key, shown=shown, data=data: (shown, data.line_of(key)), problems)
    if len(loaded) == len(LANGUAGES):
        for lang, data in loaded.items():
            for other, other_data in loaded.items():
                if other == lang:
                    continue
                for key in data:
                    if key not in other_data:
                        problems.add(display(directory / f"{lang}.yaml"), data.line_of(key),
                                     f"string {key!r} is missing in {other}.yaml")
                    elif lang < other and isinstance(data[key], dict) != isinstance(other_data[key], dict):
                        problems.add(display(directory / f"{other}.yaml"), other_data.line_of(key),
                                     f"string {key!r} has plural forms in one language only")
                    elif lang < other:
                        mine, theirs = _placeholders_of(data[key]), _placeholders_of(other_data[key])
                        if mine != theirs:
                            problems.add(display(directory / f"{other}.yaml"), other_data.line_of(key),
                                         f"string {key!r} has placeholders {sorted(theirs)} but "
                                         f"{lang}.yaml has {sorted(mine)}")
    return {lang: {k: (dict(v) if isinstance(v, dict) else str(v)) for k, v in data.items()}
            for lang, data in loaded.items()}
