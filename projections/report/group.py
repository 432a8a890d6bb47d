"""The closed group in figures: its members by why they may be in it, its administrators, the
leavers due for removal and the members month by month. Who is eligible and when a leaver is
due out are the membership rules' answers (``projections.rules.membership``)."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Sequence

import msgspec

from ledger.profile import Profile
from projections import status
from projections.findings import Episode, runs
from projections.registers import Registers
from projections.report.common import LIST_LIMIT, bounded, first_day, months
from projections.rules import membership


class LeaverDue(msgspec.Struct, frozen=True):
    guardian: str
    last_day: dt.date  # the last day of the last of their children to leave
    deadline: dt.date  # removal due by
    overdue: bool


class GroupMonth(msgspec.Struct, frozen=True):
    month: str
    members: int
    admins: int


class GroupReport(msgspec.Struct, frozen=True):
    channel: str | None  # None: the profile has no closed group
    says: str
    members: int
    guardians_enrolled: int  # guardians of an enrolled child
    people_current: int  # staff, volunteers, students, committee currently at the setting
    leavers: int  # guardians whose children have all left
    ineligible: list[str]  # members who are none of the above (at most LIST_LIMIT)
    ineligible_more: int
    admins: list[str]
    min_admins: int
    leavers_due: list[LeaverDue]  # soonest deadline first (at most LIST_LIMIT)
    leavers_due_more: int
    grace_days: int
    months: list[GroupMonth]


def _member_runs(r: Registers, ref: str) -> list[tuple[dt.date, dt.date | None]]:
    return runs((m.on for m in r.members[ref]), lambda d: status.member(r, ref, d))


def group_report(
    r: Registers, profile: Profile, episodes: Sequence[Episode], day: dt.date
) -> GroupReport:
    group = profile.group_channel
    min_admins = profile.min_group_admins
    if group is None:
        return GroupReport(None, "", 0, 0, 0, 0, [], 0, [], min_admins, [], 0, 0, [])
    members = sorted(ref for ref in r.members if status.member(r, ref, day))
    guardians_enrolled = people = 0
    leavers: list[LeaverDue] = []
    ineligible: list[str] = []
    for ref in members:
        staff = ref.startswith("S-")
        if membership.eligible(r, profile, ref, day):
            if staff:
                people += 1
            else:
                guardians_enrolled += 1
            continue
        last = None if staff else status.last_day_of_children(r, ref, day)
        if last is None:
            ineligible.append(ref)
            continue
        deadline = membership.leaver_deadline(r, profile, last, day)
        leavers.append(LeaverDue(ref, last, deadline, day > deadline))
    leavers.sort(key=lambda leaver: (leaver.deadline, leaver.guardian))
    admins = sorted(
        k.split("|", 1)[0]
        for k in r.roles
        if k.endswith("|group-admin")
        and status.holds_role(r, k.split("|", 1)[0], "group-admin", day)
    )
    window = months(day, first_day(r))
    starts: list[dt.date] = []
    ends: list[dt.date] = []
    for ref in r.members:
        for start, end in _member_runs(r, ref):
            starts.append(start)
            if end is not None:
                ends.append(end)
    starts.sort()
    ends.sort()
    holders = [k.split("|", 1)[0] for k in r.roles if k.endswith("|group-admin")]
    series = [
        GroupMonth(
            m.label,
            bisect_right(starts, m.last) - bisect_right(ends, m.last),
            sum(1 for p in holders if status.holds_role(r, p, "group-admin", m.last)),
        )
        for m in window
    ]
    shown_ineligible, more_ineligible = bounded(ineligible)
    shown_leavers = leavers[:LIST_LIMIT]
    return GroupReport(
        channel=group,
        says=profile.channels[group].says,
        members=len(members),
        guardians_enrolled=guardians_enrolled,
        people_current=people,
        leavers=len(leavers),
        ineligible=shown_ineligible,
        ineligible_more=more_ineligible,
        admins=admins,
        min_admins=min_admins,
        leavers_due=shown_leavers,
        leavers_due_more=len(leavers) - len(shown_leavers),
        grace_days=profile.leaver_grace_days,
        months=series,
    )
