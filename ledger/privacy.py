"""UK GDPR: what the ledger holds about a person (article 15), and who is due to be forgotten.

Forgetting (article 17) is ``Ledger.forget``-by-command in ``ledger.cli``: it records
``SubjectForgotten`` and destroys the person's key, so every sealed field of theirs reads
``[forgotten]`` from then on while the facts, the tree and the findings stay as they were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import msgspec

from ledger import events as ev
from ledger.mapper import Recorded
from ledger.profile import Profile
from projections import status
from projections.registers import Registers


def mentions(event: ev.Event, ref: str) -> bool:
    """Whether a fact names a reference in any of its fields."""
    for value in msgspec.structs.astuple(event):
        if value == ref or (isinstance(value, list) and ref in value):
            return True
    return event.subject == ref or ref in event.subject.split("/")


class Held(msgspec.Struct):
    subject: str
    forgotten: bool
    facts: list[dict[str, Any]]


def subject_access(ref: str, recorded: Iterable[Recorded], registers: Registers) -> Held:
    facts = []
    for r in recorded:
        if mentions(r.event, ref):
            line = ev.to_builtins(r.event)
            line["position"] = r.position
            line["recorded_at"] = r.recorded_at.isoformat()
            facts.append(line)
    return Held(ref, ref in registers.forgotten, facts)


def describe(line: dict[str, Any]) -> str:
    """A fact in words, for the printed copy of a subject access request."""
    kind = line["type"]
    rest = ", ".join(
        f"{k.replace('_', ' ')} {v if not isinstance(v, list) else ', '.join(v) or 'none'}"
        for k, v in line.items()
        if k not in ("type", "on", "position", "recorded_at")
    )
    return f"{line['on']}  {kind}: {rest}  (recorded {line['recorded_at'][:10]})"


class Due(msgspec.Struct):
    subject: str
    since: dt.date  # the day they became due to be forgotten
    why: str


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def retention_due(r: Registers, profile: Profile, today: dt.date) -> list[Due]:
    """Who is due to be forgotten under the profile's retention periods, and since when."""
    keep = profile.retention
    due: list[Due] = []
    for ref, child in r.children.items():
        if ref in r.forgotten or child.left is None:
            continue
        when = _add_years(child.left, keep.child_years_after_leaving)
        if when <= today:
            due.append(
                Due(
                    ref,
                    when,
                    f"left {child.left}; kept {keep.child_years_after_leaving}"
                    " year(s) after leaving",
                )
            )
    for ref in r.guardians:
        if ref in r.forgotten:
            continue
        last = status.last_day_of_children(r, ref, today)
        if last is None:
            continue
        when = _add_years(last, keep.guardian_years_after_last_child_left)
        if when <= today:
            due.append(
                Due(
                    ref,
                    when,
                    f"last child left {last}; kept"
                    f" {keep.guardian_years_after_last_child_left} year(s)",
                )
            )
    for ref, person in r.persons.items():
        if ref in r.forgotten or person.left is None:
            continue
        when = _add_years(person.left, keep.person_years_after_leaving)
        if when <= today:
            due.append(
                Due(
                    ref,
                    when,
                    f"left {person.left}; kept"
                    f" {keep.person_years_after_leaving} year(s) after leaving",
                )
            )
    return sorted(due, key=lambda d: (d.since, d.subject))
