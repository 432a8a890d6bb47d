"""The commands that make a ledger or add to it from a file: ``init``, ``import`` and ``demo``
(the recording commands, one fact each, are in ``ledger.cli``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from ledger import cli
from ledger import events as ev
from ledger.cli.bars import Bar
from ledger.cli.common import EXIT_OK, EXIT_REFUSED, Stop, printable
from ledger.importer import Register
from ledger.service import importing, setup
from ledger.store import system_clock
from projections import wording


def cmd_init(args: argparse.Namespace) -> int:
    made = setup.init(cli.config_of(args), args.profile, args.setting, system_clock)
    _say_made(made)
    print("Next steps (every command has --help with an example):")
    for step in setup.next_steps(made.profile, made.config.shown if args.db else None):
        print(f"  {printable(step)}")
    return EXIT_OK


def _say_made(made: setup.Initialised) -> None:
    profile = made.profile
    print(f"Created the ledger for {made.setting} in {printable(made.config.shown)}")
    print(f"Policy profile: {profile.name} ({profile.title})")
    print(f"Signing key (keep it safe, outside shared folders): {printable(made.config.key_path)}")
    print(f"Public key, for inspectors to check checkpoints: {made.verifier_key}")


def cmd_import(args: argparse.Namespace) -> int:
    file = importing.open_import(args.file, sys.stdin.buffer)
    if not file.is_register and args.ignore:
        raise Stop(EXIT_REFUSED, "refused: --ignore is for a spreadsheet's register (.csv)")
    ledger = cli.opened(args)
    config = cli.config_of(args)
    if file.is_register:
        with Bar("Importing") as bar:
            done = importing.import_register(
                ledger,
                file,
                args.ignore or (),
                lambda: cli.signer_of(config),
                system_clock,
                dry_run=args.dry_run,
                warn_up_to=cli.WARN_IMPORTS_UP_TO,
                progress=bar,
            )
        print(_register_summary(done, dry_run=args.dry_run))
        if done.dry is not None:
            _say_would_open(done.dry)
        if args.dry_run:
            print("This was a dry run: nothing was written.")
        if done.positions:
            _say_told(done.told)
        return EXIT_OK
    # Off a terminal, a long import says how far it has come as it always did (every 100,000).
    with Bar("Checking" if args.dry_run else "Importing", otherwise=_otherwise(args)) as bar:
        jsonl = importing.import_jsonl(
            ledger,
            file,
            lambda: cli.signer_of(config),
            system_clock,
            dry_run=args.dry_run,
            warn_up_to=cli.WARN_IMPORTS_UP_TO,
            progress=bar,
        )
    if jsonl.positions is None:
        print(_counted(jsonl.counts, dry_run=True))
        if jsonl.dry is not None:
            _say_would_open(jsonl.dry)
        print("This was a dry run: nothing was written.")
        return EXIT_OK
    print(f"Imported {wording.count(len(jsonl.positions), 'fact')} ({_at(jsonl.positions)}).")
    _say_told(jsonl.told)
    return EXIT_OK


def _otherwise(args: argparse.Namespace) -> Callable[[int], None] | None:
    return None if args.dry_run else cli.progress


def _at(positions: range) -> str:
    if len(positions) == 1:
        return f"position {positions[0]}"
    return f"positions {positions[0]}–{positions[-1]}"


def _say_told(told: list[str] | None) -> None:
    """After an import: how many findings it opened, by rule (``ledger findings`` lists them)."""
    if told is None:
        print("To see the findings after an import this large: ledger findings --open")
        return
    for line in told:
        print(line)


def _say_would_open(dry: importing.DryRun) -> None:
    """After a dry run: each finding the import would open, as the warnings at the moment of
    recording tell it (its rule and plain title, the subject, what to do, by when)."""
    if not dry.counts:
        return
    if dry.would_open is None:
        print(
            f"The findings it would open are not listed for a file of more than"
            f" {cli.WARN_IMPORTS_UP_TO:,} facts: after importing it, see them with:"
            " ledger findings --open"
        )
        return
    if not dry.findings:
        print("Importing it would open no finding.")
        return
    print(f"Importing it would open {_plural(dry.findings, 'finding', 'findings')}:")
    for line in dry.would_open:
        print(line)


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


def _kinds(facts: Sequence[tuple[int, ev.Event]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, event in facts:
        counts[type(event).__name__] = counts.get(type(event).__name__, 0) + 1
    return counts


def _register_summary(done: importing.RegisterImport, *, dry_run: bool) -> str:
    register: Register = done.register
    lines = [f"Read {_plural(register.rows, 'row', 'rows')} of the {register.kind} register."]
    counts = _kinds(done.facts)
    at = _at(done.positions) if done.positions else ""
    if counts:
        lines.append(_counted(counts, dry_run=dry_run, at=at))
    already = done.already
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
    return "\n".join(lines)


def cmd_demo(args: argparse.Namespace) -> int:
    config = cli.config_of(args)
    made = setup.demo(
        config,
        args.profile,
        args.setting,
        args.seed,
        system_clock,
        progress=cli.progress,
        size=args.size,
    )
    _say_made(made.made)
    print(f"Recorded a demo history of {len(made.positions):,} facts, {made.start} to {made.end}.")
    if made.suggestion:
        print("Ask before posting, for example:")
        print(f"  ledger --db {printable(config.shown)} check post {made.suggestion}")
    return EXIT_OK
