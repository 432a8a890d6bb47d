"""The site's data: every number and list the transparency site shows, as of one day.

Working them out reads the whole registers and judges every rule: seconds at a million facts.
Rendering the pages from them takes milliseconds. So they are kept as a projection of their own:
``ledger follow`` saves them beside the registers, with the position and the day they are for
(and the profile they were judged against), each time it catches up with new facts and when the
day turns; a site build at the same head and day reads them instead of the registers. Like the
saved registers they are a cache: a build whose numbers are not saved (another position, day,
profile or format, or bytes that do not decode, or not bound to the ledger's history at that
position: ``ledger.caches``) works them out from the registers, and writes nothing: ``site
build`` only reads the ledger.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import msgspec

from ledger.profile import Profile
from projections import report
from projections.findings import Episode, all_episodes
from projections.registers import Registers

FORMAT = 2  # bump whenever what is saved, or how any of it is worked out, changes
NAME = f"SiteData/{FORMAT}"  # where it is saved (``Ledger.save_view``)


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


def fingerprint(profile: Profile) -> str:
    """Tells profiles apart: the digest of the profile's encoding."""
    return hashlib.sha256(msgspec.msgpack.encode(profile)).hexdigest()


def compute(
    registers: Registers, profile: Profile, day: dt.date, episodes: list[Episode] | None = None
) -> SiteData:
    """The site's numbers from the registers (all the facts up to their position); their
    ``episodes`` (``all_episodes``) if the caller has them already."""
    r = registers
    if episodes is None:
        episodes = all_episodes(r, profile)
    return SiteData(
        position=r.position,
        day=day,
        profile=fingerprint(profile),
        setting=r.setting,
        overview=report.overview(r, profile, episodes, day),
        found=report.findings_report(r, profile, episodes, day),
        coverage=report.coverage(r, profile, episodes, day),
        posts=report.posts_report(r, profile, episodes, day),
        removals=report.removals_report(r, profile, episodes, day),
        group=report.group_report(r, profile, episodes, day),
        friendships=report.friendships_report(r, profile, episodes, day),
        concerns=report.concerns_report(r, profile, episodes, day),
        policy=report.policy_report(r, profile, episodes, day),
        period=report.period_report(r, profile, episodes, day),
        summary=report.summary(
            r, profile, episodes, day, audience="committee", size=r.position, root=""
        ),
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
