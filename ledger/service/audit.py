"""The ledger's own evidence (``ledger.service``): the audit trail exported, the latest signed
checkpoint kept, the ledger verified (against its key, or a key the user supplied, and a
checkpoint published earlier), and a proof that it only grew since a checkpoint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import msgspec
from eventsourcing.persistence import StoredEvent

from ledger import caches, integrity, merkle, trail
from ledger.cosignature import add_line, kept_line
from ledger.mapper import MapperError, Recorded
from ledger.service.errors import Refusal
from ledger.service.progress import Progress, counted
from ledger.service.trust import (
    key_store_check,
    load_signer,
    open_envelope,
    read_note,
    recorded_at,
    trusted_keys,
    unreadable,
)
from ledger.store import Config, Ledger

# --- export -----------------------------------------------------------------------------------


def exported(
    ledger: Ledger, upto: int | None, vkey: str, progress: Progress | None = None
) -> bytes:
    """The facts as JSON Lines with their record-time fields, each checkpoint after its facts
    (``progress`` told the facts written so far, of all those to write), as one ``bytes``
    (``export_lines`` gives them one at a time)."""
    return b"".join(export_lines(ledger, upto, vkey, progress))


def export_lines(
    ledger: Ledger, upto: int | None, vkey: str, progress: Progress | None = None
) -> Iterator[bytes]:
    """The lines of ``exported``, each ending in a newline, made as they are read: memory is
    bounded by the checkpoints' notes and the keys of the people named, not by the trail (a
    checkpoint's leaf hashes, 32 bytes a fact, are dropped as it is read)."""
    checkpoints = [
        _Mark(c.sequence, c.size, c.signed_at, c.note)
        for c in map(integrity.decode_record, _checkpoint_states(ledger))
        if upto is None or c.size <= upto
    ]
    pending = iter(checkpoints)
    current = next(pending, None)
    cosigned = delivered(ledger)
    keys: dict[str, bytes | None] = {}
    total = ledger.head() if upto is None else upto
    for stored in counted(ledger.stored(0, upto), progress, total):
        recorded, line = export_line_of(ledger, stored, keys)
        yield line + b"\n"
        while current is not None and current.size == recorded.position:
            yield (
                trail.checkpoint_line(
                    current.sequence,
                    current.size,
                    current.signed_at,
                    with_cosignatures(current.note, cosigned),
                    vkey,
                )
                + b"\n"
            )
            current = next(pending, None)


class _Mark(NamedTuple):
    """What an export writes of a checkpoint (``trail.checkpoint_line``)."""

    sequence: int
    size: int
    signed_at: dt.datetime
    note: str


def _checkpoint_states(ledger: Ledger) -> Iterator[bytes]:
    """The stored bytes of each checkpoint, in order, read as plain rows (``Storage.rows``:
    a large one, the leaf hashes of a large import, read in slices on PostgreSQL)."""
    for _, _, state in ledger.checkpoint_rows():
        yield state


def export_line_of(
    ledger: Ledger, stored: StoredEvent, keys: dict[str, bytes | None]
) -> tuple[Recorded, bytes]:
    """One stored fact as its line of the trail (``trail.export_line``), with the fact read;
    ``keys`` holds the keys of the people sealed parts are about, read once each."""
    recorded = ledger.decode(stored)
    envelope = open_envelope(ledger, stored)
    for part in envelope.sealed.values():
        if part.subject not in keys:
            keys[part.subject] = ledger.keys.get(part.subject)
    leaf = integrity.row_leaf(stored)
    line = trail.export_line(
        recorded.position, recorded.recorded_at, recorded.event, envelope, leaf, keys
    )
    return recorded, line


def export(
    ledger: Ledger, as_of: dt.date | None, vkey: str, progress: Progress | None = None
) -> bytes:
    """The audit trail (``exported``): everything, or only what had been recorded by the end
    of ``as_of`` (up to the last checkpoint signed by then)."""
    return b"".join(export_stream(ledger, as_of, vkey, progress))


def export_stream(
    ledger: Ledger, as_of: dt.date | None, vkey: str, progress: Progress | None = None
) -> Iterator[bytes]:
    """The lines of ``export``, one at a time (``export_lines``), for a caller that writes
    them as they come: ``ledger export`` of a million facts holds none of them at once."""
    upto = None
    if as_of is not None:
        end = dt.datetime.combine(as_of, dt.time.max, tzinfo=dt.UTC)
        upto = 0
        for stored in ledger.checkpoints():
            record = integrity.decode_record(stored.state)
            if record.signed_at <= end:
                upto = record.size
    return export_lines(ledger, upto, vkey, progress)


def all_leaves(ledger: Ledger) -> tuple[list[bytes], list[integrity.CheckpointRecord]]:
    """Every signed leaf hash, in order, and the checkpoint records they come from (held
    whole: ``checkpoint_leaves`` gives them a checkpoint at a time)."""
    records = [integrity.decode_record(c.state) for c in ledger.checkpoints()]
    return [leaf for record in records for leaf in record.leaf_hashes()], records


def checkpoint_leaves(ledger: Ledger) -> Iterator[bytes]:
    """The signed leaf hashes of ``all_leaves``, in order, one checkpoint's at a time as its
    row is read (concatenated: ``merkle.streamed_consistency``'s chunks): memory is a few
    writes' leaves (``Ledger.checkpoint_rows`` reads 16 rows at a time), not the ledger's.
    Raises ``ValueError`` for a checkpoint row that does not decode."""
    for state in _checkpoint_states(ledger):
        yield integrity.decode_record(state).leaves


# --- cosignatures (delivered by a witness, ``ledger.service.witnessing``) -----------------


def with_cosignatures(note: str, found: dict[int, list[tuple[str, str, str]]]) -> str:
    """``note`` with the cosignature line of every row delivered for that exact checkpoint
    (``delivered``) that checks (``kept_line``); the note as it is where there is none."""
    try:
        checkpoint = trail.head_checkpoint(note)
    except ValueError:
        return note
    plain = note
    for root, witness, cosigned in found.get(checkpoint.size, []):
        if root != checkpoint.root.hex():
            continue
        line = kept_line(plain, checkpoint.size, root, witness, cosigned)
        if line is not None:
            note = add_line(note, line)
    return note


def delivered(ledger: Ledger) -> dict[int, list[tuple[str, str, str]]]:
    """The cosigned notes witnesses delivered to the ledger, by checkpoint size: (root as hex,
    the witness's key, the note with its cosignature). Rows without a size are left out."""
    found: dict[int, list[tuple[str, str, str]]] = {}
    for size, root, witness, cosigned in ledger.storage.cosignatures():
        if size is not None:
            found.setdefault(size, []).append((root, witness, cosigned))
    return found


def cosignature_faults(ledger: Ledger) -> list[str]:
    """The cosignatures delivered to the ledger that do not check (``kept_line``): each must
    be the note of one of the ledger's own checkpoints with one line its witness's key
    verifies. (Exports carry only lines of their exact checkpoint, and a check with
    ``--witness`` verifies them itself; this says that something else wrote them.)"""
    rows = ledger.storage.cosignatures()
    if not rows:
        return []
    notes = ledger.checkpoint_notes()
    faults: list[str] = []
    for size, root, key, cosigned in rows:
        plain = notes.get(size) if size is not None else None
        if kept_line(plain, size, root, key, cosigned) is None:
            at = f"the checkpoint of {size:,} facts" if size is not None else "no checkpoint"
            faults.append(
                f"a witness's cosignature kept for {at} is not one of this ledger's"
                " checkpoints cosigned with its witness's key (exports, receipts and proofs"
                " leave it out)"
            )
    return faults


# --- checkpoint -------------------------------------------------------------------------------


def latest_checkpoint(ledger: Ledger) -> integrity.CheckpointRecord:
    """The ledger's latest signed checkpoint."""
    latest = ledger.latest_checkpoint()
    if latest is None:
        raise Refusal("the ledger has no signed checkpoint yet")
    return latest.record


def keep_checkpoint(record: integrity.CheckpointRecord, out: Path) -> None:
    """Write the checkpoint's note to ``out``, never over a different one (a checkpoint kept
    earlier is evidence)."""
    try:
        if out.exists() and out.read_text(encoding="utf-8") != record.note:
            raise Refusal(
                f"--out {out}: the file exists and holds something else (a checkpoint kept"
                " earlier is evidence: write the new one under another name)",
            )
        out.write_text(record.note, encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, UnicodeDecodeError):
            raise Refusal(f"--out {out}: the file exists and is not a checkpoint") from None
        raise unreadable(str(out), exc) from None


# --- verify -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Against:
    """The key a verification is checked against, and how to name it."""

    verifier: integrity.Verifier
    said: str  # "the key supplied, …" or "the key in PATH, …"


def verifying_key(
    config: Config, key: str | None, trusted: str | None, published: str | None
) -> Against:
    """The key to verify against: one the user supplied (``key``, the ``trusted`` keys file or
    the default one: a copy of a ledger, or a published checkpoint, is checked against the
    setting's published key, never against a key file that came with it); else, for the
    user's own ledger, the key file beside it (a key the user keeps)."""
    if key or trusted or published:
        try:
            beside: str | None = load_signer(config).verifier_key()
        except Refusal:
            beside = None
        chosen = trail.pick(trusted_keys(key, trusted, beside), beside)
        if isinstance(chosen, str):
            raise Refusal(f"verify: {chosen}")
        return Against(chosen, f"the key supplied, {chosen.verifier_key()}")
    verifier = load_signer(config).verifier()
    return Against(verifier, f"the key in {config.key_path}, {verifier.verifier_key()}")


@dataclass(frozen=True)
class CacheCheck:
    """What is kept beside the facts but not bound to their history (``ledger.caches``):
    lines describing any fault, and whether anything but the ledger wrote it."""

    lines: list[str]
    tampered: bool


@dataclass(frozen=True)
class Verification:
    """``verify``'s answer. ``verdict``: the facts against the signed tree. If they match:
    ``key_store``, what is wrong with the key store (``key_store_broken``: stored bytes that
    do not open); then ``published``, where and why the ledger does not extend the published
    checkpoint. ``caches``, checked when the verdict is otherwise complete."""

    verdict: integrity.Verdict
    key_store: list[integrity.KeyProblem] = field(default_factory=list)
    key_store_broken: str | None = None
    published: tuple[int, str] | None = None
    caches: CacheCheck | None = None

    @property
    def key_store_ok(self) -> bool:
        return not self.key_store and self.key_store_broken is None


def check_caches(ledger: Ledger, *, people: bool = True) -> CacheCheck:
    """The caches checked (``Ledger.cache_faults``): commands ignore a cache something else
    wrote, and work every answer out from the facts. And, ``people``, the person index
    against the facts (``Ledger.people_faults``: read only once the facts are intact)."""
    faults = ledger.cache_faults()
    lines = caches.describe(faults)
    tampered = any(caches.is_tampering(fault) for _, _, fault in faults)
    wrong = ledger.people_faults() if people else []
    lines += [f"CACHE TAMPERED: {fault}" for fault in wrong]
    forged = cosignature_faults(ledger) if people else []
    lines += [f"CACHE TAMPERED: {fault}" for fault in forged]
    tampered = tampered or bool(forged)
    if wrong:
        lines.append(
            "The person index does not match the facts: `ledger subject` would leave facts"
            " out or list others'. Delete its table to have it made again from the facts."
        )
    return CacheCheck(lines, tampered or bool(wrong))


def verify(
    ledger: Ledger,
    verifier: integrity.Verifier,
    published: Path | None,
    progress: Progress | None = None,
) -> Verification:
    """Check that nothing recorded was altered: every fact and checkpoint against the key,
    then the key store, then that the ledger extends a checkpoint ``published`` earlier
    (``progress`` told the facts checked so far, of the ledger's)."""
    told = _facts_of(progress, ledger.head()) if progress is not None else None
    verdict = ledger.verify(verifier, lambda row: recorded_at(ledger, row), progress=told)
    if not verdict.ok:
        return Verification(verdict, caches=check_caches(ledger, people=False))
    try:
        problems = key_store_check(ledger)
    except MapperError as exc:
        return Verification(verdict, key_store_broken=str(exc))
    if problems:
        return Verification(verdict, key_store=problems)
    if published is not None:
        problem = extends_published(ledger, verifier, published)
        if problem:
            return Verification(verdict, published=problem)
    return Verification(verdict, caches=check_caches(ledger))


def _facts_of(progress: Progress, total: int) -> Callable[[int], None]:
    def told(done: int) -> None:
        progress(min(done, total), total)

    return told


def extends_published(
    ledger: Ledger, verifier: integrity.Verifier, path: Path
) -> tuple[int, str] | None:
    """None if the ledger extends a checkpoint published earlier; else where and why not."""
    _, old = read_note(path, verifier)
    tree = merkle.Frontier()  # the first ``old.size`` leaves, a checkpoint's at a time
    for leaves in checkpoint_leaves(ledger):
        tree.extend(leaves[: (old.size - tree.size) * merkle.HASH_SIZE])
        if tree.size == old.size:
            break
    if old.size > tree.size:
        return tree.size + 1, f"the published checkpoint has {old.size} facts; the ledger fewer"
    if tree.root() != old.root:
        return 1, f"the first {old.size} facts are not those of the published checkpoint"
    return None


# --- consistency ------------------------------------------------------------------------------


class ConsistencyProof(msgspec.Struct):
    """A proof that the ledger at ``new`` extends the ledger at ``old`` (both checkpoint
    notes), signed by ``key`` (fields in this order: the file's contract)."""

    old: str
    new: str
    proof: list[str]
    key: str


def prove_consistency(
    ledger: Ledger, signer: integrity.Signer, note: Path
) -> ConsistencyProof | None:
    """The proof that the ledger only grew since the checkpoint in ``note``; None if it does
    not extend it (tampered)."""
    text, old = read_note(note, signer.verifier())
    newest = ledger.latest_checkpoint()  # the leaves are read up to its size: a write
    if newest is None or old.size > newest.record.size:  # meanwhile is left out
        return None
    try:
        streamed = merkle.streamed_consistency(
            checkpoint_leaves(ledger), old.size, newest.record.size
        )
    except ValueError:  # a checkpoint row that does not decode, or not whole leaf hashes
        return None
    if (
        streamed is None
        or streamed[0] != old.root
        or streamed[1] != newest.frontier().root()  # the leaves give the newest's tree too
    ):
        return None
    latest = with_cosignatures(newest.record.note, delivered(ledger))
    return ConsistencyProof(text, latest, [h.hex() for h in streamed[2]], signer.verifier_key())
