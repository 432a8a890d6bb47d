"""The ``ledger`` command (DESIGN.md section 6).

Exit status: 0 done; 1 a "no" (``check post``) or a failed verification; 2 refused or bad
input, with a message naming the line and field, and nothing written. Never a traceback for
anything a user can type.

Each command parses its options, opens what it needs (the ledger, its signing key), calls one
use case of ``ledger.service`` and prints what it returns. This package: the opening shared by
every command, the recording commands (``ledger consent grant ...``) and ``main``; the parser
is ``ledger.cli.parser``, the other commands are in ``ledger.cli.writing``, ``reading``,
``evidence`` and ``people``.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence

from eventsourcing.persistence import PersistenceError

from ledger import recording, store
from ledger.cli.common import EXIT_NO, EXIT_OK, EXIT_REFUSED, Parser, Stop
from ledger.cli.common import parse_date as _date
from ledger.cli.common import parse_moment as _moment
from ledger.mapper import MapperError
from ledger.service import recording as recording_service
from ledger.service.errors import NotVerified, Refusal, ServiceError
from ledger.service.recording import Facts
from ledger.service.trust import Signer, load_signer
from ledger.store import Config, Ledger, LedgerError, open_ledger, system_clock
from projections import registers as reg

__all__ = [
    "EXIT_NO",
    "EXIT_OK",
    "EXIT_REFUSED",
    "WARN_IMPORTS_UP_TO",
    "Parser",
    "Stop",
    "_date",
    "_exported",
    "_moment",
    "build_parser",
    "main",
    "open_ledger",
    "print_findings",
]

# An import of more facts than this (a migration) is not judged again afterwards: judging a
# whole ledger twice would add seconds to it; it says to run `ledger findings` instead.
WARN_IMPORTS_UP_TO = 10_000


# --- opening a ledger -------------------------------------------------------------------------
# Every command opens its ledger through ``opened`` (and so through this package's
# ``open_ledger``, which a harness may wrap: tests/test_faults.py closes each command's ledger).


def config_of(args: argparse.Namespace) -> Config:
    """The ledger the options name (``--db``, else ``LEDGER_DB``, else ``ledger.db``)."""
    return Config.from_db(args.db)


def opened(args: argparse.Namespace) -> Ledger:
    """The ledger, opened; any forget left half done is finished first (and said)."""
    try:
        ledger = open_ledger(config_of(args))
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


def signer_of(config: Config) -> Signer:
    """The ledger's signing key (a refusal, if it is not there)."""
    return load_signer(config)


def progress(done: int) -> None:
    """Say how far a long write has come (every 100,000 facts)."""
    if done >= 100_000 and done % 100_000 < store.WRITE_CHUNK:
        print(f"  checked and recorded {done:,} facts…", file=sys.stderr)


# --- recording --------------------------------------------------------------------------------


def _record(
    args: argparse.Namespace,
    facts: Facts,
    *,
    ledger: Ledger | None = None,
    registers: reg.Registers | None = None,
) -> range:
    """Record facts (a list, or a file read afresh each time it is needed), all or none;
    ``ledger`` and its ``registers`` at the head, if the caller has them open already."""
    ledger = ledger if ledger is not None else opened(args)
    signer = signer_of(config_of(args))
    return recording_service.record(
        ledger,
        facts,
        signer,
        system_clock,
        progress=progress,
        registers=registers,
        name=getattr(args, "file", None),
    )


def record_facts(args: argparse.Namespace, facts: Facts) -> range:
    """Record facts in the ledger the options name (through ``_record``, which a test may stub
    to leave the write out)."""
    return _record(args, facts)


def recording_command(command: recording.Command) -> Callable[[argparse.Namespace], int]:
    """The command that records one fact of ``command``'s kind from its options, and says at
    once what the fact changed (the findings it opened or resolved, what to do by when)."""

    def handler(args: argparse.Namespace) -> int:
        fields = recording.fields(command.event)
        options = {field.name: getattr(args, field.name) for field in fields}
        event = recording_service.fact_from_options(command, options, args.on, system_clock)
        try:  # the registers as they were before: to tell what the fact changed
            ledger: Ledger | None = opened(args)
        except Stop:
            ledger = None  # no ledger there: the write below says so, and writes nothing
        before = recording_service.before_recording(ledger, event) if ledger is not None else None
        registers = before.registers if before is not None else None
        (position,) = _record(args, [(None, event)], ledger=ledger, registers=registers)
        print(f"Recorded {command.event.__name__} for {event.subject} at position {position}.")
        if ledger is None or before is None:
            return EXIT_OK
        for line in recording_service.told_after(ledger, before, event, position, system_clock):
            print(line)
        return EXIT_OK

    return handler


# --- main -------------------------------------------------------------------------------------

_PATHS = frozenset(
    {"db", "federation", "federation_file", "file", "out", "published", "profile", "ref", "trusted"}
)


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
        status: int = federated.route(args)(args)
        return status
    except Stop as stop:
        stream = sys.stdout if stop.status == EXIT_NO else sys.stderr
        print(f"ledger: {stop}", file=stream)
        return stop.status
    except NotVerified as exc:
        print(f"NOT VERIFIED: {exc}")
        return EXIT_NO
    except ServiceError as exc:
        status = EXIT_REFUSED if isinstance(exc, Refusal) else EXIT_NO
        print(f"ledger: {exc}", file=sys.stdout if status == EXIT_NO else sys.stderr)
        return status
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


# The parser and the commands use the opening above: imported once it is defined.
from ledger.cli import federation as federated  # noqa: E402
from ledger.cli.parser import build_parser  # noqa: E402
from ledger.cli.reading import print_findings  # noqa: E402
from ledger.service.audit import exported as _exported  # noqa: E402
