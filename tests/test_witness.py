"""The witness (issue 16, item 2): C2SP cosignatures of members' checkpoints, its append-only
store, split views, rollbacks and forks refused with evidence, and the cosignatures carried by
exports, receipts and consistency proofs and required by ``--witness``.

Two ledgers of one history are made on either store the same way: both created with the same
stream (so the same origin) and the same first fact, then given the same facts; growing them
apart is then a split view, a fork, or (one left behind) a restored older copy.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import html
import json
import shlex
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import PersistenceError

from ledger import events as ev
from ledger import store as ledger_store
from ledger.checkpoint import Checkpoint, Verifier
from ledger.cosignature import (
    CosignatureVerifier,
    Cosigner,
    cosignature_key_id,
    parse_witness_key,
    signature_lines,
)
from ledger.integrity import Signer
from ledger.service import witnessing
from ledger.storage.config import Config, LedgerError
from ledger.storage.witnessed import Cosignature, WitnessStore
from tests.conftest import (
    NOW,
    config_for,
    fixed_clock,
    fresh_db,
    is_postgres,
    new_ledger,
    raw,
    schema_of,
)
from tests.test_audit_trail import Place, cli
from tests.test_privacy_and_refusals import pinned_now, run

# --- the standard format ------------------------------------------------------------------------


def test_a_witness_key_of_the_reference_code_is_read_and_its_key_id_is_the_specs() -> None:
    # transparency-dev/formats note_cosigv1_test.go: a native cosignature/v1 (type 0x04) key.
    # Its key ID is SHA-256(name || "\n" || 0x04 || key)[:4] (c2sp.org/tlog-cosignature).
    vkey = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
    name, public = parse_witness_key(vkey)
    assert name == "remora.n621.de"
    assert cosignature_key_id(name, public).hex() == "da77ade7"
    assert CosignatureVerifier(name, public).verifier_key() == vkey
    # The same key with another ID is refused, and so is a setting's (type 0x01) key.
    with pytest.raises(ValueError, match="does not match"):
        parse_witness_key(vkey.replace("da77ade7", "da77ade8"))
    with pytest.raises(ValueError, match="setting's key"):
        parse_witness_key(Signer.generate("policy-ledger").verifier_key())


def test_the_timestamps_of_the_spec_and_reference_cosignatures_read_as_they_say() -> None:
    # c2sp.org/tlog-cosignature's example line, whose message shows `time 1679315147`, and
    # note_cosigv1_test.go's TestCoSigV1Timestamp signature (1727964367): key ID (4 bytes),
    # then the timestamp (8 bytes, big-endian), then the 64-byte Ed25519 signature.
    spec = base64.b64decode(
        "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZ"
        "qhf5nNo0xUe+mbIUBkBIfZ+qnA=="
    )
    reference = base64.b64decode(
        "ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOwor"
        "DcFiEBYJXORmnFBOBA=="
    )
    for blob, when in ((spec, 1679315147), (reference, 1727964367)):
        assert len(blob) == 4 + 8 + 64
        assert int.from_bytes(blob[4:12], "big") == when


def test_a_cosignature_is_the_specs_line_over_the_specs_message() -> None:
    cosigner = Cosigner.generate("witness.example.com/w1")
    setting = Signer.generate("example.com/behind-the-sofa")
    checkpoint = Checkpoint("example.com/behind-the-sofa", 20852163, hashlib.sha256(b"x").digest())
    note = setting.sign(checkpoint)
    cosigned = cosigner.cosign(note, 1679315147)
    assert cosigned.startswith(note)  # the same note, one line more
    line = signature_lines(cosigned)[-1]
    assert line.startswith("\u2014 witness.example.com/w1 ")
    blob = base64.b64decode(line.rsplit(" ", 1)[1])
    _, public = parse_witness_key(cosigner.verifier_key())
    assert blob[:4] == hashlib.sha256(b"witness.example.com/w1\n\x04" + public).digest()[:4]
    assert int.from_bytes(blob[4:12], "big") == 1679315147
    message = b"cosignature/v1\ntime 1679315147\n" + checkpoint.body().encode()
    Ed25519PublicKey.from_public_bytes(public).verify(blob[12:], message)  # raises if not
    # The setting's own verifier ignores the witness's line (c2sp.org/signed-note).
    assert setting.verifier().open(cosigned) == checkpoint
    opened = cosigner.verifier().open(cosigned)
    assert opened is not None and opened.checkpoint == checkpoint
    assert opened.timestamp == 1679315147


# --- the adversary: cosignatures the honest witness never makes --------------------------------


def _notes() -> tuple[Signer, Cosigner, str, str]:
    setting = Signer.generate("policy-ledger")
    cosigner = Cosigner.generate("witness.example")
    one = setting.sign(Checkpoint("policy-ledger/x", 5, hashlib.sha256(b"5").digest()))
    two = setting.sign(Checkpoint("policy-ledger/x", 6, hashlib.sha256(b"6").digest()))
    return setting, cosigner, one, two


def test_a_cosignature_by_another_key_of_the_same_name_is_refused() -> None:
    _, cosigner, note, _ = _notes()
    impostor = Cosigner.generate("witness.example")
    assert cosigner.verifier().open(impostor.cosign(note, 1_700_000_000)) is None
    assert impostor.verifier().open(impostor.cosign(note, 1_700_000_000)) is not None


def test_a_cosignature_moved_to_another_checkpoint_is_refused() -> None:
    _, cosigner, one, two = _notes()
    line = signature_lines(cosigner.cosign(one, 1_700_000_000))[-1]
    assert cosigner.verifier().open(two + line + "\n") is None


def test_a_cosignature_whose_timestamp_was_changed_is_refused() -> None:
    _, cosigner, note, _ = _notes()
    cosigned = cosigner.cosign(note, 1_700_000_000)
    line = signature_lines(cosigned)[-1]
    head, b64 = line.rsplit(" ", 1)
    blob = bytearray(base64.b64decode(b64))
    blob[11] ^= 1  # one second later
    forged = note + head + " " + base64.b64encode(bytes(blob)).decode() + "\n"
    assert cosigner.verifier().open(forged) is None
    # A timestamp past 2**63 - 1 is refused even before the signature is checked.
    blob[4] = 0x80
    forged = note + head + " " + base64.b64encode(bytes(blob)).decode() + "\n"
    assert cosigner.verifier().open(forged) is None


def test_a_cosignature_dated_in_the_future_is_refused() -> None:
    _, cosigner, note, _ = _notes()
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    later = int((now + dt.timedelta(hours=1)).timestamp())
    assert cosigner.verifier().open(cosigner.cosign(note, later), now) is None
    soon = int((now + dt.timedelta(minutes=1)).timestamp())
    assert cosigner.verifier().open(cosigner.cosign(note, soon), now) is not None


def test_a_truncated_or_garbled_cosignature_line_is_refused() -> None:
    _, cosigner, note, _ = _notes()
    line = signature_lines(cosigner.cosign(note, 1_700_000_000))[-1]
    head, b64 = line.rsplit(" ", 1)
    short = base64.b64encode(base64.b64decode(b64)[:-1]).decode()
    assert cosigner.verifier().open(note + head + " " + short + "\n") is None
    assert cosigner.verifier().open(note + head + " !!\n") is None
    assert cosigner.verifier().open(note) is None  # only the setting's signature


# --- the witness's own store ---------------------------------------------------------------------


def test_the_witness_store_only_appends(tmp_path: Path) -> None:
    store = WitnessStore(tmp_path / "witness.db")
    first = Cosignature("o", 1, "aa", "n1", "c1", 1, "here", "k")
    second = Cosignature("o", 2, "bb", "n2", "c2", 2, "here", "k")
    store.append(first)
    store.append(second)
    assert store.latest("o") == second
    assert store.latest("other") is None
    store.close()
    db = sqlite3.connect(tmp_path / "witness.db")
    for statement in ("UPDATE cosigned SET root = 'cc'", "DELETE FROM cosigned"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(statement)
    db.close()
    again = WitnessStore(tmp_path / "witness.db")
    assert again.all() == [first, second]
    again.close()


# --- ledgers of one history, on either store ---------------------------------------------------


def _joined(n: int) -> ev.PersonJoined:
    return ev.PersonJoined(
        person=f"S-{n:04d}", name="A. Example", kind="staff", on=dt.date(2026, 9, 1)
    )


@contextlib.contextmanager
def _history(
    store: str, folder: Path, names: tuple[str, ...], signer: Signer
) -> Iterator[list[Place]]:
    """Ledgers of one history (one stream, one first fact), each with its key files."""
    stream = uuid.uuid4()
    with contextlib.ExitStack() as stack:
        places = [stack.enter_context(fresh_db(store, folder, name)) for name in names]
        out: list[Place] = []
        for db in places:
            config = config_for(db, folder)
            ledger = new_ledger(config)
            with mock.patch.object(uuid, "uuid4", return_value=stream):  # one stream for all
                ledger.create("Test Setting", "south-woodham-preschool", signer, fixed_clock)
            ledger.close()
            signer.save(config.key_path)
            config.key_path.with_suffix(".pub").write_text(signer.verifier_key() + "\n")
            out.append(Place(db, folder))
        yield out


def _record(place: Place, *numbers: int) -> None:
    ledger = ledger_store.Ledger(place.config())
    signer = Signer.load(place.config().key_path)
    for n in numbers:
        ledger.record([_joined(n)], signer, fixed_clock)
    ledger.close()


def _target(place: Place, signer: Signer, name: str = "member") -> witnessing.Target:
    return witnessing.Target(name, place.config(), signer.verifier_key())


def _delivered(place: Place) -> list[tuple[int, str, str, str]]:
    ledger = ledger_store.Ledger(place.config())
    try:
        return ledger.storage.cosignatures()
    finally:
        ledger.close()


@pytest.fixture
def witness_key(tmp_path: Path) -> tuple[Path, str]:
    key = tmp_path / "witness.key"
    vkey = witnessing.init_witness("witness.example.gov.uk", key)
    return key, vkey


def test_the_witness_cosigns_a_growing_ledger(
    store: str, tmp_path: Path, witness_key: tuple[Path, str]
) -> None:
    signer = Signer.generate("policy-ledger")
    key, vkey = witness_key
    with _history(store, tmp_path, ("a.db",), signer) as (place,):
        _record(place, 1)
        cosigner = Cosigner.load(key)
        witnesses = WitnessStore(tmp_path / "witness.db")
        first = witnessing.witness_one(cosigner, witnesses, _target(place, signer), fixed_clock)
        assert (first.status, first.evidence) == ("cosigned", None), first.message
        _record(place, 2, 3)
        second = witnessing.witness_one(cosigner, witnesses, _target(place, signer), fixed_clock)
        assert second.status == "cosigned", second.message
        assert "extends the 2 cosigned before" in second.message
        again = witnessing.witness_one(cosigner, witnesses, _target(place, signer), fixed_clock)
        assert again.status == "unchanged"
        assert "delivered again" not in again.message
        rows = witnesses.all()
        assert [row.size for row in rows] == [2, 4]  # nothing added for the unchanged one
        witnesses.close()
        # Delivered to the member's ledger: one line per checkpoint, valid for that checkpoint.
        delivered = _delivered(place)
        assert [size for size, _, _, _ in delivered] == [2, 4]
        verifier = CosignatureVerifier.from_vkey(vkey)
        for row, (size, root, witness, note) in zip(rows, delivered, strict=True):
            assert (row.size, row.root, row.cosigned, witness) == (size, root, note, vkey)
            assert note.startswith(row.note) and len(signature_lines(note)) == 2
            opened = verifier.open(note)
            assert opened is not None and opened.checkpoint.size == size
            assert opened.timestamp == int(NOW.timestamp())
        # The member's ledger still verifies: the cosignatures delivered change no fact or cache.
        with pinned_now():
            status, out = cli(place, "verify")
        assert status == 0 and "Intact: 4 facts" in out, out


def _twins(store: str, tmp_path: Path) -> Iterator[tuple[Signer, list[Place]]]:
    signer = Signer.generate("policy-ledger")
    with _history(store, tmp_path, ("a.db", "b.db"), signer) as places:
        for place in places:
            _record(place, 1, 2)
        yield signer, places


twins = pytest.fixture(_twins)


def _federation(tmp_path: Path, members: list[tuple[str, Place]], signer: Signer) -> Path:
    text = 'name = "Test Federation"\n'
    for name, place in members:
        text += (
            f'[[members]]\nname = "{name}"\nledger = "{place.db}"\n'
            f'public_key = "{signer.verifier_key()}"\n'
            f'key_file = "{place.config().key_path}"\n'
        )
    path = tmp_path / "federation.toml"
    path.write_text(text)
    return path


def test_a_split_view_is_refused_with_both_checkpoints_and_the_others_still_witnessed(
    store: str, tmp_path: Path, twins: tuple[Signer, list[Place]], witness_key: tuple[Path, str]
) -> None:
    signer, (a, b) = twins
    key, _ = witness_key
    _record(a, 3)
    _record(b, 4)  # the same size, another fact: another root
    with _history(store, tmp_path, ("c.db",), Signer.generate("policy-ledger")) as (c,):
        c_signer = Signer.load(c.config().key_path)
        fed = _federation(tmp_path, [("First copy", a), ("Other copy", b)], signer)
        text = fed.read_text() + (
            f'[[members]]\nname = "Third"\nledger = "{c.db}"\n'
            f'public_key = "{c_signer.verifier_key()}"\nkey_file = "{c.config().key_path}"\n'
        )
        fed.write_text(text)
        store_path = tmp_path / "witness.db"
        with pinned_now(), contextlib.chdir(tmp_path):
            status, out = run(
                "witness", "--key", str(key), "--store", str(store_path), "--federation", str(fed)
            )
        assert status == 1, out
        assert "First copy: cosigned" in out
        assert "Other copy: REFUSED: SPLIT VIEW" in out
        assert "Third: cosigned" in out  # the member after the refused one is still witnessed
        a_note = ledger_store.Ledger(a.config()).latest_checkpoint()
        b_note = ledger_store.Ledger(b.config()).latest_checkpoint()
        assert a_note is not None and b_note is not None
        shown = [line.strip() for line in out.splitlines()]
        for note in (a_note.record.note, b_note.record.note):
            for line in note.splitlines():
                assert line.strip() in shown  # both checkpoints, whole, as evidence
        assert _delivered(b) == []  # nothing cosigned for the split copy
        assert len(_delivered(a)) == 1
        rows = WitnessStore(store_path).all()
        assert [row.size for row in rows] == [4, 1]  # the first copy, then the third


def test_a_restored_older_copy_is_a_rollback(
    store: str, tmp_path: Path, twins: tuple[Signer, list[Place]], witness_key: tuple[Path, str]
) -> None:
    signer, (a, b) = twins
    cosigner = Cosigner.load(witness_key[0])
    witnesses = WitnessStore(tmp_path / "witness.db")
    if not is_postgres(a.db):  # a real restore: the file as it was, copied back
        shutil.copy(a.db, tmp_path / "backup.db")
    _record(a, 3, 4)
    assert witnessing.witness_one(cosigner, witnesses, _target(a, signer), fixed_clock).ok
    if not is_postgres(a.db):
        shutil.copy(tmp_path / "backup.db", a.db)
        older = a
    else:
        older = b  # the same history, left at its earlier size
    outcome = witnessing.witness_one(cosigner, witnesses, _target(older, signer), fixed_clock)
    assert outcome.status == "refused"
    assert outcome.message.startswith("ROLLBACK")
    assert outcome.evidence is not None
    assert Verifier.from_vkey(signer.verifier_key()).open(outcome.evidence[1]) is not None
    assert [row.size for row in witnesses.all()] == [5]


def test_a_longer_ledger_that_does_not_extend_the_cosigned_one_is_a_fork(
    store: str, tmp_path: Path, twins: tuple[Signer, list[Place]], witness_key: tuple[Path, str]
) -> None:
    signer, (a, b) = twins
    cosigner = Cosigner.load(witness_key[0])
    witnesses = WitnessStore(tmp_path / "witness.db")
    _record(a, 3)
    assert witnessing.witness_one(cosigner, witnesses, _target(a, signer), fixed_clock).ok
    _record(b, 4, 5)  # longer, but from the third fact another history
    outcome = witnessing.witness_one(cosigner, witnesses, _target(b, signer), fixed_clock)
    assert outcome.status == "refused"
    assert outcome.message.startswith("FORK")
    assert _delivered(b) == []
    # The honest copy, grown on, is still cosigned.
    _record(a, 6, 7)
    assert witnessing.witness_one(cosigner, witnesses, _target(a, signer), fixed_clock).ok


def test_a_checkpoint_not_signed_by_the_members_published_key_is_not_cosigned(
    store: str, tmp_path: Path, twins: tuple[Signer, list[Place]], witness_key: tuple[Path, str]
) -> None:
    _, (a, _) = twins
    cosigner = Cosigner.load(witness_key[0])
    witnesses = WitnessStore(tmp_path / "witness.db")
    other = Signer.generate("policy-ledger")
    outcome = witnessing.witness_one(cosigner, witnesses, _target(a, other), fixed_clock)
    assert outcome.status == "failed"
    assert "not signed by the member's published key" in outcome.message
    assert witnesses.all() == [] and _delivered(a) == []


# --- receipts, proofs and exports carry the cosignatures; --witness requires them ---------------


def _grown_with_consent(store: str, tmp_path: Path) -> Iterator[tuple[Place, Signer]]:
    signer = Signer.generate("policy-ledger")
    with _history(store, tmp_path, ("a.db",), signer) as (place,):
        ledger = ledger_store.Ledger(place.config())
        on = dt.date(2026, 9, 1)
        ledger.record(
            [
                ev.ChildEnrolled(child="C-0001", name="A. Example", on=on),
                ev.GuardianLinked(guardian="G-0001", name="B. Example", child="C-0001", on=on),
                ev.ConsentGranted(
                    child="C-0001",
                    guardian="G-0001",
                    channel="closed-group",
                    evidence="F-1",
                    method="paper",
                    on=on,
                ),
            ],
            signer,
            fixed_clock,
        )
        ledger.close()
        yield place, signer


consented = pytest.fixture(_grown_with_consent)


def test_a_receipt_with_witness_fails_without_the_cosignature_and_passes_with_it(
    consented: tuple[Place, Signer], tmp_path: Path, witness_key: tuple[Path, str]
) -> None:
    place, signer = consented
    key, vkey = witness_key
    with pinned_now():
        status, plain = cli(place, "receipt", "C-0001")
        assert status == 0, plain
        (tmp_path / "plain.json").write_text(plain)
        status, out = run(
            "receipt", "--check", str(tmp_path / "plain.json"), "--key", signer.verifier_key()
        )
        assert status == 0, out  # an old receipt, without cosignatures, still checks
        status, out = run(
            "receipt",
            "--check",
            str(tmp_path / "plain.json"),
            "--key",
            signer.verifier_key(),
            "--witness",
            vkey,
        )
        assert status == 1, out
        assert "not cosigned by the witness witness.example.gov.uk" in out
        status, out = cli(place, "witness", "--key", str(key), "--store", str(tmp_path / "w.db"))
        assert status == 0, out
        assert "cosigned the checkpoint of 4 facts" in out
        status, cosigned = cli(place, "receipt", "C-0001")
        assert json.loads(cosigned)["ledger"]["checkpoint"].count("\n\u2014 ") == 2
        (tmp_path / "cosigned.json").write_text(cosigned)
        argv = ["receipt", "--check", str(tmp_path / "cosigned.json"), "--key"]
        status, out = run(*argv, signer.verifier_key(), "--witness", vkey)
        assert status == 0, out
        assert "Witnessed: cosigned by witness.example.gov.uk" in out
        # Another witness's key is not satisfied by this one's cosignature.
        other = Cosigner.generate("witness.example.gov.uk").verifier_key()
        status, out = run(*argv, signer.verifier_key(), "--witness", vkey, "--witness", other)
        assert status == 1, out
        # The page a parent keeps is checked the same way.
        status, page = cli(place, "receipt", "C-0001", "--format", "html")
        (tmp_path / "receipt.html").write_text(page)
        status, out = run(
            "receipt",
            "--check",
            str(tmp_path / "receipt.html"),
            "--key",
            signer.verifier_key(),
            "--witness",
            vkey,
        )
        assert status == 0, out


def test_a_consistency_proof_and_an_export_carry_the_cosignature(
    consented: tuple[Place, Signer], tmp_path: Path, witness_key: tuple[Path, str]
) -> None:
    place, signer = consented
    key, vkey = witness_key
    setting_key = signer.verifier_key()
    with pinned_now():
        status, note = cli(place, "checkpoint")
        (tmp_path / "kept.txt").write_text(note)
        _record(place, 1)
        status, proof = cli(place, "consistency", str(tmp_path / "kept.txt"))
        (tmp_path / "plain-proof.json").write_text(proof)
        check = ["consistency", "--check", "--key", setting_key]
        status, out = run(*check, str(tmp_path / "plain-proof.json"))
        assert status == 0, out
        status, out = run(*check, str(tmp_path / "plain-proof.json"), "--witness", vkey)
        assert status == 1 and "not cosigned by the witness" in out, out
        status, out = cli(place, "export")
        (tmp_path / "plain.jsonl").write_text(out)
        status, out = run("replay", str(tmp_path / "plain.jsonl"), "--key", setting_key)
        assert status == 0, out
        status, out = run(
            "replay", str(tmp_path / "plain.jsonl"), "--key", setting_key, "--witness", vkey
        )
        assert status == 1 and "no checkpoint in the trail is cosigned" in out, out

        status, out = cli(place, "witness", "--key", str(key), "--store", str(tmp_path / "w.db"))
        assert status == 0, out
        _record(place, 2)  # a later checkpoint the witness has not seen
        status, out = cli(place, "export")
        (tmp_path / "cosigned.jsonl").write_text(out)
        status, out = run(
            "replay", str(tmp_path / "cosigned.jsonl"), "--key", setting_key, "--witness", vkey
        )
        assert status == 0, out
        assert (
            "Witnessed by witness.example.gov.uk up to checkpoint 3 (5 facts), cosigned at"
            " 2027-06-30T12:00:00Z; the 1 later checkpoint is not cosigned by it." in out
        )
        status, out = cli(place, "witness", "--key", str(key), "--store", str(tmp_path / "w.db"))
        status, proof = cli(place, "consistency", str(tmp_path / "kept.txt"))
        (tmp_path / "proof.json").write_text(proof)
        status, out = run(*check, str(tmp_path / "proof.json"), "--witness", vkey)
        assert status == 0, out
        assert "Witnessed: cosigned by witness.example.gov.uk" in out
        # A cosignature over another checkpoint pasted into the proof is refused.
        data = json.loads(proof)
        first = json.loads((tmp_path / "cosigned.jsonl").read_text().splitlines()[-3])
        assert first["type"] == "Checkpoint"
        line = signature_lines(first["note"])[-1]
        data["new"] = signature_lines(data["new"]) and data["new"].rsplit("\u2014 witness", 1)[0]
        data["new"] += line + "\n"
        (tmp_path / "moved.json").write_text(json.dumps(data, separators=(",", ":")))
        status, out = run(*check, str(tmp_path / "moved.json"), "--witness", vkey)
        assert status == 1, out


def test_witness_with_a_setting_key_or_without_its_key_is_refused(
    tmp_path: Path, witness_key: tuple[Path, str]
) -> None:
    status, out = run(
        "witness", "--key", str(tmp_path / "none.key"), "--store", "w.db", "--db", "x"
    )
    assert status == 2 and "no witness key there" in out, out
    status, out = run("witness", "init", "--name", "w", "--key", str(witness_key[0]))
    assert status == 2 and "never overwritten" in out, out
    status, out = run("witness", "--key", str(witness_key[0]), "--store", str(tmp_path / "w.db"))
    assert status == 2 and "--federation FILE" in out, out


# --- the site's Integrity page ------------------------------------------------------------------


def test_the_integrity_page_shows_the_latest_cosigned_checkpoint_and_the_witness_key(
    consented: tuple[Place, Signer], tmp_path: Path, witness_key: tuple[Path, str]
) -> None:
    place, _ = consented
    key, vkey = witness_key
    with pinned_now():
        status, out = cli(
            place, "site", "build", "--out", str(tmp_path / "before"), "--audience", "public"
        )
        assert status == 0, out
        assert "The witness" not in (tmp_path / "before" / "integrity.html").read_text()
        status, out = cli(place, "witness", "--key", str(key), "--store", str(tmp_path / "w.db"))
        assert status == 0, out
        _record(place, 1)  # one fact more, not yet witnessed
        status, out = cli(
            place, "site", "build", "--out", str(tmp_path / "after"), "--audience", "public"
        )
        assert status == 0, out
    page = html.unescape((tmp_path / "after" / "integrity.html").read_text())
    assert "The witness" in page
    assert vkey in page
    (size, _, _, cosigned) = _delivered(place)[-1]
    for line in cosigned.splitlines():
        assert line in page  # the cosigned note, whole (its witness line included)
    assert f"covers the first {size} facts; the 1 fact recorded since is not yet" in page


# --- the README's commands ----------------------------------------------------------------------


def test_the_readme_witness_commands_run_as_written(workdir: Path) -> None:
    """The README's witness commands (its SQLite ledger, sunflowers.db, as the README names
    it): the first block runs as written, twice; the checks parse with the options shown."""
    from ledger.cli.parser import build_parser
    from tests.test_readme import _blocks, _section

    section = _section("#### The witness")
    first, checks = _blocks(section, "sh")[:2]
    with pinned_now():
        status, out = run(
            "--db",
            "sunflowers.db",
            "init",
            "--profile",
            "south-woodham-preschool",
            "--setting",
            "S",
        )
        assert status == 0, out
        Path("federation.toml").write_text(
            'name = "F"\n[[members]]\nname = "Sunflowers"\nledger = "sunflowers.db"\n'
        )
        for number, line in enumerate(first.splitlines()):
            argv = shlex.split(line.split("#", 1)[0])
            assert argv[0] == "ledger"
            status, out = run(*argv[1:])
            assert status == 0, (line, out)
            if number == 1:
                assert "Sunflowers: cosigned" in out
            if number == 2:
                assert "unchanged" in out  # the same checkpoint: nothing more to cosign
    parser = build_parser()
    for line in checks.splitlines():
        if line.startswith("ledger "):
            argv = shlex.split(line.split("   #", 1)[0].replace('"$KEY"', "K").replace('"$W"', "W"))
            args = parser.parse_args(argv[1:])
            assert args.witness == ["W"], line
    assert "30 18" in _blocks(section, "cron")[0]


def test_a_member_that_cannot_be_read_fails_alone(
    store: str, tmp_path: Path, twins: tuple[Signer, list[Place]], witness_key: tuple[Path, str]
) -> None:
    signer, (a, _) = twins
    fed = _federation(tmp_path, [("Good", a)], signer)
    fed.write_text(
        fed.read_text()
        + '[[members]]\nname = "Gone"\nledger = "gone.db"\n'
        + '[[members]]\nname = "Unreachable"\n'
        + 'ledger = "postgresql://ledger:x@127.0.0.1:1/ledger?schema=nowhere"\n'
        + f'public_key = "{signer.verifier_key()}"\n'
    )
    with pinned_now(), contextlib.chdir(tmp_path):
        status, out = run(
            "witness",
            "--key",
            str(witness_key[0]),
            "--store",
            str(tmp_path / "w.db"),
            "--federation",
            str(fed),
        )
    assert status == 1, out
    assert "Good: cosigned" in out
    assert "Gone: FAILED: no published key" in out  # no public_key, no gone.db.pub
    assert "Unreachable: FAILED: cannot connect to the PostgreSQL server" in out
    assert "ledger:x@" not in out  # never the password
    # Only what was checked is said to be checked against the member's key.
    assert out.count("Its signature checked against") == 1


def test_a_cosignature_the_ledger_lost_is_delivered_again(
    store: str, tmp_path: Path, twins: tuple[Signer, list[Place]], witness_key: tuple[Path, str]
) -> None:
    """A ledger restored from a backup taken between the witness's store and the delivery (the
    same checkpoint, no cosignature): the next run delivers it again, and adds nothing to the
    witness's store."""
    signer, (a, _) = twins
    cosigner = Cosigner.load(witness_key[0])
    witnesses = WitnessStore(tmp_path / "witness.db")
    assert witnessing.witness_one(cosigner, witnesses, _target(a, signer), fixed_clock).ok
    (row,) = _delivered(a)
    table = "ledger_cosignatures" if is_postgres(a.db) else "stored_cosignatures"
    with raw(a.db) as db:
        if is_postgres(a.db):
            table = f'"{schema_of(a.db)}".{table}'
        db.execute(f"DELETE FROM {table}")
    assert _delivered(a) == []
    again = witnessing.witness_one(cosigner, witnesses, _target(a, signer), fixed_clock)
    assert again.status == "unchanged" and "delivered again" in again.message
    assert _delivered(a) == [row]
    assert len(witnesses.all()) == 1


def test_two_witnesses_cosignatures_are_carried_together_and_each_is_required(
    store: str, tmp_path: Path, twins: tuple[Signer, list[Place]], witness_key: tuple[Path, str]
) -> None:
    signer, (a, _) = twins
    first = Cosigner.load(witness_key[0])
    second = Cosigner.generate("second.witness.example")
    for cosigner, name in ((first, "one.db"), (second, "two.db")):
        witnesses = WitnessStore(tmp_path / name)
        assert witnessing.witness_one(cosigner, witnesses, _target(a, signer), fixed_clock).ok
        witnesses.close()
    with pinned_now():
        status, trail = cli(a, "export")
        (tmp_path / "trail.jsonl").write_text(trail)
        last = json.loads(trail.splitlines()[-1])
        assert len(signature_lines(last["note"])) == 3  # the setting's, and one per witness
        replay = ["replay", str(tmp_path / "trail.jsonl"), "--key", signer.verifier_key()]
        both = ["--witness", first.verifier_key(), "--witness", second.verifier_key()]
        status, out = run(*replay, *both)
        assert status == 0, out
        assert "Witnessed by witness.example.gov.uk up to checkpoint 3" in out
        assert "Witnessed by second.witness.example up to checkpoint 3" in out
        third = Cosigner.generate("third.witness.example").verifier_key()
        status, out = run(*replay, *both, "--witness", third)
        assert status == 1 and "cosigned by the witness third.witness.example" in out, out


def test_a_setting_key_given_as_a_witness_key_is_refused(tmp_path: Path) -> None:
    setting = Signer.generate("policy-ledger").verifier_key()
    (tmp_path / "receipt.json").write_text("{}")
    for command in ("receipt", "consistency"):
        status, out = run(
            command,
            "--check",
            str(tmp_path / "receipt.json"),
            "--key",
            setting,
            "--witness",
            setting,
        )
        assert status == 2, out
        assert "--witness: the key's type is 0x01 (that is a setting's key" in out
    (tmp_path / "trail.jsonl").write_text("")
    status, out = run("replay", str(tmp_path / "trail.jsonl"), "--key", setting, "--witness", "x")
    assert status == 2 and "--witness: a witness key has the form" in out, out


def test_a_cosignature_row_written_by_something_else_is_named_by_verify_and_left_out(
    store: str, tmp_path: Path, twins: tuple[Signer, list[Place]], witness_key: tuple[Path, str]
) -> None:
    """The member's table of cosignatures is kept beside the facts: ``verify`` names a row that
    is not one of the ledger's checkpoints cosigned by its witness, and exports leave it out
    (a forged line by the setting's own name would otherwise break every replay)."""
    signer, (a, _) = twins
    cosigner = Cosigner.load(witness_key[0])
    witnesses = WitnessStore(tmp_path / "witness.db")
    assert witnessing.witness_one(cosigner, witnesses, _target(a, signer), fixed_clock).ok
    ((size, root, key, note),) = _delivered(a)
    impostor = Cosigner.generate("witness.example.gov.uk")
    forged = [
        (size, root, key, impostor.cosign(witnesses.all()[0].note, 1_700_000_000)),
        (size, root, key, note + "\u2014 policy-ledger AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"),
    ]
    table = "ledger_cosignatures" if is_postgres(a.db) else "stored_cosignatures"
    if is_postgres(a.db):
        table = f'"{schema_of(a.db)}".{table}'
    with raw(a.db) as db:
        for row in forged:
            db.execute(f"INSERT INTO {table} (size, root, witness, note) VALUES (?, ?, ?, ?)", row)
    with pinned_now():
        status, out = cli(a, "verify")
        assert status == 1, out
        assert out.count("a witness's cosignature kept for the checkpoint of 3 facts") == 2, out
        status, trail = cli(a, "export")
        (tmp_path / "trail.jsonl").write_text(trail)
        assert json.loads(trail.splitlines()[-1])["note"] == note  # the genuine one alone
        status, out = run(
            "replay",
            str(tmp_path / "trail.jsonl"),
            "--key",
            signer.verifier_key(),
            "--witness",
            cosigner.verifier_key(),
        )
        assert status == 0, out


# --- the witness's refusals, each with what it says (tests/MUTATION.md) -------------------------


def test_a_cosignature_made_with_another_witness_key_is_not_delivered_again(
    store: str, tmp_path: Path, twins: tuple[Signer, list[Place]], witness_key: tuple[Path, str]
) -> None:
    """The witness's key replaced, the store kept: the checkpoint cosigned with the old key is
    unchanged, and the ledger (which holds the old key's cosignature) is not said to be given
    it again, nor given one of the new key."""
    signer, (a, _) = twins
    witnesses = WitnessStore(tmp_path / "witness.db")
    old = Cosigner.load(witness_key[0])
    assert witnessing.witness_one(old, witnesses, _target(a, signer), fixed_clock).ok
    (row,) = _delivered(a)
    new = Cosigner.generate("witness.example.gov.uk")
    again = witnessing.witness_one(new, witnesses, _target(a, signer), fixed_clock)
    assert (again.status, again.key_said) == ("unchanged", "its published key")
    assert again.message == "checkpoint of 3 facts already cosigned"
    assert _delivered(a) == [row]
    assert len(witnesses.all()) == 1


def _unreadable(tmp_path: Path) -> witnessing.Target:
    config = Config(db=str(tmp_path / "m.db"), key_path=tmp_path / "m.db.key")
    return witnessing.Target("Member", config, Signer.generate("policy-ledger").verifier_key())


@pytest.mark.parametrize(
    ("fault", "says"),
    [
        (LedgerError("the ledger is locked"), "the ledger is locked"),
        (
            PersistenceError("connection refused"),
            "the ledger's database could not be used (PersistenceError): nothing cosigned",
        ),
    ],
)
@pytest.mark.parametrize("where", ["opening", "reading"])
def test_a_member_whose_ledger_fails_is_failed_by_name_with_the_key_it_was_checked_against(
    tmp_path: Path, fault: Exception, says: str, where: str
) -> None:
    cosigner = Cosigner.generate("witness.example")
    witnesses = WitnessStore(tmp_path / "witness.db")
    ledger = mock.Mock()
    ledger.latest_checkpoint.side_effect = fault
    with mock.patch.object(
        witnessing,
        "open_ledger",
        side_effect=fault if where == "opening" else None,
        return_value=ledger,
    ):
        outcome = witnessing.witness_one(cosigner, witnesses, _unreadable(tmp_path), fixed_clock)
    assert outcome == witnessing.Outcome("Member", "failed", says, "its published key")
    assert not outcome.ok
    if where == "reading":
        ledger.close.assert_called_once_with()
    assert witnesses.all() == []


def test_a_ledger_without_a_checkpoint_fails_by_name(tmp_path: Path) -> None:
    ledger = mock.Mock()
    ledger.latest_checkpoint.return_value = None
    witnesses = WitnessStore(tmp_path / "witness.db")
    with mock.patch.object(witnessing, "open_ledger", return_value=ledger):
        outcome = witnessing.witness_one(
            Cosigner.generate("w"), witnesses, _unreadable(tmp_path), fixed_clock
        )
    assert outcome == witnessing.Outcome(
        "Member", "failed", "the ledger has no signed checkpoint yet", "its published key"
    )
    assert witnesses.all() == []


def test_each_outcome_names_the_member_and_the_key_it_was_checked_against(
    store: str, tmp_path: Path, twins: tuple[Signer, list[Place]], witness_key: tuple[Path, str]
) -> None:
    signer, (a, b) = twins
    cosigner = Cosigner.load(witness_key[0])
    witnesses = WitnessStore(tmp_path / "witness.db")
    unsigned = witnessing.witness_one(
        cosigner, witnesses, _target(a, Signer.generate("policy-ledger"), "A"), fixed_clock
    )
    assert (unsigned.member, unsigned.status, unsigned.key_said) == (
        "A",
        "failed",
        "its published key",
    )
    _record(a, 3)
    assert witnessing.witness_one(cosigner, witnesses, _target(a, signer, "A"), fixed_clock).ok
    same = witnessing.witness_one(cosigner, witnesses, _target(a, signer, "A"), fixed_clock)
    assert (same.member, same.status, same.key_said) == ("A", "unchanged", "its published key")
    _record(b, 4)  # the same size as a's, another root
    split = witnessing.witness_one(cosigner, witnesses, _target(b, signer, "B"), fixed_clock)
    assert (split.member, split.status, split.key_said) == ("B", "refused", "its published key")
    assert split.message.startswith("SPLIT VIEW")


def test_init_writes_the_public_key_beside_and_never_over_one(tmp_path: Path) -> None:
    vkey = witnessing.init_witness("w.example", tmp_path / "w.key")
    assert (tmp_path / "w.pub").read_text(encoding="utf-8") == vkey + "\n"
    (tmp_path / "v.pub").write_text("kept\n")
    witnessing.init_witness("v.example", tmp_path / "v.key")
    assert (tmp_path / "v.pub").read_text() == "kept\n"


def test_a_ledger_whose_facts_do_not_give_its_own_checkpoint_is_that_fork(
    store: str, tmp_path: Path, twins: tuple[Signer, list[Place]], witness_key: tuple[Path, str]
) -> None:
    """Facts changed under a signed checkpoint (the same count, one leaf another): refused as
    facts that do not give the checkpoint's root, before any consistency proof is tried."""
    signer, (a, _) = twins
    cosigner = Cosigner.load(witness_key[0])
    witnesses = WitnessStore(tmp_path / "witness.db")
    assert witnessing.witness_one(cosigner, witnesses, _target(a, signer), fixed_clock).ok
    _record(a, 3)
    honest = witnessing.checkpoint_leaves  # the leaf hashes, a checkpoint's at a time

    def changed(ledger: ledger_store.Ledger) -> Iterator[bytes]:
        *before, last = honest(ledger)
        yield from before
        yield last[:-32] + hashlib.sha256(b"another fact").digest()  # the last leaf another

    with mock.patch.object(witnessing, "checkpoint_leaves", changed):
        outcome = witnessing.witness_one(cosigner, witnesses, _target(a, signer), fixed_clock)
    assert outcome.status == "refused"
    assert outcome.message == (
        "FORK: the ledger's facts do not give its own latest checkpoint's root"
    )
    assert [row.size for row in witnesses.all()] == [3]


# --- the witness binds a ledger to its key and its place (found by an adversarial review) ------


def test_a_new_ledger_signed_by_a_key_the_witness_knows_is_refused(
    store: str, tmp_path: Path, witness_key: tuple[Path, str]
) -> None:
    """A setting that starts a new ledger (a new origin) with the key whose ledger the witness
    cosigned would otherwise be cosigned as "the first": two histories of one setting."""
    signer = Signer.generate("policy-ledger")
    cosigner = Cosigner.load(witness_key[0])
    witnesses = WitnessStore(tmp_path / "witness.db")
    with _history(store, tmp_path, ("a.db",), signer) as (first,):
        _record(first, 1, 2)
        assert witnessing.witness_one(cosigner, witnesses, _target(first, signer), fixed_clock).ok
        with _history(store, tmp_path, ("fresh.db",), signer) as (fresh,):
            outcome = witnessing.witness_one(
                cosigner, witnesses, _target(fresh, signer), fixed_clock
            )
            assert outcome.status == "refused", outcome.message
            assert outcome.message.startswith("ANOTHER LEDGER"), outcome.message
            assert outcome.evidence is not None
            assert _delivered(fresh) == []
    assert [row.size for row in witnesses.all()] == [3]


def test_another_ledger_at_a_place_the_witness_knows_is_refused(
    store: str,
    tmp_path: Path,
    witness_key: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another setting's ledger and keys put where a witnessed member's ledger was (the same
    member in the federation file) is not cosigned as that member's first checkpoint."""
    cosigner = Cosigner.load(witness_key[0])
    witnesses = WitnessStore(tmp_path / "witness.db")
    one, other = Signer.generate("policy-ledger"), Signer.generate("policy-ledger")
    monkeypatch.setattr(witnessing, "location", lambda config: "the member's place")
    (tmp_path / "o").mkdir()
    with (
        _history(store, tmp_path, ("a.db",), one) as (first,),
        _history(store, tmp_path / "o", ("b.db",), other) as (swapped,),
    ):
        assert witnessing.witness_one(cosigner, witnesses, _target(first, one), fixed_clock).ok
        outcome = witnessing.witness_one(cosigner, witnesses, _target(swapped, other), fixed_clock)
        assert outcome.status == "refused", outcome.message
        assert outcome.message.startswith("ANOTHER LEDGER"), outcome.message
        assert "the member's place" in outcome.message
        assert _delivered(swapped) == []


def test_another_settings_key_on_a_witnessed_history_is_refused_and_harms_no_one(
    store: str, tmp_path: Path, twins: tuple[Signer, list[Place]], witness_key: tuple[Path, str]
) -> None:
    """A member that copies another's ledger and signs a checkpoint of it with its own key is
    refused, and nothing is recorded against the other's history: the honest ledger is
    still cosigned as it grows (it was once refused as a ROLLBACK of the copy)."""
    signer, (honest, copy) = twins
    cosigner = Cosigner.load(witness_key[0])
    witnesses = WitnessStore(tmp_path / "witness.db")
    assert witnessing.witness_one(cosigner, witnesses, _target(honest, signer), fixed_clock).ok
    thief = Signer.generate("policy-ledger")
    thief.save(copy.folder / "thief.key")
    ledger = ledger_store.Ledger(copy.config())
    ledger.record([_joined(9)], thief, fixed_clock)
    ledger.close()
    outcome = witnessing.witness_one(cosigner, witnesses, _target(copy, thief), fixed_clock)
    assert outcome.status == "refused", outcome.message
    assert outcome.message.startswith("ANOTHER SIGNER"), outcome.message
    assert [row.vkey for row in witnesses.all()] == [signer.verifier_key()]
    _record(honest, 3)
    again = witnessing.witness_one(cosigner, witnesses, _target(honest, signer), fixed_clock)
    assert again.status == "cosigned", again.message


def test_the_witness_refuses_a_settings_own_key_and_a_store_in_its_ledger(
    store: str, tmp_path: Path, twins: tuple[Signer, list[Place]]
) -> None:
    signer, (a, _) = twins
    own = Cosigner("witness.example.gov.uk", Signer.load(a.config().key_path)._key)
    outcome = witnessing.witness_one(
        own, WitnessStore(tmp_path / "witness.db"), _target(a, signer), fixed_clock
    )
    assert outcome.status == "failed" and "own signing key" in outcome.message
    if not is_postgres(a.db):
        cosigner = Cosigner.generate("witness.example.gov.uk")
        outcome = witnessing.witness_one(
            cosigner, WitnessStore(Path(a.db)), _target(a, signer), fixed_clock
        )
        assert outcome.status == "failed" and "own ledger" in outcome.message
    assert _delivered(a) == []


def test_a_row_that_is_no_cosignature_at_all_is_named_and_stops_nothing(
    store: str, tmp_path: Path, twins: tuple[Signer, list[Place]], witness_key: tuple[Path, str]
) -> None:
    """A row with a size that is not a number, or a genuine cosignature with a line added:
    ``verify`` names each, exports and receipts carry the genuine line alone, and the
    witness still works on the ledger."""
    signer, (a, _) = twins
    cosigner = Cosigner.load(witness_key[0])
    witnesses = WitnessStore(tmp_path / "witness.db")
    assert witnessing.witness_one(cosigner, witnesses, _target(a, signer), fixed_clock).ok
    ((size, root, key, note),) = _delivered(a)
    stranger = "\u2014 witness.example.gov.uk AAECAwAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
    table = "ledger_cosignatures" if is_postgres(a.db) else "stored_cosignatures"
    if is_postgres(a.db):
        table = f'"{schema_of(a.db)}".{table}'
    with raw(a.db) as db:
        if not is_postgres(a.db):  # PostgreSQL's column is a number: no text gets in
            db.execute(
                f"INSERT INTO {table} (size, root, witness, note) VALUES (?, ?, ?, ?)",
                ("abc", "r", "w", "n"),
            )
        db.execute(
            f"INSERT INTO {table} (size, root, witness, note) VALUES (?, ?, ?, ?)",
            (size, root, key, note + stranger),
        )
    with pinned_now():
        status, out = cli(a, "verify")
        assert status == 1, out
        assert "a witness's cosignature kept for" in out
        status, trail = cli(a, "export")
        assert status == 0, trail
        assert "AAECAw" not in trail
        assert json.loads(trail.splitlines()[-1])["note"] == note
    _record(a, 3)
    assert witnessing.witness_one(cosigner, witnesses, _target(a, signer), fixed_clock).ok
