"""The commands about the people in the ledger (UK GDPR): ``forget``, ``subject`` and
``retention``."""

from __future__ import annotations

import argparse

import msgspec

from ledger import cli
from ledger.cli.common import EXIT_OK
from ledger.service import people
from ledger.store import system_clock
from projections import wording


def cmd_forget(args: argparse.Namespace) -> int:
    ledger = cli.opened(args)
    signer = cli.signer_of(cli.config_of(args))
    done = people.forget(ledger, args.ref, signer, system_clock)
    if done.already:
        print(f"{done.ref} was already forgotten; their key is now destroyed too.")
        return EXIT_OK
    print(
        f"Forgot {done.ref}: their key is destroyed, so their name (and any sealed note about"
        " them) can no longer be read. The facts, the findings and the tree are unchanged."
    )
    return EXIT_OK


def cmd_subject(args: argparse.Namespace) -> int:
    found = people.subject(cli.opened(args), args.ref)
    held = found.held
    if args.json:
        print(msgspec.json.encode(held).decode())
        return EXIT_OK
    print(f"Everything the ledger holds about {args.ref} ({found.setting})")
    if held.forgotten:
        print("This person has been forgotten: their name can no longer be read.")
    print(f"{wording.count(len(held.facts), 'fact')}:")
    for line in found.lines():
        print(f"  {line}")
    return EXIT_OK


def cmd_retention(args: argparse.Namespace) -> int:
    result = people.retention(cli.opened(args), system_clock)
    if args.json:
        print(msgspec.json.encode(result.due).decode())
        return EXIT_OK
    print(f"Retention: {result.retention.says}")
    if not result.due:
        print("No one is due to be forgotten.")
    for d in result.due:
        print(f"  {d.subject:<10} due since {d.since}  ({d.why})   ledger forget {d.subject}")
    return EXIT_OK
