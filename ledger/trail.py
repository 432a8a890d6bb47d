"""The audit trail as a file: export, and an inspector's independent replay (DESIGN.md s. 7).

An export is JSON Lines: every fact with its contract fields, plus ``position``,
``recorded_at``, ``leaf`` (its Merkle leaf hash) and, for a fact with sealed fields, ``sealed``
(each sealed field's subject, ciphertext and, unless that person was forgotten, their key); and
after the facts each write added, a ``Checkpoint`` line with the signed note and the public key.

Replaying needs no database. For every fact it rebuilds the exact bytes the ledger stored (the
envelope with the sealed fields), recomputes the leaf from position, type, subject and those
bytes, and checks that every sealed field opens to the name shown (or is ``[forgotten]``). The
leaves must give every checkpoint's signed root; the signatures must check. Any one-character
change to the file fails one of these, naming the line.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

import msgspec

from ledger import events as ev
from ledger import keys as keystore
from ledger.checkpoint import Checkpoint, Verifier
from ledger.importer import BadInput, decode_object, json_lines
from ledger.mapper import FORGOTTEN, PLACEHOLDER, Envelope, EventMapper, Sealed
from ledger.merkle import Frontier, leaf_hash, leaf_input

EXPORT_ONLY = frozenset({"sealed"})  # besides position, recorded_at and leaf
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


class Checked(msgspec.Struct, frozen=True):
    """What a verified trail holds."""

    facts: list[Fact]
    size: int
    root: str
    note: str  # the last signed checkpoint
    vkey: str
    checkpoints: int
    origin: str


def _b64(value: object, line: int, what: str) -> bytes:
    if not isinstance(value, str):
        raise TrailError(line, f"{what} is not base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise TrailError(line, f"{what} is not base64") from None


def rebuild_fact(
    obj: dict[str, Any], line: int, stream: uuid.UUID | None, raw: bytes | None = None
) -> tuple[Fact, bytes]:
    """The fact of an exported line and the leaf hash recomputed from it.

    With ``raw`` (the line as it stands in the file), the line must also be exactly the one
    form the ledger writes, so that no edit can hide in another spelling of the same value.
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
    plain = {k: v for k, v in obj.items() if k not in EXPORT_ONLY}
    try:
        event = decode_object(plain, line)
    except BadInput as bad:
        raise TrailError(line, str(bad).removeprefix(f"line {line}, ")) from None
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
        elif shown != FORGOTTEN:
            raise TrailError(line, f"`{field}` has no key to check it (expected {FORGOTTEN})")
        sealed[field] = Sealed(subject, blob)
        stored_event = msgspec.structs.replace(stored_event, **{field: PLACEHOLDER})
    envelope = Envelope(recorded_at, stored_event, sealed)  # type: ignore[arg-type]
    state = _mapper.encode_envelope(envelope)
    leaf = leaf_hash(leaf_input(position, type(event).__name__, event.subject, state))
    if raw is not None:
        keys: dict[str, bytes | None] = {
            str(part.get("subject")): _b64(part["key"], line, "a key")
            for part in sealed_in.values()
            if isinstance(part, dict) and "key" in part
        }
        if export_line(position, recorded_at, event, envelope, leaf, keys) != raw.strip():
            raise TrailError(line, "the line is not as the ledger wrote it")
    return Fact(line, position, recorded_at, event), leaf


def _lines(data: bytes) -> Iterator[tuple[int, dict[str, Any], bytes]]:
    try:
        for number, obj, raw in json_lines(data):
            if not isinstance(obj, dict):
                raise TrailError(number, "expected a JSON object")
            yield number, obj, raw
    except BadInput as bad:
        raise TrailError(bad.line or 0, bad.message) from None


def _stream_of(origin: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(origin.rsplit("/", 1)[-1])
    except ValueError:
        return None


def check_trail(data: bytes, vkey: str | None = None) -> Checked:
    """Verify an exported trail from the file alone; raise ``TrailError`` naming the line.

    ``vkey`` is the setting's published public key; without it, the key written in the file
    is used (and the caller should say so, since a forger could replace both).
    """
    verifier = Verifier.from_vkey(vkey) if vkey else None
    tree = Frontier()
    facts: list[Fact] = []
    pending: list[tuple[int, dict[str, Any], bytes]] = []
    stream: uuid.UUID | None = None
    origin = ""
    note = ""
    used_vkey = vkey or ""
    checkpoints = 0
    for number, obj, raw in _lines(data):
        if obj.get("type") != "Checkpoint":
            pending.append((number, obj, raw))
            continue
        # A checkpoint: it names the ledger (for opening sealed fields) and signs what precedes.
        try:
            line = msgspec.convert(obj, CheckpointLine)
        except msgspec.ValidationError as exc:
            raise TrailError(number, f"the checkpoint line is malformed ({exc})") from None
        if verifier is None:
            try:
                verifier = Verifier.from_vkey(line.vkey)
            except ValueError as exc:
                raise TrailError(
                    number, f"the checkpoint's public key is malformed ({exc})"
                ) from None
            used_vkey = line.vkey
        if line.vkey != verifier.verifier_key():
            raise TrailError(number, "the checkpoint names another public key")
        written = checkpoint_line(line.sequence, line.size, line.signed_at, line.note, line.vkey)
        if written != raw.strip():
            raise TrailError(number, "the checkpoint line is not as the ledger wrote it")
        if line.sequence != checkpoints + 1:
            raise TrailError(
                number, f"expected checkpoint {checkpoints + 1}, found {line.sequence}"
            )
        text = line.note
        opened = verifier.open(text)
        if opened is None:
            raise TrailError(number, "the checkpoint is not signed by the ledger's key")
        if origin and opened.origin != origin:
            raise TrailError(number, "the checkpoint names another ledger")
        origin = opened.origin
        stream = _stream_of(origin)
        for fact_line, fact_obj, fact_raw in pending:
            fact, leaf = rebuild_fact(fact_obj, fact_line, stream, fact_raw)
            if fact.position != tree.size + 1:
                raise TrailError(
                    fact_line, f"expected position {tree.size + 1}, found {fact.position}"
                )
            if fact_obj.get("leaf") != leaf.hex():
                raise TrailError(fact_line, "the fact does not hash to its `leaf`")
            tree.append(leaf)
            facts.append(fact)
        if pending and line.signed_at != facts[-1].recorded_at:
            raise TrailError(number, "the checkpoint's time is not its facts' record time")
        pending = []
        if opened.size != tree.size or line.size != tree.size:
            raise TrailError(number, f"the checkpoint is for {opened.size} facts, not {tree.size}")
        if opened.root != tree.root():
            raise TrailError(number, "the facts do not give the checkpoint's signed root")
        note = text
        checkpoints += 1
    if pending:
        raise TrailError(pending[0][0], "facts after the last checkpoint are not signed")
    if not facts:
        raise TrailError(1, "the file holds no facts")
    if not isinstance(facts[0].event, ev.SettingRegistered):
        raise TrailError(facts[0].line, "the trail does not start with SettingRegistered")
    return Checked(facts, tree.size, tree.root().hex(), note, used_vkey, checkpoints, origin)


def pairs(
    facts: Iterable[Fact], known_at: dt.datetime | None = None
) -> Iterator[tuple[int, ev.Event]]:
    for fact in facts:
        if known_at is not None and fact.recorded_at > known_at:
            return
        yield fact.position, fact.event


def head_checkpoint(note: str) -> Checkpoint:
    return Checkpoint.from_body(note.split("\n\n", 1)[0] + "\n")
