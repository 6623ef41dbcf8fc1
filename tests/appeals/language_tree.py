"""A content tree with officials who read Portuguese and French: the shipped
content/ plus tests/data/appeal_languages (a fictional case and officials),
added the way an organizer adds them. Shared by the tests of appeal languages."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "appeal_languages"
CASE = "test-ua-555-27"
# 1 February 2027, noon UTC: the fictional case is open, UA 150.18 long closed.
WHILE_OPEN = datetime.fromisoformat("2027-02-01T12:00:00+00:00").timestamp()


def language_tree(destination: Path) -> Path:
    """Returns the content dir of the tree, built under `destination`."""
    content = destination / "content"
    shutil.copytree(ROOT / "content", content)
    shutil.copytree(DATA / "campaigns", content / "campaigns", dirs_exist_ok=True)
    with (content / "officials.yaml").open("a", encoding="utf-8") as officials:
        officials.write((DATA / "officials.yaml").read_text(encoding="utf-8"))
    return content
