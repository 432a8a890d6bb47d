"""Tests that kill the surviving mutants of ``projections/rules/friendship.py`` (issue 12,
item 11).

A connection's finding ends at the first remedy: an exception recorded, the guardian's
children having all left (the rule no longer applies), or the committee's acknowledgement.
These tests put remedies on the same day as each other, children who leave one by one or who
have not started, and a second connection on the day the first finding ended. The judge is
called directly (a rule's episodes are its contract), with each finding's detail.
"""

from __future__ import annotations

from typing import Final

from ledger import events as ev
from projections.rules import friendship
from tests.test_rules import (
    WEST_WYCOMBE,
    ack,
    child,
    connection,
    d,
    exception,
    person,
    record,
    west_wycombe,
)

RULE: Final = "connection-without-exception"


def _episodes(events: list[ev.Event]) -> list[tuple[str, object, object, object]]:
    registers, profile = record(WEST_WYCOMBE, events)
    return [
        (e.subject, e.since, e.end, e.resolution)
        for e in friendship.connection_without_exception(registers, profile)
    ]


def _staff(*refs: str) -> list[ev.Event]:
    return [event for ref in refs for event in person(ref, d("2025-09-01"))]


def test_the_rule_stops_when_every_started_child_has_left() -> None:
    """G-0002's first-linked child starts next year; the child who attends leaves on 1
    December: the finding ends the next day (ChildLeft). G-0003 has two children and only one
    leaves: the finding stays open."""
    events = [
        *west_wycombe(),
        *_staff("S-0002"),
        *child("C-0002", d("2026-09-07"), "G-0002"),
        ev.ChildEnrolled(on=d("2025-09-01"), child="C-0003", name="Test Child"),
        ev.GuardianLinked(on=d("2025-09-01"), guardian="G-0002", name="Test", child="C-0003"),
        *child("C-0004", d("2025-09-01"), "G-0003"),
        *child("C-0005", d("2025-09-01"), "G-0003"),
        connection(d("2025-10-01"), "S-0002", "G-0002"),
        connection(d("2025-10-01"), "S-0002", "G-0003"),
        ev.ChildLeft(on=d("2025-12-01"), child="C-0003"),
        ev.ChildLeft(on=d("2025-12-01"), child="C-0004"),
    ]
    assert _episodes(events) == [
        ("S-0002/G-0002", d("2025-10-01"), d("2025-12-02"), "ChildLeft"),
        ("S-0002/G-0003", d("2025-10-01"), None, None),
    ]


def test_an_exception_and_the_last_child_leaving_the_same_day() -> None:
    """The exception recorded on the day after the last child's last day: the exception is
    the remedy (the first found, not replaced by a remedy of the same day)."""
    events = [
        *west_wycombe(),
        *_staff("S-0002"),
        connection(d("2025-10-01"), "S-0002"),
        ev.ChildLeft(on=d("2025-12-01"), child="C-0001"),
        exception(d("2025-12-02"), "S-0002", "G-0001", since=d("2025-12-02")),
    ]
    assert _episodes(events) == [
        ("S-0002/G-0001", d("2025-10-01"), d("2025-12-02"), "FriendshipExceptionGranted")
    ]


def test_an_acknowledgement_the_day_of_the_exception() -> None:
    """Acknowledged on the day the exception is recorded: the exception resolves it."""
    events = [
        *west_wycombe(),
        *_staff("S-0002"),
        connection(d("2025-10-01"), "S-0002"),
        ack(d("2025-10-10"), RULE, "S-0002/G-0001"),
        exception(d("2025-10-10"), "S-0002", "G-0001", since=d("2025-10-10")),
    ]
    assert _episodes(events) == [
        ("S-0002/G-0001", d("2025-10-01"), d("2025-10-10"), "FriendshipExceptionGranted")
    ]


def test_a_connection_on_the_day_the_finding_was_acknowledged() -> None:
    """A second report on the day of the acknowledgement belongs to the finding it ended;
    one the day after is a new finding. The detail names both people and the children."""
    events = [
        *west_wycombe(),
        *_staff("S-0002"),
        connection(d("2025-10-01"), "S-0002"),
        ack(d("2025-10-05"), RULE, "S-0002/G-0001"),
        connection(d("2025-10-05"), "S-0002"),
        connection(d("2025-10-06"), "S-0002"),
    ]
    registers, profile = record(WEST_WYCOMBE, events)
    episodes = friendship.connection_without_exception(registers, profile)
    assert [(e.since, e.end, e.resolution) for e in episodes] == [
        (d("2025-10-01"), d("2025-10-05"), "FindingAcknowledged"),
        (d("2025-10-06"), None, None),
    ]
    assert episodes[1].detail == (
        "a social-media connection between S-0002 and G-0001 was reported while C-0001"
        " attended, with no friendship exception"
    )
