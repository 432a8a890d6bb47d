"""Tests that kill the surviving mutants of ``ledger/trail.py`` (issue 12, item 11).

One small real ledger (SQLite: the replay reads only the exported file, whatever store made
it) gives the genuine trail: the setting, two children with a parent each, consent granted
and withdrawn, a policy, and a forgotten child, in four writes (four checkpoints). The
setting's own signing key is at hand, so that the prover can forge what only a setting could:
lines re-signed, checkpoints with another origin, size or root. Each forgery must be refused
by ``check_trail`` naming the right line and what is wrong; the genuine trail must be
accepted with exactly what it holds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import msgspec
import pytest

from ledger import events as ev
from ledger import trail
from ledger.checkpoint import Checkpoint, Signer, Verifier
from ledger.merkle import root_of
from tests.conftest import NOW, config_for, fresh_db, new_ledger
from tests.test_audit_trail import Place, cli
from tests.test_privacy_and_refusals import pinned_now

D = dt.date


class Genuine(NamedTuple):
    """The genuine artefacts of the test ledger, and its keys."""

    trail: bytes
    receipt: bytes
    signer: Signer
    other: Signer  # another ledger's key


def _writes() -> list[list[ev.Event]]:
    start = D(2025, 9, 1)
    return [
        [
            ev.ChildEnrolled(on=start, child="C-0001", name="Ann Example"),
            ev.GuardianLinked(on=start, guardian="G-0001", name="Bob Example", child="C-0001"),
            ev.ConsentGranted(
                on=D(2025, 9, 2),
                child="C-0001",
                guardian="G-0001",
                channel="closed-group",
                evidence="F-17",
                method="paper",
            ),
        ],
        [
            ev.PolicyAdopted(on=start, version="2025"),
            ev.ChildEnrolled(on=start, child="C-0002", name="Cy Example"),
            ev.GuardianLinked(on=start, guardian="G-0002", name="Di Example", child="C-0002"),
            ev.ConsentGranted(
                on=D(2025, 9, 3),
                child="C-0002",
                guardian="G-0002",
                channel="public-page",
                evidence="F-18",
                method="email",
                expires=D(2026, 9, 3),
            ),
            ev.ConsentWithdrawn(
                on=D(2025, 10, 2), child="C-0001", guardian="G-0001", channel="closed-group"
            ),
        ],
    ]


@contextlib.contextmanager
def genuine_ledger(later: Sequence[ev.Event] = ()) -> Iterator[Genuine]:
    """Make the test ledger (with ``later`` facts recorded after the forget, in a fifth
    write); export its trail and C-0001's receipt."""
    with tempfile.TemporaryDirectory() as tmp, fresh_db("sqlite", Path(tmp)) as db:
        config = config_for(db, Path(tmp))
        ledger = new_ledger(config)
        signer = Signer.generate("policy-ledger")
        ledger.create(
            "Test Setting", "south-woodham-preschool", signer, lambda: NOW.replace(hour=5)
        )
        signer.save(config.key_path)
        for hour, facts in enumerate(_writes(), start=6):
            ledger.record(facts, signer, functools.partial(NOW.replace, hour=hour))
        ledger.close()
        place = Place(db, Path(tmp))
        with pinned_now():
            status, out = cli(place, "forget", "C-0002")
            assert status == 0, out
            if later:
                ledger = place.open()
                ledger.record(later, signer, functools.partial(NOW.replace, hour=13))
                ledger.close()
            status, text = cli(place, "export")
            assert status == 0, text
            status, receipt = cli(place, "receipt", "C-0001")
            assert status == 0, receipt
        yield Genuine(text.encode(), receipt.encode(), signer, Signer.generate("policy-ledger"))


@pytest.fixture(scope="module")
def g() -> Iterator[Genuine]:
    with genuine_ledger() as made:
        yield made


# The genuine trail's lines (1-based): what each holds.
SETTING, CP1, ANN, BOB, GRANT, CP2, POLICY, CY, DI, GRANT_2, WITHDRAWN, CP3, FORGET, CP4 = range(
    1, 15
)


def objs(g: Genuine) -> list[dict[str, Any]]:
    """The trail's lines as objects (in the export's order of fields), line 1 first."""
    return [json.loads(line) for line in g.trail.splitlines()]


def join(lines: list[dict[str, Any]]) -> bytes:
    """Lines written as the ledger writes them (compact JSON, the fields' order kept)."""
    return b"".join(msgspec.json.encode(obj) + b"\n" for obj in lines)


def trusted(*signers: Signer) -> list[Verifier]:
    return [s.verifier() for s in signers]


def refusal(data: bytes, *keys: Verifier) -> tuple[int, str]:
    """The line and message of the replay's refusal of ``data``."""
    with pytest.raises(trail.TrailError) as caught:
        trail.check_trail(data, list(keys))
    error = caught.value
    assert str(error) == f"line {error.line}: " + str(error).split(": ", 1)[1]
    return error.line, str(error).split(": ", 1)[1]


def note_for(signer: Signer, origin: str, size: int, root: bytes) -> str:
    return signer.sign(Checkpoint(origin, size, root))


def leaves(g: Genuine) -> list[bytes]:
    return [bytes.fromhex(o["leaf"]) for o in objs(g) if o["type"] != "Checkpoint"]


def origin(g: Genuine) -> str:
    return trail.head_checkpoint(objs(g)[CP1 - 1]["note"]).origin


# --- the genuine trail --------------------------------------------------------------------------


def test_the_genuine_trail_is_accepted_with_what_it_holds(g: Genuine) -> None:
    checked = trail.check_trail(g.trail, trusted(g.signer))
    lines = objs(g)
    last = lines[CP4 - 1]["note"]
    assert checked.size == 10
    assert checked.checkpoints == 4
    assert checked.note == last
    assert checked.root == trail.head_checkpoint(last).root.hex()
    assert checked.vkey == g.signer.verifier_key()
    assert checked.origin == origin(g)
    assert checked.origin.startswith("policy-ledger/")
    assert checked.leaves == leaves(g)
    assert [f.position for f in checked.facts] == list(range(1, 11))
    assert [f.line for f in checked.facts] == [
        SETTING,
        ANN,
        BOB,
        GRANT,
        POLICY,
        CY,
        DI,
        GRANT_2,
        WITHDRAWN,
        FORGET,
    ]
    assert checked.facts[1].event == _writes()[0][0]
    assert checked.facts[1].recorded_at == NOW.replace(hour=6)
    assert isinstance(checked.facts[-1].event, ev.SubjectForgotten)


def test_the_genuine_trail_with_its_key_among_others(g: Genuine) -> None:
    """Several trusted keys: the one the file names is chosen, in whichever order."""
    for keys in (trusted(g.other, g.signer), trusted(g.signer, g.other)):
        assert trail.check_trail(g.trail, keys).vkey == g.signer.verifier_key()


def test_the_export_writes_each_key_and_no_key_of_a_forgotten_person(g: Genuine) -> None:
    """The export's own form (read by nothing else here): the fields in order, the sealed
    part with subject, ciphertext and key; the forgotten child's field without a key."""
    lines = objs(g)
    ann = lines[ANN - 1]
    assert list(ann) == ["type", "child", "name", "on", "position", "recorded_at", "leaf", "sealed"]
    assert list(ann["sealed"]["name"]) == ["subject", "blob", "key"]
    assert ann["recorded_at"] == NOW.replace(hour=6).isoformat()
    assert ann["position"] == 2
    cy = lines[CY - 1]
    assert cy["name"] == "[forgotten]"
    assert list(cy["sealed"]["name"]) == ["subject", "blob"]
    assert "sealed" not in lines[POLICY - 1]
    checkpoint = lines[CP2 - 1]
    assert list(checkpoint) == ["type", "sequence", "size", "signed_at", "note", "vkey"]
    assert checkpoint["type"] == "Checkpoint"
    assert (checkpoint["sequence"], checkpoint["size"]) == (2, 4)
    assert checkpoint["signed_at"] == NOW.replace(hour=6).isoformat()
    assert checkpoint["vkey"] == g.signer.verifier_key()
    assert trail.b64(b"\x00\xff") == "AP8="


# --- no key, or the wrong one -----------------------------------------------------------------


def test_no_trusted_key_no_verdict(g: Genuine) -> None:
    assert refusal(g.trail) == (0, "no public key was supplied to check against")


def test_a_trail_checked_against_another_key_is_refused(g: Genuine) -> None:
    line, message = refusal(g.trail, *trusted(g.other))
    assert line == CP1
    assert message == (
        f"the checkpoint says it is signed by {g.signer.verifier_key()}, not by the key supplied"
    )


def test_a_file_naming_none_of_several_trusted_keys_is_refused(g: Genuine) -> None:
    third = Signer.generate("policy-ledger")
    line, message = refusal(g.trail, *trusted(g.other, third))
    assert line == CP1
    assert message == (
        f"the file says it is signed by {g.signer.verifier_key()}, which is not one of the"
        " 2 trusted keys"
    )


def test_pick() -> None:
    """The trusted key the file names (spaces around it ignored); the only one; else why."""
    a, b = Signer.generate("policy-ledger"), Signer.generate("policy-ledger")
    va, vb = a.verifier(), b.verifier()
    assert trail.pick([], va.verifier_key()) == "no public key was supplied to check against"
    assert trail.pick([va, vb], f" {vb.verifier_key()}\n") is vb
    assert trail.pick([va, vb], va.verifier_key()) is va
    assert trail.pick([vb], va.verifier_key()) is vb
    assert trail.pick([vb], None) is vb
    assert trail.pick([va, vb], None) == (
        "the file names no key to choose among the 2 trusted keys"
    )
    assert trail.pick([va, vb], "") == "the file names no key to choose among the 2 trusted keys"
    assert trail.pick([va, vb], " x ") == (
        "the file says it is signed by x, which is not one of the 2 trusted keys"
    )


# --- the layout of the file -------------------------------------------------------------------


def test_layout_problems_name_their_line(g: Genuine) -> None:
    key = g.signer.verifier()
    data = g.trail
    cut = data.index(b"\n") + 1  # the end of line 1
    assert refusal(data[:cut] + b"\r" + data[cut:], key) == (
        2,
        "the line ends in \\r (the ledger writes \\n only)",
    )
    assert refusal(data[:cut] + b"\n" + data[cut:], key) == (
        2,
        "the line is blank (the ledger writes none)",
    )
    assert refusal(b"\n" + data, key) == (1, "the line is blank (the ledger writes none)")
    assert refusal(data[:-1], key) == (CP4, "the last line has no \\n (the file was cut short?)")
    # Several problems: the first in the file is named.
    both = data[:cut] + b"\n" + data[cut:-1] + b"\r\n"
    assert refusal(both, key)[0] == 2


def test_the_empty_file_holds_no_facts(g: Genuine) -> None:
    assert refusal(b"", g.signer.verifier()) == (1, "the file holds no facts")


def test_a_line_that_is_not_an_object_or_not_json(g: Genuine) -> None:
    key = g.signer.verifier()
    first = g.trail.split(b"\n", 1)[0] + b"\n"
    assert refusal(first + b"[1]\n", key) == (2, "expected a JSON object")
    line, _ = refusal(first + b"{nope\n", key)
    assert line == 2


# --- checkpoint lines -------------------------------------------------------------------------


def test_a_malformed_checkpoint_line(g: Genuine) -> None:
    lines = objs(g)
    del lines[CP1 - 1]["vkey"]
    line, message = refusal(join(lines), g.signer.verifier())
    assert line == CP1
    assert message.startswith("the checkpoint line is malformed (")


def test_a_checkpoint_line_spelled_another_way(g: Genuine) -> None:
    raw = g.trail.splitlines(keepends=True)
    raw[CP1 - 1] = raw[CP1 - 1].replace(b'"sequence":1', b'"sequence": 1')
    line, message = refusal(b"".join(raw), g.signer.verifier())
    assert line == CP1
    assert message.startswith("the checkpoint line: it is not as the ledger wrote it, from")


def test_a_later_checkpoint_naming_another_key(g: Genuine) -> None:
    """The first checkpoint chooses the key; a later one naming another is refused."""
    lines = objs(g)
    lines[CP2 - 1]["vkey"] = g.other.verifier_key()
    line, message = refusal(join(lines), *trusted(g.signer, g.other))
    assert (line, message) == (
        CP2,
        f"the checkpoint says it is signed by {g.other.verifier_key()}, not by the key supplied",
    )


def test_checkpoints_numbered_out_of_order(g: Genuine) -> None:
    lines = objs(g)
    lines[CP2 - 1]["sequence"] = 3
    assert refusal(join(lines), g.signer.verifier()) == (
        CP2,
        "a write is missing: checkpoint 2 is not in the file (expected checkpoint 2, found 3)",
    )
    lines = objs(g)
    lines[CP1 - 1]["sequence"] = 0
    assert refusal(join(lines), g.signer.verifier()) == (
        CP1,
        "a checkpoint is repeated or out of order here (expected checkpoint 1, found 0)",
    )


def test_a_checkpoint_with_no_facts_before_it(g: Genuine) -> None:
    lines = objs(g)
    again = dict(lines[CP1 - 1], sequence=2)
    forged = [lines[0], lines[1], again, *lines[2:]]
    assert refusal(join(forged), g.signer.verifier()) == (
        3,
        "a checkpoint with no facts before it (every write adds facts)",
    )
    assert refusal(join(lines[1:]), g.signer.verifier()) == (
        1,
        "a checkpoint with no facts before it (every write adds facts)",
    )


def test_a_checkpoint_signed_by_another_key_under_the_right_name(g: Genuine) -> None:
    lines = objs(g)
    body = trail.head_checkpoint(lines[CP2 - 1]["note"])
    lines[CP2 - 1]["note"] = g.other.sign(body)
    assert refusal(join(lines), g.signer.verifier()) == (
        CP2,
        "the checkpoint is not signed by the key supplied",
    )


def test_a_checkpoint_of_another_ledger_signed_by_the_setting(g: Genuine) -> None:
    lines = objs(g)
    head = trail.head_checkpoint(lines[CP2 - 1]["note"])
    other_origin = "policy-ledger/00000000-0000-4000-8000-000000000000"
    lines[CP2 - 1]["note"] = note_for(g.signer, other_origin, head.size, head.root)
    assert refusal(join(lines), g.signer.verifier()) == (CP2, "the checkpoint names another ledger")


def test_a_ledger_whose_origin_names_no_stream_cannot_open_a_sealed_field(g: Genuine) -> None:
    """Every checkpoint re-signed by the setting for an origin that is not a ledger's stream:
    the first sealed field (with its key) cannot be opened, and is refused."""
    lines = objs(g)
    for index in (CP1, CP2, CP3, CP4):
        head = trail.head_checkpoint(lines[index - 1]["note"])
        lines[index - 1]["note"] = note_for(g.signer, "policy-ledger/x", head.size, head.root)
    assert refusal(join(lines), g.signer.verifier()) == (
        ANN,
        "a sealed field comes before any checkpoint names the ledger",
    )


def releaf(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` with its ``leaf`` made to match what it now holds (a fact with no sealed
    field), as a forger who knows the hashing would."""
    _, leaf = trail.rebuild_fact(obj, 1, None)
    return dict(obj, leaf=leaf.hex())


def test_a_fact_out_of_its_place(g: Genuine) -> None:
    """A fact whose position is not the next one (its leaf made to match) is refused."""
    lines = objs(g)
    lines[POLICY - 1] = releaf(dict(lines[POLICY - 1], position=6))
    assert refusal(join(lines), g.signer.verifier()) == (
        POLICY,
        "a fact is missing here: the file has no line for position 5 (expected position 5,"
        " found 6)",
    )
    lines = objs(g)
    lines[SETTING - 1] = releaf(dict(lines[SETTING - 1], position=2))
    assert refusal(join(lines), g.signer.verifier()) == (
        SETTING,
        "a fact is missing here: the file has no line for position 1 (expected position 1,"
        " found 2)",
    )


def test_a_fact_that_does_not_hash_to_its_leaf(g: Genuine) -> None:
    """A leaf that is not the fact's: the line is not what the ledger writes for that fact
    (the leaf is part of the one form), so it is refused there, naming the line."""
    lines = objs(g)
    lines[POLICY - 1]["leaf"] = "00" * 32
    line, message = refusal(join(lines), g.signer.verifier())
    assert line == POLICY
    assert message.startswith("it is not as the ledger wrote it, from character ")
    lines = objs(g)
    lines[POLICY - 1]["version"] = "2026"  # the leaf no longer covers it
    assert refusal(join(lines), g.signer.verifier())[0] == POLICY


def test_a_checkpoint_time_that_is_not_its_facts_record_time(g: Genuine) -> None:
    lines = objs(g)
    lines[CP2 - 1]["signed_at"] = NOW.replace(hour=7).isoformat()
    assert refusal(join(lines), g.signer.verifier()) == (
        CP2,
        "the checkpoint's time is not its facts' record time",
    )


def test_a_checkpoint_signed_for_another_size_or_root(g: Genuine) -> None:
    """Signed by the setting, for fewer facts than precede it, or for another root; or a line
    that says another size than the signed one."""
    lines = objs(g)
    first = leaves(g)
    lines[CP2 - 1]["note"] = note_for(g.signer, origin(g), 3, root_of(first[:3]))
    assert refusal(join(lines), g.signer.verifier()) == (
        CP2,
        "facts were removed or added before this checkpoint: it is signed for 3 facts; 4"
        " precede it",
    )
    lines = objs(g)
    lines[CP2 - 1]["note"] = note_for(g.signer, origin(g), 4, root_of(first[1:5]))
    assert refusal(join(lines), g.signer.verifier()) == (
        CP2,
        "the facts before this checkpoint are not the ones it signed (one was changed, added"
        " or removed): they do not give its signed root",
    )
    lines = objs(g)
    lines[CP2 - 1]["size"] = 5
    assert refusal(join(lines), g.signer.verifier()) == (
        CP2,
        "the checkpoint line says 5 facts; 4 precede it",
    )


def test_facts_after_the_last_checkpoint_are_not_signed(g: Genuine) -> None:
    lines = objs(g)
    assert refusal(join(lines[: CP4 - 1]), g.signer.verifier()) == (
        FORGET,
        "the file is incomplete, or was added to: its last 1 fact is not"
        " followed by a signed checkpoint (an export always ends with one); the facts from"
        " here on are not signed",
    )
    without = [line for number, line in enumerate(lines, 1) if number != WITHDRAWN]
    assert refusal(join(without), g.signer.verifier()) == (
        CP3 - 1,
        "facts were removed or added before this checkpoint: it is signed for 9 facts; 8"
        " precede it",
    )


def test_a_trail_that_does_not_start_with_the_setting(g: Genuine) -> None:
    """A trail made and signed by the setting whose first fact is its policy."""
    policy = dict(objs(g)[POLICY - 1], position=1)
    fact, leaf = trail.rebuild_fact(policy, 1, None)
    policy["leaf"] = leaf.hex()
    note = note_for(g.signer, origin(g), 1, root_of([leaf]))
    checkpoint = trail.checkpoint_line(1, 1, fact.recorded_at, note, g.signer.verifier_key())
    data = msgspec.json.encode(policy) + b"\n" + checkpoint + b"\n"
    assert refusal(data, g.signer.verifier()) == (
        1,
        "the file does not start at the beginning of the trail: its first fact is not"
        " SettingRegistered",
    )


# --- forgotten and redacted fields ----------------------------------------------------------


def _redact(line: dict[str, Any], field: str) -> None:
    line[field] = "[forgotten]"
    del line["sealed"][field]["key"]


def test_a_name_redacted_without_a_forget_is_refused(g: Genuine) -> None:
    """The first redacted line is named, and the people whose forget is missing."""
    lines = objs(g)
    _redact(lines[BOB - 1], "name")
    _redact(lines[GRANT - 1], "evidence")
    assert refusal(join(lines), g.signer.verifier()) == (
        BOB,
        "a field is shown as [forgotten], but the trail records no forget of G-0001: its key"
        " was withheld, or the trail was cut before the forget (an `export --as-of` made after"
        " a forget: replay the whole export with --known-at)",
    )
    lines = objs(g)
    _redact(lines[GRANT - 1], "evidence")
    line, message = refusal(join(lines), g.signer.verifier())
    assert (line, message.split(":")[0]) == (
        GRANT,
        "a field is shown as [forgotten], but the trail records no forget of C-0001 or G-0001",
    )


def test_a_joint_field_redacted_with_one_of_its_people_forgotten_is_accepted(
    g: Genuine,
) -> None:
    """C-0002 is forgotten: their name and the evidence sealed for them with G-0002 are
    shown as [forgotten] in the genuine trail. G-0002's name redacted too is refused."""
    lines = objs(g)
    assert lines[GRANT_2 - 1]["evidence"] == "[forgotten]"
    trail.check_trail(g.trail, trusted(g.signer))
    _redact(lines[DI - 1], "name")
    assert refusal(join(lines), g.signer.verifier())[0] == DI


# --- one fact, rebuilt --------------------------------------------------------------------------


def _stream(g: Genuine) -> uuid.UUID:
    return uuid.UUID(origin(g).rsplit("/", 1)[-1])


def rebuilt(g: Genuine, line: int, obj: dict[str, Any] | None = None, **kw: Any) -> bytes:
    """The leaf of the fact on ``line`` (or of ``obj``), rebuilt with the trail's stream."""
    obj = objs(g)[line - 1] if obj is None else obj
    fact, leaf = trail.rebuild_fact(obj, line, _stream(g), **kw)
    assert fact.line == line
    return leaf


def rebuild_refusal(
    g: Genuine, obj: dict[str, Any], stream: uuid.UUID | None = None, **kw: Any
) -> str:
    with pytest.raises(trail.TrailError) as caught:
        trail.rebuild_fact(obj, 7, stream or _stream(g), **kw)
    assert caught.value.line == 7
    return str(caught.value).removeprefix("line 7: ")


def test_rebuild_fact_gives_the_fact_and_its_leaf(g: Genuine) -> None:
    lines = objs(g)
    for line in (SETTING, ANN, GRANT, POLICY, CY, GRANT_2):
        obj = lines[line - 1]
        raw = msgspec.json.encode(obj)
        fact, leaf = trail.rebuild_fact(obj, line, _stream(g), raw)
        assert leaf.hex() == obj["leaf"]
        assert fact.position == obj["position"]
        assert fact.recorded_at.isoformat() == obj["recorded_at"]


def test_rebuild_fact_position_and_record_time(g: Genuine) -> None:
    policy = objs(g)[POLICY - 1]
    for bad in (None, 0, -1, True, "5", 1.0):
        wrong = dict(policy, position=bad)
        assert rebuild_refusal(g, wrong) == ("`position` is missing or not a positive whole number")
    assert rebuilt(g, POLICY, dict(policy, position=1)) != bytes.fromhex(policy["leaf"])
    no_time = {k: v for k, v in policy.items() if k != "recorded_at"}
    assert rebuild_refusal(g, no_time) == "`recorded_at` is missing"
    assert rebuild_refusal(g, dict(policy, recorded_at=5)) == "`recorded_at` is missing"
    assert rebuild_refusal(g, dict(policy, recorded_at="noon")) == (
        "`recorded_at` is not a date-time"
    )


def test_rebuild_fact_refuses_a_bad_fact(g: Genuine) -> None:
    policy = objs(g)[POLICY - 1]
    message = rebuild_refusal(g, dict(policy, version=5))
    assert message.startswith("field `version`: ")
    unknown = dict(policy, type="PolicyBurnt")
    assert rebuild_refusal(g, unknown).startswith("field `type`: unknown type")


def test_rebuild_fact_sealed_parts(g: Genuine) -> None:
    """Each sealed part: an object for a field of the fact, with a subject, base64 ciphertext
    and key; the key opens the ciphertext to the value shown."""
    ann = objs(g)[ANN - 1]
    part = ann["sealed"]["name"]

    def with_part(new: Any, field: str = "name") -> dict[str, Any]:
        return dict(ann, sealed={field: new})

    assert rebuild_refusal(g, dict(ann, sealed=[])) == "`sealed` is not an object"
    assert rebuild_refusal(g, with_part("x")) == "`sealed.name` is not a sealed field of this fact"
    assert rebuild_refusal(g, with_part(part, "colour")) == (
        "`sealed.colour` is not a sealed field of this fact"
    )
    no_subject = {k: v for k, v in part.items() if k != "subject"}
    assert rebuild_refusal(g, with_part(no_subject)) == "`sealed.name.subject` is missing"
    assert rebuild_refusal(g, with_part(dict(part, blob=5))) == (
        "`sealed.name.blob` is not base64 text"
    )
    assert rebuild_refusal(g, with_part(dict(part, blob="*"))) == (
        "`sealed.name.blob` is not base64"
    )
    assert rebuild_refusal(g, with_part(dict(part, key="*"))) == ("`sealed.name.key` is not base64")
    other_key = objs(g)[BOB - 1]["sealed"]["name"]["key"]
    assert rebuild_refusal(g, with_part(dict(part, key=other_key))) == (
        "`name` does not match its sealed value"
    )
    assert rebuild_refusal(g, dict(ann, name="Ann Exbmple")) == (
        "`name` does not match its sealed value"
    )
    # The ciphertext is bound to the fact's place in the ledger.
    assert rebuild_refusal(g, dict(ann, position=3)) == "`name` does not match its sealed value"
    assert rebuild_refusal(g, ann, stream=uuid.uuid4()) == (
        "`name` does not match its sealed value"
    )


def test_rebuild_fact_without_a_stream_cannot_open_a_key(g: Genuine) -> None:
    ann = objs(g)[ANN - 1]
    with pytest.raises(trail.TrailError) as caught:
        trail.rebuild_fact(ann, 3, None)
    assert str(caught.value) == (
        "line 3: a sealed field comes before any checkpoint names the ledger"
    )
    policy = objs(g)[POLICY - 1]
    trail.rebuild_fact(policy, 7, None)  # nothing sealed: no stream needed


def test_rebuild_fact_without_a_key(g: Genuine) -> None:
    """A sealed field without its key must be shown as [forgotten] (and is collected for the
    forget check), or, in a receipt, as [withheld]."""
    ann = objs(g)[ANN - 1]
    part = {k: v for k, v in ann["sealed"]["name"].items() if k != "key"}
    keyless = dict(ann, sealed={"name": part})
    assert rebuild_refusal(g, keyless) == "`name` has no key to check it (expected [forgotten])"
    assert rebuild_refusal(g, keyless, withheld=True) == (
        "`name` has no key to check it (expected [forgotten] or [withheld])"
    )
    withheld = dict(keyless, name="[withheld]")
    assert rebuild_refusal(g, withheld) == "`name` has no key to check it (expected [forgotten])"
    assert rebuilt(g, ANN, withheld, withheld=True).hex() == ann["leaf"]
    forgotten = dict(keyless, name="[forgotten]")
    redacted: dict[str, int] = {"G-0009": 1}
    assert rebuilt(g, ANN, forgotten, redacted=redacted).hex() == ann["leaf"]
    assert redacted == {"G-0009": 1, "C-0001": ANN}
    rebuilt(g, ANN, forgotten)  # nothing to collect it in: accepted all the same
    redacted = {"C-0001": 1}
    rebuilt(g, ANN, forgotten, redacted=redacted)
    assert redacted == {"C-0001": 1}  # the first line that redacts them is kept


def test_rebuild_fact_with_raw_needs_the_one_form(g: Genuine) -> None:
    ann = objs(g)[ANN - 1]
    raw = msgspec.json.encode(ann)
    trail.rebuild_fact(ann, ANN, _stream(g), raw)
    spaced = raw.replace(b'"child":', b'"child": ')
    message = rebuild_refusal(g, ann, None, raw=spaced)
    assert message.startswith("it is not as the ledger wrote it, from character ")
    cy = objs(g)[CY - 1]
    trail.rebuild_fact(cy, CY, _stream(g), msgspec.json.encode(cy))
    bad_key = dict(ann, sealed={"name": dict(ann["sealed"]["name"], key=5)})
    assert rebuild_refusal(g, bad_key) == "`sealed.name.key` is not base64 text"


# --- how a line differs from the one form ---------------------------------------------------


def test_spelling_problem() -> None:
    assert trail.spelling_problem(b'{"a":1,"b":2,"a":3}', b'{"a":3,"b":2}') == (
        "the field `a` is given twice (a reader could see one, a check the other)"
    )
    assert trail.spelling_problem(b'{"a":{"b":1,"b":1},"c":[{"d":1,"d":2}]}', b"{}") == (
        "the field `b` is given twice (a reader could see one, a check the other)"
    )
    assert trail.spelling_problem(b'{"a":1,"z":2,"y":3}', b'{"a":1}') == (
        "it has a field the ledger never writes: `z`"
    )
    assert trail.spelling_problem(b'{"a":1}', b'{"a":1,"m":2,"n":3}') == ("it lacks the field `m`")
    assert trail.spelling_problem(b'{"a": 1}', b'{"a":1}') == (
        "it is not as the ledger wrote it, from character 6 on (spaces, the order of fields,"
        " or a number or string spelled another way)"
    )
    assert "from character 7 on" in trail.spelling_problem(b'{"a":1', b'{"a":1}')
    assert "from character 8 on" in trail.spelling_problem(b'{"a":1}x', b'{"a":1}')
    assert "from character 2 on" in trail.spelling_problem(b"[1]", b"[2]")
    assert "from character 2 on" in trail.spelling_problem(b'{"b":1}', b"{x")


def test_float_field() -> None:
    assert trail.float_field(1.0) == "(the whole)"
    assert trail.float_field({"a": 1, "b": {"c": [1, 2.5]}}) == "b.c[1]"
    assert trail.float_field({"a": [{"b": 1e3}], "z": 0.5}) == "a[0].b"
    assert trail.float_field([0, [1, 2.0]]) == "[1][1]"
    assert trail.float_field({"a": 1, "b": [True, "1.0", None]}) is None


# --- a published checkpoint, record times and the head --------------------------------------


def test_extends(g: Genuine) -> None:
    checked = trail.check_trail(g.trail, trusted(g.signer))
    notes = [o["note"] for o in objs(g) if o["type"] == "Checkpoint"]
    for note in notes:
        assert trail.extends(checked, trail.head_checkpoint(note)) is None
    head = trail.head_checkpoint(notes[1])
    elsewhere = Checkpoint("policy-ledger/other", head.size, head.root)
    assert trail.extends(checked, elsewhere) == "the published checkpoint is for another ledger"
    longer = Checkpoint(head.origin, 1_234, head.root)
    assert trail.extends(checked, longer) == (
        "the trail was cut back: it ends at 10 facts, before the published checkpoint of 1,234"
    )
    forked = Checkpoint(head.origin, 4, root_of(leaves(g)[1:5]))
    assert trail.extends(checked, forked) == (
        "the trail has forked: its first 4 facts do not give the published checkpoint's root"
    )


def test_pairs_as_known_at_a_moment(g: Genuine) -> None:
    facts = trail.check_trail(g.trail, trusted(g.signer)).facts
    assert [p for p, _ in trail.pairs(facts)] == list(range(1, 11))
    assert [p for p, _ in trail.pairs(facts, NOW.replace(hour=6))] == [1, 2, 3, 4]
    assert [p for p, _ in trail.pairs(facts, NOW.replace(hour=5, minute=59))] == [1]
    events = dict(trail.pairs(facts))
    assert isinstance(events[5], ev.PolicyAdopted)


def test_head_checkpoint(g: Genuine) -> None:
    note = objs(g)[CP3 - 1]["note"]
    head = trail.head_checkpoint(note)
    assert (head.origin, head.size, head.root) == (origin(g), 9, root_of(leaves(g)[:9]))
