"""Friendships between an invented setting's staff and parents (the exceptions the policy
allows, and connections reported), and staff contacting children at home.
"""

from __future__ import annotations

import datetime as dt
import functools

from ledger.demo.concerns import Concerns
from ledger.events import (
    ChildContacted,
    ConnectionReported,
    FriendshipExceptionEnded,
    FriendshipExceptionGranted,
)


class Friendships(Concerns):
    """Adds friendship exceptions, reported connections and contacts with children."""

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
