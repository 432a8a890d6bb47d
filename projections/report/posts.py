"""Posts and removals in figures: posts by channel and month, which checks they passed, and
how removals were followed up. Which check applies to a post and when a removal's follow-up is
due are decided by the posting rules (``projections.rules.posting``); this module counts."""

from __future__ import annotations

import datetime as dt
import typing
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


class PostTally(msgspec.Struct, kw_only=True):
    """What the posts report counts over every post (as of one day, with one profile and the
    posts' findings then): a sum over the posts, so that a follower can take a changed post's
    part out and put its new part in (``tally_post``) rather than count every post again.
    Kept without zeros (a count that falls to zero is dropped), so that a tally kept so is
    equal to one counted afresh."""

    total: int = 0
    in_period: int = 0
    device_checked: int = 0
    consent_checked: int = 0
    forbidden_checked: int = 0
    follow_ups: int = 0
    purpose_checked: int = 0
    totals: dict[str, int] = msgspec.field(default_factory=dict)  # by channel
    depicting: dict[str, int] = msgspec.field(default_factory=dict)
    with_finding: dict[str, int] = msgspec.field(default_factory=dict)
    with_open: dict[str, int] = msgspec.field(default_factory=dict)
    per_month: dict[str, dict[str, int]] = msgspec.field(default_factory=dict)  # in the window
    flagged_by_month: dict[str, int] = msgspec.field(default_factory=dict)
    # For the summary and the period's figures (``summary``, ``period_report``): the posts
    # removed by the day; and in the period, those published, depicting children, with a
    # finding of any rule, and removed.
    removed: int = 0
    period_depicting: int = 0
    period_noted: int = 0
    period_removed: int = 0


class PostCounting:
    """What counting a post needs besides the post: the day, the profile's channels, the
    window of months and the posts with a finding (open or not) as of the day."""

    def __init__(
        self, profile: Profile, day: dt.date, first: dt.date | None, flags: PostFlags
    ) -> None:
        self.profile = profile
        self.day = day
        self.since = period_start(day)
        self.rules = {name: posting.ChannelRules.of(profile, name) for name in profile.channels}
        self.labels = {m.label for m in months(day, first)}
        self.flagged, self.live, self.noted = flags


# The posts with a finding under a posting rule; of them, those with one open; the posts with
# a finding of any rule (by reference: whether each is a post of the registers is not asked).
PostFlags = tuple[frozenset[str], frozenset[str], frozenset[str]]


def post_flags(episodes: Sequence[Episode], day: dt.date) -> PostFlags:
    """The posts' findings begun by ``day`` (``PostFlags``)."""
    noted = [e for e in episodes if e.subject.startswith("P-") and e.since <= day]
    flagged = [e for e in noted if e.rule in POST_RULES]
    return (
        frozenset(e.subject for e in flagged),
        frozenset(e.subject for e in flagged if is_open(e, day)),
        frozenset(e.subject for e in noted),
    )


def _add(counts: dict[str, int], key: str, sign: int) -> None:
    value = counts.get(key, 0) + sign
    if value:
        counts[key] = value
    else:
        del counts[key]


def tally_post(tally: PostTally, ref: str, p: Post, counting: PostCounting, sign: int = 1) -> None:
    """Count one post into the tally (``sign`` 1), or take it out (-1)."""
    c = counting
    if p.removed is not None and p.removed <= c.day:
        tally.removed += sign
        if p.removed >= c.since:
            tally.period_removed += sign
    if p.on > c.day:
        return
    tally.total += sign
    channel = p.channel
    _add(tally.totals, channel, sign)
    if p.on >= c.since:
        tally.in_period += sign
        if p.depicts:
            tally.period_depicting += sign
        if ref in c.noted:
            tally.period_noted += sign
    rules = c.rules[channel]
    if p.depicts:
        _add(tally.depicting, channel, sign)
        if rules.device_rule:
            tally.device_checked += sign
        if not rules.no_child_images:
            tally.consent_checked += sign
    if rules.no_child_images:
        tally.forbidden_checked += sign
    if c.profile.channels[channel].purposes:
        tally.purpose_checked += sign
    if _removed_by(p, c.day) and posting.follow_up_due(p, c.profile) is not None:
        tally.follow_ups += sign
    is_flagged = ref in c.flagged
    if is_flagged:
        _add(tally.with_finding, channel, sign)
        if ref in c.live:
            _add(tally.with_open, channel, sign)
    label = month_of(p.on)
    if label in c.labels:
        counts = tally.per_month.setdefault(label, {})
        _add(counts, channel, sign)
        if not counts:
            del tally.per_month[label]
        if is_flagged:
            _add(tally.flagged_by_month, label, sign)


def post_tally(r: Registers, counting: PostCounting) -> PostTally:
    """Every post counted (one pass over the posts: there can be tens of thousands)."""
    tally = PostTally()
    for ref, p in r.posts.items():
        tally_post(tally, ref, p, counting)
    return tally


def posts_report(
    r: Registers,
    profile: Profile,
    episodes: Sequence[Episode],
    day: dt.date,
    tally: PostTally | None = None,
) -> PostsReport:
    """The posts in figures; from the ``tally`` of every post if the caller keeps one (it
    must be that of these registers, episodes and day), else every post counted."""
    post_episodes = [
        e
        for e in episodes
        if e.subject.startswith("P-")
        and e.since <= day
        and e.subject in r.posts
        and e.rule in POST_RULES
    ]
    window = months(day, first_day(r))
    if tally is None:
        tally = post_tally(r, PostCounting(profile, day, first_day(r), post_flags(episodes, day)))
    t = tally
    channels = [
        ChannelPosts(
            channel=name,
            posters=list(channel.posters),
            child_images=channel.child_images,
            total=t.totals.get(name, 0),
            depicting=t.depicting.get(name, 0),
            flagged=t.with_finding.get(name, 0),
            live_flagged=t.with_open.get(name, 0),
        )
        for name, channel in profile.channels.items()
    ]
    applies: dict[str, int | None] = {
        "consent-missing": t.consent_checked,
        "child-image-forbidden": t.forbidden_checked,
        "unauthorised-poster": t.total,
        "non-setting-device": t.device_checked,
        "withdrawn-consent-post-live": None,
        "removal-follow-up-overdue": t.follow_ups,
        "purpose-not-allowed": t.purpose_checked,
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
        total=t.total,
        in_period=t.in_period,
        channels=channels,
        checks=checks,
        months=[
            PostMonth(
                m.label,
                {name: t.per_month.get(m.label, {}).get(name, 0) for name in profile.channels},
                t.flagged_by_month.get(m.label, 0),
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


class RemovalTally(msgspec.Struct, kw_only=True):
    """What the removals report counts over every removed post (as of one day, with one
    profile), and its two lists of the latest: kept by a follower, which takes a changed
    post's row out and puts its new one in (``tally_removals``). Without zeros, as
    ``PostTally``."""

    total: int = 0
    in_period: int = 0
    by_reason: dict[str, int] = msgspec.field(default_factory=dict)
    states: dict[str, int] = msgspec.field(default_factory=dict)  # "done in time", ..., "due"
    per_month: dict[str, int] = msgspec.field(default_factory=dict)  # in the window
    recent: list[RemovalRow] = msgspec.field(default_factory=list)  # the latest, newest first
    recent_follow_ups: list[RemovalRow] = msgspec.field(default_factory=list)  # (needing one)


RECENT_REMOVALS: Final = RECENT // 2  # the latest removals listed


def removal_row(
    r: Registers, profile: Profile, ref: str, p: Post, day: dt.date
) -> RemovalRow | None:
    """The removal of a post as of ``day`` (None: not removed by then)."""
    if not _removed_by(p, day):
        return None
    assert p.removed is not None and p.reason is not None
    needs = profile.is_on("removal-follow-up-overdue")
    deadline = posting.follow_up_due(p, profile) if needs else None
    if deadline is not None:
        state, contacted, referred = _follow_up(r, profile, p, deadline, day)
    else:
        state, contacted, referred = "not needed", None, None
    return RemovalRow(ref, p.channel, p.on, p.removed, p.reason, state, contacted, referred)


def _row_key(row: RemovalRow) -> tuple[dt.date, str]:
    return (row.removed, row.post)


def _count_row(
    t: RemovalTally, row: RemovalRow, since: dt.date, labels: set[str], sign: int
) -> None:
    t.total += sign
    if row.removed >= since:
        t.in_period += sign
    _add(t.by_reason, row.reason, sign)
    if row.follow_up != "not needed":
        _add(t.states, row.follow_up.split(" by ")[0], sign)
    label = month_of(row.removed)
    if label in labels:
        _add(t.per_month, label, sign)


def removal_tally(
    r: Registers, profile: Profile, day: dt.date, first: dt.date | None
) -> RemovalTally:
    """Every removed post counted (one pass over the posts)."""
    since, labels = period_start(day), {m.label for m in months(day, first)}
    t = RemovalTally()
    rows = []
    for ref, p in r.posts.items():
        row = removal_row(r, profile, ref, p, day)
        if row is not None:
            rows.append(row)
            _count_row(t, row, since, labels, 1)
    rows.sort(key=_row_key, reverse=True)
    t.recent = rows[:RECENT_REMOVALS]
    t.recent_follow_ups = [row for row in rows if row.follow_up != "not needed"][:RECENT]
    return t


def _listed(
    rows: list[RemovalRow], old: RemovalRow | None, new: RemovalRow | None, limit: int
) -> bool:
    """Put ``new`` in the place of ``old`` in one of the lists of the latest (newest first, at
    most ``limit``); False if that cannot be done without the rows not listed (a row listed
    that leaves its place)."""
    at = next((i for i, row in enumerate(rows) if old is not None and row.post == old.post), None)
    if at is not None:
        if new is None or _row_key(new) != _row_key(rows[at]):
            return False  # (which row would come up in its place is not known here)
        rows[at] = new
        return True
    if new is None:
        return True
    if len(rows) >= limit and _row_key(new) < _row_key(rows[-1]):
        return True  # (not among the latest)
    rows.append(new)
    rows.sort(key=_row_key, reverse=True)
    del rows[limit:]
    return True


def tally_removals(
    t: RemovalTally,
    r: Registers,
    profile: Profile,
    day: dt.date,
    first: dt.date | None,
    changed: list[tuple[str, Post | None, Post | None]],
) -> RemovalTally | None:
    """The tally after some posts changed (each: its reference, the post before, the post
    now), the rest of the registers it reads unchanged; None when it cannot be kept (a row
    listed among the latest changed its place: count every removal again)."""
    since, labels = period_start(day), {m.label for m in months(day, first)}
    t = msgspec.convert(msgspec.to_builtins(t), RemovalTally)  # a copy
    for ref, before, now in changed:
        old = removal_row(r, profile, ref, before, day) if before is not None else None
        new = removal_row(r, profile, ref, now, day) if now is not None else None
        if old is not None:
            _count_row(t, old, since, labels, -1)
        if new is not None:
            _count_row(t, new, since, labels, 1)
        needed = [row if row is not None and row.follow_up != "not needed" else None
                  for row in (old, new)]  # fmt: skip
        if not (
            _listed(t.recent, old, new, RECENT_REMOVALS)
            and _listed(t.recent_follow_ups, needed[0], needed[1], RECENT)
        ):
            return None
    return t


def removals_report(
    r: Registers,
    profile: Profile,
    episodes: Sequence[Episode],
    day: dt.date,
    tally: RemovalTally | None = None,
) -> RemovalsReport:
    """The removals in figures; from the ``tally`` of every removal if the caller keeps one
    (that of these registers and day), else every post read."""
    if tally is None:
        tally = removal_tally(r, profile, day, first_day(r))
    t = tally
    window = months(day, first_day(r))
    late = [e for e in episodes if e.rule == "withdrawn-consent-post-live" and e.since <= day]
    return RemovalsReport(
        total=t.total,
        in_period=t.in_period,
        by_reason={reason: t.by_reason.get(reason, 0) for reason in REMOVAL_REASONS},
        follow_up_needed=sum(t.states.values()),
        follow_up_in_time=t.states.get("done in time", 0),
        follow_up_late=t.states.get("done late", 0),
        follow_up_overdue=t.states.get("overdue", 0),
        follow_up_pending=t.states.get("due", 0),
        follow_up_days=profile.follow_up_days,
        takedowns_late=len(late),
        takedowns_late_open=sum(1 for e in late if is_open(e, day)),
        months=[(m.label, t.per_month.get(m.label, 0)) for m in window],
        recent=list(t.recent),
        recent_follow_ups=list(t.recent_follow_ups),
    )
