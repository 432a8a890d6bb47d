"""The event catalogue (DESIGN.md section 3): every fact the ledger records.

Each event is a frozen ``msgspec.Struct`` tagged by its ``type``. Every event has ``on``, the
ISO date on which the fact happened in the real world. Identifiers are the setting's own short
references; personal names appear only in the ``name`` fields of ``ChildEnrolled``,
``GuardianLinked`` and ``PersonJoined``.

Reference fields are constrained to their pattern (``C-`` then digits, and so on), so that a
name typed into a reference field is refused by the decoder and never echoed back. Free-text
fields (``evidence``, ``action``, device labels) are never repeated in any message.
"""

from __future__ import annotations

import datetime as dt
import typing
from typing import Annotated, Final, Literal

import msgspec

# --- references -------------------------------------------------------------------------------

ChildRef = Annotated[str, msgspec.Meta(pattern=r"^C-[0-9]{1,9}$", description="a child, C-0001")]
GuardianRef = Annotated[
    str, msgspec.Meta(pattern=r"^G-[0-9]{1,9}$", description="a parent or carer, G-0001")
]
PersonRef = Annotated[
    str, msgspec.Meta(pattern=r"^S-[0-9]{1,9}$", description="staff, volunteer, student, S-0001")
]
PostRef = Annotated[str, msgspec.Meta(pattern=r"^P-[0-9]{1,9}$", description="a post, P-0001")]
ConcernRef = Annotated[
    str, msgspec.Meta(pattern=r"^K-[0-9]{1,9}$", description="a concern, K-0001")
]
CaseRef = Annotated[
    str, msgspec.Meta(pattern=r"^D-[0-9]{1,9}$", description="a disciplinary case, D-0001")
]
DeviceRef = Annotated[str, msgspec.Meta(pattern=r"^T-[0-9]{1,9}$", description="a device, T-01")]
# A person or a guardian (authors of posts, members of the group, subjects of concerns).
ActorRef = Annotated[
    str, msgspec.Meta(pattern=r"^[SG]-[0-9]{1,9}$", description="a person S-… or guardian G-…")
]
# A person of any kind, one pattern (a union of constrained strings keeps only one of them):
# a child, a parent or carer, or a member of the setting (staff, volunteer, student, committee).
NamedRef = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[CGS]-[0-9]{1,9}$",
        description="a person of any kind: a child C-…, a parent or carer G-…, or S-…",
    ),
]
# A post or a concern (what is referred to the manager).
ReferrableRef = Annotated[
    str, msgspec.Meta(pattern=r"^[PK]-[0-9]{1,9}$", description="a post P-… or concern K-…")
]
ChannelName = Annotated[
    str, msgspec.Meta(pattern=r"^[a-z][a-z0-9-]{0,39}$", description="a channel of the profile")
]
# What a finding is about: a reference, a PERSON/GUARDIAN pair, "policy", or a channel name.
FindingSubject = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^([CGSPKD]-[0-9]{1,9}|S-[0-9]{1,9}/[GC]-[0-9]{1,9}|[a-z][a-z0-9-]{0,39})$",
        description="the subject of a finding, as `findings` prints it",
    ),
]
# Labels and free text: bounded, never echoed in messages.
DeviceLabel = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Evidence = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
FreeText = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
PersonalName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
SettingName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
ProfileName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Version = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]

Role = Literal[
    "manager",
    "deputy",
    "third-in-charge",
    "chair",
    "social-media-officer",
    "safeguarding-lead",
    "group-admin",
]
PersonKind = Literal["staff", "volunteer", "student", "committee", "visitor"]
ConsentMethod = Literal["paper", "email", "app"]
RemovalReason = Literal[
    "negative-discussion", "inappropriate", "consent-withdrawn", "breach", "other"
]
MemberRemovalReason = Literal["left", "voluntary", "breach"]
ConcernCategory = Literal[
    "critical-discussion",
    "inappropriate-comment",
    "child-image",
    "friend-request",
    "confidentiality",
    "defamatory",
    "use-at-work",
    "personal-information",
    "parent-question",
    "bullying",
    "discrimination",
    "other",
]
# What a post is for (DESIGN.md section 3, extensions): West Wycombe's page is "purely for
# advertising and promoting"; personal pages may mention the setting only to promote it.
Purpose = Literal["promotion", "news", "activity", "discussion", "other"]
CaseOutcome = Literal[
    "no-action", "advice", "written-warning", "final-warning", "dismissal", "asked-to-leave"
]
ContactMethod = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9-]{0,39}$")]
ReviewOutcome = Literal["unchanged", "amended"]
RuleName = Literal[
    "consent-missing",
    "child-image-forbidden",
    "unauthorised-poster",
    "non-setting-device",
    "withdrawn-consent-post-live",
    "removal-follow-up-overdue",
    "ineligible-member",
    "leaver-not-removed",
    "too-few-admins",
    "connection-without-exception",
    "concern-unaddressed",
    "referral-undecided",
    "policy-review-overdue",
    "contact-without-permission",
    "unofficial-contact",
    "purpose-not-allowed",
    "flagged-post-not-removed",
]
RULES: Final[tuple[str, ...]] = typing.get_args(RuleName)


class Event(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    forbid_unknown_fields=True,
    tag_field="type",
    omit_defaults=True,
):
    """A fact. ``on`` is the day it happened in the real world."""

    on: dt.date

    @property
    def subject(self) -> str:
        """The reference this event is chiefly about (hashed into its Merkle leaf)."""
        return ""


# --- the setting and its policy -----------------------------------------------------------------


class SettingRegistered(Event, frozen=True, tag=True):
    name: SettingName
    profile: ProfileName

    @property
    def subject(self) -> str:
        return "setting"


class PolicyAdopted(Event, frozen=True, tag=True):
    version: Version

    @property
    def subject(self) -> str:
        return "policy"


class PolicyReviewed(Event, frozen=True, tag=True):
    outcome: ReviewOutcome

    @property
    def subject(self) -> str:
        return "policy"


class TermDatesRecorded(Event, frozen=True, tag=True):
    year: Annotated[int, msgspec.Meta(ge=1990, le=2200)]
    summer_holiday_starts: dt.date

    @property
    def subject(self) -> str:
        return "term-dates"


# --- people ---------------------------------------------------------------------------------


class ChildEnrolled(Event, frozen=True, tag=True):
    child: ChildRef
    name: PersonalName

    @property
    def subject(self) -> str:
        return self.child


class ChildLeft(Event, frozen=True, tag=True):
    child: ChildRef

    @property
    def subject(self) -> str:
        return self.child


class GuardianLinked(Event, frozen=True, tag=True):
    guardian: GuardianRef
    name: PersonalName
    child: ChildRef

    @property
    def subject(self) -> str:
        return self.guardian


class PersonJoined(Event, frozen=True, tag=True):
    person: PersonRef
    name: PersonalName
    kind: PersonKind

    @property
    def subject(self) -> str:
        return self.person


class PersonLeft(Event, frozen=True, tag=True):
    person: PersonRef

    @property
    def subject(self) -> str:
        return self.person


class RoleAssigned(Event, frozen=True, tag=True):
    person: PersonRef
    role: Role

    @property
    def subject(self) -> str:
        return self.person


class RoleRevoked(Event, frozen=True, tag=True):
    person: PersonRef
    role: Role

    @property
    def subject(self) -> str:
        return self.person


class DeviceRegistered(Event, frozen=True, tag=True):
    device: DeviceRef

    @property
    def subject(self) -> str:
        return self.device


class DeviceRetired(Event, frozen=True, tag=True):
    device: DeviceRef

    @property
    def subject(self) -> str:
        return self.device


# --- consent and posts --------------------------------------------------------------------------


class ConsentGranted(Event, frozen=True, tag=True):
    child: ChildRef
    guardian: GuardianRef
    channel: ChannelName
    evidence: Evidence
    method: ConsentMethod
    expires: dt.date | None = None

    @property
    def subject(self) -> str:
        return self.child


class ConsentWithdrawn(Event, frozen=True, tag=True):
    child: ChildRef
    guardian: GuardianRef
    channel: ChannelName

    @property
    def subject(self) -> str:
        return self.child


class PostPublished(Event, frozen=True, tag=True):
    post: PostRef
    channel: ChannelName
    author: ActorRef
    depicts: list[ChildRef]  # may be empty, but always given (DESIGN.md section 3)
    device: DeviceLabel | None = None
    purpose: Purpose | None = None

    @property
    def subject(self) -> str:
        return self.post


class PostRemoved(Event, frozen=True, tag=True):
    post: PostRef
    by: PersonRef
    reason: RemovalReason

    @property
    def subject(self) -> str:
        return self.post


class PosterContacted(Event, frozen=True, tag=True):
    post: PostRef
    by: PersonRef

    @property
    def subject(self) -> str:
        return self.post


class ReferredToManager(Event, frozen=True, tag=True):
    ref: ReferrableRef

    @property
    def subject(self) -> str:
        return self.ref


# --- the closed group -------------------------------------------------------------------------


class MemberAdmitted(Event, frozen=True, tag=True):
    member: ActorRef
    by: ActorRef | None = None  # who admitted or invited them (Stepping Stones Nursery)

    @property
    def subject(self) -> str:
        return self.member


class MemberRemoved(Event, frozen=True, tag=True):
    member: ActorRef
    reason: MemberRemovalReason

    @property
    def subject(self) -> str:
        return self.member


# --- friendships --------------------------------------------------------------------------------


class FriendshipExceptionGranted(Event, frozen=True, tag=True):
    person: PersonRef
    guardian: GuardianRef
    since: dt.date
    approved_by: PersonRef

    @property
    def subject(self) -> str:
        return f"{self.person}/{self.guardian}"


class FriendshipExceptionEnded(Event, frozen=True, tag=True):
    person: PersonRef
    guardian: GuardianRef

    @property
    def subject(self) -> str:
        return f"{self.person}/{self.guardian}"


class ConnectionReported(Event, frozen=True, tag=True):
    person: PersonRef
    guardian: GuardianRef

    @property
    def subject(self) -> str:
        return f"{self.person}/{self.guardian}"


# --- concerns and discipline --------------------------------------------------------------------


class ConcernRaised(Event, frozen=True, tag=True):
    concern: ConcernRef
    category: ConcernCategory
    about: NamedRef | None = None  # a person, a parent or carer, or a child (Sandbank 4.2)
    post: PostRef | None = None  # the post it is about (South Woodham: negative discussions)

    @property
    def subject(self) -> str:
        return self.concern


class ConcernAddressed(Event, frozen=True, tag=True):
    concern: ConcernRef
    action: FreeText

    @property
    def subject(self) -> str:
        return self.concern


class DisciplinaryReferred(Event, frozen=True, tag=True):
    case: CaseRef
    person: PersonRef
    concern: ConcernRef | None = None

    @property
    def subject(self) -> str:
        return self.case


class DisciplinaryDecided(Event, frozen=True, tag=True):
    case: CaseRef
    outcome: CaseOutcome

    @property
    def subject(self) -> str:
        return self.case


# --- contact with children ----------------------------------------------------------------------


class CommunicationPermitted(Event, frozen=True, tag=True):
    child: ChildRef
    guardian: GuardianRef
    method: ContactMethod

    @property
    def subject(self) -> str:
        return self.child


class ChildContacted(Event, frozen=True, tag=True):
    child: ChildRef
    by: PersonRef
    method: ContactMethod
    device: DeviceLabel | None = None

    @property
    def subject(self) -> str:
        return self.child


class ParentContacted(Event, frozen=True, tag=True):
    """A member of the setting contacted a parent or carer (DESIGN.md section 3, extensions)."""

    guardian: GuardianRef
    by: PersonRef
    method: ContactMethod
    device: DeviceLabel | None = None

    @property
    def subject(self) -> str:
        return f"{self.by}/{self.guardian}"


# --- oversight and privacy ----------------------------------------------------------------------


class FindingAcknowledged(Event, frozen=True, tag=True):
    rule: RuleName
    subject_ref: FindingSubject = msgspec.field(name="subject")
    action: FreeText

    @property
    def subject(self) -> str:
        return self.subject_ref


class SubjectForgotten(Event, frozen=True, tag=True):
    subject_ref: NamedRef = msgspec.field(name="subject")

    @property
    def subject(self) -> str:
        return self.subject_ref


AnyEvent = (
    SettingRegistered
    | PolicyAdopted
    | PolicyReviewed
    | TermDatesRecorded
    | ChildEnrolled
    | ChildLeft
    | GuardianLinked
    | PersonJoined
    | PersonLeft
    | RoleAssigned
    | RoleRevoked
    | DeviceRegistered
    | DeviceRetired
    | ConsentGranted
    | ConsentWithdrawn
    | PostPublished
    | PostRemoved
    | PosterContacted
    | ReferredToManager
    | MemberAdmitted
    | MemberRemoved
    | FriendshipExceptionGranted
    | FriendshipExceptionEnded
    | ConnectionReported
    | ConcernRaised
    | ConcernAddressed
    | DisciplinaryReferred
    | DisciplinaryDecided
    | CommunicationPermitted
    | ChildContacted
    | ParentContacted
    | FindingAcknowledged
    | SubjectForgotten
)

EVENT_TYPES: Final[dict[str, type[Event]]] = {
    cls.__name__: cls for cls in typing.get_args(AnyEvent)
}

# Fields that hold personal data (names); everything else is references, dates and codes.
NAME_FIELDS: Final[dict[type[Event], str]] = {
    ChildEnrolled: "name",
    GuardianLinked: "name",
    PersonJoined: "name",
}

# The fields an export adds and an import ignores: the record-time fields of DESIGN.md
# section 3, and the sealed form of personal fields that lets an inspector check each leaf.
RECORD_TIME_FIELDS: Final[frozenset[str]] = frozenset({"position", "recorded_at", "leaf", "sealed"})

_json_encoder = msgspec.json.Encoder()


def to_json(event: Event) -> bytes:
    """The contract's JSON form of an event: ``type`` first, dates as ``YYYY-MM-DD``."""
    return _json_encoder.encode(event)


def to_builtins(event: Event) -> dict[str, object]:
    """The event as a plain dict (with ``type``), as JSON Lines carries it."""
    out = msgspec.to_builtins(event)
    assert isinstance(out, dict)
    return out
