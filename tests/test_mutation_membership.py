"""Tests that kill the surviving mutants of ``projections/rules/membership.py`` (issue 12,
item 11).

The leaver rule skips, for speed, every member who cannot be overdue (never a leaver, or
removed before the earliest deadline could pass); these tests put such members before the
ones that are overdue, and put removals just after the earliest deadline, so that a skip taken
too eagerly (or a loop left too early) loses a finding. The judges are called directly where an
episode's end and resolution matter (a rule's episodes are its contract); each finding's
detail is what ``ledger findings`` prints.
"""

from __future__ import annotations

from ledger import events as ev
from projections.rules import membership
from tests.test_rules import SOUTH_WOODHAM, child, d, person, record, south_woodham


def _removed(member: str, on: str) -> ev.MemberRemoved:
    return ev.MemberRemoved(on=d(on), member=member, reason="left")


def _admitted(member: str, on: str) -> ev.MemberAdmitted:
    return ev.MemberAdmitted(on=d(on), member=member)


def _leavers(events: list[ev.Event]) -> list[tuple[str, object, object, object, str]]:
    registers, profile = record(SOUTH_WOODHAM, events)
    return [
        (e.subject, e.since, e.end, e.resolution, e.detail)
        for e in membership.leaver_not_removed(registers, profile)
    ]


def test_leavers_after_members_who_are_never_or_no_longer_leavers() -> None:
    """A member of staff (never a leaver) and a parent removed in time come first in the
    group; the parents after them are judged all the same: one removed the day after the
    first day overdue, one never removed, one removed early, readmitted and removed late."""
    start = d("2025-09-01")
    events: list[ev.Event] = [
        *person("S-0001", start, "manager", "group-admin"),
        *person("S-0002", start, "chair", "group-admin", kind="committee"),
        _admitted("S-0001", "2025-09-01"),
    ]
    for n in range(1, 5):
        events += [*child(f"C-000{n}", start, f"G-000{n}"), _admitted(f"G-000{n}", "2025-09-01")]
    events += [
        _removed("G-0004", "2025-10-01"),
        _admitted("G-0004", "2025-11-01"),
        *(ev.ChildLeft(on=d("2026-07-17"), child=f"C-000{n}") for n in range(1, 5)),
        _removed("G-0001", "2026-07-20"),
        _removed("G-0002", "2026-08-07"),
        _removed("G-0004", "2026-09-01"),
    ]
    due = "children have all left; the group membership was due to end by 2026-08-05"
    assert _leavers(events) == [
        ("G-0002", d("2026-08-06"), d("2026-08-07"), "MemberRemoved", f"G-0002's {due}"),
        ("G-0003", d("2026-08-06"), None, None, f"G-0003's {due}"),
        ("G-0004", d("2026-08-06"), d("2026-09-01"), "MemberRemoved", f"G-0004's {due}"),
    ]


def test_a_leaver_ends_by_a_new_link_or_a_new_child_starting() -> None:
    """Linked to a child who has already started: GuardianLinked that day. Linked earlier to
    a child who starts later: ChildEnrolled on their first day."""
    start = d("2025-09-01")
    events = [
        *south_woodham(),
        *child("C-0002", start, "G-0002"),
        _admitted("G-0002", "2025-09-01"),
        *child("C-0003", d("2026-09-07"), "G-0003"),
        ev.ChildLeft(on=d("2026-07-17"), child="C-0001"),
        ev.ChildLeft(on=d("2026-07-17"), child="C-0002"),
        ev.GuardianLinked(
            on=d("2026-06-01"), guardian="G-0001", name="Test Parent", child="C-0003"
        ),
        ev.GuardianLinked(
            on=d("2026-09-10"), guardian="G-0002", name="Test Parent", child="C-0003"
        ),
    ]
    assert [(s, since, end, why) for s, since, end, why, _ in _leavers(events)] == [
        ("G-0001", d("2026-08-06"), d("2026-09-07"), "ChildEnrolled"),
        ("G-0002", d("2026-08-06"), d("2026-09-10"), "GuardianLinked"),
    ]


def test_a_last_day_on_the_holiday_start_uses_that_year() -> None:
    """A child whose last day is the first day of the summer holidays (22 July): the deadline
    is that summer's, so removal a fortnight and more later is late."""
    events = [
        *south_woodham(),
        ev.ChildLeft(on=d("2026-07-22"), child="C-0001"),
        _removed("G-0001", "2026-08-20"),
    ]
    assert [(s, since, end) for s, since, end, *_ in _leavers(events)] == [
        ("G-0001", d("2026-08-06"), d("2026-08-20"))
    ]


def test_a_last_day_after_the_holiday_start_uses_the_next_year() -> None:
    start = d("2024-09-02")
    events = [
        *person("S-0001", start, "manager", "group-admin"),
        *person("S-0002", start, "chair", "group-admin", kind="committee"),
        *child("C-0001", start, left=d("2025-07-23")),
        _admitted("G-0001", "2024-09-02"),
        _removed("G-0001", "2026-08-20"),
    ]
    assert [(s, since, end) for s, since, end, *_ in _leavers(events)] == [
        ("G-0001", d("2026-08-06"), d("2026-08-20"))
    ]


def test_recorded_term_dates_earlier_than_the_default() -> None:
    """Term dates recorded in January put the holidays on 12 July: the deadline is 26 July,
    so a removal on 1 August is late (though before the default deadline)."""
    events = [
        *south_woodham(),
        ev.TermDatesRecorded(on=d("2026-01-10"), year=2026, summer_holiday_starts=d("2026-07-12")),
        ev.ChildLeft(on=d("2026-07-10"), child="C-0001"),
        _removed("G-0001", "2026-08-01"),
    ]
    assert [(s, since, end) for s, since, end, *_ in _leavers(events)] == [
        ("G-0001", d("2026-07-27"), d("2026-08-01"))
    ]


def test_ineligible_member_episodes() -> None:
    """A member of staff who left: open (no resolution), with its detail. A parent whose only
    child has not started: ineligible until linked to a child who has (GuardianLinked)."""
    start = d("2025-09-01")
    events = [
        *south_woodham(),
        *person("S-0003", start),
        _admitted("S-0003", "2025-09-01"),
        ev.PersonLeft(on=d("2025-09-30"), person="S-0003"),
        *child("C-0002", d("2025-10-01"), "G-0002"),
        _admitted("G-0002", "2025-09-01"),
        ev.GuardianLinked(
            on=d("2025-09-15"), guardian="G-0002", name="Test Parent", child="C-0001"
        ),
    ]
    registers, profile = record(SOUTH_WOODHAM, events)
    episodes = membership.ineligible_member(registers, profile)
    assert sorted((e.subject, e.since, e.end, e.resolution, e.detail) for e in episodes) == [
        (
            "G-0002",
            start,
            d("2025-09-15"),
            "GuardianLinked",
            "G-0002 is in the group but is not the guardian of an enrolled child",
        ),
        (
            "S-0003",
            d("2025-10-01"),
            None,
            None,
            "S-0003 is in the group but is not a current member of staff",
        ),
    ]
