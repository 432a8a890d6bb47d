"""What was the case at the end of a given day, read from the registers.

Every question here looks only at facts dated on or before the day, and takes facts of the
same day in record order (histories are kept sorted by day, then position).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from operator import attrgetter
from typing import Protocol, TypeVar

from projections.registers import ConsentMark, Registers, key


class _Dated(Protocol):
    @property
    def on(self) -> dt.date: ...


T = TypeVar("T", bound=_Dated)
_on = attrgetter("on")


def latest(history: list[T], day: dt.date) -> T | None:
    """The last fact of a history dated on or before ``day``."""
    index = bisect_right(history, day, key=_on) - 1
    return history[index] if index >= 0 else None


def consent_active(r: Registers, child: str, channel: str, day: dt.date) -> bool:
    mark: ConsentMark | None = latest(r.consents.get(key(child, channel), []), day)
    return mark is not None and mark.granted and (mark.expires is None or day <= mark.expires)


def enrolled(r: Registers, child: str, day: dt.date) -> bool:
    c = r.children.get(child)
    return c is not None and c.start <= day and (c.left is None or day <= c.left)


def current(r: Registers, person: str, day: dt.date) -> bool:
    p = r.persons.get(person)
    return p is not None and p.joined <= day and (p.left is None or day <= p.left)


def holds_role(r: Registers, person: str, role: str, day: dt.date) -> bool:
    mark = latest(r.roles.get(key(person, role), []), day)
    return mark is not None and mark.opens and current(r, person, day)


def in_service(r: Registers, device: str | None, day: dt.date) -> bool:
    d = r.devices.get(device) if device is not None else None
    return d is not None and d.registered <= day and (d.retired is None or day < d.retired)


def member(r: Registers, ref: str, day: dt.date) -> bool:
    mark = latest(r.members.get(ref, []), day)
    return mark is not None and mark.opens


def children_of(r: Registers, guardian: str, day: dt.date) -> list[str]:
    """The children linked to a guardian on or before ``day``."""
    return [link.child for link in r.guardians.get(guardian, []) if link.on <= day]


def all_left(r: Registers, guardian: str, day: dt.date) -> bool:
    """Every child of the guardian has had their last day before ``day``."""
    kids = children_of(r, guardian, day)
    if not kids:
        return False
    for child in kids:
        left = r.children[child].left
        if left is None or not left < day:
            return False
    return True


def last_day_of_children(r: Registers, guardian: str, day: dt.date) -> dt.date | None:
    """The last day of the last of the guardian's children to leave, once all have left."""
    if not all_left(r, guardian, day):
        return None
    return max(r.children[c].left for c in children_of(r, guardian, day))  # type: ignore[type-var]


def exception_active(r: Registers, person: str, guardian: str, day: dt.date) -> bool:
    mark = latest(r.exceptions.get(f"{person}/{guardian}", []), day)
    return mark is not None and mark.granted


def may_post(r: Registers, posters: list[str], author: str, day: dt.date) -> bool:
    """Whether the author held one of the channel's posting roles on that day."""
    for poster in posters:
        if poster == "any-member":
            if member(r, author, day):
                return True
        elif author.startswith("S-") and holds_role(r, author, poster, day):
            return True
    return False
