"""Example tests of every rule each shipped profile turns on, worked out by hand from rules.md.

Each test builds a small, realistic history (invented references, obviously fake names), checks
every event with ``decide`` before applying it (so each example is also a valid ledger), and
asserts the exact findings of one rule as of a chosen day: rule, subject, since, status,
resolved_on and the kind of event that resolved it. Each docstring says which line of the
setting's own policy (as the profile cites it, in ``../shared/seeds``) the rule comes from.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

import pytest

from ledger import events as ev
from ledger.decisions import Refused, decide
from ledger.profile import Profile, load
from projections import registers as reg
from projections.findings import evaluate
from projections.registers import Registers

TODAY = date(2027, 6, 30)

SOUTH_WOODHAM = "south-woodham-preschool"
WEST_WYCOMBE = "west-wycombe-preschool"
SS_NURSERY = "stepping-stones-nursery"
SS_PRESCHOOL = "stepping-stones-preschool"
SANDBANK = "sandbank-valley-federation"


# --- helpers ------------------------------------------------------------------------------------


class F(NamedTuple):
    """A finding as the tests compare it (everything but the free-text detail)."""

    rule: str
    subject: str
    since: date
    status: str = "open"
    resolved_on: date | None = None
    resolution: str | None = None


def d(text: str) -> date:
    return date.fromisoformat(text)


def record(profile_name: str, events: list[ev.Event]) -> tuple[Registers, Profile]:
    """A ledger of ``events`` (in record order), each one checked by ``decide`` first."""
    profile = load(profile_name)
    registers = reg.rebuild(
        [(1, ev.SettingRegistered(on=d("2020-01-01"), name="Test", profile=profile_name))]
    )
    for position, event in enumerate(events, start=2):
        decide(registers, profile, event, today=TODAY)
        reg.apply(registers, event, position)
    return registers, profile


def judge(
    profile_name: str, events: list[ev.Event], as_of: date, rule: str | None = None
) -> list[F]:
    """The findings (of ``rule``, or of every rule) as of ``as_of``, in a stable order."""
    registers, profile = record(profile_name, events)
    found = [
        F(f.rule, f.subject, f.since, f.status, f.resolved_on, f.resolution)
        for f in evaluate(registers, profile, as_of)
        if rule is None or f.rule == rule
    ]
    return sorted(found, key=lambda f: (f.since, f.rule, f.subject))


def child(ref: str, on: date, guardian: str = "G-0001", left: date | None = None) -> list[ev.Event]:
    """A child's first day, with a parent linked that day (and their last day, if given)."""
    out: list[ev.Event] = [
        ev.ChildEnrolled(on=on, child=ref, name="Test Child"),
        ev.GuardianLinked(on=on, guardian=guardian, name="Test Parent", child=ref),
    ]
    if left is not None:
        out.append(ev.ChildLeft(on=left, child=ref))
    return out


def person(ref: str, on: date, *roles: ev.Role, kind: ev.PersonKind = "staff") -> list[ev.Event]:
    """Someone joining the setting, with the roles they are given that day."""
    return [
        ev.PersonJoined(on=on, person=ref, name="Test Staff", kind=kind),
        *(ev.RoleAssigned(on=on, person=ref, role=role) for role in roles),
    ]


def consent(
    child_ref: str,
    channel: str,
    on: date,
    guardian: str = "G-0001",
    expires: date | None = None,
) -> ev.ConsentGranted:
    return ev.ConsentGranted(
        on=on,
        child=child_ref,
        guardian=guardian,
        channel=channel,
        evidence="F-01",
        method="paper",
        expires=expires,
    )


def post(
    ref: str,
    channel: str,
    author: str,
    on: date,
    *depicts: str,
    device: str | None = None,
    purpose: ev.Purpose | None = None,
) -> ev.PostPublished:
    return ev.PostPublished(
        on=on,
        post=ref,
        channel=channel,
        author=author,
        depicts=list(depicts),
        device=device,
        purpose=purpose,
    )


def removed(ref: str, on: date, reason: ev.RemovalReason = "other") -> ev.PostRemoved:
    return ev.PostRemoved(on=on, post=ref, by="S-0001", reason=reason)


def ack(on: date, rule: ev.RuleName, subject: str) -> ev.FindingAcknowledged:
    return ev.FindingAcknowledged(
        on=on, rule=rule, subject_ref=subject, action="Committee noted it and spoke to staff"
    )


def contacted(
    child_ref: str, on: date, method: str = "phone", device: str | None = "T-01"
) -> ev.ChildContacted:
    return ev.ChildContacted(on=on, child=child_ref, by="S-0001", method=method, device=device)


def exception(
    on: date, person_ref: str, guardian: str, since: date
) -> ev.FriendshipExceptionGranted:
    return ev.FriendshipExceptionGranted(
        on=on, person=person_ref, guardian=guardian, since=since, approved_by="S-0001"
    )


def connection(on: date, person_ref: str, guardian: str = "G-0001") -> ev.ConnectionReported:
    return ev.ConnectionReported(on=on, person=person_ref, guardian=guardian)


def south_woodham() -> list[ev.Event]:
    """Two group admins (the manager and the chair), a tablet, one child whose parent is in
    the closed group; all from 1 September 2025."""
    start = d("2025-09-01")
    return [
        *person("S-0001", start, "manager", "group-admin"),
        *person("S-0002", start, "chair", "group-admin", kind="committee"),
        ev.DeviceRegistered(on=start, device="T-01"),
        *child("C-0001", start),
        ev.MemberAdmitted(on=start, member="G-0001"),
    ]


def stepping_stones_nursery() -> list[ev.Event]:
    """The manager, the social media officer, a practitioner and two children."""
    start = d("2025-09-01")
    return [
        *person("S-0001", start, "manager"),
        *person("S-0002", start, "social-media-officer"),
        *person("S-0003", start),
        *child("C-0001", start, "G-0001"),
        *child("C-0002", start, "G-0002"),
    ]


def stepping_stones_preschool() -> list[ev.Event]:
    """The manager, a practitioner, the setting's phone and two children."""
    start = d("2025-09-01")
    return [
        *person("S-0001", start, "manager"),
        *person("S-0002", start),
        ev.DeviceRegistered(on=start, device="T-01"),
        *child("C-0001", start, "G-0001"),
        *child("C-0002", start, "G-0002"),
    ]


def west_wycombe() -> list[ev.Event]:
    """The manager and one child, from 1 September 2025."""
    start = d("2025-09-01")
    return [*person("S-0001", start, "manager"), *child("C-0001", start)]


def sandbank() -> list[ev.Event]:
    """The manager, a teacher and one child, from September 2024."""
    start = d("2024-09-02")
    return [*person("S-0001", start, "manager"), *person("S-0002", start), *child("C-0001", start)]


# --- South Woodham Pre-School: posts -------------------------------------------------------------


def test_south_woodham_consent_missing_post_before_consent() -> None:
    """South Woodham Pre-School, line 124: a photo of a child in the group needs a parent's
    permission, in force on the day it goes up; permission filed two days later does not
    cover it, and the finding lasts until the post comes down."""
    events = [
        *south_woodham(),
        post("P-0001", "closed-group", "G-0001", d("2025-10-06"), "C-0001", device="T-01"),
        consent("C-0001", "closed-group", d("2025-10-08")),
        removed("P-0001", d("2025-10-09")),
    ]
    assert judge(SOUTH_WOODHAM, events, d("2025-10-31"), "consent-missing") == [
        F("consent-missing", "P-0001", d("2025-10-06"), "resolved", d("2025-10-09"), "PostRemoved")
    ]


def test_south_woodham_consent_missing_not_when_granted_same_day() -> None:
    """South Woodham Pre-School, line 124: permission given on the day of the post (even
    recorded after it) is in force at the end of that day, so the post is fine."""
    events = [
        *south_woodham(),
        post("P-0001", "closed-group", "G-0001", d("2025-10-06"), "C-0001", device="T-01"),
        consent("C-0001", "closed-group", d("2025-10-06")),
    ]
    assert judge(SOUTH_WOODHAM, events, d("2025-10-31")) == []


def test_south_woodham_consent_missing_withdrawn_later_the_same_day() -> None:
    """South Woodham Pre-School, line 124: permission taken back on the afternoon of the post
    leaves the post without permission at the end of its day (and so it is not a late
    takedown)."""
    events = [
        *south_woodham(),
        consent("C-0001", "closed-group", d("2025-09-01")),
        post("P-0001", "closed-group", "G-0001", d("2025-10-06"), "C-0001", device="T-01"),
        ev.ConsentWithdrawn(
            on=d("2025-10-06"), child="C-0001", guardian="G-0001", channel="closed-group"
        ),
    ]
    assert judge(SOUTH_WOODHAM, events, d("2025-10-31")) == [
        F("consent-missing", "P-0001", d("2025-10-06"))
    ]


def test_south_woodham_consent_missing_expiry_and_channel() -> None:
    """South Woodham Pre-School, line 124: permission is per channel and lasts up to and
    including its expiry day; the day after, or on the other channel, the child is not
    covered."""
    events = [
        *south_woodham(),
        consent("C-0001", "closed-group", d("2025-09-01"), expires=d("2025-10-06")),
        post("P-0001", "closed-group", "G-0001", d("2025-10-06"), "C-0001", device="T-01"),
        post("P-0002", "closed-group", "G-0001", d("2025-10-07"), "C-0001", device="T-01"),
        post("P-0003", "public-page", "S-0001", d("2025-10-06"), "C-0001", device="T-01"),
    ]
    assert judge(SOUTH_WOODHAM, events, d("2025-10-31"), "consent-missing") == [
        F("consent-missing", "P-0003", d("2025-10-06")),
        F("consent-missing", "P-0002", d("2025-10-07")),
    ]


def test_south_woodham_withdrawn_consent_post_live_two_day_takedown() -> None:
    """South Woodham Pre-School, line 124: permission covers continued use of a photo, so once
    it is taken back older posts of the child come down within two days; a post put up on the
    day of the withdrawal lacks permission instead."""
    events = [
        *south_woodham(),
        consent("C-0001", "closed-group", d("2025-09-01")),
        post("P-0001", "closed-group", "G-0001", d("2025-09-10"), "C-0001", device="T-01"),
        post("P-0002", "closed-group", "G-0001", d("2025-09-12"), "C-0001", device="T-01"),
        ev.ConsentWithdrawn(
            on=d("2025-10-01"), child="C-0001", guardian="G-0001", channel="closed-group"
        ),
        post("P-0003", "closed-group", "G-0001", d("2025-10-01"), "C-0001", device="T-01"),
        removed("P-0001", d("2025-10-03"), "consent-withdrawn"),  # on the limit day
        removed("P-0002", d("2025-10-06"), "consent-withdrawn"),
    ]
    rule = "withdrawn-consent-post-live"
    assert judge(SOUTH_WOODHAM, events, d("2025-10-03"), rule) == []
    assert judge(SOUTH_WOODHAM, events, d("2025-10-31"), rule) == [
        F(rule, "P-0002", d("2025-10-04"), "resolved", d("2025-10-06"), "PostRemoved")
    ]
    assert judge(SOUTH_WOODHAM, events, d("2025-10-31"), "consent-missing") == [
        F("consent-missing", "P-0003", d("2025-10-01"))
    ]


def test_south_woodham_child_image_forbidden_on_a_personal_account() -> None:
    """South Woodham Pre-School, line 56: staff never put pictures of the pre-school's children
    on their own social media; such a post is also by someone who may not post there and was
    not taken on a setting tablet. A post there without a child is only the second of those.
    A parent's own page may show their own child (line 100), never another."""
    events = [
        *south_woodham(),
        *person("S-0003", d("2025-09-01")),
        post("P-0001", "personal-account", "S-0003", d("2025-10-06"), "C-0001"),
        post("P-0002", "personal-account", "S-0003", d("2025-10-07")),
        removed("P-0001", d("2025-10-08"), "breach"),
        *child("C-0002", d("2025-09-01"), "G-0002"),
        post("P-0003", "personal-account", "G-0001", d("2025-10-09"), "C-0001"),
        post("P-0004", "personal-account", "G-0001", d("2025-10-09"), "C-0001", "C-0002"),
    ]
    gone = ("resolved", d("2025-10-08"), "PostRemoved")
    assert judge(SOUTH_WOODHAM, events, d("2025-10-31")) == [
        F("child-image-forbidden", "P-0001", d("2025-10-06"), *gone),
        F("non-setting-device", "P-0001", d("2025-10-06"), *gone),
        F("unauthorised-poster", "P-0001", d("2025-10-06"), *gone),
        F("unauthorised-poster", "P-0002", d("2025-10-07")),
        F("child-image-forbidden", "P-0004", d("2025-10-09")),
    ]


def test_south_woodham_unauthorised_poster_closed_group_members_only() -> None:
    """South Woodham Pre-School, line 118: the group is for its members, so only someone who
    is a member of the group that day may post there (admitted that day counts); a parent
    outside it, or the manager who never joined it, may not."""
    events = [
        *south_woodham(),
        *child("C-0002", d("2025-09-01"), "G-0002"),
        *child("C-0003", d("2025-09-01"), "G-0003"),
        post("P-0001", "closed-group", "G-0002", d("2025-10-06")),
        ev.MemberAdmitted(on=d("2025-10-07"), member="G-0003"),
        post("P-0002", "closed-group", "G-0003", d("2025-10-07")),
        post("P-0003", "closed-group", "G-0001", d("2025-10-07")),
        post("P-0004", "closed-group", "S-0001", d("2025-10-08")),
    ]
    assert judge(SOUTH_WOODHAM, events, d("2025-10-31"), "unauthorised-poster") == [
        F("unauthorised-poster", "P-0001", d("2025-10-06")),
        F("unauthorised-poster", "P-0004", d("2025-10-08")),
    ]


def test_south_woodham_unauthorised_poster_public_page_manager_or_chair() -> None:
    """South Woodham Pre-School, line 43: official statements come from the manager and the
    committee, so only the current manager or chair posts on the public page; a role given
    that day counts, a role taken away that day or a manager who has left does not."""
    events = [
        *south_woodham(),
        *person("S-0003", d("2025-09-01")),
        post("P-0001", "public-page", "S-0003", d("2025-10-06")),
        ev.RoleAssigned(on=d("2025-10-07"), person="S-0003", role="chair"),
        post("P-0002", "public-page", "S-0003", d("2025-10-07")),
        post("P-0003", "public-page", "S-0002", d("2025-10-10")),
        ev.RoleRevoked(on=d("2025-10-10"), person="S-0002", role="chair"),
        post("P-0004", "public-page", "S-0001", d("2025-10-31")),
        ev.PersonLeft(on=d("2025-10-31"), person="S-0001"),
        post("P-0005", "public-page", "S-0001", d("2025-11-01")),
    ]
    assert judge(SOUTH_WOODHAM, events, d("2025-11-30"), "unauthorised-poster") == [
        F("unauthorised-poster", "P-0001", d("2025-10-06")),
        F("unauthorised-poster", "P-0003", d("2025-10-10")),
        F("unauthorised-poster", "P-0005", d("2025-11-01")),
    ]


def test_south_woodham_unauthorised_poster_personal_account_parents_only() -> None:
    """South Woodham Pre-School, line 37: staff do not discuss the pre-school on their own
    social media, so not even the manager posts about it on a personal account; a parent of a
    child at the pre-school may (line 82: with care; line 100: their own child), a parent whose
    child has left is no longer one (issue 18: a parent's post was a finding)."""
    events = [
        *south_woodham(),
        *child("C-0002", d("2025-09-01"), "G-0002", left=d("2025-10-03")),
        post("P-0001", "personal-account", "S-0001", d("2025-10-06")),
        post("P-0002", "personal-account", "G-0001", d("2025-10-06")),
        post("P-0003", "personal-account", "G-0002", d("2025-10-03")),
        post("P-0004", "personal-account", "G-0002", d("2025-10-04")),
    ]
    assert judge(SOUTH_WOODHAM, events, d("2025-10-31")) == [
        F("unauthorised-poster", "P-0004", d("2025-10-04")),
        F("unauthorised-poster", "P-0001", d("2025-10-06")),
    ]


def test_south_woodham_non_setting_device_for_posts() -> None:
    """South Woodham Pre-School, line 74: photos of children taken by the pre-school's own
    people are taken only on its tablets, so their post showing a child names a tablet in
    service that day (registered that day counts; retired that day does not). A post without a
    child needs no device. (Issue 18: the author here was a parent, whom the line does not
    bind: it is now a volunteer in the group; a parent's own phone is tested below.)"""
    events = [
        *south_woodham(),
        *person("S-0009", d("2025-09-01"), kind="volunteer"),
        ev.MemberAdmitted(on=d("2025-09-01"), member="S-0009"),
        consent("C-0001", "closed-group", d("2025-09-01")),
        ev.DeviceRegistered(on=d("2025-09-01"), device="T-02"),
        ev.DeviceRetired(on=d("2025-10-08"), device="T-02"),
        post("P-0001", "closed-group", "S-0009", d("2025-10-06"), "C-0001", device="T-01"),
        post("P-0002", "closed-group", "S-0009", d("2025-10-06"), "C-0001", device="own phone"),
        post("P-0003", "closed-group", "S-0009", d("2025-10-06"), "C-0001"),
        post("P-0004", "closed-group", "S-0009", d("2025-10-07"), "C-0001", device="T-02"),
        post("P-0005", "closed-group", "S-0009", d("2025-10-08"), "C-0001", device="T-02"),
        post("P-0006", "closed-group", "S-0009", d("2025-10-08")),
        ev.DeviceRegistered(on=d("2025-10-09"), device="T-03"),
        post("P-0007", "closed-group", "S-0009", d("2025-10-09"), "C-0001", device="T-03"),
        removed("P-0003", d("2025-10-10")),
    ]
    assert judge(SOUTH_WOODHAM, events, d("2025-10-31"), "non-setting-device") == [
        F("non-setting-device", "P-0002", d("2025-10-06")),
        F(
            "non-setting-device",
            "P-0003",
            d("2025-10-06"),
            "resolved",
            d("2025-10-10"),
            "PostRemoved",
        ),
        F("non-setting-device", "P-0005", d("2025-10-08")),
    ]


def test_south_woodham_non_setting_device_binds_the_setting_people_only() -> None:
    """South Woodham Pre-School, line 74 speaks to staff, volunteers and students (lines 56,
    71); line 100 lets parents photograph their own child. A parent's, a committee member's or
    a visitor's post from their own phone gives no device finding; a student's does, once they
    have joined."""
    on = d("2025-10-06")
    events = [
        *south_woodham(),
        consent("C-0001", "closed-group", d("2025-09-01")),
        *person("S-0007", d("2025-09-01"), kind="student"),
        *person("S-0008", d("2025-09-01"), kind="visitor"),
        *(ev.MemberAdmitted(on=d("2025-09-01"), member=m) for m in ("S-0002", "S-0007", "S-0008")),
        post("P-0001", "closed-group", "G-0001", on, "C-0001", device="own phone"),
        post("P-0002", "closed-group", "S-0002", on, "C-0001", device="own phone"),
        post("P-0003", "closed-group", "S-0008", on, "C-0001"),
        post("P-0004", "closed-group", "S-0007", on, "C-0001", device="own phone"),
        post("P-0005", "personal-account", "G-0001", on, "C-0001", device="own phone"),
        # A student who joins the day after: not yet one of the pre-school's people.
        *person("S-0010", d("2025-10-07"), kind="student"),
        post("P-0006", "closed-group", "S-0010", on, "C-0001", device="own phone"),
    ]
    # (A visitor and a student in the group are also ineligible members there, line 118.)
    found = judge(SOUTH_WOODHAM, events, d("2025-10-31"))
    assert [f for f in found if f.rule != "ineligible-member"] == [
        F("non-setting-device", "P-0004", on),
        F("unauthorised-poster", "P-0006", on),
    ]


def _removable_posts(*refs: str) -> list[ev.Event]:
    return [post(ref, "closed-group", "G-0001", d("2025-09-30")) for ref in refs]


def test_south_woodham_removal_follow_up_overdue_within_a_week() -> None:
    """South Woodham Pre-School, line 128: after a negative post is removed, an administrator
    contacts the poster and the issue goes to the manager, both within a week (the seventh day
    is still in time); the finding ends with the later of the two. Other removals need no
    follow-up."""
    removal = d("2025-10-01")
    events = [
        *south_woodham(),
        *_removable_posts("P-0001", "P-0002", "P-0003", "P-0004", "P-0005"),
        removed("P-0001", removal, "negative-discussion"),
        removed("P-0002", removal, "negative-discussion"),
        removed("P-0003", removal, "other"),
        removed("P-0004", removal, "inappropriate"),
        removed("P-0005", removal, "inappropriate"),
        ev.PosterContacted(on=d("2025-10-03"), post="P-0001", by="S-0002"),
        ev.ReferredToManager(on=d("2025-10-08"), ref="P-0001"),
        ev.PosterContacted(on=d("2025-10-02"), post="P-0002", by="S-0002"),
        ev.ReferredToManager(on=d("2025-10-10"), ref="P-0002"),
        ev.PosterContacted(on=d("2025-10-02"), post="P-0004", by="S-0002"),
        ev.ReferredToManager(on=d("2025-10-04"), ref="P-0005"),
        ev.PosterContacted(on=d("2025-10-12"), post="P-0005", by="S-0002"),
    ]
    rule = "removal-follow-up-overdue"
    assert judge(SOUTH_WOODHAM, events, d("2025-10-08"), rule) == []
    assert judge(SOUTH_WOODHAM, events, d("2025-10-31"), rule) == [
        F(rule, "P-0002", d("2025-10-09"), "resolved", d("2025-10-10"), "ReferredToManager"),
        F(rule, "P-0004", d("2025-10-09")),
        F(rule, "P-0005", d("2025-10-09"), "resolved", d("2025-10-12"), "PosterContacted"),
    ]


def test_south_woodham_removal_follow_up_overdue_later_of_two_on_the_same_day() -> None:
    """South Woodham Pre-School, line 128: the poster contacted and the issue passed on, both
    late and on the same day: the one recorded second is the later of the two (same-day facts
    are taken in record order) and resolves the finding."""
    events = [
        *south_woodham(),
        *_removable_posts("P-0001", "P-0002"),
        removed("P-0001", d("2025-10-01"), "inappropriate"),
        removed("P-0002", d("2025-10-01"), "inappropriate"),
        ev.PosterContacted(on=d("2025-10-12"), post="P-0001", by="S-0002"),
        ev.ReferredToManager(on=d("2025-10-12"), ref="P-0001"),
        ev.ReferredToManager(on=d("2025-10-12"), ref="P-0002"),
        ev.PosterContacted(on=d("2025-10-12"), post="P-0002", by="S-0002"),
    ]
    rule = "removal-follow-up-overdue"
    assert judge(SOUTH_WOODHAM, events, d("2025-10-31"), rule) == [
        F(rule, "P-0001", d("2025-10-09"), "resolved", d("2025-10-12"), "ReferredToManager"),
        F(rule, "P-0002", d("2025-10-09"), "resolved", d("2025-10-12"), "PosterContacted"),
    ]


# --- South Woodham Pre-School: the closed group --------------------------------------------------


def test_south_woodham_ineligible_member_staff_who_left() -> None:
    """South Woodham Pre-School, line 118: only current parents and staff are members; a
    member of staff is eligible up to their last day, so one still in the group the day after
    is ineligible until removed. A parent whose children have all left is judged by the
    leavers' rule instead."""
    events = [
        *south_woodham(),
        *person("S-0003", d("2025-09-01")),
        *person("S-0004", d("2025-09-01")),
        ev.MemberAdmitted(on=d("2025-09-01"), member="S-0003"),
        ev.MemberAdmitted(on=d("2025-09-01"), member="S-0004"),
        *child("C-0002", d("2025-09-01"), "G-0002", left=d("2025-12-19")),
        ev.MemberAdmitted(on=d("2025-09-01"), member="G-0002"),
        ev.PersonLeft(on=d("2025-10-31"), person="S-0003"),
        ev.PersonLeft(on=d("2025-10-31"), person="S-0004"),
        ev.MemberRemoved(on=d("2025-10-31"), member="S-0004", reason="left"),
        ev.MemberRemoved(on=d("2025-11-05"), member="S-0003", reason="left"),
    ]
    rule = "ineligible-member"
    assert judge(SOUTH_WOODHAM, events, d("2025-10-31"), rule) == []
    assert judge(SOUTH_WOODHAM, events, d("2026-01-31"), rule) == [
        F(rule, "S-0003", d("2025-11-01"), "resolved", d("2025-11-05"), "MemberRemoved")
    ]


def test_south_woodham_ineligible_member_until_the_child_starts() -> None:
    """South Woodham Pre-School, line 118: the group is for parents of children who attend
    now; a parent admitted before their child's first day is not yet eligible, and becomes
    eligible on that day (the child's enrolment resolves it). Admitted on the first day is
    fine."""
    events = [
        *south_woodham(),
        ev.ChildEnrolled(on=d("2025-09-08"), child="C-0002", name="Test Child"),
        ev.GuardianLinked(
            on=d("2025-09-01"), guardian="G-0002", name="Test Parent", child="C-0002"
        ),
        ev.GuardianLinked(
            on=d("2025-09-01"), guardian="G-0003", name="Test Parent", child="C-0002"
        ),
        ev.MemberAdmitted(on=d("2025-09-03"), member="G-0002"),
        ev.MemberAdmitted(on=d("2025-09-08"), member="G-0003"),
    ]
    rule = "ineligible-member"
    assert judge(SOUTH_WOODHAM, events, d("2025-09-07"), rule) == [
        F(rule, "G-0002", d("2025-09-03"))
    ]
    assert judge(SOUTH_WOODHAM, events, d("2025-09-30"), rule) == [
        F(rule, "G-0002", d("2025-09-03"), "resolved", d("2025-09-08"), "ChildEnrolled")
    ]


def test_south_woodham_leaver_not_removed_default_summer_start() -> None:
    """South Woodham Pre-School, line 122: parents of leavers come out of the group shortly
    after the summer holidays that follow the last day; with no term dates recorded the
    holidays start on 22 July, and 'shortly' is two weeks, so removal on 5 August is in time
    and the finding begins on 6 August."""
    events = [
        *south_woodham(),
        *child("C-0002", d("2025-09-01"), "G-0002"),
        ev.MemberAdmitted(on=d("2025-09-01"), member="G-0002"),
        ev.ChildLeft(on=d("2026-07-17"), child="C-0001"),
        ev.ChildLeft(on=d("2026-07-17"), child="C-0002"),
        ev.MemberRemoved(on=d("2026-08-05"), member="G-0002", reason="left"),
        ev.MemberRemoved(on=d("2026-09-01"), member="G-0001", reason="left"),
    ]
    rule = "leaver-not-removed"
    assert judge(SOUTH_WOODHAM, events, d("2026-08-05"), rule) == []
    assert judge(SOUTH_WOODHAM, events, d("2026-09-30"), rule) == [
        F(rule, "G-0001", d("2026-08-06"), "resolved", d("2026-09-01"), "MemberRemoved")
    ]


def test_south_woodham_leaver_not_removed_recorded_term_dates() -> None:
    """South Woodham Pre-School, line 122: when that year's term dates are recorded, the
    summer holidays start on the recorded day (24 July), so the two weeks run to 7 August."""
    events = [
        *south_woodham(),
        *child("C-0002", d("2025-09-01"), "G-0002"),
        ev.MemberAdmitted(on=d("2025-09-01"), member="G-0002"),
        ev.TermDatesRecorded(on=d("2026-01-10"), year=2026, summer_holiday_starts=d("2026-07-24")),
        ev.ChildLeft(on=d("2026-07-17"), child="C-0001"),
        ev.ChildLeft(on=d("2026-07-17"), child="C-0002"),
        ev.MemberRemoved(on=d("2026-08-07"), member="G-0002", reason="left"),
    ]
    assert judge(SOUTH_WOODHAM, events, d("2026-08-31"), "leaver-not-removed") == [
        F("leaver-not-removed", "G-0001", d("2026-08-08"))
    ]


def test_south_woodham_leaver_not_removed_first_holiday_on_or_after_last_day() -> None:
    """South Woodham Pre-School, line 122: the holidays that count are the first to start on
    or after the last child's last day: a last day on 22 July uses that year's, a last day on
    23 July the next year's; with two children, the later leaver counts."""
    events = [
        *person("S-0001", d("2024-09-02"), "manager", "group-admin"),
        *person("S-0002", d("2024-09-02"), "chair", "group-admin", kind="committee"),
        *child("C-0001", d("2024-09-02"), "G-0001", left=d("2025-07-22")),
        *child("C-0002", d("2024-09-02"), "G-0002", left=d("2025-07-23")),
        *child("C-0003", d("2024-09-02"), "G-0003", left=d("2025-07-18")),
        *child("C-0004", d("2024-09-02"), "G-0003", left=d("2026-07-17")),
        *(ev.MemberAdmitted(on=d("2024-09-02"), member=g) for g in ("G-0001", "G-0002", "G-0003")),
    ]
    rule = "leaver-not-removed"
    assert judge(SOUTH_WOODHAM, events, d("2026-08-31"), rule) == [
        F(rule, "G-0001", d("2025-08-06")),
        F(rule, "G-0002", d("2026-08-06")),
        F(rule, "G-0003", d("2026-08-06")),
    ]


def test_south_woodham_leaver_not_removed_term_dates_recorded_late() -> None:
    """South Woodham Pre-School, line 122: the holiday start is the one recorded on or before
    the day judged. Until the term dates arrive the default (22 July) makes the parent overdue
    from 6 August; the dates recorded on 10 August (holidays from 29 July) end that, and the
    parent is overdue again from 13 August."""
    events = [
        *south_woodham(),
        ev.ChildLeft(on=d("2026-07-17"), child="C-0001"),
        ev.TermDatesRecorded(on=d("2026-08-10"), year=2026, summer_holiday_starts=d("2026-07-29")),
    ]
    rule = "leaver-not-removed"
    assert judge(SOUTH_WOODHAM, events, d("2026-08-09"), rule) == [
        F(rule, "G-0001", d("2026-08-06"))
    ]
    assert judge(SOUTH_WOODHAM, events, d("2026-08-31"), rule) == [
        F(rule, "G-0001", d("2026-08-06"), "resolved", d("2026-08-10"), "TermDatesRecorded"),
        F(rule, "G-0001", d("2026-08-13")),
    ]


def test_south_woodham_too_few_admins_two_administrators() -> None:
    """South Woodham Pre-School, line 126: the group has two administrators; with one, from the
    first member's admission until a second is appointed, and again from the day after an
    administrator leaves the pre-school, it is short."""
    start = d("2025-09-01")
    events = [
        *person("S-0001", start, "manager", "group-admin"),
        *person("S-0002", start),
        *child("C-0001", start),
        ev.MemberAdmitted(on=start, member="G-0001"),
        ev.RoleAssigned(on=d("2025-09-03"), person="S-0002", role="group-admin"),
        ev.PersonLeft(on=d("2025-12-19"), person="S-0002"),
        *person("S-0003", d("2026-01-05"), "group-admin"),
    ]
    rule = "too-few-admins"
    assert judge(SOUTH_WOODHAM, events, d("2026-01-31"), rule) == [
        F(rule, "closed-group", start, "resolved", d("2025-09-03"), "RoleAssigned"),
        F(rule, "closed-group", d("2025-12-20"), "resolved", d("2026-01-05"), "RoleAssigned"),
    ]


def test_south_woodham_too_few_admins_not_before_the_group_has_members() -> None:
    """South Woodham Pre-School, line 126: two administrators are needed only once the group has
    members: with none there is no finding, and admins appointed on the day of the first
    admission (recorded after it) are in time."""
    start = d("2025-09-01")
    events = [
        *person("S-0001", start, "manager"),
        *person("S-0002", start),
        *child("C-0001", start),
        ev.MemberAdmitted(on=d("2025-09-03"), member="G-0001"),
        ev.RoleAssigned(on=d("2025-09-03"), person="S-0001", role="group-admin"),
        ev.RoleAssigned(on=d("2025-09-03"), person="S-0002", role="group-admin"),
    ]
    assert judge(SOUTH_WOODHAM, events, d("2025-12-31"), "too-few-admins") == []


def test_south_woodham_too_few_admins_ends_when_the_last_member_goes() -> None:
    """South Woodham Pre-School, line 126: a group short of administrators stops being short
    when it has no members left."""
    start = d("2025-09-01")
    events = [
        *person("S-0001", start, "manager", "group-admin"),
        *child("C-0001", start),
        ev.MemberAdmitted(on=start, member="G-0001"),
        ev.MemberRemoved(on=d("2025-09-10"), member="G-0001", reason="voluntary"),
    ]
    assert judge(SOUTH_WOODHAM, events, d("2025-12-31"), "too-few-admins") == [
        F("too-few-admins", "closed-group", start, "resolved", d("2025-09-10"), "MemberRemoved")
    ]


# --- South Woodham Pre-School: friendships -------------------------------------------------------


def test_south_woodham_connection_without_exception_pre_existing() -> None:
    """South Woodham Pre-School, line 47: staff do not befriend parents on social media unless
    they knew them before the child started; a connection reported while the child attends is
    a finding until such an exception is recorded, and reports meanwhile (or that day) belong
    to it. Once the exception is active, a report is fine."""
    events = [
        *person("S-0001", d("2024-01-08"), "manager"),
        *person("S-0002", d("2024-01-08")),
        *child("C-0001", d("2025-09-01")),
        connection(d("2025-10-01"), "S-0002"),
        connection(d("2025-10-02"), "S-0002"),
        exception(d("2025-10-03"), "S-0002", "G-0001", since=d("2025-08-31")),
        connection(d("2025-10-03"), "S-0002"),
        connection(d("2025-10-20"), "S-0002"),
    ]
    rule = "connection-without-exception"
    assert judge(SOUTH_WOODHAM, events, d("2025-10-02"), rule) == [
        F(rule, "S-0002/G-0001", d("2025-10-01"))
    ]
    assert judge(SOUTH_WOODHAM, events, d("2025-10-31"), rule) == [
        F(
            rule,
            "S-0002/G-0001",
            d("2025-10-01"),
            "resolved",
            d("2025-10-03"),
            "FriendshipExceptionGranted",
        )
    ]


def test_south_woodham_connection_without_exception_refused_unless_before_the_child_started() -> (
    None
):
    """South Woodham Pre-School, line 96: the exception is only for a relationship that
    existed before the child started, so granting one that began on the first day or later is
    refused; the day before is accepted."""
    events = [
        *person("S-0001", d("2024-01-08"), "manager"),
        *person("S-0002", d("2024-01-08")),
        *child("C-0001", d("2025-09-01")),
    ]
    registers, profile = record(SOUTH_WOODHAM, events)
    for since in (d("2025-09-01"), d("2025-09-02")):
        with pytest.raises(Refused) as refused:
            decide(registers, profile, exception(d("2025-10-03"), "S-0002", "G-0001", since), TODAY)
        assert refused.value.field == "since"
    decide(
        registers, profile, exception(d("2025-10-03"), "S-0002", "G-0001", d("2025-08-31")), TODAY
    )


def test_south_woodham_connection_without_exception_refused_for_volunteer_after_joining() -> None:
    """South Woodham Pre-School, line 73: a volunteer or student may keep only a relationship
    with a parent that existed before they began their role, so an exception that began on or
    after the day they joined is refused, even though it predates the child's start."""
    events = [
        *person("S-0001", d("2024-01-08"), "manager"),
        *person("S-0003", d("2025-06-02"), kind="volunteer"),
        *person("S-0004", d("2025-06-02"), kind="student"),
        *child("C-0001", d("2025-09-01")),
    ]
    registers, profile = record(SOUTH_WOODHAM, events)
    for helper in ("S-0003", "S-0004"):
        for since in (d("2025-06-02"), d("2025-07-01")):
            with pytest.raises(Refused) as refused:
                decide(
                    registers, profile, exception(d("2025-10-03"), helper, "G-0001", since), TODAY
                )
            assert refused.value.field == "since"
        decide(
            registers, profile, exception(d("2025-10-03"), helper, "G-0001", d("2025-06-01")), TODAY
        )


def test_south_woodham_connection_without_exception_only_while_the_child_attends() -> None:
    """South Woodham Pre-School, line 96: the rule applies while the child is at the pre-school
    and no longer once they have left: a report before the first day or after the last day is
    fine; one on the last day is a finding that ends the next day."""
    events = [
        *person("S-0001", d("2024-01-08"), "manager"),
        *person("S-0002", d("2024-01-08")),
        *person("S-0003", d("2024-01-08")),
        *child("C-0001", d("2025-09-01"), left=d("2026-07-17")),
        connection(d("2025-08-20"), "S-0002"),
        connection(d("2026-07-18"), "S-0002"),
        connection(d("2026-07-17"), "S-0003"),
    ]
    rule = "connection-without-exception"
    assert judge(SOUTH_WOODHAM, events, d("2026-08-31"), rule) == [
        F(rule, "S-0003/G-0001", d("2026-07-17"), "resolved", d("2026-07-18"), "ChildLeft")
    ]


# --- South Woodham Pre-School: concerns and discipline -------------------------------------------


def test_south_woodham_concern_unaddressed_by_the_next_day() -> None:
    """South Woodham Pre-School, line 41: critical conversations are reported to the manager to
    be looked into, by the end of the next day; a concern taken up two days later was late."""
    raised = d("2025-10-01")
    events = [
        *south_woodham(),
        ev.ConcernRaised(on=raised, concern="K-0001", category="critical-discussion"),
        ev.ConcernRaised(on=raised, concern="K-0002", category="critical-discussion"),
        ev.ConcernRaised(on=raised, concern="K-0003", category="inappropriate-comment"),
        ev.ConcernAddressed(on=d("2025-10-02"), concern="K-0001", action="Manager investigated"),
        ev.ConcernAddressed(on=d("2025-10-05"), concern="K-0002", action="Manager investigated"),
    ]
    rule = "concern-unaddressed"
    assert judge(SOUTH_WOODHAM, events, d("2025-10-31"), rule) == [
        F(rule, "K-0002", d("2025-10-03"), "resolved", d("2025-10-05"), "ConcernAddressed"),
        F(rule, "K-0003", d("2025-10-03")),
    ]


def test_south_woodham_referral_undecided_within_four_weeks() -> None:
    """South Woodham Pre-School, line 58: a breach is investigated and may lead to disciplinary
    action, decided within 28 days of the referral (the 28th day is in time)."""
    referred = d("2025-10-01")
    events = [
        *south_woodham(),
        *person("S-0003", d("2025-09-01"), kind="student"),
        ev.DisciplinaryReferred(on=referred, case="D-0001", person="S-0003"),
        ev.DisciplinaryReferred(on=referred, case="D-0002", person="S-0003"),
        ev.DisciplinaryReferred(on=referred, case="D-0003", person="S-0003"),
        ev.DisciplinaryDecided(on=d("2025-10-29"), case="D-0001", outcome="asked-to-leave"),
        ev.DisciplinaryDecided(on=d("2025-11-03"), case="D-0002", outcome="advice"),
    ]
    rule = "referral-undecided"
    assert judge(SOUTH_WOODHAM, events, d("2025-10-29"), rule) == []
    assert judge(SOUTH_WOODHAM, events, d("2025-11-30"), rule) == [
        F(rule, "D-0002", d("2025-10-30"), "resolved", d("2025-11-03"), "DisciplinaryDecided"),
        F(rule, "D-0003", d("2025-10-30")),
    ]


# --- South Woodham Pre-School: acknowledgements and the as-of cut-off ----------------------------


def test_south_woodham_consent_missing_acknowledged_or_removed_the_same_day() -> None:
    """South Woodham Pre-School, line 124: a post without permission is resolved by the
    committee's acknowledgement; if the post is removed on the day of the acknowledgement, the
    removal counts instead."""
    events = [
        *south_woodham(),
        post("P-0001", "closed-group", "G-0001", d("2025-10-06"), "C-0001", device="T-01"),
        post("P-0002", "closed-group", "G-0001", d("2025-10-06"), "C-0001", device="T-01"),
        ack(d("2025-10-08"), "consent-missing", "P-0001"),
        removed("P-0001", d("2025-10-08")),
        ack(d("2025-10-08"), "consent-missing", "P-0002"),
        removed("P-0002", d("2025-10-10")),
    ]
    rule = "consent-missing"
    assert judge(SOUTH_WOODHAM, events, d("2025-10-31"), rule) == [
        F(rule, "P-0001", d("2025-10-06"), "resolved", d("2025-10-08"), "PostRemoved"),
        F(rule, "P-0002", d("2025-10-06"), "resolved", d("2025-10-08"), "FindingAcknowledged"),
    ]


def test_south_woodham_concern_unaddressed_acknowledged_only_while_open() -> None:
    """South Woodham Pre-School, line 54: concerns go to the designated person; the committee's
    acknowledgement resolves a late concern only once the finding is open (one recorded during
    the day's grace does nothing), and a later response does not change that."""
    raised = d("2025-10-01")
    events = [
        *south_woodham(),
        ev.ConcernRaised(on=raised, concern="K-0001", category="confidentiality"),
        ev.ConcernRaised(on=raised, concern="K-0002", category="confidentiality"),
        ack(d("2025-10-02"), "concern-unaddressed", "K-0001"),
        ack(d("2025-10-02"), "concern-unaddressed", "K-0002"),
        ack(d("2025-10-04"), "concern-unaddressed", "K-0001"),
        ev.ConcernAddressed(on=d("2025-10-05"), concern="K-0002", action="Manager spoke to them"),
        ev.ConcernAddressed(on=d("2025-10-06"), concern="K-0001", action="Manager spoke to them"),
    ]
    rule = "concern-unaddressed"
    assert judge(SOUTH_WOODHAM, events, d("2025-10-31"), rule) == [
        F(rule, "K-0001", d("2025-10-03"), "resolved", d("2025-10-04"), "FindingAcknowledged"),
        F(rule, "K-0002", d("2025-10-03"), "resolved", d("2025-10-05"), "ConcernAddressed"),
    ]


def test_south_woodham_too_few_admins_acknowledged_stays_resolved_while_it_lasts() -> None:
    """South Woodham Pre-School, line 126: an acknowledged shortage of administrators stays
    resolved while it lasts; once a second admin is appointed it has stopped, and falling short
    again later is a new finding."""
    start = d("2025-09-01")
    events = [
        *person("S-0001", start, "manager", "group-admin"),
        *person("S-0002", start),
        *child("C-0001", start),
        ev.MemberAdmitted(on=start, member="G-0001"),
        ack(d("2025-09-05"), "too-few-admins", "closed-group"),
        ev.RoleAssigned(on=d("2025-09-20"), person="S-0002", role="group-admin"),
        ev.PersonLeft(on=d("2025-10-31"), person="S-0002"),
    ]
    rule = "too-few-admins"
    assert judge(SOUTH_WOODHAM, events, d("2025-09-30"), rule) == [
        F(rule, "closed-group", start, "resolved", d("2025-09-05"), "FindingAcknowledged")
    ]
    assert judge(SOUTH_WOODHAM, events, d("2025-11-30"), rule) == [
        F(rule, "closed-group", start, "resolved", d("2025-09-05"), "FindingAcknowledged"),
        F(rule, "closed-group", d("2025-11-01")),
    ]


def test_south_woodham_consent_missing_as_of_cut_off() -> None:
    """South Woodham Pre-School, line 124: the same post judged on different days: not yet a
    finding before it was posted, open before it came down, resolved from its removal."""
    events = [
        *south_woodham(),
        post("P-0001", "closed-group", "G-0001", d("2025-10-06"), "C-0001", device="T-01"),
        removed("P-0001", d("2025-10-09")),
    ]
    rule = "consent-missing"
    assert judge(SOUTH_WOODHAM, events, d("2025-10-05"), rule) == []
    assert judge(SOUTH_WOODHAM, events, d("2025-10-08"), rule) == [
        F(rule, "P-0001", d("2025-10-06"), "open", None, None)
    ]
    assert judge(SOUTH_WOODHAM, events, d("2025-10-09"), rule) == [
        F(rule, "P-0001", d("2025-10-06"), "resolved", d("2025-10-09"), "PostRemoved")
    ]


def test_south_woodham_policy_review_overdue_and_contact_rules_not_turned_on() -> None:
    """South Woodham Pre-School, line 118: the profile turns on the group, post, friendship,
    concern and referral rules only; a policy never reviewed and a child contacted without
    permission or a setting phone give nothing."""
    events = [
        *south_woodham(),
        ev.PolicyAdopted(on=d("2020-09-01"), version="2020"),
        contacted("C-0001", d("2025-10-06"), "text", device=None),
    ]
    assert judge(SOUTH_WOODHAM, events, TODAY) == []


# --- West Wycombe Preschool ----------------------------------------------------------------------


def test_west_wycombe_child_image_forbidden_on_the_facebook_page() -> None:
    """West Wycombe Preschool, line 9: no photo of a pupil is uploaded, even to the preschool's
    own page and even with a parent's permission; a post without a child is fine, and there is
    no consent rule at all."""
    events = [
        *west_wycombe(),
        consent("C-0001", "facebook-page", d("2025-09-01")),
        post("P-0001", "facebook-page", "S-0001", d("2025-10-06"), "C-0001", purpose="promotion"),
        post("P-0002", "facebook-page", "S-0001", d("2025-10-06"), purpose="promotion"),
        removed("P-0001", d("2025-10-07"), "breach"),
    ]
    assert judge(WEST_WYCOMBE, events, d("2025-10-31")) == [
        F(
            "child-image-forbidden",
            "P-0001",
            d("2025-10-06"),
            "resolved",
            d("2025-10-07"),
            "PostRemoved",
        )
    ]


def test_west_wycombe_child_image_forbidden_on_a_personal_page() -> None:
    """West Wycombe Preschool, line 9: a committee member's own page never carries a photo of a
    pupil, and the preschool comes up there only for promotion (line 10)."""
    events = [
        *west_wycombe(),
        *person("S-0002", d("2025-09-01"), kind="committee"),
        post("P-0001", "personal-account", "S-0002", d("2025-10-06"), "C-0001"),
    ]
    assert judge(WEST_WYCOMBE, events, d("2025-10-31")) == [
        F("child-image-forbidden", "P-0001", d("2025-10-06")),
        F("unauthorised-poster", "P-0001", d("2025-10-06")),
    ]


def test_west_wycombe_unauthorised_poster_page_managers() -> None:
    """West Wycombe Preschool, line 12: five roles look after the page (the three senior
    practitioners, the chair and the committee's social media officer); anyone else (a
    safeguarding lead, a deputy whose role was taken away that day, a parent) may not post."""
    on = d("2025-10-06")
    events = [
        *west_wycombe(),
        *person("S-0002", d("2025-09-01"), "deputy"),
        *person("S-0003", d("2025-09-01"), "third-in-charge"),
        *person("S-0004", d("2025-09-01"), "chair", kind="committee"),
        *person("S-0005", d("2025-09-01"), "social-media-officer", kind="committee"),
        *person("S-0006", d("2025-09-01"), "safeguarding-lead"),
        *person("S-0007", d("2025-09-01"), "deputy"),
        post("P-0001", "facebook-page", "S-0001", on),
        post("P-0002", "facebook-page", "S-0002", on),
        post("P-0003", "facebook-page", "S-0003", on),
        post("P-0004", "facebook-page", "S-0004", on),
        post("P-0005", "facebook-page", "S-0005", on),
        post("P-0006", "facebook-page", "S-0006", on),
        post("P-0007", "facebook-page", "S-0007", on),
        ev.RoleRevoked(on=on, person="S-0007", role="deputy"),
        post("P-0008", "facebook-page", "G-0001", on),
    ]
    assert judge(WEST_WYCOMBE, events, d("2025-10-31"), "unauthorised-poster") == [
        F("unauthorised-poster", "P-0006", on),
        F("unauthorised-poster", "P-0007", on),
        F("unauthorised-poster", "P-0008", on),
    ]


def test_west_wycombe_unauthorised_poster_personal_page() -> None:
    """West Wycombe Preschool, line 10: the preschool is discussed on personal pages only to
    promote it, its events and its fundraising, so even the chair's post about it there for
    another purpose, or none said, is by someone who may not; a promotion by staff or a parent
    is fine (issue 18: it was a finding), by someone who has left is not."""
    on = d("2025-10-06")
    events = [
        *west_wycombe(),
        *person("S-0004", d("2025-09-01"), "chair", kind="committee"),
        *person("S-0005", d("2025-09-01")),
        ev.PersonLeft(on=d("2025-10-01"), person="S-0005"),
        post("P-0001", "personal-account", "S-0004", on),
        post("P-0002", "personal-account", "S-0004", on, purpose="news"),
        post("P-0003", "personal-account", "S-0004", on, purpose="promotion"),
        post("P-0004", "personal-account", "S-0001", on, purpose="promotion"),
        post("P-0005", "personal-account", "G-0001", on, purpose="promotion"),
        post("P-0006", "personal-account", "S-0005", on, purpose="promotion"),
    ]
    assert judge(WEST_WYCOMBE, events, d("2025-10-31")) == [
        F("unauthorised-poster", "P-0001", on),
        F("unauthorised-poster", "P-0002", on),
        F("unauthorised-poster", "P-0006", on),
    ]


def test_west_wycombe_purpose_not_allowed_on_the_page() -> None:
    """West Wycombe Preschool, line 12: the page is purely for advertising and promoting the
    preschool and its events, so a post there for anything else, or with no purpose said, is a
    finding until it is removed; personal pages are judged by their posters instead."""
    on = d("2025-10-06")
    events = [
        *west_wycombe(),
        post("P-0001", "facebook-page", "S-0001", on, purpose="promotion"),
        post("P-0002", "facebook-page", "S-0001", on, purpose="activity"),
        post("P-0003", "facebook-page", "S-0001", on),
        removed("P-0003", d("2025-10-08")),
        post("P-0004", "personal-account", "S-0001", on, purpose="news"),
    ]
    rule = "purpose-not-allowed"
    assert judge(WEST_WYCOMBE, events, d("2025-10-31"), rule) == [
        F(rule, "P-0002", on),
        F(rule, "P-0003", on, "resolved", d("2025-10-08"), "PostRemoved"),
    ]


def test_west_wycombe_connection_without_exception_declared() -> None:
    """West Wycombe Preschool, line 11: staff and parents may choose to be friends online, but
    the friendship must be recorded; a connection found first is a finding until it is
    recorded (whenever the friendship began), one recorded that day or earlier is fine, and a
    connection on or after the day it ends is a new finding."""
    events = [
        *west_wycombe(),
        *person("S-0002", d("2025-09-01")),
        *person("S-0003", d("2025-09-01")),
        *person("S-0004", d("2025-09-01")),
        connection(d("2025-10-01"), "S-0002"),
        exception(d("2025-10-10"), "S-0002", "G-0001", since=d("2025-10-10")),
        exception(d("2025-09-15"), "S-0003", "G-0001", since=d("2025-09-15")),
        connection(d("2025-10-01"), "S-0003"),
        connection(d("2025-10-01"), "S-0004"),
        exception(d("2025-10-01"), "S-0004", "G-0001", since=d("2025-10-01")),
        ev.FriendshipExceptionEnded(on=d("2026-01-05"), person="S-0002", guardian="G-0001"),
        connection(d("2026-01-05"), "S-0002"),
    ]
    rule = "connection-without-exception"
    assert judge(WEST_WYCOMBE, events, d("2026-01-31"), rule) == [
        F(
            rule,
            "S-0002/G-0001",
            d("2025-10-01"),
            "resolved",
            d("2025-10-10"),
            "FriendshipExceptionGranted",
        ),
        F(rule, "S-0002/G-0001", d("2026-01-05")),
    ]


def test_west_wycombe_policy_review_overdue_from_29_february() -> None:
    """West Wycombe Preschool, line 17: the policy is reviewed every year; adopted on
    29 February, a year later runs to 28 February (the month has no 29th), so the finding
    begins on 1 March."""
    events = [ev.PolicyAdopted(on=d("2024-02-29"), version="2024")]
    rule = "policy-review-overdue"
    assert judge(WEST_WYCOMBE, events, d("2025-02-28"), rule) == []
    assert judge(WEST_WYCOMBE, events, d("2025-03-01"), rule) == [
        F(rule, "policy", d("2025-03-01"))
    ]


def test_west_wycombe_policy_review_overdue_counted_from_the_last_review() -> None:
    """West Wycombe Preschool, line 17: a yearly review: reviewed on the last day of the year
    is in time; the next, four days late, resolves a finding, and the following year is
    counted from that late review."""
    events = [
        ev.PolicyAdopted(on=d("2024-02-29"), version="2024"),
        ev.PolicyReviewed(on=d("2025-02-28"), outcome="unchanged"),
        ev.PolicyReviewed(on=d("2026-03-03"), outcome="amended"),
    ]
    rule = "policy-review-overdue"
    assert judge(WEST_WYCOMBE, events, d("2027-03-03"), rule) == [
        F(rule, "policy", d("2026-03-01"), "resolved", d("2026-03-03"), "PolicyReviewed")
    ]
    assert judge(WEST_WYCOMBE, events, d("2027-06-30"), rule) == [
        F(rule, "policy", d("2026-03-01"), "resolved", d("2026-03-03"), "PolicyReviewed"),
        F(rule, "policy", d("2027-03-04")),
    ]


def test_west_wycombe_policy_review_overdue_resolved_by_a_new_version() -> None:
    """West Wycombe Preschool, line 17: policies are updated when necessary; adopting a new
    version counts as the overdue review."""
    events = [
        ev.PolicyAdopted(on=d("2023-10-31"), version="2023"),
        ev.PolicyAdopted(on=d("2024-11-04"), version="2024"),
        ev.PolicyReviewed(on=d("2025-10-01"), outcome="unchanged"),
    ]
    rule = "policy-review-overdue"
    assert judge(WEST_WYCOMBE, events, d("2026-06-30"), rule) == [
        F(rule, "policy", d("2024-11-01"), "resolved", d("2024-11-04"), "PolicyAdopted")
    ]


def test_west_wycombe_concern_unaddressed_by_the_next_day() -> None:
    """West Wycombe Preschool, line 15: a worry about something written online goes quietly
    to the manager or the committee's chair, who take it up by the end of the next day."""
    raised = d("2026-01-05")
    events = [
        *west_wycombe(),
        *person("S-0002", d("2025-09-01")),
        ev.ConcernRaised(on=raised, concern="K-0001", category="defamatory", about="S-0002"),
        ev.ConcernRaised(on=raised, concern="K-0002", category="defamatory", about="G-0001"),
        ev.ConcernRaised(on=raised, concern="K-0003", category="other"),
        ev.ConcernAddressed(on=d("2026-01-06"), concern="K-0001", action="Chair spoke to them"),
        ev.ConcernAddressed(on=d("2026-01-07"), concern="K-0002", action="Chair spoke to them"),
    ]
    rule = "concern-unaddressed"
    assert judge(WEST_WYCOMBE, events, d("2026-01-31"), rule) == [
        F(rule, "K-0002", d("2026-01-07"), "resolved", d("2026-01-07"), "ConcernAddressed"),
        F(rule, "K-0003", d("2026-01-07")),
    ]


def test_west_wycombe_referral_undecided_within_four_weeks() -> None:
    """West Wycombe Preschool, line 8: a breach by staff or a committee member taken further is
    decided within 28 days (1 February to 1 March 2026 is in time; 2 March is late)."""
    referred = d("2026-02-01")
    events = [
        *west_wycombe(),
        *person("S-0002", d("2025-09-01"), kind="committee"),
        ev.DisciplinaryReferred(on=referred, case="D-0001", person="S-0002"),
        ev.DisciplinaryReferred(on=referred, case="D-0002", person="S-0002"),
        ev.DisciplinaryDecided(on=d("2026-03-01"), case="D-0001", outcome="written-warning"),
        ev.DisciplinaryDecided(on=d("2026-03-02"), case="D-0002", outcome="no-action"),
    ]
    rule = "referral-undecided"
    assert judge(WEST_WYCOMBE, events, d("2026-03-31"), rule) == [
        F(rule, "D-0002", d("2026-03-02"), "resolved", d("2026-03-02"), "DisciplinaryDecided")
    ]


def test_west_wycombe_group_and_consent_rules_not_turned_on() -> None:
    """West Wycombe Preschool, line 12: the preschool has a Facebook page and no closed group,
    so membership cannot be recorded, and the rules it does not turn on (follow-up of removals,
    contact with children) give nothing."""
    events = [
        *west_wycombe(),
        post("P-0001", "facebook-page", "S-0001", d("2025-10-06"), purpose="promotion"),
        removed("P-0001", d("2025-10-07"), "negative-discussion"),
        contacted("C-0001", d("2025-10-08"), "text", device=None),
    ]
    assert judge(WEST_WYCOMBE, events, d("2026-06-30")) == []
    registers, profile = record(WEST_WYCOMBE, events)
    with pytest.raises(Refused):
        decide(registers, profile, ev.MemberAdmitted(on=d("2025-10-06"), member="G-0001"), TODAY)


# --- Stepping Stones Nursery ---------------------------------------------------------------------


def test_ss_nursery_consent_missing_prior_written_permission() -> None:
    """Stepping Stones Nursery, line 17: written permission from a parent is in place before a
    child's image is posted; a post showing two children needs it for both, and a grant covers
    up to its expiry day."""
    events = [
        *stepping_stones_nursery(),
        consent("C-0001", "closed-page", d("2025-09-01"), "G-0001"),
        consent("C-0002", "closed-page", d("2025-09-01"), "G-0002", expires=d("2025-10-06")),
        post("P-0001", "closed-page", "S-0002", d("2025-10-06"), "C-0001", "C-0002"),
        post("P-0002", "closed-page", "S-0002", d("2025-10-07"), "C-0001", "C-0002"),
        post("P-0003", "closed-page", "S-0002", d("2025-10-07"), "C-0001"),
        removed("P-0002", d("2025-10-07")),
    ]
    assert judge(SS_NURSERY, events, d("2025-10-31")) == [
        F("consent-missing", "P-0002", d("2025-10-07"), "resolved", d("2025-10-07"), "PostRemoved")
    ]


def test_ss_nursery_consent_missing_any_guardian_decides() -> None:
    """Stepping Stones Nursery, line 17: permission comes from the child's parents or carers:
    the latest word of either of them decides, so the second parent's withdrawal leaves the
    child without it until the first parent grants it again."""
    events = [
        *stepping_stones_nursery(),
        ev.GuardianLinked(on=d("2025-09-01"), guardian="G-0003", name="Test Carer", child="C-0001"),
        consent("C-0001", "closed-page", d("2025-09-01"), "G-0001"),
        ev.ConsentWithdrawn(
            on=d("2025-10-01"), child="C-0001", guardian="G-0003", channel="closed-page"
        ),
        post("P-0001", "closed-page", "S-0002", d("2025-10-02"), "C-0001"),
        consent("C-0001", "closed-page", d("2025-10-05"), "G-0001"),
        post("P-0002", "closed-page", "S-0002", d("2025-10-05"), "C-0001"),
    ]
    assert judge(SS_NURSERY, events, d("2025-10-31"), "consent-missing") == [
        F("consent-missing", "P-0001", d("2025-10-02"))
    ]


def test_ss_nursery_withdrawn_consent_post_live_earliest_withdrawal() -> None:
    """Stepping Stones Nursery, line 17: a post stays covered only while the parents' agreement
    stands; when it is withdrawn older posts come down within two days, and where two children's
    agreements are withdrawn the earlier withdrawal counts."""
    events = [
        *stepping_stones_nursery(),
        consent("C-0001", "closed-page", d("2025-09-01"), "G-0001"),
        consent("C-0002", "closed-page", d("2025-09-01"), "G-0002"),
        post("P-0001", "closed-page", "S-0002", d("2026-02-10"), "C-0001", "C-0002"),
        post("P-0002", "closed-page", "S-0002", d("2026-02-10"), "C-0001"),
        ev.ConsentWithdrawn(
            on=d("2026-03-02"), child="C-0001", guardian="G-0001", channel="closed-page"
        ),
        ev.ConsentWithdrawn(
            on=d("2026-03-01"), child="C-0002", guardian="G-0002", channel="closed-page"
        ),
        removed("P-0002", d("2026-03-04"), "consent-withdrawn"),
    ]
    rule = "withdrawn-consent-post-live"
    assert judge(SS_NURSERY, events, d("2026-03-03"), rule) == []
    assert judge(SS_NURSERY, events, d("2026-03-31"), rule) == [F(rule, "P-0001", d("2026-03-04"))]


def test_ss_nursery_child_image_forbidden_on_personal_accounts() -> None:
    """Stepping Stones Nursery, lines 42 and 48: staff put no child of the nursery on their own
    social media, and parents none "with other children in them": a parent's own child is
    allowed (issue 18: it was a finding). A post there without a child is only about the
    nursery, which staff do not do either; a visitor posts no child at all."""
    events = [
        *stepping_stones_nursery(),
        *person("S-0008", d("2025-09-01"), kind="visitor"),
        post("P-0001", "personal-account", "S-0003", d("2025-10-06"), "C-0001"),
        post("P-0002", "personal-account", "G-0002", d("2025-10-06"), "C-0001"),
        post("P-0003", "personal-account", "S-0003", d("2025-10-07")),
        post("P-0004", "personal-account", "G-0002", d("2025-10-07"), "C-0002"),
        post("P-0005", "personal-account", "S-0008", d("2025-10-07"), "C-0002"),
    ]
    assert judge(SS_NURSERY, events, d("2025-10-31")) == [
        F("child-image-forbidden", "P-0001", d("2025-10-06")),
        F("child-image-forbidden", "P-0002", d("2025-10-06")),
        F("unauthorised-poster", "P-0001", d("2025-10-06")),
        F("child-image-forbidden", "P-0005", d("2025-10-07")),
        F("unauthorised-poster", "P-0003", d("2025-10-07")),
        F("unauthorised-poster", "P-0005", d("2025-10-07")),
    ]


def test_ss_nursery_unauthorised_poster_designated_person_or_management() -> None:
    """Stepping Stones Nursery, line 18: others may not post on the nursery's page: only
    management or the designated person (the social media officer), and nothing on a
    personal account."""
    on = d("2025-10-06")
    events = [
        *stepping_stones_nursery(),
        post("P-0001", "closed-page", "S-0002", on),
        post("P-0002", "closed-page", "S-0001", on),
        post("P-0003", "closed-page", "S-0003", on),
        post("P-0004", "closed-page", "G-0001", on),
        post("P-0005", "personal-account", "S-0001", on),
    ]
    assert judge(SS_NURSERY, events, d("2025-10-31"), "unauthorised-poster") == [
        F("unauthorised-poster", "P-0003", on),
        F("unauthorised-poster", "P-0004", on),
        F("unauthorised-poster", "P-0005", on),
    ]


def test_ss_nursery_connection_without_exception_never() -> None:
    """Stepping Stones Nursery, line 38: staff and parents keep to the nursery's official
    channels, with no exception: a connection reported while the child attends stays a finding
    (further reports belong to it) until the committee acknowledges it; a later report is a
    new finding."""
    events = [
        *stepping_stones_nursery(),
        connection(d("2025-10-01"), "S-0003"),
        connection(d("2025-11-01"), "S-0003"),
        ack(d("2025-11-10"), "connection-without-exception", "S-0003/G-0001"),
        connection(d("2025-12-01"), "S-0003"),
    ]
    rule = "connection-without-exception"
    assert judge(SS_NURSERY, events, d("2025-11-30"), rule) == [
        F(
            rule,
            "S-0003/G-0001",
            d("2025-10-01"),
            "resolved",
            d("2025-11-10"),
            "FindingAcknowledged",
        )
    ]
    assert judge(SS_NURSERY, events, d("2025-12-31"), rule) == [
        F(
            rule,
            "S-0003/G-0001",
            d("2025-10-01"),
            "resolved",
            d("2025-11-10"),
            "FindingAcknowledged",
        ),
        F(rule, "S-0003/G-0001", d("2025-12-01")),
    ]


def test_ss_nursery_connection_without_exception_cannot_be_granted() -> None:
    """Stepping Stones Nursery, line 29: staff do not send private messages to parents, and the
    policy allows no exception, so granting one is refused even for a friendship of years."""
    events = stepping_stones_nursery()
    registers, profile = record(SS_NURSERY, events)
    with pytest.raises(Refused):
        decide(
            registers,
            profile,
            exception(d("2025-10-01"), "S-0003", "G-0001", d("2015-01-01")),
            TODAY,
        )


def test_ss_nursery_connection_without_exception_only_while_a_child_attends() -> None:
    """Stepping Stones Nursery, line 38: the rule protects the relationship between staff and
    the parents of children at the nursery: a report before the child starts or after the last
    day is fine; one on the last day is a finding that ends the next day."""
    events = [
        *stepping_stones_nursery(),
        *child("C-0003", d("2026-01-05"), "G-0003"),
        connection(d("2025-12-15"), "S-0002", "G-0003"),
        ev.ChildLeft(on=d("2026-07-17"), child="C-0002"),
        connection(d("2026-07-17"), "S-0003", "G-0002"),
        connection(d("2026-07-18"), "S-0002", "G-0002"),
    ]
    rule = "connection-without-exception"
    assert judge(SS_NURSERY, events, d("2026-08-31"), rule) == [
        F(rule, "S-0003/G-0002", d("2026-07-17"), "resolved", d("2026-07-18"), "ChildLeft")
    ]


def test_ss_nursery_concern_unaddressed_immediately() -> None:
    """Stepping Stones Nursery, line 20: comments are monitored and concerns addressed
    immediately, read as by the end of the next day."""
    raised = d("2025-10-06")
    events = [
        *stepping_stones_nursery(),
        ev.ConcernRaised(on=raised, concern="K-0001", category="inappropriate-comment"),
        ev.ConcernRaised(on=raised, concern="K-0002", category="inappropriate-comment"),
        ev.ConcernAddressed(on=d("2025-10-07"), concern="K-0001", action="Comment hidden"),
        ev.ConcernAddressed(on=d("2025-10-09"), concern="K-0002", action="Comment hidden"),
    ]
    rule = "concern-unaddressed"
    assert judge(SS_NURSERY, events, d("2025-10-07"), rule) == []
    assert judge(SS_NURSERY, events, d("2025-10-31"), rule) == [
        F(rule, "K-0002", d("2025-10-08"), "resolved", d("2025-10-09"), "ConcernAddressed")
    ]


def test_ss_nursery_referral_undecided_within_four_weeks() -> None:
    """Stepping Stones Nursery, line 36: a member of staff who breaks the rules faces
    disciplinary action, decided within 28 days of the referral."""
    events = [
        *stepping_stones_nursery(),
        ev.ConcernRaised(on=d("2025-10-06"), concern="K-0001", category="confidentiality"),
        ev.DisciplinaryReferred(
            on=d("2025-10-08"), case="D-0001", person="S-0003", concern="K-0001"
        ),
    ]
    rule = "referral-undecided"
    assert judge(SS_NURSERY, events, d("2025-11-05"), rule) == []
    assert judge(SS_NURSERY, events, d("2025-11-06"), rule) == [F(rule, "D-0001", d("2025-11-06"))]


def test_ss_nursery_device_and_contact_rules_not_turned_on() -> None:
    """Stepping Stones Nursery, line 17: its page rules are about permission and posters, not
    devices; a consented post with no device and a child contacted without permission give
    nothing."""
    events = [
        *stepping_stones_nursery(),
        consent("C-0001", "closed-page", d("2025-09-01"), "G-0001"),
        post("P-0001", "closed-page", "S-0002", d("2025-10-06"), "C-0001"),
        contacted("C-0001", d("2025-10-06"), "text", device=None),
        ev.PolicyAdopted(on=d("2022-06-01"), version="June 2022"),
    ]
    assert judge(SS_NURSERY, events, TODAY) == []


# --- Stepping Stones Pre School ------------------------------------------------------------------


def test_ss_preschool_consent_missing_on_the_public_page() -> None:
    """Stepping Stones Pre School, line 14: safeguarding the children means a child appears on
    the pre-school's page only with a parent's agreement for it, in force that day (given the
    same day is enough); posts are not checked for devices here."""
    events = [
        *stepping_stones_preschool(),
        post("P-0001", "public-page", "S-0001", d("2025-10-06"), "C-0001"),
        post("P-0002", "public-page", "S-0001", d("2025-10-06"), "C-0002"),
        consent("C-0002", "public-page", d("2025-10-06"), "G-0002"),
    ]
    assert judge(SS_PRESCHOOL, events, d("2025-10-31")) == [
        F("consent-missing", "P-0001", d("2025-10-06"))
    ]


def test_ss_preschool_child_image_forbidden_on_a_personal_page() -> None:
    """Stepping Stones Pre School, line 16: practitioners never put photographs taken at the
    pre-school on their own social networking, nor say where they work."""
    events = [
        *stepping_stones_preschool(),
        post("P-0001", "personal-account", "S-0002", d("2025-10-06"), "C-0001"),
        post("P-0002", "personal-account", "S-0002", d("2025-10-07")),
        removed("P-0001", d("2025-10-09"), "breach"),
    ]
    gone = ("resolved", d("2025-10-09"), "PostRemoved")
    assert judge(SS_PRESCHOOL, events, d("2025-10-31")) == [
        F("child-image-forbidden", "P-0001", d("2025-10-06"), *gone),
        F("unauthorised-poster", "P-0001", d("2025-10-06"), *gone),
        F("unauthorised-poster", "P-0002", d("2025-10-07")),
    ]


def test_ss_preschool_unauthorised_poster_manager_only() -> None:
    """Stepping Stones Pre School, line 12: the pre-school's reputation is kept by having only
    the manager post on its page; a practitioner may post from the day they become manager."""
    events = [
        *stepping_stones_preschool(),
        post("P-0001", "public-page", "S-0002", d("2025-10-06")),
        post("P-0002", "public-page", "S-0001", d("2025-10-06")),
        ev.RoleAssigned(on=d("2025-10-07"), person="S-0002", role="manager"),
        post("P-0003", "public-page", "S-0002", d("2025-10-07")),
    ]
    assert judge(SS_PRESCHOOL, events, d("2025-10-31"), "unauthorised-poster") == [
        F("unauthorised-poster", "P-0001", d("2025-10-06"))
    ]


def test_ss_preschool_contact_without_permission() -> None:
    """Stepping Stones Pre School, line 20: a child is contacted only in a form of communication
    a parent has permitted beforehand (that day counts); contacts without it are one finding per
    child until the committee acknowledges it (contacts meanwhile, or that day, belong to it),
    and a later one starts a new finding. Permission given afterwards does not resolve it."""
    events = [
        *stepping_stones_preschool(),
        ev.CommunicationPermitted(
            on=d("2025-10-01"), child="C-0001", guardian="G-0001", method="phone"
        ),
        contacted("C-0001", d("2025-10-01"), "phone"),
        contacted("C-0002", d("2025-10-01"), "phone"),
        ev.CommunicationPermitted(
            on=d("2025-10-02"), child="C-0002", guardian="G-0002", method="phone"
        ),
        contacted("C-0001", d("2025-10-02"), "text"),
        contacted("C-0001", d("2025-10-05"), "text"),
        ack(d("2025-10-06"), "contact-without-permission", "C-0001"),
        contacted("C-0001", d("2025-10-06"), "text"),
        contacted("C-0001", d("2025-10-07"), "text"),
    ]
    rule = "contact-without-permission"
    assert judge(SS_PRESCHOOL, events, d("2025-10-31"), rule) == [
        F(rule, "C-0002", d("2025-10-01")),
        F(rule, "C-0001", d("2025-10-02"), "resolved", d("2025-10-06"), "FindingAcknowledged"),
        F(rule, "C-0001", d("2025-10-07")),
    ]


def test_ss_preschool_non_setting_device_for_contacts() -> None:
    """Stepping Stones Pre School, line 20: only equipment the pre-school provides is used to
    contact a child: a phone in service that day (registered that day counts; retired that day
    does not), never none or a personal one. One finding per child until acknowledged."""
    events = [
        *stepping_stones_preschool(),
        ev.CommunicationPermitted(
            on=d("2025-09-01"), child="C-0001", guardian="G-0001", method="phone"
        ),
        ev.CommunicationPermitted(
            on=d("2025-09-01"), child="C-0002", guardian="G-0002", method="phone"
        ),
        ev.DeviceRegistered(on=d("2025-09-01"), device="T-02"),
        ev.DeviceRetired(on=d("2025-10-08"), device="T-02"),
        contacted("C-0001", d("2025-10-06"), device="T-01"),
        contacted("C-0001", d("2025-10-07"), device="T-02"),
        contacted("C-0001", d("2025-10-08"), device="T-02"),
        contacted("C-0001", d("2025-10-09"), device=None),
        ack(d("2025-10-10"), "non-setting-device", "C-0001"),
        contacted("C-0001", d("2025-10-12"), device="own mobile"),
        ev.DeviceRegistered(on=d("2025-10-06"), device="T-03"),
        contacted("C-0002", d("2025-10-06"), device="T-03"),
    ]
    rule = "non-setting-device"
    assert judge(SS_PRESCHOOL, events, d("2025-10-31"), rule) == [
        F(rule, "C-0001", d("2025-10-08"), "resolved", d("2025-10-10"), "FindingAcknowledged"),
        F(rule, "C-0001", d("2025-10-12")),
    ]


def test_ss_preschool_non_setting_device_not_for_posts() -> None:
    """Stepping Stones Pre School, line 19: the equipment rule is about communicating with
    children, so a consented post of a child that names no device (or a personal phone) is
    not a finding."""
    events = [
        *stepping_stones_preschool(),
        consent("C-0001", "public-page", d("2025-09-01"), "G-0001"),
        post("P-0001", "public-page", "S-0001", d("2025-10-06"), "C-0001"),
        post("P-0002", "public-page", "S-0001", d("2025-10-06"), "C-0001", device="own phone"),
    ]
    assert judge(SS_PRESCHOOL, events, d("2025-10-31")) == []


def test_ss_preschool_concern_unaddressed_by_the_next_day() -> None:
    """Stepping Stones Pre School, line 14: social networking is used so that children stay
    safe, so a concern is dealt with by the end of the next day."""
    raised = d("2025-10-06")
    events = [
        *stepping_stones_preschool(),
        ev.ConcernRaised(on=raised, concern="K-0001", category="child-image", about="S-0002"),
        ev.ConcernAddressed(on=d("2025-10-07"), concern="K-0001", action="Photo taken down"),
        ev.ConcernRaised(on=raised, concern="K-0002", category="child-image", about="S-0002"),
    ]
    rule = "concern-unaddressed"
    assert judge(SS_PRESCHOOL, events, d("2025-10-31"), rule) == [
        F(rule, "K-0002", d("2025-10-08"))
    ]


def test_ss_preschool_referral_undecided_within_four_weeks() -> None:
    """Stepping Stones Pre School, line 12: breaking the rules on the pre-school's reputation is
    a disciplinary matter, decided within 28 days."""
    events = [
        *stepping_stones_preschool(),
        ev.DisciplinaryReferred(on=d("2025-10-01"), case="D-0001", person="S-0002"),
        ev.DisciplinaryDecided(on=d("2025-12-01"), case="D-0001", outcome="final-warning"),
    ]
    rule = "referral-undecided"
    assert judge(SS_PRESCHOOL, events, d("2025-11-30"), rule) == [
        F(rule, "D-0001", d("2025-10-30"))
    ]
    assert judge(SS_PRESCHOOL, events, d("2025-12-31"), rule) == [
        F(rule, "D-0001", d("2025-10-30"), "resolved", d("2025-12-01"), "DisciplinaryDecided")
    ]


# --- Sandbank and Valley Nursery Schools Federation ----------------------------------------------


def test_sandbank_consent_missing_on_the_website() -> None:
    """Sandbank and Valley Nursery Schools Federation, line 66: staff never identify a child,
    so a child appears on the website only with a parent's agreement in force on the day (a
    post on the day of the agreement is fine); posts are not checked for devices."""
    events = [
        *sandbank(),
        post("P-0001", "website", "S-0001", d("2024-10-04"), "C-0001"),
        consent("C-0001", "website", d("2024-10-07")),
        post("P-0002", "website", "S-0001", d("2024-10-07"), "C-0001"),
        removed("P-0001", d("2024-10-08")),
    ]
    assert judge(SANDBANK, events, d("2024-10-31")) == [
        F("consent-missing", "P-0001", d("2024-10-04"), "resolved", d("2024-10-08"), "PostRemoved")
    ]


def test_sandbank_child_image_forbidden_on_a_personal_account() -> None:
    """Sandbank and Valley Nursery Schools Federation, line 66: staff never name a pupil or
    refer to their circumstances, and a picture identifies them just as well."""
    events = [
        *sandbank(),
        post("P-0001", "personal-account", "S-0002", d("2024-10-04"), "C-0001"),
    ]
    assert judge(SANDBANK, events, d("2024-10-31")) == [
        F("child-image-forbidden", "P-0001", d("2024-10-04")),
    ]


def test_sandbank_unauthorised_poster_website_and_personal_account() -> None:
    """Sandbank and Valley Nursery Schools Federation, line 63: staff who say where they work
    speak for the school, so only the manager posts on the website; on their own accounts any
    current member of staff may post, taking on that responsibility (issue 18: it was a
    finding), but a parent, or someone who has left, does not speak for the school."""
    on = d("2024-10-04")
    events = [
        *sandbank(),
        ev.GuardianLinked(
            on=d("2024-09-02"), guardian="G-0005", name="Test Parent", child="C-0001"
        ),
        *person("S-0009", d("2024-09-02")),
        ev.PersonLeft(on=d("2024-10-03"), person="S-0009"),
        post("P-0001", "website", "S-0001", on),
        post("P-0002", "website", "S-0002", on),
        post("P-0003", "personal-account", "S-0001", on),
        post("P-0004", "personal-account", "S-0002", on),
        post("P-0005", "personal-account", "G-0005", on),
        post("P-0006", "personal-account", "S-0009", on),
    ]
    assert judge(SANDBANK, events, d("2024-10-31")) == [
        F("unauthorised-poster", "P-0002", on),
        F("unauthorised-poster", "P-0005", on),
        F("unauthorised-poster", "P-0006", on),
    ]


def test_sandbank_concern_unaddressed_by_the_next_day() -> None:
    """Sandbank and Valley Nursery Schools Federation, line 57: a suspected improper approach
    by a pupil goes to the line manager at once and is dealt with by the end of the next day."""
    raised = d("2024-11-04")
    events = [
        *sandbank(),
        ev.ConcernRaised(on=raised, concern="K-0001", category="friend-request"),
        ev.ConcernRaised(on=raised, concern="K-0002", category="friend-request"),
        ev.ConcernAddressed(on=d("2024-11-05"), concern="K-0001", action="Line manager told"),
    ]
    rule = "concern-unaddressed"
    assert judge(SANDBANK, events, d("2024-11-05"), rule) == []
    assert judge(SANDBANK, events, d("2024-11-30"), rule) == [F(rule, "K-0002", d("2024-11-06"))]


def test_sandbank_referral_undecided_within_four_weeks() -> None:
    """Sandbank and Valley Nursery Schools Federation, line 63: defamatory statements can lead
    to disciplinary action, decided within 28 days of the referral."""
    events = [
        *sandbank(),
        ev.ConcernRaised(
            on=d("2024-11-04"), concern="K-0001", category="defamatory", about="S-0002"
        ),
        ev.DisciplinaryReferred(
            on=d("2024-11-05"), case="D-0001", person="S-0002", concern="K-0001"
        ),
        ev.DisciplinaryReferred(on=d("2024-11-05"), case="D-0002", person="S-0002"),
        ev.DisciplinaryDecided(on=d("2024-12-03"), case="D-0001", outcome="written-warning"),
        ev.DisciplinaryDecided(on=d("2024-12-04"), case="D-0002", outcome="written-warning"),
    ]
    rule = "referral-undecided"
    assert judge(SANDBANK, events, d("2024-12-31"), rule) == [
        F(rule, "D-0002", d("2024-12-04"), "resolved", d("2024-12-04"), "DisciplinaryDecided")
    ]


def test_sandbank_policy_review_overdue_and_other_rules_not_turned_on() -> None:
    """Sandbank and Valley Nursery Schools Federation, line 22: the profile turns on only the
    website, image, poster, concern and referral rules; an unreviewed policy, a reported
    staff-parent connection, a withdrawal with the post left up, a removal never followed up
    and a contact by the school email without permission or setting phone give nothing, and
    there is no group (a contact by another method is unofficial-contact, tested apart)."""
    events = [
        *sandbank(),
        ev.PolicyAdopted(on=d("2023-10-02"), version="October 2023"),
        connection(d("2024-10-01"), "S-0002"),
        consent("C-0001", "website", d("2024-09-02")),
        post("P-0001", "website", "S-0001", d("2024-09-10"), "C-0001"),
        ev.ConsentWithdrawn(
            on=d("2024-10-01"), child="C-0001", guardian="G-0001", channel="website"
        ),
        post("P-0002", "website", "S-0001", d("2024-09-10")),
        removed("P-0002", d("2024-09-11"), "negative-discussion"),
        contacted("C-0001", d("2024-10-02"), "setting-email", device=None),
    ]
    assert judge(SANDBANK, events, TODAY) == []
    registers, profile = record(SANDBANK, events)
    with pytest.raises(Refused):
        decide(registers, profile, ev.MemberAdmitted(on=d("2024-10-06"), member="G-0001"), TODAY)


@pytest.mark.parametrize(
    ("profile_name", "category", "line"),
    [
        (SANDBANK, "use-at-work", "4.1: no social networking at school"),
        (SS_NURSERY, "parent-question", "30: parents' questions go to the manager"),
        (SS_PRESCHOOL, "bullying", "15: no bullying or harassment"),
        (SS_PRESCHOOL, "discrimination", "15: nothing discriminatory"),
        (SS_PRESCHOOL, "personal-information", "24: no details shared with a child"),
    ],
)
def test_the_new_concern_categories_are_taken_up_in_time_or_found(
    profile_name: str, category: ev.ConcernCategory, line: str
) -> None:
    """The concern categories added for seed fidelity (DESIGN.md section 3, extensions), each
    for the line it stands for: a concern of that kind must be taken up within the profile's
    limit (concern-unaddressed), as any concern; one about a child is about the child."""
    raised = d("2025-10-01")
    events: list[ev.Event] = [
        *child("C-0001", d("2025-09-01")),
        *person("S-0001", d("2025-09-01"), "manager"),
        ev.ConcernRaised(on=raised, concern="K-0001", category=category, about="C-0001"),
        ev.ConcernRaised(on=raised, concern="K-0002", category=category, about="S-0001"),
        ev.ConcernAddressed(on=raised, concern="K-0002", action="spoken to the same day"),
    ]
    found = judge(profile_name, events, d("2025-10-31"), "concern-unaddressed")
    limit = load(profile_name).concern_response_days
    assert found == [F("concern-unaddressed", "K-0001", raised + timedelta(days=limit + 1))], line


def flag(concern: str, on: date, post_ref: str, category: ev.ConcernCategory) -> ev.ConcernRaised:
    return ev.ConcernRaised(on=on, concern=concern, category=category, post=post_ref)


def test_a_post_flagged_twice_is_judged_from_the_first_concern_and_named_by_it() -> None:
    """South Woodham 128: a post named by two concerns is one finding, from the deadline of
    the earlier concern (recorded second here, so record order cannot stand in for the day);
    its detail names that concern's kind and day, and the removal resolves it."""
    events: list[ev.Event] = [
        *south_woodham(),
        post("P-0001", "closed-group", "G-0001", d("2025-09-30")),
        flag("K-0002", d("2025-10-05"), "P-0001", "inappropriate-comment"),
        flag("K-0001", d("2025-10-01"), "P-0001", "critical-discussion"),  # filed late
        removed("P-0001", d("2025-10-04")),
    ]
    registers, profile = record(SOUTH_WOODHAM, events)
    [found] = [
        f
        for f in evaluate(registers, profile, d("2025-10-31"))
        if f.rule == "flagged-post-not-removed"
    ]
    limit = profile.removal_days
    assert (found.subject, found.since) == ("P-0001", d("2025-10-01") + timedelta(days=limit + 1))
    assert (found.status, found.resolved_on, found.resolution) == (
        "resolved",
        d("2025-10-04"),
        "PostRemoved",
    )
    assert "critical-discussion concern raised on 2025-10-01" in found.detail, found.detail


def test_one_flagged_post_removed_in_time_does_not_hide_another() -> None:
    """Each flagged post is judged on its own: one taken down in time, one left up (and a post
    on the public page, not the group, which the rule does not judge)."""
    events: list[ev.Event] = [
        *south_woodham(),
        post("P-0001", "closed-group", "G-0001", d("2025-09-30")),
        post("P-0002", "closed-group", "G-0001", d("2025-09-30")),
        post("P-0003", "public-page", "S-0001", d("2025-09-30")),
        flag("K-0001", d("2025-10-01"), "P-0001", "critical-discussion"),
        flag("K-0002", d("2025-10-01"), "P-0002", "critical-discussion"),
        flag("K-0003", d("2025-10-01"), "P-0003", "critical-discussion"),
        removed("P-0001", d("2025-10-01")),
    ]
    found = judge(SOUTH_WOODHAM, events, d("2025-10-31"), "flagged-post-not-removed")
    limit = load(SOUTH_WOODHAM).removal_days
    assert found == [
        F("flagged-post-not-removed", "P-0002", d("2025-10-01") + timedelta(days=limit + 1))
    ]
