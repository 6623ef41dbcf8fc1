"""The layout's one promise: imports run one way, inner to outer (docs/development.md,
"Architecture"). Every module under bot/ is parsed, function-local imports
included, and each import of another part of `bot` is checked against the
layers below; so is every import of python-telegram-bot's `telegram.ext`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Inner to outer. A part may import its own modules and any part of an inner
# layer; parts of one layer do not import each other, except the entry points.
LAYERS: tuple[frozenset[str], ...] = tuple(frozenset(layer) for layer in (
    {"core"},
    {"catalog"},
    {"store"},
    {"ask", "appeals", "broadcasts", "importer"},
    {"services"},
    {"runtime"},
    {"bot_api"},
    {"chat", "web"},
    {"cli", "cli_output", "console", "serve", "broadcast_command", "__main__"},
))
ENTRY_POINTS = LAYERS[-1]
# Parts that hold the campaign's logic: none may know python-telegram-bot's
# Application, handlers or jobs; all but the broadcast engine (which sends
# through its Bot and tells its errors apart) know nothing of it at all.
DOMAIN = frozenset({"core", "catalog", "store", "ask", "appeals", "broadcasts", "importer", "services",
                    "runtime"})
NO_TELEGRAM = DOMAIN - {"broadcasts"}


def part_of(module: str) -> str:
    """`bot.ask.faq_matcher` -> "ask"; `bot.cli` -> "cli"; `bot` itself -> ""."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer_of(part: str) -> int:
    for rank, layer in enumerate(LAYERS):
        if part in layer:
            return rank
    raise LookupError(f"bot.{part} is in no layer: add it to LAYERS in {Path(__file__).name}")


def module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def imports_of(path: Path, source: str) -> list[tuple[int, str]]:
    """(line, absolute module) for every import in the module, at any depth."""
    tree = ast.parse(source, filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            # `from bot import x` imports the part x
            if base == "bot":
                found += [(node.lineno, f"bot.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, base))
    return found


def violations(path: Path, source: str | None = None) -> list[str]:
    """What is wrong with one module's imports (its file's, or `source` as if it
    were at `path`), as `path:line: message`."""
    here = part_of(module_name(path))
    where = path.relative_to(ROOT)
    if source is None:
        source = path.read_text(encoding="utf-8")
    problems = []
    for line, target in imports_of(path, source):
        forbidden = "telegram" if here in NO_TELEGRAM else "telegram.ext"
        if here in DOMAIN and (target == forbidden or target.startswith(forbidden + ".")):
            problems.append(f"{where}:{line}: bot.{here} is domain code and imports {target}")
        if not target.startswith("bot.") or part_of(target) in ("", here):
            continue
        there = part_of(target)
        outward = layer_of(there) > layer_of(here)
        sideways = layer_of(there) == layer_of(here) and LAYERS[layer_of(here)] != ENTRY_POINTS
        if outward or sideways:
            problems.append(f"{where}:{line}: bot.{here} imports {target}, "
                            f"{'an outer layer' if outward else 'a part of its own layer'}")
    return problems


MODULES = sorted((ROOT / "bot").rglob("*.py"))


def test_every_part_of_bot_is_in_a_layer() -> None:
    parts = {part_of(module_name(path)) for path in MODULES} - {""}
    assert parts <= set().union(*LAYERS)
    assert {"core", "catalog", "store", "ask", "appeals", "broadcasts", "bot_api", "chat", "web"} <= parts


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_inner_to_outer(path: Path) -> None:
    assert violations(path) == []


PLANTED = ROOT / "bot" / "catalog" / "planted.py"  # never written: its source is given


@pytest.mark.parametrize(("source", "expected"), [
    ("from bot.chat.menu import main_menu", "2: bot.catalog imports bot.chat.menu, an outer layer"),
    ("def f():\n    from bot.web import dashboard", "3: bot.catalog imports bot.web, an outer layer"),
    ("from ..chat import menu", "2: bot.catalog imports bot.chat, an outer layer"),
    ("from bot import ask", "2: bot.catalog imports bot.ask, an outer layer"),
    ("from telegram.ext import ContextTypes", "2: bot.catalog is domain code and imports telegram.ext"),
    ("import telegram.ext", "2: bot.catalog is domain code and imports telegram.ext"),
])
def test_an_outward_import_is_reported_with_its_line(source: str, expected: str) -> None:
    """The checker itself: an outward import planted in the content layer is caught."""
    assert violations(PLANTED, f'"""A module."""\n{source}\n') == [f"bot/catalog/planted.py:{expected}"]


def test_inward_imports_and_the_own_part_pass() -> None:
    source = "from bot.core.clocks import day_of\nfrom .schema import Campaign\nimport jinja2\n"
    assert violations(PLANTED, source) == []


def test_only_the_broadcast_engine_of_the_domain_knows_the_bot_api() -> None:
    source, engine = "from telegram import InlineKeyboardMarkup\n", ROOT / "bot" / "broadcasts" / "planted.py"
    assert violations(engine, source) == []
    assert violations(engine, "from telegram.ext import Application\n") == [
        "bot/broadcasts/planted.py:1: bot.broadcasts is domain code and imports telegram.ext"]
    assert violations(PLANTED, source) == [
        "bot/catalog/planted.py:1: bot.catalog is domain code and imports telegram"]


def test_siblings_of_one_layer_do_not_import_each_other() -> None:
    assert violations(ROOT / "bot" / "web" / "planted.py", "from bot.chat.menu import main_menu\n") == [
        "bot/web/planted.py:1: bot.web imports bot.chat.menu, a part of its own layer"]
    assert violations(ROOT / "bot" / "cli.py", "from bot.console import run_console\n") == []
