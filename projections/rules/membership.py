"""Rules about the parents' closed group (South Woodham's "Conditions of Use", lines 102-130).

- Line 118: only current parents/carers and staff may be members (``ineligible-member``; the
  group channel's ``member_kinds = ["staff"]``: a volunteer, student or committee member in the
  group is ineligible).
- Stepping Stones Nursery, line 19: a closed page "only parents/carers and others who have been
  invited to join the group can view": ``invited_members``, anyone whose admission names who
  invited them (``MemberAdmitted.by``) may belong, whatever their kind, while that membership
  lasts; anyone else only as a guardian of an enrolled child (``member_kinds = []``).
- Line 122: leavers' parents are removed shortly after the start of the summer holidays
  following their child's last day (``leaver-not-removed``; "shortly" is the profile's grace).
- Line 126: there should be two administrators (``too-few-admins``).

All three are judged at the end of each day ("is the case" rules in ``site/rules.md``).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterator

from ledger.profile import Channel, Profile
from projections import status
from projections.calendar import ONE_DAY, add_days
from projections.episodes import Episode, runs
from projections.registers import Mark, Registers


def _guardian_days(r: Registers, guardian: str) -> Iterator[dt.date]:
    """Days on which a guardian's eligibility can change."""
    for link in r.guardians.get(guardian, ()):
        child = r.children[link.child]
        yield link.on
        yield child.start
        if child.left is not None:
            yield child.left + ONE_DAY


def _group(profile: Profile) -> Channel | None:
    name = profile.group_channel
    return profile.channels[name] if name is not None else None


def _invited(r: Registers, group: Channel | None, ref: str, day: dt.date) -> bool:
    """Whether the membership ``ref`` holds on ``day`` was opened by an invitation that the
    group accepts (``invited_members``: the admission names who invited them)."""
    if group is None or not group.invited_members:
        return False
    admission = status.latest(r.invited.get(ref, []), day)
    return admission is not None and admission.opens


def _kind_may_belong(r: Registers, group: Channel | None, ref: str) -> bool:
    kinds = group.member_kinds if group is not None else None
    person = r.persons.get(ref)
    return kinds is None or (person is not None and person.kind in kinds)


def _eligible(r: Registers, group: Channel | None, ref: str, day: dt.date) -> bool:
    if _invited(r, group, ref, day):
        return True
    if ref.startswith("S-"):
        return status.current(r, ref, day) and _kind_may_belong(r, group, ref)
    return any(status.enrolled(r, c, day) for c in status.children_of(r, ref, day))


def _why_eligible(r: Registers, group: Channel | None, ref: str, day: dt.date) -> str:
    """The kind of fact that ended an ineligible membership on ``day``."""
    if not status.member(r, ref, day):
        return "MemberRemoved"
    if _invited(r, group, ref, day):
        return "MemberAdmitted"  # admitted again, on an invitation
    if ref.startswith("S-"):
        return "PersonJoined"
    if any(link.on == day for link in r.guardians.get(ref, ())):
        return "GuardianLinked"
    if status.all_left(r, ref, day):
        return "ChildLeft"  # now judged as a leaver instead
    return "ChildEnrolled"


def _settled_from(r: Registers, ref: str) -> dt.date | None:
    """For a guardian of one child: the day from which they are, for good, either eligible or a
    leaver (judged by the next rule); None for anyone else.

    With the child linked on day k, starting on s and leaving on L, the guardian is neither
    before k, nor before s unless L has passed; from then on they always are one or the other.
    """
    links = r.guardians.get(ref, ())
    if not ref.startswith("G-") or len(links) != 1:
        return None
    child = r.children[links[0].child]
    starts = child.start if child.left is None else min(child.start, child.left + ONE_DAY)
    return max(links[0].on, starts)


def ineligible_member(r: Registers, profile: Profile) -> list[Episode]:
    out: list[Episode] = []
    group = _group(profile)
    for ref, history in r.members.items():
        settled = _settled_from(r, ref)
        if settled is not None and history[0].on >= settled:
            continue  # (most guardians) first admitted once settled: never ineligible
        days = [m.on for m in history]
        if ref.startswith("S-"):
            person = r.persons.get(ref)
            if person is not None:
                days.append(person.joined)
                if person.left is not None:
                    days.append(person.left + ONE_DAY)
        else:
            days.extend(_guardian_days(r, ref))

        def holds(day: dt.date, ref: str = ref) -> bool:
            return (
                status.member(r, ref, day)
                and not _eligible(r, group, ref, day)
                and not (ref.startswith("G-") and status.all_left(r, ref, day))
            )

        for since, end in runs(days, holds):
            if not ref.startswith("S-"):
                what = "not the guardian of an enrolled child"
            elif status.current(r, ref, since) and group is not None and group.member_kinds:
                what = f"not one of those who may belong ({_kinds(group)})"
            elif status.current(r, ref, since):
                what = "not one of those who may belong (guardians only)"
            else:
                what = "not a current member of staff"
            if group is not None and group.invited_members:
                what += ", nor admitted on an invitation"
            resolution = _why_eligible(r, group, ref, end) if end is not None else None
            out.append(
                Episode(
                    "ineligible-member",
                    ref,
                    since,
                    f"{ref} is in the group but is {what}",
                    end,
                    resolution,
                )
            )
    return out


def summer_holiday_start(r: Registers, profile: Profile, year: int, day: dt.date) -> dt.date:
    """The summer holiday start for ``year``, as recorded on or before ``day``."""
    recorded = status.latest(r.term_dates.get(year, []), day)
    return recorded.starts if recorded is not None else profile.summer_holiday_start(year)


def leaver_deadline(r: Registers, profile: Profile, last_day: dt.date, day: dt.date) -> dt.date:
    """The first summer holiday start on or after ``last_day``, plus the grace days."""
    year = last_day.year
    while True:
        start = summer_holiday_start(r, profile, year, day)
        if start >= last_day:
            return add_days(start, profile.leaver_grace_days)
        year += 1


class _Deadlines:
    """``leaver_deadline`` for many guardians, remembered.

    For a given last day it changes with the day judged only as term dates are recorded, so it
    is worked out once per last day and number of term-date facts known by the day judged.
    """

    def __init__(self, r: Registers, profile: Profile) -> None:
        self.r, self.profile = r, profile
        self.recorded = sorted(t.on for history in r.term_dates.values() for t in history)
        self._known: dict[tuple[dt.date, int], dt.date] = {}
        self._earliest: dict[dt.date, dt.date] = {}

    def on(self, last_day: dt.date, day: dt.date) -> dt.date:
        """``leaver_deadline(r, profile, last_day, day)``."""
        known = (last_day, bisect_right(self.recorded, day))
        if known not in self._known:
            self._known[known] = leaver_deadline(self.r, self.profile, last_day, day)
        return self._known[known]

    def earliest(self, last_day: dt.date) -> dt.date:
        """The earliest the deadline for ``last_day`` can be on any day, whatever term dates are
        recorded by then: the earliest summer holiday start on or after it, recorded or default
        (a later year's default is later than next year's), plus the grace days."""
        if last_day not in self._earliest:
            years = (last_day.year, last_day.year + 1)
            starts = [t.starts for y, h in self.r.term_dates.items() if y >= years[0] for t in h]
            try:
                starts += [self.profile.summer_holiday_start(year) for year in years]
                start = min(s for s in starts if s >= last_day)
                self._earliest[last_day] = add_days(start, self.profile.leaver_grace_days)
            except (ValueError, OverflowError):  # a default that is no date (say, 04-31)
                self._earliest[last_day] = dt.date.min  # no bound: judged day by day, as before
        return self._earliest[last_day]


def _first_left(r: Registers, guardian: str) -> dt.date | None:
    """The earliest last day of any child linked to a guardian (None: none has left).

    No day up to it is a leaver's: a guardian is a leaver only once some child of theirs has
    left. (Not the first child's alone: a child linked ahead of their first day is no child of
    the guardian until then, so another child's leaving may come first.)
    """
    lefts = [
        left
        for link in r.guardians.get(guardian, ())
        if (left := r.children[link.child].left) is not None
    ]
    return min(lefts) if lefts else None


def _gone_by(history: list[Mark], day: dt.date) -> bool:
    """Whether a membership history was over for good by ``day`` (its last fact a removal)."""
    return not history or (not history[-1].opens and history[-1].on <= day)


def leaver_not_removed(r: Registers, profile: Profile) -> list[Episode]:
    out: list[Episode] = []
    deadlines = _Deadlines(r, profile)
    for ref, history in r.members.items():
        first_left = _first_left(r, ref) if ref.startswith("G-") else None
        if first_left is None:
            continue  # never a leaver
        if _gone_by(history, deadlines.earliest(first_left) + ONE_DAY):
            continue  # (most leavers) removed before any deadline could have passed
        days = [m.on for m in history]
        days.extend(_guardian_days(r, ref))
        days.extend(deadlines.recorded)
        # No day up to first_left is a leaver's: leaving those days out changes no run.
        days = [day for day in days if day > first_left]
        # Between those days the deadline is fixed; it can also pass on its own.
        for day in list(days):
            last = status.last_day_of_children(r, ref, day)
            if last is not None:
                days.append(deadlines.on(last, day) + ONE_DAY)

        def holds(day: dt.date, ref: str = ref) -> bool:
            if not status.member(r, ref, day):
                return False
            last = status.last_day_of_children(r, ref, day)
            return last is not None and day > deadlines.on(last, day)

        for since, end in runs(days, holds):
            out.append(
                Episode(
                    "leaver-not-removed",
                    ref,
                    since,
                    f"{ref}'s children have all left; the group membership was due to end by"
                    f" {(since - ONE_DAY).isoformat()}",
                    end,
                    _why_no_longer_due(r, ref, end) if end is not None else None,
                )
            )
    return out


def _why_no_longer_due(r: Registers, ref: str, day: dt.date) -> str:
    if not status.member(r, ref, day):
        return "MemberRemoved"
    if not status.all_left(r, ref, day):
        # a child of theirs has joined since: linked that day, or linked earlier and starting
        linked = any(link.on == day for link in r.guardians.get(ref, ()))
        return "GuardianLinked" if linked else "ChildEnrolled"
    return "TermDatesRecorded"  # the deadline moved


def too_few_admins(r: Registers, profile: Profile) -> list[Episode]:
    group = profile.group_channel
    if group is None:
        return []
    needed = profile.min_group_admins
    # Count members and admins through a sweep of the days on which either can change.
    member_runs: list[tuple[dt.date, dt.date | None]] = []
    for history in r.members.values():
        member_runs.extend(status.runs_of(status.opened_turns(history)))
    admin_runs: list[tuple[dt.date, dt.date | None]] = []
    for k, history in r.roles.items():
        person, role = k.split("|", 1)
        if role != "group-admin":
            continue
        days = [m.on for m in history]
        p = r.persons.get(person)
        if p is not None:
            days.append(p.joined)
            if p.left is not None:
                days.append(p.left + ONE_DAY)

        def is_admin(day: dt.date, person: str = person) -> bool:
            return status.holds_role(r, person, "group-admin", day)

        admin_runs.extend(runs(days, is_admin))
    deltas: dict[dt.date, list[int]] = {}
    for runs_, index in ((member_runs, 0), (admin_runs, 1)):
        for start, end in runs_:
            deltas.setdefault(start, [0, 0])[index] += 1
            if end is not None:
                deltas.setdefault(end, [0, 0])[index] -= 1
    counts = [0, 0]
    state: dict[dt.date, bool] = {}
    admins: dict[dt.date, int] = {}
    for day in sorted(deltas):
        counts[0] += deltas[day][0]
        counts[1] += deltas[day][1]
        state[day] = counts[0] > 0 and counts[1] < needed
        admins[day] = counts[1]
    out: list[Episode] = []
    for since, end in runs(state, state.__getitem__):
        resolution = None
        if end is not None:
            resolution = "RoleAssigned" if admins[end] >= needed else "MemberRemoved"
        out.append(
            Episode(
                "too-few-admins",
                group,
                since,
                f"the group had members but fewer than {needed} current group admins",
                end,
                resolution,
            )
        )
    return out


# --- what the site's numbers read (``projections.report``) -----------------------------------


def eligible(r: Registers, profile: Profile, ref: str, day: dt.date) -> bool:
    """Whether a member may be in the group on ``day`` (line 118): a current person of one of
    the group's ``member_kinds`` (any kind, where it names none), a parent or carer of a child
    enrolled then, or (``invited_members``) anyone admitted on an invitation. A guardian who is
    none of these is a leaver once all their children have left (``leaver-not-removed``), and
    ineligible before."""
    return _eligible(r, _group(profile), ref, day)


def _kinds(group: Channel) -> str:
    """The group's member kinds as words: guardians, and staff or volunteers."""
    plural = {"staff": "staff", "committee": "committee members"}
    kinds = [plural.get(kind, kind + "s") for kind in group.member_kinds or ()]
    return " and ".join(["guardians", " or ".join(kinds)] if kinds else ["guardians"])
