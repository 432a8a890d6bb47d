"""``verify``'s check of the person index, made cheap (issue 14, item 4): ``ledger.peoplecheck``.

- Whom a stored fact names, read from its bytes as plain MessagePack (``peoplecheck.named``),
  is ``privacy.people_in`` of the fact decoded into its type: for every fact of every shipped
  profile's history (stored, in each store), and for facts whose free text is, or holds, a
  reference (hypothesis).
- The index is checked against the rows ``verify`` reads, in each of its two processes. As
  the adversary: rows of the index deleted, added or pointed elsewhere, before and after the
  point where the second process takes over, and more than twenty of them: the faults are
  exactly those of the plain check (every fact read again), and the second process's answer
  was used, not silently dropped. A fault of the facts themselves is still named as such.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import events as ev
from ledger import peoplecheck, privacy
from ledger import profile as profiles
from ledger import store as ledger_store
from ledger.integrity import Signer
from ledger.mapper import EventMapper, envelope_of
from ledger.store import Ledger
from tests.conftest import NewDb, config_for, raw
from tests.test_cli import import_facts
from tests.test_cli import ledger as new_setting
from tests.test_people_index import history, recorded, tamper

# --- whom a fact names ------------------------------------------------------------------------


@pytest.mark.parametrize("name", profiles.shipped())
def test_named_is_people_in_for_every_stored_fact(
    capsys: pytest.CaptureFixture[str], new_db: NewDb, name: str, workdir: Path
) -> None:
    made = history(name)
    db = new_setting(capsys, new_db, facts=[], profile=name)
    result = import_facts(capsys, db, [ev.to_builtins(e) for e in made])
    assert result.status == 0, result.text
    people = {ref for e in made for ref in privacy.people_in(e)}
    ledger = ledger_store.open_ledger(config_for(db, workdir))
    try:
        rows = list(ledger.rows())
        facts = list(ledger.facts())
        assert len(rows) == len(facts) > 50
        kinds = {type(event).__name__ for _, event in facts}
        assert len(kinds) > 10
        for (position, topic, state), (at, event) in zip(rows, facts, strict=True):
            assert position == at
            assert peoplecheck.named(position, topic, state) == privacy.people_in(event), event
        assert {ref for _, e in facts for ref in privacy.people_in(e)} == people
    finally:
        ledger.close()


def _stored(event: ev.Event) -> tuple[str, bytes]:
    """The topic and stored bytes of a fact (nothing sealed: every field shown as it is)."""
    state = EventMapper().encode_envelope(envelope_of(NOW_AT, event, {}))
    return f"{type(event).__name__}:{event.subject}", state


NOW_AT = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
REF = st.from_regex(r"[CGS]-[0-9]{1,9}", fullmatch=True)


@settings(max_examples=300)
@given(
    child=st.from_regex(r"C-[0-9]{1,9}", fullmatch=True),
    guardian=st.from_regex(r"G-[0-9]{1,9}", fullmatch=True),
    person=st.from_regex(r"S-[0-9]{1,9}", fullmatch=True),
    text=st.one_of(
        st.text(min_size=1, max_size=30),
        REF,
        REF.map(lambda r: f" {r}"),
        REF.map(lambda r: f"{r}\n"),
        st.tuples(REF, REF).map("/".join),
    ),
    depicts=st.lists(st.from_regex(r"C-[0-9]{1,9}", fullmatch=True), max_size=4),
)
def test_named_is_people_in_whatever_the_text(
    child: str, guardian: str, person: str, text: str, depicts: list[str]
) -> None:
    """A reference in a plain field, in a list, in a subject of two; free text that is only a
    reference counts, text around one does not, as ``people_in`` has it."""
    on = dt.date(2026, 1, 1)
    events: list[ev.Event] = [
        ev.GuardianLinked(on=on, guardian=guardian, name=text, child=child),
        ev.PostPublished(on=on, post="P-1", channel="closed-group", author=person, depicts=depicts),
        ev.ConnectionReported(on=on, person=person, guardian=guardian),
        ev.FindingAcknowledged(
            on=on, rule="unofficial-contact", subject_ref=f"{person}/{child}", action=text
        ),
        ev.ConcernRaised(on=on, concern="K-1", category="other", about=child),
    ]
    for event in events:
        topic, state = _stored(event)
        assert peoplecheck.named(7, topic, state) == privacy.people_in(event), event


def test_bytes_that_are_not_a_stored_fact_raise() -> None:
    for state in (b"", b"\xc1", msgspec.msgpack.encode([1, 2]), msgspec.msgpack.encode({})):
        with pytest.raises(msgspec.DecodeError):
            peoplecheck.named(1, "ChildEnrolled:C-1", state)


def test_the_second_process_answer_is_split_or_refused() -> None:
    leaves = bytes(range(64))
    for found in ([], ["a", "b"], None):
        assert peoplecheck.split(peoplecheck.with_faults(leaves, found)) == (leaves, found)
    whole = peoplecheck.with_faults(leaves, ["x"])
    for bad in (b"", b"\x00" * 7, whole[:-1], whole[:-8] + (10**6).to_bytes(8, "big")):
        assert peoplecheck.split(bad) == (None, None), bad
    assert peoplecheck.split(leaves + b"[1]" + (3).to_bytes(8, "big")) == (None, None)


def test_joined_is_one_checker_of_it_all() -> None:
    more = peoplecheck.MORE
    ten = [f"f{i}" for i in range(10)]
    twenty = [f"g{i}" for i in range(20)]
    assert peoplecheck.joined([], []) == []
    assert peoplecheck.joined(ten, ten) == [*ten, *ten, more]
    assert peoplecheck.joined(ten, ten[:9]) == ten + ten[:9]
    assert peoplecheck.joined([*twenty, more], ten) == [*twenty, more]
    assert peoplecheck.joined(ten, [*twenty, more]) == [*ten, *twenty[:10], more]


# --- verify, in one process and in two ------------------------------------------------------------


def _faults(ledger: Ledger, verifier: Any, after: int | None) -> tuple[bool, list[str], bool]:
    """The verdict's ``ok``, the person index's faults as ``verify`` finds them (its two
    processes split at ``after``, or one), and whether they came from the check made as the
    facts were read."""
    verdict = ledger.verify(verifier, after=after)
    used = ledger._people_checked is not None
    return verdict.ok, ledger.people_faults(), used


def _plain(ledger: Ledger) -> list[str]:
    """The faults of the plain check: every fact read again after ``verify``."""
    ledger._people_checked = None
    return ledger.people_faults()


@pytest.fixture
def indexed(
    capsys: pytest.CaptureFixture[str], new_db: NewDb, workdir: Path
) -> tuple[str, Ledger, Any]:
    db, _ = recorded(capsys, new_db, history())
    ledger = ledger_store.open_ledger(config_for(db, workdir))
    key = Signer.load(ledger.config.key_path).verifier()
    return db, ledger, key


def _positions(db: str, ref_prefix: str) -> list[tuple[str, int]]:
    with raw(db) as conn:
        rows = conn.execute(
            "SELECT ref, position FROM {people} WHERE ref LIKE ? ORDER BY position, ref",
            (ref_prefix + "%",),
        )
    return [(str(r[0]), int(r[1])) for r in rows]


def test_an_intact_index_in_one_process_and_in_two(indexed: tuple[str, Ledger, Any]) -> None:
    _, ledger, key = indexed
    try:
        head = ledger.head()
        for after in (None, 0, 1, head // 3, head - 1, head):
            assert _faults(ledger, key, after) == (True, [], True), after
    finally:
        ledger.close()


def test_a_changed_index_is_named_alike_wherever_the_change(
    indexed: tuple[str, Ledger, Any],
) -> None:
    """A row deleted before the split and a row pointed at another's fact after it; then
    thirty rows deleted across the split (more than twenty faults): in one process and in
    two, the faults are the plain check's, and the check made while reading was used."""
    db, ledger, key = indexed
    try:
        head = ledger.head()
        split = head // 2
        rows = _positions(db, "C-")
        early = next((ref, p) for ref, p in rows if 10 < p < split)
        late = next((ref, p) for ref, p in rows if p > split + 10)
        tamper(db, "DELETE FROM {people} WHERE ref = ? AND position = ?", early)
        tamper(db, "UPDATE {people} SET ref = 'G-999' WHERE ref = ? AND position = ?", late)
        plain = _plain(ledger)
        assert len(plain) == 2
        assert f"position {early[1]:,}" in plain[0] and f"position {late[1]:,}" in plain[1]
        for after in (None, split, 1):
            assert _faults(ledger, key, after) == (True, plain, True), after
        spread = rows[:: max(1, len(rows) // 30)][:30]
        for ref, position in spread:
            tamper(db, "DELETE FROM {people} WHERE ref = ? AND position = ?", (ref, position))
        plain = _plain(ledger)
        assert len(plain) == 21 and plain[-1] == peoplecheck.MORE
        middle = spread[12][1]  # the split with some of the first twenty on each side
        for after in (None, middle, spread[0][1] - 1, spread[25][1]):
            assert _faults(ledger, key, after) == (True, plain, True), after
    finally:
        ledger.close()


def test_a_mark_beyond_the_head_and_a_changed_fact(indexed: tuple[str, Ledger, Any]) -> None:
    """The mark's own fault comes first, as in the plain check; and with a fact changed, the
    facts are not intact: no index check is kept from the reading (``verify`` names the fact,
    and checks the index no further)."""
    db, ledger, key = indexed
    try:
        head = ledger.head()
        ref, position = _positions(db, "G-")[3]
        tamper(db, "DELETE FROM {people} WHERE ref = ? AND position = ?", (ref, position))
        tamper(db, "INSERT INTO {people} (ref, position) VALUES ('', ?)", (head + 9,))
        plain = _plain(ledger)
        assert "covers" in plain[0] and f"position {position:,}" in plain[1]
        for after in (None, head // 2):
            assert _faults(ledger, key, after) == (True, plain, True)
        with raw(db) as conn:
            ((stream,),) = conn.execute(
                "SELECT originator_id FROM {events} WHERE topic LIKE 'SettingRegistered:%'"
            )
            conn.execute(
                "UPDATE {events} SET state = ? WHERE originator_id = ? AND originator_version = ?",
                (b"\x93\xc1", stream, head // 2 + 3),
            )
        for after in (None, head // 4):
            verdict = ledger.verify(key, after=after)
            assert not verdict.ok and verdict.bad_position == head // 2 + 3
            assert ledger._people_checked is None
    finally:
        ledger.close()
