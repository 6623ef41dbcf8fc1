"""The command line counts in English as people do: "1 follower", "1 problem",
never "1 followers" or "problem(s)"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from bot.cli_output import AUDIENCE_NOUNS, counted
from tests.conftest import ROOT


def test_counted_takes_the_singular_for_one_only():
    assert counted(1, *AUDIENCE_NOUNS["followers"]) == "1 follower"
    assert counted(0, *AUDIENCE_NOUNS["followers"]) == "0 followers"
    assert counted(1234, *AUDIENCE_NOUNS["acted"]) == "1,234 followers who reported an action"


def test_check_says_one_problem_in_the_singular(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    faq = content / "faq" / "how-to-help.yaml"
    faq.write_text(faq.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    env = {**os.environ, "CONTENT_DIR": str(content), "SEEDS_DIR": str(ROOT / "seeds"),
           "DATABASE_PATH": str(tmp_path / "data/bot.sqlite3")}
    result = subprocess.run([sys.executable, "-m", "bot", "check"], capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=120)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "1 problem in content; fix it and try again."
