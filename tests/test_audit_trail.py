"""The audit trail for inspectors and parents: verifiable, replayable, forgettable.

- any mutation of the SQLite file (a flipped bit in a stored fact, a deleted, duplicated,
  inserted or reordered row, a truncated tail, an edited checkpoint) makes ``verify`` fail, and
  no mutation passes;
- export then replay gives the same findings and root as the ledger, as of any day and as known
  at any moment, and a one-character edit of the export makes replay exit 1;
- a consent receipt checks offline, and any one-character edit of it fails;
- after ``forget``, the name is in no byte of the database, its WAL, the key store or an export;
  the tree still verifies, the findings are unchanged, and readers show ``[forgotten]``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import hypothesis.strategies as st
import msgspec
import pytest
from hypothesis import assume, given, settings

from ledger import events as ev
from ledger import integrity
from ledger.cli import main
from ledger.demo import generate
from ledger.integrity import Signer
from ledger.profile import load as load_profile
from ledger.store import Config, Ledger
from projections import findings as fnd
from tests.conftest import NOW
from tests.test_privacy_and_refusals import pinned_now, run

NAME = "Philippa Quenby-Zouch"


@contextlib.contextmanager
def ledger_folder(
    seed: int, writes: int = 3, profile: str = "south-woodham-preschool"
) -> Iterator[Path]:
    """A realistic ledger recorded in several writes (so there are several checkpoints)."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "ledger.db"
        config = Config(db=str(db), key_path=Path(tmp) / "ledger.db.key")
        ledger = Ledger(config, create=True)
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
        yield db


def verify_status(db: Path) -> tuple[int, str]:
    with pinned_now():
        return run("--db", str(db), "verify")


# --- tampering with the database -------------------------------------------------------------

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


def mutate(db: Path, kind: str, data: st.DataObject) -> None:
    conn = sqlite3.connect(db)
    try:
        stream = conn.execute(
            "SELECT originator_id FROM stored_events WHERE topic LIKE 'SettingRegistered:%'"
        ).fetchone()[0]
        versions = [
            v
            for (v,) in conn.execute(
                "SELECT originator_version FROM stored_events WHERE originator_id=?"
                " ORDER BY originator_version",
                (stream,),
            )
        ]
        head = versions[-1]
        pick = data.draw(st.integers(1, head), label="position")
        if kind == "flip-bit":
            (state,) = conn.execute(
                "SELECT state FROM stored_events WHERE originator_id=? AND originator_version=?",
                (stream, pick),
            ).fetchone()
            index = data.draw(st.integers(0, len(state) * 8 - 1), label="bit")
            flipped = bytearray(state)
            flipped[index // 8] ^= 1 << (index % 8)
            conn.execute(
                "UPDATE stored_events SET state=? WHERE originator_id=? AND originator_version=?",
                (bytes(flipped), stream, pick),
            )
        elif kind == "delete-row":
            conn.execute(
                "DELETE FROM stored_events WHERE originator_id=? AND originator_version=?",
                (stream, pick),
            )
        elif kind == "duplicate-row":
            conn.execute(
                "INSERT INTO stored_events SELECT originator_id, ?, topic, state FROM stored_events"
                " WHERE originator_id=? AND originator_version=?",
                (head + 1, stream, pick),
            )
        elif kind == "insert-row":
            # Shift every fact from `pick` on by one and put a copy of another fact at `pick`.
            conn.execute(
                "UPDATE stored_events SET originator_version = -originator_version - 1"
                " WHERE originator_id=? AND originator_version>=?",
                (stream, pick),
            )
            conn.execute(
                "UPDATE stored_events SET originator_version = -originator_version"
                " WHERE originator_id=? AND originator_version<0",
                (stream,),
            )
            other = 1 if pick != 1 else 2
            conn.execute(
                "INSERT INTO stored_events SELECT originator_id, ?, topic, state FROM stored_events"
                " WHERE originator_id=? AND originator_version=?",
                (pick, stream, other + (1 if other >= pick else 0)),
            )
        elif kind == "reorder-rows":
            other = data.draw(st.integers(1, head).filter(lambda v: v != pick), label="other")
            rows = {
                v: (t, s)
                for v, t, s in conn.execute(
                    "SELECT originator_version, topic, state FROM stored_events"
                    " WHERE originator_id=? AND originator_version IN (?, ?)",
                    (stream, pick, other),
                )
            }
            assume(rows[pick] != rows[other])
            for mine, theirs in ((pick, other), (other, pick)):
                conn.execute(
                    "UPDATE stored_events SET topic=?, state=? WHERE originator_id=?"
                    " AND originator_version=?",
                    (*rows[theirs], stream, mine),
                )
        elif kind == "truncate-tail":
            conn.execute(
                "DELETE FROM stored_events WHERE originator_id=? AND originator_version>=?",
                (stream, max(pick, 2)),
            )
        else:
            checkpoints = [
                (o, v, s)
                for o, v, s in conn.execute(
                    "SELECT originator_id, originator_version, state FROM stored_events"
                    " WHERE topic='Checkpoint'"
                )
            ]
            origin, version, state = data.draw(st.sampled_from(checkpoints), label="checkpoint")
            if kind == "delete-checkpoint":
                conn.execute(
                    "DELETE FROM stored_events WHERE originator_id=? AND originator_version=?",
                    (origin, version),
                )
            else:
                index = data.draw(st.integers(0, len(state) * 8 - 1), label="bit")
                flipped = bytearray(state)
                flipped[index // 8] ^= 1 << (index % 8)
                conn.execute(
                    "UPDATE stored_events SET state=?"
                    " WHERE originator_id=? AND originator_version=?",
                    (bytes(flipped), origin, version),
                )
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize("kind", ["none", *MUTATIONS])
@settings(max_examples=max(8, settings.default.max_examples // 2))
@given(seed=st.integers(0, 500), data=st.data())
def test_verify_fails_on_every_mutation_and_passes_without(
    seed: int, kind: str, data: st.DataObject
) -> None:
    with ledger_folder(seed) as db:
        if kind == "none":
            status, text = verify_status(db)
            assert status == 0, text
            assert "Intact" in text
            return
        mutate(db, kind, data)
        status, text = verify_status(db)
        assert status == 1, f"{kind}: {text}"
        assert "TAMPERED" in text and "position" in text
        assert "Traceback" not in text


# --- export and replay -----------------------------------------------------------------------


def export(db: Path) -> str:
    with pinned_now():
        status, text = run("--db", str(db), "export")
    assert status == 0
    return text


def replay_json(path: Path, *extra: str) -> tuple[int, str]:
    with pinned_now():
        return run("replay", str(path), "--json", *extra)


@settings(max_examples=max(5, settings.default.max_examples // 3))
@given(
    seed=st.integers(0, 500),
    days=st.lists(st.dates(dt.date(2025, 9, 1), dt.date(2027, 6, 1)), min_size=1, max_size=3),
)
def test_export_then_replay_gives_the_ledgers_findings_and_root(
    seed: int, days: list[dt.date]
) -> None:
    with ledger_folder(seed) as db:
        trail = db.parent / "trail.jsonl"
        trail.write_text(export(db))
        vkey = Signer.load(db.parent / "ledger.db.key").verifier_key()
        ledger = Ledger(Config(db=str(db), key_path=db.parent / "ledger.db.key"))
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
        status, text = replay_json(trail, "--known-at", first_write.signed_at.isoformat())
        assert status == 0
        assert json.loads(text)["facts_judged"] == first_write.size
        ledger.close()


@pytest.fixture(scope="module")
def exported_trail() -> Iterator[tuple[str, Path]]:
    with ledger_folder(11, writes=2) as db:
        text = export(db)
        folder = Path(tempfile.mkdtemp())
        yield text, folder


@settings(max_examples=max(30, settings.default.max_examples * 4))
@given(
    where=st.floats(0, 1, exclude_max=True),
    char=st.characters(codec="utf-8", exclude_characters="\n\r"),
)
def test_a_one_character_edit_of_an_export_makes_replay_fail(
    exported_trail: tuple[str, Path], where: float, char: str
) -> None:
    text, folder = exported_trail
    index = int(where * len(text))
    assume(text[index] not in "\n" and text[index] != char)
    edited = text[:index] + char + text[index + 1 :]
    path = folder / "edited.jsonl"
    path.write_text(edited)
    with pinned_now():
        status, out = run("replay", str(path))
    assert status == 1, (
        f"an edit at {index} ({text[max(0, index - 20) : index + 20]!r} -> {char!r}) passed"
    )
    assert "NOT VERIFIED" in out and "Traceback" not in out


def test_replay_of_an_untouched_export_passes(exported_trail: tuple[str, Path]) -> None:
    text, folder = exported_trail
    path = folder / "untouched.jsonl"
    path.write_text(text)
    with pinned_now():
        status, out = run("replay", str(path))
    assert status == 0, out
    assert out.startswith("Verified:")


def test_replay_refuses_a_trail_signed_by_another_key(exported_trail: tuple[str, Path]) -> None:
    text, folder = exported_trail
    path = folder / "trail.jsonl"
    path.write_text(text)
    other = Signer.generate("policy-ledger").verifier_key()
    with pinned_now():
        status, out = run("replay", str(path), "--key", other)
    assert status == 1
    assert "another public key" in out or "not signed" in out


# --- receipts ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def receipt() -> Iterator[tuple[bytes, Path]]:
    with ledger_folder(5, writes=2) as db, pinned_now():
        found = None
        for n in range(1, 11):
            status, out = run("--db", str(db), "receipt", f"C-{n:04d}")
            if status == 0:
                found = out.encode()
                break
        assert found is not None, "no child with consent in the test ledger"
        yield found, Path(tempfile.mkdtemp())


def test_a_receipt_checks_offline(receipt: tuple[bytes, Path]) -> None:
    data, folder = receipt
    path = folder / "receipt.json"
    path.write_bytes(data)
    with pinned_now():
        status, out = run("receipt", "--check", str(path))
    assert status == 0, out
    assert "consent granted for C-" in out


@settings(max_examples=max(20, settings.default.max_examples * 2))
@given(where=st.floats(0, 1, exclude_max=True), char=st.sampled_from(list('abcXYZ019"{}:,=+/-')))
def test_any_edit_of_a_receipt_fails_its_check(
    receipt: tuple[bytes, Path], where: float, char: str
) -> None:
    data, folder = receipt
    text = data.decode()
    index = int(where * len(text))
    assume(text[index] not in "\n" and text[index] != char)
    path = folder / "edited-receipt.json"
    path.write_text(text[:index] + char + text[index + 1 :])
    with pinned_now():
        status, _out = run("receipt", "--check", str(path))
    assert status == 1, f"edit at {index}: {text[max(0, index - 20) : index + 20]!r} -> {char!r}"


# --- forgetting ----------------------------------------------------------------------------


def test_forget_leaves_no_trace_of_the_name_and_keeps_the_tree_and_findings() -> None:
    with ledger_folder(21) as db, pinned_now():
        before_export = export(db)
        assert NAME in before_export  # the name was readable before
        status, before_findings = run("--db", str(db), "findings", "--json")
        assert status == 0
        status, out = run("--db", str(db), "forget", "C-0001")
        assert status == 0, out
        after_export = export(db)
        status, after_findings = run("--db", str(db), "findings", "--json")
        assert after_findings == before_findings
        status, out = run("--db", str(db), "verify")
        assert status == 0, out
        status, access = run("--db", str(db), "subject", "C-0001")
        assert "[forgotten]" in access and "has been forgotten" in access
        trail = db.parent / "after.jsonl"
        trail.write_text(after_export)
        status, out = run("replay", str(trail))
        assert status == 0, out
        for audience in ("committee", "public"):
            status, out = run(
                "--db",
                str(db),
                "site",
                "build",
                "--out",
                str(db.parent / audience),
                "--audience",
                audience,
            )
            assert status == 0, out
        needles = [NAME.encode(), NAME.encode("utf-16-le"), NAME.split()[1].encode()]
        files = [p for p in db.parent.rglob("*") if p.is_file()]
        assert any(p.name.endswith(".keys") for p in files)
        for path in files:
            data = path.read_bytes()
            for needle in needles:
                assert needle not in data, f"{path.name} still holds the name"
        # And forgetting again says so without changing anything.
        status, out = run("--db", str(db), "forget", "C-0001")
        assert status == 2 and "already forgotten" in out


def test_nothing_new_can_be_recorded_under_a_forgotten_reference() -> None:
    with ledger_folder(22) as db, pinned_now():
        assert run("--db", str(db), "forget", "C-0001")[0] == 0
        status, _out = run(
            "--db",
            str(db),
            "child",
            "enrol",
            "--child",
            "C-0001",
            "--name",
            "Someone New",
        )
        assert status == 2


def test_forget_refuses_an_unknown_reference() -> None:
    with ledger_folder(23) as db, pinned_now():
        status, out = run("--db", str(db), "forget", "C-9999")
        assert status == 2 and "unknown" in out
        status, out = run("--db", str(db), "forget", "Jane")
        assert status == 2 and "Jane" not in out


def test_import_cannot_claim_a_forgetting() -> None:
    with ledger_folder(24) as db, pinned_now():
        path = db.parent / "forget.jsonl"
        path.write_text(
            json.dumps({"type": "SubjectForgotten", "on": "2026-01-01", "subject": "C-0001"}) + "\n"
        )
        status, out = run("--db", str(db), "import", str(path))
        assert status == 2 and "ledger forget" in out


# --- subject access and retention ------------------------------------------------------------


def test_subject_access_lists_every_fact_about_a_person() -> None:
    with ledger_folder(31) as db, pinned_now():
        status, out = run("--db", str(db), "subject", "C-0001", "--json")
        assert status == 0
        held = json.loads(out)
        assert held["subject"] == "C-0001" and held["forgotten"] is False
        kinds = {fact["type"] for fact in held["facts"]}
        assert "ChildEnrolled" in kinds and "GuardianLinked" in kinds
        assert any(fact.get("name") == NAME for fact in held["facts"])
        assert all("C-0001" in json.dumps(fact) for fact in held["facts"])
        status, text = run("--db", str(db), "subject", "C-0001")
        assert status == 0 and NAME in text  # the person's own copy shows their name


def test_retention_lists_who_is_due() -> None:
    with ledger_folder(32) as db:
        old = io.StringIO()
        with pinned_now():
            status, out = run("--db", str(db), "retention", "--json")
        assert status == 0 and json.loads(out) == []  # nobody has been gone three years
        with contextlib.redirect_stdout(old):
            import os

            os.environ["LEDGER_NOW"] = "2030-09-01T12:00:00+00:00"
            try:
                status = main(["--db", str(db), "retention", "--json"])
            finally:
                os.environ["LEDGER_NOW"] = NOW.isoformat()
        due = json.loads(old.getvalue())
        assert status == 0 and due
        assert {d["subject"][:2] for d in due} >= {"C-"}
        for d in due:
            assert d["since"] <= "2030-09-01"


# --- consistency with a checkpoint published earlier -----------------------------------------


def _last_note(db: Path) -> str:
    ledger = Ledger(Config(db=str(db), key_path=db.parent / "ledger.db.key"))
    note = integrity.decode_record(list(ledger.checkpoints())[-1].state).note
    ledger.close()
    return note


def test_cutting_the_last_write_and_its_checkpoint_is_caught_by_a_published_checkpoint() -> None:
    with ledger_folder(41) as db, pinned_now():
        published = db.parent / "published.txt"
        published.write_text(_last_note(db))
        conn = sqlite3.connect(db)
        last = integrity.decode_record(
            conn.execute(
                "SELECT state FROM stored_events WHERE topic='Checkpoint'"
                " ORDER BY originator_version DESC LIMIT 1"
            ).fetchone()[0]
        )
        conn.execute(
            "DELETE FROM stored_events WHERE topic='Checkpoint' AND originator_version=?",
            (last.sequence,),
        )
        conn.execute(
            "DELETE FROM stored_events WHERE topic != 'Checkpoint' AND originator_version>=?",
            (last.first,),
        )
        conn.commit()
        conn.close()
        # On its own the shortened ledger is consistent: only an earlier copy can tell.
        assert run("--db", str(db), "verify")[0] == 0
        status, out = run("--db", str(db), "verify", "--published", str(published))
        assert status == 1 and "TAMPERED" in out


def test_a_consistency_proof_checks_offline_and_fails_when_edited() -> None:
    with ledger_folder(42, writes=4) as db, pinned_now():
        ledger = Ledger(Config(db=str(db), key_path=db.parent / "ledger.db.key"))
        notes = [integrity.decode_record(c.state).note for c in ledger.checkpoints()]
        ledger.close()
        old = db.parent / "old.txt"
        for note in notes[1:]:
            old.write_text(note)
            status, out = run("--db", str(db), "consistency", str(old))
            assert status == 0, out
            proof = db.parent / "proof.json"
            proof.write_text(out)
            status, text = run("consistency", "--check", str(proof))
            assert status == 0, text
            data = json.loads(out)
            if data["proof"]:
                first = data["proof"][0]
                data["proof"][0] = ("0" if first[0] != "0" else "1") + first[1:]
                proof.write_text(json.dumps(data))
                assert run("consistency", "--check", str(proof))[0] == 1
