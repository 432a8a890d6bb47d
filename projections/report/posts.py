"""Posts and removals in figures: posts by channel and month, which checks they passed, and
how removals were followed up. Which check applies to a post and when a removal's follow-up is
due are decided by the posting rules (``projections.rules.posting``); this module counts."""

from __future__ import annotations

import datetime as dt
import typing
from collections import Counter
from collections.abc import Sequence
from typing import Final

import msgspec

from ledger.events import RemovalReason
from ledger.profile import Profile
from projections.findings import Episode
from projections.registers import Post, Registers
from projections.report.common import (
    RECENT,
    FindingRow,
    finding_row,
    first_day,
    is_open,
    month_of,
    months,
    period_start,
)
from projections.rules import posting

POST_RULES: Final = (
    "consent-missing",
    "child-image-forbidden",
    "unauthorised-poster",
    "non-setting-device",
    "withdrawn-consent-post-live",
    "removal-follow-up-overdue",
    "purpose-not-allowed",
    "flagged-post-not-removed",
)
FOLLOW_UP_REASONS: Final = posting.FOLLOW_UP_REASONS
REMOVAL_REASONS: Final[tuple[str, ...]] = typing.get_args(RemovalReason)


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
    live = {e.subject for e in post_episodes if is_open(e, day)}
    # What the posting rules ask of each channel (the checks that apply to its posts).
    rules = {name: posting.ChannelRules.of(profile, name) for name in profile.channels}
    window = months(day, first_day(r))
    per_month: dict[str, Counter[str]] = {m.label: Counter() for m in window}
    flagged_by_month: Counter[str] = Counter()
    # One pass over the posts (there can be tens of thousands).
    totals: Counter[str] = Counter()
    depicting: Counter[str] = Counter()
    with_finding: Counter[str] = Counter()
    with_open: Counter[str] = Counter()
    total = in_period = device_checked = consent_checked = forbidden_checked = follow_ups = 0
    purpose_checked = 0
    since = period_start(day)
    for ref, p in r.posts.items():
        if p.on > day:
            continue
        total += 1
        channel = p.channel
        totals[channel] += 1
        if p.on >= since:
            in_period += 1
        no_child_images = rules[channel].no_child_images
        if p.depicts:
            depicting[channel] += 1
            if rules[channel].device_rule:
                device_checked += 1
            if not no_child_images:
                consent_checked += 1
        if no_child_images:
            forbidden_checked += 1
        if profile.channels[channel].purposes:
            purpose_checked += 1
        if _removed_by(p, day) and posting.follow_up_due(p, profile) is not None:
            follow_ups += 1
        is_flagged = ref in flagged
        if is_flagged:
            with_finding[channel] += 1
            if ref in live:
                with_open[channel] += 1
        counts = per_month.get(month_of(p.on))
        if counts is not None:
            counts[channel] += 1
            if is_flagged:
                flagged_by_month[month_of(p.on)] += 1
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
        "non-setting-device": device_checked,
        "withdrawn-consent-post-live": None,
        "removal-follow-up-overdue": follow_ups,
        "purpose-not-allowed": purpose_checked,
        "flagged-post-not-removed": None,  # as for takedowns: the posts a concern named
    }
    checks = [
        PostCheck(
            rule=rule,
            checked=applies[rule],
            failed=len({e.subject for e in post_episodes if e.rule == rule}),
            open=len({e.subject for e in post_episodes if e.rule == rule and is_open(e, day)}),
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
        recent_flagged=[finding_row(e, day) for e in latest[:RECENT]],
    )


def _removed_by(post: Post, day: dt.date) -> bool:
    return post.removed is not None and post.removed <= day


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
    r: Registers, profile: Profile, post: Post, deadline: dt.date, day: dt.date
) -> tuple[str, dt.date | None, dt.date | None]:
    """The state of a removal's follow-up on ``day`` (whether it was in time is the rule's
    answer, ``posting.follow_up_complete``), and the days of its two steps, if taken by then
    (a contact only if it counts: by a moderator, where the channel names them)."""
    counted = posting.contacts_counted(r, profile, post)
    contacted = next((m.on for m in counted if m.on <= day), None)
    referred = next((m.on for m in post.referred if m.on <= day), None)
    if contacted is not None and referred is not None:
        in_time = posting.follow_up_complete(r, profile, post, deadline)
        state = "done in time" if in_time else "done late"
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
    removed = [(ref, p) for ref, p in r.posts.items() if _removed_by(p, day)]
    rows: list[RemovalRow] = []
    states: Counter[str] = Counter()
    for ref, p in removed:
        assert p.removed is not None and p.reason is not None
        deadline = posting.follow_up_due(p, profile) if needs else None
        if deadline is not None:
            state, contacted, referred = _follow_up(r, profile, p, deadline, day)
            states[state.split(" by ")[0]] += 1
        else:
            state, contacted, referred = "not needed", None, None
        rows.append(
            RemovalRow(ref, p.channel, p.on, p.removed, p.reason, state, contacted, referred)
        )
    rows.sort(key=lambda row: (row.removed, row.post), reverse=True)
    reasons = Counter(row.reason for row in rows)
    window = months(day, first_day(r))
    per_month = Counter(month_of(row.removed) for row in rows)
    since = period_start(day)
    late = [e for e in episodes if e.rule == "withdrawn-consent-post-live" and e.since <= day]
    return RemovalsReport(
        total=len(rows),
        in_period=sum(1 for row in rows if row.removed >= since),
        by_reason={reason: reasons[reason] for reason in REMOVAL_REASONS},
        follow_up_needed=sum(states.values()),
        follow_up_in_time=states["done in time"],
        follow_up_late=states["done late"],
        follow_up_overdue=states["overdue"],
        follow_up_pending=states["due"],
        follow_up_days=limit,
        takedowns_late=len(late),
        takedowns_late_open=sum(1 for e in late if is_open(e, day)),
        months=[(m.label, per_month[m.label]) for m in window],
        recent=rows[: RECENT // 2],
        recent_follow_ups=[row for row in rows if row.follow_up != "not needed"][:RECENT],
    )
