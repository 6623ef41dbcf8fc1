"""The documentation held to the project, as Datasette's tests/test_docs.py
holds its settings: the site builds in strict mode (MkDocs fails on a dead
link or anchor between its pages), README.md's own links resolve, every file
the docs name exists, and every environment variable, CLI command and option,
and `check` rule the code has is documented.

A new setting, option or rule makes one of these fail until the docs say it.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from markdown.extensions.toc import slugify

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def _all_docs() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in _markdown_files())


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return {slugify(m.group(1).strip(), "-") for m in re.finditer(r"^#{1,6}\s+(.+)$", text, re.M)}


def test_the_site_builds_in_strict_mode(tmp_path):
    """MkDocs in strict mode: a link to a missing page or anchor, or a page
    left out of the nav, is a warning and fails the build."""
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "-f", str(ROOT / "mkdocs.yml"), "-d", str(tmp_path / "site")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    assert (tmp_path / "site" / "operating.html").is_file()


_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@pytest.mark.parametrize("path", _markdown_files(), ids=lambda p: p.name)
def test_no_dead_internal_link(path):
    """README.md is outside the site, so its links are checked here; the
    guides' too (the same rule as the build, with a clearer message)."""
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    dead = []
    for target in _LINK.findall(text):
        if "://" in target or target.startswith("mailto:"):
            continue
        file, _, anchor = target.partition("#")
        linked = (path.parent / file).resolve() if file else path
        if not linked.exists() or (anchor and linked.suffix == ".md" and anchor not in _anchors(linked)):
            dead.append(target)
    assert not dead, f"{path.name}: dead links {dead}"


# A path the docs name in backticks, under one of the project's folders:
# `bot/core/identity.py`, `tests/chat/test_privacy.py::test_name`, `deploy/compose.yaml`.
_PATH = re.compile(r"`((?:bot|tests|content|deploy|seeds|docs)/[\w./<>*-]*?)(?:::(\w+))?(?:\[[^\]]*\])?`")


@pytest.mark.parametrize("path", _markdown_files(), ids=lambda p: p.name)
def test_every_file_the_docs_name_exists(path):
    """No section may send a reader to a file (or a test) that is not there."""
    missing = []
    for found in _PATH.finditer(path.read_text(encoding="utf-8")):
        name, function = found.group(1), found.group(2)
        if any(c in name for c in "<>*"):
            continue  # a pattern (`tests/<package>/test_<feature>.py`), not a file
        target = ROOT / name
        if not target.exists():
            missing.append(name)
        elif function and not re.search(rf"def {function}\b", target.read_text(encoding="utf-8")):
            missing.append(f"{name}::{function}")
    assert not missing, f"{path.name} names what does not exist: {missing}"


def _environment_variables() -> set[str]:
    source = (ROOT / "bot" / "core" / "config.py").read_text(encoding="utf-8")
    return set(re.findall(r"""\bget\(["']([A-Z][A-Z0-9_]+)["']\)""", source))


def test_every_environment_variable_is_in_the_configuration_table():
    names = _environment_variables()
    assert {"TELEGRAM_BOT_TOKEN", "DATABASE_URL", "SEMANTIC_TIER"} <= names  # the scan still works
    table = (DOCS / "operating.md").read_text(encoding="utf-8")
    missing = sorted(n for n in names if f"| `{n}` |" not in table)
    assert not missing, f"docs/operating.md, Configuration, lacks {missing}"


def _commands():
    from bot.cli import _parser

    parser = _parser()
    (subparsers,) = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    for name, command in subparsers.choices.items():
        options = [s for a in command._actions for s in a.option_strings
                   if s.startswith("--") and s != "--help"]
        yield name, options


def _command_block() -> str:
    text = (DOCS / "operating.md").read_text(encoding="utf-8")
    section = text.split("## Command line", 1)[1]
    return section.split("```", 2)[1]


def test_every_cli_command_and_option_is_in_the_command_line_section():
    """Each command has a line `advocacy-bot NAME …` in the synopsis, and
    each of its options is on that command's lines."""
    block = _command_block()
    entries = {m.group(1): m.group(0) for m in re.finditer(
        r"^advocacy-bot (\w[\w-]*)\b.*?(?=^advocacy-bot |\Z)", block, re.M | re.S)}
    missing = []
    commands = list(_commands())
    assert len(commands) >= 9
    for name, options in commands:
        if name not in entries:
            missing.append(name)
            continue
        missing += [f"{name} {o}" for o in options if not re.search(rf"{re.escape(o)}\b", entries[name])]
    assert not missing, f"docs/operating.md, Command line, lacks {missing}"


def _check_rules() -> set[str]:
    rules = set()
    for path in (ROOT / "bot" / "catalog").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rules |= {node.name for node in ast.walk(tree)
                  if isinstance(node, ast.FunctionDef) and re.fullmatch(r"_?check_\w+", node.name)
                  and node.name not in ("check_rules", "check_wording")}  # these only run the others
    return rules


def test_every_check_rule_is_in_the_organizers_table():
    rules = _check_rules()
    assert {"check_case", "_check_months", "check_glossary"} <= rules
    table = (DOCS / "organizers.md").read_text(encoding="utf-8").split("### What `check` refuses", 1)[1]
    missing = sorted(r for r in rules if f"| `{r}` |" not in table)
    assert not missing, f"docs/organizers.md, What check refuses, lacks {missing}"


def test_the_readme_stays_short():
    """The README is the way in; the long sections live in docs/."""
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 250


def test_the_readme_chat_is_what_the_console_shows(tmp_path):
    """The README's transcript is the console's output for the same input, so
    it cannot drift from the screens (lines starting "> " are what was typed)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## A chat", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    typed = [line[2:] for line in block.splitlines() if line.startswith("> ")]
    shown = [line for line in block.splitlines() if not line.startswith("> ")]
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "LANG")}
    env.update(DATABASE_PATH=str(tmp_path / "data/bot.sqlite3"), CONTENT_DIR=str(ROOT / "content"),
               SEEDS_DIR=str(ROOT / "seeds"))
    done = subprocess.run([sys.executable, "-m", "bot", "console", "--as-of", "2018-09-10"],
                          input="".join(f"{line}\n" for line in typed), capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()[2:]  # after the console's own two lines (who you are, the clock)
    assert [line for line in printed if line] == [line for line in shown if line]
