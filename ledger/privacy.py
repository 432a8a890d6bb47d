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
    # (reference, the day their time at the setting ended, years kept after it, what ended)
    ended: list[tuple[str, dt.date | None, int, str]] = [
        *((ref, c.left, keep.child_years_after_leaving, "left") for ref, c in r.children.items()),
        *(
            (
                ref,
                status.last_day_of_children(r, ref, today),
                keep.guardian_years_after_last_child_left,
                "last child left",
            )
            for ref in r.guardians
        ),
        *((ref, p.left, keep.person_years_after_leaving, "left") for ref, p in r.persons.items()),
    ]
    due = [
        Due(ref, _add_years(end, years), f"{what} {end}; kept {years} year(s) after that")
        for ref, end, years, what in ended
        if end is not None and ref not in r.forgotten and _add_years(end, years) <= today
    ]
    return sorted(due, key=lambda d: (d.since, d.subject))
