"""Tamper evidence: the Merkle tree over the ledger and its signed checkpoints (DESIGN.md s. 7).

Every recorded fact is a leaf of an RFC 9162 Merkle tree; the leaf covers the fact's position,
type, subject and stored bytes (``ledger.merkle.leaf_input``). With every write the ledger
appends one checkpoint row, in the same transaction as the facts: the signed note (origin, tree
size, root) in the C2SP signed-note form, the leaf hashes of the facts it adds, and the tree's
frontier so the next write can extend it. ``verify`` recomputes everything from the stored rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import operator
import struct
import uuid
from collections.abc import Callable, Iterable

import msgspec
from eventsourcing.persistence import StoredEvent

from ledger import events as ev
from ledger import keys, mapper
from ledger.checkpoint import Checkpoint, Signer, Verifier
from ledger.merkle import EMPTY_ROOT, HASH_SIZE, Frontier, frontiers_at, leaf_hash, leaf_input

__all__ = [
    "CheckpointRecord",
    "Frontier",
    "KeyProblem",
    "Latest",
    "Row",
    "Signer",
    "Verifier",
    "check_key_store",
    "origin_for",
    "row_leaf",
    "sign_checkpoint",
    "split_topic",
    "to_stored",
]

CHECKPOINT_TOPIC = mapper.CHECKPOINT_TOPIC
Row = tuple[int, str, bytes]  # a stored row: position (or sequence), topic, stored bytes


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


def sign_checkpoint(
    tree: Frontier,
    leaves: bytes,
    signer: Signer,
    now: dt.datetime,
    *,
    origin: str,
    sequence: int,
) -> CheckpointRecord:
    """Sign the head of ``tree``, which ``leaves`` (the leaf hashes of a write's facts) have
    just extended: the checkpoint row written with those facts."""
    note = signer.sign(Checkpoint(origin=origin, size=tree.size, root=tree.root()))
    return CheckpointRecord(
        sequence=sequence,
        size=tree.size,
        note=note,
        signed_at=now,
        leaves=leaves,
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


class Hashed(msgspec.Struct, frozen=True):
    """The facts after position ``after``, hashed elsewhere (in another process, on the other
    core): their leaf hashes, concatenated, are compared with the signed ones in one go. Only if
    they do not all match (or were not worked out: ``leaves`` gives None) are those facts read
    here and checked one batch at a time, so the verdict is the one the plain check gives."""

    after: int
    leaves: Callable[[], bytes | None]  # waits for them; None: some row did not fit
    rows_at: Callable[[list[int]], list[Row]]  # the rows at these positions, in order
    rows: Callable[[], Iterable[Row]]  # every fact after ``after``, in order


def hash_rows(rows: Iterable[Row], after: int) -> bytes | None:
    """The leaf hashes of ``rows`` (the facts after ``after``), or None unless their positions
    run on from ``after`` without a gap and every row can be hashed: then only the plain check
    can say what is wrong. What ``Hashed.leaves`` is worked out with."""
    hasher = LeafHasher()
    hashes: list[bytes] = []
    expected = after + 1
    source = iter(rows)
    try:
        while batch := list(itertools.islice(source, _BATCH)):
            if list(map(_position, batch)) != list(range(expected, expected + len(batch))):
                return None
            hashes.append(hasher.leaves(batch))
            expected += len(batch)
    except Exception:  # a row that cannot be hashed: the plain check names it
        return None
    return b"".join(hashes)


def verify_rows(
    rows: Iterable[Row],
    checkpoints: Iterable[Row],
    verifier: Verifier,
    origin: str,
    recorded_at: Callable[[Row], dt.datetime | None] | None = None,
    rest: Hashed | None = None,
) -> Verdict:
    """Recompute the tree from the stored facts and check every signed checkpoint.

    ``rows`` are the stored facts and ``checkpoints`` the checkpoint rows, each a plain
    ``(position or sequence, topic, stored bytes)`` row, in order (``Ledger.rows`` and
    ``Ledger.checkpoint_rows``); ``recorded_at`` reads the time a fact row was recorded.

    First the checkpoints: each must be signed by the ledger's key, follow the one before, and
    its recorded leaves must give its signed root; together they give the authentic leaf of
    every position. Then every stored fact must be at the next position and hash to that leaf.
    So any changed, removed, inserted or reordered fact, or changed checkpoint, fails, naming
    the first bad position. Hostile bytes give a verdict, never an exception.

    With ``rest``, ``rows`` are the facts up to ``rest.after`` and the rest were hashed
    elsewhere meanwhile (``Hashed``): the verdict is the same.
    """
    signed = _check_checkpoints(checkpoints, verifier, origin)
    if isinstance(signed, Verdict):
        return signed
    return _FactCheck(signed, recorded_at).run(rows, rest)


class _Signed(msgspec.Struct, frozen=True):
    """What the signed checkpoints vouch for, once all of them are checked."""

    checkpoints: int
    leaves: bytes  # the authentic leaf hash of every position, concatenated
    root: bytes
    times: list[dt.datetime]  # each checkpoint's time, to compare with its last fact's
    ends: list[int]  # the last position each checkpoint covers

    @property
    def size(self) -> int:
        return len(self.leaves) // HASH_SIZE

    def root_at(self, size: int) -> str:
        """The hex root of the first ``size`` authentic leaves (a failed verdict's prefix)."""
        return frontiers_at(self.leaves, [size])[0].root().hex()


def _check_checkpoints(
    checkpoints: Iterable[Row], verifier: Verifier, origin: str
) -> _Signed | Verdict:
    """Check every checkpoint row; the first that fails gives the verdict.

    Each row is opened and checked in order until one fails; then the tree over the leaves of
    those before it is hashed in one go (``frontiers_at``) and each one's root and frontier are
    compared in order. A root that does not match comes before the later row's problem, as it
    would if the tree were grown row by row.
    """
    opened: list[tuple[CheckpointRecord, Checkpoint]] = []
    failed: tuple[int, str] | None = None  # the sequence of the row that failed, and why
    size = 0
    for sequence, row in enumerate(checkpoints, start=1):
        checked = _open_checkpoint(sequence, row, verifier, origin, size + 1)
        if isinstance(checked, str):
            failed = (sequence, checked)
            break
        opened.append(checked)
        size = checked[0].size
    leaves = b"".join(record.leaves for record, _ in opened)
    frontiers = frontiers_at(leaves, [record.size for record, _ in opened])
    root = EMPTY_ROOT
    heads = zip(opened, frontiers, strict=True)
    for sequence, ((record, signed), frontier) in enumerate(heads, start=1):
        root = frontier.root()
        if root != signed.root or frontier.to_bytes() != record.frontier:
            problem = f"checkpoint {sequence} does not match its signed root"
            return Verdict(False, frontier.size, root.hex(), sequence - 1, problem, record.first)
    if failed is not None:
        sequence, problem = failed
        return Verdict(False, size, root.hex(), sequence - 1, problem, size + 1)
    times = [record.signed_at for record, _ in opened]
    ends = [record.size for record, _ in opened]
    return _Signed(len(opened), leaves, root, times, ends)


def _open_checkpoint(
    sequence: int, row: Row, verifier: Verifier, origin: str, where: int
) -> tuple[CheckpointRecord, Checkpoint] | str:
    """The record of checkpoint ``sequence`` and its signed note, or what is wrong with the row.

    Everything but the root: that needs the tree, which ``_check_checkpoints`` hashes at once.
    ``where`` is the first position the checkpoint must cover.
    """
    number, _, state = row
    if number != sequence:
        return f"checkpoint {sequence} is missing"
    try:
        record = decode_record(state)
    except ValueError:
        return f"checkpoint {sequence} is damaged"
    # Every byte of the row is accounted for: it is the one encoding of its record, which
    # names its own sequence (the record time and frontier are checked later).
    if _encoder.encode(record) != state or record.sequence != sequence:
        return f"checkpoint {sequence} is damaged"
    signed = verifier.open(record.note)
    if signed is None:
        return f"checkpoint {sequence} is not signed by this ledger's key"
    if signed.origin != origin or signed.size != record.size or record.first != where:
        return f"checkpoint {sequence} does not match its signed note"
    if len(record.leaves) % HASH_SIZE:
        return f"checkpoint {sequence} does not match its signed root"  # no whole leaf hashes
    return record, signed


_BATCH = 4096  # fact rows hashed and compared at a time
_position = operator.itemgetter(0)


class _FactCheck:
    """Every stored fact, in order, against the authentic leaves of the signed checkpoints.

    Rows are taken a batch at a time: their leaves are hashed together and compared with the
    authentic ones in one comparison. Only a batch that does not match is gone through again
    row by row, to name its first bad position and the problem, exactly as a check of every
    row on its own would. The last fact of each checkpoint is also decoded, for its time.
    """

    def __init__(
        self, signed: _Signed, recorded_at: Callable[[Row], dt.datetime | None] | None
    ) -> None:
        self._signed = signed
        self._recorded_at = recorded_at
        self._hasher = LeafHasher()
        self._matched = 0  # facts that matched their authentic leaves so far
        self._next_end = 0  # the next checkpoint whose last fact's time is to be compared

    def run(self, rows: Iterable[Row], rest: Hashed | None = None) -> Verdict:
        signed = self._signed
        problem = self._rows(rows)
        if problem is None and rest is not None:
            problem = self._hashed(rest)
        if problem is not None:
            return problem
        if self._matched < signed.size:
            missing = self._matched + 1
            return self._bad(
                "facts were removed from the end:"
                f" position {missing} is missing (the signed tree has {signed.size} facts)",
                missing,
            )
        return Verdict(True, signed.size, signed.root.hex(), signed.checkpoints)

    def _rows(self, rows: Iterable[Row]) -> Verdict | None:
        source = iter(rows)
        while batch := list(itertools.islice(source, _BATCH)):
            problem = self._batch(batch)
            if problem is not None:
                return problem
        return None

    def _hashed(self, rest: Hashed) -> Verdict | None:
        """The facts after ``rest.after``: their leaves in one comparison if they all match,
        else read here as if they had not been hashed elsewhere."""
        size = self._signed.size
        if self._matched == rest.after <= size:
            leaves = rest.leaves()
            if leaves is not None and leaves == self._signed.leaves[rest.after * HASH_SIZE :]:
                first = rest.after + 1
                ends = [end for end in self._signed.ends[self._next_end :] if end >= first]
                rows = {row[0]: row for row in rest.rows_at(ends)}
                if rows.keys() == set(ends):
                    self._matched = size
                    return self._dated(rows.__getitem__, first, size)
        return self._rows(rest.rows())

    def _batch(self, batch: list[Row]) -> Verdict | None:
        first = self._matched + 1
        last = self._matched + len(batch)
        if last <= self._signed.size and self._all_match(batch, first, last):
            self._matched = last
            return self._dated(lambda position: batch[position - first], first, last)
        for row in batch:
            problem = self._row(row)
            if problem is not None:
                return problem
        return None

    def _all_match(self, batch: list[Row], first: int, last: int) -> bool:
        if list(map(_position, batch)) != list(range(first, last + 1)):
            return False
        try:
            leaves = self._hasher.leaves(batch)
        except Exception:  # a row that cannot be hashed: the row by row check names it
            return False
        return leaves == self._signed.leaves[(first - 1) * HASH_SIZE : last * HASH_SIZE]

    def _row(self, row: Row) -> Verdict | None:
        """The checks of one row, in the order that decides which problem is named."""
        position = row[0]
        expected = self._matched + 1
        if position != expected:
            return self._bad(
                "a fact is missing, or facts were moved:"
                f" position {expected} is missing or out of order",
                expected,
            )
        if position > self._signed.size:
            return self._bad(
                "a fact was added that the ledger never signed:"
                f" position {position} is not covered by any signed checkpoint",
                position,
            )
        start = (position - 1) * HASH_SIZE
        if _fact_leaf(row) != self._signed.leaves[start : start + HASH_SIZE]:
            return self._bad(
                f"a recorded fact was changed: position {position} does not match its signed leaf",
                position,
            )
        self._matched = position
        return self._dated(lambda _: row, position, position)

    def _dated(self, row_at: Callable[[int], Row], first: int, last: int) -> Verdict | None:
        """The last fact of a write was recorded at the moment its checkpoint was signed.

        ``row_at`` gives the (matched) fact at a position from ``first`` to ``last``.
        """
        ends, times = self._signed.ends, self._signed.times
        while self._next_end < len(ends) and first <= ends[self._next_end] <= last:
            position = ends[self._next_end]
            row = row_at(position)
            if self._recorded_at is not None and self._recorded_at(row) != times[self._next_end]:
                self._matched = position
                return self._bad(
                    f"the checkpoint after position {position} is not dated as its facts",
                    position,
                )
            self._next_end += 1
        return None

    def _bad(self, problem: str, position: int) -> Verdict:
        """A failed verdict: the facts that matched so far, their root, and the problem."""
        size = self._matched
        root = self._signed.root_at(size)
        return Verdict(False, size, root, self._signed.checkpoints, problem, position)


def _fact_leaf(row: Row) -> bytes | None:
    """The leaf hash of one fact row, or None if its topic or bytes cannot be a leaf's."""
    position, topic, state = row
    try:
        type_name, subject = split_topic(topic)
        return leaf_hash(leaf_input(position, type_name, subject, state))
    except (AttributeError, TypeError, ValueError):
        return None


class _Lengths(dict[int, bytes]):
    """Big-endian lengths of a fixed width, each packed once (few distinct lengths recur)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self._width = width

    def __missing__(self, length: int) -> bytes:
        packed = self[length] = length.to_bytes(self._width, "big")  # OverflowError if too long
        return packed


class _TypeNames(dict[str, bytes]):
    """Each fact type's name as the leaf input holds it: 2-byte length, then UTF-8."""

    def __missing__(self, type_name: str) -> bytes:
        encoded = type_name.encode()
        packed = self[type_name] = len(encoded).to_bytes(2, "big") + encoded
        return packed


class LeafHasher:
    """The leaf hashes of fact rows, byte for byte those of ``row_leaf``, in few Python calls.

    ``merkle.leaf_input`` checks and packs each field with several Python calls, which is most
    of the time of verifying a million facts; here each row's input is one ``join`` of its
    position (with the leaf prefix byte), its type's cached bytes, its subject and stored
    bytes, and their lengths from small tables. A row that does not fit the layout (a too long
    field, a topic that is not text) raises.
    """

    def __init__(self) -> None:
        self._types = _TypeNames()
        self._short = _Lengths(2)
        self._long = _Lengths(4)
        self._head = struct.Struct(">BQ").pack  # 0x00 (a leaf), then the 8-byte position

    def leaves(self, rows: Iterable[Row]) -> bytes:
        """The rows' leaf hashes, concatenated."""
        head, types, short, long = self._head, self._types, self._short, self._long
        sha256, join = hashlib.sha256, b"".join
        hashes = []
        for position, topic, state in rows:
            type_name, _, subject = topic.partition(":")
            encoded = subject.encode()
            leaf_input = (
                head(0, position),
                types[type_name],
                short[len(encoded)],
                encoded,
                long[len(state)],
                state,
            )
            hashes.append(sha256(join(leaf_input)).digest())
        return join(hashes)


# --- the key store as part of the record ----------------------------------------------------------


class KeyProblem(msgspec.Struct, frozen=True):
    """A key of the key store that does not match the ledger: whose, and what is wrong (in
    words that name a reference, never a name)."""

    person: str
    problem: str


def check_key_store(
    rows: Iterable[Row],
    open_row: Callable[[int, str, bytes], mapper.Envelope],
    stream: uuid.UUID,
    store: keys.KeyStore,
    where: str,
) -> list[KeyProblem]:
    """Whether the key store matches the ledger, in one pass over the rows of the facts that
    hold names and the forgets (``Ledger.rows_of_types``): every person with no forget fact has
    a key that opens their first sealed name, and no forgotten person has a key.

    A key that does not open is tried against every other key in the store, so that two keys
    swapped are named as such. ``where`` is the key store's file, for the message.
    """
    first: dict[str, tuple[int, str, mapper.Sealed]] = {}
    forgotten: dict[str, int] = {}
    for position, topic, state in rows:
        envelope = open_row(position, topic, state)
        event = envelope.event
        if isinstance(event, ev.SubjectForgotten):
            forgotten.setdefault(event.subject_ref, position)
            continue
        for field, sealed in envelope.sealed.items():
            if sealed.subject == event.subject and event.subject not in first:
                first[event.subject] = (position, field, sealed)
    problems: list[KeyProblem] = []
    for person, position in sorted(forgotten.items()):
        if store.has_key(person):
            problems.append(
                KeyProblem(
                    person,
                    f"{person} was forgotten (position {position}), but the key store still"
                    " holds a key of theirs",
                )
            )
    unopened: list[tuple[str, int, str, mapper.Sealed]] = []
    for person, (position, field, sealed) in sorted(first.items()):
        if person in forgotten:
            continue
        key = store.get(person)
        if key is None:
            problems.append(
                KeyProblem(
                    person,
                    f"{person} was never forgotten, but the key store has no key for them: their"
                    f" name (position {position}) cannot be read; restore the key store"
                    f" ({where}) from a backup",
                )
            )
        elif keys.unseal(key, sealed.blob, keys.aad(stream, position, field)) is None:
            unopened.append((person, position, field, sealed))
    others = store.all_keys() if unopened else {}
    for person, position, field, sealed in unopened:
        associated = keys.aad(stream, position, field)
        owners = [
            other
            for other, key in sorted(others.items())
            if other != person and keys.unseal(key, sealed.blob, associated) is not None
        ]
        whose = f" (it opens with the key held for {owners[0]})" if owners else ""
        problems.append(
            KeyProblem(
                person,
                f"the key held for {person} does not open their name at position {position}"
                f"{whose};"
                f" the key store does not match the ledger: restore it ({where}) from a backup",
            )
        )
    return sorted(problems, key=lambda p: p.person)
