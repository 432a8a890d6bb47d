"""Tamper evidence: the Merkle tree over the ledger and its signed checkpoints (DESIGN.md s. 7).

Every recorded fact is a leaf of an RFC 9162 Merkle tree; the leaf covers the fact's position,
type, subject and stored bytes (``ledger.merkle.leaf_input``). With every write the ledger
appends one checkpoint row, in the same transaction as the facts: the signed note (origin, tree
size, root) in the C2SP signed-note form, the leaf hashes of the facts it adds, and the tree's
frontier so the next write can extend it. ``verify`` recomputes everything from the stored rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence

import msgspec
from eventsourcing.persistence import StoredEvent

from ledger import mapper
from ledger.checkpoint import Checkpoint, Signer, Verifier
from ledger.merkle import HASH_SIZE, Frontier, leaf_hash, leaf_input

__all__ = [
    "CheckpointRecord",
    "Frontier",
    "Latest",
    "Signer",
    "Verifier",
    "checkpoint_after",
    "origin_for",
    "row_leaf",
    "split_topic",
    "to_stored",
]

CHECKPOINT_TOPIC = mapper.CHECKPOINT_TOPIC


def origin_for(stream: uuid.UUID) -> str:
    """The checkpoint origin line: names this ledger, and nothing about the people in it."""
    return f"policy-ledger/{stream}"


split_topic = mapper.split_topic


def row_leaf(stored: StoredEvent) -> bytes:
    """The leaf hash of a stored fact, from the row alone (no decryption needed)."""
    type_name, subject = split_topic(stored.topic)
    return leaf_hash(leaf_input(stored.originator_version, type_name, subject, stored.state))


class CheckpointRecord(msgspec.Struct, frozen=True, array_like=True):
    sequence: int
    size: int
    note: str  # the signed note (C2SP), covering origin, size and root
    signed_at: dt.datetime
    leaves: bytes  # the leaf hashes of positions (size - len/32 + 1) .. size
    frontier: bytes  # the tree's right edge at ``size``

    def leaf_hashes(self) -> list[bytes]:
        return [self.leaves[i : i + HASH_SIZE] for i in range(0, len(self.leaves), HASH_SIZE)]

    @property
    def first(self) -> int:
        return self.size - len(self.leaves) // HASH_SIZE + 1


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(CheckpointRecord)


def decode_record(state: bytes) -> CheckpointRecord:
    """Raise ``ValueError`` when the bytes are not a checkpoint record."""
    try:
        return _decoder.decode(state)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ValueError("checkpoint row does not decode") from exc


class Latest(msgspec.Struct, frozen=True):
    sequence: int
    record: CheckpointRecord

    @classmethod
    def from_stored(cls, stored: StoredEvent) -> Latest:
        return cls(stored.originator_version, decode_record(stored.state))

    def frontier(self) -> Frontier:
        return Frontier.from_bytes(self.record.frontier)


def checkpoint_after(
    frontier: Frontier,
    stored: Sequence[StoredEvent],
    signer: Signer,
    now: dt.datetime,
    *,
    origin: str,
    sequence: int,
) -> CheckpointRecord:
    """Extend the tree by the new rows and sign the new head. ``frontier`` is not changed."""
    tree = frontier.copy()
    leaves = bytearray()
    for row in stored:
        leaf = row_leaf(row)
        tree.append(leaf)
        leaves += leaf
    note = signer.sign(Checkpoint(origin=origin, size=tree.size, root=tree.root()))
    return CheckpointRecord(
        sequence=sequence,
        size=tree.size,
        note=note,
        signed_at=now,
        leaves=bytes(leaves),
        frontier=tree.to_bytes(),
    )


def to_stored(stream: uuid.UUID, record: CheckpointRecord) -> StoredEvent:
    return StoredEvent(
        originator_id=stream,
        originator_version=record.sequence,
        topic=CHECKPOINT_TOPIC,
        state=_encoder.encode(record),
    )


# --- verification ---------------------------------------------------------------------------


class Verdict(msgspec.Struct, frozen=True):
    ok: bool
    size: int  # facts covered by valid signed checkpoints
    root: str  # hex root of the tree over the stored facts that matched
    checkpoints: int
    problem: str | None = None
    bad_position: int | None = None


def verify_rows(
    rows: Iterable[StoredEvent],
    checkpoints: Iterable[StoredEvent],
    verifier: Verifier,
    origin: str,
    recorded_at: Callable[[StoredEvent], dt.datetime | None] | None = None,
) -> Verdict:
    """Recompute the tree from the stored facts and check every signed checkpoint.

    First the checkpoints: each must be signed by the ledger's key, follow the one before, and
    its recorded leaves must give its signed root; together they give the authentic leaf of
    every position. Then every stored fact must be at the next position and hash to that leaf.
    So any changed, removed, inserted or reordered fact, or changed checkpoint, fails, naming
    the first bad position. Hostile bytes give a verdict, never an exception.
    """
    tree = Frontier()
    authentic = bytearray()
    times: list[dt.datetime] = []  # each checkpoint's time, to compare with its facts'
    ends: list[int] = []  # the last position each checkpoint covers
    sequence = 0
    for stored in checkpoints:
        sequence += 1
        where = tree.size + 1
        if stored.originator_version != sequence:
            return _bad(tree, sequence - 1, f"checkpoint {sequence} is missing", where)
        try:
            record = decode_record(stored.state)
        except ValueError:
            return _bad(tree, sequence - 1, f"checkpoint {sequence} is damaged", where)
        # Every byte of the row is accounted for: it is the one encoding of its record, which
        # names its own sequence (the record time and frontier are checked below).
        if _encoder.encode(record) != stored.state or record.sequence != sequence:
            return _bad(tree, sequence - 1, f"checkpoint {sequence} is damaged", where)
        signed = verifier.open(record.note)
        if signed is None:
            return _bad(
                tree,
                sequence - 1,
                f"checkpoint {sequence} is not signed by this ledger's key",
                where,
            )
        if signed.origin != origin or signed.size != record.size or record.first != where:
            return _bad(
                tree, sequence - 1, f"checkpoint {sequence} does not match its signed note", where
            )
        for leaf in record.leaf_hashes():
            tree.append(leaf)
        if tree.root() != signed.root or tree.to_bytes() != record.frontier:
            return _bad(
                tree, sequence - 1, f"checkpoint {sequence} does not match its signed root", where
            )
        authentic += record.leaves
        times.append(record.signed_at)
        ends.append(record.size)
    signed_size = tree.size
    rebuilt = Frontier()
    next_end = 0
    for row in rows:
        position = row.originator_version
        expected = rebuilt.size + 1
        if position != expected:
            return _bad(
                rebuilt, sequence, f"position {expected} is missing or out of order", expected
            )
        if position > signed_size:
            return _bad(
                rebuilt,
                sequence,
                f"position {position} is not covered by any signed checkpoint",
                position,
            )
        leaf = row_leaf(row)
        if leaf != authentic[(position - 1) * HASH_SIZE : position * HASH_SIZE]:
            return _bad(
                rebuilt, sequence, f"position {position} does not match its signed leaf", position
            )
        rebuilt.append(leaf)
        while next_end < len(ends) and ends[next_end] == position:
            # The last fact of a write was recorded at the moment its checkpoint was signed.
            if recorded_at is not None and recorded_at(row) != times[next_end]:
                return _bad(
                    rebuilt,
                    sequence,
                    f"the checkpoint after position {position} is not dated as its facts",
                    position,
                )
            next_end += 1
    if rebuilt.size < signed_size:
        missing = rebuilt.size + 1
        return _bad(
            rebuilt,
            sequence,
            f"position {missing} is missing (the signed tree has {signed_size} facts)",
            missing,
        )
    return Verdict(True, signed_size, rebuilt.root().hex(), sequence)


def _bad(tree: Frontier, sequence: int, problem: str, position: int) -> Verdict:
    return Verdict(False, tree.size, tree.root().hex(), sequence, problem, position)
