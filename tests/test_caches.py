"""No cache can fake an answer (issue 12, item 6): tests written as the adversary.

Everything a ledger keeps beside its facts (saved registers, the entries ``check post`` reads,
their position marks, the site's numbers, the follower's tracking position) is replaced here
with SQL, the way an attacker or a wrong backup would: rows from another history of the same
ledger (the same facts, then one consent withdrawn in one history and not in the other, at the
same length), rows from an earlier head, rows moved to the head, rows with one byte changed,
rows from before caches were bound. Every answer must stay the one the facts give, and
``verify`` must name what it ignored.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import caches, store, tracked
from ledger import events as ev
from ledger.decisions import Refused
from ledger.integrity import Signer
from projections import registers as reg
from projections import sitedata
from tests.conftest import (
    STORES,
    NewDb,
    config_for,
    fixed_clock,
    fresh_db,
    is_postgres,
    new_ledger,
    postgres_base,
    raw,
    schema_of,
)
from tests.test_cli import NOW, Result, assert_private, findings, import_facts, run
from tests.test_cli import ledger as new_setting

DAY = dt.date.fromisoformat(NOW[:10])  # the day every command runs on (LEDGER_NOW)
ASK = ("--channel", "closed-group", "--author", "G-0001", "--depicts", "C-0001", "--device", "T-01")
WITHDRAW = {
    "type": "ConsentWithdrawn",
    "on": "2027-06-01",
    "child": "C-0001",
    "guardian": "G-0001",
    "channel": "closed-group",
}


def concern(number: int) -> dict[str, str]:
    return {
        "type": "ConcernRaised",
        "on": "2027-06-01",
        "concern": f"K-{number:04d}",
        "category": "critical-discussion",
    }


@pytest.fixture(autouse=True)
def _pinned(monkeypatch: pytest.MonkeyPatch, workdir: Path) -> None:
    monkeypatch.setenv("LEDGER_NOW", NOW)
    monkeypatch.delenv("LEDGER_DB", raising=False)
    monkeypatch.delenv("LEDGER_KEY", raising=False)


# --- below the ledger: its rows, with SQL --------------------------------------------------------

Row = tuple[Any, ...]


@contextlib.contextmanager
def opened(db: str) -> Iterator[store.Ledger]:
    ledger = store.open_ledger(config_for(db, Path.cwd()))
    try:
        yield ledger
    finally:
        ledger.close()


def saved_rows(db: str) -> list[Row]:
    """Every row kept beside the facts (the library's snapshot table)."""
    with raw(db) as conn:
        return conn.execute(
            "SELECT originator_id, originator_version, topic, state FROM {snapshots}"
            " ORDER BY originator_id, originator_version"
        )


def put_saved(db: str, rows: Sequence[Row]) -> None:
    """Replace every row kept beside the facts with ``rows``."""
    with raw(db) as conn:
        conn.execute("DELETE FROM {snapshots}")
        for row in rows:
            conn.execute(
                "INSERT INTO {snapshots} (originator_id, originator_version, topic, state)"
                " VALUES (?, ?, ?, ?)",
                (row[0], row[1], row[2], row[3] if isinstance(row[3], str) else bytes(row[3])),
            )


def _stored_id(db: str, ident: uuid.UUID) -> Any:
    return ident if is_postgres(db) else ident.hex


def cut_back(db: str, facts: int, checkpoints: int, stream: uuid.UUID, signed: uuid.UUID) -> None:
    """Take the ledger back to ``facts`` facts and ``checkpoints`` checkpoints (its history
    forks there), and drop everything kept beside the facts."""
    with raw(db) as conn:
        where = "DELETE FROM {events} WHERE originator_id = ? AND originator_version > ?"
        conn.execute(where, (_stored_id(db, stream), facts))
        conn.execute(where, (_stored_id(db, signed), checkpoints))
        conn.execute("DELETE FROM {snapshots}")


def where_it_stands(db: str) -> tuple[int, int, uuid.UUID, uuid.UUID]:
    with opened(db) as ledger:
        checkpoints = sum(1 for _ in ledger.checkpoints())
        return ledger.head(), checkpoints, ledger.stream, ledger.checkpoint_stream


def check(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> Result:
    """``ledger check post``: what the manager asks before posting."""
    result = run(capsys, "--db", db, "check", "post", *argv)
    assert_private(result.text)
    return result


def follow(capsys: pytest.CaptureFixture[str], db: str) -> None:
    """``ledger follow --once``: saves the registers, entries and site numbers."""
    result = run(capsys, "--db", db, "follow", "--once")
    assert result.status == 0, result.text


def record(capsys: pytest.CaptureFixture[str], db: str, *facts: dict[str, str]) -> None:
    result = import_facts(capsys, db, facts)
    assert result.status == 0, result.text


def verify(capsys: pytest.CaptureFixture[str], db: str) -> tuple[int, str]:
    result = run(capsys, "--db", db, "verify")
    assert "Intact:" in result.out, result.text  # the facts themselves are never in doubt here
    return result.status, result.out


def the_facts_say(db: str) -> tuple[bytes, sitedata.SiteData]:
    """The registers and the site's numbers worked out from the facts alone (no cache)."""
    with opened(db) as ledger:
        registers = reg.rebuild(ledger.facts())
        return reg.to_bytes(registers), sitedata.compute(registers, ledger.profile, DAY)


def answers(capsys: pytest.CaptureFixture[str], db: str) -> dict[str, Any]:
    """Every answer a cache could change: check post, findings, the site's numbers, the
    registers a command folds."""
    asked = check(capsys, db, *ASK, "--json")
    with opened(db) as ledger:
        registers = reg.to_bytes(ledger.registers())
        site = ledger.site_data(DAY)
        partial = ledger.registers_for(
            reg.post_entries("closed-group", "G-0001", ["C-0001"], "T-01")
        )
        consent = (
            partial.children.get("C-0001"),
            partial.consents.get(reg.key("C-0001", "closed-group")),
        )
    return {
        "check": (asked.status, asked.out),
        "findings": findings(capsys, db),
        "registers": registers,
        "site": site,
        "consent": consent,
    }


def strip_bindings(rows: Sequence[Row]) -> list[Row]:
    """The rows as a version before caches were bound would have saved them."""
    out = []
    for ident, version, topic, state in rows:
        data = bytes(state)
        assert data.startswith(caches.MAGIC)
        out.append((ident, version, topic, data[caches.HEADER_SIZE :]))
    return out


# --- two histories of one ledger ----------------------------------------------------------------


def two_histories(capsys: pytest.CaptureFixture[str], new_db: NewDb) -> tuple[str, list[Row], int]:
    """A ledger whose history forks: in the other history a concern was raised (C-0001's
    consent stands) and the follower saved its caches; in the true one, at the same length,
    C-0001's consent was withdrawn. Returns the ledger (on its true history), the other
    history's saved rows, and the head."""
    db = new_setting(capsys, new_db)
    facts, checkpoints, stream, signed = where_it_stands(db)
    record(capsys, db, concern(2))
    follow(capsys, db)
    assert check(capsys, db, *ASK).status == 0  # in the other history: yes, it may be posted
    foreign = saved_rows(db)
    head = facts + 1
    assert any(row[1] == head and row[2].startswith("Registers/") for row in foreign)
    assert any(row[1] == head and row[2] == sitedata.NAME for row in foreign)
    cut_back(db, facts, checkpoints, stream, signed)
    record(capsys, db, WITHDRAW)
    follow(capsys, db)  # the true history's own caches, at the same position
    assert where_it_stands(db)[0] == head
    return db, foreign, head


def test_caches_from_another_history_are_ignored_named_and_rebuilt(
    new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db, foreign, head = two_histories(capsys, new_db)
    truth = answers(capsys, db)
    assert truth["check"][0] == 1 and "consent-missing" in truth["check"][1]
    registers, site = the_facts_say(db)
    assert truth["registers"] == registers and truth["site"] == site
    assert verify(capsys, db)[0] == 0  # its own caches: nothing to say

    put_saved(db, foreign)  # the other history's registers, entries, marks and site numbers
    status, out = verify(capsys, db)
    assert status == 1
    assert (
        f"the saved registers at position {head} were computed from another history of the"
        " ledger: ignored (the next write saves the registers anew)" in out
    )
    assert f"the site's saved numbers at position {head} were computed from another" in out
    assert "saved register entries" in out and "position mark" in out
    assert answers(capsys, db) == truth

    # The next write saves the registers anew (all of them: the saved ones were foreign), and
    # the follower the site's numbers: then nothing foreign is left.
    record(capsys, db, concern(3))
    follow(capsys, db)
    assert verify(capsys, db) == (0, verify(capsys, db)[1])
    assert "CACHE" not in verify(capsys, db)[1] and "Note" not in verify(capsys, db)[1]
    with opened(db) as ledger:
        assert ledger.cache_faults() == []
        assert ledger.saved_position() == head + 1
    assert answers(capsys, db)["check"] == truth["check"]


def test_foreign_entries_alone_are_ignored_and_those_asked_for_saved_anew(
    new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the entries ``check post`` reads are from the other history (the registers and
    their mark are the true ones): the answer is the facts', and the entries it asked for are
    saved anew, bound to this history."""
    db, foreign, head = two_histories(capsys, new_db)
    truth = answers(capsys, db)
    own = [row for row in saved_rows(db) if row[2] != foreign_entry_topic(foreign)]
    put_saved(db, own + [row for row in foreign if row[2] == foreign_entry_topic(foreign)])
    status, out = verify(capsys, db)
    assert status == 1 and " saved register entries (at position" in out, out
    with opened(db) as ledger:
        before = [fault for fault in ledger.cache_faults() if fault[0] == "entry"]
    assert before
    assert answers(capsys, db) == truth  # check post among them
    with opened(db) as ledger:
        after = [fault for fault in ledger.cache_faults() if fault[0] == "entry"]
        assert len(after) < len(before)
        asked = 0
        for entry in reg.post_entries("closed-group", "G-0001", ["C-0001"], "T-01"):
            rows = ledger._snapshots.select_events(
                store.entry_id(ledger.stream, entry), desc=True, limit=1
            )
            if rows:  # those asked for: bound to this history again
                asked += 1
                assert caches.unbind(rows[0].state, head, ledger.head_at) == reg.entry_bytes(
                    reg.rebuild(ledger.facts()), entry
                )
        assert asked and len(after) == len(before) - asked
    assert answers(capsys, db) == truth


def foreign_entry_topic(rows: Sequence[Row]) -> str:
    topics = {row[2] for row in rows if str(row[2]).startswith("Entry/")}
    assert len(topics) == 1
    return str(topics.pop())


def test_a_stale_cache_is_folded_forward_and_one_moved_to_the_head_is_named(
    new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = new_setting(capsys, new_db)
    follow(capsys, db)
    earlier = where_it_stands(db)[0]
    stale = saved_rows(db)  # a backup of the caches, taken before the withdrawal
    record(capsys, db, WITHDRAW)
    follow(capsys, db)
    truth = answers(capsys, db)
    assert "consent-missing" in truth["check"][1]

    # Caches of an earlier head of this history are true caches: the facts since are folded.
    put_saved(db, stale)
    assert answers(capsys, db) == truth
    assert verify(capsys, db)[0] == 0

    # The same caches made to look current (moved to the head): ignored and named.
    head = earlier + 1
    put_saved(db, [(i, head if v == earlier else v, t, s) for i, v, t, s in stale])
    status, out = verify(capsys, db)
    assert status == 1
    assert f"the saved registers at position {head} are not at the position they were" in out
    assert answers(capsys, db) == truth


def test_a_cache_with_one_byte_changed_is_ignored_and_named(
    new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = new_setting(capsys, new_db)
    record(capsys, db, WITHDRAW)
    follow(capsys, db)
    truth = answers(capsys, db)
    rows = saved_rows(db)
    assert rows
    for place in range(len(rows)):  # one row at a time, its last byte changed
        changed = list(rows)
        ident, version, topic, state = changed[place]
        data = bytearray(bytes(state))
        data[-1] ^= 0x01
        changed[place] = (ident, version, topic, bytes(data))
        put_saved(db, changed)
        status, out = verify(capsys, db)
        assert status == 1, topic
        assert "changed after" in out and "saved: ignored (" in out, out
        assert answers(capsys, db) == truth, topic


def test_caches_saved_before_they_were_bound_are_ignored_and_saved_anew(
    new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """An old ledger: its caches carry no binding. They are not used (a note, not tampering),
    and the next write and follow save them bound."""
    db = new_setting(capsys, new_db)
    record(capsys, db, WITHDRAW)
    follow(capsys, db)
    truth = answers(capsys, db)
    put_saved(db, strip_bindings(saved_rows(db)))
    status, out = verify(capsys, db)
    assert status == 0
    assert "Note: the saved registers at position" in out and "carry no binding" in out
    assert "CACHE TAMPERED" not in out
    assert answers(capsys, db) == truth
    record(capsys, db, concern(2))
    follow(capsys, db)
    status, out = verify(capsys, db)
    assert status == 0 and "Note" not in out, out
    with opened(db) as ledger:
        assert ledger.cache_faults() == []


def test_rows_written_by_hand_beside_the_facts_are_named_never_a_traceback(
    new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rows no version of the ledger writes (an id of no cache, bytes that only look bound;
    on SQLite also an id that is no UUID and a state that is text): verify names those that
    look like caches, exits 1, and every answer stays the facts'."""
    db = new_setting(capsys, new_db)
    record(capsys, db, WITHDRAW)
    follow(capsys, db)
    truth = answers(capsys, db)
    looks_bound = caches.MAGIC + b"\x00\x05hello"
    rows = [*saved_rows(db), (_stored_id(db, uuid.uuid4()), 5, tracked.ENTRY_TOPIC, looks_bound)]
    if not is_postgres(db):
        rows += [("not a uuid", 6, tracked.REGISTERS_TOPIC, looks_bound), ("x", 7, None, "text")]
    put_saved(db, rows)
    status, out = verify(capsys, db)
    assert status == 1
    assert "a saved register entry at position 5 was changed after it was saved" in out
    if not is_postgres(db):
        assert "another saved row at position 6 was changed after it was saved" in out
    assert answers(capsys, db) == truth


def _tracking(db: str) -> str:
    """The follower's tracking table (PostgreSQL: the projection's, in the ledger's schema)."""
    return f'"{schema_of(db)}".registers_tracking' if is_postgres(db) else "tracking"


def test_a_follower_whose_tracking_position_was_moved_ahead_misses_no_fact(
    new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """The follower's position says it has followed a fact it never applied (a wrong backup of
    its tracking table): it reads the fact it missed, and what it saves is the facts' answer."""
    db = new_setting(capsys, new_db)
    follow(capsys, db)
    record(capsys, db, WITHDRAW)
    with raw(db) as conn:
        column = "notification_id" if is_postgres(db) else "rowid"
        latest = conn.execute(f"SELECT max({column}) FROM {{events}}")[0][0]
        conn.execute(
            f"UPDATE {_tracking(db)} SET notification_id = ? WHERE application_name = ?",
            (latest, "ledger"),
        )
        moved = conn.execute(f"SELECT max(notification_id) FROM {_tracking(db)}")
        assert moved[0][0] == latest  # it says it has followed the withdrawal
    record(capsys, db, concern(2))
    follow(capsys, db)
    head = where_it_stands(db)[0]
    registers, _ = the_facts_say(db)
    with opened(db) as ledger:
        assert ledger.saved_position() == head  # the follower saved at the head...
        saved = ledger._saved_registers(None)
        assert saved is not None and reg.to_bytes(saved) == registers  # ...the facts' registers
    assert "consent-missing" in check(capsys, db, *ASK).out


# --- the property: no foreign cache changes any answer -------------------------------------------

CHILDREN = ("C-0001", "C-0002")


def _base() -> list[ev.Event]:
    on = dt.date(2026, 9, 1)
    out: list[ev.Event] = [
        ev.PersonJoined(on=on, person="S-0001", name="Staff One", kind="staff"),
        ev.RoleAssigned(on=on, person="S-0001", role="manager"),
        ev.DeviceRegistered(on=on, device="T-01"),
    ]
    for number, child in enumerate(CHILDREN, start=1):
        guardian = f"G-{number:04d}"
        out += [
            ev.ChildEnrolled(on=on, child=child, name=f"Child {number}"),
            ev.GuardianLinked(on=on, guardian=guardian, name=f"Parent {number}", child=child),
            ev.MemberAdmitted(on=on, member=guardian),
        ]
    return out


@st.composite
def histories(draw: st.DrawFn) -> list[list[ev.Event]]:
    """Writes of facts: consents granted and withdrawn, concerns raised (some refused: those
    are left out when recorded)."""
    writes: list[list[ev.Event]] = []
    for _ in range(draw(st.integers(0, 4))):
        write: list[ev.Event] = []
        for _ in range(draw(st.integers(1, 3))):
            on = dt.date(2026, 10, 1) + dt.timedelta(days=draw(st.integers(0, 200)))
            number = draw(st.integers(1, len(CHILDREN)))
            child, guardian = CHILDREN[number - 1], f"G-{number:04d}"
            kind = draw(st.sampled_from(["grant", "withdraw", "concern"]))
            if kind == "grant":
                write.append(
                    ev.ConsentGranted(
                        on=on,
                        child=child,
                        guardian=guardian,
                        channel="closed-group",
                        evidence=f"F-{draw(st.integers(1, 99))}",
                        method="paper",
                    )
                )
            elif kind == "withdraw":
                write.append(
                    ev.ConsentWithdrawn(
                        on=on, child=child, guardian=guardian, channel="closed-group"
                    )
                )
            else:
                write.append(
                    ev.ConcernRaised(
                        on=on,
                        concern=f"K-{draw(st.integers(1, 9999)):04d}",
                        category="critical-discussion",
                    )
                )
        writes.append(write)
    return writes


def _record(ledger: store.Ledger, signer: Signer, writes: list[list[ev.Event]]) -> None:
    for write in writes:
        for fact in write:  # one at a time: a refused fact is left out
            with contextlib.suppress(Refused, store.NothingToRecord):
                ledger.record([fact], signer, fixed_clock)


def _save_everything(ledger: store.Ledger) -> None:
    ledger.save_registers(ledger.registers())
    ledger.save_site_data(ledger.site_data(DAY))


def _every_answer(ledger: store.Ledger) -> tuple[Any, ...]:
    wanted = reg.post_entries("closed-group", "G-0001", list(CHILDREN), "T-01")
    partial = ledger.registers_for(wanted)
    return (
        reg.to_bytes(ledger.registers()),
        ledger.site_data(DAY),
        [getattr(partial, section).get(name) for section, name in wanted],
    )


def _no_cache_answer(ledger: store.Ledger) -> tuple[Any, ...]:
    registers = reg.rebuild(ledger.facts())
    wanted = reg.post_entries("closed-group", "G-0001", list(CHILDREN), "T-01")
    return (
        reg.to_bytes(registers),
        sitedata.compute(registers, ledger.profile, DAY),
        [getattr(registers, section).get(name) for section, name in wanted],
    )


@pytest.mark.parametrize("store_name", STORES)
@settings(
    max_examples=8,  # each example builds and forks a ledger
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(common=histories(), mine=histories(), theirs=histories(), own_saved=st.booleans())
def test_no_foreign_cache_changes_any_answer(
    store_name: str,
    common: list[list[ev.Event]],
    mine: list[list[ev.Event]],
    theirs: list[list[ev.Event]],
    own_saved: bool,
) -> None:
    """For any history, and the caches of any other history forked from it swapped in, every
    answer is the one the facts give with no cache at all."""
    if store_name == "postgres":
        postgres_base()
    with (
        fresh_db(store_name) as db,
        tempfile.TemporaryDirectory(prefix="ledger-caches-") as folder,
    ):
        config = config_for(db, Path(folder))
        ledger = new_ledger(config)
        signer = Signer.generate("policy-ledger")
        ledger.create("Test", "south-woodham-preschool", signer, fixed_clock)
        ledger.record(_base(), signer, fixed_clock)
        _record(ledger, signer, common)
        facts, stream, signed = ledger.head(), ledger.stream, ledger.checkpoint_stream
        checkpoints = sum(1 for _ in ledger.checkpoints())
        _record(ledger, signer, theirs)
        _save_everything(ledger)
        foreign = saved_rows(db)
        ledger.close()

        cut_back(db, facts, checkpoints, stream, signed)
        ledger = store.Ledger(config)
        _record(ledger, signer, mine)
        if own_saved:
            _save_everything(ledger)
        ledger.close()
        put_saved(db, foreign)

        ledger = store.Ledger(config)
        try:
            assert _every_answer(ledger) == _no_cache_answer(ledger)
            faults = ledger.cache_faults()
            # A foreign cache is named unless it is this history's own (the same facts).
            if not faults:
                assert reg.to_bytes(ledger.registers()) == _no_cache_answer(ledger)[0]
        finally:
            ledger.close()


# --- the pieces on their own ----------------------------------------------------------------------


def _checkpoint_row(facts: int, sequence: int) -> tuple[bytes, caches.Head]:
    import hashlib

    from ledger import integrity, merkle

    tree = merkle.Frontier()
    leaves = b"".join(hashlib.sha256(n.to_bytes(4, "big")).digest() for n in range(facts))
    tree.extend(leaves)
    record = integrity.sign_checkpoint(
        tree, leaves, Signer.generate("policy-ledger"), fixed_clock(), origin="o", sequence=sequence
    )
    state = integrity.to_stored(uuid.uuid4(), record).state
    return state, caches.Head(facts, sequence, tree.root())


@pytest.mark.parametrize("facts", [1, 2, 1000, 40_000])
def test_the_head_a_checkpoint_signs_is_read_from_its_first_bytes(facts: int) -> None:
    state, head = _checkpoint_row(facts, 7)
    assert caches.head_of_checkpoint(state[: caches.CHECKPOINT_PREFIX], 7) == head
    assert caches.head_of_checkpoint(state[: caches.CHECKPOINT_PREFIX], 8) is None
    # Cut anywhere in its sequence, size or note: no head, never a wrong one.
    for cut in range(0, 120):
        assert caches.head_of_checkpoint(state[:cut], 7) in (None, head)


@given(st.binary(max_size=300), st.integers(0, 2**64))
def test_hostile_bytes_never_give_a_head_nor_raise(data: bytes, sequence: int) -> None:
    head = caches.head_of_checkpoint(data, sequence)
    assert head is None or head.sequence == sequence


@given(st.binary(max_size=200), st.integers(1, 50), st.binary(max_size=64))
def test_a_bound_cache_opens_only_where_and_for_what_it_was_bound(
    content: bytes, size: int, other: bytes
) -> None:
    head = caches.Head(size, 3, bytes(32))
    state = caches.bind(head, content)
    heads: dict[int, caches.Head] = {3: head}
    elsewhere: dict[int, caches.Head] = {3: caches.Head(size, 3, b"\x01" * 32)}
    assert caches.unbind(state, size, heads.get) == content
    assert caches.unbind(state, size + 1, heads.get) == "moved"
    assert caches.unbind(state, size, elsewhere.get) == "foreign"
    nowhere: dict[int, caches.Head] = {}
    assert caches.unbind(state, size, nowhere.get) == "foreign"
    assert caches.unbind(content, size, heads.get) in ("unbound", "altered", "moved", "foreign")
    if other != content:
        forged = state[: len(state) - len(content)] + other
        assert caches.unbind(forged, size, heads.get) == "altered"
    checker = caches.Checker(heads.get)  # verify's way: the same verdict on every row
    assert checker.fault(state, size) is None
    assert checker.fault(state, size + 1) == "moved"
    for place in range(len(state)):  # any one byte changed: it never opens
        changed = bytearray(state)
        changed[place] ^= 0x01
        opened = caches.unbind(bytes(changed), size, heads.get)
        assert checker.fault(bytes(changed), size) == opened
        assert caches.unbind(bytes(changed), size, heads.get) in (
            "unbound",
            "altered",
            "moved",
            "foreign",
        )
