"""Concerns and disciplinary cases.

- Stepping Stones Nursery, line 20: concerns in comments are addressed immediately
  (``concern_response_days = 1``); line 36: breaches lead to disciplinary action.
- South Woodham, lines 41 and 54: concerns reported to the manager or designated person;
  line 58 and 60: breaches investigated and may lead to disciplinary action.
- Sandbank Valley, 4.2 and 4.4 (lines 57 and 63); Stepping Stones Pre School, line 12;
  West Wycombe, line 15: concerns raised privately with the manager or chair.
"""

from __future__ import annotations

import datetime as dt

from ledger.profile import Profile
from projections import wording
from projections.calendar import add_days
from projections.episodes import Episode
from projections.registers import Registers


def concern_unaddressed(r: Registers, profile: Profile) -> list[Episode]:
    limit = profile.concern_response_days
    out: list[Episode] = []
    for ref, concern in r.concerns.items():
        deadline = response_due(profile, concern.raised)
        first = concern.addressed[0] if concern.addressed else None
        if first is not None and first <= deadline:
            continue
        out.append(
            Episode(
                "concern-unaddressed",
                ref,
                add_days(deadline, 1),
                f"a {concern.category} concern raised on {concern.raised.isoformat()} was not"
                f" addressed within {wording.count(limit, 'day')}",
                first,
                "ConcernAddressed" if first is not None else None,
            )
        )
    return out


def referral_undecided(r: Registers, profile: Profile) -> list[Episode]:
    limit = profile.decision_days
    out: list[Episode] = []
    for ref, case in r.cases.items():
        deadline = decision_due(profile, case.referred)
        if case.decided is not None and case.decided <= deadline:
            continue
        out.append(
            Episode(
                "referral-undecided",
                ref,
                add_days(deadline, 1),
                f"a disciplinary case referred on {case.referred.isoformat()} had no decision"
                f" within {wording.count(limit, 'day')}",
                case.decided,
                "DisciplinaryDecided" if case.decided is not None else None,
            )
        )
    return out


# --- the limits, decided here once (the site's numbers read them too) -------------------------


def response_due(profile: Profile, raised: dt.date) -> dt.date:
    """The last day to take up a concern raised on ``raised``."""
    return add_days(raised, profile.concern_response_days)


def decision_due(profile: Profile, referred: dt.date) -> dt.date:
    """The last day to decide a disciplinary case referred on ``referred``."""
    return add_days(referred, profile.decision_days)
