"""`status: draft`: what is left in a draft is a warning (the bot starts and
reloads), a draft with work left is kept out of the catalog, and a DRAFT
line left in a live case's template is an error."""

from __future__ import annotations

import pytest
import yaml

from bot.catalog import ContentError, load_catalog
from tests.importer.helpers import SHEETS, copy_tree, run

BRAZIL = "ua-45-19"


def imported(tmp_path, monkeypatch, capsys, sheet: str) -> None:
    copy_tree(tmp_path)
    code, _, err = run(monkeypatch, capsys, tmp_path, "import", str(SHEETS / sheet))
    assert (code, err) == (0, "")


def test_a_fresh_draft_loads_as_warnings_and_stays_out_of_the_catalog(tmp_path, monkeypatch, capsys):
    imported(tmp_path, monkeypatch, capsys, "web-ua-45-19-brazil.html")
    catalog = load_catalog(tmp_path / "content", tmp_path / "seeds")
    assert BRAZIL not in catalog.campaigns
    assert not {"paulo-henrique-amaral", "beatriz-nogueira-lopes"} & set(catalog.officials)
    messages = [w.message for w in catalog.warnings]
    assert messages[:4] == [
        "topics is empty: name the case's topics (see content/topics/)",
        "title.es is empty: the sheet does not print it; fill it in",
        "summary.es is empty: the sheet does not print it; fill it in",
        "asks[1].es is empty: the sheet does not print it; fill it in",
    ]
    assert messages[-1].startswith(f"{BRAZIL} is a draft, invisible to supporters; ")
    code, out, err = run(monkeypatch, capsys, tmp_path, "check")
    assert (code, err) == (0, "")
    assert (
        f"{len(messages)} warning(s): draft cases, not shown to supporters until finished. In order:" in out
    )


def test_a_title_with_a_colon_is_written_as_yaml_needs(tmp_path, monkeypatch, capsys):
    imported(tmp_path, monkeypatch, capsys, "web-ua-45-19-brazil.html")
    text = (tmp_path / "content" / "campaigns" / BRAZIL / "campaign.yaml").read_text(encoding="utf-8")
    assert "  en: 'Brazil: Indigenous leader threatened'\n" in text
    assert yaml.safe_load(text)["title"]["en"] == "Brazil: Indigenous leader threatened"


def test_a_draft_line_left_in_a_live_case_is_an_error(tmp_path):
    content, seeds = copy_tree(tmp_path)
    template = content / "campaigns" / "ua-150-18" / "templates" / "tweet.en.j2"
    template.write_text(
        "{#- DRAFT made by advocacy-bot import: proofread this appeal, then delete this "
        "line. -#}\n" + template.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as raised:
        load_catalog(content, seeds)
    assert [p.message for p in raised.value.problems] == [
        "still marked as a draft: proofread this appeal, then delete its DRAFT line"
    ]


def test_an_error_outside_the_draft_is_still_an_error(tmp_path, monkeypatch, capsys):
    imported(tmp_path, monkeypatch, capsys, "es-au-8-15-peru.txt")
    campaign = tmp_path / "content" / "campaigns" / "ua-150-18" / "campaign.yaml"
    campaign.write_text(
        campaign.read_text(encoding="utf-8").replace("deadline: 2018-09-27", "deadline: 2018-02-31")
    )
    code, _, err = run(monkeypatch, capsys, tmp_path, "check")
    assert code == 1 and "ua-8-15" not in err
    assert "'deadline': '2018-02-31' is not a day of the calendar" in err
