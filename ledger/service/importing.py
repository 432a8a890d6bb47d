"""Importing a file of facts (``ledger.service``): JSON Lines, read as it is recorded, or a
spreadsheet's register, read whole; all or none, with a dry run that writes nothing, and the
findings the import opened, by rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import msgspec
from eventsourcing.persistence import StoredEvent

from ledger import events as ev
from ledger import integrity
from ledger import warnings as alerts
from ledger.decisions import Refused, decide
from ledger.importer import (
    BadInput,
    Register,
    is_register,
    read_register,
    stream_file,
    stream_path,
)
from ledger.mapper import topic_of
from ledger.privacy import NameGuard
from ledger.service.errors import FactRefused, Refusal
from ledger.service.progress import Progress, counted, lines_in
from ledger.service.recording import record
from ledger.service.trust import unreadable
from ledger.store import Clock, Ledger, LedgerError, today
from projections import findings as fnd
from projections import registers as reg

SignerSource = Callable[[], integrity.Signer]  # loaded only once something is to be written


@dataclass(frozen=True)
class ImportFile:
    """A file to import: ``name`` as the user gave it (``-`` for standard input); ``data``, its
    bytes if read whole (a register, or standard input), else None (read as it is recorded)."""

    name: str
    data: bytes | None

    @property
    def is_register(self) -> bool:
        return is_register(self.name)

    def facts(self) -> Iterator[tuple[int, ev.Event]]:
        """The JSON Lines file's facts, read afresh (bad input stops the reading)."""
        if self.data is not None:
            return stream_file(self.data, self.name)
        return stream_path(Path(self.name))

    def chunks(self) -> Iterator[bytes]:
        if self.data is not None:
            yield self.data
            return
        with Path(self.name).open("rb") as file:
            yield from iter(lambda: file.read(1 << 20), b"")


def open_import(name: str, stdin: BinaryIO) -> ImportFile:
    """The file ``name`` (``-``: ``stdin``, read whole), checked readable; a register is read
    whole, a JSON Lines file again a line at a time as it is recorded."""
    path = Path(name)
    try:
        if name == "-":
            return ImportFile(name, stdin.read())
        if is_register(name):
            return ImportFile(name, path.read_bytes())
        with path.open("rb") as file:
            file.read(1)  # readable (it is read again, a line at a time, as it is recorded)
    except (OSError, ValueError) as exc:
        raise unreadable(name, exc) from None
    return ImportFile(name, None)


@dataclass(frozen=True)
class JsonlImport:
    """What a JSON Lines import did: on a dry run, the facts it would record counted by kind
    and ``dry``, what it would do (``DryRun``); else the positions
    recorded and ``told``, the findings it opened by rule (None when the import was too large
    to judge twice)."""

    counts: dict[str, int]
    positions: range | None
    told: list[str] | None
    dry: DryRun | None = None


@dataclass(frozen=True)
class RegisterImport:
    """What a register import did: the register read, the facts new to the ledger (with their
    lines), where they were recorded (None on a dry run or when there were none), the facts
    already held (by index: where), and the findings opened (as ``JsonlImport.told``)."""

    register: Register
    facts: list[tuple[int, ev.Event]]
    positions: range | None
    already: dict[int, str]
    told: list[str] | None
    dry: DryRun | None = None  # on a dry run: the findings it would open


def few_facts(chunks: Iterable[bytes], up_to: int) -> bool:
    """Whether the file holds at most ``up_to`` lines (read only that far)."""
    count = 0
    for chunk in chunks:
        count += chunk.count(b"\n")
        if count > up_to:
            return False
    return True


def import_jsonl(
    ledger: Ledger,
    file: ImportFile,
    signer: SignerSource,
    clock: Clock,
    *,
    dry_run: bool,
    warn_up_to: int,
    progress: Progress | None = None,
) -> JsonlImport:
    """Import a JSON Lines file, all or nothing, read as it is recorded: bad input met on the
    way stops the write before anything is kept. A file of at most ``warn_up_to`` facts is
    judged before and after, to tell the findings it opened. ``progress`` is told the facts
    decided (and recorded) so far, of the file's lines."""
    total = lines_in(file.chunks()) if progress is not None else 0
    if dry_run:
        judge = few_facts(file.chunks(), warn_up_to)
        try:
            facts = counted(file.facts(), progress, total)
            done = rehearse(ledger, facts, None, clock, judge=judge)
        except BadInput as bad:
            raise FactRefused(bad.line, bad.field, bad.message) from None
        if not done.counts:  # as the import would refuse it
            raise Refusal(f"{file.name}: no facts in the file (nothing was recorded)")
        return JsonlImport(done.counts, None, None, done)
    small = few_facts(file.chunks(), warn_up_to)
    before = ledger.registers() if small else None  # to tell what the import changed
    told = _facts_of(progress, total) if progress is not None else None
    positions = record(ledger, file.facts, signer(), clock, progress=told, name=file.name)
    return JsonlImport({}, positions, import_told(ledger, positions, before, clock))


def import_register(
    ledger: Ledger,
    file: ImportFile,
    ignore: Sequence[str],
    signer: SignerSource,
    clock: Clock,
    *,
    dry_run: bool,
    warn_up_to: int,
    progress: Progress | None = None,
) -> RegisterImport:
    """A spreadsheet's register: read whole (it is small), checked, then recorded all or none.
    A fact the ledger already holds (or that an earlier row of the file gives) is not recorded
    again: importing the same register twice records nothing the second time."""
    assert file.data is not None
    try:
        register = read_register(file.data, list(ledger.profile.channels), ignore, name=file.name)
    except BadInput as bad:
        raise Refusal(f"refused: {bad}") from None
    already = already_recorded(ledger, register.facts)
    new = [i for i in range(len(register.facts)) if i not in already]
    facts = [register.facts[i] for i in new]
    columns = [register.columns[i] for i in new]
    positions: range | None = None
    before: reg.Registers | None = None
    dry: DryRun | None = None
    if dry_run:
        dry = rehearse(ledger, facts, columns, clock, judge=len(facts) <= warn_up_to)
    elif facts:
        before = ledger.registers() if len(facts) <= warn_up_to else None
        key = signer()
        try:
            step = _facts_of(progress, len(facts)) if progress is not None else None
            positions = ledger.record([e for _, e in facts], key, clock, progress=step)
        except Refused as refusal:
            index = refusal.index
            column = columns[index].get(refusal.field)
            raise FactRefused(facts[index][0], refusal.field, refusal.message, column) from None
        except LedgerError as exc:
            raise Refusal(str(exc)) from None
    told = import_told(ledger, positions, before, clock) if positions else None
    return RegisterImport(register, facts, positions, already, told, dry)


def _facts_of(progress: Progress, total: int) -> Callable[[int], None]:
    """``progress`` as a write tells it: the facts recorded so far (of ``total``)."""

    def told(done: int) -> None:
        progress(min(done, total), total)

    return told


def import_told(
    ledger: Ledger, positions: range, before: reg.Registers | None, clock: Clock
) -> list[str] | None:
    """After an import: how many findings it opened, by rule (``ledger findings`` lists them),
    from the registers ``before`` it and after it; None if there is no ``before`` (too large)."""
    if before is None:
        return None
    after = ledger.registers(upto=positions[-1])
    old, new = (fnd.all_episodes(r, ledger.profile) for r in (before, after))
    return alerts.counted(old, new, today(clock))


def already_recorded(ledger: Ledger, facts: Sequence[tuple[int, ev.Event]]) -> dict[int, str]:
    """For each fact (by its index) already in the ledger, where: ``position 14``; or, for a
    fact an earlier row of the same file gives, ``line 3 of this file``. The same fact is the
    same type with the same fields (names and form references compared opened)."""
    wanted = {topic_of(event) for _, event in facts}
    found: dict[bytes, int] = {}
    for position, topic, state in ledger.rows():
        if topic in wanted:
            stored = StoredEvent(ledger.stream, position, topic, state)
            found.setdefault(msgspec.json.encode(ledger.decode(stored).event), position)
    earlier: dict[bytes, int] = {}
    out: dict[int, str] = {}
    for index, (line, event) in enumerate(facts):
        same = msgspec.json.encode(event)
        if same in found:
            out[index] = f"line {line}: position {found[same]}"
        elif same in earlier:
            out[index] = f"line {line}: as line {earlier[same]} of this file"
        else:
            earlier[same] = line
    return out


@dataclass(frozen=True)
class DryRun:
    """What an import would do: the facts it would record, counted by kind, and the findings it
    would open, in the words of the warnings at the moment of recording (``ledger.warnings``:
    the rule and its plain title, the subject, what to do, by when); None when the file was
    too large to judge twice (more than ``WARN_IMPORTS_UP_TO`` facts)."""

    counts: dict[str, int]
    would_open: list[str] | None
    findings: int = 0  # how many findings it would open (each told in ``would_open``)


def rehearse(
    ledger: Ledger,
    facts: Iterable[tuple[int, ev.Event]],
    columns: Sequence[dict[str, str]] | None,
    clock: Clock,
    *,
    judge: bool,
) -> DryRun:
    """Decide each fact as an import would, against the ledger and the facts before it (a held
    name in free text refused too), and count them by kind; if ``judge``, the findings the
    facts would open. Nothing is written. A refusal stops as the import's would."""
    registers = ledger.registers()
    profile = ledger.profile
    day = today(clock)
    before = fnd.all_episodes(registers, profile) if judge else None
    guard = NameGuard(ledger.held_names)
    position = registers.position
    counts: dict[str, int] = {}
    for index, (line, event) in enumerate(facts):
        try:
            decide(registers, profile, event, day)
            named = guard.check(event)
            if named is not None:
                raise named
        except Refused as refusal:
            ledger.close()  # its files as they were (no working file left by a reader of names)
            column = columns[index].get(refusal.field) if columns is not None else None
            raise FactRefused(line, refusal.field, refusal.message, column) from None
        guard.learn(event)
        position += 1
        reg.apply(registers, event, position)
        kind = type(event).__name__
        counts[kind] = counts.get(kind, 0) + 1
    if before is None or not counts:
        return DryRun(counts, None if before is None else [])
    after = fnd.all_episodes(registers, profile)
    found = alerts.opened(before, after, day)
    return DryRun(counts, alerts.lines(alerts.Told(found, None, None), day), len(found))


def dry_run_counts(
    ledger: Ledger,
    facts: Iterable[tuple[int, ev.Event]],
    columns: Sequence[dict[str, str]] | None,
    clock: Clock,
) -> dict[str, int]:
    """The facts counted by kind as a dry run decides them (``rehearse``, not judged)."""
    return rehearse(ledger, facts, columns, clock, judge=False).counts
