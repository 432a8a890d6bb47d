"""The site's data: every number and list the transparency site shows, as of one day.

Working them out reads the whole registers and judges every rule: seconds at a million facts.
Rendering the pages from them takes milliseconds. So they are kept as a projection of their own:
``ledger follow`` saves them beside the registers, with the position and the day they are for
(and the profile they were judged against), each time it catches up with new facts and when the
day turns; a site build at the same head and day reads them instead of the registers.

After a few new facts the follower updates them (``updated``) rather than work them all out
again: kept with the numbers (``Kept``) are which sections of the registers each part read
(recorded as it reads them), the digest of the findings they used, and tallies of every post
and every removal, sums a changed post's part can be taken out of and put back into. A part
that read nothing the facts changed is kept as it is; the tallies are updated post by post;
the rest is worked out again. A property test holds the updated numbers equal to ``compute``.

Like the saved registers they are a cache: a build whose numbers are not saved (another
position, day, profile or format, or bytes that do not decode, or not bound to the ledger's
history at that position: ``ledger.caches``) works them out from the registers, and writes
nothing: ``site build`` only reads the ledger.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from typing import Any, overload

import msgspec

from ledger.profile import Profile
from projections import report
from projections.findings import Episode, all_episodes
from projections.registers import Post, Registers

FORMAT = 3  # bump whenever what is saved, or how any of it is worked out, changes
NAME = f"SiteData/{FORMAT}"  # where it is saved (``Ledger.save_view``)


class Kept(msgspec.Struct, frozen=True, kw_only=True):
    """What the numbers were worked out from, kept with them so that a follower can update
    them after a few new facts (``updated``) rather than work them all out again."""

    first: dt.date | None  # the first day of the history (``report.first_day``)
    episodes: str  # the digest of the episodes they were worked out with
    reads: dict[str, list[str]]  # each part: the sections of the registers it read
    by_episodes: list[str]  # the parts that read the episodes
    flagged: list[str]  # the posts with a finding as of the day (``report.post_flags``)
    live: list[str]  # of them, those with one open
    noted: list[str]  # the posts with a finding of any rule
    tally: report.PostTally  # every post counted (``report.post_tally``)
    removals: report.RemovalTally  # every removal counted (``report.removal_tally``)
    removal_reads: list[str]  # the sections of the registers counting them read


class SiteData(msgspec.Struct, frozen=True, kw_only=True):
    """The site's numbers for one position of the ledger, one day and one profile."""

    format: int = FORMAT
    position: int  # the last fact they include
    day: dt.date
    profile: str  # the profile's fingerprint
    setting: str | None
    overview: report.Overview
    found: report.FindingsReport
    coverage: list[report.ChannelCoverage]
    posts: report.PostsReport
    removals: report.RemovalsReport
    group: report.GroupReport
    friendships: report.FriendshipsReport
    concerns: report.ConcernsReport
    policy: report.PolicyReport
    period: report.PeriodReport
    # What the build keeps to say what changed next time: the committee's (it lists the open
    # findings); the head's size and root, and the edition, are filled in by each build.
    summary: report.BuildSummary
    kept: Kept


def fingerprint(profile: Profile) -> str:
    """Tells profiles apart: the digest of the profile's encoding."""
    return hashlib.sha256(msgspec.msgpack.encode(profile)).hexdigest()


Part = Callable[[Registers, Profile, Sequence[Episode], dt.date, report.PostTally], Any]


def _summary(
    r: Registers, profile: Profile, episodes: Sequence[Episode], day: dt.date, tally: Any
) -> Any:
    # (its size is the position, filled in after: a part that read the position would be
    # worked out again after every fact)
    return report.summary(
        r, profile, episodes, day, audience="committee", size=0, root="", tally=tally
    )


def _period(
    r: Registers, profile: Profile, episodes: Sequence[Episode], day: dt.date, tally: Any
) -> Any:
    return report.period_report(r, profile, episodes, day, tally=tally)


def _without_tally(part: Callable[[Registers, Profile, Sequence[Episode], dt.date], Any]) -> Part:
    return lambda r, profile, episodes, day, _tally: part(r, profile, episodes, day)


# Every part of the numbers but the posts' and the removals' (worked out from their tallies:
# ``_made``), by the field of ``SiteData`` it is. The period's and the summary's figures about
# posts are the tally's too (they read no post; ``_with_posts`` puts the tally's figures in).
PARTS: dict[str, Part] = {
    "overview": _without_tally(report.overview),
    "found": _without_tally(report.findings_report),
    "coverage": _without_tally(report.coverage),
    "group": _without_tally(report.group_report),
    "friendships": _without_tally(report.friendships_report),
    "concerns": _without_tally(report.concerns_report),
    "policy": _without_tally(report.policy_report),
    "period": _period,
    "summary": _summary,
}


def _with_posts(values: dict[str, Any], tally: report.PostTally) -> None:
    values["period"] = report.period_with_posts(values["period"], tally)
    values["summary"] = report.summary_with_posts(values["summary"], tally)


class _Seen:
    """The registers as one part of the numbers sees them: each section it reads is noted
    (``read``), and the first day of the history is given (``report.first_day``), worked out
    once for every part. (A section read is then held as an attribute of its own: the parts
    only read the registers, and read some sections once per child or post.)"""

    def __init__(self, registers: Registers, first: dt.date | None) -> None:
        self._registers = registers
        self.read: set[str] = set()
        setattr(self, report.FIRST_DAY_GIVEN, first)

    def __getattr__(self, name: str) -> Any:  # (only for what it does not hold yet)
        value = getattr(self._registers, name)
        self.read.add(name)
        setattr(self, name, value)
        return value


class _SeenEpisodes(Sequence[Episode]):
    """The episodes as one part sees them: whether it read them at all is noted."""

    def __init__(self, episodes: Sequence[Episode]) -> None:
        self._episodes = episodes
        self.read = False

    @overload
    def __getitem__(self, index: int) -> Episode: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Episode]: ...
    def __getitem__(self, index: int | slice) -> Episode | Sequence[Episode]:
        self.read = True
        return self._episodes[index]

    def __len__(self) -> int:
        self.read = True
        return len(self._episodes)

    def __iter__(self) -> Iterator[Episode]:
        self.read = True
        return iter(self._episodes)


def _worked_out(
    part: Part,
    r: Registers,
    profile: Profile,
    episodes: Sequence[Episode],
    day: dt.date,
    first: dt.date | None,
    tally: report.PostTally,
) -> tuple[Any, list[str], bool]:
    """A part worked out, the sections of the registers it read, and whether it read the
    episodes."""
    seen, seen_episodes = _Seen(r, first), _SeenEpisodes(episodes)
    value = part(seen, profile, seen_episodes, day, tally)  # type: ignore[arg-type]  # (duck-typed)
    return value, sorted(seen.read), seen_episodes.read


def _removal_tally(
    r: Registers, profile: Profile, day: dt.date, first: dt.date | None
) -> tuple[report.RemovalTally, list[str]]:
    """Every removal counted, and the sections of the registers that read."""
    seen = _Seen(r, first)
    tally = report.removal_tally(seen, profile, day, first)  # type: ignore[arg-type]
    return tally, sorted(seen.read)


def _digest(episodes: Sequence[Episode]) -> str:
    return hashlib.sha256(msgspec.msgpack.encode(list(episodes))).hexdigest()


def _sorted(tally: report.PostTally) -> report.PostTally:
    """The tally with its counts in the order of their keys: kept, it gives the same bytes as
    counted afresh (the keys come in another order when counts are taken out and put in)."""
    return msgspec.structs.replace(
        tally,
        totals=dict(sorted(tally.totals.items())),
        depicting=dict(sorted(tally.depicting.items())),
        with_finding=dict(sorted(tally.with_finding.items())),
        with_open=dict(sorted(tally.with_open.items())),
        per_month={
            label: dict(sorted(counts.items())) for label, counts in sorted(tally.per_month.items())
        },
        flagged_by_month=dict(sorted(tally.flagged_by_month.items())),
    )


def _made(
    r: Registers,
    profile: Profile,
    episodes: Sequence[Episode],
    day: dt.date,
    first: dt.date | None,
    flags: report.PostFlags,
    tally: report.PostTally,
    removals: tuple[report.RemovalTally, list[str]],
    values: dict[str, Any],
    reads: dict[str, list[str]],
    by_episodes: list[str],
) -> SiteData:
    _with_posts(values, tally)
    summary = msgspec.structs.replace(values["summary"], size=r.position)
    kept = Kept(
        first=first,
        episodes=_digest(episodes),
        reads=reads,
        by_episodes=sorted(by_episodes),
        flagged=sorted(flags[0]),
        live=sorted(flags[1]),
        noted=sorted(flags[2]),
        tally=_sorted(tally),
        removals=msgspec.structs.replace(
            removals[0],
            by_reason=dict(sorted(removals[0].by_reason.items())),
            states=dict(sorted(removals[0].states.items())),
            per_month=dict(sorted(removals[0].per_month.items())),
        ),
        removal_reads=removals[1],
    )
    seen = typing.cast(Registers, _Seen(r, first))
    return SiteData(
        position=r.position,
        day=day,
        profile=fingerprint(profile),
        setting=r.setting,
        posts=report.posts_report(seen, profile, episodes, day, tally),
        removals=report.removals_report(seen, profile, episodes, day, removals[0]),
        **{name: value for name, value in values.items() if name != "summary"},
        summary=summary,
        kept=kept,
    )


def compute(
    registers: Registers, profile: Profile, day: dt.date, episodes: list[Episode] | None = None
) -> SiteData:
    """The site's numbers from the registers (all the facts up to their position); their
    ``episodes`` (``all_episodes``) if the caller has them already."""
    r = registers
    if episodes is None:
        episodes = all_episodes(r, profile)
    first = report.first_day(r)
    flags = report.post_flags(episodes, day)
    tally = report.post_tally(r, report.PostCounting(profile, day, first, flags))
    values: dict[str, Any] = {}
    reads: dict[str, list[str]] = {}
    by_episodes: list[str] = []
    for name, part in PARTS.items():
        values[name], reads[name], read_episodes = _worked_out(
            part, r, profile, episodes, day, first, tally
        )
        if read_episodes:
            by_episodes.append(name)
    removals = _removal_tally(r, profile, day, first)
    return _made(
        r, profile, episodes, day, first, flags, tally, removals, values, reads, by_episodes
    )


def updated(
    old: SiteData,
    registers: Registers,
    profile: Profile,
    episodes: list[Episode],
    written: Set[str],
    posts_before: Mapping[str, Post | None],
) -> SiteData:
    """The numbers after some facts, from ``old``, those of the registers just before them
    (the same day and profile: ``is_for``), and what the facts changed: the sections of the
    registers they wrote (``registers.writes``) and each post they changed as it was before
    them (None: not published then). ``registers`` and ``episodes`` are those after the facts.

    Equal to ``compute`` (a property test holds it), reading only what the facts changed: a
    part that read no section the facts wrote (nor the episodes, if they changed) is kept; the
    posts' tally has each changed post's part (or its finding's) taken out and its new part put
    in; the other parts are worked out again. If the first day of the history moved (the
    window of months with it), everything is worked out again.
    """
    r, day = registers, old.day
    first = old.kept.first
    written = {*written, "position"}  # (every fact moves it)
    moved = [
        ref
        for ref, before in posts_before.items()
        if ref not in r.posts or (before is not None and before.on != r.posts[ref].on)
    ]
    if written & {"policy", "children", "persons"} or moved:
        first = report.first_day(r)
    else:
        for ref in posts_before:
            on = r.posts[ref].on
            first = on if first is None or on < first else first
    if first != old.kept.first:
        return compute(r, profile, day, episodes)
    flags = report.post_flags(episodes, day)
    was = old.kept
    before_flags = (frozenset(was.flagged), frozenset(was.live), frozenset(was.noted))
    counting = report.PostCounting(profile, day, first, flags)
    counted_before = report.PostCounting(profile, day, first, before_flags)
    tally = msgspec.convert(msgspec.to_builtins(old.kept.tally), report.PostTally)  # a copy
    refs = set(posts_before).union(
        *(now ^ then for now, then in zip(flags, before_flags, strict=True))
    )
    for ref in sorted(refs):
        before = posts_before[ref] if ref in posts_before else r.posts.get(ref)
        if before is not None:
            report.tally_post(tally, ref, before, counted_before, -1)
        now = r.posts.get(ref)
        if now is not None:
            report.tally_post(tally, ref, now, counting)
    removals: tuple[report.RemovalTally, list[str]] | None = None
    if written.isdisjoint(set(was.removal_reads) - {"posts"}):  # only posts changed, if any
        changed = [(ref, before, r.posts.get(ref)) for ref, before in sorted(posts_before.items())]
        seen = _Seen(r, first)  # (what the changed posts' rows read is read by the tally now)
        kept_removals = report.tally_removals(
            was.removals, typing.cast(Registers, seen), profile, day, first, changed
        )
        if kept_removals is not None:
            removals = (kept_removals, sorted(seen.read.union(was.removal_reads)))
    if removals is None:
        removals = _removal_tally(r, profile, day, first)
    episodes_moved = _digest(episodes) != old.kept.episodes
    values: dict[str, Any] = {}
    reads: dict[str, list[str]] = {}
    by_episodes: list[str] = []
    for name, part in PARTS.items():
        read_before = old.kept.reads.get(name)
        kept = (
            read_before is not None
            and written.isdisjoint(read_before)
            and not (episodes_moved and name in old.kept.by_episodes)
        )
        if kept and read_before is not None:
            values[name], reads[name] = getattr(old, name), read_before
            read_episodes = name in old.kept.by_episodes
        else:
            values[name], reads[name], read_episodes = _worked_out(
                part, r, profile, episodes, day, first, tally
            )
        if read_episodes:
            by_episodes.append(name)
    return _made(
        r, profile, episodes, day, first, flags, tally, removals, values, reads, by_episodes
    )


def is_for(data: SiteData, position: int, day: dt.date, profile: Profile) -> bool:
    """Whether saved data answer for this position, day and profile."""
    return (
        data.format == FORMAT
        and data.position == position
        and data.day == day
        and data.profile == fingerprint(profile)
    )


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(SiteData)


def to_bytes(data: SiteData) -> bytes:
    return _encoder.encode(data)


def from_bytes(state: bytes) -> SiteData | None:
    """Saved data, or None when they do not decode (another format: work them out again)."""
    try:
        return _decoder.decode(state)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
