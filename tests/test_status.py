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


def test_a_parent_linked_ahead_of_a_childs_first_day_is_judged_by_the_facts_of_each_day() -> None:
    """Found by the stateful machine: a parent whose only child has left, linked (on the 1st) to
    a child who starts on the 3rd, was judged on the 2nd by the later enrolment (an
    ineligible member) but, from only the facts dated by the 2nd, as a leaver. As of a day,
    only facts dated by then count: the child who starts on the 3rd is no child of theirs yet."""
    import contextlib

    from ledger import events as ev
    from ledger.profile import load
    from projections import registers as reg

    profile = load("south-woodham-preschool")
    first = dt.date(2025, 8, 31)
    facts: list[ev.Event] = [
        ev.SettingRegistered(on=first, name="A setting", profile="south-woodham-preschool"),
        ev.ChildEnrolled(on=first, child="C-0004", name="x"),
        ev.GuardianLinked(on=first, guardian="G-0004", name="y", child="C-0004"),
        ev.MemberAdmitted(on=first, member="G-0004"),
        ev.ChildLeft(on=first, child="C-0004"),
        ev.ChildEnrolled(on=dt.date(2025, 9, 3), child="C-0003", name="z"),
        ev.GuardianLinked(on=dt.date(2025, 9, 1), guardian="G-0004", name="y", child="C-0003"),
    ]
    whole = reg.Registers()
    for position, fact in enumerate(facts, start=1):
        reg.apply(whole, fact, position)
    for day in (dt.date(2025, 9, d) for d in range(1, 6)):
        then = reg.Registers()
        for position, fact in enumerate(facts, start=1):
            if fact.on <= day or position == 1:
                with contextlib.suppress(KeyError):
                    reg.apply(then, fact, position)
        assert findings.evaluate(whole, profile, day) == findings.evaluate(then, profile, day)
    on_the_2nd = findings.evaluate(whole, profile, dt.date(2025, 9, 2))
    assert not [f for f in on_the_2nd if f.rule == "ineligible-member"]
    assert status.children_of(whole, "G-0004", dt.date(2025, 9, 2)) == ["C-0004"]
    assert status.children_of(whole, "G-0004", dt.date(2025, 9, 3)) == ["C-0004", "C-0003"]
