"""`check` on a network's content: a new case folder copied from another must
be rewritten (no template byte-identical to another case's, none naming
another case's reference), holds only the channels it offers, and names
topics that exist; a topic's entries quote its own documents. Each rule is one
`path:line: message`."""

from __future__ import annotations

import shutil

import pytest

from tests.catalog.test_content_check import edit, line_of, problems, tree  # noqa: F401 (fixture)

UA = "content/campaigns/ua-150-18"
COPY = "content/campaigns/ua-12-27"


@pytest.fixture
def copied(tree):  # noqa: F811
    """UA 150.18's folder copied to start a new case, its campaign.yaml made its own."""
    shutil.copytree(tree / UA, tree / COPY)
    edit(tree / COPY / "campaign.yaml", "id: ua-150-18", "id: ua-12-27")
    edit(tree / COPY / "campaign.yaml", "reference: UA 150.18", "reference: UA 12.27")
    edit(tree / COPY / "campaign.yaml", "issued: 2018-08", "issued: 2018-09")
    return tree


def test_a_template_copied_byte_for_byte_from_another_case_is_refused(copied):
    found = problems(copied)
    assert f"{COPY}/templates/letter.en.j2:1: this template is the same as {UA}/templates/letter.en.j2: " \
           "write this case's own text" in found
    # every copied file is named, partials too, and nothing else is wrong
    assert len(found) == 10 and all("is the same as" in p for p in found)


def test_a_template_naming_another_cases_reference_is_refused(copied):
    for path in (copied / COPY / "templates").glob("*.j2"):  # each file made different
        path.write_text("{#- UA 12.27 -#}" + path.read_text(encoding="utf-8"), encoding="utf-8")
    (copied / COPY / "templates/tweet.en.j2").write_text(
        "@{{ official.twitter }} Please act on UA 150.18 now. #UA1227", encoding="utf-8")
    assert problems(copied) == [f"{COPY}/templates/tweet.en.j2:1: names another case's reference, "
                                "'UA 150.18': was this template copied from that case?"]


def test_the_new_cases_own_reference_is_fine(copied):
    for path in (copied / COPY / "templates").glob("*.j2"):
        path.write_text("{#- UA 12.27 -#}" + path.read_text(encoding="utf-8"), encoding="utf-8")
    from bot.catalog import load_catalog
    assert "ua-12-27" in load_catalog(copied / "content", copied / "seeds").campaigns


def test_a_template_for_a_channel_the_case_does_not_offer_is_refused(tree):  # noqa: F811
    edit(tree / UA / "campaign.yaml", "channels: [letter, email, call, tweet]",
         "channels: [letter, email, tweet]")
    assert problems(tree) == [
        f"{UA}/templates/call.en.j2:1: template for call, which the case does not offer (its channels: "
        "letter, email, tweet): delete it, or add the channel",
        f"{UA}/templates/call.es.j2:1: template for call, which the case does not offer (its channels: "
        "letter, email, tweet): delete it, or add the channel"]


def test_a_case_naming_an_unknown_topic_is_refused(tree):  # noqa: F811
    edit(tree / UA / "campaign.yaml", "topics: [safe-third-country]", "topics: [safe-third-contry]")
    line = line_of(tree / UA / "campaign.yaml", "topics:")
    assert problems(tree) == [f"{UA}/campaign.yaml:{line}: unknown topic 'safe-third-contry'"]


def test_a_topic_entry_quoting_another_topics_document_is_refused(tree):  # noqa: F811
    topic = tree / "content/topics/safe-third-country/topic.yaml"
    edit(topic, "  - hrf-factsheet-2018\n", "")
    found = problems(tree)
    assert found and all("seed 'hrf-factsheet-2018' is not one of topic 'safe-third-country''s source "
                         "documents (its topic.yaml lists: amnesty-ua-150-18, ngo-press-release-2018, "
                         "news-2019-mexico-deal, mexico-is-the-wall-2020)" in p for p in found)


def test_a_topic_folder_without_its_topic_file_is_refused(tree):  # noqa: F811
    (tree / "content/topics/empty").mkdir()
    assert problems(tree) == ["content/topics/empty:1: a topic folder needs a topic.yaml"]


def test_a_group_file_is_needed(tree):  # noqa: F811
    (tree / "content/group.yaml").unlink()
    assert problems(tree)[0].startswith("content/group.yaml:1: cannot read")
