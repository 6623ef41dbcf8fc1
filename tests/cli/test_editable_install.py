"""`make run` installs the project in editable mode: no setuptools banner
("Please be careful with folders in your working directory…") on the way."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_the_editable_install_prints_no_banner(tmp_path):
    built = subprocess.run(
        [sys.executable, "-W", "always", "-c",
         "import sys, setuptools.build_meta as b; print(b.build_editable(sys.argv[1]))", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    assert built.stdout.strip().endswith(".whl")
    said = built.stdout + built.stderr
    assert "Please be careful with folders" not in said and "meta path finder" not in said
