"""The audit trail as a file: export, and an inspector's independent replay (DESIGN.md s. 7).

An export is JSON Lines: every fact with its contract fields, plus ``position``,
``recorded_at``, ``leaf`` (its Merkle leaf hash) and, for a fact with sealed fields, ``sealed``
(each sealed field's subject, ciphertext and, unless that person was forgotten, their key); and
after the facts each write added, a ``Checkpoint`` line with the signed note and the public key.

Replaying needs no database, but it needs the setting's public key from outside the file (the
text of ``PATH.pub``, as the site's Integrity page publishes it): the ``vkey`` a checkpoint line
carries is only a hint, since whoever could edit the file could replace it too. Replay checks,
and refuses the file naming the first line that fails:

- the layout: every line ends with one ``\n`` (no ``\r``), no line is blank, and every line is
  byte for byte the one form the ledger writes for what it holds (key order, no spaces, no
  other spelling of a number or a string, no duplicated or unknown field). So the replay reads
  exactly what the ledger wrote, and any change of a byte, whitespace and line ends included,
  is refused;
- each fact: its ``position`` is the next one, it hashes to its ``leaf`` (the leaf is
  recomputed from position, type, subject and the exact bytes the ledger stored: the envelope
  with the sealed fields' ciphertext), and every sealed field opens with the key beside it to
  the value shown; a field shown as ``[forgotten]`` has no key, and the trail must record a
  ``SubjectForgotten`` fact for that person;
- each ``Checkpoint`` line: numbered 1, 2, 3, ... in order, after at least one fact (every
  write adds facts), signed by the supplied key, for the same ledger (origin) as the others,
  its size that of the facts before it, its root theirs, its time the last fact's record time;
- the whole: the last line is a checkpoint (no unsigned fact at the end), and the first fact
  is the setting's ``SettingRegistered``.

The file is checked as it is read (``fold_trail``): each fact, once checked, is handed to a
fold (replay's registers) and dropped; the tree is kept as its frontier (``merkle.Frontier``,
RFC 9162's compact range), a write's facts held only while few (a larger write is read again
from the file when its checkpoint comes, and checked then), and the root kept only at the size
of a checkpoint published earlier. So memory does not grow with the trail.

With a checkpoint published earlier (``replay --published``), the trail must also reach at
least that checkpoint's size and give its root at that size: a trail cut back, or from a
forked history, is refused. What replay cannot see is a trail cut back to an earlier signed
checkpoint when no later checkpoint is held outside the setting: keep one (``ledger
checkpoint``, or ``checkpoint.txt`` from the site's Integrity page).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
import json
import sys
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any, BinaryIO

import msgspec

from ledger import events as ev
from ledger import keys as keystore
from ledger.checkpoint import Checkpoint, Verifier
from ledger.importer import BadInput, decode_object
from ledger.mapper import FORGOTTEN, PLACEHOLDER, Envelope, EventMapper, Sealed, envelope_of
from ledger.merkle import EMPTY_ROOT, Frontier, leaf_hash, leaf_input, root_of

EXPORT_ONLY = frozenset({"sealed"})  # besides position, recorded_at and leaf
WITHHELD = "[withheld]"
"""How a receipt shows a sealed field: its ciphertext is there (the leaf covers it), no key."""
_mapper = EventMapper()
_json = msgspec.json.Encoder()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def export_line(
    position: int,
    recorded_at: dt.datetime,
    event: ev.Event,
    envelope: Envelope,
    leaf: bytes,
    key_of: dict[str, bytes | None],
) -> bytes:
    obj: dict[str, Any] = ev.to_builtins(event)
    obj["position"] = position
    obj["recorded_at"] = recorded_at.isoformat()
    obj["leaf"] = leaf.hex()
    if envelope.sealed:
        sealed: dict[str, dict[str, str]] = {}
        for field, part in envelope.sealed.items():
            entry = {"subject": part.subject, "blob": b64(part.blob)}
            key = key_of.get(part.subject)
            if key is not None:
                entry["key"] = b64(key)
            sealed[field] = entry
        obj["sealed"] = sealed
    return _json.encode(obj)


def checkpoint_line(
    sequence: int, size: int, signed_at: dt.datetime, note: str, vkey: str
) -> bytes:
    return _json.encode(
        {
            "type": "Checkpoint",
            "sequence": sequence,
            "size": size,
            "signed_at": signed_at.isoformat(),
            "note": note,
            "vkey": vkey,
        }
    )


# --- replay -----------------------------------------------------------------------------------


class TrailError(ValueError):
    """The file does not verify: which line, and what is wrong."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


class Fact(msgspec.Struct, frozen=True):
    line: int
    position: int
    recorded_at: dt.datetime
    event: ev.Event


class CheckpointLine(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A checkpoint line, read strictly: every byte of the file must be accounted for."""

    type: str
    sequence: int
    size: int
    signed_at: dt.datetime
    note: str
    vkey: str


def _duplicate_field(raw: bytes) -> str | None:
    """The first field name given twice in one object of ``raw`` (JSON), if any."""
    found: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen and not found:
                found.append(key)
            seen.add(key)
        return dict(items)

    try:
        json.loads(raw, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return None
    return found[0] if found else None


def float_field(value: object, path: str = "") -> str | None:
    """The path of the first number with a decimal point or an exponent (``1.0``, ``1e3``) in
    a decoded JSON value: the ledger writes whole numbers only, and a reader that takes ``1.0``
    for ``1`` would read what was never signed."""
    if isinstance(value, float):
        return path or "(the whole)"
    if isinstance(value, dict):
        for key, item in value.items():
            found = float_field(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = float_field(item, f"{path}[{index}]")
            if found:
                return found
    return None


def spelling_problem(raw: bytes, expected: bytes) -> str:
    """Why ``raw`` is not ``expected``, the one form the ledger writes for the same content:
    what is wrong, and from where (never a value: a value could be a name)."""
    twice = _duplicate_field(raw)
    if twice is not None:
        return f"the field `{twice}` is given twice (a reader could see one, a check the other)"
    try:
        got, want = json.loads(raw), json.loads(expected)
    except (ValueError, RecursionError):
        got = want = None
    if isinstance(got, dict) and isinstance(want, dict):
        extra = [k for k in got if k not in want]
        if extra:
            return f"it has a field the ledger never writes: `{extra[0]}`"
        missing = [k for k in want if k not in got]
        if missing:
            return f"it lacks the field `{missing[0]}`"
    at = next(
        (i for i, (a, b) in enumerate(zip(raw, expected, strict=False)) if a != b),
        min(len(raw), len(expected)),
    )
    return (
        f"it is not as the ledger wrote it, from character {at + 1} on (spaces, the order of"
        " fields, or a number or string spelled another way)"
    )


def _b64(value: object, line: int, what: str) -> bytes:
    if not isinstance(value, str):
        raise TrailError(line, f"{what} is not base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise TrailError(line, f"{what} is not base64") from None


SHARED = 24
"""Strings this short (a reference, a channel, a method) are kept once (``sys.intern``): a
replay's registers hold the same ones for thousands of facts (a third of their memory)."""


def _shared(value: object) -> object:
    if type(value) is str:
        return sys.intern(value) if len(value) <= SHARED else value
    if type(value) is list:
        return [sys.intern(v) if type(v) is str and len(v) <= SHARED else v for v in value]
    return value


def rebuild_fact(
    obj: dict[str, Any],
    line: int,
    stream: uuid.UUID | None,
    raw: bytes | None = None,
    *,
    redacted: dict[str, int] | None = None,
    withheld: bool = False,
) -> tuple[Fact, bytes]:
    """The fact of an exported line and the leaf hash recomputed from it.

    With ``raw`` (the line as it stands in the file), the line must also be exactly the one
    form the ledger writes, so that no edit can hide in another spelling of the same value.
    ``redacted`` collects the people whose fields are shown as ``[forgotten]`` (with the first
    line that does so): the caller must find their forget. With ``withheld`` (a receipt), a
    sealed field may be shown as ``[withheld]``: its ciphertext only, without a key.
    """
    position = obj.get("position")
    recorded = obj.get("recorded_at")
    if not isinstance(position, int) or isinstance(position, bool) or position < 1:
        raise TrailError(line, "`position` is missing or not a positive whole number")
    if not isinstance(recorded, str):
        raise TrailError(line, "`recorded_at` is missing")
    try:
        recorded_at = dt.datetime.fromisoformat(recorded)
    except ValueError:
        raise TrailError(line, "`recorded_at` is not a date-time") from None
    sealed_in = obj.get("sealed", {})
    if not isinstance(sealed_in, dict):
        raise TrailError(line, "`sealed` is not an object")
    plain = {k: _shared(v) for k, v in obj.items() if k not in EXPORT_ONLY}
    try:
        event = decode_object(plain, line)
    except BadInput as bad:
        what = f"field `{bad.field}`: {bad.message}" if bad.field else bad.message
        raise TrailError(line, what) from None
    # The stored form: personal fields replaced by the placeholder, and sealed.
    stored_event = event
    sealed: dict[str, Sealed] = {}
    for field, part in sealed_in.items():
        if not isinstance(part, dict) or not hasattr(event, field):
            raise TrailError(line, f"`sealed.{field}` is not a sealed field of this fact")
        subject = part.get("subject")
        if not isinstance(subject, str):
            raise TrailError(line, f"`sealed.{field}.subject` is missing")
        blob = _b64(part.get("blob"), line, f"`sealed.{field}.blob`")
        shown = getattr(event, field)
        if "key" in part:
            if stream is None:
                raise TrailError(
                    line, "a sealed field comes before any checkpoint names the ledger"
                )
            key = _b64(part["key"], line, f"`sealed.{field}.key`")
            opened = keystore.unseal(key, blob, keystore.aad(stream, position, field))
            if opened is None or opened != shown:
                raise TrailError(line, f"`{field}` does not match its sealed value")
        elif shown == FORGOTTEN:
            if redacted is not None:
                redacted.setdefault(subject, line)
        elif not (withheld and shown == WITHHELD):
            expected = f"{FORGOTTEN} or {WITHHELD}" if withheld else FORGOTTEN
            raise TrailError(line, f"`{field}` has no key to check it (expected {expected})")
        sealed[field] = Sealed(subject, blob)
        stored_event = msgspec.structs.replace(stored_event, **{field: PLACEHOLDER})
    envelope = envelope_of(recorded_at, stored_event, sealed)
    state = _mapper.encode_envelope(envelope)
    leaf = leaf_hash(leaf_input(position, type(event).__name__, event.subject, state))
    if raw is not None:
        keys: dict[str, bytes | None] = {
            str(part.get("subject")): _b64(part["key"], line, "a key")
            for part in sealed_in.values()
            if isinstance(part, dict) and "key" in part
        }
        written = export_line(position, recorded_at, event, envelope, leaf, keys)
        if written != raw:
            raise TrailError(line, spelling_problem(raw, written))
    return Fact(line, position, recorded_at, event), leaf


LAYOUT_CHUNK = 1 << 18  # bytes read at a time to check the layout of a file


def _layout(file: BinaryIO) -> None:
    """Refuse any byte the ledger never writes between lines: a ``\r``, a blank line, a last
    line without its ``\n``. The file is read a chunk at a time from its start (and left at
    its start); the first problem in it is named."""
    file.seek(0)
    problems: list[tuple[int, int, str]] = []  # offset, the newlines before it, what
    offset = newlines = 0  # the chunk's offset in the file, and the newlines before it
    previous = b"\n"  # the byte before the chunk: a file that starts with \n starts blank
    ended = False
    while not problems:
        chunk = file.read(LAYOUT_CHUNK)
        if not chunk:
            ended = True
            break
        found = []
        cr = chunk.find(b"\r")
        if cr >= 0:
            found.append((cr, "the line ends in \\r (the ledger writes \\n only)"))
        if previous == b"\n" and chunk.startswith(b"\n"):
            found.append((0, "the line is blank (the ledger writes none)"))
        blank = chunk.find(b"\n\n")
        if blank >= 0:
            found.append((blank + 1, "the line is blank (the ledger writes none)"))
        problems = [(offset + at, newlines + chunk.count(b"\n", 0, at), what) for at, what in found]
        newlines += chunk.count(b"\n")
        offset += len(chunk)
        previous = chunk[-1:]
    if not ended:
        ended = file.read(1) == b""
    if ended and offset and previous != b"\n":
        problems.append(
            (offset - 1, newlines, "the last line has no \\n (the file was cut short?)")
        )
    file.seek(0)
    if problems:
        _, before, what = min(problems, key=lambda problem: (problem[0], problem[2]))
        raise TrailError(before + 1, what)


def _decoded(decode: Callable[[bytes], Any], number: int, raw: bytes) -> dict[str, Any]:
    """One line of the trail as a JSON object (``importer.json_lines``' reading of it)."""
    try:
        obj = decode(raw)
    except (msgspec.DecodeError, RecursionError):
        raise TrailError(number, "not valid JSON (expected one JSON object)") from None
    except UnicodeDecodeError:
        raise TrailError(number, "not UTF-8 text (save the file as UTF-8)") from None
    if not isinstance(obj, dict):
        raise TrailError(number, "expected a JSON object")
    return obj


def _stream_of(origin: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(origin.rsplit("/", 1)[-1])
    except ValueError:
        return None


def pick(trusted: Sequence[Verifier], hint: str | None) -> Verifier | str:
    """The trusted key to check a file with: the one the file names, if it is trusted; the only
    one there is; else why none can be chosen. The file's own key is never trusted for being
    in the file."""
    if not trusted:
        return "no public key was supplied to check against"
    for verifier in trusted:
        if hint is not None and verifier.verifier_key() == hint.strip():
            return verifier
    if len(trusted) == 1:
        return trusted[0]
    if hint:
        return (
            f"the file says it is signed by {hint.strip()}, which is not one of the"
            f" {len(trusted)} trusted keys"
        )
    return f"the file names no key to choose among the {len(trusted)} trusted keys"


def _out_of_place(expected: int, found: int) -> str:
    """A fact at the wrong position, in words: which fact is missing, or which came twice."""
    if found > expected:
        gap = found - expected
        missing = (
            f"position {expected:,}" if gap == 1 else f"positions {expected:,} to {found - 1:,}"
        )
        return (
            f"{'a fact is' if gap == 1 else f'{gap:,} facts are'} missing here: the file has no"
            f" line for {missing} (expected position {expected:,}, found {found:,})"
        )
    return (
        f"a fact is repeated or out of order here: position {found:,} comes after"
        f" {expected - 1:,} (expected position {expected:,}, found {found:,})"
    )


def _checkpoint_out_of_place(expected: int, found: int) -> str:
    """A checkpoint numbered out of turn, in words: a start or a write missing, or a repeat."""
    details = f"(expected checkpoint {expected:,}, found {found:,})"
    if found > expected and expected == 1:
        return f"the file does not start at the beginning of the trail {details}"
    if found > expected:
        return f"a write is missing: checkpoint {expected:,} is not in the file {details}"
    return f"a checkpoint is repeated or out of order here {details}"


BUFFERED = 512
"""The facts of one write held in memory, read once, until its checkpoint comes. A write of
more (an import) is read again from the file when its checkpoint comes, so that memory does
not grow with it."""


class _Write:
    """The facts read since the last checkpoint: where they start in the file, how many, and
    (while they are few) the lines themselves."""

    __slots__ = ("count", "line", "lines", "offset")

    def __init__(self) -> None:
        self.line = 0  # the first one's line number
        self.offset = 0  # and where it starts in the file
        self.count = 0
        self.lines: list[tuple[int, dict[str, Any], bytes]] | None = []

    def add(self, number: int, offset: int, obj: dict[str, Any], raw: bytes) -> None:
        if not self.count:
            self.line, self.offset = number, offset
        self.count += 1
        if self.lines is not None:
            self.lines.append((number, obj, raw))
            if len(self.lines) > BUFFERED:
                self.lines = None  # too many to hold: read again when the checkpoint comes

    def read(
        self, file: BinaryIO, decode: Callable[[bytes], Any]
    ) -> Iterator[tuple[int, dict[str, Any], bytes]]:
        """The facts, from memory or read again from the file (the file is left where it
        was)."""
        if self.lines is not None:
            yield from self.lines
            return
        resume = file.tell()
        file.seek(self.offset)
        for number in range(self.line, self.line + self.count):
            raw = file.readline()
            if not raw.endswith(b"\n"):
                raise TrailError(number, "the file changed while it was read")
            yield number, _decoded(decode, number, raw[:-1]), raw[:-1]
        file.seek(resume)


class Verified(msgspec.Struct, frozen=True):
    """What a trail verified as it was read holds: its head, the checkpoints, its first fact
    (the setting's), and the root of its tree at each size asked for (``fold_trail``)."""

    size: int
    root: str
    note: str  # the last signed checkpoint
    vkey: str
    checkpoints: int
    origin: str
    first: Fact
    roots: dict[int, bytes]


OnFact = Callable[[Fact, bytes], None]


def fold_trail(
    file: BinaryIO,
    trusted: Sequence[Verifier],
    on_fact: OnFact | None = None,
    progress: Callable[[int], None] | None = None,
    roots_at: Collection[int] = (),
    on_checkpoint: Callable[[int, int, str], None] | None = None,
) -> Verified:
    """Verify an exported trail against a trusted key as it is read, a line at a time; raise
    ``TrailError`` naming the line.

    ``file`` is the trail, open for reading in binary, seekable (a write's facts are read
    again when there are too many to hold until their checkpoint). Memory does not grow with
    the trail: the tree is kept as its frontier (``merkle.Frontier``), each fact is dropped
    once checked and given to ``on_fact`` with its leaf hash, in order. A fact is checked, and
    given, once the checkpoint after it has been read and checked (its line, signature and
    number); the checks that need its facts (their count, root and time) come after them, so
    ``on_fact`` may see facts of a trail that is then refused: its result is the caller's to
    drop. If ``on_fact`` raises, it is not called again, and the exception is raised once
    the whole trail has verified (a refusal of the trail comes first, as when the trail was
    checked before being folded).

    ``trusted`` are the public keys the reader trusts (the setting's published key); the key
    written in the file only picks one of them. ``progress`` is told the number of the line
    reached, every thousand lines. ``roots_at``: the sizes at which the root of the tree is
    wanted (a checkpoint published earlier), given in ``roots`` if the trail reaches them.
    ``on_checkpoint`` is told each checkpoint once it and the facts before it have been
    checked: its sequence, its size and its note as the file has it (cosignatures included),
    in order.
    """
    if not trusted:
        raise TrailError(0, "no public key was supplied to check against")
    _layout(file)
    decode = msgspec.json.Decoder().decode
    wanted = set(roots_at)
    roots: dict[int, bytes] = {}
    verifier: Verifier | None = None
    tree = Frontier()
    first: Fact | None = None
    last_recorded: dt.datetime | None = None
    failed: list[BaseException] = []
    write = _Write()
    redacted: dict[str, int] = {}
    forgotten: set[str] = set()
    stream: uuid.UUID | None = None
    origin = ""
    note = ""
    checkpoints = 0
    number = offset = 0
    for raw in file:
        number += 1
        start = offset
        offset += len(raw)
        raw = raw[:-1] if raw.endswith(b"\n") else raw
        if progress is not None and number % 1000 == 0:
            progress(number)
        obj = _decoded(decode, number, raw)
        if obj.get("type") != "Checkpoint":
            write.add(number, start, obj, raw)
            continue
        # A checkpoint: it names the ledger (for opening sealed fields) and signs what precedes.
        try:
            line = msgspec.convert(obj, CheckpointLine)
        except msgspec.ValidationError as exc:
            raise TrailError(number, f"the checkpoint line is malformed ({exc})") from None
        if verifier is None:
            chosen = pick(trusted, line.vkey)
            if isinstance(chosen, str):
                raise TrailError(number, chosen)
            verifier = chosen
        written = checkpoint_line(line.sequence, line.size, line.signed_at, line.note, line.vkey)
        if written != raw:
            raise TrailError(number, f"the checkpoint line: {spelling_problem(raw, written)}")
        if line.vkey != verifier.verifier_key():
            raise TrailError(
                number,
                f"the checkpoint says it is signed by {line.vkey}, not by the key supplied",
            )
        if line.sequence != checkpoints + 1:
            raise TrailError(number, _checkpoint_out_of_place(checkpoints + 1, line.sequence))
        if not write.count:
            raise TrailError(
                number, "a checkpoint with no facts before it (every write adds facts)"
            )
        text = line.note
        opened = verifier.open(text)
        if opened is None:
            raise TrailError(number, "the checkpoint is not signed by the key supplied")
        if origin and opened.origin != origin:
            raise TrailError(number, "the checkpoint names another ledger")
        origin = opened.origin
        stream = _stream_of(origin)
        for fact_line, fact_obj, fact_raw in write.read(file, decode):
            fact, leaf = rebuild_fact(fact_obj, fact_line, stream, fact_raw, redacted=redacted)
            if fact.position != tree.size + 1:
                raise TrailError(fact_line, _out_of_place(tree.size + 1, fact.position))
            if fact_obj.get("leaf") != leaf.hex():
                raise TrailError(
                    fact_line,
                    "this fact is not as it was recorded: it does not hash to its `leaf`",
                )
            if isinstance(fact.event, ev.SubjectForgotten):
                forgotten.add(fact.event.subject_ref)
            tree.append(leaf)
            if tree.size in wanted:
                roots[tree.size] = tree.root()
            if first is None:
                first = fact
            last_recorded = fact.recorded_at
            if on_fact is not None and not failed:
                try:
                    on_fact(fact, leaf)
                except Exception as exc:  # raised once the whole trail has verified
                    failed.append(exc)
        if line.signed_at != last_recorded:
            raise TrailError(number, "the checkpoint's time is not its facts' record time")
        write = _Write()
        if opened.size != tree.size:
            raise TrailError(
                number,
                "facts were removed or added before this checkpoint: it is signed for"
                f" {opened.size} facts; {tree.size} precede it",
            )
        if line.size != tree.size:
            raise TrailError(
                number, f"the checkpoint line says {line.size} facts; {tree.size} precede it"
            )
        if opened.root != tree.root():
            raise TrailError(
                number,
                "the facts before this checkpoint are not the ones it signed (one was changed,"
                " added or removed): they do not give its signed root",
            )
        note = text
        checkpoints += 1
        if on_checkpoint is not None:
            on_checkpoint(line.sequence, line.size, text)
    if write.count:
        count = write.count
        raise TrailError(
            write.line,
            f"the file is incomplete, or was added to: its last {count:,}"
            f" {'fact is' if count == 1 else 'facts are'} not followed by a signed checkpoint"
            " (an export always ends with one); the facts from here on are not signed",
        )
    if first is None or verifier is None:
        raise TrailError(1, "the file holds no facts")
    if not isinstance(first.event, ev.SettingRegistered):
        raise TrailError(
            first.line,
            "the file does not start at the beginning of the trail: its first fact is not"
            " SettingRegistered",
        )
    for subject, line_number in sorted(redacted.items(), key=lambda item: item[1]):
        # Text about several people (a joint seal, ``keys.joint_subject``) goes with any one.
        if not any(person in forgotten for person in keystore.people_of(subject)):
            raise TrailError(
                line_number,
                f"a field is shown as {FORGOTTEN}, but the trail records no forget of"
                f" {' or '.join(keystore.people_of(subject))}: its key was withheld, or the"
                " trail was cut before the forget (an"
                " `export --as-of` made after a forget: replay the whole export with --known-at)",
            )
    if failed:
        raise failed[0]
    root = tree.root().hex()
    vkey = verifier.verifier_key()
    return Verified(tree.size, root, note, vkey, checkpoints, origin, first, roots)


class Checked(Verified, frozen=True):
    """What a verified trail holds, all of it: every fact and leaf (``check_trail``)."""

    facts: list[Fact]
    leaves: list[bytes]


def check_trail(
    data: bytes,
    trusted: Sequence[Verifier],
    progress: Callable[[int], None] | None = None,
) -> Checked:
    """Verify an exported trail held in memory (``fold_trail``), keeping every fact and leaf:
    for a small trail, or a test. ``replay`` folds a file as it reads it instead."""
    facts: list[Fact] = []
    leaves: list[bytes] = []

    def keep(fact: Fact, leaf: bytes) -> None:
        facts.append(fact)
        leaves.append(leaf)

    head = fold_trail(io.BytesIO(data), trusted, keep, progress)
    fields = {name: getattr(head, name) for name in head.__struct_fields__}
    return Checked(**fields, facts=facts, leaves=leaves)


def extends(checked: Verified, published: Checkpoint) -> str | None:
    """None if a verified trail reaches a checkpoint published earlier and agrees with it; else
    what is wrong (the trail was cut back, or it is another history). The trail must have been
    verified with the published size among its ``roots_at`` (``check_trail`` keeps every leaf
    instead)."""
    if published.origin != checked.origin:
        return "the published checkpoint is for another ledger"
    if published.size > checked.size:
        return (
            f"the trail was cut back: it ends at {checked.size:,} facts, before the published"
            f" checkpoint of {published.size:,}"
        )
    root: bytes | None
    if isinstance(checked, Checked):
        root = root_of(checked.leaves[: published.size])
    else:
        root = checked.roots.get(published.size, EMPTY_ROOT if not published.size else None)
    if root != published.root:
        return (
            f"the trail has forked: its first {published.size:,} facts do not give the published"
            " checkpoint's root"
        )
    return None


def pairs(
    facts: Iterable[Fact], known_at: dt.datetime | None = None
) -> Iterator[tuple[int, ev.Event]]:
    for fact in facts:
        if known_at is not None and fact.recorded_at > known_at:
            return
        yield fact.position, fact.event


def head_checkpoint(note: str) -> Checkpoint:
    return Checkpoint.from_body(note.split("\n\n", 1)[0] + "\n")
