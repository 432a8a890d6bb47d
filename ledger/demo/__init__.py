"""Realistic synthetic histories of a setting, for demonstrations, tests and benchmarks.

``generate`` tells the story of one setting over a school year or several: the policy adopted,
term dates, staff and their roles, the setting's tablets, children starting in September,
January and April with their parents' consent forms, everyday posts by the people allowed to
make them, concerns dealt with, leavers in July and their parents taken out of the group after
the summer holiday. Almost everything is in order; a handful of problems of different kinds are
planted so that the findings (``site/rules.md``) have something to show as of ``end``.

``scale`` produces the same kind of history sized to a number of events, as an iterator, for
benchmarks up to a million events (a very large setting over many years).

Every history obeys the ledger's integrity refusals (DESIGN.md section 4) in list order: each
reference is introduced by an earlier event, nothing is introduced twice, nothing happens before
its subject's start, consent and permissions name a guardian linked to the child, channels and
roles belong to the profile, and no date lies outside ``start`` to ``end``. About three events in
a hundred are "filed late": they appear a few days' worth of events after where their date would
put them, as paperwork does; the ledger orders the history by ``on`` then record position.

All names are invented, built from small lists of invented first names and surnames. The same
seed always gives the same history (``random.Random(seed)``; no wall clock).

The package is laid out by what it invents. ``words`` and ``calendar`` are its data (names,
phrases, the school calendar) and ``filing`` keeps record order. The simulation is one class
built in layers, each module adding what it invents on top of what it uses: ``state`` (what is
known, and the plumbing), ``people`` (staff, roles, devices, the group's members), ``concerns``,
``friendships``, ``posts``, ``families`` (children, parents, consent, leavers), ``problems``
(what is planted) and ``setting``, which runs the days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ledger.demo.calendar import school_year
from ledger.demo.setting import Setting
from ledger.events import Event
from ledger.profile import Profile

__all__ = ["generate", "planted", "scale"]


def generate(
    profile: Profile,
    *,
    setting: str,
    start: dt.date,
    end: dt.date,
    seed: int = 0,
    children: int = 40,
) -> list[Event]:
    """A realistic history of a setting from ``start`` to ``end`` (``end`` is "today").

    The list starts with ``PolicyAdopted`` on ``start`` (``ledger init`` writes
    ``SettingRegistered``) and can be imported as it is. ``setting`` is the setting's name, as
    given to ``init``; it does not change the history. Planted problems adapt to the profile
    and to the length of the history (a late policy review needs more than a year; a leaver
    left in the group needs a summer holiday that ended before ``end``).
    """
    del setting
    return list(
        Setting(profile, start=start, end=end, seed=seed, children=children, many=False).run()
    )


def planted(
    profile: Profile, *, start: dt.date, end: dt.date, seed: int = 0, children: int = 40
) -> list[str]:
    """What ``generate`` planted, in words (a rule or story, the subject, the day)."""
    sim = Setting(profile, start=start, end=end, seed=seed, children=children, many=False)
    for _ in sim.run():
        pass
    return sim.planted


def scale(
    profile: Profile,
    *,
    setting: str,
    events: int,
    seed: int = 0,
    end: dt.date | None = None,
) -> Iterator[Event]:
    """The same kind of history, sized to about ``events`` events (never more), ending by
    ``end`` (default: today). A large setting over several years: the number of years grows
    with the size (two up to 100,000 events, ten at a million), and the number of children is
    chosen so the history fills them. Problems recur every year in proportion to the size.
    """
    del setting
    if events < 1:
        return
    last = end or dt.date.today()
    years = min(10, max(2, events // 100_000 + 1))
    start = dt.date(school_year(last) - years + 1, 9, 1)
    pilot_children = 120
    pilot = sum(
        1
        for _ in Setting(
            profile, start=start, end=last, seed=seed, children=pilot_children, many=True
        ).run()
    )
    children = max(1, round(pilot_children * events / max(1, pilot)))
    sim = Setting(profile, start=start, end=last, seed=seed, children=children, many=True)
    for count, event in enumerate(sim.run(), start=1):
        yield event
        if count >= events:
            return
