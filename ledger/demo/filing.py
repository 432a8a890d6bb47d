"""Record order in an invented history: what a fact needs introduced first, what it introduces,
and the paperwork filed a few days late.

The ledger refuses a fact whose references are not yet introduced (DESIGN.md section 4), so a
fact held back as "filed late" is released before anything that needs what it introduces.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Final

from ledger.events import (
    ChildContacted,
    ChildEnrolled,
    ChildLeft,
    CommunicationPermitted,
    ConcernAddressed,
    ConcernRaised,
    ConnectionReported,
    ConsentGranted,
    ConsentWithdrawn,
    DeviceRegistered,
    DeviceRetired,
    DisciplinaryDecided,
    DisciplinaryReferred,
    Event,
    FindingAcknowledged,
    FriendshipExceptionEnded,
    FriendshipExceptionGranted,
    GuardianLinked,
    MemberAdmitted,
    MemberRemoved,
    PersonJoined,
    PersonLeft,
    PolicyReviewed,
    PosterContacted,
    PostPublished,
    PostRemoved,
    ReferredToManager,
    RoleAssigned,
    RoleRevoked,
    TermDatesRecorded,
)


def _needs(event: Event) -> tuple[str, ...]:
    """Keys that must have been introduced by an earlier event (see ``_gives``)."""
    match event:
        case GuardianLinked():
            return (event.child,)
        case ConsentGranted() | CommunicationPermitted():
            return (event.child, f"{event.guardian}>{event.child}")
        case ConsentWithdrawn():
            return (f"{event.guardian}>{event.child}", f"{event.child}@{event.channel}")
        case ChildLeft():
            return (event.child,)
        case PersonLeft():
            return (event.person,)
        case RoleAssigned():
            return (event.person,)
        case RoleRevoked():
            return (event.person, f"{event.person}#{event.role}")
        case DeviceRetired():
            return (event.device,)
        case PostPublished():
            return (event.author, *event.depicts)
        case PostRemoved() | PosterContacted():
            return (event.post, event.by)
        case ReferredToManager():
            return (event.ref,)
        case MemberAdmitted():
            return (event.member,)
        case MemberRemoved():
            return (event.member, f"member:{event.member}")
        case FriendshipExceptionGranted():
            return (event.person, event.guardian, event.approved_by)
        case FriendshipExceptionEnded():
            return (f"{event.person}/{event.guardian}",)
        case ConnectionReported():
            return (event.person, event.guardian)
        case ConcernRaised():
            return (event.about,) if event.about else ()
        case ConcernAddressed():
            return (event.concern,)
        case DisciplinaryReferred():
            return (event.person, event.concern) if event.concern else (event.person,)
        case DisciplinaryDecided():
            return (event.case,)
        case ChildContacted():
            return (event.child, event.by)
        case FindingAcknowledged():
            return tuple(event.subject.split("/")) if "-" in event.subject else ()
    return ()


def _gives(event: Event) -> tuple[str, ...]:
    """Keys an event introduces, for ``_needs`` of later events."""
    match event:
        case ChildEnrolled():
            return (event.child,)
        case GuardianLinked():
            return (event.guardian, f"{event.guardian}>{event.child}")
        case PersonJoined():
            return (event.person,)
        case RoleAssigned():
            return (f"{event.person}#{event.role}",)
        case DeviceRegistered():
            return (event.device,)
        case ConsentGranted():
            return (f"{event.child}@{event.channel}",)
        case PostPublished():
            return (event.post,)
        case MemberAdmitted():
            return (f"member:{event.member}",)
        case FriendshipExceptionGranted():
            return (f"{event.person}/{event.guardian}",)
        case ConcernRaised():
            return (event.concern,)
        case DisciplinaryReferred():
            return (event.case,)
    return ()


# Paperwork that is often recorded some days after it happened.
_LATE_KINDS: Final[tuple[type[Event], ...]] = (
    ConsentGranted,
    ConsentWithdrawn,
    CommunicationPermitted,
    ConcernAddressed,
    PosterContacted,
    ReferredToManager,
    DisciplinaryDecided,
    ChildLeft,
    MemberRemoved,
    PersonLeft,
    PolicyReviewed,
    TermDatesRecorded,
    ConnectionReported,
)


class Filer:
    """Passes events on in order, holding back about ``share`` of them for a few days.

    A held event is released before the first event of its release day, or at once before any
    event that needs something it introduces, so record order stays valid.
    """

    def __init__(self, rng: random.Random, share: float) -> None:
        self.rng = rng
        self.share = share
        self.pending: list[tuple[dt.date, Event, tuple[str, ...]]] = []
        self.count = 0
        self.late = 0

    def feed(self, day: dt.date, events: list[Event]) -> Iterator[Event]:
        if self.pending:
            due = [item for item in self.pending if item[0] <= day]
            if due:
                self.pending = [item for item in self.pending if item[0] > day]
                for _, event, _ in due:
                    self.count += 1
                    yield event
        for event in events:
            if self.pending:
                needs = _needs(event)
                if needs and any(key in needs for item in self.pending for key in item[2]):
                    keep: list[tuple[dt.date, Event, tuple[str, ...]]] = []
                    for item in self.pending:
                        if any(key in needs for key in item[2]):
                            self.count += 1
                            yield item[1]
                        else:
                            keep.append(item)
                    self.pending = keep
            if (
                isinstance(event, _LATE_KINDS)
                and self.late < self.share * (self.count + 1)
                and self.rng.random() < 0.8
            ):
                release = event.on + dt.timedelta(days=self.rng.randint(2, 9))
                self.pending.append((release, event, _gives(event)))
                self.late += 1
                continue
            self.count += 1
            yield event

    def flush(self) -> Iterator[Event]:
        for _, event, _ in self.pending:
            self.count += 1
            yield event
        self.pending = []
