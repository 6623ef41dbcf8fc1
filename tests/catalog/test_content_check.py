"""`advocacy-bot check`: every kind of content mistake is reported as
`path:line: message`, all at once, and the bot refuses to start."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.catalog import ContentError, load_catalog
from tests.conftest import ROOT


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A copy of the shipped content and seeds; paths are reported relative to it."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def problems(tree: Path) -> list[str]:
    with pytest.raises(ContentError) as raised:
        load_catalog(tree / "content", tree / "seeds")
    return [str(p) for p in raised.value.problems]


def test_shipped_content_is_valid(tree):
    catalog = load_catalog(tree / "content", tree / "seeds")
    assert catalog.summary().startswith("content OK: 1 topic, 1 case, 2 officials, ")
    assert len(catalog.explainers) >= 8 and len(catalog.faq) >= 36


CAMPAIGN = "content/campaigns/ua-150-18/campaign.yaml"
TEMPLATES = "content/campaigns/ua-150-18/templates"
OFFICIALS = "content/officials.yaml"


def test_missing_field(tree):
    edit(tree / CAMPAIGN, "reference: UA 150.18\n", "")
    line = line_of(tree / CAMPAIGN, "id: ua-150-18")
    assert problems(tree) == [f"{CAMPAIGN}:{line}: missing field 'reference'"]


def test_unknown_field(tree):
    edit(tree / CAMPAIGN, "status: open\n", "status: open\nstatsu: closed\n")
    line = line_of(tree / CAMPAIGN, "statsu:")
    assert problems(tree) == [
        f"{CAMPAIGN}:{line}: unknown field 'statsu' (did you mean 'status'? known: id, reference, status, "
        "title, summary, asks, targets, channels, sources, topics, country, region, at_risk, people, issued, "
        "deadline, updates)"]


def test_wrong_type(tree):
    edit(tree / CAMPAIGN, "channels: [letter, email, call, tweet]", "channels: letter")
    line = line_of(tree / CAMPAIGN, "channels:")
    assert problems(tree) == [f"{CAMPAIGN}:{line}: 'channels' should be a list, not text"]


def test_bad_value(tree):
    edit(tree / CAMPAIGN, "status: open", "status: opne")
    line = line_of(tree / CAMPAIGN, "status: opne")
    assert problems(tree) == [f"{CAMPAIGN}:{line}: 'status' must be one of open, closed, draft, not 'opne'"]


def test_bad_date(tree):
    edit(tree / CAMPAIGN, "deadline: 2018-09-27", "deadline: 27/09/2018")
    line = line_of(tree / CAMPAIGN, "deadline:")
    assert problems(tree) == [
        f"{CAMPAIGN}:{line}: 'deadline' is not a valid date: '27/09/2018' (use YYYY-MM-DD)"]


@pytest.mark.parametrize("written, says", [
    ("2027-02-30", "'deadline': '2027-02-30' is not a day of the calendar (February 2027 has 28 days)"),
    ("2018-09-31", "'deadline': '2018-09-31' is not a day of the calendar (September 2018 has 30 days)"),
    ("2018-13-01", "'deadline': '2018-13-01' has no month 13 (months run from 01 to 12)")])
def test_a_date_in_the_right_format_that_does_not_exist_is_told_so(tree, written, says):
    edit(tree / CAMPAIGN, "deadline: 2018-09-27", f"deadline: {written}")
    line = line_of(tree / CAMPAIGN, "deadline:")
    assert problems(tree) == [f"{CAMPAIGN}:{line}: {says}"]


def test_an_unknown_field_far_from_any_known_one_suggests_nothing(tree):
    edit(tree / CAMPAIGN, "status: open\n", "status: open\ncolour: blue\n")
    (problem,) = problems(tree)
    assert "unknown field 'colour' (known: id," in problem and "did you mean" not in problem


def test_an_unknown_field_suggests_the_closest_known_one(tree):
    edit(tree / CAMPAIGN, "deadline: 2018-09-27", "dedline: 2018-09-27")
    (problem,) = [p for p in problems(tree) if "unknown field" in p]
    assert "unknown field 'dedline' (did you mean 'deadline'? known: " in problem


def test_a_title_with_an_unquoted_colon_says_to_quote_it(tree):
    edit(tree / CAMPAIGN, "status: open\n", "status: open\nregion: Brazil: Amazon\n")
    line = line_of(tree / CAMPAIGN, "region: Brazil")
    assert problems(tree) == [
        f"{CAMPAIGN}:{line}: invalid YAML: a value holds a colon followed by a space (mapping values are not "
        'allowed in this context); put the whole value in double quotes, e.g. title: "Brazil: …"']


def test_a_tab_says_yaml_indents_with_spaces(tree):
    edit(tree / CAMPAIGN, "status: open\n", "status: open\ntopics:\n\t- safe-third-country\n")
    (problem,) = problems(tree)
    assert problem.startswith(f"{CAMPAIGN}:") and "invalid YAML: a tab character (" in problem
    assert problem.endswith("YAML indents with spaces only: replace the tab with spaces")


def test_id_used_twice(tree):
    edit(tree / OFFICIALS, "- id: geronimo-gutierrez", "- id: luis-videgaray")
    first = line_of(tree / OFFICIALS, "- id: luis-videgaray")
    second = [n for n, line in enumerate((tree / OFFICIALS).read_text().splitlines(), 1)
              if "- id: luis-videgaray" in line][1]
    assert f"{OFFICIALS}:{second}: official id 'luis-videgaray' is already used at {OFFICIALS}:{first}" \
        in problems(tree)


@pytest.mark.parametrize("bad_id", ["luis:videgaray", "Luis-Videgaray", "luis videgaray", "-luis"])
def test_an_id_that_could_not_travel_in_a_button(tree, bad_id):
    """Button data joins ids with ':' (report.py, feedback.py): an id must not hold one."""
    edit(tree / OFFICIALS, "- id: luis-videgaray", f"- id: {bad_id}")
    edit(tree / CAMPAIGN, "  - official: luis-videgaray", f"  - official: {bad_id}")
    line = line_of(tree / OFFICIALS, f"- id: {bad_id}")
    assert problems(tree) == [
        f"{OFFICIALS}:{line}: official id {bad_id!r}: use only lowercase letters, digits and hyphens"]


def test_reference_to_a_missing_official(tree):
    edit(tree / CAMPAIGN, "  - official: geronimo-gutierrez", "  - official: geronimo-gutierez")
    line = line_of(tree / CAMPAIGN, "geronimo-gutierez")
    assert problems(tree) == [f"{CAMPAIGN}:{line}: unknown official 'geronimo-gutierez'"]


def test_an_faq_answer_generator_check_does_not_know(tree):
    who = "content/faq/who-to-write-to.yaml"
    edit(tree / who, "answer_from: open_cases", "answer_from: officials")
    line = line_of(tree / who, "answer_from: officials")
    assert problems(tree) == [
        f"{who}:{line}: 'answer_from' must be one of open_cases, case_status, case_at_risk, case_asks, "
        "case_news, group, not 'officials'"]


FAQ_WITH_BAD_LINK = """\
id: extra
questions:
  en: ["What is extra?"]
  es: ["¿Qué es extra?"]
answer:
  en: Extra.
  es: Extra.
as_of: 2018
sources:
  - seed: hrf-factsheet-2018
    quote: "Canada is the only country that has a safe third country agreement"
related:
  - non-refoulement
  - no-such-entry
"""


def test_reference_to_a_missing_faq_entry(tree):
    (tree / "content/faq/extra.yaml").write_text(FAQ_WITH_BAD_LINK)
    assert problems(tree) == ["content/faq/extra.yaml:14: unknown FAQ entry 'no-such-entry'"]


def test_reference_to_a_missing_seed(tree):
    edit(tree / OFFICIALS, "  sources:\n    - seed: amnesty-ua-150-18",
         "  sources:\n    - seed: amnesty-ua-150-19")  # the first official's contacts
    line = line_of(tree / OFFICIALS, "amnesty-ua-150-19")
    assert problems(tree) == [
        f"{OFFICIALS}:{line}: unknown seed 'amnesty-ua-150-19' (seeds/index.yaml has: "
        "news-2019-mexico-deal, mexico-is-the-wall-2020, ngo-press-release-2018, hrf-factsheet-2018, "
        "amnesty-ua-150-18)"]


def test_changed_quote_is_reported_with_its_line(tree):
    edit(tree / CAMPAIGN, "Contact these two officials by 27 September, 2018:",
         "Contact these two officials by 28 September, 2018:")
    line = line_of(tree / CAMPAIGN, "28 September")
    assert problems(tree) == [
        f"{CAMPAIGN}:{line}: quote not found in seed 'amnesty-ua-150-18' (004_abbd29b784d6224f.txt)"]


def test_quote_matches_across_line_breaks_and_curly_quotes(tree):
    # The campaign quotes the seed's curly quotes; straight ones and extra spaces still match.
    edit(tree / CAMPAIGN, "refuse to sign a “safe third country” agreement with the US;",
         'refuse  to sign a \\"safe third country\\"\n      agreement with the US;')
    load_catalog(tree / "content", tree / "seeds")


def test_unknown_template_variable(tree):
    path = tree / "content/templates/letter.en.j2"
    edit(path, "{{ official.salutation }},", "{{ official.salutaton }}, {{ supporter_name }}")
    line = line_of(path, "salutaton")
    assert problems(tree) == [
        f"content/templates/letter.en.j2:{line}: unknown template variable 'official.salutaton' "
        "(provided: address, email, name, organisation, phone, salutation, title, twitter)",
        f"content/templates/letter.en.j2:{line}: unknown template variable 'supporter_name' "
        "(provided: official, campaign, asks, supporter, today, lang)",
    ]


def test_template_syntax_error(tree):
    path = tree / f"{TEMPLATES}/call.es.j2"
    edit(path, "{{ campaign.reference }}", "{{ campaign.reference }")
    line = line_of(path, "campaign.reference }")
    found = problems(tree)
    assert len(found) == 1
    assert found[0].startswith(f"{TEMPLATES}/call.es.j2:{line}: template syntax error")


def test_string_missing_in_one_language(tree):
    edit(tree / "content/i18n/es.yaml", "menu.home: 🏠 Menú\n", "")
    line = line_of(tree / "content/i18n/en.yaml", "menu.home:")
    assert problems(tree) == [f"content/i18n/en.yaml:{line}: string 'menu.home' is missing in es.yaml"]


def test_string_placeholders_differ(tree):
    edit(tree / "content/i18n/es.yaml", "el comando {command}.", "el comando {comando}.")
    line = line_of(tree / "content/i18n/es.yaml", "unknown_command:")
    assert problems(tree) == [f"content/i18n/es.yaml:{line}: string 'unknown_command' has placeholders "
                              "['comando'] but en.yaml has ['command']"]


def test_invalid_yaml_and_duplicate_keys(tree):
    edit(tree / CAMPAIGN, "status: open\n", "status: open\nstatus: closed\n")
    (tree / "content/faq/broken.yaml").write_text("id: broken\nquestions: [unclosed\n")
    found = problems(tree)
    assert f"{CAMPAIGN}:{line_of(tree / CAMPAIGN, 'status: closed')}: key 'status' appears twice" in found
    assert any(p.startswith("content/faq/broken.yaml:3: invalid YAML") for p in found)


def test_every_problem_is_reported_at_once(tree):
    edit(tree / CAMPAIGN, "status: open", "status: opne")
    edit(tree / CAMPAIGN, "deadline: 2018-09-27", "deadline: tomorrow")
    edit(tree / "content/i18n/es.yaml", "menu.home: 🏠 Menú\n", "")
    assert len(problems(tree)) == 3


def _cli(tree: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "CONTENT_DIR": str(tree / "content"), "SEEDS_DIR": str(tree / "seeds"),
           "DATABASE_PATH": str(tree / "data/bot.sqlite3")}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True,
                          text=True, cwd=tree, env=env, timeout=60)


def test_check_command_summary_and_exit_codes(tree):
    ok = _cli(tree, "check")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("content OK: 1 topic, 1 case, 2 officials, ")
    edit(tree / CAMPAIGN, "status: open", "status: opne")
    bad = _cli(tree, "check")
    assert bad.returncode == 1
    line = line_of(tree / CAMPAIGN, "status: opne")
    assert f"{CAMPAIGN}:{line}: 'status' must be one of open, closed, draft, not 'opne'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_bot_refuses_to_start_on_invalid_content(tree):
    edit(tree / CAMPAIGN, "status: open", "status: opne")
    result = _cli(tree, "console", stdin="/start\n")
    assert result.returncode == 1
    line = line_of(tree / CAMPAIGN, "status: opne")
    assert f"{CAMPAIGN}:{line}: 'status' must be one of open, closed, draft, not 'opne'" in result.stderr
    assert "Hello" not in result.stdout


# -- cases: a folder each, their templates, and fields that must agree ----------

def test_a_case_without_a_template_for_an_offered_channel_and_language(tree):
    (tree / TEMPLATES / "tweet.es.j2").unlink()
    assert problems(tree) == [f"{TEMPLATES}:1: missing template tweet.es.j2: the case offers tweet "
                              "and supporters read es"]


def test_an_open_case_naming_an_official_who_left_before_it_was_issued(tree):
    edit(tree / OFFICIALS, "  in_office:\n    until: 2018-11-30", "  in_office:\n    until: 2018-07")
    line = line_of(tree / CAMPAIGN, "- official: luis-videgaray")
    assert problems(tree) == [f"{CAMPAIGN}:{line}: Luis Videgaray left the post in July 2018, before "
                              "this open case was issued (August 2018)"]


def test_the_same_term_end_is_fine_for_a_closed_case(tree):
    edit(tree / OFFICIALS, "  in_office:\n    until: 2018-11-30", "  in_office:\n    until: 2018-07")
    edit(tree / CAMPAIGN, "status: open", "status: closed")
    load_catalog(tree / "content", tree / "seeds")


def test_a_closing_update_with_no_text(tree):
    text = (tree / CAMPAIGN).read_text()
    start = text.index("    text:\n      en: >-\n        Amnesty International's update")
    end = text.index("    status: closed")
    (tree / CAMPAIGN).write_text(text[:start] + text[end:])
    line = line_of(tree / CAMPAIGN, "  - date: 2018-10-30")
    assert problems(tree) == [f"{CAMPAIGN}:{line}: updates[1]: missing field 'text'"]


def test_a_closing_update_cannot_also_set_a_deadline(tree):
    edit(tree / CAMPAIGN, "    status: closed\n", "    status: closed\n    deadline: 2018-11-30\n")
    line = line_of(tree / CAMPAIGN, "deadline: 2018-11-30")
    assert problems(tree) == [f"{CAMPAIGN}:{line}: a closing update cannot also set a new deadline"]


def test_a_deadline_before_the_case_was_issued(tree):
    edit(tree / CAMPAIGN, "deadline: 2018-09-27", "deadline: 2018-07-27")
    line = line_of(tree / CAMPAIGN, "deadline: 2018-07-27")
    assert problems(tree) == [f"{CAMPAIGN}:{line}: the deadline 2018-07-27 is before the case was issued "
                              "(2018-08-01)"]


def test_a_case_file_outside_its_folder_is_told_where_it_goes(tree):
    (tree / "content/campaigns/ua-1-19.yaml").write_text("id: ua-1-19\n")
    assert problems(tree) == ["content/campaigns/ua-1-19.yaml:1: a case is a folder: move this file to "
                              "campaigns/ua-1-19/campaign.yaml, its templates to "
                              "campaigns/ua-1-19/templates/"]


def test_a_case_id_must_match_its_folder(tree):
    shutil.move(tree / "content/campaigns/ua-150-18", tree / "content/campaigns/ua-150-19")
    moved = "content/campaigns/ua-150-19/campaign.yaml"
    assert problems(tree) == [f"{moved}:{line_of(tree / moved, 'id: ua-150-18')}: case id 'ua-150-18' "
                              "should match its folder name 'ua-150-19'"]


def test_an_include_of_a_missing_template(tree):
    path = tree / TEMPLATES / "letter.en.j2"
    edit(path, "./_situation.en.j2", "./_situaton.en.j2")
    assert problems(tree) == [f"{TEMPLATES}/letter.en.j2:2: no template './_situaton.en.j2' (names are "
                              "paths under content/, like \"templates/letter.en.j2\", or \"./_part.j2\")"]


def test_an_email_needs_a_subject_here_or_in_its_layout(tree):
    path = tree / TEMPLATES / "email.es.j2"
    path.write_text('{% extends "templates/letter.es.j2" %}\n{% block message %}Hola.{% endblock %}\n')
    assert problems(tree) == [f"{TEMPLATES}/email.es.j2:1: missing block 'subject' (email templates need "
                              "subject, body, here or in a template extended)"]


def test_a_broken_file_is_reported_first_and_what_follows_from_it_is_not(tree):
    """A YAML error in one FAQ entry used to be listed among follow-on "unknown
    FAQ entry" errors from every entry that links to it."""
    (tree / "content/faq/non-refoulement.yaml").write_text("id: non-refoulement\nquestions: [unclosed\n")
    edit(tree / "content/i18n/es.yaml", "menu.home: 🏠 Menú\n", "")
    found = problems(tree)
    assert found[0].startswith("content/faq/non-refoulement.yaml:3: invalid YAML")
    assert not any("unknown FAQ entry 'non-refoulement'" in p for p in found)
    assert len(found) == 2  # and the unrelated problem is still reported


def test_a_broken_officials_file_hides_the_unknown_officials_it_causes(tree):
    edit(tree / OFFICIALS, "- id: luis-videgaray", "- id: [luis-videgaray")
    found = problems(tree)
    assert len(found) == 1 and found[0].startswith(f"{OFFICIALS}:")


# -- plural strings ------------------------------------------------------------

def test_a_plural_string_needs_one_and_other(tree):
    edit(tree / "content/i18n/en.yaml", '  one: "<b>Deadline:</b> {deadline} (1 day left)."\n', "")
    line = line_of(tree / "content/i18n/en.yaml", "act.deadline:")
    assert problems(tree) == [f"content/i18n/en.yaml:{line}: string 'act.deadline' a plural string needs "
                              "exactly the forms one, other"]


def test_a_plural_string_in_one_language_only(tree):
    edit(tree / "content/i18n/es.yaml",
         'act.deadline:\n  one: "<b>Fecha límite:</b> {deadline} (queda 1 día)."\n'
         '  other: "<b>Fecha límite:</b> {deadline} (quedan {count} días)."',
         'act.deadline: "<b>Fecha límite:</b> {deadline} (quedan {count} días)."')
    line = line_of(tree / "content/i18n/es.yaml", "act.deadline:")
    assert problems(tree) == [f"content/i18n/es.yaml:{line}: string 'act.deadline' has plural forms in "
                              "one language only"]


def test_the_other_form_shows_the_count(tree):
    edit(tree / "content/i18n/en.yaml", '  other: "<b>Deadline:</b> {deadline} ({count} days left)."',
         '  other: "<b>Deadline:</b> {deadline} (some days left)."')
    line = line_of(tree / "content/i18n/en.yaml", "act.deadline:")
    assert problems(tree) == [f"content/i18n/en.yaml:{line}: string 'act.deadline' the plural form 'other' "
                              "should show {count}"]


def test_the_archive_may_not_say_as_sent(tree):
    """The archive shows the bot's model appeal: "as sent" claims to know
    what supporters sent."""
    path = "content/i18n/en.yaml"
    edit(tree / path, '"📜 The model appeal to {name}"', '"📜 The appeal to {name}, as sent"')
    line = line_of(tree / path, "archive.model_appeal_button:")
    assert problems(tree) == [f"{path}:{line}: string 'archive.model_appeal_button' says 'as sent': the "
                              "archive shows the model appeal the bot offered, not what anyone sent"]


def test_a_count_of_actions_says_through_this_bot(tree):
    path = "content/i18n/es.yaml"
    edit(tree / path, "por la {reference} a través de este bot.\"\nreport.again",
         "por la {reference}.\"\nreport.again")
    line = line_of(tree / path, "report.thanks_only:")
    assert problems(tree) == [f"{path}:{line}: string 'report.thanks_only' counts reported actions: say "
                              "'a través de este bot' (the network's own count is not the bot's)"]


def test_two_country_names_take_one_dash_style(tree):
    edit(tree / "content/faq/how-to-help.yaml", "For UA 150.18, the Urgent Action",
         "For UA 150.18, the US-Mexico Urgent Action")
    line = line_of(tree / "content/faq/how-to-help.yaml", "the US-Mexico Urgent Action")
    assert problems(tree) == [f"content/faq/how-to-help.yaml:{line}: 'US-Mexico' is not the glossary term: "
                              "write 'US–Mexico' (glossary: us-mexico)"]


@pytest.mark.parametrize("path, old, new, written", [
    ("content/i18n/en.yaml", "One Urgent Action is open now: <b>{reference}</b>",
     "Open now: Urgent Action <b>{reference}</b>", "Urgent Action <b>{reference}"),
    ("content/campaigns/ua-150-18/templates/email.es.j2", "{% block subject %}{{ campaign.reference }}",
     "{% block subject %}Acción Urgente {{ campaign.reference }}", "Acción Urgente {{ campaign.reference }}"),
    ("content/topics/safe-third-country/explainers/18-ua-150-18.yaml",
     'en: "UA 150.18: what the Urgent Action asked"', 'en: "Urgent Action UA 150.18: what it asked"',
     "Urgent Action UA 150.18"),
])
def test_the_reference_is_not_written_after_the_words_it_stands_for(tree, path, old, new, written):
    """"Urgent Action UA 150.18" reads "Urgent Action Urgent Action 150.18"
    (second review, issue 28): in strings, templates and content alike."""
    edit(tree / path, old, new)
    line = line_of(tree / path, new.strip())
    assert problems(tree) == [f"{path}:{line}: {written!r}: the reference already says Urgent Action; write "
                              "'UA 150.18' alone, or 'the Urgent Action (UA 150.18)'"]


@pytest.mark.parametrize("old, new, written", [
    ("Amnesty International USA's Urgent Action (August 2018)", "Amnesty International's Urgent Action "
     "(August 2018)", "Amnesty International's Urgent Action"),
    ("La Acción Urgente de Amnistía Internacional EE. UU. (agosto", "La Acción Urgente de Amnistía "
     "Internacional (agosto", "Acción Urgente de Amnistía Internacional"),
])
def test_the_urgent_action_is_credited_to_the_section_that_issued_it(tree, old, new, written):
    """The seed's publisher (Amnesty International USA) issued UA 150.18."""
    path = "content/topics/safe-third-country/faq/who-designates.yaml"
    edit(tree / path, old, new)
    line = line_of(tree / path, new)
    assert problems(tree) == [f"{path}:{line}: {written!r}: the Urgent Action was issued by Amnesty "
                              "International USA (its seed's publisher); name the issuer as the seed does"]


def test_the_spanish_reference_takes_its_article(tree):
    path = "content/i18n/es.yaml"
    edit(tree / path, "porque sigues la {reference}.", "porque sigues {reference}.")
    line = line_of(tree / path, "updates.footer:")
    assert problems(tree) == [f"{path}:{line}: string 'updates.footer' says 'sigues {{reference}}': the "
                              "reference takes its article ('sigues la {reference}')"]
