"""The transparency site's numbers (DESIGN.md section 8), as pure functions.

Every function here takes the registers, the profile, the findings' episodes (computed once per
build by ``projections.findings.all_episodes``) and the day the site is judged as of, and returns
a ``msgspec.Struct`` of plain numbers, dates, rule names and references. Only facts dated on or
before the day count, so a site built "as of" a past day shows what was the case then. No name
is ever here: the registers hold none.

The structs carry references (``C-0001``) for the committee edition; the page writer
(``ledger.site``) leaves them out of the public edition, which shows counts only.

Sizes are bounded whatever the size of the ledger: monthly series cover at most
``WINDOW_MONTHS`` months, and long lists keep the most relevant ``LIST_LIMIT`` entries with a
count of the rest.
"""

from __future__ import annotations

import base64
import datetime as dt
import typing
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Final

import msgspec

from ledger.checkpoint import Checkpoint, Verifier
from ledger.events import CaseOutcome, ConcernCategory, RemovalReason
from ledger.profile import ANY_MEMBER, Profile
from projections import status
from projections.calendar import ONE_DAY, add_days, add_months
from projections.findings import ACKNOWLEDGED, Episode, runs
from projections.registers import Registers
from projections.rules.membership import leaver_deadline

WINDOW_MONTHS: Final = 24  # monthly series and tables cover at most this many months
LIST_LIMIT: Final = 50  # long lists of references keep this many, and count the rest
RECENT: Final = 20  # "the most recent N" lists
PERIOD_MONTHS: Final = 3  # the printable report's period: the last three months

# Ages of open findings, in days since they began: (label, lowest, highest or None).
AGE_BUCKETS: Final[tuple[tuple[str, int, int | None], ...]] = (
    ("up to 7 days", 0, 7),
    ("8–30 days", 8, 30),
    ("31–90 days", 31, 90),
    ("over 90 days", 91, None),
)

POST_RULES: Final = (
    "consent-missing",
    "child-image-forbidden",
    "unauthorised-poster",
    "non-setting-device",
    "withdrawn-consent-post-live",
    "removal-follow-up-overdue",
)
FOLLOW_UP_REASONS: Final = ("negative-discussion", "inappropriate")
CASE_OUTCOMES: Final[tuple[str, ...]] = typing.get_args(CaseOutcome)
CONCERN_CATEGORIES: Final[tuple[str, ...]] = typing.get_args(ConcernCategory)
REMOVAL_REASONS: Final[tuple[str, ...]] = typing.get_args(RemovalReason)


# --- months -------------------------------------------------------------------------------------


class Month(msgspec.Struct, frozen=True):
    """A calendar month, cut at the day judged: ``last`` is its last day, or the day itself."""

    label: str  # "2026-03"
    first: dt.date
    last: dt.date


def months(day: dt.date, first_day: dt.date | None, count: int = WINDOW_MONTHS) -> list[Month]:
    """The months up to ``day``'s month, at most ``count``, none before ``first_day``'s (and
    none at all for a history with no first day)."""
    if first_day is None:
        return []
    start = dt.date(day.year, day.month, 1)
    out: list[Month] = []
    for back in range(count):
        first = add_months(start, -back)
        if first < dt.date(first_day.year, first_day.month, 1):
            break
        last = min(add_months(first, 1) - ONE_DAY, day)
        out.append(Month(first.strftime("%Y-%m"), first, last))
    out.reverse()
    return out


def first_day(r: Registers) -> dt.date | None:
    """The first day of the setting's recorded history (its policy, people and posts)."""
    days: list[dt.date] = [m.on for m in r.policy]
    days.extend(c.start for c in r.children.values())
    days.extend(p.joined for p in r.persons.values())
    if r.posts:
        days.append(min(p.on for p in r.posts.values()))
    return min(days) if days else None


def _month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _bounded(refs: Sequence[str], limit: int = LIST_LIMIT) -> tuple[list[str], int]:
    return list(refs[:limit]), max(0, len(refs) - limit)


# --- findings -----------------------------------------------------------------------------------


class FindingRow(msgspec.Struct, frozen=True):
    rule: str
    subject: str
    since: dt.date
    age_days: int  # days from ``since`` to the day judged (or to its resolution)
    status: str  # "open" or "resolved"
    resolved_on: dt.date | None
    resolution: str | None  # the kind of event that resolved it; "FindingAcknowledged"
    detail: str


def _row(e: Episode, day: dt.date) -> FindingRow:
    resolved = e.end is not None and e.end <= day
    until = e.end if resolved and e.end is not None else day
    return FindingRow(
        rule=e.rule,
        subject=e.subject,
        since=e.since,
        age_days=(until - e.since).days,
        status="resolved" if resolved else "open",
        resolved_on=e.end if resolved else None,
        resolution=e.resolution if resolved else None,
        detail=e.detail,
    )


def _is_open(e: Episode, day: dt.date) -> bool:
    return e.since <= day and (e.end is None or e.end > day)


def _is_resolved(e: Episode, day: dt.date) -> bool:
    return e.end is not None and e.since <= day and e.end <= day


def age_bucket(age_days: int) -> int:
    for index, (_label, low, high) in enumerate(AGE_BUCKETS):
        if age_days >= low and (high is None or age_days <= high):
            return index
    return len(AGE_BUCKETS) - 1


class RuleCount(msgspec.Struct, frozen=True):
    rule: str
    open: int
    resolved: int
    by_age: list[int]  # open findings in each of AGE_BUCKETS


class MonthTrend(msgspec.Struct, frozen=True):
    month: str
    opened: int  # findings that began in the month
    resolved: int  # findings resolved in the month
    open_at_end: int  # open at the end of the month (or on the day judged)


class Overview(msgspec.Struct, frozen=True):
    day: dt.date
    setting: str
    profile: str  # the profile's title
    policy: str
    open: int
    resolved: int
    by_rule: list[RuleCount]  # every rule the profile turns on, in the profile's order
    trend: list[MonthTrend]
    oldest_open: FindingRow | None
    enrolled: int
    staff: int  # people currently at the setting (staff, volunteers, students, committee)


def _rules_in_order(profile: Profile, episodes: Iterable[Episode]) -> list[str]:
    order: list[str] = list(profile.rules)
    for e in episodes:
        if e.rule not in order:
            order.append(e.rule)
    return order


def overview(r: Registers, profile: Profile, episodes: Sequence[Episode], day: dt.date) -> Overview:
    open_rows = [_row(e, day) for e in episodes if _is_open(e, day)]
    by_rule: list[RuleCount] = []
    for rule in _rules_in_order(profile, episodes):
        ages = [0] * len(AGE_BUCKETS)
        opened = 0
        for row in open_rows:
            if row.rule == rule:
                ages[age_bucket(row.age_days)] += 1
                opened += 1
        resolved = sum(1 for e in episodes if e.rule == rule and _is_resolved(e, day))
        by_rule.append(RuleCount(rule, opened, resolved, ages))
    oldest = min(open_rows, key=lambda f: (f.since, f.rule, f.subject), default=None)
    return Overview(
        day=day,
        setting=r.setting,
        profile=profile.title,
        policy=profile.policy,
        open=len(open_rows),
        resolved=sum(1 for e in episodes if _is_resolved(e, day)),
        by_rule=by_rule,
        trend=trend(episodes, day, first_day(r)),
        oldest_open=oldest,
        enrolled=sum(1 for c in r.children if status.enrolled(r, c, day)),
        staff=sum(1 for p in r.persons if status.current(r, p, day)),
    )


def trend(
    episodes: Sequence[Episode], day: dt.date, since: dt.date | None = None
) -> list[MonthTrend]:
    """Findings opened and resolved in each month, and open at each month's end."""
    window = months(day, since)
    if not window:
        return []
    opened: Counter[str] = Counter()
    resolved: Counter[str] = Counter()
    open_before = 0  # open at the end of the month before the window
    start = window[0].first
    for e in episodes:
        if e.since > day:
            continue
        end = e.end if e.end is not None and e.end <= day else None
        if e.since >= start:
            opened[_month_of(e.since)] += 1
        elif end is None or end >= start:
            open_before += 1
        if end is not None and end >= start:
            resolved[_month_of(end)] += 1
    out: list[MonthTrend] = []
    current = open_before
    for m in window:
        current += opened[m.label] - resolved[m.label]
        out.append(MonthTrend(m.label, opened[m.label], resolved[m.label], current))
    return out


class ResolvedMonth(msgspec.Struct, frozen=True):
    month: str
    count: int
    by_rule: dict[str, int]


class FindingsReport(msgspec.Struct, frozen=True):
    open: list[FindingRow]  # every open finding, oldest first
    resolved_total: int
    acknowledged_total: int
    resolved_by_month: list[ResolvedMonth]  # the window's months, newest first
    resolved_earlier: int  # resolved before the window
    recent_resolved: list[FindingRow]  # the most recently resolved, newest first


def findings_report(
    r: Registers,
    profile: Profile,
    episodes: Sequence[Episode],
    day: dt.date,
    recent: int = RECENT,
) -> FindingsReport:
    open_rows = sorted(
        (_row(e, day) for e in episodes if _is_open(e, day)),
        key=lambda f: (f.since, f.rule, f.subject),
    )
    resolved = [e for e in episodes if _is_resolved(e, day)]
    window = months(day, first_day(r))
    labels = {m.label for m in window}
    per_month: dict[str, Counter[str]] = {m.label: Counter() for m in window}
    earlier = 0
    for e in resolved:
        assert e.end is not None
        label = _month_of(e.end)
        if label in labels:
            per_month[label][e.rule] += 1
        else:
            earlier += 1
    by_month = [
        ResolvedMonth(m.label, sum(per_month[m.label].values()), dict(per_month[m.label]))
        for m in reversed(window)
    ]
    latest = sorted(resolved, key=lambda e: (e.end, e.since, e.rule, e.subject), reverse=True)
    return FindingsReport(
        open=open_rows,
        resolved_total=len(resolved),
        acknowledged_total=sum(1 for e in resolved if e.resolution == ACKNOWLEDGED),
        resolved_by_month=by_month,
        resolved_earlier=earlier,
        recent_resolved=[_row(e, day) for e in latest[:recent]],
    )


# --- consent coverage -------------------------------------------------------------------------


class CoveragePoint(msgspec.Struct, frozen=True):
    month: str
    enrolled: int
    active: int


class ChannelCoverage(msgspec.Struct, frozen=True):
    channel: str
    says: str
    child_images: str  # "consent" or "never"
    enrolled: int  # children enrolled on the day
    active: int  # of them, with active consent for this channel
    without: list[str]  # enrolled children without it (at most LIST_LIMIT)
    without_more: int
    expiring: list[str]  # children whose consent expires within 30 days (at most LIST_LIMIT)
    expiring_more: int
    withdrawn_in_period: int  # withdrawals in the last PERIOD_MONTHS months
    granted_in_period: int
    series: list[CoveragePoint]


def _enrolled_on(r: Registers, day: dt.date) -> list[str]:
    return sorted(
        c
        for c, child in r.children.items()
        if child.start <= day and (child.left is None or day <= child.left)
    )


def coverage(
    r: Registers, profile: Profile, episodes: Sequence[Episode], day: dt.date
) -> list[ChannelCoverage]:
    """For each channel, how many enrolled children have active consent, now and month by month.

    Channels that never allow images of children are listed with no numbers (consent does not
    apply to them).
    """
    window = months(day, first_day(r))
    lasts = [m.last for m in window]
    # Each child's months in the window (enrolled at the month's end): a run of month indexes.
    spans: list[tuple[str, int, int]] = []
    enrolled_at = [0] * len(window)
    for c, child in r.children.items():
        low = bisect_left(lasts, child.start)
        high = len(lasts) if child.left is None else bisect_right(lasts, child.left)
        if low < high:
            spans.append((c, low, high))
            for i in range(low, high):
                enrolled_at[i] += 1
    now = _enrolled_on(r, day)
    period_start = add_months(day, -PERIOD_MONTHS) + ONE_DAY
    soon = add_days(day, 30)
    changes_in_period: dict[str, Counter[bool]] = {name: Counter() for name in profile.channels}
    for k, history in r.consents.items():
        counter = changes_in_period.get(k.rpartition("|")[2])
        if counter is None:
            continue
        for change in history:
            if period_start <= change.on <= day:
                counter[change.granted] += 1
    out: list[ChannelCoverage] = []
    for name, channel in profile.channels.items():
        if channel.child_images != "consent":
            out.append(ChannelCoverage(name, channel.says, "never", 0, 0, [], 0, [], 0, 0, 0, []))
            continue
        without = [c for c in now if not status.consent_active(r, c, name, day)]
        expiring: list[str] = []
        for c in now:
            mark = status.latest(r.consents.get(f"{c}|{name}", []), day)
            if (
                mark is not None
                and mark.granted
                and mark.expires is not None
                and day <= mark.expires <= soon
            ):
                expiring.append(c)
        granted = changes_in_period[name][True]
        withdrawn = changes_in_period[name][False]
        active_at = [0] * len(window)
        for c, low, high in spans:
            marks = r.consents.get(f"{c}|{name}")
            if not marks:
                continue
            days = [mark.on for mark in marks]  # in business order
            for i in range(low, high):
                index = bisect_right(days, lasts[i]) - 1
                if index >= 0:
                    latest = marks[index]
                    if latest.granted and (latest.expires is None or lasts[i] <= latest.expires):
                        active_at[i] += 1
        series = [
            CoveragePoint(m.label, enrolled_at[i], active_at[i]) for i, m in enumerate(window)
        ]
        shown, more = _bounded(without)
        soon_shown, soon_more = _bounded(expiring)
        out.append(
            ChannelCoverage(
                channel=name,
                says=channel.says,
                child_images="consent",
                enrolled=len(now),
                active=len(now) - len(without),
                without=shown,
                without_more=more,
                expiring=soon_shown,
                expiring_more=soon_more,
                withdrawn_in_period=withdrawn,
                granted_in_period=granted,
                series=series,
            )
        )
    return out


# --- posts --------------------------------------------------------------------------------------


class ChannelPosts(msgspec.Struct, frozen=True):
    channel: str
    posters: list[str]
    child_images: str
    total: int  # posts on or before the day
    depicting: int  # of them, depicting at least one child
    flagged: int  # posts with at least one finding
    live_flagged: int  # posts with an open finding


class PostCheck(msgspec.Struct, frozen=True):
    rule: str
    checked: int | None  # posts the check applies to (None: judged later, not at posting)
    failed: int  # posts that gave a finding under this rule
    open: int  # of them, still open


class PostMonth(msgspec.Struct, frozen=True):
    month: str
    by_channel: dict[str, int]
    flagged: int


class PostsReport(msgspec.Struct, frozen=True):
    total: int
    in_period: int  # posts in the last PERIOD_MONTHS months
    channels: list[ChannelPosts]
    checks: list[PostCheck]
    months: list[PostMonth]
    recent_flagged: list[FindingRow]  # the most recent findings about posts, newest first


def posts_report(
    r: Registers, profile: Profile, episodes: Sequence[Episode], day: dt.date
) -> PostsReport:
    post_episodes = [
        e
        for e in episodes
        if e.subject.startswith("P-")
        and e.since <= day
        and e.subject in r.posts
        and e.rule in POST_RULES
    ]
    flagged = {e.subject for e in post_episodes}
    live = {e.subject for e in post_episodes if _is_open(e, day)}
    never = {n for n, c in profile.channels.items() if c.child_images == "never"}
    window = months(day, first_day(r))
    per_month: dict[str, Counter[str]] = {m.label: Counter() for m in window}
    flagged_by_month: Counter[str] = Counter()
    # One pass over the posts (there can be tens of thousands).
    totals: Counter[str] = Counter()
    depicting: Counter[str] = Counter()
    with_finding: Counter[str] = Counter()
    with_open: Counter[str] = Counter()
    total = in_period = shown_children = consent_checked = forbidden_checked = follow_ups = 0
    period_start = add_months(day, -PERIOD_MONTHS) + ONE_DAY
    for ref, p in r.posts.items():
        if p.on > day:
            continue
        total += 1
        channel = p.channel
        totals[channel] += 1
        if p.on >= period_start:
            in_period += 1
        if p.depicts:
            depicting[channel] += 1
            shown_children += 1
            if channel not in never:
                consent_checked += 1
        if channel in never:
            forbidden_checked += 1
        if p.removed is not None and p.removed <= day and p.reason in FOLLOW_UP_REASONS:
            follow_ups += 1
        is_flagged = ref in flagged
        if is_flagged:
            with_finding[channel] += 1
            if ref in live:
                with_open[channel] += 1
        counts = per_month.get(_month_of(p.on))
        if counts is not None:
            counts[channel] += 1
            if is_flagged:
                flagged_by_month[_month_of(p.on)] += 1
    channels = [
        ChannelPosts(
            channel=name,
            posters=list(channel.posters),
            child_images=channel.child_images,
            total=totals[name],
            depicting=depicting[name],
            flagged=with_finding[name],
            live_flagged=with_open[name],
        )
        for name, channel in profile.channels.items()
    ]
    applies: dict[str, int | None] = {
        "consent-missing": consent_checked,
        "child-image-forbidden": forbidden_checked,
        "unauthorised-poster": total,
        "non-setting-device": shown_children if profile.require_setting_device else 0,
        "withdrawn-consent-post-live": None,
        "removal-follow-up-overdue": follow_ups,
    }
    checks = [
        PostCheck(
            rule=rule,
            checked=applies[rule],
            failed=len({e.subject for e in post_episodes if e.rule == rule}),
            open=len({e.subject for e in post_episodes if e.rule == rule and _is_open(e, day)}),
        )
        for rule in POST_RULES
        if profile.is_on(rule)
    ]
    latest = sorted(post_episodes, key=lambda e: (e.since, e.rule, e.subject), reverse=True)
    return PostsReport(
        total=total,
        in_period=in_period,
        channels=channels,
        checks=checks,
        months=[
            PostMonth(
                m.label,
                {name: per_month[m.label][name] for name in profile.channels},
                flagged_by_month[m.label],
            )
            for m in window
        ],
        recent_flagged=[_row(e, day) for e in latest[:RECENT]],
    )


# --- removals -----------------------------------------------------------------------------------


class RemovalRow(msgspec.Struct, frozen=True):
    post: str
    channel: str
    published: dt.date
    removed: dt.date
    reason: str
    follow_up: str  # "not needed", "done in time", "done late", "overdue", "due by YYYY-MM-DD"
    contacted: dt.date | None
    referred: dt.date | None


class RemovalsReport(msgspec.Struct, frozen=True):
    total: int
    in_period: int
    by_reason: dict[str, int]
    follow_up_needed: int
    follow_up_in_time: int
    follow_up_late: int  # done, but after the limit
    follow_up_overdue: int  # not yet done, past the limit
    follow_up_pending: int  # not yet done, still within the limit
    follow_up_days: int
    takedowns_late: int  # withdrawn-consent-post-live findings (posts not taken down in time)
    takedowns_late_open: int
    months: list[tuple[str, int]]
    recent: list[RemovalRow]  # the most recent removals, newest first
    recent_follow_ups: list[RemovalRow]  # the most recent that needed a follow-up


def _follow_up(
    post_contacted: list[dt.date], post_referred: list[dt.date], deadline: dt.date, day: dt.date
) -> tuple[str, dt.date | None, dt.date | None]:
    contacted = next((d for d in post_contacted if d <= day), None)
    referred = next((d for d in post_referred if d <= day), None)
    if contacted is not None and referred is not None:
        state = "done in time" if max(contacted, referred) <= deadline else "done late"
    elif day > deadline:
        state = "overdue"
    else:
        state = f"due by {deadline.isoformat()}"
    return state, contacted, referred


def removals_report(
    r: Registers, profile: Profile, episodes: Sequence[Episode], day: dt.date
) -> RemovalsReport:
    limit = profile.follow_up_days
    needs = profile.is_on("removal-follow-up-overdue")
    removed = [(ref, p) for ref, p in r.posts.items() if p.removed is not None and p.removed <= day]
    rows: list[RemovalRow] = []
    states: Counter[str] = Counter()
    for ref, p in removed:
        assert p.removed is not None and p.reason is not None
        if needs and p.reason in FOLLOW_UP_REASONS:
            state, contacted, referred = _follow_up(
                [m.on for m in p.contacted],
                [m.on for m in p.referred],
                add_days(p.removed, limit),
                day,
            )
            states[state.split(" by ")[0]] += 1
        else:
            state, contacted, referred = "not needed", None, None
        rows.append(
            RemovalRow(ref, p.channel, p.on, p.removed, p.reason, state, contacted, referred)
        )
    rows.sort(key=lambda row: (row.removed, row.post), reverse=True)
    reasons = Counter(row.reason for row in rows)
    window = months(day, first_day(r))
    per_month = Counter(_month_of(row.removed) for row in rows)
    period_start = add_months(day, -PERIOD_MONTHS) + ONE_DAY
    late = [e for e in episodes if e.rule == "withdrawn-consent-post-live" and e.since <= day]
    return RemovalsReport(
        total=len(rows),
        in_period=sum(1 for row in rows if row.removed >= period_start),
        by_reason={reason: reasons[reason] for reason in REMOVAL_REASONS},
        follow_up_needed=sum(states.values()),
        follow_up_in_time=states["done in time"],
        follow_up_late=states["done late"],
        follow_up_overdue=states["overdue"],
        follow_up_pending=states["due"],
        follow_up_days=limit,
        takedowns_late=len(late),
        takedowns_late_open=sum(1 for e in late if _is_open(e, day)),
        months=[(m.label, per_month[m.label]) for m in window],
        recent=rows[: RECENT // 2],
        recent_follow_ups=[row for row in rows if row.follow_up != "not needed"][:RECENT],
    )


# --- the closed group -------------------------------------------------------------------------


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
        if ref.startswith("S-"):
            if status.current(r, ref, day):
                people += 1
            else:
                ineligible.append(ref)
            continue
        if any(status.enrolled(r, c, day) for c in status.children_of(r, ref, day)):
            guardians_enrolled += 1
            continue
        last = status.last_day_of_children(r, ref, day)
        if last is None:
            ineligible.append(ref)
            continue
        deadline = leaver_deadline(r, profile, last, day)
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
    shown_ineligible, more_ineligible = _bounded(ineligible)
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


# --- friendships ------------------------------------------------------------------------------


class ExceptionRow(msgspec.Struct, frozen=True):
    pair: str  # PERSON/GUARDIAN
    granted: dt.date
    since: dt.date | None  # when the relationship began, as declared


class FriendshipsReport(msgspec.Struct, frozen=True):
    mode: str  # "pre-existing", "declared" or "never"
    rule_on: bool
    active: list[ExceptionRow]  # at most LIST_LIMIT, newest first
    active_total: int
    granted_total: int
    ended_total: int
    connections: int  # connections reported on or before the day
    connections_flagged: int  # findings about connections
    open: int


def friendships_report(
    r: Registers, profile: Profile, episodes: Sequence[Episode], day: dt.date
) -> FriendshipsReport:
    active: list[ExceptionRow] = []
    granted = ended = 0
    for pair, history in r.exceptions.items():
        for mark in history:
            if mark.on <= day:
                if mark.granted:
                    granted += 1
                else:
                    ended += 1
        latest = status.latest(history, day)
        if latest is not None and latest.granted:
            active.append(ExceptionRow(pair, latest.on, latest.since))
    active.sort(key=lambda row: (row.granted, row.pair), reverse=True)
    mine = [e for e in episodes if e.rule == "connection-without-exception" and e.since <= day]
    return FriendshipsReport(
        mode=profile.friendship_exception,
        rule_on=profile.is_on("connection-without-exception"),
        active=active[:LIST_LIMIT],
        active_total=len(active),
        granted_total=granted,
        ended_total=ended,
        connections=sum(1 for c in r.connections if c.on <= day),
        connections_flagged=len(mine),
        open=sum(1 for e in mine if _is_open(e, day)),
    )


# --- concerns and disciplinary cases ------------------------------------------------------------


class ConcernsReport(msgspec.Struct, frozen=True):
    concerns: int
    by_category: dict[str, int]
    addressed_in_time: int
    addressed_late: int
    not_addressed: int  # past the limit and not yet addressed
    awaiting: int  # not yet addressed, still within the limit
    referred_to_manager: int
    response_days: int
    cases: int
    decided_in_time: int
    decided_late: int
    undecided_overdue: int
    awaiting_decision: int
    decision_days: int
    outcomes: dict[str, int]  # counts only, never which case
    months: list[tuple[str, int, int]]  # month, concerns raised, cases referred


def concerns_report(
    r: Registers, profile: Profile, episodes: Sequence[Episode], day: dt.date
) -> ConcernsReport:
    response = profile.concern_response_days
    decision = profile.decision_days
    concerns = [c for c in r.concerns.values() if c.raised <= day]
    states: Counter[str] = Counter()
    for concern in concerns:
        deadline = add_days(concern.raised, response)
        first = next((d for d in concern.addressed if d <= day), None)
        if first is not None:
            states["in time" if first <= deadline else "late"] += 1
        else:
            states["overdue" if day > deadline else "awaiting"] += 1
    cases = [c for c in r.cases.values() if c.referred <= day]
    case_states: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    for case in cases:
        deadline = add_days(case.referred, decision)
        if case.decided is not None and case.decided <= day:
            case_states["in time" if case.decided <= deadline else "late"] += 1
            if case.outcome is not None:
                outcomes[case.outcome] += 1
        else:
            case_states["overdue" if day > deadline else "awaiting"] += 1
    window = months(day, first_day(r))
    raised = Counter(_month_of(c.raised) for c in concerns)
    referred = Counter(_month_of(c.referred) for c in cases)
    categories = Counter(c.category for c in concerns)
    return ConcernsReport(
        concerns=len(concerns),
        by_category={c: categories[c] for c in CONCERN_CATEGORIES},
        addressed_in_time=states["in time"],
        addressed_late=states["late"],
        not_addressed=states["overdue"],
        awaiting=states["awaiting"],
        referred_to_manager=sum(1 for c in concerns if any(d <= day for d in c.referred)),
        response_days=response,
        cases=len(cases),
        decided_in_time=case_states["in time"],
        decided_late=case_states["late"],
        undecided_overdue=case_states["overdue"],
        awaiting_decision=case_states["awaiting"],
        decision_days=decision,
        outcomes={o: outcomes[o] for o in CASE_OUTCOMES},
        months=[(m.label, raised[m.label], referred[m.label]) for m in window],
    )


# --- the policy ---------------------------------------------------------------------------------

# Parameters in plain words: (label, unit) by field name.
PARAMETER_WORDS: Final[dict[str, tuple[str, str]]] = {
    "takedown_days": ("Posts come down within", "days of a withdrawal"),
    "follow_up_days": ("Follow-up within", "days of the removal"),
    "leaver_grace_days": ("Leavers removed within", "days of the summer holiday's start"),
    "summer_holiday_default": ("Summer holiday taken to start (when not recorded)", ""),
    "min_group_admins": ("Administrators needed", ""),
    "friendship_exception": ("Friendship exceptions", ""),
    "concern_response_days": ("Concerns taken up within", "day(s)"),
    "decision_days": ("Disciplinary decision within", "days of the referral"),
    "review_interval_months": ("Policy reviewed at least every", "months"),
    "require_setting_device": ("Photos of children only on setting devices", ""),
    "contacts_need_setting_device": ("Contact with children only on setting devices", ""),
}
EXCEPTION_WORDS: Final[dict[str, str]] = {
    "pre-existing": "only where the relationship began before the child started",
    "declared": "where staff and parent declare it to the setting",
    "never": "never granted",
}


class Parameter(msgspec.Struct, frozen=True):
    field: str
    label: str
    value: str


class ChannelText(msgspec.Struct, frozen=True):
    name: str
    says: str
    posters: list[str]
    child_images: str
    group: bool
    cite: list[str]


class RuleText(msgspec.Struct, frozen=True):
    name: str
    says: str
    parameters: list[Parameter]
    cite: list[str]


class PolicyEvent(msgspec.Struct, frozen=True):
    on: dt.date
    kind: str  # "adopted" or "reviewed"
    detail: str  # the version adopted, or the review's outcome


class PolicyReport(msgspec.Struct, frozen=True):
    title: str
    policy: str
    profile: str
    source: str
    channels: list[ChannelText]
    rules: list[RuleText]
    retention: str
    retention_years: list[tuple[str, int]]
    history: list[PolicyEvent]
    last_review: dt.date | None  # the last adoption or review on or before the day
    next_review_due: dt.date | None  # when the profile sets a review interval
    review_overdue: bool


def _value(field: str, value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field == "friendship_exception" and isinstance(value, str):
        return f"{value}: {EXCEPTION_WORDS.get(value, value)}"
    if field == "summer_holiday_default" and isinstance(value, str):
        month, day_ = (int(part) for part in value.split("-"))
        return f"{day_} {dt.date(2000, month, 1).strftime('%B')}"
    unit = PARAMETER_WORDS.get(field, ("", ""))[1]
    return f"{value} {unit}".strip()


def policy_report(
    r: Registers, profile: Profile, episodes: Sequence[Episode], day: dt.date
) -> PolicyReport:
    rules: list[RuleText] = []
    for name, rule in profile.rules.items():
        parameters = [
            Parameter(field, PARAMETER_WORDS[field][0], _value(field, getattr(rule, field)))
            for field in PARAMETER_WORDS
            if getattr(rule, field) is not None
        ]
        rules.append(RuleText(name, rule.says, parameters, list(rule.cite)))
    history = [PolicyEvent(m.on, m.kind, m.detail) for m in r.policy if m.on <= day]
    last = history[-1].on if history else None
    due = None
    if last is not None and profile.is_on("policy-review-overdue"):
        due = add_months(last, profile.review_interval_months)
    retention = profile.retention
    return PolicyReport(
        title=profile.title,
        policy=profile.policy,
        profile=profile.name,
        source=profile.source,
        channels=[
            ChannelText(n, c.says, list(c.posters), c.child_images, c.group, list(c.cite))
            for n, c in profile.channels.items()
        ],
        rules=rules,
        retention=retention.says,
        retention_years=[
            ("Children's records, years after leaving", retention.child_years_after_leaving),
            (
                "Parents' and carers' records, years after their last child left",
                retention.guardian_years_after_last_child_left,
            ),
            (
                "Staff and volunteers' records, years after leaving",
                retention.person_years_after_leaving,
            ),
        ],
        history=history,
        last_review=last,
        next_review_due=due,
        review_overdue=due is not None and day > due,
    )


def posters_in_words(posters: Sequence[str]) -> str:
    if not posters:
        return "nobody"
    return ", ".join("any group member" if p == ANY_MEMBER else p for p in posters)


# --- integrity --------------------------------------------------------------------------------


class IntegrityReport(msgspec.Struct, frozen=True):
    size: int  # facts covered by the last signed checkpoint
    root: str  # the tree's root, hex
    root_b64: str  # as the note carries it
    origin: str
    note: str  # the signed checkpoint note, as signed (C2SP)
    signed_at: dt.datetime
    checkpoints: int  # signed checkpoints so far (the last one's sequence number)
    verifier_key: str
    verified: bool  # the note's signature checks against the verifier key


def integrity_report(
    note: str, signed_at: dt.datetime, sequence: int, verifier_key: str
) -> IntegrityReport:
    """The head checkpoint as published: its size and root, read from the signed note."""
    lines = note.split("\n")
    body = "\n".join(lines[:3]) + "\n"
    try:
        verified = Verifier.from_vkey(verifier_key).open(note) is not None
    except ValueError:
        verified = False
    checkpoint = Checkpoint.from_body(body)
    return IntegrityReport(
        size=checkpoint.size,
        root=checkpoint.root.hex(),
        root_b64=base64.b64encode(checkpoint.root).decode("ascii"),
        origin=checkpoint.origin,
        note=note,
        signed_at=signed_at,
        checkpoints=sequence,
        verifier_key=verifier_key,
        verified=verified,
    )


# --- the period's key figures (the printable report) ------------------------------------------


class Figure(msgspec.Struct, frozen=True):
    label: str
    value: int | str


class PeriodReport(msgspec.Struct, frozen=True):
    start: dt.date
    end: dt.date
    figures: list[Figure]


def period_report(
    r: Registers,
    profile: Profile,
    episodes: Sequence[Episode],
    day: dt.date,
    months_back: int = PERIOD_MONTHS,
) -> PeriodReport:
    """The key figures of the last ``months_back`` months (ending on ``day``)."""
    start = add_months(day, -months_back) + ONE_DAY

    def within(d: dt.date | None) -> bool:
        return d is not None and start <= d <= day

    posts = depicting = removed = 0
    post_refs: set[str] = set()
    for ref, p in r.posts.items():
        if start <= p.on <= day:
            posts += 1
            post_refs.add(ref)
            if p.depicts:
                depicting += 1
        if p.removed is not None and start <= p.removed <= day:
            removed += 1
    flagged = {e.subject for e in episodes if e.subject in post_refs and e.since <= day}
    consent_changes: Counter[bool] = Counter(
        mark.granted for h in r.consents.values() for mark in h if start <= mark.on <= day
    )
    concerns = [c for c in r.concerns.values() if within(c.raised)]
    in_time = sum(
        1
        for c in concerns
        if any(
            d <= add_days(c.raised, profile.concern_response_days) and d <= day for d in c.addressed
        )
    )
    cases = [c for c in r.cases.values() if within(c.referred)]
    figures = [
        Figure("Findings that began", sum(1 for e in episodes if within(e.since))),
        Figure(
            "Findings resolved",
            sum(1 for e in episodes if e.since <= day and within(e.end)),
        ),
        Figure("Open findings at the end", sum(1 for e in episodes if _is_open(e, day))),
        Figure("Children enrolled at the end", len(_enrolled_on(r, day))),
        Figure("Children who started", sum(1 for c in r.children.values() if within(c.start))),
        Figure("Children who left", sum(1 for c in r.children.values() if within(c.left))),
        Figure("Posts", posts),
        Figure("Posts depicting children", depicting),
        Figure("Posts with a finding", len(flagged)),
        Figure("Posts removed", removed),
        Figure("Consent forms received", consent_changes[True]),
        Figure("Consents withdrawn", consent_changes[False]),
        Figure("Concerns raised", len(concerns)),
        Figure("Concerns taken up in time", in_time),
        Figure("Disciplinary cases referred", len(cases)),
        Figure(
            "Disciplinary decisions made",
            sum(1 for c in r.cases.values() if within(c.decided)),
        ),
    ]
    return PeriodReport(start, day, figures)


# --- what changed since the last build ----------------------------------------------------------


class BuildSummary(msgspec.Struct, frozen=True, kw_only=True):
    """What a build showed, kept beside it so the next build can say what changed."""

    format: int = 1
    audience: str
    day: dt.date
    size: int  # facts covered by the head checkpoint
    root: str
    open_by_rule: dict[str, int]
    open: list[str] = msgspec.field(default_factory=list)  # "rule subject" (committee only)
    figures: dict[str, int] = msgspec.field(default_factory=dict)


class FigureChange(msgspec.Struct, frozen=True):
    label: str
    before: int
    now: int


class Changes(msgspec.Struct, frozen=True):
    previous_day: dt.date
    previous_audience: str
    new_facts: int  # facts recorded since the previous build (tree size difference)
    by_rule: list[FigureChange]  # open findings per rule, where the count changed
    opened: list[str]  # "rule subject" open now and not then (when both builds kept keys)
    closed: list[str]  # open then, not now
    figures: list[FigureChange]  # key figures that changed
    compared_findings: bool  # whether ``opened``/``closed`` could be worked out


def summary(
    r: Registers,
    profile: Profile,
    episodes: Sequence[Episode],
    day: dt.date,
    *,
    audience: str,
    size: int,
    root: str,
) -> BuildSummary:
    open_now = [e for e in episodes if _is_open(e, day)]
    by_rule = Counter(e.rule for e in open_now)
    group = profile.group_channel
    figures = {
        "Open findings": len(open_now),
        "Children enrolled": len(_enrolled_on(r, day)),
        "People at the setting": sum(1 for p in r.persons if status.current(r, p, day)),
        "Posts": sum(1 for p in r.posts.values() if p.on <= day),
        "Posts removed": sum(
            1 for p in r.posts.values() if p.removed is not None and p.removed <= day
        ),
        "Concerns raised": sum(1 for c in r.concerns.values() if c.raised <= day),
        "Disciplinary cases": sum(1 for c in r.cases.values() if c.referred <= day),
        "Active friendship exceptions": sum(
            1
            for h in r.exceptions.values()
            if (m := status.latest(h, day)) is not None and m.granted
        ),
    }
    if group is not None:
        figures["Group members"] = sum(1 for m in r.members if status.member(r, m, day))
    return BuildSummary(
        audience=audience,
        day=day,
        size=size,
        root=root,
        open_by_rule={rule: by_rule[rule] for rule in sorted(by_rule)},
        open=sorted(f"{e.rule} {e.subject}" for e in open_now) if audience == "committee" else [],
        figures=figures,
    )


def changes(previous: BuildSummary | None, current: BuildSummary) -> Changes | None:
    """What changed between the previous build's summary and this one (None: no previous)."""
    if previous is None:
        return None
    rules = sorted(set(previous.open_by_rule) | set(current.open_by_rule))
    by_rule = [
        FigureChange(rule, previous.open_by_rule.get(rule, 0), current.open_by_rule.get(rule, 0))
        for rule in rules
        if previous.open_by_rule.get(rule, 0) != current.open_by_rule.get(rule, 0)
    ]
    compared = previous.audience == "committee" and current.audience == "committee"
    before, now = set(previous.open), set(current.open)
    figures = [
        FigureChange(label, previous.figures[label], value)
        for label, value in current.figures.items()
        if label in previous.figures and previous.figures[label] != value
    ]
    return Changes(
        previous_day=previous.day,
        previous_audience=previous.audience,
        new_facts=current.size - previous.size,
        by_rule=by_rule,
        opened=sorted(now - before) if compared else [],
        closed=sorted(before - now) if compared else [],
        figures=figures,
        compared_findings=compared,
    )


def decode_summary(data: bytes) -> BuildSummary | None:
    """A previous build's summary, or None when it is missing or unreadable."""
    try:
        return msgspec.json.decode(data, type=BuildSummary)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def encode_summary(s: BuildSummary) -> bytes:
    return msgspec.json.format(msgspec.json.encode(s), indent=2) + b"\n"
