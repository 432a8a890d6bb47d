"""The audit trail for inspectors and parents: verifiable, replayable, forgettable.

- any mutation of the stored rows (a flipped bit in a stored fact, a deleted, duplicated,
  inserted or reordered row, a truncated tail, an edited checkpoint), in the SQLite file or in
  the PostgreSQL schema's tables, makes ``verify`` fail, and no mutation passes;
- export then replay gives the same findings and root as the ledger, as of any day and as known
  at any moment, and a one-character edit of the export makes replay exit 1;
- a consent receipt checks offline, and any one-character edit of it fails;
- after ``forget``, the name is in no byte of the database (its SQLite file and WAL, or any row
  of its PostgreSQL schema), the key store or an export; the tree still verifies, the findings
  are unchanged, and readers show ``[forgotten]``.

Every ledger here is made in each store (the ``store`` parameter); the inspector's side (replay,
receipt and proof checks) reads only files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import hypothesis.strategies as st
import msgspec
import pytest
from hypothesis import assume, given, settings

from ledger import events as ev
from ledger import integrity
from ledger import store as ledger_store
from ledger.cli import main
from ledger.demo import generate
from ledger.integrity import Signer
from ledger.profile import load as load_profile
from ledger.store import Config, Ledger
from projections import findings as fnd
from tests.conftest import (
    NOW,
    STORES,
    config_for,
    fresh_db,
    is_postgres,
    new_ledger,
    raw,
    stored_bytes,
)
from tests.test_privacy_and_refusals import pinned_now, run

NAME = "Philippa Quenby-Zouch"


class Place(NamedTuple):
    """A test ledger: its database (a SQLite path or a PostgreSQL URL) and its folder (the key
    files, and the current folder of every command run on it)."""

    db: str
    folder: Path

    def config(self) -> Config:
        return config_for(self.db, self.folder)

    def open(self) -> Ledger:
        return Ledger(self.config())


def cli(place: Place, *argv: str) -> tuple[int, str]:
    """``ledger --db DB ARGV...`` run in the ledger's folder (where its key is found)."""
    with contextlib.chdir(place.folder):
        return run("--db", place.db, *argv)


@contextlib.contextmanager
def ledger_folder(
    seed: int, writes: int = 3, profile: str = "south-woodham-preschool", store: str = "sqlite"
) -> Iterator[Place]:
    """A realistic ledger recorded in several writes (so there are several checkpoints)."""
    with tempfile.TemporaryDirectory() as tmp, fresh_db(store, Path(tmp)) as db:
        config = config_for(db, Path(tmp))
        ledger = new_ledger(config)
        signer = Signer.generate("policy-ledger")
        created = NOW - dt.timedelta(hours=writes + 2)
        ledger.create("Test Setting", profile, signer, lambda: created)
        signer.save(config.key_path)
        facts = generate(
            load_profile(profile),
            setting="x",
            start=dt.date(2025, 9, 1),
            end=dt.date(2026, 6, 30),
            seed=seed,
            children=10,
        )
        facts = [
            msgspec.structs.replace(f, name=NAME)
            if isinstance(f, ev.ChildEnrolled) and f.child == "C-0001"
            else f  # type: ignore[call-arg]
            for f in facts
        ]
        step = max(1, len(facts) // writes)
        for n, start in enumerate(range(0, len(facts), step)):
            # Each write an hour after the one before (record time is what --known-at reads).
            moment = NOW - dt.timedelta(hours=writes + 1 - n)
            ledger.record(facts[start : start + step], signer, lambda moment=moment: moment)
        ledger.close()
        yield Place(db, Path(tmp))


def verify_status(place: Place) -> tuple[int, str]:
    with pinned_now():
        return cli(place, "verify")


# --- tampering with the database -------------------------------------------------------------
# The same SQL on either store (``tests.conftest.raw``): ``{events}`` is the table of stored
# facts and checkpoints (``stored_events`` in SQLite, ``<schema>.ledger_events`` in PostgreSQL).

MUTATIONS = [
    "flip-bit",
    "delete-row",
    "duplicate-row",
    "insert-row",
    "reorder-rows",
    "truncate-tail",
    "edit-checkpoint",
    "delete-checkpoint",
]


def mutate(db: str, kind: str, data: st.DataObject) -> None:
    with raw(db) as conn:
        ((stream,),) = conn.execute(
            "SELECT originator_id FROM {events} WHERE topic LIKE 'SettingRegistered:%'"
        )
        versions = [
            v
            for (v,) in conn.execute(
                "SELECT originator_version FROM {events} WHERE originator_id=?"
                " ORDER BY originator_version",
                (stream,),
            )
        ]
        head = versions[-1]
        pick = data.draw(st.integers(1, head), label="position")
        copy = (
            "INSERT INTO {events} (originator_id, originator_version, topic, state)"
            " SELECT originator_id, ?, topic, state FROM {events}"
            " WHERE originator_id=? AND originator_version=?"
        )
        if kind == "flip-bit":
            ((state,),) = conn.execute(
                "SELECT state FROM {events} WHERE originator_id=? AND originator_version=?",
                (stream, pick),
            )
            index = data.draw(st.integers(0, len(state) * 8 - 1), label="bit")
            flipped = bytearray(state)
            flipped[index // 8] ^= 1 << (index % 8)
            conn.execute(
                "UPDATE {events} SET state=? WHERE originator_id=? AND originator_version=?",
                (bytes(flipped), stream, pick),
            )
        elif kind == "delete-row":
            conn.execute(
                "DELETE FROM {events} WHERE originator_id=? AND originator_version=?",
                (stream, pick),
            )
        elif kind == "duplicate-row":
            conn.execute(copy, (head + 1, stream, pick))
        elif kind == "insert-row":
            # Shift every fact from `pick` on by one and put a copy of another fact at `pick`.
            conn.execute(
                "UPDATE {events} SET originator_version = -originator_version - 1"
                " WHERE originator_id=? AND originator_version>=?",
                (stream, pick),
            )
            conn.execute(
                "UPDATE {events} SET originator_version = -originator_version"
                " WHERE originator_id=? AND originator_version<?",
                (stream, 0),
            )
            other = 1 if pick != 1 else 2
            conn.execute(copy, (pick, stream, other + (1 if other >= pick else 0)))
        elif kind == "reorder-rows":
            other = data.draw(st.integers(1, head).filter(lambda v: v != pick), label="other")
            rows = {
                v: (t, bytes(s))
                for v, t, s in conn.execute(
                    "SELECT originator_version, topic, state FROM {events}"
                    " WHERE originator_id=? AND originator_version IN (?, ?)",
                    (stream, pick, other),
                )
            }
            assume(rows[pick] != rows[other])
            for mine, theirs in ((pick, other), (other, pick)):
                conn.execute(
                    "UPDATE {events} SET topic=?, state=? WHERE originator_id=?"
                    " AND originator_version=?",
                    (*rows[theirs], stream, mine),
                )
        elif kind == "truncate-tail":
            conn.execute(
                "DELETE FROM {events} WHERE originator_id=? AND originator_version>=?",
                (stream, max(pick, 2)),
            )
        else:
            checkpoints = conn.execute(
                "SELECT originator_id, originator_version, state FROM {events}"
                " WHERE topic='Checkpoint' ORDER BY originator_version"
            )
            origin, version, state = data.draw(st.sampled_from(checkpoints), label="checkpoint")
            if kind == "delete-checkpoint":
                conn.execute(
                    "DELETE FROM {events} WHERE originator_id=? AND originator_version=?",
                    (origin, version),
                )
            else:
                index = data.draw(st.integers(0, len(state) * 8 - 1), label="bit")
                flipped = bytearray(state)
                flipped[index // 8] ^= 1 << (index % 8)
                conn.execute(
                    "UPDATE {events} SET state=? WHERE originator_id=? AND originator_version=?",
                    (bytes(flipped), origin, version),
                )


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("kind", ["none", *MUTATIONS])
@settings(max_examples=max(8, settings.default.max_examples // 2))
@given(seed=st.integers(0, 500), data=st.data())
def test_verify_fails_on_every_mutation_and_passes_without(
    store: str, seed: int, kind: str, data: st.DataObject
) -> None:
    with ledger_folder(seed, store=store) as place:
        if kind == "none":
            status, text = verify_status(place)
            assert status == 0, text
            assert "Intact" in text
            return
        mutate(place.db, kind, data)
        status, text = verify_status(place)
        assert status == 1, f"{kind}: {text}"
        assert "TAMPERED" in text and "position" in text
        assert "Traceback" not in text


@pytest.mark.parametrize("store", STORES)
@settings(max_examples=max(12, settings.default.max_examples // 2))
@given(
    seed=st.integers(0, 500),
    kind=st.sampled_from(["none", *MUTATIONS]),
    data=st.data(),
)
def test_verify_on_two_cores_gives_the_same_verdict(
    store: str, seed: int, kind: str, data: st.DataObject
) -> None:
    """A large ledger's facts after a point are hashed by a second process meanwhile
    (``Ledger.verify``); whatever was done to the rows, the verdict is the one the plain check
    gives (the ledger here is small: the second process is made to help from the first fact)."""
    with ledger_folder(seed, store=store) as place:
        if kind != "none":
            mutate(place.db, kind, data)
        plain = verify_status(place)
        helped: list[bool] = []  # whether the second process's leaves came back
        hashing = ledger_store._hashing_after

        @contextlib.contextmanager
        def watched(*args: Any) -> Iterator[Callable[[], bytes | None]]:
            with hashing(*args) as leaves:
                yield lambda: (got := leaves(), helped.append(got is not None))[0]

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(ledger_store, "PARALLEL_VERIFY_FROM", 0)
            patch.setattr(ledger_store, "_hashing_after", watched)
            assert verify_status(place) == plain, kind
        if kind == "none":
            assert helped == [True]


def _created(db: str, folder: Path) -> tuple[Config, Ledger, Signer, list[ev.Event]]:
    """A new ledger holding only its first fact, and half a year of a setting's facts."""
    config = config_for(db, folder)
    ledger = new_ledger(config)
    signer = Signer.generate("policy-ledger")
    ledger.create("Test", "south-woodham-preschool", signer, lambda: NOW)
    facts = generate(
        load_profile("south-woodham-preschool"),
        setting="x",
        start=dt.date(2025, 9, 1),
        end=dt.date(2026, 3, 31),
        seed=3,
    )
    return config, ledger, signer, facts


def test_the_second_process_hashes_what_the_first_would(ledger_db: str, tmp_path: Path) -> None:
    """Not a silent fallback: the second process's leaves are those of the facts after the
    point; and when it cannot run, the facts are read and checked in this process instead."""
    config, ledger, signer, facts = _created(ledger_db, tmp_path)
    ledger.record(facts, signer, lambda: NOW)
    after = len(facts) // 3
    with ledger_store._hashing_after(config, after) as leaves:
        hashed = leaves()
    assert hashed is not None
    assert hashed == integrity.hash_rows(ledger.rows(after), after)
    assert len(hashed) == (len(facts) + 1 - after) * 32
    verifier = signer.verifier()
    plain = ledger.verify(verifier)
    assert plain.ok and ledger.verify(verifier, after=after) == plain
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "executable", "/bin/false")  # the second process fails at once
        with ledger_store._hashing_after(config, after) as leaves:
            assert leaves() is None
        assert ledger.verify(verifier, after=after) == plain
    ledger.close()


@pytest.mark.parametrize("after", [None, 40])
def test_a_write_landing_during_verify_is_not_called_tampering(
    ledger_db: str, tmp_path: Path, after: int | None
) -> None:
    """The checkpoints are read before the facts: another writer's facts and checkpoint,
    committed in between, are checked with their checkpoint, not named as covered by none.
    Without checking again (``VERIFY_AGAIN`` 0) the same race gives that false alarm."""
    config, ledger, signer, facts = _created(ledger_db, tmp_path)
    writes = [facts[: len(facts) // 2], facts[len(facts) // 2 : -3], facts[-3:]]
    ledger.record(writes[0], signer, lambda: NOW)
    other = new_ledger(config)  # the other writer, on its own connection
    pending = list(writes[1:])
    checkpoint_rows = ledger.checkpoint_rows

    def racing() -> Iterator[integrity.Row]:
        rows = list(checkpoint_rows())  # the checkpoints are read...
        if pending:
            other.record(pending.pop(0), signer, lambda: NOW)  # ...then a write lands
        return iter(rows)

    verifier = signer.verifier()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ledger, "checkpoint_rows", racing)
        patch.setattr(ledger_store, "VERIFY_AGAIN", 0)
        alarm = ledger.verify(verifier, after=after)
        assert not alarm.ok and "not covered by any signed checkpoint" in (alarm.problem or "")
        patch.setattr(ledger_store, "VERIFY_AGAIN", 3)
        verdict = ledger.verify(verifier, after=after)
    assert not pending
    assert verdict == ledger.verify(verifier) and verdict.ok
    assert verdict.size == len(facts) + 1 and verdict.checkpoints == 4  # and the first fact's
    other.close()
    ledger.close()


# --- export and replay -----------------------------------------------------------------------


def export(place: Place) -> str:
    with pinned_now():
        status, text = cli(place, "export")
    assert status == 0
    return text


def replay_json(path: Path, *extra: str) -> tuple[int, str]:
    with pinned_now():
        return run("replay", str(path), "--json", *extra)


@pytest.mark.parametrize("store", STORES)
@settings(max_examples=max(5, settings.default.max_examples // 3))
@given(
    seed=st.integers(0, 500),
    days=st.lists(st.dates(dt.date(2025, 9, 1), dt.date(2027, 6, 1)), min_size=1, max_size=3),
)
def test_export_then_replay_gives_the_ledgers_findings_and_root(
    store: str, seed: int, days: list[dt.date]
) -> None:
    with ledger_folder(seed, store=store) as place:
        trail = place.folder / "trail.jsonl"
        trail.write_text(export(place))
        vkey = Signer.load(place.config().key_path).verifier_key()
        ledger = place.open()
        registers = ledger.registers()
        profile = ledger.profile
        last = integrity.decode_record(list(ledger.checkpoints())[-1].state)
        for day in days:
            status, text = replay_json(trail, "--as-of", day.isoformat(), "--key", vkey)
            assert status == 0, text
            answer = json.loads(text)
            mine = msgspec.json.decode(msgspec.json.encode(fnd.evaluate(registers, profile, day)))
            assert answer["findings"] == mine
            assert answer["head"]["size"] == last.size == ledger.head()
            assert answer["head"]["checkpoint"] == last.note
        # Known at the time of the first write: only what that write held.
        checkpoints = [integrity.decode_record(c.state) for c in ledger.checkpoints()]
        first_write = checkpoints[1]
        status, text = replay_json(
            trail, "--known-at", first_write.signed_at.isoformat(), "--key", vkey
        )
        assert status == 0, text
        assert json.loads(text)["facts_judged"] == first_write.size
        ledger.close()


@pytest.fixture(scope="module", params=STORES)
def exported_trail(request: pytest.FixtureRequest) -> Iterator[tuple[str, Path, str]]:
    """An export of a ledger in each store (the replay that checks it reads only the file),
    and the setting's published key (the replay is given it, never trusts the file's)."""
    with ledger_folder(11, writes=2, store=request.param) as place:
        text = export(place)
        vkey = Signer.load(place.config().key_path).verifier_key()
        folder = Path(tempfile.mkdtemp())
        yield text, folder, vkey


@settings(max_examples=max(30, settings.default.max_examples * 4))
@given(
    where=st.floats(0, 1, exclude_max=True),
    char=st.characters(codec="utf-8"),
)
def test_a_one_character_edit_of_an_export_makes_replay_fail(
    exported_trail: tuple[str, Path, str], where: float, char: str
) -> None:
    # Any character, line ends and spaces included: the trail is read byte for byte as the
    # ledger wrote it (the README says so), so a line end turned into \r\n fails too.
    text, folder, vkey = exported_trail
    index = int(where * len(text))
    assume(text[index] != char)
    edited = text[:index] + char + text[index + 1 :]
    path = folder / "edited.jsonl"
    path.write_bytes(edited.encode())
    with pinned_now():
        status, out = run("replay", str(path), "--key", vkey)
    assert status == 1, (
        f"an edit at {index} ({text[max(0, index - 20) : index + 20]!r} -> {char!r}) passed"
    )
    assert "NOT VERIFIED" in out and "Traceback" not in out


def test_replay_of_an_untouched_export_passes(exported_trail: tuple[str, Path, str]) -> None:
    text, folder, vkey = exported_trail
    path = folder / "untouched.jsonl"
    path.write_text(text)
    with pinned_now():
        status, out = run("replay", str(path), "--key", vkey)
    assert status == 0, out
    assert out.startswith("Verified:")
    assert f"Checked against the key supplied, {vkey}." in out


def test_replay_refuses_a_trail_signed_by_another_key(
    exported_trail: tuple[str, Path, str],
) -> None:
    text, folder, _vkey = exported_trail
    path = folder / "trail.jsonl"
    path.write_text(text)
    other = Signer.generate("policy-ledger").verifier_key()
    with pinned_now():
        status, out = run("replay", str(path), "--key", other)
    assert status == 1
    assert "NOT VERIFIED" in out and "not by the key supplied" in out


# --- receipts ----------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=STORES)
def receipt(request: pytest.FixtureRequest) -> Iterator[tuple[bytes, Path, str]]:
    """A consent receipt from a ledger in each store (its check reads only the file), and the
    setting's published key (the check is given it)."""
    with ledger_folder(5, writes=2, store=request.param) as place, pinned_now():
        found = None
        for n in range(1, 11):
            status, out = cli(place, "receipt", f"C-{n:04d}")
            if status == 0:
                found = out.encode()
                break
        assert found is not None, "no child with consent in the test ledger"
        vkey = Signer.load(place.config().key_path).verifier_key()
        yield found, Path(tempfile.mkdtemp()), vkey


def test_a_receipt_checks_offline(receipt: tuple[bytes, Path, str]) -> None:
    data, folder, vkey = receipt
    path = folder / "receipt.json"
    path.write_bytes(data)
    with pinned_now():
        status, out = run("receipt", "--check", str(path), "--key", vkey)
    assert status == 0, out
    assert "consent granted for C-" in out


@settings(max_examples=max(20, settings.default.max_examples * 2))
@given(where=st.floats(0, 1, exclude_max=True), char=st.sampled_from(list('abcXYZ019"{}:,=+/-')))
def test_any_edit_of_a_receipt_fails_its_check(
    receipt: tuple[bytes, Path, str], where: float, char: str
) -> None:
    data, folder, vkey = receipt
    text = data.decode()
    index = int(where * len(text))
    assume(text[index] not in "\n" and text[index] != char)
    path = folder / "edited-receipt.json"
    path.write_text(text[:index] + char + text[index + 1 :])
    with pinned_now():
        status, _out = run("receipt", "--check", str(path), "--key", vkey)
    assert status == 1, f"edit at {index}: {text[max(0, index - 20) : index + 20]!r} -> {char!r}"


# --- forgetting ----------------------------------------------------------------------------


@pytest.mark.parametrize("store", STORES)
def test_forget_leaves_no_trace_of_the_name_and_keeps_the_tree_and_findings(store: str) -> None:
    with ledger_folder(21, store=store) as place, pinned_now():
        before_export = export(place)
        assert NAME in before_export  # the name was readable before
        status, before_findings = cli(place, "findings", "--json")
        assert status == 0
        status, out = cli(place, "forget", "C-0001")
        assert status == 0, out
        after_export = export(place)
        status, after_findings = cli(place, "findings", "--json")
        assert after_findings == before_findings
        status, out = cli(place, "verify")
        assert status == 0, out
        status, access = cli(place, "subject", "C-0001")
        assert "[forgotten]" in access and "has been forgotten" in access
        trail = place.folder / "after.jsonl"
        trail.write_text(after_export)
        vkey = Signer.load(place.config().key_path).verifier_key()
        status, out = run("replay", str(trail), "--key", vkey)
        assert status == 0, out
        for audience in ("committee", "public"):
            status, out = cli(
                place,
                "site",
                "build",
                "--out",
                str(place.folder / audience),
                "--audience",
                audience,
            )
            assert status == 0, out
        needles = [NAME.encode(), NAME.encode("utf-16-le"), NAME.split()[1].encode()]
        # Every file: the SQLite database and its WAL, the key store, the export, the sites.
        files = [p for p in place.folder.rglob("*") if p.is_file()]
        assert any(p.name.endswith(".keys") for p in files)
        for path in files:
            data = path.read_bytes()
            for needle in needles:
                assert needle not in data, f"{path.name} still holds the name"
        if is_postgres(place.db):
            # Every value in every row of the schema's tables (facts, checkpoints, registers).
            values = stored_bytes(place.db)
            assert len(values) > 100
            for value in values:
                for needle in needles:
                    assert needle not in value, "a row of the PostgreSQL schema holds the name"
        # And forgetting again says so without changing anything.
        status, out = cli(place, "forget", "C-0001")
        assert status == 2 and "already forgotten" in out


@pytest.mark.parametrize("store", STORES)
def test_nothing_new_can_be_recorded_under_a_forgotten_reference(store: str) -> None:
    with ledger_folder(22, store=store) as place, pinned_now():
        assert cli(place, "forget", "C-0001")[0] == 0
        status, _out = cli(place, "child", "enrol", "--child", "C-0001", "--name", "Someone New")
        assert status == 2


@pytest.mark.parametrize("store", STORES)
def test_forget_refuses_an_unknown_reference(store: str) -> None:
    with ledger_folder(23, store=store) as place, pinned_now():
        status, out = cli(place, "forget", "C-9999")
        assert status == 2 and "unknown" in out
        status, out = cli(place, "forget", "Jane")
        assert status == 2 and "Jane" not in out


@pytest.mark.parametrize("store", STORES)
def test_import_cannot_claim_a_forgetting(store: str) -> None:
    with ledger_folder(24, store=store) as place, pinned_now():
        path = place.folder / "forget.jsonl"
        path.write_text(
            json.dumps({"type": "SubjectForgotten", "on": "2026-01-01", "subject": "C-0001"}) + "\n"
        )
        status, out = cli(place, "import", str(path))
        assert status == 2 and "ledger forget" in out


# --- subject access and retention ------------------------------------------------------------


@pytest.mark.parametrize("store", STORES)
def test_subject_access_lists_every_fact_about_a_person(store: str) -> None:
    with ledger_folder(31, store=store) as place, pinned_now():
        status, out = cli(place, "subject", "C-0001", "--json")
        assert status == 0
        held = json.loads(out)
        assert held["subject"] == "C-0001" and held["forgotten"] is False
        kinds = {fact["type"] for fact in held["facts"]}
        assert "ChildEnrolled" in kinds and "GuardianLinked" in kinds
        assert any(fact.get("name") == NAME for fact in held["facts"])
        assert all("C-0001" in json.dumps(fact) for fact in held["facts"])
        status, text = cli(place, "subject", "C-0001")
        assert status == 0 and NAME in text  # the person's own copy shows their name
        # Counted in words (issue 15, item 8): "3 facts:", never "3 fact(s):".
        assert f"\n{len(held['facts'])} facts:\n" in text and "(s)" not in text, text


@pytest.mark.parametrize("store", STORES)
def test_retention_lists_who_is_due(store: str) -> None:
    with ledger_folder(32, store=store) as place:
        old = io.StringIO()
        with pinned_now():
            status, out = cli(place, "retention", "--json")
        assert status == 0 and json.loads(out) == []  # nobody has been gone three years
        with contextlib.redirect_stdout(old), contextlib.chdir(place.folder):
            os.environ["LEDGER_NOW"] = "2030-09-01T12:00:00+00:00"
            try:
                status = main(["--db", place.db, "retention", "--json"])
            finally:
                os.environ["LEDGER_NOW"] = NOW.isoformat()
        due = json.loads(old.getvalue())
        assert status == 0 and due
        assert {d["subject"][:2] for d in due} >= {"C-"}
        for d in due:
            assert d["since"] <= "2030-09-01"


# --- consistency with a checkpoint published earlier -----------------------------------------


def _last_note(place: Place) -> str:
    ledger = place.open()
    note = integrity.decode_record(list(ledger.checkpoints())[-1].state).note
    ledger.close()
    return note


@pytest.mark.parametrize("store", STORES)
def test_cutting_the_last_write_and_its_checkpoint_is_caught_by_a_published_checkpoint(
    store: str,
) -> None:
    with ledger_folder(41, store=store) as place, pinned_now():
        published = place.folder / "published.txt"
        published.write_text(_last_note(place))
        with raw(place.db) as conn:
            ((state,),) = conn.execute(
                "SELECT state FROM {events} WHERE topic='Checkpoint'"
                " ORDER BY originator_version DESC LIMIT 1"
            )
            last = integrity.decode_record(bytes(state))
            conn.execute(
                "DELETE FROM {events} WHERE topic='Checkpoint' AND originator_version=?",
                (last.sequence,),
            )
            conn.execute(
                "DELETE FROM {events} WHERE topic != 'Checkpoint' AND originator_version>=?",
                (last.first,),
            )
        # The person index still lists the cut facts: verify names it.
        status, out = cli(place, "verify")
        assert status == 1 and "person index says it covers" in out, out
        with raw(place.db) as conn:  # a careful forger cuts the index too
            conn.execute("DELETE FROM {people} WHERE position >= ?", (last.first,))
        # On its own the shortened ledger is then consistent: only an earlier copy can tell.
        assert cli(place, "verify")[0] == 0
        vkey = Signer.load(place.config().key_path).verifier_key()
        status, out = cli(place, "verify", "--published", str(published), "--key", vkey)
        assert status == 1 and "TAMPERED" in out


@pytest.mark.parametrize("store", STORES)
def test_a_consistency_proof_checks_offline_and_fails_when_edited(store: str) -> None:
    with ledger_folder(42, writes=4, store=store) as place, pinned_now():
        ledger = place.open()
        notes = [integrity.decode_record(c.state).note for c in ledger.checkpoints()]
        ledger.close()
        old = place.folder / "old.txt"
        vkey = Signer.load(place.config().key_path).verifier_key()
        for note in notes[1:]:
            old.write_text(note)
            status, out = cli(place, "consistency", str(old))
            assert status == 0, out
            proof = place.folder / "proof.json"
            proof.write_text(out)
            status, text = run("consistency", "--check", str(proof), "--key", vkey)
            assert status == 0, text
            data = json.loads(out)
            if data["proof"]:
                first = data["proof"][0]
                data["proof"][0] = ("0" if first[0] != "0" else "1") + first[1:]
                # Written as the ledger writes it, so that only the hash is wrong.
                proof.write_bytes(msgspec.json.encode(data))
                status, text = run("consistency", "--check", str(proof), "--key", vkey)
                assert status == 1 and "does not extend" in text, text


def test_a_consistency_proof_over_a_damaged_checkpoint_row_is_tampered_not_a_crash(
    store: str,
) -> None:
    """``ledger consistency`` reads the stored leaf hashes a checkpoint row at a time: a row
    (not the latest) that does not decode, or whose leaves do not give the newest checkpoint's
    tree, is TAMPERED (exit 1); it was an unexpected error (exit 70)."""
    with ledger_folder(42, writes=4, store=store) as place, pinned_now():
        ledger = place.open()
        notes = [integrity.decode_record(c.state).note for c in ledger.checkpoints()]
        ledger.close()
        old = place.folder / "old.txt"
        old.write_text(notes[1])
        status, out = cli(place, "consistency", str(old))
        assert status == 0, out  # the honest ledger proves it
        with raw(place.db) as conn:
            conn.execute(
                "UPDATE {events} SET state = ? WHERE topic LIKE '%heckpoint%'"
                " AND originator_version = 3",
                (b"\xc1 not a checkpoint",),
            )
        status, out = cli(place, "consistency", str(old))
        assert status == 1 and "TAMPERED" in out and "unexpected" not in out, out
