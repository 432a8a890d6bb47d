"""A post flagged in a concern and not taken down (South Woodham, line 128: "Any negative
discussions about pre-school and/or its staff should be removed"; line 130: "anything deemed
inappropriate is removed").

A concern of category ``critical-discussion`` or ``inappropriate-comment`` that names a post
(``ConcernRaised.post``) on the group's channel asks for the post to come down within
``removal_days`` of the day the concern was raised. A post flagged more than once has one
finding, from the first deadline it missed; its removal resolves it.
"""

from __future__ import annotations

import datetime as dt

from ledger.profile import Profile
from projections import wording
from projections.calendar import add_days
from projections.episodes import Episode
from projections.registers import Concern, Registers

RULE = "flagged-post-not-removed"
FLAGGING = ("critical-discussion", "inappropriate-comment")  # concerns that ask for a removal


def flags(r: Registers, profile: Profile, concern: Concern) -> bool:
    """Whether a concern asks for its post to come down: of a flagging category, naming a post
    on a channel that is the group."""
    if concern.category not in FLAGGING or concern.post is None:
        return False
    post = r.posts.get(concern.post)
    if post is None:
        return False
    channel = profile.channels.get(post.channel)
    return channel is not None and channel.group


def removal_due(profile: Profile, raised: dt.date) -> dt.date:
    """The last day to take down a post flagged in a concern raised on ``raised``."""
    return add_days(raised, profile.removal_days)


def flagged_post_not_removed(r: Registers, profile: Profile) -> list[Episode]:
    first: dict[str, Concern] = {}  # post -> the earliest concern flagging it
    for concern in r.concerns.values():
        if flags(r, profile, concern):
            assert concern.post is not None
            earlier = first.get(concern.post)
            if earlier is None or concern.raised < earlier.raised:
                first[concern.post] = concern
    out: list[Episode] = []
    for ref, concern in first.items():
        post = r.posts[ref]
        deadline = removal_due(profile, concern.raised)
        if post.removed is not None and post.removed <= deadline:
            continue
        out.append(
            Episode(
                RULE,
                ref,
                add_days(deadline, 1),
                f"a {concern.category} concern raised on {concern.raised.isoformat()} named"
                f" this post on the {post.channel}; it was not removed within"
                f" {wording.count(profile.removal_days, 'day')}",
                post.removed,
                "PostRemoved" if post.removed is not None else None,
            )
        )
    return out
