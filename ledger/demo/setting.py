"""An invented setting's whole history, day by day: the opening day, each school year's plan
(intakes, leavers, staff turnover, the AGM, ...), and what happens on every day.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator

from ledger.demo.calendar import (
    ONE,
    autumn_start,
    is_school_day,
    monday_on_or_after,
    school_year,
    summer_start,
)
from ledger.demo.problems import Problems
from ledger.events import Event, PolicyAdopted, TermDatesRecorded


class Setting(Problems):
    """A day-by-day simulation of one setting; ``run`` yields its events in record order."""

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

    # -- the opening day ----------------------------------------------------------------------

    def _open(self) -> None:
        rng, day = self.rng, self.start
        self._emit(PolicyAdopted(on=day, version=f"{day.year}.1"))
        year = school_year(day)
        if day >= summer_start(year + 1):
            year += 1  # opened in the summer holiday: the coming school year
        self._emit(
            TermDatesRecorded(on=day, year=year + 1, summer_holiday_starts=summer_start(year + 1))
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
        autumn = autumn_start(year)
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
        january = monday_on_or_after(dt.date(year + 1, 1, 5))
        april = monday_on_or_after(dt.date(year + 1, 3, 31)) + dt.timedelta(days=14)
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
                on=self.today, year=summer, summer_holiday_starts=summer_start(summer)
            )
        )

    # -- every day -----------------------------------------------------------------------------

    def _daily(self) -> None:
        school = is_school_day(self.today)
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
