"""The importer on the corpus of case sheets (tests/data/case_sheets/): every
format the network has published, fictional people and officials, each with
the fields a reader copies from it (expected.yaml).

Two promises: no field is ever filled with a value the sheet does not print
(a field may be missed, left empty for the organizer, never wrong), and the
field accuracy stated in docs/import.md is the one measured here."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml

from bot.catalog.quotes import normalise_passage
from bot.importer.fields import OFFICIAL_FIELDS, sheet_fields
from bot.importer.parsing import FORMAT_2006, FORMAT_2015, FORMAT_SPANISH, FORMAT_WEB, parse_sheet
from bot.importer.reading import read_sheet
from tests.conftest import ROOT
from tests.importer.helpers import SHEETS

EXPECTED = yaml.safe_load((SHEETS / "expected.yaml").read_text(encoding="utf-8"))
SCALARS = (
    "format",
    "lang",
    "further",
    "reference",
    "issued",
    "country",
    "title",
    "summary",
    "deadline",
    "language",
    "closed",
    "model_letter",
)
# The fields the importer leaves empty although the sheet prints them, and why.
KNOWN_MISSES = {
    ("2018-ua-201-18-aiusa-honduras.txt", "country"): "no header line names the country",
    ("2020-ua-31-20-egypt.txt", "language"): "Arabic has no appeal layouts: left for the organizer",
}


def parsed(name: str) -> dict:
    read = read_sheet(SHEETS / name)
    return sheet_fields(parse_sheet(read.text, web=read.web))


def field_pairs(expected: dict, got: dict):
    """(field, expected, got) for every field of one sheet."""
    for key in SCALARS:
        yield key, expected[key], got[key]
    for key in ("asks", "target_asks"):
        want, have = expected[key], got[key]
        for index in range(max(len(want), len(have))):
            yield (
                f"{key}[{index + 1}]",
                want[index] if index < len(want) else None,
                have[index] if index < len(have) else None,
            )
    for index in range(max(len(expected["officials"]), len(got["officials"]))):
        want = expected["officials"][index] if index < len(expected["officials"]) else {}
        have = got["officials"][index] if index < len(got["officials"]) else {}
        for key in OFFICIAL_FIELDS:
            yield f"officials[{index + 1}].{key}", want.get(key), have.get(key)


def measure() -> tuple[Counter, list, list]:
    tally, missed, wrong = Counter(), [], []
    for name, expected in EXPECTED.items():
        for field, want, have in field_pairs(expected, parsed(name)):
            tally["fields"] += 1
            if want == have:
                tally["right"] += 1
            elif have in (None, "", [], False):
                missed.append((name, field))
            else:
                wrong.append((name, field, want, have))
    return tally, missed, wrong


def test_the_corpus_covers_every_published_format():
    formats = Counter(entry["format"] for entry in EXPECTED.values())
    assert len(EXPECTED) >= 10
    assert all(formats[f] >= 2 for f in (FORMAT_2006, FORMAT_2015, FORMAT_SPANISH, FORMAT_WEB))
    further = [name for name, entry in EXPECTED.items() if entry["further"]]
    assert len(further) >= 2 and any(EXPECTED[name]["lang"] == "es" for name in further)
    assert {p.name for p in SHEETS.iterdir()} == {*EXPECTED, "expected.yaml"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_sheet_gives_its_fields_and_never_a_value_it_does_not_print(name):
    got = parsed(name)
    misses = []
    for field, want, have in field_pairs(EXPECTED[name], got):
        if want != have:
            assert have in (None, "", [], False), f"{field}: {have!r}, the sheet prints {want!r}"
            misses.append(field)
    assert misses == [field for (sheet, field) in KNOWN_MISSES if sheet == name]
    text = normalise_passage(read_sheet(SHEETS / name).text)
    values = [got["title"], got["summary"], *got["asks"], *got["target_asks"], *(got["model_letter"] or [])]
    for official in got["officials"]:
        values += [official[key] for key in OFFICIAL_FIELDS if key != "address"] + official["address"]
    for value in values:
        if isinstance(value, str):
            assert normalise_passage(value) in text, value  # printed, word for word


def test_the_accuracy_stated_in_the_guide_is_the_one_measured():
    tally, missed, wrong = measure()
    assert wrong == []
    assert sorted(missed) == sorted(KNOWN_MISSES)
    guide = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
    stated = re.search(r"(\d+) of (\d+) fields right\s+\((\d+\.\d)%\)", guide)
    assert stated, "docs/import.md states the field accuracy as 'N of M fields right (P%)'"
    assert (int(stated[1]), int(stated[2])) == (tally["right"], tally["fields"])
    assert stated[3] == f"{100 * tally['right'] / tally['fields']:.1f}"
