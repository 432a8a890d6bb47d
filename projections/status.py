"""What was the case at the end of a given day, read from the registers.

Every question here looks only at facts dated on or before the day, and takes facts of the
same day in record order (histories are kept sorted by day, then position).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from operator import attrgetter
from typing import Protocol, TypeVar

from projections.calendar import ONE_DAY
from projections.registers import ConsentMark, Device, ExceptionMark, Mark, Registers, key


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


def consent_expiry(r: Registers, child: str, channel: str, day: dt.date) -> dt.date | None:
    """The last day of the consent in force on ``day`` (``consent_active``), if it has one;
    None when no consent is in force or the one in force has no end date."""
    mark: ConsentMark | None = latest(r.consents.get(key(child, channel), []), day)
    if mark is None or not mark.granted or mark.expires is None or day > mark.expires:
        return None
    return mark.expires


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
    """The children linked to a guardian on or before ``day`` who had started by then: a link
    recorded ahead of a child's first day names no child of the setting yet (as of that day, only
    facts dated by then count, and the enrolment is not among them)."""
    return [
        link.child
        for link in r.guardians.get(guardian, [])
        if link.on <= day and r.children[link.child].start <= day
    ]


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


def exception_in_force(history: list[ExceptionMark], day: dt.date) -> ExceptionMark | None:
    """The grant in force on ``day`` in one pair's friendship-exception history (its latest
    fact on or before the day, when that is a grant), as ``exception_active`` judges it."""
    mark = latest(history, day)
    return mark if mark is not None and mark.granted else None


def may_post(r: Registers, posters: list[str], author: str, day: dt.date) -> bool:
    """Whether the author held one of the channel's posting roles on that day."""
    for poster in posters:
        if poster == "any-member":
            if member(r, author, day):
                return True
        elif author.startswith("S-") and holds_role(r, author, poster, day):
            return True
    return False


# --- turns: a history's answers for every day at once, for judging many facts ----------------
#
# A history's answer ("is consent active?", "is this a member?") changes only on some days, its
# turns. Listing them once, in order, answers any day with one bisection of dates instead of a
# search through the history's facts (``active_in``). Each ``*_turns`` gives exactly the answers
# of the question it names, for every day; judging every post of a ledger asks a million such
# questions.


def active_in(turns: list[dt.date], day: dt.date) -> bool:
    """Whether an odd number of ``turns`` fall on or before ``day``.

    Turns alternate: a day the answer becomes yes, the day it becomes no again, and so on; an
    odd number of them means it ends on a yes.
    """
    return bisect_right(turns, day) % 2 == 1


def runs_of(turns: list[dt.date]) -> list[tuple[dt.date, dt.date | None]]:
    """The turns as (first day, first day after) runs, like ``findings.runs``."""
    starts = turns[::2]
    ends: list[dt.date | None] = [*turns[1::2], None]  # the last run may go on for good
    return list(zip(starts, ends[: len(starts)], strict=True))


def _add_run(turns: list[dt.date], start: dt.date, until: dt.date | None) -> None:
    """Add the run of days from ``start`` to before ``until`` (None: for good), joined to the
    run before it if that ends the day it starts."""
    if turns and turns[-1] == start:
        turns.pop()
    else:
        turns.append(start)
    if until is not None:
        turns.append(until)


def _deciding(history: list[T]) -> list[tuple[T, dt.date | None]]:
    """The facts that decide some day's answer (the last of each day), each with the first day
    it no longer decides (the next fact's day; None for the last)."""
    out: list[tuple[T, dt.date | None]] = []
    for index, fact in enumerate(history):
        following = history[index + 1].on if index + 1 < len(history) else None
        if following != fact.on:
            out.append((fact, following))
    return out


def consent_turns(history: list[ConsentMark]) -> list[dt.date]:
    """The turns of ``consent_active`` for one child and channel, from its history."""
    turns: list[dt.date] = []
    for mark, until in _deciding(history):
        if not mark.granted:
            continue
        expires = mark.expires
        if expires is not None and expires < dt.date.max and (until is None or expires < until):
            until = expires + ONE_DAY  # active up to and including its expiry
        if until is not None and until <= mark.on:
            continue  # expired before it was granted: never active
        _add_run(turns, mark.on, until)
    return turns


def opened_turns(history: list[Mark]) -> list[dt.date]:
    """The turns of ``member`` for one member, from their history (and of any history whose
    latest mark decides, opening or closing)."""
    turns: list[dt.date] = []
    for mark, until in _deciding(history):
        if mark.opens:
            _add_run(turns, mark.on, until)
    return turns


def service_turns(device: Device) -> list[dt.date]:
    """The turns of ``in_service`` for one device."""
    if device.retired is None:
        return [device.registered]
    if device.retired <= device.registered:
        return []  # retired the day it was registered (or before): never in service
    return [device.registered, device.retired]
