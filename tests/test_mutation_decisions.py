"""Tests that kill the surviving mutants of ``ledger/decisions.py`` (issue 12, item 11).

Every check of ``decide`` is tried at its edge: the fact it must refuse (and which field the
refusal names) and the nearest fact it must accept (the same day as a start, a reference
that is known, a grant on the day of its withdrawal, ...). A history is built as the rules'
tests build one (each fact decided before it is applied), and one more fact is then decided
against it, as ``ledger`` would before recording it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from ledger import events as ev
from ledger.decisions import Refused, decide
from ledger.profile import Profile, load
from projections import registers as reg
from tests.test_rules import (
    SANDBANK,
    SOUTH_WOODHAM,
    SS_NURSERY,
    TODAY,
    WEST_WYCOMBE,
    ack,
    child,
    consent,
    d,
    person,
    post,
    removed,
)

START = d("2025-09-01")


def _base() -> list[ev.Event]:
    """The manager (S-0001), a volunteer (S-0002) and a child (C-0001) with their parent
    (G-0001), all from 1 September 2025; a tablet (T-01) and a post (P-0001) on the 5th; a
    concern (K-0001) and a case (D-0001) raised on the 10th."""
    return [
        *person("S-0001", START, "manager", "group-admin"),
        *person("S-0002", START, kind="volunteer"),
        *child("C-0001", START),
        ev.DeviceRegistered(on=START, device="T-01"),
        post("P-0001", "public-page", "S-0001", d("2025-09-05")),
        ev.ConcernRaised(on=d("2025-09-10"), concern="K-0001", category="confidentiality"),
        ev.DisciplinaryReferred(on=d("2025-09-10"), case="D-0001", person="S-0002"),
    ]


def _west() -> list[ev.Event]:
    """West Wycombe (no closed group; friendship exceptions declared): a manager, a child."""
    return [*person("S-0001", START, "manager"), *child("C-0001", START)]


def record(profile_name: str, events: Sequence[ev.Event]) -> tuple[reg.Registers, Profile]:
    """A ledger of ``events``, each decided first (a forget as ``ledger forget`` decides it)."""
    profile = load(profile_name)
    registers = reg.rebuild(
        [(1, ev.SettingRegistered(on=d("2020-01-01"), name="Test", profile=profile_name))]
    )
    for position, event in enumerate(events, start=2):
        forgetting = isinstance(event, ev.SubjectForgotten)
        decide(registers, profile, event, today=TODAY, forgetting=forgetting)
        reg.apply(registers, event, position)
    return registers, profile


def refusal(
    event: ev.Event,
    before: Sequence[ev.Event] | None = None,
    profile: str = SOUTH_WOODHAM,
    *,
    today: date = TODAY,
    forgetting: bool = False,
) -> str:
    """The field named by the refusal of ``event`` after ``before`` (the base history if
    not given); fails if the event is accepted."""
    registers, prof = record(profile, _base() if before is None else before)
    with pytest.raises(Refused) as caught:
        decide(registers, prof, event, today, forgetting=forgetting)
    assert str(caught.value) == f"field `{caught.value.field}`: {caught.value.message}"
    return caught.value.field


def accepted(
    event: ev.Event,
    before: Sequence[ev.Event] | None = None,
    profile: str = SOUTH_WOODHAM,
    *,
    today: date = TODAY,
    forgetting: bool = False,
) -> None:
    registers, prof = record(profile, _base() if before is None else before)
    decide(registers, prof, event, today, forgetting=forgetting)


# --- today, forget and forgotten people ----------------------------------------------------------


def test_a_fact_dated_today_is_accepted_and_tomorrow_refused() -> None:
    fact = ev.PolicyAdopted(on=TODAY, version="2027")
    accepted(fact)
    assert refusal(ev.PolicyAdopted(on=d("2027-07-01"), version="2027")) == "on"


@pytest.mark.parametrize("ref", ["C-0001", "G-0001", "S-0001"])
def test_forget_of_each_kind_of_person(ref: str) -> None:
    """``ledger forget`` may forget a known child, guardian or member of the setting, once; an
    unknown reference of each kind is refused; an import can never claim a forget."""
    fact = ev.SubjectForgotten(on=d("2025-10-01"), subject_ref=ref)
    accepted(fact, forgetting=True)
    unknown = ev.SubjectForgotten(on=d("2025-10-01"), subject_ref=ref[:2] + "0999")
    assert refusal(unknown, forgetting=True) == "subject"
    assert refusal(fact, [*_base(), fact], forgetting=True) == "subject"
    assert refusal(fact) == "type"


def test_a_forget_after_today_is_refused_even_for_ledger_forget() -> None:
    fact = ev.SubjectForgotten(on=d("2027-07-01"), subject_ref="C-0001")
    assert refusal(fact, forgetting=True) == "on"


def test_a_forgotten_person_is_not_named_again() -> None:
    """A forgotten guardian linked to another child (a fact that carries a name) is refused;
    a fact about a person who was not forgotten is not."""
    forget = ev.SubjectForgotten(on=d("2025-10-01"), subject_ref="G-0001")
    history = [*_base(), forget, ev.ChildEnrolled(on=START, child="C-0002", name="Test Child")]
    link = ev.GuardianLinked(on=START, guardian="G-0001", name="Test Parent", child="C-0002")
    assert refusal(link, history) == "type"
    other = ev.GuardianLinked(on=START, guardian="G-0002", name="Test Parent", child="C-0002")
    accepted(other, history)


# --- the setting and its policy ------------------------------------------------------------------


def test_setting_registered_is_never_imported() -> None:
    fact = ev.SettingRegistered(on=START, name="Test", profile=SOUTH_WOODHAM)
    assert refusal(fact) == "type"


def test_policy_adopted_is_always_accepted() -> None:
    accepted(ev.PolicyAdopted(on=START, version="2025"))


def test_policy_reviewed_needs_an_earlier_adoption() -> None:
    """A review needs an adoption on or before it; the first adoption counts, not the last."""
    review = ev.PolicyReviewed(on=d("2024-06-01"), outcome="unchanged")
    assert refusal(review, []) == "type"
    adoptions = [
        ev.PolicyAdopted(on=d("2024-01-01"), version="2024"),
        ev.PolicyAdopted(on=d("2025-01-01"), version="2025"),
    ]
    accepted(review, adoptions)
    accepted(ev.PolicyReviewed(on=d("2024-01-01"), outcome="unchanged"), adoptions)
    early = ev.PolicyReviewed(on=d("2023-12-31"), outcome="unchanged")
    assert refusal(early, adoptions) == "on"


def test_term_dates_summer_must_be_in_the_year() -> None:
    accepted(ev.TermDatesRecorded(on=START, year=2026, summer_holiday_starts=d("2026-07-20")))
    wrong = ev.TermDatesRecorded(on=START, year=2026, summer_holiday_starts=d("2025-07-20"))
    assert refusal(wrong) == "summer_holiday_starts"


# --- people ---------------------------------------------------------------------------------------


def test_child_enrolled_twice_is_refused() -> None:
    assert refusal(ev.ChildEnrolled(on=START, child="C-0001", name="Test Child")) == "child"
    accepted(ev.ChildEnrolled(on=START, child="C-0002", name="Test Child"))


def test_child_left() -> None:
    """A child leaves once, on or after their first day, and must be known."""
    accepted(ev.ChildLeft(on=START, child="C-0001"))
    assert refusal(ev.ChildLeft(on=d("2025-08-31"), child="C-0001")) == "on"
    assert refusal(ev.ChildLeft(on=START, child="C-0002")) == "child"
    left = [*_base(), ev.ChildLeft(on=d("2025-12-01"), child="C-0001")]
    assert refusal(ev.ChildLeft(on=d("2025-12-02"), child="C-0001"), left) == "child"


def test_guardian_linked() -> None:
    """A guardian is linked to a known child, once."""
    fact = ev.GuardianLinked(on=START, guardian="G-0002", name="Test Parent", child="C-0001")
    accepted(fact)
    again = ev.GuardianLinked(on=START, guardian="G-0001", name="Test Parent", child="C-0001")
    assert refusal(again) == "guardian"
    unknown = ev.GuardianLinked(on=START, guardian="G-0002", name="Test Parent", child="C-0009")
    assert refusal(unknown) == "child"


def test_person_joined_twice_is_refused() -> None:
    fact = ev.PersonJoined(on=START, person="S-0001", name="Test Staff", kind="staff")
    assert refusal(fact) == "person"
    accepted(ev.PersonJoined(on=START, person="S-0003", name="Test Staff", kind="staff"))


def test_person_left() -> None:
    accepted(ev.PersonLeft(on=START, person="S-0002"))
    assert refusal(ev.PersonLeft(on=d("2025-08-31"), person="S-0002")) == "on"
    assert refusal(ev.PersonLeft(on=START, person="S-0009")) == "person"
    left = [*_base(), ev.PersonLeft(on=d("2025-12-01"), person="S-0002")]
    assert refusal(ev.PersonLeft(on=d("2025-12-02"), person="S-0002"), left) == "person"


def test_role_assigned() -> None:
    accepted(ev.RoleAssigned(on=START, person="S-0002", role="chair"))
    assert refusal(ev.RoleAssigned(on=d("2025-08-31"), person="S-0002", role="chair")) == "on"
    assert refusal(ev.RoleAssigned(on=START, person="S-0009", role="chair")) == "person"


def test_role_revoked() -> None:
    """A role is revoked on or after it was assigned; not before, and not one never held."""
    accepted(ev.RoleRevoked(on=START, person="S-0001", role="manager"))
    assert refusal(ev.RoleRevoked(on=START, person="S-0002", role="manager")) == "role"
    assert refusal(ev.RoleRevoked(on=START, person="S-0009", role="manager")) == "person"
    later = [
        *_base(),
        ev.RoleAssigned(on=d("2025-10-01"), person="S-0002", role="chair"),
        ev.RoleRevoked(on=d("2025-10-05"), person="S-0002", role="chair"),
    ]
    early = ev.RoleRevoked(on=d("2025-09-20"), person="S-0002", role="chair")
    assert refusal(early, later) == "role"
    accepted(ev.RoleRevoked(on=d("2025-10-06"), person="S-0002", role="chair"), later)


def test_devices() -> None:
    """A device is registered once, retired once, on or after its registration."""
    assert refusal(ev.DeviceRegistered(on=START, device="T-01")) == "device"
    accepted(ev.DeviceRegistered(on=START, device="T-02"))
    accepted(ev.DeviceRetired(on=START, device="T-01"))
    assert refusal(ev.DeviceRetired(on=d("2025-08-31"), device="T-01")) == "on"
    assert refusal(ev.DeviceRetired(on=START, device="T-02")) == "device"
    retired = [*_base(), ev.DeviceRetired(on=d("2025-12-01"), device="T-01")]
    assert refusal(ev.DeviceRetired(on=d("2025-12-02"), device="T-01"), retired) == "device"


# --- consent and posts -----------------------------------------------------------------------


def test_consent_granted() -> None:
    """By a linked guardian, on a channel of the profile, expiring on or after the grant."""
    accepted(consent("C-0001", "closed-group", START, expires=START))
    accepted(consent("C-0001", "closed-group", START))
    expired = consent("C-0001", "closed-group", START, expires=d("2025-08-31"))
    assert refusal(expired) == "expires"
    assert refusal(consent("C-0001", "website", START)) == "channel"
    assert refusal(consent("C-0009", "closed-group", START)) == "child"
    assert refusal(consent("C-0001", "closed-group", START, guardian="G-0009")) == "guardian"
    history = [*_base(), *child("C-0002", START, guardian="G-0002")]
    assert refusal(consent("C-0001", "closed-group", START, guardian="G-0002"), history) == (
        "guardian"
    )


def _withdraw(on: str, channel: str = "closed-group", guardian: str = "G-0001") -> ev.Event:
    return ev.ConsentWithdrawn(on=d(on), child="C-0001", guardian=guardian, channel=channel)


def test_consent_withdrawn() -> None:
    """A withdrawal needs a grant on that channel on or before it (the same day counts)."""
    granted = [*_base(), consent("C-0001", "closed-group", d("2025-09-10"))]
    accepted(_withdraw("2025-09-10"), granted)
    assert refusal(_withdraw("2025-09-09"), granted) == "channel"
    assert refusal(_withdraw("2025-09-10", "public-page"), granted) == "channel"
    assert refusal(_withdraw("2025-09-10", "website"), granted) == "channel"
    assert refusal(_withdraw("2025-09-10", guardian="G-0009"), granted) == "guardian"
    # Only a grant dated after the withdrawal: refused; a second withdrawal after the first
    # (an earlier grant is still on record) is accepted.
    granted_late = [*_base(), consent("C-0001", "closed-group", d("2025-09-12"))]
    assert refusal(_withdraw("2025-09-11"), granted_late) == "channel"
    accepted(_withdraw("2025-09-13"), [*granted, _withdraw("2025-09-12")])


def test_post_published() -> None:
    """A new post on a channel of the profile, by a known author (staff or guardian), showing
    known children, each once."""
    accepted(post("P-0002", "closed-group", "G-0001", START, "C-0001"))
    accepted(post("P-0002", "closed-group", "S-0001", START))
    assert refusal(post("P-0001", "closed-group", "S-0001", START)) == "post"
    assert refusal(post("P-0002", "website", "S-0001", START)) == "channel"
    assert refusal(post("P-0002", "closed-group", "G-0009", START)) == "author"
    assert refusal(post("P-0002", "closed-group", "S-0009", START)) == "author"
    assert refusal(post("P-0002", "closed-group", "S-0001", START, "C-0009")) == "depicts"
    twice = post("P-0002", "closed-group", "S-0001", START, "C-0001", "C-0001")
    assert refusal(twice) == "depicts"
    history = [*_base(), *child("C-0002", START, guardian="G-0002")]
    accepted(post("P-0002", "closed-group", "S-0001", START, "C-0001", "C-0002"), history)


def test_post_removed() -> None:
    """A published post is removed once, on or after its day, by a known person."""
    accepted(removed("P-0001", d("2025-09-05")))
    assert refusal(removed("P-0001", d("2025-09-04"))) == "on"
    assert refusal(removed("P-0009", d("2025-09-05"))) == "post"
    gone = [*_base(), removed("P-0001", d("2025-09-06"))]
    assert refusal(removed("P-0001", d("2025-09-07")), gone) == "post"
    by_nobody = ev.PostRemoved(on=d("2025-09-05"), post="P-0001", by="S-0009", reason="other")
    assert refusal(by_nobody) == "by"


def test_poster_contacted() -> None:
    accepted(ev.PosterContacted(on=d("2025-09-05"), post="P-0001", by="S-0001"))
    assert refusal(ev.PosterContacted(on=d("2025-09-04"), post="P-0001", by="S-0001")) == "on"
    unknown = ev.PosterContacted(on=d("2025-09-05"), post="P-0009", by="S-0001")
    assert refusal(unknown) == "post"
    assert refusal(ev.PosterContacted(on=d("2025-09-05"), post="P-0001", by="S-0009")) == "by"


def test_referred_to_manager() -> None:
    """A post (on or after its day) or a concern (on or after it was raised), known."""
    accepted(ev.ReferredToManager(on=d("2025-09-05"), ref="P-0001"))
    assert refusal(ev.ReferredToManager(on=d("2025-09-04"), ref="P-0001")) == "on"
    assert refusal(ev.ReferredToManager(on=d("2025-09-05"), ref="P-0009")) == "ref"
    accepted(ev.ReferredToManager(on=d("2025-09-10"), ref="K-0001"))
    assert refusal(ev.ReferredToManager(on=d("2025-09-09"), ref="K-0001")) == "on"
    assert refusal(ev.ReferredToManager(on=d("2025-09-10"), ref="K-0009")) == "ref"


# --- the closed group -----------------------------------------------------------------------


def test_member_admitted() -> None:
    """Only where the profile has a closed group; a known guardian or member of staff."""
    accepted(ev.MemberAdmitted(on=START, member="G-0001"))
    accepted(ev.MemberAdmitted(on=START, member="S-0001"))
    assert refusal(ev.MemberAdmitted(on=START, member="G-0009")) == "member"
    assert refusal(ev.MemberAdmitted(on=START, member="S-0009")) == "member"
    fact = ev.MemberAdmitted(on=START, member="G-0001")
    assert refusal(fact, _west(), WEST_WYCOMBE) == "type"


def test_member_removed() -> None:
    """Removed on or after being admitted; a member never admitted, or admitted later, is
    refused."""
    admitted = [*_base(), ev.MemberAdmitted(on=d("2025-09-10"), member="G-0001")]

    def removal(on: str, member: str = "G-0001") -> ev.Event:
        return ev.MemberRemoved(on=d(on), member=member, reason="left")

    accepted(removal("2025-09-10"), admitted)
    assert refusal(removal("2025-09-09"), admitted) == "member"
    assert refusal(removal("2025-09-10", "S-0001"), admitted) == "member"
    assert refusal(removal("2025-09-10", "S-0009"), admitted) == "member"
    admitted_late = [*_base(), ev.MemberAdmitted(on=d("2025-09-12"), member="G-0001")]
    assert refusal(removal("2025-09-11"), admitted_late) == "member"
    accepted(removal("2025-09-13"), [*admitted, removal("2025-09-12")])
    assert refusal(removal("2025-09-10"), _west(), WEST_WYCOMBE) == "type"


# --- friendships ----------------------------------------------------------------------------


def _exception(
    on: str, since: str, person_ref: str = "S-0001", guardian: str = "G-0001"
) -> ev.FriendshipExceptionGranted:
    return ev.FriendshipExceptionGranted(
        on=d(on), person=person_ref, guardian=guardian, since=d(since), approved_by="S-0001"
    )


def test_friendship_exception_known_people_and_dates() -> None:
    """The person, the guardian and the approver are known; the relationship began on or
    before the grant."""
    accepted(_exception("2025-09-10", "2024-01-01"))
    accepted(_exception("2024-01-01", "2024-01-01"), profile=WEST_WYCOMBE, before=_west())
    assert refusal(_exception("2024-01-01", "2024-01-02"), _west(), WEST_WYCOMBE) == "since"
    assert refusal(_exception("2025-09-10", "2024-01-01", person_ref="S-0009")) == "person"
    assert refusal(_exception("2025-09-10", "2024-01-01", guardian="G-0009")) == "guardian"
    unapproved = ev.FriendshipExceptionGranted(
        on=START, person="S-0001", guardian="G-0001", since=d("2024-01-01"), approved_by="S-0009"
    )
    assert refusal(unapproved) == "approved_by"


def test_friendship_exception_never_where_the_policy_forbids_it() -> None:
    assert refusal(_exception("2025-09-10", "2024-01-01"), _west(), SS_NURSERY) == "type"


def test_friendship_exception_anything_where_the_rule_is_off() -> None:
    """Sandbank does not turn the friendship rule on: any exception may be recorded."""
    history = [*person("S-0001", d("2024-09-02"), "manager"), *child("C-0001", START)]
    accepted(_exception("2025-09-10", "2025-09-05"), history, SANDBANK)


def test_friendship_exception_pre_existing_before_the_first_child_started() -> None:
    """South Woodham: the relationship predates the guardian's first child's start (the
    earliest of two children), and a volunteer's or student's role; staff need only the
    first."""
    history = [
        *_base(),
        *child("C-0002", d("2025-06-01"), guardian="G-0001"),
        *person("S-0003", d("2025-05-01"), kind="student"),
        *person("S-0004", d("2025-05-01"), kind="staff"),
    ]
    accepted(_exception("2025-09-10", "2025-05-31", "S-0001"), history)
    assert refusal(_exception("2025-09-10", "2025-06-01", "S-0001"), history) == "since"
    assert refusal(_exception("2025-09-10", "2025-08-01", "S-0001"), history) == "since"
    accepted(_exception("2025-09-10", "2025-04-30", "S-0003"), history)
    assert refusal(_exception("2025-09-10", "2025-05-01", "S-0003"), history) == "since"
    accepted(_exception("2025-09-10", "2025-05-01", "S-0004"), history)
    accepted(_exception("2025-09-10", "2025-05-31", "S-0004"), history)
    # The volunteer joined on 1 September, after the child started on 1 June.
    accepted(_exception("2025-09-10", "2025-05-31", "S-0002"), history)


def test_friendship_exception_ended() -> None:
    """Ends an exception granted on or before the end; known people only."""
    granted = [*_west(), _exception("2025-09-10", "2024-01-01")]

    def end(on: str, person_ref: str = "S-0001", guardian: str = "G-0001") -> ev.Event:
        return ev.FriendshipExceptionEnded(on=d(on), person=person_ref, guardian=guardian)

    accepted(end("2025-09-10"), granted, WEST_WYCOMBE)
    assert refusal(end("2025-09-09"), granted, WEST_WYCOMBE) == "guardian"
    assert refusal(end("2025-09-10"), _west(), WEST_WYCOMBE) == "guardian"
    assert refusal(end("2025-09-10", person_ref="S-0009"), granted, WEST_WYCOMBE) == "person"
    assert refusal(end("2025-09-10", guardian="G-0009"), granted, WEST_WYCOMBE) == "guardian"
    ended = [*granted, end("2025-09-12")]
    late = [*_west(), _exception("2025-09-12", "2024-01-01")]
    assert refusal(end("2025-09-11"), late, WEST_WYCOMBE) == "guardian"
    accepted(end("2025-09-13"), ended, WEST_WYCOMBE)


def test_connection_reported() -> None:
    accepted(ev.ConnectionReported(on=START, person="S-0001", guardian="G-0001"))
    assert refusal(ev.ConnectionReported(on=START, person="S-0009", guardian="G-0001")) == (
        "person"
    )
    assert refusal(ev.ConnectionReported(on=START, person="S-0001", guardian="G-0009")) == (
        "guardian"
    )


# --- concerns and discipline ------------------------------------------------------------------


def test_concern_raised() -> None:
    """A new concern, about nobody or a known guardian or member of staff."""
    fact = ev.ConcernRaised(on=START, concern="K-0002", category="confidentiality")
    accepted(fact)
    accepted(ev.ConcernRaised(on=START, concern="K-0002", category="other", about="G-0001"))
    accepted(ev.ConcernRaised(on=START, concern="K-0002", category="other", about="S-0002"))
    again = ev.ConcernRaised(on=START, concern="K-0001", category="confidentiality")
    assert refusal(again) == "concern"
    nobody = ev.ConcernRaised(on=START, concern="K-0002", category="other", about="S-0009")
    assert refusal(nobody) == "about"


def test_concern_addressed() -> None:
    def addressed(on: str, ref: str = "K-0001") -> ev.Event:
        return ev.ConcernAddressed(on=d(on), concern=ref, action="Manager spoke to them")

    accepted(addressed("2025-09-10"))
    assert refusal(addressed("2025-09-09")) == "on"
    assert refusal(addressed("2025-09-10", "K-0009")) == "concern"


def test_disciplinary_referred() -> None:
    """A new case about a known person, for a known concern if any."""
    accepted(ev.DisciplinaryReferred(on=START, case="D-0002", person="S-0002"))
    accepted(ev.DisciplinaryReferred(on=START, case="D-0002", person="S-0002", concern="K-0001"))
    again = ev.DisciplinaryReferred(on=START, case="D-0001", person="S-0002")
    assert refusal(again) == "case"
    nobody = ev.DisciplinaryReferred(on=START, case="D-0002", person="S-0009")
    assert refusal(nobody) == "person"
    unknown = ev.DisciplinaryReferred(on=START, case="D-0002", person="S-0002", concern="K-0009")
    assert refusal(unknown) == "concern"


def test_disciplinary_decided() -> None:
    def decided(on: str, case: str = "D-0001") -> ev.Event:
        return ev.DisciplinaryDecided(on=d(on), case=case, outcome="advice")

    accepted(decided("2025-09-10"))
    assert refusal(decided("2025-09-09")) == "on"
    assert refusal(decided("2025-09-10", "D-0009")) == "case"
    done = [*_base(), decided("2025-09-20")]
    assert refusal(decided("2025-09-21"), done) == "case"


# --- contact with children --------------------------------------------------------------------


def test_communication_permitted_and_child_contacted() -> None:
    fact = ev.CommunicationPermitted(on=START, child="C-0001", guardian="G-0001", method="phone")
    accepted(fact)
    stranger = ev.CommunicationPermitted(
        on=START, child="C-0001", guardian="G-0009", method="phone"
    )
    assert refusal(stranger) == "guardian"
    accepted(ev.ChildContacted(on=START, child="C-0001", by="S-0001", method="phone"))
    assert refusal(ev.ChildContacted(on=START, child="C-0009", by="S-0001", method="phone")) == (
        "child"
    )
    assert refusal(ev.ChildContacted(on=START, child="C-0001", by="S-0009", method="phone")) == (
        "by"
    )


# --- oversight ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "subject",
    ["C-0001", "G-0001", "S-0001", "P-0001", "K-0001", "D-0001", "S-0001/G-0001", "policy"],
)
def test_an_acknowledgement_of_a_known_subject_is_accepted(subject: str) -> None:
    accepted(ack(START, "consent-missing", subject))
    accepted(ack(START, "too-few-admins", "closed-group"))


@pytest.mark.parametrize(
    "subject",
    [
        "C-0009",
        "G-0009",
        "S-0009",
        "P-0009",
        "K-0009",
        "D-0009",
        "S-0009/G-0001",
        "S-0001/G-0009",
        "website",
    ],
)
def test_an_acknowledgement_of_an_unknown_subject_is_refused(subject: str) -> None:
    assert refusal(ack(START, "consent-missing", subject)) == "subject"
