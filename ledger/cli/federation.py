"""The commands given ``--federation FILE`` (or ``LEDGER_FEDERATION``): ``findings``,
``verify`` and ``follow`` across every member of a federation (``ledger.service.federation``).

``route`` chooses what runs: the command itself (one ledger), or its federated form. A command
that does not span a federation is refused with a federation named, never run against some
default ledger; so is ``--db`` with ``--federation``.

Exit status: 0 every member answered (and, for ``verify``, intact); 1 a member failed
verification; 2 a bad federation file, a refused option, or a member whose ledger could not be
read (the others are still answered, each on its own line).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Callable

import msgspec

from ledger.cli.common import EXIT_NO, EXIT_OK, EXIT_REFUSED, Stop
from ledger.cli.reading import print_findings
from ledger.federation import ENV, Federation, load
from ledger.service import federation as fed
from ledger.store import system_clock
from projections import wording

Command = Callable[[argparse.Namespace], int]

SPANNING = "findings, verify, follow and site build"


def _name(args: argparse.Namespace) -> str:
    """The command as typed (``site build``, ``consent grant``)."""
    parts = [args.command] + [
        str(getattr(args, key)) for key in ("what", "verb") if getattr(args, key, None)
    ]
    return " ".join(parts)


def route(args: argparse.Namespace) -> Command:
    """What runs for these options: ``args.run``, or, with a federation chosen, the command's
    federated form (``args.federated``, which finds the file in ``args.federation_file``).

    A command that takes ``--federation`` itself (its own option, ``args.federation``) is given
    the global one too, and chooses on its own between it, ``--db`` and ``LEDGER_FEDERATION``.
    """
    option: str | None = args.federation_file
    own: str | None = getattr(args, "federation", None)
    if (option is not None or own is not None) and args.db is not None:
        raise Stop(
            EXIT_REFUSED,
            "refused: --db and --federation together: --db names one ledger, --federation a"
            " federation's members; give one of them",
        )
    if "federation" in vars(args):  # the command reads a federation file itself
        if option is not None and own is not None and option != own:
            raise Stop(EXIT_REFUSED, "refused: two federation files given; give one")
        args.federation = own if own is not None else option
        return args.run  # type: ignore[no-any-return]
    from_env = os.environ.get(ENV) or None
    if option is None and (args.db is not None or from_env is None):
        return args.run  # type: ignore[no-any-return]
    ledgerless = args.command == "replay" or bool(getattr(args, "check", False))
    if option is None and ledgerless:  # it opens no ledger: LEDGER_FEDERATION is not for it
        return args.run  # type: ignore[no-any-return]
    if option is None and os.environ.get("LEDGER_DB"):
        raise Stop(
            EXIT_REFUSED,
            f"refused: both LEDGER_DB and {ENV} are set: say which with --db (one ledger) or"
            " --federation (the federation's members)",
        )
    federated: Command | None = getattr(args, "federated", None)
    named = "--federation" if option is not None else ENV
    if federated is None:
        raise Stop(
            EXIT_REFUSED,
            f"refused: `ledger {_name(args)}` does not span a federation ({named} is given):"
            f" name one member's ledger with --db (of the commands that read, {SPANNING} span"
            " the members)",
        )
    args.federation_file = option if option is not None else from_env
    return federated


def _federation(args: argparse.Namespace) -> Federation:
    return load(args.federation_file)


def _refuse_options(args: argparse.Namespace, why: str, *names: str) -> None:
    for name in names:
        if getattr(args, name, None):
            option = "--" + name.replace("_", "-")
            raise Stop(EXIT_REFUSED, f"refused: {option} with --federation: {why}")


def _unread(problems: list[str]) -> int:
    """Say, on standard error, how many members could not be read; EXIT_REFUSED if any."""
    if not problems:
        return EXIT_OK
    count = wording.count(len(problems), "member")
    print(f"ledger: {count} could not be read (the others were answered):", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_REFUSED


# --- findings ---------------------------------------------------------------------------------


def cmd_findings(args: argparse.Namespace) -> int:
    """Every member's findings: a summary per member, then each member's findings under its
    name (``--json``: an object with ``members``, the summaries, and ``findings``, each with
    the member's name as ``setting``)."""
    federation = _federation(args)
    answers = list(
        fed.findings(
            federation,
            system_clock,
            as_of=args.as_of,
            known_at=args.known_at,
            open_only=args.open,
        )
    )
    problems = [f"{a.member.name}: {a.problem}" for a in answers if a.problem is not None]
    if args.json:
        print(msgspec.json.encode(_as_json(federation, answers)).decode())
        return _unread(problems)
    day = next((a.found.day for a in answers if a.found is not None), None)
    heading = f"Findings for {federation.name}"
    if day is not None:
        heading += f" as of {day.isoformat()}"
    print(heading)
    print(f"{wording.count(len(answers), 'member')}:")
    width = max(len(a.member.name) for a in answers)
    for answer in answers:
        print(f"  {answer.member.name:<{width}}  {_summary(answer)}")
    for answer in answers:
        if answer.found is None:
            continue
        found = answer.found
        print(f"\n{'=' * 8} {answer.member.name} {'=' * 8}")
        print_findings(
            found.found, answer.member.name, None, found.day, found.known_at, sys.stdout,
            profile=found.profile,
        )  # fmt: skip
        if found.hidden:
            print(f"\n({wording.count(found.hidden, 'resolved finding')} not shown.)")
    return _unread(problems)


def _summary(answer: fed.MemberFindings) -> str:
    if answer.found is None:
        return f"NOT READ: {answer.problem}"
    said = f"{answer.open} open"
    if answer.oldest_open is not None:
        said += (
            f" ({answer.overdue} open more than {fed.OVERDUE_AFTER_DAYS} days, the oldest since"
            f" {answer.oldest_open.isoformat()})"
        )
    said += f", {answer.resolved} resolved"
    if answer.found.hidden:
        said += " (not shown)"
    return said


def _as_json(federation: Federation, answers: list[fed.MemberFindings]) -> dict[str, object]:
    members: list[dict[str, object]] = []
    found: list[dict[str, object]] = []
    for answer in answers:
        summary: dict[str, object] = {"setting": answer.member.name}
        if answer.found is None:
            summary["problem"] = answer.problem
        else:
            summary.update(
                {
                    "open": answer.open,
                    "overdue": answer.overdue,
                    "resolved": answer.resolved,
                    "oldest_open_since": answer.oldest_open,
                    "as_of": answer.found.day,
                    "position": answer.found.position,
                    "profile": answer.found.profile.name,
                }
            )
            for finding in answer.found.found:
                found.append({"setting": answer.member.name, **msgspec.to_builtins(finding)})
        members.append(summary)
    return {"federation": federation.name, "members": members, "findings": found}


# --- verify -----------------------------------------------------------------------------------


def cmd_verify(args: argparse.Namespace) -> int:
    """Every member verified, one line each; exit 1 if any fails."""
    _refuse_options(
        args,
        "each member is checked against its own key (its public_key in the federation file,"
        " else the key file beside its ledger)",
        "key",
        "trusted",
    )
    _refuse_options(
        args,
        "a published checkpoint is one member's: verify that member with --db and --published",
        "published",
    )
    federation = _federation(args)
    print(f"Verifying the {wording.count(len(federation.members), 'member')} of {federation.name}")
    intact = failed = 0
    problems: list[str] = []
    for answer in fed.verify(federation):
        name = answer.member.name
        if answer.checked is None:
            problems.append(f"{name}: {answer.problem}")
            print(f"{name}: NOT VERIFIED: {answer.problem}")
            continue
        print(f"{name}: {_verdict(answer)}; checked against {answer.against}, {answer.key}")
        if answer.ok:
            intact += 1
        else:
            failed += 1
    said = f"{intact} intact, {failed} failed"
    if problems:
        said += f", {len(problems)} not read"
    print(said + ".")
    if failed:
        _unread(problems)
        return EXIT_NO
    return _unread(problems)


def _verdict(answer: fed.MemberVerified) -> str:
    checked = answer.checked
    assert checked is not None
    verdict = checked.verdict
    if not verdict.ok:
        return f"TAMPERED at position {verdict.bad_position}: {verdict.problem}"
    if checked.key_store_broken is not None:
        return f"TAMPERED: {checked.key_store_broken}"
    if checked.key_store:
        first = checked.key_store[0].problem
        count = len(checked.key_store)
        return (
            f"KEY STORE does not match the ledger ({count} problem{'s' if count > 1 else ''};"
            f" the first: {first})"
        )
    facts = f"{verdict.size:,} facts, {verdict.checkpoints:,} signed checkpoints"
    if checked.caches is not None and checked.caches.tampered:
        return (
            f"CACHE TAMPERED: {facts} intact, but something other than the ledger wrote its caches"
        )
    return f"Intact: {facts}, root {verdict.root}"


# --- follow -----------------------------------------------------------------------------------


def cmd_follow(args: argparse.Namespace) -> int:
    """One process following every member (``--once``: each caught up, one after another)."""
    federation = _federation(args)
    if args.once:
        problems: list[str] = []
        for answer in fed.follow_once(federation, system_clock):
            print(_followed(answer))
            if answer.problem is not None:
                problems.append(f"{answer.member.name}: {answer.problem}")
        return _unread(problems)
    print(
        f"Following the {wording.count(len(federation.members), 'member')} of {federation.name}"
        " (Ctrl-C to stop)"
    )

    def told(answer: fed.MemberFollowed) -> None:
        said = f"{answer.member.name}: no longer followed: {answer.problem}"
        print(f"ledger: {said}", file=sys.stderr)

    ended = fed.follow(federation, system_clock, stop=threading.Event(), told=told)
    for answer in ended:
        print(_followed(answer))
    return _unread([f"{a.member.name}: {a.problem}" for a in ended if a.problem is not None])


def _followed(answer: fed.MemberFollowed) -> str:
    if answer.problem is not None or answer.position is None or answer.day is None:
        return f"{answer.member.name}: NOT FOLLOWED: {answer.problem}"
    return (
        f"{answer.member.name}: the registers are current to position {answer.position:,},"
        f" and the site's numbers as of {answer.day.isoformat()}"
    )


def federation_help() -> str:
    return (
        "a federation file (TOML: its name and its members, each a display name and a ledger):"
        f" {SPANNING} then span every member (default: ${ENV}); not with --db"
    )
