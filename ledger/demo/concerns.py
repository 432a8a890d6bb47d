"""Concerns raised about an invented setting's social media, how they are addressed, and the
disciplinary cases that follow some of them.
"""

from __future__ import annotations

import functools

from ledger.demo.people import People
from ledger.demo.words import ADDRESSED, CATEGORIES, OUTCOMES
from ledger.events import (
    CaseOutcome,
    ConcernAddressed,
    ConcernCategory,
    ConcernRaised,
    DisciplinaryDecided,
    DisciplinaryReferred,
)


class Concerns(People):
    """Adds concerns raised and addressed, and disciplinary cases referred and decided."""

    def _concern(
        self,
        category: ConcernCategory | None = None,
        about: str | None = None,
        *,
        late: bool = False,
        action: str | None = None,
    ) -> str:
        ref = self._ref("K")
        rng = self.rng
        kind = rng.choice(CATEGORIES) if category is None else category
        if about is None and rng.random() < 0.3:
            about = self._plain_staff() if rng.random() < 0.5 else self.members_g.choice(rng)
        self._emit(ConcernRaised(on=self.today, concern=ref, category=kind, about=about))
        limit = self.p.concern_response_days
        when = self._days(0, limit) if not late else self._days(limit + 2, limit + 5)
        self._at(when, functools.partial(self._address, ref, action or rng.choice(ADDRESSED)))
        if (
            not late
            and about is not None
            and about.startswith("S-")
            and action is None
            and rng.random() < 0.25
        ):
            self._at(self._days(1, 4), functools.partial(self._refer_case, about, ref, True))
        return ref

    def _staff_slip(self) -> None:
        person = self._plain_staff()
        if person is not None:
            concern = self._concern(
                self.rng.choice(("confidentiality", "inappropriate-comment")),
                person,
                action="Passed to the manager; the member of staff was seen the same week.",
            )
            self._at(self._days(1, 4), functools.partial(self._refer_case, person, concern, True))

    def _address(self, concern: str, action: str) -> None:
        self._emit(ConcernAddressed(on=self.today, concern=concern, action=action))

    def _refer_case(
        self,
        person: str,
        concern: str | None,
        decide: bool,
        outcome: CaseOutcome | None = None,
    ) -> str:
        ref = self._ref("D")
        self._emit(DisciplinaryReferred(on=self.today, case=ref, person=person, concern=concern))
        if decide:
            limit = max(1, self.p.decision_days - 3)
            decision = self.rng.choice(OUTCOMES) if outcome is None else outcome
            self._at(
                self._days(min(5, limit), limit),
                functools.partial(self._decide, ref, decision, person),
            )
        return ref

    def _undecided_case(self, person: str, concern: str) -> None:
        case = self._refer_case(person, concern, False)
        self.planted.append(f"case-undecided {case} on {self.today}")

    def _decide(self, case: str, outcome: CaseOutcome, person: str) -> None:
        self._emit(DisciplinaryDecided(on=self.today, case=case, outcome=outcome))
        if outcome in ("dismissal", "asked-to-leave"):
            self._leave(person)
