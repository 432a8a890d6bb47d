"""UK GDPR: what the ledger holds about a person (article 15), and who is due to be forgotten.

Forgetting (article 17) is ``ledger forget`` (``ledger.cli``): it records ``SubjectForgotten``
and destroys the person's key, so every sealed field of theirs (and all free text sealed jointly
under them and others) reads ``[forgotten]`` from then on while the facts, the tree and the
findings stay as they were. A forget left half done is completed on opening
(``Ledger.complete_forgets``).

Free text that is not sealed under the people it concerns (``mapper.NAME_CHECKED``: device
labels, methods, the action on a concern, ...) must not hold a person's name: ``NameGuard``
refuses, at recording, such a field that contains the name of a person the ledger holds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any, Final

import msgspec

from ledger import events as ev
from ledger.decisions import Refused
from ledger.mapper import FORGOTTEN, PLACEHOLDER, Recorded, name_checked_text
from ledger.profile import Profile
from projections import status
from projections.registers import Registers


def mentions(event: ev.Event, ref: str) -> bool:
    """Whether a fact names a reference in any of its fields."""
    for value in msgspec.structs.astuple(event):
        if value == ref or (isinstance(value, list) and ref in value):
            return True
    return event.subject == ref or ref in event.subject.split("/")


PERSON_REF = re.compile(r"[CGS]-[0-9]{1,9}")


def _is_person(value: str) -> bool:
    return (
        3 <= len(value) <= 11
        and value[1] == "-"
        and value[0] in "CGS"
        and PERSON_REF.fullmatch(value) is not None
    )


def people_in(event: ev.Event) -> set[str]:
    """The people a fact names (children, parents and carers, members of the setting): every
    field, list item or part of its subject that is a person's reference. ``ref in
    people_in(event)`` is ``mentions(event, ref)`` for a person's reference: the person index
    (``Ledger.positions_of``) is made of it, and subject access reads the facts it lists."""
    found: set[str] = set()
    subject = event.subject
    for part in subject.split("/") if "/" in subject else (subject,):
        if _is_person(part):
            found.add(part)
    for value in msgspec.structs.astuple(event):
        if type(value) is str:
            if _is_person(value):
                found.add(value)
        elif type(value) is list:
            found.update(item for item in value if type(item) is str and _is_person(item))
    return found


MIN_NAME = 3  # a name shorter than this (once spaces and punctuation go) is not looked for
MIN_FAMILY = 4  # nor a family name shorter than this on its own


def words(text: str) -> tuple[str, ...]:
    """Text as words only, for finding a name in it: case folded, every run of characters that
    are not letters or digits a word (``Jo Quenby-Smith``, ``jo.quenby smith`` and
    ``jo-quenby-smith`` are the same words)."""
    return tuple(re.findall(r"[^\W_]+", text.casefold()))


class NameGuard:
    """Refuses a fact whose name-checked free text holds a name the ledger holds.

    The names are read (opened with their keys) only when a fact with such a field first comes,
    and those recorded earlier in the same write are added as they pass (``learn``). A name (or
    its family name alone) is matched as whole words, whatever the case and punctuation. A
    forgotten person's name cannot be read, so it is not looked for (and cannot be, by design).
    Names are kept by their first word, so a text is checked in time that grows with its words,
    not with the number of people the ledger holds.
    """

    def __init__(self, held: Callable[[], Iterable[str]]) -> None:
        self._held = held
        self._names: dict[str, set[tuple[str, ...]]] | None = None
        self._pending: dict[str, set[tuple[str, ...]]] = {}

    @staticmethod
    def _add(names: dict[str, set[tuple[str, ...]]], name: str) -> None:
        """A name is looked for whole, and its family name (every word after the first) on its
        own: ``Quillet-Zorn's phone`` names Barnaby Quillet-Zorn as surely as his full name."""
        if name in (FORGOTTEN, PLACEHOLDER):
            return
        found = words(name)
        family = found[1:]
        for part, least in ((found, MIN_NAME), (family, MIN_FAMILY)):
            if part and len("".join(part)) >= least:
                names.setdefault(part[0], set()).add(part)

    def learn(self, event: ev.Event) -> None:
        field = ev.NAME_FIELDS.get(type(event))
        if field is not None:
            target = self._names if self._names is not None else self._pending
            self._add(target, getattr(event, field))

    def _holds_a_name(self, text: str) -> bool:
        assert self._names is not None
        said = words(text)
        for at, word in enumerate(said):
            for name in self._names.get(word, ()):
                if said[at : at + len(name)] == name:
                    return True
        return False

    def check(self, event: ev.Event) -> Refused | None:
        # Text with no word of two letters or more (a device's reference, T-01) holds no name:
        # the names need not be read for it.
        texts = [(f, t) for f, t in name_checked_text(event) if re.search(r"[^\W\d_]{2}", t)]
        if not texts:
            return None
        if self._names is None:
            self._names = {}
            for name in self._held():
                self._add(self._names, name)
            for first, names in self._pending.items():
                self._names.setdefault(first, set()).update(names)
        for field, text in texts:
            if self._holds_a_name(text):
                return Refused(
                    field,
                    "holds the name of a person the ledger holds; names are kept only where"
                    " they can be forgotten: write the person's reference (C-…, G-… or S-…)"
                    " instead of their name",
                )
        return None


def references(line: dict[str, Any]) -> set[str]:
    """The people's references in a fact as subject access lists it (``C-``, ``G-``, ``S-``)."""
    found: set[str] = set()
    for key, value in line.items():
        if key in ("type", "on", "recorded_at", "position"):
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                found.update(re.findall(r"\b[CGS]-[0-9]{1,9}\b", item))
    return found


class Held(msgspec.Struct):
    subject: str
    forgotten: bool
    facts: list[dict[str, Any]]


# The facts that introduce a person: who the ledger holds.
INTRODUCED_BY: Final = (ev.ChildEnrolled, ev.GuardianLinked, ev.PersonJoined)


def subject_access(ref: str, recorded: Iterable[Recorded]) -> Held:
    """What the ledger holds about ``ref``, from the facts that name them (any others are left
    out): each as a line with its position and record time; forgotten if a fact says so."""
    facts = []
    forgotten = False
    for r in recorded:
        if mentions(r.event, ref):
            line = ev.to_builtins(r.event)
            line["position"] = r.position
            line["recorded_at"] = r.recorded_at.isoformat()
            facts.append(line)
            forgotten = forgotten or isinstance(r.event, ev.SubjectForgotten)
    return Held(ref, forgotten, facts)


def introduced(ref: str, recorded: Iterable[Recorded]) -> bool:
    """Whether these facts include the one that introduced the person ``ref``."""
    return any(isinstance(r.event, INTRODUCED_BY) and r.event.subject == ref for r in recorded)


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
