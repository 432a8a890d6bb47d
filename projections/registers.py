"""Registers: what the ledger knows, folded from the event stream one event at a time.

``Registers`` is the projection every other view is computed from: the children and their
guardians, staff, roles, devices, consent histories, posts, group membership, friendship
exceptions, concerns, cases, contacts and acknowledgements. Each history keeps its facts in
business order (``on``, then record position), so a fact recorded late takes its place in the
history it belongs to. No name is kept here: names stay in the event store.

``apply`` advances the registers by one event; ``rebuild`` folds a whole stream. Advancing
incrementally and rebuilding from scratch give equal registers (a property test holds this).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import typing
from bisect import insort
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

import msgspec

from ledger import events as ev

SCHEMA = 8  # bump when the shape changes: persisted registers of another schema are rebuilt


class Mark(msgspec.Struct, array_like=True, order=True):
    """A dated fact in a history: day, record position, and whether it opens (True) or closes."""

    on: dt.date
    pos: int
    opens: bool = True


class ByMark(msgspec.Struct, array_like=True, order=True):
    """A dated fact and who did it (a contact with a poster: whether it counts depends on the
    roles they held that day)."""

    on: dt.date
    pos: int
    by: str


class ConsentMark(msgspec.Struct, array_like=True, order=True):
    on: dt.date
    pos: int
    granted: bool
    expires: dt.date | None
    guardian: str


class Link(msgspec.Struct, array_like=True, order=True):
    on: dt.date
    pos: int
    child: str


class Child(msgspec.Struct, array_like=True):
    start: dt.date
    left: dt.date | None = None
    guardians: list[str] = msgspec.field(default_factory=list)


class Person(msgspec.Struct, array_like=True):
    kind: str
    joined: dt.date
    left: dt.date | None = None


class Device(msgspec.Struct, array_like=True):
    registered: dt.date
    retired: dt.date | None = None


class Post(msgspec.Struct, array_like=True):
    on: dt.date
    pos: int
    channel: str
    author: str
    depicts: list[str]
    device: str | None
    removed: dt.date | None = None
    removed_pos: int | None = None
    reason: str | None = None
    # Most posts are never followed up: an empty tuple is shared, where 572,000 posts' empty
    # lists cost 64 MB and a fifth of the time to load them.
    contacted: tuple[Mark, ...] = ()
    referred: tuple[Mark, ...] = ()
    purpose: str | None = None  # what the post is for, when stated
    contacted_by: tuple[ByMark, ...] = ()  # `contacted` with who made each contact


class ExceptionMark(msgspec.Struct, array_like=True, order=True):
    on: dt.date
    pos: int
    granted: bool
    since: dt.date | None = None


class Connection(msgspec.Struct, array_like=True, order=True):
    on: dt.date
    pos: int
    person: str
    guardian: str


class Concern(msgspec.Struct, array_like=True):
    raised: dt.date
    category: str
    about: str | None
    addressed: list[dt.date] = msgspec.field(default_factory=list)
    referred: list[dt.date] = msgspec.field(default_factory=list)
    post: str | None = None  # the post it is about, when it names one


class Case(msgspec.Struct, array_like=True):
    referred: dt.date
    person: str
    concern: str | None
    decided: dt.date | None = None
    outcome: str | None = None


class Contact(msgspec.Struct, array_like=True, order=True):
    on: dt.date
    pos: int
    child: str
    by: str
    method: str
    device: str | None


class ParentContact(msgspec.Struct, array_like=True, order=True):
    on: dt.date
    pos: int
    guardian: str
    by: str
    method: str
    device: str | None


class TermDates(msgspec.Struct, array_like=True, order=True):
    on: dt.date
    pos: int
    starts: dt.date


class PolicyMark(msgspec.Struct, array_like=True, order=True):
    on: dt.date
    pos: int
    kind: str  # "adopted" or "reviewed"
    detail: str  # the version adopted, or the review's outcome


class Registers(msgspec.Struct, dict=True):
    """Everything the fold knows, section by section (``dict=True`` gives the instance the
    ``__dict__`` that ``changed`` is cached in)."""

    schema: int = SCHEMA
    position: int = 0  # the last record position applied
    setting: str = ""
    profile: str = ""
    policy: list[PolicyMark] = msgspec.field(default_factory=list)
    term_dates: dict[int, list[TermDates]] = msgspec.field(default_factory=dict)
    children: dict[str, Child] = msgspec.field(default_factory=dict)
    guardians: dict[str, list[Link]] = msgspec.field(default_factory=dict)
    persons: dict[str, Person] = msgspec.field(default_factory=dict)
    roles: dict[str, list[Mark]] = msgspec.field(default_factory=dict)  # "S-1|role"
    devices: dict[str, Device] = msgspec.field(default_factory=dict)
    consents: dict[str, list[ConsentMark]] = msgspec.field(default_factory=dict)  # "C-1|chan"
    permissions: dict[str, list[dt.date]] = msgspec.field(default_factory=dict)  # "C-1|method"
    posts: dict[str, Post] = msgspec.field(default_factory=dict)
    members: dict[str, list[Mark]] = msgspec.field(default_factory=dict)
    # each admission of a member, opening when it names who invited them (`MemberAdmitted.by`)
    invited: dict[str, list[Mark]] = msgspec.field(default_factory=dict)
    exceptions: dict[str, list[ExceptionMark]] = msgspec.field(default_factory=dict)  # "S/G"
    connections: list[Connection] = msgspec.field(default_factory=list)
    concerns: dict[str, Concern] = msgspec.field(default_factory=dict)
    cases: dict[str, Case] = msgspec.field(default_factory=dict)
    contacts: list[Contact] = msgspec.field(default_factory=list)
    parent_contacts: list[ParentContact] = msgspec.field(default_factory=list)
    acks: dict[str, list[Mark]] = msgspec.field(default_factory=dict)  # "rule|subject"
    forgotten: dict[str, dt.date] = msgspec.field(default_factory=dict)

    @functools.cached_property
    def changed(self) -> set[EntryKey]:
        """The entries changed since the registers were loaded or last saved, so that saving
        writes only those (``entries`` below). Kept beside the registers, never saved: not a
        field, so the stored bytes (and old ledgers' saved registers) are as they were."""
        return set()


def key(*parts: str) -> str:
    return "|".join(parts)


class _Dated(Protocol):
    """A history's item: ordered by day, then record position (``order=True`` structs)."""

    def __lt__(self, other: Any, /) -> bool: ...

    def __gt__(self, other: Any, /) -> bool: ...


_Item = TypeVar("_Item", bound=_Dated)


def _place(history: list[_Item], item: _Item) -> None:
    """Append in business order; a late-filed fact takes its place among earlier days."""
    if history and history[-1] > item:
        insort(history, item)
    else:
        history.append(item)


def _insort_day(days: list[dt.date], day: dt.date) -> None:
    insort(days, day)


# --- the fold ---------------------------------------------------------------------------------

Handler = Callable[[Registers, ev.Event, int], None]
_HANDLERS: dict[type[ev.Event], Handler] = {}


def _on(cls: type[ev.Event]) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[cls] = fn
        return fn

    return register


@_on(ev.SettingRegistered)
def _setting(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.SettingRegistered)
    r.setting, r.profile = e.name, e.profile


@_on(ev.PolicyAdopted)
def _adopted(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.PolicyAdopted)
    _place(r.policy, PolicyMark(e.on, pos, "adopted", e.version))


@_on(ev.PolicyReviewed)
def _reviewed(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.PolicyReviewed)
    _place(r.policy, PolicyMark(e.on, pos, "reviewed", e.outcome))


@_on(ev.TermDatesRecorded)
def _terms(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.TermDatesRecorded)
    _place(r.term_dates.setdefault(e.year, []), TermDates(e.on, pos, e.summer_holiday_starts))


@_on(ev.ChildEnrolled)
def _enrolled(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.ChildEnrolled)
    r.children[e.child] = Child(start=e.on)


@_on(ev.ChildLeft)
def _child_left(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.ChildLeft)
    r.children[e.child].left = e.on


@_on(ev.GuardianLinked)
def _linked(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.GuardianLinked)
    child = r.children[e.child]
    _place(r.guardians.setdefault(e.guardian, []), Link(e.on, pos, e.child))
    child.guardians.append(e.guardian)


@_on(ev.PersonJoined)
def _joined(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.PersonJoined)
    r.persons[e.person] = Person(kind=e.kind, joined=e.on)


@_on(ev.PersonLeft)
def _person_left(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.PersonLeft)
    r.persons[e.person].left = e.on


@_on(ev.RoleAssigned)
def _role_assigned(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.RoleAssigned)
    _place(r.roles.setdefault(key(e.person, e.role), []), Mark(e.on, pos, True))


@_on(ev.RoleRevoked)
def _role_revoked(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.RoleRevoked)
    _place(r.roles.setdefault(key(e.person, e.role), []), Mark(e.on, pos, False))


@_on(ev.DeviceRegistered)
def _device(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.DeviceRegistered)
    r.devices[e.device] = Device(registered=e.on)


@_on(ev.DeviceRetired)
def _device_retired(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.DeviceRetired)
    r.devices[e.device].retired = e.on


@_on(ev.ConsentGranted)
def _granted(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.ConsentGranted)
    mark = ConsentMark(e.on, pos, True, e.expires, e.guardian)
    _place(r.consents.setdefault(key(e.child, e.channel), []), mark)


@_on(ev.ConsentWithdrawn)
def _withdrawn(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.ConsentWithdrawn)
    mark = ConsentMark(e.on, pos, False, None, e.guardian)
    _place(r.consents.setdefault(key(e.child, e.channel), []), mark)


@_on(ev.PostPublished)
def _published(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.PostPublished)
    r.posts[e.post] = Post(
        e.on, pos, e.channel, e.author, list(e.depicts), e.device, purpose=e.purpose
    )


@_on(ev.PostRemoved)
def _removed(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.PostRemoved)
    post = r.posts[e.post]
    post.removed, post.removed_pos, post.reason = e.on, pos, e.reason


@_on(ev.PosterContacted)
def _contacted(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.PosterContacted)
    post = r.posts[e.post]
    post.contacted = tuple(sorted((*post.contacted, Mark(e.on, pos))))
    post.contacted_by = tuple(sorted((*post.contacted_by, ByMark(e.on, pos, e.by))))


@_on(ev.ReferredToManager)
def _referred(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.ReferredToManager)
    if e.ref.startswith("P-"):
        post = r.posts[e.ref]
        post.referred = tuple(sorted((*post.referred, Mark(e.on, pos))))
    else:
        _insort_day(r.concerns[e.ref].referred, e.on)


@_on(ev.MemberAdmitted)
def _admitted(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.MemberAdmitted)
    _place(r.members.setdefault(e.member, []), Mark(e.on, pos, True))
    _place(r.invited.setdefault(e.member, []), Mark(e.on, pos, e.by is not None))


@_on(ev.MemberRemoved)
def _member_removed(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.MemberRemoved)
    _place(r.members.setdefault(e.member, []), Mark(e.on, pos, False))


@_on(ev.FriendshipExceptionGranted)
def _exception(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.FriendshipExceptionGranted)
    mark = ExceptionMark(e.on, pos, True, e.since)
    _place(r.exceptions.setdefault(e.subject, []), mark)


@_on(ev.FriendshipExceptionEnded)
def _exception_ended(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.FriendshipExceptionEnded)
    _place(r.exceptions.setdefault(e.subject, []), ExceptionMark(e.on, pos, False))


@_on(ev.ConnectionReported)
def _connection(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.ConnectionReported)
    _place(r.connections, Connection(e.on, pos, e.person, e.guardian))


@_on(ev.ConcernRaised)
def _concern(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.ConcernRaised)
    r.concerns[e.concern] = Concern(e.on, e.category, e.about, post=e.post)


@_on(ev.ConcernAddressed)
def _addressed(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.ConcernAddressed)
    _insort_day(r.concerns[e.concern].addressed, e.on)


@_on(ev.DisciplinaryReferred)
def _case(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.DisciplinaryReferred)
    r.cases[e.case] = Case(e.on, e.person, e.concern)


@_on(ev.DisciplinaryDecided)
def _decided(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.DisciplinaryDecided)
    case = r.cases[e.case]
    case.decided, case.outcome = e.on, e.outcome


@_on(ev.CommunicationPermitted)
def _permitted(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.CommunicationPermitted)
    _insort_day(r.permissions.setdefault(key(e.child, e.method), []), e.on)


@_on(ev.ChildContacted)
def _child_contacted(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.ChildContacted)
    _place(r.contacts, Contact(e.on, pos, e.child, e.by, e.method, e.device))


@_on(ev.ParentContacted)
def _parent_contacted(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.ParentContacted)
    _place(r.parent_contacts, ParentContact(e.on, pos, e.guardian, e.by, e.method, e.device))


@_on(ev.FindingAcknowledged)
def _acknowledged(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.FindingAcknowledged)
    _place(r.acks.setdefault(key(e.rule, e.subject_ref), []), Mark(e.on, pos, True))


@_on(ev.SubjectForgotten)
def _forgotten(r: Registers, e: ev.Event, pos: int) -> None:
    assert isinstance(e, ev.SubjectForgotten)
    r.forgotten[e.subject_ref] = e.on


assert set(_HANDLERS) == set(ev.EVENT_TYPES.values()), "every event type has a handler"


# --- entries: the parts of the registers one question needs, saved one by one -----------------
#
# `ledger check post` asks about a few children, one author and one device. So that it need not
# load the registers of a whole ledger (50 MB at a million facts), each entry of these sections
# is also saved on its own (``ledger.store``), and the fold notes which entries each fact changed.

EntryKey = tuple[str, str]  # (section, key): ("consents", "C-1|facebook"), ("persons", "S-2")
_ENTRY_TYPES: dict[str, type] = {
    "children": Child,
    "guardians": list[Link],
    "persons": Person,
    "roles": list[Mark],
    "devices": Device,
    "consents": list[ConsentMark],
    "members": list[Mark],
    # The posts, in groups by their reference's last three characters (``post_entry``):
    # whether a post was published is what recording one decides on, and a row per post would
    # be half a million rows to save at a million facts (a thousand groups: references are
    # numbered, ``P-`` then digits).
    "post_groups": dict[str, Post],
}


def post_entry(ref: str) -> EntryKey:
    """The entry that holds the post ``ref`` (if it was published), with the others of its
    group."""
    return ("post_groups", ref[-3:])


# The entries each kind of fact changes (facts about posts, concerns, cases, ... change none).
_TOUCHES: dict[type[ev.Event], Callable[[Any], tuple[EntryKey, ...]]] = {
    ev.ChildEnrolled: lambda e: (("children", e.child),),
    ev.ChildLeft: lambda e: (("children", e.child),),
    ev.GuardianLinked: lambda e: (("children", e.child), ("guardians", e.guardian)),
    ev.PersonJoined: lambda e: (("persons", e.person),),
    ev.PersonLeft: lambda e: (("persons", e.person),),
    ev.RoleAssigned: lambda e: (("roles", key(e.person, e.role)),),
    ev.RoleRevoked: lambda e: (("roles", key(e.person, e.role)),),
    ev.DeviceRegistered: lambda e: (("devices", e.device),),
    ev.DeviceRetired: lambda e: (("devices", e.device),),
    ev.ConsentGranted: lambda e: (("consents", key(e.child, e.channel)),),
    ev.ConsentWithdrawn: lambda e: (("consents", key(e.child, e.channel)),),
    ev.MemberAdmitted: lambda e: (("members", e.member),),
    ev.MemberRemoved: lambda e: (("members", e.member),),
    ev.PostPublished: lambda e: (post_entry(e.post),),
    ev.PostRemoved: lambda e: (post_entry(e.post),),
    ev.PosterContacted: lambda e: (post_entry(e.post),),
    ev.ReferredToManager: lambda e: (post_entry(e.ref),) if e.ref.startswith("P-") else (),
}


# The sections of the registers each kind of fact writes (its handler above, and nothing else):
# what ``ledger.warnings`` asks to know which rules a fact can bear on. A test folds the demo
# facts through a handler that records every section touched and holds it to this table.
_WRITES: dict[type[ev.Event], frozenset[str]] = {
    ev.SettingRegistered: frozenset({"setting", "profile"}),
    ev.PolicyAdopted: frozenset({"policy"}),
    ev.PolicyReviewed: frozenset({"policy"}),
    ev.TermDatesRecorded: frozenset({"term_dates"}),
    ev.ChildEnrolled: frozenset({"children"}),
    ev.ChildLeft: frozenset({"children"}),
    ev.GuardianLinked: frozenset({"children", "guardians"}),
    ev.PersonJoined: frozenset({"persons"}),
    ev.PersonLeft: frozenset({"persons"}),
    ev.RoleAssigned: frozenset({"roles"}),
    ev.RoleRevoked: frozenset({"roles"}),
    ev.DeviceRegistered: frozenset({"devices"}),
    ev.DeviceRetired: frozenset({"devices"}),
    ev.ConsentGranted: frozenset({"consents"}),
    ev.ConsentWithdrawn: frozenset({"consents"}),
    ev.PostPublished: frozenset({"posts"}),
    ev.PostRemoved: frozenset({"posts"}),
    ev.PosterContacted: frozenset({"posts"}),
    ev.ReferredToManager: frozenset({"posts", "concerns"}),
    ev.MemberAdmitted: frozenset({"members", "invited"}),
    ev.MemberRemoved: frozenset({"members"}),
    ev.FriendshipExceptionGranted: frozenset({"exceptions"}),
    ev.FriendshipExceptionEnded: frozenset({"exceptions"}),
    ev.ConnectionReported: frozenset({"connections"}),
    ev.ConcernRaised: frozenset({"concerns"}),
    ev.ConcernAddressed: frozenset({"concerns"}),
    ev.DisciplinaryReferred: frozenset({"cases"}),
    ev.DisciplinaryDecided: frozenset({"cases"}),
    ev.CommunicationPermitted: frozenset({"permissions"}),
    ev.ChildContacted: frozenset({"contacts"}),
    ev.ParentContacted: frozenset({"parent_contacts"}),
    ev.FindingAcknowledged: frozenset({"acks"}),
    ev.SubjectForgotten: frozenset({"forgotten"}),
}
assert set(_WRITES) == set(ev.EVENT_TYPES.values()), "every event type says what it writes"


def writes(event: ev.Event) -> frozenset[str]:
    """The sections of the registers applying ``event`` can change (besides ``position``)."""
    if isinstance(event, ev.ReferredToManager):  # a post's referral, or a concern's
        return frozenset({"posts"}) if event.ref.startswith("P-") else frozenset({"concerns"})
    return _WRITES[type(event)]


def touches(event: ev.Event) -> tuple[EntryKey, ...]:
    """The entries a fact changes."""
    entries = _TOUCHES.get(type(event))
    return entries(event) if entries is not None else ()


def post_entries(
    channel: str, author: str, depicts: Iterable[str], device: str | None
) -> list[EntryKey]:
    """The entries that judging a post reads (``rules.posting.post_problems``): the children
    and their consent on the channel, the author's standing and roles, the device."""
    children = [e for c in depicts for e in (("children", c), ("consents", key(c, channel)))]
    roles = [("roles", key(author, role)) for role in typing.get_args(ev.Role)]
    actor = [("persons", author), ("guardians", author), ("members", author)]
    return [*children, *actor, *roles, ("devices", device or "")]


def changed(registers: Registers) -> set[EntryKey]:
    """The entries changed since the registers were loaded or last saved (``Registers.changed``)."""
    return registers.changed


def entry_bytes(registers: Registers, entry: EntryKey) -> bytes:
    return entries_bytes(registers, [entry])[0]


def entries_bytes(registers: Registers, entries: list[EntryKey]) -> list[bytes]:
    """The saved form of each entry (None where the registers have none; a group of posts
    with none is None too), the posts grouped in one pass over them if any is asked for."""
    groups: dict[str, dict[str, Post]] = {}
    wanted = {name for section, name in entries if section == "post_groups"}
    if wanted:
        for ref, post in registers.posts.items():
            if ref[-3:] in wanted:  # (``post_entry``, written out: it runs for every post)
                groups.setdefault(ref[-3:], {})[ref] = post
    out = []
    for section, name in entries:
        if section == "post_groups":
            out.append(_encoder.encode(groups.get(name)))
        else:
            out.append(_encoder.encode(getattr(registers, section).get(name)))
    return out


def put_entry(registers: Registers, entry: EntryKey, data: bytes) -> None:
    """Put one saved entry into (partial) registers; raises ``ValueError`` if it won't decode."""
    section, name = entry
    try:
        value = msgspec.msgpack.decode(data, type=_ENTRY_TYPES[section] | None)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ValueError(f"saved entry {section} does not decode") from exc
    if value is None:
        return
    if section == "post_groups":
        registers.posts.update(value)
    else:
        getattr(registers, section)[name] = value


def apply(registers: Registers, event: ev.Event, position: int) -> None:
    """Advance the registers by one recorded event (positions must increase)."""
    if position <= registers.position:
        raise ValueError(f"position {position} already applied (at {registers.position})")
    _HANDLERS[type(event)](registers, event, position)
    registers.position = position
    entries = _TOUCHES.get(type(event))
    if entries is not None:
        registers.changed.update(entries(event))


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cycle collector during bulk work on many long-lived, acyclic objects.

    Folding a million facts or decoding saved registers makes millions of objects that live
    on; the collector would rescan them again and again (measured: two thirds of a rebuild's
    time). Reference counting still frees everything that is dropped.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextlib.contextmanager
def settled() -> Iterator[None]:
    """For long work over registers already loaded (a site build): the objects made so far are
    set aside from the cycle collector (``gc.freeze``), so that it does not rescan millions of
    them each time the work allocates; they are put back after."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def advance(registers: Registers, stream: Iterable[tuple[int, ev.Event]]) -> Registers:
    with paused_gc():
        for position, event in stream:
            apply(registers, event, position)
    return registers


def rebuild(stream: Iterable[tuple[int, ev.Event]]) -> Registers:
    return advance(Registers(), stream)


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Registers)


def to_bytes(registers: Registers) -> bytes:
    return _encoder.encode(registers)


def from_bytes(data: bytes) -> Registers | None:
    """Persisted registers, or None when they are of another schema (then rebuild)."""
    try:
        with paused_gc():
            registers = _decoder.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return registers if registers.schema == SCHEMA else None
