"""Tests that kill the surviving mutants of ``projections/rules/contact.py`` (issue 12, item 11).

The contact rules merge a child's contacts into one finding until the committee acknowledges
it. The judge itself ends that episode on the acknowledgement (``evaluate`` would apply it again
in ``acknowledge``, which hides a judge that forgot): the judges are called directly here, as a
rule's episodes are its contract. The detail is what ``ledger findings`` prints.
"""

from __future__ import annotations

from ledger import events as ev
from projections.findings import evaluate
from projections.rules import contact
from tests.test_rules import SS_PRESCHOOL, ack, contacted, d, record, stepping_stones_preschool


def _history() -> list[ev.Event]:
    return [
        *stepping_stones_preschool(),
        contacted("C-0001", d("2025-10-02"), "text"),
        ack(d("2025-10-06"), "contact-without-permission", "C-0001"),
        contacted("C-0001", d("2025-10-07"), "text", device=None),
    ]


def test_contact_without_permission_episode_ends_on_the_acknowledgement() -> None:
    """The first finding ends on the committee's acknowledgement (FindingAcknowledged); the
    contact after it is a new finding, open, with no resolution."""
    registers, profile = record(SS_PRESCHOOL, _history())
    episodes = contact.contact_without_permission(registers, profile)
    assert [(e.subject, e.since, e.end, e.resolution) for e in episodes] == [
        ("C-0001", d("2025-10-02"), d("2025-10-06"), "FindingAcknowledged"),
        ("C-0001", d("2025-10-07"), None, None),
    ]


def test_contact_device_episode_open_without_acknowledgement() -> None:
    """A contact with no setting device and no acknowledgement: open, no resolution."""
    registers, profile = record(SS_PRESCHOOL, _history())
    episodes = contact.contact_device(registers, profile)
    assert [(e.subject, e.since, e.end, e.resolution) for e in episodes] == [
        ("C-0001", d("2025-10-07"), None, None),
    ]


def test_contact_details_say_who_how_and_when() -> None:
    """Each finding's detail names the child, the method and the day (for permission), or the
    child and the day (for the device)."""
    registers, profile = record(SS_PRESCHOOL, _history())
    details = sorted(
        (f.rule, f.since, f.detail)
        for f in evaluate(registers, profile, d("2025-10-31"))
        if f.rule != "unofficial-contact"  # a text to a child: tests/test_unofficial_contact.py
    )
    assert details == [
        (
            "contact-without-permission",
            d("2025-10-02"),
            "C-0001 was contacted by text on 2025-10-02 without a guardian's permission for"
            " that method",
        ),
        (
            "contact-without-permission",
            d("2025-10-07"),
            "C-0001 was contacted by text on 2025-10-07 without a guardian's permission for"
            " that method",
        ),
        (
            "non-setting-device",
            d("2025-10-07"),
            "C-0001 was contacted on 2025-10-07 without a setting device",
        ),
    ]
