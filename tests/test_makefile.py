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
    test_only = {re.split(r"[\[<>=!~ ]", d)[0].lower() for group in pyproject["optional-dependencies"].values()
                 for d in group} - running
    assert {"pytest", "playwright"} <= test_only
    run = dry_run(ROOT, "run", "-B")  # -B: as on a fresh clone, everything to do
    assert installs(run) == [".venv/bin/python -m pip install --quiet -e ."]
    assert not [name for name in test_only if name in " ".join(run).lower()]
    test = dry_run(ROOT, "test", "-B")
    assert installs(test) == [".venv/bin/python -m pip install --quiet -e '.[test]'"]
    for target in ("bench", "lint"):  # they need pytest and ruff
        assert installs(dry_run(ROOT, target, "-B")) == installs(test)


def test_switching_between_run_and_test_installs_only_what_is_missing(tmp_path):
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    old = time.time() - 60
    os.utime(tmp_path / "pyproject.toml", (old, old))
    (tmp_path / ".venv/bin").mkdir(parents=True)
    (tmp_path / ".venv/bin/python").touch()  # a venv exists, nothing installed yet
    assert installs(dry_run(tmp_path, "run")) == [".venv/bin/python -m pip install --quiet -e ."]
    (tmp_path / ".venv/.installed-run").touch()  # after `make run`
    assert installs(dry_run(tmp_path, "run")) == []
    assert installs(dry_run(tmp_path, "test")) == [".venv/bin/python -m pip install --quiet -e '.[test]'"]
    (tmp_path / ".venv/.installed-test").touch()  # after `make test` (which also stamps run)
    assert installs(dry_run(tmp_path, "run")) == [] and installs(dry_run(tmp_path, "test")) == []
    os.utime(tmp_path / "pyproject.toml")  # a dependency changed: both install again
    assert len(installs(dry_run(tmp_path, "run"))) == 1 and len(installs(dry_run(tmp_path, "test"))) == 1
