"""Turn loaded YAML into the frozen dataclasses of `schema.py`, collecting
every problem instead of stopping at the first.

The conversion is driven by the dataclasses' own type hints, so the rules
(required fields, unknown fields, types, dates, allowed values) are the same
for every kind of content file.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from datetime import date
from functools import cache

from bot.catalog.schema import PartialDate, Where
from bot.catalog.yaml_source import SourceList, SourceMap

# A language code as content uses it: ISO 639-1, two lowercase letters ("pt").
LANGUAGE_CODE = re.compile(r"[a-z]{2}")


@dataclasses.dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, printed as `path:line: message`.

    A `root` problem (a file that cannot be read at all) is listed first:
    what follows from it is suppressed or comes after.
    """

    path: str
    line: int
    message: str
    root: bool = dataclasses.field(default=False, compare=False)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class Problems(list):
    def add(self, path: str, line: int, message: str, root: bool = False) -> None:
        self.append(Problem(path, line, message, root))


_MISSING = object()


@cache
def _hints(cls) -> dict[str, object]:
    return typing.get_type_hints(cls)


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, date):
        return "a date"
    return "nothing" if value is None else type(value).__name__


def _expected(hint) -> str:
    origin = typing.get_origin(hint)
    if hint is str:
        return "text"
    if hint is int:
        return "a whole number"
    if hint is bool:
        return "true or false"
    if origin is tuple:
        return "a list"
    if dataclasses.is_dataclass(hint):
        return "a mapping"
    return str(hint)


class Builder:
    """Builds one file's objects; problems go to the shared `problems` list."""

    def __init__(self, path: str, problems: Problems):
        self.path = path
        self.problems = problems

    def problem(self, line: int, message: str) -> None:
        self.problems.add(self.path, line, message)

    def build(self, cls, raw, line: int, label: str = ""):
        """An instance of dataclass `cls` from mapping `raw`, or None if unusable."""
        where_label = f"{label}: " if label else ""
        if not isinstance(raw, dict):
            self.problem(line, f"{where_label}expected a mapping, got {_describe(raw)}")
            return None
        hints = _hints(cls)
        # YAML key -> field; a field may name its key in metadata (`from`, a Python keyword).
        # Fields marked `derived` are set by the loader (a topic from its folder), never read;
        # a field whose key is "*" gathers the other keys (a salutation's other languages).
        fields = {f.metadata.get("yaml", f.name): f for f in dataclasses.fields(cls)
                  if f.name != "where" and not f.metadata.get("derived")}
        rest = fields.pop("*", None)
        ok = True
        values = {}
        extra: dict[str, str] = {}
        for key in raw:
            if key in fields:
                continue
            if rest is not None and isinstance(key, str) and LANGUAGE_CODE.fullmatch(key):
                value = self.convert(str, raw[key], raw.line_of(key), f"{label}.{key}" if label else key)
                ok = ok and value is not _MISSING
                extra[key] = value
                continue
            known = ", ".join(fields)
            self.problem(raw.line_of(key), f"{where_label}unknown field {key!r} (known: {known})")
            ok = False
        if rest is not None:
            values[rest.name] = extra
        for key, spec in fields.items():
            required = spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
            if key not in raw:
                if required:
                    self.problem(raw.line, f"{where_label}missing field {key!r}")
                    ok = False
                continue
            shown = f"{label}.{key}" if label else key
            value = self.convert(hints[spec.name], raw[key], raw.line_of(key), shown)
            if value is _MISSING:
                ok = False
            else:
                values[spec.name] = value
        if not ok:
            return None
        if "where" in {f.name for f in dataclasses.fields(cls)}:
            item_lines = {k: tuple(v.item_lines) for k, v in raw.items() if isinstance(v, SourceList)}
            values["where"] = Where(self.path, raw.line, dict(raw.key_lines), item_lines)
        return cls(**values)

    def convert(self, hint, value, line: int, name: str):
        """`value` converted to `hint`, or _MISSING after reporting why not."""
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (typing.Union, types.UnionType):
            if value is None and type(None) in args:
                return None
            (inner,) = [a for a in args if a is not type(None)]
            return self.convert(inner, value, line, name)
        if value is None:
            self.problem(line, f"{name!r} is empty")
            return _MISSING
        if origin is typing.Literal:
            if value not in args:
                allowed = ", ".join(str(a) for a in args)
                self.problem(line, f"{name!r} must be one of {allowed}, not {value!r}")
                return _MISSING
            return value
        if origin is tuple:
            if not isinstance(value, list):
                self.problem(line, f"{name!r} should be a list, not {_describe(value)}")
                return _MISSING
            items = []
            for index, item in enumerate(value):
                item_line = value.line_of(index) if isinstance(value, SourceList) else line
                converted = self.convert(args[0], item, item_line, f"{name}[{index + 1}]")
                if converted is _MISSING:
                    return _MISSING
                items.append(converted)
            return tuple(items)
        if hint is PartialDate:
            try:
                return PartialDate.parse(value)
            except ValueError:
                self.problem(line, f"{name!r} is not a valid date: {str(value)!r} "
                                   "(use YYYY-MM-DD, YYYY-MM or YYYY)")
                return _MISSING
        if dataclasses.is_dataclass(hint):
            built = self.build(hint, value, line, name)
            return _MISSING if built is None else built
        if hint is date:
            if isinstance(value, date):
                return value
            try:
                return date.fromisoformat(str(value))
            except ValueError:
                self.problem(line, f"{name!r} is not a valid date: {str(value)!r} (use YYYY-MM-DD)")
                return _MISSING
        if hint is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if hint is bool and isinstance(value, bool):
            return value
        if hint is str and isinstance(value, str):
            if not value.strip():
                self.problem(line, f"{name!r} is empty")
                return _MISSING
            return value.strip()
        self.problem(line, f"{name!r} should be {_expected(hint)}, not {_describe(value)}")
        return _MISSING


def as_map(value) -> SourceMap | None:
    return value if isinstance(value, SourceMap) else None
