"""Content YAML is parsed by libyaml when PyYAML has it (most of start-up was
the pure-Python parser): the fast parser must read every shipped file to the
same values and lines, and report a broken file at the same line (the two
word their messages differently: "did not find expected ',' or ']'" against
"expected ',' or ']', but got ':'")."""

from __future__ import annotations

import pytest
import yaml

from bot.catalog.yaml_source import LOADER, PURE_LOADER, SourceList, SourceMap, YamlProblem, load_yaml
from tests.conftest import ROOT

FILES = sorted([*(ROOT / "content").rglob("*.yaml"), *(ROOT / "seeds").rglob("*.yaml")])


def with_lines(value):
    """The value with every mapping's and list's lines made visible to ==."""
    if isinstance(value, SourceMap):
        return ("map", value.line, {k: (value.line_of(k), with_lines(v)) for k, v in value.items()})
    if isinstance(value, SourceList):
        return ("list", value.line, [(value.line_of(i), with_lines(v)) for i, v in enumerate(value)])
    return value


def test_the_fast_parser_is_in_use() -> None:
    assert yaml.__with_libyaml__ and issubclass(LOADER, yaml.CSafeLoader)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_both_parsers_read_each_file_alike(path) -> None:
    assert with_lines(load_yaml(path)) == with_lines(load_yaml(path, PURE_LOADER))


@pytest.mark.parametrize(("text", "line", "message"), [
    ("a: 1\nb: [1, 2\nc: 3\n", 3, "invalid YAML"),
    ('title: "unclosed\n', 2, "invalid YAML"),
    ("a:\n\t- tab\n", 2, "invalid YAML"),
    ("a: 1\nlist: [\n", 3, "invalid YAML"),
    ("a: 1\nb:\n  c: 2\n  c: 3\n", 4, "key 'c' appears twice"),
    ("date: 2018-09-31\n", None, None),
])
def test_both_parsers_report_a_broken_file_at_the_same_line(tmp_path, text, line, message) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    outcomes = []
    for loader in (LOADER, PURE_LOADER):
        try:
            outcomes.append(with_lines(load_yaml(path, loader)))
        except YamlProblem as problem:
            outcomes.append((problem.line, str(problem).split(":")[0]))
    assert outcomes[0] == outcomes[1]
    if line is not None:
        assert outcomes[0] == (line, message)
    else:  # an impossible date stays text
        assert outcomes[0][2]["date"][1] == "2018-09-31"
