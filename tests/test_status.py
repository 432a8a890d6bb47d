"""The turns of a history (``status.*_turns``) answer every day exactly as the plain questions do.

Judging every post of a ledger reads a history's turns with one bisection (``active_in``)
instead of asking ``consent_active``, ``member`` or ``in_service`` again each time: these
properties hold the two ways of answering together, on random histories with same-day facts,
expiries before or on the grant, withdrawals and re-admissions.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from projections import findings, status
from projections.registers import ConsentMark, Device, Mark, Registers

START = dt.date(2025, 9, 1)
days = st.integers(min_value=0, max_value=40).map(lambda n: START + dt.timedelta(days=n))
ASKED = [START + dt.timedelta(days=n) for n in range(-2, 45)]


@st.composite
def consent_histories(draw: st.DrawFn) -> list[ConsentMark]:
    marks = []
    for pos, on in enumerate(draw(st.lists(days, max_size=8)), start=1):
        granted = draw(st.booleans())
        expires = draw(st.one_of(st.none(), days)) if granted else None
        marks.append(ConsentMark(on, pos, granted, expires, "G-1"))
    return sorted(marks)


@st.composite
def membership_histories(draw: st.DrawFn) -> list[Mark]:
    marks = [Mark(on, pos, draw(st.booleans())) for pos, on in enumerate(draw(st.lists(days)))]
    return sorted(marks)


@given(consent_histories())
def test_consent_turns_answer_as_consent_active(history: list[ConsentMark]) -> None:
    r = Registers(consents={"C-1|closed-group": history})
    turns = status.consent_turns(history)
    assert turns == sorted(turns)
    for day in ASKED:
        expected = status.consent_active(r, "C-1", "closed-group", day)
        assert status.active_in(turns, day) == expected, day


@given(membership_histories())
def test_opened_turns_answer_as_member_and_give_its_runs(history: list[Mark]) -> None:
    r = Registers(members={"G-1": history})
    turns = status.opened_turns(history)
    for day in ASKED:
        assert status.active_in(turns, day) == status.member(r, "G-1", day), day
    candidates = [m.on for m in history]
    assert status.runs_of(turns) == findings.runs(candidates, lambda d: status.member(r, "G-1", d))


@given(days, st.one_of(st.none(), days))
def test_service_turns_answer_as_in_service(registered: dt.date, retired: dt.date | None) -> None:
    device = Device(registered=registered, retired=retired)
    r = Registers(devices={"T-1": device})
    turns = status.service_turns(device)
    for day in ASKED:
        assert status.active_in(turns, day) == status.in_service(r, "T-1", day), day
