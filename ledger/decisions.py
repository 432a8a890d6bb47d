"""Decisions: whether a fact may be recorded (DESIGN.md section 4).

A true fact is never refused because it broke the policy; that is what findings are for. What
is refused is what cannot be a true fact of this ledger: an unknown or duplicate reference, a
guardian acting for a child they are not linked to, something before its subject's start, a
day after today, a channel the profile does not have, and a friendship exception the policy
forbids granting.

``decide`` is a pure function of what the ledger knows (the registers), the setting's profile,
the proposed event and today's date. It raises ``Refused`` naming the field and what was
expected; messages carry references and dates, never names or free text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from ledger import events as ev
from ledger.profile import Profile
from projections import status, wording
from projections.registers import Registers, key


class Refused(ValueError):
    """A fact that cannot be recorded: which field, and what was expected."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"field `{field}`: {message}")
        self.field = field
        self.message = message
        self.index = 0  # the fact's place in a write (set by ``Ledger.record``)


Check = Callable[[Registers, Profile, ev.Event], None]


def decide(
    r: Registers, profile: Profile, event: ev.Event, today: dt.date, *, forgetting: bool = False
) -> None:
    """Raise ``Refused`` if ``event`` cannot be recorded now; return if it can.

    ``SubjectForgotten`` is recorded only by ``ledger forget`` (``forgetting=True``), which also
    destroys the person's key; an import cannot claim it.
    """
    if event.on > today:
        raise Refused("on", f"{event.on.isoformat()} lies after today ({today.isoformat()})")
    if forgetting and isinstance(event, ev.SubjectForgotten):
        _forget(r, event)
        return
    if type(event) in ev.NAME_FIELDS and event.subject in r.forgotten:
        raise Refused("type", f"{event.subject} has been forgotten; record a new reference")
    _CHECKS[type(event)](r, profile, event)


def _forget(r: Registers, e: ev.SubjectForgotten) -> None:
    ref = e.subject_ref
    registers: dict[str, Mapping[str, object]] = {
        "C-": r.children,
        "G-": r.guardians,
        "S-": r.persons,
    }
    known = registers[ref[:2]]
    if ref not in known:
        raise Refused("subject", f"unknown reference {ref}")
    if ref in r.forgotten:
        raise Refused("subject", f"{ref} was already forgotten ({r.forgotten[ref].isoformat()})")


# --- shared checks ----------------------------------------------------------------------------


def _child(r: Registers, field: str, child: str) -> None:
    if child not in r.children:
        raise Refused(field, f"unknown child {child} (expected a child enrolled earlier)")


def _guardian(r: Registers, field: str, guardian: str) -> None:
    if guardian not in r.guardians:
        raise Refused(field, f"unknown guardian {guardian} (expected a guardian linked earlier)")


def _person(r: Registers, field: str, person: str) -> None:
    if person not in r.persons:
        raise Refused(field, f"unknown person {person} (expected someone who joined earlier)")


def _actor(r: Registers, field: str, ref: str) -> None:
    if ref.startswith("G-"):
        _guardian(r, field, ref)
    else:
        _person(r, field, ref)


def _linked(r: Registers, guardian: str, child: str) -> None:
    _child(r, "child", child)
    _guardian(r, "guardian", guardian)
    if guardian not in r.children[child].guardians:
        raise Refused(
            "guardian",
            f"{guardian} is not linked to {child} (expected one of the child's"
            " guardians; link them first with `ledger guardian link`)",
        )


def _channel(profile: Profile, channel: str) -> None:
    if channel not in profile.channels:
        meant = wording.did_you_mean(channel, profile.channels)
        raise Refused(
            "channel",
            f"not a channel of this setting's policy (expected one of:"
            f" {', '.join(profile.channels)})" + (f"; did you mean `{meant}`?" if meant else ""),
        )


def _not_before(field: str, on: dt.date, start: dt.date, what: str) -> None:
    if on < start:
        raise Refused(field, f"{on.isoformat()} is before {what} ({start.isoformat()})")


def _post(r: Registers, ref: str, field: str, on: dt.date) -> None:
    post = r.posts.get(ref)
    if post is None:
        raise Refused(field, f"unknown post {ref} (expected a post published earlier)")
    _not_before("on", on, post.on, f"{ref} was published")


# --- the setting and its policy -----------------------------------------------------------------


def _setting(r: Registers, profile: Profile, e: ev.Event) -> None:
    raise Refused("type", "SettingRegistered is written by `ledger init`, not imported")


def _adopted(r: Registers, profile: Profile, e: ev.Event) -> None:
    pass


def _reviewed(r: Registers, profile: Profile, e: ev.Event) -> None:
    adoptions = [m.on for m in r.policy if m.kind == "adopted"]
    if not adoptions:
        raise Refused("type", "no policy has been adopted yet (expected PolicyAdopted first)")
    _not_before("on", e.on, min(adoptions), "the policy was adopted")


def _terms(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.TermDatesRecorded)
    if e.summer_holiday_starts.year != e.year:
        raise Refused(
            "summer_holiday_starts", f"{e.summer_holiday_starts.isoformat()} is not in {e.year}"
        )


# --- people ---------------------------------------------------------------------------------


def _enrolled(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.ChildEnrolled)
    if e.child in r.children:
        raise Refused("child", f"{e.child} is already enrolled (expected a new reference)")


def _child_left(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.ChildLeft)
    _child(r, "child", e.child)
    child = r.children[e.child]
    if child.left is not None:
        raise Refused("child", f"{e.child} has already left ({child.left.isoformat()})")
    _not_before("on", e.on, child.start, f"{e.child} was enrolled")


def _linked_event(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.GuardianLinked)
    _child(r, "child", e.child)
    if e.guardian in r.children[e.child].guardians:
        raise Refused("guardian", f"{e.guardian} is already linked to {e.child}")


def _joined(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.PersonJoined)
    if e.person in r.persons:
        raise Refused("person", f"{e.person} has already joined (expected a new reference)")


def _person_left(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.PersonLeft)
    _person(r, "person", e.person)
    person = r.persons[e.person]
    if person.left is not None:
        raise Refused("person", f"{e.person} has already left ({person.left.isoformat()})")
    _not_before("on", e.on, person.joined, f"{e.person} joined")


def _role_assigned(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.RoleAssigned)
    _person(r, "person", e.person)
    _not_before("on", e.on, r.persons[e.person].joined, f"{e.person} joined")


def _role_revoked(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.RoleRevoked)
    _person(r, "person", e.person)
    history = r.roles.get(key(e.person, e.role), [])
    if not any(m.opens and m.on <= e.on for m in history):
        raise Refused("role", f"{e.person} was not assigned {e.role} on or before {e.on}")


def _device(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.DeviceRegistered)
    if e.device in r.devices:
        raise Refused("device", f"{e.device} is already registered (expected a new reference)")


def _device_retired(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.DeviceRetired)
    device = r.devices.get(e.device)
    if device is None:
        raise Refused("device", f"unknown device {e.device} (expected one registered earlier)")
    if device.retired is not None:
        raise Refused("device", f"{e.device} was already retired ({device.retired.isoformat()})")
    _not_before("on", e.on, device.registered, f"{e.device} was registered")


# --- consent and posts --------------------------------------------------------------------------


def _granted(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.ConsentGranted)
    _linked(r, e.guardian, e.child)
    _channel(profile, e.channel)
    if e.expires is not None and e.expires < e.on:
        raise Refused("expires", f"{e.expires.isoformat()} is before the grant ({e.on})")


def _withdrawn(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.ConsentWithdrawn)
    _linked(r, e.guardian, e.child)
    _channel(profile, e.channel)
    history = r.consents.get(key(e.child, e.channel), [])
    if not any(m.granted and m.on <= e.on for m in history):
        raise Refused(
            "channel",
            f"no consent for {e.child} on {e.channel} was granted on or before {e.on}"
            " (expected a withdrawal of an earlier grant)",
        )


def _published(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.PostPublished)
    if e.post in r.posts:
        raise Refused("post", f"{e.post} is already published (expected a new reference)")
    _channel(profile, e.channel)
    _actor(r, "author", e.author)
    seen: set[str] = set()
    for child in e.depicts:
        _child(r, "depicts", child)
        if child in seen:
            raise Refused("depicts", f"{child} is listed twice")
        seen.add(child)


def _removed(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.PostRemoved)
    _post(r, e.post, "post", e.on)
    removed = r.posts[e.post].removed
    if removed is not None:
        raise Refused("post", f"{e.post} was already removed ({removed.isoformat()})")
    _person(r, "by", e.by)


def _contacted(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.PosterContacted)
    _post(r, e.post, "post", e.on)
    _person(r, "by", e.by)


def _referred(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.ReferredToManager)
    if e.ref.startswith("P-"):
        _post(r, e.ref, "ref", e.on)
        return
    concern = r.concerns.get(e.ref)
    if concern is None:
        raise Refused("ref", f"unknown concern {e.ref} (expected one raised earlier)")
    _not_before("on", e.on, concern.raised, f"{e.ref} was raised")


# --- the closed group -------------------------------------------------------------------------


def _group(profile: Profile) -> None:
    if profile.group_channel is None:
        raise Refused("type", f"the {profile.name} profile has no closed group")


def _admitted(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.MemberAdmitted)
    _group(profile)
    _actor(r, "member", e.member)
    if e.by is not None:
        _actor(r, "by", e.by)


def _member_removed(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.MemberRemoved)
    _group(profile)
    _actor(r, "member", e.member)
    if not any(m.opens and m.on <= e.on for m in r.members.get(e.member, [])):
        raise Refused("member", f"{e.member} was not admitted on or before {e.on}")


# --- friendships --------------------------------------------------------------------------------


def _exception(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.FriendshipExceptionGranted)
    _person(r, "person", e.person)
    _guardian(r, "guardian", e.guardian)
    _person(r, "approved_by", e.approved_by)
    if e.since > e.on:
        raise Refused("since", f"{e.since.isoformat()} is after the grant ({e.on})")
    rule = profile.friendship_exception if profile.is_on("connection-without-exception") else ""
    if rule == "never":
        # Stepping Stones Nursery, line 46: parents do not send friend requests to staff.
        raise Refused("type", f"the {profile.name} policy allows no friendship exceptions")
    if rule == "pre-existing":
        # South Woodham, lines 47 and 96: the relationship predates the child's start;
        # line 73: for volunteers and students, it predates their role.
        starts = [r.children[c].start for c in status.children_of(r, e.guardian, dt.date.max)]
        first = min(starts)
        if e.since >= first:
            raise Refused(
                "since",
                f"{e.since.isoformat()} is not before {e.guardian}'s first child started"
                f" ({first.isoformat()}); the policy allows only relationships that predate it",
            )
        person = r.persons[e.person]
        if person.kind in ("volunteer", "student") and e.since >= person.joined:
            raise Refused(
                "since",
                f"{e.since.isoformat()} is not before {e.person} began their role"
                f" ({person.joined.isoformat()})",
            )


def _exception_ended(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.FriendshipExceptionEnded)
    _person(r, "person", e.person)
    _guardian(r, "guardian", e.guardian)
    if not any(m.granted and m.on <= e.on for m in r.exceptions.get(e.subject, [])):
        raise Refused("guardian", f"no exception for {e.subject} was granted on or before {e.on}")


def _connection(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.ConnectionReported)
    _person(r, "person", e.person)
    _guardian(r, "guardian", e.guardian)


# --- concerns and discipline --------------------------------------------------------------------


def _concern(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.ConcernRaised)
    if e.concern in r.concerns:
        raise Refused("concern", f"{e.concern} was already raised (expected a new reference)")
    if e.about is not None:
        if e.about.startswith("C-"):
            _child(r, "about", e.about)  # Sandbank and Valley 4.2: a concern about a pupil
        else:
            _actor(r, "about", e.about)
    if e.post is not None:
        _post(r, e.post, "post", e.on)


def _addressed(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.ConcernAddressed)
    concern = r.concerns.get(e.concern)
    if concern is None:
        raise Refused("concern", f"unknown concern {e.concern} (expected one raised earlier)")
    _not_before("on", e.on, concern.raised, f"{e.concern} was raised")


def _case(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.DisciplinaryReferred)
    if e.case in r.cases:
        raise Refused("case", f"{e.case} was already referred (expected a new reference)")
    _person(r, "person", e.person)
    if e.concern is not None and e.concern not in r.concerns:
        raise Refused("concern", f"unknown concern {e.concern} (expected one raised earlier)")


def _decided(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.DisciplinaryDecided)
    case = r.cases.get(e.case)
    if case is None:
        raise Refused("case", f"unknown case {e.case} (expected one referred earlier)")
    if case.decided is not None:
        raise Refused("case", f"{e.case} was already decided ({case.decided.isoformat()})")
    _not_before("on", e.on, case.referred, f"{e.case} was referred")


# --- contact with children ----------------------------------------------------------------------


def _permitted(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.CommunicationPermitted)
    _linked(r, e.guardian, e.child)


def _child_contacted(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.ChildContacted)
    _child(r, "child", e.child)
    _person(r, "by", e.by)


def _parent_contacted(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.ParentContacted)
    _guardian(r, "guardian", e.guardian)
    _person(r, "by", e.by)


# --- oversight and privacy ----------------------------------------------------------------------


def _acknowledged(r: Registers, profile: Profile, e: ev.Event) -> None:
    assert isinstance(e, ev.FindingAcknowledged)
    subject = e.subject_ref
    if "/" in subject:
        person, other = subject.split("/")
        _person(r, "subject", person)
        if other.startswith("C-"):
            _child(r, "subject", other)  # unofficial-contact with a child: PERSON/CHILD
        else:
            _guardian(r, "subject", other)
    elif subject[:2] in ("C-", "G-", "S-", "P-", "K-", "D-"):
        registers: dict[str, Mapping[str, object]] = {
            "C-": r.children,
            "G-": r.guardians,
            "S-": r.persons,
            "P-": r.posts,
            "K-": r.concerns,
            "D-": r.cases,
        }
        if subject not in registers[subject[:2]]:
            raise Refused("subject", f"unknown reference {subject}")
    elif subject != "policy" and subject not in profile.channels:
        raise Refused(
            "subject",
            "expected a reference, PERSON/GUARDIAN, `policy` or a channel of the profile",
        )


def _forgotten(r: Registers, profile: Profile, e: ev.Event) -> None:
    raise Refused("type", "SubjectForgotten is written by `ledger forget`, not imported")


# Each kind of fact and the check that decides it (a plain table, not a decorator: mutation
# testing, `make mutation`, mutates only undecorated functions).
_CHECKS: dict[type[ev.Event], Check] = {
    ev.SettingRegistered: _setting,
    ev.PolicyAdopted: _adopted,
    ev.PolicyReviewed: _reviewed,
    ev.TermDatesRecorded: _terms,
    ev.ChildEnrolled: _enrolled,
    ev.ChildLeft: _child_left,
    ev.GuardianLinked: _linked_event,
    ev.PersonJoined: _joined,
    ev.PersonLeft: _person_left,
    ev.RoleAssigned: _role_assigned,
    ev.RoleRevoked: _role_revoked,
    ev.DeviceRegistered: _device,
    ev.DeviceRetired: _device_retired,
    ev.ConsentGranted: _granted,
    ev.ConsentWithdrawn: _withdrawn,
    ev.PostPublished: _published,
    ev.PostRemoved: _removed,
    ev.PosterContacted: _contacted,
    ev.ReferredToManager: _referred,
    ev.MemberAdmitted: _admitted,
    ev.MemberRemoved: _member_removed,
    ev.FriendshipExceptionGranted: _exception,
    ev.FriendshipExceptionEnded: _exception_ended,
    ev.ConnectionReported: _connection,
    ev.ConcernRaised: _concern,
    ev.ConcernAddressed: _addressed,
    ev.DisciplinaryReferred: _case,
    ev.DisciplinaryDecided: _decided,
    ev.CommunicationPermitted: _permitted,
    ev.ChildContacted: _child_contacted,
    ev.ParentContacted: _parent_contacted,
    ev.FindingAcknowledged: _acknowledged,
    ev.SubjectForgotten: _forgotten,
}
assert set(_CHECKS) == set(ev.EVENT_TYPES.values()), "every event type has a decision"
