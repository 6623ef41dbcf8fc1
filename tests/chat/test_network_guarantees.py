"""Every earlier guarantee holds on a network's content: the same tests,
collected here a second time with the catalog swapped for the network tree
(tests/data/network: two topics, three cases, one issued in 2027). They run
on the day each test sets (mostly September 2018, with UA 150.18 open), so
they also show that cases issued later stay out of the way.

- the privacy journey and erasure on disk (SQLite and PostgreSQL);
- the daily caps, with /forget between attempts;
- hostile input reaching appeals as plain data;
- a report counted once, a case update sent once per person, a restart mid-letter.
"""

from __future__ import annotations

import pytest

from bot.catalog import load_catalog
from bot.runtime import build_matcher
from tests.chat.test_abuse_limits import (  # noqa: F401 (collected again here)
    test_forget_between_attempts_passes_no_cap,
    test_reports_are_capped_per_supporter_per_day,
)
from tests.chat.test_case_updates import (  # noqa: F401
    test_after_forget_a_follower_is_a_new_person_who_may_receive_an_update_again,
    test_an_organizer_previews_confirms_and_watches_a_broadcast,
)
from tests.chat.test_erasure import (  # noqa: F401
    test_on_postgresql_the_data_folder_holds_no_id_no_reply_and_no_key_after_forget,
    test_on_sqlite_a_copy_taken_while_the_bot_runs_after_forget_mid_letter_holds_nothing,
)
from tests.chat.test_hostile_input import (  # noqa: F401
    test_hostile_strings_are_accepted_verbatim_or_refused,
    test_hostile_values_reach_the_appeal_as_plain_data,
)
from tests.chat.test_privacy import (  # noqa: F401
    captured_log,
    test_on_postgresql_nothing_in_the_dump_or_the_logs_leads_back_to_the_person,
    test_on_sqlite_nothing_on_disk_or_in_the_logs_leads_back_to_the_person,
)
from tests.chat.test_take_action import (  # noqa: F401
    test_a_restart_keeps_the_flow_but_not_what_was_typed,
    test_report_pressed_twice_counts_once,
)
from tests.conftest import network_tree


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    """The network tree's catalog, in place of the shipped one."""
    content, seeds = network_tree(tmp_path_factory.mktemp("network"))
    loaded = load_catalog(content, seeds)
    assert len(loaded.topics) == 2 and len(loaded.campaigns) == 3
    return loaded


@pytest.fixture(scope="module")
def matcher(catalog):
    return build_matcher(catalog)
