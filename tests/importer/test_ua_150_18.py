"""Importing seeds/'s Urgent Action text (UA 150.18, the US section's 2018
edition of the 2015–2020 sheet) and comparing the draft with the case the
organizers wrote by hand, content/campaigns/ua-150-18/, field by field.

Every difference is listed below with its reason: the hand corrections (the
minister's misspelt surname, the address's "Júarez", the asks and summary
rewritten), and what the sheet does not print (the issue month, the country,
the Spanish texts, the second-person asks, terms of office). Any other
difference fails the test."""

from __future__ import annotations

import shutil

import yaml

from bot.catalog import load_catalog
from tests.conftest import ROOT
from tests.importer.helpers import copy_tree, run, snapshot

SHEET = ROOT / "seeds" / "004_abbd29b784d6224f.txt"
NOT_PRINTED = "the sheet does not print it"
SPANISH = "the sheet is in English: every Spanish text is the organizers'"
REWORDED = 'reworded by hand from the sheet\'s bullet ("Urging…" -> "… should …")'
CASE_DIFFERENCES = {
    "status": ("draft", "an import is a draft until the organizer removes the mark"),
    "issued": (None, "the issue month: " + NOT_PRINTED),
    "country": (None, NOT_PRINTED + " (no header line with the country)"),
    "region": (None, "follows the country, which the sheet does not print"),
    "topics": ([], "the group's choice: " + NOT_PRINTED),
    "title.en": (
        "US-Mexico asylum deal would put many at risk",
        "the sheet's hyphen; the hand case writes US–Mexico with an en dash (glossary: us-mexico)",
    ),
    "title.es": ("", SPANISH),
    "summary.es": ("", SPANISH),
    "summary.en": (
        None,
        "rewritten by hand in the past tense and dated; the import keeps the sheet's first paragraph",
    ),
    "asks[1].en": (None, REWORDED),
    "asks[2].en": (None, REWORDED),
    "asks[3].en": (None, REWORDED),
    "asks[1].es": ("", SPANISH),
    "asks[2].es": ("", SPANISH),
    "asks[3].es": ("", SPANISH),
    "targets[1].official": (
        "luis-vidergaray",
        "the sheet misspells the minister's surname (Vidergaray); "
        "importing into the shipped tree reuses luis-videgaray",
    ),
    "targets[1].asks": ([], "the asks in the second person: " + NOT_PRINTED),
    "targets[2].asks": ([], "the asks in the second person: " + NOT_PRINTED),
    "sources": (
        None,
        "the hand case quotes the sentences it relies on; the import quotes the line each "
        "field came from (each found in the seed by check)",
    ),
    "updates": (None, 'from the "good news" update of 30 October 2018, which is not in seeds/'),
}
TERM = "the term of office: " + NOT_PRINTED
OFFICIAL_DIFFERENCES = {
    ("luis-vidergaray", "id"): ("luis-vidergaray", "made from the misspelt name"),
    ("luis-vidergaray", "name"): ("Luis Vidergaray", "the sheet misspells it (his Twitter handle does not)"),
    ("luis-vidergaray", "address"): (
        ["Luis Vidergaray", "Plaza Júarez No. 20, Piso 22", "Delegación Cuauhtémoc", "06010 CDMX"],
        'hand corrections: the name, "Plaza Juárez", and a country line for posting from abroad',
    ),
    ("luis-vidergaray", "organisation.en"): ("", NOT_PRINTED),
    ("luis-vidergaray", "organisation.es"): ("", NOT_PRINTED),
    ("luis-vidergaray", "title.es"): ("", SPANISH),
    ("luis-vidergaray", "salutation.es"): ("", SPANISH),
    ("luis-vidergaray", "language"): ("", NOT_PRINTED + ' (no "Preferred language" line)'),
    ("luis-vidergaray", "in_office"): (None, TERM),
    ("geronimo-gutierrez", "address"): (
        ["Gerónimo Gutiérrez", "Embassy of Mexico", "1911 Pennsylvania Ave. NW", "Washington, DC 20006"],
        "a country line added by hand for posting from abroad",
    ),
    ("geronimo-gutierrez", "title.en"): (
        "Ambassador",
        'the sheet prints "Ambassador" before the name; "of Mexico to the United States" is the hand\'s',
    ),
    ("geronimo-gutierrez", "title.es"): ("", SPANISH),
    ("geronimo-gutierrez", "organisation.es"): ("", SPANISH),
    ("geronimo-gutierrez", "salutation.es"): ("", SPANISH),
    ("geronimo-gutierrez", "phone"): ("202 728 1600", "the international prefix +1 is added by hand"),
    ("geronimo-gutierrez", "language"): ("", NOT_PRINTED + ' (no "Preferred language" line)'),
    ("geronimo-gutierrez", "in_office"): (None, TERM),
}
WHOLE = {"sources", "updates", "in_office", "address"}  # compared as one field each


def flat(value, path: str = "") -> dict:
    """{"title.en": …, "asks[2].es": …}: every field by its path."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            whole = key in WHOLE or (key == "asks" and name.startswith("targets"))
            out.update({name: item} if whole else flat(item, name))
        return out
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        out = {}
        for index, item in enumerate(value, start=1):
            out.update(flat(item, f"{path}[{index}]"))
        return out
    return {path: value}


def differences(got: dict, hand: dict) -> dict:
    return {key: got.get(key) for key in sorted(set(got) | set(hand)) if got.get(key) != hand.get(key)}


def test_the_draft_differs_from_the_hand_made_case_only_where_listed(tmp_path):
    content, seeds = copy_tree(tmp_path)
    shutil.rmtree(content / "campaigns" / "ua-150-18")
    (content / "officials.yaml").write_text("# none yet\n[]\n", encoding="utf-8")  # nothing to reuse
    from bot.importer.importing import import_sheet

    import_sheet(SHEET, content, seeds)
    got = yaml.safe_load((content / "campaigns" / "ua-150-18" / "campaign.yaml").read_text(encoding="utf-8"))
    hand = yaml.safe_load((ROOT / "content" / "campaigns" / "ua-150-18" / "campaign.yaml").read_text())
    found = differences(flat(got), flat(hand))
    assert sorted(found) == sorted(CASE_DIFFERENCES)
    for key, (value, _why) in CASE_DIFFERENCES.items():
        if value is not None:
            assert found[key] == value, key
    # The same fields, equal: the reference, the deadline, the channels.
    assert (got["reference"], got["deadline"].isoformat(), got["channels"]) == (
        "UA 150.18",
        "2018-09-27",
        ["letter", "email", "call", "tweet"],
    )
    assert [a["en"] for a in got["asks"]] == [
        "Urging Mexican authorities to refuse to sign a “safe third country” agreement with the US",
        "Calling on the US State Department to halt any bilateral diplomatic discussions on a “safe third "
        "country” agreement with Mexico",
        "Urging the US Department of Homeland Security to desist from promoting a “safe third country” "
        "agreement with Mexico and ensure people seeking asylum are allowed entry into the US",
    ]

    hand_officials = {
        o["id"]: flat(o) for o in yaml.safe_load((ROOT / "content" / "officials.yaml").read_text())
    }
    imported = yaml.safe_load((content / "officials.yaml").read_text(encoding="utf-8"))
    assert [o["id"] for o in imported] == ["luis-vidergaray", "geronimo-gutierrez"]
    found = {}
    for official in imported:
        hand_id = {"luis-vidergaray": "luis-videgaray"}.get(official["id"], official["id"])
        for key, value in differences(flat(official), hand_officials[hand_id]).items():
            found[(official["id"], key)] = value
    assert sorted(found) == sorted(OFFICIAL_DIFFERENCES)
    for key, (value, _why) in OFFICIAL_DIFFERENCES.items():
        if value is not None:
            assert found[key] == value, key
    # Equal to the hand's: names of the ambassador, titles in English, emails, Twitter handles,
    # the English salutations, and the block each is quoted from.


def test_importing_into_the_shipped_tree_reuses_the_officials_and_the_seed(tmp_path, monkeypatch, capsys):
    copy_tree(tmp_path)
    before = snapshot(tmp_path)
    code, _, err = run(monkeypatch, capsys, tmp_path, "import", str(SHEET))
    assert code == 2 and err == (
        f"error: import: case ua-150-18 already exists ({tmp_path}/content/campaigns/"
        "ua-150-18); use --force to replace it with this sheet's draft\n"
    )
    assert snapshot(tmp_path) == before

    code, out, err = run(monkeypatch, capsys, tmp_path, "import", "--force", str(SHEET))
    assert (code, err) == (0, "")
    assert "Officials already in officials.yaml, reused: luis-videgaray, geronimo-gutierrez" in out
    assert "Source document: seeds/004_abbd29b784d6224f.txt (amnesty-ua-150-18)" in out
    after = snapshot(tmp_path)
    changed = {name for name in after if after[name] != before.get(name)}
    assert all(name.startswith("content/campaigns/ua-150-18/") for name in changed)  # no official, no seed
    got = yaml.safe_load((tmp_path / "content/campaigns/ua-150-18/campaign.yaml").read_text(encoding="utf-8"))
    assert [t["official"] for t in got["targets"]] == ["luis-videgaray", "geronimo-gutierrez"]
    catalog = load_catalog(tmp_path / "content", tmp_path / "seeds")  # a draft with work left: warnings
    assert "ua-150-18" not in catalog.campaigns and catalog.warnings
