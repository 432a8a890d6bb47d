"""Replay folds the trail as it reads it (issue 14, item 4): ``trail.fold_trail``.

- Differential: on the genuine trail and on every edit of it hypothesis makes (a line removed,
  repeated, moved or cut; a byte changed; a line end, blank line or ``\\r`` put in), the
  streaming check gives exactly what the whole-file check it replaced gave (kept here,
  verbatim, as ``whole_file_check``): the same refusal at the same line, or the same facts,
  leaves and head. So with every write held in memory, and with none (every write read again
  from the file when its checkpoint comes).
- A file that changes between the two readings of a write is refused, never folded unchecked.
- Replay (``inspection.replay``, the registers folded as the trail is read) gives the
  registers the ledger has, with writes held or read again; from standard input as from a file.
- Memory: folding a trail of 20,000 facts in one write holds a few lines, not the trail.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
import tracemalloc
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings

from ledger import events as ev
from ledger import keys as keystore
from ledger import trail
from ledger.checkpoint import Verifier
from ledger.importer import BadInput, json_lines
from ledger.integrity import Signer
from ledger.mapper import FORGOTTEN
from ledger.merkle import Frontier
from ledger.service import inspection
from ledger.store import Clock
from projections import registers as reg
from tests.conftest import NOW, STORES
from tests.test_audit_trail import ledger_folder
from tests.test_mutation_trail import Genuine, genuine_ledger
from tests.test_privacy_and_refusals import pinned_now, run

# --- the whole-file check replay made before it streamed (40cc064), verbatim ------------------


def _old_layout(data: bytes) -> None:
    problems = []
    cr = data.find(b"\r")
    if cr >= 0:
        problems.append((cr, "the line ends in \\r (the ledger writes \\n only)"))
    blank = data.find(b"\n\n")
    if blank >= 0:
        problems.append((blank + 1, "the line is blank (the ledger writes none)"))
    if data.startswith(b"\n"):
        problems.append((0, "the line is blank (the ledger writes none)"))
    if data and not data.endswith(b"\n"):
        problems.append((len(data) - 1, "the last line has no \\n (the file was cut short?)"))
    if problems:
        where, what = min(problems)
        raise trail.TrailError(data.count(b"\n", 0, where) + 1, what)


def _old_lines(data: bytes) -> Iterator[tuple[int, dict[str, Any], bytes]]:
    _old_layout(data)
    try:
        for number, obj, raw in json_lines(data):
            if not isinstance(obj, dict):
                raise trail.TrailError(number, "expected a JSON object")
            yield number, obj, raw
    except BadInput as bad:
        raise trail.TrailError(bad.line or 0, bad.message) from None


def whole_file_check(
    data: bytes, trusted: Sequence[Verifier]
) -> tuple[list[trail.Fact], int, str, str, str, int, str, list[bytes]]:
    if not trusted:
        raise trail.TrailError(0, "no public key was supplied to check against")
    verifier: Verifier | None = None
    tree = Frontier()
    leaves: list[bytes] = []
    facts: list[trail.Fact] = []
    pending: list[tuple[int, dict[str, Any], bytes]] = []
    redacted: dict[str, int] = {}
    forgotten: set[str] = set()
    stream: uuid.UUID | None = None
    origin = ""
    note = ""
    checkpoints = 0
    for number, obj, raw in _old_lines(data):
        if obj.get("type") != "Checkpoint":
            pending.append((number, obj, raw))
            continue
        try:
            line = msgspec.convert(obj, trail.CheckpointLine)
        except msgspec.ValidationError as exc:
            raise trail.TrailError(number, f"the checkpoint line is malformed ({exc})") from None
        if verifier is None:
            chosen = trail.pick(trusted, line.vkey)
            if isinstance(chosen, str):
                raise trail.TrailError(number, chosen)
            verifier = chosen
        written = trail.checkpoint_line(
            line.sequence, line.size, line.signed_at, line.note, line.vkey
        )
        if written != raw:
            raise trail.TrailError(
                number, f"the checkpoint line: {trail.spelling_problem(raw, written)}"
            )
        if line.vkey != verifier.verifier_key():
            raise trail.TrailError(
                number,
                f"the checkpoint says it is signed by {line.vkey}, not by the key supplied",
            )
        if line.sequence != checkpoints + 1:
            raise trail.TrailError(
                number, trail._checkpoint_out_of_place(checkpoints + 1, line.sequence)
            )
        if not pending:
            raise trail.TrailError(
                number, "a checkpoint with no facts before it (every write adds facts)"
            )
        text = line.note
        opened = verifier.open(text)
        if opened is None:
            raise trail.TrailError(number, "the checkpoint is not signed by the key supplied")
        if origin and opened.origin != origin:
            raise trail.TrailError(number, "the checkpoint names another ledger")
        origin = opened.origin
        stream = trail._stream_of(origin)
        for fact_line, fact_obj, fact_raw in pending:
            fact, leaf = trail.rebuild_fact(
                fact_obj, fact_line, stream, fact_raw, redacted=redacted
            )
            if fact.position != tree.size + 1:
                raise trail.TrailError(fact_line, trail._out_of_place(tree.size + 1, fact.position))
            if fact_obj.get("leaf") != leaf.hex():
                raise trail.TrailError(
                    fact_line,
                    "this fact is not as it was recorded: it does not hash to its `leaf`",
                )
            if isinstance(fact.event, ev.SubjectForgotten):
                forgotten.add(fact.event.subject_ref)
            tree.append(leaf)
            leaves.append(leaf)
            facts.append(fact)
        if line.signed_at != facts[-1].recorded_at:
            raise trail.TrailError(number, "the checkpoint's time is not its facts' record time")
        pending = []
        if opened.size != tree.size:
            raise trail.TrailError(
                number,
                "facts were removed or added before this checkpoint: it is signed for"
                f" {opened.size} facts; {tree.size} precede it",
            )
        if line.size != tree.size:
            raise trail.TrailError(
                number, f"the checkpoint line says {line.size} facts; {tree.size} precede it"
            )
        if opened.root != tree.root():
            raise trail.TrailError(
                number,
                "the facts before this checkpoint are not the ones it signed (one was changed,"
                " added or removed): they do not give its signed root",
            )
        note = text
        checkpoints += 1
    if pending:
        count = len(pending)
        raise trail.TrailError(
            pending[0][0],
            f"the file is incomplete, or was added to: its last {count:,}"
            f" {'fact is' if count == 1 else 'facts are'} not followed by a signed checkpoint"
            " (an export always ends with one); the facts from here on are not signed",
        )
    if not facts or verifier is None:
        raise trail.TrailError(1, "the file holds no facts")
    if not isinstance(facts[0].event, ev.SettingRegistered):
        raise trail.TrailError(
            facts[0].line,
            "the file does not start at the beginning of the trail: its first fact is not"
            " SettingRegistered",
        )
    for subject, line_number in sorted(redacted.items(), key=lambda item: item[1]):
        if not any(person in forgotten for person in keystore.people_of(subject)):
            raise trail.TrailError(
                line_number,
                f"a field is shown as {FORGOTTEN}, but the trail records no forget of"
                f" {' or '.join(keystore.people_of(subject))}: its key was withheld, or the"
                " trail was cut before the forget (an"
                " `export --as-of` made after a forget: replay the whole export with --known-at)",
            )
    root = tree.root().hex()
    vkey = verifier.verifier_key()
    return facts, tree.size, root, note, vkey, checkpoints, origin, leaves


# --- the two, side by side ----------------------------------------------------------------------

Outcome = tuple[Any, ...]


def old_outcome(data: bytes, keys: Sequence[Verifier]) -> Outcome:
    try:
        return ("verified", *whole_file_check(data, keys))
    except trail.TrailError as error:
        return ("refused", error.line, str(error))


def new_outcome(data: bytes, keys: Sequence[Verifier], buffered: int) -> Outcome:
    held = trail.BUFFERED
    trail.BUFFERED = buffered
    try:
        checked = trail.check_trail(data, keys)
    except trail.TrailError as error:
        return ("refused", error.line, str(error))
    finally:
        trail.BUFFERED = held
    head = (checked.size, checked.root, checked.note, checked.vkey, checked.checkpoints)
    return ("verified", checked.facts, *head, checked.origin, checked.leaves)


@pytest.fixture(scope="module")
def g() -> Iterator[Genuine]:
    later = [ev.ChildEnrolled(on=NOW.date(), child=f"C-{n:04}", name="E. Example") for n in (7, 8)]
    with genuine_ledger(later) as made:
        yield made


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


@st.composite
def edits(draw: st.DrawFn, data: bytes) -> bytes:
    """The trail with one to three edits a forger or a broken copy could make."""
    for _ in range(draw(st.integers(1, 3))):
        lines = _lines(data)
        kind = draw(st.sampled_from(["drop", "repeat", "move", "byte", "insert", "cut"]))
        if kind in ("drop", "repeat", "move") and lines:
            i = draw(st.integers(0, len(lines) - 1))
            line = lines.pop(i)
            if kind == "repeat":
                lines[i:i] = [line, line]
            elif kind == "move":
                lines.insert(draw(st.integers(0, len(lines))), line)
            data = b"".join(lines)
        elif kind == "byte" and data:
            i = draw(st.integers(0, len(data) - 1))
            data = data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1 :]
        elif kind == "insert":
            i = draw(st.integers(0, len(data)))
            what = draw(st.sampled_from([b"\n", b"\r", b" ", b"{}\n", b"1.0", b"[]\n"]))
            data = data[:i] + what + data[i:]
        else:
            data = data[: draw(st.integers(0, len(data)))]
    return data


def test_the_genuine_trail_gives_what_the_whole_file_check_gave(g: Genuine) -> None:
    keys = [g.signer.verifier()]
    old = old_outcome(g.trail, keys)
    assert old[0] == "verified" and old[2] == 12  # twelve facts, in five writes
    for buffered in (0, 1, 2, 3, 512):
        assert new_outcome(g.trail, keys, buffered) == old


@settings(
    max_examples=max(60, settings.default.max_examples * 3),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    deadline=None,
)
@given(data=st.data())
def test_every_edit_gives_what_the_whole_file_check_gave(g: Genuine, data: st.DataObject) -> None:
    edited = data.draw(edits(g.trail))
    keys = [g.signer.verifier()]
    old = old_outcome(edited, keys)
    for buffered in (0, 2, 512):
        assert new_outcome(edited, keys, buffered) == old, (buffered, edited)


def test_other_keys_and_no_key_give_what_the_whole_file_check_gave(g: Genuine) -> None:
    for keys in ([], [g.other.verifier()], [g.other.verifier(), g.signer.verifier()]):
        assert new_outcome(g.trail, keys, 0) == old_outcome(g.trail, keys)


class Swapped(io.BytesIO):
    """A file that becomes ``later`` at its ``on``-th seek to somewhere other than its start
    (a write read again, or the reading going on after it): what a trail changed on disk
    while its replay reads it looks like."""

    def __init__(self, first: bytes, later: bytes, on: int = 1) -> None:
        super().__init__(first)
        self.later = later
        self.on = on
        self.seeks = 0

    def seek(self, offset: int, whence: int = 0) -> int:
        self.seeks += 1 if offset else 0
        if offset and self.seeks == self.on:
            where = self.tell()
            super().seek(0)
            self.truncate()
            self.write(self.later)
            super().seek(where)
        return super().seek(offset, whence)


def _edit_line(data: bytes, number: int, change: Callable[[dict[str, Any]], None]) -> bytes:
    lines = _lines(data)
    obj = json.loads(lines[number - 1])
    change(obj)
    lines[number - 1] = msgspec.json.encode(obj) + b"\n"
    return b"".join(lines)


def _leaf(g: Genuine, obj: dict[str, Any]) -> str:
    note = next(json.loads(line)["note"] for line in _lines(g.trail) if b"Checkpoint" in line)
    stream = trail._stream_of(trail.head_checkpoint(note).origin)
    return trail.rebuild_fact(obj, 3, stream)[1].hex()


def _on(obj: dict[str, Any]) -> None:
    obj["on"] = "2025-09-09"


def test_a_file_that_changes_between_two_readings_is_refused(g: Genuine) -> None:
    """Every write read twice: the facts folded are those of the second reading, and they
    are checked against the signed root, so a fact changed in between is refused (its line
    named); a file cut short in between is refused too. Nothing unchecked is folded into a
    verdict."""
    keys = [g.signer.verifier()]
    # Line 3 is the first child's enrolment (the second write's first fact).
    changed = _edit_line(g.trail, 3, _on)
    folded: list[int] = []
    held = trail.BUFFERED
    trail.BUFFERED = 0
    try:
        with pytest.raises(trail.TrailError) as caught:
            trail.fold_trail(Swapped(g.trail, changed), keys, lambda f, _: folded.append(f.line))
        assert caught.value.line == 3
        assert "not as the ledger wrote it" in str(caught.value)  # its leaf is not its own
        assert folded == [1]  # the setting's fact only: its write was checked before the swap
        # The forger writes the changed fact's own leaf: the root then names the checkpoint.
        forged = _edit_line(changed, 3, lambda obj: obj.update(leaf=_leaf(g, obj)))
        folded.clear()
        with pytest.raises(trail.TrailError) as caught:
            trail.fold_trail(Swapped(g.trail, forged), keys, lambda f, _: folded.append(f.line))
        assert caught.value.line == 6
        assert "they do not give its signed root" in str(caught.value)
        assert folded == [1, 3, 4, 5]  # folded, and then the whole refused
        second = g.trail.index(b"\n", g.trail.index(b"\n") + 1) + 1  # where line 3 starts
        with pytest.raises(trail.TrailError) as caught:
            trail.fold_trail(Swapped(g.trail, g.trail[:second], on=2), keys)
        assert str(caught.value) == "line 3: the file changed while it was read"
    finally:
        trail.BUFFERED = held


def test_a_fold_that_fails_is_raised_only_once_the_trail_verified(g: Genuine) -> None:
    keys = [g.signer.verifier()]
    calls: list[int] = []

    def failing(fact: trail.Fact, _: bytes) -> None:
        calls.append(fact.position)
        if fact.position == 2:
            raise KeyError("the fold's own fault")

    with pytest.raises(KeyError):
        trail.fold_trail(io.BytesIO(g.trail), keys, failing)
    assert calls == [1, 2]  # not called again after it failed
    cut = g.trail[: g.trail.rindex(b"\n", 0, len(g.trail) - 1) + 1]  # the last checkpoint off
    with pytest.raises(trail.TrailError, match="not followed by a signed checkpoint"):
        trail.fold_trail(io.BytesIO(cut), keys, failing)


# --- replay, folded as it reads -----------------------------------------------------------------


def _clock() -> Clock:
    return lambda: NOW


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("buffered", [1, 512])
def test_replay_folds_the_registers_the_ledger_has(store: str, buffered: int) -> None:
    with ledger_folder(5, writes=3, store=store) as place:
        with pinned_now(), contextlib.chdir(place.folder):
            status, text = run("--db", place.db, "export")
        assert status == 0, text
        ledger = place.open()
        mine = reg.to_bytes(reg.rebuild(ledger.facts(0)))
        vkey = Signer.load(place.config().key_path).verifier_key()
        ledger.close()
        held = trail.BUFFERED
        trail.BUFFERED = buffered
        try:
            replayed = inspection.replay(
                text.encode(), [Verifier.from_vkey(vkey)], _clock(), progress=lambda *_: None
            )
        finally:
            trail.BUFFERED = held
        assert reg.to_bytes(replayed.registers) == mine
        assert replayed.registers.position == replayed.checked.size


def test_replay_from_standard_input_says_what_replay_of_the_file_says(
    g: Genuine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "trail.jsonl"
    path.write_bytes(g.trail)
    key = g.signer.verifier_key()
    with pinned_now():
        from_file = run("replay", str(path), "--key", key, "--json")
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(g.trail)))
        from_stdin = run("replay", "-", "--key", key, "--json")
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(g.trail[:-2] + b"x\n")))
        edited = run("replay", "-", "--key", key)
    assert from_file[0] == 0, from_file
    assert from_stdin == from_file
    assert json.loads(from_file[1])["head"]["size"] == 12
    assert (
        edited[0] == 1 and "NOT VERIFIED" in edited[1] and "line 17: not valid JSON" in edited[1]
    ), edited


def test_a_published_checkpoint_is_checked_against_the_root_at_its_size(
    g: Genuine, tmp_path: Path
) -> None:
    """Replay keeps no leaves: the root at the published checkpoint's size is kept as the
    trail is read; a published checkpoint of another size, or another root, is caught."""
    path = tmp_path / "trail.jsonl"
    path.write_bytes(g.trail)
    notes = [json.loads(line)["note"] for line in _lines(g.trail) if b'"Checkpoint"' in line]
    key = g.signer.verifier_key()
    for note in notes:
        kept = tmp_path / "kept.txt"
        kept.write_text(note)
        with pinned_now():
            status, out = run("replay", str(path), "--key", key, "--published", str(kept))
        assert status == 0, out
        size = trail.head_checkpoint(note).size
        assert f"extends the published checkpoint in {kept} ({size:,} facts)" in out
    elsewhere = trail.head_checkpoint(notes[1])
    forked = tmp_path / "forked.txt"
    forked.write_text(g.signer.sign(type(elsewhere)(elsewhere.origin, 3, b"\x01" * 32)))
    with pinned_now():
        status, out = run("replay", str(path), "--key", key, "--published", str(forked))
    assert status == 1
    assert "the trail has forked: its first 3 facts do not give" in out


def test_folding_a_large_write_holds_a_few_lines_not_the_trail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20,000 facts in one write (the demo's import): checking and folding them peaks at a
    few lines' worth (``trail.BUFFERED``) and the positions the fold keeps, a small part of
    the file's seven megabytes (the check that held the whole write took several times the
    file's size). Measured without ``trail.SHARED``: Python's table of interned strings grows
    as it likes (by two megabytes at a time), whatever holds the strings."""
    monkeypatch.setattr(trail, "SHARED", 0)
    db = str(tmp_path / "demo.db")
    with pinned_now(), contextlib.redirect_stdout(io.StringIO()):
        assert run("--db", db, "demo", "--size", "20000")[0] == 0
        status, text = run("--db", db, "export")
    assert status == 0
    data = text.encode()
    assert len(data) > 5_000_000
    key = Verifier.from_vkey(Path(db + ".pub").read_text().strip())
    with tempfile.TemporaryFile() as file:
        file.write(data)
        del data, text
        counted: list[int] = []
        tracemalloc.start()
        try:
            head = trail.fold_trail(file, [key], lambda fact, _: counted.append(fact.position))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert head.size == len(counted) > 19_000
    assert peak < 4_000_000, peak  # holding the write: 32 MB
