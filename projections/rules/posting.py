"""Rules about posts: consent, images, who may post, which device, takedowns, follow-ups.

Seed lines (in ``../shared/seeds``):
- Stepping Stones Nursery, line 17: prior written permission from parents before any image of a
  child is posted; line 18: only the designated person or management post on the page.
- South Woodham, line 124: parents give permission before photos are used; line 56: staff
  never put images of children on social media themselves; line 74: photos only on the
  pre-school's tablets; lines 128-130: negative or inappropriate content removed, the poster
  contacted and the issue passed to the manager.
- West Wycombe, line 9: no photos of pupils uploaded; line 12: who manages the page.
"""

from __future__ import annotations

import datetime as dt

from ledger.profile import Profile
from projections import status
from projections.calendar import add_days
from projections.findings import Episode
from projections.registers import Post, Registers, key

REMOVED = "PostRemoved"


def post_problems(
    r: Registers,
    profile: Profile,
    *,
    channel: str,
    author: str,
    depicts: list[str],
    device: str | None,
    day: dt.date,
) -> list[tuple[str, str]]:
    """What is wrong with this post on that day: (rule, detail) pairs, empty if nothing.

    Used both to judge recorded posts and by ``ledger check post`` before anything is posted,
    so the answer to "may I post this?" is exactly what recording it would find.
    """
    problems: list[tuple[str, str]] = []
    chan = profile.channels[channel]
    if depicts and chan.child_images == "never":
        if profile.is_on("child-image-forbidden"):
            problems.append(
                (
                    "child-image-forbidden",
                    f"{channel} never allows images of children; the post depicts"
                    f" {len(depicts)} child(ren): {', '.join(depicts)}",
                )
            )
    elif depicts and profile.is_on("consent-missing"):
        missing = [c for c in depicts if not status.consent_active(r, c, channel, day)]
        if missing:
            problems.append(
                (
                    "consent-missing",
                    f"no active consent for {channel} on {day.isoformat()} for"
                    f" {', '.join(missing)}",
                )
            )
    if profile.is_on("unauthorised-poster") and not status.may_post(
        r, list(chan.posters), author, day
    ):
        allowed = ", ".join(chan.posters) if chan.posters else "nobody"
        problems.append(
            (
                "unauthorised-poster",
                f"{author} held none of the posting roles for {channel} ({allowed})"
                f" on {day.isoformat()}",
            )
        )
    if (
        depicts
        and profile.is_on("non-setting-device")
        and profile.require_setting_device
        and not status.in_service(r, device, day)
    ):
        why = "names no device" if device is None else "was not taken on a setting device"
        problems.append(("non-setting-device", f"a post depicting children {why}"))
    return problems


def published_posts(r: Registers, profile: Profile) -> list[Episode]:
    """consent-missing, child-image-forbidden, unauthorised-poster and non-setting-device (for
    posts): each begins on the post's day and is resolved by its removal."""
    out: list[Episode] = []
    for ref, post in r.posts.items():
        for rule, detail in post_problems(
            r,
            profile,
            channel=post.channel,
            author=post.author,
            depicts=post.depicts,
            device=post.device,
            day=post.on,
        ):
            resolution = REMOVED if post.removed is not None else None
            out.append(Episode(rule, ref, post.on, detail, post.removed, resolution))
    return out


def withdrawn_consent_post_live(r: Registers, profile: Profile) -> list[Episode]:
    """A post still up past the takedown limit after consent for a child in it was withdrawn."""
    limit = profile.takedown_days
    # The earliest withdrawal per (child, channel) day list, to test posts against.
    withdrawals: dict[str, list[dt.date]] = {}
    for k, history in r.consents.items():
        days = [m.on for m in history if not m.granted]
        if days:
            withdrawals[k] = days
    out: list[Episode] = []
    for ref, post in r.posts.items():
        first: tuple[dt.date, str] | None = None
        for child in post.depicts:
            for w in withdrawals.get(key(child, post.channel), ()):
                if w > post.on and (post.removed is None or post.removed > w):
                    if first is None or w < first[0]:
                        first = (w, child)
                    break
        if first is None:
            continue
        withdrawn, child = first
        deadline = add_days(withdrawn, limit)
        if post.removed is not None and post.removed <= deadline:
            continue
        out.append(
            Episode(
                "withdrawn-consent-post-live",
                ref,
                add_days(deadline, 1),
                f"consent for {child} on {post.channel} was withdrawn on {withdrawn.isoformat()};"
                f" the post was not taken down within {limit} day(s)",
                post.removed,
                REMOVED if post.removed else None,
            )
        )
    return out


def _follow_up_complete(post: Post, by: dt.date) -> bool:
    return any(m.on <= by for m in post.contacted) and any(m.on <= by for m in post.referred)


def removal_follow_up_overdue(r: Registers, profile: Profile) -> list[Episode]:
    """A removal of negative or inappropriate content not followed up in time (South Woodham,
    line 128: the poster contacted by an administrator and the issue passed to the manager)."""
    limit = profile.follow_up_days
    out: list[Episode] = []
    for ref, post in r.posts.items():
        if post.removed is None or post.reason not in ("negative-discussion", "inappropriate"):
            continue
        deadline = add_days(post.removed, limit)
        if _follow_up_complete(post, deadline):
            continue
        end = None
        resolution = None
        if post.contacted and post.referred:
            # The later of the two (by day, then by the order they were recorded) resolves it.
            contacted, referred = post.contacted[0], post.referred[0]
            later = max(contacted, referred)
            end = later.on
            resolution = "PosterContacted" if later is contacted else "ReferredToManager"
        steps = (("contact with the poster", post.contacted), ("referral", post.referred))
        missing = [what for what, marks in steps if not any(m.on <= deadline for m in marks)]
        out.append(
            Episode(
                "removal-follow-up-overdue",
                ref,
                add_days(deadline, 1),
                f"removed on {post.removed.isoformat()} ({post.reason}); within {limit} day(s)"
                f" there was no {' and no '.join(missing)}",
                end,
                resolution,
            )
        )
    return out
