"""The person index (issue 14, item 3): which facts name each person, written with the facts.

``ledger subject REF`` finds a person's facts through it, not by reading every fact; ``verify``
checks it against the facts. Tested as the adversary: an index made before there was one (a
ledger of an older version), a row deleted, a row pointing at someone else's fact, a mark that
claims more than the ledger holds. In every case ``subject`` answers as a full read of the
facts does, and ``verify`` names what is wrong.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import demo, privacy, store
from ledger import events as ev
from ledger import profile as profiles
from tests.conftest import NewDb, config_for, raw
from tests.test_cli import NOW, import_facts, run
from tests.test_cli import ledger as new_setting


@pytest.fixture(autouse=True)
def _pinned(monkeypatch: pytest.MonkeyPatch, workdir: Path) -> None:
    monkeypatch.setenv("LEDGER_NOW", NOW)
    monkeypatch.delenv("LEDGER_DB", raising=False)
    monkeypatch.delenv("LEDGER_KEY", raising=False)


def history(profile: str = "south-woodham-preschool", seed: int = 2) -> list[ev.Event]:
    """Half a year of a realistic setting, as the demo tells it."""
    return demo.generate(
        profiles.load(profile),
        setting="Test",
        start=dt.date(2025, 9, 1),
        end=dt.date(2026, 3, 31),
        seed=seed,
        children=12,
    )


# --- what a fact names ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", profiles.shipped())
def test_people_in_is_exactly_who_a_fact_mentions(name: str) -> None:
    """``people_in`` (what the index is made of) agrees with ``mentions`` (what subject access
    has always listed) for every fact of a realistic history and every person it holds."""
    facts = history(name)
    everyone = {ref for e in facts for ref in privacy.people_in(e)}
    assert {r[:2] for r in everyone} == {"C-", "G-", "S-"}
    for event in facts:
        named = privacy.people_in(event)
        for ref in everyone:
            assert (ref in named) == privacy.mentions(event, ref), (event, ref)


@settings(max_examples=200)
@given(
    child=st.from_regex(r"C-[0-9]{1,9}", fullmatch=True),
    guardian=st.from_regex(r"G-[0-9]{1,9}", fullmatch=True),
    person=st.from_regex(r"S-[0-9]{1,9}", fullmatch=True),
    text=st.text(min_size=1, max_size=30),
)
def test_people_in_finds_references_in_every_kind_of_field(
    child: str, guardian: str, person: str, text: str
) -> None:
    """A person in a plain field, in a list, in a PERSON/GUARDIAN subject; and free text that
    happens to be only a reference counts (as ``mentions`` has it), text around one does not."""
    on = dt.date(2026, 1, 1)
    cases: list[tuple[ev.Event, set[str]]] = [
        (ev.GuardianLinked(on=on, guardian=guardian, name="N", child=child), {guardian, child}),
        (
            ev.PostPublished(
                on=on, post="P-1", channel="closed-group", author=person, depicts=[child]
            ),
            {person, child},
        ),
        (ev.ConnectionReported(on=on, person=person, guardian=guardian), {person, guardian}),
        (
            ev.FindingAcknowledged(
                on=on, rule="unofficial-contact", subject_ref=f"{person}/{child}", action=text
            ),
            {person, child} | ({text} if privacy.PERSON_REF.fullmatch(text) else set()),
        ),
    ]
    for event, named in cases:
        assert privacy.people_in(event) == named
        for ref in (child, guardian, person):
            assert (ref in privacy.people_in(event)) == privacy.mentions(event, ref)


# --- subject access through the index, on both stores ---------------------------------------------


def subject(capsys: pytest.CaptureFixture[str], db: str, ref: str) -> dict[str, Any]:
    result = run(capsys, "--db", db, "subject", ref, "--json")
    assert result.status == 0, result.text
    held = json.loads(result.out)
    assert isinstance(held, dict)
    return held


def by_reading_everything(db: str, ref: str) -> list[int]:
    """The positions of the facts naming ``ref``, by reading every fact (no index)."""
    ledger = store.open_ledger(config_for(db, Path.cwd()))
    try:
        return [p for p, e in ledger.facts() if privacy.mentions(e, ref)]
    finally:
        ledger.close()


def recorded(
    capsys: pytest.CaptureFixture[str], new_db: NewDb, facts: list[ev.Event]
) -> tuple[str, set[str]]:
    db = new_setting(capsys, new_db, facts=[])
    result = import_facts(capsys, db, [ev.to_builtins(e) for e in facts])
    assert result.status == 0, result.text
    return db, {ref for e in facts for ref in privacy.people_in(e)}


def verify(capsys: pytest.CaptureFixture[str], db: str) -> tuple[int, str]:
    result = run(capsys, "--db", db, "verify")
    assert "Intact:" in result.out, result.text
    return result.status, result.out


def marker(db: str) -> int:
    with raw(db) as conn:
        return int(
            conn.execute("SELECT COALESCE(max(position), 0) FROM {people} WHERE ref = ''")[0][0]
        )


def head(db: str) -> int:
    ledger = store.open_ledger(config_for(db, Path.cwd()))
    try:
        return ledger.head()
    finally:
        ledger.close()


def test_subject_reads_the_facts_the_index_lists_and_they_are_every_fact_naming_them(
    capsys: pytest.CaptureFixture[str], new_db: NewDb
) -> None:
    """For every person of a realistic history: subject access lists exactly the facts a read
    of every fact finds; the index is written with the facts (its mark at the head); verify
    finds it matches."""
    db, people = recorded(capsys, new_db, history())
    assert marker(db) == head(db)
    for ref in sorted(people):
        held = subject(capsys, db, ref)
        assert [f["position"] for f in held["facts"]] == by_reading_everything(db, ref), ref
    assert verify(capsys, db) == (0, verify(capsys, db)[1])
    assert "person index" not in verify(capsys, db)[1]


def test_a_ledger_made_before_the_index_is_caught_up_by_the_first_question(
    capsys: pytest.CaptureFixture[str], new_db: NewDb
) -> None:
    """A ledger of an older version has no index: a write then indexes its own facts but
    cannot say the index is complete; the first ``subject`` indexes every fact once, and the
    answers are a full read's."""
    facts = history()
    db, people = recorded(capsys, new_db, facts[:150])
    with raw(db) as conn:
        conn.execute("DROP TABLE {people}")
    result = import_facts(capsys, db, [ev.to_builtins(e) for e in facts[150:]])
    assert result.status == 0, result.text
    assert marker(db) == 0, "a write on a ledger without an index cannot complete it"
    some = sorted(people)[:: max(1, len(people) // 6)]
    for ref in some:
        held = subject(capsys, db, ref)
        assert [f["position"] for f in held["facts"]] == by_reading_everything(db, ref), ref
    assert marker(db) == head(db)
    assert verify(capsys, db)[0] == 0


def tamper(db: str, statement: str, params: tuple[Any, ...] = ()) -> None:
    with raw(db) as conn:
        conn.execute(statement, params)


def test_a_changed_index_is_named_by_verify_and_never_changes_an_answer(
    capsys: pytest.CaptureFixture[str], new_db: NewDb
) -> None:
    """A row deleted, a row naming someone the fact does not name, a mark beyond the head:
    each is named by ``verify`` (exit 1, "person index"); a row pointing at someone else's fact
    never puts it in their answer, and a mark beyond the head makes ``subject`` read every fact."""
    db, people = recorded(capsys, new_db, history())
    child = sorted(r for r in people if r.startswith("C-"))[0]
    guardian = sorted(r for r in people if r.startswith("G-"))[0]
    truth_child = by_reading_everything(db, child)
    truth_guardian = by_reading_everything(db, guardian)
    assert len(truth_child) > 2

    # A row deleted: verify names the position.
    tamper(db, "DELETE FROM {people} WHERE ref = ? AND position = ?", (child, truth_child[1]))
    status, said = verify(capsys, db)
    assert status == 1 and "person index is wrong at position" in said, said
    assert f"{truth_child[1]:,}" in said
    tamper(db, "INSERT INTO {people} (ref, position) VALUES (?, ?)", (child, truth_child[1]))
    assert verify(capsys, db)[0] == 0

    # Someone else's fact listed as the guardian's: not in their answer; verify names it.
    other = next(p for p in truth_child if p not in truth_guardian)
    tamper(db, "INSERT INTO {people} (ref, position) VALUES (?, ?)", (guardian, other))
    held = subject(capsys, db, guardian)
    assert [f["position"] for f in held["facts"]] == truth_guardian
    status, said = verify(capsys, db)
    assert status == 1 and f"position {other:,}" in said, said
    tamper(db, "DELETE FROM {people} WHERE ref = ? AND position = ?", (guardian, other))

    # A mark claiming more than the ledger holds: subject reads every fact; verify names it.
    tamper(db, "DELETE FROM {people} WHERE ref = ? AND position = ?", (child, truth_child[-1]))
    tamper(db, "INSERT INTO {people} (ref, position) VALUES ('', ?)", (head(db) + 5,))
    held = subject(capsys, db, child)
    assert [f["position"] for f in held["facts"]] == truth_child
    status, said = verify(capsys, db)
    assert status == 1 and "covers" in said and "person index" in said, said
