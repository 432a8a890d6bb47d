"""The tracked projections: the registers and the site's numbers, kept as caches of the ledger.

The registers (``projections.registers``) are persisted at a position in the library's
snapshot store and advanced by reading only the facts after it; each entry is saved on its own
too (what ``check post`` reads); the site's numbers (``projections.sitedata``) are a saved view.
Every saved row is bound to the ledger's head at its position (``ledger.caches``); one that is
not is ignored, and the answer is worked out from the facts.

This is where a register becomes bytes and back: storage (``ledger.storage``) keeps the rows
as opaque bytes at an id and a position, and never learns what they hold. ``Ledger`` mixes this
class in (``ledger.store``); ``ledger.follow`` saves what a follower folds through
``registers_rows``, the one place the rows of saved registers are made.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import sys
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path

from eventsourcing.persistence import (
    AggregateRecorder,
    IntegrityError,
    PersistenceError,
    StoredEvent,
)

from ledger import caches, integrity
from ledger import events as ev
from ledger.profile import Profile
from ledger.storage.base import SavedRow, Storage, Superseded
from projections import findings as fnd
from projections import registers as reg
from projections import sitedata

REGISTERS_TOPIC = f"Registers/{reg.SCHEMA}"
ENTRY_TOPIC = f"Entry/{reg.SCHEMA}"
SAVED_TOPIC = f"Saved/{reg.SCHEMA}"
FROM_START_KEPT = 4  # registers folded from the first fact whose flag is remembered


EPISODES_VIEW = "episodes"


@functools.cache
def rules_digest() -> str:
    """A digest of the code that judges: every module of the read side, the catalogue and the
    profile's defaults. Saved episodes are used only by the code that judged them: a ledger
    upgraded to rules that judge differently works its findings out afresh."""
    import projections

    hasher = hashlib.sha256(b"policy-ledger rules\x00")
    root = Path(projections.__file__).resolve().parent
    files = sorted(root.rglob("*.py"))
    files += [Path(ev.__file__).resolve(), Path(sys.modules[Profile.__module__].__file__ or "")]
    for path in files:
        data = path.read_bytes()
        hasher.update(f"{path.name}:{len(data)}:".encode())
        hasher.update(data)
    return hasher.hexdigest()


def registers_id(stream: uuid.UUID) -> uuid.UUID:
    """Where registers of this schema are saved (those of an older one are left unread)."""
    return uuid.uuid5(stream, REGISTERS_TOPIC)


def saved_id(stream: uuid.UUID) -> uuid.UUID:
    """Where the position alone is saved: asking it must not read 50 MB of registers."""
    return uuid.uuid5(stream, SAVED_TOPIC)


def view_id(stream: uuid.UUID, name: str) -> uuid.UUID:
    """Where the saved view ``name`` (``save_view``) is kept."""
    return uuid.uuid5(stream, f"view/{name}")


def entry_id(stream: uuid.UUID, entry: reg.EntryKey) -> uuid.UUID:
    section, name = entry
    return uuid.uuid5(stream, f"{reg.SCHEMA}/{section}/{name}")


def registers_rows(
    stream: uuid.UUID, registers: reg.Registers, head: caches.Head
) -> list[SavedRow]:
    """The rows that save the registers at their position, written in one transaction: each
    entry changed since they were loaded, on its own (``registers_for``); the registers; and
    the position. Saved registers at a position mean every entry is saved as of it too.

    Each row is bound to ``head``, the ledger's head at the registers' position (``caches``).
    """
    at = registers.position
    if head.size != at:
        raise ValueError(f"registers at {at} cannot be bound to the head at {head.size}")
    changed = sorted(reg.changed(registers))
    entries = [
        SavedRow(entry_id(stream, e), at, ENTRY_TOPIC, caches.bind(head, content))
        for e, content in zip(changed, reg.entries_bytes(registers, changed), strict=True)
    ]
    return [
        *entries,
        SavedRow(
            registers_id(stream), at, REGISTERS_TOPIC, caches.bind(head, reg.to_bytes(registers))
        ),
        SavedRow(saved_id(stream), at, SAVED_TOPIC, caches.bind(head, b"")),
    ]


def superseded_by(at: int) -> Superseded:
    """After registers folded from the first fact are saved at a position: every other saved
    registers, entry and position mark is dead (each entry was saved anew), whatever wrote it."""
    return Superseded((REGISTERS_TOPIC, ENTRY_TOPIC, SAVED_TOPIC), at)


def _uuid_or_none(ident: object) -> uuid.UUID | None:
    """A stored originator id as a UUID; None for one that is not (written by hand)."""
    if isinstance(ident, uuid.UUID):
        return ident
    try:
        return uuid.UUID(str(ident))
    except ValueError:
        return None


class TrackedProjections(ABC):
    """The registers and saved views of one ledger: read from its caches where they are bound
    to its history, else worked out from the facts; saved bound to its head."""

    storage: Storage
    _snapshots: AggregateRecorder  # the library's recorder of the caches' table
    _heads: dict[int, caches.Head]  # checkpoints read for binding caches
    # Registers folded from the first fact (no saved registers used), not saved since: all
    # their entries are marked changed, and saving them makes every other saved row dead.
    _from_start: list[reg.Registers]
    # Partial registers (``registers_for``): never saved as the registers.
    _partial: list[reg.Registers]

    @property
    @abstractmethod
    def stream(self) -> uuid.UUID: ...

    @property
    @abstractmethod
    def checkpoint_stream(self) -> uuid.UUID: ...

    @property
    @abstractmethod
    def profile(self) -> Profile: ...

    @abstractmethod
    def head(self) -> int: ...

    @abstractmethod
    def facts(self, after: int = 0, upto: int | None = None) -> Iterator[tuple[int, ev.Event]]: ...

    @abstractmethod
    def latest_checkpoint(self) -> integrity.Latest | None: ...

    # -- the registers ------------------------------------------------------------------------

    def registers(self, upto: int | None = None) -> reg.Registers:
        """The registers at the head (or at ``upto``), from the latest snapshot onwards."""
        registers = self._saved_registers(upto)
        if registers is None:
            registers = reg.Registers()
            self._from_start = [registers, *self._from_start[: FROM_START_KEPT - 1]]
        return reg.advance(registers, self.facts(registers.position, upto))

    def saved_registers(self) -> reg.Registers | None:
        """The newest saved registers, as saved (not advanced to the head), if they are bound
        to this history; None if there are none such (``registers`` then folds every fact)."""
        return self._saved_registers(None)

    def is_folded_from_start(self, registers: reg.Registers) -> bool:
        """Whether these registers were folded from the first fact by this ledger and not
        saved since (then saving them replaces every other saved row)."""
        return any(kept is registers for kept in self._from_start)

    def _saved_registers(self, upto: int | None) -> reg.Registers | None:
        """The newest saved registers at or before ``upto``, if they are bound to this history
        (``caches``). If they are not, None: the registers are folded from the first fact, and
        the next save replaces every saved row (``save_if_behind``)."""
        rows = self._snapshots.select_events(
            registers_id(self.stream), lte=upto, desc=True, limit=1
        )
        if not rows:
            return None
        content = self._cache(rows[0])
        registers = reg.from_bytes(content) if content is not None else None
        if registers is None or registers.position != rows[0].originator_version:
            return None
        return registers

    def save_registers(self, registers: reg.Registers) -> None:
        """Persist the registers at their position (a cache: losing it costs only time),
        bound to the ledger's head there, keeping the two newest saved (each is a whole copy,
        50 MB at a million facts); at a position no checkpoint ends at (nothing to bind them
        to) they are not saved."""
        head = self.head_for(registers.position)
        if head is None:
            return
        full = self.is_folded_from_start(registers)
        with contextlib.suppress(IntegrityError):  # another process saved it first
            self.storage.save(
                registers_rows(self.stream, registers, head),
                superseded=superseded_by(registers.position) if full else None,
                prune=registers_id(self.stream),
            )
        self.registers_saved(registers)

    def registers_saved(self, registers: reg.Registers) -> None:
        """Note that the registers were saved as they stand (by this ledger or a follower)."""
        reg.changed(registers).clear()
        self._from_start = [kept for kept in self._from_start if kept is not registers]

    def saved_position(self) -> int:
        """The position the registers (of this schema) were last saved at: 0 if they never
        were, or the newest position mark is not bound to this history (``caches``: then the
        saved entries are not used, and the next write saves them anew)."""
        markers = self._snapshots.select_events(saved_id(self.stream), desc=True, limit=1)
        if not markers or self._cache(markers[0]) is None:
            return 0
        return markers[0].originator_version

    def has_saved_rows(self) -> bool:
        """Whether any registers or position mark was saved (bound to this history or not)."""
        return any(
            self._snapshots.select_events(ident, desc=True, limit=1)
            for ident in (saved_id(self.stream), registers_id(self.stream))
        )

    def registers_for(self, wanted: Iterable[reg.EntryKey]) -> reg.Registers:
        """Partial registers at the head: only the wanted entries (and any a later fact links
        to them), read from the saved entries and the facts since. What ``check post`` needs,
        in time that does not grow with the ledger."""
        position = self.saved_position()
        if not position:
            return self.registers()
        tail = [(at, event, reg.touches(event)) for at, event in self.facts(position)]
        # A fact since then about a wanted entry may change another (a guardian linked to a
        # child): that one is wanted too, from its first fact on.
        needed = set(wanted)
        grew = True
        while grew:
            grew = False
            for _, _, entries in tail:
                if entries and not needed.issuperset(entries) and not needed.isdisjoint(entries):
                    needed.update(entries)
                    grew = True
        registers = reg.Registers(position=position)
        bad: list[reg.EntryKey] = []
        for entry in needed:
            rows = self._snapshots.select_events(
                entry_id(self.stream, entry), lte=position, desc=True, limit=1
            )
            if not rows:
                continue
            content = self._cache(rows[0])
            try:
                if content is None:
                    raise ValueError("not bound to this history")
                reg.put_entry(registers, entry, content)
            except ValueError:
                bad.append(entry)  # damaged, or not of this history: a cache, ignored
        if bad:
            return self._entries_saved_anew(position, sorted(bad))
        with reg.paused_gc():
            for at, event, entries in tail:
                if needed.isdisjoint(entries):
                    registers.position = at  # about nothing asked for
                else:
                    reg.apply(registers, event, at)
        self._partial = [registers, *self._partial[: FROM_START_KEPT - 1]]
        return registers

    def is_partial(self, registers: reg.Registers) -> bool:
        """Whether these are partial registers (``registers_for``): they are never saved."""
        return any(kept is registers for kept in self._partial)

    def _entries_saved_anew(self, position: int, bad: list[reg.EntryKey]) -> reg.Registers:
        """The registers at the head when saved entries were ignored: the saved registers at
        ``position`` and the facts since. The ignored entries are saved anew from them, so
        that the next question reads them again (where the ledger can be written to)."""
        saved = self._saved_registers(position)
        head = self.head_for(position)
        if saved is None or saved.position != position or head is None:
            return self.registers()
        rows = [
            SavedRow(entry_id(self.stream, e), position, ENTRY_TOPIC, caches.bind(head, content))
            for e, content in zip(bad, reg.entries_bytes(saved, bad), strict=True)
        ]
        try:
            self.storage.save(rows)
        except PersistenceError as exc:
            text = str(exc).lower()
            if "readonly" not in text and "read-only" not in text:
                raise
        return reg.advance(saved, self.facts(position))

    # -- caches bound to the history (``ledger.caches``) ----------------------------------------

    def head_at(self, sequence: int) -> caches.Head | None:
        """The head at the ledger's checkpoint ``sequence`` (its size and root): one row read,
        kept for the next time (a checkpoint never changes). None if there is none such."""
        known = self._heads.get(sequence)
        if known is not None or sequence < 1:
            return known
        # Only the row's first bytes: its leaf hashes (32 MB for a million-fact import) are
        # not needed to know the head it signs.
        prefix = self.storage.state_prefix(
            self.checkpoint_stream, sequence, caches.CHECKPOINT_PREFIX
        )
        head = caches.head_of_checkpoint(prefix, sequence) if prefix is not None else None
        if head is not None:
            self._heads[sequence] = head
        return head

    def head_for(self, position: int) -> caches.Head | None:
        """The head at the checkpoint that ends at ``position``, if one does (the checkpoints'
        sizes grow with their sequence: a few rows read, the last one first)."""
        latest = self.latest_checkpoint()
        if latest is None or position < 1:
            return None
        low, high = 1, latest.sequence
        probe = high  # the common case: the head
        while low <= high:
            head = self.head_at(probe)
            if head is None:
                return None
            if head.size == position:
                return head
            if head.size < position:
                low = probe + 1
            else:
                high = probe - 1
            probe = (low + high) // 2
        return None

    def _cache(self, stored: StoredEvent) -> bytes | None:
        """A saved row's content if it is bound to this history where it is stored, else None
        (it is ignored: whoever asked works the answer out from the facts)."""
        opened = caches.unbind(stored.state, stored.originator_version, self.head_at)
        return None if isinstance(opened, str) else opened

    def cache_faults(self) -> list[tuple[str, int, caches.Fault]]:
        """Every saved row (registers, entries, position marks, views) not bound to this
        history where it is stored: (what it is, its position, what is wrong), for ``verify``.
        Reads every saved row once, in chunks, and one checkpoint row per binding seen."""
        names: dict[uuid.UUID | None, str] = {
            registers_id(self.stream): "registers",
            saved_id(self.stream): "mark",
            view_id(self.stream, sitedata.NAME): "site",
            view_id(self.stream, EPISODES_VIEW): "episodes",
        }
        postgres = self.storage.is_postgres
        by_stored: dict[object, str] = {
            (ident if postgres or ident is None else ident.hex): what
            for ident, what in names.items()
        }
        faults: list[tuple[str, int, caches.Fault]] = []
        checker = caches.Checker(self.head_at)
        for ident, version, topic, state in self.storage.saved_rows():
            what = by_stored.get(ident) or (  # (an id as stored: parsing each is slow)
                names.get(_uuid_or_none(ident)) if topic != ENTRY_TOPIC else "entry"
            )
            what = what or "other"
            fault = checker.fault(state, version)
            if fault is not None and not (fault == "unbound" and what == "other"):
                faults.append((what, version, fault))  # (old rows of no use: never read)
        return faults

    # -- other saved views: each one projection's state at one position (a cache) -------------

    def saved_view(self, name: str) -> tuple[int, bytes] | None:
        """The position and state of the view ``name`` as last saved, if it was, and is bound
        to this history there (``caches``)."""
        rows = self._snapshots.select_events(view_id(self.stream, name), desc=True, limit=1)
        content = self._cache(rows[0]) if rows else None
        return (rows[0].originator_version, content) if rows and content is not None else None

    def save_view(self, name: str, position: int, state: bytes) -> None:
        """Save the view ``name`` at ``position`` in place of the one saved before, bound to
        the ledger's head there; at a position no checkpoint ends at, nothing is saved."""
        head = self.head_for(position)
        if head is None:
            return
        row = SavedRow(view_id(self.stream, name), position, name, caches.bind(head, state))
        self.storage.replace_saved(row)

    def judge(self, registers: reg.Registers) -> fnd.Judged:
        """Every episode of the registers' facts, judged by this ledger's profile and rules
        (what ``save_judged`` keeps)."""
        with reg.settled():
            return fnd.judged(
                registers, self.profile, sitedata.fingerprint(self.profile), rules_digest()
            )

    def saved_judged(self, position: int | None = None) -> fnd.Judged | None:
        """The saved episodes, if they are for the head (or ``position``), the profile and
        these rules."""
        saved = self.saved_view(EPISODES_VIEW)
        if saved is None or saved[0] != (self.head() if position is None else position):
            return None
        found = fnd.judged_from_bytes(saved[1])
        if (
            found is None
            or found.position != saved[0]
            or found.profile != sitedata.fingerprint(self.profile)
            or found.rules != rules_digest()
        ):
            return None
        return found

    def save_judged(self, judged: fnd.Judged) -> None:
        """Save the episodes (in place of those saved before): what a follower does."""
        self.save_view(EPISODES_VIEW, judged.position, fnd.judged_to_bytes(judged))

    def site_data(self, day: dt.date) -> sitedata.SiteData:
        """The site's numbers at the head as of ``day``: the saved ones when they answer (the
        same position, day and profile), else worked out from the registers. Reading only:
        ``ledger follow`` saves them (``save_site_data``)."""
        saved = self.saved_site_data(day)
        if saved is not None:
            return saved
        registers = self.registers()
        with reg.settled():  # the registers live until the numbers are worked out
            return sitedata.compute(registers, self.profile, day)

    def saved_site_data(self, day: dt.date) -> sitedata.SiteData | None:
        """The saved site's numbers, if they are for the head, ``day`` and the profile."""
        saved = self.saved_view(sitedata.NAME)
        if saved is None or saved[0] != self.head():
            return None
        data = sitedata.from_bytes(saved[1])
        return (
            data
            if data is not None and sitedata.is_for(data, saved[0], day, self.profile)
            else None
        )

    def save_site_data(self, data: sitedata.SiteData) -> None:
        """Save the site's numbers (in place of those saved before): what a follower does."""
        self.save_view(sitedata.NAME, data.position, sitedata.to_bytes(data))
