"""The ledger application: commands in, events recorded, on the ``eventsourcing`` library.

One setting is one stream (the consistency boundary): every fact's position is its version in
that stream, so every cross-subject refusal (a consent for a child enrolled a line earlier, a
guardian linked to that child) is checked against everything recorded before it, and a second
writer at the same position is refused by the library's unique key and retried against the new
state. Each write is one transaction of the library's application recorder holding the new facts
and a signed checkpoint of the Merkle tree over all facts so far (``ledger.integrity``).

``Ledger`` composes the parts and speaks no SQL: the library's recorders and ``ledger.storage``
(every statement, on either store) keep the rows; ``ledger.decisions`` refuses what cannot be a
fact; ``ledger.tracked`` keeps the registers and the site's numbers as caches bound to the head.

Ways of reading the ledger, one name each:

===============  ==========================================================================
``rows``         plain (position, topic, bytes) rows of the facts: what ``verify``, hashing
                 and a rebuild read; ``rows_at`` the rows at given positions
``stored``       the same facts as the library's ``StoredEvent`` rows (chunks of the
                 recorder), for what needs the library's type (the export's envelopes)
``read``         each fact decoded with its names opened (``Recorded``: position, time, fact)
``facts``        (position, fact), names still sealed: what the registers fold
===============  ==========================================================================
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, cast

import msgspec
from eventsourcing.application import Application
from eventsourcing.persistence import (
    AggregateRecorder,
    IntegrityError,
    Mapper,
    OperationalError,
    PersistenceError,
    StoredEvent,
)

from ledger import caches, integrity, merkle, peoplecheck
from ledger import events as ev
from ledger.decisions import Refused, decide
from ledger.keys import KeyStore
from ledger.mapper import EventMapper, MapperError, Recorded, sealing_subjects
from ledger.privacy import NameGuard, people_in
from ledger.profile import Profile
from ledger.profile import load as load_profile
from ledger.storage import open_storage
from ledger.storage.base import FactRow, People, Storage
from ledger.storage.config import Config, LedgerError, schema_of
from ledger.storage.schema import (
    create_postgres_schema,
    drop_postgres_schema_if_empty_ledger,
    postgres_schema_has_ledger,
)
from ledger.storage.sqlite import is_sqlite_ledger
from ledger.tracked import TrackedProjections, entry_id
from projections import registers as reg

__all__ = [  # what others import from here, wherever it now lives (``storage``, ``tracked``)
    "Config",
    "FactRow",
    "Ledger",
    "LedgerError",
    "NothingToRecord",
    "create_postgres_schema",
    "drop_postgres_schema_if_empty_ledger",
    "entry_id",
    "open_ledger",
    "postgres_schema_has_ledger",
    "system_clock",
    "today",
]

Clock = Callable[[], dt.datetime]
WRITE_CHUNK = 5000  # facts decided, then sealed and inserted, at a time
SAVE_EVERY = 1000  # facts between saved registers (the tracked position)
READ_CHUNK = 5000
CHECKPOINTS_READ = 16  # checkpoint rows read at a time (``Ledger.checkpoint_rows``)
# Facts from which verify hashes part of them in a second process: below, starting it costs more
# than it saves (measured at 100,000: 0.27 s on two cores, 0.23 s on one; at 1,000,000: 1.3 s, 2.4).
PARALLEL_VERIFY_FROM = 250_000
VERIFY_AGAIN = 3  # checks made again when writes land during one (``Ledger.verify``)
RETRIES = 50
# Facts after which the key store's applied position is moved on even with no forget among
# them: a command reads at most these many facts' topics to find a forget to complete.
FORGETS_APPLIED_EVERY = 1000


def system_clock() -> dt.datetime:
    """Now, in UTC; ``LEDGER_NOW`` (an ISO date-time) pins it for demos and tests."""
    pinned = os.environ.get("LEDGER_NOW")
    if pinned:
        moment = dt.datetime.fromisoformat(pinned)
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return dt.datetime.now(dt.UTC)


def today(clock: Clock) -> dt.date:
    return clock().date()


class NothingToRecord(LedgerError):
    """A write with no facts in it (an empty file, say): nothing is written."""


@dataclasses.dataclass
class _Write:
    """One write in the making: the registers and the tree as its facts are added."""

    registers: reg.Registers
    profile: Profile | None  # None: the first fact, written by `init` without a decision
    day: dt.date
    now: dt.datetime
    tree: integrity.Frontier
    forgetting: bool = False
    progress: Callable[[int], None] | None = None
    # The person index's rows of the write (``ledger.storage.base.People``), filled as it is made.
    people: People = dataclasses.field(default_factory=lambda: People(0))


class Ledger(TrackedProjections, Application[uuid.UUID]):
    """A setting's ledger. Persistence comes from the environment the config builds."""

    name = "ledger"

    def __init__(self, config: Config, *, create: bool = False) -> None:
        self.config = config
        # Tables are made only by `init`: opening never writes to a file that is not a ledger.
        super().__init__(env={**config.env(), "CREATE_TABLE": "true" if create else "false"})
        self._snapshots: AggregateRecorder = self.factory.aggregate_recorder(purpose="snapshots")
        self.storage: Storage = open_storage(self.recorder, self._snapshots)
        self.keys = KeyStore(config.keys_path)
        assert isinstance(self.mapper, EventMapper)
        self.mapper.keys = self.keys
        self._stream: uuid.UUID | None = None
        self._profile: Profile | None = None
        self._heads: dict[int, caches.Head] = {}  # checkpoints read for binding caches
        self._from_start: list[reg.Registers] = []
        self._partial: list[reg.Registers] = []
        # The person index checked by ``verify`` against the rows it read (``people_faults``):
        # the position it was checked to, and its faults.
        self._people_checked: tuple[int, list[str]] | None = None

    def construct_mapper(self) -> Mapper[uuid.UUID]:
        return EventMapper(cipher=self.factory.cipher(), compressor=self.factory.compressor())

    # -- the stream ---------------------------------------------------------------------------

    @property
    def is_initialised(self) -> bool:
        return bool(self.recorder.select_notifications(start=None, limit=1))

    @property
    def stream(self) -> uuid.UUID:
        if self._stream is None:
            first = self.recorder.select_notifications(start=None, limit=1)
            if not first:
                raise LedgerError(
                    f"{self.config.shown}: no ledger here (create one with `ledger init`)"
                )
            origin = first[0].originator_id
            self._stream = origin if isinstance(origin, uuid.UUID) else uuid.UUID(str(origin))
        return self._stream

    @property
    def checkpoint_stream(self) -> uuid.UUID:
        return uuid.uuid5(self.stream, "checkpoints")

    def head(self) -> int:
        last = self.recorder.select_events(self.stream, desc=True, limit=1)
        return last[0].originator_version if last else 0

    def stored(self, after: int = 0, upto: int | None = None) -> Iterator[StoredEvent]:
        """The stored facts after a position, in order, read in chunks."""
        position = after
        while True:
            chunk = self.recorder.select_events(
                self.stream, gt=position, lte=upto, limit=READ_CHUNK
            )
            yield from chunk
            if len(chunk) < READ_CHUNK:
                return
            position = chunk[-1].originator_version

    def rows(self, after: int = 0, upto: int | None = None) -> Iterator[FactRow]:
        """The stored facts after a position as plain (position, topic, state) rows, in order.

        The same rows as ``stored``, read in chunks straight from the library's table without
        building a ``StoredEvent`` each: what ``verify`` and a rebuild read a million of.
        """
        yield from self.storage.rows(self.stream, after, upto)

    def checkpoint_rows(self) -> Iterator[FactRow]:
        """The checkpoint rows as plain (sequence, topic, state) rows, in order, read
        ``CHECKPOINTS_READ`` at a time: a checkpoint holds its write's leaf hashes (32 bytes a
        fact), so a reader that drops each as it goes holds a few writes' leaves, not all."""
        yield from self.storage.rows(self.checkpoint_stream, 0, None, CHECKPOINTS_READ)

    def rows_at(self, positions: Sequence[int]) -> list[FactRow]:
        """The stored facts at these positions (those that exist), as plain rows, in order."""
        return self.storage.rows_at(self.stream, positions)

    # -- verify -----------------------------------------------------------------------------

    def verify(
        self,
        verifier: integrity.Verifier,
        recorded_at: Callable[[FactRow], dt.datetime | None] | None = None,
        *,
        after: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> integrity.Verdict:
        """Check every stored fact and checkpoint (``integrity.verify_rows``).

        From ``PARALLEL_VERIFY_FROM`` facts on (or given ``after``), the facts after a point
        (five eighths of them: this process also checks the checkpoints and rebuilds their tree)
        are read and hashed meanwhile by a second process, on the other core. The verdict is the
        same: if they do not all match, they are read here and checked as usual.

        The checkpoints are read before the facts. A write that lands in between (its facts
        and its checkpoint are committed together) would show its facts as covered by no
        checkpoint; so a check that fails while the ledger gains checkpoints is made again,
        reading them afresh (a fault that is really there is found again).

        ``progress`` is told how many facts have been read so far, now and then.
        """
        signed = self._checkpoint_sequence()
        verdict = self._verify_once(verifier, recorded_at, after, progress)
        for _ in range(VERIFY_AGAIN):
            if verdict.ok:
                break
            now_signed = self._checkpoint_sequence()
            if now_signed == signed:
                break  # nothing was signed meanwhile: the fault is in what was read
            signed = now_signed
            verdict = self._verify_once(verifier, recorded_at, after, progress)
        return verdict

    def _checkpoint_sequence(self) -> int | None:
        """The sequence of the last checkpoint row (None if it cannot be read as a number)."""
        return self.storage.last_version(self.checkpoint_stream)

    def _verify_once(
        self,
        verifier: integrity.Verifier,
        recorded_at: Callable[[FactRow], dt.datetime | None] | None,
        after: int | None,
        progress: Callable[[int], None] | None = None,
    ) -> integrity.Verdict:
        """One check of every fact; the person index is checked against the rows as they are
        read (in each process, for the facts it reads), for ``people_faults`` to use if the
        facts are intact."""
        origin = integrity.origin_for(self.stream)
        self._people_checked = None
        marker = self.storage.people_marker()
        upto = None if marker is None else min(marker, self.head())
        if after is None:
            head = self.head()
            if head < PARALLEL_VERIFY_FROM or (os.cpu_count() or 1) < 2:
                checker = self._people_checker(0, upto)
                rows = self.rows() if checker is None else checker.tap(self.rows())
                verdict = integrity.verify_rows(
                    _told(rows, progress),
                    self.checkpoint_rows(),
                    verifier,
                    origin,
                    recorded_at,
                )
                if verdict.ok and checker is not None and checker.complete and upto is not None:
                    self._people_checked = (upto, checker.found)
                return verdict
            after = head * 3 // 8
        start = after
        checker = self._people_checker(0, None if upto is None else min(upto, start))
        fell_back: list[bool] = []

        def read_here() -> Iterator[FactRow]:  # the second process's rows did not all match
            fell_back.append(True)
            return self.rows(start)

        with _hashing_after(self.config, start, upto) as leaves:
            rest = integrity.Hashed(start, leaves, self.rows_at, read_here)
            rows = self.rows(0, start)
            verdict = integrity.verify_rows(
                _told(rows if checker is None else checker.tap(rows), progress),
                self.checkpoint_rows(),
                verifier,
                origin,
                recorded_at,
                rest,
            )
            people = leaves.people if isinstance(leaves, _Answer) else None
            theirs = people() if people is not None and verdict.ok and not fell_back else None
        if checker is not None and checker.complete and theirs is not None and upto is not None:
            self._people_checked = (upto, peoplecheck.joined(checker.found, theirs))
        return verdict

    def _people_checker(self, after: int, upto: int | None) -> peoplecheck.Checker | None:
        """A check of the person index against the facts after ``after`` up to ``upto`` (None:
        the ledger has no index), to be given the rows as they are read."""
        if upto is None:
            return None
        return peoplecheck.Checker(self.storage.people_after(after), upto, self.people_of())

    def people_of(self) -> Callable[[int, str, bytes], set[str]]:
        """Whom a stored fact row (position, topic, stored bytes) names (``privacy.people_in``):
        read from its bytes as plain MessagePack (``peoplecheck.named``), unless they are
        stored compressed or encrypted."""
        mapper = self.mapper
        assert isinstance(mapper, EventMapper)
        if not (mapper.cipher or mapper.compressor):
            return peoplecheck.named

        def people_of(position: int, topic: str, state: bytes) -> set[str]:
            return people_in(mapper.open_row(position, topic, state).event)

        return people_of

    def decode(self, stored: StoredEvent) -> Recorded:
        recorded = self.mapper.to_domain_event(stored)
        assert isinstance(recorded, Recorded)
        return recorded

    def read(self, after: int = 0, upto: int | None = None) -> Iterator[Recorded]:
        for stored in self.stored(after, upto):
            yield self.decode(stored)

    def facts(self, after: int = 0, upto: int | None = None) -> Iterator[tuple[int, ev.Event]]:
        """The facts after a position as the projections need them: their personal fields
        still sealed (the registers keep no name), read as plain rows. The fast way to fold
        a million facts; ``read`` opens the sealed fields."""
        assert isinstance(self.mapper, EventMapper)
        open_row = self.mapper.open_row
        for position, topic, state in self.rows(after, upto):
            yield position, open_row(position, topic, state).event

    # -- the profile ----------------------------------------------------------------------------

    @property
    def profile(self) -> Profile:
        if self._profile is None:
            first = next(self.read(0, 1), None)
            if first is None or not isinstance(first.event, ev.SettingRegistered):
                raise LedgerError(
                    f"{self.config.shown}: the ledger does not start with its setting"
                )
            self._profile = load_profile(self._profile_source(first.event.profile))
        return self._profile

    def setting_name(self) -> str:
        """The setting's name, as its first fact records it."""
        first = next(self.facts(0, 1), None)
        if first is None or not isinstance(first[1], ev.SettingRegistered):
            raise LedgerError(f"{self.config.shown}: the ledger does not start with its setting")
        return first[1].name

    def _profile_source(self, name: str) -> str:
        """A setting's own profile is kept beside the ledger; a shipped one is named."""
        own = self.config.profile_path
        return str(own) if own.exists() else name

    # -- the tracked projection (``ledger.tracked``) ---------------------------------------------

    def save_if_behind(self, registers: reg.Registers) -> None:
        """Save the registers once they are ``SAVE_EVERY`` facts past the saved ones.

        Saved registers only spare later commands the fold: where the ledger cannot be written
        to (a read-only copy, a read-only replica) they are not saved, and nothing else changes.
        """
        if self.is_partial(registers):
            return  # a few entries (recording one fact): the registers are saved by others
        # Registers folded from the first fact though some were saved (they were not bound to
        # this history, or lacked a binding): saved anew now, in place of every saved row.
        replace = self.is_folded_from_start(registers) and self.has_saved_rows()
        if registers.position - self.saved_position() >= SAVE_EVERY or replace:
            try:
                self.save_registers(registers)
            except PersistenceError as exc:
                text = str(exc).lower()
                if "readonly" not in text and "read-only" not in text:
                    raise

    # -- writing --------------------------------------------------------------------------------

    def create(
        self, setting: str, profile_name: str, signer: integrity.Signer, clock: Clock
    ) -> None:
        """Write the first fact, ``SettingRegistered``, and the first checkpoint."""
        if self.is_initialised:
            raise LedgerError(f"{self.config.shown}: a ledger already exists here")
        self._stream = uuid.uuid4()
        first = ev.SettingRegistered(on=today(clock), name=setting, profile=profile_name)
        write = _Write(reg.Registers(), None, today(clock), clock(), integrity.Frontier())
        write.people.create = True  # a new ledger: its person index is made with its first fact
        self._insert(self._rows(write, [first], signer, None), write.people)  # not decided

    def record(
        self,
        events: Sequence[ev.Event] | Callable[[], Iterable[ev.Event]],
        signer: integrity.Signer,
        clock: Clock,
        *,
        progress: Callable[[int], None] | None = None,
        forgetting: bool = False,
        registers: reg.Registers | None = None,
    ) -> range:
        """Decide each fact against everything before it, then record them all or none.

        ``registers``: the registers at the head, if the caller has just read them (so they are
        not read twice); they are used only if no other writer has written since, and then end
        holding the new facts. Otherwise they are left as they were and read afresh.

        ``events`` is a sequence, or a function giving the facts afresh (a file read as it is
        written: a million facts need not be held at once). Returns the positions recorded.
        Raises ``Refused`` (with ``index``, the fact's place in ``events``) for the first fact
        that cannot be recorded; nothing is written then, nor when reading the facts fails. A
        concurrent writer's facts are picked up and the decisions taken again.
        """
        source = events if callable(events) else lambda: events
        with reg.paused_gc():
            return self._decide_and_append(source, signer, clock, progress, forgetting, registers)

    def _decide_and_append(
        self,
        source: Callable[[], Iterable[ev.Event]],
        signer: integrity.Signer,
        clock: Clock,
        progress: Callable[[int], None] | None,
        forgetting: bool,
        given: reg.Registers | None,
    ) -> range:
        for _attempt in range(RETRIES):
            registers = given if given is not None and _attempt == 0 else self.registers()
            start = registers.position
            previous = self.latest_checkpoint()
            frontier = previous.frontier() if previous is not None else integrity.Frontier()
            if frontier.size > start:
                continue  # another writer's facts arrived between the two reads: read again
            if frontier.size != start:
                raise LedgerError(
                    f"the last checkpoint covers {frontier.size} facts but the ledger holds"
                    f" {start}; run `ledger verify`"
                )
            now = clock()
            if previous is not None and previous.record.signed_at > now:
                now = previous.record.signed_at  # record time never runs backwards
            write = _Write(
                registers,
                self.profile,
                today(clock),
                now,
                frontier,
                forgetting,
                progress,
                People(start, create=not self.storage.has_people()),
            )
            try:
                self._insert(self._rows(write, source(), signer, previous), write.people)
            except IntegrityError:
                continue  # someone else wrote at these positions: decide again
            except OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                time.sleep(random.uniform(0.01, 0.1) * (1 + _attempt))  # another writer's turn
                continue
            self.save_if_behind(registers)
            return range(start + 1, write.tree.size + 1)
        raise LedgerError("the ledger is busy: other writers kept getting in first; try again")

    def _rows(
        self,
        write: _Write,
        events: Iterable[ev.Event],
        signer: integrity.Signer,
        previous: integrity.Latest | None,
    ) -> Iterator[StoredEvent]:
        """The rows of one write, made as they are inserted: each fact decided, folded in,
        sealed and hashed in turn, then the signed checkpoint over them all."""
        registers, tree, forgetting = write.registers, write.tree, write.forgetting
        start = tree.size
        leaves = bytearray()
        hasher = integrity.LeafHasher()
        chunk: list[ev.Event] = []
        taken = 0  # facts decided so far
        iterator = iter(events)
        guard = NameGuard(self.held_names)  # no name in free text that cannot be forgotten
        while True:
            chunk.clear()
            for event in iterator:
                try:
                    if write.profile is not None:
                        decide(registers, write.profile, event, write.day, forgetting=forgetting)
                        named = guard.check(event)
                        if named is not None:
                            raise named
                except Refused as refusal:
                    refusal.index = taken
                    raise
                guard.learn(event)
                taken += 1
                reg.apply(registers, event, start + taken)
                chunk.append(event)
                if len(chunk) == WRITE_CHUNK:
                    break
            if not chunk:
                break
            needed: set[str] = set()
            for event in chunk:
                needed |= sealing_subjects(event)
            # Keys first: a fact must never be stored unreadable. A forgotten person is never
            # given a key again (text about them is sealed under one that is not kept).
            self.keys.ensure(needed, forgotten=registers.forgotten)
            assert isinstance(self.mapper, EventMapper)
            self.mapper.forgotten = registers.forgotten
            first = tree.size + 1
            rows = [
                self.mapper.to_stored_event(Recorded(self.stream, first + i, write.now, event))
                for i, event in enumerate(chunk)
            ]
            write.people.rows.extend(
                (ref, first + i) for i, event in enumerate(chunk) for ref in people_in(event)
            )
            hashes = hasher.leaves((r.originator_version, r.topic, r.state) for r in rows)
            tree.extend(hashes)
            leaves += hashes
            yield from rows
            if write.progress is not None:
                write.progress(tree.size - start)
        if tree.size == start:
            raise NothingToRecord("no facts to record")
        write.people.end = tree.size
        record = integrity.sign_checkpoint(
            tree,
            bytes(leaves),
            signer,
            write.now,
            origin=integrity.origin_for(self.stream),
            sequence=previous.sequence + 1 if previous else 1,
        )
        yield integrity.to_stored(self.checkpoint_stream, record)

    def _insert(self, rows: Iterator[StoredEvent], people: People) -> None:
        """Insert the rows in one transaction, as they are made (none if making one fails),
        and the person index's rows of the write with them."""
        self.storage.insert_facts(rows, WRITE_CHUNK, people)

    # -- personal data: names, forgets and the key store ---------------------------------------

    def rows_of_types(self, types: Sequence[type[ev.Event]], after: int = 0) -> Iterator[FactRow]:
        """The stored facts of these types after a position, as plain rows, in order (found by
        their topic in the database: the other facts are not read)."""
        patterns = [f"{cls.__name__}:%" for cls in types]
        yield from self.storage.rows_of_topics(self.stream, patterns, after)

    def read_about(self, ref: str) -> list[Recorded]:
        """Every fact that names the person ``ref`` (``privacy.people_in``), names opened,
        found through the person index: the index is caught up first if it is behind the
        head (a ledger made before there was one reads every fact once). An index that claims
        more than the ledger holds is not used: every fact is read (``verify`` names it)."""
        found: list[Recorded] = []
        for position, topic, state in self.rows_about([ref]):
            recorded = self.decode(StoredEvent(self.stream, position, topic, state))
            if ref in people_in(recorded.event):  # a row that names someone else is not theirs
                found.append(recorded)
        return found

    def rows_about(self, refs: Iterable[str]) -> list[FactRow]:
        """The stored facts the person index lists for any of ``refs``, as plain rows, in order
        (``read_about``; every fact, if the index claims more than the ledger holds)."""
        head = self.head()
        marker = self.storage.people_marker()
        if marker is not None and marker > head:
            return list(self.rows())
        if marker is None or marker < head:
            start = marker or 0
            people = People(start, end=head, create=marker is None)
            people.rows = [
                (person, position)
                for position, event in self.facts(start, head)
                for person in people_in(event)
            ]
            self.storage.add_people(people)
        positions = {p for ref in refs for p in self.storage.positions_of(ref) if p <= head}
        return self.rows_at(sorted(positions))

    def people_faults(self) -> list[str]:
        """What is wrong with the person index, in words, for ``verify``: each position where
        it lists someone the fact does not name, or leaves out someone it names (up to the
        position it says it is complete to), and a mark beyond the head. Reads every fact and
        every row of the index once, side by side, in position order."""
        marker = self.storage.people_marker()
        if marker is None:
            return []
        head = self.head()
        faults: list[str] = []
        if marker > head:
            faults.append(
                f"the person index says it covers {marker:,} facts, but the ledger holds {head:,}"
            )
        upto = min(marker, head)
        checked, self._people_checked = self._people_checked, None
        if checked is not None and checked[0] == upto:  # checked by verify as it read the facts
            return peoplecheck.joined(faults, checked[1])
        rows = self.rows(0, upto)
        return peoplecheck.faults(
            rows, self.storage.people_after(0), upto, self.people_of(), faults
        )

    def held_names(self) -> Iterator[str]:
        """Every name the ledger holds and can still read (a forgotten one reads as
        ``[forgotten]``; one whose key does not open it is left out: ``verify`` names it)."""
        for position, topic, state in self.rows_of_types(list(ev.NAME_FIELDS)):
            try:
                recorded = self.decode(StoredEvent(self.stream, position, topic, state))
            except MapperError:
                continue
            field = ev.NAME_FIELDS.get(type(recorded.event))
            if field is not None:
                yield getattr(recorded.event, field)

    def complete_forgets(self) -> list[tuple[str, int]]:
        """Destroy the key of everyone forgotten whose key is still in the key store (a forget
        interrupted between its fact and the key's destruction, or a key store restored from a
        backup taken before it): (person, the forget's position) for each one completed.

        Cheap at any size: the key store remembers the position up to which it has applied the
        forgets, and only the forget facts after it are read (a restored store has an older
        position, so it reads from there)."""
        applied = self.keys.applied()
        head = self.head()
        if applied >= head:
            return []
        done: list[tuple[str, int]] = []
        assert isinstance(self.mapper, EventMapper)
        for position, topic, state in self.rows_of_types([ev.SubjectForgotten], applied):
            event = self.mapper.open_row(position, topic, state).event
            assert isinstance(event, ev.SubjectForgotten)
            if self.keys.has_key(event.subject_ref):
                self.keys.forget(event.subject_ref)
                done.append((event.subject_ref, position))
        if done or head - applied >= FORGETS_APPLIED_EVERY:
            self.keys.set_applied(head)
        return done

    def latest_checkpoint(self) -> integrity.Latest | None:
        rows = self.recorder.select_events(self.checkpoint_stream, desc=True, limit=1)
        return integrity.Latest.from_stored(rows[0]) if rows else None

    def checkpoints(self) -> Iterator[StoredEvent]:
        position = 0
        while True:
            chunk = self.recorder.select_events(
                self.checkpoint_stream, gt=position, limit=READ_CHUNK
            )
            yield from chunk
            if len(chunk) < READ_CHUNK:
                return
            position = chunk[-1].originator_version

    def checkpoint_notes(self) -> dict[int, str]:
        """The signed note of each of the ledger's checkpoints, by its tree size."""
        return {
            record.size: record.note
            for record in (integrity.decode_record(c.state) for c in self.checkpoints())
        }

    def close(self) -> None:
        self.keys.close()
        super().close()


def _told(rows: Iterable[FactRow], progress: Callable[[int], None] | None) -> Iterator[FactRow]:
    """The rows as they are, telling ``progress`` how many have passed, every thousand."""
    if progress is None:
        yield from rows
        return
    for count, row in enumerate(rows, start=1):
        yield row
        if count % 1000 == 0:
            progress(count)


class _Answer:
    """The second process's answer (``_hashing_after``): called, its leaf hashes (waited for),
    or None if they would not help or the process failed; ``people()``, its faults of the
    person index, if it was asked to check it (None if not, or if it could not)."""

    def __init__(self, process: subprocess.Popen[bytes], output: IO[bytes], people: bool):
        self._process = process
        self._output = output
        self._people = people
        self._read: tuple[bytes | None, list[str] | None] | None = None

    def _answer(self) -> tuple[bytes | None, list[str] | None]:
        if self._read is None:
            data: bytes | bytearray | None
            if self._people:  # read into one buffer, cut in place (``peoplecheck.split``)
                buffer = bytearray()
                while chunk := self._output.read(1 << 20):
                    buffer += chunk
                data = buffer
            else:
                data = self._output.read()
            ok = self._process.wait() == 0
            found = None
            if ok and self._people and data is not None:
                data, found = peoplecheck.split(data)
            good = ok and data is not None and len(data) % merkle.HASH_SIZE == 0
            # A bytearray compares and slices as the bytes it holds (``integrity.Hashed``).
            self._read = (cast(bytes, data) if good else None, found if good else None)
        return self._read

    def __call__(self) -> bytes | None:
        return self._answer()[0]

    def people(self) -> list[str] | None:
        return self._answer()[1]


@contextlib.contextmanager
def _hashing_after(
    config: Config, after: int, people: int | None = None
) -> Iterator[Callable[[], bytes | None]]:
    """A second process (``ledger.leafhashing``, a fresh interpreter: it shares nothing with
    this one) reads and hashes the facts after ``after``; the function yielded (an ``_Answer``)
    waits for their leaf hashes, or gives None if they would not help or the process failed.
    With ``people`` (the position the person index is complete to), it also checks the index
    against the facts it reads up to there (``peoplecheck.Checker``): ``_Answer.people``. The
    process is stopped on the way out if still running (when the check ended early)."""
    request = msgspec.json.encode(
        {"db": config.db, "key_path": str(config.key_path), "after": after, "people": people}
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "ledger.leafhashing"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # it can only fail to help: then the facts are read here
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(request)  # the URL (and its password) never on a command line
        process.stdin.close()
    except BrokenPipeError:
        pass  # it is gone already: leaves() says so
    output = process.stdout
    try:
        yield _Answer(process, output, people is not None)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        output.close()


def open_ledger(config: Config) -> Ledger:
    """An existing ledger; anything else is refused without being touched."""
    if config.is_postgres and not postgres_schema_has_ledger(config):
        raise LedgerError(
            f"no ledger in schema {schema_of(config.db)!r} (create one with `ledger init`)"
        )
    if not config.is_postgres:
        path = Path(config.db)
        if not path.is_file():
            raise LedgerError(f"{config.shown}: no ledger here (create one with `ledger init`)")
        if not is_sqlite_ledger(path):
            if is_sqlite_ledger(path, immutable=True):
                raise LedgerError(
                    f"{config.shown}: this ledger is on a disk or in a folder that cannot be"
                    " written to, and a ledger can only be opened where it can keep its working"
                    " files; copy it to a folder you can write to, and run the command on the copy"
                )
            raise LedgerError(f"{config.shown}: this file is not a ledger (it was left as it was)")
    ledger = Ledger(config)
    if not ledger.is_initialised:
        raise LedgerError(f"{config.shown}: no ledger here (create one with `ledger init`)")
    return ledger
