"""Forget, as an adversary tries it (issue 12, items 4, 5, 7, 8), with real files on both stores:

- every kind of person can be forgotten (a child, a parent, staff, committee, a volunteer, a
  student); after each, the findings are unchanged, ``verify`` is intact, and no byte of the
  name is in the database, its WAL, the key store, an export or either site edition;
- free text about several people is sealed under all their keys: forgetting any one of them
  shreds it; words kept where a forget cannot reach (device labels, a concern's action) are
  refused at recording when they hold a held person's name (exit 2, the field, never the name);
- an envelope the older code stored decodes, opens and re-encodes to the very same bytes;
- a lost, swapped or left-over key is named by ``verify`` (exit 1, never 70), and ``subject``
  never shows ``[forgotten]`` for someone who was not forgotten;
- a forget left half done (the fact recorded, the key kept) or undone by a key store restored
  from an older copy is completed when the ledger is next opened, and the command says so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from ledger import events as ev
from ledger import keys
from ledger.demo import generate
from ledger.integrity import Signer
from ledger.mapper import FORGOTTEN, Envelope, EventMapper
from ledger.privacy import NameGuard
from ledger.profile import load as load_profile
from tests.conftest import (
    NOW,
    STORES,
    config_for,
    fresh_db,
    is_postgres,
    new_ledger,
    stored_bytes,
    stored_state,
)
from tests.test_audit_trail import Place, cli
from tests.test_privacy_and_refusals import pinned_now

# One name per kind of person, shaped like real ones and found nowhere else (q, z, x).
NAMES = {
    "C-0001": "Philippa Quenby-Zouch",
    "C-0002": "Tamsin Qorvel-Zatherly",
    "G-0901": "Barnaby Quillet-Zorn",
    "G-0902": "Hesper Quarrow-Zinnet",
    "S-0901": "Ottoline Qualtrough-Zeal",  # staff
    "S-0902": "Crispin Quexley-Zander",  # committee
    "S-0903": "Wilfreda Quoyle-Zabriskie",  # volunteer
    "S-0904": "Lucan Querrett-Zolt",  # student
}
KINDS = {"S-0901": "staff", "S-0902": "committee", "S-0903": "volunteer", "S-0904": "student"}
DAY = dt.date(2026, 6, 1)


def needles(name: str) -> list[bytes]:
    """The bytes of a name as a file might hold them, and its parts on their own."""
    return [
        name.encode(),
        name.encode("utf-16-le"),
        *(part.encode() for part in name.replace("-", " ").split()),
    ]


def extra_facts() -> list[ev.Event]:
    """People of every kind, with free text about them sealed under all their keys."""
    out: list[ev.Event] = [
        ev.GuardianLinked(on=DAY, guardian="G-0901", name=NAMES["G-0901"], child="C-0001"),
        ev.GuardianLinked(on=DAY, guardian="G-0902", name=NAMES["G-0902"], child="C-0002"),
    ]
    out += [
        ev.PersonJoined(on=DAY, person=ref, name=NAMES[ref], kind=kind)  # type: ignore[arg-type]
        for ref, kind in KINDS.items()
    ]
    out += [
        # Evidence naming the parent: sealed under the child's and the parent's keys jointly.
        ev.ConsentGranted(
            on=DAY,
            child="C-0001",
            guardian="G-0901",
            channel="closed-group",
            evidence="F-71 Quillet form",
            method="paper",
        ),
        ev.ConsentGranted(
            on=DAY,
            child="C-0002",
            guardian="G-0902",
            channel="closed-group",
            evidence="F-72 Quarrow form",
            method="paper",
        ),
        # A note about a member of staff and a parent: sealed under both.
        ev.FindingAcknowledged(
            on=DAY,
            rule="connection-without-exception",
            subject_ref="S-0901/G-0901",
            action="Qualtrough spoke to Quillet",
        ),
    ]
    return out


@contextlib.contextmanager
def people_ledger(store: str) -> Iterator[Place]:
    """A realistic year with a person of every kind, each with a name of their own."""
    with tempfile.TemporaryDirectory() as tmp, fresh_db(store, Path(tmp)) as db:
        config = config_for(db, Path(tmp))
        ledger = new_ledger(config)
        signer = Signer.generate("policy-ledger")
        ledger.create("Test Setting", "south-woodham-preschool", signer, lambda: NOW)
        signer.save(config.key_path)
        facts = generate(
            load_profile("south-woodham-preschool"),
            setting="x",
            start=dt.date(2025, 9, 1),
            end=dt.date(2026, 5, 30),
            seed=41,
            children=6,
        )
        facts = [
            msgspec.structs.replace(f, name=NAMES[f.child])  # type: ignore[call-arg]
            if isinstance(f, ev.ChildEnrolled) and f.child in NAMES
            else f
            for f in facts
        ]
        ledger.record(facts, signer, lambda: NOW)
        ledger.record(extra_facts(), signer, lambda: NOW)
        ledger.close()
        yield Place(db, Path(tmp))


def export_of(place: Place) -> str:
    status, out = cli(place, "export")
    assert status == 0, out
    return out


def lines_of(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def assert_nowhere(place: Place, names: list[str], extra: list[Path]) -> None:
    """No byte of these names in any file of the ledger's folder (the SQLite file and its WAL,
    the key store, exports, site editions) nor, on PostgreSQL, in any row of the schema."""
    files = [p for p in place.folder.rglob("*") if p.is_file()] + extra
    assert any(p.name.endswith(".keys") for p in files)
    for name in names:
        for needle in needles(name):
            for path in files:
                assert needle not in path.read_bytes(), f"{path.name} holds a forgotten name"
            if is_postgres(place.db):
                for value in stored_bytes(place.db):
                    assert needle not in value, "a row of the schema holds a forgotten name"


@pytest.mark.parametrize("store", STORES)
def test_every_kind_of_person_is_forgotten_and_leaves_no_byte(store: str) -> None:
    with people_ledger(store) as place, pinned_now():
        status, before = cli(place, "findings", "--json")
        assert status == 0, before
        first = export_of(place)
        for name in NAMES.values():  # every name was readable before
            assert name in first
        assert "Quillet form" in first and "Qualtrough spoke to Quillet" in first
        forgotten: list[str] = []
        for ref in ["G-0902", "S-0901", "C-0001", "S-0902", "S-0903", "S-0904"]:
            status, out = cli(place, "forget", ref)
            assert status == 0, f"{ref}: {out}"
            assert f"Forgot {ref}" in out
            forgotten.append(NAMES[ref])
            status, after = cli(place, "findings", "--json")
            assert after == before, f"the findings changed when {ref} was forgotten"
            status, out = cli(place, "verify")
            assert status == 0 and out.startswith("Intact"), out
            trail = export_of(place)
            # An export made now (one made before a forget is a copy from before it).
            (place.folder / "audit-trail.jsonl").write_text(trail)
            assert_nowhere(place, forgotten, [])
            for ref_left, name in NAMES.items():  # the others are still readable
                if name not in forgotten and ref_left != "C-0002":
                    assert name in trail, f"{ref_left} became unreadable with {ref}"
            status, access = cli(place, "subject", ref)
            assert status == 0 and "has been forgotten" in access, access
        # Free text went with any one of the people it concerns.
        trail = export_of(place)
        assert "Quillet form" not in trail  # C-0001 forgotten, G-0901 not
        assert "Quarrow form" not in trail  # G-0902 forgotten, C-0002 not
        assert "Qualtrough spoke" not in trail  # S-0901 forgotten, G-0901 not
        grants = [
            line
            for line in lines_of(trail)
            if line["type"] == "ConsentGranted" and line.get("guardian") in ("G-0901", "G-0902")
        ]
        assert [g["evidence"] for g in grants] == [FORGOTTEN, FORGOTTEN]
        assert NAMES["C-0002"] in trail and NAMES["G-0901"] in trail  # not forgotten
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
        assert_nowhere(place, forgotten, [])
        status, out = cli(place, "forget", "S-0904")
        assert status == 2 and "already forgotten" in out


@pytest.mark.parametrize("store", STORES)
def test_forget_refuses_what_is_not_a_person(store: str) -> None:
    with people_ledger(store) as place, pinned_now():
        for ref in ("P-0001", "K-0001", "T-01", "S-9999", "Barnaby Quillet-Zorn"):
            status, out = cli(place, "forget", ref)
            assert status == 2, out
            assert "Quillet" not in out and "Traceback" not in out


# --- words kept where a forget cannot reach them are refused when they hold a name ----------


@pytest.mark.parametrize("store", STORES)
def test_a_held_name_in_a_device_label_or_a_concern_action_is_refused(store: str) -> None:
    with people_ledger(store) as place, pinned_now():
        assert cli(place, "findings")[0] == 0  # a command first: SQLite settles its files
        before = stored_state(place.db, place.folder)
        for label in (
            "barnaby quillet-zorn's phone",
            "QUILLET ZORN",
            "Phone of Barnaby.Quillet Zorn",
        ):
            status, out = cli(
                place,
                "post",
                "publish",
                "--post",
                "P-0901",
                "--channel",
                "closed-group",
                "--author",
                "S-0901",
                "--depicts",
                "",
                "--device",
                label,
                "--on",
                DAY.isoformat(),
            )
            assert status == 2, out
            assert "--device" in out and "reference" in out
            assert "quillet" not in out.lower() and "Traceback" not in out
        concern = place.folder / "concern.jsonl"
        concern.write_text(
            json.dumps(
                {
                    "type": "ConcernRaised",
                    "on": "2026-06-02",
                    "concern": "K-0901",
                    "category": "other",
                }
            )
            + "\n"
            + json.dumps(
                {
                    "type": "ConcernAddressed",
                    "on": "2026-06-02",
                    "concern": "K-0901",
                    "action": "Talked it over with Lucan Querrett-Zolt",
                }
            )
            + "\n"
        )
        status, out = cli(place, "import", str(concern))
        assert status == 2, out
        assert "line 2, field `action`" in out and "Querrett" not in out
        assert stored_state(place.db, place.folder) == before, "a refusal wrote something"
        # Words that name no one are recorded, and a name of someone not held is no name here.
        concern.write_text(
            concern.read_text().replace("Lucan Querrett-Zolt", "the parent concerned")
        )
        assert cli(place, "import", str(concern))[0] == 0
        status, out = cli(
            place, "post", "publish", "--post", "P-0902", "--channel", "closed-group",
            "--author", "S-0901", "--depicts", "", "--device", "Querrett phone",
            "--on", DAY.isoformat(),
        )  # fmt: skip
        assert status == 0, out  # a part of a name alone is not the name


@pytest.mark.parametrize("store", STORES)
def test_a_name_enrolled_earlier_in_the_same_import_is_refused_in_a_label(store: str) -> None:
    with people_ledger(store) as place, pinned_now():
        path = place.folder / "facts.jsonl"
        facts = [
            {"type": "PersonJoined", "on": "2026-06-02", "person": "S-0950",
             "name": "Rowena Quintock", "kind": "staff"},
            {"type": "ChildContacted", "on": "2026-06-02", "child": "C-0001", "by": "S-0950",
             "method": "setting-phone", "device": "rowena-quintock-mobile"},
        ]  # fmt: skip
        path.write_text("".join(json.dumps(f) + "\n" for f in facts))
        status, out = cli(place, "import", str(path))
        assert status == 2 and "line 2, field `device`" in out, out
        assert "Quintock" not in out and "quintock" not in out


def test_the_names_are_read_only_for_text_that_could_hold_one() -> None:
    reads: list[int] = []

    def held() -> list[str]:
        reads.append(1)
        return ["Barnaby Quillet-Zorn", "Jo"]

    guard = NameGuard(held)

    def post(device: str) -> ev.PostPublished:
        return ev.PostPublished(
            on=DAY, post="P-1", channel="closed-group", author="S-1", depicts=[], device=device
        )

    assert guard.check(post("T-01")) is None and not reads  # a device's reference: no words
    assert guard.check(post("own phone")) is None and reads == [1]
    for label in ("barnaby QUILLET zorn", "quillet-zorn tablet", "Quillet_Zorn"):
        refusal = guard.check(post(label))
        assert refusal is not None and refusal.field == "device", label
        assert "uillet" not in refusal.message
    assert guard.check(post("Quillet tablet")) is None  # one word of a family name
    assert guard.check(post("Jo phone")) is None  # a name this short is not looked for
    guard.learn(ev.ChildEnrolled(on=DAY, child="C-0009", name="Tamsin Orrick"))
    assert guard.check(post("orrick ipad")) is not None  # learnt in the same write
    assert reads == [1]


# --- compatibility: what older code stored stays as it was ----------------------------------

# Envelopes stored by the code before joint sealing (commit b0ee90b): a consent's evidence sealed
# under the child alone, an acknowledgement under a pair's own key, a concern's action under the
# setting's key; and those keys. Stream 12345678-1234-5678-1234-567812345678, positions 7 to 9.
OLD_STREAM = uuid.UUID("12345678-1234-5678-1234-567812345678")
OLD_ENVELOPES = {
    7: (
        "ConsentGranted:C-0001",
        "93d6ff69a5589887a474797065ae436f6e73656e744772616e746564a56368696c64a6432d30303031a867"
        "7561726469616ea6472d30303031a76368616e6e656cac636c6f7365642d67726f7570a865766964656e63"
        "65a85b7365616c65645da66d6574686f64a57061706572a26f6eaa323032362d30332d303181a865766964"
        "656e636592a6432d30303031c434265b5d771c7f50a0fbeaf26ec24d424b95f0e1249df3dd03ee0eea2fe3"
        "90a22aea469f7fa237beca4905fa588dcaec3ffe4dc942",
        "evidence",
        "F-17 signed by Jo Quenby",
    ),
    8: (
        "FindingAcknowledged:S-0001/G-0001",
        "93d6ff69a5589885a474797065b346696e64696e6741636b6e6f776c6564676564a472756c65bc636f6e6e"
        "656374696f6e2d776974686f75742d657863657074696f6ea77375626a656374ad532d303030312f472d30"
        "303031a6616374696f6ea85b7365616c65645da26f6eaa323032362d30332d303181a6616374696f6e92ad"
        "532d303030312f472d30303031c42ef1319c8d0513a13fa9c75d1fdf1b61aa7df5c3b9fdd1aa994bbce301"
        "bf08b352869782a07495e2170bc59e3d2544",
        "action",
        "Spoke to Jo Quenby",
    ),
    9: (
        "ConcernAddressed:K-0001",
        "93d6ff69a5589884a474797065b0436f6e6365726e416464726573736564a7636f6e6365726ea64b2d3030"
        "3031a6616374696f6ea85b7365616c65645da26f6eaa323032362d30332d303181a6616374696f6e92a773"
        "657474696e67c42f8b6588512bde2f1fe9d8ee761475b9f331529627087de4aee972d8b92138f6e08bd673"
        "eadfcaade294c4837912625a",
        "action",
        "Removed the comment",
    ),
}
OLD_KEYS = {
    "C-0001": "869fc98994e1ec3208c730c3c090428099e1bcdde02428dfc8eb50f05919ad3b",
    "S-0001/G-0001": "140345c3df53e17861273ca0935608f61d16195db3d9f880cf454304d7848cc5",
    "setting": "464d17f289ccdc298519628dfab0aae848c7522bf8ddf259c7ef9d9802da1142",
}


def old_key_store(folder: Path) -> keys.KeyStore:
    path = folder / "old.keys"
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE keys (subject TEXT PRIMARY KEY, key BLOB NOT NULL)")
        db.executemany(
            "INSERT INTO keys VALUES (?, ?)", [(s, bytes.fromhex(k)) for s, k in OLD_KEYS.items()]
        )
        db.commit()
    return keys.KeyStore(path)


def test_an_envelope_stored_by_the_older_code_reads_and_re_encodes_to_the_same_bytes(
    tmp_path: Path,
) -> None:
    from eventsourcing.persistence import StoredEvent

    store = old_key_store(tmp_path)
    mapper = EventMapper()
    mapper.keys = store
    for position, (topic, state_hex, field, text) in OLD_ENVELOPES.items():
        state = bytes.fromhex(state_hex)
        envelope = mapper.open_row(position, topic, state)
        assert isinstance(envelope, Envelope)
        assert mapper.encode_envelope(envelope) == state, f"position {position} re-encodes apart"
        recorded = mapper.to_domain_event(StoredEvent(OLD_STREAM, position, topic, state))
        assert getattr(recorded.event, field) == text
    # Forgetting the member of staff destroys the pair key the older code made for them too.
    assert store.forget("S-0001")
    assert store.get("S-0001/G-0001") is None
    topic, state_hex, field, _text = OLD_ENVELOPES[8]
    recorded = mapper.to_domain_event(StoredEvent(OLD_STREAM, 8, topic, bytes.fromhex(state_hex)))
    assert getattr(recorded.event, field) == FORGOTTEN
    store.close()


def test_a_joint_key_needs_every_one_of_its_people(tmp_path: Path) -> None:
    store = keys.KeyStore(tmp_path / "x.keys")
    subject = keys.joint_subject({"G-0001", "C-0001"})
    assert subject == "C-0001+G-0001"
    store.ensure({subject})
    joint = store.get(subject)
    child, guardian = store.get("C-0001"), store.get("G-0001")
    assert joint is not None and child is not None and guardian is not None
    aad = keys.aad(OLD_STREAM, 3, "evidence")
    blob = keys.seal(joint, "F-9", aad)
    # No one person's key opens it alone; the joint key does.
    assert keys.unseal(child, blob, aad) is None and keys.unseal(guardian, blob, aad) is None
    assert keys.unseal(joint, blob, aad) == "F-9"
    # Forgetting either one shreds it.
    assert store.forget("G-0001")
    assert store.get(subject) is None
    store.close()


# --- the key store is part of the record --------------------------------------------------------


def _keys_db(place: Place) -> sqlite3.Connection:
    return sqlite3.connect(place.config().keys_path)


@pytest.mark.parametrize("store", STORES)
def test_a_lost_key_is_named_and_never_shown_as_forgotten(store: str) -> None:
    with people_ledger(store) as place, pinned_now():
        with contextlib.closing(_keys_db(place)) as db:
            db.execute("DELETE FROM keys WHERE subject = 'G-0901'")
            db.commit()
        status, out = cli(place, "verify")
        assert status == 1, out
        assert "G-0901" in out and "restore the key store" in out and "Intact" not in out
        assert "Traceback" not in out
        status, out = cli(place, "subject", "G-0901")
        assert status == 1 and "[forgotten]" not in out and "no key" in out, out
        status, out = cli(place, "subject", "G-0901", "--json")
        assert status == 1 and "[forgotten]" not in out, out
        # Nor on the facts of another person that name them (the parent of C-0001).
        status, out = cli(place, "subject", "C-0001")
        assert status == 1 and "G-0901" in out and "[forgotten]" not in out, out
        status, out = cli(place, "subject", "C-0002")  # no fact of theirs names G-0901
        assert status == 0 and "[forgotten]" not in out, out


@pytest.mark.parametrize("store", STORES)
def test_two_swapped_keys_are_named_not_a_crash(store: str) -> None:
    with people_ledger(store) as place, pinned_now():
        with contextlib.closing(_keys_db(place)) as db:
            ((one,),) = db.execute("SELECT key FROM keys WHERE subject = 'S-0903'")
            ((two,),) = db.execute("SELECT key FROM keys WHERE subject = 'S-0904'")
            db.execute("UPDATE keys SET key = ? WHERE subject = 'S-0903'", (two,))
            db.execute("UPDATE keys SET key = ? WHERE subject = 'S-0904'", (one,))
            db.commit()
        status, out = cli(place, "verify")
        assert status == 1, out
        assert "S-0903" in out and "S-0904" in out and "opens with the key held for" in out
        for argv in (["export"], ["subject", "S-0903"]):
            status, out = cli(place, *argv)
            assert status == 1, out  # named, never 70
            assert "does not open" in out and "Traceback" not in out
            assert "Quoyle" not in out and "Querrett" not in out


@pytest.mark.parametrize("store", STORES)
def test_verify_names_a_forgotten_persons_key_that_is_back(store: str) -> None:
    """The check itself, without the completion on opening: a key kept for someone forgotten."""
    from ledger import integrity

    with people_ledger(store) as place, pinned_now():
        assert cli(place, "forget", "S-0902")[0] == 0
        ledger = place.open()
        ledger.keys.ensure({"S-0902"})  # as a restored store would hold it
        assert isinstance(ledger.mapper, EventMapper)
        problems = integrity.check_key_store(
            ledger.rows_of_types([*ev.NAME_FIELDS, ev.SubjectForgotten]),
            ledger.mapper.open_row,
            ledger.stream,
            ledger.keys,
            "ledger.keys",
        )
        ledger.close()
        assert [p.person for p in problems] == ["S-0902"]
        assert "was forgotten" in problems[0].problem


# --- forget completes itself ------------------------------------------------------------------


@pytest.mark.parametrize("store", STORES)
def test_a_key_store_restored_from_before_a_forget_is_completed_on_opening(store: str) -> None:
    with people_ledger(store) as place, pinned_now():
        keys_file = place.config().keys_path
        backup = place.folder / "backup-before-forget.keys"
        shutil.copyfile(keys_file, backup)
        status, out = cli(place, "forget", "G-0901")
        assert status == 0, out
        head = place.open()
        position = head.head()
        head.close()
        for _round in range(2):  # restored twice: completed each time
            shutil.copyfile(backup, keys_file)
            assert NAMES["G-0901"].encode() not in keys_file.read_bytes()  # only keys in there
            status, out = cli(place, "findings")
            assert status == 0, out
            assert f"completed the forget of 1 person recorded at position {position}" in out
            assert "G-0901" in out and "Quillet" not in out
            trail = export_of(place)
            assert NAMES["G-0901"] not in trail and "Quillet" not in trail
            status, out = cli(place, "verify")
            assert status == 0 and "completed the forget" not in out, out
        # Nothing left to complete: no message.
        status, out = cli(place, "findings")
        assert status == 0 and "completed the forget" not in out


@pytest.mark.parametrize("store", STORES)
def test_an_interrupted_forget_is_completed_on_opening(store: str) -> None:
    with people_ledger(store) as place, pinned_now():
        ledger = place.open()
        signer = Signer.load(place.config().key_path)
        forget = ev.SubjectForgotten(on=DAY, subject_ref="S-0904")
        (position,) = ledger.record([forget], signer, lambda: NOW, forgetting=True)
        ledger.close()  # stopped here: the key was never destroyed
        with contextlib.closing(_keys_db(place)) as db:
            assert db.execute("SELECT 1 FROM keys WHERE subject = 'S-0904'").fetchall()
        status, out = cli(place, "export")  # the first command opening the ledger completes it
        assert status == 0
        assert f"completed the forget of 1 person recorded at position {position}" in out
        assert NAMES["S-0904"] not in out and "Querrett" not in out
        status, out = cli(place, "subject", "S-0904")
        assert status == 0 and "has been forgotten" in out
        assert NAMES["S-0904"] not in out
        with contextlib.closing(_keys_db(place)) as db:
            assert not db.execute("SELECT 1 FROM keys WHERE subject = 'S-0904'").fetchall()
        status, out = cli(place, "verify")
        assert status == 0 and "completed the forget" not in out, out


@pytest.mark.parametrize("store", STORES)
def test_text_about_someone_already_forgotten_is_sealed_under_no_kept_key(store: str) -> None:
    """A true fact about a forgotten child is still recorded, but no key is made for them again:
    its evidence is unreadable at once, and the key store still verifies."""
    with people_ledger(store) as place, pinned_now():
        assert cli(place, "forget", "C-0002")[0] == 0
        status, out = cli(
            place, "consent", "grant", "--child", "C-0002", "--guardian", "G-0902",
            "--channel", "public-page", "--evidence", "F-88 late form", "--method", "paper",
            "--on", DAY.isoformat(),
        )  # fmt: skip
        assert status == 0, out
        with contextlib.closing(_keys_db(place)) as db:
            assert not db.execute("SELECT 1 FROM keys WHERE subject = 'C-0002'").fetchall()
        trail = export_of(place)
        assert "F-88 late form" not in trail
        last = [line for line in lines_of(trail) if line["type"] == "ConsentGranted"][-1]
        assert last["evidence"] == FORGOTTEN and last["channel"] == "public-page"
        status, out = cli(place, "verify")
        assert status == 0 and out.startswith("Intact"), out
