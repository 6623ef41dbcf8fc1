"""The one rule for where a case stands on a day (bot/catalog/cases.py), edge by edge:
the closing update's own day, a reopening, a new deadline, the deadline day
itself, a term that ends in a month, and the order cases are listed in."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.catalog import PartialDate, Term, Text
from bot.catalog.cases import (
    actionable_cases,
    appeal_date,
    in_office,
    latest_update,
    past_cases,
    status_of,
    update_by_number,
)

UA, TEST_CASE = "ua-150-18", "test-ua-999-99"


def update_like(campaign, **changes):
    return replace(campaign.updates[0], **changes)


@pytest.fixture
def ua(catalog):
    return catalog.campaigns[UA]


def test_a_closing_update_closes_the_case_on_its_own_day_not_before(ua, catalog):
    before = status_of(ua, catalog.officials, date(2018, 10, 29))
    on_the_day = status_of(ua, catalog.officials, date(2018, 10, 30))
    assert (before.closed, before.actionable) == (False, True)
    assert (on_the_day.closed, on_the_day.actionable) == (True, False)
    assert on_the_day.closing_update is ua.updates[0] and on_the_day.ended == date(2018, 10, 30)


def test_status_closed_in_campaign_yaml_closes_it_on_every_day(ua, catalog):
    closed = replace(ua, status="closed", updates=())
    status = status_of(closed, catalog.officials, date(2018, 9, 10))
    assert status.closed and status.closing_update is None and not status.actionable
    assert status.ended is None  # content does not say since when
    after_the_terms = status_of(closed, catalog.officials, date(2018, 12, 1))
    assert after_the_terms.departed and after_the_terms.ended is None  # closed, not ended by the terms


def test_a_later_update_with_status_open_reopens_it(ua, catalog):
    reopening = update_like(ua, date=PartialDate(2018, 11, 5), status="open",
                            title=Text("Reopened", "Reabierto"))
    case = replace(ua, updates=(ua.updates[0], reopening))
    assert status_of(case, catalog.officials, date(2018, 11, 4)).closed
    assert not status_of(case, catalog.officials, date(2018, 11, 5)).closed


def test_a_month_dated_update_counts_from_the_first_of_the_month(ua, catalog):
    case = replace(ua, updates=(update_like(ua, date=PartialDate(2018, 10)),))
    assert not status_of(case, catalog.officials, date(2018, 9, 30)).closed
    assert status_of(case, catalog.officials, date(2018, 10, 1)).closed


def test_a_published_update_with_a_new_deadline_moves_it(ua, catalog):
    extension = update_like(ua, date=PartialDate(2018, 9, 20), status=None, deadline=date(2018, 10, 15))
    case = replace(ua, updates=(extension,))
    assert status_of(case, catalog.officials, date(2018, 9, 19)).deadline == date(2018, 9, 27)
    moved = status_of(case, catalog.officials, date(2018, 10, 1))
    assert moved.deadline == date(2018, 10, 15) and not moved.deadline_passed and moved.days_left == 14


def test_the_deadline_day_itself_has_not_passed(ua, catalog):
    on_the_day = status_of(ua, catalog.officials, date(2018, 9, 27))
    day_after = status_of(ua, catalog.officials, date(2018, 9, 28))
    assert (on_the_day.deadline_passed, on_the_day.days_left) == (False, 0)
    assert (day_after.deadline_passed, day_after.days_left) == (True, -1)
    assert day_after.actionable  # a passed deadline is shown, not a closed case


def test_a_term_ending_in_a_month_ends_on_its_first_day(catalog):
    ambassador = catalog.officials["geronimo-gutierrez"]  # his last day is not public: a month
    assert ambassador.in_office.until == PartialDate(2018, 12)
    assert in_office(ambassador, date(2018, 11, 30))
    assert not in_office(ambassador, date(2018, 12, 1))


def test_a_term_ending_on_a_day_counts_that_day_in(catalog):
    """`until` with a day is the last day in office: Videgaray's was 30 November 2018."""
    minister = catalog.officials["luis-videgaray"]
    assert minister.in_office.until == PartialDate(2018, 11, 30)
    assert in_office(minister, date(2018, 11, 30))
    assert not in_office(minister, date(2018, 12, 1))
    assert minister.in_office.first_day_out() == date(2018, 12, 1)
    starting = replace(minister, in_office=Term(sources=(), start=PartialDate(2019, 1, 15)))
    assert not in_office(starting, date(2019, 1, 14)) and in_office(starting, date(2019, 1, 15))


def test_an_open_case_whose_officials_all_left_is_not_actionable(ua, catalog):
    case = replace(ua, updates=())  # no closing update: only the terms end it
    status = status_of(case, catalog.officials, date(2018, 12, 1))
    assert not status.closed and not status.actionable
    assert [t.official for t in status.departed] == ["luis-videgaray", "geronimo-gutierrez"]
    assert status.ended == date(2018, 12, 1)
    half = replace(catalog.officials["geronimo-gutierrez"], in_office=None)
    officials = {**catalog.officials, "geronimo-gutierrez": half}
    status = status_of(case, officials, date(2018, 12, 1))
    assert status.actionable and [t.official for t in status.writable] == ["geronimo-gutierrez"]
    assert status.ended is None  # one official left: still running
    assert not status.can_write_to("luis-videgaray") and status.can_write_to("geronimo-gutierrez")


def test_listing_order_soonest_deadline_first_and_latest_ended_first(two_case_catalog):
    running = actionable_cases(two_case_catalog, date(2018, 9, 15))
    assert [s.campaign.id for s in running] == [TEST_CASE, UA]  # 20 September before 27 September
    running = actionable_cases(two_case_catalog, date(2018, 9, 25))  # the test case's deadline passed
    assert [s.campaign.id for s in running] == [UA, TEST_CASE]
    assert [s.campaign.id for s in past_cases(two_case_catalog, date(2026, 11, 29))] == [UA, TEST_CASE]


def test_a_past_appeal_is_dated_within_the_case(ua):
    assert appeal_date(ua) == date(2018, 9, 27)  # its deadline
    no_deadline = replace(ua, deadline=None)
    assert appeal_date(no_deadline) == date(2018, 10, 29)  # the day before it closed
    assert appeal_date(replace(no_deadline, updates=())) == date(2018, 8, 1)  # the day it was issued


def test_past_cases_are_listed_by_when_they_ended_else_their_deadline(ua, catalog):
    by_update = ua  # closed by its update of 30 October 2018, deadline 27 September
    by_file = replace(ua, id="a-closed", status="closed", updates=(), deadline=date(2018, 10, 1))
    undated = replace(ua, id="z-closed", status="closed", updates=(), deadline=None)
    cases = replace(catalog, campaigns={c.id: c for c in (undated, by_file, by_update)})
    assert [s.campaign.id for s in past_cases(cases, date(2019, 1, 1))] == [UA, "a-closed", "z-closed"]


def test_updates_are_numbered_from_one(ua):
    second = update_like(ua, date=PartialDate(2018, 11, 5), status="open",
                         title=Text("Reopened", "Reabierto"))
    two = replace(ua, updates=(ua.updates[0], second))
    assert (update_by_number(two, 1), update_by_number(two, 2)) == (ua.updates[0], second)
    assert update_by_number(ua, 1) is ua.updates[0]
    assert [update_by_number(ua, n) for n in (0, -1, len(ua.updates) + 1)] == [None, None, None]


def test_the_latest_update_is_the_newest_published_one(ua):
    assert latest_update(ua, date(2018, 10, 29)) is None
    assert latest_update(ua, date(2018, 10, 30)) == (1, ua.updates[0])


def test_an_official_whose_term_has_not_begun_is_departed_with_no_end(ua, catalog):
    case = replace(ua, updates=())
    later = Term(sources=(), start=PartialDate(2019, 1, 15))
    officials = {k: replace(o, in_office=later) for k, o in catalog.officials.items()}
    status = status_of(case, officials, date(2019, 1, 1))
    assert not status.actionable and len(status.departed) == 2 and status.ended is None


def test_running_cases_come_first_then_those_with_no_deadline_then_the_passed(two_case_catalog):
    ua, other = two_case_catalog.campaigns[UA], two_case_catalog.campaigns[TEST_CASE]
    undated = replace(other, id="b-undated", deadline=None)
    cases = replace(two_case_catalog, campaigns={c.id: c for c in (ua, other, undated)})
    # 25 September: UA 150.18 runs to the 27th, the test case's deadline (20th) has passed
    assert [s.campaign.id for s in actionable_cases(cases, date(2018, 9, 25))] == [UA, "b-undated", TEST_CASE]
