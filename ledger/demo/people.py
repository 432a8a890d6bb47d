"""The people of an invented setting: staff, committee, volunteers and students joining and
leaving, their roles, the group's members, and the setting's tablets.
"""

from __future__ import annotations

import functools

from ledger.demo.calendar import last_day, school_year
from ledger.demo.state import Bag, Person, SettingState
from ledger.events import (
    DeviceRegistered,
    DeviceRetired,
    MemberAdmitted,
    MemberRemovalReason,
    MemberRemoved,
    PersonJoined,
    PersonKind,
    PersonLeft,
    Role,
    RoleAssigned,
    RoleRevoked,
)


class People(SettingState):
    """Adds the setting's people, their roles and group membership, and its devices."""

    def _join(self, kind: PersonKind, roles: list[Role]) -> str:
        ref = self._ref("S")
        self._emit(PersonJoined(on=self.today, person=ref, name=self._name(), kind=kind))
        self.people[ref] = Person(ref, kind, self.today)
        self.by_kind[kind].add(ref)
        for role in roles:
            self._assign(ref, role)
        return ref

    def _assign(self, person: str, role: Role) -> None:
        if role not in self.roles_used:
            return
        self._emit(RoleAssigned(on=self.today, person=person, role=role))
        self.people[person].roles.append(role)
        self.holders.setdefault(role, Bag()).add(person)

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
        by = None
        if member.startswith("S-"):
            person = self.people[member]
            if person.member or person.left is not None:
                return
            if self.invited_members:
                by = self._approver(member)  # invited to join (Stepping Stones Nursery)
            person.member = True
            self.members_s.add(member)
        else:
            guardian = self.guardians[member]
            if guardian.member:
                return
            guardian.member = True
            guardian.admitted = self.today
            self.members_g.add(member)
        self._emit(MemberAdmitted(on=self.today, member=member, by=by))

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
            leave = last_day(school_year(self.today) + 1)
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
