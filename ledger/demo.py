"""Realistic synthetic histories of a setting, for demonstrations, tests and benchmarks.

``generate`` tells the story of one setting over a school year or several: the policy adopted,
term dates, staff and their roles, the setting's tablets, children starting in September,
January and April with their parents' consent forms, everyday posts by the people allowed to
make them, concerns dealt with, leavers in July and their parents taken out of the group after
the summer holiday. Almost everything is in order; a handful of problems of different kinds are
planted so that the findings (``site/rules.md``) have something to show as of ``end``.

``scale`` produces the same kind of history sized to a number of events, as an iterator, for
benchmarks up to a million events (a very large setting over many years).

Every history obeys the ledger's integrity refusals (DESIGN.md section 4) in list order: each
reference is introduced by an earlier event, nothing is introduced twice, nothing happens before
its subject's start, consent and permissions name a guardian linked to the child, channels and
roles belong to the profile, and no date lies outside ``start`` to ``end``. About three events in
a hundred are "filed late": they appear a few days' worth of events after where their date would
put them, as paperwork does; the ledger orders the history by ``on`` then record position.

All names are invented, built from small lists of invented first names and surnames. The same
seed always gives the same history (``random.Random(seed)``; no wall clock).
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Final

from ledger.events import (
    CaseOutcome,
    ChildContacted,
    ChildEnrolled,
    ChildLeft,
    CommunicationPermitted,
    ConcernAddressed,
    ConcernCategory,
    ConcernRaised,
    ConnectionReported,
    ConsentGranted,
    ConsentMethod,
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
    MemberRemovalReason,
    MemberRemoved,
    PersonJoined,
    PersonKind,
    PersonLeft,
    PolicyAdopted,
    PolicyReviewed,
    PosterContacted,
    PostPublished,
    PostRemoved,
    ReferredToManager,
    RemovalReason,
    ReviewOutcome,
    Role,
    RoleAssigned,
    RoleRevoked,
    RuleName,
    TermDatesRecorded,
)
from ledger.profile import ANY_MEMBER, PERSONAL_ACCOUNT, Profile

__all__ = ["generate", "scale"]

ONE: Final = dt.timedelta(days=1)

# Invented names: combined at random, they name nobody in particular.
_FIRST: Final = (
    "Aldwyn",
    "Briony",
    "Caelan",
    "Dorrit",
    "Elowen",
    "Fenna",
    "Gideon",
    "Halden",
    "Isolde",
    "Jory",
    "Kestrel",
    "Linnea",
    "Marlo",
    "Nerys",
    "Orrin",
    "Perrin",
    "Quilla",
    "Rowan",
    "Saffi",
    "Tamsin",
    "Ulric",
    "Verity",
    "Wren",
    "Xanthe",
    "Yestin",
    "Zillah",
    "Ambrin",
    "Bastian",
    "Corra",
    "Daveth",
    "Emrys",
    "Fable",
    "Gwenna",
    "Hollis",
    "Ivo",
    "Jessamy",
    "Kit",
    "Lowenna",
    "Merryn",
    "Noor",
    "Oriel",
    "Pip",
    "Ramsay",
    "Sorrel",
    "Tobin",
    "Wynn",
)
_SURNAMES: Final = (
    "Ashcombe",
    "Brindlecott",
    "Carrowby",
    "Dunmere",
    "Elderwick",
    "Fenwright",
    "Gorsley",
    "Hallowfield",
    "Ivybridge",
    "Jessop-Lane",
    "Kettleby",
    "Larkwood",
    "Mossford",
    "Nettlebed",
    "Orchardleigh",
    "Pennywhistle",
    "Quarrendon",
    "Rookhurst",
    "Saltmarsh",
    "Thistlecombe",
    "Underhay",
    "Vellacott",
    "Willowmere",
    "Yarrowby",
    "Amberstone",
    "Bramblecote",
    "Coldharbour",
    "Dovecote",
    "Emberly",
    "Foxwell",
    "Greenhithe",
    "Hazelrigg",
    "Kingsmead",
    "Lindenfold",
    "Marlbrook",
    "Northcott",
    "Oakhanger",
    "Penhallow",
    "Ravensworth",
    "Sedgemoor",
)

_ADDRESSED: Final = (
    "Looked into the same day; the comment was taken down.",
    "Spoke with the parent privately and explained the policy.",
    "Reminded all staff of the policy at the team meeting.",
    "Reported to the platform and blocked the account.",
    "Passed to the safeguarding lead, who followed it up.",
    "Replied with the official statement agreed with the chair.",
    "Checked with the member of staff; no further action needed.",
)
_CATEGORIES: Final[tuple[ConcernCategory, ...]] = (
    "critical-discussion",
    "critical-discussion",
    "inappropriate-comment",
    "friend-request",
    "confidentiality",
    "child-image",
    "defamatory",
    "other",
)
_HEATED: Final[tuple[ConcernCategory, ...]] = ("critical-discussion", "defamatory")
_SLIPS: Final[tuple[ConcernCategory, ...]] = ("confidentiality", "inappropriate-comment")
_OUTCOMES: Final[tuple[CaseOutcome, ...]] = (
    "advice",
    "advice",
    "no-action",
    "written-warning",
    "advice",
    "final-warning",
)
_METHODS: Final[tuple[ConsentMethod, ...]] = ("paper", "paper", "paper", "email", "app")
_CONTACT_METHODS: Final = ("phone", "phone", "email", "video-call")


# --- the school calendar ----------------------------------------------------------------------


def _monday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


@functools.cache
def _summer_start(year: int) -> dt.date:
    """The first day of the summer holiday: the Monday after the last Friday by 22 July."""
    july = dt.date(year, 7, 22)
    friday = july - dt.timedelta(days=(july.weekday() - 4) % 7)
    return friday + dt.timedelta(days=3)


def _last_day(year: int) -> dt.date:
    """The last day of the summer term, when the leavers have their last day."""
    return _summer_start(year) - dt.timedelta(days=3)


@functools.cache
def _autumn_start(year: int) -> dt.date:
    day = dt.date(year, 9, 3)
    while day.weekday() >= 5:
        day += ONE
    return day


def _school_year(day: dt.date) -> int:
    """The school year a day belongs to, named by the year of its September."""
    return day.year if day.month >= 9 else day.year - 1


@functools.cache
def _holidays(year: int) -> tuple[tuple[dt.date, dt.date], ...]:
    october = _monday_on_or_before(dt.date(year, 10, 31))
    february = _monday_on_or_after(dt.date(year + 1, 2, 12))
    easter = _monday_on_or_after(dt.date(year + 1, 3, 31))
    may = _monday_on_or_before(dt.date(year + 1, 5, 31))
    four = dt.timedelta(days=4)
    return (
        (october, october + four),
        (dt.date(year, 12, 20), dt.date(year + 1, 1, 4)),
        (february, february + four),
        (easter, easter + dt.timedelta(days=11)),
        (may, may + four),
    )


@functools.cache
def _is_school_day(day: dt.date) -> bool:
    if day.weekday() >= 5:
        return False
    year = _school_year(day)
    if day < _autumn_start(year) or day >= _summer_start(year + 1):
        return False
    return not any(first <= day <= last for first, last in _holidays(year))


def _add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later; a day past the end of a shorter month rolls back to its end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


# --- record order: what an event needs introduced, and what it introduces ----------------------


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


class _Filer:
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


# --- the setting's state ------------------------------------------------------------------------


class _Bag:
    """An insertion-ordered set with O(1) add, discard and random choice (deterministic)."""

    __slots__ = ("_index", "_items")

    def __init__(self) -> None:
        self._items: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, item: str) -> None:
        if item not in self._index:
            self._index[item] = len(self._items)
            self._items.append(item)

    def discard(self, item: str) -> None:
        index = self._index.pop(item, None)
        if index is None:
            return
        last = self._items.pop()
        if index < len(self._items):
            self._items[index] = last
            self._index[last] = index

    def __contains__(self, item: object) -> bool:
        return item in self._index

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> list[str]:
        return list(self._items)

    def choice(self, rng: random.Random) -> str | None:
        return rng.choice(self._items) if self._items else None

    def sample(self, rng: random.Random, count: int) -> list[str]:
        return rng.sample(self._items, min(count, len(self._items)))


@dataclass
class _Child:
    ref: str
    surname: str
    start: dt.date
    leave_year: int
    guardians: list[str] = field(default_factory=list)
    left: dt.date | None = None
    consent: dict[str, tuple[bool, dt.date | None]] = field(default_factory=dict)
    contact: list[str] = field(default_factory=list)

    def consented(self, channel: str, day: dt.date) -> bool:
        state = self.consent.get(channel)
        return state is not None and state[0] and (state[1] is None or day <= state[1])


@dataclass
class _Guardian:
    ref: str
    name: str
    surname: str
    children: list[str] = field(default_factory=list)
    member: bool = False
    admitted: dt.date | None = None


@dataclass
class _Person:
    ref: str
    kind: PersonKind
    joined: dt.date
    roles: list[Role] = field(default_factory=list)
    left: dt.date | None = None
    member: bool = False


# Problems planted in a demo at a fraction of the way through the history.
_PLANTS_AT: Final[tuple[tuple[str, float], ...]] = (
    ("late-concern", 0.18),
    ("photo-removed", 0.30),
    ("unauthorised-acknowledged", 0.38),
    ("contact-device-acknowledged", 0.42),
    ("late-follow-up", 0.47),
    ("connection-acknowledged", 0.50),
    ("too-few-admins", 0.53),
    ("late-takedown", 0.58),
    ("personal-account", 0.63),
    ("personal-phone", 0.68),
    ("contact-unpermitted", 0.85),
)


class _Setting:
    """A day-by-day simulation of one setting; ``run`` yields its events in record order."""

    def __init__(
        self,
        profile: Profile,
        *,
        start: dt.date,
        end: dt.date,
        seed: int,
        children: int,
        many: bool,
    ) -> None:
        if end < start:
            raise ValueError(f"end ({end}) is before start ({start})")
        if children < 1:
            raise ValueError("children must be at least 1")
        self.p = profile
        self.rng = random.Random(seed)
        self.filer = _Filer(random.Random(seed * 7_919 + 17), 0.03)
        self.start = start
        self.end = end
        self.capacity = children
        self.k = children / 40
        self.many = many  # scale: problems recur every year, in proportion to the size
        self.today = start
        self.buffer: list[Event] = []
        self.agenda: dict[dt.date, list[Callable[[], object]]] = {}

        channels = profile.channels
        self.channels = [name for name in channels if name != PERSONAL_ACCOUNT]
        self.consent_channels = [n for n in self.channels if channels[n].child_images == "consent"]
        self.group = profile.group_channel
        posters = {role for spec in channels.values() for role in spec.posters}
        self.roles_used: set[str] = {"manager", "deputy", "chair", "safeguarding-lead"}
        self.roles_used.add("social-media-officer")
        if "third-in-charge" in posters:
            self.roles_used.add("third-in-charge")
        if self.group is not None:
            self.roles_used.add("group-admin")
        # The main channel: where most posts go and where most problems show.
        self.main = (
            self.group
            or (self.consent_channels[0] if self.consent_channels else None)
            or (self.channels[0] if self.channels else None)
        )
        # A channel whose posters are roles (for an unauthorised post by someone without one).
        self.role_channel = next(
            (n for n in self.channels if ANY_MEMBER not in channels[n].posters), None
        )

        self.counters: dict[str, int] = {}
        self.form = self.rng.randint(120, 480)
        self.children: dict[str, _Child] = {}
        self.enrolled = _Bag()
        self.guardians: dict[str, _Guardian] = {}
        self.people: dict[str, _Person] = {}
        self.by_kind: dict[str, _Bag] = {k: _Bag() for k in ("staff", "volunteer", "student")}
        self.by_kind["committee"] = _Bag()
        self.holders: dict[str, _Bag] = {}
        self.members_g = _Bag()
        self.members_s = _Bag()
        self.devices = _Bag()
        self.device_count = 0
        self.live: dict[tuple[str, str], list[str]] = {}
        self.removed: set[str] = set()
        self.pinned: set[str] = set()
        self.exceptions: dict[tuple[str, str], bool] = {}
        self.friends_of: dict[str, list[str]] = {}  # guardian -> persons with an exception
        self.contactable = _Bag()
        self.forget_leavers: dict[int, int] = {}
        self.planted: list[str] = []
        self.planned_years: set[int] = set()

    # -- plumbing -----------------------------------------------------------------------------

    def run(self) -> Iterator[Event]:
        self._open()
        day = self.start
        while day <= self.end:
            self.today = day
            if day.month == 9 and day.day == 1 and day.year not in self.planned_years:
                self._plan_year(day.year, first=False)
            self._drain_agenda(day)
            self._daily()
            self._drain_agenda(day)
            yield from self.filer.feed(day, self.buffer)
            self.buffer = []
            day += ONE
        yield from self.filer.flush()

    def _drain_agenda(self, day: dt.date) -> None:
        while True:
            jobs = self.agenda.pop(day, None)
            if not jobs:
                return
            for job in jobs:
                job()

    def _at(self, day: dt.date, job: Callable[[], object]) -> None:
        day = max(day, self.today)
        if day <= self.end:
            self.agenda.setdefault(day, []).append(job)

    def _emit(self, event: Event) -> None:
        self.buffer.append(event)

    def _ref(self, prefix: str, width: int = 4) -> str:
        number = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = number
        return f"{prefix}-{number:0{width}d}"

    def _count(self, rate: float) -> int:
        whole = int(rate)
        return whole + (1 if self.rng.random() < rate - whole else 0)

    def _days(self, low: int, high: int) -> dt.date:
        return self.today + dt.timedelta(days=self.rng.randint(low, high))

    def _school_on_or_after(self, day: dt.date) -> dt.date:
        day = max(day, self.start)
        while not _is_school_day(day) and day <= self.end:
            day += ONE
        return day

    def _school_on_or_before(self, day: dt.date) -> dt.date:
        day = min(day, self.end)
        while not _is_school_day(day) and day >= self.start:
            day -= ONE
        return day

    def _random_school_day(self, first: dt.date, last: dt.date) -> dt.date | None:
        first, last = max(first, self.start), min(last, self.end)
        if first > last:
            return None
        for _ in range(20):
            day = first + dt.timedelta(days=self.rng.randint(0, (last - first).days))
            if _is_school_day(day):
                return day
        return None

    def _name(self, surname: str | None = None) -> str:
        return f"{self.rng.choice(_FIRST)} {surname or self.rng.choice(_SURNAMES)}"

    def _on(self, rule: RuleName) -> bool:
        return self.p.is_on(rule)

    # -- the opening day ----------------------------------------------------------------------

    def _open(self) -> None:
        rng, day = self.rng, self.start
        self._emit(PolicyAdopted(on=day, version=f"{day.year}.1"))
        year = _school_year(day)
        if day >= _summer_start(year + 1):
            year += 1  # opened in the summer holiday: the coming school year
        self._emit(
            TermDatesRecorded(on=day, year=year + 1, summer_holiday_starts=_summer_start(year + 1))
        )
        manager = self._join("staff", ["manager", "safeguarding-lead"])
        deputy = self._join("staff", ["deputy"])
        if "third-in-charge" in self.roles_used:
            self._join("staff", ["third-in-charge"])
        # West Wycombe's page is run with "the social media person on the committee".
        committee_smo = any(
            {"chair", "social-media-officer"} <= set(spec.posters)
            for spec in self.p.channels.values()
        )
        smo = self._join("committee" if committee_smo else "staff", ["social-media-officer"])
        chair = self._join("committee", ["chair"])
        for _ in range(2 + int(self.k / 4)):
            self._join("committee", [])
        practitioners = [self._join("staff", []) for _ in range(max(3, round(5 * self.k)))]
        self._join("volunteer", [])
        if self.group is not None:
            admins = [deputy] + ([smo] if not committee_smo else [])
            extra = max(2, self.p.min_group_admins) - len(admins)
            admins += practitioners[:extra]
            for person in admins:
                self._assign(person, "group-admin")
        for _ in range(max(2, round(2 * self.k))):
            self._register_device()
        if self.group is not None:
            for person in [manager, deputy, smo, chair, *practitioners]:
                if person in (manager, deputy, smo) or rng.random() < 0.6:
                    self._admit(person)
        self._plan_year(year, first=True)
        self._plan_reviews()
        self._plan_problems()

    def _plan_year(self, year: int, *, first: bool) -> None:
        """What happens over the school year that starts in September of ``year``."""
        rng, k = self.rng, self.k
        self.planned_years.add(year)
        autumn = _autumn_start(year)
        if not first:
            self._at(
                self._school_on_or_after(autumn + dt.timedelta(days=rng.randint(0, 8))),
                functools.partial(self._term_dates, year + 1),
            )
        # Children: the roll on the first day, then intakes in September, January and April.
        plans: list[tuple[dt.date, int]] = []
        if first:
            roll = max(1, round(self.capacity * 0.85))
            for _ in range(roll):
                plans.append((self.start, rng.choice((1, 1, 1, 2, 2, 2, 3)) + year))
            new = self.capacity - roll
            september = 0
        else:
            returning = sum(
                1 for ref in self.enrolled.items() if self.children[ref].leave_year > year
            )
            new = max(0, self.capacity - returning) + self._count(1.5 * k)
            september = round(new * 0.65)
        january = _monday_on_or_after(dt.date(year + 1, 1, 5))
        april = _monday_on_or_after(dt.date(year + 1, 3, 31)) + dt.timedelta(days=14)
        stay: tuple[int, ...]
        for index in range(new):
            if index < september:
                when, stay = autumn + dt.timedelta(days=rng.randint(0, 9)), (1, 2, 2, 2, 3)
            elif index < september + (new - september) * 3 // 5:
                when, stay = january + dt.timedelta(days=rng.randint(0, 4)), (1, 2, 2)
            else:
                when, stay = april + dt.timedelta(days=rng.randint(0, 4)), (1, 2, 2)
            if when > self.start or not first:
                plans.append((when, year + rng.choice(stay)))
        for when, leave_year in plans:
            if when != self.start:
                when = self._school_on_or_after(when)
            self._at(when, functools.partial(self._enrol, leave_year))
        # Families moving away during the year.
        for _ in range(self._count(1.2 * k)):
            day = self._random_school_day(dt.date(year, 10, 1), dt.date(year + 1, 6, 30))
            if day is not None:
                self._at(day, self._mid_year_leaver)
        # Staff come and go; students on placement; volunteers.
        for _ in range(self._count(1.0 * k)):
            day = self._random_school_day(dt.date(year, 9, 20), dt.date(year + 1, 7, 10))
            if day is not None:
                self._at(day, self._staff_turnover)
        for _ in range(self._count(1.0 * k)):
            day = self._random_school_day(dt.date(year + 1, 1, 6), dt.date(year + 1, 3, 20))
            if day is not None:
                self._at(day, functools.partial(self._placement, rng.randint(42, 84)))
        if rng.random() < 0.5 * k or self.many:
            for _ in range(max(1, self._count(0.5 * k))):
                day = self._random_school_day(dt.date(year, 9, 15), dt.date(year, 11, 30))
                if day is not None:
                    self._at(day, self._volunteer)
        # The committee's AGM in October: someone steps down, someone joins; the chair changes
        # every other year.
        agm = self._random_school_day(dt.date(year, 10, 5), dt.date(year, 10, 20))
        if agm is not None and not first:
            self._at(agm, functools.partial(self._agm, year % 2 == 0))
        # A tablet replaced every other year.
        if not first and year % 2 == 1:
            day = self._random_school_day(dt.date(year, 11, 1), dt.date(year + 1, 2, 28))
            if day is not None:
                self._at(day, self._replace_device)
        # A member of staff's slip (a comment about work, a colleague named): a case, decided.
        for _ in range(max(1, self._count(0.8 * k))):
            day = self._random_school_day(dt.date(year, 9, 20), dt.date(year + 1, 6, 20))
            if day is not None:
                self._at(day, self._staff_slip)
        # Parents changing their minds about photos.
        if self.consent_channels:
            for _ in range(self._count(1.5 * k)):
                day = self._random_school_day(dt.date(year, 10, 1), dt.date(year + 1, 7, 1))
                if day is not None:
                    self._at(day, self._ordinary_withdrawal)
        if self.many and not first:
            self._plan_yearly_problems(year)

    def _term_dates(self, summer: int) -> None:
        self._emit(
            TermDatesRecorded(
                on=self.today, year=summer, summer_holiday_starts=_summer_start(summer)
            )
        )

    # -- people --------------------------------------------------------------------------------

    def _join(self, kind: PersonKind, roles: list[Role]) -> str:
        ref = self._ref("S")
        self._emit(PersonJoined(on=self.today, person=ref, name=self._name(), kind=kind))
        self.people[ref] = _Person(ref, kind, self.today)
        self.by_kind[kind].add(ref)
        for role in roles:
            self._assign(ref, role)
        return ref

    def _assign(self, person: str, role: Role) -> None:
        if role not in self.roles_used:
            return
        self._emit(RoleAssigned(on=self.today, person=person, role=role))
        self.people[person].roles.append(role)
        self.holders.setdefault(role, _Bag()).add(person)

    def _revoke(self, person: str, role: Role) -> None:
        self._emit(RoleRevoked(on=self.today, person=person, role=role))
        self.people[person].roles.remove(role)
        self.holders[role].discard(person)

    def _leave(self, ref: str) -> None:
        person = self.people[ref]
        if person.left is not None:
            return
        for role in list(person.roles):
            self._revoke(ref, role)
        if person.member:
            self._remove_member(ref, "left")
        self._emit(PersonLeft(on=self.today, person=ref))
        person.left = self.today
        self.by_kind[person.kind].discard(ref)

    def _admit(self, member: str) -> None:
        if member.startswith("S-"):
            person = self.people[member]
            if person.member or person.left is not None:
                return
            person.member = True
            self.members_s.add(member)
        else:
            guardian = self.guardians[member]
            if guardian.member:
                return
            guardian.member = True
            guardian.admitted = self.today
            self.members_g.add(member)
        self._emit(MemberAdmitted(on=self.today, member=member))

    def _remove_member(self, member: str, reason: MemberRemovalReason) -> None:
        if member.startswith("S-"):
            person = self.people[member]
            if not person.member:
                return
            person.member = False
            self.members_s.discard(member)
        else:
            guardian = self.guardians[member]
            if not guardian.member:
                return
            guardian.member = False
            self.members_g.discard(member)
        self._emit(MemberRemoved(on=self.today, member=member, reason=reason))

    def _plain_staff(self) -> str | None:
        """A current member of staff holding no role (a practitioner)."""
        for ref in self.by_kind["staff"].sample(self.rng, 12):
            if not self.people[ref].roles:
                return ref
        return None

    def _holder(self, role: str) -> str | None:
        bag = self.holders.get(role)
        return bag.choice(self.rng) if bag else None

    def _manager(self) -> str:
        return (
            self._holder("manager")
            or self._holder("deputy")
            or self.by_kind["staff"].choice(self.rng)
            or next(iter(self.people))
        )

    def _approver(self, person: str) -> str:
        manager = self._manager()
        if manager != person:
            return manager
        return self._holder("chair") or self._holder("deputy") or manager

    def _staff_turnover(self) -> None:
        leaver = self._plain_staff()
        if leaver is None:
            return
        self._leave(leaver)
        newcomer = self._join("staff", [])
        if self.group is not None and self.rng.random() < 0.6:
            self._admit(newcomer)

    def _placement(self, weeks_days: int) -> None:
        student = self._join("student", [])
        self._at(self._days(weeks_days, weeks_days), functools.partial(self._leave, student))

    def _volunteer(self) -> None:
        volunteer = self._join("volunteer", [])
        if self.rng.random() < 0.5:
            leave = _last_day(_school_year(self.today) + 1)
            self._at(leave, functools.partial(self._leave, volunteer))

    def _agm(self, chair_changes: bool) -> None:
        plain = [r for r in self.by_kind["committee"].items() if not self.people[r].roles]
        if plain:
            self._leave(self.rng.choice(plain))
        newcomer = self._join("committee", [])
        if chair_changes:
            old = self._holder("chair")
            if old is not None:
                self._revoke(old, "chair")
            self._assign(newcomer, "chair")

    def _register_device(self) -> str:
        self.device_count += 1
        device = f"T-{self.device_count:02d}"
        self._emit(DeviceRegistered(on=self.today, device=device))
        self.devices.add(device)
        return device

    def _replace_device(self) -> None:
        old = self.devices.items()[0] if len(self.devices) else None
        self._register_device()
        if old is not None:
            self._at(self._days(1, 6), functools.partial(self._retire_device, old))

    def _retire_device(self, device: str) -> None:
        if device in self.devices:
            self.devices.discard(device)
            self._emit(DeviceRetired(on=self.today, device=device))

    def _device(self) -> str | None:
        return self.devices.choice(self.rng)

    # -- children and families ---------------------------------------------------------------

    def _enrol(self, leave_year: int) -> None:
        rng, day = self.rng, self.today
        while _last_day(leave_year) <= day:
            leave_year += 1
        family: list[str] = []
        if len(self.enrolled) and rng.random() < 0.1:
            sibling = self.children[self.enrolled.choice(rng) or ""]
            family = list(sibling.guardians)
        surname = self.guardians[family[0]].surname if family else rng.choice(_SURNAMES)
        ref = self._ref("C")
        child = _Child(ref, surname, day, leave_year)
        self.children[ref] = child
        self._emit(ChildEnrolled(on=day, child=ref, name=self._name(surname)))
        if not family:
            family = [self._new_guardian(surname)]
            if rng.random() < 0.65:
                other = surname if rng.random() < 0.7 else rng.choice(_SURNAMES)
                family.append(self._new_guardian(other))
        for guardian in family:
            self._emit(
                GuardianLinked(
                    on=day, guardian=guardian, name=self.guardians[guardian].name, child=ref
                )
            )
            self.guardians[guardian].children.append(ref)
            child.guardians.append(guardian)
        self.enrolled.add(ref)
        # The photo consent form: one form, a tick box for each channel.
        if self.consent_channels:
            if day == self.start and rng.random() < 0.8:
                when = day
            else:
                when = self._days(0, 0) if rng.random() < 0.55 else self._days(1, 12)
            chosen = [
                channel
                for index, channel in enumerate(self.consent_channels)
                if rng.random() < (0.9 if index == 0 else 0.75)
            ]
            if chosen:
                self._at(when, functools.partial(self._consent_form, ref, chosen))
        if self.group is not None:
            for guardian in family:
                if rng.random() < 0.9:
                    when = day if day == self.start else self._days(0, 6)
                    self._at(when, functools.partial(self._admit_guardian, guardian))
        if self._on("contact-without-permission") and rng.random() < 0.75:
            self._at(self._days(0, 7), functools.partial(self._permit_contact, ref))
        if self._exceptions_allowed() and rng.random() < 0.05:
            self._at(self._days(0, 12), functools.partial(self._grant_exception, ref))
        self._at(_last_day(leave_year), functools.partial(self._child_leaves, ref, True))

    def _new_guardian(self, surname: str) -> str:
        ref = self._ref("G")
        self.guardians[ref] = _Guardian(ref, self._name(surname), surname)
        return ref

    def _admit_guardian(self, guardian: str) -> None:
        if any(self.children[c].left is None for c in self.guardians[guardian].children):
            self._admit(guardian)

    def _consent_form(self, child_ref: str, channels: list[str]) -> None:
        child = self.children[child_ref]
        if child.left is not None:
            return
        rng = self.rng
        method = rng.choice(_METHODS)
        self.form += 1
        evidence = {"paper": "F", "email": "E", "app": "A"}[method] + f"-{self.form}"
        annual = rng.random() < 0.25
        expires = dt.date(_school_year(self.today) + 1, 8, 31) if annual else None
        guardian = rng.choice(child.guardians)
        for channel in channels:
            self._emit(
                ConsentGranted(
                    on=self.today,
                    child=child_ref,
                    guardian=guardian,
                    channel=channel,
                    evidence=evidence,
                    method=method,
                    expires=expires,
                )
            )
            child.consent[channel] = (True, expires)
        if expires is not None and child.leave_year > expires.year and rng.random() < 0.85:
            renew = _autumn_start(expires.year) + dt.timedelta(days=rng.randint(0, 8))
            self._at(renew, functools.partial(self._renew, child_ref, channels, expires))

    def _renew(self, child_ref: str, channels: list[str], expires: dt.date) -> None:
        child = self.children[child_ref]
        still = [c for c in channels if child.consent.get(c) == (True, expires)]
        if child.left is None and still:
            self._consent_form(child_ref, still)

    def _permit_contact(self, child_ref: str) -> None:
        child = self.children[child_ref]
        if child.left is not None:
            return
        methods = [self.rng.choice(_CONTACT_METHODS)]
        if self.rng.random() < 0.3:
            methods.append("email" if methods[0] != "email" else "phone")
        guardian = self.rng.choice(child.guardians)
        for method in methods:
            self._emit(
                CommunicationPermitted(
                    on=self.today, child=child_ref, guardian=guardian, method=method
                )
            )
            child.contact.append(method)
        self.contactable.add(child_ref)

    def _child_leaves(self, child_ref: str, july: bool) -> None:
        child = self.children[child_ref]
        if child.left is not None:
            return
        self._emit(ChildLeft(on=self.today, child=child_ref))
        child.left = self.today
        self.enrolled.discard(child_ref)
        self.contactable.discard(child_ref)
        for channel in self.consent_channels:
            self.live.pop((channel, child_ref), None)
        for guardian_ref in child.guardians:
            guardian = self.guardians[guardian_ref]
            if any(self.children[c].left is None for c in guardian.children):
                continue
            # The family has left: out of the group after the summer holiday starts, and any
            # friendship exception closed.
            if guardian.member:
                summer = _summer_start(_school_year(self.today) + 1)
                if july:
                    summer = _summer_start(self.today.year)
                    grace = self.p.leaver_grace_days
                    when = summer + dt.timedelta(days=self.rng.randint(0, max(0, grace - 4)))
                    year = self.today.year
                    if self.forget_leavers.get(year, 0) > 0:
                        self.forget_leavers[year] -= 1
                        when = summer + dt.timedelta(days=grace + self.rng.randint(12, 40))
                        self.planted.append(f"leaver-not-removed {guardian_ref}")
                else:
                    when = self._days(1, 10)
                self._at(when, functools.partial(self._leaver_out, guardian_ref))
            for person in self.friends_of.get(guardian_ref, []):
                if self.exceptions.get((person, guardian_ref)) and self.rng.random() < 0.6:
                    self._at(
                        self._days(1, 20),
                        functools.partial(self._end_exception, person, guardian_ref),
                    )

    def _leaver_out(self, guardian_ref: str) -> None:
        guardian = self.guardians[guardian_ref]
        if not any(self.children[c].left is None for c in guardian.children):
            self._remove_member(guardian_ref, "left")

    def _mid_year_leaver(self) -> None:
        for ref in self.enrolled.sample(self.rng, 6):
            child = self.children[ref]
            if (self.today - child.start).days > 30 and child.leave_year > self.today.year:
                self._child_leaves(ref, False)
                return

    # -- consent withdrawn ---------------------------------------------------------------------

    def _live_posts(self, channel: str, child_ref: str) -> list[str]:
        return [p for p in self.live.get((channel, child_ref), []) if p not in self.removed]

    def _withdraw(self, child_ref: str, channel: str) -> list[str]:
        child = self.children[child_ref]
        self._emit(
            ConsentWithdrawn(
                on=self.today,
                child=child_ref,
                guardian=self.rng.choice(child.guardians),
                channel=channel,
            )
        )
        child.consent[channel] = (False, None)
        posts = self._live_posts(channel, child_ref)
        self.live.pop((channel, child_ref), None)
        return posts

    def _ordinary_withdrawal(self) -> None:
        channel = self.rng.choice(self.consent_channels)
        for ref in self.enrolled.sample(self.rng, 8):
            if self.children[ref].consented(channel, self.today):
                posts = [p for p in self._withdraw(ref, channel) if p not in self.pinned]
                limit = min(1, self.p.takedown_days)
                for post in posts:
                    self._at(
                        self._days(0, limit),
                        functools.partial(self._take_down, post, channel, "consent-withdrawn"),
                    )
                return

    # -- posts ---------------------------------------------------------------------------------

    def _publish(self, channel: str, author: str, depicts: list[str], device: str | None) -> str:
        ref = self._ref("P")
        self._emit(
            PostPublished(
                on=self.today,
                post=ref,
                channel=channel,
                author=author,
                depicts=depicts,
                device=device,
            )
        )
        if channel in self.consent_channels:
            for child in depicts:
                self.live.setdefault((channel, child), []).append(ref)
        return ref

    def _take_down(
        self, post: str, channel: str, reason: RemovalReason, *, force: bool = False
    ) -> None:
        if post in self.removed or (post in self.pinned and not force):
            return
        self.removed.add(post)
        self.pinned.discard(post)
        self._emit(PostRemoved(on=self.today, post=post, by=self._remover(channel), reason=reason))

    def _remover(self, channel: str) -> str:
        if channel == self.group:
            admin = self._holder("group-admin")
            if admin is not None:
                return admin
        spec = self.p.channels.get(channel)
        for role in spec.posters if spec else []:
            holder = self._holder(role)
            if holder is not None:
                return holder
        return self._manager()

    def _author(self, channel: str) -> str | None:
        """A person allowed to post on the channel today."""
        posters = self.p.channels[channel].posters
        if ANY_MEMBER in posters:
            return self.members_s.choice(self.rng)
        candidates: list[str] = []
        for role in posters:
            for person in (self.holders.get(role) or _Bag()).items():
                if person not in candidates:
                    candidates.append(person)
        return self.rng.choice(candidates) if candidates else None

    def _consented_children(self, channel: str, count: int) -> list[str]:
        if count == 0:
            return []
        chosen = [
            ref
            for ref in self.enrolled.sample(self.rng, count * 3 + 3)
            if self.children[ref].consented(channel, self.today)
        ]
        return sorted(chosen[:count])

    def _photo_post(self, channel: str) -> None:
        author = self._author(channel)
        if author is None:
            return
        depicts = self._consented_children(channel, self.rng.choice((0, 1, 1, 2, 2, 3, 4)))
        post = self._publish(channel, author, depicts, self._device())
        if self.rng.random() < 0.02:  # posted twice by mistake, or a typo in the caption
            self._at(self._days(0, 1), functools.partial(self._take_down, post, channel, "other"))

    def _notice_post(self, channel: str) -> None:
        author = self._author(channel)
        if author is not None:
            self._publish(channel, author, [], self._device() if self.rng.random() < 0.5 else None)

    def _guardian_post(self) -> None:
        assert self.group is not None
        author = self.members_g.choice(self.rng)
        if author is not None:
            self._publish(self.group, author, [], None)

    def _negative_discussion(self, *, late_referral: bool = False) -> None:
        """A parent's critical post in the group, taken down and followed up."""
        assert self.group is not None
        author = self.members_g.choice(self.rng)
        if author is None:
            return
        post = self._publish(self.group, author, [], None)
        reason: RemovalReason = (
            "negative-discussion" if self.rng.random() < 0.75 else "inappropriate"
        )
        removal = self._days(0, 1)
        self.pinned.add(post)
        self._at(removal, functools.partial(self._take_down, post, self.group, reason, force=True))
        limit = self.p.follow_up_days
        contact = removal + dt.timedelta(days=self.rng.randint(0, min(2, limit)))
        refer = removal + dt.timedelta(days=self.rng.randint(0, min(3, limit)))
        if late_referral:
            refer = removal + dt.timedelta(days=limit + self.rng.randint(3, 8))
        self._at(contact, functools.partial(self._contact_poster, post))
        self._at(refer, functools.partial(self._emit_referral, post))
        if self.rng.random() < 0.4:
            self._at(removal, functools.partial(self._concern, "critical-discussion", author))
        if self.rng.random() < 0.05:
            self._at(
                removal + dt.timedelta(days=2),
                functools.partial(self._remove_member, author, "breach"),
            )

    def _contact_poster(self, post: str) -> None:
        assert self.group is not None
        self._emit(PosterContacted(on=self.today, post=post, by=self._remover(self.group)))

    def _emit_referral(self, ref: str) -> None:
        self._emit(ReferredToManager(on=self.today, ref=ref))

    # -- concerns and discipline ---------------------------------------------------------------

    def _concern(
        self,
        category: ConcernCategory | None = None,
        about: str | None = None,
        *,
        late: bool = False,
        action: str | None = None,
    ) -> str:
        ref = self._ref("K")
        rng = self.rng
        kind = rng.choice(_CATEGORIES) if category is None else category
        if about is None and rng.random() < 0.3:
            about = self._plain_staff() if rng.random() < 0.5 else self.members_g.choice(rng)
        self._emit(ConcernRaised(on=self.today, concern=ref, category=kind, about=about))
        limit = self.p.concern_response_days
        when = self._days(0, limit) if not late else self._days(limit + 2, limit + 5)
        self._at(when, functools.partial(self._address, ref, action or rng.choice(_ADDRESSED)))
        if (
            not late
            and about is not None
            and about.startswith("S-")
            and action is None
            and rng.random() < 0.25
        ):
            self._at(self._days(1, 4), functools.partial(self._refer_case, about, ref, True))
        return ref

    def _staff_slip(self) -> None:
        person = self._plain_staff()
        if person is not None:
            concern = self._concern(
                self.rng.choice(("confidentiality", "inappropriate-comment")),
                person,
                action="Passed to the manager; the member of staff was seen the same week.",
            )
            self._at(self._days(1, 4), functools.partial(self._refer_case, person, concern, True))

    def _address(self, concern: str, action: str) -> None:
        self._emit(ConcernAddressed(on=self.today, concern=concern, action=action))

    def _refer_case(
        self,
        person: str,
        concern: str | None,
        decide: bool,
        outcome: CaseOutcome | None = None,
    ) -> str:
        ref = self._ref("D")
        self._emit(DisciplinaryReferred(on=self.today, case=ref, person=person, concern=concern))
        if decide:
            limit = max(1, self.p.decision_days - 3)
            decision = self.rng.choice(_OUTCOMES) if outcome is None else outcome
            self._at(
                self._days(min(5, limit), limit),
                functools.partial(self._decide, ref, decision, person),
            )
        return ref

    def _undecided_case(self, person: str, concern: str) -> None:
        case = self._refer_case(person, concern, False)
        self.planted.append(f"case-undecided {case} on {self.today}")

    def _decide(self, case: str, outcome: CaseOutcome, person: str) -> None:
        self._emit(DisciplinaryDecided(on=self.today, case=case, outcome=outcome))
        if outcome in ("dismissal", "asked-to-leave"):
            self._leave(person)

    # -- friendships and contacts --------------------------------------------------------------

    def _exceptions_allowed(self) -> bool:
        return self._on("connection-without-exception") and self.p.friendship_exception in (
            "pre-existing",
            "declared",
        )

    def _grant_exception(self, child_ref: str) -> None:
        child = self.children[child_ref]
        person = self.by_kind["staff"].choice(self.rng)
        if child.left is not None or person is None:
            return
        guardian = self.rng.choice(child.guardians)
        if (person, guardian) in self.exceptions:
            return
        earliest = min(self.children[c].start for c in self.guardians[guardian].children)
        earliest = min(earliest, self.people[person].joined)
        # Pre-existing: they knew each other long before (a cousin, an old school friend);
        # declared: they may have met more recently.
        back = (400, 5000) if self.p.friendship_exception == "pre-existing" else (60, 3000)
        since = earliest - dt.timedelta(days=self.rng.randint(*back))
        self._emit(
            FriendshipExceptionGranted(
                on=self.today,
                person=person,
                guardian=guardian,
                since=since,
                approved_by=self._approver(person),
            )
        )
        self.exceptions[(person, guardian)] = True
        self.friends_of.setdefault(guardian, []).append(person)
        if self.rng.random() < 0.6:
            self._at(self._days(14, 150), functools.partial(self._report_known, person, guardian))

    def _report_known(self, person: str, guardian: str) -> None:
        if self.exceptions.get((person, guardian)) and self.people[person].left is None:
            self._emit(ConnectionReported(on=self.today, person=person, guardian=guardian))

    def _end_exception(self, person: str, guardian: str) -> None:
        if self.exceptions.get((person, guardian)):
            self.exceptions[(person, guardian)] = False
            self._emit(FriendshipExceptionEnded(on=self.today, person=person, guardian=guardian))

    def _contact_child(self, *, device: str | None = None, method: str | None = None) -> str | None:
        child_ref = self.contactable.choice(self.rng)
        staff = self.by_kind["staff"].choice(self.rng)
        if child_ref is None or staff is None:
            return None
        child = self.children[child_ref]
        self._emit(
            ChildContacted(
                on=self.today,
                child=child_ref,
                by=staff,
                method=method or self.rng.choice(child.contact),
                device=device or self._device(),
            )
        )
        return child_ref

    # -- every day -----------------------------------------------------------------------------

    def _daily(self) -> None:
        school = _is_school_day(self.today)
        k = self.k
        for channel in self.channels:
            spec = self.p.channels[channel]
            if spec.group:
                for _ in range(self._count(1.1 * k if school else 0.0)):
                    self._photo_post(channel)
                for _ in range(self._count((0.35 if school else 0.12) * k)):
                    self._guardian_post()
            elif spec.child_images == "consent":
                rate = (0.25 if self.group else 0.9) * k
                for _ in range(self._count(rate if school else 0.04 * k)):
                    self._photo_post(channel)
            else:
                for _ in range(self._count((0.35 if school else 0.05) * k)):
                    self._notice_post(channel)
        if not school:
            return
        for _ in range(self._count(0.045 * k)):
            self._concern()
        if self.group is not None:
            for _ in range(self._count(0.025 * k)):
                self._negative_discussion()
            for _ in range(self._count(0.004 * k)):
                member = self.members_g.choice(self.rng)
                if member is not None:  # leaves the group tomorrow, before anything is posted
                    self._at(
                        self.today + ONE,
                        functools.partial(self._remove_member, member, "voluntary"),
                    )
        if self._on("contact-without-permission"):
            for _ in range(self._count(0.12 * k)):
                self._contact_child()

    # -- planted problems ----------------------------------------------------------------------

    def _plan_reviews(self) -> None:
        """Reviews in good time, except the last one due by ``end``, which slips."""
        if not self._on("policy-review-overdue"):
            return
        months, rng = self.p.review_interval_months, self.rng
        on_time: list[tuple[dt.date, dt.date]] = []  # (due, reviewed)
        last = self.start
        while (due := _add_months(last, months)) <= self.end:
            last = max(last + ONE, due - dt.timedelta(days=rng.randint(5, 40)))
            on_time.append((due, last))
        slipping = [
            i for i, (due, _) in enumerate(on_time) if due + dt.timedelta(days=5) <= self.end
        ]
        if not slipping:
            return
        index = slipping[-1]
        reviews = [reviewed for _, reviewed in on_time[:index]]
        due = on_time[index][0]
        self.planted.append(f"policy-review-overdue policy from {due + ONE}")
        last = due + dt.timedelta(days=rng.randint(20, 60))
        while last <= self.end:
            reviews.append(last)
            due = _add_months(last, months)
            last = max(last + ONE, due - dt.timedelta(days=rng.randint(5, 40)))
        for number, day in enumerate(reviews):
            outcome: ReviewOutcome = (
                "amended" if number == index or rng.random() < 0.3 else "unchanged"
            )
            self._at(day, functools.partial(self._review, outcome))

    def _review(self, outcome: ReviewOutcome) -> None:
        self._emit(PolicyReviewed(on=self.today, outcome=outcome))

    def _wanted(self) -> list[str]:
        """The kinds of problem this profile can show."""
        on = self._on
        kinds = []
        if on("concern-unaddressed"):
            kinds.append("late-concern")
        if (self.consent_channels and on("consent-missing")) or (
            not self.consent_channels and self.main and on("child-image-forbidden")
        ):
            kinds.append("photo-removed")
        if self.role_channel and on("unauthorised-poster"):
            kinds.append("unauthorised-acknowledged")
        if self.p.contacts_need_setting_device and on("contact-without-permission"):
            kinds.append("contact-device-acknowledged")
        if self.group and on("removal-follow-up-overdue"):
            kinds.append("late-follow-up")
        if on("connection-without-exception") and self.p.friendship_exception == "never":
            kinds.append("connection-acknowledged")
        if self.group and on("too-few-admins"):
            kinds.append("too-few-admins")
        if self.consent_channels and on("withdrawn-consent-post-live"):
            kinds.append("late-takedown")
        if (
            self.consent_channels
            and on("child-image-forbidden")
            and not self.p.require_setting_device
            and not self.p.contacts_need_setting_device
        ):
            kinds.append("personal-account")
        if self.group and self.p.require_setting_device and on("non-setting-device"):
            kinds.append("personal-phone")
        if on("contact-without-permission"):
            kinds.append("contact-unpermitted")
        return kinds

    def _plan_problems(self) -> None:
        wanted = self._wanted()
        span = (self.end - self.start).days
        if not self.many:
            for kind, fraction in _PLANTS_AT:
                if kind in wanted and span >= 60:
                    day = self._school_on_or_after(
                        self.start + dt.timedelta(days=round(span * fraction))
                    )
                    if day <= self.end:
                        self._at(day, functools.partial(self._plant, kind))
        # Near the end: still open when the committee looks.
        if span >= 45 and (
            (self.consent_channels and self._on("consent-missing"))
            or (not self.consent_channels and self._on("child-image-forbidden"))
        ):
            day = self._school_on_or_before(self.end - dt.timedelta(days=self.rng.randint(8, 20)))
            if day >= self.start + dt.timedelta(days=30):
                self._at(day, functools.partial(self._plant, "photo-open"))
        if self._on("connection-without-exception") and self.p.friendship_exception != "never":
            day = self._school_on_or_before(self.end - dt.timedelta(days=self.rng.randint(3, 12)))
            if day >= self.start + dt.timedelta(days=30):
                self._at(day, functools.partial(self._plant, "connection-open"))
        if self._on("referral-undecided"):
            back = self.p.decision_days + self.rng.randint(6, 16)
            day = self._school_on_or_before(self.end - dt.timedelta(days=back))
            if day >= self.start + dt.timedelta(days=30):
                self._at(day, functools.partial(self._plant, "case-undecided"))
        if self.group is not None and self._on("leaver-not-removed"):
            grace = self.p.leaver_grace_days
            years = [
                year
                for year in range(self.start.year, self.end.year + 1)
                if _summer_start(year) + dt.timedelta(days=grace + 3) <= self.end
                and _summer_start(year) >= self.start + dt.timedelta(days=90)
            ]
            if years:
                targets = years if self.many else years[-1:]
                for year in targets:
                    self.forget_leavers[year] = max(1, round(self.k)) if self.many else 1

    def _plan_yearly_problems(self, year: int) -> None:
        wanted = self._wanted()
        for _ in range(max(1, round(self.k))):
            for kind in wanted:
                day = self._random_school_day(dt.date(year, 9, 20), dt.date(year + 1, 6, 30))
                if day is not None and day + dt.timedelta(days=40) <= self.end:
                    self._at(day, functools.partial(self._plant, kind))

    def _plant(self, kind: str) -> None:
        rng = self.rng
        later = self._days
        before = len(self.buffer)
        subject: str | None = None
        if kind == "late-concern":
            subject = self._concern(rng.choice(_HEATED), late=True)
        elif kind in ("photo-removed", "photo-open"):
            subject = self._plant_photo(keep=kind == "photo-open")
        elif kind == "unauthorised-acknowledged" and self.role_channel:
            author = self._plain_staff()
            if author is not None:
                subject = self._publish(self.role_channel, author, [], self._device())
                self.pinned.add(subject)
                self._at(
                    later(5, 12),
                    functools.partial(
                        self._acknowledge,
                        "unauthorised-poster",
                        subject,
                        "Notice posted while the manager was away; approved by the chair"
                        " afterwards and posting rights explained.",
                    ),
                )
        elif kind == "contact-device-acknowledged":
            subject = self._contact_child(device="personal-phone")
            if subject is not None:
                self._at(
                    later(3, 8),
                    functools.partial(
                        self._acknowledge,
                        "non-setting-device",
                        subject,
                        "The setting phone was flat; staff reminded to charge it and never to"
                        " use their own.",
                    ),
                )
        elif kind == "contact-unpermitted":
            for _ in range(10):
                child_ref = self.contactable.choice(rng)
                if child_ref is None:
                    break
                unpermitted = [
                    m
                    for m in ("text", "video-call", "email")
                    if m not in self.children[child_ref].contact
                ]
                staff = self.by_kind["staff"].choice(rng)
                if unpermitted and staff is not None:
                    self._emit(
                        ChildContacted(
                            on=self.today,
                            child=child_ref,
                            by=staff,
                            method=unpermitted[0],
                            device=self._device(),
                        )
                    )
                    subject = child_ref
                    break
        elif kind == "late-follow-up" and self.group is not None:
            self._negative_discussion(late_referral=True)
            subject = f"P-{self.counters.get('P', 0):04d}"
        elif kind in ("connection-acknowledged", "connection-open"):
            subject = self._plant_connection(acknowledge=kind == "connection-acknowledged")
        elif kind == "too-few-admins":
            admin = self._holder("group-admin")
            replacement = self._plain_staff()
            if admin is not None and replacement is not None:
                self._revoke(admin, "group-admin")
                self._at(later(6, 10), functools.partial(self._assign, replacement, "group-admin"))
                if replacement not in self.members_s:
                    self._at(later(0, 0), functools.partial(self._admit, replacement))
                subject = self.group
        elif kind == "late-takedown":
            subject = self._plant_late_takedown()
        elif kind == "personal-account":
            self._plant_personal_account()  # the post, some days later, is the plant
        elif kind == "personal-phone":
            subject = self._plant_personal_phone()
        elif kind == "case-undecided":
            person = self._plain_staff()
            if person is not None:
                concern = self._concern(
                    "confidentiality", person, action="Passed to the manager for investigation."
                )
                self._at(later(1, 2), functools.partial(self._undecided_case, person, concern))
        if subject is not None and len(self.buffer) > before:
            self.planted.append(f"{kind} {subject} on {self.today}")

    def _acknowledge(self, rule: RuleName, subject: str, action: str) -> None:
        self._emit(
            FindingAcknowledged(on=self.today, rule=rule, subject_ref=subject, action=action)
        )

    def _unconsented_child(self, channel: str | None) -> str | None:
        lapsed: str | None = None
        never: str | None = None
        for ref in self.enrolled.sample(self.rng, 200):
            child = self.children[ref]
            if (self.today - child.start).days < 21:
                continue  # the consent form may still be on its way
            if channel is None or not child.consented(channel, self.today):
                if channel is not None and channel in child.consent:
                    lapsed = lapsed or ref
                else:
                    never = never or ref
        return lapsed or never

    def _plant_photo(self, *, keep: bool) -> str | None:
        """A photo of a child who may not be shown there: taken down in a few days, or not."""
        channel = self.consent_channels[0] if self.consent_channels else self.main
        if channel is None:
            return None
        child = self._unconsented_child(channel if self.consent_channels else None)
        author = self._author(channel)
        if child is None or author is None:
            return None
        post = self._publish(channel, author, [child], self._device())
        self.pinned.add(post)
        if not keep:
            removal = self._days(1, 3)
            self._at(
                removal, functools.partial(self._take_down, post, channel, "breach", force=True)
            )
            self._at(
                removal,
                functools.partial(
                    self._concern,
                    "child-image",
                    None,
                    action="Photo taken down; staff reminded to check the consent register"
                    " before posting.",
                ),
            )
        return post

    def _plant_late_takedown(self) -> str | None:
        """Consent withdrawn; the older post showing the child comes down days too late."""
        best: tuple[int, str, str, list[str]] | None = None
        for channel in self.consent_channels:
            for ref in self.enrolled.sample(self.rng, 80):
                if not self.children[ref].consented(channel, self.today):
                    continue
                posts = [p for p in self._live_posts(channel, ref) if p not in self.pinned]
                if posts and (best is None or len(posts) < best[0]):
                    best = (len(posts), channel, ref, posts)
        if best is None:
            return None
        _, channel, ref, posts = best
        self._withdraw(ref, channel)
        when = self._days(self.p.takedown_days + 2, self.p.takedown_days + 6)
        for post in posts:
            self.pinned.add(post)
            self._at(
                when,
                functools.partial(self._take_down, post, channel, "consent-withdrawn", force=True),
            )
        return ",".join(posts)

    def _plant_personal_account(self) -> str | None:
        """A student puts a photo from the setting on their own page; asked to leave."""
        student = self._join("student", [])
        day = self._school_on_or_after(self._days(9, 16))
        self._at(day, functools.partial(self._personal_post, student))
        return student

    def _personal_post(self, student: str) -> None:
        child = self.enrolled.choice(self.rng)
        if self.people[student].left is not None or child is None:
            return
        post = self._publish(PERSONAL_ACCOUNT, student, [child], "own-phone")
        self.planted.append(f"personal-account {post} on {self.today}")
        self.pinned.add(post)
        concern = self._concern(
            "child-image", student, action="The student was asked to take the photo down at once."
        )
        self._at(
            self._days(1, 1),
            functools.partial(self._take_down, post, PERSONAL_ACCOUNT, "breach", force=True),
        )
        self._at(
            self._days(1, 2),
            functools.partial(self._refer_case, student, concern, True, "asked-to-leave"),
        )

    def _plant_personal_phone(self) -> str | None:
        """A photo taken on a personal phone and posted in the group; taken down; advice."""
        assert self.group is not None
        author = next(
            (p for p in self.members_s.sample(self.rng, 20) if self.people[p].kind == "staff"),
            None,
        )
        depicts = self._consented_children(self.group, 2)
        if author is None or not depicts:
            return None
        post = self._publish(self.group, author, depicts, "personal-phone")
        self.pinned.add(post)
        removal = self._days(1, 2)
        self._at(
            removal, functools.partial(self._take_down, post, self.group, "breach", force=True)
        )
        self._at(
            removal,
            functools.partial(
                self._concern,
                "child-image",
                author,
                action="Photo taken down; only the setting's tablets are used for photos.",
            ),
        )
        self._at(
            removal + dt.timedelta(days=2),
            functools.partial(self._refer_case, author, None, True, "advice"),
        )
        return post

    def _plant_connection(self, *, acknowledge: bool) -> str | None:
        for _ in range(40):
            ref = self.enrolled.choice(self.rng)
            person = self._plain_staff()
            if ref is None or person is None:
                return None
            if _last_day(self.children[ref].leave_year) <= self.today + dt.timedelta(days=10):
                continue  # a family about to leave: the finding would close by itself
            guardian = self.rng.choice(self.children[ref].guardians)
            if self.exceptions.get((person, guardian)):
                continue
            self._emit(ConnectionReported(on=self.today, person=person, guardian=guardian))
            subject = f"{person}/{guardian}"
            if acknowledge:
                self._at(
                    self._days(4, 9),
                    functools.partial(
                        self._acknowledge,
                        "connection-without-exception",
                        subject,
                        "The connection was removed and the member of staff reminded of the"
                        " policy.",
                    ),
                )
            return subject
        return None


def generate(
    profile: Profile,
    *,
    setting: str,
    start: dt.date,
    end: dt.date,
    seed: int = 0,
    children: int = 40,
) -> list[Event]:
    """A realistic history of a setting from ``start`` to ``end`` (``end`` is "today").

    The list starts with ``PolicyAdopted`` on ``start`` (``ledger init`` writes
    ``SettingRegistered``) and can be imported as it is. ``setting`` is the setting's name, as
    given to ``init``; it does not change the history. Planted problems adapt to the profile
    and to the length of the history (a late policy review needs more than a year; a leaver
    left in the group needs a summer holiday that ended before ``end``).
    """
    del setting
    return list(
        _Setting(profile, start=start, end=end, seed=seed, children=children, many=False).run()
    )


def planted(
    profile: Profile, *, start: dt.date, end: dt.date, seed: int = 0, children: int = 40
) -> list[str]:
    """What ``generate`` planted, in words (a rule or story, the subject, the day)."""
    sim = _Setting(profile, start=start, end=end, seed=seed, children=children, many=False)
    for _ in sim.run():
        pass
    return sim.planted


def scale(
    profile: Profile,
    *,
    setting: str,
    events: int,
    seed: int = 0,
    end: dt.date | None = None,
) -> Iterator[Event]:
    """The same kind of history, sized to about ``events`` events (never more), ending by
    ``end`` (default: today). A large setting over several years: the number of years grows
    with the size (two up to 100,000 events, ten at a million), and the number of children is
    chosen so the history fills them. Problems recur every year in proportion to the size.
    """
    del setting
    if events < 1:
        return
    last = end or dt.date.today()
    years = min(10, max(2, events // 100_000 + 1))
    start = dt.date(_school_year(last) - years + 1, 9, 1)
    pilot_children = 120
    pilot = sum(
        1
        for _ in _Setting(
            profile, start=start, end=last, seed=seed, children=pilot_children, many=True
        ).run()
    )
    children = max(1, round(pilot_children * events / max(1, pilot)))
    sim = _Setting(profile, start=start, end=last, seed=seed, children=children, many=True)
    for count, event in enumerate(sim.run(), start=1):
        yield event
        if count >= events:
            return
