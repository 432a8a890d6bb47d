"""The policy's own review (West Wycombe, line 17: policies are reviewed every year)."""

from __future__ import annotations

import datetime as dt

from ledger.profile import Profile
from projections.calendar import ONE_DAY, add_months
from projections.episodes import Episode
from projections.registers import Registers


def policy_review_overdue(r: Registers, profile: Profile) -> list[Episode]:
    months = profile.review_interval_months
    out: list[Episode] = []
    marks = r.policy  # adoptions and reviews, in business order
    for index, mark in enumerate(marks):
        deadline = review_due(profile, mark.on)
        following = marks[index + 1] if index + 1 < len(marks) else None
        if following is not None and following.on <= deadline:
            continue
        out.append(
            Episode(
                "policy-review-overdue",
                "policy",
                deadline + ONE_DAY,
                f"the policy was last {mark.kind} on {mark.on.isoformat()}; a review was due"
                f" within {months} month(s)",
                following.on if following is not None else None,
                ("PolicyReviewed" if following.kind == "reviewed" else "PolicyAdopted")
                if following is not None
                else None,
            )
        )
    return out


def review_due(profile: Profile, last: dt.date) -> dt.date:
    """The day by which the policy adopted or last reviewed on ``last`` is to be reviewed."""
    return add_months(last, profile.review_interval_months)
