"""Staff–parent connections on social media.

- South Woodham, line 47: staff do not accept parents as friends unless they knew them before
  the child started; lines 94-96: parents do not friend staff, with the same exception, which
  stops applying once the child has left; line 73: volunteers and students, unless the
  relationship predates their role (``friendship_exception = "pre-existing"``).
- West Wycombe, line 11: staff and parents may decide together to be friends online, keeping
  it professional (``"declared"``: an exception declared to the setting).
- Stepping Stones Nursery, line 46: parents are asked not to send friend requests to staff
  (``"never"``: no exception can be granted).
Granting an exception the profile forbids is refused when recorded (``ledger.decisions``).

Only the kinds of person the policy names are judged (``friendship_kinds``: staff at West
Wycombe and Stepping Stones Nursery; staff, volunteers and students at South Woodham, lines
47, 71 and 94), and only while they serve: a connection reported on a day the person is not a
current member of the setting (before they joined or after they left) is no finding, and an
open finding ends the day after they leave (resolution ``PersonLeft``), as the policy binds
them no longer.
"""

from __future__ import annotations

import datetime as dt

from ledger.profile import Profile
from projections import status
from projections.calendar import ONE_DAY
from projections.episodes import ACKNOWLEDGED, Episode, first_open_ack
from projections.registers import Registers

RULE = "connection-without-exception"


def _remedy(r: Registers, person: str, guardian: str, since: dt.date) -> tuple[dt.date, str] | None:
    """The first day on or after ``since`` when the finding is remedied, and by what."""
    best: tuple[dt.date, str] | None = None
    for mark in r.exceptions.get(f"{person}/{guardian}", ()):
        if (
            mark.granted
            and mark.on >= since
            and status.exception_active(r, person, guardian, mark.on)
        ):
            best = (mark.on, "FriendshipExceptionGranted")
            break
    # All the guardian's children having left (the rule "no longer applies", line 96).
    for link in r.guardians.get(guardian, ()):
        child = r.children[link.child]
        if child.left is None:
            continue
        day = child.left + ONE_DAY
        if day > since and status.all_left(r, guardian, day) and (best is None or day < best[0]):
            best = (day, "ChildLeft")
    # The person having left the setting: the policy binds them no longer.
    left = r.persons[person].left if person in r.persons else None
    if left is not None and left >= since and (best is None or left + ONE_DAY < best[0]):
        best = (left + ONE_DAY, "PersonLeft")
    return best


def connection_without_exception(r: Registers, profile: Profile) -> list[Episode]:
    out: list[Episode] = []
    kinds = profile.friendship_kinds
    open_until: dict[str, dt.date | None] = {}  # pair -> end of its latest episode
    for c in r.connections:
        person = r.persons.get(c.person)
        if person is None or person.kind not in kinds or not status.current(r, c.person, c.on):
            continue  # not one the policy binds, or not serving that day
        pair = f"{c.person}/{c.guardian}"
        if pair in open_until:
            previous = open_until[pair]
            if previous is None or c.on <= previous:
                continue  # belongs to the episode already open (or resolved that day)
        enrolled = [
            k for k in status.children_of(r, c.guardian, c.on) if status.enrolled(r, k, c.on)
        ]
        if not enrolled or status.exception_active(r, c.person, c.guardian, c.on):
            continue
        remedy = _remedy(r, c.person, c.guardian, c.on)
        ack = first_open_ack(r.acks, RULE, pair, c.on)
        end: dt.date | None = None
        resolution: str | None = None
        if remedy is not None:
            end, resolution = remedy
        if ack is not None and (end is None or ack < end):
            end, resolution = ack, ACKNOWLEDGED
        open_until[pair] = end
        out.append(
            Episode(
                RULE,
                pair,
                c.on,
                f"a social-media connection between {c.person} and {c.guardian} was reported"
                f" while {', '.join(enrolled)} attended, with no friendship exception",
                end,
                resolution,
            )
        )
    return out
