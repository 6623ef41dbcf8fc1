"""Shared by the importer's tests: a copy of the shipped tree to import into,
and the command line run in it."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.cli import main
from tests.conftest import ROOT

SHEETS = ROOT / "tests" / "data" / "case_sheets"


def copy_tree(destination: Path) -> tuple[Path, Path]:
    """(content, seeds): a copy of the shipped ones."""
    shutil.copytree(ROOT / "content", destination / "content")
    shutil.copytree(ROOT / "seeds", destination / "seeds")
    return destination / "content", destination / "seeds"


def run(monkeypatch, capsys, tree: Path, *argv: str) -> tuple[int, str, str]:
    """`advocacy-bot ARGV` on the tree: (exit code, stdout, stderr)."""
    monkeypatch.setenv("CONTENT_DIR", str(tree / "content"))
    monkeypatch.setenv("SEEDS_DIR", str(tree / "seeds"))
    monkeypatch.setenv("DATABASE_PATH", str(tree / "data" / "bot.sqlite3"))
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(tree: Path) -> dict[str, bytes]:
    """Every file under the tree with its bytes: to prove a refused import wrote nothing."""
    return {str(p.relative_to(tree)): p.read_bytes() for p in sorted(tree.rglob("*")) if p.is_file()}
