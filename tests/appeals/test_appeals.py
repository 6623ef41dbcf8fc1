"""The appeal's measures and links (bot/appeals/render.py): a tweet's length as
Twitter counts it, at the edges of each range it weighs as one, and the
links a supporter's text goes into. The rendering itself is tested end to end
in test_take_action.py and test_hostile_input.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from jinja2 import UndefinedError

from bot.appeals.render import (
    COMPOSE_URL_MAX,
    AppealRenderer,
    SupporterDetails,
    email_compose_url,
    speaking_seconds,
    tweet_intent_url,
    tweet_length,
)
from bot.catalog import PartialDate, format_date
from bot.catalog.templates import case_template

# twitter-text's weighting: these code point ranges count one, everything else two.
LIGHT_EDGES = [(0x0000, 1), (0x10FF, 1), (0x1100, 2), (0x1FFF, 2), (0x2000, 1), (0x200D, 1), (0x200E, 2),
               (0x200F, 2), (0x2010, 1), (0x201F, 1), (0x2020, 2), (0x2031, 2), (0x2032, 1), (0x2037, 1),
               (0x2038, 2), (0x4E00, 2), (0x1F642, 2)]


@pytest.mark.parametrize("code_point, weight", LIGHT_EDGES)
def test_a_character_weighs_one_inside_the_light_ranges_and_two_outside(code_point, weight):
    assert tweet_length(chr(code_point)) == weight
    assert tweet_length("ab" + chr(code_point)) == 2 + weight


def test_a_link_counts_23_whatever_its_length_and_accents_count_once():
    assert tweet_length("see https://example.org/a/very/long/path/indeed?x=1 now") == 4 + 23 + 4
    assert tweet_length("http://e.co") == 23
    assert tweet_length("e\u0301") == 1  # composed before counting, as Twitter does


def test_links_carry_the_text_percent_encoded():
    assert tweet_intent_url("@LVidegaray a+b & c #UA15018") == (
        "https://twitter.com/intent/tweet?text=%40LVidegaray%20a%2Bb%20%26%20c%20%23UA15018")
    url = email_compose_url("a@b.mx", "Asunto: sí", "Línea 1\nLínea 2")
    assert url == ("https://mail.google.com/mail/?view=cm&fs=1&to=a%40b.mx&su=Asunto%3A%20s%C3%AD"
                   "&body=L%C3%ADnea%201%0AL%C3%ADnea%202")


def test_a_body_too_long_for_a_button_is_left_out_of_the_compose_link():
    fits = "x" * (COMPOSE_URL_MAX - len(email_compose_url("a@b.mx", "s s", "")))
    assert email_compose_url("a@b.mx", "s s", fits).endswith("&body=" + fits)
    assert len(email_compose_url("a@b.mx", "s s", fits)) == COMPOSE_URL_MAX
    assert email_compose_url("a@b.mx", "s s", fits + "x") == (
        "https://mail.google.com/mail/?view=cm&fs=1&to=a%40b.mx&su=s%20s")


def test_a_call_script_is_timed_at_150_words_a_minute():
    assert speaking_seconds("word " * 150) == 60
    assert speaking_seconds("one two\nthree") == pytest.approx(1.2)


EVERY_VARIABLE = (
    "{{ official.name }}|{{ official.title }}|{{ official.organisation }}|{{ official.salutation }}|"
    "{{ official.address|join('/') }}|{{ official.email }}|{{ official.phone }}|{{ official.twitter }}\n"
    "{{ campaign.reference }}|{{ campaign.title }}|{{ campaign.summary }}|{{ campaign.asks|join('/') }}|"
    "{{ campaign.issued }}|{{ campaign.issued_when }}|{{ campaign.deadline }}\n"
    "{{ asks|join('/') }}|{{ supporter.name }}|{{ supporter.city }}|{{ supporter.sentence }}|"
    "{{ today }}|{{ lang }}"
)


def render_every_variable(catalog, campaign, official, lang="es"):
    """content/README.md's variables, each printed by a case template written for the test."""
    name = case_template(campaign.id, "call", lang)
    renderer = AppealRenderer(replace(catalog, templates={**catalog.templates, name: EVERY_VARIABLE}))
    details = SupporterDetails("Ana", "Tijuana", "Gracias.")
    return renderer.render(campaign, official, "call", lang, details, date(2018, 9, 15)).body.splitlines()


def test_templates_get_every_variable_content_readme_lists(catalog):
    case, minister = catalog.campaigns["ua-150-18"], catalog.officials["luis-videgaray"]
    official, campaign, rest = render_every_variable(catalog, case, minister)
    assert official.split("|") == [
        minister.name, minister.title.get("es"), minister.organisation.get("es"),
        minister.salutation.get("es"), "/".join(minister.address), minister.email,
        "", minister.twitter]  # the minister has no phone
    assert campaign.split("|") == [
        case.reference, case.title.get("es"), case.summary.get("es"),
        "/".join(a.get("es") for a in case.asks), case.issued.display("es"), "en agosto de 2018",
        format_date(case.deadline, "es")]
    assert rest.split("|") == ["/".join(a.get("es") for a in case.target(minister.id).asks),
                               "Ana", "Tijuana", "Gracias.", format_date(date(2018, 9, 15), "es"), "es"]


def test_a_missing_contact_date_or_target_is_empty_in_templates(catalog):
    case, minister = catalog.campaigns["ua-150-18"], catalog.officials["luis-videgaray"]
    bare_case = replace(case, issued=None, deadline=None,
                        targets=tuple(t for t in case.targets if t.official != minister.id))
    bare_official = replace(minister, email=None, phone=None, twitter=None)
    official, campaign, rest = render_every_variable(catalog, bare_case, bare_official)
    assert official.split("|")[5:] == ["", "", ""]
    assert campaign.split("|")[4:] == ["", "", ""]
    assert rest.split("|")[0] == ""  # not a target of the case: it asks nothing of them


def test_an_appeal_knows_its_channel_and_language(catalog):
    renderer = AppealRenderer(catalog)
    case, minister = catalog.campaigns["ua-150-18"], catalog.officials["luis-videgaray"]
    email = renderer.render(case, minister, "email", "en", SupporterDetails(), date(2018, 9, 15))
    assert (email.channel, email.lang) == ("email", "en")
    assert email.subject.startswith("UA 150.18: ")
    assert email.body.endswith("\n") and not email.body.endswith("\n\n") and "\n\n\n" not in email.body


def test_a_name_no_template_variable_holds_is_an_error_not_blank(catalog):
    case, minister = catalog.campaigns["ua-150-18"], catalog.officials["luis-videgaray"]
    name = case_template(case.id, "call", "en")
    renderer = AppealRenderer(replace(catalog, templates={**catalog.templates, name: "Hello {{ nobody }}"}))
    with pytest.raises(UndefinedError):
        renderer.render(case, minister, "call", "en", SupporterDetails(), date(2018, 9, 15))


@pytest.mark.parametrize(("lang", "details", "opening"), [
    ("en", SupporterDetails(), "Hello, I am a supporter of Amnesty International."),
    ("en", SupporterDetails(name="Ana", city="Tucson"),
     "Hello, my name is Ana. I am a supporter of Amnesty International, calling from Tucson."),
    ("en", SupporterDetails(city="Tucson"),
     "Hello, I am a supporter of Amnesty International, calling from Tucson."),
    ("es", SupporterDetails(), "Buenos días. Soy simpatizante de Amnistía Internacional."),
    ("es", SupporterDetails(name="Ana", city="Tucson"),
     "Buenos días. Me llamo Ana, soy simpatizante de Amnistía Internacional y llamo desde Tucson."),
])
def test_a_call_script_opens_grammatically_with_or_without_a_name(catalog, lang, details, opening):
    """Anonymous is "I am a supporter", never "my name is a supporter"."""
    case, ambassador = catalog.campaigns["ua-150-18"], catalog.officials["geronimo-gutierrez"]
    call = AppealRenderer(catalog).render(case, ambassador, "call", lang, details, date(2018, 9, 15))
    assert call.body.splitlines()[0] == opening


@pytest.mark.parametrize("issued, lang, says", [
    ("2018-08", "en", "issued in August 2018"), ("2026-11-20", "en", "issued on 20 November 2026"),
    ("2026-11-20", "es", "publicó el 20 de noviembre de 2026"), ("2018", "es", "publicó en 2018")])
def test_the_issue_date_takes_the_preposition_its_precision_needs(catalog, issued, lang, says):
    case, minister = catalog.campaigns["ua-150-18"], catalog.officials["luis-videgaray"]
    dated = replace(case, issued=PartialDate.parse(issued))
    body = AppealRenderer(catalog).render(dated, minister, "letter", lang, SupporterDetails("", "", ""),
                                          date(2018, 9, 15)).body
    assert says in body
