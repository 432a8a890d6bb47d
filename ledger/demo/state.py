"""The invented setting's state, and the plumbing of its day-by-day simulation.

``SettingState`` holds what the simulation knows (children, families, people, devices, posts
that are up, exceptions, ...) and the means to act: emit an event today, schedule a job for a
later day, draw a reference or a random count. The modules beside it each add what they invent
on top of it, one layer at a time (people, concerns, friendships, posts, families, problems);
``ledger.demo.setting`` puts the layers together and runs the days.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from ledger.demo.calendar import ONE, is_school_day
from ledger.demo.filing import Filer
from ledger.demo.words import FIRST_NAMES, SURNAMES
from ledger.events import Event, PersonKind, Role, RuleName
from ledger.profile import ANY_MEMBER, PERSONAL_ACCOUNT, Profile


class Bag:
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
class Child:
    """A child as the simulation knows them: their family, and their consent and contact."""

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
class Guardian:
    """A parent or carer: their children, and whether they are in the group."""

    ref: str
    name: str
    surname: str
    children: list[str] = field(default_factory=list)
    member: bool = False
    admitted: dt.date | None = None


@dataclass
class Person:
    """A member of staff, of the committee, a volunteer or a student: their roles."""

    ref: str
    kind: PersonKind
    joined: dt.date
    roles: list[Role] = field(default_factory=list)
    left: dt.date | None = None
    member: bool = False


class SettingState:
    """The state of a day-by-day simulation of one setting, and its plumbing."""

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
        self.filer = Filer(random.Random(seed * 7_919 + 17), 0.03)
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
        group = channels[self.group] if self.group is not None else None
        # Whether the group's members post in it (South Woodham: any member; Stepping Stones
        # Nursery's closed page: only management) and whether it takes members on an invitation.
        self.members_post = group is not None and ANY_MEMBER in group.posters
        self.invited_members = group is not None and group.invited_members
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
        self.children: dict[str, Child] = {}
        self.enrolled = Bag()
        self.guardians: dict[str, Guardian] = {}
        self.people: dict[str, Person] = {}
        self.by_kind: dict[str, Bag] = {k: Bag() for k in ("staff", "volunteer", "student")}
        self.by_kind["committee"] = Bag()
        self.holders: dict[str, Bag] = {}
        self.members_g = Bag()
        self.members_s = Bag()
        self.devices = Bag()
        self.device_count = 0
        self.live: dict[tuple[str, str], list[str]] = {}
        self.removed: set[str] = set()
        self.pinned: set[str] = set()
        self.exceptions: dict[tuple[str, str], bool] = {}
        self.friends_of: dict[str, list[str]] = {}  # guardian -> persons with an exception
        self.contactable = Bag()
        self.forget_leavers: dict[int, int] = {}
        self.planted: list[str] = []
        self.planned_years: set[int] = set()

    # -- plumbing -----------------------------------------------------------------------------
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
        while not is_school_day(day) and day <= self.end:
            day += ONE
        return day

    def _school_on_or_before(self, day: dt.date) -> dt.date:
        day = min(day, self.end)
        while not is_school_day(day) and day >= self.start:
            day -= ONE
        return day

    def _random_school_day(self, first: dt.date, last: dt.date) -> dt.date | None:
        first, last = max(first, self.start), min(last, self.end)
        if first > last:
            return None
        for _ in range(20):
            day = first + dt.timedelta(days=self.rng.randint(0, (last - first).days))
            if is_school_day(day):
                return day
        return None

    def _name(self, surname: str | None = None) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {surname or self.rng.choice(SURNAMES)}"

    def _on(self, rule: RuleName) -> bool:
        return self.p.is_on(rule)
