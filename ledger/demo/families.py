"""Children and families of an invented setting: children starting and leaving, their parents
linked, photo consent forms (and their renewals and withdrawals), contact permissions, and
families taken out of the group once they have left.
"""

from __future__ import annotations

import datetime as dt
import functools

from ledger.demo.calendar import autumn_start, last_day, school_year, summer_start
from ledger.demo.posts import Posts
from ledger.demo.state import Child, Guardian
from ledger.demo.words import CONSENT_METHODS, CONTACT_METHODS, SURNAMES
from ledger.events import (
    ChildEnrolled,
    ChildLeft,
    CommunicationPermitted,
    ConsentGranted,
    ConsentWithdrawn,
    GuardianLinked,
)


class Families(Posts):
    """Adds children, their parents, consent given and withdrawn, and leavers."""

    def _enrol(self, leave_year: int) -> None:
        rng, day = self.rng, self.today
        while last_day(leave_year) <= day:
            leave_year += 1
        family: list[str] = []
        if len(self.enrolled) and rng.random() < 0.1:
            sibling = self.children[self.enrolled.choice(rng) or ""]
            family = list(sibling.guardians)
        surname = self.guardians[family[0]].surname if family else rng.choice(SURNAMES)
        ref = self._ref("C")
        child = Child(ref, surname, day, leave_year)
        self.children[ref] = child
        self._emit(ChildEnrolled(on=day, child=ref, name=self._name(surname)))
        if not family:
            family = [self._new_guardian(surname)]
            if rng.random() < 0.65:
                other = surname if rng.random() < 0.7 else rng.choice(SURNAMES)
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
        self._at(last_day(leave_year), functools.partial(self._child_leaves, ref, True))

    def _new_guardian(self, surname: str) -> str:
        ref = self._ref("G")
        self.guardians[ref] = Guardian(ref, self._name(surname), surname)
        return ref

    def _admit_guardian(self, guardian: str) -> None:
        if any(self.children[c].left is None for c in self.guardians[guardian].children):
            self._admit(guardian)

    def _consent_form(self, child_ref: str, channels: list[str]) -> None:
        child = self.children[child_ref]
        if child.left is not None:
            return
        rng = self.rng
        method = rng.choice(CONSENT_METHODS)
        self.form += 1
        evidence = {"paper": "F", "email": "E", "app": "A"}[method] + f"-{self.form}"
        annual = rng.random() < 0.25
        expires = dt.date(school_year(self.today) + 1, 8, 31) if annual else None
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
            renew = autumn_start(expires.year) + dt.timedelta(days=rng.randint(0, 8))
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
        methods = [self.rng.choice(CONTACT_METHODS)]
        if self.rng.random() < 0.3:
            methods.append("setting-email" if methods[0] != "setting-email" else "setting-phone")
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
                summer = summer_start(school_year(self.today) + 1)
                if july:
                    summer = summer_start(self.today.year)
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
