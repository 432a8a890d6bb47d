"""The ``ledger`` command (DESIGN.md section 6).

Exit status: 0 done; 1 a "no" (``check post``) or a failed verification; 2 refused or bad
input, with a message naming the line and field, and nothing written. Never a traceback for
anything a user can type.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import re
import shutil
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

import msgspec
from eventsourcing.persistence import PersistenceError, StoredEvent

from ledger import events as ev
from ledger import integrity, merkle, privacy, receipts, recording, store, trail
from ledger import warnings as alerts
from ledger.checkpoint import Checkpoint
from ledger.decisions import Refused, decide
from ledger.importer import (
    BadInput,
    Register,
    decode_object,
    is_register,
    read_register,
    register_help,
    stream_file,
    stream_path,
    where,
)
from ledger.mapper import EventMapper, MapperError, event_mapper
from ledger.profile import Profile, ProfileError, shipped
from ledger.profile import load as load_profile
from ledger.store import (
    Config,
    Ledger,
    LedgerError,
    NothingToRecord,
    create_postgres_schema,
    drop_postgres_schema_if_empty_ledger,
    open_ledger,
    postgres_schema_has_ledger,
    system_clock,
    today,
)
from projections import findings as fnd
from projections import registers as reg
from projections import wording
from projections.rules.posting import post_problems

EXIT_OK, EXIT_NO, EXIT_REFUSED = 0, 1, 2


class Stop(Exception):
    """End the command with a message and an exit status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise Stop(EXIT_REFUSED, f"{self.prog}: {message}")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a date as YYYY-MM-DD") from None


def _moment(text: str) -> dt.datetime:
    """A date-time (or a date, meaning the end of that day), in UTC unless it says otherwise."""
    try:
        if len(text) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(text), dt.time.max)
        else:
            moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "expected a date-time such as 2026-03-02T17:00 (or a date)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# --- opening a ledger -------------------------------------------------------------------------


def _config(args: argparse.Namespace) -> Config:
    return Config.from_db(args.db)


def _ledger(args: argparse.Namespace) -> Ledger:
    try:
        ledger = open_ledger(_config(args))
    except LedgerError as exc:
        raise Stop(EXIT_REFUSED, str(exc)) from None
    _complete_forgets(ledger)
    return ledger


def _complete_forgets(ledger: Ledger) -> None:
    """Finish any forget left half done (its fact recorded, the key still in the key store: an
    interrupted forget, or a key store restored from a backup), and say so (references only)."""
    try:
        done = ledger.complete_forgets()
    except sqlite3.Error:
        print(
            f"ledger: the key store ({ledger.config.keys_path}) could not be checked for"
            " forgets left undone (it cannot be written to here)",
            file=sys.stderr,
        )
        return
    if done:
        people = "1 person" if len(done) == 1 else f"{len(done)} people"
        where = ", ".join(person for person, _ in done)
        print(
            f"ledger: completed the forget of {people} recorded at"
            f" position{'s' if len(done) > 1 else ''} {', '.join(str(p) for _, p in done)}"
            f" ({where}): the key store still held their key (a forget interrupted, or the"
            " key store restored from a backup taken before it); it is destroyed now",
            file=sys.stderr,
        )


def _signer(config: Config) -> integrity.Signer:
    try:
        return integrity.Signer.load(config.key_path)
    except FileNotFoundError:
        raise Stop(
            EXIT_REFUSED,
            f"the signing key is not at {config.key_path} (it is made by `ledger init`;"
            " set LEDGER_KEY to where you keep it)",
        ) from None
    except (OSError, ValueError) as exc:
        raise Stop(EXIT_REFUSED, f"{config.key_path}: not a usable signing key ({exc})") from None


def _verifier(config: Config) -> integrity.Verifier:
    return _signer(config).verifier()


# --- init -------------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    config = _config(args)
    try:
        profile = load_profile(args.profile)
    except ProfileError as exc:
        raise Stop(EXIT_REFUSED, f"--profile: {exc}") from None
    if not config.is_postgres and Path(config.db).exists():
        raise Stop(EXIT_REFUSED, f"{config.shown}: a ledger already exists here")
    if config.key_path.exists():
        raise Stop(EXIT_REFUSED, f"{config.key_path}: a signing key already exists here")
    setting = args.setting.strip()
    if not setting:
        raise Stop(EXIT_REFUSED, "--setting: expected the setting's name")
    try:  # the same checks as every other fact (its length, for one)
        decode_object(
            {"type": "SettingRegistered", "on": "2000-01-01", "name": setting, "profile": "x"}, None
        )
    except BadInput as bad:
        raise Stop(EXIT_REFUSED, f"--setting: {bad.message}") from None
    if config.is_postgres:
        if postgres_schema_has_ledger(config):
            raise Stop(EXIT_REFUSED, "a ledger already exists in that schema")
        create_postgres_schema(config)
    made = [config.keys_path, config.profile_path, config.key_path]
    if not config.is_postgres:
        made += [Path(config.db + suffix) for suffix in ("", "-wal", "-shm")]
    made = [p for p in made if not p.exists()]  # what this init makes, and may take back
    try:
        ledger = Ledger(config, create=True)
        if ledger.is_initialised:
            raise Stop(EXIT_REFUSED, f"{config.shown}: a ledger already exists here")
        signer = integrity.Signer.generate("policy-ledger")
        own_profile = args.profile.endswith(".toml") or "/" in args.profile
        if own_profile:
            shutil.copyfile(args.profile, config.profile_path)
        ledger.create(setting, profile.name, signer, system_clock)
        signer.save(config.key_path)
        config.key_path.with_suffix(".pub").write_text(signer.verifier_key() + "\n")
    except BaseException:
        # A ledger half made is no ledger: take away what this init made, then report.
        for path in made:
            path.unlink(missing_ok=True)
        if config.is_postgres:
            drop_postgres_schema_if_empty_ledger(config)
        raise
    print(f"Created the ledger for {setting} in {config.shown}")
    print(f"Policy profile: {profile.name} ({profile.title})")
    print(f"Signing key (keep it safe, outside shared folders): {config.key_path}")
    print(f"Public key, for inspectors to check checkpoints: {signer.verifier_key()}")
    return EXIT_OK


# --- recording --------------------------------------------------------------------------------


def _record(
    args: argparse.Namespace,
    facts: Sequence[tuple[int | None, ev.Event]] | Callable[[], Iterator[tuple[int, ev.Event]]],
    *,
    ledger: Ledger | None = None,
    registers: reg.Registers | None = None,
) -> range:
    """Record facts (a list, or a file read afresh each time it is needed), all or none;
    ``ledger`` and its ``registers`` at the head, if the caller has them open already."""
    ledger = ledger if ledger is not None else _ledger(args)
    config = _config(args)
    signer = _signer(config)

    def read() -> Iterator[tuple[int | None, ev.Event]]:
        return facts() if callable(facts) else iter(facts)

    def progress(done: int) -> None:
        if done >= 100_000 and done % 100_000 < store.WRITE_CHUNK:
            print(f"  checked and recorded {done:,} facts…", file=sys.stderr)

    try:
        return ledger.record(
            lambda: (event for _, event in read()),
            signer,
            system_clock,
            progress=progress,
            registers=registers,
        )
    except Refused as refusal:
        ledger.close()  # its files as they were (no working file left by a reader of names)
        index = getattr(refusal, "index", 0)
        line = next(itertools.islice(read(), index, None))[0]
        raise Stop(EXIT_REFUSED, _refusal_text(line, refusal.field, refusal.message)) from None
    except BadInput as bad:
        raise Stop(EXIT_REFUSED, _refusal_text(bad.line, bad.field, bad.message)) from None
    except NothingToRecord:
        raise Stop(
            EXIT_REFUSED, f"{args.file}: no facts in the file (nothing was recorded)"
        ) from None
    except LedgerError as exc:
        raise Stop(EXIT_REFUSED, str(exc)) from None


def _refusal_text(line: int | None, field: str | None, message: str) -> str:
    if line is None:
        # A command's options are the fact's fields; `type` is the command itself.
        where = f"--{field.replace('_', '-')}" if field and field != "type" else ""
    else:
        where = f"line {line}" + (f", field `{field}`" if field else "")
    return f"refused: {where}: {message}" if where else f"refused: {message}"


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        if args.file == "-":
            data = sys.stdin.buffer.read()
        elif is_register(args.file):
            data = path.read_bytes()
        else:
            with path.open("rb") as file:
                file.read(1)  # readable (it is read again, a line at a time, as it is recorded)
    except (OSError, ValueError) as exc:
        raise _unreadable(args.file, exc) from None
    if is_register(args.file):
        return _import_register(args, data)
    if args.ignore:
        raise Stop(EXIT_REFUSED, "refused: --ignore is for a spreadsheet's register (.csv)")

    # Read as it is recorded: bad input met on the way stops the write before anything is kept.
    def read() -> Iterator[tuple[int, ev.Event]]:
        return stream_file(data, args.file) if args.file == "-" else stream_path(path)

    if args.dry_run:
        try:
            counts = _decide_only(_ledger(args), read(), None)
        except BadInput as bad:
            raise Stop(EXIT_REFUSED, _refusal_text(bad.line, bad.field, bad.message)) from None
        print(_counted(counts, dry_run=True) + "\nThis was a dry run: nothing was written.")
        return EXIT_OK
    small = _few_facts([data] if args.file == "-" else _chunks(path))
    before = _ledger(args).registers() if small else None  # to tell what the import changed
    positions = _record(args, read)
    where = (
        f"position {positions[0]}"
        if len(positions) == 1
        else f"positions {positions[0]}–{positions[-1]}"
    )
    print(f"Imported {wording.count(len(positions), 'fact')} ({where}).")
    _warn_import(args, positions, before)
    return EXIT_OK


def _import_register(args: argparse.Namespace, data: bytes) -> int:
    """A spreadsheet's register: read whole (it is small), checked, then recorded all or none.
    A fact the ledger already holds (or that an earlier row of the file gives) is not recorded
    again: importing the same register twice records nothing the second time."""
    ledger = _ledger(args)
    try:
        register = read_register(
            data, list(ledger.profile.channels), args.ignore or (), name=args.file
        )
    except BadInput as bad:
        raise Stop(EXIT_REFUSED, f"refused: {bad}") from None
    already = _already_recorded(ledger, register.facts)
    new = [i for i in range(len(register.facts)) if i not in already]
    facts = [register.facts[i] for i in new]
    columns = [register.columns[i] for i in new]
    positions: range | None = None
    before: reg.Registers | None = None
    if args.dry_run:
        _decide_only(ledger, facts, columns)
    elif facts:
        before = ledger.registers() if len(facts) <= WARN_IMPORTS_UP_TO else None
        signer = _signer(_config(args))
        try:
            positions = ledger.record([e for _, e in facts], signer, system_clock)
        except Refused as refusal:
            index = getattr(refusal, "index", 0)
            line = facts[index][0]
            column = columns[index].get(refusal.field)
            text = where(line, column, refusal.field) + refusal.message
            raise Stop(EXIT_REFUSED, f"refused: {text}") from None
        except LedgerError as exc:
            raise Stop(EXIT_REFUSED, str(exc)) from None
    print(_register_summary(register, facts, positions, already, dry_run=args.dry_run))
    if positions:
        _warn_import(args, positions, before)
    return EXIT_OK


def _already_recorded(ledger: Ledger, facts: Sequence[tuple[int, ev.Event]]) -> dict[int, str]:
    """For each fact (by its index) already in the ledger, where: ``position 14``; or, for a
    fact an earlier row of the same file gives, ``line 3 of this file``. The same fact is the
    same type with the same fields (names and form references compared opened)."""
    from ledger.mapper import topic_of

    wanted = {topic_of(event) for _, event in facts}
    found: dict[bytes, int] = {}
    for position, topic, state in ledger.fact_rows():
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


def _decide_only(
    ledger: Ledger,
    facts: Iterable[tuple[int, ev.Event]],
    columns: Sequence[dict[str, str]] | None,
) -> dict[str, int]:
    """Decide each fact as an import would, against the ledger and the facts before it, and
    count them by kind; nothing is written (a dry run). A refusal stops as the import would."""
    registers = ledger.registers()
    profile = ledger.profile
    day = today(system_clock)
    position = registers.position
    counts: dict[str, int] = {}
    for index, (line, event) in enumerate(facts):
        try:
            decide(registers, profile, event, day)
        except Refused as refusal:
            column = columns[index].get(refusal.field) if columns is not None else None
            text = where(line, column, refusal.field) + refusal.message
            raise Stop(EXIT_REFUSED, f"refused: {text}") from None
        position += 1
        reg.apply(registers, event, position)
        kind = type(event).__name__
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


_KINDS = {
    "ConsentGranted": ("consent given", "consents given"),
    "ConsentWithdrawn": ("withdrawal", "withdrawals"),
    "ChildEnrolled": ("child enrolled", "children enrolled"),
    "GuardianLinked": ("parent or carer linked to a child", "parents or carers linked to children"),
}


def _counted(counts: dict[str, int], *, dry_run: bool, at: str = "") -> str:
    if not counts:
        return "Nothing would be recorded." if dry_run else "Nothing was recorded."
    told = ", ".join(
        _plural(n, *_KINDS.get(kind, (f"{kind} fact", f"{kind} facts")))
        for kind, n in counts.items()
    )
    return ("Would record " if dry_run else "Recorded ") + told + (f" ({at})" if at else "") + "."


def _register_summary(
    register: Register,
    facts: Sequence[tuple[int, ev.Event]],
    positions: range | None,
    already: dict[int, str],
    *,
    dry_run: bool,
) -> str:
    lines = [f"Read {_plural(register.rows, 'row', 'rows')} of the {register.kind} register."]
    counts: dict[str, int] = {}
    for _, event in facts:
        counts[type(event).__name__] = counts.get(type(event).__name__, 0) + 1
    at = ""
    if positions:
        at = (
            f"position {positions[0]}"
            if len(positions) == 1
            else f"positions {positions[0]}–{positions[-1]}"
        )
    if counts:
        lines.append(_counted(counts, dry_run=dry_run, at=at))
    if already:
        shown = "; ".join(list(already.values())[:10])
        more = f"; and {len(already) - 10:,} more" if len(already) > 10 else ""
        lines.append(
            f"Already recorded, so not recorded again: {_plural(len(already), 'fact', 'facts')}"
            f" ({shown}{more})."
        )
    if register.not_consent:
        lines.append(
            f"{_plural(register.not_consent, 'row says', 'rows say')} No (not consent):"
            " nothing recorded."
        )
    if not counts:
        lines.append(_counted(counts, dry_run=dry_run))
    if dry_run:
        lines.append("This was a dry run: nothing was written.")
    return "\n".join(lines)


def _recording_handler(command: recording.Command) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        obj: dict[str, object] = {"type": command.event.__name__}
        obj["on"] = (args.on or today(system_clock)).isoformat()
        for field in recording.fields(command.event):
            value = getattr(args, field.name)
            if value is None and recording.is_list(command.event, field):
                value = ""
            if value is None:
                continue
            if recording.is_list(command.event, field):
                value = [v.strip() for v in value.split(",") if v.strip()]
            elif recording.is_int(command.event, field):
                try:
                    value = int(value)
                except ValueError:
                    raise Stop(
                        EXIT_REFUSED, f"refused: {recording.option(field)}: expected a number"
                    ) from None
            obj[field.encode_name] = value
        try:
            event = decode_object(obj, None)
        except BadInput as bad:
            raise Stop(EXIT_REFUSED, _refusal_text(None, bad.field, bad.message)) from None
        try:  # the registers as they were before: to tell what the fact changed
            ledger: Ledger | None = _ledger(args)
        except Stop:
            ledger = None  # no ledger there: the write below says so, and writes nothing
        registers = ledger.registers() if ledger is not None else None
        profile = ledger.profile if ledger is not None else None
        # What the fact's posts were before: worked out before the write, which then decides on
        # the same registers (read once) and leaves them holding the new fact.
        before = None
        if registers is not None and profile is not None:
            before = alerts.episodes(registers, profile, event)
        (position,) = _record(args, [(None, event)], ledger=ledger, registers=registers)
        print(f"Recorded {command.event.__name__} for {event.subject} at position {position}.")
        if ledger is None or registers is None or profile is None or before is None:
            return EXIT_OK
        if registers.position != position:  # another writer came first: read them again
            registers = ledger.registers(upto=position)
        after = alerts.episodes(registers, profile, event)
        told = alerts.told(event, before, after, registers, profile)
        for line in alerts.lines(told, today(system_clock)):
            print(line)
        return EXIT_OK

    return handler


# An import of more facts than this (a migration) is not judged again afterwards: judging a
# whole ledger twice would add seconds to it; it says to run `ledger findings` instead.
WARN_IMPORTS_UP_TO = 10_000


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        yield from iter(lambda: file.read(1 << 20), b"")


def _few_facts(chunks: Iterable[bytes]) -> bool:
    """Whether the file holds at most ``WARN_IMPORTS_UP_TO`` lines (read only that far)."""
    count = 0
    for chunk in chunks:
        count += chunk.count(b"\n")
        if count > WARN_IMPORTS_UP_TO:
            return False
    return True


def _warn_import(args: argparse.Namespace, positions: range, before: reg.Registers | None) -> None:
    """After an import: how many findings it opened, by rule (``ledger findings`` lists them),
    from the registers ``before`` it and after it."""
    if before is None:
        print("To see the findings after an import this large: ledger findings --open")
        return
    ledger = _ledger(args)
    after = ledger.registers(upto=positions[-1])
    old, new = (fnd.all_episodes(r, ledger.profile) for r in (before, after))
    for line in alerts.counted(old, new, today(system_clock)):
        print(line)


# --- reading ----------------------------------------------------------------------------------


def _registers(ledger: Ledger, known_at: dt.datetime | None) -> reg.Registers:
    if known_at is None:
        registers = ledger.registers()
        ledger.save_if_behind(registers)
        return registers
    size = 0
    for stored in ledger.checkpoints():
        record = integrity.decode_record(stored.state)
        if record.signed_at <= known_at:
            size = record.size
    return ledger.registers(upto=size)


def cmd_findings(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    registers = _registers(ledger, args.known_at)
    _nothing_yet(registers)
    day = args.as_of or today(system_clock)
    found = fnd.evaluate(registers, ledger.profile, day)
    hidden = 0
    if args.open:
        hidden = sum(1 for f in found if f.status != "open")
        found = [f for f in found if f.status == "open"]
    if args.json:
        print(msgspec.json.encode(found).decode())
        return EXIT_OK
    print_findings(found, registers, ledger, day, args.known_at, sys.stdout)
    if hidden:
        shown = wording.count(hidden, "resolved finding")
        print(f"\n({shown} not shown: run `ledger findings` for all.)")
    return EXIT_OK


def _nothing_yet(registers: reg.Registers) -> None:
    if registers.position == 0:
        raise Stop(EXIT_REFUSED, "the ledger held nothing at that time (it did not exist yet)")


def print_findings(
    found: list[fnd.Finding],
    registers: reg.Registers,
    ledger: Ledger | None,
    day: dt.date,
    known_at: dt.datetime | None,
    out: TextIO,
    *,
    profile: Profile | None = None,
) -> None:
    if profile is None:
        assert ledger is not None
        profile = ledger.profile
    heading = f"Findings for {registers.setting} as of {day.isoformat()}"
    if known_at is not None:
        heading += f", as the ledger knew it at {known_at.isoformat(timespec='minutes')}"
    print(heading, file=out)
    print(f"Policy: {profile.title}, {profile.policy} (profile {profile.name})", file=out)
    open_ = [f for f in found if f.status == "open"]
    resolved = [f for f in found if f.status == "resolved"]
    for title, group in (("Open", open_), ("Resolved", resolved)):
        if title == "Resolved" and not group and open_:
            continue
        print(f"\n{title} ({len(group)})", file=out)
        if not group:
            print("  none", file=out)
        for f in group:
            when = f"since {f.since.isoformat()}"
            if f.resolved_on is not None:
                how = " (acknowledged)" if f.resolution == fnd.ACKNOWLEDGED else ""
                when += f", resolved {f.resolved_on.isoformat()}{how}"
            print(f"  {f.rule:<30} {f.subject:<14} {when}", file=out)
            print(f"      {f.detail}", file=out)


def cmd_check_post(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    profile = ledger.profile
    day = args.on or today(system_clock)
    depicts = [c.strip() for c in (args.depicts or "").split(",") if c.strip()]
    # Only the entries this question is about: its time does not grow with the ledger.
    registers = ledger.registers_for(
        reg.post_entries(args.channel, args.author, depicts, args.device)
    )
    unused = next(f"P-{n}" for n in range(999_999_999, 0, -1) if f"P-{n}" not in registers.posts)
    obj: dict[str, object] = {
        "type": "PostPublished",
        "on": day.isoformat(),
        "post": unused,
        "channel": args.channel,
        "author": args.author,
        "depicts": depicts,
    }
    if args.device:
        obj["device"] = args.device
    try:
        event = decode_object(obj, None)
        assert isinstance(event, ev.PostPublished)
        decide(registers, profile, event, today(system_clock))
    except BadInput as bad:
        raise Stop(EXIT_REFUSED, _refusal_text(None, bad.field, bad.message)) from None
    except Refused as refusal:
        raise Stop(EXIT_REFUSED, _refusal_text(None, refusal.field, refusal.message)) from None
    problems = post_problems(
        registers,
        profile,
        channel=event.channel,
        author=event.author,
        depicts=event.depicts,
        device=event.device,
        day=day,
    )
    if args.json:
        answer = {"ok": not problems, "problems": [{"rule": r, "detail": d} for r, d in problems]}
        print(msgspec.json.encode(answer).decode())
    elif not problems:
        print(f"Yes: this may be posted on {event.channel} on {day.isoformat()}.")
    else:
        print(f"No: do not post this on {event.channel}. The policy says:")
        for rule, detail in problems:
            print(f"  {rule}: {detail}")
    return EXIT_OK if not problems else EXIT_NO


def _exported(ledger: Ledger, upto: int | None, vkey: str) -> bytes:
    """The facts as JSON Lines with their record-time fields, each checkpoint after its facts."""
    lines: list[bytes] = []
    checkpoints = [integrity.decode_record(c.state) for c in ledger.checkpoints()]
    if upto is not None:
        checkpoints = [c for c in checkpoints if c.size <= upto]
    pending = iter(checkpoints)
    current = next(pending, None)
    keys: dict[str, bytes | None] = {}
    for stored in ledger.stored(0, upto):
        recorded = ledger.decode(stored)
        envelope = event_mapper(ledger.mapper).open_envelope(stored)
        for part in envelope.sealed.values():
            if part.subject not in keys:
                keys[part.subject] = ledger.keys.get(part.subject)
        leaf = integrity.row_leaf(stored)
        lines.append(
            trail.export_line(
                recorded.position, recorded.recorded_at, recorded.event, envelope, leaf, keys
            )
        )
        while current is not None and current.size == recorded.position:
            lines.append(
                trail.checkpoint_line(
                    current.sequence, current.size, current.signed_at, current.note, vkey
                )
            )
            current = next(pending, None)
    return b"".join(line + b"\n" for line in lines)


def cmd_export(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    upto = None
    if args.as_of is not None:
        end = dt.datetime.combine(args.as_of, dt.time.max, tzinfo=dt.UTC)
        upto = 0
        for stored in ledger.checkpoints():
            record = integrity.decode_record(stored.state)
            if record.signed_at <= end:
                upto = record.size
    vkey = _signer(_config(args)).verifier_key()
    sys.stdout.write(_exported(ledger, upto, vkey).decode())
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    config = _config(args)
    if args.key or args.trusted or args.published:
        # A key the user supplied: a copy of a ledger (or a published checkpoint) is checked
        # against the setting's published key, never against a key file that came with it.
        try:
            beside: str | None = _signer(config).verifier_key()
        except Stop:
            beside = None
        chosen = trail.pick(_trusted(args, beside), beside)
        if isinstance(chosen, str):
            raise Stop(EXIT_REFUSED, f"verify: {chosen}")
        verifier = chosen
        against = f"the key supplied, {verifier.verifier_key()}"
    else:  # the user's own ledger: the key file beside it is a key the user keeps
        verifier = _verifier(config)
        against = f"the key in {config.key_path}, {verifier.verifier_key()}"

    def recorded_at(row: integrity.Row) -> dt.datetime | None:
        # Only the last fact of each write is decoded: the rows are read as plain tuples.
        position, topic, state = row
        stored = StoredEvent(ledger.stream, position, topic, state)
        try:
            return event_mapper(ledger.mapper).open_envelope(stored).recorded_at
        except ValueError:
            return None  # bytes that no longer decode: the leaf check names them

    verdict = ledger.verify(verifier, recorded_at)
    if verdict.ok and _key_store_problems(ledger):
        print(f"The {verdict.size:,} facts match the signed tree; the key store does not.")
        return EXIT_NO
    if verdict.ok and args.published:
        problem = _extends_published(ledger, verifier, Path(args.published))
        if problem:
            print(f"TAMPERED at position {problem[0]}: {problem[1]}")
            print(f"Checked against {against}.")
            return EXIT_NO
    if verdict.ok:
        print(
            f"Intact: {verdict.size:,} facts, {verdict.checkpoints:,} signed checkpoints,"
            f" root {verdict.root}"
        )
        if args.published:
            print(f"It extends the published checkpoint in {args.published}.")
        print(f"Checked against {against}.")
        return _verify_caches(ledger)
    print(f"TAMPERED at position {verdict.bad_position}: {verdict.problem}")
    print(f"The first {verdict.size:,} facts match the signed tree.")
    print(f"Checked against {against}.")
    _verify_caches(ledger)
    return EXIT_NO


def _verify_caches(ledger: Ledger) -> int:
    """Print what is kept beside the facts but not bound to their history (``ledger.caches``),
    after the facts' verdict; EXIT_NO if anything but the ledger wrote it (foreign, altered or
    moved: commands ignore it, but something wrote to the ledger that the ledger did not)."""
    from ledger import caches

    faults = ledger.cache_faults()
    lines = caches.describe(faults)
    tampered = any(caches.is_tampering(fault) for _, _, fault in faults)
    for line in lines:
        print(line)
    if tampered:
        print(
            "The caches were written by something other than this ledger; commands ignore"
            " them and work every answer out from the facts."
        )
    return EXIT_NO if tampered else EXIT_OK


def _key_store_check(ledger: Ledger) -> list[integrity.KeyProblem]:
    assert isinstance(ledger.mapper, EventMapper)
    return integrity.check_key_store(
        ledger.rows_of_types([*ev.NAME_FIELDS, ev.SubjectForgotten]),
        ledger.mapper.open_row,
        ledger.stream,
        ledger.keys,
        str(ledger.config.keys_path),
    )


def _key_store_problems(ledger: Ledger) -> bool:
    """Check the key store against the ledger (``integrity.check_key_store``); print what is
    wrong with it, if anything, and say whether anything is."""
    try:
        problems = _key_store_check(ledger)
    except MapperError as exc:
        print(f"TAMPERED: {exc}")
        return True
    for problem in problems:
        print(f"KEY STORE: {problem.problem}")
    if problems:
        print(
            f"The key store does not match the ledger ({len(problems)} problem"
            f"{'s' if len(problems) > 1 else ''}): names it should open cannot be read, or"
            " someone forgotten could still be read."
        )
    return bool(problems)


TRUSTED_KEYS = "policy-ledger/trusted-keys"  # under $XDG_CONFIG_HOME (default ~/.config)


def _default_trusted() -> Path | None:
    base = os.environ.get("XDG_CONFIG_HOME")
    if not base:
        try:
            base = str(Path.home() / ".config")
        except RuntimeError:  # no home folder
            return None
    return Path(base) / TRUSTED_KEYS


def _no_key(hint: str | None) -> Stop:
    where = _default_trusted()
    said = (
        f" The file says it is signed by {hint.strip()}, but a file cannot vouch for its own key."
        if hint
        else ""
    )
    return Stop(
        EXIT_REFUSED,
        "no public key to check against, so no verdict: pass --key with the setting's published"
        " key (the text of the ledger's PATH.pub file, shown on the Integrity page of the"
        " setting's transparency site), or keep it in a trusted-keys file, one key a line"
        f" ({where or '$XDG_CONFIG_HOME/' + TRUSTED_KEYS}, or --trusted FILE).{said}",
    )


def _trusted(args: argparse.Namespace, hint: str | None) -> list[integrity.Verifier]:
    """The keys the user supplied: ``--key``, else the trusted-keys file (``--trusted FILE``
    or the default one). No key is a usage matter (exit 2), saying where to find one."""
    if args.key:
        try:
            return [integrity.Verifier.from_vkey(args.key)]
        except ValueError as exc:
            raise Stop(
                EXIT_REFUSED, f"--key: {exc} (expected the text of the setting's PATH.pub)"
            ) from None
    path = Path(args.trusted) if args.trusted else _default_trusted()
    if path is None or (not args.trusted and not path.exists()):
        raise _no_key(hint)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise Stop(EXIT_REFUSED, f"{path}: cannot read the trusted keys (not UTF-8)") from None
    except (OSError, ValueError) as exc:
        raise _unreadable(str(path), exc) from None
    keys: list[integrity.Verifier] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            keys.append(integrity.Verifier.from_vkey(line))
        except ValueError as exc:
            raise Stop(
                EXIT_REFUSED,
                f"{path}, line {number}: not a public key ({exc}); expected one published key"
                " a line (the text of a PATH.pub), or a comment starting with #",
            ) from None
    if not keys:
        raise _no_key(hint)
    return keys


def _all_leaves(ledger: Ledger) -> tuple[list[bytes], list[integrity.CheckpointRecord]]:
    records = [integrity.decode_record(c.state) for c in ledger.checkpoints()]
    return [leaf for record in records for leaf in record.leaf_hashes()], records


def _unreadable(name: str, exc: OSError | ValueError) -> Stop:
    """The refusal of a file that cannot be read; a ``ValueError`` is a name no file can have
    here (a lone surrogate, a NUL)."""
    if isinstance(exc, OSError):
        return Stop(EXIT_REFUSED, f"{name}: cannot read the file ({exc.strerror})")
    return Stop(EXIT_REFUSED, f"{name}: cannot read the file (no file can have that name)")


def _read_note(path: Path, verifier: integrity.Verifier) -> tuple[str, Checkpoint]:
    try:
        note = path.read_text()
    except UnicodeDecodeError:
        raise Stop(EXIT_REFUSED, f"{path}: cannot read the checkpoint (not UTF-8 text)") from None
    except (OSError, ValueError) as exc:
        raise _unreadable(str(path), exc) from None
    signed = verifier.open(note)
    if signed is None:
        raise Stop(EXIT_REFUSED, f"{path}: not a checkpoint signed by this ledger's key")
    return note, signed


def _extends_published(
    ledger: Ledger, verifier: integrity.Verifier, path: Path
) -> tuple[int, str] | None:
    """None if the ledger extends a checkpoint published earlier; else where and why not."""
    _, old = _read_note(path, verifier)
    leaves, _ = _all_leaves(ledger)
    if old.size > len(leaves):
        return len(leaves) + 1, f"the published checkpoint has {old.size} facts; the ledger fewer"
    if merkle.root_of(leaves[: old.size]) != old.root:
        return 1, f"the first {old.size} facts are not those of the published checkpoint"
    return None


def cmd_consistency(args: argparse.Namespace) -> int:
    if args.check:
        try:
            data = Path(args.file).read_bytes()
        except (OSError, ValueError) as exc:
            raise _unreadable(args.file, exc) from None
        trusted = _trusted(args, _claimed(data, "key"))
        try:
            proof = msgspec.json.decode(data)
            fields = list(proof) if isinstance(proof, dict) else []
        except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
            print(
                "NOT VERIFIED: this is not a consistency proof of the ledger (not one JSON object,"
                " or something follows it)"
            )
            return EXIT_NO
        if fields != ["old", "new", "proof", "key"]:
            wrong = [f for f in fields if f not in ("old", "new", "proof", "key")]
            print(
                "NOT VERIFIED: this is not a consistency proof of the ledger"
                + (f" (it has a field the ledger never writes: `{wrong[0]}`)" if wrong else "")
            )
            return EXIT_NO
        number = trail.float_field(proof)
        if number is not None:
            print(
                f"NOT VERIFIED: the proof's `{number}` is a number with a decimal point or an"
                " exponent; the ledger writes none"
            )
            return EXIT_NO
        written = msgspec.json.encode(proof)
        if written != data.removesuffix(b"\n"):
            problem = trail.spelling_problem(data.removesuffix(b"\n"), written)
            print(f"NOT VERIFIED: the proof: {problem}")
            return EXIT_NO
        chosen = trail.pick(trusted, proof["key"] if isinstance(proof["key"], str) else None)
        if isinstance(chosen, str):
            print(f"NOT VERIFIED: {chosen}")
            return EXIT_NO
        if proof["key"] != chosen.verifier_key():
            claimed = proof["key"]
            print(
                f"NOT VERIFIED: the proof says it is signed by {claimed}, not by the key supplied"
            )
            return EXIT_NO
        try:
            old = chosen.open(proof["old"])
            new = chosen.open(proof["new"])
            hashes = [bytes.fromhex(h) for h in proof["proof"]]
        except (TypeError, ValueError):
            print("NOT VERIFIED: this is not a consistency proof of the ledger")
            return EXIT_NO
        if old is None or new is None or old.origin != new.origin:
            print("NOT VERIFIED: the checkpoints are not signed by the key supplied")
            return EXIT_NO
        same = old.size == new.size and old.root == new.root
        if not same and not merkle.verify_consistency(
            old.size, new.size, old.root, new.root, hashes
        ):
            print("NOT VERIFIED: the later checkpoint does not extend the earlier one")
            return EXIT_NO
        print(
            f"Verified: the ledger at {new.size:,} facts extends the ledger at {old.size:,}:"
            " nothing recorded by then was changed or removed."
        )
        print(f"Checked against the key supplied, {chosen.verifier_key()}.")
        return EXIT_OK
    ledger = _ledger(args)
    signer = _signer(_config(args))
    note, old = _read_note(Path(args.file), signer.verifier())
    leaves, records = _all_leaves(ledger)
    if old.size > len(leaves) or merkle.root_of(leaves[: old.size]) != old.root:
        print("TAMPERED: the ledger does not extend that checkpoint")
        return EXIT_NO
    proof = merkle.consistency_proof(leaves, old.size, len(leaves)) if old.size else []
    answer = {
        "old": note,
        "new": records[-1].note,
        "proof": [h.hex() for h in proof],
        "key": signer.verifier_key(),
    }
    print(msgspec.json.encode(answer).decode())
    return EXIT_OK


def cmd_replay(args: argparse.Namespace) -> int:
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except (OSError, ValueError) as exc:
        raise _unreadable(args.file, exc) from None
    trusted = _trusted(args, _claimed_by_trail(data))
    try:
        checked = trail.check_trail(data, trusted)
    except trail.TrailError as exc:
        print(f"NOT VERIFIED: {exc}")
        return EXIT_NO
    if args.published:
        verifier = integrity.Verifier.from_vkey(checked.vkey)
        _, published = _read_note(Path(args.published), verifier)
        problem = trail.extends(checked, published)
        if problem:
            print(f"NOT VERIFIED: {problem} (checkpoint in {args.published})")
            return EXIT_NO
    setting = checked.facts[0].event
    assert isinstance(setting, ev.SettingRegistered)
    try:
        profile = load_profile(args.profile or setting.profile)
    except ProfileError as exc:
        raise Stop(
            EXIT_REFUSED, f"{exc} (the setting's own profile is needed: pass --profile PATH.toml)"
        ) from None
    registers = reg.rebuild(trail.pairs(checked.facts, args.known_at))
    _nothing_yet(registers)
    day = args.as_of or today(system_clock)
    found = fnd.evaluate(registers, profile, day)
    if args.json:
        answer = {
            "verified": True,
            "head": {"size": checked.size, "root": checked.root, "checkpoint": checked.note},
            "key": checked.vkey,
            "key_from_file": False,
            "published": published.size if args.published else None,
            "as_of": day,
            "known_at": args.known_at,
            "facts_judged": registers.position,
            "findings": found,
        }
        print(msgspec.json.encode(answer).decode())
        return EXIT_OK
    print(f"Verified: {checked.size:,} facts, {checked.checkpoints:,} signed checkpoints.")
    print(f"Root: {checked.root}")
    print(f"Checked against the key supplied, {checked.vkey}.")
    if args.published:
        print(
            f"It reaches and extends the published checkpoint in {args.published}"
            f" ({published.size:,} facts)."
        )
    print()
    print_findings(found, registers, None, day, args.known_at, sys.stdout, profile=profile)
    return EXIT_OK


def cmd_receipt(args: argparse.Namespace) -> int:
    if args.check:
        try:
            data = Path(args.ref).read_bytes()
        except (OSError, ValueError) as exc:
            raise _unreadable(args.ref, exc) from None
        trusted = _trusted(args, receipts.claimed_key(data))
        try:
            proven = receipts.check(data, trusted)
        except receipts.ReceiptError as exc:
            print(f"NOT VERIFIED: {exc}")
            return EXIT_NO
        print("Verified: this receipt's facts are in the signed ledger.")
        for line in proven:
            print(f"  {line}")
        print(f"Checked against the key supplied, {receipts.claimed_key(data)}.")
        return EXIT_OK
    ledger = _ledger(args)
    config = _config(args)
    if not re.fullmatch(r"C-[0-9]{1,9}", args.ref):
        raise Stop(EXIT_REFUSED, "refused: expected a child's reference, such as C-0001")
    registers = ledger.registers()
    if args.ref not in registers.children:
        raise Stop(EXIT_REFUSED, f"refused: {args.ref} is not a child of this ledger")
    signer = _signer(config)
    exported = msgspec.json.Decoder().decode
    every = _exported(ledger, None, signer.verifier_key()).splitlines()
    setting_line = exported(every[0])
    lines = [
        exported(line)
        for line in every
        if b'"ConsentGranted"' in line or b'"ConsentWithdrawn"' in line
    ]
    lines = [line for line in lines if line.get("child") == args.ref]
    if not lines:
        raise Stop(EXIT_REFUSED, f"no consent has been recorded for {args.ref}")
    records = [integrity.decode_record(c.state) for c in ledger.checkpoints()]
    leaves = [leaf for record in records for leaf in record.leaf_hashes()]
    receipt = receipts.make(
        child=args.ref,
        setting_line=setting_line,
        lines=lines,
        leaves=leaves,
        note=records[-1].note,
        signer=signer,
        now=system_clock(),
    )
    print(msgspec.json.encode(receipt).decode())
    return EXIT_OK


def _claimed(data: bytes, field: str) -> str | None:
    """The key a file says it is signed by: a hint for choosing a trusted key, no more."""
    try:
        value = msgspec.json.decode(data).get(field)
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def _claimed_by_trail(data: bytes) -> str | None:
    """The key an export's first checkpoint line names (a hint, no more)."""
    for line in data.splitlines():
        if b'"type":"Checkpoint"' in line:
            return _claimed(line, "vkey")
    return None


def cmd_checkpoint(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    rows = ledger.recorder.select_events(ledger.checkpoint_stream, desc=True, limit=1)
    if not rows:
        raise Stop(EXIT_REFUSED, "the ledger has no signed checkpoint yet")
    record = integrity.decode_record(rows[0].state)
    if args.out is None:
        sys.stdout.write(record.note)
        return EXIT_OK
    out = Path(args.out)
    try:
        if out.exists() and out.read_text(encoding="utf-8") != record.note:
            raise Stop(
                EXIT_REFUSED,
                f"--out {out}: the file exists and holds something else (a checkpoint kept"
                " earlier is evidence: write the new one under another name)",
            )
        out.write_text(record.note, encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, UnicodeDecodeError):
            raise Stop(
                EXIT_REFUSED, f"--out {out}: the file exists and is not a checkpoint"
            ) from None
        raise _unreadable(str(out), exc) from None
    print(
        f"Wrote checkpoint {record.sequence:,} ({record.size:,} facts) to {out}. Keep it outside"
        " the setting: `ledger verify --published` and `ledger replay --published` check that"
        " the ledger still extends it."
    )
    return EXIT_OK


def cmd_forget(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    config = _config(args)
    signer = _signer(config)
    try:
        event = decode_object(
            {
                "type": "SubjectForgotten",
                "on": today(system_clock).isoformat(),
                "subject": args.ref,
            },
            None,
        )
    except BadInput:
        raise Stop(
            EXIT_REFUSED,
            "refused: SUBJECT: expected a person's reference: a child C-0001, a parent or carer"
            " G-0001, or a member of staff, volunteer, student or committee member S-0001",
        ) from None
    registers = ledger.registers()
    if args.ref in registers.forgotten and ledger.keys.has_key(args.ref):
        ledger.keys.forget(args.ref)  # finish a forgetting that was interrupted
        print(f"{args.ref} was already forgotten; their key is now destroyed too.")
        return EXIT_OK
    try:
        ledger.record([event], signer, system_clock, forgetting=True)
    except Refused as refusal:
        raise Stop(EXIT_REFUSED, f"refused: {refusal.message}") from None
    ledger.keys.forget(args.ref)
    print(
        f"Forgot {args.ref}: their key is destroyed, so their name (and any sealed note about"
        " them) can no longer be read. The facts, the findings and the tree are unchanged."
    )
    return EXIT_OK


def cmd_subject(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    if not re.fullmatch(r"[CGS]-[0-9]{1,9}", args.ref):
        raise Stop(
            EXIT_REFUSED,
            "refused: expected the reference of a child (C-0001), a parent (G-0001) or a"
            " member of staff (S-0001)",
        )
    registers = ledger.registers()
    known = (
        args.ref in registers.children
        or args.ref in registers.guardians
        or (args.ref in registers.persons)
    )
    if not known:
        raise Stop(EXIT_REFUSED, f"refused: {args.ref} is not a person of this ledger")
    if args.ref not in registers.forgotten and ledger.keys.get(args.ref) is None:
        # Never "[forgotten]" for someone who was not: the key store is not the ledger's.
        raise Stop(
            EXIT_NO,
            f"{args.ref} was never forgotten, but the key store has no key for them, so their"
            f" name cannot be read: restore the key store ({ledger.config.keys_path}) from a"
            " backup (`ledger verify` checks every key)",
        )
    try:
        held = privacy.subject_access(args.ref, ledger.read(), registers)
    except MapperError as exc:
        raise Stop(EXIT_NO, str(exc)) from None
    # Nor for anyone else these facts name (a parent's name on a child's facts, say).
    named = {ref for fact in held.facts for ref in privacy.references(fact)}
    wrong = [p for p in _key_store_check(ledger) if p.person in named]
    if wrong:
        raise Stop(EXIT_NO, "; ".join(p.problem for p in wrong))
    if args.json:
        print(msgspec.json.encode(held).decode())
        return EXIT_OK
    print(f"Everything the ledger holds about {args.ref} ({registers.setting})")
    if held.forgotten:
        print("This person has been forgotten: their name can no longer be read.")
    print(f"{len(held.facts)} fact(s):")
    for line in held.facts:
        print(f"  {privacy.describe(line)}")
    return EXIT_OK


def cmd_retention(args: argparse.Namespace) -> int:
    ledger = _ledger(args)
    due = privacy.retention_due(ledger.registers(), ledger.profile, today(system_clock))
    if args.json:
        print(msgspec.json.encode(due).decode())
        return EXIT_OK
    keep = ledger.profile.retention
    print(f"Retention: {keep.says}")
    if not due:
        print("No one is due to be forgotten.")
    for d in due:
        print(f"  {d.subject:<10} due since {d.since}  ({d.why})   ledger forget {d.subject}")
    return EXIT_OK


def cmd_follow(args: argparse.Namespace) -> int:
    from ledger.follow import follow_postgres, follow_sqlite

    config = _config(args)
    ledger = _ledger(args)
    try:
        if config.is_postgres:
            ledger.close()
            follow_postgres(config, once=args.once, today=lambda: today(system_clock))
        else:
            follow_sqlite(ledger, once=args.once, today=lambda: today(system_clock))
    except KeyboardInterrupt:
        pass
    position = _ledger(args).saved_position()  # the follower saves them as it catches up
    print(
        f"The registers are current to position {position:,}, and the site's numbers"
        f" as of {today(system_clock)}."
    )
    return EXIT_OK


def cmd_site_build(args: argparse.Namespace) -> int:
    from ledger.site import build

    ledger = _ledger(args)
    config = _config(args)
    day = args.as_of or today(system_clock)
    out = Path(args.out)
    try:
        report = build(
            ledger,
            out,
            audience=args.audience,
            day=day,
            verifier_key=_signer(config).verifier_key(),
        )
    except (OSError, ValueError) as exc:
        raise Stop(EXIT_REFUSED, f"site build: {exc}") from None
    print(f"Built the {args.audience} site: {report.pages} pages in {out}")
    print(f"Open {(out / 'index.html').resolve().as_uri()}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from ledger.demo import generate

    config = _config(args)
    if not config.is_postgres and Path(config.db).exists():
        raise Stop(EXIT_REFUSED, f"{config.shown}: a ledger already exists here")
    try:
        profile = load_profile(args.profile)
    except ProfileError as exc:
        raise Stop(EXIT_REFUSED, f"--profile: {exc}") from None
    end = today(system_clock)
    # Three school years, so that summers pass (leavers) and yearly reviews fall due.
    start = dt.date(end.year - 3 if end.month >= 9 else end.year - 4, 9, 1)
    facts = generate(profile, setting=args.setting, start=start, end=end, seed=args.seed)
    init = argparse.Namespace(db=args.db, profile=args.profile, setting=args.setting)
    cmd_init(init)
    positions = _record(args, [(None, e) for e in facts])
    print(f"Recorded a demo history of {len(positions):,} facts, {start} to {end}.")
    suggestion = _a_post_to_check(_ledger(args), end)
    if suggestion:
        print("Ask before posting, for example:")
        print(f"  ledger --db {config.shown} check post {suggestion}")
    return EXIT_OK


def _a_post_to_check(ledger: Ledger, day: dt.date) -> str | None:
    """A realistic `check post` for the demo: a current manager and a consented child."""
    from projections import status

    r = ledger.registers()
    profile = ledger.profile
    for channel, chan in profile.channels.items():
        if chan.child_images != "consent":
            continue
        author = next(
            (
                p
                for p in r.persons
                if any(
                    status.holds_role(r, p, role, day)
                    for role in chan.posters
                    if role != "any-member"
                )
            ),
            None,
        )
        child = next(
            (
                c
                for c in r.children
                if status.enrolled(r, c, day) and status.consent_active(r, c, channel, day)
            ),
            None,
        )
        device = next((d for d in r.devices if status.in_service(r, d, day)), None)
        if author and child:
            extra = f" --device {device}" if device else ""
            return f"--channel {channel} --author {author} --depicts {child}{extra}"
    return None


# --- the parser -------------------------------------------------------------------------------

EXAMPLES = {
    "init": 'ledger --db sunflowers.db init --profile south-woodham-preschool --setting "Sunflowers'
    ' Pre-School"',
    "import": "ledger import consents.jsonl      (or a consent register: ledger import"
    " consent-register.csv)",
    "export": "ledger export --as-of 2026-03-31 > audit-trail.jsonl",
    "findings": "ledger findings --as-of 2026-03-31",
    "check post": "ledger check post --channel closed-group --author S-0001 --depicts"
    " C-0001,C-0002 --device T-01",
    "verify": "ledger verify",
    "demo": "ledger --db demo.db demo --profile south-woodham-preschool",
    "replay": "ledger replay audit-trail.jsonl --key 'policy-ledger+1a2b3c4d+AQ…' --as-of"
    " 2026-03-31",
    "receipt": "ledger receipt C-0001 > receipt.json   then, anywhere:   ledger receipt --check"
    ' receipt.json --key "$(cat sunflowers.db.pub)"',
    "forget": "ledger forget C-0001",
    "follow": "ledger --db 'postgresql://ledger:…@db.example/ledgers?schema=sunflowers' follow",
    "consistency": "ledger consistency checkpoint-2026-03.txt > proof.json   then: ledger"
    ' consistency --check proof.json --key "$(cat sunflowers.db.pub)"',
    "checkpoint": "ledger checkpoint --out checkpoint-2026-03.txt",
    "subject": "ledger subject G-0001 --json",
    "retention": "ledger retention",
}


KEY_HELP = (
    "the setting's published public key: the text of PATH.pub (the site's Integrity page"
    " shows it); or keep it in the trusted-keys file"
)


def _trusted_option(p: Parser) -> None:
    p.add_argument(
        "--trusted",
        metavar="FILE",
        help="a file of public keys you trust, one a line, # for comments (default:"
        f" $XDG_CONFIG_HOME/{TRUSTED_KEYS}, or ~/.config/{TRUSTED_KEYS})",
    )


def build_parser() -> Parser:
    parser = Parser(
        prog="ledger",
        description="The policy ledger: record every fact, judge it against the setting's own"
        " social-media policy, and answer 'may I post this?'.",
        epilog="examples:\n"
        + "\n".join(f"  {EXAMPLES[k]}" for k in ("init", "import", "check post", "findings"))
        + "\n\nThe ledger is LEDGER_DB or ledger.db in this folder unless --db says otherwise."
        " Every command has --help with an example.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", help="the ledger: a file path (default: $LEDGER_DB or ledger.db)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def sub(name: str, help_: str, **kw: object) -> Parser:
        p = commands.add_parser(
            name,
            help=help_,
            description=help_,
            epilog=f"example:\n  {EXAMPLES[name]}" if name in EXAMPLES else None,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            **kw,  # type: ignore[arg-type]
        )
        assert isinstance(p, Parser)
        return p

    p = sub("init", "create a ledger for a setting")
    p.add_argument(
        "--profile", required=True, help=f"a policy profile: {', '.join(shipped())}, or PATH.toml"
    )
    p.add_argument("--setting", required=True, help="the setting's name")
    p.set_defaults(run=cmd_init)

    p = sub("import", "record the facts of a JSON Lines file or a spreadsheet's register")
    p.add_argument(
        "file", help="a .jsonl file (one fact a line), a .csv or .xlsx register (below), or -"
    )
    p.add_argument(
        "--ignore",
        action="append",
        metavar="COLUMN",
        help="leave out the register's column with this heading (repeat for each)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and say what would be recorded; write nothing",
    )
    p.epilog = f"{register_help()}\n\nexample:\n  {EXAMPLES['import']}"
    p.set_defaults(run=cmd_import)

    p = sub("export", "write the audit trail as JSON Lines to standard output")
    p.add_argument("--as-of", type=_date, help="only what had been recorded by the end of DATE")
    p.set_defaults(run=cmd_export)

    p = sub("findings", "the findings: what the facts show against the policy")
    p.add_argument("--as-of", type=_date, help="judge as of DATE (default: today)")
    p.add_argument("--known-at", type=_moment, help="as the ledger knew it at that time")
    p.add_argument("--open", action="store_true", help="only the open findings")
    p.add_argument("--json", action="store_true", help="a JSON list of findings")
    p.set_defaults(run=cmd_findings)

    check = sub("check", "ask before acting")
    check.epilog = f"example:\n  {EXAMPLES['check post']}"
    checks = check.add_subparsers(dest="what", metavar="WHAT", parser_class=Parser, required=True)
    p = checks.add_parser(
        "post",
        help="may this be posted?",
        description="may this be posted? exit 0 yes, 1 no (with the reasons)",
        epilog=f"example:\n  {EXAMPLES['check post']}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--channel", required=True)
    p.add_argument("--author", required=True, help="who posts: S-… or G-…")
    p.add_argument("--depicts", default="", help="the children in it: C-0001,C-0002")
    p.add_argument("--device", help="the device it was taken on: T-01")
    p.add_argument("--on", type=_date, help="the day it would go up (default: today)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_check_post)

    p = sub("verify", "check that nothing recorded was altered")
    p.add_argument(
        "--key",
        help="the setting's published public key (default: the key file beside the ledger;"
        " needed, or --trusted, with --published)",
    )
    _trusted_option(p)
    p.add_argument(
        "--published",
        metavar="NOTE",
        help="a checkpoint published earlier (a file): the ledger must extend it",
    )
    p.set_defaults(run=cmd_verify)

    site = sub("site", "the transparency site")
    site.epilog = "example:\n  ledger site build --out committee-site --audience committee"
    sites = site.add_subparsers(dest="what", metavar="WHAT", parser_class=Parser, required=True)
    p = sites.add_parser(
        "build",
        help="build the static transparency site",
        description="build the static transparency site (works offline, from a USB stick)",
        epilog="example:\n  ledger site build --out committee-site --audience committee",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--out",
        default="transparency-site",
        help="the folder to write (default: transparency-site)",
    )
    p.add_argument(
        "--audience",
        choices=["committee", "public"],
        default="committee",
        help="committee: references, never names; public: counts only",
    )
    p.add_argument("--as-of", type=_date, help="judge as of DATE (default: today)")
    p.set_defaults(run=cmd_site_build)

    p = sub("replay", "an inspector's replay of an exported trail, with no database")
    p.add_argument("file", help="an export (JSON Lines), or - for standard input")
    p.add_argument("--key", help=KEY_HELP)
    _trusted_option(p)
    p.add_argument(
        "--published",
        metavar="NOTE",
        help="a checkpoint kept earlier (a file): the trail must reach and extend it",
    )
    p.add_argument("--as-of", type=_date, help="judge as of DATE (default: today)")
    p.add_argument("--known-at", type=_moment, help="as the ledger knew it at that time")
    p.add_argument("--profile", help="the setting's own profile, if it is not a shipped one")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_replay)

    p = sub(
        "follow",
        "keep the registers and the site's numbers current as facts arrive (a server's"
        " background job)",
    )
    p.add_argument("--once", action="store_true", help="catch up, then stop")
    p.set_defaults(run=cmd_follow)

    p = sub("consistency", "prove the ledger only grew since a published checkpoint")
    p.add_argument("file", help="a published checkpoint (or, with --check, a proof file)")
    p.add_argument("--check", action="store_true", help="check a proof offline")
    p.add_argument("--key", help=f"with --check: {KEY_HELP}")
    _trusted_option(p)
    p.set_defaults(run=cmd_consistency)

    p = sub("receipt", "a consent receipt for a parent, or check one (--check FILE)")
    p.add_argument("ref", help="a child's reference (or, with --check, a receipt file)")
    p.add_argument("--check", action="store_true", help="check a receipt offline")
    p.add_argument("--key", help=f"with --check: {KEY_HELP}")
    _trusted_option(p)
    p.set_defaults(run=cmd_receipt)

    p = sub(
        "checkpoint", "write the latest signed checkpoint, for a committee or an inspector to keep"
    )
    p.add_argument("--out", help="the file to write (default: standard output)")
    p.set_defaults(run=cmd_checkpoint)

    p = sub("forget", "erase a person's personal data (UK GDPR): their key is destroyed")
    p.add_argument("ref", metavar="SUBJECT", help="C-…, G-… or S-…")
    p.set_defaults(run=cmd_forget)

    p = sub("subject", "everything the ledger holds about one person (UK GDPR article 15)")
    p.add_argument("ref", help="C-…, G-… or S-…")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_subject)

    p = sub("retention", "who is due to be forgotten under the profile's retention periods")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_retention)

    p = sub("demo", "create a demo ledger with a realistic year of invented facts")
    p.add_argument("--profile", default="south-woodham-preschool")
    p.add_argument("--setting", default="Sunflowers Pre-School (demo)")
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(run=cmd_demo)

    nouns: dict[str, argparse._SubParsersAction[Parser]] = {}
    for command in recording.COMMANDS:
        if command.noun not in nouns:
            examples = "\n".join(
                f"  {recording.example(c)}" for c in recording.COMMANDS if c.noun == command.noun
            )
            group = commands.add_parser(
                command.noun,
                help=f"record {command.noun} facts",
                description=f"record {command.noun} facts",
                epilog=f"examples:\n{examples}",
                formatter_class=argparse.RawDescriptionHelpFormatter,
            )
            assert isinstance(group, Parser)
            nouns[command.noun] = group.add_subparsers(
                dest="verb", metavar="VERB", parser_class=Parser, required=True
            )
        p = nouns[command.noun].add_parser(
            command.verb,
            help=command.summary,
            description=f"{command.summary} (writes {command.event.__name__})",
            epilog=f"example:\n  {recording.example(command)}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        for field in recording.fields(command.event):
            p.add_argument(
                recording.option(field),
                dest=field.name,
                # A list (the children in a post) may be empty: leave it out for none.
                required=field.required and not recording.is_list(command.event, field),
                help=f"e.g. {recording.EXAMPLES[field.encode_name]}"
                if field.encode_name in recording.EXAMPLES
                else None,
            )
        p.add_argument("--on", type=_date, help="the day it happened (default: today)")
        p.set_defaults(run=_recording_handler(command))
    return parser


_PATHS = frozenset({"db", "file", "out", "published", "profile", "ref", "trusted"})


def _check_text(args: argparse.Namespace) -> None:
    """Refuse an option that is not valid text (it could not be stored or shown)."""
    for name, value in vars(args).items():
        if isinstance(value, str) and name not in _PATHS:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                option = "--" + name.replace("_", "-")
                raise Stop(
                    EXIT_REFUSED, f"refused: {option}: not valid text (expected UTF-8)"
                ) from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        _check_text(args)
        if not hasattr(args, "run"):
            parser.print_help()
            return EXIT_REFUSED
        status: int = args.run(args)
        return status
    except Stop as stop:
        stream = sys.stdout if stop.status == EXIT_NO else sys.stderr
        print(f"ledger: {stop}", file=stream)
        return stop.status
    except LedgerError as exc:
        print(f"ledger: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except MapperError as exc:  # stored bytes, or a key, that do not match (references only)
        print(f"ledger: {exc}", file=sys.stderr)
        return EXIT_NO
    except PersistenceError as exc:
        print(
            f"ledger: the ledger's database could not be used ({type(exc).__name__})",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("ledger: interrupted; nothing more was written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped reading (`| head`): that is fine
        os._exit(EXIT_OK)
    except Exception as exc:
        # Never a traceback, and never the exception's text (it could hold a name).
        if os.environ.get("LEDGER_DEBUG"):
            raise
        print(
            f"ledger: an unexpected error ({type(exc).__name__}) stopped the command; anything"
            " it was recording was not written. Set LEDGER_DEBUG=1 to see the details.",
            file=sys.stderr,
        )
        return 70


if __name__ == "__main__":
    sys.exit(main())
