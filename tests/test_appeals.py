"""The appeal's measures and links (bot/appeals.py): a tweet's length as
Twitter counts it, at the edges of each range it weighs as one, and the
links a supporter's text goes into. The rendering itself is tested end to end
in test_take_action.py and test_hostile_input.py."""

from __future__ import annotations

import pytest

from bot.appeals import COMPOSE_URL_MAX, email_compose_url, speaking_seconds, tweet_intent_url, tweet_length

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
