"""Tests that kill the surviving mutants of ``projections/rules/concerns.py`` (issue 12, item 11).

A finding's ``detail`` is what ``ledger findings`` prints under it, and an episode's
``resolution`` is the kind of event that ended it (none while it is open): both are behaviour,
so each is asserted here for a late concern and a late referral, one resolved and one still
open. The judges are called directly (a rule's episodes are its contract), and through
``evaluate`` for what a reader sees.
"""

from __future__ import annotations

from ledger import events as ev
from projections.findings import Episode, evaluate
from projections.rules import concerns
from tests.test_rules import SOUTH_WOODHAM, d, person, record, south_woodham

RAISED = d("2025-10-01")


def _concern_history() -> list[ev.Event]:
    return [
        *south_woodham(),
        ev.ConcernRaised(on=RAISED, concern="K-0001", category="critical-discussion"),
        ev.ConcernRaised(on=RAISED, concern="K-0002", category="inappropriate-comment"),
        ev.ConcernAddressed(on=d("2025-10-05"), concern="K-0001", action="Manager investigated"),
    ]


def _referral_history() -> list[ev.Event]:
    return [
        *south_woodham(),
        *person("S-0003", d("2025-09-01"), kind="student"),
        ev.DisciplinaryReferred(on=RAISED, case="D-0001", person="S-0003"),
        ev.DisciplinaryReferred(on=RAISED, case="D-0002", person="S-0003"),
        ev.DisciplinaryDecided(on=d("2025-11-03"), case="D-0001", outcome="advice"),
    ]


def test_concern_unaddressed_episodes_resolution_only_when_addressed() -> None:
    """A late concern addressed later ends with ConcernAddressed; one never addressed has no
    end and no resolution (not a resolution waiting for a day)."""
    registers, profile = record(SOUTH_WOODHAM, _concern_history())
    episodes = concerns.concern_unaddressed(registers, profile)
    assert [(e.subject, e.since, e.end, e.resolution) for e in episodes] == [
        ("K-0001", d("2025-10-03"), d("2025-10-05"), "ConcernAddressed"),
        ("K-0002", d("2025-10-03"), None, None),
    ]


def test_concern_unaddressed_detail_names_category_day_and_limit() -> None:
    """The detail printed under the finding says the concern's category, the day it was
    raised and the limit in words ("1 day")."""
    registers, profile = record(SOUTH_WOODHAM, _concern_history())
    details = {
        f.subject: f.detail
        for f in evaluate(registers, profile, d("2025-10-31"))
        if f.rule == "concern-unaddressed"
    }
    assert details == {
        "K-0001": "a critical-discussion concern raised on 2025-10-01 was not addressed"
        " within 1 day",
        "K-0002": "a inappropriate-comment concern raised on 2025-10-01 was not addressed"
        " within 1 day",
    }


def test_referral_undecided_episodes_resolution_only_when_decided() -> None:
    """A late referral decided later ends with DisciplinaryDecided; one never decided has no
    end and no resolution."""
    registers, profile = record(SOUTH_WOODHAM, _referral_history())
    episodes: list[Episode] = concerns.referral_undecided(registers, profile)
    assert [(e.subject, e.since, e.end, e.resolution) for e in episodes] == [
        ("D-0001", d("2025-10-30"), d("2025-11-03"), "DisciplinaryDecided"),
        ("D-0002", d("2025-10-30"), None, None),
    ]


def test_referral_undecided_detail_names_day_and_limit() -> None:
    """The detail printed under the finding says the day of the referral and the limit in
    words ("28 days")."""
    registers, profile = record(SOUTH_WOODHAM, _referral_history())
    details = [
        f.detail
        for f in evaluate(registers, profile, d("2025-11-30"))
        if f.rule == "referral-undecided"
    ]
    late = "a disciplinary case referred on 2025-10-01 had no decision within 28 days"
    assert details == [late, late]
